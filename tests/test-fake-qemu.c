/* test-fake-qemu.c: fake-qemu itself, driven over a raw unix socket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No libxenqmp here: these tests check that the fake plays an idle QEMU
 * 7.2 byte for byte (the expected texts were recorded from a real QEMU
 * 7.2, see fake-qemu/README.md), that it really receives, keeps and closes
 * the descriptors it is sent, and that it serves one client at a time.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "test-fake-qemu-client.h"
#include "test-server.h"

#define RUNNING \
  "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}"
#define PAUSED \
  "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}"
#define NEED_NEGOTIATION \
  "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": " \
  "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}"
/* QEMU's limit on the depth of {} and [] together. */
#define QEMU_NESTING_MAX 1024

/* ---- descriptors ------------------------------------------------------- */

typedef struct {
  int read_end;
  int write_end;
} Pipe;

static Pipe
pipe_new (void)
{
  int fds[2];
  Pipe p;

  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
  p.read_end = fds[0];
  p.write_end = fds[1];
  return p;
}

/* Once the write end has been sent: from now on only the fake holds it. */
static void
pipe_forget_write_end (Pipe *p)
{
  close (p->write_end);
  p->write_end = -1;
}

/* Whether every copy of the write end is closed (the fake closed its
 * own), waiting up to TIMEOUT_MS. */
static gboolean
pipe_writer_closed (Pipe *p, int timeout_ms)
{
  struct pollfd pfd = { p->read_end, POLLIN, 0 };
  char c;

  if (poll (&pfd, 1, timeout_ms) <= 0)
    return FALSE;
  return read (p->read_end, &c, 1) == 0;
}

static void
pipe_close (Pipe *p)
{
  if (p->read_end >= 0)
    close (p->read_end);
  if (p->write_end >= 0)
    close (p->write_end);
}

static guint
count_fds_of (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Waits for the fake's descriptor count to reach EXPECTED: closing is
 * done by the time a reply is read, but give a loaded machine slack. */
static void
assert_fds_of (pid_t pid, guint expected)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (count_fds_of (pid) != expected && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpuint (count_fds_of (pid), ==, expected);
}

/* ---- fixture: one fake in a private directory ------------------------- */

typedef struct {
  char       *dir;
  char       *path;
  TestServer *server;
} Fixture;

static char *
fixture_path (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
fixture_start (Fixture *f, const char * const *extra_args)
{
  g_autoptr(GError) error = NULL;

  f->server = test_server_start_fake (f->path, extra_args, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
}

static void
fixture_setup_idle (Fixture *f, gconstpointer data)
{
  f->dir = test_tmpdir_new ();
  f->path = fixture_path (f, "qmp.sock");
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_idle (f, data);
  fixture_start (f, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_server_stop (f->server);
  test_tmpdir_remove (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static pid_t
fixture_pid (Fixture *f)
{
  return test_server_get_pid (f->server);
}

static void
assert_exits_successfully (TestServer *server)
{
  int status = test_server_wait (server, REPLY_TIMEOUT_MS);

  g_assert_cmpint (status, !=, -1);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* ---- greeting and negotiation ----------------------------------------- */

static void
test_greeting_offers_oob (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect (f->path);

  /* Whole bytes: QEMU ends each message with "\r\n". */
  g_assert_true (client_fill (c, REPLY_TIMEOUT_MS));
  while (strstr (c->in->str, "\r\n") == NULL)
    g_assert_true (client_fill (c, REPLY_TIMEOUT_MS));
  g_assert_cmpstr (c->in->str, ==, GREETING "\r\n");
}

static void
test_greeting_no_oob (Fixture *f, gconstpointer data)
{
  const char * const args[] = { "--no-oob", NULL };
  g_autoptr(Client) c = NULL;

  fixture_start (f, args);
  c = client_connect (f->path);
  client_expect (c, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
                    "\"major\": 7}, \"package\": \"fake-qemu\"}, \"capabilities\": []}}");
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}",
                GENERIC ("Capability oob not available"));
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\", \"oob\"]}}",
                GENERIC ("Capability oob, oob not available"));
  /* A refused negotiation leaves the client negotiating. */
  client_check (c, "{\"execute\": \"query-status\"}", NEED_NEGOTIATION);
  client_check (c, "{\"execute\": \"qmp_capabilities\"}", EMPTY);
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

static void
test_negotiation_required (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect (f->path);

  client_expect (c, GREETING);
  client_check (c, "{\"execute\": \"query-status\"}", NEED_NEGOTIATION);
  client_check (c, "{\"execute\": \"query-status\", \"id\": 5}",
                "{\"id\": 5, \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}");
  client_check (c, "{\"execute\": \"no-such-command\"}", NEED_NEGOTIATION);
  /* stop did not run: no STOP event, still running afterwards. */
  client_check (c, "{\"execute\": \"stop\"}", NEED_NEGOTIATION);
  /* Envelope errors come before the negotiation check, as in QEMU. */
  client_check (c, "{\"exec-oob\": \"query-status\"}",
                GENERIC ("QMP input member 'exec-oob' is unexpected"));
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"id\": 1}", "{\"return\": {}, \"id\": 1}");
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

static void
test_negotiation_only_once (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_check (c, "{\"execute\": \"qmp_capabilities\", \"id\": \"x\"}",
                "{\"id\": \"x\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"Capabilities negotiation is already complete, command ignored\"}}");
  /* Arguments are checked first. */
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"foo\"]}}",
                GENERIC ("Parameter 'null' does not accept value 'foo'"));
}

static void
test_negotiation_enable_oob (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect (f->path);

  client_expect (c, GREETING);
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}", EMPTY);
  client_check (c, "{\"exec-oob\": \"query-status\", \"id\": 3}",
                "{\"id\": 3, \"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"The command query-status does not support OOB\"}}");
  client_check (c, "{\"exec-oob\": \"nosuch\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"The command nosuch has not been found\"}}");
  client_check (c, "{\"exec-oob\": 1}", GENERIC ("QMP input member 'exec-oob' must be a string"));
  client_check (c, "{\"execute\": \"query-status\", \"exec-oob\": \"query-status\"}",
                GENERIC ("QMP input member 'execute' clashes with 'exec-oob'"));
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

static void
test_negotiation_bad_arguments (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect (f->path);

  client_expect (c, GREETING);
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"foo\"]}}",
                GENERIC ("Parameter 'null' does not accept value 'foo'"));
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}}",
                GENERIC ("Invalid parameter type for 'enable', expected: array"));
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\", 7]}}",
                GENERIC ("Invalid parameter type for 'enable[1]', expected: string"));
  client_check (c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"bogus\": 1}}",
                GENERIC ("Parameter 'bogus' is unexpected"));
  client_check (c, "{\"execute\": \"query-status\"}", NEED_NEGOTIATION);
}

/* ---- ids and the stream ----------------------------------------------- */

static void
test_id_echoed (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *sent;
    const char *echoed;
  } ids[] = {
    { "42", "42" },
    { "-7", "-7" },
    { "\"abc\"", "\"abc\"" },
    { "null", "null" },
    { "[true, false, null, {}]", "[true, false, null, {}]" },
    /* QEMU prints members in its hash table's order... */
    { "{\"a\": 1, \"b\": 2, \"c\": 3, \"zz\": 4, \"execute\": 5, \"id\": 6}",
      "{\"a\": 1, \"execute\": 5, \"zz\": 4, \"b\": 2, \"c\": 3, \"id\": 6}" },
    { "{\"tag\": [1, {\"x\": \"y\"}]}", "{\"tag\": [1, {\"x\": \"y\"}]}" },
    /* ...numbers with %.17g... */
    { "0.1", "0.10000000000000001" },
    { "1e3", "1000" },
    { "-0.0", "-0" },
    /* ...and non-ASCII as \u escapes. */
    { "\"\\u00e9\\n/\\ud83d\\ude00\"", "\"\\u00E9\\n/\\uD83D\\uDE00\"" },
    { "\"\xc3\xa9\"", "\"\\u00E9\"" },
    { "'single \"quoted\"'", "\"single \\\"quoted\\\"\"" },
  };
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *cmd = g_strdup_printf ("{\"execute\": \"query-version\", \"id\": %s}", ids[i].sent);
      g_autofree char *ok = g_strdup_printf (
        "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
        "\"package\": \"fake-qemu\"}, \"id\": %s}", ids[i].echoed);
      g_autofree char *bad = g_strdup_printf ("{\"execute\": \"nosuch\", \"id\": %s}", ids[i].sent);
      g_autofree char *error = g_strdup_printf (
        "{\"id\": %s, \"error\": {\"class\": \"CommandNotFound\", "
        "\"desc\": \"The command nosuch has not been found\"}}", ids[i].echoed);

      client_check (c, cmd, ok);
      client_check (c, bad, error);
    }
}

static void
test_stream_no_newline (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect (f->path);

  client_expect (c, GREETING);
  client_check (c, "{\"execute\":\"qmp_capabilities\"}", EMPTY);
  client_check (c, "{\"execute\":\"query-status\"}", RUNNING);
  /* A top-level number ends only with the next byte. */
  client_send (c, "123");
  client_expect_quiet (c, QUIET_MS);
  client_send (c, "\n");
  client_expect (c, GENERIC ("QMP input must be a JSON object"));
}

static void
test_stream_split_every_byte (Fixture *f, gconstpointer data)
{
  const char *cmd = "{ \"execute\" : \"query-status\", \"id\" : [\"a\\\"b\", 1.5] }";
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  gsize len = strlen (cmd);

  for (gsize i = 0; i < len; i++)
    {
      client_send_len (c, cmd + i, 1);
      /* Give the fake the chance to read every byte on its own. */
      g_usleep (2000);
      if (i + 1 < len)
        client_expect_quiet (c, 0);
    }
  client_expect (c, "{\"return\": {\"status\": \"running\", \"singlestep\": false, "
                    "\"running\": true}, \"id\": [\"a\\\"b\", 1.5]}");
}

static void
test_stream_several_per_write (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_send (c, "{\"execute\":\"query-status\",\"id\":1}{\"execute\":\"stop\",\"id\":2}\n"
                  "{\"execute\":\"query-status\",\"id\":3} {\"execute\":\"cont\",\"id\":4}");
  client_expect (c, "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 1}");
  {
    g_autofree char *event = client_read (c);
    assert_event (event, "STOP", NULL);
  }
  client_expect (c, "{\"return\": {}, \"id\": 2}");
  client_expect (c, "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}, \"id\": 3}");
  {
    g_autofree char *event = client_read (c);
    assert_event (event, "RESUME", NULL);
  }
  client_expect (c, "{\"return\": {}, \"id\": 4}");
}

static void
test_stream_large_value (Fixture *f, gconstpointer data)
{
  /* Bigger than QEMU's query-qmp-schema reply. */
  gsize size = 512 * 1024;
  g_autofree char *blob = g_malloc (size + 1);
  g_autofree char *cmd = NULL;
  g_autofree char *line = NULL;
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  memset (blob, 'x', size);
  blob[size] = '\0';
  cmd = g_strdup_printf ("{\"execute\": \"query-status\", \"id\": \"%s\"}", blob);
  client_send (c, cmd);
  line = client_read (c);
  g_assert_cmpuint (strlen (line), ==, size + strlen (RUNNING) + strlen (", \"id\": \"\""));
  g_assert_true (g_str_has_prefix (line, "{\"return\": {\"status\": \"running\", "
                                         "\"singlestep\": false, \"running\": true}, \"id\": \"xxxx"));
  g_assert_true (g_str_has_suffix (line, "xxxx\"}"));
}

/* ---- the built-in commands --------------------------------------------- */

static void
test_builtin_query_version (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_check (c, "{\"execute\": \"query-version\"}",
                "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                "\"package\": \"fake-qemu\"}}");
  client_check (c, "{\"execute\": \"query-version\", \"arguments\": {}}",
                "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                "\"package\": \"fake-qemu\"}}");
}

static void
test_builtin_stop_cont (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);

  /* QEMU sends the event before the reply. */
  client_check_with_event (c, "{\"execute\": \"stop\", \"id\": 7}", "STOP", NULL, "{\"return\": {}, \"id\": 7}");
  client_check (c, "{\"execute\": \"query-status\"}", PAUSED);
  /* Stopping a paused VM succeeds without an event. */
  client_check (c, "{\"execute\": \"stop\"}", EMPTY);
  client_expect_quiet (c, QUIET_MS);

  client_check_with_event (c, "{\"execute\": \"cont\", \"id\": 8}", "RESUME", NULL, "{\"return\": {}, \"id\": 8}");
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
  client_check (c, "{\"execute\": \"cont\"}", EMPTY);
  client_expect_quiet (c, QUIET_MS);
}

static void
test_builtin_unknown_command (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_check (c, "{\"execute\": \"query-commands-of-the-future\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"The command query-commands-of-the-future has not been found\"}}");
  client_check (c, "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"fd:x\"}, \"id\": \"d\"}",
                "{\"id\": \"d\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"The command migrate has not been found\"}}");
}

static void
test_builtin_argument_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_check (c, "{\"execute\": \"query-status\", \"arguments\": {\"a\": 1}}",
                GENERIC ("Parameter 'a' is unexpected"));
  client_check (c, "{\"execute\": \"stop\", \"arguments\": {\"x\": null}}",
                GENERIC ("Parameter 'x' is unexpected"));
  client_check (c, "{\"execute\": \"remove-fd\"}", GENERIC ("Parameter 'fdset-id' is missing"));
  client_check (c, "{\"execute\": \"remove-fd\", \"arguments\": {\"fd\": 1}}",
                GENERIC ("Parameter 'fdset-id' is missing"));
  client_check (c, "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 0, \"fd\": \"a\"}}",
                GENERIC ("Invalid parameter type for 'fd', expected: integer"));
  client_check (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": \"x\"}}",
                GENERIC ("Invalid parameter type for 'fdset-id', expected: integer"));
  client_check (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 1.0}}",
                GENERIC ("Invalid parameter type for 'fdset-id', expected: integer"));
  client_check (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": null}}",
                GENERIC ("Invalid parameter type for 'fdset-id', expected: integer"));
  client_check (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 1, \"opaque\": 5}}",
                GENERIC ("Invalid parameter type for 'opaque', expected: string"));
  /* Members are checked before unexpected ones. */
  client_check (c, "{\"execute\": \"add-fd\", \"arguments\": {\"zzz\": 1, \"fdset-id\": \"a\"}}",
                GENERIC ("Invalid parameter type for 'fdset-id', expected: integer"));
  client_check (c, "{\"execute\": \"getfd\"}", GENERIC ("Parameter 'fdname' is missing"));
  client_check (c, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": 5}}",
                GENERIC ("Invalid parameter type for 'fdname', expected: string"));
  client_check (c, "{\"execute\": \"closefd\"}", GENERIC ("Parameter 'fdname' is missing"));
}

static void
test_builtin_quit (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autoptr(Client) waiting = NULL;

  /* A client in the backlog is refused when QEMU goes away. */
  waiting = client_connect (f->path);
  client_check_with_event (c, "{\"execute\": \"quit\", \"id\": 9}{\"execute\": \"query-status\"}",
                           "SHUTDOWN", "\\{\"guest\": false, \"reason\": \"host-qmp-quit\"\\}",
                           "{\"return\": {}, \"id\": 9}");
  /* Nothing after quit is answered: the connection just ends. */
  g_assert_true (client_wait_eof (c, REPLY_TIMEOUT_MS));
  g_assert_cmpuint (c->in->len, ==, 0);
  g_assert_true (client_wait_eof (waiting, REPLY_TIMEOUT_MS));
  g_assert_cmpuint (waiting->in->len, ==, 0);

  /* The only domain quit: the process exits 0 and its socket is gone. */
  assert_exits_successfully (f->server);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* ---- descriptors ------------------------------------------------------- */

static void
test_fds_add_query_remove (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  guint baseline = count_fds_of (fixture_pid (f));
  Pipe p = pipe_new ();
  int fd = p.write_end;
  g_autofree char *reply = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *cmd = NULL;
  int fake_fd;

  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"opaque\": \"disk\"}, \"id\": 1}", &fd, 1);
  pipe_forget_write_end (&p);
  reply = client_read (c);
  g_assert_true (sscanf (reply, "{\"return\": {\"fd\": %d, \"fdset-id\": 0}, \"id\": 1}", &fake_fd) == 1);
  expected = g_strdup_printf ("{\"return\": {\"fd\": %d, \"fdset-id\": 0}, \"id\": 1}", fake_fd);
  g_assert_cmpstr (reply, ==, expected);
  assert_fds_of (fixture_pid (f), baseline + 1);
  /* The fake really holds the write end. */
  g_assert_false (pipe_writer_closed (&p, 0));

  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("{\"return\": [{\"fds\": [{\"fd\": %d, \"opaque\": \"disk\"}], "
                              "\"fdset-id\": 0}]}", fake_fd);
  client_check (c, "{\"execute\": \"query-fdsets\"}", expected);

  cmd = g_strdup_printf ("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 0, \"fd\": %d}}", fake_fd);
  client_check (c, cmd, EMPTY);
  g_assert_true (pipe_writer_closed (&p, REPLY_TIMEOUT_MS));
  client_check (c, "{\"execute\": \"query-fdsets\"}", "{\"return\": []}");
  assert_fds_of (fixture_pid (f), baseline);
  pipe_close (&p);
}

static void
test_fds_fdset_ids (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_autofree char *reply = NULL;
  int a, b, d, e;

  /* An explicit id, then the lowest free ones, listed newest set first. */
  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 3, \"opaque\": \"x\"}}", &null_fd, 1);
  reply = client_read (c);
  g_assert_true (sscanf (reply, "{\"return\": {\"fd\": %d, \"fdset-id\": 3}}", &a) == 1);
  g_clear_pointer (&reply, g_free);
  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 3}}", &null_fd, 1);
  reply = client_read (c);
  g_assert_true (sscanf (reply, "{\"return\": {\"fd\": %d, \"fdset-id\": 3}}", &b) == 1);
  g_clear_pointer (&reply, g_free);
  client_send_fds (c, "{\"execute\": \"add-fd\"}", &null_fd, 1);
  reply = client_read (c);
  g_assert_true (sscanf (reply, "{\"return\": {\"fd\": %d, \"fdset-id\": 0}}", &d) == 1);
  g_clear_pointer (&reply, g_free);
  client_send_fds (c, "{\"execute\": \"add-fd\"}", &null_fd, 1);
  reply = client_read (c);
  g_assert_true (sscanf (reply, "{\"return\": {\"fd\": %d, \"fdset-id\": 1}}", &e) == 1);
  g_clear_pointer (&reply, g_free);

  reply = g_strdup_printf ("{\"return\": [{\"fds\": [{\"fd\": %d, \"opaque\": \"x\"}, {\"fd\": %d}], \"fdset-id\": 3}, "
                           "{\"fds\": [{\"fd\": %d}], \"fdset-id\": 1}, {\"fds\": [{\"fd\": %d}], \"fdset-id\": 0}]}",
                           a, b, e, d);
  client_check (c, "{\"execute\": \"query-fdsets\"}", reply);
  /* Removing a whole set. */
  client_check (c, "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 3}}", EMPTY);
  g_clear_pointer (&reply, g_free);
  reply = g_strdup_printf ("{\"return\": [{\"fds\": [{\"fd\": %d}], \"fdset-id\": 1}, "
                           "{\"fds\": [{\"fd\": %d}], \"fdset-id\": 0}]}", e, d);
  client_check (c, "{\"execute\": \"query-fdsets\"}", reply);
  close (null_fd);
}

static void
test_fds_add_fd_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  guint baseline = count_fds_of (fixture_pid (f));
  Pipe p = pipe_new ();
  int fd = p.write_end;

  client_check (c, "{\"execute\": \"add-fd\"}", GENERIC ("No file descriptor supplied via SCM_RIGHTS"));
  client_check (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": -1}}",
                GENERIC ("No file descriptor supplied via SCM_RIGHTS"));
  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": -1}}", &fd, 1);
  pipe_forget_write_end (&p);
  client_expect (c, GENERIC ("Parameter 'fdset-id' expects a non-negative value"));
  /* The refused descriptor was closed. */
  g_assert_true (pipe_writer_closed (&p, REPLY_TIMEOUT_MS));
  client_check (c, "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 99}}",
                GENERIC ("File descriptor named 'fdset-id:99' not found"));
  client_check (c, "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 99, \"fd\": 999}}",
                GENERIC ("File descriptor named 'fdset-id:99, fd:999' not found"));
  client_check (c, "{\"execute\": \"query-fdsets\"}", "{\"return\": []}");
  assert_fds_of (fixture_pid (f), baseline);
  pipe_close (&p);
}

static void
test_fds_unused_are_closed (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  guint baseline = count_fds_of (fixture_pid (f));
  Pipe p = pipe_new ();
  Pipe q = pipe_new ();
  int two[2] = { p.write_end, q.write_end };

  /* A command that takes no descriptor. */
  client_send_fds (c, "{\"execute\": \"query-status\"}", &p.write_end, 1);
  pipe_forget_write_end (&p);
  client_expect (c, RUNNING);
  g_assert_true (pipe_writer_closed (&p, REPLY_TIMEOUT_MS));
  pipe_close (&p);

  /* add-fd takes one descriptor: the first; the others are closed. */
  p = pipe_new ();
  two[0] = p.write_end;
  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 2}}", two, 2);
  pipe_forget_write_end (&p);
  pipe_forget_write_end (&q);
  {
    g_autofree char *reply = client_read (c);
    g_assert_true (g_str_has_suffix (reply, ", \"fdset-id\": 2}}"));
  }
  g_assert_true (pipe_writer_closed (&q, REPLY_TIMEOUT_MS));
  g_assert_false (pipe_writer_closed (&p, 0));
  assert_fds_of (fixture_pid (f), baseline + 1);

  /* A descriptor sent with malformed input goes too. */
  pipe_close (&q);
  q = pipe_new ();
  client_send_fds (c, "[\"not a command\"]", &q.write_end, 1);
  pipe_forget_write_end (&q);
  client_expect (c, GENERIC ("QMP input must be a JSON object"));
  g_assert_true (pipe_writer_closed (&q, REPLY_TIMEOUT_MS));
  assert_fds_of (fixture_pid (f), baseline + 1);
  pipe_close (&p);
  pipe_close (&q);
}

/* Descriptors belong to the command they were sent with, even when the
 * fake reads that command together with the one before. */
static void
test_fds_belong_to_their_command (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  test_server_pause (f->server);
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}");
  client_send_fds (c, "{\"execute\": \"add-fd\", \"id\": 2}", &null_fd, 1);
  test_server_resume (f->server);
  client_expect (c, "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 1}");
  {
    g_autofree char *reply = client_read (c);
    g_assert_true (g_str_has_prefix (reply, "{\"return\": {\"fd\": "));
    g_assert_true (g_str_has_suffix (reply, ", \"fdset-id\": 0}, \"id\": 2}"));
  }

  /* And not to the next one. */
  test_server_pause (f->server);
  client_send_fds (c, "{\"execute\": \"query-status\", \"id\": 3}", &null_fd, 1);
  client_send (c, "{\"execute\": \"add-fd\", \"id\": 4}");
  test_server_resume (f->server);
  client_expect (c, "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 3}");
  client_expect (c, "{\"id\": 4, \"error\": {\"class\": \"GenericError\", "
                    "\"desc\": \"No file descriptor supplied via SCM_RIGHTS\"}}");
  close (null_fd);
}

static void
test_fds_getfd_closefd (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  guint baseline = count_fds_of (fixture_pid (f));
  Pipe p = pipe_new ();
  Pipe q = pipe_new ();

  client_check (c, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"net0\"}}",
                GENERIC ("No file descriptor supplied via SCM_RIGHTS"));
  client_send_fds (c, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"9net\"}}", &q.write_end, 1);
  pipe_forget_write_end (&q);
  client_expect (c, GENERIC ("Parameter 'fdname' expects a name not starting with a digit"));
  g_assert_true (pipe_writer_closed (&q, REPLY_TIMEOUT_MS));
  pipe_close (&q);

  client_send_fds (c, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"net0\"}, \"id\": 1}", &p.write_end, 1);
  pipe_forget_write_end (&p);
  client_expect (c, "{\"return\": {}, \"id\": 1}");
  g_assert_false (pipe_writer_closed (&p, 0));
  assert_fds_of (fixture_pid (f), baseline + 1);

  /* The same name again replaces (and closes) the first one. */
  q = pipe_new ();
  client_send_fds (c, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"net0\"}}", &q.write_end, 1);
  pipe_forget_write_end (&q);
  client_expect (c, EMPTY);
  g_assert_true (pipe_writer_closed (&p, REPLY_TIMEOUT_MS));
  g_assert_false (pipe_writer_closed (&q, 0));

  client_check (c, "{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"net0\"}}", EMPTY);
  g_assert_true (pipe_writer_closed (&q, REPLY_TIMEOUT_MS));
  client_check (c, "{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"net0\"}}",
                GENERIC ("File descriptor named 'net0' not found"));
  assert_fds_of (fixture_pid (f), baseline);
  pipe_close (&p);
  pipe_close (&q);
}

/* Named descriptors belong to QEMU's monitor, not to the connection. */
static void
test_fds_named_survive_reconnect (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  Pipe p = pipe_new ();

  client_send_fds (c, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"keep\"}}", &p.write_end, 1);
  pipe_forget_write_end (&p);
  client_expect (c, EMPTY);
  g_clear_pointer (&c, client_free);

  c = client_connect_negotiated (f->path);
  g_assert_false (pipe_writer_closed (&p, 0));
  client_check (c, "{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"keep\"}}", EMPTY);
  g_assert_true (pipe_writer_closed (&p, REPLY_TIMEOUT_MS));
  pipe_close (&p);
}

/* QEMU 7.2 drops every fdset when its client leaves while the VM runs,
 * and keeps them while it is paused. */
static void
test_fds_fdsets_and_reconnects (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  Pipe p = pipe_new ();
  Pipe q = pipe_new ();
  g_autofree char *reply = NULL;
  g_autofree char *expected = NULL;
  int fake_fd;

  client_send_fds (c, "{\"execute\": \"add-fd\"}", &p.write_end, 1);
  pipe_forget_write_end (&p);
  g_free (client_read (c));
  g_clear_pointer (&c, client_free);
  g_assert_true (pipe_writer_closed (&p, REPLY_TIMEOUT_MS));
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-fdsets\"}", "{\"return\": []}");

  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  client_send_fds (c, "{\"execute\": \"add-fd\"}", &q.write_end, 1);
  pipe_forget_write_end (&q);
  reply = client_read (c);
  g_assert_true (sscanf (reply, "{\"return\": {\"fd\": %d, \"fdset-id\": 0}}", &fake_fd) == 1);
  g_clear_pointer (&c, client_free);

  c = client_connect_negotiated (f->path);
  expected = g_strdup_printf ("{\"return\": [{\"fds\": [{\"fd\": %d}], \"fdset-id\": 0}]}", fake_fd);
  client_check (c, "{\"execute\": \"query-fdsets\"}", expected);
  g_assert_false (pipe_writer_closed (&q, 0));
  /* Removed while paused: still open, still listed. */
  client_check (c, "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 0}}", EMPTY);
  client_check (c, "{\"execute\": \"query-fdsets\"}", expected);
  g_assert_false (pipe_writer_closed (&q, 0));
  pipe_close (&p);
  pipe_close (&q);
}

/* ---- the Xen device model ------------------------------------------------ */

#define QEVM_HEADER "QEVM\0\0\0\3"

/* libxl's save flow: stop, add-fd with the save file, xen-save-devices-state
 * into /dev/fdset/N, then the toolstack reads the device state. */
static void
test_xen_save_flow (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *save = fixture_path (f, "save");
  g_autofree char *state = NULL;
  gsize length;
  int fd = open (save, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 1}}", &fd, 1);
  close (fd);
  g_free (client_read (c));
  client_check (c, "{\"execute\": \"xen-set-global-dirty-log\", \"arguments\": {\"enable\": true}}",
                EMPTY);
  /* Paused already: no events. */
  client_check (c, "{\"execute\": \"xen-save-devices-state\", \"arguments\": "
                "{\"filename\": \"/dev/fdset/1\", \"live\": false}, \"id\": \"s\"}",
                "{\"return\": {}, \"id\": \"s\"}");
  g_assert_true (g_file_get_contents (save, &state, &length, NULL));
  g_assert_cmpuint (length, ==, 191);
  g_assert_cmpmem (state, 8, QEVM_HEADER, 8);
  client_check_with_event (c, "{\"execute\": \"cont\"}", "RESUME", NULL, EMPTY);
}

/* As QEMU: a running VM stops for the save and runs again, error or not. */
/* libxl's device model start-up, for a guest with a VNC password
 * (libxl_dm.c, device_model_postconfig_vnc): the display then asks for it. */
static void
test_xen_vnc_password (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *line = NULL;

  client_check (c, "{\"execute\": \"change-vnc-password\"}", GENERIC ("Parameter 'password' is missing"));
  client_check (c, "{\"execute\": \"change-vnc-password\", \"arguments\": {\"password\": 1}}",
                GENERIC ("Invalid parameter type for 'password', expected: string"));
  client_check (c, "{\"execute\": \"change-vnc-password\", \"arguments\": {\"password\": \"s3cret\"}}",
                EMPTY);
  line = client_call (c, "{\"execute\": \"query-vnc\"}");
  g_assert_nonnull (strstr (line, "\"auth\": \"vnc\""));
}

/* libxl_qemu_monitor_command() (xl qemu-monitor-command) and COLO's
 * drive_add, through human-monitor-command: QEMU 7.2's texts. */
static void
test_xen_human_monitor_command (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *line = NULL;

  client_check (c, "{\"execute\": \"human-monitor-command\"}",
                GENERIC ("Parameter 'command-line' is missing"));
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info version\"}}",
                "{\"return\": \"7.2.0fake-qemu\\r\\n\"}");
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \" info  status\"}}",
                "{\"return\": \"VM status: running\\r\\n\"}");
  client_check_with_event (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"stop\"}}",
                           "STOP", NULL, "{\"return\": \"\"}");
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}",
                "{\"return\": \"VM status: paused\\r\\n\"}");
  client_check_with_event (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"cont\"}}",
                           "RESUME", NULL, "{\"return\": \"\"}");
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"\"}}",
                "{\"return\": \"\"}");
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"foo bar\"}}",
                "{\"return\": \"unknown command: 'foo'\\r\\n\"}");
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info foo\"}}",
                "{\"return\": \"unknown command: 'info foo'\\r\\n\"}");
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                "{\"command-line\": \"info status\", \"cpu-index\": 0}}",
                "{\"return\": \"VM status: running\\r\\n\"}");
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                "{\"command-line\": \"info status\", \"cpu-index\": 3}}",
                GENERIC ("Parameter 'cpu-index' expects a CPU number"));
  line = client_call (c, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                      "{\"command-line\": \"drive_add -n buddy driver=replication,mode=primary,"
                      "file.driver=nbd,file.host=10.0.0.2,file.port=8888,file.export=disk0,"
                      "node-name=colo_node768\"}}");
  g_assert_cmpstr (line, ==, "{\"return\": \"\"}");
}

/* libxl's COLO secondary (libxl_colo_restore.c, libxl_colo_qdisk.c):
 * the device state, replication, checkpoints, the NBD server. */
static void
test_xen_colo_secondary (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *state = fixture_path (f, "state");
  g_autofree char *other = fixture_path (f, "other");
  g_autofree char *cmd = NULL;
  g_autofree char *line = NULL;

  cmd = g_strdup_printf ("{\"execute\": \"xen-load-devices-state\", \"arguments\": {\"filename\": \"%s\"}}",
                         state);
  client_check (c, cmd, GENERIC ("Cannot update device state while vm is running"));
  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  line = g_strdup_printf (GENERIC ("Unable to open %s: No such file or directory"), state);
  client_check (c, cmd, line);
  /* What xen-save-devices-state wrote loads; anything else does not. */
  g_free (cmd);
  cmd = g_strdup_printf ("{\"execute\": \"xen-save-devices-state\", \"arguments\": {\"filename\": \"%s\"}}",
                         state);
  client_check (c, cmd, EMPTY);
  g_free (cmd);
  cmd = g_strdup_printf ("{\"execute\": \"xen-load-devices-state\", \"arguments\": {\"filename\": \"%s\"}}",
                         state);
  client_check (c, cmd, EMPTY);
  g_assert_true (g_file_set_contents (other, "QEVM", 4, NULL));
  g_free (cmd);
  cmd = g_strdup_printf ("{\"execute\": \"xen-load-devices-state\", \"arguments\": {\"filename\": \"%s\"}}",
                         other);
  client_check (c, cmd, GENERIC ("An IO error has occurred"));
  client_check (c, "{\"execute\": \"query-status\"}",
                "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}");

  client_check (c, "{\"execute\": \"xen-set-replication\", \"arguments\": {\"enable\": true}}",
                GENERIC ("Parameter 'primary' is missing"));
  client_check (c, "{\"execute\": \"xen-set-replication\", \"arguments\": "
                "{\"enable\": true, \"primary\": false, \"failover\": true}}",
                GENERIC ("Parameter 'failover' is only for stopping replication"));
  client_check (c, "{\"execute\": \"xen-set-replication\", \"arguments\": {\"enable\": true, \"primary\": false}}",
                EMPTY);
  client_check (c, "{\"execute\": \"query-xen-replication-status\"}", "{\"return\": {\"error\": false}}");
  client_check (c, "{\"execute\": \"xen-colo-do-checkpoint\"}", EMPTY);
  client_check (c, "{\"execute\": \"xen-colo-do-checkpoint\", \"arguments\": {\"x\": 1}}",
                GENERIC ("Parameter 'x' is unexpected"));
  client_check (c, "{\"execute\": \"xen-set-replication\", \"arguments\": "
                "{\"enable\": false, \"primary\": false, \"failover\": true}}", EMPTY);

  client_check (c, "{\"execute\": \"nbd-server-stop\"}", GENERIC ("NBD server not running"));
  client_check (c, "{\"execute\": \"nbd-server-start\", \"arguments\": {\"addr\": {\"type\": \"inet\"}}}",
                GENERIC ("Parameter 'addr.data' is missing"));
  client_check (c, "{\"execute\": \"nbd-server-start\", \"arguments\": {\"addr\": {\"type\": \"tcp\", \"data\": {}}}}",
                GENERIC ("Parameter 'type' does not accept value 'tcp'"));
  client_check (c, "{\"execute\": \"nbd-server-start\", \"arguments\": "
                "{\"addr\": {\"type\": \"inet\", \"data\": {\"host\": \"10.0.0.2\"}}}}",
                GENERIC ("Parameter 'addr.data.port' is missing"));
  client_check (c, "{\"execute\": \"nbd-server-start\", \"arguments\": "
                "{\"addr\": {\"type\": \"inet\", \"data\": {\"host\": \"10.0.0.2\", \"port\": \"8888\", \"x\": 1}}}}",
                GENERIC ("Parameter 'addr.data.x' is unexpected"));
  client_check (c, "{\"execute\": \"nbd-server-start\", \"arguments\": "
                "{\"addr\": {\"type\": \"inet\", \"data\": {\"host\": \"10.0.0.2\", \"port\": \"8888\"}}}}",
                EMPTY);
  client_check (c, "{\"execute\": \"nbd-server-start\", \"arguments\": "
                "{\"addr\": {\"type\": \"inet\", \"data\": {\"host\": \"10.0.0.2\", \"port\": \"8888\"}}}}",
                GENERIC ("NBD server already running"));
  /* The fake guest has no block node of that name (nor had QEMU -M none). */
  client_check (c, "{\"execute\": \"nbd-server-add\", \"arguments\": {\"device\": \"disk0\", \"writable\": true}}",
                GENERIC ("Cannot find device='disk0' nor node-name='disk0'"));
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                "{\"command-line\": \"drive_add -n buddy driver=null-co,node-name=disk0\"}}", "{\"return\": \"\"}");
  client_check (c, "{\"execute\": \"nbd-server-add\", \"arguments\": {\"device\": \"disk0\", \"writable\": true}}",
                EMPTY);
  client_check (c, "{\"execute\": \"nbd-server-add\", \"arguments\": {\"device\": \"disk0\"}}",
                GENERIC ("Block export id 'disk0' is already in use"));
  client_check_with_event (c, "{\"execute\": \"nbd-server-stop\"}", "BLOCK_EXPORT_DELETED",
                           "\\{\"id\": \"disk0\"\\}", EMPTY);
  client_check (c, "{\"execute\": \"nbd-server-add\", \"arguments\": {\"device\": \"disk0\"}}",
                GENERIC ("NBD server not running"));
}

/* libxl's COLO primary (libxl_colo_qdisk.c): the NBD node joins the
 * disk's quorum, and "children.1" leaves it. The fake guest has no
 * quorum: QEMU's refusals, in order. */
static void
test_xen_colo_primary_block_change (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_check (c, "{\"execute\": \"x-blockdev-change\", \"arguments\": {\"parent\": \"disk0\", \"node\": \"n\"}}",
                GENERIC ("Cannot find device='disk0' nor node-name='disk0'"));
  client_check (c, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                "{\"command-line\": \"drive_add -n buddy driver=null-co,node-name=disk0\"}}", "{\"return\": \"\"}");
  client_check (c, "{\"execute\": \"x-blockdev-change\", \"arguments\": {\"parent\": \"disk0\"}}",
                GENERIC ("Either child or node must be specified"));
  client_check (c, "{\"execute\": \"x-blockdev-change\", \"arguments\": "
                "{\"parent\": \"disk0\", \"child\": \"children.1\", \"node\": \"n\"}}",
                GENERIC ("The parameters child and node are in conflict"));
  client_check (c, "{\"execute\": \"x-blockdev-change\", \"arguments\": {\"parent\": \"disk0\", \"child\": \"children.1\"}}",
                GENERIC ("Node 'disk0' does not have child 'children.1'"));
  client_check (c, "{\"execute\": \"x-blockdev-change\", \"arguments\": {\"parent\": \"disk0\", \"node\": \"n\"}}",
                GENERIC ("Node 'n' not found"));
  client_check (c, "{\"execute\": \"x-blockdev-change\", \"arguments\": {\"parent\": \"disk0\", \"node\": \"disk0\"}}",
                GENERIC ("The node disk0 does not support adding a child"));
}

/* libxl 4.20's probe of the device model's options (libxl_dm.c,
 * device_model_probe_cmdline): QEMU 7.2 has no -run-with. */
static void
test_xen_command_line_options (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *line = NULL;
  guint n_options = 0;

  client_check (c, "{\"execute\": \"query-command-line-options\", \"arguments\": {\"option\": \"run-with\"}}",
                GENERIC ("invalid option name: run-with"));
  client_check (c, "{\"execute\": \"query-command-line-options\", \"arguments\": {\"option\": \"add-fd\"}}",
                "{\"return\": [{\"parameters\": [{\"name\": \"opaque\", \"help\": "
                "\"free-form string used to describe fd\", \"type\": \"string\"}, "
                "{\"name\": \"set\", \"help\": \"ID of the fd set to add fd to\", \"type\": \"number\"}, "
                "{\"name\": \"fd\", \"help\": \"file descriptor of which a duplicate is added to fd set\", "
                "\"type\": \"number\"}], \"option\": \"add-fd\"}]}");
  line = client_call (c, "{\"execute\": \"query-command-line-options\"}");
  /* QEMU 7.2's 35 options, "machine" first and "drive" last. */
  g_assert_true (g_str_has_prefix (line, "{\"return\": [{\"parameters\": [{\"name\": \"loadparm\""));
  for (const char *p = strstr (line, "\"option\": \""); p != NULL; p = strstr (p + 1, "\"option\": \""))
    n_options++;
  g_assert_cmpuint (n_options, ==, 35);
  g_assert_true (g_str_has_suffix (line, "\"option\": \"drive\"}]}"));
}

static void
test_xen_save_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *plain = fixture_path (f, "plain");
  g_autofree char *cmd = NULL;
  g_autofree char *state = NULL;
  int read_only = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  const struct { const char *filename; const char *error; } cases[] = {
    { "/dev/fdset/9", "Unable to open /dev/fdset/9: No such file or directory" },
    { "/dev/fdset/x", "Unable to open /dev/fdset/x: Invalid argument" },
    /* fdset 0 holds a read-only descriptor: not one to write to. */
    { "/dev/fdset/0", "Unable to open /dev/fdset/0: Permission denied" },
  };

  client_send_fds (c, "{\"execute\": \"add-fd\"}", &read_only, 1);
  close (read_only);
  g_free (client_read (c));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *request = g_strdup_printf ("{\"execute\": \"xen-save-devices-state\", "
                                                  "\"arguments\": {\"filename\": \"%s\"}}",
                                                  cases[i].filename);
      g_autofree char *stop = NULL;
      g_autofree char *resume = NULL;
      g_autofree char *reply = NULL;
      g_autofree char *expected = g_strdup_printf (GENERIC ("%s"), cases[i].error);

      client_send (c, request);
      stop = client_read (c);
      assert_event (stop, "STOP", NULL);
      resume = client_read (c);
      assert_event (resume, "RESUME", NULL);
      reply = client_read (c);
      g_assert_cmpstr (reply, ==, expected);
    }
  client_check (c, "{\"execute\": \"xen-save-devices-state\"}", GENERIC ("Parameter 'filename' is missing"));
  client_check (c, "{\"execute\": \"xen-set-global-dirty-log\"}", GENERIC ("Parameter 'enable' is missing"));

  /* Any other path is a file the fake creates, as QEMU does. */
  cmd = g_strdup_printf ("{\"execute\": \"xen-save-devices-state\", \"arguments\": {\"filename\": \"%s\"}}",
                         plain);
  client_send (c, cmd);
  g_free (client_read (c));
  g_free (client_read (c));
  client_expect (c, EMPTY);
  g_assert_true (g_file_get_contents (plain, &state, NULL, NULL));
  g_assert_cmpmem (state, 8, QEVM_HEADER, 8);
}

/* libxl's PCI passthrough: device_add, query-pci for the slot, device_del
 * then DEVICE_DELETED. */
static void
test_xen_pci_hotplug_flow (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *pci = NULL;
  g_autofree char *line = NULL;
  const char *add = "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"xen-pci-passthrough\", "
                    "\"id\": \"pci-pt-03_00.0\", \"hostaddr\": \"0000:03:00.0\", \"addr\": \"5.0\"}}";

  client_check (c, add, EMPTY);
  client_check (c, add, GENERIC ("Duplicate ID 'pci-pt-03_00.0' for device"));
  pci = client_call (c, "{\"execute\": \"query-pci\"}");
  g_assert_nonnull (strstr (pci, "\"qdev_id\": \"pci-pt-03_00.0\", \"slot\": 5, "));
  g_assert_true (g_str_has_prefix (pci, "{\"return\": [{\"bus\": 0, \"devices\": [{\"irq_pin\": 0, "
                                   "\"bus\": 0, \"qdev_id\": \"\", \"slot\": 0, \"class_info\": "
                                   "{\"class\": 1536, \"desc\": \"Host bridge\"}, "));

  /* The reply, then the event once the guest let the device go. */
  client_check (c, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"pci-pt-03_00.0\"}, \"id\": 3}",
                "{\"return\": {}, \"id\": 3}");
  line = client_read (c);
  assert_event (line, "DEVICE_DELETED",
                "\\{\"device\": \"pci-pt-03_00.0\", \"path\": \"/machine/peripheral/pci-pt-03_00.0\"\\}");
  g_clear_pointer (&pci, g_free);
  pci = client_call (c, "{\"execute\": \"query-pci\"}");
  g_assert_null (strstr (pci, "pci-pt-03_00.0"));
  client_check (c, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"pci-pt-03_00.0\"}}",
                "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'pci-pt-03_00.0' not found\"}}");
  client_check (c, "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nosuch\"}}",
                GENERIC ("'nosuch' is not a valid device model name"));
  client_check (c, "{\"execute\": \"device_add\", \"arguments\": {\"id\": \"x\"}}",
                GENERIC ("Parameter 'driver' is missing"));
}

static void
test_xen_cpu_hotplug (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *cpus = NULL;
  g_autofree char *hotpluggable = NULL;
  const char *add = "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"qemu64-x86_64-cpu\", "
                    "\"id\": \"cpu-1\", \"socket-id\": 1, \"core-id\": 0, \"thread-id\": 0}}";

  hotpluggable = client_call (c, "{\"execute\": \"query-hotpluggable-cpus\"}");
  g_assert_true (g_str_has_prefix (hotpluggable, "{\"return\": [{\"props\": {\"core-id\": 0, "
                                   "\"thread-id\": 0, \"socket-id\": 3}, \"vcpus-count\": 1, "
                                   "\"type\": \"qemu64-x86_64-cpu\"}, "));
  g_assert_true (g_str_has_suffix (hotpluggable, "\"socket-id\": 0}, \"vcpus-count\": 1, "
                                   "\"qom-path\": \"/machine/unattached/device[0]\", "
                                   "\"type\": \"qemu64-x86_64-cpu\"}]}"));
  client_check (c, add, EMPTY);
  client_check (c, "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"qemu64-x86_64-cpu\", "
                "\"socket-id\": 1}}", GENERIC ("CPU[1] with APIC ID 1 exists"));
  client_check (c, "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"qemu64-x86_64-cpu\", "
                "\"socket-id\": 4}}", GENERIC ("Invalid CPU socket-id: 4 must be in range 0:3"));
  cpus = client_call (c, "{\"execute\": \"query-cpus-fast\"}");
  g_assert_nonnull (strstr (cpus, "\"qom-path\": \"/machine/unattached/device[0]\", \"cpu-index\": 0, "
                            "\"target\": \"x86_64\"}, "));
  g_assert_nonnull (strstr (cpus, "\"qom-path\": \"/machine/peripheral/cpu-1\", \"cpu-index\": 1, "
                            "\"target\": \"x86_64\"}]}"));
}

static void
test_xen_queries_and_media (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *chardev = g_strdup_printf (
    "{\"return\": [{\"frontend-open\": true, \"filename\": \"pty:/dev/pts/7\", \"label\": \"serial0\"}, "
    "{\"frontend-open\": true, \"filename\": \"unix:%s,server=on\", \"label\": \"compat_monitor0\"}]}",
    f->path);

  client_check (c, "{\"execute\": \"query-chardev\"}", chardev);
  client_check (c, "{\"execute\": \"query-vnc\"}",
                "{\"return\": {\"enabled\": true, \"auth\": \"none\", \"family\": \"ipv4\", "
                "\"clients\": [], \"service\": \"5900\", \"host\": \"127.0.0.1\"}}");
  client_check (c, "{\"execute\": \"eject\", \"arguments\": {\"id\": \"ide-5632\", \"force\": true}}", EMPTY);
  client_check (c, "{\"execute\": \"eject\", \"arguments\": {}}",
                GENERIC ("Need exactly one of 'device' and 'id'"));
  client_check (c, "{\"execute\": \"eject\", \"arguments\": {\"device\": \"ide-5632\"}}",
                "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'ide-5632' not found\"}}");
  client_check (c, "{\"execute\": \"blockdev-change-medium\", \"arguments\": {\"id\": \"ide-5632\", "
                "\"filename\": \"/dev/fdset/2\", \"format\": \"raw\"}}", EMPTY);
  client_check (c, "{\"execute\": \"blockdev-change-medium\", \"arguments\": {\"id\": \"ide-5632\"}}",
                GENERIC ("Parameter 'filename' is missing"));
  client_check (c, "{\"execute\": \"system_wakeup\"}", EMPTY);
}

/* ---- clients and domains ----------------------------------------------- */

static void
test_clients_one_at_a_time (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) first = client_connect (f->path);
  g_autoptr(Client) second = NULL;
  g_autoptr(Client) third = NULL;

  client_expect (first, GREETING);
  /* The second connect succeeds, but the fake does not serve it yet. */
  second = client_connect (f->path);
  client_send (second, "{\"execute\": \"qmp_capabilities\"}");
  client_expect_quiet (second, QUIET_MS);
  third = client_connect (f->path);
  client_expect_quiet (third, 0);

  client_check (first, "{\"execute\": \"qmp_capabilities\"}", EMPTY);
  g_clear_pointer (&first, client_free);

  /* Next in line: its greeting, then the reply to what it sent early. */
  client_expect (second, GREETING);
  client_expect (second, EMPTY);
  client_check (second, "{\"execute\": \"query-status\"}", RUNNING);
  client_expect_quiet (third, QUIET_MS);
  g_clear_pointer (&second, client_free);
  client_expect (third, GREETING);
}

static void
test_clients_leave_mid_command (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  guint baseline;

  /* Half a command, with a descriptor, then gone. */
  client_send_fds (c, "{\"execute\": \"add-fd\", \"argu", &null_fd, 1);
  g_clear_pointer (&c, client_free);
  c = client_connect (f->path);
  client_expect (c, GREETING);
  /* The new client starts afresh: negotiation, and an empty stream. */
  client_check (c, "{\"execute\": \"query-status\"}", NEED_NEGOTIATION);
  client_check (c, "{\"execute\": \"qmp_capabilities\"}", EMPTY);
  client_check (c, "{\"execute\": \"query-fdsets\"}", "{\"return\": []}");
  baseline = count_fds_of (fixture_pid (f));
  g_clear_pointer (&c, client_free);
  c = client_connect_negotiated (f->path);
  assert_fds_of (fixture_pid (f), baseline);
  close (null_fd);
}

static void
test_clients_run_state_survives (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_send (c, "{\"execute\": \"stop\"}");
  g_free (client_read (c));
  client_expect (c, EMPTY);
  g_clear_pointer (&c, client_free);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-status\"}", PAUSED);
}

static void
test_domains_several_sockets (Fixture *f, gconstpointer data)
{
  g_autofree char *second_path = fixture_path (f, "second.sock");
  const char * const args[] = { "--socket", second_path, NULL };
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;
  g_autofree char *event = NULL;

  fixture_start (f, args);
  /* Both ready as soon as the first path exists. */
  g_assert_true (g_file_test (second_path, G_FILE_TEST_EXISTS));
  a = client_connect_negotiated (f->path);
  b = client_connect_negotiated (second_path);

  client_send (a, "{\"execute\": \"stop\"}");
  event = client_read (a);
  assert_event (event, "STOP", NULL);
  client_expect (a, EMPTY);
  /* Each domain has its own state, and its own events. */
  client_check (b, "{\"execute\": \"query-status\"}", RUNNING);
  client_expect_quiet (b, QUIET_MS);
  client_check (a, "{\"execute\": \"query-status\"}", PAUSED);

  client_send (a, "{\"execute\": \"quit\"}");
  g_free (client_read (a));
  client_expect (a, EMPTY);
  g_assert_true (client_wait_eof (a, REPLY_TIMEOUT_MS));
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  /* The other domain goes on. */
  client_check (b, "{\"execute\": \"query-status\"}", RUNNING);
  g_assert_cmpint (test_server_wait (f->server, 100), ==, -1);

  client_send (b, "{\"execute\": \"quit\"}");
  g_free (client_read (b));
  client_expect (b, EMPTY);
  assert_exits_successfully (f->server);
  g_assert_false (g_file_test (second_path, G_FILE_TEST_EXISTS));
}

/* ---- malformed input ------------------------------------------------------ */

static void
test_malformed_envelope (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_check (c, "[1]", GENERIC ("QMP input must be a JSON object"));
  client_check (c, "\"string\"", GENERIC ("QMP input must be a JSON object"));
  client_check (c, "{}", GENERIC ("QMP input lacks member 'execute'"));
  client_check (c, "{\"arguments\": {}, \"id\": 4}",
                "{\"id\": 4, \"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"QMP input lacks member 'execute'\"}}");
  client_check (c, "{\"execute\": 1}", GENERIC ("QMP input member 'execute' must be a string"));
  client_check (c, "{\"execute\": \"query-status\", \"foo\": 1}",
                GENERIC ("QMP input member 'foo' is unexpected"));
  client_check (c, "{\"execute\": \"query-status\", \"arguments\": []}",
                GENERIC ("QMP input member 'arguments' must be an object"));
  /* Without "oob" enabled, exec-oob is just an unknown member. */
  client_check (c, "{\"exec-oob\": \"query-status\"}",
                GENERIC ("QMP input member 'exec-oob' is unexpected"));
  /* Several problems: the first in QEMU's member order wins. */
  client_check (c, "{\"execute\": \"query-status\", \"zzz\": 1, \"arguments\": 1}",
                GENERIC ("QMP input member 'zzz' is unexpected"));
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

static void
test_malformed_json (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *sent;
    const char *reply;
  } cases[] = {
    { "{\"execute\"}", GENERIC ("JSON parse error, missing : in object pair") },
    { "{\"execute\": \"query-status\",}", GENERIC ("JSON parse error, expecting value") },
    { "}", GENERIC ("JSON parse error, expecting value") },
    { "{\"execute\": \"query-status\" \"id\": 1}", GENERIC ("JSON parse error, expected separator in dict") },
    { "[1 2]", GENERIC ("JSON parse error, expected separator in list") },
    { "{1: 2}", GENERIC ("JSON parse error, key is not a string in object") },
    { "{\"a\": 1, \"a\": 2}", GENERIC ("JSON parse error, duplicate key") },
    { "{\"execute\": tru}", GENERIC ("JSON parse error, invalid keyword 'tru'") },
    { "{\"id\": \"\\x\"}", GENERIC ("JSON parse error, invalid escape sequence in string") },
    { "{\"id\": \"\\ud800\"}", GENERIC ("JSON parse error, \\\\ud800 is not a valid Unicode character") },
    { "{\"id\": \"\\uFFFF\"}", GENERIC ("JSON parse error, \\\\uFFFF is not a valid Unicode character") },
    { "{\"id\": \"\xed\xa0\x80\"}", GENERIC ("JSON parse error, invalid UTF-8 sequence in string") },
    { "{\"id\": -}", GENERIC ("JSON parse error, stray '-}'") },
    { "{\"id\": 1.}", GENERIC ("JSON parse error, stray '1.}'") },
  };
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    client_check (c, cases[i].sent, cases[i].reply);
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

/* After a lexical error QEMU skips to a structural or control character. */
static void
test_malformed_stray_bytes_resync (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  client_send (c, "@ junk \"{\"execute\": \"query-status\"}");
  client_expect (c, GENERIC ("JSON parse error, stray '@'"));
  client_expect (c, RUNNING);
  client_send (c, "{\"execute\": @\"query-status\"}");
  client_expect (c, GENERIC ("JSON parse error, stray '@'"));
  client_expect (c, GENERIC ("JSON parse error, expecting value"));
  client_send (c, "\"ab\x01\" {\"execute\": \"query-status\"}");
  client_expect (c, GENERIC ("JSON parse error, stray '\\\"ab\\u0001'"));
  client_expect (c, RUNNING);
  client_send (c, "\xff{\"execute\": \"query-status\"}");
  client_expect (c, GENERIC ("JSON parse error, stray '\\uFFFD'"));
  client_expect (c, RUNNING);
  /* A tab does not resynchronise, a newline does. */
  client_send (c, "@\ttrue\ntrue ");
  client_expect (c, GENERIC ("JSON parse error, stray '@'"));
  client_expect (c, GENERIC ("QMP input must be a JSON object"));
}

/* ---- limits ----------------------------------------------------------------- */

static void
test_limits_deep_nesting (Fixture *f, gconstpointer data)
{
  const gsize depth = 100000;
  g_autofree char *open_brackets = g_malloc (depth + 1);
  g_autofree char *close_brackets = NULL;
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  gsize errors = depth / (QEMU_NESTING_MAX + 1);
  gsize left = depth % (QEMU_NESTING_MAX + 1);

  /* 1024 levels are fine. */
  memset (open_brackets, '[', 1024);
  open_brackets[1024] = '\0';
  client_send (c, open_brackets);
  close_brackets = g_strnfill (1024, ']');
  client_check (c, close_brackets, GENERIC ("QMP input must be a JSON object"));

  /* The 1025th level is refused and the stream starts over, so each
   * 1025th "[" is refused again; the rest of the "[" are pending. */
  memset (open_brackets, '[', depth);
  open_brackets[depth] = '\0';
  client_send (c, open_brackets);
  for (gsize i = 0; i < errors; i++)
    client_expect (c, GENERIC ("JSON nesting depth limit exceeded"));
  client_expect_quiet (c, QUIET_MS);
  g_free (close_brackets);
  close_brackets = g_strnfill (left, ']');
  client_check (c, close_brackets, GENERIC ("QMP input must be a JSON object"));
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

static void
test_limits_value_too_big (Fixture *f, gconstpointer data)
{
  const gsize size = (64u << 20) + 10;
  const char *head = "{\"execute\": \"query-status\", \"id\": \"";
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  g_autofree char *big = g_malloc (size);

  /* One string token over the whole limit: QEMU gives up on it at the
   * limit and lexes the rest as new input. */
  memset (big, 'a', size);
  client_send (c, head);
  client_send_len (c, big, size);
  client_send (c, "\"}");
  client_expect (c, GENERIC ("JSON token size limit exceeded"));
  client_expect (c, GENERIC ("JSON parse error, invalid keyword 'aaaaaaaaaa'"));
  /* The last "\"}" opened a string; close it and carry on. */
  client_send (c, "\"}{\"execute\": \"query-status\"}");
  client_expect (c, GENERIC ("QMP input must be a JSON object"));
  client_expect (c, GENERIC ("JSON parse error, expecting value"));
  client_expect (c, RUNNING);

  /* Several tokens together over the limit. */
  client_send (c, "{\"execute\": \"query-status\", \"id\": [\"");
  client_send_len (c, big, 40u << 20);
  client_send (c, "\", \"");
  client_send_len (c, big, 30u << 20);
  client_send (c, "\"]}");
  client_expect (c, GENERIC ("JSON token size limit exceeded"));
  client_expect (c, GENERIC ("JSON parse error, expecting value"));
  client_expect (c, GENERIC ("JSON parse error, expecting value"));
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

static void
test_limits_client_that_does_not_read (Fixture *f, gconstpointer data)
{
  /* Each "]" gets an 83-byte error: 1 MiB of them is more output than
   * the fake queues for one client. */
  const gsize n = 1u << 20;
  g_autofree char *flood = g_strnfill (n, ']');
  g_autoptr(Client) c = client_connect_negotiated (f->path);
  gsize received = 0;
  const char *p = flood;
  gsize left = n;

  while (left > 0)
    {
      ssize_t sent = send (c->fd, p, left, MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent < 0)
        {
          /* Dropped before everything was sent: fine. */
          g_assert_true (errno == EPIPE || errno == ECONNRESET);
          break;
        }
      p += sent;
      left -= (gsize) sent;
    }
  /* Only read once the fake has given up on this client. */
  {
    struct pollfd pfd = { c->fd, POLLRDHUP, 0 };

    g_assert_cmpint (poll (&pfd, 1, 6 * REPLY_TIMEOUT_MS), ==, 1);
    g_assert_true (pfd.revents & (POLLHUP | POLLRDHUP));
  }
  while (client_fill (c, REPLY_TIMEOUT_MS))
    {
      received += c->in->len;
      g_string_truncate (c->in, 0);
    }
  g_assert_true (c->eof);
  g_assert_cmpuint (received, <, n * strlen (GENERIC ("JSON parse error, expecting value") "\r\n"));

  /* The fake itself is fine. */
  g_clear_pointer (&c, client_free);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

/* ---- the process ------------------------------------------------------------ */

static void
test_process_sigterm (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = client_connect_negotiated (f->path);

  kill (fixture_pid (f), SIGTERM);
  assert_exits_successfully (f->server);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_true (client_wait_eof (c, REPLY_TIMEOUT_MS));
}

static void
test_process_timeout (Fixture *f, gconstpointer data)
{
  const char * const args[] = { "--timeout", "1", NULL };
  gint64 start = g_get_monotonic_time ();

  fixture_start (f, args);
  assert_exits_successfully (f->server);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_process_replaces_stale_socket (Fixture *f, gconstpointer data)
{
  g_autoptr(TestServer) first = NULL;
  g_autoptr(Client) c = NULL;
  g_autoptr(GError) error = NULL;

  /* A fake killed hard leaves its socket behind. */
  first = test_server_start_fake (f->path, NULL, &error);
  g_assert_no_error (error);
  kill (test_server_get_pid (first), SIGKILL);
  test_server_wait (first, REPLY_TIMEOUT_MS);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));

  fixture_start (f, NULL);
  /* The stale socket refuses connections until the new one replaces it
   * (the helper cannot tell them apart). */
  {
    gint64 deadline = g_get_monotonic_time () + REPLY_TIMEOUT_MS * 1000;
    int fd;

    while ((fd = test_unix_connect (f->path)) < 0 && g_get_monotonic_time () < deadline)
      g_usleep (10 * 1000);
    g_assert_cmpint (fd, >=, 0);
    close (fd);
  }
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-status\"}", RUNNING);
}

static void
test_process_refuses_other_files (Fixture *f, gconstpointer data)
{
  const char *fake = g_getenv ("FAKE_QEMU");
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  const char *argv[] = { fake, "--socket", f->path, NULL };
  int status;

  g_assert_nonnull (fake);
  g_assert_true (g_file_set_contents (f->path, "precious", -1, NULL));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "exists and is not a socket"));
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/fake-qemu/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_IDLE(path, func) \
  g_test_add ("/fake-qemu/" path, Fixture, NULL, fixture_setup_idle, func, fixture_teardown)

  ADD ("greeting/offers-oob", test_greeting_offers_oob);
  ADD_IDLE ("greeting/no-oob", test_greeting_no_oob);
  ADD ("negotiation/required-before-commands", test_negotiation_required);
  ADD ("negotiation/only-once", test_negotiation_only_once);
  ADD ("negotiation/enable-oob", test_negotiation_enable_oob);
  ADD ("negotiation/bad-arguments", test_negotiation_bad_arguments);
  ADD ("id/echoed-as-qemu-prints-it", test_id_echoed);
  ADD ("stream/no-newline-needed", test_stream_no_newline);
  ADD ("stream/split-at-every-byte", test_stream_split_every_byte);
  ADD ("stream/several-per-write", test_stream_several_per_write);
  ADD ("stream/large-value", test_stream_large_value);
  ADD ("builtins/query-version", test_builtin_query_version);
  ADD ("builtins/stop-cont-and-events", test_builtin_stop_cont);
  ADD ("builtins/unknown-command", test_builtin_unknown_command);
  ADD ("builtins/argument-errors", test_builtin_argument_errors);
  ADD ("builtins/quit-ends-the-domain", test_builtin_quit);
  ADD ("fds/add-fd-query-remove", test_fds_add_query_remove);
  ADD ("fds/fdset-ids-and-order", test_fds_fdset_ids);
  ADD ("fds/add-fd-errors", test_fds_add_fd_errors);
  ADD ("fds/unused-fds-are-closed", test_fds_unused_are_closed);
  ADD ("fds/fds-belong-to-their-command", test_fds_belong_to_their_command);
  ADD ("fds/getfd-closefd", test_fds_getfd_closefd);
  ADD ("fds/named-fds-survive-reconnect", test_fds_named_survive_reconnect);
  ADD ("fds/fdsets-and-reconnects", test_fds_fdsets_and_reconnects);
  ADD ("xen/save-flow", test_xen_save_flow);
  ADD ("xen/save-errors", test_xen_save_errors);
  ADD ("xen/pci-hotplug-flow", test_xen_pci_hotplug_flow);
  ADD ("xen/cpu-hotplug", test_xen_cpu_hotplug);
  ADD ("xen/queries-and-media", test_xen_queries_and_media);
  ADD ("xen/vnc-password", test_xen_vnc_password);
  ADD ("xen/human-monitor-command", test_xen_human_monitor_command);
  ADD ("xen/colo-secondary", test_xen_colo_secondary);
  ADD ("xen/colo-primary-block-change", test_xen_colo_primary_block_change);
  ADD ("xen/command-line-options", test_xen_command_line_options);
  ADD ("clients/one-at-a-time", test_clients_one_at_a_time);
  ADD ("clients/leave-mid-command", test_clients_leave_mid_command);
  ADD ("clients/run-state-survives-reconnect", test_clients_run_state_survives);
  ADD_IDLE ("domains/several-sockets-one-process", test_domains_several_sockets);
  ADD ("malformed/envelope", test_malformed_envelope);
  ADD ("malformed/json", test_malformed_json);
  ADD ("malformed/stray-bytes-resync", test_malformed_stray_bytes_resync);
  ADD ("limits/deep-nesting-refused", test_limits_deep_nesting);
  ADD ("limits/value-too-big-refused", test_limits_value_too_big);
  ADD ("limits/client-that-does-not-read-is-dropped", test_limits_client_that_does_not_read);
  ADD ("process/sigterm-removes-socket", test_process_sigterm);
  ADD_IDLE ("process/timeout-exits", test_process_timeout);
  ADD_IDLE ("process/replaces-stale-socket", test_process_replaces_stale_socket);
  ADD_IDLE ("process/refuses-other-files", test_process_refuses_other_files);

  return g_test_run ();
}
