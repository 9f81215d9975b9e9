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

gsize
qmp_json_value_end (const char *data, gsize len)
{
  /* The closing bracket each open container expects; on the heap, as
   * only texts json-glib is given come here. */
  g_autoptr(GByteArray) open = g_byte_array_new ();
  gsize i = skip_blanks (data, len, 0);

  if (i == len)
    return 0;
  do
    {
      char ch = data[i++];
      guint8 closer;

      switch (ch)
        {
        case '"':
          for (;; i++)
            {
              if (i >= len)
                return 0;
              if (data[i] == '\\')
                i++;
              else if (data[i] == '"')
                break;
            }
          i++;
          break;
        case '{':
        case '[':
          closer = ch == '{' ? '}' : ']';
          g_byte_array_append (open, &closer, 1);
          break;
        case '}':
        case ']':
          if (open->len == 0 || open->data[open->len - 1] != (guint8) ch)
            return 0;
          g_byte_array_set_size (open, open->len - 1);
          break;
        default:
          if (open->len == 0)
            while (i < len && !ends_token (data[i]))
              i++;
          break;
        }
    }
  while (open->len > 0 && i < len);
  return open->len == 0 ? i : 0;
}

gboolean
qmp_json_parse (JsonParser *parser, const char *data, gsize len, GError **error)
{
  gsize end = qmp_json_value_end (data, len);

  if (end > 0 && skip_blanks (data, len, end) < len)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                   "text after the end of the JSON value, at byte %" G_GSIZE_FORMAT,
                   skip_blanks (data, len, end));
      return FALSE;
    }
  return json_parser_load_from_data (parser, data, (gssize) len, error);
}
