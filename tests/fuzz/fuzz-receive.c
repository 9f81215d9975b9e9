/* fuzz-receive.c: hostile bytes from "QEMU" into a real QmpConnection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In Xen the device model may be compromised, so everything it sends is
 * hostile. The input is what QEMU sends, after one byte that chooses how
 * the harness behaves (see Setup). Each input runs in-process on its own
 * GMainContext: a socketpair, the library on one end, the harness playing
 * QEMU on the other. Whatever the bytes, the connection must end closed,
 * every Active command must have been called back exactly once, and
 * nothing may be left behind (LeakSanitizer checks the memory, the
 * harness the fds it handed over).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-harness.h"
#include "qmp-connection.h"

/* Commands queued before the greeting, plus one that the first command's
 * callback executes (commands exec'd from callbacks must work too). */
#define MAX_INITIAL_COMMANDS 3
#define N_COMMANDS           (MAX_INITIAL_COMMANDS + 1)
/* Inputs are written in small pieces only this far: beyond it, a piece a
 * byte long would cost a main loop iteration per byte and slow the
 * fuzzer down without reaching new states. */
#define SMALL_PIECES_UP_TO   4096
#define LARGE_PIECE          (64 * 1024)

/* What the first input byte chooses. */
typedef struct {
  guint    n_commands;     /* bits 0-1: commands queued before the greeting */
  gsize    piece;          /* bits 2-4: bytes per write; 0: up to each newline */
  gboolean enable_oob;     /* bit 5: negotiate oob if offered */
  gboolean tight_limits;   /* bit 6: limits small enough to hit often */
  gboolean trace;          /* bit 7: the wire trace (formats hostile data) */
} Setup;

typedef struct _Session Session;

typedef struct {
  Session *session;
  guint    index;
  gboolean executed;
  guint    calls;          /* callbacks: must end up 1 when executed */
} Command;

struct _Session {
  QmpConnection *conn;
  Command        commands[N_COMMANDS];
  guint          closed_calls;
  int            sent_fd;  /* the descriptor handed over with a command */
};

static void
setup_from_byte (guint8 byte, Setup *setup)
{
  static const gsize pieces[8] = { 0, 0, 1, 2, 7, 64, 4096, LARGE_PIECE };

  setup->n_commands = byte & 0x3;
  setup->piece = pieces[(byte >> 2) & 0x7];
  setup->enable_oob = (byte & 0x20) != 0;
  setup->tight_limits = (byte & 0x40) != 0;
  setup->trace = (byte & 0x80) != 0;
}

static void execute (Session *session, guint index);

static void
command_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Command *command = user_data;
  Session *session = command->session;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = g_task_propagate_pointer (G_TASK (result), &error);

  command->calls++;
  g_debug ("fuzz: command %u: %s", command->index,
           error != NULL ? error->message : "returned");
  /* A reply has a value ("return" is a member), a failure has an error:
   * never both, never neither. */
  g_assert_true ((ret == NULL) != (error == NULL));
  g_assert_true (error == NULL || error->message != NULL);

  /* A command exec'd from inside a callback (while the connection may be
   * in any state, even closing) is held to the same exactly-once rule. */
  if (command->index == 0
      && qmp_connection_can_execute (session->conn, NULL))
    execute (session, MAX_INITIAL_COMMANDS);
}

static void
execute (Session *session, guint index)
{
  Command *command = &session->commands[index];
  g_autoptr(GTask) task = g_task_new (NULL, NULL, command_done, command);
  g_autoptr(JsonObject) arguments = NULL;
  int *fds = NULL;
  guint n_fds = 0;

  command->executed = TRUE;
  switch (index)
    {
    case 1:
      /* An fd travels with the first byte of its command; whether or not
       * it goes out, the library must close it. */
      arguments = json_object_new ();
      json_object_set_int_member (arguments, "fdset-id", 1);
      fds = g_new (int, 1);
      fds[0] = session->sent_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      g_assert_cmpint (fds[0], >=, 0);
      n_fds = 1;
      qmp_connection_execute (session->conn, task, "add-fd", arguments,
                              FALSE, fds, n_fds, 0, NULL, NULL);
      break;
    case 2:
      qmp_connection_execute (session->conn, task, "query-status", NULL,
                              TRUE, NULL, 0, 0, NULL, NULL);
      break;
    default:
      qmp_connection_execute (session->conn, task, "query-version", NULL,
                              FALSE, NULL, 0, 0, NULL, NULL);
      break;
    }
}

static void
on_event (QmpConnection *conn, const char *name, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  /* Touch what an event subscriber would, so that ASan sees it used. */
  g_assert_nonnull (name);
  (void) strlen (name);
  if (data != NULL)
    (void) json_object_get_size (data);
}

static void
on_closed (QmpConnection *conn, const GError *reason, gpointer user_data)
{
  Session *session = user_data;

  session->closed_calls++;
  g_debug ("fuzz: connection closed: %s", reason != NULL ? reason->message : "unneeded");
}

static const QmpConnectionCallbacks observer = {
  .event = on_event,
  .closed = on_closed,
};

/* Reads and discards what the library writes (qmp_capabilities and the
 * commands), closing any descriptor that came with it. */
static void
peer_drain (int fd)
{
  for (;;)
    {
      char buf[4096];
      union {
        char buf[CMSG_SPACE (QMP_MAX_FDS_PER_COMMAND * sizeof (int))];
        struct cmsghdr align;
      } control;
      struct iovec iov = { buf, sizeof buf };
      struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof control.buf,
      };
      ssize_t n = recvmsg (fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
          for (gsize i = 0; i < (c->cmsg_len - CMSG_LEN (0)) / sizeof (int); i++)
            {
              int received;

              memcpy (&received, CMSG_DATA (c) + i * sizeof (int), sizeof received);
              close (received);
            }
    }
}

static gsize
next_piece (const Setup *setup, const guint8 *data, gsize offset, gsize size)
{
  gsize left = size - offset;

  if (offset >= SMALL_PIECES_UP_TO)
    return MIN (left, LARGE_PIECE);
  if (setup->piece == 0)
    {
      /* Up to and with the next newline: each message arrives on its own,
       * so replies can follow the commands that the previous one let out
       * (a reply to a command not yet sent is a protocol violation). */
      const guint8 *eol = memchr (data + offset, '\n', left);

      return eol != NULL ? (gsize) (eol - (data + offset)) + 1 : left;
    }
  return MIN (left, setup->piece);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GMainContext) context = NULL;
  QmpConnectionConfig config = { 0 };
  Session session = { .sent_fd = -1 };
  Setup setup;
  int sv[2];
  gsize offset = 1;

  if (size == 0)
    return 0;
  setup_from_byte (data[0], &setup);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_log_set_debug_enabled (setup.trace);

  qmp_limits_init (&config.limits);
  config.limits.max_message_size = setup.tight_limits ? 512 : 64 * 1024;
  config.limits.max_depth = setup.tight_limits ? 8 : 64;
  config.limits.max_queued = N_COMMANDS;
  config.enable_oob = setup.enable_oob;
  /* Only EOF or the input may close the connection: no timer. */
  config.idle_timeout_ms = G_MAXUINT;
  config.drain_timeout_ms = G_MAXUINT;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
    g_error ("socketpair: %s", g_strerror (errno));

  for (guint i = 0; i < N_COMMANDS; i++)
    session.commands[i] = (Command) { .session = &session, .index = i };
  session.conn = qmp_connection_new ("fuzz.sock", "fuzz", context, &config);
  qmp_connection_add_observer (session.conn, &observer, &session);
  qmp_connection_open_fd (session.conn, sv[0]);
  for (guint i = 0; i < setup.n_commands; i++)
    execute (&session, i);

  /* Write while the library reads, so that a large input cannot fill
   * both socket buffers and wedge the two ends. */
  while (offset < size
         && qmp_connection_get_state (session.conn) != QMP_CONNECTION_CLOSED)
    {
      gsize piece = next_piece (&setup, data, offset, size);
      ssize_t n = send (sv[1], data + offset, piece, MSG_DONTWAIT | MSG_NOSIGNAL);

      if (n > 0)
        offset += (gsize) n;
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        break;   /* the library closed its end: it gave up on the input */
      peer_drain (sv[1]);
      while (g_main_context_iteration (context, FALSE))
        ;
    }

  /* QEMU goes away: whatever state it left, the connection must close. */
  shutdown (sv[1], SHUT_WR);
  while (qmp_connection_get_state (session.conn) != QMP_CONNECTION_CLOSED)
    {
      peer_drain (sv[1]);
      g_main_context_iteration (context, TRUE);
    }
  while (g_main_context_iteration (context, FALSE))
    ;

  g_assert_cmpuint (session.closed_calls, ==, 1);
  for (guint i = 0; i < N_COMMANDS; i++)
    {
      const Command *command = &session.commands[i];

      if (command->executed)
        g_assert_cmpuint (command->calls, ==, 1);
      else
        g_assert_cmpuint (command->calls, ==, 0);
    }
  /* The descriptor sent with add-fd was closed by the library: the
   * number is free again (nothing else opened one since). */
  if (session.sent_fd >= 0)
    g_assert_cmpint (fcntl (session.sent_fd, F_GETFD), ==, -1);

  qmp_connection_remove_observer (session.conn, &observer, &session);
  qmp_connection_unref (session.conn);
  peer_drain (sv[1]);
  close (sv[1]);
  g_main_context_pop_thread_default (context);
  return 0;
}
