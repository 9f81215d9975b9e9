/* utf8.c: QEMU's "modified UTF-8"
 *
 * QEMU validates strings with its own rules rather than GLib's: U+0000 is
 * allowed as "\xC0\x80", noncharacters are refused, and an invalid sequence
 * is skipped only up to the byte that broke it. The error messages and the
 * \uFFFD replacements that a client sees depend on these details.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "utf8.h"

static gboolean
is_valid_codepoint (gint64 cp)
{
  if (cp < 0 || cp > 0x10FFFF)
    return FALSE;
  if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
    return FALSE;
  if (cp >= 0xD800 && cp <= 0xDFFF)
    return FALSE;
  return TRUE;
}

gint32
fake_utf8_decode (const char *s, gsize avail, gsize *consumed)
{
  static const gint64 shortest[] = { 0x80, 0x800, 0x10000, 0x200000, 0x4000000 };
  guchar lead = (guchar) s[0];
  guint len = 0;
  gint64 cp;

  *consumed = 1;
  if (lead < 0x80)
    return lead;
  /* 0x80..0xBF cannot start a sequence; 0xFE and 0xFF never occur. */
  if (lead >= 0xFE || (lead & 0x40) == 0)
    return -1;

  for (guchar mask = 0x80; lead & mask; mask >>= 1)
    len++;
  cp = lead & (0xFF >> (len + 1));
  for (guint i = 1; i < len; i++)
    {
      guchar byte = i < avail ? (guchar) s[i] : 0;

      if ((byte & 0xC0) != 0x80)
        {
          *consumed = i;
          return -1;
        }
      cp = (cp << 6) | (byte & 0x3F);
    }
  *consumed = len;
  if (!is_valid_codepoint (cp))
    return -1;
  if (cp < shortest[len - 2] && !(cp == 0 && len == 2))
    return -1;
  return (gint32) cp;
}

gsize
fake_utf8_encode (gint32 cp, char *buf)
{
  if (!is_valid_codepoint (cp))
    return 0;
  if (cp > 0 && cp < 0x80)
    {
      buf[0] = (char) cp;
      return 1;
    }
  if (cp < 0x800)
    {
      buf[0] = (char) (0xC0 | (cp >> 6));
      buf[1] = (char) (0x80 | (cp & 0x3F));
      return 2;
    }
  if (cp < 0x10000)
    {
      buf[0] = (char) (0xE0 | (cp >> 12));
      buf[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
      buf[2] = (char) (0x80 | (cp & 0x3F));
      return 3;
    }
  buf[0] = (char) (0xF0 | (cp >> 18));
  buf[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
  buf[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
  buf[3] = (char) (0x80 | (cp & 0x3F));
  return 4;
}
