/* xen-qmp-schema.c: the QAPI schema a QEMU describes itself with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-schema.h"
#include "xen-qmp-schema-private.h"
#include "xen-qmp-enum-types.h"
#include "qmp-hash.h"
#include "qmp-json-parse.h"
#include "qmp-schema-limits.h"

#include <string.h>

/**
 * XenQmpSchema:
 *
 * The QAPI schema of one QEMU, built from its `query-qmp-schema` reply:
 * every command, event and type by name, as QEMU 7.2 describes them (about
 * 1,000 entities in 190 KB, most types named by numbers such as `"187"`,
 * which the accessors follow like any other name).
 *
 * Entities are looked up by name with xen_qmp_schema_get_meta_type() and
 * walked with the accessors: a command's xen_qmp_schema_get_arg_type()
 * and xen_qmp_schema_get_ret_type(), an object's members
 * (xen_qmp_schema_get_member(), optional or not) and its variants chosen by
 * a tag member, an array's element type, an alternate's alternatives, an
 * enum's values, a builtin's JSON type.
 *
 * xen_qmp_schema_validate_command() checks a command's name and arguments
 * before they reach QEMU, with messages that name the command, the
 * argument and what was expected, and the closest valid name when a name
 * is unknown. A #XenQmpClient does it for every execute when its
 * #XenQmpClient:validate property is set.
 *
 * A schema is immutable once built, so it may be shared between threads.
 *
 * Since: 0.1
 */

struct _XenQmpSchema {
  GObject     parent_instance;

  JsonNode   *root;           /* the array, as QEMU sent it */
  GHashTable *by_name;        /* name (borrowed) -> JsonObject (borrowed) */
  gsize       cost;           /* bytes in memory, estimated */
};

G_DEFINE_FINAL_TYPE (XenQmpSchema, xen_qmp_schema, G_TYPE_OBJECT)

static void
xen_qmp_schema_finalize (GObject *object)
{
  XenQmpSchema *schema = XEN_QMP_SCHEMA (object);

  g_clear_pointer (&schema->by_name, g_hash_table_unref);
  g_clear_pointer (&schema->root, json_node_unref);
  G_OBJECT_CLASS (xen_qmp_schema_parent_class)->finalize (object);
}

static void
xen_qmp_schema_class_init (XenQmpSchemaClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xen_qmp_schema_finalize;
}

static void
xen_qmp_schema_init (XenQmpSchema *schema)
{
  /* Keyed by QEMU's names: a hash it cannot make collide. */
  schema->by_name = g_hash_table_new (qmp_str_hash, g_str_equal);
}

static const struct {
  const char           *name;
  XenQmpSchemaMetaType  meta_type;
} meta_types[] = {
  { "builtin", XEN_QMP_SCHEMA_META_TYPE_BUILTIN },
  { "enum", XEN_QMP_SCHEMA_META_TYPE_ENUM },
  { "array", XEN_QMP_SCHEMA_META_TYPE_ARRAY },
  { "object", XEN_QMP_SCHEMA_META_TYPE_OBJECT },
  { "alternate", XEN_QMP_SCHEMA_META_TYPE_ALTERNATE },
  { "command", XEN_QMP_SCHEMA_META_TYPE_COMMAND },
  { "event", XEN_QMP_SCHEMA_META_TYPE_EVENT },
};

static XenQmpSchemaMetaType
meta_type_of (JsonObject *entity)
{
  JsonNode *node = json_object_get_member (entity, "meta-type");
  const char *name;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return XEN_QMP_SCHEMA_META_TYPE_NONE;
  name = json_node_get_string (node);
  for (gsize i = 0; i < G_N_ELEMENTS (meta_types); i++)
    if (strcmp (meta_types[i].name, name) == 0)
      return meta_types[i].meta_type;
  return XEN_QMP_SCHEMA_META_TYPE_NONE;
}

/* A string member, or NULL when it is absent or not a string. */
const char *
_xen_qmp_schema_string_member (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* An array member, or NULL when it is absent or not an array. */
JsonArray *
_xen_qmp_schema_array_member (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

/* The index trusts nothing about the reply's shape beyond what it keeps:
 * an entity is an object with a string name and a known meta-type. */
static gboolean
schema_index (XenQmpSchema *schema, GError **error)
{
  JsonArray *entities;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (schema->root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "a QAPI schema is a JSON array of entities, not %s",
                   json_node_type_name (schema->root));
      return FALSE;
    }
  entities = json_node_get_array (schema->root);
  n = json_array_get_length (entities);
  if (n > QMP_SCHEMA_MAX_ENTITIES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "the QAPI schema has %u entities, more than the %u allowed "
                   "(QEMU 9 has a few thousand)", n, QMP_SCHEMA_MAX_ENTITIES);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (entities, i);
      JsonObject *entity;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "entity %u of the QAPI schema is not an object", i);
          return FALSE;
        }
      entity = json_node_get_object (node);
      name = _xen_qmp_schema_string_member (entity, "name");
      if (name == NULL || meta_type_of (entity) == XEN_QMP_SCHEMA_META_TYPE_NONE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "entity %u of the QAPI schema has no name or no known meta-type", i);
          return FALSE;
        }
      g_hash_table_insert (schema->by_name, (gpointer) name, entity);
    }
  if (g_hash_table_size (schema->by_name) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the QAPI schema is empty");
      return FALSE;
    }
  return TRUE;
}

/* Counts the tree's values and string bytes, without recursion (a schema
 * given to xen_qmp_schema_new() may nest as deep as its caller likes),
 * stopping at the bound: the estimate is what the host's cache charges
 * for keeping the schema. */
static gboolean
schema_measure (XenQmpSchema *schema, GError **error)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  gsize values = 0, string_bytes = 0;

  g_ptr_array_add (stack, schema->root);
  while (stack->len > 0)
    {
      JsonNode *node = g_ptr_array_steal_index_fast (stack, stack->len - 1);

      if (++values > QMP_SCHEMA_MAX_VALUES)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "the QAPI schema has more than %u JSON values "
                       "(QEMU 7.2's has 15,741)", QMP_SCHEMA_MAX_VALUES);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            g_ptr_array_add (stack, json_array_get_element (array, i));
        }
      else if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObjectIter iter;
          const char *name;
          JsonNode *member;

          json_object_iter_init (&iter, json_node_get_object (node));
          while (json_object_iter_next (&iter, &name, &member))
            {
              string_bytes += strlen (name) + 1;
              g_ptr_array_add (stack, member);
            }
        }
      else if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *p = json_node_get_string (node);

          /* QAPI names are letters, digits, '-', '_' and '.': a control
           * character is not QEMU's, and a newline in a name would let
           * it forge lines of what describe prints. */
          for (; *p != '\0'; p++, string_bytes++)
            if ((guchar) *p < 0x20 || *p == 0x7f)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "the QAPI schema holds a control character (0x%02x) "
                             "in a string: QAPI names never do", (guchar) *p);
                return FALSE;
              }
          string_bytes++;
        }
    }
  schema->cost = values * QMP_SCHEMA_BYTES_PER_VALUE + string_bytes;
  return TRUE;
}

/**
 * xen_qmp_schema_new:
 * @schema: the `return` value of `query-qmp-schema` (a JSON array), or the
 *   whole reply (an object with a `return` member)
 * @error: return location for a #GError
 *
 * Builds the index of a schema. The node is referenced, not copied: it
 * must not be changed afterwards.
 *
 * A schema comes from QEMU, which may be hostile, so it is bounded: at
 * most 65,536 entities (QEMU 9 has a few thousand) and 524,288 JSON values
 * in all (QEMU 7.2's has 15,741). A larger one is refused with
 * %G_IO_ERROR_MESSAGE_TOO_LARGE and a message saying which bound it
 * passed (since 0.2).
 *
 * Returns: (transfer full): the schema, or %NULL with @error set
 *   (%G_IO_ERROR_INVALID_DATA) when @schema is not a QAPI schema, or
 *   (%G_IO_ERROR_MESSAGE_TOO_LARGE) when it is larger than the bounds
 *
 * Since: 0.1
 */
XenQmpSchema *
xen_qmp_schema_new (JsonNode *schema, GError **error)
{
  g_autoptr(XenQmpSchema) self = NULL;

  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (JSON_NODE_HOLDS_OBJECT (schema)
      && json_object_has_member (json_node_get_object (schema), "return"))
    schema = json_object_get_member (json_node_get_object (schema), "return");
  self = g_object_new (XEN_QMP_TYPE_SCHEMA, NULL);
  self->root = json_node_ref (schema);
  if (!schema_measure (self, error) || !schema_index (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * xen_qmp_schema_new_from_data:
 * @data: JSON text: what xen_qmp_schema_new() takes
 * @length: the length of @data, or -1 when it is nul-terminated
 * @error: return location for a #GError
 *
 * Parses and indexes a schema saved as JSON text, such as
 * `fake-qemu/scripts/qemu-7.2-schema.json`. Text of more than 8 MiB
 * (QEMU 9's schema is about 420 KB) is refused with
 * %G_IO_ERROR_MESSAGE_TOO_LARGE (since 0.2), and the bounds of
 * xen_qmp_schema_new() apply.
 *
 * Returns: (transfer full): the schema, or %NULL with @error set
 *
 * Since: 0.1
 */
XenQmpSchema *
xen_qmp_schema_new_from_data (const char *data, gssize length, GError **error)
{
  static const QmpJsonScanLimits text_limits = {
    QMP_JSON_TEXT_MAX_DEPTH, QMP_SCHEMA_TEXT_MAX_ELEMENTS
  };
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if ((gsize) length > QMP_SCHEMA_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "a QAPI schema: %" G_GSSIZE_FORMAT " bytes, more than the %u allowed "
                   "(QEMU 9's is about 420 KB)", length, QMP_SCHEMA_MAX_BYTES);
      return NULL;
    }
  root = qmp_json_parse (data, length, &text_limits, error);
  if (root == NULL)
    {
      g_prefix_error (error, "a QAPI schema: ");
      return NULL;
    }
  return xen_qmp_schema_new (root, error);
}

/**
 * xen_qmp_schema_get_json:
 * @schema: a schema
 *
 * The schema as it was given, for saving it (the schema cache does).
 *
 * Returns: (transfer none): the schema as QEMU sent it (a JSON array), for
 *   saving it
 *
 * Since: 0.1
 */
JsonNode *
xen_qmp_schema_get_json (XenQmpSchema *schema)
{
  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  return schema->root;
}

gsize
_xen_qmp_schema_get_cost (XenQmpSchema *schema)
{
  return schema->cost;
}

JsonObject *
_xen_qmp_schema_lookup (XenQmpSchema *schema, const char *name)
{
  return name != NULL ? g_hash_table_lookup (schema->by_name, name) : NULL;
}

/* The entity NAME when it is of META_TYPE, else NULL. */
static JsonObject *
lookup_as (XenQmpSchema *schema, const char *name, XenQmpSchemaMetaType meta_type)
{
  JsonObject *entity = _xen_qmp_schema_lookup (schema, name);

  return entity != NULL && meta_type_of (entity) == meta_type ? entity : NULL;
}

/**
 * xen_qmp_schema_get_meta_type:
 * @schema: a schema
 * @name: a command, an event or a type, such as `query-status`, `STOP`,
 *   `str` or `"187"`
 *
 * Looks a name up: a command, an event or a type.
 *
 * Returns: what @name is, or %XEN_QMP_SCHEMA_META_TYPE_NONE when the
 *   schema has no such name
 *
 * Since: 0.1
 */
XenQmpSchemaMetaType
xen_qmp_schema_get_meta_type (XenQmpSchema *schema, const char *name)
{
  JsonObject *entity;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), XEN_QMP_SCHEMA_META_TYPE_NONE);
  g_return_val_if_fail (name != NULL, XEN_QMP_SCHEMA_META_TYPE_NONE);

  entity = _xen_qmp_schema_lookup (schema, name);
  return entity != NULL ? meta_type_of (entity) : XEN_QMP_SCHEMA_META_TYPE_NONE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

XenQmpSchemaMetaType
_xen_qmp_schema_meta_type (XenQmpSchema *schema, const char *name)
{
  JsonObject *entity = _xen_qmp_schema_lookup (schema, name);

  return entity != NULL ? meta_type_of (entity) : XEN_QMP_SCHEMA_META_TYPE_NONE;
}

/**
 * xen_qmp_schema_list:
 * @schema: a schema
 * @meta_type: which entities, such as %XEN_QMP_SCHEMA_META_TYPE_COMMAND
 *
 * Lists the commands (for `xen-qmp --list`), the events, or the types of one kind.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the
 *   entities of @meta_type, sorted
 *
 * Since: 0.1
 */
char **
xen_qmp_schema_list (XenQmpSchema *schema, XenQmpSchemaMetaType meta_type)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer name, entity;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);

  g_hash_table_iter_init (&iter, schema->by_name);
  while (g_hash_table_iter_next (&iter, &name, &entity))
    if (meta_type_of (entity) == meta_type)
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_steal (names, NULL);
}

/**
 * xen_qmp_schema_get_arg_type:
 * @schema: a schema
 * @name: a command or an event
 *
 * The type of a command's `arguments` or of an event's `data`.
 *
 * Returns: (nullable): the type of the command's arguments or the
 *   event's data (an object type), or %NULL when @name is neither
 *
 * Since: 0.1
 */
const char *
xen_qmp_schema_get_arg_type (XenQmpSchema *schema, const char *name)
{
  JsonObject *entity;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  entity = lookup_as (schema, name, XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  if (entity == NULL)
    entity = lookup_as (schema, name, XEN_QMP_SCHEMA_META_TYPE_EVENT);
  return entity != NULL ? _xen_qmp_schema_string_member (entity, "arg-type") : NULL;
}

/**
 * xen_qmp_schema_get_ret_type:
 * @schema: a schema
 * @command: a command
 *
 * The type of a command's `return` value.
 *
 * Returns: (nullable): the type of the command's `return` value, or %NULL
 *   when @command is not a command
 *
 * Since: 0.1
 */
const char *
xen_qmp_schema_get_ret_type (XenQmpSchema *schema, const char *command)
{
  JsonObject *entity;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (command != NULL, NULL);

  entity = lookup_as (schema, command, XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  return entity != NULL ? _xen_qmp_schema_string_member (entity, "ret-type") : NULL;
}

/* An object's members or an alternate's alternatives. */
JsonArray *
_xen_qmp_schema_members (XenQmpSchema *schema, const char *type)
{
  JsonObject *entity = _xen_qmp_schema_lookup (schema, type);
  XenQmpSchemaMetaType meta_type = entity != NULL ? meta_type_of (entity)
                                                  : XEN_QMP_SCHEMA_META_TYPE_NONE;

  if (meta_type != XEN_QMP_SCHEMA_META_TYPE_OBJECT
      && meta_type != XEN_QMP_SCHEMA_META_TYPE_ALTERNATE)
    return NULL;
  return _xen_qmp_schema_array_member (entity, "members");
}

/**
 * xen_qmp_schema_get_n_members:
 * @schema: a schema
 * @type: an object or an alternate type
 *
 * Counts an object's members or an alternate's alternatives, for xen_qmp_schema_get_member().
 *
 * Returns: how many members the object has (without its variants' own),
 *   or how many alternatives the alternate has; 0 for other types
 *
 * Since: 0.1
 */
guint
xen_qmp_schema_get_n_members (XenQmpSchema *schema, const char *type)
{
  JsonArray *members;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), 0);
  g_return_val_if_fail (type != NULL, 0);

  members = _xen_qmp_schema_members (schema, type);
  return members != NULL ? json_array_get_length (members) : 0;
}

/**
 * xen_qmp_schema_get_member:
 * @schema: a schema
 * @type: an object or an alternate type
 * @index: which member, below xen_qmp_schema_get_n_members()
 * @name: (out) (optional) (nullable) (transfer none): the member's name;
 *   %NULL for an alternate's alternative
 * @member_type: (out) (optional) (transfer none): the member's type
 * @optional: (out) (optional): whether the member may be left out
 *
 * Reads one member of an object (its name, type and whether it is optional) or one alternative of an alternate (its type).
 *
 * Returns: %TRUE when @type has a member at @index
 *
 * Since: 0.1
 */
gboolean
xen_qmp_schema_get_member (XenQmpSchema  *schema,
                           const char    *type,
                           guint          index,
                           const char   **name,
                           const char   **member_type,
                           gboolean      *optional)
{
  JsonArray *members;
  JsonNode *node;
  JsonObject *member;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);

  members = _xen_qmp_schema_members (schema, type);
  if (members == NULL || index >= json_array_get_length (members))
    return FALSE;
  node = json_array_get_element (members, index);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  member = json_node_get_object (node);
  if (name != NULL)
    *name = _xen_qmp_schema_string_member (member, "name");
  if (member_type != NULL)
    *member_type = _xen_qmp_schema_string_member (member, "type");
  /* QAPI marks an optional member with "default" (null for now). */
  if (optional != NULL)
    *optional = json_object_has_member (member, "default");
  return TRUE;
}

/**
 * xen_qmp_schema_get_tag:
 * @schema: a schema
 * @type: an object type
 *
 * The tag of a flat union: the member whose value adds the members of a variant.
 *
 * Returns: (nullable): the member whose value chooses the object's
 *   variant members (a flat union's discriminator, such as `driver` for
 *   `blockdev-add`), or %NULL when the object has no variants
 *
 * Since: 0.1
 */
const char *
xen_qmp_schema_get_tag (XenQmpSchema *schema, const char *type)
{
  JsonObject *entity;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (type != NULL, NULL);

  entity = lookup_as (schema, type, XEN_QMP_SCHEMA_META_TYPE_OBJECT);
  return entity != NULL ? _xen_qmp_schema_string_member (entity, "tag") : NULL;
}

/**
 * xen_qmp_schema_get_variant_type:
 * @schema: a schema
 * @type: an object type with a tag
 * @tag_value: a value of the tag member
 *
 * The members a flat union adds for one value of its tag.
 *
 * Returns: (nullable): the object type whose members are added when the
 *   tag has @tag_value, or %NULL when there are none
 *
 * Since: 0.1
 */
const char *
xen_qmp_schema_get_variant_type (XenQmpSchema *schema,
                                 const char   *type,
                                 const char   *tag_value)
{
  JsonObject *entity;
  JsonArray *variants;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (type != NULL && tag_value != NULL, NULL);

  entity = lookup_as (schema, type, XEN_QMP_SCHEMA_META_TYPE_OBJECT);
  variants = entity != NULL ? _xen_qmp_schema_array_member (entity, "variants") : NULL;
  for (guint i = 0; variants != NULL && i < json_array_get_length (variants); i++)
    {
      JsonNode *node = json_array_get_element (variants, i);
      JsonObject *variant;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      variant = json_node_get_object (node);
      if (g_strcmp0 (_xen_qmp_schema_string_member (variant, "case"), tag_value) == 0)
        return _xen_qmp_schema_string_member (variant, "type");
    }
  return NULL;
}

/**
 * xen_qmp_schema_get_element_type:
 * @schema: a schema
 * @type: an array type, such as `"[187]"`
 *
 * The type of an array type's elements.
 *
 * Returns: (nullable): the type of the array's elements, or %NULL when
 *   @type is not an array type
 *
 * Since: 0.1
 */
const char *
xen_qmp_schema_get_element_type (XenQmpSchema *schema, const char *type)
{
  JsonObject *entity;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (type != NULL, NULL);

  entity = lookup_as (schema, type, XEN_QMP_SCHEMA_META_TYPE_ARRAY);
  return entity != NULL ? _xen_qmp_schema_string_member (entity, "element-type") : NULL;
}

/**
 * xen_qmp_schema_get_enum_values:
 * @schema: a schema
 * @type: an enum type
 *
 * The values of an enum type.
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the
 *   enum's values in the schema's order, or %NULL when @type is not an
 *   enum
 *
 * Since: 0.1
 */
char **
xen_qmp_schema_get_enum_values (XenQmpSchema *schema, const char *type)
{
  JsonObject *entity;
  JsonArray *values;
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (type != NULL, NULL);

  entity = lookup_as (schema, type, XEN_QMP_SCHEMA_META_TYPE_ENUM);
  if (entity == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  values = _xen_qmp_schema_array_member (entity, "values");
  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (node));
    }
  return g_strv_builder_end (builder);
}

/**
 * xen_qmp_schema_get_json_type:
 * @schema: a schema
 * @type: a builtin type, such as `str`
 *
 * The JSON type of a builtin type.
 *
 * Returns: (nullable): the builtin's JSON type as QAPI names it (`string`,
 *   `int`, `number`, `boolean`, `null`, `object`, `array` or `value` for
 *   any), or %NULL when @type is not a builtin
 *
 * Since: 0.1
 */
const char *
xen_qmp_schema_get_json_type (XenQmpSchema *schema, const char *type)
{
  JsonObject *entity;

  g_return_val_if_fail (XEN_QMP_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (type != NULL, NULL);

  entity = lookup_as (schema, type, XEN_QMP_SCHEMA_META_TYPE_BUILTIN);
  return entity != NULL ? _xen_qmp_schema_string_member (entity, "json-type") : NULL;
}
