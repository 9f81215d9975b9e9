/* test-xen-qmp.c: the xen-qmp command line tool, run as a user runs it,
 * against fake-qemu and a real QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test checks one promise of xen-qmp(1): what is printed where, and
 * the exit status (0 success, 1 QMP error, 2 local error). The tests that
 * make sense against any QEMU run once per backend, as /xen-qmp/fake/...
 * and /xen-qmp/qemu/... (skipped, visibly, without a QEMU).
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "test-server.h"
#include "test-backend.h"

/* Generous: a busy 2-core CI machine, maybe under valgrind. The tool's own
 * --timeout in the tests is far below this, so a stuck tool fails a test
 * rather than hanging it. */
#define TOOL_TIMEOUT "60"


typedef struct {
  Backend     backend;
  char       *dir;
  char       *socket;   /* qmp-libxl-7 in dir, as libxl names it */
  TestServer *server;
  gboolean    skipped;
} Fixture;

typedef struct {
  int   status;   /* exit status */
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

static char *
tool_path (void)
{
  return g_test_build_filename (G_TEST_BUILT, "..", "glib-integration", "tool",
                                "xen-qmp", NULL);
}

static GSubprocessLauncher *
launcher_new (const char *dir, GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* No history, state or schema cache in the user's home. */
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", dir, TRUE);
  return launcher;
}

/* Starts xen-qmp with FIRST_ARGS then MORE_ARGS (either may be NULL). */
static GSubprocess *
spawn_tool (GSubprocessLauncher *launcher,
            const char * const  *first_args,
            const char * const  *more_args)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (args, tool_path ());
  for (gsize i = 0; first_args != NULL && first_args[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (first_args[i]));
  for (gsize i = 0; more_args != NULL && more_args[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (more_args[i]));
  g_ptr_array_add (args, NULL);
  process = g_subprocess_launcher_spawnv (launcher,
                                          (const char * const *) args->pdata,
                                          &error);
  g_assert_no_error (error);
  return process;
}

/* Runs xen-qmp with ARGV (after the program name), INPUT on its stdin. */
static void
run_toolv (Run *run, const char *dir, const char *input, const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE;

  flags |= input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE
                         : G_SUBPROCESS_FLAGS_STDIN_INHERIT;
  launcher = launcher_new (dir, flags);
  process = spawn_tool (launcher, argv, NULL);
  g_subprocess_communicate_utf8 (process, input, NULL, &run->out, &run->err,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("xen-qmp exit %d, stdout: %s, stderr: %s",
                  run->status, run->out, run->err);
}

#define run_tool(run, dir, input, ...) \
  run_toolv ((run), (dir), (input), (const char * const []) { __VA_ARGS__, NULL })

/* QEMU 7.2's schema, for fake-qemu --schema. */
static char *
schema_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                "qemu-7.2-schema.json", NULL);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->backend = GPOINTER_TO_INT (data);
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp-libxl-7", NULL);
  if (f->backend == BACKEND_FAKE)
    {
      /* With QEMU 7.2's schema, as xen-qmp checks commands against it. */
      g_autofree char *schema = schema_path ();
      const char *args[] = { "--schema", schema, NULL };

      f->server = test_server_start_fake (f->socket, args, &error);
    }
  else
    {
      f->server = test_server_start_qemu (f->socket, &error);
      if (f->server == NULL && error == NULL)
        {
          g_test_skip ("no qemu-system-x86_64 (set QEMU_SYSTEM)");
          f->skipped = TRUE;
          return;
        }
    }
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  test_server_stop (f->server);
  test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
}

static void
assert_matches (const char *text, const char *pattern)
{
  if (!g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0))
    g_error ("'%s' does not match /%s/", text, pattern);
}

/* A pipe gets compact JSON, one value per line: what scripts parse. */
static void
test_result_compact (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "query-status");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  assert_matches (run.out, "\\A\\{\"status\":\"[a-z-]+\",.*\"running\":(true|false).*\\}\n\\z");
  run_clear (&run);

  /* --compact is what a pipe gets anyway. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--compact", "query-version");
  g_assert_cmpint (run.status, ==, 0);
  assert_matches (run.out, "\\A\\{\"qemu\":\\{\"micro\":[0-9]+,\"minor\":[0-9]+,\"major\":[0-9]+\\},\"package\":\"[^\"]*\"\\}\n\\z");
  run_clear (&run);
}

static void
test_result_pretty (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--pretty", "query-version");
  g_assert_cmpint (run.status, ==, 0);
  assert_matches (run.out, "\\A\\{\n  \"qemu\" : \\{\n    \"micro\" : [0-9]+,\n");
  g_assert_true (g_str_has_suffix (run.out, "\n}\n"));
  run_clear (&run);
}

/* The QMP error's class and QEMU's own words, exit status 1. */
static void
test_qmp_error (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  /* QEMU's own error, when the command is let through. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--no-validate", "no-such-command");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==,
                   "error: CommandNotFound: The command no-such-command has not been found\n");
  run_clear (&run);
  /* Checked first, it never reaches QEMU: a local error. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "no-such-command");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: no-such-command: no such command in this QEMU\n");
  run_clear (&run);
}

/* --domain finds libxl's socket name in --run-dir. */
static void
test_domain_run_dir (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--domain", "7", "--run-dir", f->dir, "query-version");
  g_assert_cmpint (run.status, ==, 0);
  assert_matches (run.out, "\\A\\{\"qemu\":");
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--domain", "8", "--run-dir", f->dir, "query-version");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "qmp-libxl-8"));
  run_clear (&run);
}

/* Values are JSON when they parse as JSON, strings otherwise; the
 * arguments may also be one JSON object. A wrong type is caught by the
 * schema check; let through, QEMU (and fake-qemu, which checks types as
 * QEMU does) says it in its own words. */
static void
test_key_value_arguments (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  /* 5 is an integer, hello a string. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd", "/dev/null",
            "add-fd", "fdset-id=5", "opaque=hello");
  g_assert_cmpint (run.status, ==, 0);
  assert_matches (run.out, "\\A\\{\"fd\":[0-9]+,\"fdset-id\":5\\}\n\\z");
  run_clear (&run);

  /* "5" quoted as JSON is a string: the wrong type for fdset-id, which
   * xen-qmp tells before QEMU would. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd", "/dev/null",
            "add-fd", "fdset-id=\"5\"");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: add-fd: argument 'fdset-id' must be an integer, "
                   "not a string\n");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--no-validate", "--fd", "/dev/null",
            "add-fd", "fdset-id=\"5\"");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==, "error: GenericError: Invalid parameter type "
                   "for 'fdset-id', expected: integer\n");
  run_clear (&run);

  /* A dotted key makes an object: the wrong type for fdname. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "closefd", "fdname.a=1");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: closefd: argument 'fdname' must be a string, "
                   "not an object\n");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--no-validate", "closefd", "fdname.a=1");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==, "error: GenericError: Invalid parameter type "
                   "for 'fdname', expected: string\n");
  run_clear (&run);
}

/* A key=value whose value reads as JSON but whose argument the schema
 * types as a string is sent as the string typed: device_del id=3 sends
 * "3", on the command line and in the shell. A JSON object argument keeps
 * its types. */
static void
test_key_value_string_by_schema (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "device_del", "id=3");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==, "error: DeviceNotFound: Device '3' not found\n");
  run_clear (&run);
  run_tool (&run, f->dir, "device_del id=4\n", "--socket", f->socket, "--shell");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==, "error: DeviceNotFound: Device '4' not found\n");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "device_del", "{\"id\": 3}");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: device_del: argument 'id' must be a string, "
                   "not an integer\n");
  run_clear (&run);
}

/* The schema's refusal suggests the argument meant, also when the name
 * is no close spelling of it, and says what else is missing. */
static void
test_suggest_across_names (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "blockdev-change-medium",
            "id=cd0", "file=/x.iso");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: blockdev-change-medium: no argument 'file'; "
                   "did you mean 'filename'?\n");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "set_password", "pass=x");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: set_password: no argument 'pass'; "
                   "did you mean 'password'? Also missing: 'protocol' (enum)\n");
  run_clear (&run);
}

static void
test_json_object_argument (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd", "/dev/null",
            "add-fd", "{\"fdset-id\": 3, \"opaque\": \"from json\"}");
  g_assert_cmpint (run.status, ==, 0);
  assert_matches (run.out, "\\A\\{\"fd\":[0-9]+,\"fdset-id\":3\\}\n\\z");
  run_clear (&run);
}

/* Each xen-qmp run is its own connection: a named descriptor (getfd)
 * outlives it, so a second run can close it, and a third finds it gone. */
static void
test_fd_getfd_closefd (Fixture *f, gconstpointer data)
{
  g_autofree char *file = NULL;
  Run run = { 0 };

  if (f->skipped)
    return;
  file = g_build_filename (f->dir, "passed-file", NULL);
  g_assert_true (g_file_set_contents (file, "data", -1, NULL));

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "getfd", "fdname=tool");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "error: GenericError: "));
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd", file,
            "getfd", "fdname=tool");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "{}\n");
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "closefd", "fdname=tool");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "{}\n");
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "closefd", "fdname=tool");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==,
                   "error: GenericError: File descriptor named 'tool' not found\n");
  run_clear (&run);
}

/* A file that cannot be opened is a local error, before any connection. */
static void
test_fd_missing_file (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd", missing,
            "getfd", "fdname=x");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "cannot open"));
  g_assert_nonnull (strstr (run.err, missing));
  run_clear (&run);
}

/* No socket: exit status 2, and the message names the path. */
static void
test_no_socket (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = g_build_filename (dir, "nothing-here", NULL);
  Run run = { 0 };

  run_tool (&run, dir, NULL, "--socket", socket, "query-status");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "xen-qmp: "));
  g_assert_nonnull (strstr (run.err, socket));
  run_clear (&run);
  test_tmpdir_remove (dir);
}

/* Every usage error: exit status 2, a message, a pointer to --help, and no
 * connection attempt (the socket does not exist: the message would say). */
static void
test_bad_usage (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = g_build_filename (dir, "nothing-here", NULL);
  const struct {
    const char *args[6];
    const char *message;
  } cases[] = {
    { { "query-status" }, "give --socket PATH or --domain DOMID" },
    { { "--socket", socket, "--domain", "1", "query-status" }, "exclude each other" },
    { { "--socket", socket }, "no command given" },
    { { "--socket", socket, "--events", "query-status" }, "give one of" },
    { { "--socket", socket, "--events", "--shell" }, "give one of" },
    { { "--socket", socket, "--run-dir", dir, "query-status" }, "--run-dir goes with --domain" },
    { { "--domain", "one", "query-status" }, "bad domain id 'one'" },
    { { "--socket", socket, "--timeout", "-1", "query-status" }, "--timeout" },
    { { "--socket", socket, "--count", "2", "query-status" }, "--count" },
    { { "--socket", socket, "--fd", "/dev/null", "--shell" }, "go with a COMMAND (in --shell, at the start of a line)" },
    { { "--socket", socket, "eject", "device" }, "expected key=value" },
    { { "--socket", socket, "eject", "{\"id\": 1}", "force=true" }, "only argument" },
    { { "--socket", socket, "eject", "{\"id\": " }, "not a JSON object" },
    { { "--socket", socket, "eject", "{\"id\": \"a\"} {\"id\": \"b\"}" },
      "not a JSON object: text after the end of the JSON value, at byte 12" },
    { { "--socket", socket, "eject", "a=1", "a=2" }, "given twice" },
    { { "--no-such-option" }, "Unknown option" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Run run = { 0 };

      run_toolv (&run, dir, NULL, cases[i].args);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      if (strstr (run.err, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": '%s' lacks '%s'", i, run.err,
                 cases[i].message);
      g_assert_nonnull (strstr (run.err, "Try 'xen-qmp --help'"));
      run_clear (&run);
    }
  test_tmpdir_remove (dir);
}

static void
test_help_and_version (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  Run run = { 0 };

  run_tool (&run, dir, NULL, "--help");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "--socket"));
  g_assert_nonnull (strstr (run.out, "Examples:"));
  g_assert_nonnull (strstr (run.out, "Exit status"));
  run_clear (&run);

  run_tool (&run, dir, NULL, "--version");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "xen-qmp " PACKAGE_VERSION "\n");
  run_clear (&run);
  test_tmpdir_remove (dir);
}

/* A stopped QEMU (the kernel still accepts the connection, nobody
 * greets): --timeout gives up with exit status 2. */
static void
test_timeout (Fixture *f, gconstpointer data)
{
  gint64 start;
  Run run = { 0 };

  if (f->skipped)
    return;
  test_server_pause (f->server);
  start = g_get_monotonic_time ();
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--timeout", "1",
            "query-status");
  test_server_resume (f->server);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "not connected within 1000 ms: QEMU sent no greeting"));
  /* Given up in about a second; the bound only catches a tool that waits
   * for the server instead. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  run_clear (&run);

  /* The server is fine afterwards: the tool did not break it. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--timeout", TOOL_TIMEOUT,
            "query-status");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
}

/* QEMU serves one client at a time: while another client is connected,
 * the tool says so when it gives up. */
static void
test_timeout_socket_busy (Fixture *f, gconstpointer data)
{
  Run run = { 0 };
  char greeting[64];
  int other;

  if (f->skipped)
    return;
  /* Another client, greeted first: it holds QEMU's only slot. */
  other = test_unix_connect (f->socket);
  g_assert_cmpint (other, >=, 0);
  g_assert_cmpint (read (other, greeting, sizeof greeting), >, 0);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--timeout", "0.5", "query-status");
  g_assert_cmpint (run.status, ==, 2);
  g_test_message ("%s", run.err);
  g_assert_nonnull (strstr (run.err, "serves one QMP client at a time, and another one"));
  run_clear (&run);
  close (other);
}

/* Without a terminal the shell reads commands line by line, prints each
 * result, and events as they come (before the reply of the command that
 * caused them). */
static void
test_shell_stdin (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, "query-status\n\n# a comment\nstop\nquery-status\ncont\n",
            "--socket", f->socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  assert_matches (lines[0], "\\A\\{\"status\":\"[a-z-]+\",");
  assert_matches (lines[1], "\\A\\{\"event\":\"STOP\",\"timestamp\":\\{\"seconds\":[0-9]+,\"microseconds\":[0-9]+\\}\\}\\z");
  g_assert_cmpstr (lines[2], ==, "{}");
  assert_matches (lines[3], "\\A\\{\"status\":\"paused\",.*\"running\":false");
  assert_matches (lines[4], "\\A\\{\"event\":\"RESUME\",");
  g_assert_cmpstr (lines[5], ==, "{}");
  g_assert_cmpstr (lines[6], ==, "");
  run_clear (&run);
}

/* A failed command does not end the shell; the exit status is the worst
 * of all commands. Arguments work as on the command line. */
static void
test_shell_errors_continue (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir,
            "closefd fdname=never-opened\n"
            "closefd {\"fdname\": \"never-either\"}\nquery-status\n",
            "--socket", f->socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==,
                   "error: GenericError: File descriptor named 'never-opened' not found\n"
                   "error: GenericError: File descriptor named 'never-either' not found\n");
  assert_matches (run.out, "\\A\\{\"status\":\"[a-z-]+\",[^\n]*\n\\z");
  run_clear (&run);

  /* A command the schema refuses is a local error, and the shell goes on;
   * so is QEMU's refusal with --no-validate. */
  run_tool (&run, f->dir, "no-such-command\nquery-status\n",
            "--socket", f->socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: no-such-command: no such command in this QEMU\n");
  assert_matches (run.out, "\\A\\{\"status\":");
  run_clear (&run);
  run_tool (&run, f->dir, "no-such-command\nquery-status\n",
            "--socket", f->socket, "--timeout", TOOL_TIMEOUT, "--no-validate", "--shell");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==,
                   "error: CommandNotFound: The command no-such-command has not been found\n");
  run_clear (&run);

  /* A line that does not parse is a local error, and the shell goes on. */
  run_tool (&run, f->dir, "eject device\nquery-status\n",
            "--socket", f->socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "expected key=value"));
  assert_matches (run.out, "\\A\\{\"status\":");
  run_clear (&run);
}

/* `quit` leaves the shell, it does not stop QEMU: `execute quit` would. */
static void
test_shell_quit_leaves (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, "help\nquit\nstop\n",
            "--socket", f->socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "execute COMMAND"));
  /* stop came after quit: not run. */
  g_assert_null (strstr (run.out, "STOP"));
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--timeout", TOOL_TIMEOUT,
            "query-status");
  g_assert_cmpint (run.status, ==, 0);
  assert_matches (run.out, "\"running\":true");
  run_clear (&run);
}

/* Starts `xen-qmp --events ARGS` and returns once it is connected and
 * listening: G_MESSAGES_DEBUG=XenQmp traces each message on its stderr,
 * and the reply to qmp_capabilities is the last step of connecting. */
static GSubprocess *
start_events (Fixture *f, const char * const *args, GDataInputStream **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    launcher_new (f->dir, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "XenQmp", TRUE);
  process = spawn_tool (launcher, (const char * const []) {
                          "--socket", f->socket, "--events", NULL }, args);

  *err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (*err, NULL,
                                                                  NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);   /* the tool ended before it connected */
      if (strstr (line, "received") != NULL && strstr (line, "\"return\"") != NULL)
        break;
    }
  return process;
}

/* The rest of the tool's output and its exit status. */
static void
finish_events (GSubprocess *process, GDataInputStream *err, Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) err_text = g_string_new (NULL);
  g_autofree char *line = NULL;

  /* stdout is small (the pipe buffer holds it); stderr carries the
   * trace, read to its end so that the tool never blocks on it. */
  while ((line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error)) != NULL)
    {
      if (strstr (line, "XenQmp-DEBUG") == NULL)
        g_string_append_printf (err_text, "%s\n", line);
      g_clear_pointer (&line, g_free);
    }
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  run->err = g_string_free (g_steal_pointer (&err_text), FALSE);
  g_test_message ("xen-qmp --events exit %d, stdout: %s, stderr: %s",
                  run->status, run->out, run->err);
}

/* QEMU's end is news: a real QEMU says SHUTDOWN (host-signal) on SIGTERM,
 * and --count 1 makes that a success; fake-qemu just closes, which ends
 * --events with exit status 2 and the reason. */
static void
test_events_until_shutdown (Fixture *f, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  Run run = { 0 };

  if (f->skipped)
    return;
  if (f->backend == BACKEND_QEMU)
    process = start_events (f, (const char * const []) { "--count", "1",
                                  "--timeout", TOOL_TIMEOUT, NULL }, &err);
  else
    process = start_events (f, (const char * const []) { "--timeout", TOOL_TIMEOUT,
                                  NULL }, &err);
  kill (test_server_get_pid (f->server), SIGTERM);
  finish_events (process, err, &run);

  if (f->backend == BACKEND_QEMU)
    {
      g_assert_cmpint (run.status, ==, 0);
      assert_matches (run.out, "\\A\\{\"event\":\"SHUTDOWN\",\"data\":\\{\"guest\":false,"
                      "\"reason\":\"host-signal\"\\},\"timestamp\":\\{\"seconds\":[0-9]+,"
                      "\"microseconds\":[0-9]+\\}\\}\n\\z");
    }
  else
    {
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, "xen-qmp: connection closed"));
    }
  run_clear (&run);
}

/* Listening for a while is a success; waiting in vain for a number of
 * events is not. */
static void
test_events_timeout (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--events", "--timeout", "0.5");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, "");
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--events", "--count", "2",
            "--timeout", "0.5");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, "xen-qmp: timed out after 0 of 2 events\n");
  run_clear (&run);
}

/* A terminal for the shell: the master side, read by the test. */
typedef struct {
  int      master;
  GString *seen;      /* everything the tool wrote */
  gsize    checked;   /* how far expect() has matched */
} Terminal;

static void
terminal_write (Terminal *t, const char *text)
{
  g_assert_cmpint (write (t->master, text, strlen (text)), ==, (gssize) strlen (text));
}

/* Reads until TEXT appears after what was matched before: the prompt,
 * an echo, a result. Fails after a generous minute. */
static void
terminal_expect (Terminal *t, const char *text)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (;;)
    {
      const char *found = strstr (t->seen->str + t->checked, text);
      struct pollfd pfd = { .fd = t->master, .events = POLLIN };
      char buf[4096];
      gssize n;

      if (found != NULL)
        {
          t->checked = found - t->seen->str + strlen (text);
          return;
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("the terminal never showed '%s'; it shows: '%s'", text,
                 g_strescape (t->seen->str + t->checked, NULL));
      if (poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (t->master, buf, sizeof buf);
      if (n <= 0)   /* EIO: the tool has gone and closed the terminal */
        g_error ("the terminal closed before showing '%s'; it showed: '%s'",
                 text, g_strescape (t->seen->str + t->checked, NULL));
      g_string_append_len (t->seen, buf, n);
    }
}

/* The tool in a session of its own, as a terminal's programs are: what it
 * does to its process group stays away from the test and make. */
static void
new_session (gpointer user_data)
{
  setsid ();
}

/* xen-qmp ARGS with a new terminal on its stdin, stdout and stderr. */
static GSubprocess *
spawn_in_terminal (Fixture *f, Terminal *t, const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GSubprocess *process;
  int slave;

  t->seen = g_string_new (NULL);
  t->checked = 0;
  t->master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (t->master, >=, 0);
  g_assert_cmpint (grantpt (t->master), ==, 0);
  g_assert_cmpint (unlockpt (t->master), ==, 0);
  slave = open (ptsname (t->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (slave, >=, 0);

  launcher = launcher_new (f->dir, G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "TERM", "xterm", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  g_subprocess_launcher_take_stdin_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stdout_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  process = spawn_tool (launcher, args, NULL);
  /* The launcher keeps the slave fds until it is freed: it goes here, so
   * that the terminal closes when the tool exits. */
  return process;
}

/* The prompt names the socket, its middle directories elided. */
static char *
socket_prompt (const char *path)
{
  const char *first = strchr (path + 1, '/');
  const char *last = strrchr (path, '/');

  if (first == NULL || first == last)
    return g_strdup_printf ("xen-qmp %s> ", path);
  return g_strdup_printf ("xen-qmp %.*s/...%s> ", (int) (first - path), path, last);
}

/* The prompt names the domain (or the socket: see test_shell_terminal). */
static void
test_shell_prompt_names_domain (Fixture *f, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Terminal t = { 0 };

  if (f->skipped)
    return;
  process = spawn_in_terminal (f, &t, (const char * const []) {
                                 "--domain", "7", "--run-dir", f->dir,
                                 "--timeout", TOOL_TIMEOUT, "--shell", NULL });
  terminal_expect (&t, "xen-qmp domain 7> ");
  terminal_write (&t, "exit\n");
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  close (t.master);
  g_string_free (t.seen, TRUE);
}

/* With a terminal on stdin: a prompt, completion of command names, Ctrl-C,
 * events printed while the prompt waits, and a history file kept private. */
static void
test_shell_terminal (Fixture *f, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *history = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *history_dir = NULL;
  g_autofree char *prompt = NULL;
  Terminal t = { 0 };
  GStatBuf st;

  if (f->skipped)
    return;
  prompt = socket_prompt (f->socket);
  process = spawn_in_terminal (f, &t, (const char * const []) {
                                 "--socket", f->socket, "--timeout", TOOL_TIMEOUT,
                                 "--shell", NULL });
  terminal_expect (&t, prompt);
  /* "hel" alone is no command: only a completed "help" prints the help. */
  terminal_write (&t, "hel\t\n");
  terminal_expect (&t, "execute COMMAND");
  terminal_expect (&t, prompt);
  /* Ctrl-C drops a half-typed line, and the shell goes on. */
  terminal_write (&t, "no-such");
  terminal_expect (&t, "no-such");
  g_subprocess_send_signal (process, SIGINT);
  terminal_expect (&t, "^C");
  terminal_expect (&t, prompt);
  terminal_write (&t, "stop\n");
  terminal_expect (&t, "{\"event\":\"STOP\"");
  terminal_expect (&t, "{}");
  terminal_expect (&t, prompt);

  /* Half a line typed, then QEMU goes away: the event (real QEMU says
   * SHUTDOWN) comes above the prompt, then the reason, exit status 2. */
  terminal_write (&t, "query-st");
  terminal_expect (&t, "query-st");
  kill (test_server_get_pid (f->server), SIGTERM);
  if (f->backend == BACKEND_QEMU)
    {
      terminal_expect (&t, "{\"event\":\"SHUTDOWN\"");
      terminal_expect (&t, prompt);
      terminal_expect (&t, "query-st");
    }
  terminal_expect (&t, "xen-qmp: connection closed");
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  /* The dropped line was not run. */
  g_assert_null (strstr (t.seen->str, "CommandNotFound"));

  history = g_build_filename (f->dir, "xen-qmp", "history", NULL);
  g_assert_true (g_file_get_contents (history, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "help"));
  g_assert_nonnull (strstr (saved, "stop"));
  g_assert_cmpint (g_stat (history, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_unlink (history);
  history_dir = g_path_get_dirname (history);
  g_rmdir (history_dir);

  close (t.master);
  g_string_free (t.seen, TRUE);
}

/* fake-qemu playing SCRIPT (JSON Lines) on DIR/qmp.sock; WITH_SCHEMA, it
 * also judges the script and the client by QEMU 7.2's schema; without,
 * its replies may be what no schema allows. */
static TestServer *
start_script_judged (const char *dir, const char *script, gboolean with_schema,
                     char **socket)
{
  g_autofree char *path = g_build_filename (dir, "script.jsonl", NULL);
  g_autofree char *schema = with_schema ? schema_path () : NULL;
  g_autoptr(GError) error = NULL;
  TestServer *server;

  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  *socket = g_build_filename (dir, "qmp.sock", NULL);
  server = test_server_start_fake (*socket, (const char * const []) {
                                     "--script", path,
                                     schema != NULL ? "--schema" : NULL, schema, NULL },
                                   &error);
  g_assert_no_error (error);
  return server;
}

static TestServer *
start_script (const char *dir, const char *script, char **socket)
{
  return start_script_judged (dir, script, TRUE, socket);
}

/* fake-qemu's verdict: 0 when the tool did exactly what the script says
 * (which includes closing the connection at the end). */
static void
assert_script_passed (TestServer *server)
{
  int status = test_server_wait (server, 60 * 1000);

  g_assert_cmpint (status, !=, -1);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* --count N: exactly N events, printed as QEMU sent them, then exit 0. */
static void
test_events_count (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = NULL;
  g_autoptr(TestServer) server = NULL;
  g_auto(GStrv) lines = NULL;
  Run run = { 0 };

  server = start_script (dir,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"event\": \"STOP\", \"delay\": 0.1}\n"
    "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"},"
    " \"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5}, \"delay\": 0.1}\n"
    "{\"expect-close\": true}\n", &socket);
  run_tool (&run, dir, NULL, "--socket", socket, "--events", "--count", "2",
            "--timeout", TOOL_TIMEOUT);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  assert_matches (lines[0], "\\A\\{\"event\":\"STOP\",\"timestamp\":\\{\"seconds\":[0-9]+,\"microseconds\":[0-9]+\\}\\}\\z");
  g_assert_cmpstr (lines[1], ==, "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":true,"
                   "\"reason\":\"guest-shutdown\"},\"timestamp\":{\"seconds\":1700000000,"
                   "\"microseconds\":5}}");
  g_assert_cmpstr (lines[2], ==, "");
  assert_script_passed (server);
  run_clear (&run);
  test_tmpdir_remove (dir);
}

/* A command QEMU never answers: --timeout gives up, exit status 2, and the
 * tool closes the connection. */
static void
test_command_timeout (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = NULL;
  g_autoptr(TestServer) server = NULL;
  Run run = { 0 };

  server = start_script (dir,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"swallow\": true}\n"
    "{\"expect-close\": true}\n", &socket);
  run_tool (&run, dir, NULL, "--socket", socket, "--timeout", "0.5", "query-status");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "xen-qmp: "));
  assert_script_passed (server);
  run_clear (&run);
  test_tmpdir_remove (dir);
}

/* ---- QEMU's schema: checked before sending, described, listed ---------- */

/* A recording fake-qemu in front of the fixture's QEMU: the session it
 * writes is what QEMU was sent. */
typedef struct {
  char       *socket;
  char       *output;
  TestServer *proxy;
} Recorder;

static void
recorder_start (Recorder *r, Fixture *f, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sock_name = g_strdup_printf ("%s.sock", name);
  g_autofree char *out_name = g_strdup_printf ("%s.jsonl", name);
  const char *args[5];

  r->socket = g_build_filename (f->dir, sock_name, NULL);
  r->output = g_build_filename (f->dir, out_name, NULL);
  args[0] = "--record";
  args[1] = f->socket;
  args[2] = "--output";
  args[3] = r->output;
  args[4] = NULL;
  r->proxy = test_server_start_fake (r->socket, args, &error);
  g_assert_no_error (error);
}

/* Stops the recorder; what QEMU was sent, as the recorded script. */
static char *
recorder_stop (Recorder *r)
{
  char *session = NULL;

  test_server_stop (r->proxy);
  g_assert_true (g_file_get_contents (r->output, &session, NULL, NULL));
  g_free (r->socket);
  g_free (r->output);
  return session;
}

static void
test_validate_before_sending (Fixture *f, gconstpointer data)
{
  Recorder r;
  Run run = { 0 };
  g_autofree char *session = NULL;

  if (f->skipped)
    return;
  recorder_start (&r, f, "validate");
  run_tool (&run, f->dir, NULL, "--socket", r.socket, "device_del", "idd=nodev");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, "xen-qmp: device_del: no argument 'idd'; did you mean 'id'?\n");
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", r.socket, "device_del", "id=nodev");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==, "error: DeviceNotFound: Device 'nodev' not found\n");
  run_clear (&run);

  session = recorder_stop (&r);
  /* QEMU got the valid command and never the invalid one; the schema
   * once, the second run taking it from the cache. */
  g_assert_nonnull (strstr (session, "{\"expect\":\"device_del\",\"args\":{\"id\":\"nodev\"}"));
  g_assert_null (strstr (session, "\"idd\":\"nodev\""));
  g_assert_nonnull (strstr (session, "{\"expect\":\"query-qmp-schema\""));
  g_assert_true (strstr (session, "{\"expect\":\"query-qmp-schema\"")
                 == g_strrstr (session, "{\"expect\":\"query-qmp-schema\""));
}

static void
test_no_validate (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  /* QEMU's own judgement instead (it reports the missing id first). */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--no-validate", "device_del", "idd=nodev");
  g_assert_cmpint (run.status, ==, 1);
  assert_matches (run.err, "\\Aerror: GenericError: Parameter '(id|idd)' is (missing|unexpected)\n\\z");
  run_clear (&run);
}

static void
test_describe (Fixture *f, gconstpointer data)
{
  Run run = { 0 };

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--describe", "device_del");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "device_del\narguments:\n  id: str\nreturns: nothing\n");
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--describe", "query-status");
  g_assert_cmpint (run.status, ==, 0);
  assert_matches (run.out, "^  status: one of 'debug', .*'running'");
  run_clear (&run);

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--describe", "device_dle");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, "xen-qmp: device_dle: no such command in this QEMU; "
                   "did you mean 'device_del'?\n");
  run_clear (&run);
}

static void
test_list (Fixture *f, gconstpointer data)
{
  Run run = { 0 };
  g_auto(GStrv) lines = NULL;

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--list");
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_true (g_strv_contains ((const char * const *) lines, "device_del"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "query-status"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "qmp_capabilities"));
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    g_assert_cmpint (strcmp (lines[i - 1], lines[i]), <, 0);
  run_clear (&run);
}

static void
test_schema_cache_file (Fixture *f, gconstpointer data)
{
  g_autofree char *cache = NULL;
  g_autoptr(GDir) dir = NULL;
  Run run = { 0 };
  const char *name;
  guint files = 0;

  if (f->skipped)
    return;
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "query-status");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
  cache = g_build_filename (f->dir, "xenqmp", NULL);
  dir = g_dir_open (cache, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_true (g_str_has_prefix (name, "qmp-schema-") && g_str_has_suffix (name, ".json"));
      files++;
    }
  g_assert_cmpuint (files, ==, 1);
}

/* ---- What QEMU chose, printed: never acted on by the terminal ----------- */

static TestServer *
start_plain_script (const char *dir, const char *script, char **socket)
{
  return start_script_judged (dir, script, FALSE, socket);
}

/* Nothing in TEXT that a terminal acts on: no C0 control but the newline,
 * no DEL or C1 control, no bidi formatting, no line separator, valid
 * UTF-8. Written out here rather than shared with the tool, so that the
 * test is a second opinion. */
static void
assert_terminal_safe (const char *text)
{
  const char *end = text + strlen (text);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\n') || (c >= 0x7f && c < 0xa0) || c == 0x061c
          || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029)
        g_error ("U+%04X at byte %td of '%s'", c, p - text, text);
    }
}

/* Runs one command against a script whose only reply is REPLY (the rest
 * of an "expect" step); the tool's output in RUN. */
static void
run_against_reply (Run *run, const char *reply, const char * const *extra)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = NULL;
  g_autofree char *script = g_strdup_printf (
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", %s}\n"
    "{\"expect-close\": true}\n", reply);
  g_autoptr(TestServer) server = start_plain_script (dir, script, &socket);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "--socket");
  g_ptr_array_add (argv, socket);
  g_ptr_array_add (argv, (gpointer) "--no-validate");
  for (gsize i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, (gpointer) "query-status");
  g_ptr_array_add (argv, NULL);
  run_toolv (run, dir, NULL, (const char * const *) argv->pdata);
  assert_script_passed (server);
  test_tmpdir_remove (dir);
}

/* QEMU's error description on stderr: clear screen, carriage return,
 * backspace, a window title (OSC), CSI as a C1 control, a right-to-left
 * override, invalid escapes of our own making: each shown, none acted on. */
static void
test_hostile_error_desc (void)
{
  static const struct {
    const char *desc;      /* as JSON */
    const char *printed;
  } cases[] = {
    { "a\\u001b[2Jb", "a\\x1b[2Jb" },
    { "done\\r\\u001b[Kfailed", "done\\x0d\\x1b[Kfailed" },
    { "ok\\b\\b\\u007fno", "ok\\x08\\x08\\x7fno" },
    { "\\u001b]0;root@host\\u0007x", "\\x1b]0;root@host\\x07x" },
    { "\\u009b2J\\u009d0;t\\u009c", "\\u009b2J\\u009d0;t\\u009c" },
    { "file \\u202egnp.exe\\u2066\\u2069", "file \\u202egnp.exe\\u2066\\u2069" },
    { "two\\nlines\\u2028three", "two\\x0alines\\u2028three" },
    { "C:\\\\x1b", "C:\\\\x1b" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reply = g_strdup_printf (
        "\"error\": {\"class\": \"GenericError\", \"desc\": \"%s\"}", cases[i].desc);
      g_autofree char *expected = g_strdup_printf ("error: GenericError: %s\n",
                                                   cases[i].printed);
      Run run = { 0 };

      run_against_reply (&run, reply, NULL);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_cmpstr (run.err, ==, expected);
      run_clear (&run);
    }
}

/* JSON printed (compact and indented) stays valid JSON with the same
 * value, and what json-glib leaves raw (C1, bidi, separators) is \u-escaped,
 * in member names as in values. */
static void
test_hostile_result (void)
{
  static const char value[] =
    "{\"n\\u009bame\\u202e\": [\"\\u001b[31mred\", \"del\\u007f\", \"c1\\u0085\\u009b\","
    " \"bidi\\u202d\\u061c\\u200f\", \"sep\\u2028\\u2029\", \"ok \\u00e9\\u4e2d\"]}";
  const char *modes[] = { "--compact", "--pretty" };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *reply = g_strdup_printf ("\"return\": %s", value);
      g_autoptr(JsonNode) sent = json_from_string (value, NULL);
      g_autoptr(JsonNode) printed = NULL;
      g_autoptr(GError) error = NULL;
      Run run = { 0 };

      run_against_reply (&run, reply, (const char * const []) { modes[i], NULL });
      g_assert_cmpint (run.status, ==, 0);
      assert_terminal_safe (run.out);
      printed = json_from_string (run.out, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_equal (sent, printed));
      /* Other characters as they are. */
      g_assert_nonnull (strstr (run.out, "ok \u00e9\u4e2d"));
      run_clear (&run);
    }
}

/* --events and --shell print events and results the same way. */
static void
test_hostile_events_and_shell (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = NULL;
  g_autoptr(TestServer) server = NULL;
  g_auto(GStrv) lines = NULL;
  Run run = { 0 };

  server = start_plain_script (dir,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"event\": \"BAD\\u009b\", \"data\": {\"\\u001b]2;t\\u0007\": \"\\u202e\\u0090x\\u009c\"}}\n"
    "{\"expect-close\": true}\n"
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-qmp-schema\", \"return\": [{\"name\": \"str\", \"meta-type\": \"builtin\", \"json-type\": \"string\"}]}\n"
    "{\"expect\": \"query-status\", \"events\": [{\"event\": \"E\", \"data\": {\"s\": \"\\u2067\\u009b1m\"}}],"
    " \"return\": {\"s\": \"\\u0085\\u202b\"}}\n"
    "{\"expect\": \"stop\", \"error\": {\"class\": \"GenericError\", \"desc\": \"\\u001bc\\u009bH\"}}\n"
    "{\"expect-close\": true}\n", &socket);
  run_tool (&run, dir, NULL, "--socket", socket, "--events", "--count", "1",
            "--timeout", TOOL_TIMEOUT);
  g_assert_cmpint (run.status, ==, 0);
  assert_terminal_safe (run.out);
  g_assert_true (g_str_has_prefix (run.out, "{\"event\":\"BAD\\u009b\",\"data\":"
                                  "{\"\\u001b]2;t\\u0007\":\"\\u202e\\u0090x\\u009c\"},"));
  run_clear (&run);

  run_tool (&run, dir, "query-status\nstop\n", "--socket", socket, "--no-validate",
            "--compact", "--shell");
  g_assert_cmpint (run.status, ==, 1);
  assert_terminal_safe (run.out);
  assert_terminal_safe (run.err);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_true (g_str_has_prefix (run.out, "{\"event\":\"E\",\"data\":{\"s\":\"\\u2067\\u009b1m\"},"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "{\"s\":\"\\u0085\\u202b\"}"));
  g_assert_cmpstr (run.err, ==, "error: GenericError: \\x1bc\\u009bH\n");
  assert_script_passed (server);
  run_clear (&run);
  test_tmpdir_remove (dir);
}

/* The wire trace on stderr quotes QEMU's strings: GLib escapes controls
 * in log lines, xen-qmp the bidi overrides and separators too. */
static void
test_hostile_trace (void)
{
  Run run = { 0 };

  /* The launcher passes the test's environment on. */
  g_setenv ("G_MESSAGES_DEBUG", "XenQmp", TRUE);
  run_against_reply (&run, "\"return\": {\"s\": \"\\u202e\\u2066\\u009b\\u001b[2J\\r\\u2028\"}", NULL);
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "received"));
  assert_terminal_safe (run.err);
  run_clear (&run);
}

/* Schema names in --list and --describe. */
static void
test_hostile_schema_names (void)
{
  static const char schema[] =
    "[{\"name\": \"good\", \"meta-type\": \"command\", \"arg-type\": \"A\", \"ret-type\": \"str\"},"
    " {\"name\": \"bad\\u009b2J\\u202e\", \"meta-type\": \"command\", \"arg-type\": \"A\", \"ret-type\": \"str\"},"
    " {\"name\": \"A\", \"meta-type\": \"object\", \"members\": ["
    "   {\"name\": \"m\\u009b31m\", \"type\": \"E\"}, {\"name\": \"x\\u202e\\u2028\", \"type\": \"str\"}]},"
    " {\"name\": \"E\", \"meta-type\": \"enum\", \"values\": [\"v\\u009d0;t\\u009c\", \"w\\u2066\"]},"
    " {\"name\": \"str\", \"meta-type\": \"builtin\", \"json-type\": \"string\"}]";
  const char *modes[][3] = { { "--list", NULL }, { "--describe", "good" } };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *dir = test_tmpdir_new ();
      g_autofree char *socket = NULL;
      g_autofree char *script = g_strdup_printf (
        "{\"expect\": \"qmp_capabilities\"}\n"
        "{\"expect\": \"query-qmp-schema\", \"return\": %s}\n"
        "{\"expect-close\": true}\n", schema);
      g_autoptr(TestServer) server = start_plain_script (dir, script, &socket);
      Run run = { 0 };

      run_tool (&run, dir, NULL, "--socket", socket, modes[i][0], modes[i][1]);
      g_assert_cmpint (run.status, ==, 0);
      assert_terminal_safe (run.out);
      if (i == 0)
        g_assert_cmpstr (run.out, ==, "bad\\u009b2J\\u202e\ngood\n");
      else
        {
          g_assert_nonnull (strstr (run.out, "m\\u009b31m"));
          g_assert_nonnull (strstr (run.out, "x\\u202e\\u2028"));
          g_assert_nonnull (strstr (run.out, "v\\u009d0;t\\u009c"));
        }
      assert_script_passed (server);
      run_clear (&run);
      test_tmpdir_remove (dir);
    }
}

/* A schema with a C0 control in a name (an escape sequence, a newline
 * that would forge a line of --describe) is refused whole by the
 * library: xen-qmp says so rather than print any of it. */
static void
test_hostile_schema_control_characters (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = NULL;
  g_autoptr(TestServer) server = start_plain_script (dir,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-qmp-schema\", \"return\": [{\"name\": \"bad\\u001b[2J\\nfake line\", "
    "\"meta-type\": \"builtin\", \"json-type\": \"int\"}]}\n"
    "{\"expect-close\": true}\n", &socket);
  Run run = { 0 };

  run_tool (&run, dir, NULL, "--socket", socket, "--list", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "control character (0x1b)"));
  assert_terminal_safe (run.err);
  assert_script_passed (server);
  run_clear (&run);
  test_tmpdir_remove (dir);
}

/* ---- --args-file: arguments out of the process list ---------------------- */

/* Events that come while the shell connects and fetches the schema are
 * printed, before the first prompt; so is the SHUTDOWN that explains why
 * the connection then closed. */
static void
test_shell_early_events (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = NULL;
  g_autoptr(TestServer) server = NULL;
  g_auto(GStrv) lines = NULL;
  Run run = { 0 };

  server = start_plain_script (dir,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"event\": \"EARLY\", \"data\": {\"n\": 1}}\n"
    "{\"expect\": \"query-qmp-schema\", \"events\": [{\"event\": \"DURING\"}],"
    " \"return\": [{\"name\": \"str\", \"meta-type\": \"builtin\", \"json-type\": \"string\"}]}\n"
    "{\"expect-close\": true}\n"
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-qmp-schema\", \"swallow\": true}\n"
    "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}\n"
    "{\"disconnect\": true}\n", &socket);
  run_tool (&run, dir, "", "--socket", socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  assert_matches (lines[0], "\\A\\{\"event\":\"EARLY\",\"data\":\\{\"n\":1\\},");
  assert_matches (lines[1], "\\A\\{\"event\":\"DURING\",");
  run_clear (&run);
  g_clear_pointer (&lines, g_strfreev);

  run_tool (&run, dir, "", "--socket", socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 2);
  assert_matches (run.out, "\\A\\{\"event\":\"SHUTDOWN\",\"data\":\\{\"guest\":true,"
                  "\"reason\":\"guest-shutdown\"\\},[^\n]*\n\\z");
  assert_matches (run.err, "QEMU closed the connection\n\\z");
  assert_script_passed (server);
  run_clear (&run);
  test_tmpdir_remove (dir);
}

/* The same set_password, from a file and from stdin: QEMU gets the
 * password, the command line never holds it. */
static void
test_args_file (void)
{
  static const char arguments[] = "{\"protocol\": \"vnc\",\n \"password\": \"hunter2\"}\n";
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = NULL;
  g_autofree char *file = g_build_filename (dir, "args.json", NULL);
  g_autoptr(TestServer) server = NULL;
  const char *sources[] = { file, "-" };

  g_assert_true (g_file_set_contents (file, arguments, -1, NULL));
  server = start_plain_script (dir,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"set_password\", \"args\": {\"protocol\": \"vnc\", \"password\": \"hunter2\"}}\n"
    "{\"expect-close\": true}\n"
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"set_password\", \"args\": {\"protocol\": \"vnc\", \"password\": \"hunter2\"}}\n"
    "{\"expect-close\": true}\n", &socket);
  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      Run run = { 0 };

      run_tool (&run, dir, i == 1 ? arguments : NULL, "--socket", socket, "--no-validate",
                "--compact", "--args-file", sources[i], "set_password");
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpstr (run.out, ==, "{}\n");
      g_assert_cmpstr (run.err, ==, "");
      run_clear (&run);
    }
  assert_script_passed (server);
  test_tmpdir_remove (dir);
}

/* What is refused before anything is sent, without quoting the file. */
static void
test_args_file_refused (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *big = g_strnfill (1024 * 1024, ' ');
  static const struct {
    const char *input;
    const char *words[3];
    const char *err;
  } cases[] = {
    { "{\"password\": \"hunter2\" x}", { NULL }, "standard input: the arguments are not one JSON object (at byte 23)" },
    { "password=hunter2", { NULL }, "standard input: the arguments are not one JSON object (at byte 0)" },
    { "[\"hunter2\"]", { NULL }, "standard input: the arguments are not one JSON object\n" },
    { "", { NULL }, "standard input: the arguments are not one JSON object (at byte 0)" },
    { "{}", { "password=hunter2", NULL }, "arguments come from --args-file or the command line, not both" },
    { NULL, { NULL }, "standard input is larger than 1048576 bytes" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *input = cases[i].input != NULL ? g_strdup (cases[i].input)
                                                      : g_strconcat ("{}", big, NULL);
      const char *argv[] = { "--socket", "/nonexistent/qmp.sock", "--args-file", "-",
                             "set_password", cases[i].words[0], NULL };
      Run run = { 0 };

      run_toolv (&run, dir, input, argv);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_nonnull (strstr (run.err, cases[i].err));
      g_assert_null (strstr (run.err, "hunter2"));
      run_clear (&run);
    }
  {
    Run run = { 0 };

    run_tool (&run, dir, "{}", "--socket", "/nonexistent/qmp.sock", "--args-file", "-", "--events");
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--args-file goes with a COMMAND"));
    run_clear (&run);
  }
  test_tmpdir_remove (dir);
}

/* ---- schema trust: another QEMU's schema never speaks for this one ---- */

/* A fake-qemu on NAME in F's directory claiming the fixture's build (the
 * default greeting: 7.2.0, "fake-qemu") with QEMU 7.2's schema less
 * device_del. */
static TestServer *
start_hostile_fake (Fixture *f, const char *name)
{
  g_autofree char *socket = g_build_filename (f->dir, name, NULL);
  g_autofree char *schema = g_build_filename (f->dir, "hostile-schema.json", NULL);
  g_autofree char *honest = schema_path ();
  g_autofree char *text = NULL;
  const char *args[] = { "--schema", schema, NULL };
  g_autoptr(GError) error = NULL;
  TestServer *server;
  char *entity, *end;

  /* A command's entity holds no object: it ends at the first brace. */
  g_assert_true (g_file_get_contents (honest, &text, NULL, NULL));
  entity = strstr (text, "{\"name\":\"device_del\",");
  g_assert_nonnull (entity);
  end = strchr (entity, '}');
  g_assert_true (end[1] == ',');
  memmove (entity, end + 2, strlen (end + 2) + 1);
  g_assert_null (strstr (text, "\"device_del\""));
  g_assert_true (g_file_set_contents (schema, text, -1, NULL));
  server = test_server_start_fake (socket, args, &error);
  g_assert_no_error (error);
  return server;
}

static void
test_hostile_build_in_disk_cache (Fixture *f, gconstpointer data)
{
  g_autofree char *hostile_socket = g_build_filename (f->dir, "hostile", NULL);
  g_autoptr(TestServer) hostile = start_hostile_fake (f, "hostile");
  g_auto(GStrv) lines = NULL;
  Run run = { 0 };

  /* The hostile QEMU's schema goes into the cache first. */
  run_tool (&run, f->dir, NULL, "--socket", hostile_socket, "--timeout", TOOL_TIMEOUT,
            "device_del", "id=nodev");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.err, ==, "xen-qmp: device_del: no such command in this QEMU; "
                   "did you mean 'device_add'?\n");
  run_clear (&run);

  /* The honest QEMU, same build: its commands, description and list are
   * its own. */
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--timeout", TOOL_TIMEOUT,
            "device_del", "id=nodev");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==, "error: DeviceNotFound: Device 'nodev' not found\n");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", hostile_socket, "--timeout", TOOL_TIMEOUT,
            "query-status");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--describe", "device_del");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "device_del\narguments:\n  id: str\nreturns: nothing\n");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", hostile_socket, "query-status");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--list");
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_true (g_strv_contains ((const char * const *) lines, "device_del"));
  run_clear (&run);
}

/* A FIFO where the cache file was: opened without blocking, ignored. */
static void
test_disk_cache_fifo (Fixture *f, gconstpointer data)
{
  g_autofree char *cache = g_build_filename (f->dir, "xenqmp", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *file = NULL;
  Run run = { 0 };

  run_tool (&run, f->dir, NULL, "--socket", f->socket, "query-status");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
  dir = g_dir_open (cache, 0, NULL);
  g_assert_nonnull (dir);
  file = g_build_filename (cache, g_dir_read_name (dir), NULL);
  g_assert_no_errno (g_unlink (file));
  g_assert_no_errno (mkfifo (file, 0600));
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--timeout", "10",
            "device_del", "id=nodev");
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==, "error: DeviceNotFound: Device 'nodev' not found\n");
  run_clear (&run);
  /* Saved again, as a regular file in the FIFO's place. */
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
}

/* A QEMU without query-qmp-schema (older than 2.5) still gets commands,
 * unchecked, with a word on stderr. */
static void
test_no_schema_sent_unchecked (void)
{
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *socket = g_build_filename (dir, "qmp", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TestServer) server = test_server_start_fake (socket, NULL, &error);
  Run run = { 0 };

  g_assert_no_error (error);
  run_tool (&run, dir, NULL, "--socket", socket, "query-status");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "xen-qmp: this QEMU does not describe its commands "
                   "(no query-qmp-schema): they are sent unchecked\n");
  assert_matches (run.out, "\"status\"");
  run_clear (&run);
  g_clear_pointer (&server, test_server_stop);
  test_tmpdir_remove (dir);
}


/* ---- files through fdsets (--fd-read, --fd-write, --fd-rw) -------------- */

/* libxl's save (Xen 4.17 libxl_qmp.c libxl__qmp_suspend_save): stop,
 * then the state into a file the tool creates, write-only, 0600, through
 * an fdset; an older, longer file is truncated. --socket and --domain. */
static void
test_fd_write_save (Fixture *f, gconstpointer data)
{
  g_autofree char *state = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *big = g_malloc0 (1 << 20);
  GStatBuf st;
  gsize len;
  Run run = { 0 };

  if (f->skipped)
    return;
  state = g_build_filename (f->dir, "qemu-save.7", NULL);
  g_assert_true (g_file_set_contents (state, big, 1 << 20, NULL));
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "stop");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd-write", state,
            "xen-save-devices-state", "filename=@fd", "live=false");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "{}\n");
  run_clear (&run);
  g_assert_true (g_file_get_contents (state, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 0);
  g_assert_cmpuint (len, <, 1 << 20);
  g_clear_pointer (&contents, g_free);
  g_unlink (state);

  run_tool (&run, f->dir, NULL, "--run-dir", f->dir, "--domain", "7", "--fd-write", state,
            "xen-save-devices-state", "filename=@fd0", "live=false");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
  g_assert_cmpint (g_stat (state, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, >, 0);
  if (f->backend == BACKEND_QEMU)
    {
      g_assert_true (g_file_get_contents (state, &contents, &len, NULL));
      g_assert_cmpmem (contents, 4, "QEVM", 4);
    }
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "cont");
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
}

/* The fd options' usage: each goes with a command, --fd does not mix
 * with the fdset ones, every file is named by a placeholder. Refused
 * with exit status 2, nothing sent. */
static void
test_fd_options_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *file = NULL;
  Run run = { 0 };

  if (f->skipped)
    return;
  file = g_build_filename (f->dir, "file", NULL);
  g_assert_true (g_file_set_contents (file, "data", -1, NULL));
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd-read", file, "--events");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "go with a COMMAND"));
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd", file, "--fd-read", file,
            "query-status");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "one kind per command"));
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "--fd-read", file, "--fd-read", file,
            "xen-save-devices-state", "filename=@fd");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "no argument names file descriptor 1"));
  run_clear (&run);
}

/* A `pc` with an empty ide-cd drive (cd0dev), as an HVM guest's QEMU. */
static void
fixture_set_up_qemu_pc (Fixture *f, gconstpointer data)
{
  static const char * const args[] = {
    "-drive", "if=none,id=cd0,media=cdrom", "-device", "ide-cd,drive=cd0,id=cd0dev", NULL
  };
  g_autoptr(GError) error = NULL;

  f->backend = BACKEND_QEMU;
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp-libxl-7", NULL);
  f->server = test_server_start_qemu_machine (f->socket, "pc", args, &error);
  if (f->server == NULL && error == NULL)
    {
      g_test_skip ("no qemu-system-x86_64 (set QEMU_SYSTEM)");
      f->skipped = TRUE;
      return;
    }
  g_assert_no_error (error);
}

/* libxl's CD insert (Xen 4.17 libxl_disk.c cdrom_insert_addfd_cb) in one
 * line: the image read-only through an fdset; afterwards the fdset holds
 * only QEMU's own dup for the drive. */
static void
test_fd_read_cd_insert (Fixture *f, gconstpointer data)
{
  g_autofree char *iso = NULL;
  g_autofree char *zeros = g_malloc0 (32768);
  Run run = { 0 };

  if (f->skipped)
    return;
  iso = g_build_filename (f->dir, "cd.iso", NULL);
  g_assert_true (g_file_set_contents (iso, zeros, 32768, NULL));
  g_assert_cmpint (g_chmod (iso, 0400), ==, 0);
  run_tool (&run, f->dir, NULL, "--run-dir", f->dir, "--domain", "7", "--fd-read", iso,
            "blockdev-change-medium", "id=cd0dev", "filename=@fd", "read-only-mode=read-only");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "{}\n");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "query-block");
  assert_matches (run.out, "\"file\":\"/dev/fdset/0\"");
  assert_matches (run.out, "\"ro\":true");
  run_clear (&run);
  run_tool (&run, f->dir, NULL, "--socket", f->socket, "query-fdsets");
  g_assert_cmpstr (run.out, ==, "[{\"fds\":[],\"fdset-id\":0}]\n");
  run_clear (&run);
}

/* The same options per command in the shell, file names quoted as in a
 * shell; a bad fd option fails its line only. */
static void
test_shell_fd_options (Fixture *f, gconstpointer data)
{
  g_autofree char *iso = NULL;
  g_autofree char *state = NULL;
  g_autofree char *input = NULL;
  g_autofree char *zeros = g_malloc0 (32768);
  Run run = { 0 };

  if (f->skipped)
    return;
  iso = g_build_filename (f->dir, "cd.iso", NULL);
  state = g_build_filename (f->dir, "save state", NULL);
  g_assert_true (g_file_set_contents (iso, zeros, 32768, NULL));
  input = g_strdup_printf ("--fd-read %s blockdev-change-medium id=cd0dev filename=@fd"
                           " read-only-mode=read-only\n"
                           "--fd-write '%s' xen-save-devices-state filename=@fd live=false\n"
                           "--fd-bogus x query-status\n"
                           "query-fdsets\n", iso, state);
  run_tool (&run, f->dir, input, "--socket", f->socket, "--timeout", TOOL_TIMEOUT, "--shell");
  g_assert_cmpint (run.status, ==, 2);
  assert_matches (run.err, "unknown option --fd-bogus");
  assert_matches (run.out, "^\\[\\{\"fds\":\\[\\],\"fdset-id\":0\\}\\]$");
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_REGULAR));
  run_clear (&run);
}

static void
add_backend_test (const char *name, Backend backend,
                  void (*test) (Fixture *, gconstpointer))
{
  TEST_BACKEND_ADD ("/xen-qmp", name, backend, Fixture, fixture_set_up, test, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (Backend b = BACKEND_FAKE; b <= BACKEND_QEMU; b++)
    {
      add_backend_test ("result-compact", b, test_result_compact);
      add_backend_test ("result-pretty", b, test_result_pretty);
      add_backend_test ("qmp-error", b, test_qmp_error);
      add_backend_test ("domain-run-dir", b, test_domain_run_dir);
      add_backend_test ("key-value-arguments", b, test_key_value_arguments);
      add_backend_test ("key-value-string-by-schema", b, test_key_value_string_by_schema);
      add_backend_test ("suggest-across-names", b, test_suggest_across_names);
      add_backend_test ("json-object-argument", b, test_json_object_argument);
      add_backend_test ("fd-getfd-closefd", b, test_fd_getfd_closefd);
      add_backend_test ("fd-missing-file", b, test_fd_missing_file);
      add_backend_test ("fd-write-save", b, test_fd_write_save);
      add_backend_test ("fd-options-refused", b, test_fd_options_refused);
      add_backend_test ("timeout", b, test_timeout);
      add_backend_test ("timeout-socket-busy", b, test_timeout_socket_busy);
      add_backend_test ("shell-stdin", b, test_shell_stdin);
      add_backend_test ("shell-errors-continue", b, test_shell_errors_continue);
      add_backend_test ("shell-quit-leaves", b, test_shell_quit_leaves);
      add_backend_test ("shell-terminal", b, test_shell_terminal);
      add_backend_test ("shell-prompt-names-domain", b, test_shell_prompt_names_domain);
      add_backend_test ("events-until-shutdown", b, test_events_until_shutdown);
      add_backend_test ("events-timeout", b, test_events_timeout);
      add_backend_test ("validate-before-sending", b, test_validate_before_sending);
      add_backend_test ("no-validate", b, test_no_validate);
      add_backend_test ("describe", b, test_describe);
      add_backend_test ("list", b, test_list);
      add_backend_test ("schema-cache-file", b, test_schema_cache_file);
    }
  g_test_add ("/xen-qmp/fake/hostile-build-in-disk-cache", Fixture,
              GINT_TO_POINTER (BACKEND_FAKE), fixture_set_up,
              test_hostile_build_in_disk_cache, fixture_tear_down);
  g_test_add ("/xen-qmp/fake/disk-cache-fifo", Fixture, GINT_TO_POINTER (BACKEND_FAKE),
              fixture_set_up, test_disk_cache_fifo, fixture_tear_down);
  g_test_add_func ("/xen-qmp/no-schema-sent-unchecked", test_no_schema_sent_unchecked);
  g_test_add ("/xen-qmp/qemu-pc/fd-read-cd-insert", Fixture, NULL,
              fixture_set_up_qemu_pc, test_fd_read_cd_insert, fixture_tear_down);
  g_test_add ("/xen-qmp/qemu-pc/shell-fd-options", Fixture, NULL,
              fixture_set_up_qemu_pc, test_shell_fd_options, fixture_tear_down);
  g_test_add_func ("/xen-qmp/no-socket", test_no_socket);
  g_test_add_func ("/xen-qmp/bad-usage", test_bad_usage);
  g_test_add_func ("/xen-qmp/help-and-version", test_help_and_version);
  g_test_add_func ("/xen-qmp/script/events-count", test_events_count);
  g_test_add_func ("/xen-qmp/script/command-timeout", test_command_timeout);
  g_test_add_func ("/xen-qmp/script/shell-early-events", test_shell_early_events);
  g_test_add_func ("/xen-qmp/args-file", test_args_file);
  g_test_add_func ("/xen-qmp/args-file-refused", test_args_file_refused);
  g_test_add_func ("/xen-qmp/hostile/error-desc", test_hostile_error_desc);
  g_test_add_func ("/xen-qmp/hostile/result", test_hostile_result);
  g_test_add_func ("/xen-qmp/hostile/events-and-shell", test_hostile_events_and_shell);
  g_test_add_func ("/xen-qmp/hostile/schema-names", test_hostile_schema_names);
  g_test_add_func ("/xen-qmp/hostile/schema-control-characters", test_hostile_schema_control_characters);
  g_test_add_func ("/xen-qmp/hostile/trace", test_hostile_trace);

  return g_test_run ();
}
