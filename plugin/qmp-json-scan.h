/* qmp-json-scan.h: RFC 8259, strictly, before anything builds a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

/* json-glib accepts more than RFC 8259 (comments, single-quoted strings,
 * bare words, hexadecimal numbers...) and recurses once per level, and its
 * objects take quadratic time on repeated member names: a bound measured
 * by a scan that reads a narrower grammar than the parser can be walked
 * around. So every text from outside goes through this scanner first, one
 * pass, linear time and no recursion; it accepts exactly one RFC 8259 value
 * (blanks around it allowed) and refuses, with what was wrong and where:
 *   - anything outside RFC 8259: comments, single quotes, bare words,
 *     leading zeros, "+1", ".5", "1.", trailing commas, a byte order mark,
 *     control characters in strings, invalid escapes;
 *   - text that is not UTF-8 (overlong forms and surrogates included),
 *     "\u0000" (json-glib's strings end at a NUL: the value would be cut
 *     silently) and an unpaired surrogate escape;
 *   - a member name given twice in one object (compared unescaped);
 *   - in an object of more than 8 members, more than two names with one
 *     g_str_hash() value (names chosen to collide; smaller objects cost
 *     nothing whatever their names);
 *   - a number whose magnitude exceeds a double's range (1e400), and a
 *     number written in more than 512 bytes (RFC 8259 lets a parser bound
 *     numbers; QEMU writes at most 17 digits and an exponent);
 *   - nesting deeper than max_depth, more than max_elements values, more
 *     than QMP_JSON_MAX_MEMBERS members in one object.
 * Integers beyond int64 are valid JSON and are not refused here: how they
 * are read is qmp-json-reader.h's business. */

/* Members in one object. JsonObject keeps its members in a GHashTable
 * keyed by g_str_hash(), which is the same in every process: names chosen
 * to share one hash make each insertion compare with all the others
 * (measured: 4,096 such members take 216 ms, 16,384 take 3.8 s), and the
 * scan refuses more than two names with one hash. Names with different
 * hashes can still be chosen to start in one bucket: 4,096 of them cost
 * 14 times what ordinary names do, 1,024 of them 2.5 times. QEMU's largest
 * object is query-cpu-model-expansion's props (432 members for "max" in
 * QEMU 7.2). */
#define QMP_JSON_MAX_MEMBERS 1024u

/* The longest number taken, in bytes: QEMU prints at most 17 significant
 * digits and a three-digit exponent, and the bound bounds the cost of
 * converting one. */
#define QMP_JSON_MAX_NUMBER_LEN 512

typedef struct {
  guint max_depth;        /* nesting of [ and {; a scalar is depth 0;
                             must be at least 1 */
  gsize max_elements;     /* values of any kind, containers included;
                             0: no limit */
} QmpJsonScanLimits;

typedef struct {
  guint    depth;         /* deepest nesting seen */
  gsize    elements;      /* values seen: [1, {"a": 2}] holds 4 */
  gboolean plain;         /* no escape in any string, no fraction or
                             exponent, every integer within int64 */
  gboolean wide_integers; /* an integer beyond int64 */
  gsize    error_at;      /* the byte a refusal is about */
} QmpJsonShape;

/* TRUE when DATA (LEN bytes, not NUL-terminated) is one RFC 8259 value
 * within LIMITS; *SHAPE is filled in either way with what was seen up to
 * the verdict. Errors are G_IO_ERROR_INVALID_DATA, except the element
 * limit: G_IO_ERROR_MESSAGE_TOO_LARGE. Messages name the byte offset and
 * the limit, and quote nothing from DATA. */
gboolean qmp_json_scan (const char               *data,
                        gsize                     len,
                        const QmpJsonScanLimits  *limits,
                        QmpJsonShape             *shape,
                        GError                  **error);
