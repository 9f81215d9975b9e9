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
#include "qmp-json-scan.h"

#include <math.h>
#include <string.h>

/* Strings are unescaped into ARENA, a stack: a member's name stays there
 * while its value is read, and json-glib copies both anyway. Only a
 * document whose strings outgrow it pays for heap copies. */
#define ARENA_SIZE 512

typedef struct {
  const char *p;
  const char *end;
  gsize       top;
  char        arena[ARENA_SIZE];
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

/* Room for LEN bytes and a NUL: on the arena when they fit. */
static char *
string_alloc (Cursor *c, gsize len)
{
  char *s;

  if (len >= ARENA_SIZE - c->top)
    return g_malloc (len + 1);
  s = c->arena + c->top;
  c->top += len + 1;
  return s;
}

/* Frees S, and every string read after it. */
static void
string_release (Cursor *c, char *s)
{
  if (s == NULL)
    return;
  if (s >= c->arena && s < c->arena + ARENA_SIZE)
    c->top = (gsize) (s - c->arena);
  else
    g_free (s);
}

/* One escape after its backslash, or -1 for json-glib to decide: \u
 * (surrogates, NUL...) and invalid escapes. */
static int
unescape (char ch)
{
  switch (ch)
    {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return -1;
    }
}

static int
hex4 (const char *p, const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;
  for (int k = 0; k < 4; k++)
    {
      int d = g_ascii_xdigit_value (p[k]);

      if (d < 0)
        return -1;
      value = value * 16 + d;
    }
  return value;
}

/* The character of a \u escape whose 'u' is at the cursor, a surrogate
 * pair taken whole; the cursor passes it. 0 for an escape that is not a
 * character json-glib can hold (\u0000, an unpaired surrogate): the scan
 * refuses those, and so does this reader. Each escape is at least as long
 * as the UTF-8 it becomes, so the output never outgrows the input. */
static gunichar
read_unicode_escape (Cursor *c, const char *end)
{
  int cp = hex4 (c->p + 1, end), low;

  if (cp <= 0 || (cp >= 0xdc00 && cp <= 0xdfff))
    return 0;
  c->p += 5;
  if (cp < 0xd800 || cp > 0xdbff)
    return (gunichar) cp;
  if (end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
    return 0;
  low = hex4 (c->p + 2, end);
  if (low < 0xdc00 || low > 0xdfff)
    return 0;
  c->p += 6;
  return 0x10000 + (((gunichar) cp - 0xd800) << 10) + ((gunichar) low - 0xdc00);
}

/* A string at the cursor (after its opening quote is checked here),
 * unescaped, to give back with string_release(); NULL to give up. */
static char *
read_string (Cursor *c)
{
  const char *start, *q;
  char *out, *w;

  if (c->p >= c->end || *c->p != '"')
    return NULL;
  start = ++c->p;
  /* The common case: no escape at all. */
  while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (guchar) *c->p >= 0x20)
    c->p++;
  if (c->p < c->end && *c->p == '"')
    {
      gsize len = (gsize) (c->p++ - start);

      out = string_alloc (c, len);
      memcpy (out, start, len);
      out[len] = '\0';
      return out;
    }

  /* Escapes: find the end first, so that the unescaped string (never
   * longer) is written once. */
  for (q = c->p; q < c->end && *q != '"'; q++)
    {
      if ((guchar) *q < 0x20)
        return NULL;
      if (*q == '\\' && ++q == c->end)
        return NULL;
    }
  if (q >= c->end)
    return NULL;
  out = w = string_alloc (c, (gsize) (q - start));
  memcpy (w, start, (gsize) (c->p - start));
  w += c->p - start;
  while (c->p < q)
    {
      char ch = *c->p++;
      int e;

      if (ch != '\\')
        {
          *w++ = ch;
          continue;
        }
      if (*c->p == 'u')
        {
          gunichar cp = read_unicode_escape (c, q);

          if (cp == 0)
            {
              string_release (c, out);
              return NULL;
            }
          w += g_unichar_to_utf8 (cp, w);
          continue;
        }
      e = unescape (*c->p++);
      if (e < 0)
        {
          string_release (c, out);
          return NULL;
        }
      *w++ = (char) e;
    }
  *w = '\0';
  c->p = q + 1;
  return out;
}

/* -?(0|[1-9][0-9]*) within 64 bits; anything else gives up. Values from
 * 2^63 to 2^64-1 (QEMU's uint64 and size) are kept as the int64 with the
 * same 64 bits: *OUT cast to guint64 is the exact value. */
static gboolean
parse_integer (Cursor *c, gint64 *out)
{
  gboolean negative = FALSE;
  guint64 value = 0;
  const char *digits;

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
        return FALSE;
      value = value * 10 + d;
      c->p++;
    }
  if (c->p == digits || (c->p - digits > 1 && *digits == '0'))
    return FALSE;
  if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
    return FALSE;
  if (negative && value > (guint64) G_MAXINT64 + 1)
    return FALSE;
  *out = negative ? (gint64) (0 - value) : (gint64) value;
  return TRUE;
}


/* A number with a fraction or an exponent, or an integer beyond the
 * 64-bit ranges: a double, as QEMU's own parser makes it. */
static JsonNode *
read_double (Cursor *c, const char *start)
{
  char buf[QMP_JSON_MAX_NUMBER_LEN + 1];
  const char *p = start;
  char *parsed_end;
  double value;
  JsonNode *node;

  /* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and nothing strtod()
   * would take beyond it ("01", "1.", ".5"). */
  if (p < c->end && *p == '-')
    p++;
  if (p == c->end || !g_ascii_isdigit (*p) || (*p == '0' && p + 1 < c->end && g_ascii_isdigit (p[1])))
    return NULL;
  while (p < c->end && g_ascii_isdigit (*p))
    p++;
  if (p < c->end && *p == '.')
    {
      if (++p == c->end || !g_ascii_isdigit (*p))
        return NULL;
      while (p < c->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < c->end && (*p == 'e' || *p == 'E'))
    {
      if (++p < c->end && (*p == '+' || *p == '-'))
        p++;
      if (p == c->end || !g_ascii_isdigit (*p))
        return NULL;
      while (p < c->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p - start > QMP_JSON_MAX_NUMBER_LEN)
    return NULL;
  memcpy (buf, start, (gsize) (p - start));
  buf[p - start] = '\0';
  value = g_ascii_strtod (buf, &parsed_end);
  if (parsed_end != buf + (p - start) || isinf (value) || isnan (value))
    return NULL;
  c->p = p;
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_double (node, value);
  return node;
}

static JsonNode *
read_number (Cursor *c)
{
  const char *start = c->p;
  gint64 value;
  JsonNode *node;

  if (!parse_integer (c, &value))
    {
      c->p = start;
      return read_double (c, start);
    }
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (node, value);
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

/* Containers are made first, so that each child is given its parent as it
 * is read: json-glib's parser sets json_node_get_parent() too. */
static JsonNode *
read_object (Cursor *c)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  guint n_members = 0;

  json_node_take_object (node, object);
  c->p++;
  if (!take (c, '}'))
    for (;;)
      {
        char *name;
        JsonNode *value;

        skip_blanks (c);
        name = read_string (c);
        if (name == NULL)
          return NULL;
        value = take (c, ':') ? read_value (c) : NULL;
        if (value != NULL)
          {
            json_node_set_parent (value, node);
            json_object_set_member (object, name, value);
          }
        string_release (c, name);
        if (value == NULL)
          return NULL;
        n_members++;
        if (take (c, '}'))
          break;
        if (!take (c, ','))
          return NULL;
      }
  /* A member given twice replaced the first: fewer members than read.
   * Counting costs less than a lookup before every member. */
  if (json_object_get_size (object) != n_members)
    return NULL;
  return g_steal_pointer (&node);
}

static JsonNode *
read_array (Cursor *c)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  json_node_take_array (node, array);
  c->p++;
  if (!take (c, ']'))
    for (;;)
      {
        JsonNode *value = read_value (c);

        if (value == NULL)
          return NULL;
        json_node_set_parent (value, node);
        json_array_add_element (array, value);
        if (take (c, ']'))
          break;
        if (!take (c, ','))
          return NULL;
      }
  return g_steal_pointer (&node);
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
        char *s = read_string (c);
        JsonNode *node;

        if (s == NULL)
          return NULL;
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, s);
        string_release (c, s);
        return node;
      }
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return read_number (c);
    default:
      return read_literal (c);
    }
}

JsonNode *
qmp_json_read (const char *data, gsize len)
{
  Cursor c = { .p = data, .end = data + len };
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

/* Whether the cursor is at member name NAME (written with its quotes),
 * which it then passes. Names with escapes are not recognised: json-glib
 * reads those messages. */
static gboolean
take_name (Cursor *c, const char *quoted, gsize len)
{
  if ((gsize) (c->end - c->p) < len || memcmp (c->p, quoted, len) != 0)
    return FALSE;
  c->p += len;
  return TRUE;
}

gboolean
qmp_json_read_reply (const char *data, gsize len, JsonNode **ret, gint64 *id)
{
  Cursor c = { .p = data, .end = data + len };
  g_autoptr(JsonNode) value = NULL;
  gboolean have_id = FALSE;
  gint64 id_value = 0;

  if (!take (&c, '{'))
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      if (i > 0 && !take (&c, ','))
        return FALSE;
      skip_blanks (&c);
      if (value == NULL && take_name (&c, "\"return\"", 8))
        {
          if (!take (&c, ':') || (value = read_value (&c)) == NULL)
            return FALSE;
        }
      else if (!have_id && take_name (&c, "\"id\"", 4))
        {
          if (!take (&c, ':'))
            return FALSE;
          skip_blanks (&c);
          if (c.p >= c.end || !(*c.p == '-' || g_ascii_isdigit (*c.p))
              || !parse_integer (&c, &id_value))
            return FALSE;
          have_id = TRUE;
        }
      else
        return FALSE;
    }
  if (!take (&c, '}'))
    return FALSE;
  skip_blanks (&c);
  if (c.p != c.end)
    return FALSE;
  *id = id_value;
  *ret = g_steal_pointer (&value);
  return TRUE;
}
