/* escape.h: QEMU's text made safe to print on a terminal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A QEMU may be its guest's: whatever it chose (error descriptions, schema
 * names, event data, results) goes through one of these before xen-qmp
 * prints it, so that it cannot move the cursor, clear the screen, set the
 * window title or reorder what the administrator reads.
 */
#pragma once

#include <glib.h>

/* TEXT on one line: C0 controls, DEL, backslash and bytes that are not
 * UTF-8 become \xNN (a backslash \\); C1 controls, bidirectional
 * formatting characters and the Unicode line and paragraph separators
 * become \uNNNN. Never NULL. */
char    *tool_escape_text      (const char *text);

/* As tool_escape_text(), but newlines are kept: for text whose lines are
 * ours and whose words are QEMU's. */
char    *tool_escape_lines     (const char *text);

/* As tool_escape_lines(), but a backslash stays one: for log messages
 * (the library's warnings, the wire trace), which are read, not parsed,
 * and are mostly JSON. */
char    *tool_escape_log       (const char *text);

/* JSON text from json-glib's generator, still valid JSON that parses to
 * the same value: what it leaves raw inside strings (DEL and the controls
 * above, and any C0 control) becomes \uNNNN; bytes that are not UTF-8
 * become \ufffd. Outside strings nothing changes. */
char    *tool_escape_json      (const char *json);

/* Whether tool_escape_text() would print TEXT as it is. */
gboolean tool_escape_is_plain  (const char *text);
