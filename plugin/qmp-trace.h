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
 * printed with secrets redacted. Without a node (unparsable input) the raw
 * bytes are shown, escaped. */
void     qmp_trace_message (const char *peer,
                            gboolean    outgoing,
                            const char *data,
                            gsize       len,
                            JsonNode   *node,
                            guint       n_fds);

/* A copy of NODE with the values of members named "password" and the
 * "data" of secret objects replaced by "<redacted>". */
JsonNode *qmp_trace_redact (JsonNode *node);
