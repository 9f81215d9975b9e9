/* qmp-json-reader.h: QEMU's everyday JSON, read without json-glib's parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* The JSON value DATA holds (LEN bytes, valid UTF-8, nested no deeper than
 * the framer allows), as the tree json_parser_load_from_data() would
 * build; or NULL when DATA is anything but the plain JSON QEMU writes:
 * then json-glib reads it, valid or not, and has the last word. */
JsonNode *qmp_json_read (const char *data, gsize len);

/* The commonest message, a reply {"return": VALUE, "id": INTEGER} (the two
 * members in either order and nothing else), read without building the
 * envelope: VALUE's tree in *RET, the id in *ID. FALSE when DATA is
 * anything else, or not plain JSON: then it is read whole. */
gboolean  qmp_json_read_reply (const char  *data,
                               gsize        len,
                               JsonNode   **ret,
                               gint64      *id);
