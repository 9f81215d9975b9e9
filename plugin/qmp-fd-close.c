/* qmp-fd-close.c: receiving and closing descriptors a device model sends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * QEMU never needs to send us a descriptor, but a compromised one can,
 * and closing a descriptor can block: the last close() of a TCP socket
 * with SO_LINGER set and unsent data waits for its linger time, the last
 * close of a unix socket releases whatever descriptors are queued in it
 * (recursively), a terminal waits for its output to drain. The kernel does
 * such a final release in the context of the thread that dropped the last
 * reference, on its way back to user space: so it is not enough that we
 * never call close() on the main loop; we must also never let the kernel
 * drop such a descriptor for us there. That happens
 *
 * - when recvmsg()'s control buffer is too small (MSG_CTRUNC): the
 *   descriptors that do not fit are released in recvmsg() itself;
 * - when we close a socket that still has descriptor-carrying messages
 *   in its receive queue: they are released in our close().
 *
 * So receiving uses a control buffer for the most descriptors one message
 * can carry, every descriptor received goes to a worker thread to be
 * closed, and our own sockets are shut down and drained before the close.
 */
#include "config.h"

#include "qmp-fd-close.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* SCM_MAX_FD in the kernel (include/net/scm.h): the most descriptors one
 * sendmsg() may pass. A unix stream socket returns at most one message's
 * descriptors per read (unix_stream_read_generic() stops after an skb
 * that carried some), so a buffer this size is never truncated. */
#define MAX_FDS_PER_MESSAGE 253

/* Threads that close descriptors QEMU sent. More than one, so that a
 * close that blocks (a unix socket full of lingering sockets) does not
 * hold back the others. */
#define CLOSER_THREADS 4

/* Bytes drained from a socket before its close: more than any socket
 * buffer holds once the peer can no longer write. */
#define DRAIN_MAX (64 * 1024 * 1024)

static void
close_in_worker (gpointer data, gpointer user_data)
{
  close (GPOINTER_TO_INT (data) - 1);
}

static GThreadPool *
closer_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      /* Shared (not exclusive) threads: they exist only while there is
       * something to close. The pool lives as long as the process. */
      GThreadPool *p = g_thread_pool_new (close_in_worker, NULL, CLOSER_THREADS,
                                          FALSE, NULL);
      g_once_init_leave (&pool, p);
    }
  return pool;
}

/**
 * qmp_fd_close_untrusted:
 * @fd: a descriptor a device model sent
 *
 * Closes @fd without blocking the caller. A socket is first made to close
 * abortively (SO_LINGER {1, 0}: its unsent data is dropped, the peer sees
 * a reset) so that the worker's close() is quick too; anything else may
 * block the worker, never the caller.
 */
void
qmp_fd_close_untrusted (int fd)
{
  const struct linger abortive = { .l_onoff = 1, .l_linger = 0 };
  g_autoptr(GError) error = NULL;

  if (fd < 0)
    return;
  /* ENOTSOCK for anything but a socket; a unix socket ignores linger. */
  (void) setsockopt (fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  if (!g_thread_pool_push (closer_pool (), GINT_TO_POINTER (fd + 1), &error))
    {
      /* No thread to be had: a blocking close beats a leak. */
      g_warning ("cannot start a thread to close a descriptor QEMU sent: %s",
                 error->message);
      close (fd);
    }
}

static guint
take_fds (struct msghdr *msg)
{
  guint n_fds = 0;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (msg); c != NULL; c = CMSG_NXTHDR (msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        gsize count = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);

        for (gsize i = 0; i < count; i++)
          {
            int fd;

            memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof fd);
            qmp_fd_close_untrusted (fd);
          }
        n_fds += count;
      }
  return n_fds;
}

/**
 * qmp_fd_receive:
 * @sock: a non-blocking stream socket
 * @buf: where the bytes go
 * @len: at most this many
 * @n_fds: (out): how many descriptors came with them (all closed)
 *
 * recv() for a socket whose peer may pass descriptors: they are received
 * whole (never truncated, which would have the kernel release the rest in
 * this thread) and closed without blocking.
 *
 * Returns: as recvmsg(), with errno set on failure; EINTR is retried
 */
gssize
qmp_fd_receive (int sock, void *buf, gsize len, guint *n_fds)
{
  union {
    char buf[CMSG_SPACE (MAX_FDS_PER_MESSAGE * sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { buf, len };
  struct msghdr msg = {
    .msg_iov = &iov, .msg_iovlen = 1,
    .msg_control = control.buf, .msg_controllen = sizeof control.buf,
  };
  gssize n;

  do
    n = recvmsg (sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  *n_fds = n >= 0 ? take_fds (&msg) : 0;
  /* Not expected with the buffer above; if a kernel ever truncates, what
   * was cut is already gone, and saying so is all that is left to do. */
  if (n >= 0 && (msg.msg_flags & MSG_CTRUNC) != 0)
    g_debug ("recvmsg() truncated the descriptors the peer sent");
  return n;
}

/**
 * qmp_fd_close_socket:
 * @sock: our end of a connection to a device model
 *
 * Closes @sock without letting the kernel release, in this thread, the
 * descriptors still queued in it: shuts it down (the peer sees the end at
 * once, and can queue nothing more), reads out what is left, closing what
 * came with it off this thread, then closes it.
 */
void
qmp_fd_close_socket (int sock)
{
  char sink[16 * 1024];
  gsize drained = 0;
  guint n_fds;
  gssize n;

  if (sock < 0)
    return;
  (void) shutdown (sock, SHUT_RDWR);
  /* Shut down for reading, the socket returns its queue, then 0. */
  while ((n = qmp_fd_receive (sock, sink, sizeof sink, &n_fds)) > 0
         && drained < DRAIN_MAX)
    drained += (gsize) n;
  if (n > 0)
    qmp_fd_close_untrusted (sock);   /* should not happen: see DRAIN_MAX */
  else
    close (sock);
}
