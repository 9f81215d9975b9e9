/* test-validate.c: XenQmpClient:validate and the schema caches
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A raw peer plays a QEMU whose schema is QEMU 7.2's (the recorded
 * fake-qemu/scripts/qemu-7.2-schema.json) and records every command it
 * gets, so that "not sent" and "fetched once" are seen on the wire. The
 * last test uses a real qemu-system-x86_64.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "xenqmp.h"
#include "recorded-schema.h"
#include "test-call.h"
#include "test-fds.h"
#include "test-loop.h"
#include "test-peer.h"
#include "test-server.h"

static char *schema_json;      /* QEMU 7.2's, the return value */

typedef struct {
  char      *dir;
  char      *socket;
  char      *cache_dir;
  GPtrArray *fds;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->fds = test_fds_snapshot ();
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp", NULL);
  f->cache_dir = g_build_filename (f->dir, "cache", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
  g_free (f->cache_dir);
  test_fds_assert_no_leak (g_steal_pointer (&f->fds));
}

/* ---- a QEMU with a schema, recording what it was sent ----------------- */

typedef struct {
  GMutex     lock;
  GPtrArray *received;     /* command names, in order */
} Wire;

static void
wire_init (Wire *w)
{
  g_mutex_init (&w->lock);
  w->received = g_ptr_array_new_with_free_func (g_free);
}

static void
wire_clear (Wire *w)
{
  g_ptr_array_unref (w->received);
  g_mutex_clear (&w->lock);
}

static guint
wire_count (Wire *w, const char *command)
{
  guint n = 0;

  g_mutex_lock (&w->lock);
  for (guint i = 0; i < w->received->len; i++)
    n += strcmp (w->received->pdata[i], command) == 0;
  g_mutex_unlock (&w->lock);
  return n;
}

static void
schema_peer (TestPeer *peer, gpointer user_data)
{
  Wire *w = user_data;
  JsonObject *cmd;

  g_free (test_peer_negotiate (peer, FALSE));
  while ((cmd = test_peer_read_command (peer)) != NULL)
    {
      const char *name = json_object_get_string_member (cmd, "execute");

      g_mutex_lock (&w->lock);
      g_ptr_array_add (w->received, g_strdup (name));
      g_mutex_unlock (&w->lock);
      if (strcmp (name, "query-qmp-schema") == 0)
        test_peer_reply (peer, cmd, schema_json);
      else if (strcmp (name, "device_del") == 0)
        {
          g_autofree char *error = g_strdup_printf ("{\"error\": {\"class\": \"DeviceNotFound\", "
                                                    "\"desc\": \"Device 'nodev' not found\"}, "
                                                    "\"id\": %" G_GINT64_FORMAT "}\r\n",
                                                    json_object_get_int_member (cmd, "id"));

          test_peer_send (peer, error);
        }
      else
        test_peer_reply (peer, cmd, "{}");
      json_object_unref (cmd);
    }
}

/* A peer playing a QEMU with QEMU 7.2's schema on SOCKET, recording what
 * it is sent in W. */
static TestPeer *
schema_peer_start (const char *socket, Wire *w)
{
  wire_init (w);
  return test_peer_new (socket, schema_peer, w);
}

static XenQmpClient *
validating_client (const char *socket, const char *cache_dir)
{
  XenQmpClient *client = xen_qmp_client_new_for_socket (socket);

  g_object_set (client, "validate", TRUE, "schema-cache-dir", cache_dir, NULL);
  return client;
}

static void
execute_json (XenQmpClient *client, Call *c, const char *command, const char *args_json)
{
  g_autoptr(JsonNode) node = args_json != NULL ? json_from_string (args_json, NULL) : NULL;

  call_clear (c);
  xen_qmp_client_execute_async (client, command,
                                node != NULL ? json_node_get_object (node) : NULL,
                                NULL, NULL, execute_done, c);
  RUN_UNTIL (c->done);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_invalid_is_not_sent (Fixture *f, gconstpointer data)
{
  Wire w;
  TestPeer *peer;
  g_autoptr(XenQmpClient) client = NULL;
  Call c = { 0 };

  peer = schema_peer_start (f->socket, &w);
  client = validating_client (f->socket, NULL);

  execute_json (client, &c, "device_del", "{\"idd\": \"nodev\"}");
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (c.error->message, ==, "device_del: no argument 'idd'; did you mean 'id'?");
  execute_json (client, &c, "device_del", "{\"id\": \"nodev\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);

  xen_qmp_client_close (client);
  test_peer_join (peer);
  /* QEMU saw the schema request and the valid command only. */
  g_assert_cmpuint (w.received->len, ==, 2);
  g_assert_cmpstr (w.received->pdata[0], ==, "query-qmp-schema");
  g_assert_cmpstr (w.received->pdata[1], ==, "device_del");
  wire_clear (&w);
}

static void
test_off_by_default (Fixture *f, gconstpointer data)
{
  Wire w;
  TestPeer *peer;
  g_autoptr(XenQmpClient) client = NULL;
  Call c = { 0 };
  gboolean validate = TRUE;

  peer = schema_peer_start (f->socket, &w);
  client = xen_qmp_client_new_for_socket (f->socket);
  g_object_get (client, "validate", &validate, NULL);
  g_assert_false (validate);
  execute_json (client, &c, "frobnicate", NULL);
  g_assert_no_error (c.error);
  call_clear (&c);
  xen_qmp_client_close (client);
  test_peer_join (peer);
  g_assert_cmpuint (wire_count (&w, "query-qmp-schema"), ==, 0);
  g_assert_cmpuint (wire_count (&w, "frobnicate"), ==, 1);
  wire_clear (&w);
}

static void
test_one_fetch_for_concurrent_executes (Fixture *f, gconstpointer data)
{
  Wire w;
  TestPeer *peer;
  g_autoptr(XenQmpClient) client = NULL;
  Call calls[4] = { { 0 } };

  peer = schema_peer_start (f->socket, &w);
  client = validating_client (f->socket, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    xen_qmp_client_execute_async (client, "query-status", NULL, NULL, NULL, execute_done, &calls[i]);
  RUN_UNTIL (calls[0].done && calls[1].done && calls[2].done && calls[3].done);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_assert_no_error (calls[i].error);
      call_clear (&calls[i]);
    }
  /* And not again for a later command on the same connection. */
  execute_json (client, &calls[0], "query-status", NULL);
  call_clear (&calls[0]);
  xen_qmp_client_close (client);
  test_peer_join (peer);
  g_assert_cmpuint (wire_count (&w, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&w, "query-status"), ==, 5);
  wire_clear (&w);
}

/* One client connection of a fresh client, with the fixture's schema
 * cache: how many fetches it made. */
static guint
run_one_client (Fixture *f)
{
  Wire w;
  TestPeer *peer;
  g_autoptr(XenQmpClient) client = NULL;
  Call c = { 0 };
  guint fetches;

  peer = schema_peer_start (f->socket, &w);
  client = validating_client (f->socket, f->cache_dir);
  execute_json (client, &c, "device_del", "{\"id\": \"nodev\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);
  xen_qmp_client_close (client);
  test_peer_join (peer);
  fetches = wire_count (&w, "query-qmp-schema");
  wire_clear (&w);
  return fetches;
}

static char *
the_cache_file (Fixture *f)
{
  g_autoptr(GDir) d = g_dir_open (f->cache_dir, 0, NULL);
  const char *name;
  char *path = NULL;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_assert_null (path);     /* one QEMU build, one file */
      path = g_build_filename (f->cache_dir, name, NULL);
    }
  g_assert_nonnull (path);
  return path;
}

static void
test_disk_cache_miss_then_hit (Fixture *f, gconstpointer data)
{
  g_autofree char *file = NULL;

  g_assert_cmpuint (run_one_client (f), ==, 1);
  file = the_cache_file (f);
  g_assert_true (g_str_has_suffix (file, ".json"));
  /* Another client (as another xen-qmp run would) finds it on disk. */
  g_assert_cmpuint (run_one_client (f), ==, 0);
}

static void
test_disk_cache_corrupt_or_foreign (Fixture *f, gconstpointer data)
{
  g_autofree char *file = NULL;
  g_autofree char *saved = NULL;
  const char *bad[] = {
    "{\"xenqmp-schema-cache\": 1, \"qemu\": \"7.2",                          /* cut short */
    "\x01\x02 not JSON at all",
    "{\"xenqmp-schema-cache\": 1, \"qemu\": \"8.0.0 (other)\", \"schema\": []}", /* foreign */
    "{\"xenqmp-schema-cache\": 99, \"qemu\": \"7.2.0 (test-peer)\", \"schema\": []}",
    "{\"xenqmp-schema-cache\": 1, \"qemu\": \"7.2.0 (test-peer)\", \"schema\": {}}",
  };

  g_assert_cmpuint (run_one_client (f), ==, 1);
  file = the_cache_file (f);
  g_assert_true (g_file_get_contents (file, &saved, NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *rewritten = NULL;

      g_assert_true (g_file_set_contents (file, bad[i], -1, NULL));
      /* Never trusted: fetched again, and the file made right. */
      g_assert_cmpuint (run_one_client (f), ==, 1);
      g_assert_true (g_file_get_contents (file, &rewritten, NULL, NULL));
      g_assert_cmpstr (rewritten, ==, saved);
    }
  {
    /* The right file twice over is not a cache file either: json-glib
     * alone would take the second copy (and leak the first). */
    g_autofree char *twice = g_strconcat (saved, " ", saved, NULL);
    g_autofree char *rewritten = NULL;

    g_assert_true (g_file_set_contents (file, twice, -1, NULL));
    g_assert_cmpuint (run_one_client (f), ==, 1);
    g_assert_true (g_file_get_contents (file, &rewritten, NULL, NULL));
    g_assert_cmpstr (rewritten, ==, saved);
  }
}

static void
test_host_shares_schema_between_domains (Fixture *f, gconstpointer data)
{
  g_autofree char *socket1 = g_build_filename (f->dir, "qmp-libxl-1", NULL);
  g_autofree char *socket2 = g_build_filename (f->dir, "qmp-libxl-2", NULL);
  g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                                             "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  Wire w1, w2;
  TestPeer *p1, *p2;
  Call c = { 0 };

  wire_init (&w1);
  wire_init (&w2);
  p1 = test_peer_new (socket1, schema_peer, &w1);
  p2 = test_peer_new (socket2, schema_peer, &w2);
  for (guint32 domid = 1; domid <= 2; domid++)
    {
      g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_domain (host, domid);

      g_object_set (client, "validate", TRUE, NULL);
      execute_json (client, &c, "device_del", "{\"id\": \"x\"}");
      g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
      call_clear (&c);
      xen_qmp_client_close (client);
    }
  {
    g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_domain (host, 2);

    /* Refused only by domain 2's own schema: fetched for that. */
    g_object_set (client, "validate", TRUE, NULL);
    execute_json (client, &c, "device_del", "{\"idd\": \"x\"}");
    g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    call_clear (&c);
    xen_qmp_client_close (client);
  }
  g_clear_object (&host);
  test_peer_join (p1);
  test_peer_join (p2);
  /* The same QEMU build: domain 1's schema let domain 2's valid command
   * through without a fetch; the invalid one was judged by domain 2's. */
  g_assert_cmpuint (wire_count (&w1, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&w2, "device_del"), ==, 1);
  g_assert_cmpuint (wire_count (&w2, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (w2.received->len, ==, 2);
  wire_clear (&w1);
  wire_clear (&w2);
}

static void
host_schema_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpSchema **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = xen_qmp_host_get_schema_finish (XEN_QMP_HOST (source), result, &error);
  g_assert_no_error (error);
}

static void
cmd_done (XenQmpCmd *cmd, JsonNode *ret, XenQmpErrorClass error_class,
          const GError *error, gpointer user_data)
{
  Call *c = user_data;

  c->error = error != NULL ? g_error_copy (error) : NULL;
  c->done = TRUE;
}

/* The command API validates nothing itself: a toolstack gets the schema
 * from the host, each domain's from its own QEMU, and checks before
 * exec. */
static void
test_command_api_with_host_schema (Fixture *f, gconstpointer data)
{
  g_autofree char *socket1 = g_build_filename (f->dir, "qmp-libxl-1", NULL);
  g_autofree char *socket2 = g_build_filename (f->dir, "qmp-libxl-2", NULL);
  g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                                             "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  g_autoptr(XenQmpSchema) schema1 = NULL;
  g_autoptr(XenQmpSchema) schema2 = NULL;
  g_autoptr(JsonNode) bad = json_from_string ("{\"idd\": \"nic0\"}", NULL);
  g_autoptr(JsonNode) good = json_from_string ("{\"id\": \"nic0\"}", NULL);
  g_autoptr(GError) error = NULL;
  Wire w1, w2;
  TestPeer *p1, *p2;
  XenQmpCmd cmd;
  Call c = { 0 };

  wire_init (&w1);
  wire_init (&w2);
  p1 = test_peer_new (socket1, schema_peer, &w1);
  p2 = test_peer_new (socket2, schema_peer, &w2);
  xen_qmp_host_get_schema_async (host, 1, NULL, host_schema_done, &schema1);
  RUN_UNTIL (schema1 != NULL);
  xen_qmp_host_get_schema_async (host, 2, NULL, host_schema_done, &schema2);
  RUN_UNTIL (schema2 != NULL);
  g_assert_true (schema1 != schema2);

  g_assert_false (xen_qmp_schema_validate_command (schema2, "device_del",
                                                   json_node_get_object (bad), &error));
  g_assert_cmpstr (error->message, ==, "device_del: no argument 'idd'; did you mean 'id'?");
  g_assert_true (xen_qmp_schema_validate_command (schema2, "device_del",
                                                  json_node_get_object (good), NULL));
  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (host, &cmd, cmd_done, &c, 2, "device_del",
                                   json_node_get_object (good), NULL));
  RUN_UNTIL (c.done);
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);

  g_clear_object (&host);
  test_peer_join (p1);
  test_peer_join (p2);
  g_assert_cmpuint (wire_count (&w1, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&w2, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&w2, "device_del"), ==, 1);
  wire_clear (&w1);
  wire_clear (&w2);
}

static void
test_get_schema (Fixture *f, gconstpointer data)
{
  Wire w;
  TestPeer *peer;
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(XenQmpSchema) schema = NULL;
  g_autoptr(XenQmpSchema) again = NULL;
  g_autoptr(GError) error = NULL;

  peer = schema_peer_start (f->socket, &w);
  client = xen_qmp_client_new_for_socket (f->socket);
  schema = xen_qmp_client_get_schema_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, "device_del"), ==,
                   XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  again = xen_qmp_client_get_schema_sync (client, NULL, &error);
  g_assert_true (again == schema);
  xen_qmp_client_close (client);
  test_peer_join (peer);
  g_assert_cmpuint (wire_count (&w, "query-qmp-schema"), ==, 1);
  wire_clear (&w);
}

static void
no_schema_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) cmd = NULL;
  g_autofree char *error = NULL;

  g_free (test_peer_negotiate (peer, FALSE));
  cmd = test_peer_read_command (peer);
  g_assert_cmpstr (json_object_get_string_member (cmd, "execute"), ==, "query-qmp-schema");
  error = g_strdup_printf ("{\"error\": {\"class\": \"CommandNotFound\", "
                           "\"desc\": \"The command query-qmp-schema has not been found\"}, "
                           "\"id\": %" G_GINT64_FORMAT "}\r\n",
                           json_object_get_int_member (cmd, "id"));
  test_peer_send (peer, error);
  test_peer_wait_eof (peer, 10000);
}

static void
test_no_schema_is_not_sent (Fixture *f, gconstpointer data)
{
  TestPeer *peer = test_peer_new (f->socket, no_schema_peer, NULL);
  g_autoptr(XenQmpClient) client = validating_client (f->socket, NULL);
  Call c = { 0 };

  execute_json (client, &c, "device_del", "{\"id\": \"nodev\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND);
  g_assert_cmpstr (c.error->message, ==,
                   "device_del not sent: its arguments could not be checked: fetching QEMU's "
                   "schema (query-qmp-schema): The command query-qmp-schema has not been found");
  call_clear (&c);
  xen_qmp_client_close (client);
  test_peer_join (peer);
}

static void
test_real_qemu (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpClient) client = NULL;
  TestServer *qemu;
  Call c = { 0 };

  if (!test_server_have_qemu ())
    {
      g_test_skip ("qemu-system-x86_64 is not installed: real QEMU validation skipped");
      return;
    }
  qemu = test_server_start_qemu (f->socket, &error);
  g_assert_no_error (error);
  client = validating_client (f->socket, f->cache_dir);
  execute_json (client, &c, "device_del", "{\"idd\": \"nodev\"}");
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (c.error->message, ==, "device_del: no argument 'idd'; did you mean 'id'?");
  execute_json (client, &c, "device_del", "{\"id\": \"nodev\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);
  xen_qmp_client_close (client);
  test_server_stop (qemu);
}

static void
add (const char *name, void (*func) (Fixture *, gconstpointer))
{
  g_autofree char *path = g_strdup_printf ("/validate/%s", name);

  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  test_fds_warm_up ();
  schema_json = recorded_schema_text ();

  add ("invalid-is-not-sent", test_invalid_is_not_sent);
  add ("off-by-default", test_off_by_default);
  add ("one-fetch-for-concurrent-executes", test_one_fetch_for_concurrent_executes);
  add ("disk-cache-miss-then-hit", test_disk_cache_miss_then_hit);
  add ("disk-cache-corrupt-or-foreign", test_disk_cache_corrupt_or_foreign);
  add ("host-shares-schema-between-domains", test_host_shares_schema_between_domains);
  add ("get-schema", test_get_schema);
  add ("command-api-with-host-schema", test_command_api_with_host_schema);
  add ("no-schema-is-not-sent", test_no_schema_is_not_sent);
  add ("real-qemu", test_real_qemu);
  return g_test_run ();
}
