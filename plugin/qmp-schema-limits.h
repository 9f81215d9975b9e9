/* qmp-schema-limits.h: what a QEMU's schema may cost the toolstack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* QEMU 7.2 describes itself with 1,051 entities, QEMU 9.x with a few
 * thousand. The names key a GHashTable whose hash QEMU cannot aim
 * (qmp_str_hash()): with g_str_hash, 16,384 colliding names took 2.3 s to
 * index here, 65,536 would have taken half a minute. */
#define QMP_SCHEMA_MAX_ENTITIES   65536u
/* JSON values in a schema: QEMU 7.2's has 15,741 (186 KB of text, 1.7 MB
 * in memory); a schema is kept for the host's lifetime, so its tree is
 * bounded, not only the bytes it came in. */
#define QMP_SCHEMA_MAX_VALUES     (512u * 1024)
/* What the strict scan lets a schema's text build at all: the count
 * above, checked on the tree, gives the precise message. */
#define QMP_SCHEMA_TEXT_MAX_ELEMENTS (2u * QMP_SCHEMA_MAX_VALUES)
/* A schema as text (the disk cache, xen_qmp_schema_new_from_data()): QEMU
 * 9.x's is about 420 KB. */
#define QMP_SCHEMA_MAX_BYTES      (8u * 1024 * 1024)
/* Measured with mallinfo2() for QEMU 7.2's schema: 1,670,944 bytes for
 * 15,741 values, about 106 bytes each with their strings. */
#define QMP_SCHEMA_BYTES_PER_VALUE 96u

/* XenQmpHost's schema cache: a host runs a few QEMU builds at a time. */
#define QMP_SCHEMA_CACHE_DEFAULT_MAX_ENTRIES 8u
#define QMP_SCHEMA_CACHE_DEFAULT_MAX_BYTES   (32u * 1024 * 1024)
