/* qmp-json-parse.c: a text from outside, scanned strictly, then read
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib's own parser reads more than RFC 8259 (so a bound measured by
 * a strict scan could be walked around), keeps the last of two values
 * and leaks the first, and recurses once per level. It is no longer used
 * on anything from outside: the scan decides, and qmp-json-reader.c, which
 * reads all of RFC 8259, builds the same tree json-glib would.
 */
#include "config.h"

#include "qmp-json-parse.h"
#include "qmp-json-reader.h"

JsonNode *
qmp_json_parse (const char              *data,
                gsize                    len,
                const QmpJsonScanLimits *limits,
                GError                 **error)
{
  static const QmpJsonScanLimits text_limits = {
    .max_depth = QMP_JSON_TEXT_MAX_DEPTH,
    .max_elements = QMP_JSON_TEXT_MAX_ELEMENTS,
  };
  QmpJsonShape shape;
  JsonNode *root;

  if (!qmp_json_scan (data, len, limits != NULL ? limits : &text_limits,
                      &shape, error))
    return NULL;
  root = qmp_json_read (data, len);
  if (root == NULL)
    /* The scan and the reader disagree: a bug here, not bad input. */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "JSON that passed the scan could not be read");
  return root;
}
