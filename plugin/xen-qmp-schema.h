/* xen-qmp-schema.h: the QAPI schema a QEMU describes itself with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include "xen-qmp-macros.h"

G_BEGIN_DECLS

/**
 * XenQmpSchemaMetaType:
 * @XEN_QMP_SCHEMA_META_TYPE_NONE: the schema has no entity of that name
 * @XEN_QMP_SCHEMA_META_TYPE_BUILTIN: a JSON type such as `str` or `int`
 * @XEN_QMP_SCHEMA_META_TYPE_ENUM: one string out of a list of values
 * @XEN_QMP_SCHEMA_META_TYPE_ARRAY: a JSON array of one element type
 * @XEN_QMP_SCHEMA_META_TYPE_OBJECT: a JSON object with named members,
 *   optionally a tag member choosing variant members
 * @XEN_QMP_SCHEMA_META_TYPE_ALTERNATE: one of several types, told apart
 *   by their JSON type
 * @XEN_QMP_SCHEMA_META_TYPE_COMMAND: a command, with argument and return
 *   types
 * @XEN_QMP_SCHEMA_META_TYPE_EVENT: an event, with a data type
 *
 * What a name of a #XenQmpSchema stands for: QAPI's `meta-type`.
 *
 * Since: 0.1
 */
typedef enum {
  XEN_QMP_SCHEMA_META_TYPE_NONE,
  XEN_QMP_SCHEMA_META_TYPE_BUILTIN,
  XEN_QMP_SCHEMA_META_TYPE_ENUM,
  XEN_QMP_SCHEMA_META_TYPE_ARRAY,
  XEN_QMP_SCHEMA_META_TYPE_OBJECT,
  XEN_QMP_SCHEMA_META_TYPE_ALTERNATE,
  XEN_QMP_SCHEMA_META_TYPE_COMMAND,
  XEN_QMP_SCHEMA_META_TYPE_EVENT,
} XenQmpSchemaMetaType;

#define XEN_QMP_TYPE_SCHEMA (xen_qmp_schema_get_type ())
XEN_QMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (XenQmpSchema, xen_qmp_schema, XEN_QMP, SCHEMA, GObject)

XEN_QMP_AVAILABLE_IN_ALL
XenQmpSchema *xen_qmp_schema_new (JsonNode  *schema,
                                  GError   **error);
XEN_QMP_AVAILABLE_IN_ALL
XenQmpSchema *xen_qmp_schema_new_from_data (const char  *data,
                                            gssize       length,
                                            GError     **error);

XEN_QMP_AVAILABLE_IN_ALL
JsonNode *xen_qmp_schema_get_json (XenQmpSchema *schema);

XEN_QMP_AVAILABLE_IN_ALL
XenQmpSchemaMetaType xen_qmp_schema_get_meta_type (XenQmpSchema *schema,
                                                   const char   *name);
XEN_QMP_AVAILABLE_IN_ALL
char **xen_qmp_schema_list (XenQmpSchema         *schema,
                            XenQmpSchemaMetaType  meta_type);

XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_schema_get_arg_type (XenQmpSchema *schema,
                                         const char   *name);
XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_schema_get_ret_type (XenQmpSchema *schema,
                                         const char   *command);
XEN_QMP_AVAILABLE_IN_ALL
guint xen_qmp_schema_get_n_members (XenQmpSchema *schema,
                                    const char   *type);
XEN_QMP_AVAILABLE_IN_ALL
gboolean xen_qmp_schema_get_member (XenQmpSchema  *schema,
                                    const char    *type,
                                    guint          index,
                                    const char   **name,
                                    const char   **member_type,
                                    gboolean      *optional);
XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_schema_get_tag (XenQmpSchema *schema,
                                    const char   *type);
XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_schema_get_variant_type (XenQmpSchema *schema,
                                             const char   *type,
                                             const char   *tag_value);
XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_schema_get_element_type (XenQmpSchema *schema,
                                             const char   *type);
XEN_QMP_AVAILABLE_IN_ALL
char **xen_qmp_schema_get_enum_values (XenQmpSchema *schema,
                                       const char   *type);
XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_schema_get_json_type (XenQmpSchema *schema,
                                          const char   *type);

XEN_QMP_AVAILABLE_IN_ALL
char *xen_qmp_schema_describe_type (XenQmpSchema *schema,
                                    const char   *type);
XEN_QMP_AVAILABLE_IN_ALL
char *xen_qmp_schema_describe_command (XenQmpSchema *schema,
                                       const char   *command);

XEN_QMP_AVAILABLE_IN_ALL
gboolean xen_qmp_schema_validate_command (XenQmpSchema  *schema,
                                          const char    *command,
                                          JsonObject    *arguments,
                                          GError       **error);
XEN_QMP_AVAILABLE_IN_ALL
gboolean xen_qmp_schema_validate_value (XenQmpSchema  *schema,
                                        const char    *type,
                                        JsonNode      *value,
                                        const char    *what,
                                        GError       **error);

G_END_DECLS
