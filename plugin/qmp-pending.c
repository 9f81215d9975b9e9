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

/* The command name is written as a JSON string by hand, and the wire
 * text in one allocation of its exact size: json_generator, GString and
 * printf cost more than the rest of sending a command (measured with
 * make bench-callgrind). */
static gsize
json_string_size (const char *text)
{
  gsize size = 2;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    size += *p == '"' || *p == '\\' ? 2 : *p < 0x20 ? 6 : 1;
  return size;
}

static char *
write_json_string (char *w, const char *text)
{
  static const char hex[] = "0123456789abcdef";

  *w++ = '"';
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          *w++ = '\\';
          *w++ = (char) *p;
        }
      else if (*p < 0x20)
        {
          memcpy (w, "\\u00", 4);
          w[4] = hex[*p >> 4];
          w[5] = hex[*p & 0xf];
          w += 6;
        }
      else
        *w++ = (char) *p;
    }
  *w++ = '"';
  return w;
}

/* VALUE in decimal into OUT (at least 20 bytes); returns its length. */
static gsize
format_id (char *out, gint64 value)
{
  char digits[20];
  guint64 u = value < 0 ? 0 - (guint64) value : (guint64) value;
  gsize n = 0, len = 0;

  do
    digits[n++] = (char) ('0' + u % 10);
  while ((u /= 10) > 0);
  if (value < 0)
    out[len++] = '-';
  while (n > 0)
    out[len++] = digits[--n];
  return len;
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
  /* exec-oob is chosen now, not when the command was queued: only the
   * negotiation says whether QEMU accepts it. */
  const char *head = pending->out_of_band && oob_enabled
                     ? "{\"exec-oob\":" : "{\"execute\":";
  static const char args_key[] = ",\"arguments\":";
  static const char id_key[] = ",\"id\":";
  gsize head_len = strlen (head);
  gsize args_len = pending->arguments_json != NULL ? strlen (pending->arguments_json) : 0;
  char id[24];
  gsize id_len;
  char *w;

  if (pending->wire != NULL)
    return;
  id_len = format_id (id, pending->id);
  pending->wire_len = head_len + json_string_size (pending->command)
                      + (args_len > 0 ? sizeof args_key - 1 + args_len : 0)
                      + sizeof id_key - 1 + id_len + 2;
  pending->wire = w = g_malloc (pending->wire_len + 1);
  memcpy (w, head, head_len);
  w = write_json_string (w + head_len, pending->command);
  if (args_len > 0)
    {
      memcpy (w, args_key, sizeof args_key - 1);
      w += sizeof args_key - 1;
      memcpy (w, pending->arguments_json, args_len);
      w += args_len;
    }
  memcpy (w, id_key, sizeof id_key - 1);
  w += sizeof id_key - 1;
  memcpy (w, id, id_len);
  w += id_len;
  memcpy (w, "}\n", 3);
  g_assert ((gsize) (w + 2 - pending->wire) == pending->wire_len);
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
