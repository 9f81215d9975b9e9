/* schema.c: fake-qemu --schema, the QAPI schema a real QEMU would check
 * commands (and a script's replies) against
 *
 * The library's XenQmpSchema decides (the same validation a client can
 * run before sending); schema-visit.c finds QEMU's own words for the
 * reply. Schema checks are not wire code: the fake still parses and
 * frames everything itself.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "schema.h"

#include <string.h>

#include "qmp-message.h"
#include "schema-visit.h"

#define NEGOTIATION_DESC "Expecting capabilities negotiation with 'qmp_capabilities'"

struct _FakeSchema {
  char         *path;
  XenQmpSchema *schema;
  GHashTable   *oob_commands;  /* names (borrowed from the schema) of the
                                  commands marked "allow-oob" */
};

static void
index_oob_commands (FakeSchema *self)
{
  JsonArray *entities = json_node_get_array (xen_qmp_schema_get_json (self->schema));

  self->oob_commands = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < json_array_get_length (entities); i++)
    {
      JsonObject *entity = json_array_get_object_element (entities, i);
      JsonNode *oob = json_object_get_member (entity, "allow-oob");

      if (oob != NULL && json_node_get_value_type (oob) == G_TYPE_BOOLEAN
          && json_node_get_boolean (oob))
        g_hash_table_add (self->oob_commands,
                          (gpointer) json_object_get_string_member (entity, "name"));
    }
}

FakeSchema *
fake_schema_load (const char *path, GError **error)
{
  g_autoptr(FakeSchema) self = g_new0 (FakeSchema, 1);
  g_autofree char *text = NULL;
  gsize length;

  self->path = g_strdup (path);
  if (!g_file_get_contents (path, &text, &length, error))
    {
      g_prefix_error (error, "--schema: ");
      return NULL;
    }
  self->schema = xen_qmp_schema_new_from_data (text, (gssize) length, error);
  if (self->schema == NULL)
    {
      g_prefix_error (error, "--schema %s: ", path);
      return NULL;
    }
  /* A schema without commands is some other JSON file. */
  if (xen_qmp_schema_get_meta_type (self->schema, "qmp_capabilities")
      != XEN_QMP_SCHEMA_META_TYPE_COMMAND)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "--schema %s: not a QAPI schema of QEMU: it has no command "
                   "\"qmp_capabilities\"", path);
      return NULL;
    }
  index_oob_commands (self);
  return g_steal_pointer (&self);
}

void
fake_schema_free (FakeSchema *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->oob_commands, g_hash_table_unref);
  g_clear_object (&self->schema);
  g_free (self->path);
  g_free (self);
}

const char *
fake_schema_get_path (FakeSchema *self)
{
  return self->path;
}

JsonNode *
fake_schema_get_value (FakeSchema *self)
{
  return xen_qmp_schema_get_json (self->schema);
}

void
fake_schema_refusal_free (FakeSchemaRefusal *refusal)
{
  if (refusal == NULL)
    return;
  g_free (refusal->command);
  g_clear_error (&refusal->reply);
  g_free (refusal->problem);
  g_free (refusal);
}

FakeSchemaRefusal *
fake_schema_refuse (FakeSchema  *self,
                    const char  *command,
                    gboolean     oob,
                    JsonObject  *arguments)
{
  g_autoptr(FakeSchemaRefusal) refusal = NULL;
  g_autoptr(GError) invalid = NULL;
  g_autoptr(JsonObject) empty = NULL;
  gboolean valid;

  if (arguments == NULL)
    arguments = empty = json_object_new ();
  valid = xen_qmp_schema_validate_command (self->schema, command, arguments, &invalid);
  if (valid && (!oob || g_hash_table_contains (self->oob_commands, command)))
    return NULL;

  refusal = g_new0 (FakeSchemaRefusal, 1);
  refusal->command = g_strdup (command);
  refusal->exact = TRUE;
  if (xen_qmp_schema_get_meta_type (self->schema, command) != XEN_QMP_SCHEMA_META_TYPE_COMMAND)
    {
      refusal->problem = g_strdup (invalid->message);
      g_set_error (&refusal->reply, FAKE_QMP_ERROR, FAKE_QMP_ERROR_COMMAND_NOT_FOUND,
                   "The command %s has not been found", command);
    }
  else if (oob && !g_hash_table_contains (self->oob_commands, command))
    {
      refusal->problem = g_strdup_printf ("%s: cannot run out-of-band (exec-oob) in this QEMU",
                                          command);
      g_set_error (&refusal->reply, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "The command %s does not support OOB", command);
    }
  else
    {
      refusal->problem = g_strdup (invalid->message);
      if (fake_schema_visit_arguments (self->schema, command, arguments, &refusal->exact,
                                       &refusal->reply))
        {
          /* The library refuses what QEMU's walk accepts: say what is
           * wrong, in the library's words. */
          refusal->exact = FALSE;
          g_set_error_literal (&refusal->reply, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                               invalid->message);
        }
    }
  return g_steal_pointer (&refusal);
}

gboolean
fake_schema_refusal_matches (const FakeSchemaRefusal *refusal,
                             const char              *class_name,
                             const char              *desc)
{
  const char *expected_class = fake_qmp_error_class_name ((FakeQmpError) refusal->reply->code);

  if (class_name == NULL || desc == NULL)
    return FALSE;
  if (strcmp (class_name, "CommandNotFound") == 0 && strcmp (desc, NEGOTIATION_DESC) == 0)
    return strcmp (refusal->command, "qmp_capabilities") != 0;
  if (strcmp (class_name, expected_class) != 0)
    return FALSE;
  return !refusal->exact || strcmp (desc, refusal->reply->message) == 0;
}

gboolean
fake_schema_check_return (FakeSchema  *self,
                          const char  *command,
                          JsonNode    *value,
                          GError     **error)
{
  const char *ret_type = xen_qmp_schema_get_ret_type (self->schema, command);
  g_autofree char *what = g_strdup_printf ("%s's reply", command);

  if (xen_qmp_schema_get_meta_type (self->schema, command) != XEN_QMP_SCHEMA_META_TYPE_COMMAND)
    return xen_qmp_schema_validate_command (self->schema, command, NULL, error);
  if (ret_type == NULL)
    return TRUE;
  return xen_qmp_schema_validate_value (self->schema, ret_type, value, what, error);
}

/* Edit distance, for suggesting an event's name. */
static guint
distance (const char *a, const char *b)
{
  gsize n = strlen (b);
  g_autofree guint *row = g_new (guint, n + 1);

  for (gsize j = 0; j <= n; j++)
    row[j] = (guint) j;
  for (gsize i = 1; a[i - 1] != '\0'; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= n; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_toupper (a[i - 1]) == g_ascii_toupper (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[n];
}

gboolean
fake_schema_check_event (FakeSchema  *self,
                         const char  *event,
                         JsonObject  *data,
                         GError     **error)
{
  const char *arg_type = xen_qmp_schema_get_arg_type (self->schema, event);
  g_autofree char *what = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) empty = NULL;

  if (xen_qmp_schema_get_meta_type (self->schema, event) != XEN_QMP_SCHEMA_META_TYPE_EVENT)
    {
      g_auto(GStrv) events = xen_qmp_schema_list (self->schema, XEN_QMP_SCHEMA_META_TYPE_EVENT);
      const char *closest = NULL;
      guint best = MAX (strlen (event) / 3, 2) + 1;

      for (guint i = 0; events[i] != NULL; i++)
        {
          guint d = distance (event, events[i]);

          if (d < best)
            {
              best = d;
              closest = events[i];
            }
        }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: no such event in this QEMU%s%s%s", event,
                   closest != NULL ? "; did you mean '" : "", closest != NULL ? closest : "",
                   closest != NULL ? "'?" : "");
      return FALSE;
    }
  /* QEMU leaves "data" out when the event has no members. */
  if (data == NULL)
    data = empty = json_object_new ();
  if (arg_type == NULL)
    {
      if (json_object_get_size (data) == 0)
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "event %s has no data", event);
      return FALSE;
    }
  json_node_set_object (node, data);
  what = g_strdup_printf ("event %s's data", event);
  return xen_qmp_schema_validate_value (self->schema, arg_type, node, what, error);
}
