/* qmp-framer.c: splits QEMU's byte stream into messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-framer.h"

#include <gio/gio.h>
#include <string.h>

struct _QmpFramer {
  guint8 *buf;        /* the framer's own, or lent */
  gsize   alloc;
  guint8 *own;        /* the framer's own while BUF is lent */
  gsize   own_alloc;
  gboolean lent;
  gsize   start;      /* first byte of the current message */
  gsize   scanned;    /* bytes [start, scanned) have been looked at */
  gsize   end;        /* bytes [0, end) hold data */
  gsize   consumed;   /* a message handed out ends here: drop it next call */

  /* JSON structure of the current message so far. */
  guint    depth;
  gboolean in_string;
  gboolean escaped;
  gsize    opens;      /* at least the [ and { seen, in strings too */
  gboolean exact;      /* OPENS can exceed max_depth: track nesting */

  gsize max_message_size;
  guint max_depth;
};

static void
reset_structure (QmpFramer *framer)
{
  framer->depth = 0;
  framer->in_string = FALSE;
  framer->escaped = FALSE;
  framer->opens = 0;
  framer->exact = FALSE;
}

/* What each byte means to the scan: most bytes mean nothing, and runs of
 * them are skipped by a tight loop (make bench-callgrind: the scan used
 * to cost 20 instructions a byte). */
enum {
  STOP_IN_STRING  = 1 << 0,   /* " \\ newline */
  STOP_OUTSIDE    = 1 << 1,   /* " { [ } ] newline */
};

static guint8 byte_class[256];

static void
init_byte_class (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  byte_class['\n'] = STOP_IN_STRING | STOP_OUTSIDE;
  byte_class['"'] = STOP_IN_STRING | STOP_OUTSIDE;
  byte_class['\\'] = STOP_IN_STRING;
  byte_class['{'] = byte_class['['] = STOP_OUTSIDE;
  byte_class['}'] = byte_class[']'] = STOP_OUTSIDE;
  g_once_init_leave (&done, 1);
}

QmpFramer *
qmp_framer_new (gsize max_message_size, guint max_depth)
{
  QmpFramer *framer = g_new0 (QmpFramer, 1);

  init_byte_class ();
  framer->max_message_size = max_message_size;
  framer->max_depth = max_depth;
  return framer;
}

void
qmp_framer_free (QmpFramer *framer)
{
  if (framer == NULL)
    return;
  g_free (framer->lent ? framer->own : framer->buf);
  g_free (framer);
}

guint8 *
qmp_framer_reserve (QmpFramer *framer, gsize min, gsize *avail)
{
  g_assert (!framer->lent);
  /* Move the unfinished message to the front instead of growing whenever
   * that frees enough room: each byte moves at most once per message, so
   * the cost stays linear. */
  if (framer->alloc - framer->end < min && framer->start > 0)
    {
      gsize live = framer->end - framer->start;

      memmove (framer->buf, framer->buf + framer->start, live);
      framer->scanned -= framer->start;
      framer->consumed = framer->consumed > framer->start
                         ? framer->consumed - framer->start : 0;
      framer->end = live;
      framer->start = 0;
    }
  if (framer->alloc - framer->end < min)
    {
      gsize want = MAX (framer->alloc * 2, framer->end + min);

      framer->buf = g_realloc (framer->buf, want);
      framer->alloc = want;
    }
  *avail = framer->alloc - framer->end;
  return framer->buf + framer->end;
}

void
qmp_framer_commit (QmpFramer *framer, gsize n_read)
{
  g_assert (!framer->lent);
  g_assert (n_read <= framer->alloc - framer->end);
  framer->end += n_read;
}

static gboolean
is_blank (const guint8 *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
      return FALSE;
  return TRUE;
}

/* How many bytes of P are [ or {, or more (never fewer), eight bytes at a
 * time. A message with no
 * more brackets than max_depth cannot nest deeper, so most messages are
 * never scanned byte by byte (make bench-callgrind: 1,300 instructions a
 * reply down to about 200). */
static gsize
count_opens (const guint8 *p, gsize n)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  /* '[' (0x5b) and '{' (0x7b) differ only in bit 0x20. */
  const guint64 bit5 = G_GUINT64_CONSTANT (0x2020202020202020);
  const guint64 open = G_GUINT64_CONSTANT (0x7b7b7b7b7b7b7b7b);
  gsize count = 0;

  for (; n >= 8; p += 8, n -= 8)
    {
      guint64 w, x;

      memcpy (&w, p, sizeof w);
      x = (w | bit5) ^ open;
      /* High bit of each zero byte (and, after a zero byte, maybe of a
       * byte that is not: an overcount, which is safe). Those bits, moved
       * to bit 0 of their bytes, are summed by one multiplication into
       * the top byte: without -mpopcnt, __builtin_popcountll is a libgcc
       * call of about 200 instructions a reply. */
      count += (gsize) (((((x - ones) & ~x & highs) >> 7) * ones) >> 56);
    }
  for (; n > 0; p++, n--)
    count += (*p | 0x20) == 0x7b;
  return count;
}

/* Follows the JSON structure of bytes [FROM, STOP), which hold no newline. */
static gboolean
scan_structure (QmpFramer *framer, gsize from, gsize stop, GError **error)
{
  const guint8 *buf = framer->buf;

  for (gsize i = from; i < stop; i++)
    {
      guint8 c;

      if (!framer->escaped)
        {
          guint8 mask = framer->in_string ? STOP_IN_STRING : STOP_OUTSIDE;

          while (i < stop && !(byte_class[buf[i]] & mask))
            i++;
          if (i == stop)
            break;
        }
      c = buf[i];
      if (framer->escaped)
        framer->escaped = FALSE;
      else if (framer->in_string)
        {
          if (c == '\\')
            framer->escaped = TRUE;
          else if (c == '"')
            framer->in_string = FALSE;
        }
      else if (c == '"')
        framer->in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++framer->depth > framer->max_depth)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "QEMU sent JSON nested more than %u levels deep "
                           "(limit max-depth)", framer->max_depth);
              return FALSE;
            }
        }
      else if ((c == '}' || c == ']') && framer->depth > 0)
        framer->depth--;
    }
  return TRUE;
}

QmpFramerResult
qmp_framer_next (QmpFramer    *framer,
                 const char  **data,
                 gsize        *len,
                 GError      **error)
{
  if (framer->consumed > framer->start)
    {
      framer->start = framer->consumed;
      framer->scanned = MAX (framer->scanned, framer->start);
    }

  while (framer->scanned < framer->end)
    {
      gsize from = framer->scanned;
      const guint8 *nl = memchr (framer->buf + from, '\n', framer->end - from);
      gsize stop = nl != NULL ? (gsize) (nl - framer->buf) : framer->end;

      if (stop - framer->start > framer->max_message_size)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "QEMU sent a message larger than %" G_GSIZE_FORMAT
                       " bytes (limit max-message-size)",
                       framer->max_message_size);
          return QMP_FRAMER_ERROR;
        }
      if (!framer->exact)
        {
          framer->opens += count_opens (framer->buf + from, stop - from);
          if (framer->opens > framer->max_depth)
            {
              /* It might nest too deep: follow it from its start. */
              framer->exact = TRUE;
              from = framer->start;
            }
        }
      if (framer->exact && !scan_structure (framer, from, stop, error))
        return QMP_FRAMER_ERROR;
      framer->scanned = stop;
      if (nl == NULL)
        break;

      {
        gsize msg_len = stop - framer->start;
        const guint8 *msg = framer->buf + framer->start;

        reset_structure (framer);
        framer->scanned = framer->consumed = stop + 1;
        if (is_blank (msg, msg_len))
          {
            framer->start = stop + 1;
            continue;
          }
        if (msg[msg_len - 1] == '\r')
          msg_len--;
        *data = (const char *) msg;
        *len = msg_len;
        return QMP_FRAMER_MESSAGE;
      }
    }

  /* Nothing buffered but an unfinished message: start over at offset 0 so
   * that the buffer does not creep forward. */
  if (framer->start == framer->end)
    framer->start = framer->scanned = framer->end = framer->consumed = 0;
  return QMP_FRAMER_NEED_MORE;
}

gboolean
qmp_framer_lend (QmpFramer *framer, guint8 *data, gsize len)
{
  if (framer->lent || qmp_framer_pending (framer) > 0)
    return FALSE;
  framer->own = framer->buf;
  framer->own_alloc = framer->alloc;
  framer->buf = data;
  framer->alloc = framer->end = len;
  framer->start = framer->scanned = framer->consumed = 0;
  reset_structure (framer);
  framer->lent = TRUE;
  return TRUE;
}

void
qmp_framer_unlend (QmpFramer *framer)
{
  const guint8 *data = framer->buf;
  gsize live;

  g_return_if_fail (framer->lent);
  /* Drop the message handed out last, as the next call would. */
  if (framer->consumed > framer->start)
    {
      framer->start = framer->consumed;
      framer->scanned = MAX (framer->scanned, framer->start);
    }
  live = framer->end - framer->start;
  framer->buf = g_steal_pointer (&framer->own);
  framer->alloc = framer->own_alloc;
  framer->lent = FALSE;
  if (live > framer->alloc)
    {
      framer->buf = g_realloc (framer->buf, live);
      framer->alloc = live;
    }
  /* The unfinished message, with what is known of its structure. */
  if (live > 0)
    memcpy (framer->buf, data + framer->start, live);
  framer->scanned -= framer->start;
  framer->end = live;
  framer->start = framer->consumed = 0;
}

gsize
qmp_framer_pending (QmpFramer *framer)
{
  gsize start = MAX (framer->start, framer->consumed);

  return framer->end > start ? framer->end - start : 0;
}

void
qmp_framer_release_if_empty (QmpFramer *framer)
{
  if (qmp_framer_pending (framer) > 0 || framer->lent)
    return;
  g_clear_pointer (&framer->buf, g_free);
  framer->alloc = framer->start = framer->scanned = framer->end = framer->consumed = 0;
  reset_structure (framer);
}
