/* qmp-shared-source.h: a GSource of which each GMainContext has one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

/* The poller, the outbox and the library's context are each one source
 * per application context, shared by every connection, host and client
 * there: a source per connection would cost every iteration of the
 * application's loop (qmp-poller.h). Each kind keeps its sources in a
 * registry of its own, keyed by context; a source stays attached while
 * referenced and is destroyed with its last reference. */

typedef struct {
  GMutex      lock;
  GHashTable *by_context;   /* GMainContext -> QmpSharedSource */
} QmpSharedSources;

/* A static registry: zeroed storage is a valid one. */
#define QMP_SHARED_SOURCES_INIT { 0 }

/* The first member of each kind's struct. */
typedef struct {
  GSource           source;
  gint              ref_count;   /* under the registry's lock */
  GMainContext     *context;     /* the key; the users keep it alive */
  QmpSharedSources *registry;
} QmpSharedSource;

/* Sets up a new source (INIT_DATA is the caller's) before it is attached;
 * FALSE, with ERROR set, gives it up (its finalize runs). */
typedef gboolean (*QmpSharedSourceInit) (QmpSharedSource  *source,
                                         gpointer          init_data,
                                         GError          **error);

/* The source of REGISTRY for CONTEXT, with a new reference: the one there
 * is, or a new one of FUNCS and STRUCT_SIZE set up by INIT and attached to
 * CONTEXT. */
gpointer qmp_shared_source_get   (QmpSharedSources     *registry,
                                  GMainContext         *context,
                                  GSourceFuncs         *funcs,
                                  gsize                 struct_size,
                                  QmpSharedSourceInit   init,
                                  gpointer              init_data,
                                  GError              **error);
gpointer qmp_shared_source_ref   (gpointer              source);
/* Destroys the source with its last reference. */
void     qmp_shared_source_unref (gpointer              source);
