/* qmp-outbox.h: user code runs after the I/O step, never inside it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Completions, events and notifications reach the application from one
 * source per GMainContext, in the order they were pushed (for one
 * connection, the order of the wire), never from inside a connection's
 * read or write step. So a callback may run a nested main loop (a _sync
 * call) that reads from the same socket: the socket's source is not the
 * one dispatching, and the outbox's own source may recurse, taking the
 * next items in order. Internal state changes stay immediate; only what
 * runs user code goes through here.
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpOutbox, qmp_outbox_unref)
