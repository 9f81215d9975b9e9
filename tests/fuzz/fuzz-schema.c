/* fuzz-schema.c: a hostile QEMU's query-qmp-schema reply
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The schema comes from QEMU, which may be compromised: its types may
 * refer to themselves, to nothing, or be of the wrong shape. Building the
 * index, listing, describing every command and validating commands against
 * it must not crash, recurse without end or leak, whatever it says. The
 * input's first line is the schema; the rest, if any, is a command's
 * arguments (a JSON object) validated against every command.
 */
#include "config.h"

#include <string.h>

#include "fuzz-harness.h"
#include "qmp-json-parse.h"
#include "xenqmp.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  const char *nl = memchr (data, '\n', size);
  gsize schema_len = nl != NULL ? (gsize) (nl - text) : size;
  g_autoptr(XenQmpSchema) schema = NULL;
  g_autoptr(JsonNode) args_node = NULL;
  JsonObject *args = NULL;
  g_auto(GStrv) commands = NULL;

  if (memchr (data, '\0', size) != NULL || !g_utf8_validate_len (text, size, NULL))
    return 0;
  schema = xen_qmp_schema_new_from_data (text, (gssize) schema_len, NULL);
  if (schema == NULL)
    return 0;
  if (nl != NULL)
    {
      /* The input is not nul-terminated: its length, not a C string. */
      args_node = qmp_json_parse (nl + 1, size - schema_len - 1, NULL, NULL);
      if (args_node != NULL && JSON_NODE_HOLDS_OBJECT (args_node))
        args = json_node_get_object (args_node);
    }
  commands = xen_qmp_schema_list (schema, XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  for (guint i = 0; commands[i] != NULL; i++)
    {
      g_autofree char *description = xen_qmp_schema_describe_command (schema, commands[i]);
      g_autoptr(GError) error = NULL;
      const char *ret_type = xen_qmp_schema_get_ret_type (schema, commands[i]);

      g_assert_nonnull (description);
      if (!xen_qmp_schema_validate_command (schema, commands[i], args, &error))
        g_assert_nonnull (error);
      if (ret_type != NULL && args_node != NULL)
        {
          g_autofree char *type = xen_qmp_schema_describe_type (schema, ret_type);
          g_autoptr(GError) value_error = NULL;

          g_assert_nonnull (type);
          xen_qmp_schema_validate_value (schema, ret_type, args_node, "reply", &value_error);
        }
    }
  return 0;
}
