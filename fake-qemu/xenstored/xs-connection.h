/* xs-connection.h: one client's socket: message framing, output queue,
 * back-pressure
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "xs-wire.h"

/* Past this many unsent bytes the connection stops taking requests until
 * the client reads its replies. */
#define XS_CONNECTION_OUTPUT_HIGH (64 * 1024)
/* Past this many unsent bytes (watch events to a client that never reads)
 * the connection is closed. */
#define XS_CONNECTION_OUTPUT_MAX (8 * 1024 * 1024)

typedef struct _XsConnection XsConnection;

/* A complete message: HEADER, then HEADER->len bytes at PAYLOAD. */
typedef void (*XsMessageFunc) (XsConnection              *conn,
                               const struct xsd_sockmsg  *header,
                               const char                *payload,
                               gpointer                   user_data);
/* The connection is closed, for whatever reason; called once. */
typedef void (*XsClosedFunc)  (XsConnection              *conn,
                               gpointer                   user_data);

/* Takes FD (a connected, non-blocking socket) and serves it on the
 * thread-default main context. */
XsConnection *xs_connection_new        (int                        fd,
                                        guint                      id,
                                        XsMessageFunc              on_message,
                                        XsClosedFunc               on_closed,
                                        gpointer                   user_data);
XsConnection *xs_connection_ref        (XsConnection              *conn);
void          xs_connection_unref      (XsConnection              *conn);

guint         xs_connection_get_id     (XsConnection              *conn);
gboolean      xs_connection_is_closed  (XsConnection              *conn);

/* Queues a message; a no-op on a closed connection. */
void          xs_connection_send       (XsConnection              *conn,
                                        guint32                    type,
                                        guint32                    req_id,
                                        guint32                    tx_id,
                                        const void                *payload,
                                        gsize                      len);

/* Stops serving: the socket is closed and on_closed runs. REASON, when
 * not NULL, is logged as a message (a misbehaving client). */
void          xs_connection_close      (XsConnection              *conn,
                                        const char                *reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XsConnection, xs_connection_unref)
