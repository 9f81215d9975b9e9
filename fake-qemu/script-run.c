/* script-run.c: playing a script on the fake domains, and its verdict
 *
 * Each socket plays its own steps (those with its "socket" index) in file
 * order: a "lane". Sockets are independent of one another, as QEMU
 * processes are, so a client may drive several domains in any interleaving.
 *
 * Requests are handled one at a time, in the order they arrived, as QEMU
 * runs in-band commands: while a reply waits for its "delay", or a
 * "sleep" runs, later requests wait in the lane's queue. Steps that send
 * (event, raw, disconnect) run as soon as the step before them is done;
 * an "expect" waits for the next request.
 *
 * A request that the current step does not expect is a mismatch (strict)
 * and gets a GenericError saying what the script expected; the step stays
 * current. With the right command but wrong arguments or descriptors, the
 * step is consumed, as the client did send that command. In lenient mode
 * unexpected requests go to the built-in QEMU instead, silently, and at
 * once: a test that leaves the rest to the built-in QEMU must not see it
 * stall behind a scripted delay.
 *
 * An optional "expect" (a client may or may not send that command, as
 * query-qmp-schema depends on a client's cache) does not hold the lane:
 * when the lane reaches it, it "floats" and the lane goes on. A floating
 * step takes its command whenever it comes, until the lane consumes its
 * next required "expect" or the client leaves; then it is forgotten.
 *
 * A request received and never answered (its reply delayed or its turn
 * not come when the client left or the fake exited) fails the verdict,
 * unless the script itself closed the connection or said "swallow".
 *
 * With --schema, what QEMU would refuse is a mismatch too, answered with
 * QEMU's error, unless the step replies with exactly that error; and the
 * script's own replies and events are judged once, when the run starts
 * (schema.c, schema-script.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "script-run.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "builtins.h"
#include "json-write.h"
#include "qmp-message.h"
#include "schema-dispatch.h"
#include "schema-script.h"

/* Requests are quoted in reports up to this length. */
#define QUOTE_MAX 200
/* A client that floods the fake with wrong commands must not grow the
 * report without bound: past this, mismatches are only counted. */
#define MISMATCHES_MAX 1000

typedef struct {
  FakeScriptRun *run;
  guint          index;         /* of its --socket */
  FakeDomain    *domain;
  GPtrArray     *steps;         /* FakeStep, borrowed from the script */
  guint          next;          /* the current step */
  FakeMonitor   *monitor;       /* the connected client, or NULL */
  GQueue         pending;       /* FakeRequest waiting for their turn */
  GPtrArray     *floating;      /* optional expect steps passed, which the
                                   client may still send (const FakeStep) */
  guint          timer;         /* a delay or sleep in progress */
  gboolean       delay_done;    /* the current step's delay has passed */
  FakeRequest   *held;          /* a matched request whose reply is delayed */
  const FakeStep *held_step;
  gint64         cut_after;     /* -1, or bytes of the next message to send */
  gboolean       closing;       /* the fake is closing this client: no more steps */
  GBytes        *drip;          /* bytes being sent a chunk at a time */
  gsize          drip_pos;
  const FakeStep *drip_step;    /* its chunk and interval */
  gboolean       drip_close;    /* close once the drip is done */
  guint          drip_timer;
} Lane;

struct _FakeScriptRun {
  FakeScript         *script;
  GPtrArray          *lanes;     /* Lane */
  gboolean            lenient;
  FakeSchema         *schema;    /* or NULL */
  GPtrArray          *mismatches; /* char *: report lines */
  GPtrArray          *unanswered; /* char *: report lines, of clients gone */
  guint               n_uncounted; /* mismatches past MISMATCHES_MAX */
  FakeScriptDoneFunc  done;
  gpointer            done_data;
  guint               done_idle;
};

static void run_lane (Lane *lane);

static const FakeStep *
current_step (Lane *lane)
{
  return lane->next < lane->steps->len ? g_ptr_array_index (lane->steps, lane->next) : NULL;
}

static void
advance (Lane *lane)
{
  lane->next++;
  lane->delay_done = FALSE;
}

/* Whether STEP is an "expect" of COMMAND (NULL: invalid input, which no
 * step expects). */
static gboolean
expects (const FakeStep *step, const char *command)
{
  return step != NULL && step->kind == FAKE_STEP_EXPECT && command != NULL
         && strcmp (step->command, command) == 0;
}

static gboolean
is_optional (const FakeStep *step)
{
  return step->kind == FAKE_STEP_EXPECT && step->optional;
}

/* Steps that run without the client: they send, or wait a while. */
static gboolean
runs_by_itself (const FakeStep *step)
{
  return step->kind == FAKE_STEP_EVENT || step->kind == FAKE_STEP_SLEEP
         || step->kind == FAKE_STEP_RAW || step->kind == FAKE_STEP_STOP_READING;
}

/* The index of the step that COMMAND meets when the lane stands at FROM:
 * the steps that run by themselves go first, and an optional step of
 * another command floats. It is the "expect" of COMMAND, or another step
 * that would refuse it, or the end (steps->len). */
static guint
step_for_command (Lane *lane, guint from, const char *command)
{
  for (guint i = from; i < lane->steps->len; i++)
    {
      const FakeStep *step = g_ptr_array_index (lane->steps, i);

      if (runs_by_itself (step) || (is_optional (step) && !expects (step, command)))
        continue;
      return i;
    }
  return lane->steps->len;
}

static char *
where (Lane *lane, const FakeStep *step)
{
  g_autofree char *socket = NULL;

  if (lane->run->lanes->len > 1)
    socket = g_strdup_printf (" (socket %u, %s)", lane->index, fake_domain_get_path (lane->domain));
  if (step == NULL)
    return g_strdup_printf ("after the last step%s", socket != NULL ? socket : "");
  return g_strdup_printf ("line %u%s", step->line, socket != NULL ? socket : "");
}

static void G_GNUC_PRINTF (3, 4)
mismatch (Lane *lane, const FakeStep *step, const char *format, ...)
{
  g_autofree char *place = where (lane, step);
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_debug ("script mismatch: %s: %s", place, what);
  if (lane->run->mismatches->len < MISMATCHES_MAX)
    g_ptr_array_add (lane->run->mismatches, g_strdup_printf ("%s: %s", place, what));
  else
    lane->run->n_uncounted++;
}

/* ---- sending ---------------------------------------------------------------- */

/* N_FDS fresh descriptors of the kind STEP's "fd-kind" names. */
static int *
open_fds (const FakeStep *step, guint n_fds)
{
  int *fds = g_new (int, MAX (n_fds, 1));

  for (guint i = 0; i < n_fds; i++)
    fds[i] = fake_hostile_fd_new (step->fd_kind, step->linger_s);
  return fds;
}

/* Where line LINE (from 0) of DATA begins; LEN if it has fewer lines. */
static gsize
line_offset (const char *data, gsize len, guint line)
{
  gsize at = 0;

  for (; line > 0 && at < len; line--)
    {
      const char *nl = memchr (data + at, '\n', len - at);

      at = nl != NULL ? (gsize) (nl - data) + 1 : len;
    }
  return at;
}

static gboolean on_drip (gpointer user_data);

static void
drip_stop (Lane *lane)
{
  g_clear_handle_id (&lane->drip_timer, g_source_remove);
  g_clear_pointer (&lane->drip, g_bytes_unref);
  lane->drip_step = NULL;
  lane->drip_close = FALSE;
}

/* Sends the next chunk of the drip; TRUE while more is left. */
static gboolean
drip_next (Lane *lane)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (lane->drip, &size);
  gsize n = MIN (size - lane->drip_pos, lane->drip_step->chunk);
  g_autofree int *fds = NULL;
  guint n_fds = lane->drip_pos == 0 ? lane->drip_step->send_fds : 0;

  fds = open_fds (lane->drip_step, n_fds);
  fake_monitor_send_raw_with_fds (lane->monitor, data + lane->drip_pos, n, fds, n_fds, 0);
  lane->drip_pos += n;
  if (lane->drip_pos < size && !fake_monitor_is_closed (lane->monitor))
    return TRUE;
  if (lane->drip_close)
    fake_monitor_close_after_output (lane->monitor);
  lane->drip_timer = 0;
  drip_stop (lane);
  return FALSE;
}

static gboolean
on_drip (gpointer user_data)
{
  Lane *lane = user_data;

  if (drip_next (lane))
    return G_SOURCE_CONTINUE;
  run_lane (lane);
  return G_SOURCE_REMOVE;
}

/* Sends bytes (a whole message) as STEP says (in chunks, with
 * descriptors; STEP may be NULL), honouring a pending "disconnect" after
 * N bytes. The lane's steps wait while a message goes out in chunks. */
static void
lane_output (Lane *lane, const void *data, gsize len, const FakeStep *step)
{
  gboolean close_after = FALSE;
  guint n_fds = step != NULL ? step->send_fds : 0;
  g_autofree int *fds = NULL;

  if (lane->monitor == NULL || fake_monitor_is_closed (lane->monitor))
    return;
  if (lane->cut_after >= 0)
    {
      len = MIN (len, (gsize) lane->cut_after);
      lane->cut_after = -1;
      lane->closing = TRUE;
      close_after = TRUE;
    }
  if (step != NULL && step->chunk > 0 && len > step->chunk)
    {
      lane->drip = g_bytes_new (data, len);
      lane->drip_pos = 0;
      lane->drip_step = step;
      lane->drip_close = close_after;
      if (drip_next (lane))
        lane->drip_timer = g_timeout_add (MAX (step->interval_ms, 1), on_drip, lane);
      return;
    }
  fds = open_fds (step, n_fds);
  fake_monitor_send_raw_with_fds (lane->monitor, data, len, fds, n_fds,
                                  line_offset (data, len, step != NULL ? step->fds_line : 0));
  if (close_after)
    fake_monitor_close_after_output (lane->monitor);
}

static void
lane_send_bytes (Lane *lane, const void *data, gsize len)
{
  lane_output (lane, data, len, NULL);
}

static void
lane_send (Lane *lane, JsonNode *message)
{
  g_autoptr(GString) text = g_string_new (NULL);

  fake_json_write (text, message);
  g_string_append (text, "\r\n");
  lane_send_bytes (lane, text->str, text->len);
}

static void
send_event (Lane *lane, const FakeStep *step)
{
  g_autoptr(JsonNode) event = fake_qmp_event_new (step->event,
                                                  step->data != NULL
                                                  ? json_object_ref (step->data) : NULL);

  if (step->timestamp != NULL)
    json_object_set_object_member (json_node_get_object (event), "timestamp",
                                   json_object_ref (step->timestamp));
  lane_send (lane, event);
}

/* ---- matching ----------------------------------------------------------------- */

static char *
quote_request (FakeRequest *request)
{
  return fake_request_describe (request, QUOTE_MAX);
}

static char *
quote_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (node, object);
  text = fake_json_to_string (node);
  if (strlen (text) > QUOTE_MAX)
    return g_strdup_printf ("%.*s...", QUOTE_MAX, text);
  return g_steal_pointer (&text);
}

static gboolean
arguments_match (const FakeStep *step, JsonObject *got)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *expected;

  if (step->args == NULL)
    return TRUE;
  if (!step->args_subset && json_object_get_size (got) != json_object_get_size (step->args))
    return FALSE;
  json_object_iter_init (&iter, step->args);
  while (json_object_iter_next (&iter, &name, &expected))
    {
      JsonNode *member = json_object_get_member (got, name);

      if (member == NULL || !json_node_equal (member, expected))
        return FALSE;
    }
  return TRUE;
}

static void
reply_mismatch (Lane *lane, FakeRequest *request, const char *desc)
{
  g_autoptr(JsonNode) message = NULL;

  message = fake_qmp_error_new_full (request->id, "GenericError", desc);
  lane_send (lane, message);
}

/* Whether the reply to qmp_capabilities enables oob. */
static gboolean
enables_oob (FakeRequest *request)
{
  JsonNode *enable = json_object_get_member (request->arguments, "enable");

  if (enable == NULL || !JSON_NODE_HOLDS_ARRAY (enable))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (enable)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (enable), i);

      if (json_node_get_value_type (element) == G_TYPE_STRING
          && strcmp (json_node_get_string (element), "oob") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
send_reply (Lane *lane, const FakeStep *step, FakeRequest *request)
{
  g_autoptr(JsonNode) message = NULL;

  /* QEMU sends the events a command causes before its reply. */
  for (guint i = 0; step->events != NULL && i < step->events->len; i++)
    send_event (lane, g_ptr_array_index (step->events, i));

  switch (step->reply)
    {
    case FAKE_REPLY_RETURN:
      /* A scripted negotiation negotiates: built-in commands (lenient)
       * and the domain's own events then work as after a real one. */
      if (strcmp (step->command, "qmp_capabilities") == 0 && lane->monitor != NULL)
        fake_monitor_set_negotiated (lane->monitor, enables_oob (request));
      message = fake_qmp_return_new (request->id, json_node_copy (step->value));
      break;
    case FAKE_REPLY_ERROR:
      message = fake_qmp_error_new_full (request->id, step->error_class, step->error_desc);
      break;
    case FAKE_REPLY_SWALLOW:
      return;
    case FAKE_REPLY_RAW:
      {
        g_autoptr(GString) text = g_string_new (step->raw_reply);
        g_autoptr(GString) id = g_string_new (NULL);

        if (request->id != NULL)
          fake_json_write (id, request->id);
        else
          g_string_append (id, "null");
        g_string_replace (text, "$id", id->str, 0);
        lane_output (lane, text->str, text->len, step);
        return;
      }
    }
  if (step->chunk > 0 || step->send_fds > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      fake_json_write (text, message);
      g_string_append (text, "\r\n");
      lane_output (lane, text->str, text->len, step);
      return;
    }
  lane_send (lane, message);
}

/* For a mismatch: what QEMU would say of a command nobody expected. */
static char *
schema_note (Lane *lane, FakeRequest *request)
{
  g_autoptr(FakeSchemaRefusal) refusal = NULL;

  if (lane->run->schema != NULL)
    refusal = fake_schema_refuse (lane->run->schema, request->command, request->oob,
                                  request->arguments);
  if (refusal == NULL)
    return g_strdup ("");
  return g_strdup_printf (", which QEMU refuses (%s)", refusal->problem);
}

/* A request the current step (STEP, NULL after the last) does not expect. */
static void
unscripted (Lane *lane, const FakeStep *step, FakeRequest *request)
{
  g_autofree char *got = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *desc = NULL;
  g_autofree char *note = NULL;

  /* A client that checks its commands (xen-qmp does) asks for the schema
   * first: with --schema the fake answers, and a script need not say so. */
  if (lane->run->schema != NULL && lane->monitor != NULL
      && g_strcmp0 (request->command, "query-qmp-schema") == 0
      && fake_monitor_is_negotiated (lane->monitor)
      && fake_schema_dispatch (lane->run->schema, lane->monitor, request, NULL)
         == FAKE_DISPATCH_HANDLED)
    return;
  if (lane->run->lenient && request->command != NULL && lane->run->schema != NULL
      && lane->monitor != NULL)
    {
      g_autofree char *problem = NULL;

      if (fake_schema_dispatch (lane->run->schema, lane->monitor, request, &problem)
          == FAKE_DISPATCH_HANDLED)
        {
          if (problem != NULL)
            mismatch (lane, step, "unscripted command refused by the schema: %s", problem);
          return;
        }
    }
  if (lane->run->lenient || request->command == NULL)
    {
      /* Invalid input gets QEMU's own error; in strict mode it is still
       * something the script did not say. */
      if (!lane->run->lenient)
        {
          got = quote_request (request);
          expected = step != NULL ? fake_step_describe (step) : g_strdup ("nothing more");
          mismatch (lane, step, "expected %s, got invalid input %s", expected, got);
        }
      if (lane->monitor != NULL)
        fake_builtins_dispatch (lane->monitor, request);
      return;
    }

  got = quote_request (request);
  note = schema_note (lane, request);
  if (step == NULL)
    {
      mismatch (lane, step, "unexpected command %s%s", got, note);
      desc = g_strdup_printf ("fake-qemu script: unexpected command '%s': the script has ended",
                              request->command);
    }
  else
    {
      expected = fake_step_describe (step);
      mismatch (lane, step, "expected %s, got %s%s", expected, got, note);
      desc = g_strdup_printf ("fake-qemu script: expected %s (line %u), got '%s'",
                              expected, step->line, request->command);
    }
  reply_mismatch (lane, request, desc);
}

/* Whether QEMU would refuse REQUEST where STEP does not expect its
 * refusal: then it is a mismatch, answered with QEMU's error. */
static gboolean
refused_by_schema (Lane *lane, const FakeStep *step, FakeRequest *request)
{
  g_autoptr(FakeSchemaRefusal) refusal = NULL;
  g_autoptr(JsonNode) message = NULL;

  if (lane->run->schema == NULL)
    return FALSE;
  refusal = fake_schema_refuse (lane->run->schema, request->command, request->oob,
                                request->arguments);
  if (refusal == NULL
      || (step->reply == FAKE_REPLY_ERROR
          && fake_schema_refusal_matches (refusal, step->error_class, step->error_desc)))
    return FALSE;
  mismatch (lane, step, "%s", refusal->problem);
  message = fake_qmp_error_new (request->id, refusal->reply);
  lane_send (lane, message);
  return TRUE;
}

/* The request has the command STEP expects: checks the rest, answers. */
static void
matched (Lane *lane, const FakeStep *step, FakeRequest *request)
{
  g_autofree char *desc = NULL;

  if (refused_by_schema (lane, step, request))
    return;

  if (!arguments_match (step, request->arguments))
    {
      g_autofree char *expected = quote_object (step->args);
      g_autofree char *got = quote_request (request);

      mismatch (lane, step, "expected '%s' with arguments %s%s, got %s", step->command,
                step->args_subset ? "including " : "", expected, got);
      desc = g_strdup_printf ("fake-qemu script: expected '%s' with arguments %s%s (line %u)",
                              step->command, step->args_subset ? "including " : "",
                              expected, step->line);
    }
  else if (step->n_fds >= 0 && (guint) step->n_fds != request->n_fds_received)
    {
      mismatch (lane, step, "expected '%s' with %d file descriptor%s, got %u", step->command,
                step->n_fds, step->n_fds == 1 ? "" : "s", request->n_fds_received);
      desc = g_strdup_printf ("fake-qemu script: expected '%s' with %d file descriptor%s "
                              "(line %u), got %u", step->command, step->n_fds,
                              step->n_fds == 1 ? "" : "s", step->line,
                              request->n_fds_received);
    }
  if (desc != NULL)
    {
      reply_mismatch (lane, request, desc);
      return;
    }
  send_reply (lane, step, request);
}

/* ---- the lane's step loop ------------------------------------------------------ */

static void start_timer (Lane *lane, guint ms);

/* STEP answers REQUEST (taken), now or once the step's delay is over. */
static void
answer (Lane *lane, const FakeStep *step, FakeRequest *request)
{
  if (step->delay_ms > 0 && step->reply != FAKE_REPLY_SWALLOW)
    {
      lane->held = request;
      lane->held_step = step;
      start_timer (lane, step->delay_ms);
      return;
    }
  matched (lane, step, request);
  fake_request_unref (request);
}

/* The floating step of COMMAND, taken out of the list; or NULL. */
static const FakeStep *
take_floating (Lane *lane, const char *command)
{
  for (guint i = 0; i < lane->floating->len; i++)
    {
      const FakeStep *step = g_ptr_array_index (lane->floating, i);

      if (expects (step, command))
        {
          g_ptr_array_remove_index (lane->floating, i);
          return step;
        }
    }
  return NULL;
}

/* Lenient mode: whether a step will take REQUEST when its turn comes,
 * once the requests waiting before it have had theirs (each of them
 * passed this test, and will take the step it met). */
static gboolean
is_scripted (Lane *lane, FakeRequest *request)
{
  guint at = lane->next;
  guint i;

  if (request->command == NULL)
    return FALSE;
  for (GList *l = lane->pending.head; l != NULL; l = l->next)
    {
      FakeRequest *waiting = l->data;

      i = step_for_command (lane, at, waiting->command);
      if (i < lane->steps->len && expects (g_ptr_array_index (lane->steps, i), waiting->command))
        at = i + 1;
    }
  i = step_for_command (lane, at, request->command);
  if (i < lane->steps->len && expects (g_ptr_array_index (lane->steps, i), request->command))
    return TRUE;
  for (i = 0; i < lane->floating->len; i++)
    if (expects (g_ptr_array_index (lane->floating, i), request->command))
      return TRUE;
  return FALSE;
}

/* The report lines of what LANE's client sent and will never get an
 * answer to, as things stand WHEN ("the connection closed"...). */
static void
list_unanswered (Lane *lane, const char *when, GPtrArray *lines)
{
  if (lane->monitor == NULL || lane->closing)
    return;
  if (lane->held != NULL)
    {
      g_autofree char *place = where (lane, lane->held_step);
      g_autofree char *got = quote_request (lane->held);

      g_ptr_array_add (lines, g_strdup_printf ("%s: never answered: %s (its reply was "
                                               "delayed %u ms; %s first)", place, got,
                                               lane->held_step->delay_ms, when));
    }
  for (GList *l = lane->pending.head; l != NULL; l = l->next)
    {
      g_autofree char *place = where (lane, current_step (lane));
      g_autofree char *got = quote_request (l->data);

      g_ptr_array_add (lines, g_strdup_printf ("%s: never answered: %s (it waited for "
                                               "its turn; %s first)", place, got, when));
    }
}

static gboolean
on_timer (gpointer user_data)
{
  Lane *lane = user_data;

  lane->timer = 0;
  if (lane->held != NULL)
    {
      g_autoptr(FakeRequest) request = g_steal_pointer (&lane->held);

      matched (lane, lane->held_step, request);
      lane->held_step = NULL;
    }
  else
    lane->delay_done = TRUE;
  run_lane (lane);
  return G_SOURCE_REMOVE;
}

static void
start_timer (Lane *lane, guint ms)
{
  lane->timer = g_timeout_add (ms, on_timer, lane);
}

/* Whether the steps from the current one on need not happen. */
static gboolean
only_optional_left (Lane *lane)
{
  for (guint i = lane->next; i < lane->steps->len; i++)
    if (!is_optional (g_ptr_array_index (lane->steps, i)))
      return FALSE;
  return TRUE;
}

static gboolean
lane_finished (Lane *lane)
{
  return only_optional_left (lane) && lane->monitor == NULL && lane->timer == 0
         && lane->drip_timer == 0;
}

static gboolean
report_done (gpointer user_data)
{
  FakeScriptRun *run = user_data;

  run->done_idle = 0;
  for (guint i = 0; i < run->lanes->len; i++)
    if (!lane_finished (g_ptr_array_index (run->lanes, i)))
      return G_SOURCE_REMOVE;
  g_debug ("script: every step played and every client gone");
  if (run->done != NULL)
    run->done (run, run->done_data);
  return G_SOURCE_REMOVE;
}

static void
check_done (FakeScriptRun *run)
{
  if (run->done_idle == 0 && run->script->steps->len > 0)
    run->done_idle = g_idle_add (report_done, run);
}

/* Handles every waiting request that no step ahead will take (the lane
 * waits for the client to close, or has ended): a floating step may. */
static void
drain_unscripted (Lane *lane, const FakeStep *step)
{
  while (lane->timer == 0 && !g_queue_is_empty (&lane->pending))
    {
      g_autoptr(FakeRequest) request = g_queue_pop_head (&lane->pending);
      const FakeStep *floating = take_floating (lane, request->command);

      if (floating != NULL)
        answer (lane, floating, g_steal_pointer (&request));
      else
        unscripted (lane, step, request);
    }
}

static void
run_lane (Lane *lane)
{
  while (lane->timer == 0 && lane->drip_timer == 0 && lane->monitor != NULL && !lane->closing)
    {
      const FakeStep *step = current_step (lane);
      g_autoptr(FakeRequest) request = NULL;

      if (step == NULL)
        {
          drain_unscripted (lane, NULL);
          break;
        }
      if (step->kind == FAKE_STEP_GREETING || step->kind == FAKE_STEP_EXPECT_CLOSE)
        {
          /* Both wait for this client to go. */
          drain_unscripted (lane, step);
          break;
        }
      /* Input sent from now on stays unread, for the reset to find. */
      if (step->kind == FAKE_STEP_DISCONNECT && step->reset)
        fake_monitor_stop_reading (lane->monitor);
      if (step->kind != FAKE_STEP_EXPECT && step->delay_ms > 0 && !lane->delay_done)
        {
          start_timer (lane, step->delay_ms);
          break;
        }

      switch (step->kind)
        {
        case FAKE_STEP_EVENT:
          send_event (lane, step);
          advance (lane);
          continue;
        case FAKE_STEP_SLEEP:
          /* The delay has passed. */
          advance (lane);
          continue;
        case FAKE_STEP_RAW:
          advance (lane);
          lane_output (lane, g_bytes_get_data (step->raw, NULL), g_bytes_get_size (step->raw),
                       step);
          continue;
        case FAKE_STEP_STOP_READING:
          fake_monitor_stop_reading (lane->monitor);
          advance (lane);
          continue;
        case FAKE_STEP_DISCONNECT:
          advance (lane);
          if (step->reset)
            fake_monitor_set_reset_on_close (lane->monitor);
          if (step->after_bytes < 0)
            {
              lane->closing = TRUE;
              fake_monitor_close_after_output (lane->monitor);
            }
          else
            lane->cut_after = step->after_bytes;
          continue;
        case FAKE_STEP_EXPECT:
          if (step->optional)
            {
              /* The client may never send it: the steps after it must
               * not wait for it. */
              g_ptr_array_add (lane->floating, (gpointer) step);
              advance (lane);
              continue;
            }
          break;
        default:
          g_assert_not_reached ();
        }

      request = g_queue_pop_head (&lane->pending);
      if (request == NULL)
        break;
      if (expects (step, request->command))
        {
          advance (lane);
          /* The optional steps before it can no longer come. */
          g_ptr_array_set_size (lane->floating, 0);
          answer (lane, step, g_steal_pointer (&request));
        }
      else
        {
          const FakeStep *floating = take_floating (lane, request->command);

          if (floating != NULL)
            answer (lane, floating, g_steal_pointer (&request));
          else
            unscripted (lane, step, request);
        }
    }
  check_done (lane->run);
}

/* ---- domain hooks ----------------------------------------------------------------- */

static FakeDispatchResult
on_dispatch (FakeMonitor *monitor, FakeRequest *request, gpointer user_data)
{
  Lane *lane = user_data;

  if (monitor != lane->monitor)
    return FAKE_DISPATCH_CONTINUE;
  /* Lenient: what no step will take goes to the built-in QEMU at once,
   * whatever scripted delay or sleep holds the steps. */
  if (lane->run->lenient && !lane->closing && !is_scripted (lane, request))
    {
      unscripted (lane, current_step (lane), request);
      return FAKE_DISPATCH_HANDLED;
    }
  g_queue_push_tail (&lane->pending, fake_request_ref (request));
  run_lane (lane);
  return FAKE_DISPATCH_HANDLED;
}

static gboolean
on_connected (FakeMonitor *monitor, gpointer user_data)
{
  Lane *lane = user_data;
  const FakeStep *step = current_step (lane);

  g_clear_pointer (&lane->monitor, fake_monitor_unref);
  lane->monitor = fake_monitor_ref (monitor);
  lane->cut_after = -1;
  lane->closing = FALSE;
  /* "disconnect": N first thing on a connection cuts the greeting. */
  if (step != NULL && step->kind == FAKE_STEP_DISCONNECT && step->after_bytes >= 0
      && step->delay_ms == 0)
    {
      lane->cut_after = step->after_bytes;
      advance (lane);
      step = current_step (lane);
    }
  if (step != NULL && step->kind == FAKE_STEP_GREETING)
    {
      advance (lane);
      if (step->greeting != NULL)
        lane_send (lane, step->greeting);
    }
  else
    {
      /* The default greeting, sent here so that the steps that follow
       * come after it. */
      g_autoptr(JsonNode) greeting = NULL;

      greeting = fake_qmp_greeting_new (fake_domain_get_offer_oob (lane->domain));
      lane_send (lane, greeting);
    }
  run_lane (lane);
  return TRUE;
}

/* The client is gone: what it sent will never be answered. A sleep or
 * a step's delay goes on (the steps continue with the next client). */
static void
forget_client (Lane *lane)
{
  drip_stop (lane);
  g_clear_pointer (&lane->monitor, fake_monitor_unref);
  g_ptr_array_set_size (lane->floating, 0);
  lane->cut_after = -1;
  while (!g_queue_is_empty (&lane->pending))
    fake_request_unref (g_queue_pop_head (&lane->pending));
  if (lane->held != NULL)
    {
      g_clear_handle_id (&lane->timer, g_source_remove);
      g_clear_pointer (&lane->held, fake_request_unref);
      lane->held_step = NULL;
    }
}

static void
on_disconnected (FakeMonitor *monitor, gpointer user_data)
{
  Lane *lane = user_data;
  const FakeStep *step = current_step (lane);

  if (monitor != lane->monitor)
    return;
  list_unanswered (lane, "the connection closed", lane->run->unanswered);
  forget_client (lane);
  /* A client that leaves while raw bytes are being sent to it (a send
   * found it gone) leaves the rest of them unsendable: an expect-close
   * right after them is met, whichever of its reads and our sends came
   * first. An optional step the lane had not reached yet (a delay held
   * it) is passed over as the client did. */
  while (step != NULL && (step->kind == FAKE_STEP_RAW || is_optional (step)))
    {
      advance (lane);
      step = current_step (lane);
    }
  if (step != NULL && step->kind == FAKE_STEP_EXPECT_CLOSE)
    advance (lane);
  check_done (lane->run);
}

static const FakeDomainHooks script_hooks = {
  on_dispatch,
  on_connected,
  on_disconnected,
};

/* ---- the run ------------------------------------------------------------------------ */

static void
lane_free (gpointer data)
{
  Lane *lane = data;

  fake_domain_set_hooks (lane->domain, NULL, NULL, NULL);
  forget_client (lane);
  g_clear_handle_id (&lane->timer, g_source_remove);
  g_ptr_array_unref (lane->steps);
  g_ptr_array_unref (lane->floating);
  g_free (lane);
}

FakeScriptRun *
fake_script_run_new (FakeScript          *script,
                     GPtrArray           *domains,
                     gboolean             lenient,
                     FakeScriptDoneFunc   done,
                     gpointer             user_data,
                     GError             **error)
{
  FakeScriptRun *run;

  for (guint i = 0; i < script->steps->len; i++)
    {
      const FakeStep *step = g_ptr_array_index (script->steps, i);

      if (step->socket >= domains->len)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "%s:%u: \"socket\": %u, but there %s only %u --socket (counted from 0)",
                       script->path, step->line, step->socket,
                       domains->len == 1 ? "is" : "are", domains->len);
          fake_script_free (script);
          return NULL;
        }
    }

  run = g_new0 (FakeScriptRun, 1);
  run->script = script;
  run->lenient = lenient;
  run->done = done;
  run->done_data = user_data;
  run->mismatches = g_ptr_array_new_with_free_func (g_free);
  run->unanswered = g_ptr_array_new_with_free_func (g_free);
  run->lanes = g_ptr_array_new_with_free_func (lane_free);
  for (guint i = 0; i < domains->len; i++)
    {
      Lane *lane = g_new0 (Lane, 1);

      lane->run = run;
      lane->index = i;
      lane->domain = g_ptr_array_index (domains, i);
      lane->steps = g_ptr_array_new ();
      lane->floating = g_ptr_array_new ();
      lane->cut_after = -1;
      g_queue_init (&lane->pending);
      for (guint j = 0; j < script->steps->len; j++)
        {
          FakeStep *step = g_ptr_array_index (script->steps, j);

          if (step->socket == i)
            g_ptr_array_add (lane->steps, step);
        }
      g_ptr_array_add (run->lanes, lane);
      fake_domain_set_hooks (lane->domain, &script_hooks, lane, NULL);
    }
  return run;
}

void
fake_script_run_set_schema (FakeScriptRun *run, FakeSchema *schema)
{
  run->schema = schema;
  for (guint i = 0; i < run->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (run->lanes, i);

      for (guint j = 0; j < lane->steps->len; j++)
        {
          const FakeStep *step = g_ptr_array_index (lane->steps, j);
          g_autoptr(GPtrArray) problems = fake_schema_check_step (schema, step);

          for (guint k = 0; k < problems->len; k++)
            mismatch (lane, step, "%s", (const char *) g_ptr_array_index (problems, k));
        }
    }
}

void
fake_script_run_free (FakeScriptRun *run)
{
  if (run == NULL)
    return;
  g_clear_handle_id (&run->done_idle, g_source_remove);
  g_ptr_array_unref (run->lanes);
  g_ptr_array_unref (run->mismatches);
  g_ptr_array_unref (run->unanswered);
  fake_script_free (run->script);
  g_free (run);
}

char *
fake_script_run_report (FakeScriptRun *run)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GPtrArray) unanswered = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *n_unanswered = NULL;
  guint n_unreached = 0;

  for (guint i = 0; i < run->mismatches->len; i++)
    g_string_append_printf (lines, "  %s\n", (const char *) g_ptr_array_index (run->mismatches, i));
  if (run->n_uncounted > 0)
    g_string_append_printf (lines, "  ... and %u more mismatches\n", run->n_uncounted);
  for (guint i = 0; i < run->unanswered->len; i++)
    g_ptr_array_add (unanswered, g_strdup (g_ptr_array_index (run->unanswered, i)));
  for (guint i = 0; i < run->lanes->len; i++)
    list_unanswered (g_ptr_array_index (run->lanes, i), "the fake exited", unanswered);
  for (guint i = 0; i < unanswered->len; i++)
    g_string_append_printf (lines, "  %s\n", (const char *) g_ptr_array_index (unanswered, i));
  for (guint i = 0; i < run->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (run->lanes, i);

      for (guint j = lane->next; j < lane->steps->len; j++)
        {
          const FakeStep *step = g_ptr_array_index (lane->steps, j);
          g_autofree char *place = where (lane, step);

          if (is_optional (step))
            continue;
          g_string_append_printf (lines, "  %s: never reached: %s\n", place, step->text);
          n_unreached++;
        }
    }
  if (lines->len == 0)
    return g_strdup ("");
  /* Said only when there are some: reports read as before otherwise. */
  if (unanswered->len > 0)
    n_unanswered = g_strdup_printf (", %u command%s never answered", unanswered->len,
                                    unanswered->len == 1 ? "" : "s");
  return g_strdup_printf ("fake-qemu: script %s: %u mismatch%s, %u step%s never reached%s\n%s",
                          run->script->path, run->mismatches->len + run->n_uncounted,
                          run->mismatches->len + run->n_uncounted == 1 ? "" : "es",
                          n_unreached, n_unreached == 1 ? "" : "s",
                          n_unanswered != NULL ? n_unanswered : "", lines->str);
}

gboolean
fake_script_run_verdict (FakeScriptRun *run)
{
  g_autofree char *report = fake_script_run_report (run);

  if (report[0] == '\0')
    return TRUE;
  g_printerr ("%s", report);
  return FALSE;
}
