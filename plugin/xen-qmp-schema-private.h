/* xen-qmp-schema-private.h: what the schema's other files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-qmp-schema.h"

/* The entity called NAME (borrowed from the schema), or NULL. */
JsonObject *_xen_qmp_schema_lookup        (XenQmpSchema *schema,
                                           const char   *name);
const char *_xen_qmp_schema_string_member (JsonObject   *o,
                                           const char   *member);
JsonArray  *_xen_qmp_schema_array_member  (JsonObject   *o,
                                           const char   *member);
/* A short name for TYPE in messages: "str", "[int]", "enum", "object". */
char       *_xen_qmp_schema_summary       (XenQmpSchema *schema,
                                           const char   *type);
/* xen_qmp_schema_get_meta_type() for names taken from the schema itself,
 * which may be missing (NULL) in a hostile one: NONE then. */
XenQmpSchemaMetaType _xen_qmp_schema_meta_type (XenQmpSchema *schema,
                                                const char   *name);
/* An object's "members" or an alternate's alternatives; NULL for any
 * other type, and for a NULL name. */
JsonArray  *_xen_qmp_schema_members       (XenQmpSchema *schema,
                                           const char   *type);
/* What keeping the schema costs, in bytes (an estimate that follows its
 * size): what the host's schema cache counts. */
gsize       _xen_qmp_schema_get_cost      (XenQmpSchema *schema);
