/* completion.h: what xen-qmp --shell offers on Tab, from QEMU's schema
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>

/* Completions of TEXT, the word of LINE that starts at byte START:
 * - the first word: COMMANDS (sorted, the shell's built-ins included);
 * - after a command the schema knows: its argument names as "name="
 *   (with a flat union's variant members once its tag is given, nested
 *   objects as "a.b="), those already on the line left out;
 * - after "name=": the values of an enum or boolean argument, as
 *   "name=value".
 * SCHEMA may be NULL (then only commands are completed). Sorted; empty
 * when nothing fits. */
GStrv tool_completion_candidates (XenQmpSchema       *schema,
                                  const char * const *commands,
                                  const char         *line,
                                  gsize               start,
                                  const char         *text);
