/* qmp-socket-source.h: the GSource of one QMP socket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Called with the conditions the socket is ready for. Returning
 * G_SOURCE_REMOVE destroys the source. */
typedef gboolean (*QmpSocketFunc) (int          fd,
                                   GIOCondition revents,
                                   gpointer     user_data);

/* A source watching FD for reading (always) and for writing (only while
 * qmp_socket_source_set_want_write() says so, or the main loop would spin
 * on an always-writable socket). The fd stays the caller's. */
GSource *qmp_socket_source_new            (int       fd);
void     qmp_socket_source_set_want_write (GSource  *source,
                                           gboolean  want_write);
