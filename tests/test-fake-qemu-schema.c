/* test-fake-qemu-schema.c: fake-qemu --schema, QEMU 7.2's schema as a judge
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * With --schema the fake answers query-qmp-schema with the file, answers
 * a command QEMU would refuse with QEMU's own error, and judges a
 * script's replies and events by the schema. The refusals' wording is
 * QEMU 7.2's: where a real QEMU is installed, the last test sends the
 * same commands to both and compares the bytes.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <xenqmp/xenqmp.h>

#include "test-fake-qemu-client.h"
#include "test-fake-qemu-run.h"
#include "test-server.h"

#define ERROR_REPLY(class, desc) \
  "{\"error\": {\"class\": \"" class "\", \"desc\": \"" desc "\"}}"
#define QUERY_STATUS_RUNNING \
  "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}"

typedef FakeRun Fixture;

/* The shipped QEMU 7.2 schema. */
static char *shipped_schema;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fake_run_setup (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  fake_run_teardown (f);
}

/* Runs fake-qemu --schema SCHEMA (the shipped one when NULL), with SCRIPT
 * (unless NULL) and EXTRA (NULL-terminated, may be NULL); its stderr
 * goes to a file. */
static void
fixture_start (Fixture *f, const char *schema, const char *script, const char * const *extra)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "--schema");
  g_ptr_array_add (args, (char *) (schema != NULL ? schema : shipped_schema));
  if (script != NULL)
    {
      g_assert_true (g_file_set_contents (f->script, script, -1, NULL));
      g_ptr_array_add (args, (char *) "--script");
      g_ptr_array_add (args, f->script);
    }
  for (gsize i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);

  fake_run_start (f, (const char * const *) args->pdata);
}

static int
fixture_finish (Fixture *f, gboolean terminate)
{
  return fake_run_finish (f, terminate);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* ---- without a script: the idle QEMU ------------------------------------------ */

static void
assert_schema_reply (Fixture *f, const char *schema_file)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) file = NULL;
  JsonNode *expected;

  fixture_start (f, schema_file, NULL, NULL);
  c = client_connect_negotiated (f->path);
  reply = client_call (c, "{\"execute\": \"query-qmp-schema\", \"id\": 7}");
  got = parse (reply);
  g_assert_true (g_file_get_contents (shipped_schema, &text, NULL, NULL));
  file = parse (text);
  expected = JSON_NODE_HOLDS_OBJECT (file)
             ? json_object_get_member (json_node_get_object (file), "return") : file;
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (got), "return"),
                                  expected));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (got), "id"), ==, 7);
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 0);
  g_assert_cmpstr (f->stderr_text, ==, "");
}

/* query-qmp-schema returns the file, whether it holds the array or the
 * whole reply; without --schema it is not a command of the fake. */
static void
test_query_qmp_schema (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autofree char *whole = g_build_filename (f->dir, "reply.json", NULL);
  g_autofree char *reply_text = NULL;
  g_autoptr(Client) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TestServer) plain = NULL;

  assert_schema_reply (f, NULL);

  g_assert_true (g_file_get_contents (shipped_schema, &text, NULL, NULL));
  reply_text = g_strdup_printf ("{\"return\": %s}\n", text);
  g_assert_true (g_file_set_contents (whole, reply_text, -1, NULL));
  assert_schema_reply (f, whole);

  plain = test_server_start_fake (f->path, NULL, &error);
  g_assert_no_error (error);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-qmp-schema\"}",
                ERROR_REPLY ("CommandNotFound", "The command query-qmp-schema has not been found"));
}

/* What QEMU 7.2 answers to commands its schema refuses, checked against
 * qemu-system-x86_64 7.2 (and again by test_refusals_match_real_qemu). */
static const struct {
  const char *request;
  const char *reply;
  const char *problem;  /* the library's explanation, in the report */
} refusals[] = {
  { "{\"execute\": \"device_del\", \"arguments\": {\"idd\": \"vif1\"}}",
    ERROR_REPLY ("GenericError", "Parameter 'id' is missing"),
    "device_del: no argument 'idd'; did you mean 'id'?" },
  { "{\"execute\": \"device_del\", \"arguments\": {\"idd\": \"vif1\", \"id\": \"vif1\"}}",
    ERROR_REPLY ("GenericError", "Parameter 'idd' is unexpected"),
    "device_del: no argument 'idd'; did you mean 'id'?" },
  { "{\"execute\": \"device_del\", \"arguments\": {\"id\": 1}}",
    ERROR_REPLY ("GenericError", "Invalid parameter type for 'id', expected: string"),
    "device_del: argument 'id' must be a string, not an integer" },
  { "{\"execute\": \"device_del\", \"arguments\": {\"id\": null}}",
    ERROR_REPLY ("GenericError", "Invalid parameter type for 'id', expected: string"),
    "device_del: argument 'id' must be a string, not null" },
  { "{\"execute\": \"set-action\", \"arguments\": {\"reboot\": \"restt\"}}",
    ERROR_REPLY ("GenericError", "Parameter 'reboot' does not accept value 'restt'"),
    "set-action: argument 'reboot' must be one of 'reset', 'shutdown', not 'restt'; "
    "did you mean 'reset'?" },
  { "{\"execute\": \"xen-set-global-dirty-log\", \"arguments\": {\"enable\": \"yes\"}}",
    ERROR_REPLY ("GenericError", "Invalid parameter type for 'enable', expected: boolean"),
    "xen-set-global-dirty-log: argument 'enable' must be a boolean, not a string" },
  { "{\"execute\": \"balloon\", \"arguments\": {\"value\": 1.5}}",
    ERROR_REPLY ("GenericError", "Invalid parameter type for 'value', expected: integer"),
    "balloon: argument 'value' must be an integer, not a number" },
  { "{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": "
    "[{\"capability\": \"xbzrle\"}]}}",
    ERROR_REPLY ("GenericError", "Parameter 'capabilities[0].state' is missing"),
    "migrate-set-capabilities: missing argument 'capabilities[0].state' (bool)" },
  { "{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": [1]}}",
    ERROR_REPLY ("GenericError", "Invalid parameter type for 'capabilities[0]', expected: object"),
    "migrate-set-capabilities: argument 'capabilities[0]' must be an object, not an integer" },
  { "{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": "
    "[{\"capability\": \"nope\", \"state\": true}]}}",
    ERROR_REPLY ("GenericError", "Parameter 'capability' does not accept value 'nope'"),
    "migrate-set-capabilities: argument 'capabilities[0].capability' must be one of" },
  { "{\"execute\": \"blockdev-add\", \"arguments\": {\"driver\": \"raw\", \"node-name\": \"a\", "
    "\"file\": {\"driver\": \"file\"}}}",
    ERROR_REPLY ("GenericError", "Parameter 'file.filename' is missing"),
    "blockdev-add: missing argument 'file.filename' (str)" },
  { "{\"execute\": \"blockdev-add\", \"arguments\": {\"driver\": \"raw\", \"node-name\": \"a\", "
    "\"file\": {\"driver\": \"file\", \"filename\": \"/x\", \"zz\": 1}}}",
    ERROR_REPLY ("GenericError", "Parameter 'file.zz' is unexpected"),
    "blockdev-add: argument 'file' has no member 'zz'" },
  { "{\"execute\": \"blockdev-add\", \"arguments\": {\"driver\": \"nope\", \"node-name\": \"a\"}}",
    ERROR_REPLY ("GenericError", "Parameter 'driver' does not accept value 'nope'"),
    "blockdev-add: argument 'driver' must be one of" },
  { "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}",
    ERROR_REPLY ("GenericError", "Parameter 'x' is unexpected"),
    "query-status: no argument 'x'" },
  { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"foo\"]}}",
    ERROR_REPLY ("GenericError", "Parameter 'null' does not accept value 'foo'"),
    "qmp_capabilities: argument 'enable[0]' must be one of 'oob', not 'foo'" },
  { "{\"execute\": \"device_add\", \"arguments\": {}}",
    ERROR_REPLY ("GenericError", "Parameter 'driver' is missing"),
    "device_add: missing argument 'driver' (str)" },
  { "{\"execute\": \"query-stauts\"}",
    ERROR_REPLY ("CommandNotFound", "The command query-stauts has not been found"),
    "query-stauts: no such command in this QEMU; did you mean 'query-status'?" },
};

/* The idle QEMU answers what the schema refuses with QEMU's error, keeps
 * exit status 0 (QEMU would), and lists the refusals at exit. */
static void
test_builtin_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f, NULL, NULL, NULL);
  c = client_connect_negotiated (f->path);
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    client_check (c, refusals[i].request, refusals[i].reply);
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 0);
  assert_contains (f->stderr_text, "qemu-7.2-schema.json: QEMU would have refused 17 commands "
                   "(each got QEMU's error)\n");
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *line = g_strdup_printf ("  %s#1: %s", f->path, refusals[i].problem);

      assert_contains (f->stderr_text, line);
    }
}

/* Valid commands are the built-in QEMU's business, as without --schema;
 * before negotiation QEMU looks at nothing but qmp_capabilities. */
static void
test_builtin_valid_commands (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f, NULL, NULL, NULL);
  c = client_connect (f->path);
  client_expect (c, GREETING);
  client_check (c, "{\"execute\": \"query-stauts\", \"arguments\": {\"x\": 1}}",
                ERROR_REPLY ("CommandNotFound",
                             "Expecting capabilities negotiation with 'qmp_capabilities'"));
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}",
                EMPTY);
  client_check (c, "{\"execute\": \"query-status\"}", QUERY_STATUS_RUNNING);
  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  client_check (c, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nope\"}}",
                ERROR_REPLY ("DeviceNotFound", "Device 'nope' not found"));
  /* Out-of-band: the schema says which commands may. */
  client_check (c, "{\"exec-oob\": \"query-status\"}",
                ERROR_REPLY ("GenericError", "The command query-status does not support OOB"));
  client_check (c, "{\"exec-oob\": \"migrate-recover\", \"arguments\": {}}",
                ERROR_REPLY ("GenericError", "Parameter 'uri' is missing"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 0);
  assert_contains (f->stderr_text, "QEMU would have refused 2 commands");
  assert_contains (f->stderr_text, "#1: query-status: cannot run out-of-band (exec-oob) in this QEMU\n");
  assert_contains (f->stderr_text, "#1: migrate-recover: missing argument 'uri' (str)\n");
}

/* ---- with a script ------------------------------------------------------------------ */

/* A client command QEMU would refuse is a mismatch, with the library's
 * explanation and the line, and gets QEMU's error, not the scripted
 * reply; the step is consumed, as for wrong arguments. */
static void
test_script_refused_commands (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) script = g_string_new ("{\"expect\": \"qmp_capabilities\"}\n");
  g_autoptr(Client) c = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autoptr(JsonNode) request = parse (refusals[i].request);
      const char *command = json_object_get_string_member (json_node_get_object (request),
                                                           "execute");

      /* No reply of the step's could be checked against the schema. */
      g_string_append_printf (script, "{\"expect\": \"%s\", \"swallow\": true}\n", command);
    }
  g_string_append (script, "{\"expect\": \"query-status\", \"return\": "
                   "{\"status\": \"running\", \"singlestep\": false, \"running\": true}}\n");
  fixture_start (f, NULL, script->str, NULL);
  c = client_connect_negotiated (f->path);
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    client_check (c, refusals[i].request, refusals[i].reply);
  client_check (c, "{\"execute\": \"query-status\"}", QUERY_STATUS_RUNNING);
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "script.jsonl: 17 mismatches, 0 steps never reached\n");
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *line = g_strdup_printf ("  line %zu: %s", i + 2, refusals[i].problem);

      assert_contains (f->stderr_text, line);
    }
}

/* A script may test how a client takes QEMU's refusals: a step that
 * replies what QEMU says passes, before negotiation too. */
static void
test_script_expected_refusals_pass (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f, NULL,
    "{\"expect\": \"query-status\", \"args\": {\"x\": 1}, \"error\": {\"class\": \"CommandNotFound\", "
    "\"desc\": \"Expecting capabilities negotiation with 'qmp_capabilities'\"}}\n"
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"device_del\", \"error\": \"Parameter 'id' is missing\"}\n"
    "{\"expect\": \"query-status\", \"args\": {\"x\": 1}, \"error\": \"Parameter 'x' is unexpected\"}\n"
    "{\"expect\": \"no-such\", \"error\": {\"class\": \"CommandNotFound\", "
    "\"desc\": \"The command no-such has not been found\"}}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect (f->path);
  client_expect (c, GREETING);
  client_check (c, "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}",
                ERROR_REPLY ("CommandNotFound",
                             "Expecting capabilities negotiation with 'qmp_capabilities'"));
  client_check (c, "{\"execute\": \"qmp_capabilities\"}", EMPTY);
  client_check (c, "{\"execute\": \"device_del\", \"arguments\": {\"idd\": \"x\"}}",
                ERROR_REPLY ("GenericError", "Parameter 'id' is missing"));
  client_check (c, "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}",
                ERROR_REPLY ("GenericError", "Parameter 'x' is unexpected"));
  client_check (c, "{\"execute\": \"no-such\"}",
                ERROR_REPLY ("CommandNotFound", "The command no-such has not been found"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 0);
  g_assert_cmpstr (f->stderr_text, ==, "");
}

/* What a script sends that QEMU could not is reported from the start,
 * with its line, even for steps never reached. */
static void
test_script_drift_is_reported (Fixture *f, gconstpointer data)
{
  fixture_start (f, NULL,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"return\": {\"status\": \"runing\", \"singlestep\": false, "
    "\"running\": true}}\n"
    "{\"expect\": \"stop\", \"events\": [{\"event\": \"STOPP\"}]}\n"
    "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": \"yes\", \"reason\": \"guest-shutdown\"}}\n"
    "{\"expect\": \"query-status\", \"args\": {\"x\": 1}, \"error\": \"nope\"}\n"
    "{\"expect\": \"no-such\"}\n"
    "{\"expect\": \"query-version\", \"return\": {\"qemu\": {\"major\": 7}, \"package\": \"\"}}\n"
    "{\"event\": \"SHUTDOWN\"}\n"
    "{\"expect\": \"query-status\", \"swallow\": true}\n", NULL);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 1);
  assert_contains (f->stderr_text, "script.jsonl: 7 mismatches, 9 steps never reached\n");
  assert_contains (f->stderr_text,
                   "  line 2: query-status's reply: member 'status' must be one of 'debug', ");
  assert_contains (f->stderr_text, ", not 'runing'; did you mean 'running'?\n");
  assert_contains (f->stderr_text, "  line 3: STOPP: no such event in this QEMU; did you mean 'STOP'?\n");
  assert_contains (f->stderr_text,
                   "  line 4: event SHUTDOWN's data: member 'guest' must be a boolean, not a string\n");
  assert_contains (f->stderr_text,
                   "  line 5: query-status: no argument 'x'; QEMU would answer GenericError "
                   "\"Parameter 'x' is unexpected\" instead\n");
  assert_contains (f->stderr_text,
                   "  line 6: no-such: no such command in this QEMU; QEMU would answer "
                   "CommandNotFound \"The command no-such has not been found\" instead\n");
  assert_contains (f->stderr_text, "  line 7: query-version's reply: missing member 'qemu.minor' (int)\n");
  assert_contains (f->stderr_text, "  line 8: event SHUTDOWN's data: missing member 'guest' (bool)\n");
}

/* A script whose replies and events QEMU could send, played by a client
 * that sends what QEMU accepts, passes. */
static void
test_script_matching_passes (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *event = NULL;

  fixture_start (f, NULL,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"return\": {\"status\": \"running\", \"singlestep\": false, "
    "\"running\": true}}\n"
    "{\"expect\": \"stop\", \"events\": [{\"event\": \"STOP\"}]}\n"
    "{\"expect\": \"device_del\", \"args\": {\"id\": \"vif1\"}}\n"
    "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"vif1\", "
    "\"path\": \"/machine/peripheral/vif1\"}}\n"
    "{\"expect\": \"query-fdsets\", \"return\": [{\"fdset-id\": 1, \"fds\": [{\"fd\": 25}]}]}\n"
    "{\"expect\": \"quit\", \"events\": [{\"event\": \"SHUTDOWN\", "
    "\"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}]}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-status\"}", QUERY_STATUS_RUNNING);
  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  client_send (c, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"vif1\"}}");
  client_expect (c, EMPTY);
  event = client_read (c);
  assert_event (event, "DEVICE_DELETED",
                "\\{\"device\": \"vif1\", \"path\": \"/machine/peripheral/vif1\"\\}");
  client_check (c, "{\"execute\": \"query-fdsets\"}",
                "{\"return\": [{\"fds\": [{\"fd\": 25}], \"fdset-id\": 1}]}");
  client_check_with_event (c, "{\"execute\": \"quit\"}", "SHUTDOWN",
                           "\\{\"guest\": false, \"reason\": \"host-qmp-quit\"\\}", EMPTY);
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 0);
  g_assert_cmpstr (f->stderr_text, ==, "");
}

/* Lenient: an unscripted command goes through the schema before the
 * built-in QEMU; one QEMU would refuse is a mismatch all the same. */
static void
test_script_lenient (Fixture *f, gconstpointer data)
{
  const char * const args[] = { "--lenient", NULL };
  g_autoptr(Client) c = NULL;
  g_autofree char *schema = NULL;

  fixture_start (f, NULL,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect-close\": true}\n", args);
  c = client_connect_negotiated (f->path);
  schema = client_call (c, "{\"execute\": \"query-qmp-schema\"}");
  g_assert_true (g_str_has_prefix (schema, "{\"return\": [{\"name\": \"query-status\", "));
  client_check (c, "{\"execute\": \"query-status\"}", QUERY_STATUS_RUNNING);
  client_check (c, "{\"execute\": \"device_del\", \"arguments\": {\"idd\": \"x\"}}",
                ERROR_REPLY ("GenericError", "Parameter 'id' is missing"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "script.jsonl: 1 mismatch, 0 steps never reached\n");
  assert_contains (f->stderr_text, "  line 2: unscripted command refused by the schema: "
                   "device_del: no argument 'idd'; did you mean 'id'?\n");
}

/* Strict: a command the script does not expect says what QEMU thinks of
 * it too. */
static void
test_script_unexpected_and_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f, NULL,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"return\": {\"status\": \"running\", "
    "\"singlestep\": false, \"running\": true}}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-stauts\"}",
                ERROR_REPLY ("GenericError", "fake-qemu script: expected 'query-status' (line 2), "
                             "got 'query-stauts'"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 1);
  assert_contains (f->stderr_text, "script.jsonl: 1 mismatch, 1 step never reached\n");
  assert_contains (f->stderr_text, "  line 2: expected 'query-status', got {\"execute\": "
                   "\"query-stauts\"}, which QEMU refuses (query-stauts: no such command in "
                   "this QEMU; did you mean 'query-status'?)\n");
}

/* ---- bad command lines ----------------------------------------------------------------- */

static void
assert_startup_error (Fixture *f, const char *schema, const char *extra, const char *message)
{
  g_autofree char *fake = g_strdup (g_getenv ("FAKE_QEMU"));
  g_autofree char *output = g_build_filename (f->dir, "out.jsonl", NULL);
  const char *argv[] = { fake, "--socket", f->path, "--schema", schema, "--output", output,
                         extra, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (fake);
  /* --output alone would be refused for lacking --record: only with
   * EXTRA = --record is it part of the test. */
  if (extra == NULL)
    argv[5] = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_test_message ("%s", err);
  if (!g_str_has_prefix (err, message))
    g_error ("expected a message starting with\n%s\ngot\n%s", message, err);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* A schema that cannot be used stops the fake before it listens. */
static void
test_bad_schema_file (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "missing.json", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "bad.json", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                                   "handshake.jsonl", NULL);

  /* GLib's own message, translated and quoted for the locale. */
  assert_startup_error (f, missing, NULL, "fake-qemu: --schema: ");

  g_assert_true (g_file_set_contents (bad, "[{\"name\": \"x\",", -1, NULL));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("fake-qemu: --schema %s: a QAPI schema: ", bad);
  assert_startup_error (f, bad, NULL, expected);

  /* The whole reply is fine, but what it returns must be the array. */
  g_assert_true (g_file_set_contents (bad, "{\"return\": {}}", -1, NULL));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("fake-qemu: --schema %s: a QAPI schema is a JSON array of "
                              "entities, not ", bad);
  assert_startup_error (f, bad, NULL, expected);

  g_assert_true (g_file_set_contents (bad, "[{\"name\": \"x\", \"meta-type\": \"event\", "
                                      "\"arg-type\": \"0\"}]", -1, NULL));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("fake-qemu: --schema %s: not a QAPI schema of QEMU: it has no "
                              "command \"qmp_capabilities\"\n", bad);
  assert_startup_error (f, bad, NULL, expected);

  /* A script (JSON Lines) is not a schema. */
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("fake-qemu: --schema %s: a QAPI schema: ", script);
  assert_startup_error (f, script, NULL, expected);

  assert_startup_error (f, shipped_schema, "--record=/nowhere",
                        "fake-qemu: --schema does not go with --record");
}

/* ---- the fake's own answers ------------------------------------------------------------ */

/* Sends REQUEST and checks every message up to its reply against the
 * schema: events' data, and the reply's "return" value. */
static void
check_answer (XenQmpSchema *schema, Client *c, const char *request, const int *fd)
{
  g_autoptr(JsonNode) sent = parse (request);
  const char *command = json_object_get_string_member (json_node_get_object (sent), "execute");

  if (fd != NULL)
    client_send_fds (c, request, fd, 1);
  else
    client_send (c, request);
  for (;;)
    {
      g_autofree char *text = client_read (c);
      g_autoptr(JsonNode) message = parse (text);
      JsonObject *object = json_node_get_object (message);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s -> %.200s", command, text);
      if (json_object_has_member (object, "event"))
        {
          const char *event = json_object_get_string_member (object, "event");
          JsonNode *data = json_object_get_member (object, "data");
          g_autoptr(JsonNode) empty = parse ("{}");

          g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, event), ==,
                           XEN_QMP_SCHEMA_META_TYPE_EVENT);
          xen_qmp_schema_validate_value (schema, xen_qmp_schema_get_arg_type (schema, event),
                                         data != NULL ? data : empty, event, &error);
          g_assert_no_error (error);
          continue;
        }
      g_assert_true (json_object_has_member (object, "return"));
      xen_qmp_schema_validate_value (schema, xen_qmp_schema_get_ret_type (schema, command),
                                     json_object_get_member (object, "return"), command, &error);
      g_assert_no_error (error);
      return;
    }
}

/* What the built-in QEMU and Xen device model answer, and the events
 * they send, are what QEMU 7.2's schema says they may be. */
static void
test_builtin_answers_fit_the_schema (Fixture *f, gconstpointer data)
{
  const char *answers[] = {
    "{\"execute\": \"query-version\"}",
    "{\"execute\": \"query-status\"}",
    "{\"execute\": \"stop\"}",
    "{\"execute\": \"query-status\"}",
    "{\"execute\": \"cont\"}",
    "{\"execute\": \"query-chardev\"}",
    "{\"execute\": \"query-vnc\"}",
    "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"e1000\", \"id\": \"nic1\"}}",
    "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"qemu64-x86_64-cpu\", "
    "\"id\": \"cpu1\", \"socket-id\": 1, \"core-id\": 0, \"thread-id\": 0}}",
    "{\"execute\": \"query-pci\"}",
    "{\"execute\": \"query-cpus-fast\"}",
    "{\"execute\": \"query-hotpluggable-cpus\"}",
    "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nic1\"}}",
    "{\"execute\": \"query-fdsets\"}",
    "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 1}}",
    "{\"execute\": \"xen-set-global-dirty-log\", \"arguments\": {\"enable\": true}}",
    "{\"execute\": \"system_wakeup\"}",
    "{\"execute\": \"change-vnc-password\", \"arguments\": {\"password\": \"s\"}}",
    "{\"execute\": \"query-vnc\"}",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
    "\"drive_add -n buddy driver=replication,node-name=colo_node0\"}}",
    "{\"execute\": \"xen-set-replication\", \"arguments\": {\"enable\": true, \"primary\": false}}",
    "{\"execute\": \"query-xen-replication-status\"}",
    "{\"execute\": \"xen-colo-do-checkpoint\"}",
    "{\"execute\": \"nbd-server-start\", \"arguments\": {\"addr\": {\"type\": \"inet\", "
    "\"data\": {\"host\": \"127.0.0.1\", \"port\": \"8888\"}}}}",
    "{\"execute\": \"nbd-server-add\", \"arguments\": {\"device\": \"colo_node0\", \"writable\": true}}",
    "{\"execute\": \"nbd-server-stop\"}",
    "{\"execute\": \"query-command-line-options\"}",
    "{\"execute\": \"query-command-line-options\", \"arguments\": {\"option\": \"drive\"}}",
    "{\"execute\": \"query-qmp-schema\"}",
    "{\"execute\": \"quit\"}",
  };
  g_autofree char *text = NULL;
  g_autoptr(XenQmpSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Client) c = NULL;
  int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  g_assert_true (g_file_get_contents (shipped_schema, &text, NULL, NULL));
  schema = xen_qmp_schema_new_from_data (text, -1, &error);
  g_assert_no_error (error);
  fixture_start (f, NULL, NULL, NULL);
  c = client_connect_negotiated (f->path);
  check_answer (schema, c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 1, "
                "\"opaque\": \"save\"}}", &fd);
  close (fd);
  for (gsize i = 0; i < G_N_ELEMENTS (answers); i++)
    check_answer (schema, c, answers[i], NULL);
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 0);
  g_assert_cmpstr (f->stderr_text, ==, "");
}

/* ---- against the real thing ---------------------------------------------------------------- */

/* The refusals' wording is QEMU's: a real QEMU 7.2 gives the same bytes
 * to the same commands. */
static void
test_refusals_match_real_qemu (Fixture *f, gconstpointer data)
{
  g_autofree char *real = g_build_filename (f->dir, "real.sock", NULL);
  g_autoptr(TestServer) qemu = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Client) q = NULL;
  g_autoptr(Client) c = NULL;
  g_autofree char *greeting = NULL;

  qemu = test_server_start_qemu (real, &error);
  g_assert_no_error (error);
  if (qemu == NULL)
    {
      g_test_skip ("no qemu-system-x86_64");
      return;
    }
  q = client_connect (real);
  greeting = client_read (q);
  if (strstr (greeting, "\"minor\": 2, \"major\": 7") == NULL)
    {
      g_test_skip ("the installed QEMU is not 7.2");
      return;
    }
  client_check (q, "{\"execute\": \"qmp_capabilities\"}", EMPTY);
  fixture_start (f, NULL, NULL, NULL);
  c = client_connect_negotiated (f->path);
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *from_qemu = client_call (q, refusals[i].request);
      g_autofree char *from_fake = client_call (c, refusals[i].request);

      g_test_message ("%s", refusals[i].request);
      g_assert_cmpstr (from_fake, ==, from_qemu);
    }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  shipped_schema = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                          "qemu-7.2-schema.json", NULL);

#define ADD(path, func) \
  g_test_add ("/fake-qemu/schema/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("query-qmp-schema", test_query_qmp_schema);
  ADD ("builtin-refusals", test_builtin_refusals);
  ADD ("builtin-valid-commands", test_builtin_valid_commands);
  ADD ("script-refused-commands", test_script_refused_commands);
  ADD ("script-expected-refusals-pass", test_script_expected_refusals_pass);
  ADD ("script-drift-is-reported", test_script_drift_is_reported);
  ADD ("script-matching-passes", test_script_matching_passes);
  ADD ("script-lenient", test_script_lenient);
  ADD ("script-unexpected-and-refused", test_script_unexpected_and_refused);
  ADD ("bad-schema-file", test_bad_schema_file);
  ADD ("builtin-answers-fit-the-schema", test_builtin_answers_fit_the_schema);
  ADD ("refusals-match-real-qemu", test_refusals_match_real_qemu);

  status = g_test_run ();
  g_free (shipped_schema);
  return status;
}
