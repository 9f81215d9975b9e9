/* events.c: QMP events as JSON lines, and the --events mode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "events.h"

#include <stdio.h>
#include "escape.h"
#include "output.h"
#include "session.h"

char *
tool_event_format (const char *name,
                   JsonObject *data,
                   gint64      timestamp_us)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  if (data != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), data);

      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, g_steal_pointer (&node));
    }
  if (timestamp_us >= 0)
    {
      json_builder_set_member_name (builder, "timestamp");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_int_value (builder, timestamp_us / G_USEC_PER_SEC);
      json_builder_set_member_name (builder, "microseconds");
      json_builder_add_int_value (builder, timestamp_us % G_USEC_PER_SEC);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return tool_output_format (root, FALSE);
}

typedef struct {
  guint          count;      /* 0: no limit */
  guint          seen;
  guint          timeout_id;
  GError        *closed;     /* why QEMU went away before we were done */
  gboolean       done;
  ToolExitStatus status;
} Events;

static void
on_event (XenQmpClient *client,
          const char   *name,
          JsonObject   *data,
          gint64        timestamp_us,
          gpointer      user_data)
{
  Events *events = user_data;
  g_autofree char *line = NULL;

  /* Events queued behind the last counted one are not printed: the
   * caller asked for exactly COUNT lines. */
  if (events->done)
    return;
  line = tool_event_format (name, data, timestamp_us);
  fprintf (stdout, "%s\n", line);
  fflush (stdout);
  if (events->count > 0 && ++events->seen == events->count)
    events->done = TRUE;
}

/* A line of its own, shaped as an event so that a reader of the stream
 * needs one parser: events QEMU sent between "since" and "until" may
 * be missing from the lines above and below. */
static void
on_event_gap (XenQmpClient *client,
              gint64        since_us,
              gint64        until_us,
              const char   *reason,
              gpointer      user_data)
{
  Events *events = user_data;
  g_autoptr(JsonObject) data = json_object_new ();
  JsonObject *since = json_object_new ();
  JsonObject *until = json_object_new ();
  g_autofree char *line = NULL;

  if (events->done)
    return;
  json_object_set_int_member (since, "seconds", since_us / G_USEC_PER_SEC);
  json_object_set_int_member (since, "microseconds", since_us % G_USEC_PER_SEC);
  json_object_set_int_member (until, "seconds", until_us / G_USEC_PER_SEC);
  json_object_set_int_member (until, "microseconds", until_us % G_USEC_PER_SEC);
  json_object_set_object_member (data, "since", since);
  json_object_set_object_member (data, "until", until);
  json_object_set_string_member (data, "reason", reason);
  line = tool_event_format (XEN_QMP_EVENT_GAP, data, until_us);
  fprintf (stdout, "%s\n", line);
  fflush (stdout);
}

/* Kept rather than printed: the connection may close while it is still
 * being set up, and then the connect error says it better. */
static void
on_closed (XenQmpClient *client, GError *reason, gpointer user_data)
{
  Events *events = user_data;

  if (events->done || events->closed != NULL)
    return;
  events->closed = reason != NULL
    ? g_error_copy (reason)
    : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "QEMU closed the connection");
  events->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  Events *events = user_data;

  events->timeout_id = 0;
  /* Listening for a while is a normal use (no --count); running out of
   * time before the awaited events came is not. */
  if (events->count > 0)
    {
      fprintf (stderr, "%s: timed out after %u of %u events\n",
               g_get_prgname (), events->seen, events->count);
      events->status = TOOL_EXIT_LOCAL_ERROR;
    }
  events->done = TRUE;
  return G_SOURCE_REMOVE;
}

ToolExitStatus
tool_events_run (XenQmpClient *client,
                 guint         count,
                 guint         timeout_ms)
{
  Events events = { .count = count, .status = TOOL_EXIT_OK };
  g_autoptr(GError) error = NULL;
  gulong event_id, gap_id, closed_id;

  event_id = g_signal_connect (client, "event", G_CALLBACK (on_event), &events);
  gap_id = g_signal_connect (client, "event-gap", G_CALLBACK (on_event_gap), &events);
  closed_id = g_signal_connect (client, "closed", G_CALLBACK (on_closed), &events);
  if (!tool_session_connect (client, timeout_ms, &error))
    events.status = tool_report_error (error);
  else
    {
      if (timeout_ms > 0 && !events.done)
        events.timeout_id = g_timeout_add (timeout_ms, on_timeout, &events);
      while (!events.done)
        g_main_context_iteration (NULL, TRUE);
      if (events.closed != NULL)
        {
          /* The reason may quote what QEMU sent. */
          g_autofree char *why = tool_escape_text (events.closed->message);

          fprintf (stderr, "%s: connection closed: %s\n", g_get_prgname (), why);
          events.status = TOOL_EXIT_LOCAL_ERROR;
        }
    }

  g_clear_handle_id (&events.timeout_id, g_source_remove);
  g_clear_error (&events.closed);
  g_signal_handler_disconnect (client, event_id);
  g_signal_handler_disconnect (client, gap_id);
  g_signal_handler_disconnect (client, closed_id);
  return events.status;
}
