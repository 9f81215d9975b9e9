/* json-parse.c: one complete JSON value, from tokens to a JsonNode
 *
 * A recursive descent over the tokens of one value, with QEMU's grammar
 * and QEMU's error messages: a client that sends malformed JSON must get
 * the words QEMU would send. As in QEMU, the first error wins and is the
 * one reported. Recursion is safe because the splitter refuses nesting
 * deeper than 1024 before the tokens get here.
 *
 * Strings are kept in QEMU's modified UTF-8 (U+0000 as "\xC0\x80") so that
 * an echoed id comes back as QEMU would print it. Integers beyond int64
 * become doubles: JsonNode has no unsigned 64-bit integers, while QEMU
 * would keep those up to 2^64-1 exact.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "json-parse.h"

#include <errno.h>
#include <string.h>

#include "qmp-message.h"
#include "utf8.h"

/* QEMU formats its parse errors into a buffer of this size. */
#define MESSAGE_MAX 1024

typedef struct {
  const FakeJsonToken *tokens;
  guint                n_tokens;
  guint                next;
  const char          *text;
  GError              *error;
} Parser;

static JsonNode *parse_value (Parser *p);

G_GNUC_PRINTF (2, 3)
static void
parse_error (Parser *p, const char *format, ...)
{
  char message[MESSAGE_MAX];
  va_list args;

  if (p->error != NULL)
    return;
  va_start (args, format);
  g_vsnprintf (message, sizeof message, format, args);
  va_end (args);
  g_set_error (&p->error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
               "JSON parse error, %s", message);
}

static const FakeJsonToken *
peek (Parser *p)
{
  return p->next < p->n_tokens ? &p->tokens[p->next] : NULL;
}

static const FakeJsonToken *
pop (Parser *p)
{
  return p->next < p->n_tokens ? &p->tokens[p->next++] : NULL;
}

static gint32
hex4 (const char *s, const char *end)
{
  gint32 cp = 0;

  for (int i = 0; i < 4; i++)
    {
      if (s + i >= end || !g_ascii_isxdigit (s[i]))
        return -1;
      cp = (cp << 4) | g_ascii_xdigit_value (s[i]);
    }
  return cp;
}

static JsonNode *
parse_string (Parser *p, const FakeJsonToken *token)
{
  const char *ptr = p->text + token->offset;
  const char *end = ptr + token->length;
  const char quote = *ptr++;
  g_autoptr(GString) str = g_string_sized_new (token->length);
  JsonNode *node;

  /* The lexer guarantees a closing quote and no control characters. */
  while (ptr < end && *ptr != quote)
    {
      char utf8[4];
      gsize len;

      if (*ptr == '\\')
        {
          const char *start = ptr++;
          gint32 cp;

          switch (*ptr++)
            {
            case '"': g_string_append_c (str, '"'); continue;
            case '\'': g_string_append_c (str, '\''); continue;
            case '\\': g_string_append_c (str, '\\'); continue;
            case '/': g_string_append_c (str, '/'); continue;
            case 'b': g_string_append_c (str, '\b'); continue;
            case 'f': g_string_append_c (str, '\f'); continue;
            case 'n': g_string_append_c (str, '\n'); continue;
            case 'r': g_string_append_c (str, '\r'); continue;
            case 't': g_string_append_c (str, '\t'); continue;
            case 'u':
              cp = hex4 (ptr, end);
              ptr += 4;
              if (cp >= 0xD800 && cp <= 0xDBFF
                  && ptr + 1 < end && ptr[0] == '\\' && ptr[1] == 'u')
                {
                  gint32 low = hex4 (ptr + 2, end);

                  if (low >= 0xDC00 && low <= 0xDFFF)
                    {
                      cp = 0x10000 + ((cp & 0x3FF) << 10) + (low & 0x3FF);
                      ptr += 6;
                    }
                  else
                    cp = -1;
                }
              len = fake_utf8_encode (cp, utf8);
              if (len == 0)
                {
                  /* QEMU quotes the escape as it stood, but it is cut
                   * where the token ends. */
                  int shown = (int) (MIN (ptr, end) - start);
                  parse_error (p, "%.*s is not a valid Unicode character",
                               shown, start);
                  return NULL;
                }
              g_string_append_len (str, utf8, (gssize) len);
              continue;
            default:
              parse_error (p, "invalid escape sequence in string");
              return NULL;
            }
        }
      else
        {
          gsize consumed;
          gint32 cp = fake_utf8_decode (ptr, (gsize) (end - ptr), &consumed);

          if (cp < 0)
            {
              parse_error (p, "invalid UTF-8 sequence in string");
              return NULL;
            }
          ptr += consumed;
          len = fake_utf8_encode (cp, utf8);
          g_string_append_len (str, utf8, (gssize) len);
        }
    }

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, str->str);
  return node;
}

static JsonNode *
parse_number (Parser *p, const FakeJsonToken *token)
{
  g_autofree char *s = g_strndup (p->text + token->offset, token->length);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (token->type == FAKE_JSON_TOKEN_INTEGER)
    {
      char *end;
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (s, &end, 10);
      if (errno == 0 && *end == '\0')
        {
          json_node_set_int (node, value);
          return node;
        }
    }
  json_node_set_double (node, g_ascii_strtod (s, NULL));
  return node;
}

static JsonNode *
parse_keyword (Parser *p)
{
  const FakeJsonToken *token = pop (p);
  const char *s = p->text + token->offset;
  JsonNode *node;

  if (token->length == 4 && memcmp (s, "true", 4) == 0)
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, TRUE);
      return node;
    }
  if (token->length == 5 && memcmp (s, "false", 5) == 0)
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, FALSE);
      return node;
    }
  if (token->length == 4 && memcmp (s, "null", 4) == 0)
    return json_node_new (JSON_NODE_NULL);
  parse_error (p, "invalid keyword '%.*s'", (int) MIN (token->length, MESSAGE_MAX), s);
  return NULL;
}

static gboolean
parse_pair (Parser *p, JsonObject *object)
{
  const FakeJsonToken *token;
  g_autoptr(JsonNode) key = NULL;
  JsonNode *value;
  const char *name;

  if (peek (p) == NULL)
    {
      parse_error (p, "premature EOI");
      return FALSE;
    }
  key = parse_value (p);
  if (key == NULL || json_node_get_value_type (key) != G_TYPE_STRING)
    {
      parse_error (p, "key is not a string in object");
      return FALSE;
    }
  token = pop (p);
  if (token == NULL)
    {
      parse_error (p, "premature EOI");
      return FALSE;
    }
  if (token->type != FAKE_JSON_TOKEN_COLON)
    {
      parse_error (p, "missing : in object pair");
      return FALSE;
    }
  value = parse_value (p);
  if (value == NULL)
    {
      parse_error (p, "Missing value in dict");
      return FALSE;
    }
  name = json_node_get_string (key);
  if (json_object_has_member (object, name))
    {
      json_node_unref (value);
      parse_error (p, "duplicate key");
      return FALSE;
    }
  json_object_set_member (object, name, value);
  return TRUE;
}

static JsonNode *
parse_object (Parser *p)
{
  g_autoptr(JsonObject) object = json_object_new ();
  const FakeJsonToken *token;
  JsonNode *node;

  pop (p);
  token = peek (p);
  if (token == NULL)
    {
      parse_error (p, "premature EOI");
      return NULL;
    }
  if (token->type == FAKE_JSON_TOKEN_RCURLY)
    pop (p);
  else
    {
      if (!parse_pair (p, object))
        return NULL;
      for (;;)
        {
          token = pop (p);
          if (token == NULL)
            {
              parse_error (p, "premature EOI");
              return NULL;
            }
          if (token->type == FAKE_JSON_TOKEN_RCURLY)
            break;
          if (token->type != FAKE_JSON_TOKEN_COMMA)
            {
              parse_error (p, "expected separator in dict");
              return NULL;
            }
          if (!parse_pair (p, object))
            return NULL;
        }
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, g_steal_pointer (&object));
  return node;
}

static JsonNode *
parse_array (Parser *p)
{
  g_autoptr(JsonArray) array = json_array_new ();
  const FakeJsonToken *token;
  JsonNode *node;

  pop (p);
  token = peek (p);
  if (token == NULL)
    {
      parse_error (p, "premature EOI");
      return NULL;
    }
  if (token->type == FAKE_JSON_TOKEN_RSQUARE)
    pop (p);
  else
    {
      for (;;)
        {
          JsonNode *element = parse_value (p);

          if (element == NULL)
            {
              parse_error (p, "expecting value");
              return NULL;
            }
          json_array_add_element (array, element);
          token = pop (p);
          if (token == NULL)
            {
              parse_error (p, "premature EOI");
              return NULL;
            }
          if (token->type == FAKE_JSON_TOKEN_RSQUARE)
            break;
          if (token->type != FAKE_JSON_TOKEN_COMMA)
            {
              parse_error (p, "expected separator in list");
              return NULL;
            }
        }
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, g_steal_pointer (&array));
  return node;
}

static JsonNode *
parse_value (Parser *p)
{
  const FakeJsonToken *token = peek (p);

  if (token == NULL)
    {
      parse_error (p, "premature EOI");
      return NULL;
    }
  switch (token->type)
    {
    case FAKE_JSON_TOKEN_LCURLY:
      return parse_object (p);
    case FAKE_JSON_TOKEN_LSQUARE:
      return parse_array (p);
    case FAKE_JSON_TOKEN_STRING:
      return parse_string (p, pop (p));
    case FAKE_JSON_TOKEN_INTEGER:
    case FAKE_JSON_TOKEN_FLOAT:
      return parse_number (p, pop (p));
    case FAKE_JSON_TOKEN_KEYWORD:
      return parse_keyword (p);
    case FAKE_JSON_TOKEN_RCURLY:
    case FAKE_JSON_TOKEN_RSQUARE:
    case FAKE_JSON_TOKEN_COLON:
    case FAKE_JSON_TOKEN_COMMA:
    default:
      parse_error (p, "expecting value");
      return NULL;
    }
}

JsonNode *
fake_json_parse_tokens (const FakeJsonToken  *tokens,
                        guint                 n_tokens,
                        const char           *text,
                        GError              **error)
{
  Parser p = { tokens, n_tokens, 0, text, NULL };
  JsonNode *node = parse_value (&p);

  if (node == NULL)
    {
      g_propagate_error (error, p.error);
      return NULL;
    }
  /* The splitter cuts at the end of a value, so nothing can be left over;
   * say so rather than drop tokens silently if that ever changes. */
  if (p.next != n_tokens)
    {
      json_node_unref (node);
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "JSON parse error, expecting value");
      return NULL;
    }
  return node;
}
