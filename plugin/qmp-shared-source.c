/* qmp-shared-source.c: a GSource of which each GMainContext has one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-shared-source.h"

gpointer
qmp_shared_source_get (QmpSharedSources     *registry,
                       GMainContext         *context,
                       GSourceFuncs         *funcs,
                       gsize                 struct_size,
                       QmpSharedSourceInit   init,
                       gpointer              init_data,
                       GError              **error)
{
  QmpSharedSource *shared;

  g_mutex_lock (&registry->lock);
  if (registry->by_context == NULL)
    registry->by_context = g_hash_table_new (NULL, NULL);
  shared = g_hash_table_lookup (registry->by_context, context);
  if (shared != NULL)
    {
      shared->ref_count++;
      g_mutex_unlock (&registry->lock);
      return shared;
    }
  shared = (QmpSharedSource *) g_source_new (funcs, struct_size);
  shared->ref_count = 1;
  shared->context = context;
  shared->registry = registry;
  if (!init (shared, init_data, error))
    {
      g_mutex_unlock (&registry->lock);
      g_source_unref (&shared->source);
      return NULL;
    }
  g_source_attach (&shared->source, context);
  g_hash_table_insert (registry->by_context, context, shared);
  g_mutex_unlock (&registry->lock);
  return shared;
}

gpointer
qmp_shared_source_ref (gpointer source)
{
  QmpSharedSource *shared = source;

  g_mutex_lock (&shared->registry->lock);
  shared->ref_count++;
  g_mutex_unlock (&shared->registry->lock);
  return shared;
}

void
qmp_shared_source_unref (gpointer source)
{
  QmpSharedSource *shared = source;
  QmpSharedSources *registry;
  gboolean last;

  if (shared == NULL)
    return;
  registry = shared->registry;
  g_mutex_lock (&registry->lock);
  last = --shared->ref_count == 0;
  if (last)
    g_hash_table_remove (registry->by_context, shared->context);
  g_mutex_unlock (&registry->lock);
  if (last)
    {
      g_source_destroy (&shared->source);
      g_source_unref (&shared->source);
    }
}
