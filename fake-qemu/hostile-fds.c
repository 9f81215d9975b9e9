/* hostile-fds.c: descriptors a hostile device model passes, for "send-fds"
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A compromised QEMU can pass the toolstack a descriptor whose last
 * close() blocks: a TCP socket with SO_LINGER {1, L} and data its peer
 * never reads waits up to L seconds in close(). The peers must stay open
 * (and unread) as long as the client might close the socket, even after
 * the fake has exited (when its script ends with the client's close, the
 * client may still be closing): a holder process, forked once, keeps them
 * for the longest linger time after the fake is gone. The fake closes its
 * own copy of each socket once it is sent, so the client's close is the
 * last.
 */
#include "config.h"

#include "hostile-fds.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Small buffers fill with little data. */
#define SMALL_BUFFER 4096

/* The holder's socket: each accepted end goes there, with its linger
 * time as the one byte. */
static int holder = -1;

static void
check (gboolean ok, const char *what)
{
  if (!ok)
    g_error ("send-fds: %s: %s", what, g_strerror (errno));
}

static int
tcp_listener (void)
{
  static int listener = -1;
  struct sockaddr_in addr = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int size = SMALL_BUFFER;

  if (listener >= 0)
    return listener;
  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check (listener >= 0, "socket");
  /* Inherited by accepted sockets: their receive window stays small. */
  check (setsockopt (listener, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) == 0, "SO_RCVBUF");
  check (bind (listener, (struct sockaddr *) &addr, sizeof addr) == 0, "bind");
  check (listen (listener, 64) == 0, "listen");
  return listener;
}

/* The holder, after fork(): only async-signal-safe calls from here. It
 * receives the peers and keeps them, unread, until the fake is gone and
 * the longest linger has passed. */
G_GNUC_NORETURN static void
hold_peers (int sock)
{
  unsigned char longest = 0;

  for (;;)
    {
      union {
        char buf[CMSG_SPACE (sizeof (int))];
        struct cmsghdr align;
      } control;
      unsigned char linger;
      struct iovec iov = { &linger, 1 };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = control.buf, .msg_controllen = sizeof control.buf };

      if (recvmsg (sock, &msg, 0) <= 0)
        break;
      longest = linger > longest ? linger : longest;
    }
  sleep (longest + 1u);
  _exit (0);
}

static void
holder_start (void)
{
  int pair[2], null_fd;
  pid_t pid;

  check (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0, "socketpair");
  pid = fork ();
  check (pid >= 0, "fork");
  if (pid == 0)
    {
      /* Nothing of the fake's: its sockets and pipes must see their end
       * when the fake goes. */
      null_fd = open ("/dev/null", O_RDWR);
      dup2 (null_fd, 0);
      dup2 (null_fd, 1);
      dup2 (null_fd, 2);
      dup2 (pair[1], 3);
      close_range (4, ~0u, 0);
      hold_peers (3);
    }
  close (pair[1]);
  holder = pair[0];
}

static void
hold_peer (int peer, guint linger_s)
{
  union {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control = { 0 };
  unsigned char linger = (unsigned char) linger_s;
  struct iovec iov = { &linger, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  if (holder < 0)
    holder_start ();
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &peer, sizeof peer);
  check (sendmsg (holder, &msg, MSG_NOSIGNAL) == 1, "sendmsg to the holder");
  close (peer);
}

static int
lingering_tcp_new (guint linger_s)
{
  int listener = tcp_listener ();
  struct sockaddr_in addr;
  socklen_t addr_len = sizeof addr;
  struct linger linger = { .l_onoff = 1, .l_linger = (int) linger_s };
  int size = SMALL_BUFFER;
  char junk[SMALL_BUFFER] = { 0 };
  int sock, peer;

  check (getsockname (listener, (struct sockaddr *) &addr, &addr_len) == 0, "getsockname");
  sock = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check (sock >= 0, "socket");
  check (setsockopt (sock, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == 0, "SO_SNDBUF");
  check (connect (sock, (struct sockaddr *) &addr, addr_len) == 0, "connect");
  peer = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  check (peer >= 0, "accept");

  /* Fill the peer's receive window and our send queue. */
  check (fcntl (sock, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
  while (send (sock, junk, sizeof junk, MSG_NOSIGNAL) > 0)
    ;
  check (errno == EAGAIN || errno == EWOULDBLOCK, "send");
  check (setsockopt (sock, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) == 0, "SO_LINGER");
  hold_peer (peer, linger_s);
  return sock;
}

/* A unix socket whose receive queue holds a lingering TCP socket: its
 * last close releases that one too, in the closer's context. */
static int
nested_lingering_tcp_new (guint linger_s)
{
  int pair[2], inner = lingering_tcp_new (linger_s);
  union {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control = { 0 };
  char byte = 'x';
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  check (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0, "socketpair");
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &inner, sizeof inner);
  check (sendmsg (pair[0], &msg, 0) == 1, "sendmsg");
  close (inner);
  close (pair[0]);
  return pair[1];
}

gboolean
fake_fd_kind_from_string (const char *name, FakeFdKind *kind)
{
  if (g_strcmp0 (name, "dev-null") == 0)
    *kind = FAKE_FD_DEV_NULL;
  else if (g_strcmp0 (name, "lingering-tcp") == 0)
    *kind = FAKE_FD_LINGERING_TCP;
  else if (g_strcmp0 (name, "nested-lingering-tcp") == 0)
    *kind = FAKE_FD_NESTED_LINGERING_TCP;
  else
    return FALSE;
  return TRUE;
}

/* A fresh descriptor of KIND; LINGER_S: the lingering sockets' time. */
int
fake_hostile_fd_new (FakeFdKind kind, guint linger_s)
{
  int fd;

  switch (kind)
    {
    case FAKE_FD_LINGERING_TCP:
      return lingering_tcp_new (linger_s);
    case FAKE_FD_NESTED_LINGERING_TCP:
      return nested_lingering_tcp_new (linger_s);
    case FAKE_FD_DEV_NULL:
    default:
      fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      check (fd >= 0, "/dev/null");
      return fd;
    }
}

/* Closes FD, made here and never sent, at once: a lingering socket is
 * reset rather than left to linger in the fake's own close. (A nested
 * one still lingers: its queue is out of reach.) */
void
fake_hostile_fd_discard (int fd)
{
  const struct linger abortive = { .l_onoff = 1, .l_linger = 0 };

  (void) setsockopt (fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  close (fd);
}
