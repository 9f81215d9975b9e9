/* bench-responder.c: the minimal QMP responder the bench measures against
 *
 * Plain C and one epoll loop in its own process, so that what the bench
 * measures is the client and the kernel, never the server: it greets like
 * QEMU 7.2 (offering oob), answers every command at once echoing its id,
 * and serves any number of clients.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-blob.h"
#include "bench-responder.h"

#define GREETING \
  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, " \
  "\"package\": \"Debian 1:7.2+dfsg-7+deb12u7\"}, \"capabilities\": [\"oob\"]}}\r\n"
/* What QEMU 7.2 answers to query-status: a typical small reply. */
#define STATUS_RETURN "{\"status\": \"running\", \"singlestep\": false, \"running\": true}"

typedef struct {
  char   *data;
  size_t  len, cap, off;   /* off: first byte not yet consumed or written */
} Buffer;

typedef struct {
  int      fd;
  unsigned events;   /* what epoll waits for on fd */
  Buffer   in, out;
} Client;

static void
buffer_append (Buffer *b, const char *data, size_t len)
{
  if (b->len + len > b->cap)
    {
      b->cap = (b->len + len) * 2;
      b->data = realloc (b->data, b->cap);
      if (b->data == NULL)
        abort ();
    }
  memcpy (b->data + b->len, data, len);
  b->len += len;
}

/* Drops what was consumed, so that the buffer does not grow forever. */
static void
buffer_compact (Buffer *b)
{
  memmove (b->data, b->data + b->off, b->len - b->off);
  b->len -= b->off;
  b->off = 0;
}

/* The raw text of the command's id value, as QEMU echoes it. */
static void
append_id (Buffer *out, const char *line, size_t len)
{
  const char *end = line + len, *p = memmem (line, len, "\"id\"", 4), *v;

  if (p == NULL)
    return;
  for (p += 4; p < end && (*p == ' ' || *p == ':'); p++)
    ;
  v = p;
  if (p < end && *p == '"')
    {
      const char *quote = memchr (p + 1, '"', (size_t) (end - p - 1));

      p = quote != NULL ? quote + 1 : end;
    }
  else
    while (p < end && *p != ',' && *p != '}' && *p != ' ')
      p++;
  buffer_append (out, ", \"id\": ", 8);
  buffer_append (out, v, (size_t) (p - v));
}

static void
answer (Buffer *out, const char *line, size_t len)
{
  static char *blob;
  static size_t blob_size, blob_len;
  const char *p;

  if (memmem (line, len, "\"qmp_capabilities\"", 18) != NULL)
    buffer_append (out, "{\"return\": {}", 13);
  else if ((p = memmem (line, len, "\"size\"", 6)) != NULL
           && memmem (line, len, BENCH_BLOB_COMMAND, strlen (BENCH_BLOB_COMMAND)) != NULL)
    {
      size_t size = strtoul (p + 7, NULL, 10);  /* after "size": */

      if (size != blob_size)
        {
          free (blob);
          blob = bench_blob_new (size, &blob_len);
          blob_size = size;
        }
      buffer_append (out, "{\"return\": ", 11);
      buffer_append (out, blob, blob_len);
    }
  else
    buffer_append (out, "{\"return\": " STATUS_RETURN, 11 + strlen (STATUS_RETURN));
  append_id (out, line, len);
  buffer_append (out, "}\r\n", 3);
}

static void
client_free (int epfd, Client *c)
{
  epoll_ctl (epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  free (c->in.data);
  free (c->out.data);
  free (c);
}

/* Returns 0, or -1 when the client is gone. While replies wait to be
 * written the client is not read, which bounds the output buffer. */
static int
client_flush (int epfd, Client *c)
{
  struct epoll_event ev = { .data.ptr = c };

  while (c->out.off < c->out.len)
    {
      ssize_t n = send (c->fd, c->out.data + c->out.off, c->out.len - c->out.off,
                        MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      if (n < 0)
        return -1;
      c->out.off += (size_t) n;
    }
  if (c->out.off == c->out.len)
    c->out.off = c->out.len = 0;
  /* Changed only when it changes: a floor pays no syscall it can avoid. */
  ev.events = c->out.len > 0 ? EPOLLOUT : EPOLLIN;
  if (ev.events == c->events)
    return 0;
  c->events = ev.events;
  return epoll_ctl (epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static int
client_read (Client *c)
{
  char buf[65536];

  for (;;)
    {
      ssize_t n = recv (c->fd, buf, sizeof buf, MSG_DONTWAIT);
      char *nl;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return 0;
      if (n <= 0)
        return -1;
      buffer_append (&c->in, buf, (size_t) n);
      while ((nl = memchr (c->in.data + c->in.off, '\n', c->in.len - c->in.off)) != NULL)
        {
          answer (&c->out, c->in.data + c->in.off, (size_t) (nl - c->in.data - c->in.off));
          c->in.off = (size_t) (nl - c->in.data) + 1;
        }
      buffer_compact (&c->in);
      if ((size_t) n < sizeof buf)
        return 0;
    }
}

static void
accept_clients (int epfd, int listener)
{
  int fd;

  while ((fd = accept4 (listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
    {
      Client *c = calloc (1, sizeof *c);
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

      if (c == NULL)
        abort ();
      c->fd = fd;
      c->events = EPOLLIN;
      buffer_append (&c->out, GREETING, strlen (GREETING));
      if (epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev) < 0 || client_flush (epfd, c) < 0)
        client_free (epfd, c);
    }
}

static _Noreturn void
serve (int listener)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL }, events[256];
  int epfd = epoll_create1 (EPOLL_CLOEXEC);

  if (epfd < 0 || epoll_ctl (epfd, EPOLL_CTL_ADD, listener, &ev) < 0)
    _exit (1);
  for (;;)
    {
      int n = epoll_wait (epfd, events, 256, -1);

      for (int i = 0; i < n; i++)
        {
          Client *c = events[i].data.ptr;

          if (c == NULL)
            accept_clients (epfd, listener);
          else if (((events[i].events & EPOLLOUT) == 0 && client_read (c) < 0)
                   || client_flush (epfd, c) < 0)
            client_free (epfd, c);
        }
    }
}

pid_t
bench_responder_start (const char *socket_path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int listener = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  pid_t parent = getpid (), pid;

  if (listener < 0 || strlen (socket_path) >= sizeof addr.sun_path)
    return -1;
  strcpy (addr.sun_path, socket_path);
  /* The backlog lets 1,000 clients connect at once. */
  if (bind (listener, (struct sockaddr *) &addr, sizeof addr) < 0
      || listen (listener, 4096) < 0)
    {
      close (listener);
      return -1;
    }
  pid = fork ();
  if (pid == 0)
    {
      /* Never outlive the bench, even when it crashes. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != parent)
        _exit (1);
      serve (listener);
    }
  close (listener);
  return pid;
}

void
bench_child_stop (pid_t pid)
{
  if (pid <= 0)
    return;
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}
