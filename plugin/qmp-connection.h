/* qmp-connection.h: one QMP connection to one QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "qmp-limits.h"
#include "qmp-io-context.h"
#include "qmp-pending.h"

typedef struct _QmpConnection QmpConnection;

/* QEMU's chardev takes at most this many fds with one message. */
#define QMP_MAX_FDS_PER_COMMAND 16

typedef enum {
  QMP_CONNECTION_WAITING,      /* held back by the owner: the device model
                                  is not ready, or libxl holds its lock */
  QMP_CONNECTION_CONNECTING,   /* backlog full: retrying connect() */
  QMP_CONNECTION_GREETING,     /* connected; waiting for QEMU's greeting */
  QMP_CONNECTION_NEGOTIATING,  /* qmp_capabilities sent; waiting for its reply */
  QMP_CONNECTION_READY,        /* commands flow */
  QMP_CONNECTION_CLOSED,       /* closed; every Active command was completed */
} QmpConnectionState;

/* Whoever uses a connection observes it: the host that owns it, and the
 * clients that share it (QEMU serves one QMP client at a time, so every
 * user of a domain goes through the same connection). */
typedef struct {
  /* Negotiation is over: commands flow. */
  void (*ready)  (QmpConnection *conn,
                  gpointer       user_data);
  /* An event, in any state (QEMU may send some before its greeting). */
  void (*event)  (QmpConnection *conn,
                  const char    *name,
                  JsonObject    *data,
                  gint64         timestamp_us,
                  gpointer       user_data);
  /* The connection closed: REASON is NULL when it closed because nobody
   * needed it any more. Called after the pending commands were failed
   * (their completions queued in the outbox), so that what an observer
   * tells the application comes after their callbacks. */
  void (*closed) (QmpConnection *conn,
                  const GError  *reason,
                  gpointer       user_data);
  /* qmp_connection_suspend() is done: the socket is closed, the state is
   * WAITING, commands not sent yet stay queued. */
  void (*suspended) (QmpConnection *conn,
                     gpointer       user_data);
  /* Ready again after a suspension (called after ready): events QEMU
   * sent between these real times (g_get_real_time()) were missed. */
  void (*resumed) (QmpConnection *conn,
                   gint64         since_us,
                   gint64         until_us,
                   gpointer       user_data);
} QmpConnectionCallbacks;

typedef struct {
  QmpLimits limits;
  gboolean  enable_oob;
  /* Close this long after the last hold and command are gone;
   * G_MAXUINT: never. */
  guint     idle_timeout_ms;
  /* How long replies to abandoned or timed-out commands are waited for
   * before the connection is closed anyway. */
  guint     drain_timeout_ms;
} QmpConnectionConfig;

QmpConnection     *qmp_connection_new          (const char                   *socket_path,
                                                const char                   *peer_name,
                                                GMainContext                 *context,
                                                const QmpConnectionConfig    *config);
/* Applies CONFIG's timeouts and max_queued to an open connection; its
 * other settings apply to new connections only. */
void               qmp_connection_update_config (QmpConnection               *conn,
                                                 const QmpConnectionConfig   *config);
/* CALLBACKS must stay valid while registered (a static table). */
void               qmp_connection_add_observer    (QmpConnection                *conn,
                                                   const QmpConnectionCallbacks *callbacks,
                                                   gpointer                      user_data);
void               qmp_connection_remove_observer (QmpConnection                *conn,
                                                   const QmpConnectionCallbacks *callbacks,
                                                   gpointer                      user_data);
QmpConnection     *qmp_connection_ref          (QmpConnection *conn);
void               qmp_connection_unref        (QmpConnection *conn);

/* connect(): the only I/O done synchronously. On failure the connection
 * is closed with that error (commands queued while it waited fail). */
gboolean           qmp_connection_open         (QmpConnection  *conn,
                                                GError        **error);
/* The same, for a device model that may not be there yet: when the
 * socket is missing or nothing listens on it (G_IO_ERROR_NOT_FOUND,
 * G_IO_ERROR_CONNECTION_REFUSED), the connection stays waiting (its
 * commands queued) instead of closing. Any other failure closes it. */
gboolean           qmp_connection_try_open     (QmpConnection  *conn,
                                                GError        **error);
/* Adopts FD, an already connected stream socket (a socketpair in the
 * fuzz harness), as qmp_connection_open() would after connect(): the
 * connection owns FD from now on and waits for the greeting. */
void               qmp_connection_open_fd      (QmpConnection  *conn,
                                                int             fd);
/* Not connected yet, but accepting commands (they queue, their timeouts
 * run) until the owner calls qmp_connection_open(). */
void               qmp_connection_set_waiting  (QmpConnection  *conn);
/* Why it is not ready yet, in words for an error ("QEMU sent no
 * greeting: it serves one QMP client at a time, and another one … is
 * connected", the waiting reason below…), or NULL when it is ready or
 * closed. */
char              *qmp_connection_describe_wait (QmpConnection *conn);
/* What it waits for, in words for a timed-out command's error ("libxl's
 * lock … is held by another process"); NULL forgets it. */
void               qmp_connection_set_waiting_reason (QmpConnection *conn,
                                                      const char    *reason);

QmpConnectionState qmp_connection_get_state    (QmpConnection *conn);
const char        *qmp_connection_get_peer     (QmpConnection *conn);
/* The library's context the connection's sources live in. */
QmpIoContext      *qmp_connection_get_io_context (QmpConnection *conn);
/* The "QMP" member of QEMU's greeting, once it came. */
JsonObject        *qmp_connection_get_greeting (QmpConnection *conn);
gboolean           qmp_connection_oob_enabled  (QmpConnection *conn);

/* Whether one more command would be accepted (open, under max_queued). */
gboolean           qmp_connection_can_execute  (QmpConnection  *conn,
                                                GError        **error);

/* Queues COMMAND; TASK is the Active command: it is completed exactly once
 * with a JsonNode (the "return" value), a XEN_QMP_ERROR or a G_IO_ERROR.
 * FDS (a g_malloc'd array of N_FDS descriptors, at most
 * QMP_MAX_FDS_PER_COMMAND) is taken: sent with the command's first byte,
 * then closed; closed too if the command never goes out. OUT_OF_BAND sends
 * exec-oob when oob was negotiated. Call qmp_connection_can_execute()
 * first. */
gint64             qmp_connection_execute      (QmpConnection *conn,
                                                GTask         *task,
                                                const char    *command,
                                                JsonObject    *arguments,
                                                gboolean       out_of_band,
                                                int           *fds,
                                                guint          n_fds,
                                                guint          timeout_ms,
                                                QmpCompletedFunc completed,
                                                gpointer       completed_data);

/* Completes TASK, executed as command ID, now if it is still Active,
 * with REASON (NULL: G_IO_ERROR_CANCELLED). A command already sent stays
 * known, so that its reply is dropped. */
void               qmp_connection_abandon      (QmpConnection *conn,
                                                GTask         *task,
                                                gint64         id,
                                                const GError  *reason);

/* Hands QEMU's socket back for a while, for another client (libxl,
 * which waits for its lock): commands not sent yet stay queued, those
 * sent are answered first (replies to abandoned ones are waited for up
 * to drain_timeout_ms); then the socket is closed, the connection is
 * WAITING and observers' suspended is called. The owner opens it again
 * (qmp_connection_open()); observers' ready, then resumed, follow. */
void               qmp_connection_suspend      (QmpConnection *conn);
gboolean           qmp_connection_is_suspending (QmpConnection *conn);
/* When (real time) the last suspension closed the socket, while it
 * waits to be opened again; 0 otherwise. */
gint64             qmp_connection_get_suspended_since (QmpConnection *conn);
/* Commands are Active on it (queued or sent). */
gboolean           qmp_connection_has_active   (QmpConnection *conn);
/* Held, or with Active commands: it would not close for being idle. */
gboolean           qmp_connection_is_needed    (QmpConnection *conn);

/* While held, the connection is not closed for being idle. */
void               qmp_connection_hold         (QmpConnection *conn);
void               qmp_connection_release      (QmpConnection *conn);

/* Closes now; Active commands complete with REASON (or "closed"). */
void               qmp_connection_close        (QmpConnection *conn,
                                                const GError  *reason);

/* A number the owner files the connection under (the host: the domid). */
void               qmp_connection_set_tag      (QmpConnection *conn,
                                                guint64        tag);
guint64            qmp_connection_get_tag      (QmpConnection *conn);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpConnection, qmp_connection_unref)
