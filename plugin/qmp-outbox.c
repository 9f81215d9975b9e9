/* qmp-outbox.c: user code runs after the I/O step, never inside it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-outbox.h"
#include "qmp-shared-source.h"

typedef struct {
  QmpOutboxFunc  func;
  gpointer       data;
  GDestroyNotify destroy;
} Item;

/* One source per context (qmp-shared-source.h). Each queued item holds a
 * reference, so an outbox outlives whoever pushed to it until it is
 * delivered. */
struct _QmpOutbox {
  QmpSharedSource shared;
  GQueue          items;
};

static QmpSharedSources outboxes = QMP_SHARED_SOURCES_INIT;

static void
item_free (Item *item)
{
  if (item->destroy != NULL)
    item->destroy (item->data);
  g_free (item);
}

/* Items are taken one at a time: a nested main loop inside an item's
 * function dispatches this source again (it may recurse), or a
 * connection drains it, and takes the next ones, so the order holds
 * whatever the items do. */
void
qmp_outbox_drain (QmpOutbox *outbox)
{
  Item *item;

  while ((item = g_queue_pop_head (&outbox->items)) != NULL)
    {
      item->func (item->data);
      item_free (item);
      qmp_outbox_unref (outbox);
    }
}

gboolean
qmp_outbox_is_empty (QmpOutbox *outbox)
{
  return g_queue_is_empty (&outbox->items);
}

static gboolean
outbox_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  qmp_outbox_drain ((QmpOutbox *) source);
  return G_SOURCE_CONTINUE;
}

static void
outbox_finalize (GSource *source)
{
  QmpOutbox *outbox = (QmpOutbox *) source;

  /* The context went away with items left: nobody will run them. */
  g_queue_clear_full (&outbox->items, (GDestroyNotify) item_free);
}

static GSourceFuncs outbox_funcs = {
  .dispatch = outbox_dispatch,
  .finalize = outbox_finalize,
};

static gboolean
outbox_init (QmpSharedSource *shared, gpointer data, GError **error)
{
  QmpOutbox *outbox = (QmpOutbox *) shared;

  g_queue_init (&outbox->items);
  g_source_set_name (&shared->source, "[xenqmp] completions and events");
  g_source_set_can_recurse (&shared->source, TRUE);
  return TRUE;
}

QmpOutbox *
qmp_outbox_get (GMainContext *context)
{
  return qmp_shared_source_get (&outboxes, context, &outbox_funcs, sizeof (QmpOutbox),
                                outbox_init, NULL, NULL);
}

void
qmp_outbox_unref (QmpOutbox *outbox)
{
  qmp_shared_source_unref (outbox);
}

void
qmp_outbox_push (QmpOutbox      *outbox,
                 QmpOutboxFunc   func,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  Item *item = g_new (Item, 1);

  item->func = func;
  item->data = data;
  item->destroy = destroy;
  qmp_shared_source_ref (outbox);
  g_queue_push_tail (&outbox->items, item);
  g_source_set_ready_time (&outbox->shared.source, 0);
}

/* A completion on its way to the application. */
typedef struct {
  GTask    *task;
  JsonNode *ret;
  GError   *error;
} Completion;

static void
completion_deliver (gpointer data)
{
  Completion *c = data;

  if (c->error != NULL)
    g_task_return_error (c->task, g_steal_pointer (&c->error));
  else
    g_task_return_pointer (c->task, g_steal_pointer (&c->ret), (GDestroyNotify) json_node_unref);
}

static void
completion_free (gpointer data)
{
  Completion *c = data;

  g_clear_error (&c->error);
  g_clear_pointer (&c->ret, json_node_unref);
  g_object_unref (c->task);
  g_free (c);
}

void
qmp_outbox_push_result (QmpOutbox *outbox, GTask *task, JsonNode *ret, GError *error)
{
  Completion *c = g_new0 (Completion, 1);

  c->task = task;
  c->error = error;
  c->ret = error == NULL ? json_node_ref (ret) : NULL;
  qmp_outbox_push (outbox, completion_deliver, c, completion_free);
}
