/* qmp-trace.c: the wire trace under G_MESSAGES_DEBUG=XenQmp
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-trace.h"
#include "qmp-redact.h"

#include <string.h>

/* Long enough for a command and its arguments, short enough that a 200 KiB
 * schema does not flood the journal. */
#define TRACE_MAX_TEXT 400

gboolean
qmp_trace_enabled (void)
{
  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
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
      g_autoptr(JsonNode) redacted = qmp_redact_message (node);

      text = json_to_string (redacted, FALSE);
    }
  else if (outgoing)
    /* What we send always parses; should it not, its bytes may be a
     * secret that no rule has looked at. */
    text = g_strdup ("(not shown: not parsed)");
  else
    text = escape_raw (data, len);

  text_len = strlen (text);
  g_debug ("%s: %s %" G_GSIZE_FORMAT " bytes, %u fd%s: %.*s%s",
           peer, outgoing ? "sent" : "received", len,
           n_fds, n_fds == 1 ? "" : "s",
           (int) MIN (text_len, TRACE_MAX_TEXT), text,
           text_len > TRACE_MAX_TEXT ? "..." : "");
}
