/* qmp-outbox.h: user code runs after the I/O step, never inside it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

/* Completions, events and notifications reach the application in the
 * order they were pushed (for one connection, the order of the wire),
 * never from inside a connection's read or write step: either a
 * connection drains the outbox between two messages, once it is out of
 * its I/O step (no message half handled, no borrowed buffer), or the
 * outbox's own source (one per GMainContext) does, or the bridge of the
 * library's context (qmp-io-context.h), for what happens outside any
 * read (timeouts, closes). So a callback may make a _sync call that reads
 * from the same socket. Internal state changes stay immediate; only what
 * runs user code, or continues a call, goes through here.
 *
 * Used from the thread that iterates the context, as everything else. */

typedef struct _QmpOutbox QmpOutbox;

typedef void (*QmpOutboxFunc) (gpointer data);

/* The outbox of CONTEXT, made on first use; a reference. */
QmpOutbox *qmp_outbox_get   (GMainContext   *context);
void       qmp_outbox_unref (QmpOutbox      *outbox);

/* FUNC (DATA) will run from CONTEXT, after everything pushed before it;
 * DESTROY (DATA) is called after it, or instead of it when the context
 * goes away first. */
void       qmp_outbox_push  (QmpOutbox      *outbox,
                             QmpOutboxFunc   func,
                             gpointer        data,
                             GDestroyNotify  destroy);

/* A command's end: TASK (taken) returns RET (a new reference is taken;
 * ignored with an error) or ERROR (taken), from the outbox. */
void       qmp_outbox_push_result (QmpOutbox *outbox,
                                   GTask     *task,
                                   JsonNode  *ret,
                                   GError    *error);

/* Runs what is queued now, in order (and what those push meanwhile). */
void       qmp_outbox_drain    (QmpOutbox   *outbox);
gboolean   qmp_outbox_is_empty (QmpOutbox   *outbox);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpOutbox, qmp_outbox_unref)
