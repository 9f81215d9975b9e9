/* test-json-tree.c: checks on json-glib trees that json_node_equal() skips
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-json-tree.h"

gboolean
test_json_parents_ok (JsonNode *node, JsonNode *parent)
{
  if (json_node_get_parent (node) != parent)
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        if (!test_json_parents_ok (member, node))
          return FALSE;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!test_json_parents_ok (json_array_get_element (array, i), node))
          return FALSE;
    }
  return TRUE;
}
