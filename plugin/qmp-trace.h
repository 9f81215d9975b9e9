/* qmp-trace.h: the wire trace under G_MESSAGES_DEBUG=XenQmp
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* Whether trace lines would be shown; callers test it before building
 * anything, so that a disabled trace costs one check. */
gboolean qmp_trace_enabled (void);

/* Logs one message. NODE, when not NULL, is what DATA parses to: it is
 * printed with secrets redacted (qmp-redact.h says which). Without a node
 * the raw bytes of what QEMU sent are shown, escaped; of what we sent,
 * nothing. */
void     qmp_trace_message (const char *peer,
                            gboolean    outgoing,
                            const char *data,
                            gsize       len,
                            JsonNode   *node,
                            guint       n_fds);
