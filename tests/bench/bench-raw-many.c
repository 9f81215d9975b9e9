/* bench-raw-many.c: the minimal client over many connections
 *
 * What the library's 1,000-connection figure cannot go below: one epoll
 * set, and for every command its own send() and recv() on its own socket,
 * with no parsing. Its ratio to the raw client on one connection (where a
 * window of commands shares one send() and one recv()) is what the kernel
 * allows any client on this machine.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench-raw-client.h"
#include "bench-raw-many.h"

typedef struct {
  int          fd;
  unsigned int len;         /* bytes of an unfinished reply in buf */
  char         buf[512];    /* a query-status reply is under 100 bytes */
} Conn;

struct BenchRawMany {
  int          epfd;
  unsigned int n, next, next_id;
  Conn        *conns;
};

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

BenchRawMany *
bench_raw_many_open (const char *socket_path, unsigned int n)
{
  BenchRawMany *m = calloc (1, sizeof *m);
  /* The one-connection client does each handshake; its socket is kept. */
  BenchRawClient *c = malloc (sizeof *c);

  if (m == NULL || c == NULL)
    {
      free (m);
      free (c);
      return NULL;
    }
  m->epfd = epoll_create1 (EPOLL_CLOEXEC);
  m->conns = calloc (n, sizeof *m->conns);
  if (m->epfd < 0 || m->conns == NULL)
    goto fail;
  m->next_id = 1;
  while (m->n < n)
    {
      struct epoll_event ev = { .events = EPOLLIN, .data.u32 = m->n };

      if (!bench_raw_client_open (c, socket_path, true))
        goto fail;
      m->conns[m->n++].fd = c->fd;
      if (epoll_ctl (m->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        goto fail;
    }
  free (c);
  return m;

fail:
  free (c);
  bench_raw_many_close (m);
  return NULL;
}

static bool
send_command (BenchRawMany *m)
{
  Conn *c = &m->conns[m->next];
  char command[64];
  int len = snprintf (command, sizeof command,
                      "{\"execute\": \"query-status\", \"id\": %u}\n", m->next_id++);

  m->next = (m->next + 1) % m->n;
  return send (c->fd, command, (size_t) len, MSG_NOSIGNAL) == len;
}

/* Reads what @c has and returns the number of whole replies, or -1. */
static int
read_replies (Conn *c)
{
  int replies = 0;
  ssize_t n;
  char *nl;

  do
    n = recv (c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n < 0 && errno == EAGAIN ? 0 : -1;
  c->len += (unsigned int) n;
  while ((nl = memchr (c->buf, '\n', c->len)) != NULL)
    {
      c->len -= (unsigned int) (nl + 1 - c->buf);
      memmove (c->buf, nl + 1, c->len);
      replies++;
    }
  return c->len == sizeof c->buf ? -1 : replies;
}

double
bench_raw_many_run (BenchRawMany *m, unsigned int window, double seconds, unsigned int min)
{
  double start = now_s ();
  unsigned int done = 0, in_flight = 0, next_check = 0;
  bool stopping = false;

  for (; in_flight < window; in_flight++)
    if (!send_command (m))
      return -1;
  while (in_flight > 0)
    {
      struct epoll_event events[256];
      int n = epoll_wait (m->epfd, events, 256, -1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      for (int i = 0; i < n; i++)
        {
          int replies = read_replies (&m->conns[events[i].data.u32]);

          if (replies < 0)
            return -1;
          /* Each reply starts the next command at once, as the library's
           * callbacks do. */
          for (; replies > 0; replies--)
            {
              in_flight--;
              done++;
              if (!stopping && done >= min && done >= next_check)
                {
                  stopping = now_s () - start >= seconds;
                  next_check = done + 64;
                }
              if (stopping)
                continue;
              if (!send_command (m))
                return -1;
              in_flight++;
            }
        }
    }
  return (now_s () - start) * 1e6 / done;
}

void
bench_raw_many_close (BenchRawMany *m)
{
  if (m == NULL)
    return;
  for (unsigned int i = 0; i < m->n; i++)
    close (m->conns[i].fd);
  if (m->epfd >= 0)
    close (m->epfd);
  free (m->conns);
  free (m);
}
