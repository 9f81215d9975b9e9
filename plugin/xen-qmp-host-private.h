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
