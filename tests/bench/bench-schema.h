/* bench-schema.h: the QAPI schema's costs (issue 9)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Rows for parsing QEMU 7.2's schema into the index (against json-glib
 * parsing the same bytes alone) and for validating typical commands.
 * PATH is the recorded schema file. */
void bench_schema_measure (const char *path);
