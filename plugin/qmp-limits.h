/* qmp-limits.h: what a device model may cost the toolstack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* The largest real replies are query-qmp-schema's: 207 KB in QEMU 7.2
 * (measured), about 420 KB in QEMU 9.x. 4 MiB admits the latter ten times
 * over, and HMP text from `human-monitor-command` on large guests; libxl
 * allows 1 MiB, but never asks for the schema. What a message may cost
 * once parsed is bounded by max-elements, not by its bytes. */
#define QMP_DEFAULT_MAX_MESSAGE_SIZE   (4u * 1024 * 1024)
/* Values in one message. QEMU 7.2's schema holds 15,742 (measured), QEMU
 * 9.x's about 32,000: 131,072 admits that four times over, while the tree
 * of any accepted message stays near 40 MB at worst (json-glib spends
 * about 300 bytes on an empty object, the costliest value per byte): ten
 * times max-message-size. Without it, 8 MiB of "{}," cost 829 MB. */
#define QMP_DEFAULT_MAX_ELEMENTS       131072u
/* Real replies nest about ten levels; json-glib recurses once per level,
 * so the bound also bounds the parser's stack use. */
#define QMP_DEFAULT_MAX_DEPTH          64u
/* The highest max-depth a caller may set. json-glib 1.6 takes about 112
 * bytes of stack per level (measured with valgrind's drd here), so 1,024
 * levels (QEMU's own limit) stay near 115 KiB: safe on a thread with a
 * 256 KiB stack, where 3,000 levels are not. */
#define QMP_MAX_DEPTH_CEILING          1024u
#define QMP_DEFAULT_MAX_QUEUED         4096u
/* Events a XenQmpClient keeps until its connect callback has run; events
 * a connection's QEMU may send while a _sync call waits (they are kept
 * for the application's context, which does not run meanwhile). */
#define QMP_DEFAULT_MAX_BUFFERED_EVENTS 1024u

typedef struct {
  gsize max_message_size;   /* bytes in one message, newline excluded */
  guint max_depth;          /* nesting of [ and { in one message */
  guint max_queued;         /* Active commands on one connection, and
                               unanswered ones no longer Active */
  gsize max_elements;       /* JSON values in one message */
  guint max_buffered_events; /* events kept while a _sync call waits */
} QmpLimits;

static inline void
qmp_limits_init (QmpLimits *limits)
{
  limits->max_message_size = QMP_DEFAULT_MAX_MESSAGE_SIZE;
  limits->max_depth = QMP_DEFAULT_MAX_DEPTH;
  limits->max_queued = QMP_DEFAULT_MAX_QUEUED;
  limits->max_elements = QMP_DEFAULT_MAX_ELEMENTS;
  limits->max_buffered_events = QMP_DEFAULT_MAX_BUFFERED_EVENTS;
}
