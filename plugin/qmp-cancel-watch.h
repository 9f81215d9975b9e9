/* qmp-cancel-watch.h: a GCancellable's cancellation, as a source of a context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

/* g_cancellable_source_new() without its race: in GLib before 2.82, a
 * GCancellableSource freed while another thread is inside
 * g_cancellable_cancel() is resurrected and never freed (GLib issue 3448;
 * LeakSanitizer caught it in tests/test-sync-context). Here the cancelling
 * thread only marks the source ready, under a lock that
 * qmp_cancel_watch_free() takes before the source goes. */

typedef struct _QmpCancelWatch QmpCancelWatch;

/* FUNC (DATA) runs once from CONTEXT after CANCELLABLE is cancelled (at
 * once if it is already), until the watch is freed; FUNC's return value
 * is ignored. */
QmpCancelWatch *qmp_cancel_watch_new  (GCancellable   *cancellable,
                                       GMainContext   *context,
                                       GSourceFunc     func,
                                       gpointer        data);
/* Safe from FUNC itself. */
void            qmp_cancel_watch_free (QmpCancelWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpCancelWatch, qmp_cancel_watch_free)
