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

QmpPending *
qmp_pending_new (gint64      id,
                 const char *command,
                 JsonObject *arguments,
                 gboolean    out_of_band,
                 int        *fds,
                 guint       n_fds)
{
  QmpPending *pending = g_new0 (QmpPending, 1);
  g_autoptr(JsonNode) name = json_node_init_string (json_node_alloc (), command);

  pending->id = id;
  /* FDS is taken: the array and the descriptors. */
  pending->fds = fds;
  pending->n_fds = n_fds;
  pending->command = g_strdup (command);
  pending->out_of_band = out_of_band;
  /* The caller may change ARGUMENTS once the call returns: what is sent is
   * what they were now. */
  pending->command_json = to_json_text (name);
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
  g_string_append_printf (wire, "{\"%s\":%s",
                          pending->out_of_band && oob_enabled ? "exec-oob" : "execute",
                          pending->command_json);
  if (pending->arguments_json != NULL)
    g_string_append_printf (wire, ",\"arguments\":%s", pending->arguments_json);
  g_string_append_printf (wire, ",\"id\":%" G_GINT64_FORMAT "}\n", pending->id);
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
