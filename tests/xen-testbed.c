/* xen-testbed.c: the test bed's folder, hypervisor state and daemon
 *
 * What libxl writes for a domain is in xen-testbed-libxl.c; children in
 * private mount namespaces, and xl, in xen-testbed-run.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-testbed-private.h"
#include "test-server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

/* Start-up takes milliseconds; the margin is for busy CI machines and
 * valgrind. */
#define DAEMON_START_TIMEOUT_US (10 * G_USEC_PER_SEC)

const char *
xen_testbed_daemon_name (XenTestbedDaemon daemon)
{
  switch (daemon)
    {
    case XEN_TESTBED_FAKE:       return "fake-xenstored";
    case XEN_TESTBED_XENSTORED:  return "xenstored";
    case XEN_TESTBED_OXENSTORED: return "oxenstored";
    default:                     g_assert_not_reached ();
    }
}

XenTestbedDaemon xen_testbed_get_daemon (XenTestbed *tb) { return tb->daemon; }
const char *xen_testbed_get_socket (XenTestbed *tb) { return tb->socket; }
const char *xen_testbed_get_dir (XenTestbed *tb) { return tb->dir; }
struct xs_handle *xen_testbed_get_xs (XenTestbed *tb) { return tb->xs; }
gboolean xen_testbed_has_hypervisor (XenTestbed *tb) { return tb->hypervisor; }

char *
xen_testbed_uuid_of (guint32 domid)
{
  return g_strdup_printf ("00000000-0000-4000-8000-%012x", domid);
}

/* ---- The hypervisor's state ---------------------------------------- */

static char *
state_path (XenTestbed *tb, guint32 domid)
{
  return g_strdup_printf ("%s/domains/%u", tb->dir, domid);
}

gboolean
testbed_state_write (XenTestbed *tb, guint32 domid, const char *uuid, gboolean hvm,
                     gboolean dying, GError **error)
{
  g_autofree char *path = state_path (tb, domid);
  g_autofree char *text = g_strdup_printf ("uuid=%s\nhvm=%d\ndying=%d\nshutdown=0\n",
                                           uuid, hvm ? 1 : 0, dying ? 1 : 0);

  return g_file_set_contents (path, text, -1, error);
}

gboolean
testbed_state_remove (XenTestbed *tb, guint32 domid, GError **error)
{
  g_autofree char *path = state_path (tb, domid);

  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
testbed_state_read (XenTestbed *tb, guint32 domid, char **uuid, gboolean *hvm)
{
  g_autofree char *path = state_path (tb, domid);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  *uuid = NULL;
  *hvm = TRUE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "uuid="))
      *uuid = g_strdup (lines[i] + 5);
    else if (g_str_has_prefix (lines[i], "hvm="))
      *hvm = strcmp (lines[i] + 4, "0") != 0;
  if (*uuid == NULL)
    *uuid = xen_testbed_uuid_of (domid);
  return TRUE;
}

gboolean
xen_testbed_fire_dom_exc (XenTestbed *tb, GError **error)
{
  if (write (tb->virq_fd, "!", 1) != 1)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot fire VIRQ_DOM_EXC: %s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
xen_testbed_kill_domain (XenTestbed *tb, guint32 domid, GError **error)
{
  g_autofree char *uuid = NULL;
  gboolean hvm;

  if (!testbed_state_read (tb, domid, &uuid, &hvm))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no domain %u to kill", domid);
      return FALSE;
    }
  return testbed_state_write (tb, domid, uuid, hvm, TRUE, error)
         && xen_testbed_fire_dom_exc (tb, error);
}

/* ---- The daemon ---------------------------------------------------- */

/* Whether this fake-xenstored reads the hypervisor state (--hypervisor). */
static gboolean
fake_has_hypervisor_option (const char *fake)
{
  const char *argv[] = { fake, "--help", NULL };
  g_autofree char *out = NULL;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                       &out, NULL, NULL, NULL)
         && strstr (out, "--hypervisor") != NULL;
}

static char *
oxenstored_config (XenTestbed *tb, GError **error)
{
  g_autofree char *path = g_build_filename (tb->dir, "oxenstored.conf", NULL);
  /* The stand-in answers opens of /proc/xen/xsd_*. */
  g_autofree char *text = g_strdup_printf (
      "pid-file = %s/oxenstored.pid\n"
      "persistent = false\n"
      "xenstored-log-file = %s/oxenstored-debug.log\n"
      "xenstored-log-level = info\n"
      "access-log-file = %s/oxenstored-access.log\n"
      "xenstored-kva = /proc/xen/xsd_kva\n"
      "xenstored-port = /proc/xen/xsd_port\n",
      tb->dir, tb->dir, tb->dir);

  if (!g_file_set_contents (path, text, -1, error))
    return NULL;
  return g_steal_pointer (&path);
}

static gboolean
start_daemon (XenTestbed *tb, GError **error)
{
  g_autofree char *program = NULL;
  g_autofree char *config = NULL;
  g_autofree char *log = g_strdup_printf ("%s/%s.log", tb->dir, xen_testbed_daemon_name (tb->daemon));
  g_autofree char *trace = g_build_filename (tb->dir, "xenstored.trace", NULL);
  g_auto(GStrv) env = NULL;

  switch (tb->daemon)
    {
    case XEN_TESTBED_FAKE:
      program = test_server_sibling ("fake-xenstored");
      if (program == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "fake-xenstored is not built (run the tests with make check)");
          return FALSE;
        }
      {
        const char *argv[] = { program, "--socket", tb->socket, "--timeout", "300",
                               "--hypervisor", tb->dir, NULL };

        /* Before --hypervisor, the fake knows no hypervisor: domains die
         * by node removal only. */
        tb->hypervisor = fake_has_hypervisor_option (program);
        if (!tb->hypervisor)
          argv[5] = NULL;
        tb->pid = testbed_spawn (tb, argv, NULL, FALSE, log, NULL, error);
      }
      break;
    case XEN_TESTBED_XENSTORED:
      if ((program = testbed_xen_tool ("xenstored", error)) == NULL || !testbed_have_standin (error))
        return FALSE;
      env = testbed_standin_environ (tb);
      env = g_environ_setenv (env, "XENSTORED_RUNDIR", tb->dir, TRUE);
      env = g_environ_setenv (env, "XENSTORED_ROOTDIR", tb->dir, TRUE);
      tb->hypervisor = TRUE;
      {
        /* -N: no fork; -T: a trace of every request, for failures. */
        const char *argv[] = { program, "-N", "-T", trace, NULL };

        tb->pid = testbed_spawn (tb, argv, env, FALSE, log, NULL, error);
      }
      break;
    case XEN_TESTBED_OXENSTORED:
      if ((program = testbed_xen_tool ("oxenstored", error)) == NULL || !testbed_have_standin (error)
          || !testbed_check_private_mounts (tb, error)
          || (config = oxenstored_config (tb, error)) == NULL)
        return FALSE;
      env = testbed_standin_environ (tb);
      tb->hypervisor = TRUE;
      {
        const char *argv[] = { program, "--no-fork", "--config-file", config, NULL };

        tb->pid = testbed_spawn (tb, argv, env, TRUE, log, NULL, error);
      }
      break;
    }
  return tb->pid != 0;
}

static char *
daemon_log_tail (XenTestbed *tb)
{
  g_autofree char *log = g_strdup_printf ("%s/%s.log", tb->dir, xen_testbed_daemon_name (tb->daemon));
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (log, &text, &len, NULL) || len == 0)
    return g_strdup ("(no output)");
  return g_strdup (text + (len > 400 ? len - 400 : 0));
}

/* The daemons create their socket ready to accept. */
static gboolean
wait_for_socket (XenTestbed *tb, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + DAEMON_START_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      GStatBuf st;
      int status;

      if (g_stat (tb->socket, &st) == 0 && S_ISSOCK (st.st_mode))
        return TRUE;
      if (waitpid (tb->pid, &status, WNOHANG) == tb->pid)
        {
          g_autofree char *tail = daemon_log_tail (tb);

          tb->pid = 0;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s exited (status %d) before creating %s: %s",
                       xen_testbed_daemon_name (tb->daemon), status, tb->socket, tail);
          return FALSE;
        }
      g_usleep (2 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s did not create %s in time",
               xen_testbed_daemon_name (tb->daemon), tb->socket);
  return FALSE;
}

/* Domain 0 as tools/helpers/xen-init-dom0.c sets it up at boot. */
static gboolean
init_dom0 (XenTestbed *tb, GError **error)
{
  static const char * const nodes[][2] = {
    { "/local/domain/0/domid", "0" },
    { "/local/domain/0/name", "Domain-0" },
    { "/local/pool/0/name", "Pool-0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    if (!xs_write (tb->xs, XBT_NULL, nodes[i][0], nodes[i][1], strlen (nodes[i][1])))
      {
        int saved = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "%s: cannot write %s: %s", xen_testbed_daemon_name (tb->daemon),
                     nodes[i][0], g_strerror (saved));
        return FALSE;
      }
  return TRUE;
}

/* oxenstored binds its socket a moment before it listens. */
static struct xs_handle *
open_xs (GError **error)
{
  gint64 deadline = g_get_monotonic_time () + DAEMON_START_TIMEOUT_US;
  struct xs_handle *xs;

  while ((xs = xs_open (0)) == NULL && errno == ECONNREFUSED
         && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  if (xs == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "xs_open(%s): %s",
                   g_getenv ("XENSTORED_PATH"), g_strerror (saved));
    }
  return xs;
}

XenTestbed *
xen_testbed_new (XenTestbedDaemon daemon, GError **error)
{
  g_autoptr(XenTestbed) tb = g_new0 (XenTestbed, 1);
  g_autofree char *domains = NULL;
  g_autofree char *fifo = NULL;

  tb->daemon = daemon;
  tb->virq_fd = -1;
  tb->dir = test_tmpdir_new ();
  tb->socket = g_build_filename (tb->dir, "socket", NULL);
  domains = g_build_filename (tb->dir, "domains", NULL);
  fifo = g_build_filename (tb->dir, "virq-dom-exc", NULL);
  if (g_mkdir (domains, 0755) < 0 || mkfifo (fifo, 0600) < 0
      || (tb->virq_fd = open (fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot set up the test bed in %s: %s", tb->dir, g_strerror (saved));
      return NULL;
    }
  if (!start_daemon (tb, error) || !wait_for_socket (tb, error))
    return NULL;
  g_setenv ("XENSTORED_PATH", tb->socket, TRUE);
  tb->xs = open_xs (error);
  if (tb->xs == NULL)
    return NULL;
  if (!init_dom0 (tb, error))
    return NULL;
  return g_steal_pointer (&tb);
}

static void
stop_child (GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  kill (pid, SIGTERM);
  while (waitpid (pid, NULL, WNOHANG) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (pid, SIGKILL);
          waitpid (pid, NULL, 0);
          break;
        }
      g_usleep (1000);
    }
}

void
xen_testbed_free (XenTestbed *tb)
{
  g_autoptr(GDir) domains = NULL;
  g_autofree char *domains_path = NULL;
  const char *name;

  if (tb == NULL)
    return;
  if (tb->xs != NULL)
    xs_close (tb->xs);
  if (tb->pid != 0)
    stop_child (tb->pid);
  if (tb->virq_fd >= 0)
    close (tb->virq_fd);
  g_unsetenv ("XENSTORED_PATH");
  domains_path = g_build_filename (tb->dir, "domains", NULL);
  domains = g_dir_open (domains_path, 0, NULL);
  while (domains != NULL && (name = g_dir_read_name (domains)) != NULL)
    {
      g_autofree char *path = g_build_filename (domains_path, name, NULL);
      g_unlink (path);
    }
  g_rmdir (domains_path);
  test_tmpdir_remove (tb->dir);
  g_free (tb->dir);
  g_free (tb->socket);
  g_free (tb);
}

