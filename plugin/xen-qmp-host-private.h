/* xen-qmp-host-private.h: what the command API needs of the host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-qmp-host.h"
#include "qmp-connection.h"
#include "xen-qmp-schema.h"

/* The open connection to DOMID's QEMU, or a new one: connect() done, or
 * waiting (WAIT_FOR_DM: until the device model runs; always: for libxl's
 * lock). Errors are synchronous: no such domain, no QMP, no socket,
 * refused. */
QmpConnection *_xen_qmp_host_connect (XenQmpHost  *host,
                                      guint32      domid,
                                      gboolean     wait_for_dm,
                                      GError     **error);

/* The host's in-memory schema cache, by QEMU build (qmp_schema_cache_key).
 * lookup returns a new reference or NULL. */
XenQmpSchema  *_xen_qmp_host_lookup_schema (XenQmpHost   *host,
                                            const char   *key);
void           _xen_qmp_host_add_schema    (XenQmpHost   *host,
                                            const char   *key,
                                            XenQmpSchema *schema);

/* A follower of a domain's events (a XenQmpClient): told of each event
 * and of each gap, from the host's context, in the order of the wire. */
typedef struct {
  void (*event) (const char *name,
                 JsonObject *data,
                 gint64      timestamp_us,
                 gpointer    user_data);
  void (*gap)   (gint64      since_us,
                 gint64      until_us,
                 const char *reason,
                 gpointer    user_data);
} XenQmpHostFollower;

/* Follows DOMID's events (from its event monitor if it has one, else
 * over its QMP connection) until _xen_qmp_host_unfollow(); returns an id,
 * 0 with ERROR set. */
guint          _xen_qmp_host_follow   (XenQmpHost               *host,
                                       guint32                   domid,
                                       const XenQmpHostFollower *follower,
                                       gpointer                  user_data,
                                       GError                  **error);
void           _xen_qmp_host_unfollow (XenQmpHost               *host,
                                       guint                     id);

/* A gap's XEN_QMP_EVENT_GAP data: since, until ({"seconds",
 * "microseconds"}) and reason. */
JsonObject    *_xen_qmp_gap_data_new  (gint64                    since_us,
                                       gint64                    until_us,
                                       const char               *reason);
/* The start of a gap, from its XEN_QMP_EVENT_GAP data. */
gint64         _xen_qmp_gap_get_since (JsonObject               *data);
