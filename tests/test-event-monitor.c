/* test-event-monitor.c: a dedicated QMP monitor for event followers, as an
 * administrator adds it with xl.cfg's device_model_args_hvm
 * (docs/event-monitor.md), against the real QEMU 7.2
 *
 * QEMU sends every event to every QMP monitor in command mode, so a
 * follower on its own monitor sees what libxl's commands on the main one
 * cause, without taking the main socket's one-client slot. These tests
 * pin down the QEMU behaviour the library relies on: with the exact option
 * strings of the documented xl.cfg lines, beside libxl's own monitors,
 * and under libxl's dm_restrict options (-chroot, -runas).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include "xenqmp.h"
#include "test-fds.h"
#include "test-loop.h"
#include "test-server.h"
#include "test-backend.h"

/* The chardev id of docs/event-monitor.md: none of libxl 4.17's
 * (libxl_dm.c, libxl__build_device_model_args_new(): libxl-cmd,
 * libxenstat-cmd, libxl-channel<N>, vdagent, usbrc<N>). */
#define EVENTS_CHARDEV "libxenqmp-events"
#define GUEST_NAME     "guest1"
#define CLIENT_TIMEOUT_MS 10000
/* How long "nothing arrives" is watched for. */
#define QUIET_MS 300

typedef struct {
  char       *dir;            /* the run dir: /var/run/xen on a host */
  char       *main_socket;    /* qmp-libxl-1: libxl's */
  char       *events_socket;  /* qmp-events-<name>: the dedicated one */
  char       *chroot_dir;     /* qemu-root-1, with dm_restrict */
  TestServer *server;
  gboolean    skipped;
  GPtrArray  *fds;            /* open when the test started */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->fds = test_fds_snapshot ();
  if (!test_backend_available (BACKEND_QEMU))
    {
      f->skipped = TRUE;
      return;
    }
  f->dir = test_tmpdir_new ();
  f->main_socket = g_build_filename (f->dir, "qmp-libxl-1", NULL);
  f->events_socket = g_build_filename (f->dir, "qmp-events-" GUEST_NAME, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  /* Connections close from the main context. */
  spin (50);
  g_clear_pointer (&f->server, test_server_stop);
  test_tmpdir_remove (f->chroot_dir);
  test_tmpdir_remove (f->dir);
  g_free (f->chroot_dir);
  g_free (f->dir);
  g_free (f->main_socket);
  g_free (f->events_socket);
  test_fds_assert_no_leak (g_steal_pointer (&f->fds));
}

#define SKIP_UNLESS_READY(f) G_STMT_START { if ((f)->skipped) return; } G_STMT_END

/* The dm_restrict tests need root, as libxl does, and the user QEMU drops
 * to; otherwise they skip, saying why. */
static gboolean
skip_unless_root (Fixture *f)
{
  if (f->skipped)
    return FALSE;
  if (getuid () != 0)
    {
      g_test_skip ("not root: -chroot and -runas need root, as under libxl");
      f->skipped = TRUE;
      return FALSE;
    }
  if (getpwnam ("nobody") == NULL)
    {
      g_test_skip ("no user nobody to give -runas");
      f->skipped = TRUE;
      return FALSE;
    }
  return TRUE;
}

/* QEMU as libxl 4.17 starts it for domain 1 (libxl_dm.c,
 * libxl__build_device_model_args_new()): its second monitor for
 * libxenstat, -no-user-config, -name, then with dm_restrict -chroot, then
 * device_model_args_hvm with the xl.cfg lines' exact strings, then -runas
 * last. The main monitor is test-server.c's -qmp on MAIN_SOCKET, which is
 * what libxl's -chardev socket,id=libxl-cmd,... -mon chardev=libxl-cmd,
 * mode=control amounts to. */
static TestServer *
start_qemu (Fixture *f, const char *main_socket, const char *name, gboolean restrict_dm)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  TestServer *server;
  GStatBuf st;

  g_ptr_array_add (args, g_strdup ("-chardev"));
  g_ptr_array_add (args, g_strdup_printf ("socket,id=libxenstat-cmd,path=%s/qmp-libxenstat-1,"
                                          "server=on,wait=off", f->dir));
  g_ptr_array_add (args, g_strdup ("-mon"));
  g_ptr_array_add (args, g_strdup ("chardev=libxenstat-cmd,mode=control"));
  g_ptr_array_add (args, g_strdup ("-no-user-config"));
  g_ptr_array_add (args, g_strdup ("-name"));
  g_ptr_array_add (args, g_strdup (name));
  if (restrict_dm)
    {
      g_ptr_array_add (args, g_strdup ("-chroot"));
      g_ptr_array_add (args, g_strdup (f->chroot_dir));
    }
  /* device_model_args_hvm = [ "-chardev", "socket,id=libxenqmp-events,
   * path=/var/run/xen/qmp-events-NAME,server=on,wait=off", "-mon",
   * "chardev=libxenqmp-events,mode=control" ] */
  g_ptr_array_add (args, g_strdup ("-chardev"));
  g_ptr_array_add (args, g_strdup_printf ("socket,id=" EVENTS_CHARDEV ",path=%s,server=on,wait=off",
                                          f->events_socket));
  g_ptr_array_add (args, g_strdup ("-mon"));
  g_ptr_array_add (args, g_strdup ("chardev=" EVENTS_CHARDEV ",mode=control"));
  if (restrict_dm)
    {
      g_ptr_array_add (args, g_strdup ("-runas"));
      g_ptr_array_add (args, g_strdup ("nobody"));
    }
  g_ptr_array_add (args, NULL);

  server = test_server_start_qemu_machine (main_socket, "none",
                                           (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server);
  /* QEMU creates the chardevs in command-line order, -qmp's last. */
  g_assert_cmpint (g_stat (f->events_socket, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  return server;
}

static JsonObject *
command_line (const char *hmp)
{
  JsonObject *args = json_object_new ();

  json_object_set_string_member (args, "command-line", hmp);
  return args;
}

static void
execute_ok (XenQmpClient *client, const char *command, JsonObject *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;

  ret = xen_qmp_client_execute_sync (client, command, args, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ret);
  if (args != NULL)
    json_object_unref (args);
}

/* stop, cont, and the same as `xl qemu-monitor-command` sends them. */
static void
stop_cont_both_ways (XenQmpClient *main_client)
{
  execute_ok (main_client, "stop", NULL);
  execute_ok (main_client, "cont", NULL);
  execute_ok (main_client, "human-monitor-command", command_line ("stop"));
  execute_ok (main_client, "human-monitor-command", command_line ("cont"));
}

static XenQmpClient *
connect_client (const char *socket_path)
{
  g_autoptr(GError) error = NULL;
  XenQmpClient *client = xen_qmp_client_new_for_socket (socket_path);

  xen_qmp_client_set_timeout_ms (client, CLIENT_TIMEOUT_MS);
  g_assert_true (xen_qmp_client_connect_sync (client, NULL, &error));
  g_assert_no_error (error);
  return client;
}

static void
close_client (XenQmpClient *client)
{
  xen_qmp_client_close (client);
  g_object_unref (client);
  spin (20);
}

static void
on_event (XenQmpClient *client, const char *name, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (name));
}

static void
assert_names (GPtrArray *names, const char * const *expected)
{
  g_assert_cmpuint (names->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < names->len; i++)
    g_assert_cmpstr (names->pdata[i], ==, expected[i]);
}

static const char * const stop_resume_twice[] = { "STOP", "RESUME", "STOP", "RESUME", NULL };

/* Runs the main context, then fails unless exactly EXPECTED arrived. */
static void
wait_for_events (GPtrArray *names, const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  RUN_UNTIL (names->len >= n);
  spin (QUIET_MS / 3);
  assert_names (names, expected);
}

static char *
query_name (XenQmpClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;

  ret = xen_qmp_client_execute_sync (client, "query-name", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (ret), "name"));
}

/* ---- raw sockets, for what the client hides: the handshake ---------- */

/* Reads from FD until a "\n" or WITHIN_MS pass; returns what came. */
static char *
raw_read_line (int fd, guint within_ms)
{
  g_autoptr(GString) got = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) within_ms * 1000;

  while (strchr (got->str, '\n') == NULL)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      char c;

      if (left <= 0 || poll (&p, 1, (int) left) <= 0)
        break;
      if (read (fd, &c, 1) != 1)
        break;
      g_string_append_c (got, c);
    }
  return g_string_free (g_steal_pointer (&got), FALSE);
}

static int
raw_connect (const char *path)
{
  int fd = test_unix_connect (path);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* QEMU's greeting is the next line on FD. */
static void
assert_greeted (int fd)
{
  g_autofree char *greeting = raw_read_line (fd, CLIENT_TIMEOUT_MS);

  g_assert_true (g_str_has_prefix (greeting, "{\"QMP\": "));
}

/* Nothing comes on FD for QUIET_MS. */
static void
assert_nothing_sent (int fd)
{
  g_autofree char *got = raw_read_line (fd, QUIET_MS);

  g_assert_cmpstr (got, ==, "");
}

static void
raw_send (int fd, const char *text)
{
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
}

static void
assert_refused (const char *path)
{
  int fd = test_unix_connect (path);

  if (fd >= 0)
    close (fd);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, ECONNREFUSED);
}

/* ---------------------------------------------------------------------- */

/* (a) The documented lines as they are: the follower on the dedicated
 * monitor sees, in order, the events that commands on the main monitor
 * cause, while a client holds the main one. */
static void
test_events_from_main_monitor (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) followed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) on_main = g_ptr_array_new_with_free_func (g_free);
  XenQmpClient *main_client, *follower;
  g_autofree char *name = NULL;

  SKIP_UNLESS_READY (f);
  f->server = start_qemu (f, f->main_socket, GUEST_NAME, FALSE);
  main_client = connect_client (f->main_socket);
  /* The main monitor's one-client slot is taken: the follower does not
   * need it. */
  follower = connect_client (f->events_socket);
  g_signal_connect (follower, "event", G_CALLBACK (on_event), followed);
  g_signal_connect (main_client, "event", G_CALLBACK (on_event), on_main);

  stop_cont_both_ways (main_client);
  wait_for_events (followed, stop_resume_twice);
  wait_for_events (on_main, stop_resume_twice);

  /* A full QMP monitor of the same QEMU, not only an event feed. */
  name = query_name (follower);
  g_assert_cmpstr (name, ==, GUEST_NAME);

  close_client (follower);
  close_client (main_client);
  /* Not chrooted, QEMU removes its socket files when it exits. */
  g_clear_pointer (&f->server, test_server_stop);
  g_assert_false (g_file_test (f->events_socket, G_FILE_TEST_EXISTS));
}

/* QEMU sends events only to a monitor in command mode: none before
 * qmp_capabilities, and none kept for later. */
static void
test_no_events_before_capabilities (Fixture *f, gconstpointer data)
{
  XenQmpClient *main_client;
  g_autofree char *reply = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  int raw;

  SKIP_UNLESS_READY (f);
  f->server = start_qemu (f, f->main_socket, GUEST_NAME, FALSE);
  main_client = connect_client (f->main_socket);
  raw = raw_connect (f->events_socket);
  assert_greeted (raw);

  stop_cont_both_ways (main_client);
  assert_nothing_sent (raw);

  raw_send (raw, "{\"execute\": \"qmp_capabilities\"}");
  reply = raw_read_line (raw, CLIENT_TIMEOUT_MS);
  g_assert_cmpstr (reply, ==, "{\"return\": {}}\r\n");

  execute_ok (main_client, "stop", NULL);
  execute_ok (main_client, "cont", NULL);
  first = raw_read_line (raw, CLIENT_TIMEOUT_MS);
  second = raw_read_line (raw, CLIENT_TIMEOUT_MS);
  g_assert_nonnull (strstr (first, "\"event\": \"STOP\""));
  g_assert_nonnull (strstr (second, "\"event\": \"RESUME\""));

  close (raw);
  close_client (main_client);
}

/* The dedicated monitor too serves one client at a time: a second
 * follower connects but is greeted only when the first leaves. */
static void
test_one_follower_at_a_time (Fixture *f, gconstpointer data)
{
  XenQmpClient *follower;
  int second;

  SKIP_UNLESS_READY (f);
  f->server = start_qemu (f, f->main_socket, GUEST_NAME, FALSE);
  follower = connect_client (f->events_socket);
  second = raw_connect (f->events_socket);
  assert_nothing_sent (second);

  close_client (follower);
  assert_greeted (second);
  close (second);
}

static uid_t
process_uid (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "\nUid:\t");
  g_assert_nonnull (line);
  return (uid_t) g_ascii_strtoull (line + strlen ("\nUid:\t"), NULL, 10);
}

/* (b) Under libxl's dm_restrict options: the socket is bound before QEMU
 * chroots and drops to another user, outside the chroot, owned by root
 * with the mode the umask gives; it goes on accepting one follower after
 * another, each seeing the events; and, chrooted, QEMU cannot remove it
 * when it exits. */
static void
test_dm_restrict (Fixture *f, gconstpointer data)
{
  struct passwd *nobody;
  g_autofree char *root_link = NULL;
  g_autofree char *proc_root = NULL;
  XenQmpClient *main_client;
  mode_t mask;
  GStatBuf st;
  pid_t pid;

  if (!skip_unless_root (f))
    return;
  nobody = getpwnam ("nobody");
  /* As libxl makes <run dir>/qemu-root-<domid>: empty, mode 0000. */
  f->chroot_dir = test_tmpdir_new ();
  g_assert_cmpint (g_chmod (f->chroot_dir, 0000), ==, 0);
  f->server = start_qemu (f, f->main_socket, GUEST_NAME, TRUE);
  pid = test_server_get_pid (f->server);

  /* QEMU changes root and user once set up, after binding its sockets. */
  proc_root = g_strdup_printf ("/proc/%d/root", (int) pid);
  RUN_UNTIL (process_uid (pid) == nobody->pw_uid);
  root_link = g_file_read_link (proc_root, NULL);
  g_assert_cmpstr (root_link, ==, f->chroot_dir);

  mask = umask (022);
  umask (mask);
  g_assert_cmpint (g_stat (f->events_socket, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpuint (st.st_uid, ==, 0);
  g_assert_cmpuint (st.st_gid, ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0777 & ~mask);

  main_client = connect_client (f->main_socket);
  for (int round = 0; round < 3; round++)
    {
      g_autoptr(GPtrArray) followed = g_ptr_array_new_with_free_func (g_free);
      XenQmpClient *follower = connect_client (f->events_socket);

      g_test_message ("follower %d", round + 1);
      g_signal_connect (follower, "event", G_CALLBACK (on_event), followed);
      stop_cont_both_ways (main_client);
      wait_for_events (followed, stop_resume_twice);
      close_client (follower);
    }
  close_client (main_client);

  /* Exited, QEMU has left its socket files behind: it unlinks the path
   * inside its chroot. Nothing listens any more. */
  g_clear_pointer (&f->server, test_server_stop);
  g_assert_cmpint (g_stat (f->events_socket, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  assert_refused (f->events_socket);
}

/* (c) A stale socket file at the path is replaced when QEMU starts: the
 * next domain of the same name is reachable. Here the stale file is left
 * by a QEMU that was killed (SIGKILL: it could not remove it), as a
 * chrooted one leaves it when it exits. */
static void
test_stale_socket_replaced (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) followed = g_ptr_array_new_with_free_func (g_free);
  XenQmpClient *main_client, *follower;
  GStatBuf st;

  SKIP_UNLESS_READY (f);
  f->server = start_qemu (f, f->main_socket, GUEST_NAME, FALSE);
  kill (test_server_get_pid (f->server), SIGKILL);
  g_assert_true (WIFSIGNALED (test_server_wait (f->server, CLIENT_TIMEOUT_MS)));
  g_clear_pointer (&f->server, test_server_stop);
  g_assert_cmpint (g_stat (f->events_socket, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  assert_refused (f->events_socket);

  f->server = start_qemu (f, f->main_socket, GUEST_NAME, FALSE);
  main_client = connect_client (f->main_socket);
  follower = connect_client (f->events_socket);
  g_signal_connect (follower, "event", G_CALLBACK (on_event), followed);
  stop_cont_both_ways (main_client);
  wait_for_events (followed, stop_resume_twice);
  close_client (follower);
  close_client (main_client);
}

/* Two QEMUs given the same path (a name used twice, as during a
 * migration on one host, where both QEMUs live at once): the second takes
 * the path over, and the first, exiting, removes the second's socket
 * file, though the second still runs. */
static void
test_same_path_taken_over (Fixture *f, gconstpointer data)
{
  g_autofree char *second_main = NULL;
  g_autofree char *name = NULL;
  TestServer *second;
  XenQmpClient *follower;

  SKIP_UNLESS_READY (f);
  second_main = g_build_filename (f->dir, "qmp-libxl-2", NULL);
  f->server = start_qemu (f, f->main_socket, GUEST_NAME, FALSE);
  second = start_qemu (f, second_main, GUEST_NAME "--incoming", FALSE);

  follower = connect_client (f->events_socket);
  name = query_name (follower);
  g_assert_cmpstr (name, ==, GUEST_NAME "--incoming");
  close_client (follower);

  g_clear_pointer (&f->server, test_server_stop);
  g_assert_false (g_file_test (f->events_socket, G_FILE_TEST_EXISTS));
  g_assert_cmpint (kill (test_server_get_pid (second), 0), ==, 0);
  test_server_stop (second);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_fds_warm_up ();

#define ADD(name, func) g_test_add ("/event-monitor/qemu/" name, Fixture, NULL, \
                                    fixture_setup, func, fixture_teardown)
  ADD ("events-from-main-monitor", test_events_from_main_monitor);
  ADD ("no-events-before-capabilities", test_no_events_before_capabilities);
  ADD ("one-follower-at-a-time", test_one_follower_at_a_time);
  ADD ("dm-restrict-chroot-runas", test_dm_restrict);
  ADD ("stale-socket-replaced", test_stale_socket_replaced);
  ADD ("same-path-taken-over", test_same_path_taken_over);
#undef ADD
  return g_test_run ();
}
