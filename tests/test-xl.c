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

#include <string.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "xl-fixture.h"

/* How long the tests keep QEMU stopped, so that the other side waits. */
#define HOLD_MS 300

static void
test_xl_monitor_command (void)
{
  XlFixture f;
  gint64 t0;

  if (!xl_fixture_setup (&f, FALSE))
    return;
  t0 = g_get_monotonic_time ();
  xl_finish (xl_start_monitor_command (&f, "info status"), "VM status: paused");
  g_test_message ("xl qemu-monitor-command alone: %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  xl_assert_no_lock_file (&f, "xl");
  xl_fixture_teardown (&f);
}

/* Ours holds libxl's lock, waiting for a stopped QEMU; xl waits for the
 * lock, then gets it as soon as ours lets go, and succeeds. */
static void
test_xl_while_ours_holds_lock (void)
{
  XlFixture f;
  XenQmpCmd cmd;
  XlResult r = { 0 };
  XenTestbedXl *xl;
  gint64 t0, xl_exited;

  if (!xl_fixture_setup (&f, FALSE))
    return;
  test_server_pause (f.qemu);
  t0 = g_get_monotonic_time ();
  xl_exec_ours (&f, &cmd, &r, "query-status");
  RUN_UNTIL (test_flock_held (f.lock));
  xl = xl_start_monitor_command (&f, "info status");
  spin (HOLD_MS);
  g_assert_false (xen_testbed_xl_done (xl));
  g_assert_cmpuint (r.calls, ==, 0);
  test_server_resume (f.qemu);
  xl_exited = xl_finish (xl, "VM status: paused");
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_no_error (r.error);
  g_test_message ("ours done after %.1f ms (QEMU stopped for %d ms); xl done %.1f ms after ours",
                  (r.completed_at - t0) / 1000.0, HOLD_MS, (xl_exited - r.completed_at) / 1000.0);
  /* xl needs a few ms on its own: 1 s is for busy machines. */
  g_assert_cmpint (xl_exited - r.completed_at, <, G_USEC_PER_SEC);
  xl_assert_no_lock_file (&f, "xl after ours");
  xl_result_clear (&r);
  xl_fixture_teardown (&f);
}

/* xl holds libxl's lock, waiting for a stopped QEMU; ours waits for the
 * lock, then runs as soon as xl lets go. */
static void
test_ours_while_xl_holds_lock (void)
{
  XlFixture f;
  XenQmpCmd cmd;
  XlResult r = { 0 };
  XenTestbedXl *xl;
  gint64 t0, xl_exited;

  if (!xl_fixture_setup (&f, FALSE))
    return;
  test_server_pause (f.qemu);
  xl = xl_start_monitor_command (&f, "info status");
  RUN_UNTIL (test_flock_held (f.lock));
  t0 = g_get_monotonic_time ();
  xl_exec_ours (&f, &cmd, &r, "query-status");
  spin (HOLD_MS);
  g_assert_cmpuint (r.calls, ==, 0);
  test_server_resume (f.qemu);
  xl_exited = xl_finish (xl, "VM status: paused");
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  g_test_message ("xl done %.1f ms after ours was issued; ours done %.1f ms after xl",
                  (xl_exited - t0) / 1000.0, (r.completed_at - xl_exited) / 1000.0);
  /* The library retries a busy lock at most every 100 ms. */
  g_assert_cmpint (r.completed_at - xl_exited, <, G_USEC_PER_SEC);
  spin (20);
  xl_assert_no_lock_file (&f, "ours after xl");
  xl_result_clear (&r);
  xl_fixture_teardown (&f);
}

/* xl vcpu-set adds a vcpu through QMP (query-cpus-fast,
 * query-hotpluggable-cpus, device_add); ours sees it right after. */
static void
test_xl_vcpu_set_then_ours (void)
{
  g_autofree char *domid = g_strdup_printf ("%u", XL_DOMID);
  const char *args[] = { "vcpu-set", domid, "2", NULL };
  XlFixture f;
  XenQmpCmd cmd;
  XlResult r = { 0 };
  XenTestbedXl *xl;

  if (!xl_fixture_setup (&f, FALSE))
    return;
  xl = xl_start (&f, args);
  xl_finish (xl, NULL);
  xl_assert_no_lock_file (&f, "xl vcpu-set");
  xl_exec_ours (&f, &cmd, &r, "query-cpus-fast");
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (r.response)), ==, 2);
  spin (20);
  xl_assert_no_lock_file (&f, "ours");
  xl_result_clear (&r);
  xl_fixture_teardown (&f);
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
