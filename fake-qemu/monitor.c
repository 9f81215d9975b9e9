/* monitor.c: one client session on a fake domain's QMP socket
 *
 * The data path, top to bottom: recvmsg() takes up to READ_SIZE bytes and
 * the descriptors that came with them, the JSON stream turns the bytes
 * into complete values, each value becomes a FakeRequest carrying its
 * descriptors, and goes to fake_monitor_dispatch(); replies are queued
 * and written as the socket accepts them. One read per wake-up, so that a
 * client that floods one domain does not starve the others.
 *
 * Which request do descriptors belong to? A client sends them with the
 * first byte of their command. The kernel may glue earlier bytes in front
 * of that in one read, but always ends the read with the message that
 * carried them: so they belong to the last value that began in the read,
 * or, if none began, to the value in progress or else the next one. All
 * values completed by a read are collected first and dispatched after the
 * descriptors have found their request.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* accept4(), MSG_CMSG_CLOEXEC */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define G_LOG_DOMAIN "fake-qemu"

#include "monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib-unix.h>

#include "builtins.h"
#include "hostile-fds.h"
#include "json-stream.h"
#include "json-write.h"
#include "listener.h"
#include "qmp-message.h"

#define READ_SIZE          65536
/* The kernel's limit on descriptors in one message (SCM_MAX_FD). */
#define MAX_FDS_PER_READ   253
/* Logged messages are cut here. */
#define LOG_TEXT_MAX       512

typedef struct {
  guint64  serial;     /* the value they belong to */
  GArray  *fds;
} FdBatch;

/* Descriptors to send with the byte at OFFSET of the output. */
typedef struct {
  gsize    offset;
  int     *fds;
  guint    n_fds;
} OutFds;

struct _FakeMonitor {
  guint            ref_count;
  FakeDomain      *domain;        /* NULL once closed */
  char            *name;
  int              fd;
  guint            read_watch;
  guint            hangup_watch;  /* instead of read_watch, when not reading */
  guint            write_watch;
  guint            close_timeout;
  FakeJsonStream  *stream;
  GArray          *fd_batches;    /* FdBatch waiting for their value */
  GByteArray      *out;
  gsize            out_pos;       /* OUT[0, out_pos) is written */
  GQueue           out_fds;       /* OutFds, by offset */
  gboolean         negotiated;
  gboolean         oob_enabled;
  gboolean         closing;
  gboolean         closed;
  gboolean         not_reading;
  gboolean         reset_on_close;
};

static gboolean
debug_enabled (void)
{
  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}

static void
close_fds (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    if (close (g_array_index (fds, int, i)) < 0)
      g_debug ("close: %s", g_strerror (errno));
  g_array_set_size (fds, 0);
}

static void
out_fds_free (OutFds *out)
{
  for (guint i = 0; i < out->n_fds; i++)
    close (out->fds[i]);
  g_free (out->fds);
  g_free (out);
}

/* Descriptors that were never sent: the fake's close is the last, and
 * must not linger (fake_hostile_fd_discard). */
static void
out_fds_discard (OutFds *out)
{
  for (guint i = 0; i < out->n_fds; i++)
    fake_hostile_fd_discard (out->fds[i]);
  out->n_fds = 0;
  out_fds_free (out);
}

static void
fd_batch_clear (gpointer data)
{
  FdBatch *batch = data;

  close_fds (batch->fds);
  g_array_unref (batch->fds);
}

FakeMonitor *
fake_monitor_new (FakeDomain *domain, int fd, const char *name)
{
  FakeMonitor *self = g_new0 (FakeMonitor, 1);

  self->ref_count = 1;
  self->domain = domain;
  self->name = g_strdup (name);
  self->fd = fd;
  self->stream = fake_json_stream_new ();
  self->fd_batches = g_array_new (FALSE, FALSE, sizeof (FdBatch));
  g_array_set_clear_func (self->fd_batches, fd_batch_clear);
  self->out = g_byte_array_new ();
  return self;
}

FakeMonitor *
fake_monitor_ref (FakeMonitor *self)
{
  self->ref_count++;
  return self;
}

void
fake_monitor_unref (FakeMonitor *self)
{
  if (self == NULL || --self->ref_count > 0)
    return;
  /* The domain holds a reference while the connection is open. */
  g_warn_if_fail (self->closed);
  g_free (self->name);
  g_byte_array_unref (self->out);
  g_free (self);
}

const char *
fake_monitor_get_name (FakeMonitor *self)
{
  return self->name;
}

FakeDomain *
fake_monitor_get_domain (FakeMonitor *self)
{
  return self->domain;
}

gboolean
fake_monitor_is_negotiated (FakeMonitor *self)
{
  return self->negotiated;
}

gboolean
fake_monitor_oob_enabled (FakeMonitor *self)
{
  return self->oob_enabled;
}

void
fake_monitor_set_negotiated (FakeMonitor *self, gboolean oob)
{
  self->negotiated = TRUE;
  self->oob_enabled = oob;
}

gboolean
fake_monitor_is_closed (FakeMonitor *self)
{
  return self->closed;
}

static void
close_now (FakeMonitor *self, const char *reason)
{
  FakeDomain *domain = self->domain;

  if (self->closed)
    return;
  self->closed = TRUE;
  self->closing = TRUE;
  g_debug ("%s: connection closed (%s)", self->name, reason);

  g_clear_handle_id (&self->read_watch, g_source_remove);
  g_clear_handle_id (&self->hangup_watch, g_source_remove);
  g_clear_handle_id (&self->write_watch, g_source_remove);
  g_clear_handle_id (&self->close_timeout, g_source_remove);
  if (self->reset_on_close)
    {
      struct linger linger = { .l_onoff = 1, .l_linger = 0 };

      if (setsockopt (self->fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0)
        g_debug ("%s: SO_LINGER: %s", self->name, g_strerror (errno));
    }
  if (close (self->fd) < 0)
    g_debug ("%s: close: %s", self->name, g_strerror (errno));
  self->fd = -1;
  g_clear_pointer (&self->stream, fake_json_stream_free);
  g_clear_pointer (&self->fd_batches, g_array_unref);
  g_byte_array_set_size (self->out, 0);
  self->out_pos = 0;
  g_queue_clear_full (&self->out_fds, (GDestroyNotify) out_fds_discard);

  self->domain = NULL;
  if (domain != NULL)
    fake_domain_client_closed (domain, self);
}

void
fake_monitor_close (FakeMonitor *self)
{
  g_autoptr(FakeMonitor) pin G_GNUC_UNUSED = fake_monitor_ref (self);

  close_now (self, "closed by the fake");
}

static gboolean on_writable (int fd, GIOCondition condition, gpointer user_data);

/* Sends LEN bytes of the output with WITH's descriptors, which the
 * kernel then holds: ours are closed once the first byte is out. */
static ssize_t
send_with_fds (FakeMonitor *self, gsize len, OutFds *with)
{
  union {
    struct cmsghdr align;
    char           space[CMSG_SPACE (sizeof (int) * MAX_FDS_PER_READ)];
  } control;
  struct iovec iov = { self->out->data + self->out_pos, len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *cmsg;
  ssize_t n;

  if (with->n_fds > 0)
    {
      memset (&control, 0, sizeof control);
      msg.msg_control = control.space;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * with->n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * with->n_fds);
      memcpy (CMSG_DATA (cmsg), with->fds, sizeof (int) * with->n_fds);
    }
  n = sendmsg (self->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0)
    {
      if (debug_enabled ())
        g_debug ("%s: -> %u file descriptors", self->name, with->n_fds);
      out_fds_free (g_queue_pop_head (&self->out_fds));
    }
  return n;
}

/* Writes what the socket takes; FALSE if that closed the connection. */
static gboolean
flush (FakeMonitor *self)
{
  while (self->out_pos < self->out->len)
    {
      OutFds *with = g_queue_peek_head (&self->out_fds);
      GList *later = self->out_fds.head;
      gsize len = self->out->len - self->out_pos;
      ssize_t n;

      /* Descriptors go with their byte, and with no earlier one. */
      while (later != NULL && ((OutFds *) later->data)->offset <= self->out_pos)
        later = later->next;
      if (later != NULL)
        len = MIN (len, ((OutFds *) later->data)->offset - self->out_pos);
      if (with != NULL && with->offset == self->out_pos)
        n = send_with_fds (self, len, with);
      else
        n = send (self->fd, self->out->data + self->out_pos, len,
                  MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              if (self->write_watch == 0)
                self->write_watch = g_unix_fd_add (self->fd, G_IO_OUT,
                                                   on_writable, self);
              /* Keep the buffer from creeping forward forever. */
              if (self->out_pos > READ_SIZE && self->out_pos * 2 > self->out->len)
                {
                  for (GList *l = self->out_fds.head; l != NULL; l = l->next)
                    ((OutFds *) l->data)->offset -= self->out_pos;
                  g_byte_array_remove_range (self->out, 0, (guint) self->out_pos);
                  self->out_pos = 0;
                }
              return TRUE;
            }
          close_now (self, g_strerror (errno));
          return FALSE;
        }
      self->out_pos += (gsize) n;
    }

  g_byte_array_set_size (self->out, 0);
  self->out_pos = 0;
  g_clear_handle_id (&self->write_watch, g_source_remove);
  if (self->closing)
    {
      close_now (self, "closed after its last reply");
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_writable (int fd, GIOCondition condition, gpointer user_data)
{
  FakeMonitor *self = user_data;
  g_autoptr(FakeMonitor) pin G_GNUC_UNUSED = fake_monitor_ref (self);

  /* flush() removes this source once the queue is empty. */
  flush (self);
  return G_SOURCE_CONTINUE;
}

static void
queue_output (FakeMonitor *self, const void *data, gsize len)
{
  g_autoptr(FakeMonitor) pin = NULL;
  gsize queued;

  if (self->closed)
    return;
  pin = fake_monitor_ref (self);
  queued = self->out->len - self->out_pos;
  /* One reply may be big (an echoed id is as big as the client made it);
   * what is refused is a backlog the client does not read. */
  if (queued > FAKE_MONITOR_OUTPUT_MAX)
    {
      g_message ("%s: the client does not read its replies (%" G_GSIZE_FORMAT
                 " bytes queued): dropping it", self->name, queued);
      close_now (self, "output queue full");
      return;
    }
  g_byte_array_append (self->out, data, (guint) len);
  if (self->write_watch == 0)
    flush (self);
}

void
fake_monitor_send_raw (FakeMonitor *self, const void *data, gsize len)
{
  if (debug_enabled ())
    g_debug ("%s: -> %" G_GSIZE_FORMAT " raw bytes", self->name, len);
  queue_output (self, data, len);
}

void
fake_monitor_send_raw_with_fds (FakeMonitor *self,
                                const void  *data,
                                gsize        len,
                                int         *fds,
                                guint        n_fds,
                                gsize        fds_at)
{
  OutFds *with;

  g_return_if_fail (n_fds <= MAX_FDS_PER_READ);
  if (self->closed || len == 0 || fds_at >= len)
    {
      for (guint i = 0; i < n_fds; i++)
        fake_hostile_fd_discard (fds[i]);
      return;
    }
  with = g_new0 (OutFds, 1);
  with->offset = self->out->len + fds_at;
  with->fds = g_memdup2 (fds, sizeof (int) * n_fds);
  with->n_fds = n_fds;
  g_queue_push_tail (&self->out_fds, with);
  fake_monitor_send_raw (self, data, len);
}

void
fake_monitor_send (FakeMonitor *self, JsonNode *message)
{
  g_autoptr(GString) text = g_string_new (NULL);

  fake_json_write (text, message);
  if (debug_enabled ())
    g_debug ("%s: -> %.*s%s", self->name, (int) MIN (text->len, LOG_TEXT_MAX),
             text->str, text->len > LOG_TEXT_MAX ? "..." : "");
  /* QEMU's monitor turns the "\n" ending each message into "\r\n". */
  g_string_append (text, "\r\n");
  queue_output (self, text->str, text->len);
}

void
fake_monitor_reply (FakeMonitor *self, FakeRequest *request, JsonNode *value)
{
  g_autoptr(JsonNode) message = fake_qmp_return_new (request->id, value);

  fake_monitor_send (self, message);
}

void
fake_monitor_reply_error (FakeMonitor *self, FakeRequest *request, const GError *error)
{
  g_autoptr(JsonNode) message = fake_qmp_error_new (request->id, error);

  fake_monitor_send (self, message);
}

void
fake_monitor_dispatch (FakeMonitor *self, FakeRequest *request)
{
  if (self->domain != NULL
      && fake_domain_run_dispatch_hook (self->domain, self, request) == FAKE_DISPATCH_HANDLED)
    return;
  fake_builtins_dispatch (self, request);
}

static gboolean
on_close_timeout (gpointer user_data)
{
  FakeMonitor *self = user_data;
  g_autoptr(FakeMonitor) pin G_GNUC_UNUSED = fake_monitor_ref (self);

  self->close_timeout = 0;
  close_now (self, "the client did not read its last replies in time");
  return G_SOURCE_REMOVE;
}

void
fake_monitor_close_after_output (FakeMonitor *self)
{
  g_autoptr(FakeMonitor) pin G_GNUC_UNUSED = fake_monitor_ref (self);

  if (self->closed || self->closing)
    return;
  self->closing = TRUE;
  g_clear_handle_id (&self->read_watch, g_source_remove);
  if (flush (self))
    self->close_timeout = g_timeout_add_seconds (FAKE_MONITOR_CLOSE_GRACE_SECONDS,
                                                 on_close_timeout, self);
}

static gboolean
on_hangup (int fd, GIOCondition condition, gpointer user_data)
{
  FakeMonitor *self = user_data;
  g_autoptr(FakeMonitor) pin G_GNUC_UNUSED = fake_monitor_ref (self);

  self->hangup_watch = 0;
  close_now (self, "end of file (not reading)");
  return G_SOURCE_REMOVE;
}

void
fake_monitor_stop_reading (FakeMonitor *self)
{
  if (self->closed || self->not_reading)
    return;
  self->not_reading = TRUE;
  g_clear_handle_id (&self->read_watch, g_source_remove);
  /* POLLHUP comes whatever is asked for, POLLIN would come forever. */
  self->hangup_watch = g_unix_fd_add (self->fd, G_IO_HUP | G_IO_ERR, on_hangup, self);
}

void
fake_monitor_set_reset_on_close (FakeMonitor *self)
{
  self->reset_on_close = TRUE;
}

/* The descriptors received with a read, for the value SERIAL. */
static void
add_fd_batch (FakeMonitor *self, guint64 serial, GArray *fds)
{
  FdBatch *last = self->fd_batches->len > 0
                  ? &g_array_index (self->fd_batches, FdBatch, self->fd_batches->len - 1)
                  : NULL;

  if (last != NULL && last->serial == serial)
    {
      g_array_append_vals (last->fds, fds->data, fds->len);
      g_array_set_size (fds, 0);
    }
  else
    {
      FdBatch batch = { serial, g_array_ref (fds) };
      g_array_append_val (self->fd_batches, batch);
    }
}

static void
attach_fds (FakeMonitor *self, FakeRequest *request)
{
  while (self->fd_batches->len > 0)
    {
      FdBatch *batch = &g_array_index (self->fd_batches, FdBatch, 0);

      if (batch->serial > request->serial)
        break;
      /* An older batch cannot be left, as every value gets dispatched;
       * the removal closes it should that ever change. */
      if (batch->serial == request->serial)
        {
          fake_request_add_fds (request, (const int *) (void *) batch->fds->data,
                                batch->fds->len);
          g_array_set_size (batch->fds, 0);
        }
      g_array_remove_index (self->fd_batches, 0);
    }
}

static void
dispatch_item (FakeMonitor *self, FakeJsonItem *item)
{
  g_autoptr(FakeRequest) request = NULL;

  request = fake_request_new (item->serial, g_steal_pointer (&item->value),
                              g_steal_pointer (&item->error), self->oob_enabled);
  attach_fds (self, request);
  if (debug_enabled ())
    {
      g_autofree char *text = fake_request_describe (request, LOG_TEXT_MAX);
      g_debug ("%s: <- %s (%u fds)", self->name, text, request->n_fds_received);
    }
  fake_monitor_dispatch (self, request);
}

/* Reads once; FALSE when the connection is over. */
static gboolean
read_and_dispatch (FakeMonitor *self)
{
  char buffer[READ_SIZE];
  union {
    struct cmsghdr align;
    char           space[CMSG_SPACE (sizeof (int) * MAX_FDS_PER_READ)];
  } control;
  struct iovec iov = { buffer, sizeof buffer };
  struct msghdr msg = { 0 };
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GQueue) items = g_queue_new ();
  guint64 last_begun;
  ssize_t n;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.space;
  msg.msg_controllen = sizeof control.space;
  do
    n = recvmsg (self->fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n >= 0)
    for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        g_array_append_vals (fds, CMSG_DATA (c),
                             (guint) ((c->cmsg_len - CMSG_LEN (0)) / sizeof (int)));

  if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return TRUE;
      close_now (self, g_strerror (errno));
      return FALSE;
    }
  if (msg.msg_flags & MSG_CTRUNC)
    g_message ("%s: file descriptors sent by the client were lost "
               "(out of descriptors, or more than %d in one message)",
               self->name, MAX_FDS_PER_READ);
  if (n == 0)
    {
      close_fds (fds);
      close_now (self, "end of file");
      return FALSE;
    }

  last_begun = fake_json_stream_get_last_begun (self->stream);
  fake_json_stream_feed (self->stream, buffer, (gsize) n, items);
  if (fds->len > 0)
    {
      guint64 serial = fake_json_stream_get_last_begun (self->stream);

      if (serial == last_begun && !fake_json_stream_in_value (self->stream))
        serial++;
      add_fd_batch (self, serial, fds);
    }

  while (!g_queue_is_empty (items))
    {
      FakeJsonItem *item = g_queue_pop_head (items);

      /* After quit, QEMU answers nothing more. */
      if (!self->closing)
        dispatch_item (self, item);
      fake_json_item_free (item);
    }
  return !self->closed;
}

static gboolean
on_readable (int fd, GIOCondition condition, gpointer user_data)
{
  FakeMonitor *self = user_data;
  g_autoptr(FakeMonitor) pin G_GNUC_UNUSED = fake_monitor_ref (self);

  if (!read_and_dispatch (self) || self->closing)
    {
      self->read_watch = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
fake_monitor_start (FakeMonitor *self)
{
  g_autoptr(FakeMonitor) pin G_GNUC_UNUSED = fake_monitor_ref (self);
  g_autoptr(JsonNode) greeting = NULL;

  g_debug ("%s: client connected", self->name);
  if (!fake_domain_run_connected_hook (self->domain, self))
    {
      greeting = fake_qmp_greeting_new (fake_domain_get_offer_oob (self->domain));
      fake_monitor_send (self, greeting);
    }
  /* The hook may have closed the connection already, or stopped reading. */
  if (!self->closed && !self->closing && !self->not_reading)
    self->read_watch = g_unix_fd_add (self->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      on_readable, self);
}
