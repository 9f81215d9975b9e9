/* xs-server.c: the fake xenstored: its socket, clients, store, watches
 * and domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* accept4() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define G_LOG_DOMAIN "fake-xenstored"

#include "xs-server.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "xs-hypervisor.h"
#include "xs-request.h"
#include "xs-transaction.h"
#include "xs-watch.h"

#define LISTEN_BACKLOG 64
#define SUN_PATH_SIZE (sizeof ((struct sockaddr_un *) NULL)->sun_path)
/* accept() failing for lack of descriptors would fail again at once. */
#define ACCEPT_PAUSE_MS 100

struct _XsServer {
  char       *path;
  char       *temp_path;     /* bound here until published */
  GSocket    *socket;
  dev_t       path_dev;      /* identity of the published socket */
  ino_t       path_ino;
  guint       accept_id;
  guint       accept_pause_id;
  guint       last_client_id;
  GPtrArray  *clients;       /* XsClient * */
  GPtrArray  *closed_clients; /* XsClient *, freed when idle */
  guint       reap_id;
  XsWatches  *watches;
  GList      *domains;       /* Domain *, newest first as in xenstored */
  XsHypervisor *hypervisor;  /* NULL without --hypervisor */
  gsize       transaction_bytes;
  XsStore    *store;
};

/* xenstored's struct domain, as far as a dom0 tool can tell: it knows a
 * domain once it is introduced or named in a permission set, and keeps
 * its domains in a list, newest first (alloc_domain()), the order in
 * which check_domains() looks at them. */
typedef struct {
  guint    domid;
  gboolean introduced;
  gboolean shutdown;       /* seen shut down: @releaseDomain fired for it */
} Domain;

/* The store's change function. */
static void
fire (const char *path, gboolean exact, gpointer user_data)
{
  XsServer *server = user_data;

  xs_watches_fire (server->watches, path, exact);
}

int
xs_server_add_watch (XsServer *server, XsClient *client, const char *path,
                     const char *token, gboolean relative)
{
  return xs_watches_add (server->watches, client, client->conn, path, token, relative,
                         XS_MAX_WATCHES_PER_CLIENT);
}

void
xs_server_send_initial_event (XsServer *server, XsClient *client, const char *path,
                              const char *token)
{
  xs_watches_fire_one (server->watches, client, path, token);
}

int
xs_server_remove_watch (XsServer *server, XsClient *client, const char *path,
                        const char *token)
{
  return xs_watches_remove (server->watches, client, path, token);
}

void
xs_server_remove_client_watches (XsServer *server, XsClient *client)
{
  xs_watches_remove_owner (server->watches, client);
}

static Domain *
find_domain (XsServer *server, guint domid)
{
  for (GList *l = server->domains; l != NULL; l = l->next)
    if (((Domain *) l->data)->domid == domid)
      return l->data;
  return NULL;
}

static Domain *
alloc_domain (XsServer *server, guint domid)
{
  Domain *d = g_new0 (Domain, 1);

  d->domid = domid;
  server->domains = g_list_prepend (server->domains, d);
  return d;
}

static Domain *
find_introduced (XsServer *server, guint domid)
{
  Domain *d = find_domain (server, domid);

  return d != NULL && d->introduced ? d : NULL;
}

/* destroy_domain() (xenstored_domain.c): the nodes the domain owns go
 * (domain_tree_remove(), firing their watches), then, for an introduced
 * domain, @releaseDomain fires. */
static void
destroy_domain (XsServer *server, Domain *d)
{
  gboolean introduced = d->introduced;

  g_debug ("domain %u %s", d->domid, introduced ? "released" : "forgotten");
  xs_store_remove_owned (server->store, d->domid);
  server->domains = g_list_remove (server->domains, d);
  g_free (d);
  if (introduced)
    fire ("@releaseDomain", TRUE, server);
}

gboolean
xs_server_domain_is_introduced (XsServer *server, guint domid)
{
  return find_introduced (server, domid) != NULL;
}

int
xs_server_introduce_domain (XsServer *server, guint domid)
{
  Domain *d = find_domain (server, domid);
  XsDomainInfo info;

  if (d != NULL && d->introduced)
    {
      /* introduce_domain(): only the event channel is bound again; dom0,
       * introduced at start, takes this path too. */
      return 0;
    }
  /* Mapping the domain's xenstore page fails for a domain the hypervisor
   * does not have. */
  if (!xs_hypervisor_get_domain (server->hypervisor, domid, &info))
    return EINVAL;
  if (d == NULL)
    d = alloc_domain (server, domid);
  d->introduced = TRUE;
  d->shutdown = FALSE;
  g_debug ("domain %u introduced", domid);
  fire ("@introduceDomain", TRUE, server);
  return 0;
}

/* The domain that XS_RELEASE and XS_RESUME name, or NULL with *ERR set:
 * onearg_domain() (xenstored_domain.c) refuses dom0. */
static Domain *
named_domain (XsServer *server, guint domid, int *err)
{
  Domain *d = domid != 0 ? find_introduced (server, domid) : NULL;

  *err = domid == 0 ? EINVAL : d == NULL ? ENOENT : 0;
  return d;
}

int
xs_server_release_domain (XsServer *server, guint domid)
{
  int err;
  Domain *d = named_domain (server, domid, &err);

  if (d != NULL)
    destroy_domain (server, d);
  return err;
}

int
xs_server_resume_domain (XsServer *server, guint domid)
{
  int err;
  Domain *d = named_domain (server, domid, &err);

  if (d != NULL)
    d->shutdown = FALSE;
  return err;
}

gboolean
xs_server_check_perms_domains (XsServer *server, const char *perms, gsize len)
{
  gboolean owner_exists = TRUE;
  guint domid;

  for (guint i = 0; (domid = xs_perms_get_domid (perms, len, i)) != G_MAXUINT; i++)
    {
      XsDomainInfo info;

      if (find_domain (server, domid) != NULL)
        continue;
      if (xs_hypervisor_get_domain (server->hypervisor, domid, &info))
        alloc_domain (server, domid);
      else if (i == 0)
        owner_exists = FALSE;
    }
  return owner_exists;
}

/* VIRQ_DOM_EXC: check_domains() (xenstored_domain.c). A domain the
 * hypervisor no longer has, or has dying, goes; one seen shut down for
 * the first time fires one @releaseDomain for all of them, unless a
 * domain went after it in the same look (its own event stands for it). */
static void
check_domains (gpointer user_data)
{
  XsServer *server = user_data;
  gboolean notify = FALSE;
  GList *l;

again:
  for (l = server->domains; l != NULL; l = l->next)
    {
      Domain *d = l->data;
      XsDomainInfo info;
      gboolean valid = xs_hypervisor_get_domain (server->hypervisor, d->domid, &info);

      if (!d->introduced)
        {
          if (!valid)
            {
              destroy_domain (server, d);
              goto again;
            }
          continue;
        }
      if (valid)
        {
          if (info.shutdown && !d->shutdown)
            {
              d->shutdown = TRUE;
              notify = TRUE;
            }
          if (!info.dying)
            continue;
        }
      /* Dom0 is never dying: xs_hypervisor_get_domain() says so. */
      notify = FALSE;
      destroy_domain (server, d);
      goto again;
    }
  if (notify)
    fire ("@releaseDomain", TRUE, server);
}

gsize *
xs_server_get_transaction_bytes (XsServer *server)
{
  return &server->transaction_bytes;
}

XsStore *
xs_server_get_store (XsServer *server)
{
  return server->store;
}

static void
on_message (XsConnection *conn, const struct xsd_sockmsg *header, const char *payload,
            gpointer user_data)
{
  xs_request_handle (user_data, header, payload);
}

static void
client_free (gpointer data)
{
  XsClient *client = data;

  g_hash_table_unref (client->transactions);
  xs_connection_unref (client->conn);
  g_free (client);
}

static gboolean
free_closed_clients (gpointer user_data)
{
  XsServer *server = user_data;

  server->reap_id = 0;
  g_ptr_array_set_size (server->closed_clients, 0);
  return G_SOURCE_REMOVE;
}

/* A client may close in the middle of a request (its own, or another's
 * whose watch events it does not read): it gets no more events at once,
 * but its memory, transactions included, goes once the request is over. */
static void
on_closed (XsConnection *conn, gpointer user_data)
{
  XsClient *client = user_data;
  XsServer *server = client->server;

  g_debug ("client %u: gone", xs_connection_get_id (conn));
  xs_server_remove_client_watches (server, client);
  g_ptr_array_remove (server->clients, client);
  g_ptr_array_add (server->closed_clients, client);
  if (server->reap_id == 0)
    server->reap_id = g_idle_add (free_closed_clients, server);
}

static gboolean on_incoming (int fd, GIOCondition condition, gpointer user_data);

static gboolean
resume_accepting (gpointer user_data)
{
  XsServer *server = user_data;

  server->accept_pause_id = 0;
  server->accept_id = g_unix_fd_add (g_socket_get_fd (server->socket), G_IO_IN,
                                     on_incoming, server);
  return G_SOURCE_REMOVE;
}

static gboolean
on_incoming (int fd, GIOCondition condition, gpointer user_data)
{
  XsServer *server = user_data;
  XsClient *client;
  int client_fd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (client_fd < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
        return G_SOURCE_CONTINUE;
      g_message ("accept: %s; pausing for %d ms", g_strerror (errno), ACCEPT_PAUSE_MS);
      server->accept_id = 0;
      server->accept_pause_id = g_timeout_add (ACCEPT_PAUSE_MS, resume_accepting, server);
      return G_SOURCE_REMOVE;
    }
  client = g_new0 (XsClient, 1);
  client->server = server;
  client->transactions = g_hash_table_new_full (NULL, NULL, NULL,
                                                (GDestroyNotify) xs_transaction_free);
  client->conn = xs_connection_new (client_fd, ++server->last_client_id,
                                    on_message, on_closed, client);
  g_ptr_array_add (server->clients, client);
  g_debug ("client %u: connected", server->last_client_id);
  return G_SOURCE_CONTINUE;
}

static gboolean
fail_with_errno (GError **error, const char *what, const char *path)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s %s: %s",
               what, path, g_strerror (saved));
  return FALSE;
}

static gboolean
start_listening (XsServer *server, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (server->path);
  g_autoptr(GSocketAddress) address = NULL;
  GStatBuf st;

  /* Replacing a stale socket is fine; anything else is someone's file. */
  if (g_lstat (server->path, &st) == 0 && !S_ISSOCK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s exists and is not a socket", server->path);
      return FALSE;
    }
  /* Clients must be able to connect to the path, not only we to bind. */
  server->temp_path = g_strdup_printf ("%s/.fake-xenstored-%d", dir, (int) getpid ());
  if (MAX (strlen (server->path), strlen (server->temp_path)) >= SUN_PATH_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "%s: too long for a unix socket path (at most %d bytes)",
                   strlen (server->path) >= SUN_PATH_SIZE ? server->path : server->temp_path,
                   (int) SUN_PATH_SIZE - 1);
      g_clear_pointer (&server->temp_path, g_free);
      return FALSE;
    }
  g_unlink (server->temp_path);
  /* Non-blocking and close-on-exec, as GSocket makes its sockets. */
  server->socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, error);
  if (server->socket == NULL)
    return FALSE;
  address = g_unix_socket_address_new (server->temp_path);
  if (!g_socket_bind (server->socket, address, FALSE, error))
    {
      g_clear_pointer (&server->temp_path, g_free);
      return FALSE;
    }
  g_socket_set_listen_backlog (server->socket, LISTEN_BACKLOG);
  return g_socket_listen (server->socket, error);
}

XsServer *
xs_server_new (const char *socket_path, const char *hypervisor_dir, GError **error)
{
  XsServer *server = g_new0 (XsServer, 1);

  server->path = g_strdup (socket_path);
  server->clients = g_ptr_array_new ();
  server->closed_clients = g_ptr_array_new_with_free_func (client_free);
  server->watches = xs_watches_new ();
  server->store = xs_store_new ();
  xs_store_set_change_func (server->store, fire, server);
  /* dom0_init(): dom0 is introduced before any client comes. */
  alloc_domain (server, 0)->introduced = TRUE;
  if (hypervisor_dir != NULL)
    {
      server->hypervisor = xs_hypervisor_new (hypervisor_dir, check_domains, server, error);
      if (server->hypervisor == NULL)
        {
          xs_server_free (server);
          return NULL;
        }
    }
  if (!start_listening (server, error))
    {
      xs_server_free (server);
      return NULL;
    }
  return server;
}

gboolean
xs_server_publish (XsServer *server, GError **error)
{
  GStatBuf st;

  if (g_rename (server->temp_path, server->path) < 0)
    return fail_with_errno (error, "cannot rename the socket to", server->path);
  g_clear_pointer (&server->temp_path, g_free);
  if (g_lstat (server->path, &st) == 0)
    {
      server->path_dev = st.st_dev;
      server->path_ino = st.st_ino;
    }
  server->accept_id = g_unix_fd_add (g_socket_get_fd (server->socket), G_IO_IN,
                                     on_incoming, server);
  return TRUE;
}

void
xs_server_free (XsServer *server)
{
  GStatBuf st;

  if (server == NULL)
    return;
  while (server->clients->len > 0)
    xs_connection_close (((XsClient *) g_ptr_array_index (server->clients, 0))->conn, NULL);
  g_clear_handle_id (&server->reap_id, g_source_remove);
  g_clear_handle_id (&server->accept_id, g_source_remove);
  g_clear_handle_id (&server->accept_pause_id, g_source_remove);
  g_clear_object (&server->socket);
  if (server->temp_path != NULL)
    g_unlink (server->temp_path);
  /* Someone may have put another socket there since. */
  if (server->path_ino != 0 && g_lstat (server->path, &st) == 0
      && st.st_dev == server->path_dev && st.st_ino == server->path_ino)
    g_unlink (server->path);
  g_ptr_array_unref (server->clients);
  g_ptr_array_unref (server->closed_clients);
  xs_watches_free (server->watches);
  g_list_free_full (server->domains, g_free);
  xs_hypervisor_free (server->hypervisor);
  xs_store_free (server->store);
  g_free (server->temp_path);
  g_free (server->path);
  g_free (server);
}
