/* utf8.h: QEMU's "modified UTF-8", as its JSON parser and writer use it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Decodes one character of S (AVAIL > 0 bytes) the way QEMU does: returns
 * the code point, or -1 for an invalid, overlong (except "\xC0\x80", which
 * is U+0000), surrogate, noncharacter or out-of-range sequence. *CONSUMED is
 * how far to skip: an invalid sequence is skipped up to its first byte that
 * is not a continuation byte. */
gint32 fake_utf8_decode (const char *s,
                         gsize       avail,
                         gsize      *consumed);

/* Encodes CP into BUF (at least 4 bytes; U+0000 becomes "\xC0\x80" so that
 * strings stay NUL-terminated). Returns the length, or 0 if QEMU would
 * refuse the code point. */
gsize  fake_utf8_encode (gint32      cp,
                         char       *buf);
