/* qmp-pending.c: a command on its way to QEMU and back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-pending.h"

#include <unistd.h>

QmpPending *
qmp_pending_new (gint64      id,
                 const char *command,
                 JsonObject *arguments,
                 gboolean    out_of_band,
                 int         fd,
                 gboolean    keep_trace_node)
{
  QmpPending *pending = g_new0 (QmpPending, 1);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len;
  char *text;

  pending->id = id;
  pending->fd = fd;
  pending->command = g_strdup (command);

  json_object_set_string_member (object, out_of_band ? "exec-oob" : "execute", command);
  if (arguments != NULL)
    json_object_set_object_member (object, "arguments", json_object_ref (arguments));
  json_object_set_int_member (object, "id", id);
  json_node_set_object (root, object);

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  /* Room for the newline that ends every QMP message. */
  pending->wire = g_realloc (text, len + 2);
  pending->wire[len] = '\n';
  pending->wire[len + 1] = '\0';
  pending->wire_len = len + 1;

  if (keep_trace_node)
    pending->trace_node = g_steal_pointer (&root);
  return pending;
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
  if (pending->fd >= 0)
    close (pending->fd);
  g_clear_pointer (&pending->trace_node, json_node_unref);
  g_free (pending->wire);
  g_free (pending->command);
  g_free (pending);
}
