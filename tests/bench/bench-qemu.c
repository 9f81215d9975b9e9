/* bench-qemu.c: a real QEMU for the bench, when one is installed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-qemu.h"
#include "bench-responder.h"

pid_t
bench_qemu_start (const char *binary, const char *socket_path)
{
  g_autofree char *qmp = g_strdup_printf ("unix:%s,server=on,wait=off", socket_path);
  pid_t parent = getpid (), pid;

  pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != parent)
        _exit (1);
      execlp (binary, binary, "-M", "none", "-nodefaults", "-display", "none",
              "-qmp", qmp, (char *) NULL);
      _exit (127);
    }
  /* QEMU creates the socket before it serves it; 10 s covers a slow start. */
  for (int i = 0; i < 1000; i++)
    {
      if (g_file_test (socket_path, G_FILE_TEST_EXISTS))
        return pid;
      if (waitpid (pid, NULL, WNOHANG) == pid)
        return -1;
      g_usleep (10000);
    }
  bench_child_stop (pid);
  return -1;
}
