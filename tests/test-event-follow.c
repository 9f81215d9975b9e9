/* test-event-follow.c: how the host follows a domain's events: on its
 * event monitor without libxl's lock, over qmp-libxl-<domid> otherwise,
 * each event once, and what a monitor that misbehaves leads to
 *
 * The test bed's fake-xenstored, fake-qemu on qmp-libxl-<domid>, and a
 * second fake-qemu playing the domain's event monitor (on
 * qmp-events-<name>). Two fakes are two QEMUs: an event one sends the
 * other does not, which shows where each delivered event came from.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <xenstore.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "test-server.h"
#include "xen-testbed.h"

#define DOMID 1
#define NAME "guest-1"

typedef struct {
  XenTestbed   *tb;
  TestServer   *qemu;
  TestServer   *monitor;
  XenQmpHost   *host;
  char         *lock;
  char         *monitor_path;
  char         *script;
  GPtrArray    *events;     /* names delivered to the host's handler */
  guint         gaps;
  guint         closed;
} Fixture;

static void
on_event (XenQmpHost *host, guint32 domid, const char *event, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  Fixture *f = user_data;

  if (strcmp (event, XEN_QMP_EVENT_GAP) == 0)
    f->gaps++;
  else
    g_ptr_array_add (f->events, g_strdup (event));
}

static void
on_closed (XenQmpHost *host, guint domid, GError *reason, gpointer user_data)
{
  Fixture *f = user_data;

  f->closed++;
}

static gboolean
setup (Fixture *f)
{
  XenTestbedDomain dom = { DOMID, NAME, NULL, TRUE, "qemu_xen", 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uuid = NULL;
  const char *dir;

  memset (f, 0, sizeof *f);
  f->tb = xen_testbed_new (XEN_TESTBED_FAKE, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_test_skip (error->message);
      return FALSE;
    }
  g_assert_no_error (error);
  g_assert_true (xen_testbed_add_domain (f->tb, &dom, &error));
  g_assert_no_error (error);
  dir = xen_testbed_get_dir (f->tb);
  path = g_strdup_printf ("%s/qmp-libxl-%u", dir, DOMID);
  f->qemu = test_server_start_fake (path, NULL, &error);
  g_assert_no_error (error);
  f->host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", dir, "lib-dir", dir,
                          "xenstore", XEN_QMP_XENSTORE_REQUIRED, NULL);
  uuid = xen_testbed_uuid_of (DOMID);
  f->lock = g_strdup_printf ("%s/userdata-l.%u.%s.qmp-socket-lock", dir, DOMID, uuid);
  f->monitor_path = g_strdup_printf ("%s/qmp-events-%s", dir, NAME);
  f->script = g_strdup_printf ("%s/monitor.jsonl", dir);
  f->events = g_ptr_array_new_with_free_func (g_free);
  xen_qmp_host_add_event_handler (f->host, on_event, f, NULL);
  g_signal_connect (f->host, "connection-closed", G_CALLBACK (on_closed), f);
  return TRUE;
}

static void
teardown (Fixture *f)
{
  g_clear_object (&f->host);
  g_clear_pointer (&f->monitor, test_server_stop);
  g_clear_pointer (&f->qemu, test_server_stop);
  g_clear_pointer (&f->tb, xen_testbed_free);
  g_ptr_array_unref (f->events);
  g_free (f->lock);
  g_free (f->monitor_path);
  g_free (f->script);
}

/* The event monitor, playing SCRIPT (lenient: the built-in QEMU answers
 * what the script does not take). */
static void
start_monitor (Fixture *f, const char *script)
{
  const char *args[] = { "--script", f->script, "--lenient", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (f->script, script, -1, NULL));
  f->monitor = test_server_start_fake (f->monitor_path, args, &error);
  g_assert_no_error (error);
}


/* A monitor that sends one event once negotiated, then stays. */
#define MONITOR_SENDS_EVENT \
  "{\"expect\": \"qmp_capabilities\"}\n{\"event\": \"FROM_MONITOR\"}\n{\"sleep\": 30}\n"

static guint
follow (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint id = xen_qmp_host_follow_events (f->host, DOMID, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (id, !=, 0);
  return id;
}

static gboolean
saw (Fixture *f, const char *name)
{
  for (guint i = 0; i < f->events->len; i++)
    if (strcmp (f->events->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

static void
cmd_done (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
          const GError *error, gpointer user_data)
{
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

/* `stop` on qmp-libxl-<domid>: that fake sends STOP there. */
static void
stop_over_qmp_libxl (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  XenQmpCmd cmd;
  guint done = 0;

  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (f->host, &cmd, cmd_done, &done, DOMID, "stop", NULL, &error));
  g_assert_no_error (error);
  RUN_UNTIL (done == 1);
  xen_qmp_cmd_dispose (&cmd);
}

/* With a monitor: events come from there, without libxl's lock; the
 * same events over qmp-libxl-<domid> (a command's connection) are not
 * delivered twice. */
static void
test_monitor (void)
{
  Fixture f;
  guint id;

  if (!setup (&f))
    return;
  start_monitor (&f, MONITOR_SENDS_EVENT);
  id = follow (&f);
  RUN_UNTIL (saw (&f, "FROM_MONITOR"));
  g_assert_false (test_flock_held (f.lock));
  /* A command opens qmp-libxl-<domid>; what QEMU sends there, the
   * monitor has (this fake does not: it shows the rule). */
  stop_over_qmp_libxl (&f);
  spin (100);
  g_assert_false (saw (&f, "STOP"));
  g_assert_cmpuint (f.gaps, ==, 0);
  xen_qmp_host_unfollow_events (f.host, id);
  teardown (&f);
}

/* A monitor that never greets (another process follows there, as a
 * monitor serves one client at a time): the host falls back to
 * qmp-libxl-<domid>. Nothing was followed before: no gap. */
static void
test_monitor_silent (void)
{
  Fixture f;
  guint id;

  if (!setup (&f))
    return;
  start_monitor (&f, "{\"greeting\": null}\n{\"sleep\": 30}\n");
  id = follow (&f);
  spin (500);
  g_assert_false (test_flock_held (f.lock));
  RUN_UNTIL (test_flock_held (f.lock));
  stop_over_qmp_libxl (&f);
  RUN_UNTIL (saw (&f, "STOP"));
  g_assert_cmpuint (f.gaps, ==, 0);
  xen_qmp_host_unfollow_events (f.host, id);
  teardown (&f);
}

/* The monitor goes away while followed: events come over
 * qmp-libxl-<domid> from then on, after a gap. */
static void
test_monitor_closes (void)
{
  Fixture f;
  guint id;

  if (!setup (&f))
    return;
  start_monitor (&f, MONITOR_SENDS_EVENT);
  id = follow (&f);
  RUN_UNTIL (saw (&f, "FROM_MONITOR"));
  kill (test_server_get_pid (f.monitor), SIGKILL);
  RUN_UNTIL (f.gaps == 1 && test_flock_held (f.lock));
  stop_over_qmp_libxl (&f);
  RUN_UNTIL (saw (&f, "STOP"));
  g_assert_cmpuint (f.closed, ==, 0);
  xen_qmp_host_unfollow_events (f.host, id);
  teardown (&f);
}

/* The domain's name comes from xenstore and goes into a path: one that
 * is not a plain file name is not used, and the domain is followed over
 * qmp-libxl-<domid>. */
static void
test_name_not_a_file_name (void)
{
  static const char * const names[] = { "../qmp-libxl-1", "a/b", ".hidden", "", "x y" };
  Fixture f;

  if (!setup (&f))
    return;
  start_monitor (&f, "{\"expect\": \"qmp_capabilities\"}\n{\"sleep\": 30}\n");
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      guint id;

      g_assert_true (xs_write (xen_testbed_get_xs (f.tb), XBT_NULL, "/local/domain/1/name",
                               names[i], strlen (names[i])));
      id = follow (&f);
      RUN_UNTIL (test_flock_held (f.lock));
      xen_qmp_host_unfollow_events (f.host, id);
      RUN_UNTIL (!test_flock_held (f.lock));
    }
  teardown (&f);
}

/* The pattern: {domid} and {uuid} too; an absolute path as it is. */
static void
test_pattern (void)
{
  g_autofree char *uuid = xen_testbed_uuid_of (DOMID);
  g_autofree char *pattern = NULL;
  Fixture f;
  guint id;

  if (!setup (&f))
    return;
  g_free (f.monitor_path);
  f.monitor_path = g_strdup_printf ("%s/ev-%u-%s", xen_testbed_get_dir (f.tb), DOMID, uuid);
  pattern = g_strdup_printf ("%s/ev-{domid}-{uuid}", xen_testbed_get_dir (f.tb));
  g_object_set (f.host, "event-socket-pattern", pattern, NULL);
  start_monitor (&f, MONITOR_SENDS_EVENT);
  id = follow (&f);
  RUN_UNTIL (saw (&f, "FROM_MONITOR"));
  g_assert_false (test_flock_held (f.lock));
  xen_qmp_host_unfollow_events (f.host, id);
  teardown (&f);
}

/* No pattern: never looked for. */
static void
test_no_pattern (void)
{
  Fixture f;
  guint id;

  if (!setup (&f))
    return;
  g_object_set (f.host, "event-socket-pattern", NULL, NULL);
  start_monitor (&f, MONITOR_SENDS_EVENT);
  id = follow (&f);
  RUN_UNTIL (test_flock_held (f.lock));
  spin (100);
  g_assert_false (saw (&f, "FROM_MONITOR"));
  xen_qmp_host_unfollow_events (f.host, id);
  teardown (&f);
}

/* A client of the domain gets its events from the monitor too. */
static void
test_client_from_monitor (void)
{
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f;
  guint seen = 0;

  if (!setup (&f))
    return;
  start_monitor (&f, "{\"expect\": \"qmp_capabilities\"}\n"
                     "{\"sleep\": 0.3}\n"
                     "{\"event\": \"FROM_MONITOR\"}\n"
                     "{\"sleep\": 30}\n");
  client = xen_qmp_client_new_for_domain (f.host, DOMID);
  g_signal_connect_swapped (client, "event::FROM_MONITOR", G_CALLBACK (g_atomic_int_inc), &seen);
  g_assert_true (xen_qmp_client_connect_sync (client, NULL, &error));
  g_assert_no_error (error);
  RUN_UNTIL (seen == 1);
  g_assert_true (saw (&f, "FROM_MONITOR"));
  xen_qmp_client_close (client);
  teardown (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event-follow/monitor", test_monitor);
  g_test_add_func ("/event-follow/monitor-silent", test_monitor_silent);
  g_test_add_func ("/event-follow/monitor-closes", test_monitor_closes);
  g_test_add_func ("/event-follow/name-not-a-file-name", test_name_not_a_file_name);
  g_test_add_func ("/event-follow/pattern", test_pattern);
  g_test_add_func ("/event-follow/no-pattern", test_no_pattern);
  g_test_add_func ("/event-follow/client-from-monitor", test_client_from_monitor);
  return g_test_run ();
}
