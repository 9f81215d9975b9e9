/* arguments.c: a command's arguments from the command line or a shell line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "arguments.h"
#include "completion.h"
#include "plugin/qmp-json-parse.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* One JSON value, or NULL: json_from_string() takes the last of
 * '{"a": 1} {"b": 2}' without a word. */
static JsonNode *
json_value_from_string (const char *text, GError **error)
{
  return qmp_json_parse (text, strlen (text), NULL, error);
}

static JsonObject *
parse_json_object (const char *text, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = json_value_from_string (text, &local_error);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "the arguments are not a JSON object: %s",
                   local_error != NULL ? local_error->message
                                       : "another JSON value");
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

/* "1" is a number, "true" a boolean, '"x"' a string, 'x' and '/dev/null'
 * are not JSON and stay strings: what a user means in almost every case,
 * and quoting ("1" as '"1"') reaches the rest. */
static JsonNode *
parse_value (const char *text)
{
  JsonNode *node = json_value_from_string (text, NULL);

  if (node == NULL)
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, text);
    }
  return node;
}

/* Stores VALUE at the dotted KEY of ROOT, creating the objects on the way. */
static gboolean
set_dotted (JsonObject  *root,
            const char  *key,
            JsonNode    *value,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (key, ".", -1);
  JsonObject *object = root;
  guint n = g_strv_length (parts);

  for (guint i = 0; i < n; i++)
    if (parts[i][0] == '\0')
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "bad argument name '%s'", key);
        return FALSE;
      }

  for (guint i = 0; i + 1 < n; i++)
    {
      JsonNode *member = json_object_get_member (object, parts[i]);

      if (member == NULL)
        {
          JsonObject *child = json_object_new ();

          json_object_set_object_member (object, parts[i], child);
          object = child;
        }
      else if (JSON_NODE_HOLDS_OBJECT (member))
        object = json_node_get_object (member);
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "argument '%s' conflicts with an earlier value of '%s'",
                       key, parts[i]);
          return FALSE;
        }
    }

  if (json_object_has_member (object, parts[n - 1]))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "argument '%s' is given twice", key);
      return FALSE;
    }
  json_object_set_member (object, parts[n - 1], json_node_ref (value));
  return TRUE;
}

JsonObject *
tool_arguments_parse (const char * const *words,
                      gsize               n_words,
                      GError            **error)
{
  g_autoptr(JsonObject) arguments = NULL;

  if (n_words == 0)
    return NULL;

  if (words[0][strspn (words[0], " \t\n")] == '{')
    {
      if (n_words > 1)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "a JSON object must be the only argument (quote it "
                       "as one word), found '%s' after it", words[1]);
          return NULL;
        }
      return parse_json_object (words[0], error);
    }

  arguments = json_object_new ();
  for (gsize i = 0; i < n_words; i++)
    {
      const char *equals = strchr (words[i], '=');
      g_autofree char *key = NULL;
      g_autoptr(JsonNode) value = NULL;

      if (equals == NULL || equals == words[i])
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "expected key=value or a JSON object, found '%s'",
                       words[i]);
          return NULL;
        }
      key = g_strndup (words[i], equals - words[i]);
      value = parse_value (equals + 1);
      if (!set_dotted (arguments, key, value, error))
        return NULL;
    }
  return g_steal_pointer (&arguments);
}

/* The JSON type a value of schema TYPE has: "string", "int", "number",
 * "boolean", "null", "object", "array", "value" (any); NULL if unknown. */
static const char *
schema_json_type (XenQmpSchema *schema, const char *type)
{
  switch (xen_qmp_schema_get_meta_type (schema, type))
    {
    case XEN_QMP_SCHEMA_META_TYPE_BUILTIN:
      return xen_qmp_schema_get_json_type (schema, type);
    case XEN_QMP_SCHEMA_META_TYPE_ENUM:
      return "string";
    case XEN_QMP_SCHEMA_META_TYPE_OBJECT:
      return "object";
    case XEN_QMP_SCHEMA_META_TYPE_ARRAY:
      return "array";
    default:
      return NULL;
    }
}

static gboolean
json_type_takes (const char *json_type, JsonNode *value)
{
  GType t = json_node_get_value_type (value);

  if (json_type == NULL)
    return FALSE;
  if (strcmp (json_type, "value") == 0)
    return TRUE;
  if (JSON_NODE_HOLDS_NULL (value))
    return strcmp (json_type, "null") == 0;
  if (t == G_TYPE_BOOLEAN)
    return strcmp (json_type, "boolean") == 0;
  if (t == G_TYPE_INT64)
    return strcmp (json_type, "int") == 0 || strcmp (json_type, "number") == 0;
  if (t == G_TYPE_DOUBLE)
    return strcmp (json_type, "number") == 0;
  return FALSE;
}

/* Whether a member of schema TYPE must be a string where VALUE (a
 * number, boolean or null) is not: then the user meant its text. */
static gboolean
wants_string_not (XenQmpSchema *schema, const char *type, JsonNode *value)
{
  gboolean string_branch = FALSE;
  guint n;

  if (xen_qmp_schema_get_meta_type (schema, type) != XEN_QMP_SCHEMA_META_TYPE_ALTERNATE)
    return g_strcmp0 (schema_json_type (schema, type), "string") == 0;
  n = xen_qmp_schema_get_n_members (schema, type);
  for (guint i = 0; i < n; i++)
    {
      const char *branch = NULL, *json_type;

      xen_qmp_schema_get_member (schema, type, i, NULL, &branch, NULL);
      json_type = branch != NULL ? schema_json_type (schema, branch) : NULL;
      if (json_type_takes (json_type, value))
        return FALSE;
      string_branch |= g_strcmp0 (json_type, "string") == 0;
    }
  return string_branch;
}

/* The schema type of member NAME of OBJECT, an object of schema TYPE
 * whose tag's value (if any) chooses the variant, or NULL. */
static const char *
member_type (XenQmpSchema *schema, const char *type, JsonObject *object, const char *name)
{
  const char *tag = xen_qmp_schema_get_tag (schema, type);
  JsonNode *tag_value = tag != NULL ? json_object_get_member (object, tag) : NULL;
  const char *variant = NULL;

  if (tag_value != NULL && json_node_get_value_type (tag_value) == G_TYPE_STRING)
    variant = xen_qmp_schema_get_variant_type (schema, type, json_node_get_string (tag_value));
  return tool_schema_member_type (schema, type, variant, name);
}

/* The one key=value word KEY, TEXT: see tool_arguments_strings_from_schema(). */
static gboolean
string_from_schema (JsonObject *arguments, const char *key, const char *text,
                    XenQmpSchema *schema, const char *arg_type)
{
  g_auto(GStrv) parts = g_strsplit (key, ".", -1);
  guint n = g_strv_length (parts);
  JsonObject *object = arguments;
  const char *type = arg_type;
  JsonNode *value;

  for (guint i = 0; i + 1 < n && type != NULL; i++)
    {
      JsonNode *member = json_object_get_member (object, parts[i]);

      if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        return FALSE;
      type = tool_schema_as_object (schema, member_type (schema, type, object, parts[i]));
      object = json_node_get_object (member);
    }
  type = type != NULL ? member_type (schema, type, object, parts[n - 1]) : NULL;
  value = json_object_get_member (object, parts[n - 1]);
  if (type == NULL || value == NULL
      || !(JSON_NODE_HOLDS_VALUE (value) || JSON_NODE_HOLDS_NULL (value))
      || json_node_get_value_type (value) == G_TYPE_STRING
      || !wants_string_not (schema, type, value))
    return FALSE;
  json_object_set_string_member (object, parts[n - 1], text);
  return TRUE;
}

gboolean
tool_arguments_strings_from_schema (JsonObject         *arguments,
                                    const char * const *words,
                                    gsize               n_words,
                                    XenQmpSchema       *schema,
                                    const char         *command)
{
  const char *arg_type = xen_qmp_schema_get_arg_type (schema, command);
  gboolean changed = FALSE;

  if (arguments == NULL || arg_type == NULL || n_words == 0
      || words[0][strspn (words[0], " \t\n")] == '{')
    return FALSE;
  for (gsize i = 0; i < n_words; i++)
    {
      const char *equals = strchr (words[i], '=');
      g_autofree char *key = NULL;

      if (equals == NULL || equals == words[i])
        continue;
      key = g_strndup (words[i], equals - words[i]);
      changed |= string_from_schema (arguments, key, equals + 1, schema, arg_type);
    }
  return changed;
}

gboolean
tool_arguments_parse_line (const char    *line,
                           XenQmpSchema  *schema,
                           char         **command,
                           JsonObject   **arguments,
                           GError       **error)
{
  const char *start = line + strspn (line, " \t\r\n");
  const char *end = start + strcspn (start, " \t\r\n");
  const char *rest = end + strspn (end, " \t\r\n");
  g_auto(GStrv) words = NULL;
  int n_words = 0;

  *command = NULL;
  *arguments = NULL;
  if (start == end)
    return TRUE;

  /* A JSON object is not split into words: a shell's quote removal
   * would eat its double quotes. */
  if (*rest == '{')
    {
      *arguments = parse_json_object (rest, error);
      if (*arguments == NULL)
        return FALSE;
    }
  else if (*rest != '\0')
    {
      g_autoptr(GError) local_error = NULL;

      if (!g_shell_parse_argv (rest, &n_words, &words, &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "cannot split the arguments: %s", local_error->message);
          return FALSE;
        }
      *arguments = tool_arguments_parse ((const char * const *) words,
                                         n_words, error);
      if (*arguments == NULL)
        return FALSE;
    }
  *command = g_strndup (start, end - start);
  if (schema != NULL && words != NULL)
    tool_arguments_strings_from_schema (*arguments, (const char * const *) words, n_words,
                                        schema, *command);
  return TRUE;
}

/* At most LIMIT bytes of FD, plus one to tell that there were more. */
static GByteArray *
read_bounded (int fd, gsize limit, GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 chunk[8192];

  while (data->len <= limit)
    {
      gssize n = read (fd, chunk, MIN (sizeof chunk, limit + 1 - data->len));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "%s", g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      g_byte_array_append (data, chunk, n);
    }
  return g_steal_pointer (&data);
}

/* "at byte N" of the parser's "..., at byte N" message, or NULL. */
static char *
parse_error_position (const char *message)
{
  const char *at = g_strrstr (message, ", at byte ");

  return at != NULL ? g_strdup (at + strlen (", ")) : NULL;
}

JsonObject *
tool_arguments_read_file (const char *path, GError **error)
{
  gboolean is_stdin = strcmp (path, "-") == 0;
  const char *name = is_stdin ? "standard input" : path;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GByteArray) data = NULL;
  JsonObject *arguments;
  int fd = is_stdin ? STDIN_FILENO : g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "cannot open %s: %s", path, g_strerror (saved));
      return NULL;
    }
  data = read_bounded (fd, TOOL_ARGUMENTS_FILE_MAX, &local_error);
  if (!is_stdin)
    close (fd);
  if (data == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "cannot read %s: %s", name, local_error->message);
      return NULL;
    }
  /* A file that never ends (a device, a pipe that keeps writing) must not
   * fill the memory of a tool run as root. */
  if (data->len > TOOL_ARGUMENTS_FILE_MAX)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s is larger than %u bytes", name, TOOL_ARGUMENTS_FILE_MAX);
      return NULL;
    }
  g_byte_array_append (data, (const guint8 *) "", 1);
  if (strlen ((const char *) data->data) != data->len - 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: the arguments are not a JSON object: a NUL byte", name);
      return NULL;
    }
  arguments = parse_json_object ((const char *) data->data, &local_error);
  if (arguments == NULL)
    {
      /* The parser's words may quote the text ("'h' where ',' should
       * be"): say only where. */
      g_autofree char *where = parse_error_position (local_error->message);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: the arguments are not one JSON object%s%s%s", name,
                   where != NULL ? " (" : "", where != NULL ? where : "",
                   where != NULL ? ")" : "");
    }
  return arguments;
}
