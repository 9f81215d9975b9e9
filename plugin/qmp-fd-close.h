/* qmp-fd-close.h: receiving and closing descriptors a device model sends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gssize qmp_fd_receive         (int       sock,
                               void     *buf,
                               gsize     len,
                               guint    *n_fds);
void   qmp_fd_close_untrusted (int       fd);
void   qmp_fd_close_socket    (int       sock);

G_END_DECLS
