/* qmp-poller.h: one epoll fd per GMainContext for every QMP socket on it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "qmp-io-context.h"

/* GLib walks every source of a context and polls every fd it was given on
 * each iteration: measured here, 1,000 sources cost a management app
 * ~43 us per iteration even without fds, ~160 us with one fd each. So the
 * sockets of a context share one source and one epoll fd (the only fd in
 * GLib's poll set), and only the sockets that are ready get called. */

typedef struct _QmpPoller      QmpPoller;
typedef struct _QmpPollerWatch QmpPollerWatch;

/* Called from the context with the conditions FD is ready for. */
typedef void (*QmpPollerFunc) (int           fd,
                               GIOCondition  revents,
                               gpointer      user_data);

/* The poller of IO's application context, made on first use; a
 * reference. Its source is in the application's context; while a _sync
 * call iterates IO's own context, a twin there serves the same sockets.
 * NULL, with an
 * error, when no epoll instance can be had (out of descriptors or of
 * memory: G_IO_ERROR_TOO_MANY_OPEN_FILES, G_IO_ERROR_NO_SPACE...): a
 * resource the process lacks fails the command, never the process. */
QmpPoller      *qmp_poller_get             (QmpIoContext   *io,
                                            GError        **error);
void            qmp_poller_unref           (QmpPoller      *poller);

/* One buffer for the reads of all the sockets of the context, lent to one
 * read at a time: NULL while lent (to a read whose callback runs a nested
 * main loop). Only poller callbacks borrow it, and GLib holds the source
 * while it dispatches: the buffer outlives the borrowing dispatch even if
 * the poller's last reference goes meanwhile (it is freed with the
 * source). */
#define QMP_POLLER_READ_BUFFER_SIZE (64 * 1024)
guint8         *qmp_poller_borrow_read_buffer (QmpPoller   *poller);
void            qmp_poller_return_read_buffer (QmpPoller   *poller);

/* Watches FD for reading (and for writing while asked to). The fd stays
 * the caller's; remove the watch before closing it. NULL, with an error,
 * when epoll cannot take it (the kernel's max_user_watches, memory). */
QmpPollerWatch *qmp_poller_add             (QmpPoller      *poller,
                                            int             fd,
                                            QmpPollerFunc   func,
                                            gpointer        user_data,
                                            GError        **error);
void            qmp_poller_set_want_write  (QmpPollerWatch *watch,
                                            gboolean        want_write);
/* Calls the watch's function with G_IO_OUT at the next dispatch of the
 * context (in the current one when called from a poller callback),
 * without waiting for epoll: for output to a socket whose buffer has room,
 * as it nearly always has. After a write that found it full, use
 * qmp_poller_set_want_write(). */
void            qmp_poller_request_write   (QmpPollerWatch *watch);
/* Safe from inside any poller callback, the watch's own included. */
void            qmp_poller_remove          (QmpPollerWatch *watch);

/* How many sockets the poller of CONTEXT watches (for tests). */
guint           qmp_poller_count           (QmpPoller      *poller);
