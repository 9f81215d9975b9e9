/* qmp-pending.c: a command on its way to QEMU and back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-pending.h"

#include <string.h>
#include <unistd.h>

static char *
to_json_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* A command name as a JSON string. Written by hand: json_generator costs
 * more than the rest of sending a command (measured with callgrind). */
static char *
quote_json_string (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 2);

  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

QmpPending *
qmp_pending_new (gint64      id,
                 const char *command,
                 JsonObject *arguments,
                 gboolean    out_of_band,
                 int        *fds,
                 guint       n_fds)
{
  QmpPending *pending = g_new0 (QmpPending, 1);

  pending->id = id;
  /* FDS is taken: the array and the descriptors. */
  pending->fds = fds;
  pending->n_fds = n_fds;
  pending->command = g_strdup (command);
  pending->out_of_band = out_of_band;
  /* The caller may change ARGUMENTS once the call returns: what is sent is
   * what they were now. */
  pending->command_json = quote_json_string (command);
  if (arguments != NULL)
    {
      g_autoptr(JsonNode) args = json_node_init_object (json_node_alloc (), arguments);

      pending->arguments_json = to_json_text (args);
    }
  return pending;
}

void
qmp_pending_serialize (QmpPending *pending,
                       gboolean    oob_enabled,
                       gboolean    keep_trace_node)
{
  GString *wire;

  if (pending->wire != NULL)
    return;
  /* exec-oob is chosen now, not when the command was queued: only the
   * negotiation says whether QEMU accepts it. */
  wire = g_string_sized_new (64 + (pending->arguments_json != NULL
                                   ? strlen (pending->arguments_json) : 0));
  g_string_append (wire, pending->out_of_band && oob_enabled
                         ? "{\"exec-oob\":" : "{\"execute\":");
  g_string_append (wire, pending->command_json);
  if (pending->arguments_json != NULL)
    {
      g_string_append (wire, ",\"arguments\":");
      g_string_append (wire, pending->arguments_json);
    }
  g_string_append (wire, ",\"id\":");
  {
    char digits[24];

    g_snprintf (digits, sizeof digits, "%" G_GINT64_FORMAT, pending->id);
    g_string_append (wire, digits);
  }
  g_string_append (wire, "}\n");
  pending->wire_len = wire->len;
  pending->wire = g_string_free (wire, FALSE);
  g_clear_pointer (&pending->arguments_json, g_free);

  if (keep_trace_node)
    pending->trace_node = json_from_string (pending->wire, NULL);
}

void
qmp_pending_free (QmpPending *pending)
{
  if (pending == NULL)
    return;
  g_assert (pending->task == NULL);
  g_assert (pending->link == NULL);
  if (pending->timeout != NULL)
    {
      g_source_destroy (pending->timeout);
      g_source_unref (pending->timeout);
    }
  qmp_pending_close_fds (pending);
  g_clear_pointer (&pending->trace_node, json_node_unref);
  g_free (pending->wire);
  g_free (pending->command);
  g_free (pending->command_json);
  g_free (pending->arguments_json);
  g_free (pending);
}

void
qmp_pending_close_fds (QmpPending *pending)
{
  for (guint i = 0; i < pending->n_fds; i++)
    close (pending->fds[i]);
  g_clear_pointer (&pending->fds, g_free);
  pending->n_fds = 0;
}
