/* listener.c: one fake domain: its QMP socket, one client at a time
 *
 * Like QEMU, a domain accepts one client and then stops watching its
 * listening socket: later clients connect (the kernel queues them in the
 * backlog) but get no greeting until the current client leaves. Tests and
 * the library's locking rely on exactly this.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* accept4(), MSG_CMSG_CLOEXEC */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define G_LOG_DOMAIN "fake-qemu"

#include "listener.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "qmp-message.h"
#include "xen-device-model.h"

/* How long to wait before accepting again when accept() fails for lack of
 * resources (EMFILE...): it would fail again at once otherwise. */
#define ACCEPT_RETRY_MS 100

struct _FakeDomain {
  char               *path;
  char               *temp_path;     /* bound here until published */
  int                 listen_fd;
  gboolean            published;
  dev_t               path_dev;      /* identity of the published path */
  ino_t               path_ino;
  guint               accept_watch;
  guint               accept_retry;
  guint               n_clients;
  FakeMonitor        *monitor;
  gboolean            offer_oob;
  gboolean            running;
  gboolean            quitting;
  gboolean            gone;
  FakeFdStore        *fd_store;
  FakeXenDm          *xen_dm;
  const FakeDomainHooks *hooks;
  gpointer            hook_data;
  GDestroyNotify      hook_destroy;
  FakeDomainGoneFunc  gone_func;
  gpointer            gone_data;
};

static gboolean
fill_address (struct sockaddr_un *addr, const char *path, GError **error)
{
  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (strlen (path) >= sizeof addr->sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "%s: too long for a unix socket (at most %" G_GSIZE_FORMAT " bytes)",
                   path, sizeof addr->sun_path - 1);
      return FALSE;
    }
  strcpy (addr->sun_path, path);
  return TRUE;
}

static void
set_error_from_errno (GError **error, const char *what, const char *path)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               "%s %s: %s", what, path, g_strerror (saved));
}

int
fake_unix_connect (const char *path, GError **error)
{
  struct sockaddr_un addr;
  int fd;

  if (!fill_address (&addr, path, error))
    return -1;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      set_error_from_errno (error, "cannot connect to", path);
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

FakeDomain *
fake_domain_new (const char *socket_path, gboolean offer_oob, GError **error)
{
  static guint counter;
  g_autofree char *dir = g_path_get_dirname (socket_path);
  struct sockaddr_un addr;
  GStatBuf st;
  FakeDomain *self;

  if (!fill_address (&addr, socket_path, error))
    return NULL;
  /* Replacing a stale socket is fine; anything else is someone's file. */
  if (g_lstat (socket_path, &st) == 0 && !S_ISSOCK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s exists and is not a socket", socket_path);
      return NULL;
    }

  self = g_new0 (FakeDomain, 1);
  self->path = g_strdup (socket_path);
  self->temp_path = g_strdup_printf ("%s/.fake-qemu-%d-%u", dir, (int) getpid (), counter++);
  self->offer_oob = offer_oob;
  self->running = TRUE;
  self->fd_store = fake_fd_store_new ();
  self->xen_dm = fake_xen_dm_new ();
  self->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (self->listen_fd < 0)
    {
      set_error_from_errno (error, "socket for", socket_path);
      fake_domain_free (self);
      return NULL;
    }
  if (!fill_address (&addr, self->temp_path, error))
    {
      fake_domain_free (self);
      return NULL;
    }
  if (bind (self->listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      set_error_from_errno (error, "cannot bind", self->temp_path);
      g_clear_pointer (&self->temp_path, g_free);
      fake_domain_free (self);
      return NULL;
    }
  if (listen (self->listen_fd, FAKE_DOMAIN_BACKLOG) < 0)
    {
      set_error_from_errno (error, "cannot listen on", self->temp_path);
      fake_domain_free (self);
      return NULL;
    }
  return self;
}

static gboolean on_incoming (int fd, GIOCondition condition, gpointer user_data);

static void
start_accepting (FakeDomain *self)
{
  if (self->accept_watch == 0 && self->accept_retry == 0 && self->listen_fd >= 0)
    self->accept_watch = g_unix_fd_add (self->listen_fd, G_IO_IN, on_incoming, self);
}

static gboolean
retry_accept (gpointer user_data)
{
  FakeDomain *self = user_data;

  self->accept_retry = 0;
  start_accepting (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_incoming (int fd, GIOCondition condition, gpointer user_data)
{
  FakeDomain *self = user_data;
  g_autofree char *name = NULL;
  int client;

  client = accept4 (self->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
          || errno == ECONNABORTED)
        return G_SOURCE_CONTINUE;
      g_message ("%s: accept: %s", self->path, g_strerror (errno));
      self->accept_watch = 0;
      self->accept_retry = g_timeout_add (ACCEPT_RETRY_MS, retry_accept, self);
      return G_SOURCE_REMOVE;
    }

  /* One client at a time: the others wait in the backlog. */
  self->accept_watch = 0;
  name = g_strdup_printf ("%s#%u", self->path, ++self->n_clients);
  self->monitor = fake_monitor_new (self, client, name);
  fake_monitor_start (self->monitor);
  return G_SOURCE_REMOVE;
}

gboolean
fake_domain_publish (FakeDomain *self, GError **error)
{
  GStatBuf st;

  if (g_rename (self->temp_path, self->path) < 0)
    {
      set_error_from_errno (error, "cannot rename the socket to", self->path);
      return FALSE;
    }
  g_clear_pointer (&self->temp_path, g_free);
  self->published = TRUE;
  if (g_lstat (self->path, &st) == 0)
    {
      self->path_dev = st.st_dev;
      self->path_ino = st.st_ino;
    }
  start_accepting (self);
  return TRUE;
}

/* Removes the socket's path unless someone else's socket has replaced
 * it (a new fake started on the same path, say). */
static void
remove_path (FakeDomain *self)
{
  GStatBuf st;

  if (self->temp_path != NULL)
    {
      g_unlink (self->temp_path);
      g_clear_pointer (&self->temp_path, g_free);
    }
  if (self->published && g_lstat (self->path, &st) == 0
      && st.st_dev == self->path_dev && st.st_ino == self->path_ino)
    g_unlink (self->path);
  self->published = FALSE;
}

static void
stop_listening (FakeDomain *self)
{
  g_clear_handle_id (&self->accept_watch, g_source_remove);
  g_clear_handle_id (&self->accept_retry, g_source_remove);
  remove_path (self);
  if (self->listen_fd >= 0)
    close (self->listen_fd);
  self->listen_fd = -1;
}

void
fake_domain_free (FakeDomain *self)
{
  if (self == NULL)
    return;
  self->gone_func = NULL;
  self->hooks = NULL;
  if (self->monitor != NULL)
    {
      /* Closing reports back through fake_domain_client_closed(). */
      self->quitting = TRUE;
      fake_monitor_close (self->monitor);
    }
  stop_listening (self);
  if (self->hook_destroy != NULL)
    self->hook_destroy (self->hook_data);
  fake_fd_store_free (self->fd_store);
  fake_xen_dm_free (self->xen_dm);
  g_free (self->path);
  g_free (self);
}

void
fake_domain_set_gone_func (FakeDomain         *self,
                           FakeDomainGoneFunc  func,
                           gpointer            user_data)
{
  self->gone_func = func;
  self->gone_data = user_data;
}

void
fake_domain_set_hooks (FakeDomain            *self,
                       const FakeDomainHooks *hooks,
                       gpointer               user_data,
                       GDestroyNotify         destroy)
{
  if (self->hook_destroy != NULL)
    self->hook_destroy (self->hook_data);
  self->hooks = hooks;
  self->hook_data = user_data;
  self->hook_destroy = destroy;
}

FakeDispatchResult
fake_domain_run_dispatch_hook (FakeDomain  *self,
                               FakeMonitor *monitor,
                               FakeRequest *request)
{
  if (self->hooks == NULL || self->hooks->dispatch == NULL)
    return FAKE_DISPATCH_CONTINUE;
  return self->hooks->dispatch (monitor, request, self->hook_data);
}

gboolean
fake_domain_run_connected_hook (FakeDomain *self, FakeMonitor *monitor)
{
  if (self->hooks == NULL || self->hooks->connected == NULL)
    return FALSE;
  return self->hooks->connected (monitor, self->hook_data);
}

const char *
fake_domain_get_path (FakeDomain *self)
{
  return self->path;
}

gboolean
fake_domain_get_offer_oob (FakeDomain *self)
{
  return self->offer_oob;
}

FakeFdStore *
fake_domain_get_fd_store (FakeDomain *self)
{
  return self->fd_store;
}

FakeMonitor *
fake_domain_get_monitor (FakeDomain *self)
{
  return self->monitor;
}

gboolean
fake_domain_is_running (FakeDomain *self)
{
  return self->running;
}

void
fake_domain_set_running (FakeDomain *self, gboolean running)
{
  self->running = running;
}

void
fake_domain_change_run_state (FakeDomain *self, gboolean running)
{
  if (self->running == running)
    return;
  self->running = running;
  fake_domain_emit_event (self, running ? "RESUME" : "STOP", NULL);
}

FakeXenDm *
fake_domain_get_xen_dm (FakeDomain *self)
{
  return self->xen_dm;
}

void
fake_domain_emit_event (FakeDomain *self, const char *name, JsonObject *data)
{
  g_autoptr(JsonNode) event = fake_qmp_event_new (name, data);

  if (self->monitor != NULL && fake_monitor_is_negotiated (self->monitor))
    fake_monitor_send (self->monitor, event);
  else
    g_debug ("%s: event %s dropped: no client has negotiated", self->path, name);
}

void
fake_domain_quit (FakeDomain *self)
{
  if (self->quitting)
    return;
  g_debug ("%s: quitting", self->path);
  self->quitting = TRUE;
  stop_listening (self);
  if (self->monitor != NULL)
    fake_monitor_close_after_output (self->monitor);
  else
    {
      self->gone = TRUE;
      if (self->gone_func != NULL)
        self->gone_func (self, self->gone_data);
    }
}

gboolean
fake_domain_is_gone (FakeDomain *self)
{
  return self->gone;
}

void
fake_domain_client_closed (FakeDomain *self, FakeMonitor *monitor)
{
  g_return_if_fail (self->monitor == monitor);

  if (self->hooks != NULL && self->hooks->disconnected != NULL)
    self->hooks->disconnected (monitor, self->hook_data);
  g_clear_pointer (&self->monitor, fake_monitor_unref);
  fake_fd_store_client_left (self->fd_store, self->running);
  if (self->quitting)
    {
      if (!self->gone)
        {
          self->gone = TRUE;
          if (self->gone_func != NULL)
            self->gone_func (self, self->gone_data);
        }
      return;
    }
  start_accepting (self);
}
