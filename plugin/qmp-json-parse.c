/* qmp-json-parse.c: json-glib's parser, held to one value per text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib 1.6 reads '{"a": 1} {"b": 2}' without an error, keeps the last
 * value and leaks the ones before it; '1 2' or '[1] x' it refuses, leaking
 * the first value all the same. A QEMU could repeat such a message on
 * every connection the toolstack makes and grow the host process without
 * bound. The value's end is found first, and a text that goes on after it
 * never reaches json-glib.
 */
#include "config.h"

#include "qmp-json-parse.h"

#include <string.h>

static gboolean
is_blank (char ch)
{
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static gsize
skip_blanks (const char *data, gsize len, gsize i)
{
  while (i < len && is_blank (data[i]))
    i++;
  return i;
}

/* A number or a literal runs up to a blank or a structural character. */
static gboolean
ends_token (char ch)
{
  return is_blank (ch) || ch == '\0' || strchr (",:[]{}\"", ch) != NULL;
}

/* Where the string whose opening quote is at I - 1 ends (just after its
 * closing quote), or 0. memchr() finds each quote; one preceded by an odd
 * run of backslashes is escaped. */
static gsize
string_end (const char *data, gsize len, gsize i)
{
  for (;;)
    {
      const char *quote = memchr (data + i, '"', len - i);
      gsize q, backslashes = 0;

      if (quote == NULL)
        return 0;
      q = (gsize) (quote - data);
      while (q - backslashes > i && data[q - backslashes - 1] == '\\')
        backslashes++;
      i = q + 1;
      if (backslashes % 2 == 0)
        return i;
    }
}

gsize
qmp_json_value_end (const char *data, gsize len)
{
  /* The closing bracket each open container expects: on the stack up to
   * a depth no QEMU message reaches (the framer caps it at 1024). */
  guint8 inline_closers[1024];
  g_autofree guint8 *heap_closers = NULL;
  guint8 *closers = inline_closers;
  gsize depth = 0, cap = sizeof inline_closers;
  gsize i = skip_blanks (data, len, 0);

  if (i == len)
    return 0;
  do
    {
      char ch = data[i++];

      switch (ch)
        {
        case '"':
          i = string_end (data, len, i);
          if (i == 0)
            return 0;
          break;
        case '{':
        case '[':
          if (depth == cap)
            {
              guint8 *grown = g_malloc (cap * 2);

              memcpy (grown, closers, cap);
              g_free (heap_closers);
              heap_closers = closers = grown;
              cap *= 2;
            }
          closers[depth++] = ch == '{' ? '}' : ']';
          break;
        case '}':
        case ']':
          if (depth == 0 || closers[depth - 1] != (guint8) ch)
            return 0;
          depth--;
          break;
        default:
          if (depth == 0)
            while (i < len && !ends_token (data[i]))
              i++;
          break;
        }
    }
  while (depth > 0 && i < len);
  return depth == 0 ? i : 0;
}

gsize
qmp_json_text_after_value (const char *data, gsize len)
{
  gsize end = qmp_json_value_end (data, len), after;

  if (end == 0)
    return 0;
  after = skip_blanks (data, len, end);
  return after < len ? after : 0;
}

gboolean
qmp_json_parse (JsonParser *parser, const char *data, gsize len, GError **error)
{
  gsize after = qmp_json_text_after_value (data, len);

  if (after > 0)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                   "text after the end of the JSON value, at byte %" G_GSIZE_FORMAT, after);
      return FALSE;
    }
  return json_parser_load_from_data (parser, data, (gssize) len, error);
}
