/* test-server.c: QMP servers for tests (fake-qemu, real QEMU) in temp dirs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-server.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

/* How long a server may take to create its socket: generous, because CI
 * machines are busy and valgrind slows everything down. */
#define SERVER_START_TIMEOUT_US (20 * G_USEC_PER_SEC)

/* A failed assertion kills the test process before any teardown runs: the
 * servers die with it (PR_SET_PDEATHSIG), and the handler of the fatal
 * signals removes the temp dirs still registered here. */
#define MAX_TMPDIRS 16
static char *live_tmpdirs[MAX_TMPDIRS];

static void
remove_dir_contents (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;

  while (d != NULL && (e = readdir (d)) != NULL)
    {
      char path[4096];

      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if ((size_t) snprintf (path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
        unlink (path);
    }
  if (d != NULL)
    closedir (d);
}

static void
on_abort (int sig)
{
  for (int i = 0; i < MAX_TMPDIRS; i++)
    if (live_tmpdirs[i] != NULL)
      {
        remove_dir_contents (live_tmpdirs[i]);
        rmdir (live_tmpdirs[i]);
      }
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

struct _TestServer {
  GPid   pid;
  char  *socket_path;
  gboolean reaped;
  int    status;
};

int
test_unix_connect (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      int saved = errno;
      close (fd);
      errno = saved;
      return -1;
    }
  return fd;
}

/* A server is up once its socket accepts a connection. Probing with a
 * connect would take the one-client slot of a QMP monitor, so wait for the
 * path to be a socket and rely on the server creating it ready (fake-qemu
 * renames a listening socket into place; QEMU binds and listens at once). */
static gboolean
wait_for_socket (TestServer *server, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + SERVER_START_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      GStatBuf st;
      int status;

      if (g_stat (server->socket_path, &st) == 0 && S_ISSOCK (st.st_mode))
        {
          /* QEMU creates the path at bind(), a moment before listen(). */
          g_usleep (20 * 1000);
          return TRUE;
        }
      if (waitpid (server->pid, &status, WNOHANG) == server->pid)
        {
          server->reaped = TRUE;
          server->status = status;
          g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                       "server exited (status %d) before creating %s",
                       status, server->socket_path);
          return FALSE;
        }
      g_usleep (5 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "server did not create %s in time", server->socket_path);
  return FALSE;
}

static TestServer *
spawn_server (GPtrArray    *argv,
              const char   *socket_path,
              GSpawnFlags   extra_flags,
              GError      **error)
{
  g_autoptr(TestServer) server = g_new0 (TestServer, 1);

  g_ptr_array_add (argv, NULL);
  server->socket_path = g_strdup (socket_path);
  /* A socket left behind by an earlier run would look ready at once. */
  g_unlink (socket_path);
  if (!g_spawn_async (NULL, (char **) argv->pdata, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL | extra_flags,
                      die_with_parent, NULL, &server->pid, error))
    {
      server->reaped = TRUE;
      return NULL;
    }
  if (!wait_for_socket (server, error))
    return NULL;
  return g_steal_pointer (&server);
}

TestServer *
test_server_start_fake (const char          *socket_path,
                        const char * const  *extra_args,
                        GError             **error)
{
  const char *fake = g_getenv ("FAKE_QEMU");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (fake == NULL || *fake == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "FAKE_QEMU is not set (run the tests with make check)");
      return NULL;
    }
  g_ptr_array_add (argv, (char *) fake);
  g_ptr_array_add (argv, (char *) "--socket");
  g_ptr_array_add (argv, (char *) socket_path);
  /* A fake that outlives a crashed test must not linger. */
  g_ptr_array_add (argv, (char *) "--timeout");
  g_ptr_array_add (argv, (char *) "300");
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  return spawn_server (argv, socket_path, 0, error);
}

TestServer *
test_server_start_argv (const char * const  *argv,
                        const char          *socket_path,
                        GError             **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  for (gsize i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  return spawn_server (args, socket_path, 0, error);
}

char *
test_server_sibling (const char *name)
{
  const char *fake = g_getenv ("FAKE_QEMU");
  g_autofree char *dir = NULL;
  char *path;

  if (fake == NULL)
    return NULL;
  dir = g_path_get_dirname (fake);
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_clear_pointer (&path, g_free);
  return path;
}

static char *
find_qemu (void)
{
  const char *env = g_getenv ("QEMU_SYSTEM");

  if (env != NULL && *env != '\0' && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);
  return g_find_program_in_path ("qemu-system-x86_64");
}

gboolean
test_server_have_qemu (void)
{
  g_autofree char *qemu = find_qemu ();
  return qemu != NULL;
}

TestServer *
test_server_start_qemu (const char *socket_path, GError **error)
{
  return test_server_start_qemu_machine (socket_path, "none", NULL, error);
}

TestServer *
test_server_start_qemu_machine (const char          *socket_path,
                                const char          *machine,
                                const char * const  *extra_args,
                                GError             **error)
{
  g_autofree char *qemu = find_qemu ();
  g_autofree char *qmp = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (qemu == NULL)
    return NULL;
  qmp = g_strdup_printf ("unix:%s,server=on,wait=off", socket_path);
  g_ptr_array_add (argv, qemu);
  g_ptr_array_add (argv, (char *) "-M");
  g_ptr_array_add (argv, (char *) machine);
  g_ptr_array_add (argv, (char *) "-nodefaults");
  g_ptr_array_add (argv, (char *) "-display");
  g_ptr_array_add (argv, (char *) "none");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, (char *) "-qmp");
  g_ptr_array_add (argv, qmp);
  /* QEMU reports every SIGTERM on stderr: noise in the test log. */
  return spawn_server (argv, socket_path, G_SPAWN_STDERR_TO_DEV_NULL, error);
}

pid_t
test_server_get_pid (TestServer *server)
{
  return server->pid;
}

const char *
test_server_get_socket (TestServer *server)
{
  return server->socket_path;
}

void
test_server_pause (TestServer *server)
{
  kill (server->pid, SIGSTOP);
}

void
test_server_resume (TestServer *server)
{
  kill (server->pid, SIGCONT);
}

int
test_server_wait (TestServer *server, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!server->reaped)
    {
      pid_t r = waitpid (server->pid, &server->status, WNOHANG);

      if (r == server->pid || (r < 0 && errno != EINTR))
        {
          server->reaped = TRUE;
          break;
        }
      if (g_get_monotonic_time () >= deadline)
        return -1;
      g_usleep (2 * 1000);
    }
  return server->status;
}

void
test_server_stop (TestServer *server)
{
  if (server == NULL)
    return;
  if (!server->reaped)
    {
      kill (server->pid, SIGCONT);
      kill (server->pid, SIGTERM);
      if (test_server_wait (server, 5000) == -1 && !server->reaped)
        {
          kill (server->pid, SIGKILL);
          test_server_wait (server, 5000);
        }
      g_spawn_close_pid (server->pid);
    }
  g_unlink (server->socket_path);
  g_free (server->socket_path);
  g_free (server);
}

char *
test_tmpdir_new (void)
{
  g_autoptr(GError) error = NULL;
  /* Short: sun_path holds 108 bytes. */
  char *dir = g_dir_make_tmp ("xqmp-XXXXXX", &error);
  static gboolean handler_installed;

  g_assert_no_error (error);
  if (!handler_installed)
    {
      /* g_assert() aborts, g_error() traps, a timeout terminates. */
      const int fatal[] = { SIGABRT, SIGTRAP, SIGTERM, SIGINT, SIGSEGV, SIGBUS };

      for (gsize i = 0; i < G_N_ELEMENTS (fatal); i++)
        signal (fatal[i], on_abort);
      handler_installed = TRUE;
    }
  for (int i = 0; i < MAX_TMPDIRS; i++)
    if (live_tmpdirs[i] == NULL)
      {
        live_tmpdirs[i] = g_strdup (dir);
        break;
      }
  return dir;
}

void
test_tmpdir_remove (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (dir == NULL)
    return;
  for (int i = 0; i < MAX_TMPDIRS; i++)
    if (live_tmpdirs[i] != NULL && strcmp (live_tmpdirs[i], dir) == 0)
      g_clear_pointer (&live_tmpdirs[i], g_free);
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

guint
test_count_open_fds (void)
{
  g_autoptr(GDir) d = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  /* The GDir's own descriptor was counted. */
  return n - 1;
}

gboolean
test_flock_held (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  gboolean held;

  if (fd < 0)
    return FALSE;
  held = flock (fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  close (fd);
  return held;
}
