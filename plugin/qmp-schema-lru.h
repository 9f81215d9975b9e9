/* qmp-schema-lru.h: a host's schemas by QEMU build, least recently used
 * first out
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-qmp-schema.h"

typedef struct _QmpSchemaLru QmpSchemaLru;

QmpSchemaLru *qmp_schema_lru_new        (guint         max_entries,
                                         gsize         max_bytes);
void          qmp_schema_lru_free       (QmpSchemaLru *lru);
/* Lowers or raises the bounds; what no longer fits goes, oldest first. */
void          qmp_schema_lru_set_limits (QmpSchemaLru *lru,
                                         guint         max_entries,
                                         gsize         max_bytes);
/* A new reference to KEY's schema (now the most recently used), or NULL. */
XenQmpSchema *qmp_schema_lru_lookup     (QmpSchemaLru *lru,
                                         const char   *key);
/* Keeps SCHEMA for KEY, replacing what KEY had; a schema larger than the
 * whole cache is not kept. */
void          qmp_schema_lru_add        (QmpSchemaLru *lru,
                                         const char   *key,
                                         XenQmpSchema *schema);
guint         qmp_schema_lru_get_n_entries (QmpSchemaLru *lru);
gsize         qmp_schema_lru_get_bytes  (QmpSchemaLru *lru);
