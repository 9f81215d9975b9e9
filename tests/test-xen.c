/* test-xen.c: the Xen glue, through the real libxenstore, against each
 * xenstore daemon of the test bed: fake-xenstored, and Debian's real C
 * xenstored and oxenstored under the hypervisor stand-in
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <xenstore.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "test-server.h"
#include "xen-testbed.h"

/* The test bed's uuid of domain D (xen_testbed_uuid_of()). */
#define UUID_OF(d) "00000000-0000-4000-8000-00000000000" #d

typedef struct {
  XenTestbed        *tb;
  char              *dir;        /* the test bed's: run dir and lib dir */
  TestServer        *qemus[8];   /* by the domid of their socket */
  XenQmpHost        *host;
  struct xs_handle  *xs;         /* the test's own view of the store */
  gboolean           skipped;
} Fixture;

typedef struct {
  guint             calls;
  XenQmpErrorClass  error_class;
  GError           *error;
  gint64            completed_at;
  char              status[64];   /* query-status's "status" */
} Result;

static void
record_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
           const GError *error, gpointer user_data)
{
  Result *r = user_data;

  r->calls++;
  r->error_class = error_class;
  g_clear_error (&r->error);
  r->error = error != NULL ? g_error_copy (error) : NULL;
  r->completed_at = g_get_monotonic_time ();
  r->status[0] = '\0';
  if (response != NULL && JSON_NODE_HOLDS_OBJECT (response))
    g_strlcpy (r->status, json_object_get_string_member_with_default (
                            json_node_get_object (response), "status", ""), sizeof r->status);
}

static void
start_qemu (Fixture *f, guint32 domid)
{
  g_autofree char *path = g_strdup_printf ("%s/qmp-libxl-%u", f->dir, domid);
  g_autoptr(GError) error = NULL;

  f->qemus[domid] = test_server_start_fake (path, NULL, &error);
  g_assert_no_error (error);
}

/* A QEMU whose query-status says STATUS: tells which QEMU a command
 * reached. */
static void
start_qemu_saying (Fixture *f, guint32 domid, const char *status)
{
  g_autofree char *path = g_strdup_printf ("%s/qmp-libxl-%u", f->dir, domid);
  g_autofree char *script = g_strdup_printf ("%s/script-%u.jsonl", f->dir, domid);
  g_autofree char *text = g_strdup_printf (
    "{\"expect\":\"query-status\",\"return\":{\"status\":\"%s\",\"singlestep\":false,"
    "\"running\":false}}\n", status);
  const char *args[] = { "--script", script, "--lenient", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (script, text, -1, NULL));
  f->qemus[domid] = test_server_start_fake (path, args, &error);
  g_assert_no_error (error);
}

static XenQmpHost *
new_host (Fixture *f, XenQmpXenstoreMode mode)
{
  return g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir, "lib-dir", f->dir,
                       "xenstore", mode, NULL);
}

/* The domains every test starts with, as libxl 4.17 makes them: 2 runs
 * qemu-xen-traditional; 3 and 6 have their device models in stub domains
 * 4 and 7. No device model is running: each test starts the QEMUs it
 * needs, and plays QEMU for its state node where it matters. */
static const XenTestbedDomain domains[] = {
  { .domid = 1, .hvm = TRUE, .dm_version = "qemu_xen" },
  { .domid = 2, .hvm = TRUE, .dm_version = "qemu_xen_traditional" },
  { .domid = 3, .hvm = TRUE, .dm_version = "qemu_xen", .stubdom = 4 },
  { .domid = 5, .hvm = TRUE, .dm_version = "qemu_xen" },
  { .domid = 6, .hvm = TRUE, .dm_version = "qemu_xen", .stubdom = 7 },
};

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  XenTestbedDaemon daemon = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  f->tb = xen_testbed_new (daemon, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_test_skip (error->message);
      f->skipped = TRUE;
      return;
    }
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      XenTestbedDomain dom = domains[i];
      g_autofree char *name = g_strdup_printf ("guest-%u", dom.domid);

      dom.name = name;
      g_assert_true (xen_testbed_add_domain (f->tb, &dom, &error));
      g_assert_no_error (error);
    }
  f->dir = g_strdup (xen_testbed_get_dir (f->tb));
  /* The test bed set XENSTORED_PATH, which libxenstore reads at every
   * xs_open(). */
  f->xs = xs_open (0);
  g_assert_nonnull (f->xs);
  f->host = new_host (f, XEN_QMP_XENSTORE_AUTO);
  g_assert_true (xen_qmp_host_get_xenstore_available (f->host));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->host);
  if (f->xs != NULL)
    xs_close (f->xs);
  for (guint i = 0; i < G_N_ELEMENTS (f->qemus); i++)
    g_clear_pointer (&f->qemus[i], test_server_stop);
  g_clear_pointer (&f->tb, xen_testbed_free);
  g_free (f->dir);
}

#define SKIP_UNLESS_READY(f) G_STMT_START { if ((f)->skipped) return; } G_STMT_END

static gboolean
exec_cmd (Fixture *f, XenQmpCmd *cmd, Result *r, guint32 domid, GError **error)
{
  return xen_qmp_cmd_exec (f->host, cmd, record_cb, r, domid, "query-status", NULL, error);
}

static void
run_ok (Fixture *f, guint32 domid)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, &r, domid, &error));
  g_assert_no_error (error);
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
}

static void
test_xen_refuses_before_connecting (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  start_qemu (f, 2);
  xen_qmp_cmd_init (&cmd);

  g_assert_false (exec_cmd (f, &cmd, &r, 9, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "domain 9 does not exist"));
  g_clear_error (&error);

  /* Its socket is there, but libxl never speaks QMP to it. */
  g_assert_false (exec_cmd (f, &cmd, &r, 2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "domain 2 runs qemu-xen-traditional"));
  g_assert_false (xen_qmp_cmd_is_active (&cmd));

  run_ok (f, 1);
  spin (50);
  g_assert_cmpuint (r.calls, ==, 0);
}

/* libxl reaches a stub domain's device model by the guest's domid:
 * vchan-socket-proxy listens on qmp-libxl-<guest>. qmp-libxl-<stub> is the
 * dom0 QEMU serving the stub domain's consoles, never the guest's. */
static void
test_xen_stub_domain_reaches_guest_qemu (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  start_qemu_saying (f, 3, "guest-3-device-model");
  start_qemu_saying (f, 4, "stub-4-consoles");
  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, &r, 3, &error));
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.status, ==, "guest-3-device-model");

  /* Without the guest's socket, nothing falls back to the stub domain's. */
  g_clear_pointer (&f->qemus[3], test_server_stop);
  spin (20);
  g_assert_false (exec_cmd (f, &cmd, &r, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "domain 3 (device model in stub domain 4)"));
  g_assert_nonnull (strstr (error->message, "qmp-libxl-3"));
}

static void
write_node (Fixture *f, const char *path, const char *value)
{
  g_assert_true (xs_write (f->xs, XBT_NULL, path, value, strlen (value)));
}

static GPid
hold_lock_elsewhere (const char *path, const char *seconds)
{
  const char *argv[] = { "flock", "--exclusive", path, "sleep", seconds, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  /* flock creates the file when it holds the lock. */
  for (int i = 0; i < 1000 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (2000);
  g_usleep (50 * 1000);
  return pid;
}

static int
try_lock_elsewhere (const char *path)
{
  const char *argv[] = { "flock", "--nonblock", path, "true", NULL };
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, NULL, NULL, &status, NULL));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* Execs query-status on DOMID with XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL and
 * no timeout, and checks that it is still waiting a while later. */
static void
exec_waiting (Fixture *f, XenQmpCmd *cmd, Result *r, guint32 domid)
{
  g_autoptr(GError) error = NULL;
  guint calls = r->calls;

  xen_qmp_cmd_init (cmd);
  cmd->flags = XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL;
  g_assert_true (exec_cmd (f, cmd, r, domid, &error));
  g_assert_no_error (error);
  spin (200);
  g_assert_cmpuint (r->calls, ==, calls);
}

/* A socket file left by a QEMU that died: connect() is refused. */
static void
make_stale_socket (const char *path)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);

  g_assert_true (g_socket_bind (sock, addr, FALSE, NULL));
  g_assert_true (g_socket_close (sock, NULL));
}

/* Ready means: the socket accepts and QEMU greets, as libxl decides
 * (query-status over QMP). QEMU's state node is only a hint: a dm_restrict
 * QEMU never writes it, and it says "running" after QEMU died. */
static void
test_xen_waits_for_device_model (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->dir, "userdata-l.5." UUID_OF (5) ".qmp-socket-lock", NULL);
  g_autofree char *socket_path = g_strdup_printf ("%s/qmp-libxl-5", f->dir);
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 started_at;

  SKIP_UNLESS_READY (f);

  /* No QEMU yet: it waits, within its timeout, and says what for. */
  xen_qmp_cmd_init (&cmd);
  cmd.flags = XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL;
  cmd.timeout_ms = 300;
  g_assert_true (exec_cmd (f, &cmd, &r, 5, &error));
  RUN_UNTIL (r.calls == 1);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_test_message ("%s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "no QMP socket at"));

  /* Waiting without a timeout: libxl's lock stays free while there is
   * nothing to connect to (libxl starts the device model under it). */
  exec_waiting (f, &cmd, &r, 5);
  g_assert_cmpint (try_lock_elsewhere (lock), ==, 0);
  /* A dead QEMU's socket file: still waiting, lock still free. */
  make_stale_socket (socket_path);
  spin (300);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpint (try_lock_elsewhere (lock), ==, 0);
  /* QEMU comes, writing no state node (dm_restrict): the command runs,
   * within a retry interval. */
  g_assert_cmpint (unlink (socket_path), ==, 0);
  started_at = g_get_monotonic_time ();
  start_qemu (f, 5);
  RUN_UNTIL (r.calls == 2);
  g_assert_no_error (r.error);
  g_test_message ("ran %" G_GINT64_FORMAT " ms after QEMU listened",
                  (r.completed_at - started_at) / 1000);
  g_assert_cmpint (r.completed_at - started_at, <, 2 * G_USEC_PER_SEC);
}

/* The state node says running, but QEMU is gone: without the flag the
 * command fails at once; with it, it waits for a QEMU that accepts. */
static void
test_xen_state_node_is_no_proof (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  /* What a QEMU that has since died left. */
  write_node (f, "/local/domain/0/device-model/1/state", "running");
  xen_qmp_cmd_init (&cmd);
  g_assert_false (exec_cmd (f, &cmd, &r, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  exec_waiting (f, &cmd, &r, 1);
  start_qemu (f, 1);
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
}

/* A stub domain's device model: the guest's socket, whatever the stub
 * domain's own socket does; the state node under the stub domain only
 * makes it try at once. */
static void
test_xen_waits_for_stub_device_model (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  start_qemu_saying (f, 7, "stub-7-consoles");
  exec_waiting (f, &cmd, &r, 6);
  start_qemu_saying (f, 6, "guest-6-device-model");
  write_node (f, "/local/domain/7/device-model/6/state", "running");
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.status, ==, "guest-6-device-model");
}

/* The hypervisor says the domain is dying (VIRQ_DOM_EXC): xenstored
 * releases it and fires @releaseDomain (domain_cleanup()). Its nodes stay
 * until libxl destroys it: the release is what tells. */
static void
test_xen_domain_gone_fails_commands (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 released_at;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  start_qemu (f, 3);
  run_ok (f, 1);
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_ok (f, 3);

  /* Domain 1's QEMU wedges; then the domain dies. */
  test_server_pause (f->qemus[1]);
  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, &r, 1, &error));
  spin (50);
  released_at = g_get_monotonic_time ();
  if (xen_testbed_has_hypervisor (f->tb))
    {
      g_assert_true (xen_testbed_kill_domain (f->tb, 1, &error));
      g_assert_no_error (error);
    }
  else
    g_assert_true (xs_release_domain (f->xs, 1));
  RUN_UNTIL (r.calls == 1);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "domain 1 is gone"));
  g_assert_cmpint (r.completed_at - released_at, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&r.error);

  /* Other domains are untouched. */
  run_ok (f, 3);
}

/* As libxl checks after it gets the lock (ev_lock_child_callback()): the
 * domain may have gone while we waited, and its id been reused. */
static void
test_xen_lock_rechecks_domain (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->dir, "userdata-l.1." UUID_OF (1) ".qmp-socket-lock", NULL);
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  GPid other;
  int status;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  other = hold_lock_elsewhere (lock, "0.5");
  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, &r, 1, &error));
  spin (50);
  write_node (f, "/local/domain/1/vm", "/vm/11111111-2222-4333-8444-555555555555");
  RUN_UNTIL (r.calls == 1);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "its id now belongs to another domain"));
  g_clear_error (&r.error);
  waitpid (other, &status, 0);
  g_spawn_close_pid (other);
  spin (20);
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
}

static void
test_xen_waits_for_libxl_lock (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->dir, "userdata-l.1." UUID_OF (1) ".qmp-socket-lock", NULL);
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  GPid other;
  gint64 start;
  int status;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  other = hold_lock_elsewhere (lock, "1");

  xen_qmp_cmd_init (&cmd);
  start = g_get_monotonic_time ();
  g_assert_true (exec_cmd (f, &cmd, &r, 1, &error));
  spin (300);
  g_assert_cmpuint (r.calls, ==, 0);
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  g_assert_cmpint (r.completed_at - start, >=, 500 * 1000);
  waitpid (other, &status, 0);
  g_spawn_close_pid (other);
}

/* The same through a domain's client, with a _sync call: the lock waiter's
 * thread hands the lock over in the library's context, which the call
 * iterates alone. A timer of the application due meanwhile runs after. */
static gboolean
count_tick (gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_REMOVE;
}

static void
test_xen_sync_waits_for_libxl_lock (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->dir, "userdata-l.1." UUID_OF (1) ".qmp-socket-lock", NULL);
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(JsonNode) ret = NULL;
  g_autoptr(GError) error = NULL;
  guint ticks = 0;
  GPid other;
  gint64 start;
  int status;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  other = hold_lock_elsewhere (lock, "0.5");
  client = xen_qmp_client_new_for_domain (f->host, 1);
  xen_qmp_client_set_timeout_ms (client, 10000);
  g_timeout_add (100, count_tick, &ticks);
  start = g_get_monotonic_time ();
  ret = xen_qmp_client_execute_sync (client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ret);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  g_assert_cmpuint (ticks, ==, 0);
  RUN_UNTIL (ticks == 1);
  waitpid (other, &status, 0);
  g_spawn_close_pid (other);
}

/* libxl holds the lock; meanwhile QEMU goes away. Once the lock is ours
 * the connect fails: the command fails with the reason, and nothing reads
 * the domain's record after the failure freed it (valgrind, ASan). */
static void
test_xen_lock_then_qemu_gone (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->dir, "userdata-l.1." UUID_OF (1) ".qmp-socket-lock", NULL);
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  GPid other;
  int status;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  other = hold_lock_elsewhere (lock, "0.3");
  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, &r, 1, &error));
  g_clear_pointer (&f->qemus[1], test_server_stop);
  RUN_UNTIL (r.calls == 1);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (r.error->message, "no QMP socket at"));
  g_clear_error (&r.error);
  waitpid (other, &status, 0);
  g_spawn_close_pid (other);
}

/* A command that gave up while libxl held the lock says so, and who. */
static void
test_xen_lock_holder_named (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->dir, "userdata-l.1." UUID_OF (1) ".qmp-socket-lock", NULL);
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  GPid other;
  int status;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  other = hold_lock_elsewhere (lock, "1");
  xen_qmp_cmd_init (&cmd);
  cmd.timeout_ms = 300;
  g_assert_true (exec_cmd (f, &cmd, &r, 1, &error));
  RUN_UNTIL (r.calls == 1);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_test_message ("%s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "waiting: libxl's lock"));
  g_assert_nonnull (strstr (r.error->message, "is held by process"));
  g_assert_nonnull (strstr (r.error->message, "(flock)"));
  g_clear_error (&r.error);
  waitpid (other, &status, 0);
  g_spawn_close_pid (other);
}

static void
test_xen_holds_lock_while_connected (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->dir, "userdata-l.1." UUID_OF (1) ".qmp-socket-lock", NULL);

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_ok (f, 1);
  /* libxl (here: flock) must wait while we hold the socket ... */
  g_assert_cmpint (try_lock_elsewhere (lock), ==, 1);
  /* ... and gets it once we let go. */
  g_clear_object (&f->host);
  spin (20);
  g_assert_cmpint (try_lock_elsewhere (lock), ==, 0);
}

/* ---- xenstore values a domain could have bent ------------------------- */

static void
write_bytes (Fixture *f, const char *path, const char *value, gsize len)
{
  g_assert_true (xs_write (f->xs, XBT_NULL, path, value, len));
}

/* Domain DOMID's command fails at once: INVALID_DATA, a message holding
 * EXPECTED, valid UTF-8 whatever the store held. */
static void
assert_refused (Fixture *f, guint32 domid, const char *expected)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (&cmd);
  g_assert_false (exec_cmd (f, &cmd, &r, domid, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (strstr (error->message, expected) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expected, error->message);
  g_test_message ("%s", error->message);
}

typedef struct {
  const char *value;
  gsize       len;          /* 0: strlen (value) */
  const char *expected;
} BadValue;

/* A device-model-domid that names no stub domain of this guest changes
 * nothing that matters: the guest's own socket is used all the same, and
 * messages do not name the would-be stub domain. Domain 4 is domain 3's
 * stub domain; domain 2 has no target. */
static void
test_xen_ignores_foreign_stub_domain (Fixture *f, gconstpointer data)
{
  static const char * const stubs[] = {
    "0", "1", "2", "4", "four", "99999999999999999999", "-4", "4\xff\x1b[2J",
  };
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (stubs); i++)
    {
      write_node (f, "/local/domain/1/image/device-model-domid", stubs[i]);
      run_ok (f, 1);
    }
  g_clear_pointer (&f->qemus[1], test_server_stop);
  spin (20);
  xen_qmp_cmd_init (&cmd);
  g_assert_false (exec_cmd (f, &cmd, &r, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "domain 1: no QMP socket at"));
}

/* libxl reads a missing dm-version as qemu-xen-traditional
 * (libxl__device_model_version_running()). */
static void
test_xen_refuses_missing_dm_version (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  g_assert_true (xs_rm (f->xs, XBT_NULL, "/libxl/1/dm-version"));
  xen_qmp_cmd_init (&cmd);
  g_assert_false (exec_cmd (f, &cmd, &r, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "domain 1 has no /libxl/1/dm-version, which libxl reads as qemu-xen-traditional"));
}

/* PV and PVH domains have no device model; a QEMU serves them only for
 * backends, on the same socket. */
static void
test_xen_pv_domains (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  xen_qmp_cmd_init (&cmd);
  cmd.flags = XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL;
  write_node (f, "/libxl/1/type", "pvh");
  g_assert_false (exec_cmd (f, &cmd, &r, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "domain 1 is a PVH domain (/libxl/1/type = \"pvh\"): it has no device model"));
  g_clear_error (&error);
  write_node (f, "/libxl/1/type", "pv");
  g_assert_false (exec_cmd (f, &cmd, &r, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "domain 1 is a PV domain"));
  g_clear_error (&error);

  /* A backend QEMU (qdisk, vfb, consoles) is reached as usual. */
  start_qemu (f, 1);
  run_ok (f, 1);
  spin (20);

  write_node (f, "/libxl/1/type", "hvm\n");
  g_assert_false (exec_cmd (f, &cmd, &r, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "/libxl/1/type is \"hvm\\n\", not hvm, pv or pvh"));
}

/* The uuid names libxl's lock file: anything but "/vm/<canonical uuid>"
 * would name a file libxl never locks, or one elsewhere. */
static void
test_xen_refuses_odd_uuid (Fixture *f, gconstpointer data)
{
  static const BadValue vms[] = {
    { "/vm/00000000-0000-4000-8000-000000000001/../../../tmp/x", 0, "\"/vm/00000000-0000-4000-8000-000000000001/../../../tmp/x\"" },
    { "/vm/..", 0, "is \"/vm/..\", not \"/vm/<uuid>\"" },
    { "/vm/00000000-0000-4000-8000-00000000000A", 0, "is \"/vm/00000000-0000-4000-8000-00000000000A\"" },
    { "/vm/00000000-0000-4000-8000-0000000001", 0, "is \"/vm/00000000-0000-4000-8000-0000000001\"" },
    { "/vm/00000000x0000-4000-8000-000000000001", 0, "is \"/vm/00000000x0000-4000-8000-000000000001\"" },
    { "00000000-0000-4000-8000-000000000001", 0, "is \"00000000-0000-4000-8000-000000000001\"" },
    { "/vm/00000000-0000-4000-8000-0000000000\xff\xfe", 0, "is \"/vm/00000000-0000-4000-8000-0000000000\\377\\376\"" },
  };

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (vms); i++)
    {
      write_bytes (f, "/local/domain/1/vm", vms[i].value,
                   vms[i].len > 0 ? vms[i].len : strlen (vms[i].value));
      assert_refused (f, 1, vms[i].expected);
    }
  write_node (f, "/local/domain/1/vm", "/vm/" UUID_OF (1));
  run_ok (f, 1);
}

/* ---- libxl's lock file --------------------------------------------------- */

static char *
lock_path_of_1 (Fixture *f)
{
  return g_build_filename (f->dir, "userdata-l.1." UUID_OF (1) ".qmp-socket-lock", NULL);
}

static void
assert_lock_refused (Fixture *f, gint code, const char *expected)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (&cmd);
  g_assert_false (exec_cmd (f, &cmd, &r, 1, &error));
  g_assert_error (error, G_IO_ERROR, code);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expected, error->message);
}

/* A link planted at the lock's path must not make us create, or lock,
 * its target (we run as root; the directory is readable by all). */
static void
test_xen_lock_refuses_symlink (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = lock_path_of_1 (f);
  g_autofree char *target = g_build_filename (f->dir, "planted-target", NULL);

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  g_assert_cmpint (symlink (target, lock), ==, 0);
  assert_lock_refused (f, G_IO_ERROR_TOO_MANY_LINKS, "a symbolic link");
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
}

/* Created without group or world access, and removed on release, as
 * libxl removes it. */
static void
test_xen_lock_file_private (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = lock_path_of_1 (f);
  struct stat st;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  umask (0);
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_ok (f, 1);
  umask (022);
  g_assert_cmpint (stat (lock, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_clear_object (&f->host);
  spin (20);
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
}

/* No lock file piles up: each is removed when its connection closes,
 * as libxl removes its own (libxl__ev_slowlock_unlock()). */
static void
test_xen_lock_files_do_not_pile_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  start_qemu (f, 3);
  for (int i = 0; i < 3; i++)
    {
      run_ok (f, 1);
      run_ok (f, 3);
      spin (20);
    }
  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "userdata-l."))
      g_error ("%s left behind", name);
}

/* A child forked (without exec) while the lock is held shares its
 * descriptor: the lock must be given back explicitly, not only by
 * close(), or libxl, already waiting in flock() on the file, would wait
 * for as long as that child lives. */
static void
test_xen_lock_released_despite_fork (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = lock_path_of_1 (f);
  const char *argv[] = { "flock", "--exclusive", NULL, "true", NULL };
  g_autoptr(GError) error = NULL;
  GPid waiter;
  pid_t child;
  gint64 released_at;
  int status;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_ok (f, 1);
  argv[2] = lock;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &waiter, &error));
  g_assert_no_error (error);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      struct timespec three_seconds = { 3, 0 };

      nanosleep (&three_seconds, NULL);
      _exit (0);
    }
  g_usleep (100 * 1000);
  released_at = g_get_monotonic_time ();
  g_clear_object (&f->host);
  g_assert_cmpint (waitpid (waiter, &status, 0), ==, waiter);
  g_test_message ("the waiter got the lock %" G_GINT64_FORMAT " ms after the release",
                  (g_get_monotonic_time () - released_at) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - released_at, <, 1500 * 1000);
  g_spawn_close_pid (waiter);
  kill (child, SIGKILL);
  waitpid (child, &status, 0);
}

/* What is at the path must be a regular file of root's or ours: another
 * user's file lets that user hold QMP to the domain; a FIFO is nothing to
 * lock (and opening one must not wait). */
static void
test_xen_lock_refuses_foreign_file (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = lock_path_of_1 (f);

  SKIP_UNLESS_READY (f);
  start_qemu (f, 1);
  g_assert_cmpint (mkfifo (lock, 0600), ==, 0);
  assert_lock_refused (f, G_IO_ERROR_NOT_REGULAR_FILE, "not a regular file");
  g_assert_cmpint (unlink (lock), ==, 0);

  if (geteuid () != 0)
    {
      g_test_message ("not root: cannot make a file of another user's");
      return;
    }
  g_assert_true (g_file_set_contents (lock, "", 0, NULL));
  g_assert_cmpint (chown (lock, 65534, 65534), ==, 0);
  assert_lock_refused (f, G_IO_ERROR_PERMISSION_DENIED, "owned by uid 65534");
}

static void
test_xen_without_xenstore (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpHost) off = NULL;
  g_autoptr(XenQmpHost) required = NULL;
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;

  SKIP_UNLESS_READY (f);
  start_qemu (f, 2);

  /* off: the run dir alone, even with a store around; domain 2's QEMU is
   * reached although xenstore says qemu-xen-traditional. */
  off = new_host (f, XEN_QMP_XENSTORE_OFF);
  g_assert_false (xen_qmp_host_get_xenstore_available (off));
  g_clear_object (&f->host);
  f->host = g_object_ref (off);
  run_ok (f, 2);

  /* No store reachable: auto works from the run dir and says so; required
   * refuses every command with the reason. */
  missing = g_build_filename (f->dir, "no-xenstored-here", NULL);
  g_setenv ("XENSTORED_PATH", missing, TRUE);
  g_clear_object (&f->host);
  f->host = new_host (f, XEN_QMP_XENSTORE_AUTO);
  g_assert_false (xen_qmp_host_get_xenstore_available (f->host));
  run_ok (f, 2);

  required = new_host (f, XEN_QMP_XENSTORE_REQUIRED);
  xen_qmp_cmd_init (&cmd);
  g_assert_false (xen_qmp_cmd_exec (required, &cmd, record_cb, &r, 2, "query-status",
                                    NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_nonnull (strstr (error->message, "xenstore is required"));
  g_assert_nonnull (strstr (error->message, missing));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) G_STMT_START {                                        \
    g_autofree char *path = g_strdup_printf ("/xen/%s/%s", xen_testbed_daemon_name (daemon), name); \
    g_test_add (path, Fixture, GINT_TO_POINTER (daemon), fixture_setup, func, fixture_teardown); \
  } G_STMT_END
  for (XenTestbedDaemon daemon = XEN_TESTBED_FAKE; daemon <= XEN_TESTBED_OXENSTORED; daemon++)
    {
      ADD ("refuses-before-connecting", test_xen_refuses_before_connecting);
      ADD ("stub-domain-reaches-guest-qemu", test_xen_stub_domain_reaches_guest_qemu);
      ADD ("waits-for-device-model", test_xen_waits_for_device_model);
      ADD ("state-node-is-no-proof", test_xen_state_node_is_no_proof);
      ADD ("waits-for-stub-device-model", test_xen_waits_for_stub_device_model);
      ADD ("domain-gone-fails-commands", test_xen_domain_gone_fails_commands);
      ADD ("lock-rechecks-domain", test_xen_lock_rechecks_domain);
      ADD ("waits-for-libxl-lock", test_xen_waits_for_libxl_lock);
      ADD ("sync-waits-for-libxl-lock", test_xen_sync_waits_for_libxl_lock);
      ADD ("lock-then-qemu-gone", test_xen_lock_then_qemu_gone);
      ADD ("lock-holder-named", test_xen_lock_holder_named);
      ADD ("holds-lock-while-connected", test_xen_holds_lock_while_connected);
      ADD ("without-xenstore", test_xen_without_xenstore);
      ADD ("ignores-foreign-stub-domain", test_xen_ignores_foreign_stub_domain);
      ADD ("refuses-missing-dm-version", test_xen_refuses_missing_dm_version);
      ADD ("pv-domains", test_xen_pv_domains);
      ADD ("refuses-odd-uuid", test_xen_refuses_odd_uuid);
      ADD ("lock-refuses-symlink", test_xen_lock_refuses_symlink);
      ADD ("lock-file-private", test_xen_lock_file_private);
      ADD ("lock-files-do-not-pile-up", test_xen_lock_files_do_not_pile_up);
      ADD ("lock-released-despite-fork", test_xen_lock_released_despite_fork);
      ADD ("lock-refuses-foreign-file", test_xen_lock_refuses_foreign_file);
    }
#undef ADD
  return g_test_run ();
}
