/* test-schema.c: XenQmpSchema against the schema of Debian 12's QEMU 7.2
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fake-qemu/scripts/qemu-7.2-schema.json is QEMU 7.2's own
 * query-qmp-schema reply: the index, the walks and every kind of
 * validation failure are checked against what a real QEMU says.
 */
#include "config.h"

#include <string.h>

#include "xenqmp.h"
#include "recorded-schema.h"

static XenQmpSchema *schema;

static JsonObject *
object_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* ---- the index ---------------------------------------------------------- */

static void
test_index (void)
{
  g_auto(GStrv) commands = xen_qmp_schema_list (schema, XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  g_auto(GStrv) events = xen_qmp_schema_list (schema, XEN_QMP_SCHEMA_META_TYPE_EVENT);

  /* QEMU 7.2 -M none: 216 commands, 52 events, sorted by name. */
  g_assert_cmpuint (g_strv_length (commands), ==, 216);
  g_assert_cmpuint (g_strv_length (events), ==, 52);
  for (guint i = 1; commands[i] != NULL; i++)
    g_assert_cmpint (strcmp (commands[i - 1], commands[i]), <, 0);
  g_assert_true (g_strv_contains ((const char * const *) commands, "device_del"));
  g_assert_true (g_strv_contains ((const char * const *) events, "SHUTDOWN"));

  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, "query-status"), ==,
                   XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, "STOP"), ==,
                   XEN_QMP_SCHEMA_META_TYPE_EVENT);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, "str"), ==,
                   XEN_QMP_SCHEMA_META_TYPE_BUILTIN);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, "no-such-thing"), ==,
                   XEN_QMP_SCHEMA_META_TYPE_NONE);
  g_assert_cmpstr (xen_qmp_schema_get_json_type (schema, "int"), ==, "int");
  g_assert_cmpstr (xen_qmp_schema_get_json_type (schema, "any"), ==, "value");
  g_assert_null (xen_qmp_schema_get_json_type (schema, "query-status"));
}

static void
test_command_and_numbered_types (void)
{
  const char *arg_type = xen_qmp_schema_get_arg_type (schema, "device_del");
  const char *ret_type = xen_qmp_schema_get_ret_type (schema, "query-status");
  const char *name = NULL, *type = NULL, *status_type = NULL;
  gboolean optional = TRUE;

  /* QEMU names its types with numbers: they are followed like any name. */
  g_assert_nonnull (arg_type);
  g_assert_true (g_ascii_isdigit (arg_type[0]));
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, arg_type), ==,
                   XEN_QMP_SCHEMA_META_TYPE_OBJECT);
  g_assert_cmpuint (xen_qmp_schema_get_n_members (schema, arg_type), ==, 1);
  g_assert_true (xen_qmp_schema_get_member (schema, arg_type, 0, &name, &type, &optional));
  g_assert_cmpstr (name, ==, "id");
  g_assert_cmpstr (type, ==, "str");
  g_assert_false (optional);
  g_assert_false (xen_qmp_schema_get_member (schema, arg_type, 1, &name, &type, &optional));

  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, ret_type), ==,
                   XEN_QMP_SCHEMA_META_TYPE_OBJECT);
  for (guint i = 0; i < xen_qmp_schema_get_n_members (schema, ret_type); i++)
    {
      xen_qmp_schema_get_member (schema, ret_type, i, &name, &type, NULL);
      if (strcmp (name, "status") == 0)
        status_type = type;
    }
  g_assert_nonnull (status_type);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, status_type), ==,
                   XEN_QMP_SCHEMA_META_TYPE_ENUM);
}

static void
test_optional_members (void)
{
  const char *arg_type = xen_qmp_schema_get_arg_type (schema, "device_add");
  const char *expected[][2] = { { "driver", "0" }, { "bus", "1" }, { "id", "1" } };

  g_assert_cmpuint (xen_qmp_schema_get_n_members (schema, arg_type), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const char *name = NULL;
      gboolean optional;

      g_assert_true (xen_qmp_schema_get_member (schema, arg_type, i, &name, NULL, &optional));
      g_assert_cmpstr (name, ==, expected[i][0]);
      g_assert_cmpint (optional, ==, expected[i][1][0] == '1');
    }
}

static void
test_event_and_enum (void)
{
  const char *data_type = xen_qmp_schema_get_arg_type (schema, "SHUTDOWN");
  const char *reason_type = NULL;

  g_assert_nonnull (data_type);
  for (guint i = 0; i < xen_qmp_schema_get_n_members (schema, data_type); i++)
    {
      const char *name, *type;

      xen_qmp_schema_get_member (schema, data_type, i, &name, &type, NULL);
      if (strcmp (name, "reason") == 0)
        reason_type = type;
    }
  g_assert_nonnull (reason_type);
  {
    g_auto(GStrv) values = xen_qmp_schema_get_enum_values (schema, reason_type);

    /* In QEMU's order. */
    g_assert_cmpstr (values[0], ==, "none");
    g_assert_true (g_strv_contains ((const char * const *) values, "host-qmp-quit"));
    g_assert_true (g_strv_contains ((const char * const *) values, "guest-shutdown"));
  }
  g_assert_null (xen_qmp_schema_get_enum_values (schema, data_type));
}

static void
test_array_and_alternate_and_union (void)
{
  const char *cpus = xen_qmp_schema_get_ret_type (schema, "query-cpus-fast");
  const char *element = xen_qmp_schema_get_element_type (schema, cpus);
  const char *blockdev = xen_qmp_schema_get_arg_type (schema, "blockdev-add");
  const char *qcow2, *file_type = NULL, *name, *type;
  gboolean has_str = FALSE, has_object = FALSE;

  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, cpus), ==, XEN_QMP_SCHEMA_META_TYPE_ARRAY);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, element), ==, XEN_QMP_SCHEMA_META_TYPE_OBJECT);

  /* blockdev-add is a flat union: the driver chooses more members. */
  g_assert_cmpstr (xen_qmp_schema_get_tag (schema, blockdev), ==, "driver");
  qcow2 = xen_qmp_schema_get_variant_type (schema, blockdev, "qcow2");
  g_assert_nonnull (qcow2);
  g_assert_null (xen_qmp_schema_get_variant_type (schema, blockdev, "no-such-driver"));
  for (guint i = 0; i < xen_qmp_schema_get_n_members (schema, qcow2); i++)
    {
      xen_qmp_schema_get_member (schema, qcow2, i, &name, &type, NULL);
      if (strcmp (name, "file") == 0)
        file_type = type;
    }
  /* "file" is a BlockdevRef: a node name or a whole definition. */
  g_assert_cmpint (xen_qmp_schema_get_meta_type (schema, file_type), ==,
                   XEN_QMP_SCHEMA_META_TYPE_ALTERNATE);
  for (guint i = 0; i < xen_qmp_schema_get_n_members (schema, file_type); i++)
    {
      const char *branch_name = "x";

      g_assert_true (xen_qmp_schema_get_member (schema, file_type, i, &branch_name, &type, NULL));
      g_assert_null (branch_name);
      has_str |= strcmp (type, "str") == 0;
      has_object |= xen_qmp_schema_get_meta_type (schema, type) == XEN_QMP_SCHEMA_META_TYPE_OBJECT;
    }
  g_assert_true (has_str && has_object);
}

/* ---- validation --------------------------------------------------------- */

static void
assert_valid (const char *command, const char *args_json)
{
  g_autoptr(JsonObject) args = args_json != NULL ? object_from (args_json) : NULL;
  g_autoptr(GError) error = NULL;

  if (!xen_qmp_schema_validate_command (schema, command, args, &error))
    g_error ("%s %s refused: %s", command, args_json, error->message);
}

static void
assert_invalid (const char *command, const char *args_json, const char *message)
{
  g_autoptr(JsonObject) args = args_json != NULL ? object_from (args_json) : NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (xen_qmp_schema_validate_command (schema, command, args, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_validate_accepts (void)
{
  assert_valid ("query-status", NULL);
  assert_valid ("query-status", "{}");
  assert_valid ("device_del", "{\"id\": \"nic0\"}");
  /* device_add takes the device's properties too, as QEMU does. */
  assert_valid ("device_add", "{\"driver\": \"e1000\", \"id\": \"nic0\", \"mac\": \"52:54:00:12:34:56\"}");
  assert_valid ("set-action", "{\"reboot\": \"shutdown\"}");
  assert_valid ("migrate-set-capabilities",
                "{\"capabilities\": [{\"capability\": \"xbzrle\", \"state\": true}]}");
  /* Both branches of an alternate. */
  assert_valid ("blockdev-add", "{\"driver\": \"qcow2\", \"node-name\": \"d0\", \"file\": \"f0\"}");
  assert_valid ("blockdev-add", "{\"driver\": \"qcow2\", \"node-name\": \"d0\", "
                "\"file\": {\"driver\": \"file\", \"filename\": \"/x.qcow2\"}}");
}

static void
test_validate_unknown_member (void)
{
  /* The issue's own example: a typo names the argument and the fix. */
  assert_invalid ("device_del", "{\"idd\": \"nodev\"}",
                  "device_del: no argument 'idd'; did you mean 'id'?");
  assert_invalid ("device_del", "{\"id\": \"nodev\", \"frobnicate\": 1}",
                  "device_del: no argument 'frobnicate'");
  assert_invalid ("query-status", "{\"verbose\": true}",
                  "query-status: no argument 'verbose'");
  /* In a nested object, with a member a variant adds. */
  assert_invalid ("blockdev-add", "{\"driver\": \"qcow2\", \"node-name\": \"d0\", "
                  "\"file\": {\"driver\": \"file\", \"filname\": \"/x\"}}",
                  "blockdev-add: argument 'file' has no member 'filname'; did you mean 'filename'?");
}

/* A name that is no close spelling still finds the argument it was meant
 * to be: one name inside the other (separators ignored), or the only
 * required argument not given; what else is required and missing is
 * said in the same message. */
static void
test_validate_suggest_across_names (void)
{
  /* The example: file for filename. */
  assert_invalid ("blockdev-change-medium", "{\"id\": \"cd0\", \"file\": \"/x.iso\"}",
                  "blockdev-change-medium: no argument 'file'; did you mean 'filename'?");
  assert_invalid ("xen-save-devices-state", "{\"file\": \"/x\"}",
                  "xen-save-devices-state: no argument 'file'; did you mean 'filename'?");
  /* An optional one, too, separators aside. */
  assert_invalid ("blockdev-change-medium", "{\"filename\": \"/x.iso\", \"readonly\": \"x\"}",
                  "blockdev-change-medium: no argument 'readonly'; did you mean 'read-only-mode'?");
  /* The only required argument not given. */
  assert_invalid ("human-monitor-command", "{\"cmd\": \"info status\"}",
                  "human-monitor-command: no argument 'cmd'; did you mean 'command-line'?");
  assert_invalid ("device_del", "{\"name\": \"nic0\"}",
                  "device_del: no argument 'name'; did you mean 'id'?");
  /* The rest of what is required. */
  assert_invalid ("set_password", "{\"pass\": \"x\"}",
                  "set_password: no argument 'pass'; did you mean 'password'? "
                  "Also missing: 'protocol' (enum)");
  assert_invalid ("set_password", "{\"frobnicate\": 1}",
                  "set_password: no argument 'frobnicate'; missing: 'protocol' (enum), "
                  "'password' (str)");
  /* Given arguments are not suggested again. */
  assert_invalid ("blockdev-change-medium", "{\"filename\": \"/x.iso\", \"file\": \"/y\"}",
                  "blockdev-change-medium: no argument 'file'");
}

static void
test_validate_unknown_command (void)
{
  assert_invalid ("qeury-status", NULL,
                  "qeury-status: no such command in this QEMU; did you mean 'query-status'?");
  assert_invalid ("xyzzy", NULL, "xyzzy: no such command in this QEMU");
  /* An event or a type is not a command. */
  assert_invalid ("STOP", NULL, "STOP: no such command in this QEMU; did you mean 'stop'?");
}

static void
test_validate_missing_member (void)
{
  assert_invalid ("device_del", NULL, "device_del: missing argument 'id' (str)");
  assert_invalid ("device_add", "{\"id\": \"nic0\"}", "device_add: missing argument 'driver' (str)");
  /* Required by the variant the tag chose. */
  assert_invalid ("blockdev-add", "{\"driver\": \"file\", \"node-name\": \"f\"}",
                  "blockdev-add: missing argument 'filename' (str)");
  assert_invalid ("migrate-set-capabilities", "{\"capabilities\": [{\"capability\": \"xbzrle\"}]}",
                  "migrate-set-capabilities: missing argument 'capabilities[0].state' (bool)");
}

static void
test_validate_wrong_type (void)
{
  assert_invalid ("device_del", "{\"id\": 7}",
                  "device_del: argument 'id' must be a string, not an integer");
  assert_invalid ("migrate-set-capabilities",
                  "{\"capabilities\": [{\"capability\": \"xbzrle\", \"state\": \"yes\"}]}",
                  "migrate-set-capabilities: argument 'capabilities[0].state' must be a boolean, "
                  "not a string");
  assert_invalid ("migrate-set-capabilities", "{\"capabilities\": {}}",
                  "migrate-set-capabilities: argument 'capabilities' must be an array, not an object");
  assert_invalid ("blockdev-add", "{\"driver\": \"qcow2\", \"node-name\": \"d0\", \"file\": 5}",
                  "blockdev-add: argument 'file' must be an object or a string, not an integer");
  /* QEMU's int takes no fractions. */
  assert_invalid ("blockdev-add", "{\"driver\": \"file\", \"node-name\": \"f\", \"filename\": \"/x\", "
                  "\"aio-max-batch\": 1.5}",
                  "blockdev-add: argument 'aio-max-batch' must be an integer, not a number");
}

static void
test_validate_enum (void)
{
  assert_invalid ("set-action", "{\"reboot\": \"restt\"}",
                  "set-action: argument 'reboot' must be one of 'reset', 'shutdown', not 'restt'; "
                  "did you mean 'reset'?");
  assert_invalid ("set-action", "{\"reboot\": 1}",
                  "set-action: argument 'reboot' must be a string, not an integer");
  /* A tag is an enum too. */
  assert_invalid ("blockdev-add", "{\"driver\": \"qcow3\", \"node-name\": \"d0\"}",
                  "blockdev-add: argument 'driver' must be one of 'blkdebug', 'blklogwrites', "
                  "'blkreplay', 'blkverify', 'bochs', 'cloop', 'compress', 'copy-before-write', "
                  "'copy-on-read', 'dmg', 'file', 'snapshot-access' (and 30 more), not 'qcow3'; "
                  "did you mean 'qcow2'?");
}

static void
test_validate_value (void)
{
  const char *ret_type = xen_qmp_schema_get_ret_type (schema, "query-status");
  g_autoptr(JsonNode) good = json_from_string ("{\"status\": \"running\", \"singlestep\": false, "
                                               "\"running\": true}", NULL);
  g_autoptr(JsonNode) bad = json_from_string ("{\"status\": \"runing\", \"singlestep\": false, "
                                              "\"running\": true}", NULL);
  g_autoptr(JsonNode) scalar = json_from_string ("42", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (xen_qmp_schema_validate_value (schema, ret_type, good, "query-status's reply", &error));
  g_assert_no_error (error);
  g_assert_false (xen_qmp_schema_validate_value (schema, ret_type, bad, "query-status's reply", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "query-status's reply: member 'status' must be one of "));
  g_assert_nonnull (strstr (error->message, "not 'runing'; did you mean 'running'?"));
  g_clear_error (&error);
  g_assert_false (xen_qmp_schema_validate_value (schema, ret_type, scalar, "query-status's reply", &error));
  g_assert_cmpstr (error->message, ==, "query-status's reply: the value must be an object, not an integer");
}

/* ---- describing --------------------------------------------------------- */

static void
test_describe (void)
{
  g_autofree char *device_del = xen_qmp_schema_describe_command (schema, "device_del");
  g_autofree char *status = xen_qmp_schema_describe_command (schema, "query-status");
  g_autofree char *device_add = xen_qmp_schema_describe_command (schema, "device_add");

  g_assert_cmpstr (device_del, ==, "device_del\narguments:\n  id: str\nreturns: nothing\n");
  g_assert_nonnull (strstr (status, "arguments: none\n"));
  g_assert_nonnull (strstr (status, "returns: an object with\n"));
  g_assert_nonnull (strstr (status, "  running: bool\n"));
  g_assert_nonnull (strstr (status, "  status: one of 'debug', "));
  g_assert_nonnull (strstr (device_add, "  bus: str (optional)\n"));
  g_assert_nonnull (strstr (device_add, "features: json-cli json-cli-hotplug\n"));
  g_assert_null (xen_qmp_schema_describe_command (schema, "STOP"));
}

/* ---- what is not a schema ---------------------------------------------- */

static void
test_not_a_schema (void)
{
  const char *bad[][2] = {
    { "{\"return\": {}}", "a QAPI schema is a JSON array of entities, not JsonObject" },
    { "[]", "the QAPI schema is empty" },
    { "[42]", "entity 0 of the QAPI schema is not an object" },
    { "[{\"name\": \"x\", \"meta-type\": \"spaceship\"}]",
      "entity 0 of the QAPI schema has no name or no known meta-type" },
    { "[{\"meta-type\": \"command\"}]", "entity 0 of the QAPI schema has no name or no known meta-type" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XenQmpSchema) s = xen_qmp_schema_new_from_data (bad[i][0], -1, &error);

      g_assert_null (s);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, bad[i][1]);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(XenQmpSchema) s = xen_qmp_schema_new_from_data ("[{\"name\": ", -1, &error);

    g_assert_null (s);
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, "a QAPI schema: "));
  }
  {
    /* json-glib alone would keep the second array (and leak the first). */
    static const char two[] = "[{\"name\": \"a\", \"meta-type\": \"builtin\", \"json-type\": \"int\"}] "
                              "[{\"name\": \"b\", \"meta-type\": \"builtin\", \"json-type\": \"int\"}]";
    g_autoptr(GError) error = NULL;
    g_autoptr(XenQmpSchema) s = xen_qmp_schema_new_from_data (two, sizeof two - 1, &error);

    g_assert_null (s);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpstr (error->message, ==,
                     "a QAPI schema: text after the end of the JSON value, at byte 60");
  }
}

/* N builtin entities, as JSON text. */
static GString *
many_entities (guint n)
{
  GString *text = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s{\"name\": \"t%u\", \"meta-type\": \"builtin\", "
                            "\"json-type\": \"int\"}", i > 0 ? ", " : "", i);
  g_string_append_c (text, ']');
  return text;
}

static void
assert_too_large (const char *text, gssize len, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpSchema) s = xen_qmp_schema_new_from_data (text, len, &error);

  g_assert_null (s);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, message);
}

/* A hostile QEMU's schema is bounded in entities, in JSON values and in
 * bytes, each refusal naming its bound; QEMU's own fit with room. */
static void
test_bounded (void)
{
  g_autoptr(GString) most = many_entities (65536);
  g_autoptr(GString) over = many_entities (65537);
  g_autoptr(GString) values = g_string_new ("[{\"name\": \"e\", \"meta-type\": \"enum\", \"values\": [");
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpSchema) s = NULL;
  g_autofree char *huge = NULL;

  s = xen_qmp_schema_new_from_data (most->str, most->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (xen_qmp_schema_get_meta_type (s, "t65535"), ==, XEN_QMP_SCHEMA_META_TYPE_BUILTIN);
  assert_too_large (over->str, over->len,
                    "the QAPI schema has 65537 entities, more than the 65536 allowed "
                    "(QEMU 9 has a few thousand)");

  for (guint i = 0; i < 512 * 1024; i++)
    g_string_append (values, i > 0 ? ",\"\"" : "\"\"");
  g_string_append (values, "]}]");
  assert_too_large (values->str, values->len,
                    "the QAPI schema has more than 524288 JSON values (QEMU 7.2's has 15,741)");

  huge = g_malloc (8 * 1024 * 1024 + 2);
  memset (huge, ' ', 8 * 1024 * 1024 + 1);
  huge[0] = '[';
  huge[8 * 1024 * 1024] = ']';
  huge[8 * 1024 * 1024 + 1] = '\0';
  assert_too_large (huge, -1, "a QAPI schema: 8388609 bytes, more than the 8388608 allowed "
                    "(QEMU 9's is about 420 KB)");
}

/* QEMU's names never hold a control character; a newline in one would
 * let a hostile QEMU forge lines of what describe prints. */
static void
test_control_characters_refused (void)
{
  static const char *const schemas[] = {
    "[{\"name\": \"device_del\\ninjected: line\", \"meta-type\": \"command\", "
    "\"arg-type\": \"0\", \"ret-type\": \"0\"}, "
    "{\"name\": \"0\", \"meta-type\": \"object\", \"members\": []}]",
    "[{\"name\": \"e\", \"meta-type\": \"enum\", \"values\": [\"a\\u001b[2Jb\"]}]",
    "[{\"name\": \"int\\u007f\", \"meta-type\": \"builtin\", \"json-type\": \"int\"}]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (schemas); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XenQmpSchema) refused = xen_qmp_schema_new_from_data (schemas[i], -1, &error);

      g_assert_null (refused);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "control character"));
    }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  schema = recorded_schema_load ();

  g_test_add_func ("/schema/index", test_index);
  g_test_add_func ("/schema/command-and-numbered-types", test_command_and_numbered_types);
  g_test_add_func ("/schema/optional-members", test_optional_members);
  g_test_add_func ("/schema/event-and-enum", test_event_and_enum);
  g_test_add_func ("/schema/array-alternate-union", test_array_and_alternate_and_union);
  g_test_add_func ("/schema/validate/accepts", test_validate_accepts);
  g_test_add_func ("/schema/validate/unknown-member", test_validate_unknown_member);
  g_test_add_func ("/schema/validate/suggest-across-names", test_validate_suggest_across_names);
  g_test_add_func ("/schema/validate/unknown-command", test_validate_unknown_command);
  g_test_add_func ("/schema/validate/missing-member", test_validate_missing_member);
  g_test_add_func ("/schema/validate/wrong-type", test_validate_wrong_type);
  g_test_add_func ("/schema/validate/enum", test_validate_enum);
  g_test_add_func ("/schema/validate/value", test_validate_value);
  g_test_add_func ("/schema/describe", test_describe);
  g_test_add_func ("/schema/not-a-schema", test_not_a_schema);
  g_test_add_func ("/schema/bounded", test_bounded);
  g_test_add_func ("/schema/control-characters-refused", test_control_characters_refused);
  status = g_test_run ();
  g_object_unref (schema);
  return status;
}
