/* recorded-session.c: a session recorded from a real QEMU, as test data
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "recorded-session.h"

#include <string.h>

static void
step_free (RecordedStep *s)
{
  g_free (s->command);
  g_clear_pointer (&s->args, json_object_unref);
  g_clear_pointer (&s->ret, json_node_unref);
  g_free (s->error_class);
  g_free (s->error_desc);
  g_clear_pointer (&s->events, g_ptr_array_unref);
  g_free (s);
}

static RecordedStep *
step_from_expect (JsonObject *o)
{
  RecordedStep *s = g_new0 (RecordedStep, 1);

  s->command = g_strdup (json_object_get_string_member (o, "expect"));
  if (json_object_has_member (o, "args")
      && json_object_get_size (json_object_get_object_member (o, "args")) > 0)
    s->args = json_object_ref (json_object_get_object_member (o, "args"));
  s->n_fds = (guint) json_object_get_int_member_with_default (o, "fds", 0);
  if (json_object_has_member (o, "return"))
    s->ret = json_node_copy (json_object_get_member (o, "return"));
  else
    {
      JsonObject *e = json_object_get_object_member (o, "error");

      s->error_class = g_strdup (json_object_get_string_member (e, "class"));
      s->error_desc = g_strdup (json_object_get_string_member (e, "desc"));
    }
  s->events = g_ptr_array_new_with_free_func (g_free);
  if (json_object_has_member (o, "events"))
    {
      JsonArray *events = json_object_get_array_member (o, "events");

      for (guint j = 0; j < json_array_get_length (events); j++)
        g_ptr_array_add (s->events, g_strdup (json_object_get_string_member (
          json_array_get_object_element (events, j), "event")));
    }
  return s;
}

RecordedSession *
recorded_session_load (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  RecordedSession *session = g_new0 (RecordedSession, 1);
  gboolean negotiated = FALSE;

  session->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  session->replayable = g_string_new (NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *o;
      const char *expect;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      o = json_node_get_object (node);
      expect = json_object_get_string_member_with_default (o, "expect", NULL);
      if (expect != NULL && !negotiated && strcmp (expect, "qmp_capabilities") != 0)
        continue;
      g_string_append_printf (session->replayable, "%s\n", lines[i]);
      if (json_object_has_member (o, "greeting"))
        session->greeting = json_node_copy (json_object_get_member (o, "greeting"));
      if (expect == NULL)
        continue;
      if (strcmp (expect, "qmp_capabilities") == 0)
        negotiated = TRUE;
      else
        g_ptr_array_add (session->steps, step_from_expect (o));
    }
  g_assert_nonnull (session->greeting);
  return session;
}

void
recorded_session_free (RecordedSession *session)
{
  g_clear_pointer (&session->greeting, json_node_unref);
  g_ptr_array_unref (session->steps);
  g_string_free (session->replayable, TRUE);
  g_free (session);
}

char *
recorded_session_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts", name, NULL);
}

GPtrArray *
recorded_session_list (void)
{
  g_autofree char *dir = recorded_session_path (NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".jsonl"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (names->len, >, 0);
  return names;
}

void
recorded_session_mask_fds (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (o);

      for (GList *l = members; l != NULL; l = l->next)
        {
          if (strcmp (l->data, "fd") == 0)
            json_object_set_int_member (o, "fd", 0);
          else
            recorded_session_mask_fds (json_object_get_member (o, l->data));
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (a); i++)
        recorded_session_mask_fds (json_array_get_element (a, i));
    }
}
