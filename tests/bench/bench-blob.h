/* bench-blob.h: the large reply of the bench, shared by both ends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stddef.h>

/* The command whose reply is a blob: {"execute": BENCH_BLOB_COMMAND,
 * "arguments": {"size": N}} is answered with a JSON array of about N
 * bytes shaped like query-qmp-schema's entries. */
#define BENCH_BLOB_COMMAND "x-bench-blob"

/* The array text (no newline), malloc'ed, its length in *len. The same
 * size always gives the same bytes, so the bench can time json-glib alone
 * on exactly what the responder sends. */
char *bench_blob_new (size_t size, size_t *len);
