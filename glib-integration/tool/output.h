/* output.h: how xen-qmp prints JSON values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* Whether results are pretty-printed: on a terminal unless --compact,
 * elsewhere only with --pretty, so that a pipe gets one value per line. */
gboolean tool_output_want_pretty (gboolean compact, gboolean pretty);

/* NODE as JSON text, indented by two spaces when PRETTY; never NULL. */
char    *tool_output_format (JsonNode *node,
                             gboolean  pretty);

/* Prints NODE followed by a newline on stdout and flushes it. */
void     tool_output_print  (JsonNode *node,
                             gboolean  pretty);
