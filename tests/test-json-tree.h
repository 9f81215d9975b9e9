/* test-json-tree.h: checks on json-glib trees that json_node_equal() skips
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* Whether NODE's parent is PARENT and every node under it has its
 * container as parent, as json-glib's parser leaves them. */
gboolean test_json_parents_ok (JsonNode *node, JsonNode *parent);
