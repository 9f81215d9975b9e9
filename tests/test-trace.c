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

static char *
redacted_text (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(JsonNode) redacted = qmp_trace_redact (node);

  return json_to_string (redacted, FALSE);
}

static void
test_trace_redacts_secrets (void)
{
  g_autofree char *secret = redacted_text (
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\",\"data\":\"hunter2\"}}");
  g_autofree char *password = redacted_text (
    "{\"execute\":\"change-vnc-password\",\"arguments\":{\"password\":\"s3cret\"},"
    "\"id\":4,\"list\":[{\"password\":\"x\",\"keep\":[1,\"data\"]}]}");
  g_autofree char *plain = redacted_text (
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"memory-backend-ram\",\"data\":\"kept\"}}");

  g_assert_cmpstr (secret, ==,
    "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":\"s0\",\"data\":\"<redacted>\"}}");
  g_assert_cmpstr (password, ==,
    "{\"execute\":\"change-vnc-password\",\"arguments\":{\"password\":\"<redacted>\"},"
    "\"id\":4,\"list\":[{\"password\":\"<redacted>\",\"keep\":[1,\"data\"]}]}");
  /* Only a secret's data is secret. */
  g_assert_nonnull (strstr (plain, "\"kept\""));
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
  reply = g_strdup_printf ("\"%s\"", big);
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
  g_test_add_func ("/trace/logs-messages-redacted", test_trace_logs_messages_redacted);
  g_test_add_func ("/trace/silent-when-disabled", test_trace_silent_when_disabled);
  return g_test_run ();
}
