/* xen-testbed.c: the test bed's folder, hypervisor state, daemons and xl
 *
 * What libxl writes for a domain is in xen-testbed-libxl.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-testbed-private.h"
#include "test-server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

/* Start-up takes milliseconds; the margin is for busy CI machines and
 * valgrind. */
#define DAEMON_START_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define XL_TIMEOUT_US           (30 * G_USEC_PER_SEC)

struct _XenTestbed {
  XenTestbedDaemon   daemon;
  char              *dir;
  char              *socket;
  int                virq_fd;     /* the FIFO, held read-write */
  GPid               pid;
  struct xs_handle  *xs;
  guint              xl_runs;     /* names xl's output files */
  gboolean           hypervisor;  /* the daemon reads the state folder */
};

struct _XenTestbedXl {
  GPid   pid;
  char  *out_path;
  char  *err_path;
  int    status;
  gboolean exited;
};

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

/* ---- Children: in a private mount namespace where needed ----------- */

/* Paths the child needs, computed before fork(): a child of a threaded
 * process must not allocate. */
typedef struct {
  gboolean  private_mounts;
  char     *var_run;          /* what /var/run really is (/run on Debian) */
  char     *links[3];         /* .../xen, .../xenstored, /var/lib/xen */
  const char *dir;
} ChildSetup;

static void
child_setup_init (ChildSetup *cs, XenTestbed *tb, gboolean private_mounts)
{
  char real[PATH_MAX];

  memset (cs, 0, sizeof *cs);
  cs->private_mounts = private_mounts;
  cs->dir = tb->dir;
  cs->var_run = g_strdup (realpath ("/var/run", real) != NULL ? real : "/var/run");
  cs->links[0] = g_build_filename (cs->var_run, "xen", NULL);
  cs->links[1] = g_build_filename (cs->var_run, "xenstored", NULL);
  cs->links[2] = g_strdup ("/var/lib/xen");
}

static void
child_setup_clear (ChildSetup *cs)
{
  g_free (cs->var_run);
  for (guint i = 0; i < G_N_ELEMENTS (cs->links); i++)
    g_free (cs->links[i]);
}

/* libxl and oxenstored use fixed paths (/var/run/xen, /var/lib/xen,
 * /var/run/xenstored/socket): in a mount namespace of their own, fresh
 * tmpfs over /var/run and /var/lib hide the machine's, and links lead
 * to the test bed's folder. Returns 0 or an errno. */
static int
enter_private_mounts (const ChildSetup *cs)
{
  if (unshare (CLONE_NEWNS) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("tmpfs", cs->var_run, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0
      || mount ("tmpfs", "/var/lib", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
    return errno;
  for (guint i = 0; i < G_N_ELEMENTS (cs->links); i++)
    if (symlink (cs->dir, cs->links[i]) < 0)
      return errno;
  return 0;
}

static void
child_setup (gpointer data)
{
  const ChildSetup *cs = data;
  int err;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (cs->private_mounts && (err = enter_private_mounts (cs)) != 0)
    _exit (err);
}

/* Whether private mount namespaces work here (they need root or
 * CAP_SYS_ADMIN): tried once in a child. */
static gboolean
check_private_mounts (XenTestbed *tb, GError **error)
{
  ChildSetup cs;
  pid_t pid;
  int status = 0;

  if (g_str_has_prefix (tb->dir, "/run/") || g_str_has_prefix (tb->dir, "/var/"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the test bed's folder %s would be hidden by the private /var/run "
                   "and /var/lib: set TMPDIR elsewhere", tb->dir);
      return FALSE;
    }
  child_setup_init (&cs, tb, TRUE);
  pid = fork ();
  if (pid == 0)
    _exit (enter_private_mounts (&cs));
  child_setup_clear (&cs);
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "cannot make a private mount namespace here (unshare, mount tmpfs): %s",
                   pid < 0 ? g_strerror (errno)
                   : WIFEXITED (status) ? g_strerror (WEXITSTATUS (status)) : "killed");
      return FALSE;
    }
  return TRUE;
}

static char *
xen_tool (const char *name, GError **error)
{
  const char *dir = g_getenv ("XEN_TOOLS_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s: no Xen tools (XEN_TOOLS_DIR is empty: run build-aux/install-deps.sh, "
                   "then configure, or configure --with-xen-tools=DIR)", name);
      return NULL;
    }
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s is not installed (run build-aux/install-deps.sh)", path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static gboolean
have_standin (GError **error)
{
  const char *lib = g_getenv ("XEN_STANDIN_LIB");

  if (lib == NULL || !g_file_test (lib, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the hypervisor stand-in is not built (XEN_STANDIN_LIB=%s; run the tests "
                   "with make check)", lib != NULL ? lib : "");
      return FALSE;
    }
  return TRUE;
}

/* The environment of a program under the stand-in. */
static char **
standin_environ (XenTestbed *tb)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "XEN_STANDIN_DIR", tb->dir, TRUE);
  env = g_environ_setenv (env, "LD_PRELOAD", g_getenv ("XEN_STANDIN_LIB"), TRUE);
  env = g_environ_setenv (env, "XENSTORED_PATH", tb->socket, TRUE);
  return env;
}

static int
open_log (const char *path, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
    }
  return fd;
}

/* Starts ARGV with stdout to OUT_LOG and stderr to ERR_LOG (NULL: the
 * same file); returns its pid, or 0. */
static GPid
spawn (XenTestbed *tb, const char * const *argv, char **env, gboolean private_mounts,
       const char *out_log, const char *err_log, GError **error)
{
  ChildSetup cs;
  GPid pid = 0;
  int out = open_log (out_log, error);
  int err = out < 0 || err_log == NULL ? out : open_log (err_log, error);
  gboolean ok = FALSE;

  if (out >= 0 && err >= 0)
    {
      child_setup_init (&cs, tb, private_mounts);
      ok = g_spawn_async_with_fds (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                   child_setup, &cs, &pid, -1, out, err, error);
      child_setup_clear (&cs);
    }
  if (err >= 0 && err != out)
    close (err);
  if (out >= 0)
    close (out);
  return ok ? pid : 0;
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
        tb->pid = spawn (tb, argv, NULL, FALSE, log, NULL, error);
      }
      break;
    case XEN_TESTBED_XENSTORED:
      if ((program = xen_tool ("xenstored", error)) == NULL || !have_standin (error))
        return FALSE;
      env = standin_environ (tb);
      env = g_environ_setenv (env, "XENSTORED_RUNDIR", tb->dir, TRUE);
      env = g_environ_setenv (env, "XENSTORED_ROOTDIR", tb->dir, TRUE);
      tb->hypervisor = TRUE;
      {
        /* -N: no fork; -T: a trace of every request, for failures. */
        const char *argv[] = { program, "-N", "-T", trace, NULL };

        tb->pid = spawn (tb, argv, env, FALSE, log, NULL, error);
      }
      break;
    case XEN_TESTBED_OXENSTORED:
      if ((program = xen_tool ("oxenstored", error)) == NULL || !have_standin (error)
          || !check_private_mounts (tb, error)
          || (config = oxenstored_config (tb, error)) == NULL)
        return FALSE;
      env = standin_environ (tb);
      tb->hypervisor = TRUE;
      {
        const char *argv[] = { program, "--no-fork", "--config-file", config, NULL };

        tb->pid = spawn (tb, argv, env, TRUE, log, NULL, error);
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

/* ---- xl ------------------------------------------------------------ */

XenTestbedXl *
xen_testbed_xl_start (XenTestbed *tb, const char * const *args, GError **error)
{
  g_autofree char *xl_path = xen_tool ("xl", error);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = NULL;
  g_autofree char *log = NULL;
  XenTestbedXl *xl;
  guint run = ++tb->xl_runs;

  if (xl_path == NULL || !have_standin (error) || !check_private_mounts (tb, error))
    return NULL;
  g_ptr_array_add (argv, xl_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  env = standin_environ (tb);
  xl = g_new0 (XenTestbedXl, 1);
  xl->out_path = g_strdup_printf ("%s/xl-%u.out", tb->dir, run);
  xl->err_path = g_strdup_printf ("%s/xl-%u.err", tb->dir, run);
  xl->pid = spawn (tb, (const char * const *) argv->pdata, env, TRUE, xl->out_path,
                   xl->err_path, error);
  if (xl->pid == 0)
    {
      g_free (xl->out_path);
      g_free (xl->err_path);
      g_free (xl);
      return NULL;
    }
  return xl;
}

gboolean
xen_testbed_xl_done (XenTestbedXl *xl)
{
  if (!xl->exited && waitpid (xl->pid, &xl->status, WNOHANG) == xl->pid)
    xl->exited = TRUE;
  return xl->exited;
}

gboolean
xen_testbed_xl_finish (XenTestbedXl *xl, char **out, char **err, int *status, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + XL_TIMEOUT_US;
  gboolean ok = TRUE;

  while (!xen_testbed_xl_done (xl) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  if (!xl->exited)
    {
      kill (xl->pid, SIGKILL);
      waitpid (xl->pid, &xl->status, 0);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "xl did not exit in time");
      ok = FALSE;
    }
  if (status != NULL)
    *status = xl->status;
  if (out != NULL && !g_file_get_contents (xl->out_path, out, NULL, NULL))
    *out = g_strdup ("");
  if (err != NULL && !g_file_get_contents (xl->err_path, err, NULL, NULL))
    *err = g_strdup ("");
  g_unlink (xl->out_path);
  g_unlink (xl->err_path);
  g_free (xl->out_path);
  g_free (xl->err_path);
  g_free (xl);
  return ok;
}

gboolean
xen_testbed_run_xl (XenTestbed *tb, const char * const *args, char **out, char **err,
                    int *status, GError **error)
{
  XenTestbedXl *xl = xen_testbed_xl_start (tb, args, error);

  return xl != NULL && xen_testbed_xl_finish (xl, out, err, status, error);
}
