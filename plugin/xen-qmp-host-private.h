/* xen-qmp-host-private.h: what the command API needs of the host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-qmp-host.h"
#include "qmp-connection.h"

/* The open connection to DOMID's QEMU, or a new one: connect() done, or
 * waiting (WAIT_FOR_DM: until the device model runs; always: for libxl's
 * lock). Errors are synchronous: no such domain, no QMP, no socket,
 * refused. */
QmpConnection *_xen_qmp_host_connect (XenQmpHost  *host,
                                      guint32      domid,
                                      gboolean     wait_for_dm,
                                      GError     **error);
