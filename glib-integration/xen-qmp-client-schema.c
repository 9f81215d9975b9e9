/* xen-qmp-client-schema.c: a client's QEMU schema, and executes checked
 * against it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The schema is 190 KB on QEMU 7.2: it is fetched once per QEMU build
 * (version and package, from the greeting) and kept by the client, by its
 * host for every client of every domain, and in the schema cache directory
 * for other processes. Concurrent requests share one fetch.
 */
#include "config.h"

#include "xen-qmp-client-private.h"
#include "xen-qmp-host-private.h"
#include "qmp-schema-cache.h"

typedef struct {
  GTask   *task;
  GSource *cancel;
} SchemaWaiter;

static void
waiter_free (SchemaWaiter *w)
{
  if (w->cancel != NULL)
    {
      g_source_destroy (w->cancel);
      g_source_unref (w->cancel);
    }
  g_object_unref (w->task);
  g_free (w);
}

void
_xen_qmp_client_schema_state_clear (ClientSchemaState *state)
{
  GList *waiters = g_steal_pointer (&state->waiters);

  /* Only at dispose: nobody is left to wait for the fetch. */
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      SchemaWaiter *w = l->data;

      g_task_return_new_error (w->task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "the XenQmpClient was destroyed");
      waiter_free (w);
    }
  g_list_free (waiters);
  g_clear_object (&state->schema);
  g_clear_pointer (&state->key, g_free);
}

static void
keep_schema (XenQmpClient *client, const char *key, XenQmpSchema *schema)
{
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);

  g_set_object (&state->schema, schema);
  g_free (state->key);
  state->key = g_strdup (key);
}

static void
complete_waiters (XenQmpClient *client, XenQmpSchema *schema, const GError *error)
{
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  GList *waiters = g_steal_pointer (&state->waiters);

  for (GList *l = waiters; l != NULL; l = l->next)
    {
      SchemaWaiter *w = l->data;

      if (schema != NULL)
        g_task_return_pointer (w->task, g_object_ref (schema), g_object_unref);
      else
        g_task_return_error (w->task, g_error_copy (error));
      waiter_free (w);
    }
  g_list_free (waiters);
}

static void
on_schema_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  g_autofree char *key = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(XenQmpSchema) schema = NULL;

  state->fetching = FALSE;
  if (reply != NULL)
    schema = xen_qmp_schema_new (reply, &error);
  if (schema == NULL)
    {
      g_prefix_error (&error, "fetching QEMU's schema (query-qmp-schema): ");
      complete_waiters (client, NULL, error);
      return;
    }
  if (key != NULL)
    {
      XenQmpHost *host = _xen_qmp_client_get_host (client);
      const char *dir = _xen_qmp_client_get_schema_cache_dir (client);

      if (host != NULL)
        _xen_qmp_host_add_schema (host, key, schema);
      if (dir != NULL)
        qmp_schema_cache_save (dir, key, schema);
    }
  keep_schema (client, key, schema);
  complete_waiters (client, schema, NULL);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  SchemaWaiter *w = user_data;
  XenQmpClient *client = g_task_get_source_object (w->task);
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);

  /* The fetch goes on for the others (and the next request). */
  state->waiters = g_list_remove (state->waiters, w);
  g_task_return_error_if_cancelled (w->task);
  g_clear_pointer (&w->cancel, g_source_unref);
  waiter_free (w);
  return G_SOURCE_REMOVE;
}

/* The schema of the QEMU build KEY (NULL: unknown) from the caches, or
 * NULL. */
static XenQmpSchema *
cached_schema (XenQmpClient *client, const char *key)
{
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  XenQmpHost *host = _xen_qmp_client_get_host (client);
  const char *dir = _xen_qmp_client_get_schema_cache_dir (client);
  XenQmpSchema *schema;

  if (key == NULL)
    return NULL;
  if (state->schema != NULL && g_strcmp0 (state->key, key) == 0)
    return g_object_ref (state->schema);
  schema = host != NULL ? _xen_qmp_host_lookup_schema (host, key) : NULL;
  if (schema == NULL && dir != NULL)
    {
      schema = qmp_schema_cache_load (dir, key);
      if (schema != NULL && host != NULL)
        _xen_qmp_host_add_schema (host, key, schema);
    }
  if (schema != NULL)
    keep_schema (client, key, schema);
  return schema;
}

static void
schema_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autoptr(XenQmpSchema) schema = NULL;
  GCancellable *cancellable;
  SchemaWaiter *w;

  if (!xen_qmp_client_connect_finish (client, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  key = qmp_schema_cache_key (xen_qmp_client_get_greeting (client));
  schema = cached_schema (client, key);
  if (schema != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&schema), g_object_unref);
      return;
    }

  w = g_new0 (SchemaWaiter, 1);
  w->task = g_steal_pointer (&task);
  cancellable = g_task_get_cancellable (w->task);
  if (cancellable != NULL)
    {
      w->cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (w->cancel, (GSourceFunc) (void (*) (void)) waiter_cancelled_cb,
                             w, NULL);
      g_source_attach (w->cancel, g_task_get_context (w->task));
    }
  state->waiters = g_list_append (state->waiters, w);
  if (!state->fetching)
    {
      g_autoptr(GTask) fetch = g_task_new (client, NULL, on_schema_reply, g_strdup (key));

      state->fetching = TRUE;
      g_task_set_name (fetch, "query-qmp-schema");
      _xen_qmp_client_execute_task (client, fetch, "query-qmp-schema", NULL, NULL,
                                    XEN_QMP_EXECUTE_NONE, -1);
    }
}

/**
 * xen_qmp_client_get_schema_async:
 * @client: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once with the result
 * @user_data: data for @callback
 *
 * Gets the QAPI schema of the client's QEMU, connecting first if needed.
 * It is fetched with `query-qmp-schema` once per QEMU build (the version
 * and package the greeting tells) and kept: by the client, by its
 * #XenQmpHost for every domain's client, and in
 * #XenQmpClient:schema-cache-dir when set. Requests made while it is being
 * fetched share that fetch.
 *
 * Since: 0.1
 */
void
xen_qmp_client_get_schema_async (XenQmpClient        *client,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XEN_QMP_IS_CLIENT (client));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, xen_qmp_client_get_schema_async);
  xen_qmp_client_connect_async (client, cancellable, schema_connected, task);
}

/**
 * xen_qmp_client_get_schema_finish:
 * @client: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes xen_qmp_client_get_schema_async().
 *
 * Returns: (transfer full): the schema, or %NULL with @error set
 *
 * Since: 0.1
 */
XenQmpSchema *
xen_qmp_client_get_schema_finish (XenQmpClient  *client,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xen_qmp_client_get_schema_sync:
 * @client: a client
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Gets the schema, iterating the client's main context until done: see
 * xen_qmp_client_get_schema_async().
 *
 * Returns: (transfer full): the schema, or %NULL with @error set
 *
 * Since: 0.1
 */
XenQmpSchema *
xen_qmp_client_get_schema_sync (XenQmpClient  *client,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), NULL);
  xen_qmp_client_get_schema_async (client, cancellable, _xen_qmp_client_store_result, &result);
  return xen_qmp_client_get_schema_finish (client,
                                           _xen_qmp_client_wait_for_result (client, &result),
                                           error);
}

/* ---- executes checked before they are sent ---------------------------- */

typedef struct {
  GTask              *task;
  char               *command;
  JsonObject         *arguments;
  GUnixFDList        *fd_list;
  XenQmpExecuteFlags  flags;
  gint                timeout_ms;
} PendingValidation;

static void
pending_validation_free (PendingValidation *p)
{
  g_object_unref (p->task);
  g_free (p->command);
  g_clear_pointer (&p->arguments, json_object_unref);
  g_clear_object (&p->fd_list);
  g_free (p);
}

static void
on_schema_for_execute (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  PendingValidation *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpSchema) schema = xen_qmp_client_get_schema_finish (client, result, &error);

  if (schema == NULL)
    {
      g_prefix_error (&error, "%s not sent: its arguments could not be checked: ", p->command);
      g_task_return_error (p->task, g_steal_pointer (&error));
    }
  else if (!xen_qmp_schema_validate_command (schema, p->command, p->arguments, &error))
    g_task_return_error (p->task, g_steal_pointer (&error));
  else
    _xen_qmp_client_execute_task (client, p->task, p->command, p->arguments, p->fd_list,
                                  p->flags, p->timeout_ms);
  pending_validation_free (p);
}

void
_xen_qmp_client_validate_then_execute (XenQmpClient        *client,
                                       GTask               *task,
                                       const char          *command,
                                       JsonObject          *arguments,
                                       GUnixFDList         *fd_list,
                                       XenQmpExecuteFlags   flags,
                                       gint                 timeout_ms)
{
  PendingValidation *p = g_new0 (PendingValidation, 1);

  p->task = g_object_ref (task);
  p->command = g_strdup (command);
  p->arguments = arguments != NULL ? json_object_ref (arguments) : NULL;
  p->fd_list = fd_list != NULL ? g_object_ref (fd_list) : NULL;
  p->flags = flags;
  p->timeout_ms = timeout_ms;
  xen_qmp_client_get_schema_async (client, g_task_get_cancellable (task),
                                   on_schema_for_execute, p);
}
