/* qmp-json-parse.h: a text from outside, scanned strictly, then read
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "qmp-json-scan.h"

/* For texts that are not QMP messages (a schema, a cache file, a script
 * line, arguments): as deep as QEMU itself allows, and as many values as
 * a QMP message of 64 MiB could hold at QEMU's density. */
#define QMP_JSON_TEXT_MAX_DEPTH    1024u
#define QMP_JSON_TEXT_MAX_ELEMENTS (8u * 1024 * 1024)

/* The one JSON value DATA holds, or NULL and an error saying what was
 * wrong and at which byte: DATA goes through qmp_json_scan() with LIMITS
 * (NULL: the QMP_JSON_TEXT_ ones above) before any of it is built, so
 * that json-glib's laxer grammar, its recursion and its quadratic
 * repeated names are never reached. Integers come as qmp-json-reader.h
 * says (beyond int64: uint64 bits, then doubles). */
JsonNode *qmp_json_parse (const char              *data,
                          gsize                    len,
                          const QmpJsonScanLimits *limits,
                          GError                 **error);
