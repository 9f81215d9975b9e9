/* test-fake-qemu-run.c: one fake-qemu run, its stderr and its exit status
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-fake-qemu-run.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-fake-qemu-client.h"

void
fake_run_setup (FakeRun *run)
{
  run->dir = test_tmpdir_new ();
  run->path = g_build_filename (run->dir, "qmp.sock", NULL);
  run->script = g_build_filename (run->dir, "script.jsonl", NULL);
  run->stderr_path = g_build_filename (run->dir, "stderr", NULL);
}

void
fake_run_teardown (FakeRun *run)
{
  test_server_stop (run->server);
  test_tmpdir_remove (run->dir);
  g_free (run->path);
  g_free (run->script);
  g_free (run->stderr_path);
  g_free (run->stderr_text);
  g_free (run->dir);
}

/* The child inherits this process's descriptor 2 for the time of the
 * spawn. */
void
fake_run_start (FakeRun *run, const char * const *args)
{
  g_autoptr(GError) error = NULL;
  int saved_stderr, file;

  file = open (run->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (file, >=, 0);
  saved_stderr = dup (STDERR_FILENO);
  g_assert_cmpint (saved_stderr, >=, 0);
  dup2 (file, STDERR_FILENO);
  run->server = test_server_start_fake (run->path, args, &error);
  dup2 (saved_stderr, STDERR_FILENO);
  close (saved_stderr);
  close (file);
  g_assert_no_error (error);
  g_assert_nonnull (run->server);
}

int
fake_run_finish (FakeRun *run, gboolean terminate)
{
  int status;

  if (terminate)
    kill (test_server_get_pid (run->server), SIGTERM);
  status = test_server_wait (run->server, REPLY_TIMEOUT_MS);
  g_clear_pointer (&run->server, test_server_stop);
  g_clear_pointer (&run->stderr_text, g_free);
  g_assert_cmpint (status, !=, -1);
  g_assert_true (WIFEXITED (status));
  g_assert_true (g_file_get_contents (run->stderr_path, &run->stderr_text, NULL, NULL));
  g_test_message ("fake-qemu's stderr:\n%s", run->stderr_text);
  return WEXITSTATUS (status);
}

void
assert_contains (const char *text, const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("expected to find\n  %s\nin\n%s", part, text);
}
