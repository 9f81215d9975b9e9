/* test-limits.c: what a device model may cost the toolstack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each limit of DESIGN.md ("Limits") on the client and the host: going over
 * it ends that connection with an error naming the limit, the other
 * connections go on, and the deepest nesting accepted still parses on a
 * thread with a 256 KiB stack.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-call.h"
#include "test-fds.h"
#include "test-loop.h"
#include "test-peer.h"
#include "test-server.h"

typedef struct {
  char *dir;
  char *socket;
  GPtrArray    *fds;            /* open when the test started */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->fds = test_fds_snapshot ();
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp-libxl-1", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
  test_fds_assert_no_leak (g_steal_pointer (&f->fds));
}

/* A peer answering one command with a reply whose `return` is built by
 * the test (a large or deep value). */
typedef struct {
  char *ret_json;
} ReplyPeer;

static void
reply_with_peer (TestPeer *peer, gpointer user_data)
{
  ReplyPeer *rp = user_data;
  g_autoptr(JsonObject) cmd = NULL;

  g_free (test_peer_negotiate (peer, FALSE));
  cmd = test_peer_read_command (peer);
  if (cmd != NULL)
    test_peer_reply (peer, cmd, rp->ret_json);
  test_peer_wait_eof (peer, 10000);
}

static char *
nested_arrays (guint depth)
{
  GString *s = g_string_sized_new (depth * 2);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* One execute through a client of SOCKET with the given limits, answered
 * by a peer with RET_JSON. */
static void
execute_against (Fixture *f, const char *ret_json, Call *c,
                 const char *first_property, ...)
{
  ReplyPeer rp = { g_strdup (ret_json) };
  TestPeer *peer = test_peer_new (f->socket, reply_with_peer, &rp);
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (f->socket);
  va_list ap;

  va_start (ap, first_property);
  g_object_set_valist (G_OBJECT (client), first_property, ap);
  va_end (ap);

  xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL, execute_done, c);
  RUN_UNTIL (c->done);
  xen_qmp_client_close (client);
  test_peer_join (peer);
  g_free (rp.ret_json);
}

/* A JSON string of LEN letters. */
static char *
json_string_of (gsize len)
{
  g_autofree char *letters = g_strnfill (len, 'x');

  return g_strdup_printf ("\"%s\"", letters);
}

static void
test_client_message_size (Fixture *f, gconstpointer data)
{
  g_autofree char *fits = json_string_of (400);
  g_autofree char *big = json_string_of (2000);
  Call c = { 0 };

  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "*larger than 1024 bytes (limit max-message-size)");
  execute_against (f, big, &c, "max-message-size", (guint64) 1024, NULL);
  g_test_assert_expected_messages ();
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (c.error->message, "larger than 1024 bytes (limit max-message-size)"));
  call_clear (&c);

  execute_against (f, fits, &c, "max-message-size", (guint64) 1024, NULL);
  g_assert_no_error (c.error);
  g_assert_cmpuint (strlen (json_node_get_string (c.ret)), ==, 400);
  call_clear (&c);
}

static void
test_client_depth (Fixture *f, gconstpointer data)
{
  g_autofree char *deep = nested_arrays (8);     /* 9 levels with the reply */
  g_autofree char *fits = nested_arrays (7);
  Call c = { 0 };

  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "*nested more than 8 levels deep (limit max-depth)");
  execute_against (f, deep, &c, "max-depth", 8u, NULL);
  g_test_assert_expected_messages ();
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (c.error->message, "limit max-depth"));
  call_clear (&c);

  execute_against (f, fits, &c, "max-depth", 8u, NULL);
  g_assert_no_error (c.error);
  call_clear (&c);
}

static void
test_client_depth_ceiling (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (f->socket);
  g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                                            "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  GParamSpecUInt *pspec;

  /* A deeper limit would let json-glib's recursion overrun a small stack. */
  pspec = G_PARAM_SPEC_UINT (g_object_class_find_property (G_OBJECT_GET_CLASS (client),
                                                           "max-depth"));
  g_assert_cmpuint (pspec->maximum, ==, 1024);
  pspec = G_PARAM_SPEC_UINT (g_object_class_find_property (G_OBJECT_GET_CLASS (host),
                                                           "max-depth"));
  g_assert_cmpuint (pspec->maximum, ==, 1024);
}

static void
busy_peer (TestPeer *peer, gpointer user_data)
{
  g_free (test_peer_negotiate (peer, FALSE));
  /* Reads nothing more: every command stays Active. */
  test_peer_wait_eof (peer, 10000);
}

static void
test_client_queued_commands (Fixture *f, gconstpointer data)
{
  TestPeer *peer = test_peer_new (f->socket, busy_peer, NULL);
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (f->socket);
  Call calls[3] = { { 0 } };

  g_autoptr(GError) error = NULL;

  g_object_set (client, "max-queued-commands", 2u, NULL);
  g_assert_true (xen_qmp_client_connect_sync (client, NULL, &error));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL,
                                  execute_done, &calls[i]);
  RUN_UNTIL (calls[2].done);
  g_assert_error (calls[2].error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (calls[2].error->message, "limit max-queued-commands"));
  g_assert_false (calls[0].done);
  g_assert_false (calls[1].done);

  xen_qmp_client_close (client);
  RUN_UNTIL (calls[0].done && calls[1].done);
  g_assert_error (calls[0].error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    call_clear (&calls[i]);
  test_peer_join (peer);
}

/* ---- events flooding a client before it can deliver them ------------- */

static void
flood_peer (TestPeer *peer, gpointer user_data)
{
  guint n = GPOINTER_TO_UINT (user_data);
  g_autoptr(GString) burst = g_string_new (NULL);
  g_autoptr(JsonObject) cmd = NULL;

  /* Before the greeting: nobody can have subscribed yet, so the client
   * must keep them. */
  for (guint i = 0; i < n; i++)
    g_string_append_printf (burst, "{\"event\": \"FLOOD\", \"data\": {\"n\": %u}}\r\n", i);
  test_peer_send_len (peer, burst->str, burst->len);
  test_peer_send_greeting (peer, FALSE);
  /* NULL when the client gave up on the flood. */
  cmd = test_peer_read_command (peer);
  if (cmd != NULL)
    test_peer_reply (peer, cmd, "{}");
  test_peer_wait_eof (peer, 10000);
}

typedef struct {
  guint    connected;
  guint    events;
  guint    closed;
  GError  *closed_error;
} FloodState;

static void
flood_connect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FloodState *st = user_data;

  xen_qmp_client_connect_finish (XEN_QMP_CLIENT (source), result, NULL);
  st->connected++;
}

static void
flood_on_event (XenQmpClient *client, const char *name, JsonObject *data,
                gint64 timestamp_us, gpointer user_data)
{
  FloodState *st = user_data;

  g_assert_cmpint (json_object_get_int_member (data, "n"), ==, st->events);
  st->events++;
}

static void
flood_on_closed (XenQmpClient *client, const GError *error, gpointer user_data)
{
  FloodState *st = user_data;

  st->closed++;
  g_clear_error (&st->closed_error);
  st->closed_error = error != NULL ? g_error_copy (error) : NULL;
}

static void
run_flood (Fixture *f, guint n_events, guint limit, FloodState *st)
{
  TestPeer *peer = test_peer_new (f->socket, flood_peer, GUINT_TO_POINTER (n_events));
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (f->socket);

  g_object_set (client, "max-buffered-events", limit, NULL);
  g_signal_connect (client, "event", G_CALLBACK (flood_on_event), st);
  g_signal_connect (client, "closed", G_CALLBACK (flood_on_closed), st);
  xen_qmp_client_connect_async (client, NULL, flood_connect_done, st);
  RUN_UNTIL (st->connected == 1 && (st->closed > 0 || st->events == n_events));
  spin (50);
  /* Only what QEMU caused counts, not our own close. */
  g_signal_handlers_disconnect_by_data (client, st);
  xen_qmp_client_close (client);
  test_peer_join (peer);
}

static void
test_client_buffered_events_limit (Fixture *f, gconstpointer data)
{
  FloodState st = { 0 };

  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "*more than 16 events before they could be delivered "
                         "(limit max-buffered-events)");
  run_flood (f, 100, 16, &st);
  g_test_assert_expected_messages ();
  /* Ended, not silently thinned out: no event of the flood is emitted. */
  g_assert_cmpuint (st.events, ==, 0);
  g_assert_cmpuint (st.closed, ==, 1);
  g_assert_error (st.closed_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (st.closed_error->message, "limit max-buffered-events"));
  g_clear_error (&st.closed_error);
}

static void
test_client_buffered_events_within_limit (Fixture *f, gconstpointer data)
{
  FloodState st = { 0 };

  run_flood (f, 16, 16, &st);
  g_assert_cmpuint (st.events, ==, 16);
  g_assert_cmpuint (st.closed, ==, 0);
}

/* ---- events flooding a client while a _sync call waits ----------------- */

/* QEMU answers the command after N events: during a _sync call, which
 * keeps them for the application's context. */
static void
sync_flood_peer (TestPeer *peer, gpointer user_data)
{
  guint n = GPOINTER_TO_UINT (user_data);
  g_autoptr(GString) burst = g_string_new (NULL);
  g_autoptr(JsonObject) caps = NULL;
  g_autoptr(JsonObject) cmd = NULL;

  test_peer_send_greeting (peer, FALSE);
  caps = test_peer_read_command (peer);
  if (caps != NULL)
    test_peer_reply (peer, caps, "{}");
  cmd = test_peer_read_command (peer);
  if (cmd == NULL)
    return;
  for (guint i = 0; i < n; i++)
    g_string_append_printf (burst, "{\"event\": \"FLOOD\", \"data\": {\"n\": %u}}\r\n", i);
  test_peer_send_len (peer, burst->str, burst->len);
  test_peer_reply (peer, cmd, "{\"status\": \"running\"}");
  test_peer_wait_eof (peer, 10000);
}

static JsonNode *
run_sync_flood (Fixture *f, guint n_events, guint limit, FloodState *st, GError **error)
{
  TestPeer *peer = test_peer_new (f->socket, sync_flood_peer, GUINT_TO_POINTER (n_events));
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (f->socket);
  JsonNode *ret;

  g_object_set (client, "max-buffered-events", limit, NULL);
  g_signal_connect (client, "event", G_CALLBACK (flood_on_event), st);
  g_signal_connect (client, "closed", G_CALLBACK (flood_on_closed), st);
  ret = xen_qmp_client_execute_sync (client, "query-status", NULL, NULL, NULL, error);
  /* Nothing was emitted inside the call; what was kept comes now. */
  g_assert_cmpuint (st->events, ==, 0);
  test_flush ();
  spin (50);
  g_signal_handlers_disconnect_by_data (client, st);
  xen_qmp_client_close (client);
  test_peer_join (peer);
  return ret;
}

static void
test_client_sync_events_limit (Fixture *f, gconstpointer data)
{
  FloodState st = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;

  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "*more than 16 events while a _sync call waited "
                         "(limit max-buffered-events)");
  ret = run_sync_flood (f, 100, 16, &st, &error);
  g_test_assert_expected_messages ();
  g_assert_null (ret);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "limit max-buffered-events"));
  /* Those kept before the limit still come, in order, then the close. */
  g_assert_cmpuint (st.events, ==, 16);
  g_assert_cmpuint (st.closed, ==, 1);
  g_clear_error (&st.closed_error);
}

static void
test_client_sync_events_within_limit (Fixture *f, gconstpointer data)
{
  FloodState st = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;

  ret = run_sync_flood (f, 16, 16, &st, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ret);
  g_assert_cmpuint (st.events, ==, 16);
  g_assert_cmpuint (st.closed, ==, 0);
}

/* The host's connections keep at most the default during a _sync call
 * made through a domain's client, whose events the host routes. */
#define HOST_SYNC_EVENTS 1024   /* as documented (docs/client-api.md) */
static void
count_host_event (XenQmpHost *host, guint32 domid, const char *name, JsonObject *data,
                  gint64 timestamp_us, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_host_sync_events_limit (Fixture *f, gconstpointer data)
{
  TestPeer *peer = test_peer_new (f->socket, sync_flood_peer,
                                  GUINT_TO_POINTER (HOST_SYNC_EVENTS + 10));
  g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                                             "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_domain (host, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  guint events = 0;

  xen_qmp_host_add_event_handler (host, count_host_event, &events, NULL);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "*more than 1024 events while a _sync call waited "
                         "(limit max-buffered-events)");
  ret = xen_qmp_client_execute_sync (client, "query-status", NULL, NULL, NULL, &error);
  g_test_assert_expected_messages ();
  g_assert_null (ret);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (events, ==, 0);
  test_flush ();
  g_assert_cmpuint (events, ==, HOST_SYNC_EVENTS);
  g_clear_object (&client);
  g_clear_object (&host);
  test_peer_join (peer);
}

/* ---- the host: one domain over a limit, the other goes on ------------- */

static void
cmd_done (XenQmpCmd *cmd, JsonNode *ret, XenQmpErrorClass error_class,
          const GError *error, gpointer user_data)
{
  Call *c = user_data;

  g_assert_false (c->done);
  c->ret = ret != NULL ? json_node_ref (ret) : NULL;
  c->error = error != NULL ? g_error_copy (error) : NULL;
  c->done = TRUE;
}

static void
test_host_limit_spares_other_domains (Fixture *f, gconstpointer data)
{
  g_autofree char *big = json_string_of (8192);
  g_autofree char *good_socket = g_build_filename (f->dir, "qmp-libxl-2", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpHost) host = NULL;
  ReplyPeer rp = { big };
  TestPeer *peer = test_peer_new (f->socket, reply_with_peer, &rp);
  TestServer *good = test_server_start_fake (good_socket, NULL, &error);
  XenQmpCmd bad_cmd, good_cmd;
  Call bad_call = { 0 }, good_call = { 0 };

  g_assert_no_error (error);
  host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir, "xenstore", XEN_QMP_XENSTORE_OFF,
                       "max-message-size", (guint64) 4096, NULL);
  xen_qmp_cmd_init (&bad_cmd);
  xen_qmp_cmd_init (&good_cmd);

  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "*larger than 4096 bytes (limit max-message-size)");
  g_assert_true (xen_qmp_cmd_exec (host, &bad_cmd, cmd_done, &bad_call, 1,
                                   "query-status", NULL, &error));
  g_assert_true (xen_qmp_cmd_exec (host, &good_cmd, cmd_done, &good_call, 2,
                                   "query-status", NULL, &error));
  RUN_UNTIL (bad_call.done && good_call.done);
  g_test_assert_expected_messages ();

  g_assert_error (bad_call.error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_no_error (good_call.error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (good_call.ret),
                                                  "status"), ==, "running");
  xen_qmp_cmd_dispose (&bad_cmd);
  xen_qmp_cmd_dispose (&good_cmd);
  call_clear (&bad_call);
  call_clear (&good_call);
  g_clear_object (&host);
  test_peer_join (peer);
  test_server_stop (good);
}

/* ---- the deepest accepted reply on a 256 KiB thread stack ------------- */

/* AddressSanitizer's redzones make every frame several times larger: the
 * claim is about the library as shipped, so the sanitizer build only
 * checks that the same code runs, on a stack four times larger. */
#ifdef __SANITIZE_ADDRESS__
#define SMALL_STACK (1024 * 1024)
#else
#define SMALL_STACK (256 * 1024)
#endif

typedef struct {
  const char *socket;
  const char *ret_json;
  guint       max_depth;
  GError     *error;
  gboolean    ok;
} StackRun;

static void *
small_stack_thread (void *data)
{
  StackRun *run = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  Call c = { 0 };

  g_main_context_push_thread_default (context);
  {
    g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (run->socket);

    g_object_set (client, "max-depth", run->max_depth, NULL);
    xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL, execute_done, &c);
    /* RUN_UNTIL iterates the global default context: this thread has its own. */
    while (!c.done)
      g_main_context_iteration (context, TRUE);
    run->ok = c.ret != NULL;
    run->error = g_steal_pointer (&c.error);
    xen_qmp_client_close (client);
  }
  call_clear (&c);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
run_on_small_stack (Fixture *f, StackRun *run)
{
  ReplyPeer rp = { g_strdup (run->ret_json) };
  TestPeer *peer = test_peer_new (f->socket, reply_with_peer, &rp);
  pthread_attr_t attr;
  pthread_t thread;

  run->socket = f->socket;
  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, SMALL_STACK);
  g_assert_cmpint (pthread_create (&thread, &attr, small_stack_thread, run), ==, 0);
  pthread_join (thread, NULL);
  pthread_attr_destroy (&attr);
  test_peer_join (peer);
  g_free (rp.ret_json);
}

static void
test_depth_on_small_stack (Fixture *f, gconstpointer data)
{
  g_autofree char *deepest = nested_arrays (1023);      /* 1,024 with the reply */
  g_autofree char *hostile = nested_arrays (100000);
  StackRun accepted = { .ret_json = deepest, .max_depth = 1024 };
  StackRun refused = { .ret_json = hostile, .max_depth = 1024 };

  run_on_small_stack (f, &accepted);
  g_assert_no_error (accepted.error);
  g_assert_true (accepted.ok);

  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "*nested more than 1024 levels deep (limit max-depth)");
  run_on_small_stack (f, &refused);
  g_test_assert_expected_messages ();
  g_assert_error (refused.error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&refused.error);
}

/* ---- commands QEMU never answers ------------------------------------- */

/* Negotiates, then reads every command and answers none. */
static void
never_answers (TestPeer *peer, gpointer user_data)
{
  g_free (test_peer_negotiate (peer, FALSE));
  for (;;)
    {
      g_autoptr(JsonObject) cmd = test_peer_read_command (peer);

      if (cmd == NULL)
        break;
    }
}

#define UNANSWERED_LIMIT 4

typedef struct {
  XenQmpHost *host;
  XenQmpCmd   cmds[UNANSWERED_LIMIT + 2];
  Call        calls[UNANSWERED_LIMIT + 2];
  guint       next;
} Unanswered;

static void unanswered_done (XenQmpCmd *cmd, JsonNode *ret, XenQmpErrorClass error_class,
                             const GError *error, gpointer user_data);

/* One command at a time, each timing out, so that none is ever refused
 * as one too many Active: only the unanswered ones pile up. The last
 * has no timeout: it is Active when the connection ends. */
static void
unanswered_exec_next (Unanswered *u)
{
  g_autoptr(GError) error = NULL;
  guint i = u->next++;

  xen_qmp_cmd_init (&u->cmds[i]);
  u->cmds[i].timeout_ms = i <= UNANSWERED_LIMIT ? 50 : 0;
  g_assert_true (xen_qmp_cmd_exec (u->host, &u->cmds[i], unanswered_done, u, 1,
                                   "query-status", NULL, &error));
  g_assert_no_error (error);
}

static void
unanswered_done (XenQmpCmd *cmd, JsonNode *ret, XenQmpErrorClass error_class,
                 const GError *error, gpointer user_data)
{
  Unanswered *u = user_data;
  guint i = (guint) (cmd - u->cmds);

  cmd_done (cmd, ret, error_class, error, &u->calls[i]);
  if (u->next < G_N_ELEMENTS (u->cmds))
    unanswered_exec_next (u);
}

/* A QEMU that reads commands and never answers would grow the table of
 * ids kept for late replies without bound (500,000 such commands took
 * 100 MB): past max-queued-commands, the connection ends with a warning,
 * and the command still Active learns why. */
static void
test_host_unanswered_commands_bounded (Fixture *f, gconstpointer data)
{
  TestPeer *peer = test_peer_new (f->socket, never_answers, NULL);
  Unanswered u = { 0 };
  Call *last = &u.calls[UNANSWERED_LIMIT + 1];

  u.host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir, "xenstore", XEN_QMP_XENSTORE_OFF,
                         "max-queued-commands", UNANSWERED_LIMIT,
                         "drain-timeout-ms", 60000u, NULL);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "domain 1: QEMU left more than 4 commands unanswered after they "
                         "timed out or were disposed (limit max-queued-commands): "
                         "closing the connection");
  unanswered_exec_next (&u);
  RUN_UNTIL (last->done);
  g_test_assert_expected_messages ();

  for (guint i = 0; i <= UNANSWERED_LIMIT; i++)
    g_assert_error (u.calls[i].error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (last->error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (last->error->message, "unanswered"));
  for (guint i = 0; i < G_N_ELEMENTS (u.cmds); i++)
    {
      xen_qmp_cmd_dispose (&u.cmds[i]);
      call_clear (&u.calls[i]);
    }
  /* The connection is gone although the drain timeout is a minute away. */
  test_peer_join (peer);
  g_clear_object (&u.host);
}

static void
add (const char *name, void (*func) (Fixture *, gconstpointer))
{
  g_autofree char *path = g_strdup_printf ("/limits/%s", name);

  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  test_fds_warm_up ();

  add ("client-message-size", test_client_message_size);
  add ("client-depth", test_client_depth);
  add ("depth-ceiling", test_client_depth_ceiling);
  add ("client-queued-commands", test_client_queued_commands);
  add ("client-buffered-events-limit", test_client_buffered_events_limit);
  add ("client-buffered-events-within-limit", test_client_buffered_events_within_limit);
  add ("client-sync-events-limit", test_client_sync_events_limit);
  add ("client-sync-events-within-limit", test_client_sync_events_within_limit);
  add ("host-sync-events-limit", test_host_sync_events_limit);
  add ("host-limit-spares-other-domains", test_host_limit_spares_other_domains);
  add ("depth-on-256k-stack", test_depth_on_small_stack);
  add ("host-unanswered-commands-bounded", test_host_unanswered_commands_bounded);
  return g_test_run ();
}
