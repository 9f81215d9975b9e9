/* test-faults.c: QEMU gone at every byte of a recorded session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For each session recorded from QEMU 7.2 (fake-qemu/scripts/), a peer
 * plays QEMU's side of it, byte for byte as QEMU wrote it, and closes the
 * connection after N bytes, for every N from 0 to the whole output. The
 * library has every recorded command Active from the start (fds too), and
 * each run checks the contract: every command is called back exactly once;
 * with QEMU's recorded answer when that answer arrived whole, with a local
 * (G_IO_ERROR) error otherwise; and no descriptor is left open. Leaks of
 * memory are LeakSanitizer's and valgrind's to find (make check in the
 * sanitizer build, make check-valgrind).
 *
 * The one large reply (query-qmp-schema, 186 KB) is cut at every offset
 * of its first and last KiB and every 499th byte in between: cutting a
 * long string or array in its middle exercises nothing the neighbouring
 * offsets do not, and every offset would take minutes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include "xenqmp.h"
#include "recorded-session.h"
#include "test-fds.h"
#include "test-loop.h"
#include "test-server.h"

#define LARGE_MESSAGE 8192
#define LARGE_EDGE    1024
#define LARGE_STRIDE  499

/* ---- QEMU's side, cut after a byte budget ----------------------------- */

typedef struct {
  RecordedSession *session;
  int              listen_fd;
  gssize           budget;        /* bytes left to send; -1: no cut */
  gsize            sent;
  guint            replies_whole; /* replies sent with their line end */
  GArray          *message_ends;  /* offsets after each message (dry run) */
  GString         *in;
  int              fd;
} Peer;

/* Sends what the budget allows; FALSE once the cut is reached. */
static gboolean
peer_send (Peer *p, const char *text)
{
  gsize len = strlen (text);
  gsize n = p->budget < 0 ? len : MIN (len, (gsize) p->budget);
  gsize done = 0;

  while (done < n)
    {
      gssize w = send (p->fd, text + done, n - done, MSG_NOSIGNAL);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return FALSE;     /* the library gave up first: fine */
      done += (gsize) w;
    }
  p->sent += n;
  if (p->budget >= 0)
    p->budget -= (gssize) n;
  if (p->message_ends != NULL)
    g_array_append_val (p->message_ends, p->sent);
  return n == len;
}

/* The next command line, or NULL when the library closed. */
static JsonObject *
peer_read_command (Peer *p)
{
  for (;;)
    {
      char *nl = memchr (p->in->str, '\n', p->in->len);
      char buf[4096];
      struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
      gssize n;

      if (nl != NULL)
        {
          g_autofree char *line = g_strndup (p->in->str, nl - p->in->str);
          g_autoptr(JsonNode) node = NULL;

          g_string_erase (p->in, 0, nl - p->in->str + 1);
          node = json_from_string (line, NULL);
          g_assert_nonnull (node);
          return json_object_ref (json_node_get_object (node));
        }
      if (poll (&pfd, 1, 10000) != 1)
        g_error ("the library sent no command for 10 s");
      /* recvmsg without room for descriptors: the kernel closes any that
       * came with the command. */
      n = recv (p->fd, buf, sizeof buf, 0);
      if (n <= 0)
        return NULL;
      g_string_append_len (p->in, buf, n);
    }
}

static char *
message_text (JsonNode *node)
{
  g_autofree char *json = json_to_string (node, FALSE);

  return g_strdup_printf ("%s\r\n", json);
}

static char *
reply_text (RecordedStep *s, JsonNode *id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  if (s == NULL || s->ret != NULL)
    {
      json_builder_set_member_name (b, "return");
      if (s == NULL)
        {
          json_builder_begin_object (b);
          json_builder_end_object (b);
        }
      else
        json_builder_add_value (b, json_node_copy (s->ret));
    }
  else
    {
      json_builder_set_member_name (b, "error");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, s->error_class);
      json_builder_set_member_name (b, "desc");
      json_builder_add_string_value (b, s->error_desc);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "id");
  json_builder_add_value (b, json_node_copy (id));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return message_text (root);
}

/* Answers one command the way the recording says: its events, then its
 * reply. FALSE once the cut is reached or the library left. */
static gboolean
peer_answer (Peer *p, RecordedStep *s)
{
  g_autoptr(JsonObject) cmd = peer_read_command (p);
  g_autofree char *reply = NULL;

  if (cmd == NULL)
    return FALSE;
  g_assert_cmpstr (json_object_get_string_member (cmd, "execute"), ==,
                   s != NULL ? s->command : "qmp_capabilities");
  for (guint i = 0; s != NULL && i < s->events->len; i++)
    {
      g_autofree char *event =
        g_strdup_printf ("{\"event\": \"%s\", \"timestamp\": "
                         "{\"seconds\": 1700000000, \"microseconds\": 0}}\r\n",
                         (char *) s->events->pdata[i]);

      if (!peer_send (p, event))
        return FALSE;
    }
  reply = reply_text (s, json_object_get_member (cmd, "id"));
  if (!peer_send (p, reply))
    return FALSE;
  if (s != NULL)
    p->replies_whole++;
  return TRUE;
}

static gpointer
peer_thread (gpointer data)
{
  Peer *p = data;
  struct pollfd pfd = { .fd = p->listen_fd, .events = POLLIN };
  g_autofree char *greeting = message_text (p->session->greeting);

  g_assert_cmpint (poll (&pfd, 1, 10000), ==, 1);
  p->fd = accept4 (p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint (p->fd, >=, 0);
  if (peer_send (p, greeting) && peer_answer (p, NULL))
    for (guint i = 0; i < p->session->steps->len; i++)
      if (!peer_answer (p, p->session->steps->pdata[i]))
        break;
  /* QEMU is gone: no shutdown() dance, just the close. */
  close (p->fd);
  return NULL;
}

static int
listen_on (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, path);
  unlink (path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 1), ==, 0);
  return fd;
}

/* ---- the library's side ----------------------------------------------- */

typedef struct {
  XenQmpCmd     cmd;
  RecordedStep *step;
  guint         calls;
  JsonNode     *ret;
  GError       *error;
} Active;

static void
on_done (XenQmpCmd *cmd, JsonNode *ret, XenQmpErrorClass error_class,
         const GError *error, gpointer user_data)
{
  Active *a = user_data;

  a->calls++;
  g_clear_pointer (&a->ret, json_node_unref);
  g_clear_error (&a->error);
  a->ret = ret != NULL ? json_node_ref (ret) : NULL;
  a->error = error != NULL ? g_error_copy (error) : NULL;
}

static gboolean
all_called (Active *actives, guint n)
{
  for (guint i = 0; i < n; i++)
    if (actives[i].calls == 0)
      return FALSE;
  return TRUE;
}

static void
check_answer (const char *name, gssize cut, Active *a, gboolean whole)
{
  if (!whole)
    {
      if (a->error == NULL || a->error->domain != G_IO_ERROR)
        g_error ("%s cut at %" G_GSSIZE_FORMAT ": %s got %s, not a local error",
                 name, cut, a->step->command,
                 a->error != NULL ? a->error->message : "a reply");
      return;
    }
  if (a->step->ret != NULL)
    {
      g_autoptr(JsonNode) want = json_node_copy (a->step->ret);

      if (a->error != NULL)
        g_error ("%s cut at %" G_GSSIZE_FORMAT ": %s failed (%s) after its whole reply",
                 name, cut, a->step->command, a->error->message);
      recorded_session_mask_fds (a->ret);
      recorded_session_mask_fds (want);
      g_assert_true (json_node_equal (a->ret, want));
    }
  else
    {
      g_assert_nonnull (a->error);
      g_assert_true (a->error->domain == XEN_QMP_ERROR);
      g_assert_cmpstr (a->error->message, ==, a->step->error_desc);
    }
}

/* One connection cut after CUT bytes (-1: not cut). Returns the peer's
 * offsets after each message when MESSAGE_ENDS is given (the dry run). */
static void
run_cut (const char *name, RecordedSession *session, const char *dir, gssize cut,
         GArray *message_ends)
{
  g_autofree char *socket = g_build_filename (dir, "qmp-libxl-1", NULL);
  g_autoptr(XenQmpHost) host = NULL;
  GPtrArray *steps = session->steps;
  g_autofree Active *actives = g_new0 (Active, steps->len);
  Peer peer = { session, listen_on (socket), cut, 0, 0, message_ends,
                g_string_new (NULL), -1 };
  GThread *thread = g_thread_new ("qemu", peer_thread, &peer);

  host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", dir,
                       "xenstore", XEN_QMP_XENSTORE_OFF,
                       "enable-oob", FALSE, NULL);
  for (guint i = 0; i < steps->len; i++)
    {
      Active *a = &actives[i];
      g_autoptr(GError) error = NULL;

      a->step = steps->pdata[i];
      xen_qmp_cmd_init (&a->cmd);
      a->cmd.timeout_ms = 20000;
      /* The recording took one descriptor at most per command. */
      if (a->step->n_fds > 0)
        a->cmd.fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
      if (!xen_qmp_cmd_exec (host, &a->cmd, on_done, a, 1, a->step->command,
                             a->step->args, &error))
        g_error ("%s: exec %s: %s", name, a->step->command, error->message);
    }
  RUN_UNTIL (all_called (actives, steps->len));
  g_thread_join (thread);
  /* A second callback would come from the main loop after the first. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  for (guint i = 0; i < steps->len; i++)
    {
      Active *a = &actives[i];

      g_assert_cmpuint (a->calls, ==, 1);
      check_answer (name, cut, a, i < peer.replies_whole);
      g_clear_pointer (&a->ret, json_node_unref);
      g_clear_error (&a->error);
    }
  if (cut < 0)
    g_assert_cmpuint (peer.replies_whole, ==, steps->len);
  close (peer.listen_fd);
  g_string_free (peer.in, TRUE);
}

static void
test_cut_everywhere (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = recorded_session_path (name);
  g_autoptr(RecordedSession) session = recorded_session_load (path);
  g_autofree char *dir = test_tmpdir_new ();
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GPtrArray) fds = test_fds_snapshot ();
  gsize total, start = 0;
  guint runs = 0;

  if (session->steps->len == 0)
    {
      g_test_skip ("no command after the handshake: its cuts are the first "
                   "bytes of every other session's");
      test_fds_assert_no_leak (g_steal_pointer (&fds));
      test_tmpdir_remove (dir);
      return;
    }
  /* The whole session first: the baseline every cut is judged against. */
  run_cut (name, session, dir, -1, ends);
  total = g_array_index (ends, gsize, ends->len - 1);

  for (guint m = 0; m < ends->len; m++)
    {
      gsize end = g_array_index (ends, gsize, m);
      gboolean large = end - start > LARGE_MESSAGE;

      for (gsize cut = start; cut < end; cut++)
        {
          if (large && cut - start >= LARGE_EDGE && end - cut > LARGE_EDGE
              && (cut - start) % LARGE_STRIDE != 0)
            continue;
          run_cut (name, session, dir, (gssize) cut, NULL);
          runs++;
        }
      start = end;
    }
  /* Cut just after the last byte: nothing is missing. */
  run_cut (name, session, dir, (gssize) total, NULL);
  runs++;
  g_test_message ("%s: %u cuts over %" G_GSIZE_FORMAT " bytes of QEMU output",
                  name, runs, total);
  test_fds_assert_no_leak (g_steal_pointer (&fds));
  test_tmpdir_remove (dir);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GPtrArray) names = NULL;

  g_test_init (&argc, &argv, NULL);
  test_fds_warm_up ();
  names = recorded_session_list ();
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/faults/cut-everywhere/%s",
                                               (char *) names->pdata[i]);

      g_test_add_data_func (path, names->pdata[i], test_cut_everywhere);
    }
  return g_test_run ();
}
