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

/* The schema type of member NAME of object TYPE, or of its variant
 * VARIANT (nullable), or NULL when neither has it. */
const char *tool_schema_member_type (XenQmpSchema *schema,
                                     const char   *type,
                                     const char   *variant,
                                     const char   *name);

/* TYPE when it is an object type; the object branch of an alternate that
 * may be an object (BlockdevRef: a node name or a definition); else NULL. */
const char *tool_schema_as_object   (XenQmpSchema *schema,
                                     const char   *type);
