/* qmp-connection.c: one QMP connection to one QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The data path runs top to bottom in connection_io(): write what is
 * queued, read what arrived, split it into messages, dispatch each one.
 * Anything dispatched may call back into user code, which may execute,
 * abandon, close or drop the last reference: the connection pins itself
 * around dispatch and checks its state after every message.
 */
#include "config.h"

#include "qmp-connection.h"

#include "qmp-context.h"
#include "qmp-io-context.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmp-fd-close.h"
#include "qmp-framer.h"
#include "qmp-message.h"
#include "qmp-pending.h"
#include "qmp-poller.h"
#include "qmp-trace.h"

/* Reads per dispatch: a device model that floods must not keep the other
 * domains' sources from running. The bound is on the work a dispatch
 * does, and 64 KiB of small events take about 6 ms to handle: 1 MiB per
 * dispatch (16 reads) made every round trip of another domain wait
 * ~100 ms behind a flood of events. */
#define READ_CHUNK        (64 * 1024)
#define READS_PER_DISPATCH 1
/* A sendmsg() gathers at most this many queued commands. */
#define WRITE_BATCH        64
/* Commands exec'd from the callbacks of one read go out FLUSH_EARLY at a
 * time rather than all at its end: QEMU starts on them while the rest of
 * the read is parsed, on the other core (make bench, 64 in flight: 5.8 to
 * 3.2-4.3 us per command). */
#define FLUSH_EARLY        16
/* connect() retries while the socket's backlog is full. */
#define CONNECT_RETRY_MS   20

struct _QmpConnection {
  gint                     ref_count;
  QmpConnectionState       state;
  char                    *socket_path;
  char                    *peer;
  QmpIoContext            *io;
  GMainContext            *context;    /* the library's (qmp-io-context.h) */
  QmpConnectionConfig      config;
  GArray                  *observers;  /* Observer */
  guint64                  tag;
  char                    *waiting_reason;
  QmpOutbox               *outbox;     /* the application's code */
  QmpOutbox               *internal;   /* the library's continuations */
  guint64                  held_in_wait; /* the _sync wait held_events counts in */
  guint                    held_events;

  int                      fd;
  QmpPoller               *poller;     /* while connected */
  QmpPollerWatch          *watch;
  GSource                 *connect_retry;
  GSource                 *idle_close;
  GSource                 *drain_close;
  GSource                 *unanswered; /* ends a QEMU that never answers */

  QmpFramer               *framer;
  JsonNode                *greeting;   /* whole greeting message */
  gboolean                 oob_enabled;

  gboolean                 in_io;      /* inside connection_io(), not delivering */
  QmpPoller               *borrowed;   /* whose read buffer the framer has */
  gboolean                 last_of_read; /* handling the last message read */
  gboolean                 write_blocked; /* the last write found the socket full */
  gboolean                 tracing;    /* the wire trace is on (checked per dispatch) */
  gint64                   next_id;
  GHashTable              *by_id;      /* gint64 id -> QmpPending (owned) */
  GQueue                   outq;       /* QmpPending not yet fully written */
  guint                    n_tasks;    /* pendings with a task */
  guint                    received_fds; /* sent by QEMU, all closed */
  guint                    holds;
  /* Handing the socket back (qmp_connection_suspend()): nothing new is
   * written; once what was sent is answered, the socket is closed. */
  gboolean                 suspending;
  GSource                  *suspend_step; /* closes the socket, off the I/O step */
  GSource                  *suspend_drain; /* gives up on abandoned replies */
  gint64                   suspended_at_us; /* real time; 0: not suspended */
};


typedef struct {
  const QmpConnectionCallbacks *callbacks;
  gpointer                      user_data;
} Observer;

static void connection_update_io   (QmpConnection *conn);
static gboolean connection_flush   (QmpConnection *conn, GError **error);
static void connection_close_internal (QmpConnection *conn,
                                       const GError  *reason);
static void connection_check_idle  (QmpConnection *conn);
static void connection_check_suspend (QmpConnection *conn);
static void connection_fail        (QmpConnection *conn,
                                    GError        *error);

QmpConnection *
qmp_connection_new (const char                   *socket_path,
                    const char                   *peer_name,
                    GMainContext                 *context,
                    const QmpConnectionConfig    *config)
{
  QmpConnection *conn = g_new0 (QmpConnection, 1);

  conn->ref_count = 1;
  conn->state = QMP_CONNECTION_CONNECTING;
  conn->socket_path = g_strdup (socket_path);
  conn->peer = g_strdup (peer_name);
  conn->io = qmp_io_context_get (context);
  conn->context = qmp_io_context_get_main (conn->io);
  conn->outbox = qmp_io_context_get_outbox (conn->io);
  conn->internal = qmp_io_context_get_internal (conn->io);
  conn->config = *config;
  conn->observers = g_array_new (FALSE, FALSE, sizeof (Observer));
  conn->fd = -1;
  conn->framer = qmp_framer_new (config->limits.max_message_size,
                                 config->limits.max_depth);
  conn->next_id = 1;
  conn->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_queue_init (&conn->outq);
  return conn;
}

QmpConnection *
qmp_connection_ref (QmpConnection *conn)
{
  g_atomic_int_inc (&conn->ref_count);
  return conn;
}

void
qmp_connection_unref (QmpConnection *conn)
{
  if (conn == NULL || !g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  /* Nobody can be waiting on a connection nobody references: a pending
   * task holds no reference, but its owner (cmd binding, client) does. */
  g_array_set_size (conn->observers, 0);
  if (conn->state != QMP_CONNECTION_CLOSED)
    {
      conn->ref_count = 1;
      qmp_connection_close (conn, NULL);
      conn->ref_count = 0;
    }
  g_assert (g_hash_table_size (conn->by_id) == 0);
  g_hash_table_unref (conn->by_id);
  g_array_unref (conn->observers);
  qmp_framer_free (conn->framer);
  g_clear_pointer (&conn->greeting, json_node_unref);
  qmp_io_context_unref (conn->io);
  g_free (conn->socket_path);
  g_free (conn->peer);
  g_free (conn->waiting_reason);
  g_free (conn);
}

QmpConnectionState
qmp_connection_get_state (QmpConnection *conn)
{
  return conn->state;
}

QmpIoContext *
qmp_connection_get_io_context (QmpConnection *conn)
{
  return conn->io;
}

const char *
qmp_connection_get_peer (QmpConnection *conn)
{
  return conn->peer;
}

JsonObject *
qmp_connection_get_greeting (QmpConnection *conn)
{
  JsonNode *qmp;

  if (conn->greeting == NULL)
    return NULL;
  qmp = json_object_get_member (json_node_get_object (conn->greeting), "QMP");
  return json_node_get_object (qmp);
}

gboolean
qmp_connection_oob_enabled (QmpConnection *conn)
{
  return conn->oob_enabled;
}

void
qmp_connection_set_tag (QmpConnection *conn, guint64 tag)
{
  conn->tag = tag;
}

guint64
qmp_connection_get_tag (QmpConnection *conn)
{
  return conn->tag;
}

void
qmp_connection_add_observer (QmpConnection                *conn,
                             const QmpConnectionCallbacks *callbacks,
                             gpointer                      user_data)
{
  Observer o = { callbacks, user_data };

  g_array_append_val (conn->observers, o);
}

void
qmp_connection_remove_observer (QmpConnection                *conn,
                                const QmpConnectionCallbacks *callbacks,
                                gpointer                      user_data)
{
  for (guint i = 0; i < conn->observers->len; i++)
    {
      Observer *o = &g_array_index (conn->observers, Observer, i);

      if (o->callbacks == callbacks && o->user_data == user_data)
        {
          g_array_remove_index (conn->observers, i);
          return;
        }
    }
}

static gboolean
observer_registered (QmpConnection *conn, const Observer *wanted)
{
  for (guint i = 0; i < conn->observers->len; i++)
    {
      Observer *o = &g_array_index (conn->observers, Observer, i);

      if (o->callbacks == wanted->callbacks && o->user_data == wanted->user_data)
        return TRUE;
    }
  return FALSE;
}

/* Calls each observer that has the callback; observers may come and go
 * from inside their callbacks, so each is checked again before its turn. */
#define NOTIFY_OBSERVERS(conn, member, ...)                                  \
  G_STMT_START {                                                             \
    g_autoptr(GArray) snapshot_ = g_array_copy ((conn)->observers);          \
    for (guint i_ = 0; i_ < snapshot_->len; i_++)                            \
      {                                                                      \
        Observer *o_ = &g_array_index (snapshot_, Observer, i_);             \
        if (o_->callbacks->member != NULL && observer_registered ((conn), o_)) \
          o_->callbacks->member ((conn), __VA_ARGS__, o_->user_data);        \
      }                                                                      \
  } G_STMT_END

static GSource *
attach_timeout (QmpConnection *conn,
                guint          ms,
                GSourceFunc    func,
                gpointer       data)
{
  return qmp_timeout_attach (conn->context, ms, func, data, NULL);
}

/* ---- connecting ---------------------------------------------------- */

static gboolean connect_retry_cb (gpointer user_data);

static gboolean
try_connect (QmpConnection *conn, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int saved;

  strcpy (addr.sun_path, conn->socket_path);
  while (connect (conn->fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      saved = errno;
      if (saved == EINTR)
        continue;
      if (saved == EAGAIN)
        {
          /* The listener's backlog is full: QEMU is busy with another
           * client and more are waiting. Keep trying; the command's own
           * timeout bounds the wait. */
          if (conn->connect_retry == NULL)
            conn->connect_retry = attach_timeout (conn, CONNECT_RETRY_MS,
                                                  connect_retry_cb, conn);
          return TRUE;
        }
      if (saved == ENOENT)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "%s: no QMP socket at %s", conn->peer, conn->socket_path);
      else if (saved == ECONNREFUSED)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                     "%s: nothing listens on %s (is QEMU running?)",
                     conn->peer, conn->socket_path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "%s: cannot connect to %s: %s", conn->peer,
                     conn->socket_path, g_strerror (saved));
      return FALSE;
    }

  qmp_source_clear (&conn->connect_retry);
  conn->state = QMP_CONNECTION_GREETING;
  return TRUE;
}

static void connection_io (int fd, GIOCondition revents, gpointer user_data);

static gboolean
attach_io_source (QmpConnection *conn, GError **error)
{
  conn->poller = qmp_poller_get (conn->io, error);
  if (conn->poller != NULL)
    conn->watch = qmp_poller_add (conn->poller, conn->fd, connection_io, conn, error);
  if (conn->watch == NULL)
    {
      g_clear_pointer (&conn->poller, qmp_poller_unref);
      g_prefix_error (error, "%s: ", conn->peer);
      return FALSE;
    }
  connection_update_io (conn);
  return TRUE;
}

static gboolean
connect_retry_cb (gpointer user_data)
{
  QmpConnection *conn = user_data;
  g_autoptr(GError) error = NULL;

  qmp_connection_ref (conn);
  if (!try_connect (conn, &error)
      || (conn->state == QMP_CONNECTION_GREETING && !attach_io_source (conn, &error)))
    connection_fail (conn, g_steal_pointer (&error));
  qmp_connection_unref (conn);
  return G_SOURCE_CONTINUE;
}

/* KEEP_WAITING: a socket that is not there yet, or that nothing listens
 * on, leaves the connection waiting instead of closing it. */
static gboolean
connection_open (QmpConnection *conn, gboolean keep_waiting, GError **error)
{
  struct sockaddr_un addr;
  GError *local = NULL;

  g_return_val_if_fail ((conn->state == QMP_CONNECTION_CONNECTING
                        || conn->state == QMP_CONNECTION_WAITING) && conn->fd < 0, FALSE);
  conn->state = QMP_CONNECTION_CONNECTING;

  if (strlen (conn->socket_path) >= sizeof addr.sun_path)
    {
      g_set_error (&local, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "%s: socket path %s is too long for a unix socket",
                   conn->peer, conn->socket_path);
      goto fail;
    }
  conn->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (conn->fd < 0)
    {
      int saved = errno;
      g_set_error (&local, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: cannot create a socket: %s", conn->peer, g_strerror (saved));
      goto fail;
    }
  if (try_connect (conn, &local)
      && (conn->state != QMP_CONNECTION_GREETING || attach_io_source (conn, &local)))
    return TRUE;

fail:
  if (keep_waiting
      && (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)))
    {
      if (conn->fd >= 0)
        close (conn->fd);
      conn->fd = -1;
      conn->state = QMP_CONNECTION_WAITING;
    }
  else
    connection_close_internal (conn, local);
  g_propagate_error (error, local);
  return FALSE;
}

gboolean
qmp_connection_open (QmpConnection *conn, GError **error)
{
  return connection_open (conn, FALSE, error);
}

gboolean
qmp_connection_try_open (QmpConnection *conn, GError **error)
{
  return connection_open (conn, TRUE, error);
}

void
qmp_connection_open_fd (QmpConnection *conn, int fd)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail ((conn->state == QMP_CONNECTION_CONNECTING
                    || conn->state == QMP_CONNECTION_WAITING) && conn->fd < 0);
  g_return_if_fail (fd >= 0);

  /* Reads and writes assume a socket that never blocks the main loop. */
  if (!g_unix_set_fd_nonblocking (fd, TRUE, NULL))
    g_warning ("%s: cannot make fd %d non-blocking", conn->peer, fd);
  conn->fd = fd;
  conn->state = QMP_CONNECTION_GREETING;
  if (!attach_io_source (conn, &error))
    connection_fail (conn, g_steal_pointer (&error));
}

void
qmp_connection_set_waiting (QmpConnection *conn)
{
  g_return_if_fail (conn->state == QMP_CONNECTION_CONNECTING && conn->fd < 0);
  conn->state = QMP_CONNECTION_WAITING;
}

void
qmp_connection_set_waiting_reason (QmpConnection *conn, const char *reason)
{
  g_free (conn->waiting_reason);
  conn->waiting_reason = g_strdup (reason);
}

/* ---- completing commands ------------------------------------------- */

/* The one place where an Active command ends. ERROR is taken. The
 * connection's bookkeeping, and the owner's (COMPLETED), are done now;
 * the task's callback runs from the outbox, after the I/O step. */
static void
pending_complete (QmpPending *pending, JsonNode *ret, GError *error)
{
  GTask *task = g_steal_pointer (&pending->task);

  qmp_source_clear (&pending->timeout);
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  pending->conn->n_tasks--;
  if (pending->completed != NULL)
    pending->completed (task, pending->completed_data);
  qmp_io_context_push_result (pending->conn->io, task, ret, error);
}

static void
pending_unqueue (QmpConnection *conn, QmpPending *pending)
{
  if (pending->link == NULL)
    return;
  g_queue_delete_link (&conn->outq, pending->link);
  pending->link = NULL;
}

/* Takes PENDING out of the id table: the caller owns it now. */
static QmpPending *
pending_steal (QmpConnection *conn, QmpPending *pending)
{
  pending_unqueue (conn, pending);
  if (pending->in_table)
    {
      g_hash_table_remove (conn->by_id, &pending->id);
      pending->in_table = FALSE;
    }
  return pending;
}

static gint
compare_pending_id (gconstpointer a, gconstpointer b)
{
  const QmpPending *pa = *(QmpPending * const *) a;
  const QmpPending *pb = *(QmpPending * const *) b;

  return pa->id < pb->id ? -1 : pa->id > pb->id;
}

/* The one function that fails every pending command, in the order they
 * were executed. The table is emptied first, so that callbacks running
 * from here see a consistent connection. */
static void
connection_fail_pending (QmpConnection *conn, const GError *error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, conn->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      QmpPending *pending = value;

      pending->in_table = FALSE;
      pending_unqueue (conn, pending);
      g_ptr_array_add (all, pending);
    }
  g_hash_table_remove_all (conn->by_id);
  g_ptr_array_sort (all, compare_pending_id);

  for (guint i = 0; i < all->len; i++)
    {
      QmpPending *pending = all->pdata[i];

      if (pending->task != NULL)
        pending_complete (pending, NULL, g_error_copy (error));
    }
  for (guint i = 0; i < all->len; i++)
    qmp_pending_free (all->pdata[i]);
}

static void
connection_close_internal (QmpConnection *conn, const GError *reason)
{
  g_autoptr(GError) fallback = NULL;

  if (conn->state == QMP_CONNECTION_CLOSED)
    return;
  qmp_connection_ref (conn);
  conn->state = QMP_CONNECTION_CLOSED;
  g_clear_pointer (&conn->watch, qmp_poller_remove);
  g_clear_pointer (&conn->poller, qmp_poller_unref);
  qmp_source_clear (&conn->connect_retry);
  qmp_source_clear (&conn->idle_close);
  qmp_source_clear (&conn->drain_close);
  qmp_source_clear (&conn->unanswered);
  qmp_source_clear (&conn->suspend_step);
  qmp_source_clear (&conn->suspend_drain);
  conn->suspending = FALSE;
  if (conn->fd >= 0)
    {
      /* Descriptors left unread in the socket must not be released here. */
      qmp_fd_close_socket (conn->fd);
      conn->fd = -1;
    }
  g_debug ("%s: connection closed%s%s", conn->peer,
           reason != NULL ? ": " : "", reason != NULL ? reason->message : "");

  {
    const GError *given = reason;

    if (reason == NULL)
      reason = fallback = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                       "%s: the connection was closed", conn->peer);
    connection_fail_pending (conn, reason);
    NOTIFY_OBSERVERS (conn, closed, given);
  }
  qmp_connection_unref (conn);
}

void
qmp_connection_close (QmpConnection *conn, const GError *reason)
{
  connection_close_internal (conn, reason);
}

/* A failure of the connection itself. ERROR is taken. */
static void
connection_fail (QmpConnection *conn, GError *error)
{
  connection_close_internal (conn, error);
  g_error_free (error);
}

/* QEMU broke the protocol: an administrator should know. */
static void
connection_protocol_error (QmpConnection *conn, GError *error)
{
  g_prefix_error (&error, "%s: ", conn->peer);
  g_warning ("%s", error->message);
  connection_fail (conn, error);
}

/* ---- idleness ------------------------------------------------------ */

static gboolean
idle_close_cb (gpointer user_data)
{
  QmpConnection *conn = user_data;

  g_clear_pointer (&conn->idle_close, g_source_unref);
  qmp_connection_close (conn, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
drain_close_cb (gpointer user_data)
{
  QmpConnection *conn = user_data;

  g_clear_pointer (&conn->drain_close, g_source_unref);
  g_debug ("%s: replies to abandoned commands did not come in %u ms",
           conn->peer, conn->config.drain_timeout_ms);
  qmp_connection_close (conn, NULL);
  return G_SOURCE_REMOVE;
}

/* Nobody needs the connection once it has no hold and no Active command;
 * commands already sent (abandoned ones too) still keep it open until
 * their replies are read, since some QEMUs wedge their monitor when a
 * client leaves before reading a reply. */
static void
connection_check_idle (QmpConnection *conn)
{
  gboolean busy = conn->holds > 0 || conn->n_tasks > 0;
  gboolean draining = !busy && g_hash_table_size (conn->by_id) > 0;

  if (conn->state == QMP_CONNECTION_CLOSED)
    return;
  connection_check_suspend (conn);
  if (busy || draining)
    qmp_source_clear (&conn->idle_close);
  if (!draining)
    qmp_source_clear (&conn->drain_close);

  if (draining && conn->drain_close == NULL)
    conn->drain_close = attach_timeout (conn, conn->config.drain_timeout_ms,
                                        drain_close_cb, conn);
  else if (!busy && !draining && conn->idle_close == NULL
           && conn->config.idle_timeout_ms != G_MAXUINT)
    conn->idle_close = attach_timeout (conn, conn->config.idle_timeout_ms,
                                       idle_close_cb, conn);
}

void
qmp_connection_hold (QmpConnection *conn)
{
  conn->holds++;
  connection_check_idle (conn);
}

void
qmp_connection_release (QmpConnection *conn)
{
  g_return_if_fail (conn->holds > 0);
  conn->holds--;
  connection_check_idle (conn);
}

/* ---- handing the socket back ---------------------------------------- */

typedef void (*PlainCallback) (QmpConnection *conn, gpointer user_data);

/* Calls each observer's callback that takes nothing but the connection
 * (MEMBER: its offset in QmpConnectionCallbacks), while STATE lasts. */
static void
notify_plain (QmpConnection *conn, gsize member, QmpConnectionState state)
{
  g_autoptr(GArray) snapshot = g_array_copy (conn->observers);

  for (guint i = 0; i < snapshot->len && conn->state == state; i++)
    {
      Observer *o = &g_array_index (snapshot, Observer, i);
      PlainCallback func = G_STRUCT_MEMBER (PlainCallback, o->callbacks, member);

      if (func != NULL && observer_registered (conn, o))
        func (conn, o->user_data);
    }
}

/* Sent (in whole or in part) and not answered yet. */
static gboolean
pending_is_sent (const QmpPending *pending)
{
  return pending->link == NULL || pending->written > 0;
}

static gboolean
suspend_step_cb (gpointer user_data)
{
  QmpConnection *conn = qmp_connection_ref (user_data);
  GHashTableIter iter;
  gpointer value;

  g_clear_pointer (&conn->suspend_step, g_source_unref);
  qmp_source_clear (&conn->suspend_drain);
  qmp_source_clear (&conn->connect_retry);
  qmp_source_clear (&conn->unanswered);
  /* Replies still owed are for abandoned commands only: forget them,
   * the next connection will not bring them. */
  g_hash_table_iter_init (&iter, conn->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      QmpPending *pending = value;

      if (pending->task == NULL && pending_is_sent (pending))
        {
          pending_unqueue (conn, pending);
          pending->in_table = FALSE;
          g_hash_table_iter_remove (&iter);
          qmp_pending_free (pending);
        }
    }
  g_clear_pointer (&conn->watch, qmp_poller_remove);
  g_clear_pointer (&conn->poller, qmp_poller_unref);
  if (conn->fd >= 0)
    {
      qmp_fd_close_socket (conn->fd);
      conn->fd = -1;
    }
  qmp_framer_free (conn->framer);
  conn->framer = qmp_framer_new (conn->config.limits.max_message_size,
                                 conn->config.limits.max_depth);
  g_clear_pointer (&conn->greeting, json_node_unref);
  conn->oob_enabled = FALSE;
  conn->write_blocked = FALSE;
  conn->suspending = FALSE;
  conn->state = QMP_CONNECTION_WAITING;
  conn->suspended_at_us = g_get_real_time ();
  g_debug ("%s: suspended: the socket is handed back", conn->peer);
  notify_plain (conn, G_STRUCT_OFFSET (QmpConnectionCallbacks, suspended),
                QMP_CONNECTION_WAITING);
  connection_check_idle (conn);
  qmp_connection_unref (conn);
  return G_SOURCE_REMOVE;
}

static gboolean
suspend_drain_cb (gpointer user_data)
{
  QmpConnection *conn = user_data;

  g_clear_pointer (&conn->suspend_drain, g_source_unref);
  g_debug ("%s: replies to abandoned commands did not come in %u ms: suspending anyway",
           conn->peer, conn->config.drain_timeout_ms);
  if (conn->suspend_step == NULL)
    conn->suspend_step = attach_timeout (conn, 0, suspend_step_cb, conn);
  return G_SOURCE_REMOVE;
}

/* The socket is closed once QEMU owes no reply to a command of ours,
 * from a source of its own: the reply that ends the wait is handled
 * inside the I/O step, which still reads from the framer. */
static void
connection_check_suspend (QmpConnection *conn)
{
  guint active = 0, abandoned = 0;
  GHashTableIter iter;
  gpointer value;

  if (!conn->suspending || conn->suspend_step != NULL)
    return;
  g_hash_table_iter_init (&iter, conn->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      QmpPending *pending = value;

      if (!pending_is_sent (pending))
        continue;
      if (pending->task != NULL || pending->internal)
        active++;
      else
        abandoned++;
    }
  if (active > 0)
    return;
  if (abandoned > 0)
    {
      if (conn->suspend_drain == NULL)
        conn->suspend_drain = attach_timeout (conn, conn->config.drain_timeout_ms,
                                              suspend_drain_cb, conn);
      return;
    }
  conn->suspend_step = attach_timeout (conn, 0, suspend_step_cb, conn);
}

void
qmp_connection_suspend (QmpConnection *conn)
{
  if (conn->state == QMP_CONNECTION_CLOSED || conn->state == QMP_CONNECTION_WAITING
      || conn->suspending)
    return;
  conn->suspending = TRUE;
  connection_update_io (conn);
  connection_check_suspend (conn);
}

gboolean
qmp_connection_is_suspending (QmpConnection *conn)
{
  return conn->suspending;
}

gint64
qmp_connection_get_suspended_since (QmpConnection *conn)
{
  return conn->state == QMP_CONNECTION_WAITING ? conn->suspended_at_us : 0;
}

gboolean
qmp_connection_has_active (QmpConnection *conn)
{
  return conn->n_tasks > 0;
}

gboolean
qmp_connection_is_needed (QmpConnection *conn)
{
  return conn->holds > 0 || conn->n_tasks > 0;
}

/* ---- writing ------------------------------------------------------- */

static gboolean
can_write (QmpConnection *conn, QmpPending *pending)
{
  /* While suspending, a command begun must still be finished: QEMU
   * would read the next client's first command as its rest. */
  if (conn->suspending && pending->written == 0 && !pending->internal)
    return FALSE;
  return pending->internal
         ? conn->state >= QMP_CONNECTION_NEGOTIATING
         : conn->state == QMP_CONNECTION_READY;
}

static void
connection_update_io (QmpConnection *conn)
{
  QmpPending *head = g_queue_peek_head (&conn->outq);

  /* connection_io() flushes (every FLUSH_EARLY commands, and at its end)
   * and updates once at its end: commands exec'd from callbacks go out in
   * the same dispatch, without an epoll_ctl() and another main loop
   * iteration each. One exec'd from the callback of the last message read
   * goes out at once: finishing its task and freeing its reply are not on
   * the way to QEMU (make bench, sequential). A failure is left for
   * connection_io() to meet again, as callbacks must not run from inside
   * an exec. */
  if (conn->in_io)
    {
      GError *later = NULL;

      if (conn->last_of_read && head != NULL && can_write (conn, head)
          && !conn->write_blocked && !connection_flush (conn, &later))
        g_error_free (later);
      return;
    }

  if (conn->watch == NULL)
    return;
  if (head == NULL || !can_write (conn, head))
    qmp_poller_set_want_write (conn->watch, FALSE);
  else if (conn->write_blocked)
    qmp_poller_set_want_write (conn->watch, TRUE);
  else
    qmp_poller_request_write (conn->watch);
}

static void
trace_sent (QmpConnection *conn, QmpPending *pending, guint n_fds)
{
  if (conn->tracing)
    qmp_trace_message (conn->peer, TRUE, pending->wire, pending->wire_len,
                       pending->trace_node, n_fds);
}

/* Sends as much of the queue as the socket takes. A command's fd goes with
 * its first byte, and nothing follows that command in its sendmsg(): the
 * kernel may join earlier data to an SCM_RIGHTS message in one read, but
 * never later data, so a reader that gives a read's fds to the last
 * command beginning in it (fake-qemu does) gives them to the right one. */
static gboolean
connection_flush (QmpConnection *conn, GError **error)
{
  while (!g_queue_is_empty (&conn->outq))
    {
      struct iovec iov[WRITE_BATCH];
      union {
        char buf[CMSG_SPACE (QMP_MAX_FDS_PER_COMMAND * sizeof (int))];
        struct cmsghdr align;
      } control;
      struct msghdr msg = { .msg_iov = iov };
      QmpPending *head = g_queue_peek_head (&conn->outq);
      gboolean send_fd = head->n_fds > 0 && head->written == 0;
      GList *l;
      gssize n;

      if (!can_write (conn, head))
        break;
      for (l = conn->outq.head; l != NULL && msg.msg_iovlen < WRITE_BATCH; l = l->next)
        {
          QmpPending *p = l->data;

          if (l != conn->outq.head && (send_fd || p->n_fds > 0 || !can_write (conn, p)))
            break;
          qmp_pending_serialize (p, conn->oob_enabled, conn->tracing);
          iov[msg.msg_iovlen].iov_base = p->wire + p->written;
          iov[msg.msg_iovlen].iov_len = p->wire_len - p->written;
          msg.msg_iovlen++;
        }
      if (send_fd)
        {
          struct cmsghdr *cmsg;

          memset (&control, 0, sizeof control);
          msg.msg_control = control.buf;
          msg.msg_controllen = CMSG_SPACE (head->n_fds * sizeof (int));
          cmsg = CMSG_FIRSTHDR (&msg);
          cmsg->cmsg_level = SOL_SOCKET;
          cmsg->cmsg_type = SCM_RIGHTS;
          cmsg->cmsg_len = CMSG_LEN (head->n_fds * sizeof (int));
          memcpy (CMSG_DATA (cmsg), head->fds, head->n_fds * sizeof (int));
        }

      n = sendmsg (conn->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          if (saved == EAGAIN)
            {
              /* Full: from now on wait for epoll to say there is room. */
              conn->write_blocked = TRUE;
              break;
            }
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "%s: writing to QEMU failed: %s", conn->peer,
                       g_strerror (saved));
          return FALSE;
        }

      guint sent_fds = send_fd && n > 0 ? head->n_fds : 0;

      conn->write_blocked = FALSE;

      if (sent_fds > 0)
        /* The kernel holds its own references now. */
        qmp_pending_close_fds (head);
      while (n > 0)
        {
          QmpPending *p = g_queue_peek_head (&conn->outq);
          gsize left = p->wire_len - p->written;
          gsize used = MIN ((gsize) n, left);

          p->written += used;
          n -= (gssize) used;
          if (p->written == p->wire_len)
            {
              g_queue_pop_head (&conn->outq);
              p->link = NULL;
              trace_sent (conn, p, p == head ? sent_fds : 0);
              g_clear_pointer (&p->wire, g_free);
            }
        }
    }
  return TRUE;
}

static gint64
connection_enqueue (QmpConnection *conn, QmpPending *pending)
{
  pending->conn = conn;
  pending->in_table = TRUE;
  g_hash_table_insert (conn->by_id, &pending->id, pending);
  g_queue_push_tail (&conn->outq, pending);
  pending->link = conn->outq.tail;
  connection_update_io (conn);
  return pending->id;
}

/* ---- the API for commands ------------------------------------------ */

gboolean
qmp_connection_can_execute (QmpConnection *conn, GError **error)
{
  if (conn->state == QMP_CONNECTION_CLOSED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   "%s: the connection is closed", conn->peer);
      return FALSE;
    }
  if (conn->n_tasks >= conn->config.limits.max_queued)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "%s: %u commands are already Active on this connection "
                   "(limit max-queued-commands)", conn->peer,
                   conn->config.limits.max_queued);
      return FALSE;
    }
  return TRUE;
}

static gboolean
unanswered_cb (gpointer user_data)
{
  QmpConnection *conn = qmp_connection_ref (user_data);
  guint limit = conn->config.limits.max_queued;

  g_clear_pointer (&conn->unanswered, g_source_unref);
  connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_BUSY,
                             "QEMU left more than %u commands unanswered after "
                             "they timed out or were disposed (limit "
                             "max-queued-commands): closing the connection",
                             limit));
  qmp_connection_unref (conn);
  return G_SOURCE_REMOVE;
}

/* Commands that ended before their replies keep their ids until the
 * replies come. A QEMU that never answers would grow that table without
 * bound: past the limit on Active commands the connection ends, from an
 * idle, since the timeout or dispose that got here may be the caller's
 * own code. */
static void
connection_count_unanswered (QmpConnection *conn)
{
  guint waiting = g_hash_table_size (conn->by_id);
  guint unanswered = waiting > conn->n_tasks ? waiting - conn->n_tasks : 0;

  if (unanswered > conn->config.limits.max_queued && conn->unanswered == NULL)
    conn->unanswered = attach_timeout (conn, 0, unanswered_cb, conn);
}

/* A command ends before its reply (timeout, abandon). ERROR is taken. */
static void
pending_end_early (QmpConnection *conn, QmpPending *pending, GError *error)
{
  if (pending->written == 0 && pending->in_table)
    {
      /* Never sent: QEMU will not hear of it. */
      pending_steal (conn, pending);
      pending_complete (pending, NULL, error);
      qmp_pending_free (pending);
    }
  else
    {
      /* Sent (maybe in part): keep the id, so that the late reply is
       * recognised and dropped, and the rest of a partial write still goes
       * out to keep the stream whole. */
      pending_complete (pending, NULL, error);
      connection_count_unanswered (conn);
    }
  connection_check_idle (conn);
}

char *
qmp_connection_describe_wait (QmpConnection *conn)
{
  switch (conn->state)
    {
    case QMP_CONNECTION_WAITING:
      return g_strdup (conn->waiting_reason != NULL
                       ? conn->waiting_reason
                       : "the device model was not ready, or libxl held the domain's lock");
    case QMP_CONNECTION_CONNECTING:
      return g_strdup ("QEMU's socket did not accept the connection (its backlog is full: "
                       "other clients wait for it too)");
    case QMP_CONNECTION_GREETING:
      return g_strdup ("QEMU sent no greeting: it serves one QMP client at a time, and "
                       "another one (libxl, xl or another tool) is connected, or QEMU "
                       "is not responding");
    case QMP_CONNECTION_NEGOTIATING:
      return g_strdup ("QEMU did not answer qmp_capabilities");
    default:
      return NULL;
    }
}

/* Why a command timed out, as far as the connection can tell: "without
 * a reply" alone would send an administrator looking at the command when
 * QEMU never greeted, or stopped reading, or someone else held the
 * socket. */
static char *
timeout_reason (QmpConnection *conn, QmpPending *pending)
{
  g_autofree char *wait = qmp_connection_describe_wait (conn);

  if (wait != NULL)
    return g_strconcat (" waiting: ", wait, NULL);
  /* Ready, yet still queued: the socket took no more. */
  if (pending->link != NULL)
    return g_strdup (": QEMU is not reading (the command could not be written out)");
  return g_strdup (" without a reply");
}

static gboolean
pending_timeout_cb (gpointer user_data)
{
  QmpPending *pending = user_data;
  QmpConnection *conn = qmp_connection_ref (pending->conn);
  g_autofree char *reason = timeout_reason (conn, pending);
  GError *error;

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s: %s timed out after %u ms%s",
                       conn->peer, pending->command, pending->timeout_ms, reason);
  g_clear_pointer (&pending->timeout, g_source_unref);
  pending_end_early (conn, pending, error);
  qmp_connection_unref (conn);
  return G_SOURCE_REMOVE;
}

gint64
qmp_connection_execute (QmpConnection *conn,
                        GTask         *task,
                        const char    *command,
                        JsonObject    *arguments,
                        gboolean       out_of_band,
                        int           *fds,
                        guint          n_fds,
                        guint          timeout_ms,
                        QmpCompletedFunc completed,
                        gpointer       completed_data)
{
  QmpPending *pending;
  gint64 id;

  /* 0 is never an id: abandoning it does nothing. */
  g_return_val_if_fail (conn->state != QMP_CONNECTION_CLOSED, 0);

  id = conn->next_id++;
  pending = qmp_pending_new (id, command, arguments,
                             out_of_band, fds, n_fds);
  pending->task = g_object_ref (task);
  pending->completed = completed;
  pending->completed_data = completed_data;
  conn->n_tasks++;
  pending->timeout_ms = timeout_ms;
  if (timeout_ms > 0)
    {
      pending->timeout = g_timeout_source_new (timeout_ms);
      g_source_set_callback (pending->timeout, pending_timeout_cb, pending, NULL);
      g_source_attach (pending->timeout, conn->context);
    }
  connection_enqueue (conn, pending);
  connection_check_idle (conn);
  return id;
}

void
qmp_connection_abandon (QmpConnection *conn,
                        GTask         *task,
                        gint64         id,
                        const GError  *reason)
{
  QmpPending *pending = g_hash_table_lookup (conn->by_id, &id);
  GError *error;

  /* Gone, or completed: ids are never reused. */
  if (pending == NULL || pending->task != task)
    return;
  qmp_connection_ref (conn);
  error = reason != NULL
          ? g_error_copy (reason)
          : g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         "%s: %s was cancelled", conn->peer, pending->command);
  pending_end_early (conn, pending, error);
  qmp_connection_unref (conn);
}

/* ---- reading and dispatching --------------------------------------- */

static void
send_capabilities (QmpConnection *conn, gboolean offers_oob)
{
  g_autoptr(JsonObject) args = NULL;
  QmpPending *pending;

  conn->oob_enabled = offers_oob && conn->config.enable_oob;
  if (conn->oob_enabled)
    {
      JsonArray *enable = json_array_new ();

      json_array_add_string_element (enable, "oob");
      args = json_object_new ();
      json_object_set_array_member (args, "enable", enable);
    }
  pending = qmp_pending_new (conn->next_id++, "qmp_capabilities", args,
                             FALSE, NULL, 0);
  pending->internal = TRUE;
  conn->state = QMP_CONNECTION_NEGOTIATING;
  /* It must go before the commands that were queued while we waited. */
  pending->conn = conn;
  pending->in_table = TRUE;
  g_hash_table_insert (conn->by_id, &pending->id, pending);
  g_queue_push_head (&conn->outq, pending);
  pending->link = conn->outq.head;
  connection_update_io (conn);
}

static void
handle_reply (QmpConnection *conn, QmpMessage *msg)
{
  QmpPending *pending;

  if (conn->state < QMP_CONNECTION_NEGOTIATING)
    {
      connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 "QEMU sent a reply before its greeting"));
      return;
    }
  if (msg->id_kind == QMP_MESSAGE_ID_NONE)
    {
      /* QEMU omits the id only when it could not read the command: then
       * the stream is out of step and no command can be matched. */
      connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 "QEMU sent a reply without an id%s%s",
                                 msg->kind == QMP_MESSAGE_ERROR ? ": " : "",
                                 msg->kind == QMP_MESSAGE_ERROR ? msg->error_desc : ""));
      return;
    }
  /* The QMP specification asks clients to drop replies whose id they do
   * not know, whatever its type: QEMU echoes ids verbatim, so such a
   * reply answers nothing we sent. */
  if (msg->id_kind == QMP_MESSAGE_ID_FOREIGN)
    {
      g_debug ("%s: dropped a reply whose id is %s (ours are integers)",
               conn->peer, msg->id_description);
      return;
    }
  pending = g_hash_table_lookup (conn->by_id, &msg->id);
  if (pending == NULL)
    {
      g_debug ("%s: dropped a reply to an unknown id", conn->peer);
      return;
    }
  if (pending->link != NULL)
    {
      connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 "QEMU replied to command %" G_GINT64_FORMAT
                                 " before it was sent", msg->id));
      return;
    }

  pending_steal (conn, pending);
  if (pending->internal)
    {
      if (msg->kind == QMP_MESSAGE_ERROR)
        {
          qmp_pending_free (pending);
          connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                     "QEMU refused qmp_capabilities: %s",
                                     msg->error_desc));
          return;
        }
      qmp_pending_free (pending);
      conn->state = QMP_CONNECTION_READY;
      connection_update_io (conn);
      connection_check_idle (conn);
      notify_plain (conn, G_STRUCT_OFFSET (QmpConnectionCallbacks, ready),
                    QMP_CONNECTION_READY);
      if (conn->suspended_at_us != 0 && conn->state == QMP_CONNECTION_READY)
        {
          gint64 since = conn->suspended_at_us;

          conn->suspended_at_us = 0;
          NOTIFY_OBSERVERS (conn, resumed, since, g_get_real_time ());
        }
      return;
    }

  if (pending->task == NULL)
    g_debug ("%s: dropped the late reply to %s", conn->peer, pending->command);
  if (msg->kind == QMP_MESSAGE_ERROR)
    pending_complete (pending, NULL, qmp_message_to_gerror (msg));
  else
    pending_complete (pending, msg->ret, NULL);
  qmp_pending_free (pending);
  connection_check_idle (conn);
}

/* MSG is parsed into; the caller clears it after sending the commands
 * its callback exec'd: freeing the tree is not on the way to QEMU. */

/* Events that arrive while a _sync call waits are kept for the
 * application until its context runs again (qmp-io-context.h): a QEMU
 * sending them without end would grow the process without bound, so
 * past max_buffered_events in one wait the connection ends. */
static gboolean
connection_hold_event (QmpConnection *conn)
{
  guint64 wait = qmp_io_context_get_sync_wait (conn->io);

  if (wait == 0)
    return TRUE;
  if (conn->held_in_wait != wait)
    {
      conn->held_in_wait = wait;
      conn->held_events = 0;
    }
  if (++conn->held_events <= conn->config.limits.max_buffered_events)
    return TRUE;
  connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                             "QEMU sent more than %u events while a _sync call "
                             "waited (limit max-buffered-events)",
                             conn->config.limits.max_buffered_events));
  return FALSE;
}
static void
handle_message (QmpConnection *conn, const char *data, gsize len, guint n_fds,
                QmpMessage *msg)
{
  const QmpJsonScanLimits limits = {
    .max_depth = conn->config.limits.max_depth,
    .max_elements = conn->config.limits.max_elements,
  };
  GError *error = NULL;

  if (!qmp_message_parse (&limits, data, len,
                          conn->tracing, msg, &error))
    {
      if (conn->tracing)
        qmp_trace_message (conn->peer, FALSE, data, len, NULL, n_fds);
      connection_protocol_error (conn, error);
      return;
    }
  if (conn->tracing)
    qmp_trace_message (conn->peer, FALSE, data, len, msg->root, n_fds);

  switch (msg->kind)
    {
    case QMP_MESSAGE_GREETING:
      if (conn->state != QMP_CONNECTION_GREETING)
        {
          connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     "QEMU sent a second greeting"));
          return;
        }
      conn->greeting = json_node_ref (msg->root);
      send_capabilities (conn, msg->offers_oob);
      break;
    case QMP_MESSAGE_EVENT:
      if (connection_hold_event (conn))
        NOTIFY_OBSERVERS (conn, event, msg->event, msg->event_data, msg->timestamp_us);
      break;
    case QMP_MESSAGE_RETURN:
    case QMP_MESSAGE_ERROR:
      handle_reply (conn, msg);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Descriptors QEMU sends (it never should) are received and closed off
 * the main loop rather than left in the socket or leaked. */
static gssize
receive (QmpConnection *conn, guint8 *buf, gsize len, guint *n_fds)
{
  gssize n = qmp_fd_receive (conn->fd, buf, len, n_fds);

  if (*n_fds > 0)
    g_debug ("%s: closed %u file descriptors QEMU sent", conn->peer, *n_fds);
  return n;
}

/* Descriptors one connection may send before it is ended. QMP never
 * passes any to the client, and each waits for a worker to close it
 * (nested lingering sockets block a worker for their linger time), holding
 * one of the process's descriptors meanwhile: without a bound, one QEMU
 * could run the process out of them, and every domain with it. With the
 * 253 one read may bring, a connection holds at most 509. */
#define MAX_RECEIVED_FDS 256

typedef enum {
  READ_DATA,
  READ_DRAINED,   /* EAGAIN */
  READ_FAILED,    /* the connection is closed now */
} ReadResult;

static ReadResult
read_into (QmpConnection *conn, guint8 *buf, gsize len, gsize *n_read, guint *n_fds)
{
  gssize n = receive (conn, buf, len, n_fds);
  gsize cut;

  conn->received_fds += *n_fds;
  if (conn->received_fds > MAX_RECEIVED_FDS)
    {
      connection_protocol_error (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
                                 "QEMU sent more than %u file descriptors on this "
                                 "connection (QMP never passes any to the client)",
                                 MAX_RECEIVED_FDS));
      return READ_FAILED;
    }
  if (n > 0)
    {
      *n_read = (gsize) n;
      return READ_DATA;
    }
  cut = qmp_framer_pending (conn->framer);
  if (n < 0)
    {
      int saved = errno;

      if (saved == EAGAIN)
        return READ_DRAINED;
      if (saved == ECONNRESET && cut > 0)
        connection_fail (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "%s: QEMU reset the connection in the "
                                            "middle of a message (%" G_GSIZE_FORMAT
                                            " bytes cut off)", conn->peer, cut));
      else if (saved == ECONNRESET)
        connection_fail (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "%s: QEMU reset the connection",
                                            conn->peer));
      else
        connection_fail (conn, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                            "%s: reading from QEMU failed: %s",
                                            conn->peer, g_strerror (saved)));
      return READ_FAILED;
    }
  if (cut > 0)
    connection_fail (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                        "%s: QEMU closed the connection in the "
                                        "middle of a message (%" G_GSIZE_FORMAT
                                        " bytes cut off)", conn->peer, cut));
  else
    connection_fail (conn, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                        "%s: QEMU closed the connection",
                                        conn->peer));
  return READ_FAILED;
}

/* What the messages handled so far owe: the library's own steps always;
 * the application's code unless a _sync call waits (its context is still
 * then: that code runs once the context runs again, qmp-io-context.h). */
static gboolean
connection_owes (QmpConnection *conn)
{
  return !qmp_outbox_is_empty (conn->internal)
         || (!qmp_outbox_is_empty (conn->outbox) && !qmp_io_context_in_sync_wait (conn->io));
}

static void
connection_drain (QmpConnection *conn)
{
  qmp_outbox_drain (conn->internal);
  if (!qmp_io_context_in_sync_wait (conn->io))
    qmp_outbox_drain (conn->outbox);
}

/* Leaves the I/O step to deliver what the messages handled so far owe
 * (qmp-outbox.h): the framer gives back the buffer it borrowed, keeping
 * what is left of this read in its own, so that a callback may make a
 * _sync call that reads from this very socket (it carries on from the
 * framer), and the replies already delivered are freed before the next
 * ones are parsed. */
static void
connection_deliver (QmpConnection *conn)
{
  if (!connection_owes (conn))
    return;
  if (conn->borrowed != NULL)
    {
      qmp_framer_unlend (conn->framer);
      qmp_poller_return_read_buffer (g_steal_pointer (&conn->borrowed));
    }
  conn->in_io = FALSE;
  connection_drain (conn);
  conn->in_io = TRUE;
}

/* Hands every complete message the framer holds to handle_message(),
 * delivering after each. */
static void
frame_messages (QmpConnection *conn, guint n_fds)
{
  GError *error = NULL;
  const char *data;
  gsize len;
  QmpFramerResult r;

  while (conn->state != QMP_CONNECTION_CLOSED
         && (r = qmp_framer_next (conn->framer, &data, &len, &error)) != QMP_FRAMER_NEED_MORE)
    {
      g_auto(QmpMessage) msg = { 0 };

      if (r == QMP_FRAMER_ERROR)
        {
          connection_protocol_error (conn, error);
          return;
        }
      conn->last_of_read = qmp_framer_pending (conn->framer) == 0;
      handle_message (conn, data, len, n_fds, &msg);
      conn->last_of_read = FALSE;
      n_fds = 0;
      /* The last message read, or enough commands for QEMU to start
       * on while the rest are parsed. */
      if (conn->state != QMP_CONNECTION_CLOSED && !g_queue_is_empty (&conn->outq)
          && (conn->outq.length >= FLUSH_EARLY || qmp_framer_pending (conn->framer) == 0)
          && !connection_flush (conn, &error))
        {
          connection_fail (conn, error);
          return;
        }
      qmp_message_clear (&msg);
      connection_deliver (conn);
    }
}

static void
connection_read (QmpConnection *conn)
{
  for (int i = 0; i < READS_PER_DISPATCH && conn->state != QMP_CONNECTION_CLOSED; i++)
    {
      QmpPoller *shared = NULL;
      guint8 *buf = NULL;
      gsize wanted, n = 0;
      guint n_fds = 0;
      ReadResult r;

      /* Between messages, read into the context's shared buffer: an idle
       * connection then holds no buffer, and a reply no allocation. */
      if (qmp_framer_pending (conn->framer) == 0
          && (buf = qmp_poller_borrow_read_buffer (conn->poller)) != NULL)
        {
          shared = conn->poller;
          wanted = QMP_POLLER_READ_BUFFER_SIZE;
        }
      else
        {
          gsize avail;

          buf = qmp_framer_reserve (conn->framer, READ_CHUNK, &avail);
          wanted = MIN (avail, READ_CHUNK);
        }

      r = read_into (conn, buf, wanted, &n, &n_fds);
      if (r == READ_DATA && shared != NULL)
        {
          gboolean lent = qmp_framer_lend (conn->framer, buf, n);

          g_assert (lent);
          conn->borrowed = shared;
          frame_messages (conn, n_fds);
        }
      else if (r == READ_DATA)
        {
          qmp_framer_commit (conn->framer, n);
          frame_messages (conn, n_fds);
        }
      else if (shared != NULL)
        qmp_poller_return_read_buffer (shared);
      /* Unless a delivery gave it back already. */
      if (conn->borrowed != NULL)
        {
          qmp_framer_unlend (conn->framer);
          qmp_poller_return_read_buffer (g_steal_pointer (&conn->borrowed));
        }

      if (r == READ_FAILED || conn->state == QMP_CONNECTION_CLOSED)
        return;
      /* Drained (EAGAIN, or a short read): an idle connection keeps no
       * buffer, nor one the peak of a large reply forever. A full read
       * will be followed by another soon. */
      if (r == READ_DRAINED || n < wanted)
        qmp_framer_release_if_empty (conn->framer);
      if (r == READ_DRAINED)
        return;
    }
}

static void
connection_io (int fd, GIOCondition revents, gpointer user_data)
{
  QmpConnection *conn = user_data;
  GError *error = NULL;

  /* No user code runs inside the I/O step (it is delivered between
   * messages, with in_io unset): this is only a guard. */
  if (conn->in_io)
    return;
  qmp_connection_ref (conn);
  conn->tracing = qmp_trace_enabled ();
  conn->in_io = TRUE;
  if ((revents & G_IO_OUT) && !connection_flush (conn, &error))
    connection_fail (conn, error);
  if (conn->state != QMP_CONNECTION_CLOSED && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    connection_read (conn);
  conn->in_io = FALSE;
  if (conn->state != QMP_CONNECTION_CLOSED && !g_queue_is_empty (&conn->outq)
      && !connection_flush (conn, &error))
    connection_fail (conn, error);
  if (conn->state != QMP_CONNECTION_CLOSED)
    connection_update_io (conn);
  /* What a failure or a close in there owes. */
  connection_drain (conn);
  qmp_connection_unref (conn);
}

/* The host's settings changed: what is decided while the connection runs
 * follows at once (a wait for idleness or for late replies starts again
 * with the new timeout); what was set up when it opened (the framer's
 * limits, oob) stays until the next connection. */
void
qmp_connection_update_config (QmpConnection             *conn,
                              const QmpConnectionConfig *config)
{
  conn->config.idle_timeout_ms = config->idle_timeout_ms;
  conn->config.drain_timeout_ms = config->drain_timeout_ms;
  conn->config.limits.max_queued = config->limits.max_queued;
  qmp_source_clear (&conn->idle_close);
  qmp_source_clear (&conn->drain_close);
  connection_check_idle (conn);
}
