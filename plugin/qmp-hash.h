/* qmp-hash.h: hashes a device model cannot aim at
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* g_str_hash() is the same in every process, so a QEMU can choose names
 * that all land in one bucket of a table keyed by them and make each
 * insertion walk every other entry. These hashes are SipHash-1-3 under a
 * key drawn from the kernel once per process: without the key, colliding
 * names cannot be chosen. */
guint64 qmp_hash_bytes (const void *data,
                        gsize       len);

/* For GHashTables keyed by strings that came from outside. */
guint   qmp_str_hash   (gconstpointer key);

/* What g_str_hash() gives for LEN bytes at DATA (its documented
 * definition: djb2 over the bytes' signed values), without a copy. */
guint32 qmp_g_str_hash_len (const char *data,
                            gsize       len);
