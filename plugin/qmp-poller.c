/* qmp-poller.c: one epoll fd per GMainContext for every QMP socket on it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-poller.h"
#include "qmp-shared-source.h"

#include <gio/gio.h>

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Events handled per dispatch; the rest are reported again next time
 * (level-triggered), so that no socket starves the others. */
#define MAX_EVENTS 64

struct _QmpPollerWatch {
  QmpPoller     *poller;
  int            fd;
  QmpPollerFunc  func;
  gpointer       user_data;
  gboolean       want_write;
  gboolean       removed;
  GList          flush_link;  /* in poller->flush while flush_queued */
  gboolean       flush_queued;
};

/* The poller's stand-in in the library's context (qmp-io-context.h),
 * which a _sync call iterates alone: it serves the sockets only while one
 * waits, the application's context being still then. */
typedef struct {
  GSource        source;
  QmpPoller     *poller;
  GPollFD        pfd;
} PollerTwin;

/* One per application context (qmp-shared-source.h). */
struct _QmpPoller {
  QmpSharedSource shared;
  QmpIoContext  *io;          /* the library's context of the same */
  PollerTwin    *twin;
  int            epfd;
  gpointer       tag;
  guint          n_watches;
  guint          dispatching;
  GPtrArray     *removed;     /* watches freed once dispatch is over */
  GQueue         flush;       /* watches to write to without waiting */
  guint8        *read_buffer; /* lent to one read at a time */
  gboolean       read_buffer_lent;
};

static QmpSharedSources pollers = QMP_SHARED_SOURCES_INIT;

static guint32
epoll_events (QmpPollerWatch *watch)
{
  return EPOLLIN | EPOLLRDHUP | (watch->want_write ? EPOLLOUT : 0);
}

static GIOCondition
to_condition (guint32 events)
{
  return ((events & EPOLLIN) ? G_IO_IN : 0)
       | ((events & EPOLLOUT) ? G_IO_OUT : 0)
       | ((events & (EPOLLHUP | EPOLLRDHUP)) ? G_IO_HUP : 0)
       | ((events & EPOLLERR) ? G_IO_ERR : 0);
}

/* Sockets with output to write are ready now: a socket's buffer is
 * nearly always free, so asking epoll to say so would cost two
 * epoll_ctl() and an iteration for each command. */
static gboolean
poller_prepare (GSource *source, gint *timeout)
{
  QmpPoller *poller = (QmpPoller *) source;

  *timeout = -1;
  return !g_queue_is_empty (&poller->flush);
}

static void
poller_run (QmpPoller *poller, gboolean readable)
{
  struct epoll_event events[MAX_EVENTS];
  GList *link;
  int n = 0;

  poller->dispatching++;
  if (readable)
    do
      n = epoll_wait (poller->epfd, events, MAX_EVENTS, 0);
    while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; i++)
    {
      QmpPollerWatch *watch = events[i].data.ptr;

      /* A callback earlier in this batch may have removed it. */
      if (!watch->removed)
        watch->func (watch->fd, to_condition (events[i].events), watch->user_data);
    }
  /* Writes asked for by the callbacks above go out in this dispatch too.
   * A write that finds the socket full asks for EPOLLOUT instead, so this
   * ends. */
  while ((link = g_queue_pop_head_link (&poller->flush)) != NULL)
    {
      QmpPollerWatch *watch = link->data;

      watch->flush_queued = FALSE;
      if (!watch->removed)
        watch->func (watch->fd, G_IO_OUT, watch->user_data);
    }
  if (--poller->dispatching == 0)
    g_ptr_array_set_size (poller->removed, 0);
}

static gboolean
poller_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  QmpPoller *poller = (QmpPoller *) source;

  poller_run (poller, (g_source_query_unix_fd (source, poller->tag) & G_IO_IN) != 0);
  return G_SOURCE_CONTINUE;
}

/* A GPollFD rather than a unix fd: GLib would dispatch a source whose
 * unix fd is ready whatever its check says. Outside a wait it asks for
 * nothing, so the bridge's poll (which it is part of) ignores it. */
static gboolean
twin_prepare (GSource *source, gint *timeout)
{
  PollerTwin *twin = (PollerTwin *) source;
  gboolean waiting = qmp_io_context_in_sync_wait (twin->poller->io);

  twin->pfd.events = waiting ? G_IO_IN : 0;
  *timeout = -1;
  return waiting && !g_queue_is_empty (&twin->poller->flush);
}

static gboolean
twin_check (GSource *source)
{
  PollerTwin *twin = (PollerTwin *) source;

  return qmp_io_context_in_sync_wait (twin->poller->io)
         && ((twin->pfd.revents & G_IO_IN) || !g_queue_is_empty (&twin->poller->flush));
}

static gboolean
twin_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  PollerTwin *twin = (PollerTwin *) source;
  QmpPoller *poller = twin->poller;

  /* GLib holds the twin while it dispatches, not the poller: a callback
   * may drop the poller's last reference. */
  g_source_ref (&poller->shared.source);
  poller_run (poller, (twin->pfd.revents & G_IO_IN) != 0);
  g_source_unref (&poller->shared.source);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs twin_funcs = {
  .prepare = twin_prepare,
  .check = twin_check,
  .dispatch = twin_dispatch,
};

static void
poller_finalize (GSource *source)
{
  QmpPoller *poller = (QmpPoller *) source;

  if (poller->twin != NULL)
    {
      g_source_destroy (&poller->twin->source);
      g_source_unref (&poller->twin->source);
    }
  g_ptr_array_unref (poller->removed);
  g_free (poller->read_buffer);
  if (poller->epfd >= 0)
    close (poller->epfd);
  if (poller->io != NULL)
    qmp_io_context_unref (poller->io);
}

static GSourceFuncs poller_funcs = {
  .prepare = poller_prepare,
  .dispatch = poller_dispatch,
  .finalize = poller_finalize,
};

static gboolean
poller_init (QmpSharedSource *shared, gpointer data, GError **error)
{
  QmpPoller *poller = (QmpPoller *) shared;
  QmpIoContext *io = data;

  poller->removed = g_ptr_array_new_with_free_func (g_free);
  poller->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (poller->epfd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create an epoll instance for QMP sockets: %s",
                   g_strerror (saved));
      return FALSE;
    }
  poller->tag = g_source_add_unix_fd (&shared->source, poller->epfd, G_IO_IN);
  g_source_set_name (&shared->source, "[xenqmp] QMP sockets");
  /* A callback may run a nested main loop waiting for another socket of
   * the same context: the one source must serve it. */
  g_source_set_can_recurse (&shared->source, TRUE);
  poller->io = qmp_io_context_ref (io);
  poller->twin = (PollerTwin *) g_source_new (&twin_funcs, sizeof (PollerTwin));
  poller->twin->poller = poller;
  poller->twin->pfd.fd = poller->epfd;
  g_source_add_poll (&poller->twin->source, &poller->twin->pfd);
  g_source_set_name (&poller->twin->source, "[xenqmp] QMP sockets (during a _sync call)");
  /* A _sync call from a callback of a socket of this context waits for
   * that socket or another through the twin. */
  g_source_set_can_recurse (&poller->twin->source, TRUE);
  g_source_attach (&poller->twin->source, qmp_io_context_get_main (io));
  return TRUE;
}

QmpPoller *
qmp_poller_get (QmpIoContext *io, GError **error)
{
  return qmp_shared_source_get (&pollers, qmp_io_context_get_app (io), &poller_funcs,
                                sizeof (QmpPoller), poller_init, io, error);
}

guint8 *
qmp_poller_borrow_read_buffer (QmpPoller *poller)
{
  if (poller->read_buffer_lent)
    return NULL;
  if (poller->read_buffer == NULL)
    poller->read_buffer = g_malloc (QMP_POLLER_READ_BUFFER_SIZE);
  poller->read_buffer_lent = TRUE;
  return poller->read_buffer;
}

void
qmp_poller_return_read_buffer (QmpPoller *poller)
{
  g_return_if_fail (poller->read_buffer_lent);
  poller->read_buffer_lent = FALSE;
}

void
qmp_poller_unref (QmpPoller *poller)
{
  qmp_shared_source_unref (poller);
}

QmpPollerWatch *
qmp_poller_add (QmpPoller     *poller,
                int            fd,
                QmpPollerFunc  func,
                gpointer       user_data,
                GError       **error)
{
  QmpPollerWatch *watch = g_new0 (QmpPollerWatch, 1);
  struct epoll_event ev = { 0 };

  watch->poller = poller;
  watch->fd = fd;
  watch->func = func;
  watch->user_data = user_data;
  watch->flush_link.data = watch;
  ev.events = epoll_events (watch);
  ev.data.ptr = watch;
  if (epoll_ctl (poller->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot watch a QMP socket with epoll: %s", g_strerror (saved));
      g_free (watch);
      return NULL;
    }
  poller->n_watches++;
  return watch;
}

void
qmp_poller_set_want_write (QmpPollerWatch *watch, gboolean want_write)
{
  struct epoll_event ev = { 0 };

  if (watch->want_write == want_write || watch->removed)
    return;
  watch->want_write = want_write;
  ev.events = epoll_events (watch);
  ev.data.ptr = watch;
  /* MOD on a watched fd fails only for want of kernel memory: say so
   * and try again at the next dispatch, rather than end the process. */
  if (epoll_ctl (watch->poller->epfd, EPOLL_CTL_MOD, watch->fd, &ev) < 0)
    {
      g_warning ("cannot change what epoll watches on a QMP socket: %s",
                 g_strerror (errno));
      watch->want_write = !want_write;
      qmp_poller_request_write (watch);
    }
}

void
qmp_poller_request_write (QmpPollerWatch *watch)
{
  if (watch->removed || watch->flush_queued || watch->want_write)
    return;
  watch->flush_queued = TRUE;
  g_queue_push_tail_link (&watch->poller->flush, &watch->flush_link);
}

void
qmp_poller_remove (QmpPollerWatch *watch)
{
  QmpPoller *poller;

  if (watch == NULL || watch->removed)
    return;
  poller = watch->poller;
  watch->removed = TRUE;
  if (watch->flush_queued)
    {
      g_queue_unlink (&poller->flush, &watch->flush_link);
      watch->flush_queued = FALSE;
    }
  epoll_ctl (poller->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
  poller->n_watches--;
  /* Events for it may still be in the batch being dispatched. */
  if (poller->dispatching > 0)
    g_ptr_array_add (poller->removed, watch);
  else
    g_free (watch);
}

guint
qmp_poller_count (QmpPoller *poller)
{
  return poller->n_watches;
}
