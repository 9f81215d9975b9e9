/* xs-server.h: the fake xenstored: its socket, clients, store, watches
 * and domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "xs-connection.h"
#include "xs-store.h"

/* Per connection, as in xenstored (dom0 has no quota there; these only
 * bound what a runaway client can make the fake hold). */
#define XS_MAX_WATCHES_PER_CLIENT      65536
#define XS_MAX_TRANSACTIONS_PER_CLIENT 64

typedef struct _XsServer XsServer;
typedef struct _XsClient XsClient;

/* What the server keeps for one connection. */
struct _XsClient {
  XsServer     *server;
  XsConnection *conn;
  GHashTable   *transactions;   /* GUINT_TO_POINTER (id) → XsTransaction */
  guint32       last_tx_id;
};

/* Binds and listens under a temporary name next to SOCKET_PATH: nobody
 * can connect to SOCKET_PATH before xs_server_publish(). */
XsServer *xs_server_new                (const char  *socket_path,
                                        GError     **error);
/* Renames the socket into place (so that a client that sees the path can
 * connect at once) and starts accepting clients. */
gboolean  xs_server_publish            (XsServer    *server,
                                        GError     **error);
/* Closes every client and the socket, and removes the socket's path if
 * it is still ours. */
void      xs_server_free               (XsServer    *server);

XsStore  *xs_server_get_store          (XsServer    *server);

/* Domains known to the fake, as xenstored knows introduced domains.
 * Dom0 always is. Introducing a new domain fires @introduceDomain;
 * releasing one fires @releaseDomain. */
gboolean  xs_server_domain_is_introduced (XsServer  *server,
                                          guint      domid);
void      xs_server_introduce_domain   (XsServer    *server,
                                        guint        domid);
gboolean  xs_server_release_domain     (XsServer    *server,
                                        guint        domid);
/* Releases every domain (but dom0) whose /local/domain/<domid> is gone
 * from the store: what a real host shows when a domain dies and its
 * nodes are cleaned up. Called after every change to the store. */
void      xs_server_release_vanished_domains (XsServer *server);

/* PATH canonical (or special), TOKEN as the client sent it; RELATIVE when
 * the client gave a relative path (its events then carry relative paths).
 * Returns 0, EEXIST or E2BIG. */
int       xs_server_add_watch          (XsServer    *server,
                                        XsClient    *client,
                                        const char  *path,
                                        const char  *token,
                                        gboolean     relative);
/* The event xenstored sends for every new watch, after its reply. */
void      xs_server_send_initial_event (XsServer    *server,
                                        XsClient    *client,
                                        const char  *path,
                                        const char  *token);
int       xs_server_remove_watch       (XsServer    *server,
                                        XsClient    *client,
                                        const char  *path,
                                        const char  *token);
void      xs_server_remove_client_watches (XsServer *server,
                                           XsClient *client);
