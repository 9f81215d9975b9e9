/* test-peer.c: a raw QMP peer scripted in C, for byte-exact tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-peer.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PEER_IO_TIMEOUT_MS 10000

struct _TestPeer {
  int           listen_fd;
  int           fd;
  GThread      *thread;
  TestPeerFunc  func;
  gpointer      user_data;
  GString      *in;
  char         *path;
};

static gpointer
peer_thread (gpointer data)
{
  TestPeer *peer = data;
  struct pollfd p = { .fd = peer->listen_fd, .events = POLLIN };

  g_assert_cmpint (poll (&p, 1, 30000), ==, 1);
  peer->fd = accept4 (peer->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint (peer->fd, >=, 0);
  peer->func (peer, peer->user_data);
  return NULL;
}

TestPeer *
test_peer_new (const char *socket_path, TestPeerFunc func, gpointer user_data)
{
  TestPeer *peer = g_new0 (TestPeer, 1);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  g_assert_cmpuint (strlen (socket_path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, socket_path);
  peer->path = g_strdup (socket_path);
  peer->fd = -1;
  peer->in = g_string_new (NULL);
  peer->func = func;
  peer->user_data = user_data;
  peer->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (peer->listen_fd, >=, 0);
  unlink (socket_path);
  g_assert_cmpint (bind (peer->listen_fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (peer->listen_fd, 4), ==, 0);
  peer->thread = g_thread_new ("test-peer", peer_thread, peer);
  return peer;
}

void
test_peer_close (TestPeer *peer)
{
  if (peer->fd >= 0)
    close (peer->fd);
  peer->fd = -1;
}

void
test_peer_join (TestPeer *peer)
{
  g_thread_join (peer->thread);
  test_peer_close (peer);
  close (peer->listen_fd);
  unlink (peer->path);
  g_free (peer->path);
  g_string_free (peer->in, TRUE);
  g_free (peer);
}

void
test_peer_send_len (TestPeer *peer, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (peer->fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return;   /* the client went away: the test decides if that is right */
      data += n;
      len -= (gsize) n;
    }
}

void
test_peer_send (TestPeer *peer, const char *text)
{
  test_peer_send_len (peer, text, strlen (text));
}

void
test_peer_send_greeting (TestPeer *peer, gboolean offer_oob)
{
  test_peer_send (peer, offer_oob
                  ? "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                    "\"package\": \"test-peer\"}, \"capabilities\": [\"oob\"]}}\r\n"
                  : "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                    "\"package\": \"test-peer\"}, \"capabilities\": []}}\r\n");
}

/* One line, or NULL at EOF. */
static char *
read_line (TestPeer *peer)
{
  for (;;)
    {
      char *nl = memchr (peer->in->str, '\n', peer->in->len);
      struct pollfd p = { .fd = peer->fd, .events = POLLIN };
      char buf[4096];
      gssize n;

      if (nl != NULL)
        {
          gsize len = (gsize) (nl - peer->in->str);
          char *line = g_strndup (peer->in->str, len);

          g_string_erase (peer->in, 0, (gssize) len + 1);
          return line;
        }
      g_assert_cmpint (poll (&p, 1, PEER_IO_TIMEOUT_MS), ==, 1);
      n = recv (peer->fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      g_string_append_len (peer->in, buf, n);
    }
}

JsonObject *
test_peer_read_command (TestPeer *peer)
{
  g_autofree char *line = read_line (peer);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (line == NULL)
    return NULL;
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

void
test_peer_reply (TestPeer *peer, JsonObject *cmd, const char *ret_json)
{
  g_autofree char *text =
    g_strdup_printf ("{\"return\": %s, \"id\": %" G_GINT64_FORMAT "}\r\n",
                     ret_json, json_object_get_int_member (cmd, "id"));

  test_peer_send (peer, text);
}

char *
test_peer_negotiate (TestPeer *peer, gboolean offer_oob)
{
  g_autoptr(JsonObject) cmd = NULL;
  char *args;

  test_peer_send_greeting (peer, offer_oob);
  cmd = test_peer_read_command (peer);
  g_assert_nonnull (cmd);
  g_assert_cmpstr (json_object_get_string_member (cmd, "execute"), ==, "qmp_capabilities");
  args = json_object_has_member (cmd, "arguments")
         ? json_to_string (json_object_get_member (cmd, "arguments"), FALSE)
         : g_strdup ("");
  test_peer_reply (peer, cmd, "{}");
  return args;
}

gboolean
test_peer_wait_eof (TestPeer *peer, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd p = { .fd = peer->fd, .events = POLLIN };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      char buf[4096];

      if (left <= 0 || poll (&p, 1, (int) left) != 1)
        return FALSE;
      if (recv (peer->fd, buf, sizeof buf, 0) == 0)
        return TRUE;
    }
}
