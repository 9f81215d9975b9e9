/* test-client.c: the GObject client API against fake-qemu, a real QEMU and
 * a raw scripted peer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-call.h"
#include "test-fds.h"
#include "test-loop.h"
#include "test-peer.h"
#include "test-backend.h"

typedef struct {
  Backend       backend;
  char         *dir;
  char         *socket;
  TestServer   *server;
  XenQmpClient *client;
  gboolean      skipped;
  GPtrArray    *fds;            /* open when the test started */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->fds = test_fds_snapshot ();
  f->backend = GPOINTER_TO_INT (data);
  if (!test_backend_available (f->backend))
    {
      f->skipped = TRUE;
      return;
    }
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp-libxl-1", NULL);
  f->server = test_backend_start (f->backend, f->socket);
  f->client = xen_qmp_client_new_for_socket (f->socket);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->server, test_server_stop);
  test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
  test_fds_assert_no_leak (g_steal_pointer (&f->fds));
}

#define SKIP_UNLESS_READY(f) G_STMT_START { if ((f)->skipped) return; } G_STMT_END

static void
execute (Fixture *f, Call *c, const char *command, const char *args_json)
{
  g_autoptr(JsonObject) args = NULL;

  if (args_json != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (args_json, NULL);
      args = json_object_ref (json_node_get_object (node));
    }
  call_clear (c);
  xen_qmp_client_execute_async (f->client, command, args, NULL, NULL, execute_done, c);
  RUN_UNTIL (c->done);
}

static const char *
member_string (JsonNode *node, const char *member)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member (json_node_get_object (node), member);
}

/* ---------------------------------------------------------------------- */

static void
notify_count (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_client_connect_and_greeting (Fixture *f, gconstpointer data)
{
  Call c = { 0 };
  guint notified = 0;
  JsonObject *greeting, *qemu;

  SKIP_UNLESS_READY (f);
  g_assert_false (xen_qmp_client_get_connected (f->client));
  g_assert_null (xen_qmp_client_get_greeting (f->client));
  g_signal_connect (f->client, "notify::connected", G_CALLBACK (notify_count), &notified);
  xen_qmp_client_connect_async (f->client, NULL, connect_done, &c);
  g_assert_false (c.done);
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
  g_assert_true (xen_qmp_client_get_connected (f->client));
  g_assert_cmpuint (notified, ==, 1);

  greeting = xen_qmp_client_get_greeting (f->client);
  g_assert_nonnull (greeting);
  qemu = json_object_get_object_member (json_object_get_object_member (greeting, "version"), "qemu");
  g_assert_cmpint (json_object_get_int_member (qemu, "major"), ==, 7);
  g_assert_true (json_array_get_length (json_object_get_array_member (greeting, "capabilities")) >= 1);

  /* Connecting again succeeds at once. */
  c.done = FALSE;
  xen_qmp_client_connect_async (f->client, NULL, connect_done, &c);
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
  g_assert_cmpuint (notified, ==, 1);
}

static void
test_client_execute (Fixture *f, gconstpointer data)
{
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  /* No connect first: execute connects. */
  execute (f, &c, "query-status", NULL);
  g_assert_no_error (c.error);
  g_assert_cmpstr (member_string (c.ret, "status"), ==, "running");
  execute (f, &c, "query-version", NULL);
  g_assert_nonnull (json_object_get_member (json_node_get_object (c.ret), "qemu"));
  call_clear (&c);
}

static void
test_client_execute_sync (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;

  SKIP_UNLESS_READY (f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  ret = xen_qmp_client_execute_sync (f->client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (member_string (ret, "status"), ==, "running");
  g_clear_pointer (&ret, json_node_unref);
  ret = xen_qmp_client_execute_sync (f->client, "no-such-command", NULL, NULL, NULL, &error);
  g_assert_null (ret);
  g_assert_error (error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND);
}

static void
test_client_error_class (Fixture *f, gconstpointer data)
{
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  execute (f, &c, "no-such-command", NULL);
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND);
  g_assert_cmpstr (c.error->message, ==, "The command no-such-command has not been found");
  execute (f, &c, "closefd", "{\"fdname\": \"nope\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_GENERIC_ERROR);
  call_clear (&c);
}

typedef struct {
  GPtrArray *names;
  gint64     timestamp_us;
  gboolean   had_data;
} Seen;

static void
on_event (XenQmpClient *client, const char *name, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  Seen *s = user_data;

  g_ptr_array_add (s->names, g_strdup (name));
  s->timestamp_us = timestamp_us;
  s->had_data = data != NULL;
}

static void
test_client_event_signal_detailed (Fixture *f, gconstpointer data)
{
  Seen all = { g_ptr_array_new_with_free_func (g_free) };
  Seen stops = { g_ptr_array_new_with_free_func (g_free) };
  Call c = { 0 };
  gint64 now = g_get_real_time ();

  SKIP_UNLESS_READY (f);
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), &all);
  g_signal_connect (f->client, "event::STOP", G_CALLBACK (on_event), &stops);
  execute (f, &c, "stop", NULL);
  execute (f, &c, "cont", NULL);
  RUN_UNTIL (all.names->len == 2);
  g_assert_cmpstr (all.names->pdata[0], ==, "STOP");
  g_assert_cmpstr (all.names->pdata[1], ==, "RESUME");
  g_assert_cmpuint (stops.names->len, ==, 1);
  g_assert_cmpstr (stops.names->pdata[0], ==, "STOP");
  g_assert_cmpint (all.timestamp_us, >, now - 60 * G_USEC_PER_SEC);
  g_ptr_array_unref (all.names);
  g_ptr_array_unref (stops.names);
  call_clear (&c);
}

static void
early_events_peer (TestPeer *peer, gpointer user_data)
{
  /* Before the greeting, and at once after negotiation. */
  test_peer_send (peer, "{\"event\": \"EARLY\", \"data\": {\"n\": 1}}\r\n");
  g_free (test_peer_negotiate (peer, TRUE));
  test_peer_send (peer, "{\"event\": \"RIGHT_AFTER\"}\r\n");
  test_peer_wait_eof (peer, 10000);
}

typedef struct {
  Seen  *seen;
  guint  connected;
} EarlyConnect;

static void
early_connect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EarlyConnect *ec = user_data;

  g_assert_true (xen_qmp_client_connect_finish (XEN_QMP_CLIENT (source), result, NULL));
  /* Subscribing only now must still see the early events. */
  g_signal_connect (source, "event", G_CALLBACK (on_event), ec->seen);
  ec->connected++;
}

static void
test_client_early_events_not_lost (Fixture *f, gconstpointer data)
{
  Seen seen = { g_ptr_array_new_with_free_func (g_free) };
  EarlyConnect ec = { &seen, 0 };
  TestPeer *peer = test_peer_new (f->socket, early_events_peer, NULL);

  xen_qmp_client_connect_async (f->client, NULL, early_connect_done, &ec);
  RUN_UNTIL (seen.names->len == 2);
  g_assert_cmpstr (seen.names->pdata[0], ==, "EARLY");
  g_assert_cmpstr (seen.names->pdata[1], ==, "RIGHT_AFTER");
  xen_qmp_client_close (f->client);
  test_peer_join (peer);
  g_ptr_array_unref (seen.names);
}

static void
test_client_cancel_active_execute (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Call c = { 0 };
  gint64 cancelled_at;

  SKIP_UNLESS_READY (f);
  execute (f, &c, "query-status", NULL);
  test_server_pause (f->server);
  call_clear (&c);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, cancellable,
                                execute_done, &c);
  spin (100);
  g_assert_false (c.done);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (c.completed_at - cancelled_at, <, G_USEC_PER_SEC);

  /* QEMU answers the cancelled command late: the reply is dropped and the
   * next command gets its own. */
  test_server_resume (f->server);
  execute (f, &c, "query-version", NULL);
  g_assert_no_error (c.error);
  g_assert_nonnull (json_object_get_member (json_node_get_object (c.ret), "qemu"));
  call_clear (&c);
}

/* An execute cancelled before it starts, while it waits for the schema,
 * or once sent, and a connect cancelled while QEMU does not greet: each
 * says whom and what ("domain 1: query-status was cancelled"), never
 * GTask's bare "Operation was cancelled". */
static void
cancel_and_check (XenQmpClient *client, gboolean before_start, const char *expected)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Call c = { 0 };

  if (before_start)
    g_cancellable_cancel (cancellable);
  xen_qmp_client_execute_async (client, "query-status", NULL, NULL, cancellable,
                                execute_done, &c);
  spin (50);
  g_cancellable_cancel (cancellable);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (c.error->message, ==, expected);
  call_clear (&c);
}

static void
test_client_cancel_names_peer_and_command (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpHost) host = NULL;
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *expected = g_strdup_printf ("%s: query-status was cancelled", f->socket);
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  cancel_and_check (f->client, TRUE, expected);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  test_server_pause (f->server);
  cancel_and_check (f->client, FALSE, expected);
  /* Waiting for the schema (fake-qemu is stopped: it never comes). */
  g_object_set (f->client, "validate", TRUE, NULL);
  cancel_and_check (f->client, FALSE, expected);
  g_object_set (f->client, "validate", FALSE, NULL);

  host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                       "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  client = xen_qmp_client_new_for_domain (host, 1);
  cancel_and_check (client, TRUE, "domain 1: query-status was cancelled");
  /* Connecting: QEMU (stopped) never greets. */
  g_cancellable_cancel (cancellable);
  g_assert_false (xen_qmp_client_connect_sync (client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "domain 1: connecting was cancelled");
  g_clear_error (&error);
  cancel_and_check (client, FALSE, "domain 1: query-status was cancelled");
  test_server_resume (f->server);
  xen_qmp_client_close (client);
}

static void
test_client_timeouts (Fixture *f, gconstpointer data)
{
  Call c = { 0 };
  gint64 start;

  SKIP_UNLESS_READY (f);
  execute (f, &c, "query-status", NULL);
  test_server_pause (f->server);

  /* Per call. */
  call_clear (&c);
  start = g_get_monotonic_time ();
  xen_qmp_client_execute_full_async (f->client, "query-status", NULL, NULL,
                                     XEN_QMP_EXECUTE_NONE, 200, NULL, execute_done, &c);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (c.completed_at - start, >=, 200 * 1000);

  /* The client's default. */
  xen_qmp_client_set_timeout_ms (f->client, 300);
  call_clear (&c);
  start = g_get_monotonic_time ();
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL, execute_done, &c);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (c.completed_at - start, >=, 300 * 1000);
  test_server_resume (f->server);
  call_clear (&c);
}

static void
on_closed (XenQmpClient *client, GError *reason, gpointer user_data)
{
  GError **slot = user_data;

  g_assert_nonnull (reason);
  g_assert_null (*slot);
  *slot = g_error_copy (reason);
}

/* Connected, watching ::closed, with a command Active on a stopped QEMU. */
static void
start_command_on_stopped_qemu (Fixture *f, Call *c, GError **reason)
{
  g_signal_connect (f->client, "closed", G_CALLBACK (on_closed), reason);
  execute (f, c, "query-status", NULL);
  test_server_pause (f->server);
  call_clear (c);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL, execute_done, c);
}

static void
test_client_closed_when_qemu_dies (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) reason = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  start_command_on_stopped_qemu (f, &c, &reason);
  spin (50);
  kill (test_server_get_pid (f->server), SIGKILL);
  RUN_UNTIL (c.done && reason != NULL);
  g_assert_true (c.error->domain == G_IO_ERROR);
  g_assert_error (reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_false (xen_qmp_client_get_connected (f->client));
  g_signal_handlers_disconnect_by_data (f->client, &reason);
  call_clear (&c);
}

static void
test_client_close_fails_active (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) reason = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  start_command_on_stopped_qemu (f, &c, &reason);
  spin (20);
  xen_qmp_client_close (f->client);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_error (reason, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_signal_handlers_disconnect_by_data (f->client, &reason);
  test_server_resume (f->server);
  /* It can connect again. */
  execute (f, &c, "query-status", NULL);
  g_assert_no_error (c.error);
  call_clear (&c);
}

static void
test_client_fd_list (Fixture *f, gconstpointer data)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) added = NULL;
  g_autoptr(JsonNode) sets = NULL;
  g_autofree char *text = NULL;
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  SKIP_UNLESS_READY (f);
  g_unix_fd_list_append (fds, fd, &error);
  close (fd);
  json_object_set_string_member (args, "opaque", "from-fd-list");
  added = xen_qmp_client_execute_sync (f->client, "add-fd", args, fds, NULL, &error);
  g_assert_no_error (error);
  sets = xen_qmp_client_execute_sync (f->client, "query-fdsets", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  text = json_to_string (sets, FALSE);
  g_assert_nonnull (strstr (text, "\"opaque\":\"from-fd-list\""));
}

static void
test_client_out_of_band (Fixture *f, gconstpointer data)
{
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  /* QEMU runs only a few commands out of band: its refusal proves that
   * exec-oob was sent. */
  xen_qmp_client_execute_full_async (f->client, "query-status", NULL, NULL,
                                     XEN_QMP_EXECUTE_OUT_OF_BAND, -1, NULL, execute_done, &c);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_GENERIC_ERROR);
  g_assert_cmpstr (c.error->message, ==, "The command query-status does not support OOB");
  xen_qmp_client_close (f->client);

  /* Without oob negotiated, the same call goes in-band. */
  g_object_set (f->client, "enable-oob", FALSE, NULL);
  call_clear (&c);
  xen_qmp_client_execute_full_async (f->client, "query-status", NULL, NULL,
                                     XEN_QMP_EXECUTE_OUT_OF_BAND, -1, NULL, execute_done, &c);
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
  call_clear (&c);
}

static void
cmd_done (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
          const GError *error, gpointer user_data)
{
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

/* QEMU serves one client at a time: a domain's client and the command API
 * must share one connection, or one of them would wait forever. */
static void
test_client_for_domain_shares_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpHost) host = NULL;
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  Seen seen = { g_ptr_array_new_with_free_func (g_free) };
  XenQmpCmd cmd;
  guint done = 0;

  SKIP_UNLESS_READY (f);
  host = xen_qmp_host_new (f->dir);
  client = xen_qmp_client_new_for_domain (host, 1);
  g_assert_cmpstr (xen_qmp_client_get_socket_path (client), ==, f->socket);
  g_signal_connect (client, "event", G_CALLBACK (on_event), &seen);
  g_assert_true (xen_qmp_client_connect_sync (client, NULL, &error));

  xen_qmp_cmd_init (&cmd);
  cmd.timeout_ms = 5000;
  g_assert_true (xen_qmp_cmd_exec (host, &cmd, cmd_done, &done, 1, "stop", NULL, &error));
  RUN_UNTIL (done == 1 && seen.names->len == 1);
  /* The command API's stop was seen by the client's subscriber. */
  g_assert_cmpstr (seen.names->pdata[0], ==, "STOP");
  ret = xen_qmp_client_execute_sync (client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (member_string (ret, "status"), ==, "paused");
  xen_qmp_client_close (client);
  g_ptr_array_unref (seen.names);
}

typedef struct {
  XenQmpClient *other;
  JsonNode     *nested;
  gboolean      done;
} NestedSync;

static void
nested_sync_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NestedSync *n = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, &error);

  g_assert_no_error (error);
  /* A sync call from inside a callback runs a nested main loop: the other
   * QEMU's socket must still be served (sockets share one source). */
  n->nested = xen_qmp_client_execute_sync (n->other, "query-version", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  n->done = TRUE;
}

static void
test_client_sync_call_inside_callback (Fixture *f, gconstpointer data)
{
  g_autofree char *other_socket = g_build_filename (f->dir, "qmp-libxl-2", NULL);
  g_autoptr(GError) error = NULL;
  TestServer *other_server = NULL;
  NestedSync n = { 0 };

  SKIP_UNLESS_READY (f);
  other_server = test_server_start_fake (other_socket, NULL, &error);
  g_assert_no_error (error);
  n.other = xen_qmp_client_new_for_socket (other_socket);
  xen_qmp_client_set_timeout_ms (n.other, 10000);
  xen_qmp_client_execute_async (f->client, "query-status", NULL, NULL, NULL, nested_sync_done, &n);
  RUN_UNTIL (n.done);
  g_assert_nonnull (json_object_get_member (json_node_get_object (n.nested), "qemu"));
  json_node_unref (n.nested);
  g_object_unref (n.other);
  test_server_stop (other_server);
}

/* ---- GInitable, GAsyncInitable ------------------------------------------ */

/* Initialising is connecting: a connected client, or NULL and the connect
 * error; for a socket and for a domain of a host. */
static void
test_client_initable (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "qmp-libxl-7", NULL);
  g_autoptr(XenQmpHost) host = NULL;
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  Call c = { 0 };

  SKIP_UNLESS_READY (f);
  client = g_initable_new (XEN_QMP_TYPE_CLIENT, NULL, &error, "socket-path", f->socket, NULL);
  g_assert_no_error (error);
  g_assert_true (xen_qmp_client_get_connected (client));
  g_assert_nonnull (xen_qmp_client_get_greeting (client));
  g_clear_object (&client);

  host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir, "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  client = g_initable_new (XEN_QMP_TYPE_CLIENT, NULL, &error, "host", host, "domid", 1, NULL);
  g_assert_no_error (error);
  g_assert_true (xen_qmp_client_get_connected (client));
  xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL, execute_done, &c);
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
  call_clear (&c);
  g_clear_object (&client);

  client = g_initable_new (XEN_QMP_TYPE_CLIENT, NULL, &error, "socket-path", missing, NULL);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

typedef struct {
  gboolean      done;
  XenQmpClient *client;
  GError       *error;
} NewAsync;

static void
new_async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NewAsync *n = user_data;
  GObject *object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, &n->error);

  n->client = object != NULL ? XEN_QMP_CLIENT (object) : NULL;
  n->done = TRUE;
}

static void
test_client_async_initable (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "qmp-libxl-7", NULL);
  NewAsync n = { 0 };

  SKIP_UNLESS_READY (f);
  g_async_initable_new_async (XEN_QMP_TYPE_CLIENT, G_PRIORITY_DEFAULT, NULL, new_async_done, &n,
                              "socket-path", f->socket, NULL);
  RUN_UNTIL (n.done);
  g_assert_no_error (n.error);
  g_assert_true (xen_qmp_client_get_connected (n.client));
  g_clear_object (&n.client);

  n.done = FALSE;
  g_async_initable_new_async (XEN_QMP_TYPE_CLIENT, G_PRIORITY_DEFAULT, NULL, new_async_done, &n,
                              "socket-path", missing, NULL);
  RUN_UNTIL (n.done);
  g_assert_null (n.client);
  g_assert_error (n.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&n.error);
}

/* ---- notify:: ------------------------------------------------------------ */

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  GHashTable *counts = user_data;
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
}

/* A valid value of PSPEC other than CURRENT's. */
static void
other_value (GParamSpec *pspec, const GValue *current, GValue *other)
{
  g_value_init (other, G_PARAM_SPEC_VALUE_TYPE (pspec));
  if (G_IS_PARAM_SPEC_UINT (pspec))
    {
      GParamSpecUInt *u = G_PARAM_SPEC_UINT (pspec);
      guint v = g_value_get_uint (current);

      g_value_set_uint (other, v < u->maximum ? v + 1 : u->minimum);
    }
  else if (G_IS_PARAM_SPEC_UINT64 (pspec))
    {
      GParamSpecUInt64 *u = G_PARAM_SPEC_UINT64 (pspec);
      guint64 v = g_value_get_uint64 (current);

      g_value_set_uint64 (other, v < u->maximum ? v + 1 : u->minimum);
    }
  else if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
    g_value_set_boolean (other, !g_value_get_boolean (current));
  else if (G_IS_PARAM_SPEC_STRING (pspec))
    g_value_set_string (other, g_strcmp0 (g_value_get_string (current), "/a") == 0 ? "/b" : "/a");
  else
    g_assert_not_reached ();
}

/* Every writable property that may change after construction notifies
 * once when set to a new value, and not when set to the value it has. */
static void
assert_notify_only_on_change (GObject *object)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree GParamSpec **pspecs = NULL;
  guint n, checked = 0;

  g_signal_connect (object, "notify", G_CALLBACK (count_notify), counts);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n);
  for (guint i = 0; i < n; i++)
    {
      GParamSpec *pspec = pspecs[i];
      const char *name = g_param_spec_get_name (pspec);
      g_auto(GValue) current = G_VALUE_INIT;
      g_auto(GValue) other = G_VALUE_INIT;

      if (!(pspec->flags & G_PARAM_WRITABLE) || (pspec->flags & G_PARAM_CONSTRUCT_ONLY))
        continue;
      g_test_message ("%s:%s", G_OBJECT_TYPE_NAME (object), name);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      g_value_init (&current, G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_object_get_property (object, name, &current);
      g_hash_table_remove_all (counts);
      g_object_set_property (object, name, &current);
      g_assert_cmpuint (g_hash_table_size (counts), ==, 0);
      other_value (pspec, &current, &other);
      g_object_set_property (object, name, &other);
      g_assert_cmpuint (g_hash_table_size (counts), ==, 1);
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)), ==, 1);
      g_object_set_property (object, name, &other);
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)), ==, 1);
      checked++;
    }
  g_assert_cmpuint (checked, >, 5);
  g_signal_handlers_disconnect_by_func (object, count_notify, counts);
}

static void
test_host_notify_only_on_change (void)
{
  g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", "/nonexistent",
                                             "xenstore", XEN_QMP_XENSTORE_OFF, NULL);

  assert_notify_only_on_change (G_OBJECT (host));
}

static void
test_client_notify_only_on_change (void)
{
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket ("/nonexistent");

  assert_notify_only_on_change (G_OBJECT (client));
}

static void
add (const char *name, Backend backend, void (*func) (Fixture *, gconstpointer))
{
  TEST_BACKEND_ADD ("/client", name, backend, Fixture, fixture_setup, func, fixture_teardown);
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
  test_fds_warm_up ();

  add_both ("connect-and-greeting", test_client_connect_and_greeting);
  add_both ("execute", test_client_execute);
  add_both ("execute-sync", test_client_execute_sync);
  add_both ("error-class", test_client_error_class);
  add_both ("event-signal-detailed", test_client_event_signal_detailed);
  add ("early-events-not-lost", BACKEND_NONE, test_client_early_events_not_lost);
  add_both ("cancel-active-execute", test_client_cancel_active_execute);
  add ("cancel-names-peer-and-command", BACKEND_FAKE, test_client_cancel_names_peer_and_command);
  add_both ("timeouts", test_client_timeouts);
  add_both ("closed-when-qemu-dies", test_client_closed_when_qemu_dies);
  add_both ("close-fails-active", test_client_close_fails_active);
  add_both ("fd-list", test_client_fd_list);
  add_both ("out-of-band", test_client_out_of_band);
  add_both ("for-domain-shares-connection", test_client_for_domain_shares_connection);
  add ("sync-call-inside-callback", BACKEND_FAKE, test_client_sync_call_inside_callback);
  add ("initable", BACKEND_FAKE, test_client_initable);
  add ("async-initable", BACKEND_FAKE, test_client_async_initable);
  g_test_add_func ("/client/properties/notify-only-on-change", test_client_notify_only_on_change);
  g_test_add_func ("/client/properties/host-notify-only-on-change", test_host_notify_only_on_change);
  return g_test_run ();
}
