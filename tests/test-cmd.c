/* test-cmd.c: the contract of the command API, against fake-qemu, a real
 * QEMU and a raw scripted peer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test checks one guarantee of DESIGN.md ("Command API"); the tests
 * that make sense against any QEMU run once per backend, as
 * /cmd/fake/... and /cmd/qemu/... (skipped, visibly, without a QEMU).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-fds.h"
#include "test-json-tree.h"
#include "test-loop.h"
#include "test-peer.h"
#include "test-server.h"
#include "test-backend.h"


typedef struct {
  Backend      backend;
  char        *dir;
  XenQmpHost  *host;
  TestServer  *servers[4];   /* by domid */
  gboolean     skipped;
  GPtrArray    *fds;            /* open when the test started */
} Fixture;

/* What a callback saw. */
typedef struct {
  guint             calls;
  XenQmpErrorClass  error_class;
  GError           *error;
  JsonNode         *response;
  gboolean          active_inside;
  gint64            completed_at;
} Result;

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  g_clear_pointer (&r->response, json_node_unref);
}

static gboolean in_exec;   /* set around xen_qmp_cmd_exec() calls */

static void
record_cb (XenQmpCmd        *cmd,
           JsonNode         *response,
           XenQmpErrorClass  error_class,
           const GError     *error,
           gpointer          user_data)
{
  Result *r = user_data;

  g_assert_false (in_exec);
  r->calls++;
  r->active_inside = xen_qmp_cmd_is_active (cmd);
  r->error_class = error_class;
  g_clear_error (&r->error);
  g_clear_pointer (&r->response, json_node_unref);
  r->error = error != NULL ? g_error_copy (error) : NULL;
  r->response = response != NULL ? json_node_copy (response) : NULL;
  r->completed_at = g_get_monotonic_time ();
  /* Exactly one of them. */
  g_assert_true ((response != NULL) != (error != NULL));
  g_assert_true ((error_class == XEN_QMP_ERROR_CLASS_NONE) == (error == NULL));
}

static gboolean
exec_cmd (Fixture    *f,
          XenQmpCmd  *cmd,
          Result     *r,
          guint32     domid,
          const char *command,
          const char *args_json,
          GError    **error)
{
  g_autoptr(JsonObject) args = NULL;
  gboolean ok;

  if (args_json != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (args_json, NULL);

      g_assert_nonnull (node);
      args = json_object_ref (json_node_get_object (node));
    }
  in_exec = TRUE;
  ok = xen_qmp_cmd_exec (f->host, cmd, record_cb, r, domid, command, args, error);
  in_exec = FALSE;
  return ok;
}

/* Exec that must succeed, then wait for the callback. */
static void
run_cmd (Fixture *f, Result *r, guint32 domid, const char *command, const char *args_json)
{
  XenQmpCmd cmd;
  g_autoptr(GError) error = NULL;
  guint before = r->calls;

  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, r, domid, command, args_json, &error));
  g_assert_no_error (error);
  RUN_UNTIL (r->calls > before);
  g_assert_cmpuint (r->calls, ==, before + 1);
}

static char *
domain_socket (Fixture *f, guint32 domid)
{
  return g_strdup_printf ("%s/qmp-libxl-%u", f->dir, domid);
}

/* A raw peer playing domain DOMID, running FUNC in a thread. */
static TestPeer *
start_peer (Fixture *f, guint32 domid, TestPeerFunc func, gpointer data)
{
  g_autofree char *path = domain_socket (f, domid);

  return test_peer_new (path, func, data);
}

static void
start_domain (Fixture *f, guint32 domid)
{
  g_autofree char *path = domain_socket (f, domid);
  g_autoptr(GError) error = NULL;

  if (f->backend == BACKEND_FAKE)
    f->servers[domid] = test_server_start_fake (path, NULL, &error);
  else
    f->servers[domid] = test_server_start_qemu (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->servers[domid]);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->fds = test_fds_snapshot ();
  f->backend = GPOINTER_TO_INT (data);
  if (!test_backend_available (f->backend))
    {
      f->skipped = TRUE;
      return;
    }
  f->dir = test_tmpdir_new ();
  if (f->backend != BACKEND_NONE)
    start_domain (f, 1);
  f->host = xen_qmp_host_new (f->dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->host);
  for (guint i = 0; i < G_N_ELEMENTS (f->servers); i++)
    g_clear_pointer (&f->servers[i], test_server_stop);
  test_tmpdir_remove (f->dir);
  g_free (f->dir);
  test_fds_assert_no_leak (g_steal_pointer (&f->fds));
}

#define SKIP_UNLESS_READY(f) G_STMT_START { if ((f)->skipped) return; } G_STMT_END

static const char *
member_string (JsonNode *node, const char *member)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member (json_node_get_object (node), member);
}

/* ---- lifecycle --------------------------------------------------------- */

static void
test_cmd_returns_response (Fixture *f, gconstpointer data)
{
  Result r = { 0 };

  SKIP_UNLESS_READY (f);
  run_cmd (f, &r, 1, "query-status", NULL);
  g_assert_no_error (r.error);
  g_assert_cmpint (r.error_class, ==, XEN_QMP_ERROR_CLASS_NONE);
  g_assert_cmpstr (member_string (r.response, "status"), ==, "running");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (r.response), "running"));
  result_clear (&r);
}

static void
test_cmd_idle_inside_callback (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  xen_qmp_cmd_init (&cmd);
  g_assert_false (xen_qmp_cmd_is_active (&cmd));
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "query-status", NULL, &error));
  g_assert_true (xen_qmp_cmd_is_active (&cmd));
  RUN_UNTIL (r.calls == 1);
  g_assert_false (r.active_inside);
  g_assert_false (xen_qmp_cmd_is_active (&cmd));
  g_assert_cmpuint (cmd.domid, ==, 1);
  /* Idle again: the same cmd can be exec'd once more. */
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "query-version", NULL, &error));
  RUN_UNTIL (r.calls == 2);
  g_assert_nonnull (json_object_get_member (json_node_get_object (r.response), "qemu"));
  result_clear (&r);
}

typedef struct {
  Fixture   *f;
  XenQmpCmd  cmd2;
  Result     r2;
  guint      calls;
} Nested;

static void
nested_first_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                 const GError *error, gpointer user_data)
{
  Nested *n = user_data;
  g_autoptr(GError) exec_error = NULL;

  g_assert_false (in_exec);
  g_assert_no_error (error);
  n->calls++;
  xen_qmp_cmd_init (&n->cmd2);
  /* The second command's reply may well be quick: its callback must still
   * not run from inside this exec. */
  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec (n->f->host, &n->cmd2, record_cb, &n->r2, cmd->domid,
                                   "query-status", NULL, &exec_error));
  in_exec = FALSE;
  g_assert_no_error (exec_error);
}

static void
test_cmd_callback_not_reentrant (Fixture *f, gconstpointer data)
{
  Nested n = { .f = f };
  XenQmpCmd cmd;
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  xen_qmp_cmd_init (&cmd);
  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec (f->host, &cmd, nested_first_cb, &n, 1,
                                   "query-status", NULL, &error));
  in_exec = FALSE;
  g_assert_cmpuint (n.calls, ==, 0);
  RUN_UNTIL (n.r2.calls == 1);
  g_assert_cmpuint (n.calls, ==, 1);
  g_assert_no_error (n.r2.error);
  result_clear (&n.r2);
}

static void
test_cmd_connect_failure_is_synchronous (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = domain_socket (f, 7);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd, stale;

  /* No socket at all. */
  xen_qmp_cmd_init (&cmd);
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_false (exec_cmd (f, &cmd, &r, 7, "query-status", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "qmp-libxl-7"));
  g_assert_false (xen_qmp_cmd_is_active (&cmd));
  g_assert_cmpint (cmd.fd, ==, -1);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  g_assert_cmpint (errno, ==, EBADF);
  g_clear_error (&error);

  /* A socket nobody listens on: QEMU died and left it behind. */
  stale = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  strcpy (addr.sun_path, path);
  g_assert_cmpint (bind (stale, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  close (stale);
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_false (exec_cmd (f, &cmd, &r, 7, "query-status", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_false (xen_qmp_cmd_is_active (&cmd));
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);

  spin (100);
  g_assert_cmpuint (r.calls, ==, 0);
}

/* A QEMU that accepted but has not greeted yet (busy with another client):
 * exec must return at once, and the command waits for its turn. */
static void
test_cmd_waits_for_busy_socket (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 start;
  int other;

  SKIP_UNLESS_READY (f);
  path = domain_socket (f, 1);
  other = test_unix_connect (path);
  g_assert_cmpint (other, >=, 0);

  /* With a timeout: a local timeout error, in time. */
  xen_qmp_cmd_init (&cmd);
  cmd.timeout_ms = 300;
  start = g_get_monotonic_time ();
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "query-status", NULL, &error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 250 * 1000);
  RUN_UNTIL (r.calls == 1);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (r.error_class, ==, XEN_QMP_ERROR_CLASS_LOCAL);
  g_assert_cmpint (r.completed_at - start, >=, 300 * 1000);
  g_assert_cmpint (r.completed_at - start, <, 10 * G_USEC_PER_SEC);

  /* Without one: it runs once the other client leaves. */
  cmd.timeout_ms = 0;
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "query-status", NULL, &error));
  spin (200);
  g_assert_cmpuint (r.calls, ==, 1);
  close (other);
  RUN_UNTIL (r.calls == 2);
  g_assert_no_error (r.error);
  g_assert_cmpstr (member_string (r.response, "status"), ==, "running");
  result_clear (&r);
}

/* Once nothing is Active, the socket is given back at once (libxl needs
 * it): another client gets QEMU's greeting. */
static void
test_cmd_connection_released_when_idle (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  Result r = { 0 };
  char buf[16] = { 0 };
  int other;

  SKIP_UNLESS_READY (f);
  run_cmd (f, &r, 1, "query-status", NULL);
  spin (50);
  path = domain_socket (f, 1);
  other = test_unix_connect (path);
  g_assert_cmpint (other, >=, 0);
  g_assert_cmpint (recv (other, buf, 7, MSG_WAITALL), ==, 7);
  g_assert_cmpstr (buf, ==, "{\"QMP\":");
  close (other);
  result_clear (&r);
}

/* ---- reusing the connection; file descriptors -------------------------- */

typedef struct {
  Fixture   *f;
  XenQmpCmd  cmd;
  Result     fdsets;
  gint64     fdset_id;
  guint      add_calls;
} AddFd;

static void
add_fd_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
           const GError *error, gpointer user_data)
{
  AddFd *a = user_data;
  g_autoptr(GError) exec_error = NULL;

  g_assert_no_error (error);
  a->add_calls++;
  a->fdset_id = json_object_get_int_member (json_node_get_object (response), "fdset-id");
  /* The fdset lives as long as the monitor connection that made it holds
   * it: only the same connection can see it here. */
  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec (a->f->host, cmd, record_cb, &a->fdsets, 1,
                                   "query-fdsets", NULL, &exec_error));
  in_exec = FALSE;
  g_assert_no_error (exec_error);
}

static void
test_cmd_sends_fd (Fixture *f, gconstpointer data)
{
  AddFd a = { .f = f };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = json_object_new ();
  JsonArray *sets;
  gboolean found = FALSE;
  guint fds_before;

  SKIP_UNLESS_READY (f);
  fds_before = test_count_open_fds ();
  json_object_set_string_member (args, "opaque", "libxenqmp-test");
  xen_qmp_cmd_init (&a.cmd);
  a.cmd.fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_true (xen_qmp_cmd_exec (f->host, &a.cmd, add_fd_cb, &a, 1, "add-fd",
                                   args, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a.cmd.fd, ==, -1);
  RUN_UNTIL (a.fdsets.calls == 1);
  g_assert_cmpuint (a.add_calls, ==, 1);
  g_assert_no_error (a.fdsets.error);

  sets = json_node_get_array (a.fdsets.response);
  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonObject *set = json_array_get_object_element (sets, i);
      JsonArray *fds = json_object_get_array_member (set, "fds");

      if (json_object_get_int_member (set, "fdset-id") != a.fdset_id)
        continue;
      g_assert_cmpuint (json_array_get_length (fds), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (fds, 0), "opaque"),
                       ==, "libxenqmp-test");
      found = TRUE;
    }
  g_assert_true (found);

  /* Our copy of the fd is closed, and so is the idle connection. */
  spin (100);
  g_assert_cmpuint (test_count_open_fds (), ==, fds_before);
  result_clear (&a.fdsets);
}

typedef struct {
  Fixture   *f;
  XenQmpCmd  cmd;
  Result     closefd;
} GetFd;

static void
getfd_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
          const GError *error, gpointer user_data)
{
  GetFd *g = user_data;
  g_autoptr(GError) exec_error = NULL;
  g_autoptr(JsonObject) args = json_object_new ();

  g_assert_no_error (error);
  json_object_set_string_member (args, "fdname", "reused");
  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec (g->f->host, cmd, record_cb, &g->closefd, 1,
                                   "closefd", args, &exec_error));
  in_exec = FALSE;
}

/* getfd, then closefd of that name from the callback: the practical reason
 * for reusing the connection. */
static void
test_cmd_getfd_then_closefd_inside_callback (Fixture *f, gconstpointer data)
{
  GetFd g = { .f = f };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = json_object_new ();

  SKIP_UNLESS_READY (f);
  json_object_set_string_member (args, "fdname", "reused");
  xen_qmp_cmd_init (&g.cmd);
  g.cmd.fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_true (xen_qmp_cmd_exec (f->host, &g.cmd, getfd_cb, &g, 1, "getfd",
                                   args, &error));
  RUN_UNTIL (g.closefd.calls == 1);
  g_assert_no_error (g.closefd.error);
  result_clear (&g.closefd);
}

/* A command with an fd, and commands queued right behind it: they must not
 * share its sendmsg(). A reader sees where an SCM_RIGHTS message ends
 * (the kernel never joins it to later data in one read) but not where it
 * began, so it gives the fd to the last command that began in the read:
 * the fd's own command only if nothing follows it there. Found by the
 * soak: getfd failed with "No file descriptor supplied via SCM_RIGHTS". */
static void
test_cmd_fd_not_batched_with_later_commands (Fixture *f, gconstpointer data)
{
  XenQmpCmd getfd, after[3];
  Result r = { 0 }, r_after[3] = { { 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = json_object_new ();

  SKIP_UNLESS_READY (f);
  json_object_set_string_member (args, "fdname", "batched");
  xen_qmp_cmd_init (&getfd);
  getfd.fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_true (xen_qmp_cmd_exec (f->host, &getfd, record_cb, &r, 1, "getfd",
                                   args, &error));
  g_assert_no_error (error);
  /* Queued before any I/O: all four go out in the same flush. */
  for (guint i = 0; i < G_N_ELEMENTS (after); i++)
    {
      xen_qmp_cmd_init (&after[i]);
      g_assert_true (exec_cmd (f, &after[i], &r_after[i], 1, "query-status", NULL, &error));
      g_assert_no_error (error);
    }
  RUN_UNTIL (r.calls == 1 && r_after[2].calls == 1);
  g_assert_no_error (r.error);
  for (guint i = 0; i < G_N_ELEMENTS (after); i++)
    {
      g_assert_no_error (r_after[i].error);
      result_clear (&r_after[i]);
    }
  result_clear (&r);

  /* The fake closed the fd it got: a later closefd finds the name. */
  run_cmd (f, &r, 1, "closefd", "{\"fdname\": \"batched\"}");
  g_assert_no_error (r.error);
  result_clear (&r);
}

/* The peer serves exactly one connection: a second one would never be
 * answered, so this passes only if the nested exec reused the first. */
static void
reuse_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;

  g_free (test_peer_negotiate (peer, TRUE));
  first = test_peer_read_command (peer);
  g_assert_cmpstr (json_object_get_string_member (first, "execute"), ==, "query-status");
  test_peer_reply (peer, first, "{\"status\": \"running\", \"running\": true}");
  second = test_peer_read_command (peer);
  g_assert_nonnull (second);
  g_assert_cmpstr (json_object_get_string_member (second, "execute"), ==, "query-status");
  test_peer_reply (peer, second, "{\"status\": \"paused\", \"running\": false}");
  test_peer_wait_eof (peer, 10000);
}

static void
test_cmd_reuses_connection_inside_callback (Fixture *f, gconstpointer data)
{
  TestPeer *peer = start_peer (f, 3, reuse_peer, NULL);
  Nested n = { .f = f };
  XenQmpCmd cmd;
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (f->host, &cmd, nested_first_cb, &n, 3,
                                   "query-status", NULL, &error));
  RUN_UNTIL (n.r2.calls == 1);
  g_assert_no_error (n.r2.error);
  g_assert_cmpstr (member_string (n.r2.response, "status"), ==, "paused");
  result_clear (&n.r2);
  test_peer_join (peer);
}

static void
test_cmd_fd_closed_when_never_sent (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  int fd;

  SKIP_UNLESS_READY (f);
  /* Dispose of an Idle command that was given an fd. */
  xen_qmp_cmd_init (&cmd);
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  xen_qmp_cmd_dispose (&cmd);
  g_assert_cmpint (cmd.fd, ==, -1);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);

  /* Dispose of an Active command before it went out. */
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "add-fd", NULL, &error));
  xen_qmp_cmd_dispose (&cmd);
  g_assert_false (xen_qmp_cmd_is_active (&cmd));
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  spin (200);
  g_assert_cmpuint (r.calls, ==, 0);
}

/* The fd is the library's from the call on, on every path: the caller
 * cannot tell which precondition failed, so a path that left it open
 * would leak it. */
static void
test_cmd_fd_taken_when_exec_refused (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd, active;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) earlier = NULL;
  guint fds_before;
  int fd;

  SKIP_UNLESS_READY (f);
  fds_before = test_count_open_fds ();

  /* *error already set. */
  earlier = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "an earlier error");
  xen_qmp_cmd_init (&cmd);
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_CRITICAL, "*error == NULL*");
  g_assert_false (xen_qmp_cmd_exec (f->host, &cmd, record_cb, &r, 1, "query-status",
                                    NULL, &earlier));
  g_test_assert_expected_messages ();
  g_assert_cmpint (cmd.fd, ==, -1);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);

  /* No host, no callback, no command. */
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_CRITICAL, "*XEN_QMP_IS_HOST*");
  g_assert_false (xen_qmp_cmd_exec (NULL, &cmd, record_cb, &r, 1, "query-status", NULL,
                                    &error));
  g_test_assert_expected_messages ();
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_CRITICAL, "*callback != NULL*");
  g_assert_false (xen_qmp_cmd_exec (f->host, &cmd, NULL, &r, 1, "query-status", NULL,
                                    &error));
  g_test_assert_expected_messages ();
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  cmd.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_CRITICAL, "*command != NULL*");
  g_assert_false (xen_qmp_cmd_exec (f->host, &cmd, record_cb, &r, 1, NULL, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);

  /* An fd given to a command that is still Active. */
  xen_qmp_cmd_init (&active);
  g_assert_true (exec_cmd (f, &active, &r, 1, "query-status", NULL, &error));
  g_assert_no_error (error);
  active.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_CRITICAL, "*is_active*");
  g_assert_false (exec_cmd (f, &active, &r, 1, "query-status", NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_cmpint (active.fd, ==, -1);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  g_assert_true (xen_qmp_cmd_is_active (&active));
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  result_clear (&r);

  spin (100);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpuint (test_count_open_fds (), ==, fds_before);
}

/* ---- dispose ----------------------------------------------------------- */

typedef struct {
  XenQmpCmd  a, b;
  Result     ra, rb;
} Pair;

static void
dispose_other_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                  const GError *error, gpointer user_data)
{
  Pair *p = user_data;

  p->ra.calls++;
  xen_qmp_cmd_dispose (&p->b);
}

static void
test_cmd_dispose_inside_other_callback (Fixture *f, gconstpointer data)
{
  Pair p;
  g_autoptr(GError) error = NULL;
  Result after = { 0 };

  SKIP_UNLESS_READY (f);
  memset (&p, 0, sizeof p);
  xen_qmp_cmd_init (&p.a);
  xen_qmp_cmd_init (&p.b);
  g_assert_true (xen_qmp_cmd_exec (f->host, &p.a, dispose_other_cb, &p, 1,
                                   "query-status", NULL, &error));
  g_assert_true (xen_qmp_cmd_exec (f->host, &p.b, record_cb, &p.rb, 1,
                                   "query-version", NULL, &error));
  RUN_UNTIL (p.ra.calls == 1);
  spin (200);
  g_assert_cmpuint (p.rb.calls, ==, 0);
  g_assert_false (xen_qmp_cmd_is_active (&p.b));
  /* The domain still works. */
  run_cmd (f, &after, 1, "query-status", NULL);
  g_assert_no_error (after.error);
  result_clear (&after);
}

typedef struct {
  gint       received_first;   /* atomic: the peer holds command A */
  gint       may_answer;       /* atomic: the client disposed A */
} LatePeer;

static void
late_reply_peer (TestPeer *peer, gpointer user_data)
{
  LatePeer *lp = user_data;
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;

  g_free (test_peer_negotiate (peer, FALSE));
  a = test_peer_read_command (peer);
  g_atomic_int_set (&lp->received_first, 1);
  b = test_peer_read_command (peer);
  g_assert_nonnull (b);
  while (!g_atomic_int_get (&lp->may_answer))
    g_usleep (1000);
  /* A's reply comes late, after A was disposed, and before B's. */
  test_peer_reply (peer, a, "\"reply-to-a\"");
  test_peer_reply (peer, b, "\"reply-to-b\"");
  test_peer_wait_eof (peer, 10000);
}

static void
test_cmd_dispose_after_sent_drops_late_reply (Fixture *f, gconstpointer data)
{
  LatePeer lp = { 0 };
  TestPeer *peer = start_peer (f, 3, late_reply_peer, &lp);
  XenQmpCmd a, b;
  Result ra = { 0 }, rb = { 0 };
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (&a);
  xen_qmp_cmd_init (&b);
  g_assert_true (exec_cmd (f, &a, &ra, 3, "first", NULL, &error));
  RUN_UNTIL (g_atomic_int_get (&lp.received_first));
  xen_qmp_cmd_dispose (&a);
  g_assert_true (exec_cmd (f, &b, &rb, 3, "second", NULL, &error));
  spin (50);
  g_atomic_int_set (&lp.may_answer, 1);
  RUN_UNTIL (rb.calls == 1);
  g_assert_cmpstr (json_node_get_string (rb.response), ==, "reply-to-b");
  spin (100);
  g_assert_cmpuint (ra.calls, ==, 0);
  result_clear (&rb);
  test_peer_join (peer);
}

typedef struct {
  gint     received;        /* atomic */
  gboolean closed_early;
  gint64   eof_after_reply_us;
} DrainPeer;

static void
drain_peer (TestPeer *peer, gpointer user_data)
{
  DrainPeer *dp = user_data;
  g_autoptr(JsonObject) cmd = NULL;
  gint64 replied;

  g_free (test_peer_negotiate (peer, FALSE));
  cmd = test_peer_read_command (peer);
  g_atomic_int_set (&dp->received, 1);
  /* The command is disposed meanwhile; the client must stay until it has
   * read the reply. */
  dp->closed_early = test_peer_wait_eof (peer, 400);
  replied = g_get_monotonic_time ();
  test_peer_reply (peer, cmd, "{}");
  if (test_peer_wait_eof (peer, 10000))
    dp->eof_after_reply_us = g_get_monotonic_time () - replied;
}

/* Some QEMUs wedge their monitor when a client leaves before reading a
 * reply (Xen fixed this in libxl, ae29aa0f8f): a disposed command that was
 * sent keeps the connection open until its reply comes. */
static void
test_cmd_unanswered_command_keeps_connection_open (Fixture *f, gconstpointer data)
{
  DrainPeer dp = { 0 };
  TestPeer *peer = start_peer (f, 3, drain_peer, &dp);
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, &r, 3, "query-status", NULL, &error));
  RUN_UNTIL (g_atomic_int_get (&dp.received));
  xen_qmp_cmd_dispose (&cmd);
  spin (1000);
  test_peer_join (peer);
  g_assert_false (dp.closed_early);
  /* ... and then leaves at once (idle-timeout-ms is 0), not at the
   * drain timeout (30 s): 5 s leaves room for a loaded machine. */
  g_assert_cmpint (dp.eof_after_reply_us, >, 0);
  g_assert_cmpint (dp.eof_after_reply_us, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (r.calls, ==, 0);
}

/* ---- a wedged QEMU ----------------------------------------------------- */

typedef struct {
  Fixture   *f;
  XenQmpCmd  cmd;
  Result     r;
  guint      done;
  gboolean   stop;
} Loop;

static void
loop_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
         const GError *error, gpointer user_data)
{
  Loop *l = user_data;
  g_autoptr(GError) exec_error = NULL;

  g_assert_no_error (error);
  l->done++;
  if (!l->stop)
    g_assert_true (xen_qmp_cmd_exec (l->f->host, cmd, loop_cb, l, 2,
                                     "query-status", NULL, &exec_error));
}

static void
test_cmd_timeout_on_stopped_qemu (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  Loop other = { .f = f };
  g_autoptr(GError) error = NULL;
  guint other_before;
  gint64 start;

  SKIP_UNLESS_READY (f);
  start_domain (f, 2);
  /* Keep the connection, so that the command is really sent to the
   * stopped QEMU and its reply arrives late. */
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_cmd (f, &r, 1, "query-status", NULL);

  xen_qmp_cmd_init (&other.cmd);
  g_assert_true (xen_qmp_cmd_exec (f->host, &other.cmd, loop_cb, &other, 2,
                                   "query-status", NULL, &error));
  RUN_UNTIL (other.done >= 5);

  test_server_pause (f->servers[1]);
  xen_qmp_cmd_init (&cmd);
  cmd.timeout_ms = 500;
  other_before = other.done;
  start = g_get_monotonic_time ();
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "query-status", NULL, &error));
  RUN_UNTIL (r.calls == 2);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (r.error_class, ==, XEN_QMP_ERROR_CLASS_LOCAL);
  g_assert_cmpint (r.completed_at - start, >=, 500 * 1000);
  g_assert_cmpint (r.completed_at - start, <, 10 * G_USEC_PER_SEC);
  /* The other domain went on meanwhile: a round trip takes well under a
   * millisecond, so even a loaded machine does dozens in 500 ms. */
  g_assert_cmpuint (other.done - other_before, >=, 20);
  g_test_message ("other domain: %u commands while domain 1 was stopped",
                  other.done - other_before);

  /* QEMU comes back: it answers the timed-out command late; that reply is
   * dropped and the next command gets its own. */
  test_server_resume (f->servers[1]);
  run_cmd (f, &r, 1, "query-version", NULL);
  g_assert_no_error (r.error);
  g_assert_nonnull (json_object_get_member (json_node_get_object (r.response), "qemu"));
  spin (50);
  g_assert_cmpuint (r.calls, ==, 3);

  other.stop = TRUE;
  RUN_UNTIL (!xen_qmp_cmd_is_active (&other.cmd));
  result_clear (&r);
}

/* ---- failures ---------------------------------------------------------- */

static void
test_cmd_eof_fails_active_commands_exactly_once (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmds[3];
  Result results[3] = { { 0 } };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_cmd (f, &results[0], 1, "query-status", NULL);
  results[0].calls = 0;
  test_server_pause (f->servers[1]);
  for (guint i = 0; i < 3; i++)
    {
      xen_qmp_cmd_init (&cmds[i]);
      g_assert_true (exec_cmd (f, &cmds[i], &results[i], 1, "query-status", NULL, &error));
    }
  spin (50);
  kill (test_server_get_pid (f->servers[1]), SIGKILL);
  RUN_UNTIL (results[0].calls && results[1].calls && results[2].calls);
  spin (100);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (results[i].calls, ==, 1);
      g_assert_cmpint (results[i].error_class, ==, XEN_QMP_ERROR_CLASS_LOCAL);
      g_assert_true (results[i].error->domain == G_IO_ERROR);
      result_clear (&results[i]);
    }
}

/* XenQmpHost::connection-closed, as the handler saw it. */
typedef struct {
  guint     emitted;
  guint32   domid;
  GError   *reason;
  guint     callbacks_before;   /* command callbacks run by then */
  Result   *result;
} Closed;

static void
on_connection_closed (XenQmpHost *host, guint domid, const GError *reason, gpointer user_data)
{
  Closed *c = user_data;

  c->emitted++;
  c->domid = domid;
  g_clear_error (&c->reason);
  c->reason = reason != NULL ? g_error_copy (reason) : NULL;
  c->callbacks_before = c->result != NULL ? c->result->calls : 0;
}

/* A command-API toolstack learns that a QEMU went away, also while
 * nothing is Active; an idle close says so with no reason; the callbacks
 * of the commands a close fails come first. */
static void
test_cmd_connection_closed_signal (Fixture *f, gconstpointer data)
{
  Result r = { 0 };
  Closed c = { 0 };
  XenQmpCmd cmd;
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  g_signal_connect (f->host, "connection-closed", G_CALLBACK (on_connection_closed), &c);

  /* Nothing needs it any more (idle-timeout-ms 0): no reason. */
  run_cmd (f, &r, 1, "query-status", NULL);
  RUN_UNTIL (c.emitted == 1);
  g_assert_cmpuint (c.domid, ==, 1);
  g_assert_no_error (c.reason);

  /* QEMU goes away while nothing is Active. */
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_cmd (f, &r, 1, "query-status", NULL);
  kill (test_server_get_pid (f->servers[1]), SIGKILL);
  RUN_UNTIL (c.emitted == 2);
  g_assert_error (c.reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_test_message ("%s", c.reason->message);
  g_clear_pointer (&f->servers[1], test_server_stop);

  /* And while a command is Active: its callback first. */
  start_domain (f, 1);
  run_cmd (f, &r, 1, "query-status", NULL);
  test_server_pause (f->servers[1]);
  xen_qmp_cmd_init (&cmd);
  c.result = &r;
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "query-status", NULL, &error));
  spin (50);
  kill (test_server_get_pid (f->servers[1]), SIGKILL);
  RUN_UNTIL (c.emitted == 3);
  g_assert_cmpuint (c.callbacks_before, ==, r.calls);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_error (c.reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_clear_error (&c.reason);
  result_clear (&r);
}

static void
eof_when_idle_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) cmd = NULL;

  g_free (test_peer_negotiate (peer, TRUE));
  cmd = test_peer_read_command (peer);
  test_peer_reply (peer, cmd, "{}");
  g_usleep (100 * 1000);
  test_peer_close (peer);
}

/* libxl's own client can call a callback twice here; we call nobody. */
static void
test_cmd_eof_while_idle_calls_nobody (Fixture *f, gconstpointer data)
{
  TestPeer *peer = start_peer (f, 3, eof_when_idle_peer, NULL);
  Result r = { 0 };

  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_cmd (f, &r, 3, "query-status", NULL);
  test_peer_join (peer);
  spin (300);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_no_error (r.error);
  result_clear (&r);
}

static void
test_cmd_host_unref_fails_active_commands (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  test_server_pause (f->servers[1]);
  xen_qmp_cmd_init (&cmd);
  g_assert_true (exec_cmd (f, &cmd, &r, 1, "query-status", NULL, &error));
  spin (20);
  g_clear_object (&f->host);
  RUN_UNTIL (r.calls == 1);
  g_assert_cmpint (r.error_class, ==, XEN_QMP_ERROR_CLASS_LOCAL);
  spin (50);
  g_assert_cmpuint (r.calls, ==, 1);
  result_clear (&r);
}

typedef struct {
  XenQmpHost *host;
  guint       calls;
  gboolean    exec_ok;
  GError     *exec_error;
  XenQmpCmd   next;
  Result      next_result;
} ExecInDispose;

/* Called because the host's dispose failed the command: starts another. */
static void
exec_in_dispose_cb (XenQmpCmd        *cmd,
                    JsonNode         *response,
                    XenQmpErrorClass  error_class,
                    const GError     *error,
                    gpointer          user_data)
{
  ExecInDispose *d = user_data;

  d->calls++;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  xen_qmp_cmd_init (&d->next);
  d->exec_ok = xen_qmp_cmd_exec (d->host, &d->next, record_cb, &d->next_result, 1,
                                 "query-status", NULL, &d->exec_error);
}

/* A host whose dispose has begun takes no new work, not even from the
 * callbacks its dispose causes: a command started there would run after
 * the host is finalized. The test keeps a reference, so that the host
 * outlives its dispose whenever the callback runs. */
static void
test_cmd_host_in_dispose_refuses_exec (Fixture *f, gconstpointer data)
{
  ExecInDispose d = { 0 };
  XenQmpCmd cmd;
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpClient) client = NULL;

  SKIP_UNLESS_READY (f);
  test_server_pause (f->servers[1]);
  d.host = f->host;
  xen_qmp_cmd_init (&cmd);
  g_assert_true (xen_qmp_cmd_exec (f->host, &cmd, exec_in_dispose_cb, &d, 1,
                                   "query-status", NULL, &error));
  g_assert_no_error (error);
  g_object_run_dispose (G_OBJECT (f->host));
  RUN_UNTIL (d.calls == 1);
  if (d.exec_ok)
    xen_qmp_cmd_dispose (&d.next);
  g_assert_false (d.exec_ok);
  g_assert_error (d.exec_error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_nonnull (strstr (d.exec_error->message, "XenQmpHost is being destroyed"));
  g_clear_error (&d.exec_error);

  /* Later, from anywhere, likewise; a client of the host cannot connect. */
  g_assert_false (exec_cmd (f, &cmd, &r, 1, "query-status", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  client = xen_qmp_client_new_for_domain (f->host, 1);
  g_assert_false (xen_qmp_client_connect_sync (client, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  test_server_resume (f->servers[1]);
  spin (100);
  g_assert_cmpuint (r.calls, ==, 0);
  g_assert_cmpuint (d.next_result.calls, ==, 0);
}

/* ---- host properties and open connections ------------------------------ */

typedef struct {
  gint     eof;      /* atomic: the client closed the connection */
} IdlePeer;

static void
idle_peer (TestPeer *peer, gpointer user_data)
{
  IdlePeer *ip = user_data;
  g_autoptr(JsonObject) cmd = NULL;

  g_free (test_peer_negotiate (peer, FALSE));
  cmd = test_peer_read_command (peer);
  test_peer_reply (peer, cmd, "{}");
  if (test_peer_wait_eof (peer, 20000))
    g_atomic_int_set (&ip->eof, 1);
}

/* idle-timeout-ms reaches a connection that is already open: lowered to
 * 0, the idle connection kept open by G_MAXUINT closes. */
static void
test_cmd_idle_timeout_reaches_open_connection (Fixture *f, gconstpointer data)
{
  IdlePeer ip = { 0 };
  TestPeer *peer = start_peer (f, 3, idle_peer, &ip);
  Result r = { 0 };
  gint64 deadline;

  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  run_cmd (f, &r, 3, "query-status", NULL);
  g_assert_no_error (r.error);
  spin (100);
  g_assert_false (g_atomic_int_get (&ip.eof));
  g_object_set (f->host, "idle-timeout-ms", 0, NULL);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&ip.eof) && g_get_monotonic_time () < deadline)
    spin (10);
  g_assert_true (g_atomic_int_get (&ip.eof));
  result_clear (&r);
  test_peer_join (peer);
}

/* max-queued-commands reaches an open connection at once; the limits on
 * what QEMU sends reach the next connection only. */
static void
test_cmd_limits_and_open_connections (Fixture *f, gconstpointer data)
{
  XenQmpCmd a, b;
  Result ra = { 0 }, rb = { 0 }, r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  g_object_set (f->host, "max-queued-commands", 1, "idle-timeout-ms", G_MAXUINT, NULL);
  test_server_pause (f->servers[1]);
  xen_qmp_cmd_init (&a);
  xen_qmp_cmd_init (&b);
  g_assert_true (exec_cmd (f, &a, &ra, 1, "query-status", NULL, &error));
  g_assert_false (exec_cmd (f, &b, &rb, 1, "query-status", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  g_object_set (f->host, "max-queued-commands", 2, NULL);
  g_assert_true (exec_cmd (f, &b, &rb, 1, "query-status", NULL, &error));
  g_assert_no_error (error);
  test_server_resume (f->servers[1]);
  RUN_UNTIL (ra.calls == 1 && rb.calls == 1);
  g_assert_no_error (ra.error);
  g_assert_no_error (rb.error);

  /* Every reply, and the greeting, is longer than 64 bytes: the open
   * connection keeps its limit, ... */
  g_object_set (f->host, "max-message-size", (guint64) 64, NULL);
  run_cmd (f, &r, 1, "query-version", NULL);
  g_assert_no_error (r.error);
  /* ... a new one has the new limit. */
  g_object_set (f->host, "idle-timeout-ms", 0, NULL);
  spin (100);
  result_clear (&r);
  g_test_expect_message ("XenQmp", G_LOG_LEVEL_WARNING, "*larger than 64 bytes*max-message-size*");
  run_cmd (f, &r, 1, "query-version", NULL);
  g_test_assert_expected_messages ();
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  result_clear (&r);
  result_clear (&ra);
  result_clear (&rb);
}

/* ---- g_auto ------------------------------------------------------------ */

/* g_auto(XenQmpCmd) disposes: an Active command leaving scope is dropped
 * without its callback; an Idle one's fd is closed. */
static void
test_cmd_auto_disposes (Fixture *f, gconstpointer data)
{
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  int fd;

  SKIP_UNLESS_READY (f);
  {
    g_auto(XenQmpCmd) idle = XEN_QMP_CMD_INIT;

    g_assert_cmpint (idle.fd, ==, -1);
    g_assert_false (xen_qmp_cmd_is_active (&idle));
    idle.fd = fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);

  test_server_pause (f->servers[1]);
  {
    g_auto(XenQmpCmd) active = XEN_QMP_CMD_INIT;

    g_assert_true (exec_cmd (f, &active, &r, 1, "query-status", NULL, &error));
    g_assert_true (xen_qmp_cmd_is_active (&active));
  }
  test_server_resume (f->servers[1]);
  spin (200);
  g_assert_cmpuint (r.calls, ==, 0);
  /* The domain still works. */
  run_cmd (f, &r, 1, "query-status", NULL);
  g_assert_no_error (r.error);
  result_clear (&r);
}

/* ---- error classes ----------------------------------------------------- */

static void
assert_qmp_error (Result *r, XenQmpErrorClass expected)
{
  g_assert_cmpuint (r->calls, >=, 1);
  g_assert_null (r->response);
  g_assert_nonnull (r->error);
  g_assert_cmpint (r->error_class, ==, expected);
  g_assert_true (r->error->domain == XEN_QMP_ERROR);
  g_assert_cmpint (r->error->code, ==, expected);
  g_assert_cmpint (xen_qmp_error_get_class (r->error), ==, expected);
}

static void
test_cmd_error_classes (Fixture *f, gconstpointer data)
{
  Result r = { 0 };

  SKIP_UNLESS_READY (f);
  run_cmd (f, &r, 1, "no-such-command", NULL);
  assert_qmp_error (&r, XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "The command no-such-command has not been found");

  run_cmd (f, &r, 1, "closefd", "{\"fdname\": \"never-given\"}");
  assert_qmp_error (&r, XEN_QMP_ERROR_CLASS_GENERIC_ERROR);
  g_assert_nonnull (strstr (r.error->message, "never-given"));

  if (f->backend == BACKEND_QEMU)
    {
      run_cmd (f, &r, 1, "device_del", "{\"id\": \"no-such-device\"}");
      assert_qmp_error (&r, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
      run_cmd (f, &r, 1, "query-balloon", NULL);
      assert_qmp_error (&r, XEN_QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE);
    }
  result_clear (&r);
}

static const struct {
  const char       *klass;
  XenQmpErrorClass  expected;
} peer_classes[] = {
  { "GenericError",    XEN_QMP_ERROR_CLASS_GENERIC_ERROR },
  { "CommandNotFound", XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND },
  { "DeviceNotActive", XEN_QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE },
  { "DeviceNotFound",  XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND },
  { "KVMMissingCap",   XEN_QMP_ERROR_CLASS_UNKNOWN },
  { "SomeFutureClass", XEN_QMP_ERROR_CLASS_UNKNOWN },
};

static void
error_classes_peer (TestPeer *peer, gpointer user_data)
{
  g_free (test_peer_negotiate (peer, TRUE));
  for (guint i = 0; i < G_N_ELEMENTS (peer_classes); i++)
    {
      g_autoptr(JsonObject) cmd = test_peer_read_command (peer);
      g_autofree char *reply =
        g_strdup_printf ("{\"error\": {\"class\": \"%s\", \"desc\": \"desc of %s\"}, "
                         "\"id\": %" G_GINT64_FORMAT "}\r\n", peer_classes[i].klass,
                         peer_classes[i].klass, json_object_get_int_member (cmd, "id"));

      test_peer_send (peer, reply);
    }
  test_peer_wait_eof (peer, 10000);
}

static void
test_cmd_error_classes_all (Fixture *f, gconstpointer data)
{
  TestPeer *peer = start_peer (f, 3, error_classes_peer, NULL);
  Result r = { 0 };

  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (peer_classes); i++)
    {
      g_autofree char *desc = g_strdup_printf ("desc of %s", peer_classes[i].klass);

      run_cmd (f, &r, 3, "anything", NULL);
      assert_qmp_error (&r, peer_classes[i].expected);
      g_assert_cmpstr (r.error->message, ==, desc);
    }
  g_clear_object (&f->host);
  result_clear (&r);
  test_peer_join (peer);
}

/* ---- what goes on the wire -------------------------------------------- */

/* Names QEMU will refuse, but which must reach it as the JSON string of
 * exactly the name given: quotes, backslashes and control characters
 * escaped, with and without arguments. */
static const char *const odd_names[] = {
  "query-status", "with \"quotes\"", "back\\slash", "tab\tnew\nline\x01\x1f",
  "caf\xc3\xa9", "",
};

static void
wire_peer (TestPeer *peer, gpointer user_data)
{
  gint64 last_id = G_MININT64;

  g_free (test_peer_negotiate (peer, FALSE));
  for (guint i = 0; i < 2 * G_N_ELEMENTS (odd_names); i++)
    {
      g_autoptr(JsonObject) cmd = test_peer_read_command (peer);
      const char *name = odd_names[i % G_N_ELEMENTS (odd_names)];
      gint64 id;

      g_assert_nonnull (cmd);
      g_assert_cmpstr (json_object_get_string_member (cmd, "execute"), ==, name);
      id = json_object_get_int_member (cmd, "id");
      g_assert_cmpint (id, >, last_id);
      last_id = id;
      if (i < G_N_ELEMENTS (odd_names))
        g_assert_false (json_object_has_member (cmd, "arguments"));
      else
        {
          JsonObject *args = json_object_get_object_member (cmd, "arguments");

          g_assert_cmpstr (json_object_get_string_member (args, "n\"a\\me"), ==, name);
          g_assert_cmpint (json_object_get_size (cmd), ==, 3);
        }
      test_peer_reply (peer, cmd, "{}");
    }
  test_peer_wait_eof (peer, 10000);
}

static void
test_cmd_wire_text (Fixture *f, gconstpointer data)
{
  TestPeer *peer = start_peer (f, 3, wire_peer, NULL);
  Result r = { 0 };

  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  for (guint i = 0; i < 2 * G_N_ELEMENTS (odd_names); i++)
    {
      const char *name = odd_names[i % G_N_ELEMENTS (odd_names)];
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) args = NULL;
      g_autofree char *args_json = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n\"a\\me");
      json_builder_add_string_value (b, name);
      json_builder_end_object (b);
      args = json_builder_get_root (b);
      args_json = json_to_string (args, FALSE);
      run_cmd (f, &r, 3, name, i < G_N_ELEMENTS (odd_names) ? NULL : args_json);
      g_assert_no_error (r.error);
    }
  g_clear_object (&f->host);
  result_clear (&r);
  test_peer_join (peer);
}

/* ---- what the callback is given ----------------------------------------- */

/* One reply the library reads itself, one it leaves to json-glib (a \u
 * escape): both reach the callback as roots of their own. */
static const char *const root_replies[] = {
  "{\"a\": {\"b\": true}, \"c\": [1, {\"d\": null}]}",
  "{\"a\": {\"b\": \"caf\\u00e9\"}, \"c\": [1, {\"d\": null}]}",
};

static void
root_replies_peer (TestPeer *peer, gpointer user_data)
{
  g_free (test_peer_negotiate (peer, FALSE));
  for (guint i = 0; i < G_N_ELEMENTS (root_replies); i++)
    {
      g_autoptr(JsonObject) cmd = test_peer_read_command (peer);

      g_assert_nonnull (cmd);
      test_peer_reply (peer, cmd, root_replies[i]);
    }
  test_peer_wait_eof (peer, 10000);
}

static void
keep_reply_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
               const GError *error, gpointer user_data)
{
  GPtrArray *kept = user_data;

  g_assert_no_error (error);
  g_assert_true (test_json_parents_ok (response, NULL));
  g_ptr_array_add (kept, json_node_ref (response));
}

/* The reply is a root (no parent), its members point at it as json-glib's
 * parser would have them, and a reference kept past the callback, after
 * the message it came in is freed, still says so. */
static void
test_cmd_reply_is_a_root (Fixture *f, gconstpointer data)
{
  TestPeer *peer = start_peer (f, 3, root_replies_peer, NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  XenQmpCmd cmds[G_N_ELEMENTS (root_replies)];
  g_autoptr(GError) error = NULL;

  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      xen_qmp_cmd_init (&cmds[i]);
      g_assert_true (xen_qmp_cmd_exec (f->host, &cmds[i], keep_reply_cb, kept, 3,
                                       "query-tree", NULL, &error));
      g_assert_no_error (error);
    }
  RUN_UNTIL (kept->len == G_N_ELEMENTS (cmds));
  g_clear_object (&f->host);
  test_peer_join (peer);
  for (guint i = 0; i < kept->len; i++)
    {
      g_autoptr(JsonNode) expected = json_from_string (root_replies[i], NULL);

      g_assert_true (json_node_equal (g_ptr_array_index (kept, i), expected));
      g_assert_true (test_json_parents_ok (g_ptr_array_index (kept, i), NULL));
    }
}

/* ---- nested main loops --------------------------------------------- */

/* Replies to two commands in one write, so that both are in one read. */
static void
two_replies_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autofree char *both = NULL;

  g_free (test_peer_negotiate (peer, FALSE));
  first = test_peer_read_command (peer);
  second = test_peer_read_command (peer);
  both = g_strdup_printf ("{\"return\": {\"who\": \"first\"}, \"id\": %" G_GINT64_FORMAT "}\r\n"
                          "{\"return\": {\"who\": \"second\"}, \"id\": %" G_GINT64_FORMAT "}\r\n",
                          json_object_get_int_member (first, "id"),
                          json_object_get_int_member (second, "id"));
  test_peer_send (peer, both);
  test_peer_wait_eof (peer, 10000);
}

/* Replies with a long string, to overwrite whatever buffer it is read into. */
static void
long_reply_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) cmd = NULL;
  g_autofree char *filler = g_strnfill (3000, 'z');
  g_autofree char *ret = g_strdup_printf ("{\"who\": \"%s\"}", filler);

  g_free (test_peer_negotiate (peer, FALSE));
  cmd = test_peer_read_command (peer);
  test_peer_reply (peer, cmd, ret);
  test_peer_wait_eof (peer, 10000);
}

typedef struct {
  Fixture   *f;
  Result     nested;
  XenQmpCmd  nested_cmd;
  char      *seen[2];
  guint      calls;
} NestedLoop;

static void
nested_reply_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                 const GError *error, gpointer user_data)
{
  NestedLoop *n = user_data;

  g_assert_no_error (error);
  g_assert_cmpuint (n->calls, <, 2);
  n->seen[n->calls] = g_strdup (member_string (response, "who"));
  /* The first reply's callback waits, in a main loop of its own, for
   * another domain's reply: read while the second reply of its own read
   * is still to be handed out. */
  if (n->calls++ == 0)
    {
      g_autoptr(GError) exec_error = NULL;

      xen_qmp_cmd_init (&n->nested_cmd);
      g_assert_true (exec_cmd (n->f, &n->nested_cmd, &n->nested, 2, "query-status", NULL,
                               &exec_error));
      g_assert_no_error (exec_error);
      RUN_UNTIL (n->nested.calls == 1);
    }
}

static void
test_cmd_nested_loop_in_callback (Fixture *f, gconstpointer data)
{
  g_autofree char *path2 = domain_socket (f, 2);
  TestPeer *peer1 = start_peer (f, 1, two_replies_peer, NULL);
  TestPeer *peer2 = test_peer_new (path2, long_reply_peer, NULL);
  NestedLoop n = { .f = f };
  XenQmpCmd cmds[2];
  g_autoptr(GError) error = NULL;

  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);
  for (guint i = 0; i < 2; i++)
    {
      xen_qmp_cmd_init (&cmds[i]);
      in_exec = TRUE;
      g_assert_true (xen_qmp_cmd_exec (f->host, &cmds[i], nested_reply_cb, &n, 1,
                                       "query-status", NULL, &error));
      in_exec = FALSE;
      g_assert_no_error (error);
    }
  RUN_UNTIL (n.calls == 2);
  g_assert_cmpstr (n.seen[0], ==, "first");
  g_assert_cmpstr (n.seen[1], ==, "second");
  g_assert_no_error (n.nested.error);
  g_assert_cmpuint (strlen (member_string (n.nested.response, "who")), ==, 3000);
  g_clear_object (&f->host);
  result_clear (&n.nested);
  g_free (n.seen[0]);
  g_free (n.seen[1]);
  test_peer_join (peer1);
  test_peer_join (peer2);
}

/* ---- negotiation, events, pipelining ----------------------------------- */

typedef struct {
  gboolean offer_oob;
  char    *capabilities_args;
} NegotiationPeer;

static void
negotiation_peer (TestPeer *peer, gpointer user_data)
{
  NegotiationPeer *np = user_data;
  g_autoptr(JsonObject) cmd = NULL;

  /* Commands exec'd before the greeting wait: qmp_capabilities comes
   * first (test_peer_negotiate checks it). */
  g_usleep (100 * 1000);
  np->capabilities_args = test_peer_negotiate (peer, np->offer_oob);
  cmd = test_peer_read_command (peer);
  g_assert_cmpstr (json_object_get_string_member (cmd, "execute"), ==, "query-status");
  test_peer_reply (peer, cmd, "{}");
  test_peer_wait_eof (peer, 10000);
}

static void
check_negotiation (Fixture *f, gboolean offer_oob, gboolean enable_oob, const char *expected)
{
  NegotiationPeer np = { .offer_oob = offer_oob };
  TestPeer *peer = start_peer (f, 3, negotiation_peer, &np);
  Result r = { 0 };

  g_object_set (f->host, "enable-oob", enable_oob, NULL);
  run_cmd (f, &r, 3, "query-status", NULL);
  g_assert_no_error (r.error);
  /* Let the idle connection close before the peer waits for that. */
  spin (50);
  test_peer_join (peer);
  g_assert_cmpstr (np.capabilities_args, ==, expected);
  g_free (np.capabilities_args);
  result_clear (&r);
}

static void
test_cmd_negotiation (Fixture *f, gconstpointer data)
{
  check_negotiation (f, TRUE, TRUE, "{\"enable\":[\"oob\"]}");
  check_negotiation (f, FALSE, TRUE, "");
  check_negotiation (f, TRUE, FALSE, "");
}

typedef struct {
  GPtrArray *seen;   /* "event NAME" or "reply", in order */
  guint32    domid;
  gint64     timestamp_us;
} Events;

static void
event_cb (XenQmpHost *host, guint32 domid, const char *event, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  Events *e = user_data;

  g_ptr_array_add (e->seen, g_strdup_printf ("event %s", event));
  e->domid = domid;
  e->timestamp_us = timestamp_us;
}

static void
test_cmd_events (Fixture *f, gconstpointer data)
{
  Events e = { .seen = g_ptr_array_new_with_free_func (g_free) };
  Result r = { 0 };
  guint id;
  gint64 now = g_get_real_time ();

  SKIP_UNLESS_READY (f);
  id = xen_qmp_host_add_event_handler (f->host, event_cb, &e, NULL);
  g_object_set (f->host, "idle-timeout-ms", 2000, NULL);
  run_cmd (f, &r, 1, "stop", NULL);
  RUN_UNTIL (e.seen->len == 1);
  g_assert_cmpstr (e.seen->pdata[0], ==, "event STOP");
  g_assert_cmpuint (e.domid, ==, 1);
  g_assert_cmpint (e.timestamp_us, >, now - 60 * G_USEC_PER_SEC);
  g_assert_cmpint (e.timestamp_us, <, now + 60 * G_USEC_PER_SEC);
  run_cmd (f, &r, 1, "query-status", NULL);
  g_assert_cmpstr (member_string (r.response, "status"), ==, "paused");
  run_cmd (f, &r, 1, "cont", NULL);
  RUN_UNTIL (e.seen->len == 2);
  g_assert_cmpstr (e.seen->pdata[1], ==, "event RESUME");
  xen_qmp_host_remove_event_handler (f->host, id);
  run_cmd (f, &r, 1, "stop", NULL);
  spin (100);
  g_assert_cmpuint (e.seen->len, ==, 2);
  g_ptr_array_unref (e.seen);
  result_clear (&r);
}

static void
interleaved_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;
  g_autofree char *burst = NULL;

  /* QEMU 4.0 could send events before its greeting. */
  test_peer_send (peer, "{\"event\": \"EARLY\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n");
  g_free (test_peer_negotiate (peer, TRUE));
  a = test_peer_read_command (peer);
  b = test_peer_read_command (peer);
  /* One write: event, reply, event, reply, event. */
  burst =
    g_strdup_printf ("{\"event\": \"E1\", \"data\": {\"n\": 1}}\r\n"
                     "{\"return\": \"a\", \"id\": %" G_GINT64_FORMAT "}\r\n"
                     "{\"event\": \"E2\"}\r\n"
                     "{\"return\": \"b\", \"id\": %" G_GINT64_FORMAT "}\r\n"
                     "{\"event\": \"E3\"}\r\n",
                     json_object_get_int_member (a, "id"),
                     json_object_get_int_member (b, "id"));
  test_peer_send (peer, burst);
  test_peer_wait_eof (peer, 10000);
}

static void
ordered_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
            const GError *error, gpointer user_data)
{
  Events *e = user_data;

  g_assert_no_error (error);
  g_ptr_array_add (e->seen, g_strdup_printf ("reply %s", json_node_get_string (response)));
}

static void
test_cmd_events_interleaved_with_replies (Fixture *f, gconstpointer data)
{
  TestPeer *peer = start_peer (f, 3, interleaved_peer, NULL);
  Events e = { .seen = g_ptr_array_new_with_free_func (g_free) };
  XenQmpCmd a, b;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "event EARLY", "event E1", "reply a", "event E2",
                             "reply b", "event E3" };

  xen_qmp_host_add_event_handler (f->host, event_cb, &e, NULL);
  g_object_set (f->host, "idle-timeout-ms", 500, NULL);
  xen_qmp_cmd_init (&a);
  xen_qmp_cmd_init (&b);
  g_assert_true (xen_qmp_cmd_exec (f->host, &a, ordered_cb, &e, 3, "a", NULL, &error));
  g_assert_true (xen_qmp_cmd_exec (f->host, &b, ordered_cb, &e, 3, "b", NULL, &error));
  RUN_UNTIL (e.seen->len == G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (e.seen->pdata[i], ==, expected[i]);
  g_clear_object (&f->host);
  test_peer_join (peer);
  g_ptr_array_unref (e.seen);
}

static void
send_slowly (TestPeer *peer, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      test_peer_send_len (peer, p, 1);
      g_usleep (200);
    }
}

static void
slow_sender_peer (TestPeer *peer, gpointer user_data)
{
  g_autoptr(JsonObject) cap = NULL;
  g_autoptr(JsonObject) cmd = NULL;
  g_autofree char *reply = NULL;

  send_slowly (peer, "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n");
  cap = test_peer_read_command (peer);
  reply = g_strdup_printf ("{\"return\": {}, \"id\": %" G_GINT64_FORMAT "}\r\n",
                           json_object_get_int_member (cap, "id"));
  send_slowly (peer, reply);
  cmd = test_peer_read_command (peer);
  g_free (reply);
  reply = g_strdup_printf ("{\"event\": \"SLOW\"}\r\n"
                           "{\"return\": {\"text\": \"a \\\" b\\n}]\"}, \"id\": %" G_GINT64_FORMAT "}\r\n",
                           json_object_get_int_member (cmd, "id"));
  send_slowly (peer, reply);
  test_peer_wait_eof (peer, 10000);
}

/* Every byte in its own write: the framer sees each message in pieces. */
static void
test_cmd_slow_sender (Fixture *f, gconstpointer data)
{
  TestPeer *peer = start_peer (f, 3, slow_sender_peer, NULL);
  Events e = { .seen = g_ptr_array_new_with_free_func (g_free) };
  Result r = { 0 };

  xen_qmp_host_add_event_handler (f->host, event_cb, &e, NULL);
  run_cmd (f, &r, 3, "query-status", NULL);
  g_assert_no_error (r.error);
  g_assert_cmpstr (member_string (r.response, "text"), ==, "a \" b\n}]");
  g_assert_cmpuint (e.seen->len, ==, 1);
  g_assert_cmpstr (e.seen->pdata[0], ==, "event SLOW");
  spin (50);
  test_peer_join (peer);
  g_ptr_array_unref (e.seen);
  result_clear (&r);
}

#define N_PIPELINED 1000

typedef struct {
  guint  done;
  guint  wrong;
  guint  errors;
} Pipeline;

static void
pipelined_cb (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
              const GError *error, gpointer user_data)
{
  Pipeline *p = user_data;
  /* Even commands asked query-status, odd ones query-version: a reply
   * matched to the wrong command shows. */
  gboolean even = ((XenQmpCmd *) cmd)->timeout_ms == 0;

  p->done++;
  if (error != NULL)
    {
      p->errors++;
      return;
    }
  if (even != json_object_has_member (json_node_get_object (response), "status"))
    p->wrong++;
}

static void
test_cmd_pipelines_1000_commands (Fixture *f, gconstpointer data)
{
  g_autofree XenQmpCmd *cmds = g_new0 (XenQmpCmd, N_PIPELINED);
  Pipeline p = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  for (guint i = 0; i < N_PIPELINED; i++)
    {
      xen_qmp_cmd_init (&cmds[i]);
      /* A timeout long enough never to fire marks the odd ones. */
      cmds[i].timeout_ms = i % 2 ? 600 * 1000 : 0;
      g_assert_true (xen_qmp_cmd_exec (f->host, &cmds[i], pipelined_cb, &p, 1,
                                       i % 2 ? "query-version" : "query-status",
                                       NULL, &error));
    }
  RUN_UNTIL (p.done == N_PIPELINED);
  spin (50);
  g_assert_cmpuint (p.done, ==, N_PIPELINED);
  g_assert_cmpuint (p.errors, ==, 0);
  g_assert_cmpuint (p.wrong, ==, 0);
}

/* Number of fds GLib polls for the thread-default context. */
static gint
polled_fds (void)
{
  GMainContext *ctx = g_main_context_default ();
  GPollFD fds[512];
  gint priority, timeout, n;

  g_assert_true (g_main_context_acquire (ctx));
  g_main_context_prepare (ctx, &priority);
  n = g_main_context_query (ctx, priority, &timeout, fds, G_N_ELEMENTS (fds));
  g_main_context_check (ctx, priority, fds, MIN (n, (gint) G_N_ELEMENTS (fds)));
  g_main_context_dispatch (ctx);
  g_main_context_release (ctx);
  return n;
}

#define N_MANY 50

/* A management app that follows many domains must not pay for each of
 * them on every main loop iteration: their sockets share one fd in GLib's
 * poll set (DESIGN.md, "How a command flows"). */
static void
test_cmd_one_polled_fd_for_many_connections (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  gint with_one;

  SKIP_UNLESS_READY (f);
  for (guint32 domid = 10; domid < 10 + N_MANY; domid++)
    {
      g_ptr_array_add (args, g_strdup ("--socket"));
      g_ptr_array_add (args, domain_socket (f, domid));
    }
  g_ptr_array_add (args, NULL);
  f->servers[2] = test_server_start_fake (g_ptr_array_index (args, 1),
                                          (const char * const *) args->pdata + 2, &error);
  g_assert_no_error (error);
  g_object_set (f->host, "idle-timeout-ms", G_MAXUINT, NULL);

  run_cmd (f, &r, 1, "query-status", NULL);
  with_one = polled_fds ();
  for (guint32 domid = 10; domid < 10 + N_MANY; domid++)
    run_cmd (f, &r, domid, "query-status", NULL);
  g_assert_no_error (r.error);
  g_assert_cmpint (polled_fds (), ==, with_one);
  g_test_message ("%d fds polled with 1 and with %d open connections", with_one, N_MANY + 1);
  result_clear (&r);
}

static void
test_cmd_queue_limit (Fixture *f, gconstpointer data)
{
  XenQmpCmd cmds[3];
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  SKIP_UNLESS_READY (f);
  g_object_set (f->host, "max-queued-commands", 2, NULL);
  for (guint i = 0; i < 2; i++)
    {
      xen_qmp_cmd_init (&cmds[i]);
      g_assert_true (exec_cmd (f, &cmds[i], &r, 1, "query-status", NULL, &error));
    }
  xen_qmp_cmd_init (&cmds[2]);
  g_assert_false (exec_cmd (f, &cmds[2], &r, 1, "query-status", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "max-queued-commands"));
  g_assert_false (xen_qmp_cmd_is_active (&cmds[2]));
  RUN_UNTIL (r.calls == 2);
  result_clear (&r);
}

/* ------------------------------------------------------------------------ */

static void
add_test (const char *name, Backend backend, void (*func) (Fixture *, gconstpointer))
{
  TEST_BACKEND_ADD ("/cmd", name, backend, Fixture, fixture_setup, func, fixture_teardown);
}

static void
add_contract_test (const char *name, void (*func) (Fixture *, gconstpointer))
{
  add_test (name, BACKEND_FAKE, func);
  add_test (name, BACKEND_QEMU, func);
}

static void
never_called (XenQmpCmd *cmd, JsonNode *ret, XenQmpErrorClass error_class,
              const GError *error, gpointer user_data)
{
  g_assert_not_reached ();
}

/* Out of descriptors when the connection needs its epoll instance: the
 * command fails with G_IO_ERROR_TOO_MANY_OPEN_FILES, and the process goes
 * on (it used to abort in g_error()). In a subprocess, whose descriptor
 * table is filled but for the one slot the socket takes. */
static void
test_cmd_out_of_descriptors (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = test_tmpdir_new ();
      g_autofree char *path = g_build_filename (dir, "qmp-libxl-1", NULL);
      g_autoptr(GMainContext) context = g_main_context_new ();
      g_autoptr(XenQmpHost) host = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) fillers = g_array_new (FALSE, FALSE, sizeof (int));
      struct sockaddr_un addr = { .sun_family = AF_UNIX };
      struct rlimit old_limit, limit;
      XenQmpCmd cmd;
      int listener, fd;
      gboolean ok;

      listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      g_assert_cmpint (listener, >=, 0);
      g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
      g_assert_cmpint (bind (listener, (struct sockaddr *) &addr, sizeof addr), ==, 0);
      g_assert_cmpint (listen (listener, 4), ==, 0);
      /* A context of its own: its poller, and so its epoll instance, is
       * made by the first connection. */
      g_main_context_push_thread_default (context);
      host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", dir,
                           "xenstore", XEN_QMP_XENSTORE_OFF, NULL);
      xen_qmp_cmd_init (&cmd);

      g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &old_limit), ==, 0);
      limit = old_limit;
      limit.rlim_cur = 256;
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
      while ((fd = dup (listener)) >= 0)
        g_array_append_val (fillers, fd);
      g_assert_cmpint (errno, ==, EMFILE);
      /* One slot: the socket takes it, epoll_create1() finds none. */
      close (g_array_index (fillers, int, fillers->len - 1));
      g_array_set_size (fillers, fillers->len - 1);

      ok = xen_qmp_cmd_exec (host, &cmd, never_called, NULL, 1, "query-status", NULL, &error);

      for (guint i = 0; i < fillers->len; i++)
        close (g_array_index (fillers, int, i));
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &old_limit), ==, 0);
      g_assert_false (ok);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES);
      g_assert_nonnull (strstr (error->message, "epoll"));
      g_clear_object (&host);
      g_main_context_pop_thread_default (context);
      close (listener);
      test_tmpdir_remove (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  test_fds_warm_up ();

  add_contract_test ("returns-response", test_cmd_returns_response);
  add_contract_test ("idle-inside-callback", test_cmd_idle_inside_callback);
  add_contract_test ("callback-not-reentrant", test_cmd_callback_not_reentrant);
  add_test ("connect-failure-is-synchronous", BACKEND_NONE, test_cmd_connect_failure_is_synchronous);
  add_contract_test ("waits-for-busy-socket", test_cmd_waits_for_busy_socket);
  add_contract_test ("connection-released-when-idle", test_cmd_connection_released_when_idle);
  add_contract_test ("sends-fd", test_cmd_sends_fd);
  add_contract_test ("getfd-then-closefd-inside-callback", test_cmd_getfd_then_closefd_inside_callback);
  add_contract_test ("fd-not-batched-with-later-commands", test_cmd_fd_not_batched_with_later_commands);
  add_test ("reuses-connection-inside-callback", BACKEND_NONE, test_cmd_reuses_connection_inside_callback);
  add_contract_test ("fd-closed-when-never-sent", test_cmd_fd_closed_when_never_sent);
  add_test ("fd-taken-when-exec-refused", BACKEND_FAKE, test_cmd_fd_taken_when_exec_refused);
  add_contract_test ("dispose-inside-other-callback", test_cmd_dispose_inside_other_callback);
  add_test ("dispose-after-sent-drops-late-reply", BACKEND_NONE, test_cmd_dispose_after_sent_drops_late_reply);
  add_test ("unanswered-command-keeps-connection-open", BACKEND_NONE, test_cmd_unanswered_command_keeps_connection_open);
  add_contract_test ("timeout-on-stopped-qemu", test_cmd_timeout_on_stopped_qemu);
  add_contract_test ("eof-fails-active-commands-exactly-once", test_cmd_eof_fails_active_commands_exactly_once);
  add_test ("eof-while-idle-calls-nobody", BACKEND_NONE, test_cmd_eof_while_idle_calls_nobody);
  add_contract_test ("connection-closed-signal", test_cmd_connection_closed_signal);
  add_contract_test ("host-unref-fails-active-commands", test_cmd_host_unref_fails_active_commands);
  add_test ("host-in-dispose-refuses-exec", BACKEND_FAKE, test_cmd_host_in_dispose_refuses_exec);
  add_contract_test ("auto-disposes", test_cmd_auto_disposes);
  add_test ("idle-timeout-reaches-open-connection", BACKEND_NONE,
            test_cmd_idle_timeout_reaches_open_connection);
  add_test ("limits-and-open-connections", BACKEND_FAKE, test_cmd_limits_and_open_connections);
  add_contract_test ("error-classes", test_cmd_error_classes);
  add_test ("error-classes-all", BACKEND_NONE, test_cmd_error_classes_all);
  add_test ("negotiation", BACKEND_NONE, test_cmd_negotiation);
  add_test ("wire-text", BACKEND_NONE, test_cmd_wire_text);
  add_test ("nested-loop-in-callback", BACKEND_NONE, test_cmd_nested_loop_in_callback);
  add_test ("reply-is-a-root", BACKEND_NONE, test_cmd_reply_is_a_root);
  g_test_add_func ("/cmd/out-of-descriptors", test_cmd_out_of_descriptors);
  add_contract_test ("events", test_cmd_events);
  add_test ("events-interleaved-with-replies", BACKEND_NONE, test_cmd_events_interleaved_with_replies);
  add_test ("slow-sender", BACKEND_NONE, test_cmd_slow_sender);
  add_contract_test ("pipelines-1000-commands", test_cmd_pipelines_1000_commands);
  add_contract_test ("queue-limit", test_cmd_queue_limit);
  add_test ("one-polled-fd-for-many-connections", BACKEND_FAKE, test_cmd_one_polled_fd_for_many_connections);

  return g_test_run ();
}
