/* xen-testbed-run.c: the test bed's children, and xl
 *
 * libxl and oxenstored use fixed paths; they run in a private mount
 * namespace where those paths lead to the test bed's folder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-testbed-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#define XL_TIMEOUT_US (30 * G_USEC_PER_SEC)

struct _XenTestbedXl {
  GPid   pid;
  char  *out_path;
  char  *err_path;
  int    status;
  gboolean exited;
};


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
      || mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0
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
gboolean
testbed_check_private_mounts (XenTestbed *tb, GError **error)
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
    {
      int err = enter_private_mounts (&cs);

      /* exec, not _exit(0): under valgrind, a forked child that exits
       * reports the parent's heap as its own leaks. */
      if (err == 0)
        execl ("/bin/true", "true", (char *) NULL);
      _exit (err != 0 ? err : 127);
    }
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

char *
testbed_xen_tool (const char *name, GError **error)
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

gboolean
testbed_have_standin (GError **error)
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
char **
testbed_standin_environ (XenTestbed *tb)
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
GPid
testbed_spawn (XenTestbed *tb, const char * const *argv, char **env, gboolean private_mounts,
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

/* ---- xl ------------------------------------------------------------ */

XenTestbedXl *
xen_testbed_xl_start (XenTestbed *tb, const char * const *args, GError **error)
{
  g_autofree char *xl_path = testbed_xen_tool ("xl", error);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = NULL;
  g_autofree char *log = NULL;
  XenTestbedXl *xl;
  guint run = ++tb->xl_runs;

  if (xl_path == NULL || !testbed_have_standin (error) || !testbed_check_private_mounts (tb, error))
    return NULL;
  g_ptr_array_add (argv, xl_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  env = testbed_standin_environ (tb);
  xl = g_new0 (XenTestbedXl, 1);
  xl->out_path = g_strdup_printf ("%s/xl-%u.out", tb->dir, run);
  xl->err_path = g_strdup_printf ("%s/xl-%u.err", tb->dir, run);
  xl->pid = testbed_spawn (tb, (const char * const *) argv->pdata, env, TRUE, xl->out_path,
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

