/* qmp-framer.h: splits QEMU's byte stream into messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* QEMU ends every message with a newline and never puts a raw newline
 * inside one (JSON escapes it in strings), so a message is a line. While
 * it looks for the newline, the framer also tracks JSON nesting outside
 * strings: both limits are enforced as the bytes arrive, before json-glib
 * (which recurses) sees them, and each byte is looked at once. */

typedef struct _QmpFramer QmpFramer;

typedef enum {
  QMP_FRAMER_NEED_MORE,   /* no complete message buffered */
  QMP_FRAMER_MESSAGE,     /* *data, *len hold one message */
  QMP_FRAMER_ERROR,       /* a limit was broken: the stream is unusable */
} QmpFramerResult;

QmpFramer      *qmp_framer_new          (gsize      max_message_size,
                                         guint      max_depth);
void            qmp_framer_free         (QmpFramer *framer);

/* Space to read() into: at least MIN bytes, *avail says how many. */
guint8         *qmp_framer_reserve      (QmpFramer *framer,
                                         gsize      min,
                                         gsize     *avail);
void            qmp_framer_commit       (QmpFramer *framer,
                                         gsize      n_read);

/* The next message, valid until the next call on the framer. Blank lines
 * are skipped; a trailing "\r" is removed. */
QmpFramerResult qmp_framer_next         (QmpFramer   *framer,
                                         const char **data,
                                         gsize       *len,
                                         GError     **error);

/* Frees the buffer when it holds no unfinished message. */
/* Frames LEN bytes at DATA, which stay the caller's, when the framer
 * holds no unfinished message (FALSE otherwise): messages are handed out
 * from DATA itself. qmp_framer_unlend() must follow before DATA changes;
 * it copies an unfinished message into the framer's own buffer. For a
 * buffer shared by many connections: an idle one then holds none, and a
 * small reply costs no allocation. */
gboolean        qmp_framer_lend         (QmpFramer   *framer,
                                         guint8      *data,
                                         gsize        len);
void            qmp_framer_unlend       (QmpFramer   *framer);

void            qmp_framer_release_if_empty (QmpFramer *framer);

/* Bytes of an unfinished message (at EOF: data cut off mid-message). */
gsize           qmp_framer_pending      (QmpFramer *framer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpFramer, qmp_framer_free)
