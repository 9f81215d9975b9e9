/* consumer.c: a program built against the installed libxenqmp with
 * nothing but `pkg-config --cflags --libs xenqmp-1.0` (make installcheck).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   consumer FAKE_QEMU DIR  -> starts FAKE_QEMU on DIR/qmp-libxl-1, runs
 *   query-version through both APIs, exits 0 when both answered.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenqmp/xenqmp.h>

static void
version_done (XenQmpCmd        *cmd G_GNUC_UNUSED,
              JsonNode         *response G_GNUC_UNUSED,
              XenQmpErrorClass  error_class G_GNUC_UNUSED,
              const GError     *error,
              gpointer          user_data)
{
  *(int *) user_data = error == NULL ? 1 : -1;
}

int
main (int argc, char *argv[])
{
  g_autofree char *sock = NULL;
  g_autoptr(XenQmpHost) host = NULL;
  g_autoptr(XenQmpClient) client = NULL;
  g_autoptr(JsonNode) ret = NULL;
  g_autoptr(GError) error = NULL;
  XenQmpCmd cmd;
  int done = 0, status = 1;
  GPid pid;

  if (argc != 3)
    return 2;
  sock = g_build_filename (argv[2], "qmp-libxl-1", NULL);
  {
    const char *fake[] = { argv[1], "--socket", sock, "--timeout", "60", NULL };

    if (!g_spawn_async (NULL, (char **) fake, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                        NULL, NULL, &pid, &error))
      {
        fprintf (stderr, "%s\n", error->message);
        return 1;
      }
  }
  for (int i = 0; i < 2000 && !g_file_test (sock, G_FILE_TEST_EXISTS); i++)
    g_usleep (5000);

  host = xen_qmp_host_new (argv[2]);
  xen_qmp_cmd_init (&cmd);
  cmd.timeout_ms = 10000;
  if (xen_qmp_cmd_exec (host, &cmd, version_done, &done, 1, "query-version", NULL, &error))
    {
      while (done == 0)
        g_main_context_iteration (NULL, TRUE);
      client = xen_qmp_client_new_for_domain (host, 1);
      xen_qmp_client_set_timeout_ms (client, 10000);
      ret = xen_qmp_client_execute_sync (client, "query-version", NULL, NULL, NULL, &error);
      if (done == 1 && ret != NULL)
        status = 0;
    }
  if (error != NULL)
    fprintf (stderr, "consumer: %s\n", error->message);
  printf ("consumer: libxenqmp %d.%d.%d from pkg-config: %s\n", XEN_QMP_MAJOR_VERSION,
          XEN_QMP_MINOR_VERSION, XEN_QMP_MICRO_VERSION, status == 0 ? "ok" : "FAILED");
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  return status;
}
