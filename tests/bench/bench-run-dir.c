/* bench-run-dir.c: the bench's temporary run dir, gone even if the bench dies
 *
 * atexit() does not run when the bench aborts or is killed, so a watcher
 * process, told by PR_SET_PDEATHSIG when its parent is gone, removes the
 * sockets and links the bench left there.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench-run-dir.h"

static void
remove_dir (const char *path)
{
  DIR *dir = opendir (path);
  struct dirent *entry;
  char file[PATH_MAX];

  while (dir != NULL && (entry = readdir (dir)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0
        && snprintf (file, sizeof file, "%s/%s", path, entry->d_name) < (int) sizeof file)
      unlink (file);
  if (dir != NULL)
    closedir (dir);
  rmdir (path);
}

char *
bench_run_dir_new (void)
{
  const char *tmp = getenv ("TMPDIR");
  char *path = malloc (PATH_MAX);
  pid_t parent = getpid ();
  sigset_t wake;

  if (path == NULL)
    return NULL;
  snprintf (path, PATH_MAX, "%s/xenqmp-bench-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
  if (mkdtemp (path) == NULL)
    {
      free (path);
      return NULL;
    }
  sigemptyset (&wake);
  sigaddset (&wake, SIGUSR1);
  /* Blocked before the fork, so that the signal waits for sigwait(). */
  sigprocmask (SIG_BLOCK, &wake, NULL);
  switch (fork ())
    {
    case -1:
      remove_dir (path);
      free (path);
      path = NULL;
      break;
    case 0:
      {
        int sig;

        prctl (PR_SET_PDEATHSIG, SIGUSR1);
        if (getppid () == parent)
          sigwait (&wake, &sig);
        remove_dir (path);
        _exit (0);
      }
    default:
      break;
    }
  sigprocmask (SIG_UNBLOCK, &wake, NULL);
  return path;
}
