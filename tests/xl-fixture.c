/* xl-fixture.c: one domain driven by real xl (libxl 4.17) and by us
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xl-fixture.h"

#include <string.h>
#include "test-loop.h"

static void
record_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
           const GError *error, gpointer user_data)
{
  XlResult *r = user_data;

  r->calls++;
  r->error = error != NULL ? g_error_copy (error) : NULL;
  r->response = response != NULL ? json_node_copy (response) : NULL;
  r->completed_at = g_get_monotonic_time ();
}

void
xl_result_clear (XlResult *r)
{
  g_clear_error (&r->error);
  g_clear_pointer (&r->response, json_node_unref);
}

gboolean
xl_fixture_setup (XlFixture *f, gboolean event_monitor)
{
  XenTestbedDomain dom = { XL_DOMID, XL_DOMAIN_NAME, NULL, TRUE, "qemu_xen", 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *qmp_path = NULL;
  g_autofree char *qmp = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *qemu = NULL;
  g_autofree char *chardev = NULL;
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
  qmp_path = g_strdup_printf ("%s/qmp-libxl-%u", xen_testbed_get_dir (f->tb), XL_DOMID);
  qmp = g_strdup_printf ("unix:%s,server=on,wait=off", qmp_path);
  qemu = g_strdup (g_getenv ("QEMU_SYSTEM") != NULL && *g_getenv ("QEMU_SYSTEM") != '\0'
                   ? g_getenv ("QEMU_SYSTEM") : "qemu-system-x86_64");
  /* The lines docs/event-monitor.md puts in xl.cfg's
   * device_model_args_hvm, with the run dir of the test bed. */
  f->monitor = event_monitor
               ? g_strdup_printf ("%s/qmp-events-%s", xen_testbed_get_dir (f->tb), XL_DOMAIN_NAME)
               : NULL;
  chardev = g_strdup_printf ("socket,id=libxenqmp-events,path=%s,server=on,wait=off",
                             f->monitor != NULL ? f->monitor : "");
  {
    const char *argv[] = { qemu, "-M", "pc", "-S", "-smp", "1,maxcpus=2,sockets=2,cores=1,threads=1",
                           "-nodefaults", "-display", "none", "-qmp", qmp,
                           "-chardev", chardev, "-mon", "chardev=libxenqmp-events,mode=control",
                           NULL };

    if (!event_monitor)
      argv[11] = NULL;
    f->qemu = test_server_start_argv (argv, qmp_path, &error);
    g_assert_no_error (error);
  }
  if (f->monitor != NULL)
    RUN_UNTIL (g_file_test (f->monitor, G_FILE_TEST_EXISTS));
  /* What QEMU with Xen writes once it runs; this QEMU has no Xen. */
  g_assert_true (xs_write (xen_testbed_get_xs (f->tb), XBT_NULL,
                           "/local/domain/0/device-model/3/state", "running", 7));
  f->host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", xen_testbed_get_dir (f->tb),
                          "lib-dir", xen_testbed_get_dir (f->tb),
                          "xenstore", XEN_QMP_XENSTORE_REQUIRED, NULL);
  uuid = xen_testbed_uuid_of (XL_DOMID);
  f->lock = g_strdup_printf ("%s/userdata-l.%u.%s.qmp-socket-lock", xen_testbed_get_dir (f->tb),
                             XL_DOMID, uuid);
  return TRUE;
}

void
xl_fixture_teardown (XlFixture *f)
{
  g_clear_object (&f->host);
  g_clear_pointer (&f->qemu, test_server_stop);
  g_clear_pointer (&f->tb, xen_testbed_free);
  g_free (f->lock);
  g_free (f->monitor);
}

void
xl_exec_ours (XlFixture *f, XenQmpCmd *cmd, XlResult *r, const char *command)
{
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (cmd);
  g_assert_true (xen_qmp_cmd_exec (f->host, cmd, record_cb, r, XL_DOMID, command, NULL, &error));
  g_assert_no_error (error);
}

XenTestbedXl *
xl_start (XlFixture *f, const char * const *args)
{
  g_autoptr(GError) error = NULL;
  XenTestbedXl *xl = xen_testbed_xl_start (f->tb, (const char **) args, &error);

  g_assert_no_error (error);
  return xl;
}

XenTestbedXl *
xl_start_monitor_command (XlFixture *f, const char *hmp)
{
  g_autofree char *domid = g_strdup_printf ("%u", XL_DOMID);
  const char *args[] = { "qemu-monitor-command", domid, hmp, NULL };

  return xl_start (f, args);
}

gint64
xl_finish (XenTestbedXl *xl, const char *expected_out)
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

void
xl_assert_no_lock_file (XlFixture *f, const char *after)
{
  if (g_file_test (f->lock, G_FILE_TEST_EXISTS))
    g_error ("%s left its lock file behind: %s", after, f->lock);
}
