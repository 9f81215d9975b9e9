/* escape.c: QEMU's text made safe to print on a terminal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "escape.h"

#include <string.h>

/* What a terminal acts on rather than shows: C0 and C1 controls (C1 as
 * UTF-8 too: some terminals take U+009B for CSI), DEL, the bidirectional
 * overrides, embeddings, isolates and marks that reorder the rest of a
 * line, and the separators that break one. */
static gboolean
is_unsafe (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c < 0xa0)
         || c == 0x061c || c == 0x200e || c == 0x200f
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
         || c == 0x2028 || c == 0x2029;
}

/* The character at P (at most END - P bytes), its length in *LEN; -1 for a
 * byte that does not begin valid UTF-8 (then *LEN is 1). */
static gunichar
next_char (const char *p, const char *end, gsize *len)
{
  gunichar c = g_utf8_get_char_validated (p, end - p);

  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      *len = 1;
      return (gunichar) -1;
    }
  *len = g_utf8_next_char (p) - p;
  return c;
}

typedef enum {
  KEEP_NEWLINES  = 1 << 0,
  KEEP_BACKSLASH = 1 << 1,
} Keep;

static char *
escape_text (const char *text, Keep keep)
{
  const char *end = text + strlen (text);
  GString *out = g_string_sized_new (end - text);

  for (const char *p = text; p < end;)
    {
      gsize len;
      gunichar c = next_char (p, end, &len);

      if (c == (gunichar) -1
          || (c < 0x80 && is_unsafe (c) && !((keep & KEEP_NEWLINES) && c == '\n')))
        g_string_append_printf (out, "\\x%02x", (guchar) *p);
      else if (c == '\\' && !(keep & KEEP_BACKSLASH))
        g_string_append (out, "\\\\");
      else if (c >= 0x80 && is_unsafe (c))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, len);
      p += len;
    }
  return g_string_free (out, FALSE);
}

char *
tool_escape_text (const char *text)
{
  return escape_text (text, 0);
}

char *
tool_escape_lines (const char *text)
{
  return escape_text (text, KEEP_NEWLINES);
}

char *
tool_escape_log (const char *text)
{
  return escape_text (text, KEEP_NEWLINES | KEEP_BACKSLASH);
}

char *
tool_escape_json (const char *json)
{
  const char *end = json + strlen (json);
  GString *out = g_string_sized_new (end - json);
  gboolean in_string = FALSE;

  for (const char *p = json; p < end;)
    {
      gsize len;
      gunichar c = next_char (p, end, &len);

      if (!in_string)
        in_string = c == '"';
      else if (c == '"')
        in_string = FALSE;
      else if (c == '\\' && p + 1 < end)
        len = 2;   /* the generator's own escape: \" or \\ or \n or \u... */
      else if (c == (gunichar) -1)
        {
          /* JSON has no bytes, only characters. */
          g_string_append (out, "\\ufffd");
          p += len;
          continue;
        }
      else if (is_unsafe (c))
        {
          g_string_append_printf (out, "\\u%04x", c);
          p += len;
          continue;
        }
      g_string_append_len (out, p, len);
      p += len;
    }
  return g_string_free (out, FALSE);
}

gboolean
tool_escape_is_plain (const char *text)
{
  const char *end = text + strlen (text);

  for (const char *p = text; p < end;)
    {
      gsize len;
      gunichar c = next_char (p, end, &len);

      if (c == (gunichar) -1 || c == '\\' || is_unsafe (c))
        return FALSE;
      p += len;
    }
  return TRUE;
}
