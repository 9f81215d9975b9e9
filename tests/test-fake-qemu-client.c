/* test-fake-qemu-client.c: a raw, blocking QMP client for tests of fake-qemu
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-fake-qemu-client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-server.h"

void
client_free (Client *c)
{
  if (c->fd >= 0)
    close (c->fd);
  for (guint i = 0; i < c->fds->len; i++)
    close (g_array_index (c->fds, int, i));
  g_array_unref (c->fds);
  g_string_free (c->in, TRUE);
  g_free (c);
}

Client *
client_connect (const char *path)
{
  Client *c = g_new0 (Client, 1);

  c->fd = test_unix_connect (path);
  if (c->fd < 0)
    g_error ("connect %s: %s", path, g_strerror (errno));
  c->in = g_string_new (NULL);
  c->fds = g_array_new (FALSE, FALSE, sizeof (int));
  return c;
}

void
client_send_len (Client *c, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = send (c->fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("send: %s", g_strerror (errno));
      data += n;
      len -= (gsize) n;
    }
}

void
client_send (Client *c, const char *text)
{
  client_send_len (c, text, strlen (text));
}

/* TEXT in one message, with N_FDS descriptors (duplicated by the kernel;
 * the caller keeps its own). */
void
client_send_fds (Client *c, const char *text, const int *fds, guint n_fds)
{
  union {
    struct cmsghdr align;
    char           space[CMSG_SPACE (sizeof (int) * 8)];
  } control;
  struct iovec iov = { (void *) text, strlen (text) };
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  ssize_t n;

  g_assert_cmpuint (n_fds, >, 0);
  g_assert_cmpuint (n_fds, <=, 8);
  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.space;
  msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
  memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
  do
    n = sendmsg (c->fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  g_assert_cmpint (n, ==, (ssize_t) strlen (text));
}

/* Waits up to TIMEOUT_MS for more bytes; FALSE on timeout or end of file. */
gboolean
client_fill (Client *c, int timeout_ms)
{
  char buffer[65536];
  union {
    struct cmsghdr align;
    char           space[CMSG_SPACE (sizeof (int) * 253)];
  } control;
  struct iovec iov = { buffer, sizeof buffer };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.space, .msg_controllen = sizeof control.space };
  struct pollfd pfd = { c->fd, POLLIN, 0 };
  ssize_t n;
  int r;

  if (c->eof)
    return FALSE;
  do
    r = poll (&pfd, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  g_assert_cmpint (r, >=, 0);
  if (r == 0)
    return FALSE;
  do
    n = recvmsg (c->fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  g_assert_false (msg.msg_flags & MSG_CTRUNC);
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (&msg); n >= 0 && cm != NULL; cm = CMSG_NXTHDR (&msg, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      g_array_append_vals (c->fds, CMSG_DATA (cm), (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int));
  if (n <= 0)
    {
      /* A peer that closes with unread data resets the connection. */
      g_assert_true (n == 0 || errno == ECONNRESET);
      c->eof = TRUE;
      return FALSE;
    }
  g_string_append_len (c->in, buffer, n);
  return TRUE;
}

/* The next message (without its "\r\n"), or NULL after TIMEOUT_MS or at
 * end of file. */
char *
client_try_read (Client *c, int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      const char *end = strstr (c->in->str, "\r\n");
      gint64 left;

      if (end != NULL)
        {
          char *line = g_strndup (c->in->str, (gsize) (end - c->in->str));
          g_string_erase (c->in, 0, end - c->in->str + 2);
          return line;
        }
      left = MAX (0, (deadline - g_get_monotonic_time ()) / 1000);
      if (!client_fill (c, (int) left))
        return NULL;
    }
}

char *
client_read (Client *c)
{
  char *line = client_try_read (c, REPLY_TIMEOUT_MS);

  if (line == NULL)
    g_error ("no message from fake-qemu (%s); buffered: %s",
             c->eof ? "end of file" : "timeout", c->in->str);
  return line;
}

void
client_expect (Client *c, const char *expected)
{
  g_autofree char *line = client_read (c);

  g_assert_cmpstr (line, ==, expected);
}

/* Sends TEXT and expects EXPECTED as the only answer. */
char *
client_call (Client *c, const char *text)
{
  client_send (c, text);
  return client_read (c);
}

void
client_check (Client *c, const char *text, const char *expected)
{
  client_send (c, text);
  client_expect (c, expected);
}

void
client_expect_quiet (Client *c, int timeout_ms)
{
  g_autofree char *line = client_try_read (c, timeout_ms);

  g_assert_null (line);
  g_assert_false (c->eof);
}

gboolean
client_wait_eof (Client *c, int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!c->eof && g_get_monotonic_time () < deadline)
    {
      client_fill (c, 100);
      g_string_truncate (c->in, 0);
    }
  return c->eof;
}

Client *
client_connect_negotiated (const char *path)
{
  Client *c = client_connect (path);

  client_expect (c, GREETING);
  client_check (c, "{\"execute\": \"qmp_capabilities\"}", EMPTY);
  return c;
}

/* Checks that LINE is the event NAME with DATA (JSON as QEMU prints it,
 * or NULL for none), stamped with the current time. */
void
assert_event (const char *line, const char *name, const char *data)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *seconds = NULL;
  g_autofree char *micro = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  pattern = g_strdup_printf ("^\\{\"timestamp\": \\{\"seconds\": (\\d+), "
                             "\"microseconds\": (\\d+)\\}, \"event\": \"%s\"%s%s%s\\}$",
                             name, data != NULL ? ", \"data\": " : "",
                             data != NULL ? data : "", "");
  regex = g_regex_new (pattern, G_REGEX_RAW, 0, NULL);
  g_assert_nonnull (regex);
  if (!g_regex_match (regex, line, 0, &match))
    g_error ("not the event %s%s%s: %s", name, data ? " with " : "", data ? data : "", line);
  seconds = g_match_info_fetch (match, 1);
  micro = g_match_info_fetch (match, 2);
  g_assert_cmpint (g_ascii_strtoll (seconds, NULL, 10), >=, now - 5);
  g_assert_cmpint (g_ascii_strtoll (seconds, NULL, 10), <=, now + 5);
  g_assert_cmpint (g_ascii_strtoll (micro, NULL, 10), <, G_USEC_PER_SEC);
}


void
client_check_with_event (Client     *c,
                         const char *text,
                         const char *name,
                         const char *data,
                         const char *expected)
{
  g_autofree char *line = NULL;

  client_send (c, text);
  line = client_read (c);
  assert_event (line, name, data);
  client_expect (c, expected);
}
