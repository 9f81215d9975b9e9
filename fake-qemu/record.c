/* record.c: a proxy in front of a real QMP socket, writing a script
 *
 * The client side is an ordinary fake domain (one client at a time, the
 * JSON stream and descriptors read as for any request); its hooks connect
 * each client to the real socket, forward every request with its
 * descriptors, and forward the real QEMU's output verbatim. Meanwhile the
 * session becomes script steps: the greeting, one "expect" per command
 * with its exact arguments, descriptor count, reply and the events that
 * came before the reply, events that came on their own, and who closed.
 *
 * Replies are paired with commands in order (QEMU answers in-band
 * commands in order), or by id for an out-of-band one. Timestamps are
 * not recorded: a replay stamps events with its own time.
 *
 * A client asks for query-qmp-schema or not depending on its cache, not
 * on the session: that step is written "optional", so that the replay
 * passes either way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib-unix.h>

#include "json-write.h"
#include "plugin/qmp-json-parse.h"
#include "qmp-message.h"

/* A real QEMU's messages are lines; this bounds one (query-qmp-schema is
 * about 200 KiB). */
#define LINE_MAX_BYTES (64u << 20)
#define MAX_FDS 253

typedef struct {
  JsonNode *id;          /* or NULL */
  char     *command;
  JsonNode *arguments;   /* or NULL: none given */
  guint     n_fds;
  JsonArray *events;     /* that came before its reply */
} Pending;

struct _FakeRecorder {
  FakeDomain  *domain;
  char        *real_path;
  FILE        *output;
  FakeMonitor *monitor;   /* the client, or NULL */
  int          upstream;  /* the real socket, or -1 */
  guint        watch;
  GString     *line;      /* upstream bytes not yet a whole line */
  gboolean     greeted;
  GQueue       pending;   /* Pending */
};

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_clear_pointer (&p->id, json_node_unref);
  g_free (p->command);
  g_clear_pointer (&p->arguments, json_node_unref);
  g_clear_pointer (&p->events, json_array_unref);
  g_free (p);
}

/* Writes one step: OBJECT (taken) as one line. */
static void
write_step (FakeRecorder *self, JsonObject *object)
{
  g_autoptr(JsonNode) node = fake_qmp_object_node_new (object);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  fprintf (self->output, "%s\n", text);
  fflush (self->output);
}

static void
write_simple_step (FakeRecorder *self, const char *key)
{
  JsonObject *step = json_object_new ();

  json_object_set_boolean_member (step, key, TRUE);
  write_step (self, step);
}

/* ---- the real QEMU's side ------------------------------------------------- */

static Pending *
take_pending (FakeRecorder *self, JsonNode *id)
{
  /* By id first: an out-of-band reply may overtake in-band ones. */
  for (GList *l = self->pending.head; id != NULL && l != NULL; l = l->next)
    {
      Pending *p = l->data;

      if (p->id != NULL && json_node_equal (p->id, id))
        {
          g_queue_delete_link (&self->pending, l);
          return p;
        }
    }
  return g_queue_pop_head (&self->pending);
}

static void
record_reply (FakeRecorder *self, JsonObject *reply)
{
  Pending *p = take_pending (self, json_object_get_member (reply, "id"));
  JsonObject *step;
  gboolean optional;

  if (p == NULL)
    {
      g_message ("record: a reply to no command: not recorded");
      return;
    }
  optional = strcmp (p->command, "query-qmp-schema") == 0;
  step = json_object_new ();
  json_object_set_string_member (step, "expect", p->command);
  if (optional)
    json_object_set_boolean_member (step, "optional", TRUE);
  json_object_set_member (step, "args", p->arguments != NULL
                                        ? json_node_ref (p->arguments)
                                        : fake_qmp_object_node_new (json_object_new ()));
  json_object_set_int_member (step, "fds", p->n_fds);
  /* Events that came while the schema was fetched were not caused by it
   * (the query changes nothing): they follow it as steps of their own,
   * sent whether or not the replayed client asks. */
  if (json_array_get_length (p->events) > 0 && !optional)
    json_object_set_array_member (step, "events", json_array_ref (p->events));
  if (json_object_has_member (reply, "return"))
    json_object_set_member (step, "return", json_node_copy (json_object_get_member (reply, "return")));
  else
    json_object_set_member (step, "error", json_node_copy (json_object_get_member (reply, "error")));
  write_step (self, step);
  for (guint i = 0; optional && i < json_array_get_length (p->events); i++)
    write_step (self, json_object_ref (json_array_get_object_element (p->events, i)));
  pending_free (p);
}

/* One line of the real QEMU's output. */
static void
record_message (FakeRecorder *self, const char *text)
{
  g_autoptr(JsonNode) root = qmp_json_parse (text, strlen (text), NULL, NULL);
  JsonObject *message;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_message ("record: the real QEMU sent something that is not a JSON object: not recorded");
      return;
    }
  message = json_node_get_object (root);
  if (!self->greeted && json_object_has_member (message, "QMP"))
    {
      JsonObject *step = json_object_new ();

      self->greeted = TRUE;
      json_object_set_member (step, "greeting", json_node_copy (root));
      write_step (self, step);
    }
  else if (json_object_has_member (message, "event"))
    {
      JsonObject *event = json_object_new ();
      Pending *p = g_queue_peek_head (&self->pending);

      json_object_set_member (event, "event", json_node_copy (json_object_get_member (message, "event")));
      if (json_object_has_member (message, "data"))
        json_object_set_member (event, "data", json_node_copy (json_object_get_member (message, "data")));
      /* An event while a command waits is taken as caused by it. */
      if (p != NULL)
        json_array_add_object_element (p->events, event);
      else
        write_step (self, event);
    }
  else if (json_object_has_member (message, "return") || json_object_has_member (message, "error"))
    record_reply (self, message);
}

static void close_upstream (FakeRecorder *self);

static gboolean
on_upstream (int fd, GIOCondition condition, gpointer user_data)
{
  FakeRecorder *self = user_data;
  char buffer[65536];
  ssize_t n;
  char *end;

  do
    n = recv (self->upstream, buffer, sizeof buffer, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      /* The real QEMU closed: so does the fake, and the replay will. */
      self->watch = 0;
      write_simple_step (self, "disconnect");
      close_upstream (self);
      if (self->monitor != NULL)
        fake_monitor_close_after_output (self->monitor);
      return G_SOURCE_REMOVE;
    }
  /* Recorded before it is forwarded: once the client has a reply, the
   * script holds it. */
  g_string_append_len (self->line, buffer, n);
  while ((end = memchr (self->line->str, '\n', self->line->len)) != NULL)
    {
      *end = '\0';
      record_message (self, self->line->str);
      g_string_erase (self->line, 0, end - self->line->str + 1);
    }
  if (self->line->len > LINE_MAX_BYTES)
    {
      g_message ("record: a message of more than %u bytes: not recorded", LINE_MAX_BYTES);
      g_string_truncate (self->line, 0);
    }
  if (self->monitor != NULL)
    fake_monitor_send_raw (self->monitor, buffer, (gsize) n);
  return G_SOURCE_CONTINUE;
}

static void
close_upstream (FakeRecorder *self)
{
  g_clear_handle_id (&self->watch, g_source_remove);
  if (self->upstream >= 0)
    close (self->upstream);
  self->upstream = -1;
  g_string_truncate (self->line, 0);
  g_queue_clear_full (&self->pending, pending_free);
}

/* Sends TEXT with FDS to the real QEMU (blocking: QEMU reads its monitor). */
static gboolean
send_upstream (FakeRecorder *self, const char *text, gsize len, GArray *fds)
{
  union {
    struct cmsghdr align;
    char           space[CMSG_SPACE (sizeof (int) * MAX_FDS)];
  } control;
  struct iovec iov = { (void *) text, len };
  struct msghdr msg = { 0 };

  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (fds->len > 0)
    {
      struct cmsghdr *cmsg;

      msg.msg_control = control.space;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * fds->len);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * fds->len);
      memcpy (CMSG_DATA (cmsg), fds->data, sizeof (int) * fds->len);
    }
  while (iov.iov_len > 0)
    {
      ssize_t n = sendmsg (self->upstream, &msg, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      /* The descriptors went with the first bytes. */
      msg.msg_control = NULL;
      msg.msg_controllen = 0;
      iov.iov_base = (char *) iov.iov_base + n;
      iov.iov_len -= (gsize) n;
    }
  return TRUE;
}

/* ---- the client's side ------------------------------------------------------- */

static FakeDispatchResult
on_dispatch (FakeMonitor *monitor, FakeRequest *request, gpointer user_data)
{
  FakeRecorder *self = user_data;
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *text = NULL;
  gboolean sent;
  int fd;

  /* Invalid JSON cannot be forwarded as it came: the fake answers it. */
  if (request->message == NULL || self->upstream < 0)
    return FAKE_DISPATCH_CONTINUE;
  while ((fd = fake_request_steal_fd (request)) >= 0)
    g_array_append_val (fds, fd);
  if (request->command != NULL)
    {
      Pending *p = g_new0 (Pending, 1);

      p->id = request->id != NULL ? json_node_copy (request->id) : NULL;
      p->command = g_strdup (request->command);
      if (json_object_has_member (json_node_get_object (request->message), "arguments"))
        p->arguments = json_node_copy (json_object_get_member (json_node_get_object (request->message),
                                                               "arguments"));
      p->n_fds = fds->len;
      p->events = json_array_new ();
      g_queue_push_tail (&self->pending, p);
    }
  text = fake_json_to_string (request->message);
  sent = send_upstream (self, text, strlen (text), fds);
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  if (!sent)
    g_message ("record: sending to %s: %s", self->real_path, g_strerror (errno));
  return FAKE_DISPATCH_HANDLED;
}

static gboolean
on_connected (FakeMonitor *monitor, gpointer user_data)
{
  FakeRecorder *self = user_data;
  g_autoptr(GError) error = NULL;

  self->monitor = monitor;
  self->greeted = FALSE;
  self->upstream = fake_unix_connect (self->real_path, &error);
  if (self->upstream < 0)
    {
      g_message ("record: %s", error->message);
      fake_monitor_close_after_output (monitor);
      return TRUE;
    }
  self->watch = g_unix_fd_add (self->upstream, G_IO_IN | G_IO_HUP | G_IO_ERR, on_upstream, self);
  /* The real QEMU greets. */
  return TRUE;
}

static void
on_disconnected (FakeMonitor *monitor, gpointer user_data)
{
  FakeRecorder *self = user_data;

  if (self->monitor != monitor)
    return;
  self->monitor = NULL;
  if (self->upstream >= 0)
    {
      write_simple_step (self, "expect-close");
      close_upstream (self);
    }
}

static const FakeDomainHooks record_hooks = {
  on_dispatch,
  on_connected,
  on_disconnected,
};

FakeRecorder *
fake_recorder_new (FakeDomain   *domain,
                   const char   *real_path,
                   const char   *output,
                   GError      **error)
{
  FakeRecorder *self;
  FILE *file = fopen (output, "we");

  if (file == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create %s: %s", output, g_strerror (saved));
      return NULL;
    }
  self = g_new0 (FakeRecorder, 1);
  self->domain = domain;
  self->real_path = g_strdup (real_path);
  self->output = file;
  self->upstream = -1;
  self->line = g_string_new (NULL);
  g_queue_init (&self->pending);
  fprintf (file, "# recorded by fake-qemu from %s\n", real_path);
  fflush (file);
  fake_domain_set_hooks (domain, &record_hooks, self, NULL);
  return self;
}

void
fake_recorder_free (FakeRecorder *self)
{
  if (self == NULL)
    return;
  fake_domain_set_hooks (self->domain, NULL, NULL, NULL);
  close_upstream (self);
  fclose (self->output);
  g_string_free (self->line, TRUE);
  g_free (self->real_path);
  g_free (self);
}
