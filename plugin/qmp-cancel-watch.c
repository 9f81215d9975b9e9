/* qmp-cancel-watch.c: a GCancellable's cancellation, as a source of a context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-cancel-watch.h"

/* What the cancelling thread sees: the source while the watch lives. */
typedef struct {
  GMutex   lock;
  GSource *source;   /* NULL once the watch is freed */
} Link;

struct _QmpCancelWatch {
  GCancellable *cancellable;
  gulong        handler;     /* 0: it ran at connect, and LINK is gone */
  Link         *link;
  GSource      *source;
};

static void
link_free (gpointer data)
{
  Link *link = data;

  g_mutex_clear (&link->lock);
  g_free (link);
}

static void
on_cancelled (GCancellable *cancellable, gpointer data)
{
  Link *link = data;

  g_mutex_lock (&link->lock);
  if (link->source != NULL)
    g_source_set_ready_time (link->source, 0);
  g_mutex_unlock (&link->lock);
}

static gboolean
watch_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  if (callback != NULL)
    callback (user_data);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs watch_funcs = {
  .dispatch = watch_dispatch,
};

QmpCancelWatch *
qmp_cancel_watch_new (GCancellable *cancellable,
                      GMainContext *context,
                      GSourceFunc   func,
                      gpointer      data)
{
  QmpCancelWatch *watch = g_new0 (QmpCancelWatch, 1);
  Link *link = g_new0 (Link, 1);

  g_mutex_init (&link->lock);
  watch->cancellable = g_object_ref (cancellable);
  watch->source = g_source_new (&watch_funcs, sizeof (GSource));
  g_source_set_callback (watch->source, func, data, NULL);
  g_source_set_name (watch->source, "[xenqmp] cancellation");
  g_source_attach (watch->source, context);
  link->source = watch->source;
  /* Already cancelled: the handler runs now, and LINK is freed with it. */
  watch->handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), link,
                                          link_free);
  watch->link = watch->handler != 0 ? link : NULL;
  return watch;
}

void
qmp_cancel_watch_free (QmpCancelWatch *watch)
{
  if (watch == NULL)
    return;
  if (watch->link != NULL)
    {
      g_mutex_lock (&watch->link->lock);
      watch->link->source = NULL;
      g_mutex_unlock (&watch->link->lock);
      /* Not g_cancellable_disconnect(), which waits for a handler running
       * in another thread, and deadlocks when called from this thread's
       * own cancel: a handler still running finds no source. LINK goes
       * with the handler's closure, after any emission holding it. */
      g_signal_handler_disconnect (watch->cancellable, watch->handler);
    }
  g_source_destroy (watch->source);
  g_source_unref (watch->source);
  g_object_unref (watch->cancellable);
  g_free (watch);
}
