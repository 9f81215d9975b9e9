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

#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "xenqmp.h"
#include "recorded-schema.h"
#include "test-call.h"
#include "test-fds.h"
#include "test-loop.h"
#include "test-peer.h"
#include "test-server.h"

static char *schema_json;      /* QEMU 7.2's, the return value */

/* What a hostile QEMU may send: a schema without device_del, for the
 * same build as the honest peers (7.2.0, package "test-peer"). */
static const char hostile_schema_json[] =
  "[{\"name\": \"query-status\", \"meta-type\": \"command\", \"arg-type\": \"0\", "
  "\"ret-type\": \"any\"}, {\"name\": \"0\", \"meta-type\": \"object\", \"members\": []}, "
  "{\"name\": \"any\", \"meta-type\": \"builtin\", \"json-type\": \"value\"}]";

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

/* The cache directory, whatever a test made of it. */
static void
remove_cache_dir (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;
  GStatBuf st;

  if (g_lstat (dir, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      g_unlink (dir);
      return;
    }
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_cache_dir (f->cache_dir);
  test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
  g_free (f->cache_dir);
  test_fds_assert_no_leak (g_steal_pointer (&f->fds));
}

/* ---- a QEMU with a schema, recording what it was sent ----------------- */

typedef struct {
  GMutex      lock;
  GPtrArray  *received;    /* command names, in order */
  const char *schema;      /* the query-qmp-schema reply; NULL: QEMU 7.2's */
  const char *package;     /* the build the greeting claims; NULL: test-peer */
  gint        eof;         /* atomic: the client has gone */
} Wire;

static void
wire_init (Wire *w)
{
  g_mutex_init (&w->lock);
  w->received = g_ptr_array_new_with_free_func (g_free);
  w->schema = NULL;
  w->package = NULL;
  w->eof = 0;
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

  if (w->package == NULL)
    g_free (test_peer_negotiate (peer, FALSE));
  else
    {
      g_autofree char *greeting =
        g_strdup_printf ("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
                         "\"major\": 7}, \"package\": \"%s\"}, \"capabilities\": []}}\r\n",
                         w->package);

      test_peer_send (peer, greeting);
      cmd = test_peer_read_command (peer);
      g_assert_cmpstr (json_object_get_string_member (cmd, "execute"), ==, "qmp_capabilities");
      test_peer_reply (peer, cmd, "{}");
      json_object_unref (cmd);
    }
  while ((cmd = test_peer_read_command (peer)) != NULL)
    {
      const char *name = json_object_get_string_member (cmd, "execute");

      g_mutex_lock (&w->lock);
      g_ptr_array_add (w->received, g_strdup (name));
      g_mutex_unlock (&w->lock);
      if (strcmp (name, "query-qmp-schema") == 0)
        test_peer_reply (peer, cmd, w->schema != NULL ? w->schema : schema_json);
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
  g_atomic_int_set (&w->eof, 1);
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

/* A validating client of DOMID on HOST (or of SOCKET when HOST is NULL)
 * executes COMMAND; the result is left in C. */
static void
execute_once (XenQmpHost *host, guint32 domid, const char *socket, const char *cache_dir,
              Call *c, const char *command, const char *args_json)
{
  g_autoptr(XenQmpClient) client = NULL;

  client = host != NULL ? xen_qmp_client_new_for_domain (host, domid)
                        : xen_qmp_client_new_for_socket (socket);
  g_object_set (client, "validate", TRUE, "schema-cache-dir", cache_dir, NULL);
  execute_json (client, c, command, args_json);
  xen_qmp_client_close (client);
}

/* Domains 1 and 2 of a host in F's directory, their QEMUs playing
 * QEMU 7.2, or domain 1's sending SCHEMA1 (NULL: QEMU 7.2's). */
typedef struct {
  XenQmpHost *host;
  Wire        w1, w2;
  TestPeer   *p1, *p2;
} TwoDomains;

static void
two_domains_start (TwoDomains *t, Fixture *f, const char *schema1)
{
  g_autofree char *socket1 = g_build_filename (f->dir, "qmp-libxl-1", NULL);
  g_autofree char *socket2 = g_build_filename (f->dir, "qmp-libxl-2", NULL);

  t->host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                          "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  wire_init (&t->w1);
  wire_init (&t->w2);
  t->w1.schema = schema1;
  t->p1 = test_peer_new (socket1, schema_peer, &t->w1);
  t->p2 = test_peer_new (socket2, schema_peer, &t->w2);
}

/* Drops the host, which closes its connections, and joins the peers:
 * the wires are there to count. */
static void
two_domains_stop (TwoDomains *t)
{
  g_clear_object (&t->host);
  test_peer_join (t->p1);
  test_peer_join (t->p2);
}

static void
two_domains_clear (TwoDomains *t)
{
  wire_clear (&t->w1);
  wire_clear (&t->w2);
}

static void
test_host_shares_schema_between_domains (Fixture *f, gconstpointer data)
{
  TwoDomains t;
  Call c = { 0 };

  two_domains_start (&t, f, NULL);
  for (guint32 domid = 1; domid <= 2; domid++)
    {
      execute_once (t.host, domid, NULL, NULL, &c, "device_del", "{\"id\": \"x\"}");
      g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
    }
  /* Refused only by domain 2's own schema: fetched for that. */
  execute_once (t.host, 2, NULL, NULL, &c, "device_del", "{\"idd\": \"x\"}");
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  call_clear (&c);
  two_domains_stop (&t);
  /* The same QEMU build: domain 1's schema let domain 2's valid command
   * through without a fetch; the invalid one was judged by domain 2's. */
  g_assert_cmpuint (wire_count (&t.w1, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&t.w2, "device_del"), ==, 1);
  g_assert_cmpuint (wire_count (&t.w2, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (t.w2.received->len, ==, 2);
  two_domains_clear (&t);
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
  TwoDomains t;
  g_autoptr(XenQmpSchema) schema1 = NULL;
  g_autoptr(XenQmpSchema) schema2 = NULL;
  g_autoptr(JsonNode) bad = json_from_string ("{\"idd\": \"nic0\"}", NULL);
  g_autoptr(JsonNode) good = json_from_string ("{\"id\": \"nic0\"}", NULL);
  g_autoptr(GError) error = NULL;
  XenQmpCmd cmd;
  Call c = { 0 };

  two_domains_start (&t, f, NULL);
  xen_qmp_host_get_schema_async (t.host, 1, NULL, host_schema_done, &schema1);
  RUN_UNTIL (schema1 != NULL);
  xen_qmp_host_get_schema_async (t.host, 2, NULL, host_schema_done, &schema2);
  RUN_UNTIL (schema2 != NULL);
  g_assert_true (schema1 != schema2);

  g_assert_false (xen_qmp_schema_validate_command (schema2, "device_del",
                                                   json_node_get_object (bad), &error));
  g_assert_cmpstr (error->message, ==, "device_del: no argument 'idd'; did you mean 'id'?");
  g_assert_true (xen_qmp_schema_validate_command (schema2, "device_del",
                                                  json_node_get_object (good), NULL));
  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (t.host, &cmd, cmd_done, &c, 2, "device_del",
                                   json_node_get_object (good), NULL));
  RUN_UNTIL (c.done);
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);

  two_domains_stop (&t);
  g_assert_cmpuint (wire_count (&t.w1, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&t.w2, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&t.w2, "device_del"), ==, 1);
  two_domains_clear (&t);
}

typedef struct {
  gboolean      done;
  XenQmpSchema *schema;
  GError       *error;
} SchemaCall;

static void
schema_call_clear (SchemaCall *s)
{
  g_clear_object (&s->schema);
  g_clear_error (&s->error);
  s->done = FALSE;
}

static void
host_schema_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SchemaCall *s = user_data;

  g_assert_false (s->done);
  s->schema = xen_qmp_host_get_schema_finish (XEN_QMP_HOST (source), result, &s->error);
  g_assert_true ((s->schema != NULL) != (s->error != NULL));
  s->done = TRUE;
}

/* The schema the host fetches for the command API goes into the host's
 * cache, for the validating clients of QEMUs that claim the same build. */
static void
test_host_schema_feeds_the_cache (Fixture *f, gconstpointer data)
{
  TwoDomains t;
  g_autoptr(XenQmpSchema) schema = NULL;
  Call c = { 0 };

  two_domains_start (&t, f, NULL);
  xen_qmp_host_get_schema_async (t.host, 1, NULL, host_schema_done, &schema);
  RUN_UNTIL (schema != NULL);
  execute_once (t.host, 2, NULL, NULL, &c, "device_del", "{\"id\": \"x\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);
  two_domains_stop (&t);
  g_assert_cmpuint (wire_count (&t.w1, "query-qmp-schema"), ==, 1);
  g_assert_cmpuint (wire_count (&t.w2, "query-qmp-schema"), ==, 0);
  g_assert_cmpuint (wire_count (&t.w2, "device_del"), ==, 1);
  two_domains_clear (&t);
}

/* The schema comes on the host's connection, within the host's limits:
 * QEMU 7.2's (190 KB) is past a 64 KiB max-message-size. */
static void
test_host_schema_within_host_limits (Fixture *f, gconstpointer data)
{
  g_autofree char *socket = g_build_filename (f->dir, "qmp-libxl-1", NULL);
  g_autoptr(XenQmpHost) host = NULL;
  SchemaCall s = { 0 };
  TestPeer *peer;
  Wire w;

  host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                       "xenstore", XEN_QMP_XENSTORE_OFF,
                       "max-message-size", (guint64) 65536, NULL);
  peer = schema_peer_start (socket, &w);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING,
                         "domain 1: *larger than 65536 bytes (limit max-message-size)");
  xen_qmp_host_get_schema_async (host, 1, NULL, host_schema_call_done, &s);
  RUN_UNTIL (s.done);
  g_test_assert_expected_messages ();
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_true (g_str_has_prefix (s.error->message,
                                   "fetching QEMU's schema (query-qmp-schema): "));
  g_assert_nonnull (strstr (s.error->message, "max-message-size"));
  schema_call_clear (&s);
  g_clear_object (&host);
  test_peer_join (peer);
  g_assert_cmpuint (wire_count (&w, "query-qmp-schema"), ==, 1);
  wire_clear (&w);
}

/* A cancelled fetch returns G_IO_ERROR_CANCELLED once; its reply, if it
 * comes, is dropped, and the next fetch on the same connection works. */
static void
test_host_schema_cancelled (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TwoDomains t;
  SchemaCall s = { 0 };

  two_domains_start (&t, f, NULL);
  xen_qmp_host_get_schema_async (t.host, 1, cancellable, host_schema_call_done, &s);
  g_cancellable_cancel (cancellable);
  RUN_UNTIL (s.done);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  schema_call_clear (&s);

  xen_qmp_host_get_schema_async (t.host, 1, NULL, host_schema_call_done, &s);
  RUN_UNTIL (s.done);
  g_assert_no_error (s.error);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (s.schema, "device_del"), ==,
                   XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  schema_call_clear (&s);
  xen_qmp_host_get_schema_async (t.host, 2, NULL, host_schema_call_done, &s);
  RUN_UNTIL (s.done);
  g_assert_no_error (s.error);
  schema_call_clear (&s);
  two_domains_stop (&t);
  two_domains_clear (&t);
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

/* ---- schema trust: only a domain's own QEMU may refuse its commands ---- */

/* A hostile domain's QEMU claims the honest one's build and sends a
 * schema without device_del: the host caches it, and yet device_del to
 * the honest domain is sent (and judged by the honest QEMU). */
static void
test_hostile_build_cannot_refuse_in_host (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpSchema) schema = NULL;
  TwoDomains t;           /* domain 1's QEMU hostile, domain 2's honest */
  Call c = { 0 };

  two_domains_start (&t, f, hostile_schema_json);
  execute_once (t.host, 1, NULL, NULL, &c, "device_del", "{\"id\": \"x\"}");
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (c.error->message, ==, "device_del: no such command in this QEMU");
  execute_once (t.host, 2, NULL, NULL, &c, "device_del", "{\"id\": \"x\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);

  /* The host hands out the honest domain's own schema, too. */
  xen_qmp_host_get_schema_async (t.host, 2, NULL, host_schema_done, &schema);
  RUN_UNTIL (schema != NULL);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, "device_del"), ==,
                   XEN_QMP_SCHEMA_META_TYPE_COMMAND);

  two_domains_stop (&t);
  g_assert_cmpuint (wire_count (&t.w2, "device_del"), ==, 1);
  g_assert_cmpuint (wire_count (&t.w1, "device_del"), ==, 0);
  two_domains_clear (&t);
}

/* The same through the disk cache, as two runs of xen-qmp would meet. */
static void
test_hostile_build_cannot_refuse_on_disk (Fixture *f, gconstpointer data)
{
  g_autofree char *hostile_socket = g_build_filename (f->dir, "hostile", NULL);
  Wire hostile, honest;
  TestPeer *peer;
  Call c = { 0 };

  wire_init (&hostile);
  hostile.schema = hostile_schema_json;
  peer = test_peer_new (hostile_socket, schema_peer, &hostile);
  execute_once (NULL, 0, hostile_socket, f->cache_dir, &c, "query-status", NULL);
  g_assert_no_error (c.error);
  call_clear (&c);
  test_peer_join (peer);
  g_assert_cmpuint (wire_count (&hostile, "query-qmp-schema"), ==, 1);
  wire_clear (&hostile);

  peer = schema_peer_start (f->socket, &honest);
  execute_once (NULL, 0, f->socket, f->cache_dir, &c, "device_del", "{\"id\": \"x\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);
  test_peer_join (peer);
  g_assert_cmpuint (wire_count (&honest, "device_del"), ==, 1);
  wire_clear (&honest);
  /* The honest schema replaced the planted one: no fetch next time. */
  g_assert_cmpuint (run_one_client (f), ==, 0);
}

/* Domain DOMID's peer claiming PACKAGE gets one valid validated command:
 * whether its client had to fetch the schema (the cache did not have
 * PACKAGE's). */
static gboolean
fetched_for_build (Fixture *f, XenQmpHost *host, guint32 domid, const char *package)
{
  g_autofree char *name = g_strdup_printf ("qmp-libxl-%u", domid);
  g_autofree char *socket = g_build_filename (f->dir, name, NULL);
  Wire w;
  TestPeer *peer;
  Call c = { 0 };
  guint fetches;

  wire_init (&w);
  w.package = package;
  peer = test_peer_new (socket, schema_peer, &w);
  execute_once (host, domid, NULL, NULL, &c, "device_del", "{\"id\": \"x\"}");
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  call_clear (&c);
  /* The host closes the connection from its main context. */
  RUN_UNTIL (g_atomic_int_get (&w.eof));
  test_peer_join (peer);
  fetches = wire_count (&w, "query-qmp-schema");
  wire_clear (&w);
  return fetches > 0;
}

/* A QEMU naming a new build on every connection: the host keeps the 8
 * most recently used (the default), not one per connection. */
static void
test_host_cache_bounded_in_entries (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                                             "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
  guint max_entries = 0;
  guint32 domid = 1;

  g_object_get (host, "schema-cache-max-entries", &max_entries, NULL);
  g_assert_cmpuint (max_entries, ==, 8);
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *package = g_strdup_printf ("build-%u", i);

      g_assert_true (fetched_for_build (f, host, domid++, package));
    }
  /* The 4 oldest are gone, the 8 newest kept; build-0, back in, pushes
   * out build-4, the least recently used. */
  g_assert_true (fetched_for_build (f, host, domid++, "build-0"));
  g_assert_false (fetched_for_build (f, host, domid++, "build-11"));
  g_assert_false (fetched_for_build (f, host, domid++, "build-5"));
  g_assert_true (fetched_for_build (f, host, domid++, "build-4"));
}

/* QEMU 7.2's schema takes about 1.7 MB: a cache of 2.5 MB keeps one. */
static void
test_host_cache_bounded_in_bytes (Fixture *f, gconstpointer data)
{
  g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", f->dir,
                                             "xenstore", XEN_QMP_XENSTORE_OFF,
                                             "schema-cache-max-bytes", (guint64) 2500000, NULL);

  g_assert_true (fetched_for_build (f, host, 1, "build-a"));
  g_assert_true (fetched_for_build (f, host, 2, "build-b"));
  g_assert_true (fetched_for_build (f, host, 3, "build-a"));
  g_assert_false (fetched_for_build (f, host, 4, "build-a"));
  /* Nothing kept at all when it is smaller than one schema. */
  g_object_set (host, "schema-cache-max-bytes", (guint64) 1000, NULL);
  g_assert_true (fetched_for_build (f, host, 5, "build-a"));
  g_assert_true (fetched_for_build (f, host, 6, "build-a"));
}

/* ---- the disk cache: only the effective user's files are read -------- */

static void
give_to_nobody (const char *path)
{
  struct passwd *nobody = getpwnam ("nobody");

  g_assert_nonnull (nobody);
  g_assert_no_errno (lchown (path, nobody->pw_uid, nobody->pw_gid));
}

/* The file moved elsewhere, a link to it in its place. */
static void
make_link (const char *path)
{
  g_autofree char *elsewhere = g_strconcat (path, ".elsewhere", NULL);

  g_assert_no_errno (g_rename (path, elsewhere));
  g_assert_no_errno (symlink (elsewhere, path));
}

/* A FIFO nobody writes to: opening it for reading would block. */
static void
make_fifo (const char *path)
{
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (mkfifo (path, 0600));
}

typedef struct {
  const char *name;
  void      (*spoil) (const char *path);   /* or NULL: */
  mode_t      mode;                        /* chmod to this */
  gboolean    dir;            /* spoils the directory, not the file */
  gboolean    needs_root;
} Spoiler;

static const Spoiler spoilers[] = {
  { "group-writable file", NULL, 0664, FALSE, FALSE },
  { "world-writable file", NULL, 0646, FALSE, FALSE },
  { "file of another user", give_to_nobody, 0, FALSE, TRUE },
  { "link to a file", make_link, 0, FALSE, FALSE },
  { "FIFO", make_fifo, 0, FALSE, FALSE },
  { "group-writable directory", NULL, 0770, TRUE, FALSE },
  { "world-writable directory", NULL, 0707, TRUE, FALSE },
  { "directory of another user", give_to_nobody, 0, TRUE, TRUE },
  { "link to a directory", make_link, 0, TRUE, FALSE },
};

/* Each spoilt cache is ignored: the schema is fetched again (the file's
 * would have spared that) and the command still goes through. */
static void
test_disk_cache_only_ours (Fixture *f, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (spoilers); i++)
    {
      const Spoiler *sp = &spoilers[i];
      g_autofree char *file = NULL;
      g_autofree char *spoilt = NULL;

      if (sp->needs_root && geteuid () != 0)
        {
          g_test_message ("%s: skipped, not root", sp->name);
          continue;
        }
      g_test_message ("%s", sp->name);
      remove_cache_dir (f->cache_dir);
      g_assert_cmpuint (run_one_client (f), ==, 1);
      g_assert_cmpuint (run_one_client (f), ==, 0);
      file = the_cache_file (f);
      spoilt = g_strdup (sp->dir ? f->cache_dir : file);
      if (sp->spoil != NULL)
        sp->spoil (spoilt);
      else
        g_assert_no_errno (g_chmod (spoilt, sp->mode));
      g_assert_cmpuint (run_one_client (f), ==, 1);
      if (sp->spoil == make_link && sp->dir)
        {
          /* The link is followed by nobody, the directory it names not
           * written to; put things back for the next spoiler. */
          g_autofree char *elsewhere = g_strconcat (f->cache_dir, ".elsewhere", NULL);

          g_assert_no_errno (g_unlink (f->cache_dir));
          g_assert_no_errno (g_rename (elsewhere, f->cache_dir));
        }
      if (sp->spoil == make_link && !sp->dir)
        {
          g_autofree char *elsewhere = g_strconcat (file, ".elsewhere", NULL);
          GStatBuf st;

          /* Replaced, not written through. */
          g_assert_no_errno (g_lstat (file, &st));
          g_assert_true (S_ISREG (st.st_mode));
          g_assert_no_errno (g_unlink (elsewhere));
        }
    }
}

/* Saved files are the user's alone, whatever the umask. */
static void
test_disk_cache_file_mode (Fixture *f, gconstpointer data)
{
  g_autofree char *file = NULL;
  mode_t old = umask (0);
  GStatBuf st;

  g_assert_cmpuint (run_one_client (f), ==, 1);
  umask (old);
  file = the_cache_file (f);
  g_assert_no_errno (g_lstat (file, &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_no_errno (g_lstat (f->cache_dir, &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
}

/* Replies to query-qmp-schema with the schema in USER_DATA, then waits
 * for the client to leave: long, since under valgrind reading a schema
 * past the bounds takes a while. */
static void
oversized_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) cmd = NULL;

  g_free (test_peer_negotiate (peer, FALSE));
  cmd = test_peer_read_command (peer);
  g_assert_cmpstr (json_object_get_string_member (cmd, "execute"), ==, "query-qmp-schema");
  test_peer_reply (peer, cmd, user_data);
  g_assert_true (test_peer_wait_eof (peer, 300000));
}

/* More entities than any QEMU has: refused, saying so, nothing sent. */
static void
test_oversized_schema_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) big = g_string_new ("[");
  g_autoptr(XenQmpClient) client = NULL;
  TestPeer *peer;
  Call c = { 0 };

  for (guint i = 0; i <= 65536; i++)
    g_string_append_printf (big, "%s{\"name\": \"t%u\", \"meta-type\": \"builtin\", "
                            "\"json-type\": \"int\"}", i > 0 ? ", " : "", i);
  g_string_append_c (big, ']');
  peer = test_peer_new (f->socket, oversized_peer, big->str);
  /* Past max-elements, the message would end the connection before its
   * schema is read (a clear error too): let it through to the schema. */
  client = validating_client (f->socket, f->cache_dir);
  g_object_set (client, "max-elements", (guint64) 1000000, NULL);
  execute_json (client, &c, "device_del", "{\"id\": \"x\"}");
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_cmpstr (c.error->message, ==,
                   "device_del not sent: its arguments could not be checked: fetching QEMU's "
                   "schema (query-qmp-schema): the QAPI schema has 65537 entities, more than "
                   "the 65536 allowed (QEMU 9 has a few thousand)");
  call_clear (&c);
  xen_qmp_client_close (client);
  test_peer_join (peer);
}

/* The arguments sent are those of the call, not those the caller's object
 * holds once the schema has come: fake-qemu checks what it receives. */
static void
test_arguments_are_taken_at_the_call (Fixture *f, gconstpointer data)
{
  g_autofree char *script = g_build_filename (f->dir, "script.jsonl", NULL);
  g_autofree char *schema = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                                    "qemu-7.2-schema.json", NULL);
  const char * const args[] = { "--script", script, "--schema", schema, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TestServer) server = NULL;
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(JsonNode) node = json_from_string ("{\"id\": \"disk0\"}", NULL);
  JsonObject *arguments = json_node_get_object (node);
  Call c = { 0 };
  int status;

  g_assert_true (g_file_set_contents (script,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"device_del\", \"args\": {\"id\": \"disk0\"}}\n"
    "{\"expect-close\": true}\n", -1, NULL));
  server = test_server_start_fake (f->socket, args, &error);
  g_assert_no_error (error);
  client = validating_client (f->socket, NULL);

  xen_qmp_client_execute_async (client, "device_del", arguments, NULL, NULL, execute_done, &c);
  /* In place, as json_node_set_string() does, and by replacing a member. */
  json_node_set_string (json_object_get_member (arguments, "id"), "changed");
  json_object_set_string_member (arguments, "id", "replaced");
  RUN_UNTIL (c.done);
  g_assert_no_error (c.error);
  call_clear (&c);

  xen_qmp_client_close (client);
  status = test_server_wait (server, 30000);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
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
  add ("arguments-are-taken-at-the-call", test_arguments_are_taken_at_the_call);
  add ("off-by-default", test_off_by_default);
  add ("one-fetch-for-concurrent-executes", test_one_fetch_for_concurrent_executes);
  add ("disk-cache-miss-then-hit", test_disk_cache_miss_then_hit);
  add ("disk-cache-corrupt-or-foreign", test_disk_cache_corrupt_or_foreign);
  add ("host-shares-schema-between-domains", test_host_shares_schema_between_domains);
  add ("get-schema", test_get_schema);
  add ("command-api-with-host-schema", test_command_api_with_host_schema);
  add ("host-schema-feeds-the-cache", test_host_schema_feeds_the_cache);
  add ("host-schema-within-host-limits", test_host_schema_within_host_limits);
  add ("host-schema-cancelled", test_host_schema_cancelled);
  add ("no-schema-is-not-sent", test_no_schema_is_not_sent);
  add ("real-qemu", test_real_qemu);
  add ("hostile-build-cannot-refuse-in-host", test_hostile_build_cannot_refuse_in_host);
  add ("hostile-build-cannot-refuse-on-disk", test_hostile_build_cannot_refuse_on_disk);
  add ("host-cache-bounded-in-entries", test_host_cache_bounded_in_entries);
  add ("host-cache-bounded-in-bytes", test_host_cache_bounded_in_bytes);
  add ("disk-cache-only-ours", test_disk_cache_only_ours);
  add ("disk-cache-file-mode", test_disk_cache_file_mode);
  add ("oversized-schema-refused", test_oversized_schema_refused);
  return g_test_run ();
}
