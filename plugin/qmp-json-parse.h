/* qmp-json-parse.h: json-glib's parser, held to one value per text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* Where the first JSON value in DATA ends (the offset just after it), or 0
 * when DATA holds no whole value. Strings and brackets are followed, not
 * checked: what is wrong inside the value is json-glib's to say. */
gsize    qmp_json_value_end        (const char *data, gsize len);

/* Where the text after DATA's first whole value begins (past the blanks
 * that follow it), or 0 when there is none: what json-glib must not see. */
gsize    qmp_json_text_after_value (const char *data, gsize len);

/* json_parser_load_from_data(), except that a text holding more than one
 * value (or a value and then anything but blanks) is refused first. */
gboolean qmp_json_parse            (JsonParser  *parser,
                                    const char  *data,
                                    gsize        len,
                                    GError     **error);
