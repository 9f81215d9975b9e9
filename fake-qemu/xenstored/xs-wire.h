/* xs-wire.h: names of the xenstore wire protocol's message types and errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <glib.h>
#include <xen/io/xs_wire.h>

#define XS_HEADER_SIZE ((gsize) sizeof (struct xsd_sockmsg))

/* "READ", "WATCH_EVENT"...; "UNKNOWN" for a type outside the protocol. */
const char *xs_wire_type_name  (guint32 type);

/* The string xenstored sends in an XS_ERROR reply for ERRNUM ("ENOENT");
 * an errno outside the protocol's table is sent as "EINVAL", as
 * xenstored does. */
const char *xs_wire_error_name (int     errnum);
