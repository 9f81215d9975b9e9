/* output.c: how xen-qmp prints JSON values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "output.h"
#include "escape.h"

#include <stdio.h>
#include <unistd.h>

gboolean
tool_output_want_pretty (gboolean compact, gboolean pretty)
{
  if (compact)
    return FALSE;
  return pretty || isatty (STDOUT_FILENO);
}

char *
tool_output_format (JsonNode *node, gboolean pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  /* json-glib escapes C0 controls and DEL, not C1 or bidi overrides: what
   * QEMU put in a string must not reach the terminal as it is. */
  return tool_escape_json (text);
}

void
tool_output_print (JsonNode *node, gboolean pretty)
{
  g_autofree char *text = tool_output_format (node, pretty);

  /* One write per value, flushed at once: a reader of a pipe sees each
   * value whole and as soon as it exists. */
  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}
