/* qmp-json-reader.c: QEMU's everyday JSON, read without json-glib's parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * make bench-callgrind showed json_parser_load_from_data() taking 31,000
 * of the 52,000 instructions a reply costs: its scanner, its GObject
 * signals and its error machinery are built for any JSON document, while
 * QEMU writes small, plain objects. This reader takes plain JSON only and
 * builds the same json-glib tree directly. It gives up (NULL) on anything
 * else, so that json-glib alone decides what is not plain, and every
 * error message stays json-glib's:
 *   - strings with \u escapes or control characters;
 *   - numbers with a fraction or an exponent, or beyond 64 bits;
 *   - an object with a member given twice;
 *   - anything invalid.
 * tests/fuzz compares the two on every input the fuzzer makes.
 */
#include "config.h"

#include "qmp-json-reader.h"

#include <string.h>

typedef struct {
  const char *p;
  const char *end;
} Cursor;

static JsonNode *read_value (Cursor *c);

static void
skip_blanks (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
    c->p++;
}

static gboolean
take (Cursor *c, char ch)
{
  skip_blanks (c);
  if (c->p >= c->end || *c->p != ch)
    return FALSE;
  c->p++;
  return TRUE;
}

/* A string at the cursor (after its opening quote is checked here),
 * unescaped; NULL to give up. */
static char *
read_string (Cursor *c)
{
  const char *start;
  GString *out;

  if (c->p >= c->end || *c->p != '"')
    return NULL;
  start = ++c->p;
  /* The common case: no escape at all. */
  while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (guchar) *c->p >= 0x20)
    c->p++;
  if (c->p < c->end && *c->p == '"')
    return g_strndup (start, (gsize) (c->p++ - start));

  out = g_string_new_len (start, c->p - start);
  while (c->p < c->end && *c->p != '"')
    {
      char ch = *c->p++;

      if ((guchar) ch < 0x20)
        goto give_up;
      if (ch != '\\')
        {
          g_string_append_c (out, ch);
          continue;
        }
      if (c->p >= c->end)
        goto give_up;
      switch (*c->p++)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        default:
          /* \u (surrogates, NUL...) and invalid escapes: json-glib's. */
          goto give_up;
        }
    }
  if (c->p >= c->end)
    goto give_up;
  c->p++;
  return g_string_free (out, FALSE);

give_up:
  g_string_free (out, TRUE);
  return NULL;
}

/* -?(0|[1-9][0-9]*) within 64 bits; anything else gives up. */
static JsonNode *
read_integer (Cursor *c)
{
  gboolean negative = FALSE;
  guint64 value = 0;
  const char *digits;
  JsonNode *node;

  if (*c->p == '-')
    {
      negative = TRUE;
      c->p++;
    }
  digits = c->p;
  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      guint d = (guint) (*c->p - '0');

      if (value > (G_MAXUINT64 - d) / 10)
        return NULL;
      value = value * 10 + d;
      c->p++;
    }
  if (c->p == digits || (c->p - digits > 1 && *digits == '0'))
    return NULL;
  if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
    return NULL;
  if (value > (guint64) G_MAXINT64 + (negative ? 1 : 0))
    return NULL;
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (node, negative ? (gint64) (0 - value) : (gint64) value);
  return node;
}

static JsonNode *
read_literal (Cursor *c)
{
  static const struct { const char *word; gsize len; int kind; } words[] = {
    { "true", 4, 1 }, { "false", 5, 0 }, { "null", 4, -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if ((gsize) (c->end - c->p) >= words[i].len
        && memcmp (c->p, words[i].word, words[i].len) == 0)
      {
        JsonNode *node;

        c->p += words[i].len;
        if (words[i].kind < 0)
          return json_node_new (JSON_NODE_NULL);
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_boolean (node, words[i].kind);
        return node;
      }
  return NULL;
}

static JsonNode *
read_object (Cursor *c)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  c->p++;
  if (!take (c, '}'))
    for (;;)
      {
        g_autofree char *name = NULL;
        JsonNode *value;

        skip_blanks (c);
        name = read_string (c);
        if (name == NULL || !take (c, ':') || json_object_has_member (object, name))
          return NULL;
        value = read_value (c);
        if (value == NULL)
          return NULL;
        json_object_set_member (object, name, value);
        if (take (c, '}'))
          break;
        if (!take (c, ','))
          return NULL;
      }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, g_steal_pointer (&object));
  return node;
}

static JsonNode *
read_array (Cursor *c)
{
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node;

  c->p++;
  if (!take (c, ']'))
    for (;;)
      {
        JsonNode *value = read_value (c);

        if (value == NULL)
          return NULL;
        json_array_add_element (array, value);
        if (take (c, ']'))
          break;
        if (!take (c, ','))
          return NULL;
      }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, g_steal_pointer (&array));
  return node;
}

static JsonNode *
read_value (Cursor *c)
{
  skip_blanks (c);
  if (c->p >= c->end)
    return NULL;
  switch (*c->p)
    {
    case '{':
      return read_object (c);
    case '[':
      return read_array (c);
    case '"':
      {
        g_autofree char *s = read_string (c);
        JsonNode *node;

        if (s == NULL)
          return NULL;
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, s);
        return node;
      }
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return read_integer (c);
    default:
      return read_literal (c);
    }
}

JsonNode *
qmp_json_read (const char *data, gsize len)
{
  Cursor c = { data, data + len };
  JsonNode *root = read_value (&c);

  if (root == NULL)
    return NULL;
  skip_blanks (&c);
  if (c.p != c.end)
    {
      json_node_unref (root);
      return NULL;
    }
  return root;
}

gboolean
qmp_json_read_reply (const char *data, gsize len, JsonNode **ret, gint64 *id)
{
  Cursor c = { data, data + len };
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonNode) id_node = NULL;

  if (!take (&c, '{'))
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = NULL;

      if (i > 0 && !take (&c, ','))
        return FALSE;
      skip_blanks (&c);
      name = read_string (&c);
      if (name == NULL || !take (&c, ':'))
        return FALSE;
      if (strcmp (name, "return") == 0 && value == NULL)
        value = read_value (&c);
      else if (strcmp (name, "id") == 0 && id_node == NULL)
        {
          skip_blanks (&c);
          if (c.p < c.end && (*c.p == '-' || g_ascii_isdigit (*c.p)))
            id_node = read_integer (&c);
        }
      else
        return FALSE;
      if (value == NULL && id_node == NULL)
        return FALSE;
    }
  if (value == NULL || id_node == NULL || !take (&c, '}'))
    return FALSE;
  skip_blanks (&c);
  if (c.p != c.end)
    return FALSE;
  *id = json_node_get_int (id_node);
  *ret = g_steal_pointer (&value);
  return TRUE;
}
