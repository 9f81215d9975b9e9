/* qmp-context.c: which thread may use an object, and tasks in its context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-context.h"

gboolean
qmp_context_is_ours (GMainContext *context)
{
  if (g_main_context_is_owner (context))
    return TRUE;
  /* Nobody iterates it now: this thread may (a _sync call will). */
  if (g_main_context_acquire (context))
    {
      g_main_context_release (context);
      return TRUE;
    }
  return FALSE;
}

GTask *
qmp_task_new_in (GMainContext        *context,
                 gpointer             source_object,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GMainContext) current = g_main_context_ref_thread_default ();
  GTask *task;

  if (current == context)
    return g_task_new (source_object, cancellable, callback, user_data);
  g_main_context_push_thread_default (context);
  task = g_task_new (source_object, cancellable, callback, user_data);
  g_main_context_pop_thread_default (context);
  return task;
}
