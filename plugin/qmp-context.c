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

GSource *
qmp_timeout_attach (GMainContext *context,
                    guint         ms,
                    GSourceFunc   func,
                    gpointer      data,
                    const char   *name)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  if (name != NULL)
    g_source_set_name (source, name);
  g_source_attach (source, context);
  return source;
}

void
qmp_source_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}
