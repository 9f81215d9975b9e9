/* qmp-xenstore.c: libxenstore on a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-xenstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <xenstore.h>

typedef struct {
  guint                 id;
  char                 *path;
  QmpXenstoreWatchFunc  func;
  gpointer              user_data;
} Watch;

struct _QmpXenstore {
  struct xs_handle *handle;
  GSource          *source;
  GHashTable       *watches;    /* id -> Watch */
  guint             next_id;
};

static void
watch_free (Watch *w)
{
  g_free (w->path);
  g_free (w);
}

static gboolean
dispatch_watches (gint fd, GIOCondition condition, gpointer user_data)
{
  QmpXenstore *xs = user_data;
  char **event;

  /* Each event names the path that changed and the token: our watch id. */
  while ((event = xs_check_watch (xs->handle)) != NULL)
    {
      guint id = (guint) g_ascii_strtoull (event[XS_WATCH_TOKEN], NULL, 10);
      Watch *w = g_hash_table_lookup (xs->watches, GUINT_TO_POINTER (id));

      if (w != NULL)
        w->func (xs, event[XS_WATCH_PATH], w->user_data);
      free (event);
    }
  return G_SOURCE_CONTINUE;
}

QmpXenstore *
qmp_xenstore_open (GMainContext *context, GError **error)
{
  g_autoptr(QmpXenstore) xs = g_new0 (QmpXenstore, 1);
  const char *where = g_getenv ("XENSTORED_PATH");

  xs->handle = xs_open (0);
  if (xs->handle == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot open xenstore (%s): %s",
                   where != NULL ? where : "/dev/xen/xenbus", g_strerror (saved));
      return NULL;
    }
  xs->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) watch_free);
  xs->next_id = 1;
  xs->source = g_unix_fd_source_new (xs_fileno (xs->handle), G_IO_IN);
  g_source_set_callback (xs->source, (GSourceFunc) (void (*) (void)) dispatch_watches, xs, NULL);
  g_source_set_name (xs->source, "[xenqmp] xenstore watches");
  g_source_attach (xs->source, context);
  return g_steal_pointer (&xs);
}

void
qmp_xenstore_free (QmpXenstore *xs)
{
  if (xs == NULL)
    return;
  if (xs->source != NULL)
    {
      g_source_destroy (xs->source);
      g_source_unref (xs->source);
    }
  if (xs->handle != NULL)
    xs_close (xs->handle);
  g_clear_pointer (&xs->watches, g_hash_table_unref);
  g_free (xs);
}

gboolean
qmp_xenstore_is_introduced (QmpXenstore *xs, guint32 domid)
{
  return xs_is_domain_introduced (xs->handle, domid);
}

char *
qmp_xenstore_read (QmpXenstore *xs, const char *path, GError **error)
{
  unsigned int len = 0;
  char *value = xs_read (xs->handle, XBT_NULL, path, &len);
  char *copy;

  if (value == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR,
                   saved == ENOENT ? G_IO_ERROR_NOT_FOUND : g_io_error_from_errno (saved),
                   "xenstore: cannot read %s: %s", path, g_strerror (saved));
      return NULL;
    }
  /* A value may hold any bytes: keep it a C string that GLib may own. */
  copy = g_strndup (value, len);
  free (value);
  return copy;
}

gboolean
qmp_xenstore_exists (QmpXenstore *xs, const char *path)
{
  g_autofree char *value = qmp_xenstore_read (xs, path, NULL);

  return value != NULL;
}

/* Long enough for any value the glue expects (a uuid path is 40 bytes). */
#define QUOTE_MAX 64

char *
qmp_xenstore_quote (const char *value)
{
  g_autofree char *head = g_strndup (value, QUOTE_MAX);
  g_autofree char *escaped = g_strescape (head, NULL);

  /* g_strescape() leaves no byte above 0x7e nor below 0x20: the result is
   * ASCII, so valid UTF-8 whatever VALUE was. */
  return g_strdup_printf ("\"%s\"%s", escaped, strlen (value) > QUOTE_MAX ? "..." : "");
}

guint
qmp_xenstore_watch (QmpXenstore          *xs,
                    const char           *path,
                    QmpXenstoreWatchFunc  func,
                    gpointer              user_data,
                    GError              **error)
{
  Watch *w = g_new0 (Watch, 1);
  char token[16];

  w->id = xs->next_id++;
  w->path = g_strdup (path);
  w->func = func;
  w->user_data = user_data;
  g_snprintf (token, sizeof token, "%u", w->id);
  if (!xs_watch (xs->handle, path, token))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "xenstore: cannot watch %s: %s", path, g_strerror (saved));
      watch_free (w);
      return 0;
    }
  g_hash_table_insert (xs->watches, GUINT_TO_POINTER (w->id), w);
  return w->id;
}

void
qmp_xenstore_unwatch (QmpXenstore *xs, guint id)
{
  Watch *w = g_hash_table_lookup (xs->watches, GUINT_TO_POINTER (id));
  char token[16];

  if (w == NULL)
    return;
  g_snprintf (token, sizeof token, "%u", id);
  xs_unwatch (xs->handle, w->path, token);
  g_hash_table_remove (xs->watches, GUINT_TO_POINTER (id));
}
