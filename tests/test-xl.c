/* test-xl.c: real xl (libxl 4.17) and the library on the same domain
 *
 * One domain, one real QEMU on <dir>/qmp-libxl-<domid>, Debian's C
 * xenstored under the hypervisor stand-in, and both toolstacks at once:
 * xl's commands and ours take libxl's QMP socket lock in turn
 * (libxl_internal.c libxl__ev_slowlock_lock(), "qmp-socket-lock"),
 * neither fails, neither waits longer than the other's operation, and no
 * lock file is left behind (libxl__ev_slowlock_unlock() deletes it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "test-server.h"
#include "xen-testbed.h"

#define DOMID 3
/* How long the tests keep QEMU stopped, so that the other side waits. */
#define HOLD_MS 300

typedef struct {
  XenTestbed  *tb;
  TestServer  *qemu;
  XenQmpHost  *host;
  char        *lock;       /* libxl's lock file of DOMID */
} Fixture;

typedef struct {
  guint     calls;
  GError   *error;
  JsonNode *response;
  gint64    completed_at;
} Result;

static void
record_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
           const GError *error, gpointer user_data)
{
  Result *r = user_data;

  r->calls++;
  r->error = error != NULL ? g_error_copy (error) : NULL;
  r->response = response != NULL ? json_node_copy (response) : NULL;
  r->completed_at = g_get_monotonic_time ();
}

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  g_clear_pointer (&r->response, json_node_unref);
}

static gboolean
setup (Fixture *f)
{
  XenTestbedDomain dom = { DOMID, "guest", NULL, TRUE, "qemu_xen", 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *qmp_path = NULL;
  g_autofree char *qmp = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *qemu = NULL;
  const char *xl_args[] = { "list", NULL };

  memset (f, 0, sizeof *f);
  if (!test_server_have_qemu ())
    {
      g_test_skip ("no qemu-system-x86_64");
      return FALSE;
    }
  f->tb = xen_testbed_new (XEN_TESTBED_XENSTORED, &error);
  if (f->tb == NULL || !xen_testbed_run_xl (f->tb, xl_args, NULL, NULL, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        g_error ("%s", error->message);
      g_test_skip (error->message);
      return FALSE;
    }
  g_assert_true (xen_testbed_add_domain (f->tb, &dom, &error));
  g_assert_no_error (error);
  /* QEMU as libxl starts it for an HVM guest: stopped (-S), with room for
   * a second vcpu, one socket per vcpu as libxl's device_add expects
   * (libxl_domain.c set_vcpuonline_qmp_add_cpu()). A machine with CPUs,
   * because -M none has no query-hotpluggable-cpus. */
  qmp_path = g_strdup_printf ("%s/qmp-libxl-%u", xen_testbed_get_dir (f->tb), DOMID);
  qmp = g_strdup_printf ("unix:%s,server=on,wait=off", qmp_path);
  qemu = g_strdup (g_getenv ("QEMU_SYSTEM") != NULL && *g_getenv ("QEMU_SYSTEM") != '\0'
                   ? g_getenv ("QEMU_SYSTEM") : "qemu-system-x86_64");
  {
    const char *argv[] = { qemu, "-M", "pc", "-S", "-smp", "1,maxcpus=2,sockets=2,cores=1,threads=1",
                           "-nodefaults", "-display", "none", "-qmp", qmp, NULL };

    f->qemu = test_server_start_argv (argv, qmp_path, &error);
    g_assert_no_error (error);
  }
  /* What QEMU with Xen writes once it runs; this QEMU has no Xen. */
  g_assert_true (xs_write (xen_testbed_get_xs (f->tb), XBT_NULL,
                           "/local/domain/0/device-model/3/state", "running", 7));
  f->host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", xen_testbed_get_dir (f->tb),
                          "lib-dir", xen_testbed_get_dir (f->tb),
                          "xenstore", XEN_QMP_XENSTORE_REQUIRED, NULL);
  uuid = xen_testbed_uuid_of (DOMID);
  f->lock = g_strdup_printf ("%s/userdata-l.%u.%s.qmp-socket-lock", xen_testbed_get_dir (f->tb),
                             DOMID, uuid);
  return TRUE;
}

static void
teardown (Fixture *f)
{
  g_clear_object (&f->host);
  g_clear_pointer (&f->qemu, test_server_stop);
  g_clear_pointer (&f->tb, xen_testbed_free);
  g_free (f->lock);
}

static void
exec_ours (Fixture *f, XenQmpCmd *cmd, Result *r, const char *command)
{
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (cmd);
  g_assert_true (xen_qmp_cmd_exec (f->host, cmd, record_cb, r, DOMID, command, NULL, &error));
  g_assert_no_error (error);
}

static XenTestbedXl *
start_xl_monitor_command (Fixture *f)
{
  g_autofree char *domid = g_strdup_printf ("%u", DOMID);
  const char *args[] = { "qemu-monitor-command", domid, "info status", NULL };
  g_autoptr(GError) error = NULL;
  XenTestbedXl *xl = xen_testbed_xl_start (f->tb, args, &error);

  g_assert_no_error (error);
  return xl;
}

/* Waits for XL while the main context runs (our commands need it), then
 * checks that it succeeded; returns when it exited. */
static gint64
finish_xl (XenTestbedXl *xl, const char *expected_out)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  gint64 exited;
  int status = -1;

  RUN_UNTIL (xen_testbed_xl_done (xl));
  exited = g_get_monotonic_time ();
  g_assert_true (xen_testbed_xl_finish (xl, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (status != 0 || (expected_out != NULL && strstr (out, expected_out) == NULL))
    g_error ("xl failed (status %d): %s%s", status, out, err);
  return exited;
}

/* Whether someone else holds an flock() on PATH. */
static gboolean
lock_held (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  gboolean held;

  if (fd < 0)
    return FALSE;
  held = flock (fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  close (fd);
  return held;
}

static void
assert_no_lock_file (Fixture *f, const char *after)
{
  if (g_file_test (f->lock, G_FILE_TEST_EXISTS))
    g_error ("%s left its lock file behind: %s", after, f->lock);
}

static void
test_xl_monitor_command (void)
{
  Fixture f;
  gint64 t0;

  if (!setup (&f))
    return;
  t0 = g_get_monotonic_time ();
  finish_xl (start_xl_monitor_command (&f), "VM status: paused");
  g_test_message ("xl qemu-monitor-command alone: %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  assert_no_lock_file (&f, "xl");
  teardown (&f);
}

/* Ours holds libxl's lock, waiting for a stopped QEMU; xl waits for the
 * lock, then gets it as soon as ours lets go, and succeeds. */
static void
test_xl_while_ours_holds_lock (void)
{
  Fixture f;
  XenQmpCmd cmd;
  Result r = { 0 };
  XenTestbedXl *xl;
  gint64 t0, xl_exited;

  if (!setup (&f))
    return;
  test_server_pause (f.qemu);
  t0 = g_get_monotonic_time ();
  exec_ours (&f, &cmd, &r, "query-status");
  RUN_UNTIL (lock_held (f.lock));
  xl = start_xl_monitor_command (&f);
  spin (HOLD_MS);
  g_assert_false (xen_testbed_xl_done (xl));
  g_assert_cmpuint (r.calls, ==, 0);
  test_server_resume (f.qemu);
  xl_exited = finish_xl (xl, "VM status: paused");
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_no_error (r.error);
  g_test_message ("ours done after %.1f ms (QEMU stopped for %d ms); xl done %.1f ms after ours",
                  (r.completed_at - t0) / 1000.0, HOLD_MS, (xl_exited - r.completed_at) / 1000.0);
  /* xl needs a few ms on its own: 1 s is for busy machines. */
  g_assert_cmpint (xl_exited - r.completed_at, <, G_USEC_PER_SEC);
  assert_no_lock_file (&f, "xl after ours");
  result_clear (&r);
  teardown (&f);
}

/* xl holds libxl's lock, waiting for a stopped QEMU; ours waits for the
 * lock, then runs as soon as xl lets go. */
static void
test_ours_while_xl_holds_lock (void)
{
  Fixture f;
  XenQmpCmd cmd;
  Result r = { 0 };
  XenTestbedXl *xl;
  gint64 t0, xl_exited;

  if (!setup (&f))
    return;
  test_server_pause (f.qemu);
  xl = start_xl_monitor_command (&f);
  RUN_UNTIL (lock_held (f.lock));
  t0 = g_get_monotonic_time ();
  exec_ours (&f, &cmd, &r, "query-status");
  spin (HOLD_MS);
  g_assert_cmpuint (r.calls, ==, 0);
  test_server_resume (f.qemu);
  xl_exited = finish_xl (xl, "VM status: paused");
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  g_test_message ("xl done %.1f ms after ours was issued; ours done %.1f ms after xl",
                  (xl_exited - t0) / 1000.0, (r.completed_at - xl_exited) / 1000.0);
  /* The library retries a busy lock at most every 100 ms. */
  g_assert_cmpint (r.completed_at - xl_exited, <, G_USEC_PER_SEC);
  spin (20);
  assert_no_lock_file (&f, "ours after xl");
  result_clear (&r);
  teardown (&f);
}

/* xl vcpu-set adds a vcpu through QMP (query-cpus-fast,
 * query-hotpluggable-cpus, device_add); ours sees it right after. */
static void
test_xl_vcpu_set_then_ours (void)
{
  g_autofree char *domid = g_strdup_printf ("%u", DOMID);
  const char *args[] = { "vcpu-set", domid, "2", NULL };
  g_autoptr(GError) error = NULL;
  Fixture f;
  XenQmpCmd cmd;
  Result r = { 0 };
  XenTestbedXl *xl;

  if (!setup (&f))
    return;
  xl = xen_testbed_xl_start (f.tb, args, &error);
  g_assert_no_error (error);
  finish_xl (xl, NULL);
  assert_no_lock_file (&f, "xl vcpu-set");
  exec_ours (&f, &cmd, &r, "query-cpus-fast");
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (r.response)), ==, 2);
  spin (20);
  assert_no_lock_file (&f, "ours");
  result_clear (&r);
  teardown (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xl/monitor-command", test_xl_monitor_command);
  g_test_add_func ("/xl/xl-while-ours-holds-lock", test_xl_while_ours_holds_lock);
  g_test_add_func ("/xl/ours-while-xl-holds-lock", test_ours_while_xl_holds_lock);
  g_test_add_func ("/xl/vcpu-set-then-ours", test_xl_vcpu_set_then_ours);
  return g_test_run ();
}
