/* qmp-io-context.c: the library's own main context inside the application's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-io-context.h"
#include "qmp-shared-source.h"

/* The bridge: a source of the application's context that is the private
 * context's prepare, query, check and dispatch. */
struct _QmpIoContext {
  QmpSharedSource shared;     /* one per application context */
  GMainContext  *main;        /* ours */
  QmpOutbox     *outbox;      /* the application's */
  QmpOutbox     *internal;    /* ours */

  /* The private context's poll set as last queried, and the same fds
   * registered on the bridge (GLib keeps pointers to those). */
  GPollFD       *fds;
  gint           n_fds;
  gint           alloc_fds;
  GPtrArray     *polls;       /* GPollFD *, owned */
  gint           max_priority;
  gboolean       checked;     /* this iteration's check ran */
  /* Acquisitions of MAIN made in prepare, neither released by a check
   * that found nothing nor taken over by a dispatch: GLib does not check
   * or dispatch a source when one of higher priority is ready. */
  guint          held;
  guint          sync_waits;  /* _sync calls waiting, nested */
  guint64        sync_wait;   /* the outermost one's number */
};

static QmpSharedSources io_contexts = QMP_SHARED_SOURCES_INIT;

static void
release_held (QmpIoContext *io)
{
  for (; io->held > 0; io->held--)
    g_main_context_release (io->main);
}

static gboolean
polls_match (QmpIoContext *io)
{
  if (io->polls->len != (guint) io->n_fds)
    return FALSE;
  for (gint i = 0; i < io->n_fds; i++)
    {
      GPollFD *p = g_ptr_array_index (io->polls, i);

      if (p->fd != io->fds[i].fd || p->events != io->fds[i].events)
        return FALSE;
    }
  return TRUE;
}

/* The set rarely changes (the poller's epoll fd, the context's wakeup
 * fd): only then are the bridge's fds replaced. */
static void
register_polls (QmpIoContext *io)
{
  if (polls_match (io))
    return;
  for (guint i = 0; i < io->polls->len; i++)
    g_source_remove_poll (&io->shared.source, g_ptr_array_index (io->polls, i));
  g_ptr_array_set_size (io->polls, 0);
  for (gint i = 0; i < io->n_fds; i++)
    {
      GPollFD *p = g_new0 (GPollFD, 1);

      p->fd = io->fds[i].fd;
      p->events = io->fds[i].events;
      g_ptr_array_add (io->polls, p);
      g_source_add_poll (&io->shared.source, p);
    }
}

static gboolean
bridge_prepare (GSource *source, gint *timeout)
{
  QmpIoContext *io = (QmpIoContext *) source;
  gboolean ready;
  gint n;

  release_held (io);
  io->checked = FALSE;
  /* Only when a thread breaks the contract (a _sync call from a thread
   * other than the one iterating this context) is it owned elsewhere. */
  if (!g_main_context_acquire (io->main))
    {
      *timeout = -1;
      return FALSE;
    }
  io->held++;
  ready = g_main_context_prepare (io->main, &io->max_priority);
  while ((n = g_main_context_query (io->main, io->max_priority, timeout,
                                    io->fds, io->alloc_fds)) > io->alloc_fds)
    {
      io->alloc_fds = n;
      io->fds = g_renew (GPollFD, io->fds, n);
    }
  io->n_fds = n;
  register_polls (io);
  if (ready)
    *timeout = 0;
  return ready;
}

static gboolean
check_main (QmpIoContext *io)
{
  for (gint i = 0; i < io->n_fds; i++)
    io->fds[i].revents = ((GPollFD *) g_ptr_array_index (io->polls, i))->revents;
  io->checked = TRUE;
  return g_main_context_check (io->main, io->max_priority, io->fds, io->n_fds);
}

static gboolean
bridge_check (GSource *source)
{
  QmpIoContext *io = (QmpIoContext *) source;

  if (io->held == 0)
    return FALSE;
  if (check_main (io))
    return TRUE;
  release_held (io);
  return FALSE;
}

/* The library's sources run, then the user code they owe: after the I/O
 * step, and with the private context released, so that a callback's
 * _sync call or nested main loop iterates it afresh. */
static gboolean
bridge_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  QmpIoContext *io = (QmpIoContext *) source;

  /* This dispatch owns the acquisition now: a nested iteration's prepare
   * must not release it. (GLib drops a dispatch a nested iteration made
   * stale; should one come anyway, it acquires afresh.) */
  if (io->held > 0)
    io->held--;
  else if (!g_main_context_acquire (io->main))
    return G_SOURCE_CONTINUE;
  if (!io->checked)
    check_main (io);
  g_main_context_dispatch (io->main);
  g_main_context_release (io->main);
  qmp_outbox_drain (io->outbox);
  return G_SOURCE_CONTINUE;
}

static void
bridge_finalize (GSource *source)
{
  QmpIoContext *io = (QmpIoContext *) source;

  release_held (io);
  g_ptr_array_unref (io->polls);
  g_free (io->fds);
  qmp_outbox_unref (io->internal);
  qmp_outbox_unref (io->outbox);
  g_main_context_unref (io->main);
}

static GSourceFuncs bridge_funcs = {
  .prepare = bridge_prepare,
  .check = bridge_check,
  .dispatch = bridge_dispatch,
  .finalize = bridge_finalize,
};

static gboolean
io_context_init (QmpSharedSource *shared, gpointer data, GError **error)
{
  QmpIoContext *io = (QmpIoContext *) shared;

  io->main = g_main_context_new ();
  io->outbox = qmp_outbox_get (shared->context);
  io->internal = qmp_outbox_get (io->main);
  io->polls = g_ptr_array_new_with_free_func (g_free);
  g_source_set_name (&shared->source, "[xenqmp] library sources");
  /* A callback may run a nested loop of the application's context: the
   * library's sources must go on running in it. */
  g_source_set_can_recurse (&shared->source, TRUE);
  return TRUE;
}

QmpIoContext *
qmp_io_context_get (GMainContext *app)
{
  return qmp_shared_source_get (&io_contexts, app, &bridge_funcs, sizeof (QmpIoContext),
                                io_context_init, NULL, NULL);
}

QmpIoContext *
qmp_io_context_ref (QmpIoContext *io)
{
  return qmp_shared_source_ref (io);
}

void
qmp_io_context_unref (QmpIoContext *io)
{
  qmp_shared_source_unref (io);
}

GMainContext *
qmp_io_context_get_main (QmpIoContext *io)
{
  return io->main;
}

GMainContext *
qmp_io_context_get_app (QmpIoContext *io)
{
  return io->shared.context;
}

QmpOutbox *
qmp_io_context_get_outbox (QmpIoContext *io)
{
  return io->outbox;
}

QmpOutbox *
qmp_io_context_get_internal (QmpIoContext *io)
{
  return io->internal;
}

gboolean
qmp_io_context_owns_task (QmpIoContext *io, GTask *task)
{
  return g_task_get_context (task) == io->main;
}

void
qmp_io_context_push_result (QmpIoContext *io, GTask *task, JsonNode *ret, GError *error)
{
  qmp_outbox_push_result (qmp_io_context_owns_task (io, task) ? io->internal : io->outbox,
                          task, ret, error);
}

void
qmp_io_context_wait (QmpIoContext *io, gpointer *slot)
{
  if (io->sync_waits++ == 0)
    io->sync_wait++;
  while (*slot == NULL)
    g_main_context_iteration (io->main, TRUE);
  io->sync_waits--;
}

gboolean
qmp_io_context_in_sync_wait (QmpIoContext *io)
{
  return io->sync_waits > 0;
}

guint64
qmp_io_context_get_sync_wait (QmpIoContext *io)
{
  return io->sync_waits > 0 ? io->sync_wait : 0;
}
