/* qmp-schema-validate.c: a command's arguments checked against the schema
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The checks are QEMU's own input visitor's, made before the command is
 * sent, with a message that says where and what: unknown members (with
 * the closest name), missing required ones, the wrong JSON type, a value
 * outside an enum. Unknown names are reported first, since a misspelt
 * argument also leaves the one it was meant to be missing.
 */
#include "config.h"

#include "xen-qmp-schema.h"
#include "xen-qmp-schema-private.h"
#include "qmp-suggest.h"

#include <string.h>

/* Commands whose arguments QEMU does not generate from the schema
 * ('gen': false in QEMU's qapi/qdev.json), and which take members the
 * schema does not list: device_add passes the rest on as the device's
 * properties. */
static const char * const open_commands[] = { "device_add" };

typedef struct {
  XenQmpSchema *schema;
  const char   *prefix;     /* the command, or what the value is */
  gboolean      arguments;  /* members are "arguments" at the top */
  gboolean      open;       /* unknown top-level members are allowed */
  GString      *path;       /* "file.filename", "devices[2]" */
  GError      **error;
} Validation;

static gboolean validate_node (Validation *v, const char *type, JsonNode *node);

static const char *
node_kind (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a number";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    default:
      return "a value";
    }
}

/* "the arguments", "argument 'file.driver'", "member 'status'", ... */
static char *
where (Validation *v)
{
  if (v->path->len == 0)
    return g_strdup (v->arguments ? "the arguments" : "the value");
  return g_strdup_printf ("%s '%s'", v->arguments ? "argument" : "member", v->path->str);
}

static G_GNUC_PRINTF (2, 3) gboolean
fail (Validation *v, const char *format, ...)
{
  g_autoptr(GString) message = g_string_new (NULL);
  va_list ap;

  g_string_append_printf (message, "%s: ", v->prefix);
  va_start (ap, format);
  g_string_append_vprintf (message, format, ap);
  va_end (ap);
  g_set_error_literal (v->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message->str);
  return FALSE;
}

static gboolean
fail_kind (Validation *v, const char *expected, JsonNode *node)
{
  g_autofree char *w = where (v);

  return fail (v, "%s must be %s, not %s", w, expected, node_kind (node));
}

/* Whether NODE has the JSON type a builtin's json-type names. */
static gboolean
node_is (JsonNode *node, const char *json_type)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                  : G_TYPE_INVALID;

  if (strcmp (json_type, "value") == 0)
    return TRUE;
  if (strcmp (json_type, "string") == 0)
    return value_type == G_TYPE_STRING;
  if (strcmp (json_type, "int") == 0)
    return value_type == G_TYPE_INT64;
  if (strcmp (json_type, "number") == 0)
    return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
  if (strcmp (json_type, "boolean") == 0)
    return value_type == G_TYPE_BOOLEAN;
  if (strcmp (json_type, "null") == 0)
    return JSON_NODE_HOLDS_NULL (node);
  if (strcmp (json_type, "object") == 0)
    return JSON_NODE_HOLDS_OBJECT (node);
  if (strcmp (json_type, "array") == 0)
    return JSON_NODE_HOLDS_ARRAY (node);
  return FALSE;
}

static const char *
json_type_kind (const char *json_type)
{
  static const char * const kinds[][2] = {
    { "string", "a string" }, { "int", "an integer" }, { "number", "a number" },
    { "boolean", "a boolean" }, { "null", "null" }, { "object", "an object" },
    { "array", "an array" }, { "value", "any value" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (kinds[i][0], json_type) == 0)
      return kinds[i][1];
  return json_type;
}

/* The JSON type a value of TYPE has, as a builtin names it: an enum is a
 * string, an object an object... (how an alternate tells its branches
 * apart). */
static const char *
json_type_of (XenQmpSchema *schema, const char *type)
{
  switch (_xen_qmp_schema_meta_type (schema, type))
    {
    case XEN_QMP_SCHEMA_META_TYPE_BUILTIN:
      return xen_qmp_schema_get_json_type (schema, type);
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

/* Whether VALUE is one of the enum's, read in place: validation runs
 * for every command, and copying the values costs more than the check. */
static gboolean
enum_has (JsonObject *entity, const char *value)
{
  JsonArray *values = _xen_qmp_schema_array_member (entity, "values");
  guint n = values != NULL ? json_array_get_length (values) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (values, i);

      if (json_node_get_value_type (node) == G_TYPE_STRING
          && strcmp (json_node_get_string (node), value) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
validate_enum (Validation *v, const char *type, JsonNode *node)
{
  g_auto(GStrv) values = NULL;
  g_autoptr(GString) message = NULL;
  g_autofree char *w = NULL;
  const char *value;
  QmpSuggest suggest;
  guint n;

  if (!node_is (node, "string"))
    return fail_kind (v, "a string", node);
  value = json_node_get_string (node);
  if (enum_has (_xen_qmp_schema_lookup (v->schema, type), value))
    return TRUE;

  values = xen_qmp_schema_get_enum_values (v->schema, type);
  w = where (v);
  message = g_string_new (NULL);
  g_string_append_printf (message, "%s must be one of ", w);
  n = g_strv_length (values);
  /* Long enums (QEMU has some with 100 values) are cut short. */
  for (guint i = 0; i < n && i < 12; i++)
    g_string_append_printf (message, "%s'%s'", i > 0 ? ", " : "", values[i]);
  if (n > 12)
    g_string_append_printf (message, " (and %u more)", n - 12);
  g_string_append_printf (message, ", not '%s'", value);
  qmp_suggest_init (&suggest, value);
  for (guint i = 0; i < n; i++)
    qmp_suggest_consider (&suggest, values[i]);
  qmp_suggest_append (&suggest, message);
  return fail (v, "%s", message->str);
}

static gboolean
validate_array (Validation *v, const char *type, JsonNode *node)
{
  const char *element = xen_qmp_schema_get_element_type (v->schema, type);
  JsonArray *array;
  gsize len = v->path->len;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_kind (v, "an array", node);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gboolean ok;

      g_string_append_printf (v->path, "[%u]", i);
      ok = validate_node (v, element, json_array_get_element (array, i));
      g_string_truncate (v->path, len);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
validate_alternate (Validation *v, const char *type, JsonNode *node)
{
  g_autoptr(GString) expected = g_string_new (NULL);
  guint n = xen_qmp_schema_get_n_members (v->schema, type);

  for (guint i = 0; i < n; i++)
    {
      const char *branch = NULL;
      const char *json_type;

      xen_qmp_schema_get_member (v->schema, type, i, NULL, &branch, NULL);
      json_type = branch != NULL ? json_type_of (v->schema, branch) : NULL;
      if (json_type == NULL)
        continue;
      /* QAPI forbids two branches of one JSON type, so the first that
       * takes the value is the one QEMU would choose. */
      if (node_is (node, json_type))
        return validate_node (v, branch, node);
      g_string_append_printf (expected, "%s%s", expected->len > 0 ? " or " : "",
                              json_type_kind (json_type));
    }
  return fail_kind (v, expected->len > 0 ? expected->str : "nothing", node);
}

/* Whether MEMBERS (an object's "members", or NULL) include NAME. */
static gboolean
has_member (JsonArray *members, const char *name)
{
  guint n = members != NULL ? json_array_get_length (members) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (members, i);
      const char *m;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      m = _xen_qmp_schema_string_member (json_node_get_object (node), "name");
      if (m != NULL && strcmp (m, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The required members of TYPE and VARIANT that OBJECT lacks: name,
 * then type, for each. */
static GPtrArray *
missing_required (Validation *v, const char *type, const char *variant, JsonObject *object)
{
  GPtrArray *missing = g_ptr_array_new ();
  const char *types[] = { type, variant };

  for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
    {
      guint n = types[t] != NULL ? xen_qmp_schema_get_n_members (v->schema, types[t]) : 0;

      for (guint i = 0; i < n; i++)
        {
          const char *m = NULL, *member_type = NULL;
          gboolean optional = TRUE;

          xen_qmp_schema_get_member (v->schema, types[t], i, &m, &member_type, &optional);
          if (m != NULL && member_type != NULL && !optional
              && !json_object_has_member (object, m))
            {
              g_ptr_array_add (missing, (gpointer) m);
              g_ptr_array_add (missing, (gpointer) member_type);
            }
        }
    }
  return missing;
}

/* The member NAME is none of TYPE's (or VARIANT's): say so, suggest the
 * member most likely meant (a close spelling; else a related name not
 * given, "file" for "filename", required ones first; else the only
 * required member not given), and what else is required and missing. */
static gboolean
report_unknown (Validation *v, const char *type, const char *variant, JsonObject *object,
                const char *name)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GPtrArray) missing = missing_required (v, type, variant, object);
  const char *types[] = { type, variant };
  guint n_listed = 0;
  QmpSuggest suggest;

  if (v->path->len == 0 && v->arguments)
    g_string_append_printf (message, "no argument '%s'", name);
  else
    {
      g_autofree char *w = where (v);

      g_string_append_printf (message, "%s has no member '%s'", w, name);
    }
  qmp_suggest_init (&suggest, name);
  for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
    {
      guint n = types[t] != NULL ? xen_qmp_schema_get_n_members (v->schema, types[t]) : 0;

      for (guint i = 0; i < n; i++)
        {
          const char *m = NULL;

          xen_qmp_schema_get_member (v->schema, types[t], i, &m, NULL, NULL);
          if (m != NULL)
            qmp_suggest_consider (&suggest, m);
        }
    }
  for (guint i = 0; i < missing->len; i += 2)
    qmp_suggest_consider_related (&suggest, missing->pdata[i]);
  for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
    {
      guint n = types[t] != NULL ? xen_qmp_schema_get_n_members (v->schema, types[t]) : 0;

      for (guint i = 0; i < n; i++)
        {
          const char *m = NULL;

          xen_qmp_schema_get_member (v->schema, types[t], i, &m, NULL, NULL);
          if (m != NULL && !json_object_has_member (object, m))
            qmp_suggest_consider_related (&suggest, m);
        }
    }
  if (missing->len == 2)
    qmp_suggest_fallback (&suggest, missing->pdata[0]);
  qmp_suggest_append (&suggest, message);

  /* What else is required and not given: the user fixes it all at once. */
  for (guint i = 0; i < missing->len; i += 2)
    {
      const char *m = missing->pdata[i];
      g_autofree char *summary = NULL;

      if (m == suggest.best)
        continue;
      summary = _xen_qmp_schema_summary (v->schema, missing->pdata[i + 1]);
      g_string_append_printf (message, "%s'%s' (%s)",
                              n_listed == 0 ? (suggest.best != NULL ? " Also missing: "
                                                                    : "; missing: ")
                                            : ", ",
                              m, summary);
      n_listed++;
    }
  return fail (v, "%s", message->str);
}

/* Missing required members of TYPE, then each present member's value. */
static gboolean
validate_members (Validation *v, const char *type, JsonObject *object)
{
  JsonArray *members = _xen_qmp_schema_members (v->schema, type);
  guint n = members != NULL ? json_array_get_length (members) : 0;
  gsize len = v->path->len;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *m = json_array_get_element (members, i);
      JsonObject *member;
      const char *name, *member_type;
      JsonNode *value;
      gboolean ok;

      if (!JSON_NODE_HOLDS_OBJECT (m))
        continue;
      member = json_node_get_object (m);
      name = _xen_qmp_schema_string_member (member, "name");
      member_type = _xen_qmp_schema_string_member (member, "type");
      if (name == NULL || member_type == NULL)
        continue;
      value = json_object_get_member (object, name);
      /* QAPI marks an optional member with "default". */
      if (value == NULL && json_object_has_member (member, "default"))
        continue;
      if (len > 0)
        g_string_append_c (v->path, '.');
      g_string_append (v->path, name);
      if (value == NULL)
        {
          g_autofree char *summary = _xen_qmp_schema_summary (v->schema, member_type);

          ok = fail (v, "missing %s '%s' (%s)", v->arguments ? "argument" : "member",
                     v->path->str, summary);
        }
      else
        ok = validate_node (v, member_type, value);
      g_string_truncate (v->path, len);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
validate_object (Validation *v, const char *type, JsonNode *node)
{
  const char *tag = xen_qmp_schema_get_tag (v->schema, type);
  const char *variant = NULL;
  JsonArray *members = _xen_qmp_schema_members (v->schema, type);
  JsonArray *variant_members;
  gboolean open = v->open && v->path->len == 0;
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail_kind (v, "an object", node);
  object = json_node_get_object (node);

  /* The tag's value picks the variant, whose members count as the
   * object's own; a bad tag is reported below as the enum it is. */
  if (tag != NULL)
    {
      JsonNode *tag_value = json_object_get_member (object, tag);

      if (tag_value != NULL && node_is (tag_value, "string"))
        variant = xen_qmp_schema_get_variant_type (v->schema, type,
                                                   json_node_get_string (tag_value));
    }
  variant_members = _xen_qmp_schema_members (v->schema, variant);

  json_object_iter_init (&iter, object);
  while (!open && json_object_iter_next (&iter, &name, &value))
    if (!has_member (members, name) && !has_member (variant_members, name))
      return report_unknown (v, type, variant, object, name);

  if (!validate_members (v, type, object))
    return FALSE;
  return variant == NULL || validate_members (v, variant, object);
}

static gboolean
validate_node (Validation *v, const char *type, JsonNode *node)
{
  switch (_xen_qmp_schema_meta_type (v->schema, type))
    {
    case XEN_QMP_SCHEMA_META_TYPE_BUILTIN:
      {
        const char *json_type = xen_qmp_schema_get_json_type (v->schema, type);

        if (json_type != NULL && !node_is (node, json_type))
          return fail_kind (v, json_type_kind (json_type), node);
        return TRUE;
      }
    case XEN_QMP_SCHEMA_META_TYPE_ENUM:
      return validate_enum (v, type, node);
    case XEN_QMP_SCHEMA_META_TYPE_ARRAY:
      return validate_array (v, type, node);
    case XEN_QMP_SCHEMA_META_TYPE_OBJECT:
      return validate_object (v, type, node);
    case XEN_QMP_SCHEMA_META_TYPE_ALTERNATE:
      return validate_alternate (v, type, node);
    case XEN_QMP_SCHEMA_META_TYPE_COMMAND:
    case XEN_QMP_SCHEMA_META_TYPE_EVENT:
    case XEN_QMP_SCHEMA_META_TYPE_NONE:
    default:
      /* QEMU's schema is the authority: a type it names but does not
       * define says nothing about the value. */
      return TRUE;
    }
}

/**
 * xen_qmp_schema_validate_command:
 * @schema: a schema
 * @command: the command's name
 * @arguments: (nullable): its arguments
 * @error: return location for a #GError
 *
 * Checks a command against the schema, as QEMU would: the command exists;
 * its arguments have no unknown member, every required member, the JSON
 * type each member's type asks for, values within enums; recursively
 * through objects, arrays, alternates and flat unions (the members a tag
 * value adds). `device_add` takes members the schema does not list (the
 * device's properties), as QEMU does.
 *
 * The message names the command, the argument's path and what was
 * expected, with the closest valid name when a name is unknown, such as
 * `device_del: no argument 'idd'; did you mean 'id'?`.
 *
 * Returns: %TRUE when QEMU would accept the command's form; otherwise
 *   %FALSE with @error set to %G_IO_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
gboolean
xen_qmp_schema_validate_command (XenQmpSchema  *schema,
                                 const char    *command,
                                 JsonObject    *arguments,
                                 GError       **error)
{
  g_autoptr(GString) path = g_string_new (NULL);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) empty = NULL;
  Validation v = { schema, command, TRUE, FALSE, path, error };
  const char *arg_type;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), FALSE);
  g_return_val_if_fail (command != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_xen_qmp_schema_meta_type (schema, command) != XEN_QMP_SCHEMA_META_TYPE_COMMAND)
    {
      g_autoptr(GString) message = g_string_new (NULL);
      g_auto(GStrv) commands = xen_qmp_schema_list (schema, XEN_QMP_SCHEMA_META_TYPE_COMMAND);
      QmpSuggest suggest;

      g_string_append_printf (message, "%s: no such command in this QEMU", command);
      qmp_suggest_init (&suggest, command);
      for (guint i = 0; commands[i] != NULL; i++)
        qmp_suggest_consider (&suggest, commands[i]);
      qmp_suggest_append (&suggest, message);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message->str);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (open_commands); i++)
    v.open = v.open || strcmp (open_commands[i], command) == 0;

  if (arguments == NULL)
    arguments = empty = json_object_new ();
  json_node_set_object (node, arguments);
  arg_type = xen_qmp_schema_get_arg_type (schema, command);
  if (arg_type == NULL)
    return json_object_get_size (arguments) == 0
           || fail (&v, "takes no arguments");
  return validate_node (&v, arg_type, node);
}

/**
 * xen_qmp_schema_validate_value:
 * @schema: a schema
 * @type: the type @value should have, such as a command's
 *   xen_qmp_schema_get_ret_type()
 * @value: a JSON value
 * @what: what @value is, for the message, such as `query-status's reply`
 * @error: return location for a #GError
 *
 * Checks a value against a type of the schema, as
 * xen_qmp_schema_validate_command() checks arguments: fake-qemu uses it to
 * check that a script's replies are what a real QEMU could send.
 *
 * Returns: %TRUE when @value has @type; otherwise %FALSE with @error set
 *   to %G_IO_ERROR_INVALID_ARGUMENT
 *
 * Since: 0.1
 */
gboolean
xen_qmp_schema_validate_value (XenQmpSchema  *schema,
                               const char    *type,
                               JsonNode      *value,
                               const char    *what,
                               GError       **error)
{
  g_autoptr(GString) path = g_string_new (NULL);
  Validation v = { schema, what, FALSE, FALSE, path, error };

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), FALSE);
  g_return_val_if_fail (type != NULL && value != NULL && what != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_node (&v, type, value);
}
