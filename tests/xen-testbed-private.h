/* xen-testbed-private.h: the hypervisor side of the test bed, for the
 * libxl side (xen-testbed-libxl.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-testbed.h"

/* Writes DIR/domains/<domid> (atomically: the daemons read it at any
 * time), as the hypervisor has the domain after xc_domain_create(). */
gboolean testbed_state_write  (XenTestbed  *tb,
                               guint32      domid,
                               const char  *uuid,
                               gboolean     hvm,
                               gboolean     dying,
                               GError     **error);
/* The domain is gone from the hypervisor (xc_domain_destroy()). */
gboolean testbed_state_remove (XenTestbed  *tb,
                               guint32      domid,
                               GError     **error);
/* Reads the uuid and hvm flag back; FALSE when there is no such domain. */
gboolean testbed_state_read   (XenTestbed  *tb,
                               guint32      domid,
                               char       **uuid,
                               gboolean    *hvm);
