/* qmp-trace.c: the wire trace under G_MESSAGES_DEBUG=XenQmp
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-trace.h"

#include <string.h>

/* Long enough for a command and its arguments, short enough that a 200 KiB
 * schema does not flood the journal. */
#define TRACE_MAX_TEXT 400

gboolean
qmp_trace_enabled (void)
{
  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}

static gboolean
is_secret_object (JsonObject *object)
{
  /* object-add of a "secret" carries its value in "data"; so do the
   * arguments of the older secret-set style commands. */
  JsonNode *type = json_object_get_member (object, "qom-type");

  /* Untrusted input: json-glib's typed getters complain about wrong types. */
  return type != NULL && JSON_NODE_HOLDS_VALUE (type)
         && json_node_get_value_type (type) == G_TYPE_STRING
         && g_strcmp0 (json_node_get_string (type), "secret") == 0;
}

static JsonNode *
redact_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *in = json_node_get_object (node);
      g_autoptr(JsonObject) out = json_object_new ();
      gboolean secret = is_secret_object (in);
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      JsonNode *result;

      json_object_iter_init_ordered (&iter, in);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          if (strcmp (name, "password") == 0 || (secret && strcmp (name, "data") == 0))
            json_object_set_string_member (out, name, "<redacted>");
          else
            json_object_set_member (out, name, redact_node (member));
        }
      result = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (result, g_steal_pointer (&out));
      return result;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *in = json_node_get_array (node);
      JsonArray *out = json_array_sized_new (json_array_get_length (in));
      JsonNode *result;

      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, redact_node (json_array_get_element (in, i)));
      result = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (result, out);
      return result;
    }
  return json_node_copy (node);
}

JsonNode *
qmp_trace_redact (JsonNode *node)
{
  return redact_node (node);
}

static char *
escape_raw (const char *data, gsize len)
{
  GString *out = g_string_sized_new (MIN (len, TRACE_MAX_TEXT) + 16);

  for (gsize i = 0; i < len && out->len < TRACE_MAX_TEXT; i++)
    {
      guchar c = (guchar) data[i];

      if (c >= 0x20 && c < 0x7f && c != '\\')
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  return g_string_free (out, FALSE);
}

void
qmp_trace_message (const char *peer,
                   gboolean    outgoing,
                   const char *data,
                   gsize       len,
                   JsonNode   *node,
                   guint       n_fds)
{
  g_autofree char *text = NULL;
  gsize text_len;

  if (node != NULL)
    {
      g_autoptr(JsonNode) redacted = qmp_trace_redact (node);

      text = json_to_string (redacted, FALSE);
    }
  else
    text = escape_raw (data, len);

  text_len = strlen (text);
  g_debug ("%s: %s %" G_GSIZE_FORMAT " bytes, %u fd%s: %.*s%s",
           peer, outgoing ? "sent" : "received", len,
           n_fds, n_fds == 1 ? "" : "s",
           (int) MIN (text_len, TRACE_MAX_TEXT), text,
           text_len > TRACE_MAX_TEXT ? "..." : "");
}
