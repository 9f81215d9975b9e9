/* test-sync-context.c: a _sync call iterates the library's own context
 * alone. No source of the application runs during it; what arrives
 * meanwhile for the application (events, notifications, other callbacks)
 * comes once its context runs, in order; the library's own steps
 * (connecting, the schema for validate, the fdset chain, cancellation
 * from another thread) go on. Against fake-qemu and a real QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include "xenqmp.h"
#include "test-call.h"
#include "test-loop.h"
#include "test-backend.h"
#include "test-client-fixture.h"

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  /* With QEMU 7.2's schema, for validate. */
  g_autofree char *schema = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                                    "qemu-7.2-schema.json", NULL);
  const char * const args[] = { "--schema", schema, NULL };

  client_fixture_setup (f, data, args);
}

/* What the application's context ran, in order. */
typedef struct {
  GString *log;
} Seen;

static gboolean
seen_source (gpointer user_data)
{
  Seen *s = user_data;

  g_string_append (s->log, "app-source ");
  return G_SOURCE_REMOVE;
}

static void
seen_event (XenQmpClient *client, const char *name, JsonObject *event_data,
            gint64 timestamp_us, gpointer user_data)
{
  Seen *s = user_data;

  g_string_append_printf (s->log, "event:%s ", name);
}

static void
seen_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Seen *s = user_data;

  g_string_append_printf (s->log, "notify:%s=%d ", pspec->name,
                          xen_qmp_client_get_connected (XEN_QMP_CLIENT (object)));
}

/* An idle and a timeout of the application, due during the call. */
static void
add_app_sources (Seen *s)
{
  g_idle_add (seen_source, s);
  g_timeout_add (0, seen_source, s);
}

/* ---- nothing of the application runs during a _sync call ------------- */

static void
test_no_app_source_runs (Fixture *f, gconstpointer data)
{
  Seen s = { g_string_new (NULL) };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;

  SKIP_UNLESS_READY (f);
  g_signal_connect (f->client, "notify::connected", G_CALLBACK (seen_notify), &s);
  add_app_sources (&s);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
  ret = xen_qmp_client_execute_sync (f->client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status_of (ret), ==, "running");
  g_assert_cmpstr (s.log->str, ==, "");
  /* The client's own state is current at once. */
  g_assert_true (xen_qmp_client_get_connected (f->client));

  test_flush ();
  g_test_message ("after the calls: %s", s.log->str);
  g_assert_nonnull (strstr (s.log->str, "notify:connected=1 "));
  g_assert_nonnull (strstr (s.log->str, "app-source app-source "));
  g_string_free (s.log, TRUE);
}

/* QEMU sends STOP before its reply to stop: the handler hears it once the
 * application's context runs, not inside the call. */
static void
test_events_after_the_call (Fixture *f, gconstpointer data)
{
  Seen s = { g_string_new (NULL) };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stop = NULL;
  g_autoptr(JsonNode) cont = NULL;

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  test_flush ();
  g_signal_connect (f->client, "event", G_CALLBACK (seen_event), &s);
  stop = xen_qmp_client_execute_sync (f->client, "stop", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cont = xen_qmp_client_execute_sync (f->client, "cont", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s.log->str, ==, "");
  RUN_UNTIL (strstr (s.log->str, "event:RESUME") != NULL);
  /* Once each, in the order of the wire. */
  g_assert_cmpstr (s.log->str, ==, "event:STOP event:RESUME ");
  g_string_free (s.log, TRUE);
}

/* Another call's callback, due during a _sync call, waits for it. */
static void
test_other_callbacks_wait (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  xen_qmp_client_execute_async (f->client, "query-version", NULL, NULL, NULL, execute_done, &c);
  ret = xen_qmp_client_execute_sync (f->client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status_of (ret), ==, "running");
  /* Its reply came first on the wire; its callback is the application's. */
  g_assert_false (c.done);
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
  call_clear (&c);
}

/* A connect started by the application and a _sync one share the
 * connection; each completes in its own context. */
static void
test_sync_connect_beside_async (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  xen_qmp_client_connect_async (f->client, NULL, connect_done, &c);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (c.done);
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
}

/* ---- from inside the application's callbacks ------------------------- */

typedef struct {
  Fixture  *f;
  Seen     *seen;
  gboolean  done;
  JsonNode *nested;
  GError   *error;
  GMainLoop *loop;
  Call      inner;
} Nested;

static void
sync_with_app_source_due (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Nested *n = user_data;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, NULL);

  g_assert_nonnull (ret);
  add_app_sources (n->seen);
  n->nested = xen_qmp_client_execute_sync (n->f->client, "query-status", NULL, NULL, NULL,
                                           &n->error);
  /* Neither ran inside the call made from the application's loop. */
  g_assert_cmpstr (n->seen->log->str, ==, "");
  n->done = TRUE;
}

static void
test_from_callback (Fixture *f, gconstpointer data)
{
  Seen s = { g_string_new (NULL) };
  Nested n = { f, &s };

  SKIP_UNLESS_READY (f);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL,
                                sync_with_app_source_due, &n);
  RUN_UNTIL (n.done && strcmp (s.log->str, "app-source app-source ") == 0);
  g_assert_no_error (n.error);
  g_assert_cmpstr (status_of (n.nested), ==, "running");
  g_clear_pointer (&n.nested, json_node_unref);
  g_string_free (s.log, TRUE);
}

/* A callback running a main loop of the application's context of its own
 * (not a _sync call): the library goes on inside it. */
static void
inner_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Nested *n = user_data;

  execute_done (source, result, &n->inner);
  g_main_loop_quit (n->loop);
}

/* From a callback: a loop of the application's context of its own, until
 * another execute completes. */
static void
run_nested_loop (Nested *n)
{
  n->loop = g_main_loop_new (NULL, FALSE);
  xen_qmp_client_execute_async (n->f->client, "query-status", NULL, NULL, NULL, inner_done, n);
  g_main_loop_run (n->loop);
  g_main_loop_unref (n->loop);
  n->done = TRUE;
}

static void
nested_loop_from_callback (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Nested *n = user_data;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, NULL);

  g_assert_nonnull (ret);
  run_nested_loop (n);
}

static void
nested_loop_after_cancel (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Nested *n = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result,
                                                           &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  run_nested_loop (n);
}

/* The outer callback ran, and the execute it waited for in its loop
 * succeeded. */
static void
wait_nested (Nested *n)
{
  RUN_UNTIL (n->done);
  g_assert_true (n->inner.done);
  g_assert_no_error (n->inner.error);
  g_assert_cmpstr (status_of (n->inner.ret), ==, "running");
  call_clear (&n->inner);
}

static void
test_nested_loop_in_callback (Fixture *f, gconstpointer data)
{
  Nested n = { f };

  SKIP_UNLESS_READY (f);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL,
                                nested_loop_from_callback, &n);
  wait_nested (&n);
}

/* The same from a callback the bridge delivers (a cancellation, whose
 * source is the library's): the nested loop runs the bridge again. */
static void
test_nested_loop_in_bridge_callback (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Nested n = { f };

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  test_server_pause (f->server);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, cancellable,
                                nested_loop_after_cancel, &n);
  spin (20);
  g_cancellable_cancel (cancellable);
  test_server_resume (f->server);
  wait_nested (&n);
}

/* ---- the library's own steps go on during the call ------------------- */

/* validate: the schema is fetched by the library inside the call, even
 * while a fetch the application started is on its way. */
static void
schema_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *c = user_data;
  g_autoptr(XenQmpSchema) schema = xen_qmp_client_get_schema_finish (XEN_QMP_CLIENT (source),
                                                                     result, &c->error);

  g_assert_true ((schema != NULL) != (c->error != NULL));
  c->done = TRUE;
}

static void
test_validate_and_schema (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  g_autoptr(XenQmpSchema) schema = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  xen_qmp_client_get_schema_async (f->client, NULL, schema_done, &c);
  schema = xen_qmp_client_get_schema_sync (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (schema);
  g_assert_false (c.done);

  g_object_set (f->client, "validate", TRUE, NULL);
  ret = xen_qmp_client_execute_sync (f->client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status_of (ret), ==, "running");
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
}

/* The add-fd / command / remove-fd chain runs inside the call: QEMU's
 * answer to the command (an error: no such object) comes once the chain
 * has run. */
static void
test_fdsets_chain (Fixture *f, gconstpointer data)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  g_autoptr(JsonObject) args = json_object_new ();
  Seen s = { g_string_new (NULL) };
  int pipe_fds[2];

  SKIP_UNLESS_READY (f);
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  g_assert_cmpint (g_unix_fd_list_append (fds, pipe_fds[1], &error), ==, 0);
  g_assert_no_error (error);
  close (pipe_fds[0]);
  close (pipe_fds[1]);
  json_object_set_string_member (args, "path", "@fd0");
  add_app_sources (&s);
  ret = xen_qmp_client_execute_with_fdsets_sync (f->client, "qom-list", args, fds, NULL,
                                                 &error);
  g_test_message ("qom-list /dev/fdset/N: %s", error != NULL ? error->message : "(no error)");
  g_assert_null (ret);
  g_assert_true (error->domain == XEN_QMP_ERROR);
  g_assert_cmpstr (s.log->str, ==, "");
  test_flush ();
  g_string_free (s.log, TRUE);
}

/* Cancelled from another thread: the call returns at once, woken through
 * the library's context. */
static gpointer
cancel_later (gpointer data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_from_thread (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  GThread *thread;
  gint64 start;

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  /* QEMU is stopped: only the cancellation ends the call. */
  test_server_pause (f->server);
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  start = g_get_monotonic_time ();
  ret = xen_qmp_client_execute_sync (f->client, "query-status", NULL, NULL, cancellable,
                                     &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (ret);
  g_test_message ("cancelled after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_thread_join (thread);
  test_server_resume (f->server);
}

static void
add (const char *name, void (*func) (Fixture *, gconstpointer))
{
  TEST_BACKEND_ADD ("/sync-context", name, BACKEND_FAKE, Fixture, fixture_setup, func,
                    client_fixture_teardown);
  TEST_BACKEND_ADD ("/sync-context", name, BACKEND_QEMU, Fixture, fixture_setup, func,
                    client_fixture_teardown);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add ("no-app-source-runs", test_no_app_source_runs);
  add ("events-after-the-call", test_events_after_the_call);
  add ("other-callbacks-wait", test_other_callbacks_wait);
  add ("sync-connect-beside-async", test_sync_connect_beside_async);
  add ("from-callback", test_from_callback);
  add ("nested-loop-in-callback", test_nested_loop_in_callback);
  add ("nested-loop-in-bridge-callback", test_nested_loop_in_bridge_callback);
  add ("validate-and-schema", test_validate_and_schema);
  add ("fdsets-chain", test_fdsets_chain);
  add ("cancel-from-thread", test_cancel_from_thread);
  return g_test_run ();
}
