/* test-fake-qemu-script.c: fake-qemu --script, its steps and its verdict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test writes a script into a private directory, runs fake-qemu on
 * it (its stderr going to a file there), plays the client over a raw
 * socket, and checks what the fake sent, its report and its exit status.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-fake-qemu-client.h"
#include "test-fake-qemu-run.h"
#include "test-server.h"

#define QMP_CAPABILITIES "{\"execute\": \"qmp_capabilities\"}"

typedef FakeRun Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fake_run_setup (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  fake_run_teardown (f);
}

/* Runs fake-qemu on SCRIPT (written to the script file) with EXTRA_ARGS. */
static void
fixture_start (Fixture *f, const char *script, const char * const *extra_args)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_assert_true (g_file_set_contents (f->script, script, -1, NULL));
  g_ptr_array_add (args, (char *) "--script");
  g_ptr_array_add (args, f->script);
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra_args[i]);
  g_ptr_array_add (args, NULL);
  fake_run_start (f, (const char * const *) args->pdata);
}

static int
fixture_finish (Fixture *f, gboolean terminate)
{
  return fake_run_finish (f, terminate);
}

/* The client did what the script says: exit 0, nothing on stderr. */
static void
assert_passed (Fixture *f)
{
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 0);
  g_assert_cmpstr (f->stderr_text, ==, "");
}

/* ---- replies ---------------------------------------------------------------- */

static void
test_replies_and_ids (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "# the handshake, then replies of every kind\n"
    "{\"expect\": \"qmp_capabilities\"}\n"
    "\n"
    "{\"expect\": \"query-status\", \"return\": {\"status\": \"running\", \"running\": true}}\n"
    "{\"expect\": \"cont\", \"error\": {\"class\": \"DeviceNotActive\", \"desc\": \"not now\"}}\n"
    "{\"expect\": \"stop\", \"error\": \"short form\"}\n"
    "{\"expect\": \"query-kvm\", \"return\": [1, \"two\", null]}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-status\", \"id\": {\"b\": 1, \"a\": [2]}}",
                "{\"return\": {\"status\": \"running\", \"running\": true}, "
                "\"id\": {\"a\": [2], \"b\": 1}}");
  client_check (c, "{\"execute\": \"cont\", \"id\": 7}",
                "{\"id\": 7, \"error\": {\"class\": \"DeviceNotActive\", \"desc\": \"not now\"}}");
  client_check (c, "{\"execute\": \"stop\"}", GENERIC ("short form"));
  client_check (c, "{\"execute\": \"query-kvm\", \"id\": \"k\"}",
                "{\"return\": [1, \"two\", null], \"id\": \"k\"}");
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_wrong_command_is_reported (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\"}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  /* The step stays: the right command afterwards still passes it. */
  client_check (c, "{\"execute\": \"query-version\", \"id\": 1}",
                "{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"fake-qemu script: expected 'query-status' (line 2), got 'query-version'\"}}");
  client_check (c, "{\"execute\": \"query-status\"}", EMPTY);
  client_check (c, "{\"execute\": \"quit\"}",
                GENERIC ("fake-qemu script: expected the client to close (line 3), got 'quit'"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "script.jsonl: 2 mismatches, 0 steps never reached\n");
  assert_contains (f->stderr_text,
                   "  line 2: expected 'query-status', got {\"execute\": \"query-version\", \"id\": 1}\n");
  assert_contains (f->stderr_text,
                   "  line 3: expected the client to close, got {\"execute\": \"quit\"}\n");
}

static void
test_arguments_exact_and_subset (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"device_del\", \"args\": {\"id\": \"nic0\"}}\n"
    "{\"expect\": \"device_del\", \"args\": {\"id\": \"nic1\"}}\n"
    "{\"expect\": \"device_add\", \"args-subset\": {\"driver\": \"e1000\"}}\n"
    "{\"expect\": \"device_add\", \"args-subset\": {\"driver\": \"e1000\"}}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nic0\"}}", EMPTY);
  /* An extra member fails an exact match. */
  client_check (c, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nic1\", \"x\": 1}}",
                GENERIC ("fake-qemu script: expected 'device_del' with arguments "
                         "{\\\"id\\\": \\\"nic1\\\"} (line 3)"));
  client_check (c, "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"e1000\", \"id\": \"n\"}}",
                EMPTY);
  client_check (c, "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"rtl8139\"}}",
                GENERIC ("fake-qemu script: expected 'device_add' with arguments including "
                         "{\\\"driver\\\": \\\"e1000\\\"} (line 5)"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "2 mismatches, 0 steps never reached");
  assert_contains (f->stderr_text,
                   "  line 3: expected 'device_del' with arguments {\"id\": \"nic1\"}, got "
                   "{\"execute\": \"device_del\", \"arguments\": {\"x\": 1, \"id\": \"nic1\"}}\n");
  assert_contains (f->stderr_text, "  line 5: expected 'device_add' with arguments including "
                   "{\"driver\": \"e1000\"}, got ");
}

static void
test_fds_are_counted (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"add-fd\", \"fds\": 1, \"return\": {\"fd\": 42, \"fdset-id\": 0}}\n"
    "{\"expect\": \"add-fd\", \"fds\": 1}\n"
    "{\"expect\": \"getfd\", \"fds\": 0}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send_fds (c, "{\"execute\": \"add-fd\"}", fds, 1);
  client_expect (c, "{\"return\": {\"fd\": 42, \"fdset-id\": 0}}");
  client_check (c, "{\"execute\": \"add-fd\"}",
                GENERIC ("fake-qemu script: expected 'add-fd' with 1 file descriptor (line 3), got 0"));
  client_send_fds (c, "{\"execute\": \"getfd\"}", fds, 2);
  client_expect (c, GENERIC ("fake-qemu script: expected 'getfd' with 0 file descriptors "
                             "(line 4), got 2"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "  line 3: expected 'add-fd' with 1 file descriptor, got 0\n");
  assert_contains (f->stderr_text, "  line 4: expected 'getfd' with 0 file descriptors, got 2\n");
  close (fds[0]);
  close (fds[1]);
}

/* ---- what the fake sends ---------------------------------------------------------- */

static void
test_events (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *line = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"event\": \"STOP\"}\n"
    "{\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": \"/p\", \"device\": \"d\"}}\n"
    "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 12, \"microseconds\": 34}}\n"
    "{\"expect\": \"cont\", \"events\": [{\"event\": \"RESUME\"}, "
    "{\"event\": \"X\", \"data\": {\"a\": 1}}]}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  /* Events follow the reply before them at once, unasked. */
  line = client_read (c);
  assert_event (line, "STOP", NULL);
  g_free (line);
  line = client_read (c);
  assert_event (line, "DEVICE_DELETED", "\\{\"device\": \"d\", \"path\": \"/p\"\\}");
  client_expect (c, "{\"timestamp\": {\"seconds\": 12, \"microseconds\": 34}, \"event\": \"RESUME\"}");
  /* A command's events come before its reply, as in QEMU. */
  client_send (c, "{\"execute\": \"cont\"}");
  g_clear_pointer (&line, g_free);
  line = client_read (c);
  assert_event (line, "RESUME", NULL);
  g_clear_pointer (&line, g_free);
  line = client_read (c);
  assert_event (line, "X", "\\{\"a\": 1\\}");
  client_expect (c, EMPTY);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

/* A delayed reply holds back the commands after it, as QEMU runs in-band
 * commands in order; a sleep holds back the steps after it. */
static void
test_delay_and_sleep (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *line = NULL;
  gint64 start;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"delay\": 0.4, \"return\": 1}\n"
    "{\"expect\": \"query-version\", \"return\": 2}\n"
    "{\"sleep\": 0.3}\n"
    "{\"event\": \"LATE\"}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  start = g_get_monotonic_time ();
  client_send (c, "{\"execute\": \"query-status\"}{\"execute\": \"query-version\"}");
  client_expect (c, "{\"return\": 1}");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);
  client_expect (c, "{\"return\": 2}");
  line = client_read (c);
  assert_event (line, "LATE", NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 700 * 1000);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_swallow (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"swallow\": true}\n"
    "{\"expect\": \"query-version\", \"return\": 2}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}");
  client_expect_quiet (c, QUIET_MS);
  client_check (c, "{\"execute\": \"query-version\", \"id\": 2}", "{\"return\": 2, \"id\": 2}");
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_raw_bytes (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *deep = g_strnfill (100000, '[');

  fixture_start (f,
    "{\"raw\": \"{\\\"bad\\\": tru\\r\\n\"}\n"
    "{\"raw-base64\": \"AGEAYg0K\"}\n"
    "{\"raw\": \"[\", \"repeat\": 100000}\n"
    "{\"raw\": \"\\r\\n\"}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect (f->path);
  client_expect (c, GREETING);
  client_expect (c, "{\"bad\": tru");
  /* NUL bytes: the line is "\0a\0b". */
  g_assert_true (client_fill (c, REPLY_TIMEOUT_MS) || c->in->len >= 6);
  while (c->in->len < 6 && client_fill (c, REPLY_TIMEOUT_MS))
    ;
  g_assert_cmpmem (c->in->str, 6, "\0a\0b\r\n", 6);
  g_string_erase (c->in, 0, 6);
  client_expect (c, deep);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

/* The client leaves before the raw bytes are sent: the sends find it
 * gone at once, and the expect-close after them is still met. */
static void
test_raw_to_a_client_gone (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"swallow\": true, \"delay\": 0.2}\n"
    "{\"raw\": \"{\\\"return\\\": \\\"\"}\n"
    "{\"raw\": \"x\", \"repeat\": 1048576}\n"
    "{\"raw\": \"\\\"}\\r\\n\"}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}");
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_greetings (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"greeting\": {\"QMP\": {\"version\": {}, \"capabilities\": []}}}\n"
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect-close\": true}\n"
    "# the second client is never greeted\n"
    "{\"greeting\": null}\n"
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect (f->path);
  client_expect (c, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}");
  client_check (c, QMP_CAPABILITIES, EMPTY);
  g_clear_pointer (&c, client_free);
  c = client_connect (f->path);
  client_expect_quiet (c, QUIET_MS);
  client_check (c, QMP_CAPABILITIES, EMPTY);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_disconnects (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"disconnect\": true}\n"
    "{\"disconnect\": 10}\n"
    "{\"expect\": \"qmp_capabilities\"}\n", NULL);
  c = client_connect_negotiated (f->path);
  g_assert_true (client_wait_eof (c, REPLY_TIMEOUT_MS));
  g_clear_pointer (&c, client_free);

  /* The next client gets 10 bytes of its greeting, then end of file. */
  c = client_connect (f->path);
  while (client_fill (c, REPLY_TIMEOUT_MS))
    ;
  g_assert_true (c->eof);
  g_assert_cmpstr (c->in->str, ==, "{\"QMP\": {\"");
  g_clear_pointer (&c, client_free);

  /* The last step is left: the run is not complete. */
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 1);
  assert_contains (f->stderr_text, "0 mismatches, 1 step never reached\n"
                   "  line 4: never reached: {\"expect\": \"qmp_capabilities\"}\n");
}

/* ---- hostile sending: slowly, with descriptors, reset, not reading ------------ */

static void
test_chunks_and_interval (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *reply = NULL;
  gint64 start;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"raw\": \"{\\\"event\\\": \\\"SLOW\\\"}\\r\\n\", \"chunk\": 4, \"interval\": 0.05}\n"
    "{\"expect\": \"query-status\", \"return\": {\"a\": 1}, \"chunk\": 1, \"interval\": 0.001}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  /* 19 bytes, 4 at a time, 50 ms apart: the first read sees part of
   * them (one chunk, unless this process was held up), the whole takes
   * four intervals. */
  start = g_get_monotonic_time ();
  g_assert_true (client_fill (c, REPLY_TIMEOUT_MS));
  g_assert_true (g_str_has_prefix ("{\"event\": \"SLOW\"}\r\n", c->in->str));
  g_assert_cmpuint (c->in->len, <, 19);
  client_expect (c, "{\"event\": \"SLOW\"}");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * 50 * 1000 - 5000);
  /* A reply one byte at a time is the same reply. */
  reply = client_call (c, "{\"execute\": \"query-status\", \"id\": 3}");
  g_assert_cmpstr (reply, ==, "{\"return\": {\"a\": 1}, \"id\": 3}");
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_raw_reply_echoes_the_id (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"raw-reply\": "
    "\"{\\\"return\\\": 1, \\\"id\\\": $id}\\r\\n{\\\"return\\\": 2, \\\"id\\\": \\\"$id\\\"}\\r\\n\"}\n"
    "{\"expect\": \"stop\", \"raw-reply\": \"{\\\"id\\\": $id}\\r\\n\"}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\", \"id\": {\"a\": [7]}}");
  client_expect (c, "{\"return\": 1, \"id\": {\"a\": [7]}}");
  client_expect (c, "{\"return\": 2, \"id\": \"{\"a\": [7]}\"}");
  /* No id: null. */
  client_check (c, "{\"execute\": \"stop\"}", "{\"id\": null}");
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

/* The descriptors C has received are FIRST to LAST - 1, and all /dev/null
 * (character devices). */
static void
assert_fds_received (Client *c, guint first, guint last)
{
  g_assert_cmpuint (c->fds->len, ==, last);
  for (guint i = first; i < last; i++)
    {
      struct stat st;

      g_assert_cmpint (fstat (g_array_index (c->fds, int, i), &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
    }
}

static void
test_send_fds (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"raw\": \"{\\\"event\\\": \\\"FDS\\\"}\\r\\n\", \"send-fds\": 3}\n"
    "{\"expect\": \"query-status\", \"send-fds\": 2}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  /* The event may come in one read with the negotiation's reply: the
   * descriptors are counted whichever read takes them. */
  client_expect (c, "{\"event\": \"FDS\"}");
  assert_fds_received (c, 0, 3);
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}");
  client_expect (c, "{\"return\": {}, \"id\": 1}");
  assert_fds_received (c, 3, 5);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

/* "fd-kind": "lingering-tcp": what a hostile QEMU passes so that the
 * client's close() blocks: a TCP socket lingering, with unsent data. */
static void
test_send_lingering_fds (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"raw\": \"{\\\"event\\\": \\\"FDS\\\"}\\r\\n\", \"send-fds\": 2, "
    "\"fd-kind\": \"lingering-tcp\", \"linger\": 7}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_expect (c, "{\"event\": \"FDS\"}");
  g_assert_cmpuint (c->fds->len, ==, 2);
  for (guint i = 0; i < c->fds->len; i++)
    {
      int fd = g_array_index (c->fds, int, i);
      const struct linger abortive = { .l_onoff = 1, .l_linger = 0 };
      struct linger linger;
      socklen_t len = sizeof linger;
      int unsent = 0;

      g_assert_cmpint (getsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, &len), ==, 0);
      g_assert_cmpint (linger.l_onoff, ==, 1);
      g_assert_cmpint (linger.l_linger, ==, 7);
      g_assert_cmpint (ioctl (fd, SIOCOUTQ, &unsent), ==, 0);
      g_assert_cmpint (unsent, >, 0);
      /* Or closing it here would take those 7 s. */
      g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive), ==, 0);
    }
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_stop_reading (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *big = g_strnfill (65536, ' ');
  gsize sent = 0;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"stop-reading\": true}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}");
  client_expect_quiet (c, QUIET_MS);
  /* Nothing is read: the socket's buffer fills up and stays full. */
  for (;;)
    {
      ssize_t n = send (c->fd, big, 65536, MSG_DONTWAIT | MSG_NOSIGNAL);

      if (n < 0 && errno == EAGAIN)
        break;
      g_assert_cmpint (n, >, 0);
      sent += (gsize) n;
      g_assert_cmpuint (sent, <, 256u << 20);
    }
  g_usleep (QUIET_MS * 1000);
  g_assert_cmpint (send (c->fd, big, 65536, MSG_DONTWAIT | MSG_NOSIGNAL), ==, -1);
  g_assert_cmpint (errno, ==, EAGAIN);
  /* Its going away is still seen: expect-close passes. */
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_reset (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  char buffer[64];
  ssize_t n;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"disconnect\": 4, \"reset\": true, \"delay\": 0.2}\n"
    "{\"raw\": \"{\\\"return\\\": {}}\\r\\n\"}\n", NULL);
  c = client_connect_negotiated (f->path);
  /* Left unread when the fake closes. */
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}");
  while (c->in->len < 4 && client_fill (c, REPLY_TIMEOUT_MS))
    ;
  g_assert_cmpstr (c->in->str, ==, "{\"re");
  do
    n = recv (c->fd, buffer, sizeof buffer, 0);
  while (n < 0 && errno == EINTR);
  g_assert_cmpint (n, ==, -1);
  g_assert_cmpint (errno, ==, ECONNRESET);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

/* ---- the verdict -------------------------------------------------------------------- */

static void
test_unreached_and_after_the_end (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\"}\n"
    "{\"expect\": \"stop\"}\n"
    "{\"event\": \"STOP\"}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-status\"}", EMPTY);
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 1);
  assert_contains (f->stderr_text, "0 mismatches, 2 steps never reached\n"
                   "  line 3: never reached: {\"expect\": \"stop\"}\n"
                   "  line 4: never reached: {\"event\": \"STOP\"}\n");
}

static void
test_command_after_the_end (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f, "{\"expect\": \"qmp_capabilities\"}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_check (c, "{\"execute\": \"query-status\", \"id\": 5}",
                "{\"id\": 5, \"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"fake-qemu script: unexpected command 'query-status': the script has ended\"}}");
  /* Invalid input gets QEMU's answer, and is a mismatch too. */
  client_check (c, "[1]", GENERIC ("QMP input must be a JSON object"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "2 mismatches, 0 steps never reached\n");
  assert_contains (f->stderr_text,
                   "  after the last step: unexpected command {\"execute\": \"query-status\", \"id\": 5}\n");
  assert_contains (f->stderr_text, "  after the last step: expected nothing more, got invalid input [1]\n");
}

/* A command whose reply was delayed, the client gone before it was due:
 * the session did not go as scripted. */
static void
test_unanswered_when_client_leaves (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"delay\": 5}\n"
    "{\"expect-close\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}");
  client_expect_quiet (c, 100);
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "script.jsonl: 0 mismatches, 0 steps never reached, "
                   "1 command never answered\n"
                   "  line 2: never answered: {\"execute\": \"query-status\", \"id\": 1} "
                   "(its reply was delayed 5000 ms; the connection closed first)\n");
}

/* The fake told to exit (SIGTERM, --timeout) with a reply held back, and a
 * command waiting behind a sleep: both are in the report. */
static void
test_unanswered_at_exit (Fixture *f, gconstpointer data)
{
  const char * const timeout[] = { "--timeout", "1", NULL };
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"delay\": 60}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\"}");
  client_expect_quiet (c, 100);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 1);
  assert_contains (f->stderr_text, "0 mismatches, 0 steps never reached, 1 command never answered\n"
                   "  line 2: never answered: {\"execute\": \"query-status\"} "
                   "(its reply was delayed 60000 ms; the fake exited first)\n");
  g_clear_pointer (&c, client_free);

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"sleep\": 60}\n"
    "{\"expect\": \"query-status\"}\n", timeout);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\"}");
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "0 mismatches, 2 steps never reached, 1 command never answered\n"
                   "  line 2: never answered: {\"execute\": \"query-status\"} "
                   "(it waited for its turn; the fake exited first)\n"
                   "  line 2: never reached: {\"sleep\": 60}\n"
                   "  line 3: never reached: {\"expect\": \"query-status\"}\n");
}

/* What the script itself leaves unanswered is no failure: a swallowed
 * command, or one cut off by the script's own disconnect. */
static void
test_unanswered_by_design (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"swallow\": true}\n"
    "{\"sleep\": 0.3}\n"
    "{\"disconnect\": true}\n", NULL);
  c = client_connect_negotiated (f->path);
  client_send (c, "{\"execute\": \"query-status\"}");
  client_send (c, "{\"execute\": \"query-version\"}");
  g_assert_true (client_wait_eof (c, REPLY_TIMEOUT_MS));
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_lenient_falls_back (Fixture *f, gconstpointer data)
{
  const char * const args[] = { "--lenient", NULL };
  g_autoptr(Client) c = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"return\": \"scripted\"}\n"
    "{\"expect-close\": true}\n", args);
  c = client_connect_negotiated (f->path);
  /* Unscripted: the built-in QEMU answers, and nothing is reported. */
  client_check (c, "{\"execute\": \"query-version\"}",
                "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                "\"package\": \"fake-qemu\"}}");
  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  client_check (c, "{\"execute\": \"query-status\"}", "{\"return\": \"scripted\"}");
  client_check (c, "{\"execute\": \"nonsense\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"The command nonsense has not been found\"}}");
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_lenient_save_flow (Fixture *f, gconstpointer data)
{
  const char * const args[] = { "--lenient", NULL };
  g_autoptr(Client) c = NULL;
  g_autofree char *line = NULL;
  int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  /* Only the failure matters to this test: the built-in Xen device model
   * plays the rest of the save flow. */
  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"xen-save-devices-state\", \"args\": {\"filename\": \"/dev/fdset/0\"}, "
    "\"error\": \"No space left on device\"}\n"
    "{\"expect-close\": true}\n", args);
  c = client_connect_negotiated (f->path);
  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 0}}", &fd, 1);
  close (fd);
  g_clear_pointer (&line, g_free);
  line = client_read (c);
  g_assert_true (g_str_has_prefix (line, "{\"return\": {\"fd\": "));
  client_check (c, "{\"execute\": \"xen-save-devices-state\", \"arguments\": {\"filename\": \"/dev/fdset/0\"}}",
                GENERIC ("No space left on device"));
  client_check (c, "{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 0}}", EMPTY);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

/* An unscripted command is the built-in QEMU's at once, even while a
 * delayed reply or a sleep holds the script's steps. */
static void
test_lenient_answers_at_once (Fixture *f, gconstpointer data)
{
  const char * const args[] = { "--lenient", NULL };
  g_autoptr(Client) c = NULL;
  g_autofree char *line = NULL;
  gint64 start;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"query-status\", \"delay\": 0.8, \"return\": \"late\"}\n"
    "{\"expect\": \"query-kvm\", \"return\": \"scripted\"}\n"
    "{\"sleep\": 0.8}\n"
    "{\"event\": \"LATE\"}\n"
    "{\"expect-close\": true}\n", args);
  c = client_connect_negotiated (f->path);
  start = g_get_monotonic_time ();
  /* query-kvm is the script's next step: it waits its turn; query-version
   * is no step's, and overtakes both. */
  client_send (c, "{\"execute\": \"query-status\", \"id\": 1}"
                  "{\"execute\": \"query-kvm\", \"id\": 2}"
                  "{\"execute\": \"query-version\", \"id\": 3}");
  client_expect (c, "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                 "\"package\": \"fake-qemu\"}, \"id\": 3}");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 400 * 1000);
  client_expect (c, "{\"return\": \"late\", \"id\": 1}");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 800 * 1000);
  client_expect (c, "{\"return\": \"scripted\", \"id\": 2}");
  /* During the sleep. */
  start = g_get_monotonic_time ();
  client_check_with_event (c, "{\"execute\": \"stop\"}", "STOP", NULL, EMPTY);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 400 * 1000);
  line = client_read (c);
  assert_event (line, "LATE", NULL);
  g_clear_pointer (&c, client_free);
  assert_passed (f);
}

static void
test_several_sockets (Fixture *f, gconstpointer data)
{
  g_autofree char *second = g_build_filename (f->dir, "qmp2.sock", NULL);
  const char * const args[] = { "--socket", second, NULL };
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;

  fixture_start (f,
    "{\"expect\": \"qmp_capabilities\"}\n"
    "{\"expect\": \"qmp_capabilities\", \"socket\": 1}\n"
    "{\"expect\": \"query-status\", \"socket\": 1, \"return\": \"b\"}\n"
    "{\"expect\": \"query-status\", \"return\": \"a\"}\n"
    "{\"expect-close\": true}\n"
    "{\"expect-close\": true, \"socket\": 1}\n", args);
  a = client_connect (f->path);
  b = client_connect (second);
  client_expect (a, GREETING);
  client_expect (b, GREETING);
  /* Each socket plays its own steps, in any interleaving. */
  client_check (b, QMP_CAPABILITIES, EMPTY);
  client_check (b, "{\"execute\": \"query-status\"}", "{\"return\": \"b\"}");
  client_check (a, QMP_CAPABILITIES, EMPTY);
  client_check (a, "{\"execute\": \"query-status\"}", "{\"return\": \"a\"}");
  g_clear_pointer (&a, client_free);
  /* Not done while the second client is connected. */
  g_assert_cmpint (test_server_wait (f->server, QUIET_MS), ==, -1);
  g_clear_pointer (&b, client_free);
  assert_passed (f);
}

static void
test_mismatch_names_the_socket (Fixture *f, gconstpointer data)
{
  g_autofree char *second = g_build_filename (f->dir, "qmp2.sock", NULL);
  const char * const args[] = { "--socket", second, NULL };
  g_autoptr(Client) b = NULL;
  g_autofree char *expected = NULL;

  fixture_start (f, "{\"expect\": \"stop\", \"socket\": 1}\n", args);
  b = client_connect (second);
  client_expect (b, GREETING);
  client_check (b, "{\"execute\": \"cont\"}",
                GENERIC ("fake-qemu script: expected 'stop' (line 1), got 'cont'"));
  g_clear_pointer (&b, client_free);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 1);
  expected = g_strdup_printf ("  line 1 (socket 1, %s): expected 'stop', got {\"execute\": \"cont\"}\n",
                              second);
  assert_contains (f->stderr_text, expected);
}

/* ---- optional steps ------------------------------------------------------------- */

#define OPTIONAL_SCRIPT \
  "{\"expect\": \"qmp_capabilities\"}\n" \
  "{\"expect\": \"query-qmp-schema\", \"optional\": true, \"return\": []}\n" \
  "{\"event\": \"READY\"}\n" \
  "{\"expect\": \"query-status\", \"return\": \"s\"}\n" \
  "{\"expect-close\": true}\n"

/* The script passes whether the client sends the optional command or
 * not, and the steps after it do not wait for it. */
static void
test_optional_step (Fixture *f, gconstpointer data)
{
  for (guint sends = 0; sends < 2; sends++)
    {
      g_autoptr(Client) c = NULL;
      g_autofree char *line = NULL;

      fixture_start (f, OPTIONAL_SCRIPT, NULL);
      c = client_connect_negotiated (f->path);
      line = client_read (c);
      assert_event (line, "READY", NULL);
      if (sends)
        client_check (c, "{\"execute\": \"query-qmp-schema\"}", "{\"return\": []}");
      client_check (c, "{\"execute\": \"query-status\"}", "{\"return\": \"s\"}");
      g_clear_pointer (&c, client_free);
      assert_passed (f);
    }
}

/* An optional step may be taken until the next required one is: after
 * that, its command is out of order again. */
static void
test_optional_step_window (Fixture *f, gconstpointer data)
{
  g_autoptr(Client) c = NULL;
  g_autofree char *line = NULL;

  fixture_start (f, OPTIONAL_SCRIPT, NULL);
  c = client_connect_negotiated (f->path);
  line = client_read (c);
  assert_event (line, "READY", NULL);
  client_check (c, "{\"execute\": \"query-status\"}", "{\"return\": \"s\"}");
  client_check (c, "{\"execute\": \"query-qmp-schema\"}",
                GENERIC ("fake-qemu script: expected the client to close (line 5), "
                         "got 'query-qmp-schema'"));
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, FALSE), ==, 1);
  assert_contains (f->stderr_text, "1 mismatch, 0 steps never reached\n"
                   "  line 5: expected the client to close, got {\"execute\": \"query-qmp-schema\"}\n");
}

/* ---- recording, and scripts recorded from QEMU 7.2 ------------------------------ */

/* Plays the client side of SCRIPT (its "expect" steps, /dev/null for the
 * descriptors) and checks that each reply, and the events before it, are
 * the ones the script holds. */
static void
replay_client (Client *c, const char *script, gboolean send_optional)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (script, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonParser) reply_parser = json_parser_new ();
      g_autoptr(JsonNode) command = NULL;
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *request = NULL;
      g_autofree char *reply = NULL;
      JsonObject *step, *object, *got;
      JsonArray *events;
      guint n_fds;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      step = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_has_member (step, "expect")
          || (!send_optional && json_object_get_boolean_member_with_default (step, "optional", FALSE)))
        continue;

      object = json_object_new ();
      json_object_set_string_member (object, "execute", json_object_get_string_member (step, "expect"));
      if (json_object_get_size (json_object_get_object_member (step, "args")) > 0)
        json_object_set_member (object, "arguments",
                                json_node_copy (json_object_get_member (step, "args")));
      command = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (command, object);
      json_generator_set_root (generator, command);
      request = json_generator_to_data (generator, NULL);
      n_fds = (guint) json_object_get_int_member (step, "fds");
      if (n_fds > 0)
        {
          int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

          g_assert_cmpuint (n_fds, ==, 1);
          client_send_fds (c, request, &fd, 1);
          close (fd);
        }
      else
        client_send (c, request);

      events = json_object_has_member (step, "events")
               ? json_object_get_array_member (step, "events") : NULL;
      for (guint e = 0; events != NULL && e < json_array_get_length (events); e++)
        {
          g_autofree char *line = client_read (c);
          const char *name = json_object_get_string_member (json_array_get_object_element (events, e),
                                                            "event");
          assert_event (line, name, NULL);
        }
      reply = client_read (c);
      g_assert_true (json_parser_load_from_data (reply_parser, reply, -1, NULL));
      got = json_node_get_object (json_parser_get_root (reply_parser));
      if (json_object_has_member (step, "return"))
        g_assert_true (json_node_equal (json_object_get_member (got, "return"),
                                        json_object_get_member (step, "return")));
      else
        g_assert_true (json_node_equal (json_object_get_member (got, "error"),
                                        json_object_get_member (step, "error")));
    }
}

/* The scripts shipped in fake-qemu/scripts/, recorded from QEMU 7.2,
 * replay: a client that sends what was sent gets what QEMU answered.
 * With DATA, they do so under --schema with that QEMU's schema: what QEMU
 * said cannot drift from what QEMU says. */
static void
test_shipped_scripts_replay (Fixture *f, gconstpointer data)
{
  const char *names[] = { "handshake", "query-version", "query-qmp-schema", "stop-cont",
                          "errors", "fdsets" };
  g_autofree char *schema = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                                   "qemu-7.2-schema.json", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s.jsonl", names[i]);
      g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                                       file, NULL);
      const char * const args[] = { "--script", script, data != NULL ? "--schema" : NULL,
                                    schema, NULL };
      g_autoptr(Client) c = NULL;
      g_autofree char *greeting = NULL;

      g_test_message ("replaying %s%s", script, data != NULL ? " with --schema" : "");
      fake_run_start (f, args);
      c = client_connect (f->path);
      greeting = client_read (c);
      g_assert_true (g_str_has_prefix (greeting, "{\"QMP\": {\"version\": {\"qemu\": "
                                       "{\"micro\": 22, \"minor\": 2, \"major\": 7}, "));
      replay_client (c, script, TRUE);
      g_clear_pointer (&c, client_free);
      assert_passed (f);
    }
}

/* Appends the next message to TRANSCRIPT; TRUE if it was an event. */
static gboolean
transcribe (Client *c, GString *transcript)
{
  g_autofree char *line = client_read (c);

  g_string_append_printf (transcript, "%s\n", line);
  return g_str_has_prefix (line, "{\"timestamp\"");
}

/* A session with the live QEMU, as text, timestamps and descriptor
 * numbers blanked out. */
static char *
run_session (const char *path)
{
  g_autoptr(Client) c = client_connect (path);
  g_autoptr(GString) transcript = g_string_new (NULL);
  g_autoptr(GRegex) volatile_numbers = g_regex_new ("(\"seconds\": \\d+, \"microseconds\": \\d+|\"fd\": \\d+)",
                                                    0, 0, NULL);
  const char *commands[] = {
    "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}",
    "{\"execute\": \"query-version\", \"id\": {\"b\": 1, \"a\": 2}}",
    "{\"execute\": \"stop\", \"id\": 1}",
    "{\"execute\": \"query-status\"}",
    "{\"execute\": \"cont\"}",
    "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nope\"}}",
    "{\"execute\": \"no-such-command\", \"id\": \"x\"}",
  };
  int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  transcribe (c, transcript);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      client_send (c, commands[i]);
      /* Each command's events, then its reply. */
      while (transcribe (c, transcript))
        ;
    }
  client_send_fds (c, "{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": 3}}", &fd, 1);
  close (fd);
  transcribe (c, transcript);
  client_send (c, "{\"execute\": \"query-fdsets\"}");
  transcribe (c, transcript);
  return g_regex_replace_literal (volatile_numbers, transcript->str, -1, 0, "N", 0, NULL);
}

/* fake-qemu --record in front of a real QEMU 7.2 writes a script; the
 * same client session against its replay gets the same bytes. */
static void
test_record_then_replay (Fixture *f, gconstpointer data)
{
  g_autofree char *real = g_build_filename (f->dir, "real.sock", NULL);
  g_autofree char *recorded = g_build_filename (f->dir, "recorded.jsonl", NULL);
  const char * const record_args[] = { "--record", real, "--output", recorded, NULL };
  const char * const replay_args[] = { "--script", recorded, NULL };
  g_autoptr(TestServer) qemu = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *live = NULL;
  g_autofree char *replayed = NULL;

  qemu = test_server_start_qemu (real, &error);
  g_assert_no_error (error);
  if (qemu == NULL)
    {
      g_test_skip ("no qemu-system-x86_64");
      return;
    }
  fake_run_start (f, record_args);
  /* Each step is written (and flushed) before its reply is forwarded
   * on: once the session has read its last reply, the script is whole. */
  live = run_session (f->path);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 0);
  g_test_message ("recorded:\n%s", live);

  fake_run_start (f, replay_args);
  replayed = run_session (f->path);
  assert_passed (f);
  g_assert_cmpstr (replayed, ==, live);
}

/* A recording holds query-qmp-schema as the recording client's cache had
 * it: optional, so that its replay passes for a client that asks for the
 * schema and for one that does not. The "real" QEMU here is a fake-qemu
 * with QEMU 7.2's schema, so that this runs without QEMU. */
static void
test_record_schema_optional (Fixture *f, gconstpointer data)
{
  g_autofree char *real = g_build_filename (f->dir, "real.sock", NULL);
  g_autofree char *recorded = g_build_filename (f->dir, "recorded.jsonl", NULL);
  g_autofree char *schema = g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                                   "qemu-7.2-schema.json", NULL);
  const char * const real_args[] = { "--schema", schema, NULL };
  const char * const record_args[] = { "--record", real, "--output", recorded, NULL };
  const char * const replay_args[] = { "--script", recorded, NULL };
  g_autoptr(TestServer) qemu = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Client) c = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) lines = NULL;

  qemu = test_server_start_fake (real, real_args, &error);
  g_assert_no_error (error);
  fake_run_start (f, record_args);
  c = client_connect_negotiated (f->path);
  line = client_call (c, "{\"execute\": \"query-qmp-schema\"}");
  g_assert_true (g_str_has_prefix (line, "{\"return\": [{"));
  client_check (c, "{\"execute\": \"query-status\"}",
                "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}");
  g_clear_pointer (&c, client_free);
  g_assert_cmpint (fixture_finish (f, TRUE), ==, 0);
  g_assert_true (g_file_get_contents (recorded, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  /* The greeting, qmp_capabilities, then these (the schema's line is
   * 200 KiB: only its start is compared). */
  g_assert_cmpuint (g_strv_length (lines), >=, 5);
  g_assert_true (g_str_has_prefix (lines[3], "{\"expect\":\"query-qmp-schema\",\"optional\":true,"
                                   "\"args\":{},\"fds\":0,\"return\":[{"));
  g_assert_true (g_str_has_prefix (lines[4], "{\"expect\":\"query-status\",\"args\":{},"));

  for (guint sends = 0; sends < 2; sends++)
    {
      g_autofree char *greeting = NULL;

      fake_run_start (f, replay_args);
      c = client_connect (f->path);
      greeting = client_read (c);
      g_assert_true (g_str_has_prefix (greeting, "{\"QMP\": "));
      replay_client (c, recorded, sends);
      g_clear_pointer (&c, client_free);
      assert_passed (f);
    }
}

/* ---- script errors -------------------------------------------------------------------- */

static void
assert_script_error (Fixture *f, const char *script, const char *message)
{
  g_autofree char *fake = g_strdup (g_getenv ("FAKE_QEMU"));
  const char *argv[] = { fake, "--socket", f->path, "--script", f->script, NULL };
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (fake);
  g_assert_true (g_file_set_contents (f->script, script, -1, NULL));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  /* MESSAGE is the whole message, or (ending with "...") its start. */
  expected = g_strdup_printf ("fake-qemu: %s:%s\n", f->script, message);
  if (g_str_has_suffix (message, "..."))
    {
      expected[strlen (expected) - 4] = '\0';
      if (!g_str_has_prefix (err, expected))
        g_error ("expected a message starting with\n%s\ngot\n%s", expected, err);
    }
  else
    g_assert_cmpstr (err, ==, expected);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_script_errors (Fixture *f, gconstpointer data)
{
  assert_script_error (f, "# fine\n{\"expect\": \"stop\"}\n{\"expect\": \"stop\",}\n",
                       "3:19: not valid JSON: a trailing comma (not RFC 8259 JSON), at byte 18");
  /* json-glib alone would take the second value (and leak the first). */
  assert_script_error (f, "{\"expect\": \"stop\"} {\"expect\": \"cont\"}\n",
                       "1:20: not valid JSON: text after the end of the JSON value, at byte 19");
  /* json-glib alone would take comments and single quotes. */
  assert_script_error (f, "{\"expect\": /* x */ \"stop\"}\n",
                       "1:12: not valid JSON: a comment (not RFC 8259 JSON), at byte 11");
  assert_script_error (f, "{\"expect\": 'stop'}\n",
                       "1:12: not valid JSON: a single-quoted string (not RFC 8259 JSON), at byte 11");
  assert_script_error (f, "{\"expect\": \"stop\", \"expect\": \"cont\"}\n",
                       "1:20: not valid JSON: a member name given twice in one object, at byte 19");
  assert_script_error (f, "{\"expect\": \"stop\", \"retrun\": {}}\n",
                       "1:20: unknown key \"retrun\" in a \"expect\" step");
  assert_script_error (f, "[1]\n", "1:1: a step must be a JSON object, e.g. {\"expect\": \"query-status\"}");
  assert_script_error (f, "{\"args\": {}}\n",
                       "1:1: a step needs one of \"greeting\", \"expect\", \"event\", \"sleep\", "
                       "\"raw\", \"raw-base64\", \"disconnect\", \"expect-close\", \"stop-reading\"");
  assert_script_error (f, "{\"expect\": \"stop\", \"event\": \"STOP\"}\n",
                       "1:20: one step per line: \"expect\" and \"event\"");
  assert_script_error (f, "{\"expect\": \"stop\", \"return\": 1, \"error\": \"x\"}\n",
                       "1:2: a command gets one of \"return\", \"error\", \"raw-reply\" or \"swallow\"");
  assert_script_error (f, "{\"raw\": \"x\", \"interval\": 1}\n", "1:14: \"interval\" needs \"chunk\"");
  assert_script_error (f, "{\"raw\": \"x\", \"chunk\": 0}\n", "1:14: \"chunk\" must be at least 1 byte");
  assert_script_error (f, "{\"raw\": \"x\", \"send-fds\": 254}\n",
                       "1:14: \"send-fds\" must be an integer from 0 to 253");
  assert_script_error (f, "{\"disconnect\": true, \"reset\": 1}\n", "1:22: \"reset\" must be true or false");
  assert_script_error (f, "{\"stop-reading\": false}\n", "1:2: \"stop-reading\" must be true");
  assert_script_error (f, "{\"sleep\": -1}\n", "1:2: \"sleep\" must be between 0 and 86400 seconds");
  assert_script_error (f, "{\"raw-base64\": \"**\"}\n", "1:2: \"raw-base64\" is not base64: '*'");
  assert_script_error (f, "{\"expect\": \"stop\", \"optional\": 1}\n",
                       "1:20: \"optional\" must be true or false");
  assert_script_error (f, "{\"event\": \"STOP\", \"optional\": true}\n",
                       "1:19: unknown key \"optional\" in a \"event\" step");
  assert_script_error (f, "{\"expect\": \"stop\", \"socket\": 1}\n",
                       "1: \"socket\": 1, but there is only 1 --socket (counted from 0)");
}

/* Deep nesting in a script is refused before json-glib recurses into it. */
static void
test_script_deep_nesting (Fixture *f, gconstpointer data)
{
  g_autofree char *deep = g_strnfill (100000, '[');
  g_autofree char *script = g_strdup_printf ("{\"expect\": \"x\", \"return\": %s}\n", deep);

  assert_script_error (f, script, "1:538: nested deeper than 512 (use \"repeat\" for deep input)");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/fake-qemu/script/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("replies-and-ids", test_replies_and_ids);
  ADD ("wrong-command-is-reported", test_wrong_command_is_reported);
  ADD ("arguments-exact-and-subset", test_arguments_exact_and_subset);
  ADD ("fds-are-counted", test_fds_are_counted);
  ADD ("events", test_events);
  ADD ("delay-and-sleep", test_delay_and_sleep);
  ADD ("swallow", test_swallow);
  ADD ("raw-bytes", test_raw_bytes);
  ADD ("raw-to-a-client-gone", test_raw_to_a_client_gone);
  ADD ("greetings", test_greetings);
  ADD ("disconnects", test_disconnects);
  ADD ("chunks-and-interval", test_chunks_and_interval);
  ADD ("raw-reply-echoes-the-id", test_raw_reply_echoes_the_id);
  ADD ("send-fds", test_send_fds);
  ADD ("send-lingering-fds", test_send_lingering_fds);
  ADD ("stop-reading", test_stop_reading);
  ADD ("reset", test_reset);
  ADD ("unreached-steps-are-reported", test_unreached_and_after_the_end);
  ADD ("command-after-the-end", test_command_after_the_end);
  ADD ("lenient-falls-back-to-builtins", test_lenient_falls_back);
  ADD ("lenient-save-flow", test_lenient_save_flow);
  ADD ("lenient-answers-at-once", test_lenient_answers_at_once);
  ADD ("unanswered-when-client-leaves", test_unanswered_when_client_leaves);
  ADD ("unanswered-at-exit", test_unanswered_at_exit);
  ADD ("unanswered-by-design", test_unanswered_by_design);
  ADD ("optional-step", test_optional_step);
  ADD ("optional-step-window", test_optional_step_window);
  ADD ("record-schema-optional", test_record_schema_optional);
  ADD ("several-sockets", test_several_sockets);
  ADD ("mismatch-names-the-socket", test_mismatch_names_the_socket);
  ADD ("record-then-replay", test_record_then_replay);
  ADD ("shipped-scripts-replay", test_shipped_scripts_replay);
  g_test_add ("/fake-qemu/script/shipped-scripts-replay-with-schema", Fixture, "schema",
              fixture_setup, test_shipped_scripts_replay, fixture_teardown);
  ADD ("script-errors", test_script_errors);
  ADD ("script-deep-nesting", test_script_deep_nesting);

  return g_test_run ();
}
