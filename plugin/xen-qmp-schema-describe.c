/* xen-qmp-schema-describe.c: a command or a type, for people to read
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * QEMU names most of its types with numbers ("187"): what a person needs
 * is the shape behind the number, so types are written out (a level or two
 * deep; QAPI types may be recursive).
 */
#include "config.h"

#include "xen-qmp-schema.h"
#include "xen-qmp-schema-private.h"

#include <string.h>

#define DESCRIBE_DEPTH 2

static void
append_summary (XenQmpSchema *schema, const char *type, GString *out, guint depth)
{
  switch (_xen_qmp_schema_meta_type (schema, type))
    {
    case XEN_QMP_SCHEMA_META_TYPE_ARRAY:
      g_string_append_c (out, '[');
      if (depth < 4)
        append_summary (schema, xen_qmp_schema_get_element_type (schema, type), out, depth + 1);
      g_string_append_c (out, ']');
      break;
    case XEN_QMP_SCHEMA_META_TYPE_ENUM:
      g_string_append (out, "enum");
      break;
    case XEN_QMP_SCHEMA_META_TYPE_OBJECT:
      g_string_append (out, "object");
      break;
    case XEN_QMP_SCHEMA_META_TYPE_ALTERNATE:
      {
        guint n = xen_qmp_schema_get_n_members (schema, type);

        for (guint i = 0; i < n && depth < 4; i++)
          {
            const char *branch = NULL;

            xen_qmp_schema_get_member (schema, type, i, NULL, &branch, NULL);
            if (i > 0)
              g_string_append (out, " | ");
            append_summary (schema, branch, out, depth + 1);
          }
        break;
      }
    case XEN_QMP_SCHEMA_META_TYPE_BUILTIN:
    default:
      g_string_append (out, type != NULL ? type : "?");
      break;
    }
}

char *
_xen_qmp_schema_summary (XenQmpSchema *schema, const char *type)
{
  GString *out = g_string_new (NULL);

  append_summary (schema, type, out, 0);
  return g_string_free (out, FALSE);
}

static void append_type (XenQmpSchema *schema, const char *type, GString *out, guint depth);

static void
append_members_inline (XenQmpSchema *schema, const char *type, GString *out, guint depth)
{
  guint n = xen_qmp_schema_get_n_members (schema, type);
  const char *tag = xen_qmp_schema_get_tag (schema, type);

  g_string_append (out, "{");
  for (guint i = 0; i < n; i++)
    {
      const char *name = NULL, *member_type = NULL;
      gboolean optional = FALSE;

      xen_qmp_schema_get_member (schema, type, i, &name, &member_type, &optional);
      g_string_append_printf (out, "%s%s%s: ", i > 0 ? ", " : "", name != NULL ? name : "?",
                              optional ? "?" : "");
      append_type (schema, member_type, out, depth + 1);
    }
  if (tag != NULL)
    g_string_append_printf (out, "%smore by '%s'", n > 0 ? ", " : "", tag);
  g_string_append (out, "}");
}

static void
append_type (XenQmpSchema *schema, const char *type, GString *out, guint depth)
{
  switch (_xen_qmp_schema_meta_type (schema, type))
    {
    case XEN_QMP_SCHEMA_META_TYPE_ENUM:
      {
        g_auto(GStrv) values = xen_qmp_schema_get_enum_values (schema, type);

        g_string_append (out, "one of ");
        for (guint i = 0; values[i] != NULL; i++)
          g_string_append_printf (out, "%s'%s'", i > 0 ? ", " : "", values[i]);
        break;
      }
    case XEN_QMP_SCHEMA_META_TYPE_ARRAY:
      /* Counted as a level too: a hostile schema's array may hold itself. */
      g_string_append (out, "array of ");
      if (depth < 4)
        append_type (schema, xen_qmp_schema_get_element_type (schema, type), out, depth + 1);
      else
        g_string_append (out, "...");
      break;
    case XEN_QMP_SCHEMA_META_TYPE_OBJECT:
      if (depth >= DESCRIBE_DEPTH)
        g_string_append (out, "object");
      else if (xen_qmp_schema_get_n_members (schema, type) == 0
               && xen_qmp_schema_get_tag (schema, type) == NULL)
        g_string_append (out, "{}");
      else
        append_members_inline (schema, type, out, depth);
      break;
    case XEN_QMP_SCHEMA_META_TYPE_ALTERNATE:
      {
        guint n = xen_qmp_schema_get_n_members (schema, type);

        if (depth >= 4)
          {
            g_string_append (out, "...");
            break;
          }
        for (guint i = 0; i < n; i++)
          {
            const char *branch = NULL;

            xen_qmp_schema_get_member (schema, type, i, NULL, &branch, NULL);
            if (i > 0)
              g_string_append (out, " or ");
            append_type (schema, branch, out, depth + 1);
          }
        break;
      }
    case XEN_QMP_SCHEMA_META_TYPE_BUILTIN:
    default:
      g_string_append (out, type != NULL ? type : "?");
      break;
    }
}

/**
 * xen_qmp_schema_describe_type:
 * @schema: a schema
 * @type: a type
 *
 * Writes a type out for people: `str`, `one of 'running', 'paused'`,
 * `array of {id: str, bus?: str}`, `str or {...}`; optional members are
 * marked with `?`. Objects are written out two levels deep.
 *
 * Returns: (transfer full): the description
 *
 * Since: 0.1
 */
char *
xen_qmp_schema_describe_type (XenQmpSchema *schema, const char *type)
{
  GString *out;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (type != NULL, NULL);

  out = g_string_new (NULL);
  append_type (schema, type, out, 0);
  return g_string_free (out, FALSE);
}

/* One line per member of TYPE, under a heading. */
static void
append_member_lines (XenQmpSchema *schema, const char *type, GString *out)
{
  guint n = xen_qmp_schema_get_n_members (schema, type);
  const char *tag = xen_qmp_schema_get_tag (schema, type);

  for (guint i = 0; i < n; i++)
    {
      const char *name = NULL, *member_type = NULL;
      gboolean optional = FALSE;

      xen_qmp_schema_get_member (schema, type, i, &name, &member_type, &optional);
      g_string_append_printf (out, "  %s: ", name != NULL ? name : "?");
      append_type (schema, member_type, out, 1);
      g_string_append (out, optional ? " (optional)\n" : "\n");
    }
  if (tag != NULL)
    g_string_append_printf (out, "  ... and the members of the variant '%s' chooses\n", tag);
}

/**
 * xen_qmp_schema_describe_command:
 * @schema: a schema
 * @command: a command
 *
 * Writes a command out for people, as `xen-qmp --describe` prints it: its
 * arguments one per line (name, type, whether optional), its return type,
 * and its features: for `device_del`, the lines `device_del`,
 * `arguments:`, `  id: str` and `returns: nothing`.
 *
 * Returns: (transfer full) (nullable): the description, or %NULL when
 *   @command is not a command of @schema
 *
 * Since: 0.1
 */
char *
xen_qmp_schema_describe_command (XenQmpSchema *schema, const char *command)
{
  GString *out;
  const char *arg_type, *ret_type;
  JsonObject *entity;
  JsonArray *features;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (command != NULL, NULL);

  if (_xen_qmp_schema_meta_type (schema, command) != XEN_QMP_SCHEMA_META_TYPE_COMMAND)
    return NULL;
  entity = _xen_qmp_schema_lookup (schema, command);
  arg_type = xen_qmp_schema_get_arg_type (schema, command);
  ret_type = xen_qmp_schema_get_ret_type (schema, command);

  out = g_string_new (command);
  g_string_append_c (out, '\n');
  if (arg_type == NULL || (xen_qmp_schema_get_n_members (schema, arg_type) == 0
                           && xen_qmp_schema_get_tag (schema, arg_type) == NULL))
    g_string_append (out, "arguments: none\n");
  else
    {
      g_string_append (out, "arguments:\n");
      append_member_lines (schema, arg_type, out);
    }

  if (ret_type == NULL
      || (_xen_qmp_schema_meta_type (schema, ret_type) == XEN_QMP_SCHEMA_META_TYPE_OBJECT
          && xen_qmp_schema_get_n_members (schema, ret_type) == 0
          && xen_qmp_schema_get_tag (schema, ret_type) == NULL))
    g_string_append (out, "returns: nothing\n");
  else if (_xen_qmp_schema_meta_type (schema, ret_type) == XEN_QMP_SCHEMA_META_TYPE_OBJECT)
    {
      g_string_append (out, "returns: an object with\n");
      append_member_lines (schema, ret_type, out);
    }
  else
    {
      g_string_append (out, "returns: ");
      append_type (schema, ret_type, out, 0);
      g_string_append_c (out, '\n');
    }

  features = _xen_qmp_schema_array_member (entity, "features");
  if (features != NULL && json_array_get_length (features) > 0)
    {
      g_string_append (out, "features:");
      for (guint i = 0; i < json_array_get_length (features); i++)
        {
          JsonNode *f = json_array_get_element (features, i);

          if (json_node_get_value_type (f) == G_TYPE_STRING)
            g_string_append_printf (out, " %s", json_node_get_string (f));
        }
      g_string_append_c (out, '\n');
    }
  if (json_object_has_member (entity, "allow-oob"))
    g_string_append (out, "runs out-of-band: yes (exec-oob)\n");
  return g_string_free (out, FALSE);
}
