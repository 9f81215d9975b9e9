/* test-replay.c: sessions recorded from the real QEMU 7.2 replay through
 * the library with the results the live QEMU gave
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For each script in fake-qemu/scripts/, the library runs the recorded
 * commands (1) against fake-qemu replaying the script in strict mode, whose
 * verdict must be "exactly what the script said", and (2) against a live
 * qemu-system-x86_64. Both must give the recorded results.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "test-server.h"

typedef struct {
  char       *command;
  JsonObject *args;      /* nullable */
  guint       n_fds;
  JsonNode   *ret;       /* or */
  char       *error_class;
  char       *error_desc;
  GPtrArray  *events;    /* names sent before the reply */
} Step;

static void
step_free (Step *s)
{
  g_free (s->command);
  g_clear_pointer (&s->args, json_object_unref);
  g_clear_pointer (&s->ret, json_node_unref);
  g_free (s->error_class);
  g_free (s->error_desc);
  g_clear_pointer (&s->events, g_ptr_array_unref);
  g_free (s);
}

/* The recorded commands the library can replay: those after
 * qmp_capabilities (the library sends no command before it). The script
 * for fake-qemu is written to REPLAY without the others. */
static GPtrArray *
load_script (const char *path, const char *replay)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  GPtrArray *steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  gboolean negotiated = FALSE;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *o;
      const char *expect;
      Step *s;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      o = json_node_get_object (node);
      expect = json_object_get_string_member_with_default (o, "expect", NULL);
      if (expect != NULL && !negotiated && strcmp (expect, "qmp_capabilities") != 0)
        continue;
      g_string_append_printf (kept, "%s\n", lines[i]);
      if (expect == NULL)
        continue;
      if (strcmp (expect, "qmp_capabilities") == 0)
        {
          negotiated = TRUE;
          continue;
        }
      s = g_new0 (Step, 1);
      s->command = g_strdup (expect);
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
      g_ptr_array_add (steps, s);
    }
  g_assert_true (g_file_set_contents (replay, kept->str, -1, &error));
  return steps;
}

/* Descriptor numbers are the one thing that differs between two QEMUs. */
static void
mask_fds (JsonNode *node)
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
            mask_fds (json_object_get_member (o, l->data));
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (a); i++)
        mask_fds (json_array_get_element (a, i));
    }
}

static void
on_event (XenQmpClient *client, const char *name, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (name));
}

/* Runs STEPS through a client of SOCKET; each result must be the recorded
 * one. */
static void
run_steps (const char *socket, GPtrArray *steps, const char *what)
{
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (socket);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  guint events_expected = 0;

  /* The recordings were made by a client that did not enable oob. */
  g_object_set (client, "enable-oob", FALSE, "timeout-ms", 20000, NULL);
  g_signal_connect (client, "event", G_CALLBACK (on_event), events);
  {
    g_autoptr(GError) error = NULL;

    /* Connecting alone replays the handshake. */
    g_assert_true (xen_qmp_client_connect_sync (client, NULL, &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < steps->len; i++)
    {
      Step *s = steps->pdata[i];
      g_autoptr(GUnixFDList) fds = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) ret = NULL;

      if (s->n_fds > 0)
        {
          fds = g_unix_fd_list_new ();
          for (guint j = 0; j < s->n_fds; j++)
            {
              int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

              g_unix_fd_list_append (fds, fd, NULL);
              close (fd);
            }
        }
      ret = xen_qmp_client_execute_sync (client, s->command, s->args, fds, NULL, &error);
      if (s->ret != NULL)
        {
          g_autofree char *got = NULL;
          g_autofree char *want = NULL;

          g_assert_no_error (error);
          mask_fds (ret);
          mask_fds (s->ret);
          got = json_to_string (ret, FALSE);
          want = json_to_string (s->ret, FALSE);
          if (!json_node_equal (ret, s->ret))
            g_error ("%s: %s returned %.200s, recorded %.200s", what, s->command, got, want);
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == XEN_QMP_ERROR);
          g_assert_cmpstr (xen_qmp_error_class_to_name (error->code), ==,
                           xen_qmp_error_class_from_name (s->error_class) == XEN_QMP_ERROR_CLASS_UNKNOWN
                           ? "Unknown" : s->error_class);
          g_assert_cmpstr (error->message, ==, s->error_desc);
        }
      events_expected += s->events->len;
    }
  RUN_UNTIL (events->len >= events_expected);
  for (guint i = 0, k = 0; i < steps->len; i++)
    {
      Step *s = steps->pdata[i];

      for (guint j = 0; j < s->events->len; j++, k++)
        g_assert_cmpstr (events->pdata[k], ==, s->events->pdata[j]);
    }
  xen_qmp_client_close (client);
}

static void
test_replay (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts", name, NULL);
  g_autofree char *replay = g_build_filename (dir, "replay.jsonl", NULL);
  g_autofree char *sock = g_build_filename (dir, "qmp", NULL);
  g_autoptr(GPtrArray) steps = load_script (script, replay);
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--script", replay, NULL };
  TestServer *fake;
  int status;

  /* 1: the replay; fake-qemu's verdict says whether the library sent
   * exactly the recorded commands. */
  fake = test_server_start_fake (sock, args, &error);
  g_assert_no_error (error);
  run_steps (sock, steps, "replay");
  status = test_server_wait (fake, 20000);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  test_server_stop (fake);

  /* 2: the live QEMU. */
  if (!test_server_have_qemu ())
    {
      g_test_message ("qemu-system-x86_64 is not installed: live half skipped");
      test_tmpdir_remove (dir);
      return;
    }
  {
    TestServer *qemu = test_server_start_qemu (sock, &error);

    g_assert_no_error (error);
    run_steps (sock, steps, "live QEMU");
    test_server_stop (qemu);
  }
  test_tmpdir_remove (dir);
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_test_init (&argc, &argv, NULL);
  dir = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts", NULL);
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".jsonl"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (names->len, >, 0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/replay/%s", (char *) names->pdata[i]);

      g_test_add_data_func (path, names->pdata[i], test_replay);
    }
  return g_test_run ();
}
