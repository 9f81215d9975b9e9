/* test-reentrancy.c: user code never runs inside the I/O step; _sync calls
 * from callbacks, signal handlers and other contexts; connects that give
 * up leave nothing; a client's state is final before its user code runs;
 * the thread contract is checked. Against fake-qemu and a real QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-call.h"
#include "test-loop.h"
#include "test-backend.h"
#include "test-client-fixture.h"

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  client_fixture_setup (f, data, NULL);
}

/* ---- _sync calls from user code ----------------------------------------- */

typedef struct {
  Fixture  *f;
  gboolean  done;
  JsonNode *nested;
  GError   *error;
} Nested;

static void
nested_clear (Nested *n)
{
  g_clear_pointer (&n->nested, json_node_unref);
  g_clear_error (&n->error);
}

static void
sync_from_callback (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Nested *n = user_data;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, NULL);

  g_assert_nonnull (ret);
  /* The same client, the same socket: its reply must be read although
   * this callback runs from that socket's completion. */
  n->nested = xen_qmp_client_execute_sync (n->f->client, "query-status", NULL, NULL, NULL,
                                           &n->error);
  n->done = TRUE;
}

static void
test_sync_in_execute_callback (Fixture *f, gconstpointer data)
{
  Nested n = { f };

  SKIP_UNLESS_READY (f);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL,
                                sync_from_callback, &n);
  RUN_UNTIL (n.done);
  g_assert_no_error (n.error);
  g_assert_cmpstr (status_of (n.nested), ==, "running");
  nested_clear (&n);
}

/* The usual "query the state on an event" pattern. */
static void
sync_from_stop (XenQmpClient *client, const char *name, JsonObject *event_data,
                gint64 timestamp_us, gpointer user_data)
{
  Nested *n = user_data;

  n->nested = xen_qmp_client_execute_sync (client, "query-status", NULL, NULL, NULL, &n->error);
  n->done = TRUE;
}

static void
test_sync_in_event_handler (Fixture *f, gconstpointer data)
{
  Nested n = { f };
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  g_signal_connect (f->client, "event::STOP", G_CALLBACK (sync_from_stop), &n);
  xen_qmp_client_execute_async (f->client, "stop", NULL, NULL, NULL, execute_done, &c);
  RUN_UNTIL (n.done && c.done);
  g_assert_no_error (c.error);
  g_assert_no_error (n.error);
  g_assert_cmpstr (status_of (n.nested), ==, "paused");
  nested_clear (&n);
  call_clear (&c);
}

/* Callbacks and events on one connection come in the order of the wire. */
typedef struct {
  GString *order;
  guint    replies;
} Order;

static void
order_event (XenQmpClient *client, const char *name, JsonObject *event_data,
             gint64 timestamp_us, gpointer user_data)
{
  Order *o = user_data;

  g_string_append_printf (o->order, "event:%s ", name);
}

static void
order_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Order *o = user_data;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, NULL);

  g_assert_nonnull (ret);
  g_string_append (o->order, "reply ");
  o->replies++;
}

static void
test_wire_order (Fixture *f, gconstpointer data)
{
  Order o = { g_string_new (NULL) };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  g_signal_connect (f->client, "event", G_CALLBACK (order_event), &o);
  xen_qmp_client_execute_async (f->client, "stop", NULL, NULL, NULL, order_reply, &o);
  xen_qmp_client_execute_async (f->client, "cont", NULL, NULL, NULL, order_reply, &o);
  RUN_UNTIL (o.replies == 2 && strstr (o.order->str, "event:RESUME") != NULL);
  g_test_message ("order seen: %s", o.order->str);
  /* QEMU emits an event before the reply of the command that caused it. */
  g_assert_cmpstr (o.order->str, ==, "event:STOP reply event:RESUME reply ");
  g_string_free (o.order, TRUE);
}

/* With another context pushed, a _sync call still works, and an async
 * callback still runs in the client's context, as documented. */
static void
test_other_context_pushed (Fixture *f, gconstpointer data)
{
  g_autoptr(GMainContext) other = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  g_main_context_push_thread_default (other);
  ret = xen_qmp_client_execute_sync (f->client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status_of (ret), ==, "running");

  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL, execute_done, &c);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (other, FALSE);
  g_main_context_pop_thread_default (other);
  g_assert_false (c.done);
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
  call_clear (&c);
}

/* The command API: a command's callback makes a _sync call through a
 * client of the same domain, which shares the host's connection. */
typedef struct {
  XenQmpClient *client;
  Nested        n;
} CmdNested;

static void
cmd_sync_from_callback (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                        const GError *error, gpointer user_data)
{
  CmdNested *cn = user_data;

  g_assert_no_error (error);
  cn->n.nested = xen_qmp_client_execute_sync (cn->client, "query-status", NULL, NULL, NULL,
                                              &cn->n.error);
  cn->n.done = TRUE;
}

static void
test_sync_in_command_callback (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpHost) host = NULL;
  g_autoptr(GError) error = NULL;
  CmdNested cn = { 0 };
  XenQmpCmd cmd;

  SKIP_UNLESS_READY (f);
  host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir, "xenstore", XEN_QMP_XENSTORE_OFF,
                       NULL);
  cn.client = xen_qmp_client_new_for_domain (host, 1);
  xen_qmp_client_set_timeout_ms (cn.client, 5000);
  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (host, &cmd, cmd_sync_from_callback, &cn, 1, "query-status",
                                   NULL, &error));
  g_assert_no_error (error);
  RUN_UNTIL (cn.n.done);
  g_assert_no_error (cn.n.error);
  g_assert_cmpstr (status_of (cn.n.nested), ==, "running");
  nested_clear (&cn.n);
  g_object_unref (cn.client);
}

/* ---- connects that give up ----------------------------------------------- */

/* QEMU serves one client at a time: a connect that timed out must not
 * stay in its backlog, to be greeted once the first client leaves and then
 * hold QEMU's only QMP slot. */
static void
test_timed_out_connect_leaves_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpClient) late = xen_qmp_client_new_for_socket (f->socket);
  g_autoptr(XenQmpClient) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(XenQmpClient) cancelled = xen_qmp_client_new_for_socket (f->socket);
  Call c = { 0 }, d = { 0 };
  gint64 start;

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  xen_qmp_client_set_timeout_ms (late, 200);
  xen_qmp_client_connect_async (late, NULL, connect_done, &c);
  xen_qmp_client_connect_async (cancelled, cancellable, connect_done, &d);
  spin (50);
  g_cancellable_cancel (cancellable);
  RUN_UNTIL (c.done && d.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Why: another client has QEMU's only slot. */
  g_test_message ("%s", c.error->message);
  g_assert_nonnull (strstr (c.error->message, "serves one QMP client at a time"));

  /* The first client leaves: a third connects at once, the two that gave
   * up are not greeted behind its back. */
  xen_qmp_client_close (f->client);
  third = xen_qmp_client_new_for_socket (f->socket);
  xen_qmp_client_set_timeout_ms (third, 5000);
  start = g_get_monotonic_time ();
  g_assert_true (xen_qmp_client_connect_sync (third, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("third client connected in %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);
  spin (100);
  g_assert_false (xen_qmp_client_get_connected (late));
  g_assert_false (xen_qmp_client_get_connected (cancelled));
  call_clear (&c);
  call_clear (&d);
}

/* ---- the client's state during its close -------------------------------- */

typedef struct {
  XenQmpClient *client;
  GString      *order;
  Call          reconnect;
  gboolean      reconnect_started;
} Teardown;

static void
teardown_execute_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Teardown *t = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  /* Final already: not connected, and a connect starts afresh. */
  g_assert_false (xen_qmp_client_get_connected (t->client));
  g_string_append (t->order, "execute ");
  t->reconnect_started = TRUE;
  xen_qmp_client_connect_async (t->client, NULL, connect_done, &t->reconnect);
}

static void
teardown_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Teardown *t = user_data;

  g_string_append_printf (t->order, "connected=%d ", xen_qmp_client_get_connected (t->client));
}

static void
teardown_closed (XenQmpClient *client, const GError *reason, gpointer user_data)
{
  Teardown *t = user_data;

  g_string_append (t->order, "closed ");
}

static void
test_close_state_before_user_code (Fixture *f, gconstpointer data)
{
  Teardown t = { f->client, g_string_new (NULL) };
  g_autoptr(GError) error = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  /* Its notify::connected comes once the context runs (a _sync call
   * iterates the library's context alone): not counted here. */
  test_flush ();
  g_signal_connect (f->client, "notify::connected", G_CALLBACK (teardown_notify), &t);
  g_signal_connect (f->client, "closed", G_CALLBACK (teardown_closed), &t);
  /* QEMU is stopped: the command stays Active until the close. */
  test_server_pause (f->server);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL,
                                teardown_execute_done, &t);
  spin (50);
  xen_qmp_client_close (f->client);
  test_server_resume (f->server);
  RUN_UNTIL (t.reconnect.done);
  g_test_message ("order: %s", t.order->str);
  /* Callbacks first, notify::connected, ::closed last; then the connect
   * made from the execute callback succeeds on a fresh connection. */
  g_assert_true (g_str_has_prefix (t.order->str, "execute connected=0 closed "));
  g_assert_no_error (t.reconnect.error);
  g_assert_true (xen_qmp_client_get_connected (f->client));
  c.done = TRUE;
  call_clear (&c);
  call_clear (&t.reconnect);
  g_string_free (t.order, TRUE);
}

static void
reconnect_on_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Teardown *t = user_data;

  if (!xen_qmp_client_get_connected (t->client) && !t->reconnect_started)
    {
      t->reconnect_started = TRUE;
      xen_qmp_client_connect_async (t->client, NULL, connect_done, &t->reconnect);
    }
}

/* A connect from notify::connected (FALSE) is not failed with the old
 * close's reason. */
static void
test_connect_from_notify_connected (Fixture *f, gconstpointer data)
{
  Teardown t = { f->client, g_string_new (NULL) };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  g_signal_connect (f->client, "notify::connected", G_CALLBACK (reconnect_on_notify), &t);
  xen_qmp_client_close (f->client);
  RUN_UNTIL (t.reconnect.done);
  g_assert_no_error (t.reconnect.error);
  g_assert_true (xen_qmp_client_get_connected (f->client));
  call_clear (&t.reconnect);
  g_string_free (t.order, TRUE);
}

/* ---- the thread contract ----------------------------------------------- */

typedef struct {
  XenQmpClient *client;
  XenQmpHost   *host;     /* or the host's */
  GMainLoop    *loop;
} OtherThread;

static void
ignore_event (XenQmpHost *host, guint32 domid, const char *name, JsonObject *data,
              gint64 timestamp_us, gpointer user_data)
{
}

static gpointer
execute_from_other_thread (gpointer data)
{
  OtherThread *o = data;
  Call c = { 0 };

  if (o->host != NULL)
    xen_qmp_host_add_event_handler (o->host, ignore_event, NULL, NULL);
  else
    xen_qmp_client_execute_async (o->client, "query-status", NULL, NULL, NULL, execute_done, &c);
  g_main_loop_quit (o->loop);
  return NULL;
}

static gboolean
start_other_thread (gpointer data)
{
  g_thread_unref (g_thread_new ("other", execute_from_other_thread, data));
  return G_SOURCE_REMOVE;
}

/* While the client's context runs in this thread, a call from another
 * thread is a programmer error, said so at once. */
static void
test_other_thread_is_refused (Fixture *f, gconstpointer data)
{
  SKIP_UNLESS_READY (f);
  if (g_test_subprocess ())
    {
      OtherThread o = { f->client, NULL, g_main_loop_new (NULL, FALSE) };

      g_idle_add (start_other_thread, &o);
      g_main_loop_run (o.loop);
      g_main_loop_unref (o.loop);
      return;
    }
  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*xen_qmp_client_execute_full_async: called from a thread "
                             "that does not own the XenQmpClient's main context*");
}

static void
test_other_thread_host_is_refused (Fixture *f, gconstpointer data)
{
  SKIP_UNLESS_READY (f);
  if (g_test_subprocess ())
    {
      g_autoptr(XenQmpHost) host = xen_qmp_host_new (f->dir);
      OtherThread o = { NULL, host, g_main_loop_new (NULL, FALSE) };

      g_idle_add (start_other_thread, &o);
      g_main_loop_run (o.loop);
      g_main_loop_unref (o.loop);
      return;
    }
  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*xen_qmp_host_add_event_handler: called from a thread "
                             "that does not own the XenQmpHost's main context*");
}

static void
add (const char *name, Backend backend, void (*func) (Fixture *, gconstpointer))
{
  TEST_BACKEND_ADD ("/reentrancy", name, backend, Fixture, fixture_setup, func, client_fixture_teardown);
}

static void
add_both (const char *name, void (*func) (Fixture *, gconstpointer))
{
  add (name, BACKEND_FAKE, func);
  add (name, BACKEND_QEMU, func);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_both ("sync-in-execute-callback", test_sync_in_execute_callback);
  add_both ("sync-in-event-handler", test_sync_in_event_handler);
  add_both ("sync-in-command-callback", test_sync_in_command_callback);
  add_both ("wire-order", test_wire_order);
  add_both ("other-context-pushed", test_other_context_pushed);
  add_both ("timed-out-connect-leaves-nothing", test_timed_out_connect_leaves_nothing);
  add_both ("close-state-before-user-code", test_close_state_before_user_code);
  add_both ("connect-from-notify-connected", test_connect_from_notify_connected);
  add ("other-thread-is-refused", BACKEND_FAKE, test_other_thread_is_refused);
  add ("other-thread-host-is-refused", BACKEND_FAKE, test_other_thread_host_is_refused);
  return g_test_run ();
}
