/* test-hostile.c: the catalogue of hostile device-model input
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In Xen, QEMU runs on behalf of a guest and may be compromised: every
 * byte from it is hostile. Each case plays one script of tests/hostile/
 * (see tests/hostile/README.md) as domain 1, while domain 2, an idle
 * fake-qemu, is asked something at the same time through the same host
 * and main context. Each case checks, through the command API:
 *
 * - domain 1's command is called back exactly once, with the expected
 *   error (domain, code, class and what was wrong) or reply, within its
 *   timeout;
 * - domain 2's command is answered correctly;
 * - a protocol violation is logged as a warning, with its text;
 * - once the host is gone, this process has the descriptors it had
 *   before the case;
 * - after the failure, the process idles: no busy loop;
 * - fake-qemu's verdict: the library did what the script expects (it
 *   closed the connection; it sent no command it should not have).
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-loop.h"
#include "test-server.h"

#define HOSTILE_DOMID 1
#define GOOD_DOMID    2
/* Small limits keep the cases fast: a 1 MiB line is refused at 64 KiB. */
#define MAX_MESSAGE_SIZE (64 * 1024)
#define MAX_DEPTH        32
#define MAX_ELEMENTS     4096
#define DRAIN_TIMEOUT_MS 200
/* A command expected to fail at once still gets a timeout, so that a
 * library that ignored the input would fail the case rather than hang. */
#define FAIL_TIMEOUT_MS  3000
#define SHORT_TIMEOUT_MS 300
/* How much later than its timeout a callback may come. */
#define LATE_MARGIN_MS   1500
/* The idle check: CPU time spent while the loop spins for IDLE_MS. */
#define IDLE_MS          200
#define IDLE_CPU_MAX_US  (50 * 1000)
#define FLOOD_EVENTS     100000
/* Domain 2's slowest round trip while domain 1 misbehaves: milliseconds
 * in practice; a main loop blocked by domain 1 (a lingering close, a
 * quadratic parse) takes seconds. */
#define WORST_PING_MS    1000
#define RSS_GROWTH_MAX_KB (64 * 1024)

typedef struct _Case Case;
typedef struct _Run Run;

struct _Case {
  const char *name;             /* tests/hostile/NAME.jsonl */
  const char *command;
  gsize       pad;              /* bytes of an argument that pads the command */
  guint       timeout_ms;
  gint        code;             /* G_IO_ERROR code, or -1: a reply */
  const char *message;          /* in the error's message */
  const char *warning;          /* the warning logged, a glob; NULL: none */
  const char *response;         /* the reply, as JSON */
  void      (*check) (Run *run);
  gboolean    drains;           /* the connection waits for drain-timeout-ms */
};

/* What a callback saw. */
typedef struct {
  guint             calls;
  XenQmpErrorClass  error_class;
  GError           *error;
  JsonNode         *response;
  gint64            at;
  guint             devnull_fds;   /* descriptors of /dev/null then */
  guint             flood_seen;    /* events of the flood then */
} Result;

struct _Run {
  const Case *c;
  XenQmpHost *host;
  Result      hostile;
  Result      good;
  Result      good_during_flood;
  XenQmpCmd   good_during_flood_cmd;
  guint       events;             /* from domain 1 */
  guint       events_out_of_order;
  gint64      rss_before_kb;
  gint64      rss_max_kb;
  XenQmpCmd   ping_cmd;           /* domain 2, asked again and again */
  guint       pings;
  gint64      ping_sent_at;
  gint64      ping_worst_us;
  guint       devnull_before;
};

static char *run_dir;
static TestServer *good_server;
/* Under valgrind everything is some 50 times slower: the bounds that
 * only guard against a hang are multiplied by this. */
static guint slowdown = 1;

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  g_clear_pointer (&r->response, json_node_unref);
}

/* ---- process probes ------------------------------------------------------ */

static guint
count_devnull_fds (void)
{
  g_autoptr(GDir) d = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (g_strcmp0 (target, "/dev/null") == 0)
        n++;
    }
  return n;
}

static gint64
cpu_time_us (void)
{
  struct rusage ru;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &ru), ==, 0);
  return (gint64) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC
         + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static gint64
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* ---- callbacks ------------------------------------------------------------- */

static void
record_cb (XenQmpCmd        *cmd,
           JsonNode         *response,
           XenQmpErrorClass  error_class,
           const GError     *error,
           gpointer          user_data)
{
  Result *r = user_data;

  r->calls++;
  r->error_class = error_class;
  g_clear_error (&r->error);
  g_clear_pointer (&r->response, json_node_unref);
  r->error = error != NULL ? g_error_copy (error) : NULL;
  r->response = response != NULL ? json_node_copy (response) : NULL;
  r->at = g_get_monotonic_time ();
  r->devnull_fds = count_devnull_fds ();
  g_assert_true ((response != NULL) != (error != NULL));
}

static void
hostile_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
            const GError *error, gpointer user_data)
{
  Run *run = user_data;

  record_cb (cmd, response, error_class, error, &run->hostile);
  run->hostile.flood_seen = run->events;
}

static void ping_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                     const GError *error, gpointer user_data);

static void
ping_exec (Run *run)
{
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (&run->ping_cmd);
  run->ping_cmd.timeout_ms = FAIL_TIMEOUT_MS * slowdown;
  run->ping_sent_at = g_get_monotonic_time ();
  g_assert_true (xen_qmp_cmd_exec (run->host, &run->ping_cmd, ping_cb, run, GOOD_DOMID,
                                   "query-status", NULL, &error));
  g_assert_no_error (error);
}

/* Domain 2's round trips while domain 1 plays its case: each answered
 * one is asked again until domain 1's outcome is in. */
static void
ping_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
         const GError *error, gpointer user_data)
{
  Run *run = user_data;

  g_assert_no_error (error);
  run->pings++;
  run->ping_worst_us = MAX (run->ping_worst_us, g_get_monotonic_time () - run->ping_sent_at);
  if (run->hostile.calls == 0)
    ping_exec (run);
  else
    record_cb (cmd, response, error_class, error, &run->good);
}

static void
good_during_flood_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                      const GError *error, gpointer user_data)
{
  Run *run = user_data;

  record_cb (cmd, response, error_class, error, &run->good_during_flood);
  run->good_during_flood.flood_seen = run->events;
}

static void
event_cb (XenQmpHost *host, guint32 domid, const char *event, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  Run *run = user_data;
  char expected[8];

  if (domid != HOSTILE_DOMID)
    return;
  g_snprintf (expected, sizeof expected, "E%u", run->events % 10);
  if (strcmp (run->c->name, "event-flood") == 0
      && (strcmp (event, expected) != 0
          || data == NULL
          || json_object_get_int_member_with_default (data, "n", -1) != run->events % 10))
    run->events_out_of_order++;
  run->events++;
  if (run->events % 10000 == 0)
    run->rss_max_kb = MAX (run->rss_max_kb, rss_kb ());
  /* Asked while the flood is on: it must be answered before it ends. */
  if (run->events == 1000 && strcmp (run->c->name, "event-flood") == 0)
    {
      g_autoptr(GError) error = NULL;

      xen_qmp_cmd_init (&run->good_during_flood_cmd);
      g_assert_true (xen_qmp_cmd_exec (run->host, &run->good_during_flood_cmd,
                                       good_during_flood_cb, run, GOOD_DOMID,
                                       "query-status", NULL, &error));
      g_assert_no_error (error);
    }
}

/* ---- the cases' own checks ------------------------------------------------- */

static void
check_event_flood (Run *run)
{
  g_assert_cmpuint (run->events, ==, FLOOD_EVENTS);
  g_assert_cmpuint (run->events_out_of_order, ==, 0);
  /* Stream order: the events came before the reply, so all were
   * delivered before its callback. */
  g_assert_cmpuint (run->hostile.flood_seen, ==, FLOOD_EVENTS);
  /* About 4 MB of events: a library that kept them would grow by far
   * more than this. */
  g_test_message ("RSS %" G_GINT64_FORMAT " kB before, at most %" G_GINT64_FORMAT
                  " kB during the flood", run->rss_before_kb, run->rss_max_kb);
  /* valgrind and AddressSanitizer keep freed blocks aside (ASan up to
   * 256 MiB) and add their own shadow memory: the resident size says
   * nothing there (their leak checks do). */
#ifndef __SANITIZE_ADDRESS__
  if (slowdown == 1)
    g_assert_cmpint (run->rss_max_kb - run->rss_before_kb, <, 16 * 1024);
#endif
  g_assert_cmpuint (run->good_during_flood.calls, ==, 1);
  g_assert_no_error (run->good_during_flood.error);
  g_assert_cmpuint (run->good_during_flood.flood_seen, <, FLOOD_EVENTS);
}

static void
check_fds_closed (Run *run)
{
  /* Descriptors came with an event and with the reply: they are closed
   * off the main loop, so soon after the reply rather than before it. */
  RUN_UNTIL (count_devnull_fds () == run->devnull_before);
  g_assert_cmpuint (run->events, ==, 1);
}

static void
check_one_event (Run *run)
{
  g_assert_cmpuint (run->events, ==, 1);
}

/* Two padding events went first (see the scripts), then the one with the
 * descriptors. */
static void
check_padded_event (Run *run)
{
  g_assert_cmpuint (run->events, ==, 3);
}

static void
check_two_events (Run *run)
{
  g_assert_cmpuint (run->events, ==, 2);
}

static void
check_slow_sender (Run *run)
{
  g_assert_cmpuint (run->events, ==, 1);
}

static void
check_duplicate_ignored (Run *run)
{
  /* The second reply came too, and called nobody. */
  spin (100);
  g_assert_cmpuint (run->hostile.calls, ==, 1);
}

/* ---- the catalogue --------------------------------------------------------- */

#define PROTOCOL G_IO_ERROR_INVALID_DATA
#define RUNNING "{\"status\":\"running\",\"singlestep\":false,\"running\":true}"

static const Case cases[] = {
  { "deep-nesting", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent JSON nested more than 32 levels deep (limit max-depth)",
    "domain 1: QEMU sent JSON nested more than 32 levels deep (limit max-depth)" },
  { "endless-line", "query-status", 0, FAIL_TIMEOUT_MS, G_IO_ERROR_MESSAGE_TOO_LARGE,
    "QEMU sent a message larger than 65536 bytes (limit max-message-size)",
    "domain 1: QEMU sent a message larger than 65536 bytes (limit max-message-size)" },
  { "huge-string", "query-status", 0, FAIL_TIMEOUT_MS, G_IO_ERROR_MESSAGE_TOO_LARGE,
    "QEMU sent a message larger than 65536 bytes (limit max-message-size)",
    "domain 1: QEMU sent a message larger than 65536 bytes (limit max-message-size)" },
  { "nul-bytes", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a NUL byte, at byte 13",
    "domain 1: QEMU sent an invalid QMP message: a NUL byte*" },
  { "invalid-utf8", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: invalid UTF-8, at byte ",
    "domain 1: QEMU sent an invalid QMP message: invalid UTF-8, at byte *" },
  { "top-level-array", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: an array, not a JSON object",
    "domain 1: QEMU sent an invalid QMP message: an array, not a JSON object" },
  { "top-level-number", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a number, not a JSON object",
    "domain 1: QEMU sent an invalid QMP message: a number, not a JSON object" },
  { "top-level-string", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a string, not a JSON object",
    "domain 1: QEMU sent an invalid QMP message: a string, not a JSON object" },
  { "two-values", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: text after the end of the JSON value, at byte ",
    "domain 1: QEMU sent an invalid QMP message: text after the end of the JSON value, at byte *" },
  { "reply-before-greeting", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent a reply before its greeting",
    "domain 1: QEMU sent a reply before its greeting" },
  { "no-greeting", "query-status", 0, SHORT_TIMEOUT_MS, G_IO_ERROR_TIMED_OUT,
    "query-status timed out after 300 ms waiting: QEMU sent no greeting", NULL },
  { "second-greeting", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent a second greeting", "domain 1: QEMU sent a second greeting" },
  { "greeting-not-object", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "the greeting's \"QMP\" member is not an object",
    "domain 1: QEMU sent an invalid QMP message: the greeting's \"QMP\" member is not an object" },
  { "return-and-error", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "more than one of greeting, event, return and error",
    "domain 1: QEMU sent an invalid QMP message: more than one of greeting, event, return and error" },
  { "neither", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "neither a greeting, an event nor a reply",
    "domain 1: QEMU sent an invalid QMP message: neither a greeting, an event nor a reply" },
  { "error-without-class", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "an error reply has no \"class\"",
    "domain 1: QEMU sent an invalid QMP message: an error reply has no \"class\"" },
  { "error-class-not-string", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "an error reply's \"class\" is not a string",
    "domain 1: QEMU sent an invalid QMP message: an error reply's \"class\" is not a string" },
  { "unknown-id", "query-status", 0, SHORT_TIMEOUT_MS, G_IO_ERROR_TIMED_OUT,
    "query-status timed out after 300 ms without a reply", NULL, NULL, NULL, TRUE },
  { "duplicate-id", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL, "{\"n\":1}",
    check_duplicate_ignored },
  { "wrong-type-id", "query-status", 0, SHORT_TIMEOUT_MS, G_IO_ERROR_TIMED_OUT,
    "query-status timed out after 300 ms without a reply", NULL, NULL, NULL, TRUE },
  { "foreign-ids", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL, "{\"n\":10}" },
  { "comment-nesting", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a comment (not RFC 8259 JSON), at byte 17",
    "domain 1: QEMU sent an invalid QMP message: a comment (not RFC 8259 JSON), at byte 17" },
  { "single-quote-greeting", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a single-quoted string (not RFC 8259 JSON), at byte ",
    "domain 1: QEMU sent an invalid QMP message: a single-quoted string (not RFC 8259 JSON), at byte *" },
  { "repeated-names", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a member name given twice in one object, at byte 32",
    "domain 1: QEMU sent an invalid QMP message: a member name given twice in one object, at byte 32" },
  { "repeated-escaped-names", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a member name given twice in one object, at byte ",
    "domain 1: QEMU sent an invalid QMP message: a member name given twice in one object, at byte *" },
  { "colliding-names", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: more than 2 member names of one object with one hash "
    "(names chosen to collide), at byte ",
    "domain 1: QEMU sent an invalid QMP message: more than 2 member names of one object with one hash *" },
  { "many-members", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: more than 1024 members in one object, at byte ",
    "domain 1: QEMU sent an invalid QMP message: more than 1024 members in one object, at byte *" },
  { "amplification", "query-status", 0, FAIL_TIMEOUT_MS, G_IO_ERROR_MESSAGE_TOO_LARGE,
    "QEMU sent an invalid QMP message: more than 4096 JSON values (limit max-elements), at byte ",
    "domain 1: QEMU sent an invalid QMP message: more than 4096 JSON values (limit max-elements)*" },
  { "nul-escape", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: \\u0000 in a string (the string would end there), at byte ",
    "domain 1: QEMU sent an invalid QMP message: \\u0000 in a string*" },
  { "lone-surrogate", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: an unpaired surrogate escape in a string, at byte ",
    "domain 1: QEMU sent an invalid QMP message: an unpaired surrogate escape in a string*" },
  { "overlong-utf8", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: invalid UTF-8, at byte ",
    "domain 1: QEMU sent an invalid QMP message: invalid UTF-8, at byte *" },
  { "number-overflow", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a number beyond a double's range, at byte ",
    "domain 1: QEMU sent an invalid QMP message: a number beyond a double's range*" },
  { "bare-words", "query-status", 0, FAIL_TIMEOUT_MS, PROTOCOL,
    "QEMU sent an invalid QMP message: a bare word where a value should be (not RFC 8259 JSON), at byte ",
    "domain 1: QEMU sent an invalid QMP message: a bare word where a value should be*" },
  { "event-flood", "query-status", 0, 20000, -1, NULL, NULL,
    "{\"status\":\"running\",\"singlestep\":false,\"running\":true}", check_event_flood },
  { "one-byte-at-a-time", "query-status", 0, 5000, -1, NULL, NULL,
    "{\"status\":\"running\",\"text\":\"a \\\" b\\n}]\"}", check_slow_sender },
  { "eof-mid-message", "query-status", 0, FAIL_TIMEOUT_MS, G_IO_ERROR_CONNECTION_CLOSED,
    "QEMU closed the connection in the middle of a message (10 bytes cut off)", NULL },
  { "reset-mid-message", "query-status", 0, FAIL_TIMEOUT_MS, G_IO_ERROR_CONNECTION_CLOSED,
    "QEMU reset the connection in the middle of a message (10 bytes cut off)", NULL },
  { "server-sends-fds", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL,
    "{\"status\":\"running\",\"singlestep\":false,\"running\":true}", check_fds_closed },
  { "many-fds", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL, RUNNING, check_fds_closed },
  { "fd-flood", "query-status", 0, FAIL_TIMEOUT_MS, G_IO_ERROR_TOO_MANY_OPEN_FILES,
    "QEMU sent more than 256 file descriptors on this connection (QMP never passes any "
    "to the client)",
    "domain 1: QEMU sent more than 256 file descriptors on this connection*", NULL,
    check_fds_closed },
  { "lingering-fds-with-event", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL, RUNNING,
    check_padded_event },
  { "lingering-fds-with-reply", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL, RUNNING,
    check_two_events },
  { "more-fds-than-buffer", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL, RUNNING,
    check_one_event },
  { "nested-lingering-fd", "query-status", 0, FAIL_TIMEOUT_MS, -1, NULL, NULL, RUNNING,
    check_padded_event },
  { "lingering-fds-at-close", "query-status", 0, FAIL_TIMEOUT_MS, G_IO_ERROR_MESSAGE_TOO_LARGE,
    "QEMU sent a message larger than 65536 bytes (limit max-message-size)",
    "domain 1: QEMU sent a message larger than 65536 bytes (limit max-message-size)" },
  { "never-reads", "query-status", 4 << 20, SHORT_TIMEOUT_MS, G_IO_ERROR_TIMED_OUT,
    "query-status timed out after 300 ms: QEMU is not reading "
    "(the command could not be written out)", NULL, NULL, NULL, TRUE },
};

/* ---- running a case ---------------------------------------------------------- */

static XenQmpHost *
host_new (void)
{
  /* No xenstore: the run dir alone says where the domains are. */
  return g_object_new (XEN_QMP_TYPE_HOST,
                       "run-dir", run_dir,
                       "xenstore", XEN_QMP_XENSTORE_OFF,
                       "max-message-size", (guint64) MAX_MESSAGE_SIZE,
                       "max-depth", MAX_DEPTH,
                       "max-elements", (guint64) MAX_ELEMENTS,
                       "drain-timeout-ms", DRAIN_TIMEOUT_MS,
                       NULL);
}

static void
exec_or_fail (XenQmpHost *host, XenQmpCmd *cmd, XenQmpCmdCallback callback, gpointer data,
              guint32 domid, const char *command, JsonObject *args, guint timeout_ms)
{
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (cmd);
  cmd->timeout_ms = timeout_ms;
  g_assert_true (xen_qmp_cmd_exec (host, cmd, callback, data, domid, command, args, &error));
  g_assert_no_error (error);
}

static void
assert_json (JsonNode *node, const char *expected)
{
  g_autoptr(JsonNode) want = json_from_string (expected, NULL);
  g_autofree char *text = NULL;

  g_assert_nonnull (node);
  g_assert_nonnull (want);
  /* Member order is QEMU's business. */
  if (!json_node_equal (node, want))
    {
      text = json_to_string (node, FALSE);
      g_error ("expected the reply %s, got %s", expected, text);
    }
}

static void
test_hostile (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *script_name = g_strconcat (c->name, ".jsonl", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "hostile", script_name, NULL);
  g_autofree char *socket = g_strdup_printf ("%s/qmp-libxl-%u", run_dir, HOSTILE_DOMID);
  const char *args[] = { "--script", script, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) pad = NULL;
  TestServer *server;
  Run run = { .c = c };
  XenQmpCmd hostile_cmd;
  guint fds_before, fds_without_host;
  gint64 start, cpu;
  int status;
  guint timeout_ms, deadline_ms, wake;

  /* The host's own descriptors (its library context's wakeup) are not
   * the connections'. */
  fds_without_host = test_count_open_fds ();
  run.host = host_new ();
  fds_before = test_count_open_fds ();
  run.devnull_before = count_devnull_fds ();
  server = test_server_start_fake (socket, args, &error);
  g_assert_no_error (error);

  xen_qmp_host_add_event_handler (run.host, event_cb, &run, NULL);
  if (c->warning != NULL)
    g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING, c->warning);
  if (c->pad > 0)
    {
      g_autofree char *text = g_strnfill (c->pad, 'x');

      pad = json_object_new ();
      json_object_set_string_member (pad, "pad", text);
    }

  /* A timeout that is not the expected outcome only guards against a
   * hang: it may grow. */
  timeout_ms = c->code < 0 ? c->timeout_ms * slowdown : c->timeout_ms;
  deadline_ms = timeout_ms + LATE_MARGIN_MS * slowdown;
  run.rss_before_kb = run.rss_max_kb = rss_kb ();
  start = g_get_monotonic_time ();
  exec_or_fail (run.host, &hostile_cmd, hostile_cb, &run, HOSTILE_DOMID, c->command, pad,
                timeout_ms);
  ping_exec (&run);
  wake = g_timeout_add (50, test_loop_wake, NULL);
  while (run.hostile.calls == 0 || run.good.calls == 0)
    {
      if (g_get_monotonic_time () - start > (gint64) deadline_ms * 1000)
        g_error ("%s: no callback %u ms after the command", c->name, deadline_ms);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);

  /* The hostile domain's outcome, in time. */
  g_assert_cmpint ((run.hostile.at - start) / 1000, <=, deadline_ms);
  if (c->code >= 0)
    {
      g_assert_error (run.hostile.error, G_IO_ERROR, c->code);
      g_assert_cmpint (run.hostile.error_class, ==, XEN_QMP_ERROR_CLASS_LOCAL);
      g_assert_true (g_str_has_prefix (run.hostile.error->message, "domain 1: "));
      if (strstr (run.hostile.error->message, c->message) == NULL)
        g_error ("expected \"%s\" in the error \"%s\"", c->message, run.hostile.error->message);
    }
  else
    {
      g_assert_no_error (run.hostile.error);
      assert_json (run.hostile.response, c->response);
    }

  /* The other domain did not notice: its round trips stayed short (a
   * stall of the main loop shows here), and the process stayed small. */
  g_test_message ("%s: domain 2 answered %u round trips meanwhile, the worst in %.1f ms; "
                  "RSS grew by %" G_GINT64_FORMAT " KiB", c->name, run.pings,
                  run.ping_worst_us / 1000.0, rss_kb () - run.rss_before_kb);
  g_assert_cmpint (run.ping_worst_us, <, (gint64) WORST_PING_MS * 1000 * slowdown);
  /* Not under valgrind or AddressSanitizer, which keep freed blocks
   * aside (ASan grew by 180 MB in the event flood): see check_event_flood. */
#ifndef __SANITIZE_ADDRESS__
  if (slowdown == 1)
    g_assert_cmpint (rss_kb () - run.rss_before_kb, <, RSS_GROWTH_MAX_KB);
#endif
  g_assert_no_error (run.good.error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (run.good.response),
                                                  "status"), ==, "running");

  if (c->check != NULL)
    c->check (&run);

  /* Failed or done, the hostile connection costs nothing any more. */
  cpu = cpu_time_us ();
  spin (IDLE_MS);
  cpu = cpu_time_us () - cpu;
  g_test_message ("%s: %" G_GINT64_FORMAT " us of CPU in %u ms of idling", c->name, cpu, IDLE_MS);
  g_assert_cmpint (cpu, <, IDLE_CPU_MAX_US);
  g_assert_cmpuint (run.hostile.calls, ==, 1);
  g_assert_cmpuint (run.good.calls, ==, 1);
  g_test_assert_expected_messages ();

  /* The connections are gone without the host going: closed at once, or
   * once the commands QEMU did not answer are given up. */
  if (c->drains)
    spin (DRAIN_TIMEOUT_MS + 100);
  g_assert_cmpuint (test_count_open_fds (), ==, fds_before);

  g_clear_object (&run.host);
  spin (20);
  status = test_server_wait (server, 10000);
  if (status == -1)
    g_error ("fake-qemu did not finish its script %s", script);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  test_server_stop (server);
  g_assert_cmpuint (test_count_open_fds (), ==, fds_without_host);

  result_clear (&run.hostile);
  result_clear (&run.good);
  result_clear (&run.good_during_flood);
}

/* Whether the case's outcome holds whatever the limits: the tool runs
 * with the defaults, not the small limits the cases are written for. */
static gboolean
outcome_without_limits (const Case *c)
{
  return c->code >= 0 && c->code != G_IO_ERROR_TIMED_OUT && c->pad == 0
         && strstr (c->message, "(limit ") == NULL;
}

/* The same script played to xen-qmp, as an administrator meets it: the
 * tool ends by itself, with status 0 and the reply or 2 and the error,
 * never a crash or a hang. */
static void
test_hostile_xen_qmp (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *script_name = g_strconcat (c->name, ".jsonl", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "hostile", script_name, NULL);
  g_autofree char *socket = g_strdup_printf ("%s/tool-%s", run_dir, c->name);
  g_autofree char *tool = g_test_build_filename (G_TEST_BUILT, "..", "glib-integration", "tool",
                                                 "xen-qmp", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "--script", script, NULL };
  /* coreutils' timeout turns a hang into status 124. */
  const char *argv[] = { "timeout", "60", tool, "--socket", socket, "--no-validate", "--compact",
                         "--timeout", "3", c->command, NULL };
  g_autoptr(GError) error = NULL;
  TestServer *server;
  int status;

  server = test_server_start_fake (socket, args, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  test_server_stop (server);
  g_test_message ("%s through xen-qmp: status %d, stderr: %s", c->name,
                  WIFEXITED (status) ? WEXITSTATUS (status) : -1, err);
  if (!WIFEXITED (status))
    g_error ("xen-qmp died of signal %d on %s", WTERMSIG (status), c->name);
  g_assert_cmpint (WEXITSTATUS (status), !=, 124);
  if (c->code < 0)
    {
      g_autoptr(JsonNode) printed = json_from_string (out, NULL);

      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      assert_json (printed, c->response);
    }
  else if (outcome_without_limits (c))
    {
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      if (strstr (err, c->message) == NULL)
        g_error ("expected \"%s\" in xen-qmp's error \"%s\"", c->message, err);
    }
  else
    g_assert_true (WEXITSTATUS (status) == 0 || WEXITSTATUS (status) == 2);
}

/* GLib opens some descriptors for good on first use (the main context's
 * wakeup, the thread pool's): they must not count as the first case's. */
static void
warm_up (void)
{
  Run run = { .c = &cases[0] };
  XenQmpCmd cmd;

  run.host = host_new ();
  exec_or_fail (run.host, &cmd, record_cb, &run.good, GOOD_DOMID, "query-status", NULL,
                FAIL_TIMEOUT_MS);
  RUN_UNTIL (run.good.calls > 0);
  g_assert_no_error (run.good.error);
  g_clear_object (&run.host);
  spin (20);
  result_clear (&run.good);
}

int
main (int argc, char *argv[])
{
  g_autofree char *good_socket = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (strstr (g_getenv ("LD_PRELOAD") != NULL ? g_getenv ("LD_PRELOAD") : "", "vgpreload") != NULL)
    slowdown = 50;

  run_dir = test_tmpdir_new ();
  good_socket = g_strdup_printf ("%s/qmp-libxl-%u", run_dir, GOOD_DOMID);
  good_server = test_server_start_fake (good_socket, NULL, &error);
  g_assert_no_error (error);

  warm_up ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hostile/%s", cases[i].name);
      g_autofree char *tool_path = g_strdup_printf ("/hostile/xen-qmp/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_hostile);
      /* Under valgrind, the tool is not what is being checked. */
      if (slowdown == 1)
        g_test_add_data_func (tool_path, &cases[i], test_hostile_xen_qmp);
    }
  status = g_test_run ();

  test_server_stop (good_server);
  test_tmpdir_remove (run_dir);
  g_free (run_dir);
  return status;
}
