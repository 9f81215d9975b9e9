/* xs-server.h: the fake xenstored: its socket, clients, store, watches
 * and domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "xs-connection.h"
#include "xs-store.h"

/* xenstored sets no limit on a dom0 tool's watches or transactions (its
 * quotas, xenstored_watch.c do_watch() and xenstored_transaction.c
 * do_transaction_start(), apply to unprivileged domains only), but it
 * runs out of memory some day. These bound what a runaway client can make
 * the fake hold: watches per connection (E2BIG), and the bytes of all
 * open transactions' snapshots (ENOMEM, xenstored's answer when its
 * memory runs out). */
#define XS_MAX_WATCHES_PER_CLIENT      65536
#define XS_MAX_TRANSACTION_BYTES       (256 * 1024 * 1024)

typedef struct _XsServer XsServer;
typedef struct _XsClient XsClient;

/* What the server keeps for one connection. */
struct _XsClient {
  XsServer     *server;
  XsConnection *conn;
  GHashTable   *transactions;   /* GUINT_TO_POINTER (id) → XsTransaction */
  guint32       last_tx_id;
};

/* The bytes that all open transactions' snapshots hold (each adds its
 * own while it lives), against XS_MAX_TRANSACTION_BYTES. */
gsize    *xs_server_get_transaction_bytes (XsServer *server);

/* Binds and listens under a temporary name next to SOCKET_PATH: nobody
 * can connect to SOCKET_PATH before xs_server_publish(). With
 * HYPERVISOR_DIR (--hypervisor), domains and their deaths come from that
 * state folder (xs-hypervisor.h); without, every domid exists and only
 * XS_RELEASE ends one. */
XsServer *xs_server_new                (const char  *socket_path,
                                        const char  *hypervisor_dir,
                                        GError     **error);
/* Renames the socket into place (so that a client that sees the path can
 * connect at once) and starts accepting clients. */
gboolean  xs_server_publish            (XsServer    *server,
                                        GError     **error);
/* Closes every client and the socket, and removes the socket's path if
 * it is still ours. */
void      xs_server_free               (XsServer    *server);

XsStore  *xs_server_get_store          (XsServer    *server);

/* Domains, as xenstored 4.17 keeps them (xenstored_domain.c): dom0 is
 * introduced from the start; XS_INTRODUCE introduces another (firing
 * @introduceDomain the first time); a domain goes on XS_RELEASE, or when
 * the hypervisor says it is dying or gone (VIRQ_DOM_EXC, check_domains()).
 * Going removes the nodes it owns, then fires @releaseDomain. Removing
 * /local/domain/<domid> does none of this. */
gboolean  xs_server_domain_is_introduced (XsServer  *server,
                                          guint      domid);
/* Returns 0 or an errno value: what do_introduce() answers. */
int       xs_server_introduce_domain   (XsServer    *server,
                                        guint        domid);
/* Returns 0, EINVAL (dom0) or ENOENT (not introduced): do_release(). */
int       xs_server_release_domain     (XsServer    *server,
                                        guint        domid);
/* Returns 0, EINVAL or ENOENT: do_resume(), which forgets that the
 * domain was seen shut down. */
int       xs_server_resume_domain      (XsServer    *server,
                                        guint        domid);
/* Before a permission set is stored, as domain_alloc_permrefs(): the
 * domains it names become known; returns FALSE when the owner (the first
 * entry) does not exist (xenstored then answers ENOENT). */
gboolean  xs_server_check_perms_domains (XsServer   *server,
                                         const char *perms,
                                         gsize       len);

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
