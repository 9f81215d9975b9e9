/* script.c: reading a fake-qemu script (JSON Lines, '#' comments)
 *
 * Each line is one step, a JSON object whose "kind key" says what it is
 * ("expect", "event", "raw", ...). Every mistake is reported with the line
 * and column where it is, because scripts are written by hand.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "script.h"

#include <string.h>

#include "json-write.h"
#include "plugin/qmp-json-parse.h"
#include "plugin/qmp-json-reader.h"

/* json-glib recurses: a hand-written (or hostile) line nested deeper than
 * this is refused before it reaches the parser. */
#define SCRIPT_NESTING_MAX 512

typedef struct {
  const char *path;
  guint       line;
  const char *text;   /* the line, NUL-terminated */
} LineContext;

static void
step_free (gpointer data)
{
  FakeStep *step = data;

  g_free (step->text);
  g_clear_pointer (&step->greeting, json_node_unref);
  g_free (step->command);
  g_clear_pointer (&step->args, json_object_unref);
  g_clear_pointer (&step->value, json_node_unref);
  g_free (step->error_class);
  g_free (step->error_desc);
  g_free (step->raw_reply);
  g_clear_pointer (&step->events, g_ptr_array_unref);
  g_free (step->event);
  g_clear_pointer (&step->data, json_object_unref);
  g_clear_pointer (&step->timestamp, json_object_unref);
  g_clear_pointer (&step->raw, g_bytes_unref);
  g_free (step);
}

void
fake_script_free (FakeScript *script)
{
  if (script == NULL)
    return;
  g_free (script->path);
  g_ptr_array_unref (script->steps);
  g_free (script);
}

/* The column (from 1) where KEY is written in the line, or 1. */
static guint
column_of (const LineContext *ctx, const char *key)
{
  g_autofree char *quoted = NULL;
  const char *at;

  if (key == NULL)
    return 1;
  quoted = g_strdup_printf ("\"%s\"", key);
  at = strstr (ctx->text, quoted);
  return at != NULL ? (guint) (at - ctx->text) + 1 : 1;
}

static gboolean G_GNUC_PRINTF (4, 5)
fail (const LineContext *ctx, const char *key, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%u:%u: %s",
               ctx->path, ctx->line, column_of (ctx, key), message);
  return FALSE;
}

/* Refuses nesting json-glib could not take; FALSE with the column. */
static gboolean
check_nesting (const LineContext *ctx, GError **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (const char *p = ctx->text; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if ((*p == '[' || *p == '{') && ++depth > SCRIPT_NESTING_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u:%u: nested deeper than %u (use \"repeat\" for deep input)",
                       ctx->path, ctx->line, (guint) (p - ctx->text) + 1,
                       SCRIPT_NESTING_MAX);
          return FALSE;
        }
      else if ((*p == ']' || *p == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* A line is held to RFC 8259 as everything from outside is (json-glib
 * alone would take comments, single quotes, two values in a row...): the
 * scan says what is wrong and where. */
static gboolean
parse_line (const LineContext *ctx, JsonNode **node, GError **error)
{
  static const QmpJsonScanLimits limits = {
    .max_depth = SCRIPT_NESTING_MAX,
    .max_elements = QMP_JSON_TEXT_MAX_ELEMENTS,
  };
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize len = strlen (ctx->text);
  QmpJsonShape shape;

  if (!check_nesting (ctx, error))
    return FALSE;
  if (!qmp_json_scan (ctx->text, len, &limits, &shape, &local))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s:%u:%" G_GSIZE_FORMAT ": not valid JSON: %s",
                   ctx->path, ctx->line, shape.error_at + 1, local->message);
      return FALSE;
    }
  /* Scanned already: read it, without a second scan. */
  root = qmp_json_read (ctx->text, len);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return fail (ctx, NULL, error, "a step must be a JSON object, e.g. {\"expect\": \"query-status\"}");
  *node = g_steal_pointer (&root);
  return TRUE;
}

/* ---- typed members ------------------------------------------------------ */

static gboolean
get_string (const LineContext *ctx, JsonObject *object, const char *key,
            char **value, GError **error)
{
  JsonNode *member = json_object_get_member (object, key);

  if (json_node_get_value_type (member) != G_TYPE_STRING)
    return fail (ctx, key, error, "\"%s\" must be a string", key);
  *value = g_strdup (json_node_get_string (member));
  return TRUE;
}

static gboolean
get_object (const LineContext *ctx, JsonObject *object, const char *key,
            JsonObject **value, GError **error)
{
  JsonNode *member = json_object_get_member (object, key);

  if (!JSON_NODE_HOLDS_OBJECT (member))
    return fail (ctx, key, error, "\"%s\" must be an object", key);
  *value = json_object_ref (json_node_get_object (member));
  return TRUE;
}

static gboolean
get_count (const LineContext *ctx, JsonObject *object, const char *key,
           gint64 max, gint64 *value, GError **error)
{
  JsonNode *member = json_object_get_member (object, key);

  if (json_node_get_value_type (member) != G_TYPE_INT64
      || json_node_get_int (member) < 0 || json_node_get_int (member) > max)
    return fail (ctx, key, error, "\"%s\" must be an integer from 0 to %" G_GINT64_FORMAT,
                 key, max);
  *value = json_node_get_int (member);
  return TRUE;
}

/* Seconds, integer or not, as milliseconds. */
static gboolean
get_seconds (const LineContext *ctx, JsonObject *object, const char *key,
             guint *value_ms, GError **error)
{
  JsonNode *member = json_object_get_member (object, key);
  GType type = json_node_get_value_type (member);
  gdouble seconds;

  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return fail (ctx, key, error, "\"%s\" must be a number of seconds", key);
  seconds = json_node_get_double (member);
  if (!(seconds >= 0 && seconds <= 86400))
    return fail (ctx, key, error, "\"%s\" must be between 0 and 86400 seconds", key);
  *value_ms = (guint) (seconds * 1000 + 0.5);
  return TRUE;
}

/* ---- step kinds ---------------------------------------------------------- */

typedef struct {
  const char   *key;            /* the kind key */
  FakeStepKind  kind;
  const char   *allowed;        /* other keys, space-separated */
} KindInfo;

static const KindInfo kinds[] = {
  { "greeting",     FAKE_STEP_GREETING,     "" },
  { "expect",       FAKE_STEP_EXPECT,       "args args-subset fds return error swallow raw-reply "
                                            "optional delay events chunk interval send-fds fd-kind linger fds-on-line" },
  { "event",        FAKE_STEP_EVENT,        "data timestamp delay" },
  { "sleep",        FAKE_STEP_SLEEP,        "" },
  { "raw",          FAKE_STEP_RAW,          "repeat delay chunk interval send-fds fd-kind linger fds-on-line" },
  { "raw-base64",   FAKE_STEP_RAW,          "repeat delay chunk interval send-fds fd-kind linger fds-on-line" },
  { "disconnect",   FAKE_STEP_DISCONNECT,   "delay reset" },
  { "expect-close", FAKE_STEP_EXPECT_CLOSE, "" },
  { "stop-reading", FAKE_STEP_STOP_READING, "delay" },
};

static gboolean
key_allowed (const KindInfo *info, const char *key)
{
  g_auto(GStrv) allowed = g_strsplit (info->allowed, " ", -1);

  return strcmp (key, info->key) == 0 || strcmp (key, "socket") == 0
         || g_strv_contains ((const char * const *) allowed, key);
}

static gboolean parse_event (const LineContext *ctx, JsonObject *object, FakeStep *step,
                             GError **error);

/* "events": [{"event": ...}, ...], each as an event step without "delay". */
static gboolean
parse_reply_events (const LineContext *ctx, JsonObject *object, FakeStep *step, GError **error)
{
  JsonNode *member = json_object_get_member (object, "events");
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (member))
    return fail (ctx, "events", error, "\"events\" must be a list of events, e.g. [{\"event\": \"STOP\"}]");
  array = json_node_get_array (member);
  step->events = g_ptr_array_new_with_free_func (step_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      FakeStep *event = g_new0 (FakeStep, 1);
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      event->kind = FAKE_STEP_EVENT;
      event->line = step->line;
      g_ptr_array_add (step->events, event);
      if (!JSON_NODE_HOLDS_OBJECT (element)
          || !json_object_has_member (json_node_get_object (element), "event"))
        return fail (ctx, "events", error, "\"events\"[%u] must be {\"event\": NAME, ...}", i);
      json_object_iter_init_ordered (&iter, json_node_get_object (element));
      while (json_object_iter_next_ordered (&iter, &key, &value))
        if (strcmp (key, "event") != 0 && strcmp (key, "data") != 0 && strcmp (key, "timestamp") != 0)
          return fail (ctx, key, error, "unknown key \"%s\" in \"events\"[%u]", key, i);
      if (!parse_event (ctx, json_node_get_object (element), event, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_expect (const LineContext *ctx, JsonObject *object, FakeStep *step, GError **error)
{
  guint n_replies = 0;

  if (!get_string (ctx, object, "expect", &step->command, error))
    return FALSE;
  if (step->command[0] == '\0')
    return fail (ctx, "expect", error, "\"expect\" needs a command name");
  if (json_object_has_member (object, "args") && json_object_has_member (object, "args-subset"))
    return fail (ctx, "args-subset", error, "use \"args\" (exact) or \"args-subset\", not both");
  if (json_object_has_member (object, "args")
      && !get_object (ctx, object, "args", &step->args, error))
    return FALSE;
  if (json_object_has_member (object, "args-subset"))
    {
      if (!get_object (ctx, object, "args-subset", &step->args, error))
        return FALSE;
      step->args_subset = TRUE;
    }
  step->n_fds = -1;
  if (json_object_has_member (object, "fds"))
    {
      gint64 n;

      if (!get_count (ctx, object, "fds", 253, &n, error))
        return FALSE;
      step->n_fds = (gint) n;
    }

  if (json_object_has_member (object, "optional"))
    {
      JsonNode *member = json_object_get_member (object, "optional");

      if (json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        return fail (ctx, "optional", error, "\"optional\" must be true or false");
      step->optional = json_node_get_boolean (member);
    }

  step->reply = FAKE_REPLY_RETURN;
  if (json_object_has_member (object, "return"))
    {
      n_replies++;
      step->value = fake_json_copy_printed (json_object_get_member (object, "return"));
    }
  if (json_object_has_member (object, "error"))
    {
      JsonNode *member = json_object_get_member (object, "error");

      n_replies++;
      step->reply = FAKE_REPLY_ERROR;
      /* "error": "desc" is short for a GenericError. */
      if (json_node_get_value_type (member) == G_TYPE_STRING)
        {
          step->error_class = g_strdup ("GenericError");
          step->error_desc = g_strdup (json_node_get_string (member));
        }
      else if (JSON_NODE_HOLDS_OBJECT (member))
        {
          JsonObject *e = json_node_get_object (member);
          JsonNode *class_node = json_object_get_member (e, "class");
          JsonNode *desc_node = json_object_get_member (e, "desc");

          if (desc_node == NULL || json_node_get_value_type (desc_node) != G_TYPE_STRING
              || (class_node != NULL && json_node_get_value_type (class_node) != G_TYPE_STRING)
              || json_object_get_size (e) != (class_node != NULL ? 2u : 1u))
            return fail (ctx, "error", error,
                         "\"error\" must be {\"class\": STRING, \"desc\": STRING} "
                         "(class defaults to GenericError) or a desc string");
          step->error_class = g_strdup (class_node != NULL
                                        ? json_node_get_string (class_node) : "GenericError");
          step->error_desc = g_strdup (json_node_get_string (desc_node));
        }
      else
        return fail (ctx, "error", error,
                     "\"error\" must be {\"class\": STRING, \"desc\": STRING} or a desc string");
    }
  if (json_object_has_member (object, "swallow"))
    {
      JsonNode *member = json_object_get_member (object, "swallow");

      if (json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        return fail (ctx, "swallow", error, "\"swallow\" must be true or false");
      if (json_node_get_boolean (member))
        {
          n_replies++;
          step->reply = FAKE_REPLY_SWALLOW;
        }
    }
  if (json_object_has_member (object, "raw-reply"))
    {
      n_replies++;
      step->reply = FAKE_REPLY_RAW;
      if (!get_string (ctx, object, "raw-reply", &step->raw_reply, error))
        return FALSE;
    }
  if (json_object_has_member (object, "events")
      && !parse_reply_events (ctx, object, step, error))
    return FALSE;
  if (n_replies > 1)
    return fail (ctx, "expect", error,
                 "a command gets one of \"return\", \"error\", \"raw-reply\" or \"swallow\"");
  if (step->reply == FAKE_REPLY_RETURN && step->value == NULL)
    {
      step->value = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (step->value, json_object_new ());
    }
  return TRUE;
}

static gboolean
parse_event (const LineContext *ctx, JsonObject *object, FakeStep *step, GError **error)
{
  if (!get_string (ctx, object, "event", &step->event, error))
    return FALSE;
  if (json_object_has_member (object, "data"))
    {
      g_autoptr(JsonNode) data = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "data")))
        return fail (ctx, "data", error, "\"data\" must be an object");
      data = fake_json_copy_printed (json_object_get_member (object, "data"));
      step->data = json_object_ref (json_node_get_object (data));
    }
  if (json_object_has_member (object, "timestamp"))
    {
      if (!get_object (ctx, object, "timestamp", &step->timestamp, error))
        return FALSE;
      for (guint i = 0; i < 2; i++)
        {
          const char *name = i == 0 ? "seconds" : "microseconds";
          JsonNode *member = json_object_get_member (step->timestamp, name);

          if (member == NULL || json_node_get_value_type (member) != G_TYPE_INT64)
            return fail (ctx, "timestamp", error,
                         "\"timestamp\" must be {\"seconds\": N, \"microseconds\": N}");
        }
    }
  return TRUE;
}

static gboolean
parse_raw (const LineContext *ctx, JsonObject *object, const char *key,
           FakeStep *step, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  gint64 repeat = 1;
  guchar *decoded = NULL;
  gsize length;

  if (!get_string (ctx, object, key, &text, error))
    return FALSE;
  if (json_object_has_member (object, "repeat")
      && !get_count (ctx, object, "repeat", FAKE_SCRIPT_RAW_MAX, &repeat, error))
    return FALSE;
  if (strcmp (key, "raw-base64") == 0)
    {
      /* g_base64_decode() accepts anything; check the alphabet first. */
      for (const char *p = text; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && strchr ("+/=", *p) == NULL)
          return fail (ctx, key, error, "\"raw-base64\" is not base64: '%c'", *p);
      decoded = g_base64_decode (text, &length);
    }
  else
    length = strlen (text);
  if (length > 0 && (guint64) repeat > FAKE_SCRIPT_RAW_MAX / length)
    {
      g_free (decoded);
      return fail (ctx, "repeat", error, "more than %u bytes", FAKE_SCRIPT_RAW_MAX);
    }
  bytes = g_byte_array_sized_new ((guint) (length * (gsize) repeat));
  for (gint64 i = 0; i < repeat; i++)
    g_byte_array_append (bytes, decoded != NULL ? decoded : (const guchar *) text, (guint) length);
  g_free (decoded);
  step->raw = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
  return TRUE;
}

static gboolean
parse_disconnect (const LineContext *ctx, JsonObject *object, FakeStep *step, GError **error)
{
  JsonNode *member = json_object_get_member (object, "disconnect");

  if (json_node_get_value_type (member) == G_TYPE_BOOLEAN && json_node_get_boolean (member))
    step->after_bytes = -1;
  else if (json_node_get_value_type (member) == G_TYPE_INT64 && json_node_get_int (member) >= 0)
    step->after_bytes = json_node_get_int (member);
  else
    return fail (ctx, "disconnect", error,
                 "\"disconnect\" must be true (at once) or a number of bytes "
                 "of the next message to send first");
  return TRUE;
}

/* "chunk", "interval", "send-fds": how the bytes of a step go out. */
static gboolean
parse_sending (const LineContext *ctx, JsonObject *object, FakeStep *step, GError **error)
{
  gint64 n;

  if (json_object_has_member (object, "chunk"))
    {
      if (!get_count (ctx, object, "chunk", FAKE_SCRIPT_RAW_MAX, &n, error))
        return FALSE;
      if (n == 0)
        return fail (ctx, "chunk", error, "\"chunk\" must be at least 1 byte");
      step->chunk = (guint) n;
    }
  if (json_object_has_member (object, "interval"))
    {
      if (!json_object_has_member (object, "chunk"))
        return fail (ctx, "interval", error, "\"interval\" needs \"chunk\"");
      if (!get_seconds (ctx, object, "interval", &step->interval_ms, error))
        return FALSE;
    }
  if (json_object_has_member (object, "send-fds"))
    {
      /* SCM_MAX_FD: the kernel takes no more in one message. */
      if (!get_count (ctx, object, "send-fds", 253, &n, error))
        return FALSE;
      step->send_fds = (guint) n;
    }
  step->linger_s = 5;
  if (json_object_has_member (object, "fd-kind"))
    {
      if (!json_object_has_member (object, "send-fds"))
        return fail (ctx, "fd-kind", error, "\"fd-kind\" needs \"send-fds\"");
      if (!fake_fd_kind_from_string (json_object_get_string_member_with_default (object, "fd-kind", NULL),
                                     &step->fd_kind))
        return fail (ctx, "fd-kind", error, "\"fd-kind\" must be \"dev-null\", "
                     "\"lingering-tcp\" or \"nested-lingering-tcp\"");
    }
  if (json_object_has_member (object, "fds-on-line"))
    {
      if (!json_object_has_member (object, "send-fds") || step->chunk > 0)
        return fail (ctx, "fds-on-line", error,
                     "\"fds-on-line\" needs \"send-fds\" and no \"chunk\"");
      if (!get_count (ctx, object, "fds-on-line", FAKE_SCRIPT_RAW_MAX, &n, error))
        return FALSE;
      step->fds_line = (guint) n;
    }
  if (json_object_has_member (object, "linger"))
    {
      if (step->fd_kind == FAKE_FD_DEV_NULL)
        return fail (ctx, "linger", error, "\"linger\" needs a lingering \"fd-kind\"");
      if (!get_count (ctx, object, "linger", 255, &n, error))
        return FALSE;
      step->linger_s = (guint) n;
    }
  if (json_object_has_member (object, "reset"))
    {
      JsonNode *member = json_object_get_member (object, "reset");

      if (json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        return fail (ctx, "reset", error, "\"reset\" must be true or false");
      step->reset = json_node_get_boolean (member);
    }
  return TRUE;
}

static gboolean
parse_step (const LineContext *ctx, JsonObject *object, FakeStep *step, GError **error)
{
  const KindInfo *info = NULL;
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (json_object_has_member (object, kinds[i].key))
      {
        if (info != NULL)
          return fail (ctx, kinds[i].key, error, "one step per line: \"%s\" and \"%s\"",
                       info->key, kinds[i].key);
        info = &kinds[i];
      }
  if (info == NULL)
    return fail (ctx, NULL, error,
                 "a step needs one of \"greeting\", \"expect\", \"event\", \"sleep\", "
                 "\"raw\", \"raw-base64\", \"disconnect\", \"expect-close\", \"stop-reading\"");
  step->kind = info->kind;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    if (!key_allowed (info, key))
      return fail (ctx, key, error, "unknown key \"%s\" in a \"%s\" step", key, info->key);

  if (json_object_has_member (object, "socket"))
    {
      gint64 socket;

      if (!get_count (ctx, object, "socket", 1000, &socket, error))
        return FALSE;
      step->socket = (guint) socket;
    }
  if (json_object_has_member (object, "delay")
      && !get_seconds (ctx, object, "delay", &step->delay_ms, error))
    return FALSE;
  if (!parse_sending (ctx, object, step, error))
    return FALSE;

  switch (info->kind)
    {
    case FAKE_STEP_GREETING:
      member = json_object_get_member (object, "greeting");
      if (JSON_NODE_HOLDS_NULL (member))
        return TRUE;
      if (!JSON_NODE_HOLDS_OBJECT (member))
        return fail (ctx, "greeting", error,
                     "\"greeting\" must be the greeting message (an object), or null for none");
      step->greeting = fake_json_copy_printed (member);
      return TRUE;
    case FAKE_STEP_EXPECT:
      return parse_expect (ctx, object, step, error);
    case FAKE_STEP_EVENT:
      return parse_event (ctx, object, step, error);
    case FAKE_STEP_SLEEP:
      return get_seconds (ctx, object, "sleep", &step->delay_ms, error);
    case FAKE_STEP_RAW:
      return parse_raw (ctx, object, info->key, step, error);
    case FAKE_STEP_DISCONNECT:
      return parse_disconnect (ctx, object, step, error);
    case FAKE_STEP_EXPECT_CLOSE:
      member = json_object_get_member (object, "expect-close");
      if (json_node_get_value_type (member) != G_TYPE_BOOLEAN || !json_node_get_boolean (member))
        return fail (ctx, "expect-close", error, "\"expect-close\" must be true");
      return TRUE;
    case FAKE_STEP_STOP_READING:
      member = json_object_get_member (object, "stop-reading");
      if (json_node_get_value_type (member) != G_TYPE_BOOLEAN || !json_node_get_boolean (member))
        return fail (ctx, "stop-reading", error, "\"stop-reading\" must be true");
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

FakeScript *
fake_script_parse (const char *path, const char *text, gsize length, GError **error)
{
  g_autoptr(FakeScript) script = g_new0 (FakeScript, 1);
  const char *end = text + length;
  const char *line = text;
  guint number = 0;

  script->path = g_strdup (path);
  script->steps = g_ptr_array_new_with_free_func (step_free);
  while (line < end)
    {
      const char *eol = memchr (line, '\n', (gsize) (end - line));
      gsize line_length = (gsize) ((eol != NULL ? eol : end) - line);
      g_autofree char *content = g_strndup (line, line_length);
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *stripped = NULL;
      LineContext ctx = { path, ++number, content };
      FakeStep *step;

      line = eol != NULL ? eol + 1 : end;
      if (strlen (content) != line_length)
        {
          /* g_strndup() stopped at a NUL byte. */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u:%u: a NUL byte (use \"raw-base64\" to send one)",
                       path, number, (guint) strlen (content) + 1);
          return NULL;
        }
      stripped = g_strstrip (g_strdup (content));
      if (stripped[0] == '\0' || stripped[0] == '#')
        continue;
      if (!g_utf8_validate (content, -1, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s:%u:1: not UTF-8", path, number);
          return NULL;
        }
      if (!parse_line (&ctx, &node, error))
        return NULL;
      step = g_new0 (FakeStep, 1);
      step->line = number;
      step->text = g_strdup (stripped);
      g_ptr_array_add (script->steps, step);
      if (!parse_step (&ctx, json_node_get_object (node), step, error))
        return NULL;
    }
  return g_steal_pointer (&script);
}

FakeScript *
fake_script_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  return fake_script_parse (path, text, length, error);
}

char *
fake_step_describe (const FakeStep *step)
{
  switch (step->kind)
    {
    case FAKE_STEP_EXPECT:
      return g_strdup_printf ("'%s'", step->command);
    case FAKE_STEP_GREETING:
      return g_strdup ("the client to close (the next step greets a new client)");
    case FAKE_STEP_EXPECT_CLOSE:
      return g_strdup ("the client to close");
    case FAKE_STEP_EVENT:
      return g_strdup_printf ("to send event %s", step->event);
    case FAKE_STEP_SLEEP:
      return g_strdup_printf ("to sleep %u ms", step->delay_ms);
    case FAKE_STEP_RAW:
      return g_strdup_printf ("to send %" G_GSIZE_FORMAT " raw bytes", g_bytes_get_size (step->raw));
    case FAKE_STEP_DISCONNECT:
      return g_strdup ("to disconnect");
    case FAKE_STEP_STOP_READING:
      return g_strdup ("to stop reading");
    default:
      g_assert_not_reached ();
    }
}
