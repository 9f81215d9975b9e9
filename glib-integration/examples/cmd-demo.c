/* cmd-demo.c: the command API driving two fake domains, as a toolstack would
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts fake-qemu for domains 1 and 2 in a private run dir, then runs a
 * small toolstack flow through XenQmpHost and XenQmpCmd: queries on both
 * domains at once, stop/cont with their events, an fd passed with add-fd
 * and checked from the callback on the same connection, and a QMP error.
 * Each step prints what it did.
 *
 *   cmd-demo [--fake-qemu PATH]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <xenqmp/xenqmp.h>

typedef struct {
  XenQmpHost *host;
  GMainLoop  *loop;
  guint       running;    /* flows still going */
  int         status;
  XenQmpCmd   cmd[3];     /* one per domain, plus one spare */
} Demo;

static char *
to_json (JsonNode *node)
{
  return node != NULL ? json_to_string (node, FALSE) : g_strdup ("null");
}

static void
report (guint32 domid, const char *command, JsonNode *response,
        XenQmpErrorClass error_class, const GError *error)
{
  if (error == NULL)
    {
      g_autofree char *text = to_json (response);

      printf ("[domain %u] %-13s -> %s\n", domid, command, text);
    }
  else if (error_class == XEN_QMP_ERROR_CLASS_LOCAL)
    /* The library's messages name the domain already. */
    printf ("%-24s -> error: %s\n", command, error->message);
  else
    printf ("[domain %u] %-13s -> error %s: %s\n", domid, command,
            xen_qmp_error_class_to_name (error_class), error->message);
}

static void
flow_done (Demo *demo)
{
  if (--demo->running == 0)
    g_main_loop_quit (demo->loop);
}

static void
exec_or_fail (Demo *demo, XenQmpCmd *cmd, XenQmpCmdCallback callback,
              guint32 domid, const char *command, JsonObject *args)
{
  g_autoptr(GError) error = NULL;

  if (!xen_qmp_cmd_exec (demo->host, cmd, callback, demo, domid, command,
                         args, &error))
    {
      printf ("%-24s -> could not start: %s\n", command, error->message);
      demo->status = 1;
      flow_done (demo);
    }
}

static void
on_event (XenQmpHost *host, guint32 domid, const char *event, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  printf ("[domain %u] event %s\n", domid, event);
}

/* Domain 1: query-version, stop, query-status, cont, then a command QEMU
 * does not have. Each step is exec'd from the previous one's callback. */
static void
domain1_step (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
              const GError *error, gpointer user_data)
{
  static const char *steps[] = { "query-version", "stop", "query-status",
                                 "cont", "no-such-command" };
  static guint step;
  Demo *demo = user_data;

  report (cmd->domid, steps[step], response, error_class, error);
  if (error != NULL && error_class == XEN_QMP_ERROR_CLASS_LOCAL)
    demo->status = 1;
  if (++step == G_N_ELEMENTS (steps))
    {
      flow_done (demo);
      return;
    }
  exec_or_fail (demo, cmd, domain1_step, 1, steps[step], NULL);
}

/* Domain 2: add-fd with an open file, then query-fdsets from the callback:
 * the fdset is only visible on the connection that added it, and a
 * command exec'd from a callback reuses that connection. */
static void
domain2_fdsets (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                const GError *error, gpointer user_data)
{
  Demo *demo = user_data;

  report (cmd->domid, "query-fdsets", response, error_class, error);
  if (error != NULL)
    demo->status = 1;
  flow_done (demo);
}

static void
domain2_added (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
               const GError *error, gpointer user_data)
{
  Demo *demo = user_data;

  report (cmd->domid, "add-fd", response, error_class, error);
  if (error != NULL)
    {
      demo->status = 1;
      flow_done (demo);
      return;
    }
  exec_or_fail (demo, cmd, domain2_fdsets, 2, "query-fdsets", NULL);
}

static void
domain2_start (Demo *demo)
{
  g_autoptr(JsonObject) args = json_object_new ();
  XenQmpCmd *cmd = &demo->cmd[1];

  json_object_set_string_member (args, "opaque", "demo: /dev/null, read-only");
  cmd->fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  exec_or_fail (demo, cmd, domain2_added, 2, "add-fd", args);
}

static gboolean
wait_for_socket (const char *path)
{
  for (int i = 0; i < 2000; i++)
    {
      GStatBuf st;

      if (g_stat (path, &st) == 0 && S_ISSOCK (st.st_mode))
        return TRUE;
      g_usleep (5000);
    }
  return FALSE;
}

static gboolean
give_up (gpointer user_data)
{
  Demo *demo = user_data;

  printf ("the demo took too long\n");
  demo->status = 1;
  g_main_loop_quit (demo->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  g_autofree char *fake_qemu = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *sock1 = NULL;
  g_autofree char *sock2 = NULL;
  GOptionEntry entries[] = {
    { "fake-qemu", 0, 0, G_OPTION_ARG_FILENAME, &fake_qemu,
      "fake-qemu to run (default: from PATH)", "PATH" },
    { NULL }
  };
  Demo demo = { 0 };
  GPid pid;

  context = g_option_context_new ("- the libxenqmp command API against fake-qemu");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (fake_qemu == NULL)
    fake_qemu = g_find_program_in_path ("fake-qemu");
  if (fake_qemu == NULL)
    {
      fprintf (stderr, "fake-qemu not found: pass --fake-qemu PATH\n");
      return 2;
    }

  run_dir = g_dir_make_tmp ("xenqmp-demo-XXXXXX", &error);
  if (run_dir == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  sock1 = g_build_filename (run_dir, "qmp-libxl-1", NULL);
  sock2 = g_build_filename (run_dir, "qmp-libxl-2", NULL);
  {
    const char *fake_argv[] = { fake_qemu, "--socket", sock1, "--socket", sock2,
                                "--timeout", "60", NULL };

    if (!g_spawn_async (NULL, (char **) fake_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                        NULL, NULL, &pid, &error))
      {
        fprintf (stderr, "cannot start fake-qemu: %s\n", error->message);
        return 2;
      }
  }
  if (!wait_for_socket (sock1) || !wait_for_socket (sock2))
    {
      fprintf (stderr, "fake-qemu did not create its sockets\n");
      kill (pid, SIGTERM);
      return 2;
    }
  printf ("fake-qemu (pid %d) plays domains 1 and 2 in %s\n\n", (int) pid, run_dir);

  demo.loop = g_main_loop_new (NULL, FALSE);
  demo.host = xen_qmp_host_new (run_dir);
  xen_qmp_host_add_event_handler (demo.host, on_event, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (demo.cmd); i++)
    xen_qmp_cmd_init (&demo.cmd[i]);

  /* Both domains' flows run at once on one main loop. */
  demo.running = 2;
  exec_or_fail (&demo, &demo.cmd[0], domain1_step, 1, "query-version", NULL);
  domain2_start (&demo);
  g_timeout_add_seconds (30, give_up, &demo);
  if (demo.running > 0)
    g_main_loop_run (demo.loop);

  /* A domain that does not exist: a synchronous error, nothing Active. */
  if (!xen_qmp_cmd_exec (demo.host, &demo.cmd[2], domain2_fdsets, &demo, 9,
                         "query-status", NULL, &error))
    printf ("%-24s -> could not start: %s\n", "query-status", error->message);
  else
    demo.status = 1;

  for (guint i = 0; i < G_N_ELEMENTS (demo.cmd); i++)
    xen_qmp_cmd_dispose (&demo.cmd[i]);
  g_object_unref (demo.host);
  g_main_loop_unref (demo.loop);

  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_rmdir (run_dir);
  printf ("\n%s\n", demo.status == 0 ? "demo finished: every step did what it should"
                                     : "demo FAILED");
  return demo.status;
}
