/* qmp-redact.h: what the wire trace must not show
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#define QMP_REDACTED "<redacted>"

/* A copy of MESSAGE, a QMP message as sent or received, with every value
 * that may carry a secret replaced by "<redacted>". Safe by default: a
 * value is hidden on the strength of its name, its command or its shape,
 * never because it looks like a password.
 *
 * - members whose name contains password, passwd, passphrase, secret,
 *   token, credential or cookie (any case, anywhere in the tree);
 * - the "data" of secret objects ("qom-type" secret or secret_keyring),
 *   flat or in "props";
 * - the whole "value" of qom-set, and the "value" beside a "name" of
 *   "data" or one of the names above (qom-list-get's replies);
 * - human-monitor-command's "command-line" after its first word;
 * - send-key's "keys" and input-send-event's "events" (typed text);
 * - change's "arg" (the VNC password of QEMU before 6.0);
 * - in every string, the userinfo (user:password@) and the query of URLs
 *   (scheme://...);
 * - a reply's "return" when it is a string: qom-get's value, or the
 *   output of an HMP command. */
JsonNode *qmp_redact_message (JsonNode *message);
