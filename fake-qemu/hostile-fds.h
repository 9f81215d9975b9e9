/* hostile-fds.h: descriptors a hostile device model passes, for "send-fds"
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FAKE_FD_DEV_NULL,             /* /dev/null: harmless to close */
  FAKE_FD_LINGERING_TCP,        /* closing it blocks for its linger time */
  FAKE_FD_NESTED_LINGERING_TCP, /* a unix socket with one of those queued */
} FakeFdKind;

gboolean fake_fd_kind_from_string (const char  *name,
                                   FakeFdKind  *kind);
int      fake_hostile_fd_new      (FakeFdKind   kind,
                                   guint        linger_s);
void     fake_hostile_fd_discard  (int          fd);

G_END_DECLS
