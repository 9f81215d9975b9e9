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
#include "recorded-session.h"
#include "test-server.h"

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
      RecordedStep *s = steps->pdata[i];
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
          recorded_session_mask_fds (ret);
          recorded_session_mask_fds (s->ret);
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
      RecordedStep *s = steps->pdata[i];

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
  g_autofree char *script = recorded_session_path (name);
  g_autofree char *replay = g_build_filename (dir, "replay.jsonl", NULL);
  g_autofree char *sock = g_build_filename (dir, "qmp", NULL);
  g_autoptr(RecordedSession) session = recorded_session_load (script);
  GPtrArray *steps = session->steps;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--script", replay, NULL };
  TestServer *fake;
  int status;

  g_assert_true (g_file_set_contents (replay, session->replayable->str, -1, &error));

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
  g_autoptr(GPtrArray) names = NULL;

  g_test_init (&argc, &argv, NULL);
  names = recorded_session_list ();
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/replay/%s", (char *) names->pdata[i]);

      g_test_add_data_func (path, names->pdata[i], test_replay);
    }
  return g_test_run ();
}
