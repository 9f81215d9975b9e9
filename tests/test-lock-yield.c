/* test-lock-yield.c: libxl's lock handed over to whoever waits for it,
 * and the gaps that followers are told of
 *
 * A domain of the test bed (fake-xenstored), fake-qemu on its
 * qmp-libxl-<domid>, and "libxl": a thread of this process that takes
 * libxl's lock as libxl does (a blocking flock(), visible in /proc/locks;
 * the file checked after, removed before unlocking).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "test-server.h"
#include "xen-testbed.h"

#define DOMID 1
#define HOLD_MS 200
#define YIELD_MS 50

typedef struct {
  XenTestbed   *tb;
  TestServer   *qemu;
  XenQmpHost   *host;
  char         *lock;
} Fixture;

static gboolean
setup (Fixture *f, const char * const *qemu_args)
{
  XenTestbedDomain dom = { DOMID, "guest-1", NULL, TRUE, "qemu_xen", 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uuid = NULL;

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
  path = g_strdup_printf ("%s/qmp-libxl-%u", xen_testbed_get_dir (f->tb), DOMID);
  f->qemu = test_server_start_fake (path, qemu_args, &error);
  g_assert_no_error (error);
  f->host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", xen_testbed_get_dir (f->tb),
                          "lib-dir", xen_testbed_get_dir (f->tb),
                          "xenstore", XEN_QMP_XENSTORE_REQUIRED,
                          "lock-hold-ms", HOLD_MS, "lock-yield-ms", YIELD_MS, NULL);
  uuid = xen_testbed_uuid_of (DOMID);
  f->lock = g_strdup_printf ("%s/userdata-l.%u.%s.qmp-socket-lock",
                             xen_testbed_get_dir (f->tb), DOMID, uuid);
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

/* ---- "libxl" --------------------------------------------------------- */

typedef struct {
  char     *path;
  GThread  *thread;
  gint      got;        /* atomic: the lock is ours */
  gint      release;    /* atomic: give it back */
  gint64    got_at;
} Libxl;

static gpointer
libxl_thread (gpointer data)
{
  Libxl *l = data;

  for (;;)
    {
      int fd = open (l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      struct stat by_fd, by_path;

      g_assert_cmpint (fd, >=, 0);
      while (flock (fd, LOCK_EX) < 0)
        g_assert_cmpint (errno, ==, EINTR);
      if (fstat (fd, &by_fd) == 0 && stat (l->path, &by_path) == 0
          && by_fd.st_ino == by_path.st_ino)
        {
          l->got_at = g_get_monotonic_time ();
          g_atomic_int_set (&l->got, 1);
          while (!g_atomic_int_get (&l->release))
            g_usleep (1000);
          unlink (l->path);
          flock (fd, LOCK_UN);
          close (fd);
          return NULL;
        }
      close (fd);
    }
}

static void
libxl_start (Libxl *l, Fixture *f)
{
  memset (l, 0, sizeof *l);
  l->path = g_strdup (f->lock);
  l->thread = g_thread_new ("libxl", libxl_thread, l);
}

static void
libxl_finish (Libxl *l)
{
  g_atomic_int_set (&l->release, 1);
  g_thread_join (l->thread);
  g_free (l->path);
}

static gboolean
libxl_has_lock (Libxl *l)
{
  return g_atomic_int_get (&l->got) != 0;
}


/* ---- what the application sees --------------------------------------- */

typedef struct {
  guint     gaps;
  gint64    since_us;
  gint64    until_us;
  GPtrArray *events;
} Seen;

static void
on_client_gap (XenQmpClient *client, gint64 since_us, gint64 until_us,
               const char *reason, gpointer user_data)
{
  Seen *seen = user_data;

  g_assert_nonnull (strstr (reason, "libxl"));
  seen->gaps++;
  seen->since_us = since_us;
  seen->until_us = until_us;
}

static void
on_client_event (XenQmpClient *client, const char *name, JsonObject *data,
                 gint64 timestamp_us, gpointer user_data)
{
  Seen *seen = user_data;

  g_ptr_array_add (seen->events, g_strdup (name));
}

static XenQmpClient *
connect_client (Fixture *f, Seen *seen)
{
  XenQmpClient *client = xen_qmp_client_new_for_domain (f->host, DOMID);
  g_autoptr(GError) error = NULL;

  seen->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (client, "event-gap", G_CALLBACK (on_client_gap), seen);
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), seen);
  g_assert_true (xen_qmp_client_connect_sync (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (test_flock_held (f->lock));
  return client;
}

typedef struct {
  guint     calls;
  GError   *error;
  gint64    completed_at;
} Result;

static void
execute_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;
  g_autoptr(JsonNode) node = NULL;

  node = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, &r->error);
  r->calls++;
  r->completed_at = g_get_monotonic_time ();
}

/* ---- the tests ------------------------------------------------------- */

/* An idle client's connection hands the lock over as soon as "libxl"
 * waits, stays connected, and runs a command once it has the lock
 * again; the client is told of the gap. */
static void
test_idle_hands_over (void)
{
  g_autoptr(XenQmpClient) client = NULL;
  Seen seen = { 0 };
  Result r = { 0 };
  Libxl libxl;
  Fixture f;
  gint64 t0;

  if (!setup (&f, NULL))
    return;
  client = connect_client (&f, &seen);
  t0 = g_get_monotonic_time ();
  libxl_start (&libxl, &f);
  RUN_UNTIL (libxl_has_lock (&libxl));
  g_test_message ("libxl waited %.1f ms for the idle client's lock",
                  (libxl.got_at - t0) / 1000.0);
  g_assert_true (xen_qmp_client_get_connected (client));
  xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL, execute_cb, &r);
  spin (3 * YIELD_MS);
  g_assert_cmpuint (r.calls, ==, 0);
  libxl_finish (&libxl);
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  RUN_UNTIL (seen.gaps == 1);
  g_assert_cmpint (seen.since_us, <, seen.until_us);
  g_assert_cmpint (seen.until_us - seen.since_us, >=, 3 * YIELD_MS * 1000);
  g_assert_true (test_flock_held (f.lock));
  g_ptr_array_unref (seen.events);
  teardown (&f);
}

/* With a command sent and not answered (QEMU stopped), the lock is kept
 * until the reply; a command executed meanwhile waits, and goes out
 * once the lock is ours again. */
static void
test_busy_answers_first (void)
{
  g_autoptr(XenQmpClient) client = NULL;
  Seen seen = { 0 };
  Result first = { 0 }, second = { 0 };
  Libxl libxl;
  Fixture f;

  if (!setup (&f, NULL))
    return;
  client = connect_client (&f, &seen);
  test_server_pause (f.qemu);
  xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL, execute_cb, &first);
  spin (20);
  libxl_start (&libxl, &f);
  spin (2 * HOLD_MS);
  g_assert_false (libxl_has_lock (&libxl));
  xen_qmp_client_execute_async (client, "query-version", NULL, NULL, NULL, execute_cb, &second);
  test_server_resume (f.qemu);
  RUN_UNTIL (first.calls == 1 && libxl_has_lock (&libxl));
  g_assert_no_error (first.error);
  g_assert_cmpint (first.completed_at, <=, g_get_monotonic_time ());
  spin (3 * YIELD_MS);
  g_assert_cmpuint (second.calls, ==, 0);
  libxl_finish (&libxl);
  RUN_UNTIL (second.calls == 1);
  g_assert_no_error (second.error);
  g_ptr_array_unref (seen.events);
  teardown (&f);
}

/* lock-hold-ms = G_MAXUINT: the lock is kept, as before. */
static void
test_never_hand_over (void)
{
  g_autoptr(XenQmpClient) client = NULL;
  Seen seen = { 0 };
  Libxl libxl;
  Fixture f;

  if (!setup (&f, NULL))
    return;
  g_object_set (f.host, "lock-hold-ms", G_MAXUINT, NULL);
  client = connect_client (&f, &seen);
  libxl_start (&libxl, &f);
  spin (4 * HOLD_MS);
  g_assert_false (libxl_has_lock (&libxl));
  xen_qmp_client_close (client);
  RUN_UNTIL (libxl_has_lock (&libxl));
  libxl_finish (&libxl);
  g_assert_cmpuint (seen.gaps, ==, 0);
  g_ptr_array_unref (seen.events);
  teardown (&f);
}

typedef struct {
  guint     gaps;
  guint     signals;
  GPtrArray *names;
} HostSeen;

static void
on_host_event (XenQmpHost *host, guint32 domid, const char *event, JsonObject *data,
               gint64 timestamp_us, gpointer user_data)
{
  HostSeen *seen = user_data;

  g_ptr_array_add (seen->names, g_strdup (event));
  if (strcmp (event, XEN_QMP_EVENT_GAP) == 0)
    {
      JsonObject *since = json_object_get_object_member (data, "since");
      JsonObject *until = json_object_get_object_member (data, "until");

      g_assert_nonnull (since);
      g_assert_nonnull (until);
      g_assert_cmpint (json_object_get_int_member (until, "seconds") * G_USEC_PER_SEC
                       + json_object_get_int_member (until, "microseconds"), ==, timestamp_us);
      seen->gaps++;
    }
}

static void
on_host_gap (XenQmpHost *host, guint32 domid, gint64 since_us, gint64 until_us,
             gpointer user_data)
{
  HostSeen *seen = user_data;

  g_assert_cmpuint (domid, ==, DOMID);
  g_assert_cmpint (since_us, <, until_us);
  /* Just before the handlers get the same gap. */
  g_assert_cmpuint (seen->signals, ==, seen->gaps);
  seen->signals++;
}

static void
cmd_done (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
          const GError *error, gpointer user_data)
{
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

/* The command API follows a domain with no command Active: the lock is
 * handed over all the same, the handlers are told of the gap, and
 * events flow again after it. */
static void
test_follow_events (void)
{
  g_autoptr(GError) error = NULL;
  HostSeen seen = { 0 };
  XenQmpCmd cmd;
  Libxl libxl;
  Fixture f;
  guint follow;
  guint done = 0;

  if (!setup (&f, NULL))
    return;
  seen.names = g_ptr_array_new_with_free_func (g_free);
  xen_qmp_host_add_event_handler (f.host, on_host_event, &seen, NULL);
  g_signal_connect (f.host, "event-gap", G_CALLBACK (on_host_gap), &seen);
  follow = xen_qmp_host_follow_events (f.host, DOMID, &error);
  g_assert_no_error (error);
  RUN_UNTIL (test_flock_held (f.lock));
  libxl_start (&libxl, &f);
  RUN_UNTIL (libxl_has_lock (&libxl));
  libxl_finish (&libxl);
  RUN_UNTIL (seen.gaps == 1);
  g_assert_cmpuint (seen.signals, ==, 1);
  /* Events flow again: fake-qemu sends STOP for stop. */
  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (f.host, &cmd, cmd_done, &done, DOMID, "stop", NULL, &error));
  g_assert_no_error (error);
  RUN_UNTIL (seen.names->len == 2 && done == 1);
  g_assert_cmpstr (seen.names->pdata[1], ==, "STOP");
  xen_qmp_host_unfollow_events (f.host, follow);
  xen_qmp_cmd_dispose (&cmd);
  g_ptr_array_unref (seen.names);
  teardown (&f);
}

/* Following a domain that does not exist fails at once. */
static void
test_follow_unknown_domain (void)
{
  g_autoptr(GError) error = NULL;
  Fixture f;

  if (!setup (&f, NULL))
    return;
  g_assert_cmpuint (xen_qmp_host_follow_events (f.host, 42, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  teardown (&f);
}

/* QEMU cannot fake a gap: an event of that name from it is dropped, for
 * the handlers and for a client. */
static void
test_forged_gap_dropped (void)
{
  g_autofree char *script = NULL;
  const char *args[] = { "--script", NULL, "--lenient", NULL };
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ();
  HostSeen host_seen = { 0 };
  Seen seen = { 0 };
  Result r = { 0 };
  Fixture f;

  script = g_build_filename (dir, "forged.jsonl", NULL);
  g_assert_true (g_file_set_contents (script,
    "{\"expect\": \"query-status\", \"events\": [{\"event\": \"" XEN_QMP_EVENT_GAP "\", "
    "\"data\": {\"since\": {\"seconds\": 1, \"microseconds\": 0}}}, {\"event\": \"STOP\"}], "
    "\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}\n", -1, NULL));
  args[1] = script;
  if (!setup (&f, args))
    {
      test_tmpdir_remove (dir);
      return;
    }
  host_seen.names = g_ptr_array_new_with_free_func (g_free);
  xen_qmp_host_add_event_handler (f.host, on_host_event, &host_seen, NULL);
  client = connect_client (&f, &seen);
  xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL, execute_cb, &r);
  RUN_UNTIL (r.calls == 1 && seen.events->len == 1);
  g_assert_no_error (r.error);
  g_assert_cmpstr (seen.events->pdata[0], ==, "STOP");
  g_assert_cmpuint (seen.gaps, ==, 0);
  g_assert_cmpuint (host_seen.names->len, ==, 1);
  g_assert_cmpstr (host_seen.names->pdata[0], ==, "STOP");
  g_ptr_array_unref (seen.events);
  g_ptr_array_unref (host_seen.names);
  teardown (&f);
  test_tmpdir_remove (dir);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* The properties notify when they change, and a lock-hold-ms changed
 * while a connection is open applies to it. */
static void
test_properties (void)
{
  g_autoptr(XenQmpClient) client = NULL;
  g_autofree char *pattern = NULL;
  Seen seen = { 0 };
  guint notified = 0;
  guint hold, yield;
  Libxl libxl;
  Fixture f;

  if (!setup (&f, NULL))
    return;
  g_object_get (f.host, "lock-hold-ms", &hold, "lock-yield-ms", &yield,
                "event-socket-pattern", &pattern, NULL);
  g_assert_cmpuint (hold, ==, HOLD_MS);
  g_assert_cmpuint (yield, ==, YIELD_MS);
  g_assert_cmpstr (pattern, ==, "qmp-events-{name}");
  g_signal_connect (f.host, "notify::lock-hold-ms", G_CALLBACK (count_notify), &notified);
  g_signal_connect (f.host, "notify::lock-yield-ms", G_CALLBACK (count_notify), &notified);
  g_signal_connect (f.host, "notify::event-socket-pattern", G_CALLBACK (count_notify), &notified);
  g_object_set (f.host, "lock-hold-ms", G_MAXUINT, "lock-yield-ms", YIELD_MS,
                "event-socket-pattern", "events-{domid}", NULL);
  g_assert_cmpuint (notified, ==, 2);
  client = connect_client (&f, &seen);
  libxl_start (&libxl, &f);
  spin (2 * HOLD_MS);
  g_assert_false (libxl_has_lock (&libxl));
  g_object_set (f.host, "lock-hold-ms", HOLD_MS, NULL);
  g_assert_cmpuint (notified, ==, 3);
  RUN_UNTIL (libxl_has_lock (&libxl));
  libxl_finish (&libxl);
  g_ptr_array_unref (seen.events);
  teardown (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lock-yield/idle-hands-over", test_idle_hands_over);
  g_test_add_func ("/lock-yield/busy-answers-first", test_busy_answers_first);
  g_test_add_func ("/lock-yield/never", test_never_hand_over);
  g_test_add_func ("/lock-yield/follow-events", test_follow_events);
  g_test_add_func ("/lock-yield/follow-unknown-domain", test_follow_unknown_domain);
  g_test_add_func ("/lock-yield/forged-gap-dropped", test_forged_gap_dropped);
  g_test_add_func ("/lock-yield/properties", test_properties);
  return g_test_run ();
}
