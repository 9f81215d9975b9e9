/* qmp-message.c: what one message from QEMU is, checked field by field
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-message.h"
#include "qmp-json-scan.h"
#include "qmp-json-reader.h"

#include <gio/gio.h>
#include <string.h>

/* json-glib's JSON_NODE_HOLDS_* complain about a NULL node, and a member
 * missing from hostile input is NULL: every check goes through these. */
static gboolean
is_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_TYPE (node) == JSON_NODE_OBJECT;
}

static gboolean
is_array (JsonNode *node)
{
  return node != NULL && JSON_NODE_TYPE (node) == JSON_NODE_ARRAY;
}

static gboolean
is_value_of (JsonNode *node, GType type)
{
  return node != NULL && JSON_NODE_TYPE (node) == JSON_NODE_VALUE
         && json_node_get_value_type (node) == type;
}

static gboolean
invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "QEMU sent an invalid QMP message: %s", what);
  return FALSE;
}

/* What a value is, for an error about a value of the wrong type. */
static const char *
describe_value (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return "a string";
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return "a boolean";
      return "a number";
    case JSON_NODE_OBJECT:
    default:
      return "an object";
    }
}

static void
parse_id (JsonObject *object, QmpMessage *msg)
{
  JsonNode *id = json_object_get_member (object, "id");

  if (id == NULL)
    msg->id_kind = QMP_MESSAGE_ID_NONE;
  else if (is_value_of (id, G_TYPE_INT64))
    {
      msg->id_kind = QMP_MESSAGE_ID_OURS;
      msg->id = json_node_get_int (id);
    }
  else
    {
      msg->id_kind = QMP_MESSAGE_ID_FOREIGN;
      msg->id_description = describe_value (id);
    }
}

static gboolean
parse_greeting (JsonObject *object, QmpMessage *msg, GError **error)
{
  JsonNode *qmp = json_object_get_member (object, "QMP");
  JsonNode *caps;

  if (!is_object (qmp))
    return invalid (error, "the greeting's \"QMP\" member is not an object");
  msg->kind = QMP_MESSAGE_GREETING;
  msg->greeting = json_node_get_object (qmp);
  caps = json_object_get_member (msg->greeting, "capabilities");
  if (caps != NULL && !is_array (caps))
    return invalid (error, "the greeting's capabilities are not an array");
  if (caps != NULL)
    {
      JsonArray *array = json_node_get_array (caps);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *cap = json_array_get_element (array, i);

          if (is_value_of (cap, G_TYPE_STRING)
              && g_strcmp0 (json_node_get_string (cap), "oob") == 0)
            msg->offers_oob = TRUE;
        }
    }
  return TRUE;
}

static gboolean
parse_event (JsonObject *object, QmpMessage *msg, GError **error)
{
  JsonNode *name = json_object_get_member (object, "event");
  JsonNode *data = json_object_get_member (object, "data");
  JsonNode *ts = json_object_get_member (object, "timestamp");

  if (!is_value_of (name, G_TYPE_STRING))
    return invalid (error, "an event's name is not a string");
  if (data != NULL && !is_object (data))
    return invalid (error, "the data of event %s is not an object",
                    json_node_get_string (name));
  msg->kind = QMP_MESSAGE_EVENT;
  msg->event = json_node_get_string (name);
  msg->event_data = data != NULL ? json_node_get_object (data) : NULL;
  msg->timestamp_us = -1;
  /* A malformed timestamp is not worth dropping the event for. */
  if (is_object (ts))
    {
      JsonObject *t = json_node_get_object (ts);
      JsonNode *s = json_object_get_member (t, "seconds");
      JsonNode *us = json_object_get_member (t, "microseconds");

      if (is_value_of (s, G_TYPE_INT64) && is_value_of (us, G_TYPE_INT64))
        {
          gint64 sec = json_node_get_int (s), usec = json_node_get_int (us);

          if (sec >= 0 && sec < G_MAXINT64 / G_USEC_PER_SEC - 1
              && usec >= 0 && usec < G_USEC_PER_SEC)
            msg->timestamp_us = sec * G_USEC_PER_SEC + usec;
        }
    }
  return TRUE;
}

static gboolean
parse_error (JsonObject *object, QmpMessage *msg, GError **error)
{
  JsonNode *err = json_object_get_member (object, "error");
  JsonObject *e;
  JsonNode *cls, *desc;

  if (!is_object (err))
    return invalid (error, "an error reply's \"error\" member is not an object");
  e = json_node_get_object (err);
  cls = json_object_get_member (e, "class");
  desc = json_object_get_member (e, "desc");
  if (cls == NULL)
    return invalid (error, "an error reply has no \"class\"");
  if (!is_value_of (cls, G_TYPE_STRING))
    return invalid (error, "an error reply's \"class\" is not a string");
  if (desc != NULL && !is_value_of (desc, G_TYPE_STRING))
    return invalid (error, "an error reply's \"desc\" is not a string");
  msg->kind = QMP_MESSAGE_ERROR;
  msg->error_class_name = json_node_get_string (cls);
  msg->error_class = xen_qmp_error_class_from_name (msg->error_class_name);
  msg->error_desc = desc != NULL ? json_node_get_string (desc) : "";
  return TRUE;
}

gboolean
qmp_message_parse (const QmpJsonScanLimits *limits,
                   const char              *data,
                   gsize                    len,
                   gboolean                 keep_root,
                   QmpMessage              *msg,
                   GError                 **error)
{
  g_autoptr(GError) scan_error = NULL;
  QmpJsonShape shape;
  JsonObject *object;
  guint kinds;

  memset (msg, 0, sizeof *msg);
  /* Nothing is built before the whole text is known to be RFC 8259 JSON
   * within the limits: the reader can then neither recurse too deep, nor
   * allocate more than the limits allow, nor meet a repeated name. */
  if (!qmp_json_scan (data, len, limits, &shape, &scan_error))
    {
      g_set_error (error, G_IO_ERROR, scan_error->code,
                   "QEMU sent an invalid QMP message: %s", scan_error->message);
      return FALSE;
    }
  /* A reply, nearly every message, without even its envelope. */
  if (!keep_root && qmp_json_read_reply (data, len, &msg->ret, &msg->id))
    {
      msg->kind = QMP_MESSAGE_RETURN;
      msg->id_kind = QMP_MESSAGE_ID_OURS;
      return TRUE;
    }
  msg->root = qmp_json_read (data, len);
  if (msg->root == NULL)
    return invalid (error, "JSON this library cannot read");
  if (!is_object (msg->root))
    return invalid (error, "%s, not a JSON object", describe_value (msg->root));
  object = json_node_get_object (msg->root);

  kinds = json_object_has_member (object, "QMP")
          + json_object_has_member (object, "event")
          + json_object_has_member (object, "return")
          + json_object_has_member (object, "error");
  if (kinds != 1)
    return invalid (error, kinds == 0
                    ? "neither a greeting, an event nor a reply"
                    : "more than one of greeting, event, return and error");

  parse_id (object, msg);
  if (json_object_has_member (object, "QMP"))
    return parse_greeting (object, msg, error);
  if (json_object_has_member (object, "event"))
    return parse_event (object, msg, error);
  if (json_object_has_member (object, "error"))
    return parse_error (object, msg, error);
  msg->kind = QMP_MESSAGE_RETURN;
  msg->ret = json_object_get_member (object, "return");
  /* Handed out as a root, which may outlive the envelope: a parent left
   * pointing at it would dangle. */
  json_node_set_parent (msg->ret, NULL);
  return TRUE;
}

void
qmp_message_clear (QmpMessage *msg)
{
  /* RET is owned when there is no ROOT, a part of ROOT otherwise. The
   * other pointers point into ROOT: all go, and a second clear does
   * nothing. */
  if (msg->root == NULL)
    g_clear_pointer (&msg->ret, json_node_unref);
  g_clear_pointer (&msg->root, json_node_unref);
  *msg = (QmpMessage) { 0 };
}

GError *
qmp_message_to_gerror (const QmpMessage *msg)
{
  g_assert (msg->kind == QMP_MESSAGE_ERROR);
  return g_error_new_literal (XEN_QMP_ERROR, msg->error_class,
                              msg->error_desc);
}
