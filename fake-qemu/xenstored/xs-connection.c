/* xs-connection.c: one client's socket: message framing, output queue,
 * back-pressure
 *
 * One GSource per client, on its socket. A step writes what is queued,
 * reads what fits in the input buffer, hands every complete message on,
 * and writes again. The input buffer holds two maximal messages, so no
 * message ever needs an allocation, and a header announcing more than
 * XENSTORE_PAYLOAD_MAX is refused where it arrives (xenstored drops such
 * a client too).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-xenstored"

#include "xs-connection.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define INPUT_SIZE (2 * (XS_HEADER_SIZE + XENSTORE_PAYLOAD_MAX))

typedef struct {
  GSource       source;
  XsConnection *conn;      /* not a reference: the connection owns us */
} ConnectionSource;

struct _XsConnection {
  gint           ref_count;
  guint          id;
  int            fd;
  GSource       *source;
  gpointer       fd_tag;
  GIOCondition   events;
  gboolean       closed;

  guint8         input[INPUT_SIZE];
  gsize          input_len;
  GByteArray    *output;
  gsize          output_sent;

  XsMessageFunc  on_message;
  XsClosedFunc   on_closed;
  gpointer       user_data;
};

static gsize
output_pending (XsConnection *conn)
{
  return conn->output->len - conn->output_sent;
}

static gboolean
backed_up (XsConnection *conn)
{
  return output_pending (conn) > XS_CONNECTION_OUTPUT_HIGH;
}

static void
update_events (XsConnection *conn)
{
  GIOCondition events = 0;

  if (conn->closed)
    return;
  if (!backed_up (conn) && conn->input_len < INPUT_SIZE)
    events |= G_IO_IN;
  if (output_pending (conn) > 0)
    events |= G_IO_OUT;
  if (events != conn->events)
    {
      g_source_modify_unix_fd (conn->source, conn->fd_tag, events);
      conn->events = events;
    }
}

static void
flush_output (XsConnection *conn)
{
  while (!conn->closed && output_pending (conn) > 0)
    {
      ssize_t n = send (conn->fd, conn->output->data + conn->output_sent,
                        output_pending (conn), MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              g_debug ("client %u: send: %s", conn->id, g_strerror (errno));
              xs_connection_close (conn, NULL);
            }
          return;
        }
      conn->output_sent += (gsize) n;
    }
  if (output_pending (conn) == 0)
    {
      g_byte_array_set_size (conn->output, 0);
      conn->output_sent = 0;
    }
}

static void
read_input (XsConnection *conn)
{
  ssize_t n;

  do
    n = recv (conn->fd, conn->input + conn->input_len, INPUT_SIZE - conn->input_len, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return;
  if (n <= 0)
    {
      g_debug ("client %u: %s", conn->id, n == 0 ? "end of stream" : g_strerror (errno));
      xs_connection_close (conn, NULL);
      return;
    }
  conn->input_len += (gsize) n;
}

/* Hands on complete messages while the client reads its replies. */
static void
process_input (XsConnection *conn)
{
  gsize pos = 0;

  while (!conn->closed && !backed_up (conn) && conn->input_len - pos >= XS_HEADER_SIZE)
    {
      struct xsd_sockmsg header;

      memcpy (&header, conn->input + pos, XS_HEADER_SIZE);
      if (header.len > XENSTORE_PAYLOAD_MAX)
        {
          g_autofree char *reason =
            g_strdup_printf ("a message of type %s announces %u bytes of payload (at most %d)",
                             xs_wire_type_name (header.type), header.len,
                             XENSTORE_PAYLOAD_MAX);
          xs_connection_close (conn, reason);
          return;
        }
      if (conn->input_len - pos < XS_HEADER_SIZE + header.len)
        break;
      conn->on_message (conn, &header, (const char *) conn->input + pos + XS_HEADER_SIZE,
                        conn->user_data);
      pos += XS_HEADER_SIZE + header.len;
    }
  if (conn->closed || pos == 0)
    return;
  memmove (conn->input, conn->input + pos, conn->input_len - pos);
  conn->input_len -= pos;
}

static gboolean
connection_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_autoptr(XsConnection) conn = xs_connection_ref (((ConnectionSource *) source)->conn);
  GIOCondition revents = g_source_query_unix_fd (source, conn->fd_tag);

  /* Write, read, process, write: replies leave in the step that made them. */
  if (revents & G_IO_OUT)
    flush_output (conn);
  if (!conn->closed && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
      && (conn->events & G_IO_IN))
    read_input (conn);
  if (!conn->closed)
    process_input (conn);
  if (!conn->closed)
    flush_output (conn);
  /* A hung-up peer that we do not read from: the failed write closes. */
  update_events (conn);
  return conn->closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static GSourceFuncs connection_source_funcs = {
  .dispatch = connection_dispatch,
};

XsConnection *
xs_connection_new (int fd, guint id, XsMessageFunc on_message, XsClosedFunc on_closed,
                   gpointer user_data)
{
  XsConnection *conn = g_new0 (XsConnection, 1);
  ConnectionSource *source;

  conn->ref_count = 1;
  conn->id = id;
  conn->fd = fd;
  conn->output = g_byte_array_new ();
  conn->on_message = on_message;
  conn->on_closed = on_closed;
  conn->user_data = user_data;
  conn->events = G_IO_IN;

  source = (ConnectionSource *) g_source_new (&connection_source_funcs, sizeof *source);
  source->conn = conn;
  conn->source = &source->source;
  g_source_set_static_name (conn->source, "fake-xenstored client");
  conn->fd_tag = g_source_add_unix_fd (conn->source, fd, conn->events);
  g_source_attach (conn->source, g_main_context_get_thread_default ());
  return conn;
}

XsConnection *
xs_connection_ref (XsConnection *conn)
{
  g_atomic_int_inc (&conn->ref_count);
  return conn;
}

void
xs_connection_unref (XsConnection *conn)
{
  if (!g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  /* The last reference goes after close (the server drops its own then). */
  g_assert (conn->closed);
  g_byte_array_unref (conn->output);
  g_free (conn);
}

guint
xs_connection_get_id (XsConnection *conn)
{
  return conn->id;
}

gboolean
xs_connection_is_closed (XsConnection *conn)
{
  return conn->closed;
}

void
xs_connection_send (XsConnection *conn, guint32 type, guint32 req_id, guint32 tx_id,
                    const void *payload, gsize len)
{
  struct xsd_sockmsg header = { .type = type, .req_id = req_id, .tx_id = tx_id,
                                .len = (guint32) len };

  if (conn->closed)
    return;
  g_byte_array_append (conn->output, (const guint8 *) &header, XS_HEADER_SIZE);
  g_byte_array_append (conn->output, payload, (guint) len);
  if (output_pending (conn) > XS_CONNECTION_OUTPUT_MAX)
    {
      g_autofree char *reason =
        g_strdup_printf ("%" G_GSIZE_FORMAT " bytes wait to be read: the client does not read",
                         output_pending (conn));
      xs_connection_close (conn, reason);
      return;
    }
  update_events (conn);
}

void
xs_connection_close (XsConnection *conn, const char *reason)
{
  if (conn->closed)
    return;
  if (reason != NULL)
    g_message ("client %u: closing: %s", conn->id, reason);
  conn->closed = TRUE;
  g_source_destroy (conn->source);
  g_clear_pointer (&conn->source, g_source_unref);
  close (conn->fd);
  conn->fd = -1;
  xs_connection_ref (conn);
  conn->on_closed (conn, conn->user_data);
  xs_connection_unref (conn);
}
