/* schema-visit.c: a command's arguments walked as QEMU's input visitor does
 *
 * The library's validation says whether QEMU accepts a command, and
 * explains it to a person; this walk finds the same problem QEMU finds
 * first, in QEMU 7.2's words (checked against qemu-system-x86_64 7.2, see
 * fake-qemu/README.md):
 *
 *   Parameter 'file.filename' is missing
 *   Invalid parameter type for 'capabilities[0]', expected: object
 *   Parameter 'capability' does not accept value 'nope'
 *   Parameter 'file.zz' is unexpected
 *
 * A member's full name joins the names from the arguments down with '.'
 * and adds "[i]" for list elements; an enum value's error names the member
 * alone ("null" for a list element), as QEMU does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "schema-visit.h"

#include <string.h>

#include "qmp-message.h"

/* QEMU hands device_add's arguments to the device ('gen': false in its
 * schema): only "driver" is checked before that. */
static const char * const device_commands[] = { "device_add" };

typedef struct {
  XenQmpSchema *schema;
  GString      *path;    /* full name of the member being visited */
  gboolean      device;  /* device_add: other members belong to the device */
  gboolean      exact;
  GError      **error;
} Visit;

static gboolean visit_node (Visit *v, const char *type, const char *name, JsonNode *node);

/* QEMU's words for the JSON type it expected. */
static const char *
qemu_type_word (const char *json_type)
{
  if (strcmp (json_type, "int") == 0)
    return "integer";
  return json_type;
}

/* What QEMU's QObject type of NODE is, in json-type words; a number is
 * "number" whether or not it is an integer (QEMU's QNum). */
static const char *
qtype_of (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "string";
    case G_TYPE_BOOLEAN:
      return "boolean";
    default:
      return "number";
    }
}

static gboolean
has_json_type (JsonNode *node, const char *json_type)
{
  if (strcmp (json_type, "value") == 0)
    return TRUE;
  if (strcmp (json_type, "int") == 0)
    return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
  return strcmp (qtype_of (node), json_type) == 0;
}

static gboolean
wrong_type (Visit *v, const char *expected)
{
  /* device_add's members are the device's properties: QEMU converts
   * them to strings and the device says what it thinks of them. */
  if (v->device)
    v->exact = FALSE;
  g_set_error (v->error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
               "Invalid parameter type for '%s', expected: %s", v->path->str, expected);
  return FALSE;
}

static gboolean
visit_builtin (Visit *v, const char *type, JsonNode *node)
{
  const char *json_type = xen_qmp_schema_get_json_type (v->schema, type);

  if (json_type == NULL || has_json_type (node, json_type))
    return TRUE;
  return wrong_type (v, qemu_type_word (json_type));
}

static gboolean
visit_enum (Visit *v, const char *type, const char *name, JsonNode *node)
{
  g_auto(GStrv) values = NULL;
  const char *value;

  if (!has_json_type (node, "string"))
    return wrong_type (v, "string");
  value = json_node_get_string (node);
  values = xen_qmp_schema_get_enum_values (v->schema, type);
  if (values == NULL || g_strv_contains ((const char * const *) values, value))
    return TRUE;
  if (v->device)
    v->exact = FALSE;
  g_set_error (v->error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
               "Parameter '%s' does not accept value '%s'", name != NULL ? name : "null", value);
  return FALSE;
}

static gboolean
visit_array (Visit *v, const char *type, JsonNode *node)
{
  const char *element = xen_qmp_schema_get_element_type (v->schema, type);
  JsonArray *array;
  gsize len = v->path->len;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (v, "array");
  array = json_node_get_array (node);
  for (guint i = 0; element != NULL && i < json_array_get_length (array); i++)
    {
      gboolean ok;

      g_string_append_printf (v->path, "[%u]", i);
      ok = visit_node (v, element, NULL, json_array_get_element (array, i));
      g_string_truncate (v->path, len);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static void
path_push (Visit *v, const char *name)
{
  if (v->path->len > 0)
    g_string_append_c (v->path, '.');
  g_string_append (v->path, name);
}

/* TYPE's own members (or a variant's), in schema order. */
static gboolean
visit_members (Visit *v, const char *type, JsonObject *object)
{
  guint n = xen_qmp_schema_get_n_members (v->schema, type);
  gsize len = v->path->len;

  for (guint i = 0; i < n; i++)
    {
      const char *name = NULL, *member_type = NULL;
      gboolean optional = FALSE, ok = TRUE;
      JsonNode *value;

      if (!xen_qmp_schema_get_member (v->schema, type, i, &name, &member_type, &optional)
          || name == NULL)
        continue;
      value = json_object_get_member (object, name);
      if (value == NULL && optional)
        continue;
      path_push (v, name);
      if (value == NULL)
        {
          g_set_error (v->error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "Parameter '%s' is missing", v->path->str);
          ok = FALSE;
        }
      else if (member_type != NULL)
        ok = visit_node (v, member_type, name, value);
      g_string_truncate (v->path, len);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_member (Visit *v, const char *type, const char *name)
{
  guint n = type != NULL ? xen_qmp_schema_get_n_members (v->schema, type) : 0;

  for (guint i = 0; i < n; i++)
    {
      const char *m = NULL;

      if (xen_qmp_schema_get_member (v->schema, type, i, &m, NULL, NULL)
          && m != NULL && strcmp (m, name) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
visit_object (Visit *v, const char *type, JsonNode *node)
{
  const char *tag = xen_qmp_schema_get_tag (v->schema, type);
  const char *variant = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *object;
  guint n_unexpected = 0;
  gsize len = v->path->len;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (v, "object");
  object = json_node_get_object (node);

  /* The tag is one of the base members: a bad tag value has been
   * reported when the variant is looked up. */
  if (!visit_members (v, type, object))
    return FALSE;
  if (tag != NULL)
    {
      JsonNode *tag_value = json_object_get_member (object, tag);

      if (tag_value != NULL && has_json_type (tag_value, "string"))
        variant = xen_qmp_schema_get_variant_type (v->schema, type,
                                                   json_node_get_string (tag_value));
    }
  if (variant != NULL && !visit_members (v, variant, object))
    return FALSE;

  if (v->device && len == 0)
    return TRUE;
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (has_member (v, type, name) || has_member (v, variant, name))
        continue;
      if (n_unexpected++ == 0)
        {
          path_push (v, name);
          g_set_error (v->error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "Parameter '%s' is unexpected", v->path->str);
          g_string_truncate (v->path, len);
        }
    }
  /* QEMU names the first it finds in its hash table. */
  if (n_unexpected > 1)
    v->exact = FALSE;
  return n_unexpected == 0;
}

/* The QObject type a value of TYPE has, as an alternate tells its
 * branches apart: integers and numbers are both QEMU's QNum. */
static const char *
branch_qtype (XenQmpSchema *schema, const char *type)
{
  const char *json_type;

  switch (xen_qmp_schema_get_meta_type (schema, type))
    {
    case XEN_QMP_SCHEMA_META_TYPE_BUILTIN:
      json_type = xen_qmp_schema_get_json_type (schema, type);
      if (json_type != NULL && strcmp (json_type, "int") == 0)
        return "number";
      return json_type;
    case XEN_QMP_SCHEMA_META_TYPE_ENUM:
      return "string";
    case XEN_QMP_SCHEMA_META_TYPE_ARRAY:
      return "array";
    case XEN_QMP_SCHEMA_META_TYPE_OBJECT:
      return "object";
    default:
      return NULL;
    }
}

static gboolean
visit_alternate (Visit *v, const char *type, const char *name, JsonNode *node)
{
  g_autoptr(GString) expected = g_string_new (NULL);
  guint n = xen_qmp_schema_get_n_members (v->schema, type);

  for (guint i = 0; i < n; i++)
    {
      const char *branch = NULL;
      const char *qtype;

      xen_qmp_schema_get_member (v->schema, type, i, NULL, &branch, NULL);
      qtype = branch != NULL ? branch_qtype (v->schema, branch) : NULL;
      if (qtype == NULL)
        continue;
      if (strcmp (qtype, "value") == 0 || strcmp (qtype, qtype_of (node)) == 0)
        return visit_node (v, branch, name, node);
      g_string_append_printf (expected, "%s%s", expected->len > 0 ? " or " : "", qtype);
    }
  /* QEMU names the alternate's C type here ("BlockdevRef"), which
   * query-qmp-schema does not give. */
  v->exact = FALSE;
  g_set_error (v->error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
               "Invalid parameter type for '%s', expected: %s",
               name != NULL ? name : "null", expected->len > 0 ? expected->str : "nothing");
  return FALSE;
}

static gboolean
visit_node (Visit *v, const char *type, const char *name, JsonNode *node)
{
  switch (xen_qmp_schema_get_meta_type (v->schema, type))
    {
    case XEN_QMP_SCHEMA_META_TYPE_BUILTIN:
      return visit_builtin (v, type, node);
    case XEN_QMP_SCHEMA_META_TYPE_ENUM:
      return visit_enum (v, type, name, node);
    case XEN_QMP_SCHEMA_META_TYPE_ARRAY:
      return visit_array (v, type, node);
    case XEN_QMP_SCHEMA_META_TYPE_OBJECT:
      return visit_object (v, type, node);
    case XEN_QMP_SCHEMA_META_TYPE_ALTERNATE:
      return visit_alternate (v, type, name, node);
    default:
      /* A type the schema names but does not define tells nothing. */
      return TRUE;
    }
}

gboolean
fake_schema_visit_arguments (XenQmpSchema  *schema,
                             const char    *command,
                             JsonObject    *arguments,
                             gboolean      *exact,
                             GError       **error)
{
  g_autoptr(GString) path = g_string_new (NULL);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  const char *arg_type = xen_qmp_schema_get_arg_type (schema, command);
  Visit v = { schema, path, FALSE, TRUE, error };
  gboolean ok;

  for (gsize i = 0; i < G_N_ELEMENTS (device_commands); i++)
    v.device = v.device || strcmp (device_commands[i], command) == 0;
  json_node_set_object (node, arguments);
  /* A command without arguments takes an empty object, as in QEMU. */
  if (arg_type == NULL)
    {
      ok = json_object_get_size (arguments) == 0;
      if (!ok)
        {
          g_autoptr(GList) names = json_object_get_members (arguments);

          v.exact = names->next == NULL;
          g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "Parameter '%s' is unexpected", (const char *) names->data);
        }
    }
  else
    ok = visit_node (&v, arg_type, NULL, node);
  if (exact != NULL)
    *exact = v.exact;
  return ok;
}
