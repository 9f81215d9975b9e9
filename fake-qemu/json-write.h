/* json-write.h: JSON text exactly as QEMU writes it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* Appends NODE to OUT as QEMU 7.2 prints a QObject: ", " and ": "
 * separators, object members in the order of QEMU's QDict hash table
 * (not the order they were added in), non-ASCII and control characters as
 * \uXXXX in upper case, floating point numbers with "%.17g". */
void  fake_json_write     (GString  *out,
                           JsonNode *node);

char *fake_json_to_string (JsonNode *node);

/* The member names of OBJECT (borrowed) in the order QEMU iterates over
 * them, which is also the order it checks them in. */
GPtrArray *fake_json_members_in_qemu_order (JsonObject *object);

/* A deep copy of NODE (a value as QEMU printed it, e.g. from a script or
 * a recording) that fake_json_write() prints with the same member order
 * wherever QEMU's QDict order allows it: members sharing a hash bucket
 * keep their written order. */
JsonNode  *fake_json_copy_printed (JsonNode *node);
