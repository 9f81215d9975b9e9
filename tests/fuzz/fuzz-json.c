/* fuzz-json.c: the scan and the reader against json-glib, on any bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything from outside goes through plugin/qmp-json-scan.c, then
 * plugin/qmp-json-reader.c builds the tree. Whatever the scan accepts,
 * the reader must read; json-glib (which accepts more than RFC 8259) must
 * read it too, to an equal tree, but for integers beyond int64, which
 * json-glib wraps or saturates and the reader keeps as uint64 bits or a
 * double, as QEMU does. A reply read without its envelope has the same
 * value and id as the whole tree. Every node's parent is its container,
 * as json-glib's parser leaves them (json_node_equal() does not look).
 */
#include "config.h"

#include <string.h>

#include "fuzz-harness.h"
#include "qmp-json-scan.h"
#include "qmp-json-reader.h"
#include "test-json-tree.h"

static void
check_reply (const char *data, gsize len, JsonNode *whole)
{
  g_autoptr(JsonNode) ret = NULL;
  gint64 id = 0;
  JsonObject *object;
  JsonNode *id_node;

  if (!qmp_json_read_reply (data, len, &ret, &id))
    return;
  /* Read as a reply: the whole must be {"return": ..., "id": INT}. */
  g_assert_nonnull (whole);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (whole));
  object = json_node_get_object (whole);
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  id_node = json_object_get_member (object, "id");
  g_assert_nonnull (id_node);
  g_assert_true (json_node_get_value_type (id_node) == G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (id_node), ==, id);
  g_assert_true (json_node_equal (ret, json_object_get_member (object, "return")));
  g_assert_true (test_json_parents_ok (ret, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const QmpJsonScanLimits limits = { .max_depth = 64, .max_elements = 1u << 20 };
  const char *text = (const char *) data;
  g_autoptr(JsonNode) mine = NULL;
  g_autoptr(JsonParser) parser = NULL;
  QmpJsonShape shape;

  if (!qmp_json_scan (text, size, &limits, &shape, NULL))
    return 0;
  mine = qmp_json_read (text, size);
  g_assert_nonnull (mine);
  g_assert_true (test_json_parents_ok (mine, NULL));
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, text, (gssize) size, NULL));
  if (!shape.wide_integers)
    g_assert_true (json_node_equal (mine, json_parser_get_root (parser)));
  check_reply (text, size, mine);
  return 0;
}
