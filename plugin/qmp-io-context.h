/* qmp-io-context.h: the library's own main context inside the application's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "qmp-outbox.h"

/* The library's sources (timeouts, the xenstore watch, the lock waiter's
 * hand-over, cancellations, its own continuations) live in a private
 * context, one per application context. One source in the application's
 * context (the bridge) runs it: its prepare, check and dispatch are the
 * private context's, so the application's loop sees the library's fds
 * and timeouts as its own. A _sync call iterates the private context
 * alone (as g_dbus_connection_send_message_with_reply_sync() iterates
 * its own): no source of the application runs meanwhile, whatever context
 * the caller has pushed.
 *
 * The sockets' poller stays in the application's context, where a reply's
 * callback runs from the read step's delivery (qmp-outbox.h) with no
 * extra iteration; its twin in the private context serves the sockets
 * while a _sync call waits (qmp-poller.h).
 *
 * User code runs from the application's outbox only: drained by a
 * connection between two messages (not while a _sync call waits), by the
 * bridge after each dispatch of the private context, or by its own
 * source. What the library continues with itself (the internal steps of a
 * call, and the result a _sync call waits for) goes to a second outbox,
 * in the private context: a task made in the private context
 * (qmp_io_context_get_main()) completes there, any other in the
 * application's.
 *
 * Used from the thread that iterates the application's context. */

typedef struct _QmpIoContext QmpIoContext;

/* The library's context for APP, made on first use; a reference. */
QmpIoContext *qmp_io_context_get          (GMainContext *app);
QmpIoContext *qmp_io_context_ref          (QmpIoContext *io);
void          qmp_io_context_unref        (QmpIoContext *io);

/* Where the library attaches its sources, and makes the tasks it
 * continues with itself. */
GMainContext *qmp_io_context_get_main     (QmpIoContext *io);
/* The application's context, and the outbox where its user code runs. */
GMainContext *qmp_io_context_get_app      (QmpIoContext *io);
QmpOutbox    *qmp_io_context_get_outbox   (QmpIoContext *io);
/* The library's continuations: drained after each message a connection
 * reads, and by its own source in the private context. */
QmpOutbox    *qmp_io_context_get_internal (QmpIoContext *io);

/* Whether TASK is one of the library's own (made in its context). */
gboolean      qmp_io_context_owns_task    (QmpIoContext *io,
                                           GTask        *task);

/* TASK's end, RET or ERROR (as qmp_outbox_push_result()), through the
 * outbox of the task's context. */
void          qmp_io_context_push_result  (QmpIoContext *io,
                                           GTask        *task,
                                           JsonNode     *ret,
                                           GError       *error);

/* Iterates the private context until *SLOT is set: for _sync calls, whose
 * task is made in it. */
void          qmp_io_context_wait         (QmpIoContext *io,
                                           gpointer     *slot);
/* Whether a _sync call is waiting: the application's context does not
 * run, so what is queued for it stays queued. */
gboolean      qmp_io_context_in_sync_wait (QmpIoContext *io);
/* Which wait (the outermost of nested ones): a number of its own, or 0
 * when none is waiting. */
guint64       qmp_io_context_get_sync_wait (QmpIoContext *io);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpIoContext, qmp_io_context_unref)
