/* qmp-limits.h: what a device model may cost the toolstack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* QEMU 7.2's query-qmp-schema reply is about 200 KiB: 8 MiB admits it forty
 * times over while keeping a hostile device model's cost per connection
 * bounded (libxl allows 1 MiB, libvirt 10 MiB). */
#define QMP_DEFAULT_MAX_MESSAGE_SIZE   (8u * 1024 * 1024)
/* Real replies nest about ten levels; json-glib recurses once per level,
 * so the bound also bounds the parser's stack use. */
#define QMP_DEFAULT_MAX_DEPTH          64u
/* The highest max-depth a caller may set. json-glib 1.6 takes about 112
 * bytes of stack per level (measured with valgrind's drd here), so 1,024
 * levels (QEMU's own limit) stay near 115 KiB: safe on a thread with a
 * 256 KiB stack, where 3,000 levels are not. */
#define QMP_MAX_DEPTH_CEILING          1024u
#define QMP_DEFAULT_MAX_QUEUED         4096u
/* Events a XenQmpClient keeps until its connect callback has run. */
#define QMP_DEFAULT_MAX_BUFFERED_EVENTS 1024u

typedef struct {
  gsize max_message_size;   /* bytes in one message, newline excluded */
  guint max_depth;          /* nesting of [ and { in one message */
  guint max_queued;         /* Active commands on one connection */
} QmpLimits;

static inline void
qmp_limits_init (QmpLimits *limits)
{
  limits->max_message_size = QMP_DEFAULT_MAX_MESSAGE_SIZE;
  limits->max_depth = QMP_DEFAULT_MAX_DEPTH;
  limits->max_queued = QMP_DEFAULT_MAX_QUEUED;
}
