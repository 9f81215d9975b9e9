/* json-parse.h: one complete JSON value, from tokens to a JsonNode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

typedef enum {
  FAKE_JSON_TOKEN_LCURLY,
  FAKE_JSON_TOKEN_RCURLY,
  FAKE_JSON_TOKEN_LSQUARE,
  FAKE_JSON_TOKEN_RSQUARE,
  FAKE_JSON_TOKEN_COLON,
  FAKE_JSON_TOKEN_COMMA,
  FAKE_JSON_TOKEN_INTEGER,
  FAKE_JSON_TOKEN_FLOAT,
  FAKE_JSON_TOKEN_KEYWORD,   /* any run of [a-z]; the parser knows three */
  FAKE_JSON_TOKEN_STRING,    /* with its quotes, " or ' */
} FakeJsonTokenType;

/* A token's text is TEXT[offset, offset + length) of the text that the
 * tokens were cut from. */
typedef struct {
  FakeJsonTokenType type;
  guint32           offset;
  guint32           length;
} FakeJsonToken;

/* Parses TOKENS (all of them: the stream splitter hands over exactly one
 * top-level value, whose nesting it has bounded) as QEMU 7.2 does, with
 * its extensions (single-quoted strings, \' escapes) and its refusals
 * (duplicate keys, noncharacters). On failure, returns NULL and sets a
 * FAKE_QMP_ERROR_GENERIC_ERROR with QEMU's "JSON parse error, ..." text. */
JsonNode *fake_json_parse_tokens (const FakeJsonToken  *tokens,
                                  guint                 n_tokens,
                                  const char           *text,
                                  GError              **error);
