/* qmp-framer.c: splits QEMU's byte stream into messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-framer.h"

#include <gio/gio.h>
#include <string.h>

struct _QmpFramer {
  guint8 *buf;
  gsize   alloc;
  gsize   start;      /* first byte of the current message */
  gsize   scanned;    /* bytes [start, scanned) have been looked at */
  gsize   end;        /* bytes [0, end) hold data */
  gsize   consumed;   /* a message handed out ends here: drop it next call */

  /* JSON structure of the current message so far. */
  guint    depth;
  gboolean in_string;
  gboolean escaped;

  gsize max_message_size;
  guint max_depth;
};

QmpFramer *
qmp_framer_new (gsize max_message_size, guint max_depth)
{
  QmpFramer *framer = g_new0 (QmpFramer, 1);

  framer->max_message_size = max_message_size;
  framer->max_depth = max_depth;
  return framer;
}

void
qmp_framer_free (QmpFramer *framer)
{
  if (framer == NULL)
    return;
  g_free (framer->buf);
  g_free (framer);
}

static void
reset_structure (QmpFramer *framer)
{
  framer->depth = 0;
  framer->in_string = FALSE;
  framer->escaped = FALSE;
}

guint8 *
qmp_framer_reserve (QmpFramer *framer, gsize min, gsize *avail)
{
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

  for (gsize i = framer->scanned; i < framer->end; i++)
    {
      guint8 c = framer->buf[i];

      if (c == '\n')
        {
          gsize msg_len = i - framer->start;
          const guint8 *msg = framer->buf + framer->start;

          reset_structure (framer);
          framer->scanned = i + 1;
          framer->consumed = i + 1;
          if (is_blank (msg, msg_len))
            {
              framer->start = i + 1;
              continue;
            }
          if (msg[msg_len - 1] == '\r')
            msg_len--;
          *data = (const char *) msg;
          *len = msg_len;
          return QMP_FRAMER_MESSAGE;
        }

      if (framer->in_string)
        {
          if (framer->escaped)
            framer->escaped = FALSE;
          else if (c == '\\')
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
              return QMP_FRAMER_ERROR;
            }
        }
      else if ((c == '}' || c == ']') && framer->depth > 0)
        framer->depth--;

      if (i - framer->start >= framer->max_message_size)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "QEMU sent a message larger than %" G_GSIZE_FORMAT
                       " bytes (limit max-message-size)",
                       framer->max_message_size);
          return QMP_FRAMER_ERROR;
        }
    }
  framer->scanned = framer->end;

  /* Nothing buffered but an unfinished message: start over at offset 0 so
   * that the buffer does not creep forward. */
  if (framer->start == framer->end)
    framer->start = framer->scanned = framer->end = framer->consumed = 0;
  return QMP_FRAMER_NEED_MORE;
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
  if (qmp_framer_pending (framer) > 0)
    return;
  g_clear_pointer (&framer->buf, g_free);
  framer->alloc = framer->start = framer->scanned = framer->end = framer->consumed = 0;
  reset_structure (framer);
}
