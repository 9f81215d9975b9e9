/* xs-request.h: what the fake xenstored does with each request type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xs-server.h"
#include "xs-wire.h"

/* Answers one complete message from CLIENT: a reply of the same type, or
 * XS_ERROR with xenstored's errno name, echoing req_id and tx_id. */
void xs_request_handle (XsClient                 *client,
                        const struct xsd_sockmsg *header,
                        const char               *payload);
