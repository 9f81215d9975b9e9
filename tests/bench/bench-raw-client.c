/* bench-raw-client.c: the minimal blocking QMP client, the bench's floor
 *
 * It does the least a client must: write commands, read until a newline
 * per reply. No parsing and no event loop, so its time is the kernel's and
 * the server's: what the library is compared with.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bench-raw-client.h"

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static bool
write_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      data += n;
      len -= (size_t) n;
    }
  return true;
}

/* Blocks until one whole line is buffered and drops it. */
static bool
read_line (BenchRawClient *c)
{
  for (;;)
    {
      char *nl = memchr (c->buf, '\n', c->len);
      ssize_t n;

      if (nl != NULL)
        {
          c->len -= (unsigned int) (nl + 1 - c->buf);
          memmove (c->buf, nl + 1, c->len);
          return true;
        }
      if (c->len == sizeof c->buf)
        return false;
      if (c->wait_in_poll)
        {
          struct pollfd p = { .fd = c->fd, .events = POLLIN };

          if (poll (&p, 1, -1) < 0 && errno != EINTR)
            return false;
        }
      n = recv (c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      c->len += (unsigned int) n;
    }
}

bool
bench_raw_client_open (BenchRawClient *c, const char *socket_path, bool oob)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *caps = oob
    ? "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}\n"
    : "{\"execute\": \"qmp_capabilities\"}\n";

  c->len = 0;
  c->next_id = 1;
  c->wait_in_poll = false;
  c->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0 || strlen (socket_path) >= sizeof addr.sun_path)
    return false;
  strcpy (addr.sun_path, socket_path);
  if (connect (c->fd, (struct sockaddr *) &addr, sizeof addr) < 0
      || !read_line (c) || !write_all (c->fd, caps, strlen (caps)) || !read_line (c))
    {
      bench_raw_client_close (c);
      return false;
    }
  return true;
}

/* Writes @count commands with one send(), as a pipelining client would. */
static bool
send_commands (BenchRawClient *c, unsigned int count)
{
  char batch[64 * 64];
  size_t len = 0;

  while (count > 0)
    {
      len += (size_t) snprintf (batch + len, sizeof batch - len,
                                "{\"execute\": \"query-status\", \"id\": %u}\n",
                                c->next_id++);
      count--;
      if (count == 0 || sizeof batch - len < 64)
        {
          if (!write_all (c->fd, batch, len))
            return false;
          len = 0;
        }
    }
  return true;
}

double
bench_raw_client_run (BenchRawClient *c, unsigned int window, double seconds,
                      unsigned int min)
{
  double start = now_s ();
  unsigned int done = 0, in_flight = 0, next_check = 0;
  bool stopping = false;

  for (;;)
    {
      /* The clock is read every 64 replies or so: cheap next to a round
       * trip. Replies come in batches, hence no test of done % 64. */
      if (!stopping && done >= min && done >= next_check)
        {
          stopping = now_s () - start >= seconds;
          next_check = done + 64;
        }
      if (!stopping && in_flight < window)
        {
          if (!send_commands (c, window - in_flight))
            return -1;
          in_flight = window;
        }
      if (in_flight == 0)
        break;
      /* Wait for one reply, then take all those already received: the
       * window is refilled with one send() per batch of replies. */
      do
        {
          if (!read_line (c))
            return -1;
          in_flight--;
          done++;
        }
      while (in_flight > 0 && memchr (c->buf, '\n', c->len) != NULL);
    }
  return (now_s () - start) * 1e6 / done;
}

void
bench_raw_client_close (BenchRawClient *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
}
