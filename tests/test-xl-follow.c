/* test-xl-follow.c: following a domain's events beside real xl
 *
 * libxl takes the domain's QMP socket lock for each operation, with a
 * timer (10 s for `xl vcpu-set`: libxl_domain.c, libxl_set_vcpuonline()).
 * Followers of the domain's events (`xen-qmp --events`, a connected idle
 * XenQmpClient) must hand the lock over when xl waits for it, so that
 * xl's operations succeed and take about a second longer at most; with
 * an event monitor (docs/event-monitor.md) the followers see every event
 * xl causes; without one they are told of the gap instead.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "xl-fixture.h"

/* What xl may take longer because of us: the host looks for waiters
 * every 250 ms (lock-hold-ms / 4) and hands an idle connection over at
 * once; a second is for busy machines. */
#define ALLOWANCE_US (G_USEC_PER_SEC + G_USEC_PER_SEC / 2)

/* ---- a follower in this process: a XenQmpClient of the domain ------ */

typedef struct {
  XenQmpClient *client;
  GPtrArray    *events;     /* names, in order */
  guint         gaps;
  gint64        gap_since_us;
  gint64        gap_until_us;
} Follower;

static void
on_event (XenQmpClient *client, const char *name, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  Follower *fl = user_data;

  g_ptr_array_add (fl->events, g_strdup (name));
}

static void
on_event_gap (XenQmpClient *client, gint64 since_us, gint64 until_us,
              const char *reason, gpointer user_data)
{
  Follower *fl = user_data;

  g_test_message ("client: gap of %.1f ms: %s", (until_us - since_us) / 1000.0, reason);
  fl->gaps++;
  fl->gap_since_us = since_us;
  fl->gap_until_us = until_us;
}

static void
follower_start (Follower *fl, XlFixture *f)
{
  g_autoptr(GError) error = NULL;

  memset (fl, 0, sizeof *fl);
  fl->events = g_ptr_array_new_with_free_func (g_free);
  fl->client = xen_qmp_client_new_for_domain (f->host, XL_DOMID);
  g_signal_connect (fl->client, "event", G_CALLBACK (on_event), fl);
  g_signal_connect (fl->client, "event-gap", G_CALLBACK (on_event_gap), fl);
  g_assert_true (xen_qmp_client_connect_sync (fl->client, NULL, &error));
  g_assert_no_error (error);
}

static void
follower_stop (Follower *fl)
{
  g_signal_handlers_disconnect_by_data (fl->client, fl);
  xen_qmp_client_close (fl->client);
  g_clear_object (&fl->client);
  g_ptr_array_unref (fl->events);
}

static gboolean
follower_saw (Follower *fl, const char *name)
{
  for (guint i = 0; i < fl->events->len; i++)
    if (strcmp (fl->events->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* ---- a follower in another process: xen-qmp --events ---------------- */

typedef struct {
  GSubprocess      *proc;
  GDataInputStream *out;
  GPtrArray        *lines;
  gboolean          eof;
  char             *cache;
} Tool;

static void read_next_line (Tool *tool);

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Tool *tool = user_data;
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                          result, NULL, &error);

  if (line == NULL)
    {
      tool->eof = TRUE;
      return;
    }
  g_test_message ("xen-qmp: %s", line);
  g_ptr_array_add (tool->lines, line);
  read_next_line (tool);
}

static void
read_next_line (Tool *tool)
{
  g_data_input_stream_read_line_async (tool->out, G_PRIORITY_DEFAULT, NULL, on_line, tool);
}

static void
tool_start (Tool *tool, XlFixture *f, const char *count)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "..", "glib-integration",
                                                 "tool", "xen-qmp", NULL);
  g_autofree char *domid = g_strdup_printf ("%u", XL_DOMID);
  const char *dir = xen_testbed_get_dir (f->tb);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { path, "--domain", domid, "--run-dir", dir, "--lib-dir", dir,
                         "--events", "--count", count, NULL };

  memset (tool, 0, sizeof *tool);
  if (count == NULL)
    argv[8] = NULL;
  tool->cache = g_build_filename (dir, "tool-cache", NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", tool->cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", tool->cache, TRUE);
  tool->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  tool->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (tool->proc));
  tool->lines = g_ptr_array_new_with_free_func (g_free);
  read_next_line (tool);
}

static guint
tool_count_lines (Tool *tool, const char *needle)
{
  guint n = 0;

  for (guint i = 0; i < tool->lines->len; i++)
    if (strstr (tool->lines->pdata[i], needle) != NULL)
      n++;
  return n;
}

static void
tool_stop (Tool *tool)
{
  if (!tool->eof)
    g_subprocess_send_signal (tool->proc, SIGTERM);
  RUN_UNTIL (tool->eof);
  g_subprocess_wait (tool->proc, NULL, NULL);
  g_clear_object (&tool->out);
  g_clear_object (&tool->proc);
  g_ptr_array_unref (tool->lines);
  g_free (tool->cache);
}

/* ---- the tests ------------------------------------------------------- */

static gint64
time_xl (XlFixture *f, const char * const *args, const char *expected_out)
{
  gint64 t0 = g_get_monotonic_time ();

  return xl_finish (xl_start (f, args), expected_out) - t0;
}

/* xen-qmp --events (another process) and an idle connected client (this
 * one) follow the domain over qmp-libxl-<domid> alone: xl's operations
 * still succeed, within a second and a half of what they take alone,
 * and both followers are told of the gap. */
static void
test_xl_beside_followers (void)
{
  g_autofree char *domid = g_strdup_printf ("%u", XL_DOMID);
  const char *status[] = { "qemu-monitor-command", domid, "info status", NULL };
  const char *vcpu_same[] = { "vcpu-set", domid, "1", NULL };
  const char *vcpu_add[] = { "vcpu-set", domid, "2", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) cpus = NULL;
  gint64 alone_status, alone_vcpu, with_status, with_vcpu;
  XlFixture f;
  Follower fl;
  Tool tool;

  if (!xl_fixture_setup (&f, FALSE))
    return;
  alone_status = time_xl (&f, status, "VM status: paused");
  alone_vcpu = time_xl (&f, vcpu_same, NULL);

  tool_start (&tool, &f, NULL);
  /* xen-qmp connected: it holds libxl's lock, idle. */
  RUN_UNTIL (test_flock_held (f.lock));
  follower_start (&fl, &f);

  with_status = time_xl (&f, status, "VM status: paused");
  with_vcpu = time_xl (&f, vcpu_add, NULL);
  g_test_message ("xl qemu-monitor-command: %.1f ms alone, %.1f ms beside the followers",
                  alone_status / 1000.0, with_status / 1000.0);
  g_test_message ("xl vcpu-set: %.1f ms alone (no change), %.1f ms beside the followers",
                  alone_vcpu / 1000.0, with_vcpu / 1000.0);
  g_assert_cmpint (with_status, <, alone_status + ALLOWANCE_US);
  g_assert_cmpint (with_vcpu, <, alone_vcpu + ALLOWANCE_US);

  /* Both followers still follow, and were told what they may have missed. */
  RUN_UNTIL (fl.gaps > 0 && tool_count_lines (&tool, XEN_QMP_EVENT_GAP) > 0);
  g_assert_cmpint (fl.gap_since_us, <, fl.gap_until_us);
  g_assert_true (xen_qmp_client_get_connected (fl.client));
  g_assert_false (tool.eof);
  cpus = xen_qmp_client_execute_sync (fl.client, "query-cpus-fast", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (cpus)), ==, 2);

  follower_stop (&fl);
  tool_stop (&tool);
  xl_fixture_teardown (&f);
}

/* With the event monitor, the events xl causes (`xl qemu-monitor-command
 * cont`, then `stop`) reach both followers, and there is no gap. */
static void
test_event_monitor (void)
{
  XlFixture f;
  Follower fl;

  if (!xl_fixture_setup (&f, TRUE))
    return;
  follower_start (&fl, &f);
  xl_finish (xl_start_monitor_command (&f, "cont"), NULL);
  xl_finish (xl_start_monitor_command (&f, "stop"), NULL);
  RUN_UNTIL (follower_saw (&fl, "STOP"));
  g_assert_cmpuint (fl.events->len, ==, 2);
  g_assert_cmpstr (fl.events->pdata[0], ==, "RESUME");
  g_assert_cmpstr (fl.events->pdata[1], ==, "STOP");
  g_assert_cmpuint (fl.gaps, ==, 0);
  follower_stop (&fl);
  xl_fixture_teardown (&f);
}

/* One follower per event monitor: xen-qmp alone gets the events there. */
static void
test_event_monitor_tool (void)
{
  XlFixture f;
  Tool tool;

  if (!xl_fixture_setup (&f, TRUE))
    return;
  tool_start (&tool, &f, "2");
  RUN_UNTIL (test_flock_held (f.lock));
  spin (200);
  xl_finish (xl_start_monitor_command (&f, "cont"), NULL);
  xl_finish (xl_start_monitor_command (&f, "stop"), NULL);
  RUN_UNTIL (tool.eof);
  g_assert_cmpuint (tool.lines->len, ==, 2);
  g_assert_nonnull (strstr (tool.lines->pdata[0], "\"RESUME\""));
  g_assert_nonnull (strstr (tool.lines->pdata[1], "\"STOP\""));
  tool_stop (&tool);
  xl_fixture_teardown (&f);
}

typedef struct {
  guint  gaps;        /* XEN_QMP_EVENT_GAP to the handler */
  guint  signals;     /* ::event-gap */
  guint  resumes;
} HostSeen;

static void
on_host_event (XenQmpHost *host, guint32 domid, const char *event, JsonObject *data,
               gint64 timestamp_us, gpointer user_data)
{
  HostSeen *seen = user_data;

  if (strcmp (event, XEN_QMP_EVENT_GAP) == 0)
    {
      g_assert_nonnull (json_object_get_object_member (data, "since"));
      g_assert_nonnull (json_object_get_object_member (data, "until"));
      g_assert_nonnull (json_object_get_string_member (data, "reason"));
      seen->gaps++;
    }
  else if (strcmp (event, "RESUME") == 0)
    seen->resumes++;
}

static void
on_host_gap (XenQmpHost *host, guint32 domid, gint64 since_us, gint64 until_us,
             gpointer user_data)
{
  HostSeen *seen = user_data;

  g_assert_cmpuint (domid, ==, XL_DOMID);
  g_assert_cmpint (since_us, <, until_us);
  seen->signals++;
}

/* Without an event monitor, the RESUME that `xl qemu-monitor-command
 * cont` causes goes to xl's connection alone: the followers (the command
 * API's, a client) are told of a gap instead, and QEMU's state is there
 * to ask for. */
static void
test_gap_without_monitor (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) status = NULL;
  HostSeen seen = { 0 };
  guint follow;
  XlFixture f;
  Follower fl;

  if (!xl_fixture_setup (&f, FALSE))
    return;
  xen_qmp_host_add_event_handler (f.host, on_host_event, &seen, NULL);
  g_signal_connect (f.host, "event-gap", G_CALLBACK (on_host_gap), &seen);
  follow = xen_qmp_host_follow_events (f.host, XL_DOMID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (follow, !=, 0);
  follower_start (&fl, &f);
  xl_finish (xl_start_monitor_command (&f, "cont"), NULL);
  RUN_UNTIL (fl.gaps > 0 && seen.gaps > 0);
  g_assert_cmpuint (seen.signals, ==, seen.gaps);
  g_assert_cmpuint (seen.resumes, ==, 0);
  g_assert_false (follower_saw (&fl, "RESUME"));
  status = xen_qmp_client_execute_sync (fl.client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "status"),
                   ==, "running");
  follower_stop (&fl);
  xen_qmp_host_unfollow_events (f.host, follow);
  xl_fixture_teardown (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xl-follow/xl-beside-followers", test_xl_beside_followers);
  g_test_add_func ("/xl-follow/event-monitor", test_event_monitor);
  g_test_add_func ("/xl-follow/event-monitor-tool", test_event_monitor_tool);
  g_test_add_func ("/xl-follow/gap-without-monitor", test_gap_without_monitor);
  return g_test_run ();
}
