/* completion.c: what xen-qmp --shell offers on Tab, from QEMU's schema
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure functions of the line and the schema, so that they are tested
 * without a terminal (tests/test-completion.c).
 */
#include "config.h"

#include "completion.h"

#include <string.h>
#include "escape.h"

/* The words of LINE before byte START, split on blanks. */
static GStrv
words_before (const char *line, gsize start)
{
  g_autofree char *head = g_strndup (line, start);
  g_auto(GStrv) parts = g_strsplit_set (head, " \t", -1);
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (words, parts[i]);
  return g_strv_builder_end (words);
}

const char *
tool_schema_member_type (XenQmpSchema *schema, const char *type, const char *variant,
                         const char *name)
{
  const char *types[] = { type, variant };

  for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
    {
      guint n = types[t] != NULL ? xen_qmp_schema_get_n_members (schema, types[t]) : 0;

      for (guint i = 0; i < n; i++)
        {
          const char *m = NULL, *mt = NULL;

          xen_qmp_schema_get_member (schema, types[t], i, &m, &mt, NULL);
          if (g_strcmp0 (m, name) == 0)
            return mt;
        }
    }
  return NULL;
}

/* The value given on the line for KEY ("key=value"), or NULL. */
static const char *
value_on_line (const char * const *words, const char *key)
{
  gsize len = strlen (key);

  for (guint i = 0; words[i] != NULL; i++)
    if (strncmp (words[i], key, len) == 0 && words[i][len] == '=')
      return words[i] + len + 1;
  return NULL;
}

/* The variant of object TYPE that the tag given on the line chooses (the
 * tag's key is PREFIX followed by its name: "file.driver"), or NULL. */
static const char *
chosen_variant (XenQmpSchema *schema, const char * const *words, const char *type,
                const char *prefix)
{
  const char *tag = xen_qmp_schema_get_tag (schema, type);
  g_autofree char *key = NULL;
  const char *tag_value;

  if (tag == NULL)
    return NULL;
  key = g_strconcat (prefix, tag, NULL);
  tag_value = value_on_line (words, key);
  return tag_value != NULL ? xen_qmp_schema_get_variant_type (schema, type, tag_value) : NULL;
}

const char *
tool_schema_as_object (XenQmpSchema *schema, const char *type)
{
  switch (type != NULL ? xen_qmp_schema_get_meta_type (schema, type)
                       : XEN_QMP_SCHEMA_META_TYPE_NONE)
    {
    case XEN_QMP_SCHEMA_META_TYPE_OBJECT:
      return type;
    case XEN_QMP_SCHEMA_META_TYPE_ALTERNATE:
      for (guint i = 0; i < xen_qmp_schema_get_n_members (schema, type); i++)
        {
          const char *branch = NULL;

          xen_qmp_schema_get_member (schema, type, i, NULL, &branch, NULL);
          if (branch != NULL
              && xen_qmp_schema_get_meta_type (schema, branch) == XEN_QMP_SCHEMA_META_TYPE_OBJECT)
            return branch;
        }
      return NULL;
    default:
      return NULL;
    }
}

/* A name that would need escaping is not offered: libedit lists
 * candidates on the terminal as they are, and an escaped one would be
 * another name once inserted. */
static void
add_matching (GPtrArray *out, const char *candidate, const char *text)
{
  if (g_str_has_prefix (candidate, text) && tool_escape_is_plain (candidate))
    g_ptr_array_add (out, g_strdup (candidate));
}

static void
complete_value (XenQmpSchema *schema, const char *type, const char *key,
                const char *text, GPtrArray *out)
{
  if (type == NULL)
    return;
  if (xen_qmp_schema_get_meta_type (schema, type) == XEN_QMP_SCHEMA_META_TYPE_ENUM)
    {
      g_auto(GStrv) values = xen_qmp_schema_get_enum_values (schema, type);

      for (guint i = 0; values[i] != NULL; i++)
        {
          g_autofree char *word = g_strdup_printf ("%s=%s", key, values[i]);

          add_matching (out, word, text);
        }
    }
  else if (g_strcmp0 (xen_qmp_schema_get_json_type (schema, type), "boolean") == 0)
    {
      g_autofree char *yes = g_strdup_printf ("%s=true", key);
      g_autofree char *no = g_strdup_printf ("%s=false", key);

      add_matching (out, no, text);
      add_matching (out, yes, text);
    }
}

static void
complete_names (XenQmpSchema *schema, const char * const *words, const char *type,
                const char *variant, const char *prefix, const char *text, GPtrArray *out)
{
  const char *types[] = { type, variant };

  for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
    {
      guint n = types[t] != NULL ? xen_qmp_schema_get_n_members (schema, types[t]) : 0;

      for (guint i = 0; i < n; i++)
        {
          const char *m = NULL;
          g_autofree char *key = NULL;
          g_autofree char *word = NULL;

          xen_qmp_schema_get_member (schema, types[t], i, &m, NULL, NULL);
          if (m == NULL)
            continue;
          key = g_strconcat (prefix, m, NULL);
          if (value_on_line (words, key) != NULL)
            continue;
          word = g_strconcat (key, "=", NULL);
          add_matching (out, word, text);
        }
    }
}

static int
compare_words (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
tool_completion_candidates (XenQmpSchema       *schema,
                            const char * const *commands,
                            const char         *line,
                            gsize               start,
                            const char         *text)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = words_before (line, start);
  const char * const *args;
  const char *command, *type, *variant = NULL, *eq;
  g_autofree char *prefix = NULL;

  if (words[0] == NULL)
    {
      for (guint i = 0; commands != NULL && commands[i] != NULL; i++)
        add_matching (out, commands[i], text);
      goto done;
    }
  command = words[0];
  args = (const char * const *) words + 1;
  if (strcmp (command, "execute") == 0)
    {
      if (words[1] == NULL)
        {
          for (guint i = 0; commands != NULL && commands[i] != NULL; i++)
            add_matching (out, commands[i], text);
          goto done;
        }
      command = words[1];
      args++;
    }
  if (schema == NULL || (type = xen_qmp_schema_get_arg_type (schema, command)) == NULL)
    goto done;

  /* Walk the dotted key down to the object that holds its last part. */
  eq = strchr (text, '=');
  {
    g_autofree char *key = eq != NULL ? g_strndup (text, eq - text) : g_strdup (text);
    g_auto(GStrv) parts = g_strsplit (key, ".", -1);
    guint n = g_strv_length (parts);
    GString *walked = g_string_new (NULL);

    variant = chosen_variant (schema, args, type, "");
    for (guint i = 0; i + 1 < n && type != NULL; i++)
      {
        type = tool_schema_as_object (schema, tool_schema_member_type (schema, type, variant, parts[i]));
        g_string_append_printf (walked, "%s.", parts[i]);
        if (type != NULL)
          variant = chosen_variant (schema, args, type, walked->str);
      }
    prefix = g_string_free (walked, FALSE);
    if (type == NULL)
      goto done;
    if (eq != NULL)
      complete_value (schema, tool_schema_member_type (schema, type, variant, parts[n - 1]), key, text, out);
    else
      complete_names (schema, args, type, variant, prefix, text, out);
  }

done:
  g_ptr_array_sort (out, compare_words);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
