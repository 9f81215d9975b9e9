/* fuzz-json.c: the plain-JSON reader against json-glib, on any bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * plugin/qmp-json-reader.c reads what QEMU sends in place of json-glib's
 * parser and gives up on anything it does not take. It must never
 * disagree: whatever it reads, json-glib reads too, to an equal tree; a
 * reply it reads without its envelope has the same value and id as the
 * whole tree. Every node's parent is its container, as json-glib's
 * parser leaves them (json_node_equal() does not look). The input is taken as one message, as the framer hands it
 * over (valid UTF-8 without NUL bytes, as qmp-message.c checks first).
 */
#include "config.h"

#include <string.h>

#include "fuzz-harness.h"
#include "qmp-json-parse.h"
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
  const char *text = (const char *) data;
  g_autoptr(JsonNode) mine = NULL;
  g_autoptr(JsonParser) parser = NULL;
  gboolean glib_ok;

  if (memchr (data, '\0', size) != NULL || !g_utf8_validate_len (text, size, NULL))
    return 0;
  mine = qmp_json_read (text, size);
  parser = json_parser_new ();
  /* As the library calls json-glib: never with two values (it leaks). */
  glib_ok = qmp_json_parse (parser, text, size, NULL);
  if (mine != NULL)
    {
      /* Never taken where json-glib refuses, never read differently. */
      g_assert_true (glib_ok);
      g_assert_true (json_node_equal (mine, json_parser_get_root (parser)));
      g_assert_true (test_json_parents_ok (mine, NULL));
    }
  check_reply (text, size, mine);
  return 0;
}
