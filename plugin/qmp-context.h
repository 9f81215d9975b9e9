/* qmp-context.h: which thread may use an object, and tasks in its context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

/* A host or client is used from the thread that iterates its main context
 * (the thread-default one when it was made). Whether the calling thread
 * may: it owns CONTEXT, or nobody does (the context is not being
 * iterated by another thread right now). */
gboolean qmp_context_is_ours (GMainContext *context);

/* The thread contract, checked as GLib checks preconditions: a critical
 * naming the function, and the call does nothing. */
#define QMP_CHECK_THREAD(context, what, val)                                 \
  G_STMT_START {                                                             \
    if (G_UNLIKELY (!qmp_context_is_ours (context)))                         \
      {                                                                      \
        g_critical ("%s: called from a thread that does not own the %s's "  \
                    "main context: a %s is used only from the thread that "  \
                    "iterates the context it was created in", G_STRFUNC,     \
                    what, what);                                             \
        return val;                                                          \
      }                                                                      \
  } G_STMT_END

/* g_task_new() with CONTEXT as the task's context, whatever context the
 * caller has pushed: the callback runs where the object's docs say. */
GTask   *qmp_task_new_in   (GMainContext        *context,
                            gpointer             source_object,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);

/* A timeout source of MS milliseconds calling FUNC (DATA), attached to
 * CONTEXT; NAME (or NULL) shows in profilers. Returns the reference the
 * caller keeps, to give to qmp_source_clear(). */
GSource *qmp_timeout_attach (GMainContext        *context,
                             guint                ms,
                             GSourceFunc          func,
                             gpointer             data,
                             const char          *name);
/* Destroys *SOURCE, if any, and drops the caller's reference. */
void     qmp_source_clear   (GSource            **source);
