/* arguments.c: a command's arguments, checked as QEMU's QAPI visitor does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "arguments.h"

#include <string.h>

#include "qmp-message.h"

void
fake_args_init (FakeArgs *args, JsonObject *arguments)
{
  memset (args, 0, sizeof *args);
  args->arguments = arguments;
}

void
fake_args_init_nested (FakeArgs *nested, FakeArgs *parent, const char *name, JsonObject *object)
{
  fake_args_init (nested, object);
  nested->prefix = parent->prefix != NULL ? g_strdup_printf ("%s.%s", parent->prefix, name)
                                          : g_strdup (name);
}

void
fake_args_clear (FakeArgs *args)
{
  g_clear_pointer (&args->prefix, g_free);
}

/* NAME as QEMU's errors spell it: with the path of its object. */
static char *
full_name (FakeArgs *args, const char *name)
{
  return args->prefix != NULL ? g_strdup_printf ("%s.%s", args->prefix, name) : g_strdup (name);
}

static void
type_error (FakeArgs *args, const char *name, const char *expected, GError **error)
{
  g_autofree char *full = full_name (args, name);

  g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
               "Invalid parameter type for '%s', expected: %s", full, expected);
}

/* The member NAME, or NULL; FALSE (with QEMU's error) if a mandatory one
 * is missing. */
static gboolean
lookup (FakeArgs    *args,
        const char  *name,
        gboolean     optional,
        gboolean    *present,
        JsonNode   **member,
        GError     **error)
{
  g_return_val_if_fail (args->n_visited < FAKE_ARGS_MAX, FALSE);
  args->visited[args->n_visited++] = name;

  *member = args->arguments != NULL
            ? json_object_get_member (args->arguments, name) : NULL;
  if (present != NULL)
    *present = *member != NULL;
  if (*member == NULL && !optional)
    {
      g_autofree char *full = full_name (args, name);

      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Parameter '%s' is missing", full);
      return FALSE;
    }
  return TRUE;
}

/* The member NAME if it has TYPE (QEMU's TYPE_NAME in errors). */
static gboolean
lookup_typed (FakeArgs    *args,
              const char  *name,
              gboolean     optional,
              gboolean    *present,
              GType        type,
              const char  *type_name,
              JsonNode   **member,
              GError     **error)
{
  if (!lookup (args, name, optional, present, member, error))
    return FALSE;
  /* json_node_get_value_type() also tells a JSON null (G_TYPE_INVALID)
   * and, for integers, a double from json-glib's too-big int64. */
  if (*member != NULL && json_node_get_value_type (*member) != type)
    {
      type_error (args, name, type_name, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
fake_args_get_int (FakeArgs    *args,
                   const char  *name,
                   gboolean     optional,
                   gboolean    *present,
                   gint64      *value,
                   GError     **error)
{
  JsonNode *member;

  /* QEMU wants an integer that fits in int64: not 1.0, not 2^63. The
   * parser turned the latter into a double already. */
  if (!lookup_typed (args, name, optional, present, G_TYPE_INT64, "integer", &member, error))
    return FALSE;
  if (member != NULL)
    *value = json_node_get_int (member);
  return TRUE;
}

gboolean
fake_args_get_bool (FakeArgs    *args,
                    const char  *name,
                    gboolean     optional,
                    gboolean    *present,
                    gboolean    *value,
                    GError     **error)
{
  JsonNode *member;

  if (!lookup_typed (args, name, optional, present, G_TYPE_BOOLEAN, "boolean", &member, error))
    return FALSE;
  if (member != NULL)
    *value = json_node_get_boolean (member);
  return TRUE;
}

gboolean
fake_args_get_string (FakeArgs    *args,
                      const char  *name,
                      gboolean     optional,
                      gboolean    *present,
                      const char **value,
                      GError     **error)
{
  JsonNode *member;

  if (!lookup_typed (args, name, optional, present, G_TYPE_STRING, "string", &member, error))
    return FALSE;
  if (member != NULL)
    *value = json_node_get_string (member);
  return TRUE;
}

gboolean
fake_args_get_enum_list (FakeArgs           *args,
                         const char         *name,
                         gboolean            optional,
                         gboolean           *present,
                         const char * const *allowed,
                         GPtrArray         **value,
                         GError            **error)
{
  g_autoptr(GPtrArray) strings = NULL;
  JsonNode *member;
  JsonArray *array;

  if (!lookup (args, name, optional, present, &member, error))
    return FALSE;
  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (member))
    {
      type_error (args, name, "array", error);
      return FALSE;
    }
  array = json_node_get_array (member);
  strings = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *string;

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_autofree char *element_name = g_strdup_printf ("%s[%u]", name, i);
          type_error (args, element_name, "string", error);
          return FALSE;
        }
      string = json_node_get_string (element);
      if (!g_strv_contains (allowed, string))
        {
          g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "Parameter 'null' does not accept value '%s'", string);
          return FALSE;
        }
      g_ptr_array_add (strings, (gpointer) string);
    }
  *value = g_steal_pointer (&strings);
  return TRUE;
}

gboolean
fake_args_get_object (FakeArgs    *args,
                      const char  *name,
                      gboolean     optional,
                      gboolean    *present,
                      JsonObject **value,
                      GError     **error)
{
  JsonNode *member;

  if (!lookup (args, name, optional, present, &member, error))
    return FALSE;
  if (member != NULL && !JSON_NODE_HOLDS_OBJECT (member))
    {
      type_error (args, name, "object", error);
      return FALSE;
    }
  if (member != NULL)
    *value = json_node_get_object (member);
  return TRUE;
}

gboolean
fake_args_get_enum (FakeArgs           *args,
                    const char         *name,
                    gboolean            optional,
                    gboolean           *present,
                    const char * const *allowed,
                    const char        **value,
                    GError            **error)
{
  const char *string = NULL;
  gboolean here = FALSE;

  if (!fake_args_get_string (args, name, optional, &here, &string, error))
    return FALSE;
  if (present != NULL)
    *present = here;
  if (here && !g_strv_contains (allowed, string))
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Parameter '%s' does not accept value '%s'", name, string);
      return FALSE;
    }
  if (here)
    *value = string;
  return TRUE;
}

gboolean
fake_args_check_unexpected (FakeArgs *args, GError **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (args->arguments == NULL)
    return TRUE;
  json_object_iter_init_ordered (&iter, args->arguments);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      gboolean visited = FALSE;

      for (guint i = 0; i < args->n_visited && !visited; i++)
        visited = strcmp (args->visited[i], name) == 0;
      if (!visited)
        {
          g_autofree char *full = full_name (args, name);

          g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "Parameter '%s' is unexpected", full);
          return FALSE;
        }
    }
  return TRUE;
}
