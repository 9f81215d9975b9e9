/* test-trace.c: the wire trace (G_MESSAGES_DEBUG=XenQmp) and its redaction
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "qmp-trace.h"
#include "test-peer.h"
#include "test-server.h"

static GPtrArray *captured;

static void
capture (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  g_ptr_array_add (captured, g_strdup (message));
}

/* What the trace shows of JSON, sent (OUTGOING) or received: the text of
 * its line after "peer: sent N bytes, 0 fds: ". */
static char *
traced (const char *json, gboolean outgoing)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  const char *line, *colon;

  g_assert_nonnull (node);
  g_setenv ("G_MESSAGES_DEBUG", "XenQmp", TRUE);
  g_ptr_array_set_size (captured, 0);
  qmp_trace_message ("t", outgoing, json, strlen (json), node, 0);
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_assert_cmpuint (captured->len, ==, 1);
  line = captured->pdata[0];
  colon = strstr (line, "fds: ");
  g_assert_nonnull (colon);
  return g_strdup (colon + strlen ("fds: "));
}

static void
assert_traced (const char *json, gboolean outgoing, const char *expected)
{
  g_autofree char *got = traced (json, outgoing);

  if (strcmp (got, expected) != 0)
    g_error ("%s traced as\n  %s\nnot\n  %s", json, got, expected);
}

#define assert_sent_as(json, expected) assert_traced ((json), TRUE, (expected))
#define assert_received_as(json, expected) assert_traced ((json), FALSE, (expected))
/* What must go through as it is. */
#define assert_sent_unchanged(json) assert_traced ((json), TRUE, (json))

static void
test_trace_redacts_secrets (void)
{
  assert_sent_as (
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\",\"data\":\"hunter2\"}}",
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\",\"data\":\"<redacted>\"}}");
  assert_sent_as (
    "{\"execute\":\"change-vnc-password\",\"arguments\":{\"password\":\"s3cret\"},"
    "\"id\":4,\"list\":[{\"password\":\"x\",\"keep\":[1,\"data\"]}]}",
    "{\"execute\":\"change-vnc-password\",\"arguments\":{\"password\":\"<redacted>\"},"
    "\"id\":4,\"list\":[{\"password\":\"<redacted>\",\"keep\":[1,\"data\"]}]}");
  /* Only a secret's data is secret. */
  assert_sent_unchanged (
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"memory-backend-ram\",\"data\":\"kept\"}}");
}

/* A secret object's data in every form: flat, in "props" (QEMU before
 * 6.0), set later with qom-set, read back with qom-get or qom-list-get. */
static void
test_trace_redacts_secret_objects (void)
{
  assert_sent_as (
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\","
    "\"props\":{\"data\":\"hunter2\",\"format\":\"raw\"}}}",
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\","
    "\"props\":{\"data\":\"<redacted>\",\"format\":\"raw\"}}}");
  assert_sent_as (
    "{\"exec-oob\":\"object-add\",\"arguments\":{\"qom-type\":\"secret_keyring\",\"id\":\"k\",\"data\":\"aHVudGVyMg==\"}}",
    "{\"exec-oob\":\"object-add\",\"arguments\":{\"qom-type\":\"secret_keyring\",\"id\":\"k\",\"data\":\"<redacted>\"}}");
  assert_sent_as (
    "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/objects/s0\",\"property\":\"data\",\"value\":\"hunter2\"},\"id\":7}",
    "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/objects/s0\",\"property\":\"data\",\"value\":\"<redacted>\"},\"id\":7}");
  /* qom-set's value whatever the property: a password of a device. */
  assert_sent_as (
    "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/x\",\"property\":\"p\",\"value\":{\"a\":1}}}",
    "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/x\",\"property\":\"p\",\"value\":\"<redacted>\"}}");
  assert_received_as ("{\"return\":\"hunter2\",\"id\":8}", "{\"return\":\"<redacted>\",\"id\":8}");
  assert_received_as (
    "{\"return\":[{\"properties\":[{\"name\":\"data\",\"type\":\"string\",\"value\":\"hunter2\"},"
    "{\"name\":\"format\",\"type\":\"string\",\"value\":\"raw\"}]}],\"id\":9}",
    "{\"return\":[{\"properties\":[{\"name\":\"data\",\"type\":\"string\",\"value\":\"<redacted>\"},"
    "{\"name\":\"format\",\"type\":\"string\",\"value\":\"raw\"}]}],\"id\":9}");
}

/* Members named like secrets, at any depth, in any case. */
static void
test_trace_redacts_secret_names (void)
{
  assert_sent_as (
    "{\"execute\":\"x-thing\",\"arguments\":{\"deep\":[{\"API_Token\":\"hunter2\"},"
    "{\"Passphrase\":[1]},{\"credentials\":{\"user\":\"u\"}},{\"key-secret\":\"k\",\"passwd\":\"p\"},"
    "{\"cookie\":\"session=hunter2\"},{\"name\":\"n\"}]}}",
    "{\"execute\":\"x-thing\",\"arguments\":{\"deep\":[{\"API_Token\":\"<redacted>\"},"
    "{\"Passphrase\":\"<redacted>\"},{\"credentials\":\"<redacted>\"},{\"key-secret\":\"<redacted>\",\"passwd\":\"<redacted>\"},"
    "{\"cookie\":\"<redacted>\"},{\"name\":\"n\"}]}}");
  assert_received_as ("{\"event\":\"X\",\"data\":{\"password\":\"hunter2\"}}",
                      "{\"event\":\"X\",\"data\":{\"password\":\"<redacted>\"}}");
}

/* user:password@ and queries (signed URLs) in any string: blockdev-add's
 * drivers, migrate's uri, an error that quotes one. */
static void
test_trace_redacts_url_credentials (void)
{
  assert_sent_as (
    "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"https\",\"node-name\":\"n0\","
    "\"url\":\"https://admin:hunter2@example.org/disk.img?X-Amz-Signature=hunter2#frag\","
    "\"username\":\"admin\",\"password-secret\":\"sec0\"}}",
    "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"https\",\"node-name\":\"n0\","
    "\"url\":\"https://<redacted>@example.org/disk.img?<redacted>#frag\","
    "\"username\":\"admin\",\"password-secret\":\"<redacted>\"}}");
  assert_sent_as (
    "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"nbd://me:hunter2@[::1]:10809/x\"}}",
    "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"nbd://<redacted>@[::1]:10809/x\"}}");
  assert_sent_as (
    "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"iscsi\",\"file\":\"json:{\\\"url\\\":"
    "\\\"iscsi://me%hunter2@h/iqn.x/0\\\"} and ssh://root:hunter2@h:22/p\"}}",
    "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"iscsi\",\"file\":\"json:{\\\"url\\\":"
    "\\\"iscsi://<redacted>@h/iqn.x/0\\\"} and ssh://<redacted>@h:22/p\"}}");
  assert_received_as (
    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Could not open 'http://u:hunter2@h/x?t=1': refused\"}}",
    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Could not open 'http://<redacted>@h/x?<redacted>': refused\"}}");
  /* Without credentials, as it is. */
  assert_sent_unchanged (
    "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"http\",\"url\":\"http://h:80/a@b/c\"}}");
  assert_sent_unchanged (
    "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:10.0.0.1:4444\"}}");
}

/* An HMP line shows its command word only; what is typed into the guest
 * is not shown either. */
static void
test_trace_redacts_hmp_and_keys (void)
{
  assert_sent_as (
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"change vnc password hunter2\"},\"id\":3}",
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"change <redacted>\"},\"id\":3}");
  assert_sent_as (
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"  object_add secret,id=s,data=hunter2\"}}",
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"object_add <redacted>\"}}");
  assert_sent_unchanged (
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info\"}}");
  assert_sent_as (
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"set_password\\nvnc,hunter2\"}}",
    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"set_password <redacted>\"}}");
  /* Its output too: it is the reply's string. */
  assert_received_as ("{\"return\":\"secret: hunter2\\r\\n\",\"id\":3}",
                      "{\"return\":\"<redacted>\",\"id\":3}");
  assert_sent_as (
    "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"qcode\",\"data\":\"h\"}]}}",
    "{\"execute\":\"send-key\",\"arguments\":{\"keys\":\"<redacted>\"}}");
  assert_sent_as (
    "{\"execute\":\"change\",\"arguments\":{\"device\":\"vnc\",\"target\":\"password\",\"arg\":\"hunter2\"}}",
    "{\"execute\":\"change\",\"arguments\":{\"device\":\"vnc\",\"target\":\"password\",\"arg\":\"<redacted>\"}}");
}

/* What the trace cannot parse: QEMU's bytes are shown (escaped), ours
 * never, since no rule has looked at them. */
static void
test_trace_unparsed (void)
{
  static const char ours[] = "{\"execute\":\"set_password\",\"arguments\":{\"password\":\"hunter2\"";
  static const char theirs[] = "{\"return\": \x1b";

  g_setenv ("G_MESSAGES_DEBUG", "XenQmp", TRUE);
  g_ptr_array_set_size (captured, 0);
  qmp_trace_message ("t", TRUE, ours, strlen (ours), NULL, 0);
  qmp_trace_message ("t", FALSE, theirs, strlen (theirs), NULL, 0);
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_assert_cmpuint (captured->len, ==, 2);
  g_assert_null (strstr (captured->pdata[0], "hunter2"));
  g_assert_nonnull (strstr (captured->pdata[1], "{\"return\": \\x1b"));
}

typedef struct {
  char *wire_password;
} PasswordPeer;

static void
password_peer (TestPeer *peer, gpointer user_data)
{
  PasswordPeer *pp = user_data;
  g_autoptr(JsonObject) cmd = NULL;
  g_autofree char *big = g_strnfill (10000, 'x');
  g_autofree char *reply = NULL;

  g_free (test_peer_negotiate (peer, TRUE));
  cmd = test_peer_read_command (peer);
  pp->wire_password = g_strdup (json_object_get_string_member (
    json_object_get_object_member (cmd, "arguments"), "password"));
  /* An object: a string reply is not shown at all. */
  reply = g_strdup_printf ("{\"text\": \"%s\"}", big);
  test_peer_reply (peer, cmd, reply);
  test_peer_wait_eof (peer, 10000);
}

static void
done_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
         const GError *error, gpointer user_data)
{
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
run_password_command (const char *dir, PasswordPeer *pp)
{
  g_autofree char *path = g_build_filename (dir, "qmp-libxl-4", NULL);
  TestPeer *peer = test_peer_new (path, password_peer, pp);
  g_autoptr(XenQmpHost) host = xen_qmp_host_new (dir);
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  XenQmpCmd cmd;

  json_object_set_string_member (args, "password", "s3cret");
  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (host, &cmd, done_cb, &done, 4,
                                   "change-vnc-password", args, &error));
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&host);
  test_peer_join (peer);
}

static gboolean
any_contains (const char *needle)
{
  for (guint i = 0; i < captured->len; i++)
    if (strstr (captured->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_trace_logs_messages_redacted (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  PasswordPeer pp = { 0 };

  g_setenv ("G_MESSAGES_DEBUG", "XenQmp", TRUE);
  g_ptr_array_set_size (captured, 0);
  run_password_command (dir, &pp);
  g_unsetenv ("G_MESSAGES_DEBUG");

  /* The password goes to QEMU, and only there. */
  g_assert_cmpstr (pp.wire_password, ==, "s3cret");
  g_assert_false (any_contains ("s3cret"));
  g_assert_true (any_contains ("domain 4: sent"));
  g_assert_true (any_contains ("\"password\":\"<redacted>\""));
  g_assert_true (any_contains ("domain 4: received"));
  /* The 10 KB reply is cut. */
  for (guint i = 0; i < captured->len; i++)
    g_assert_cmpuint (strlen (captured->pdata[i]), <, 1000);
  g_assert_true (any_contains ("x..."));
  g_free (pp.wire_password);
  test_tmpdir_remove (dir);
}

static void
test_trace_silent_when_disabled (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  PasswordPeer pp = { 0 };

  /* A handler is installed, so g_debug() would reach it: only the check
   * before formatting keeps the trace out. */
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_ptr_array_set_size (captured, 0);
  run_password_command (dir, &pp);
  g_assert_false (any_contains (": sent "));
  g_assert_false (any_contains (": received "));
  g_free (pp.wire_password);
  test_tmpdir_remove (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  captured = g_ptr_array_new_with_free_func (g_free);
  g_log_set_handler ("XenQmp", G_LOG_LEVEL_DEBUG, capture, NULL);

  g_test_add_func ("/trace/redacts-secrets", test_trace_redacts_secrets);
  g_test_add_func ("/trace/redacts-secret-objects", test_trace_redacts_secret_objects);
  g_test_add_func ("/trace/redacts-secret-names", test_trace_redacts_secret_names);
  g_test_add_func ("/trace/redacts-url-credentials", test_trace_redacts_url_credentials);
  g_test_add_func ("/trace/redacts-hmp-and-keys", test_trace_redacts_hmp_and_keys);
  g_test_add_func ("/trace/unparsed", test_trace_unparsed);
  g_test_add_func ("/trace/logs-messages-redacted", test_trace_logs_messages_redacted);
  g_test_add_func ("/trace/silent-when-disabled", test_trace_silent_when_disabled);
  return g_test_run ();
}
