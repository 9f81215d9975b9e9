/* xen-qmp-client-schema.c: a client's QEMU schema, and executes checked
 * against it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The schema is 190 KB on QEMU 7.2: a client fetches it at most once per
 * connection, and keeps it in its host's cache and in the schema cache
 * directory under the build (version and package) the greeting claims.
 * Any QEMU may claim any build, so what a cache holds may be another
 * QEMU's schema: it may let a command through without a fetch, but a
 * command is only refused by the schema its own QEMU sent on this
 * connection, and only that schema is handed out. Concurrent requests
 * share one fetch.
 */
#include "config.h"

#include "xen-qmp-client-private.h"
#include "xen-qmp-host-private.h"
#include "qmp-context.h"
#include "qmp-cancel-watch.h"
#include "qmp-schema-cache.h"

typedef struct {
  GTask          *task;
  QmpCancelWatch *cancel;
} SchemaWaiter;

static void
waiter_free (SchemaWaiter *w)
{
  qmp_cancel_watch_free (w->cancel);
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
  g_clear_object (&state->own);
  g_clear_pointer (&state->own_greeting, json_object_unref);
  g_clear_object (&state->hint);
  g_clear_pointer (&state->hint_key, g_free);
}

static void
keep_hint (ClientSchemaState *state, const char *key, XenQmpSchema *schema)
{
  g_set_object (&state->hint, schema);
  g_free (state->hint_key);
  state->hint_key = g_strdup (key);
}

/* The schema this connection's QEMU sent, or NULL: one fetched on an
 * earlier connection may be another QEMU's (a domain's QEMU restarts). */
static XenQmpSchema *
own_schema (XenQmpClient *client)
{
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  JsonObject *greeting = xen_qmp_client_get_greeting (client);

  if (state->own == NULL || greeting == NULL || greeting != state->own_greeting)
    return NULL;
  return g_object_ref (state->own);
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

/* What a fetch was asked on: the connection's greeting and the build it
 * claims. */
typedef struct {
  JsonObject *greeting;
  char       *key;
} FetchData;

static void
fetch_data_free (FetchData *fetch)
{
  g_clear_pointer (&fetch->greeting, json_object_unref);
  g_free (fetch->key);
  g_free (fetch);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FetchData, fetch_data_free)

static void
on_schema_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  g_autoptr(FetchData) fetch = user_data;
  const char *key = fetch->key;
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
      keep_hint (state, key, schema);
    }
  g_set_object (&state->own, schema);
  g_clear_pointer (&state->own_greeting, json_object_unref);
  state->own_greeting = fetch->greeting != NULL ? json_object_ref (fetch->greeting) : NULL;
  complete_waiters (client, schema, NULL);
}

static gboolean
waiter_cancelled_cb (gpointer user_data)
{
  SchemaWaiter *w = user_data;
  XenQmpClient *client = g_task_get_source_object (w->task);
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);

  /* The fetch goes on for the others (and the next request). */
  state->waiters = g_list_remove (state->waiters, w);
  g_task_return_error (w->task, _xen_qmp_client_cancelled_error (client, "query-qmp-schema"));
  waiter_free (w);
  return G_SOURCE_REMOVE;
}

/* A schema the caches hold for the QEMU build KEY (NULL: unknown), or
 * NULL: some QEMU's that claimed KEY, so only good for accepting. */
static XenQmpSchema *
cached_schema (XenQmpClient *client, const char *key)
{
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  XenQmpHost *host = _xen_qmp_client_get_host (client);
  const char *dir = _xen_qmp_client_get_schema_cache_dir (client);
  XenQmpSchema *schema;

  if (key == NULL)
    return NULL;
  if (state->hint != NULL && g_strcmp0 (state->hint_key, key) == 0)
    return g_object_ref (state->hint);
  schema = host != NULL ? _xen_qmp_host_lookup_schema (host, key) : NULL;
  if (schema == NULL && dir != NULL)
    {
      schema = qmp_schema_cache_load (dir, key);
      if (schema != NULL && host != NULL)
        _xen_qmp_host_add_schema (host, key, schema);
    }
  if (schema != NULL)
    keep_hint (state, key, schema);
  return schema;
}

/* TASK (of the client) gets the schema of this connection's QEMU, with
 * the other requests for it: one fetch for all of them. */
static void
wait_for_own_schema (XenQmpClient *client, GTask *task)
{
  ClientSchemaState *state = _xen_qmp_client_schema_state (client);
  GCancellable *cancellable;
  SchemaWaiter *w;

  w = g_new0 (SchemaWaiter, 1);
  w->task = task;
  cancellable = g_task_get_cancellable (w->task);
  if (cancellable != NULL)
    {
      w->cancel = qmp_cancel_watch_new (cancellable,
                                        qmp_io_context_get_main (_xen_qmp_client_get_io_context (client)),
                                        waiter_cancelled_cb, w);
    }
  state->waiters = g_list_append (state->waiters, w);
  if (!state->fetching)
    {
      JsonObject *greeting = xen_qmp_client_get_greeting (client);
      FetchData *data = g_new0 (FetchData, 1);
      /* The library's own step, shared by the waiters of every context:
       * it goes on while a _sync call waits. */
      g_autoptr(GTask) fetch = qmp_task_new_in (qmp_io_context_get_main (_xen_qmp_client_get_io_context (client)),
                                                client, NULL, on_schema_reply, data);

      /* The execute task keeps its own task data: ours is the callback's. */
      data->greeting = greeting != NULL ? json_object_ref (greeting) : NULL;
      data->key = qmp_schema_cache_key (greeting);
      state->fetching = TRUE;
      g_task_set_name (fetch, "query-qmp-schema");
      _xen_qmp_client_execute_task (client, fetch, "query-qmp-schema", NULL, NULL,
                                    XEN_QMP_EXECUTE_NONE, -1);
    }
}

static void
schema_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpSchema) schema = NULL;

  if (!xen_qmp_client_connect_finish (client, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  schema = own_schema (client);
  if (schema != NULL)
    g_task_return_pointer (task, g_steal_pointer (&schema), g_object_unref);
  else
    wait_for_own_schema (client, g_steal_pointer (&task));
}

/**
 * xen_qmp_client_get_schema_async:
 * @client: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once with the result
 * @user_data: data for @callback
 *
 * Gets the QAPI schema of the client's QEMU, connecting first if needed.
 * The schema is always the one this QEMU sent on the client's current
 * connection: it is fetched with `query-qmp-schema` once per connection,
 * and requests made while it is being fetched share that fetch. (Before
 * 0.2 it could come from a cache, holding the schema of another QEMU that
 * claimed the same version and package.)
 *
 * The fetched schema is also kept by the client's #XenQmpHost and in
 * #XenQmpClient:schema-cache-dir, under the build the greeting claims, so
 * that validating clients (#XenQmpClient:validate) of QEMUs claiming that
 * build can let commands through without fetching it.
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
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", );
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = qmp_task_new_in (_xen_qmp_client_task_context (client, callback), client,
                          cancellable, callback, user_data);
  g_task_set_source_tag (task, xen_qmp_client_get_schema_async);
  /* A cancellation in our words (naming the peer), not GTask's. */
  g_task_set_check_cancellable (task, FALSE);
  _xen_qmp_client_connect_in (client, g_task_get_context (task), cancellable,
                              schema_connected, task);
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
 * Gets the schema, iterating the library's own main context until done
 * (as xen_qmp_client_execute_sync() does): see
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
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", NULL);
  xen_qmp_client_get_schema_async (client, cancellable, _xen_qmp_client_store_result, &result);
  return xen_qmp_client_get_schema_finish (client,
                                           _xen_qmp_client_wait_for_result (client, &result),
                                           error);
}

/* ---- executes checked before they are sent ---------------------------- */

static JsonNode *copy_node (JsonNode *node);

static JsonObject *
copy_object (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, copy_node (json_object_get_member (object, l->data)));
  return copy;
}

/* A deep copy: json_node_copy() shares containers, and a value node's
 * value too, which json_node_set_string() and friends change in place. */
static JsonNode *
copy_node (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonNode *copy = json_node_new (JSON_NODE_OBJECT);

        json_node_take_object (copy, copy_object (json_node_get_object (node)));
        return copy;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);
        JsonArray *elements = json_array_sized_new (n);
        JsonNode *copy = json_node_new (JSON_NODE_ARRAY);

        for (guint i = 0; i < n; i++)
          json_array_add_element (elements, copy_node (json_array_get_element (array, i)));
        json_node_take_array (copy, elements);
        return copy;
      }
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          return json_node_init_int (json_node_alloc (), json_node_get_int (node));
        case G_TYPE_DOUBLE:
          return json_node_init_double (json_node_alloc (), json_node_get_double (node));
        case G_TYPE_BOOLEAN:
          return json_node_init_boolean (json_node_alloc (), json_node_get_boolean (node));
        case G_TYPE_STRING:
          return json_node_init_string (json_node_alloc (), json_node_get_string (node));
        default:
          break;
        }
      break;
    case JSON_NODE_NULL:
      break;
    }
  return json_node_init_null (json_node_alloc ());
}

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

/* Sends P's command when SCHEMA accepts it, else completes it with why
 * not (ERROR: why there is no SCHEMA), and frees P. */
static void
decide (XenQmpClient *client, PendingValidation *p, XenQmpSchema *schema, GError *error)
{
  if (schema == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancelled while connecting or fetching the schema: the same words
       * as a cancellation once sent. */
      g_error_free (error);
      g_task_return_error (p->task, _xen_qmp_client_cancelled_error (client, p->command));
    }
  else if (schema == NULL)
    {
      g_prefix_error (&error, "%s not sent: its arguments could not be checked: ", p->command);
      g_task_return_error (p->task, error);
    }
  else if (!xen_qmp_schema_validate_command (schema, p->command, p->arguments, &error))
    g_task_return_error (p->task, error);
  else
    _xen_qmp_client_execute_task (client, p->task, p->command, p->arguments, p->fd_list,
                                  p->flags, p->timeout_ms);
  pending_validation_free (p);
}

static void
on_own_schema_for_execute (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  GError *error = NULL;
  g_autoptr(XenQmpSchema) schema = xen_qmp_client_get_schema_finish (client, result, &error);

  decide (client, user_data, schema, error);
}

/* A cached schema may be another QEMU's that claimed the same build: a
 * command it accepts is sent (QEMU has the last word anyway), one it
 * refuses is judged again by this QEMU's own schema. */
static void
validate_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  PendingValidation *p = user_data;
  GError *error = NULL;
  g_autoptr(XenQmpSchema) schema = NULL;
  g_autofree char *key = NULL;
  GTask *fetch;

  if (!xen_qmp_client_connect_finish (client, result, &error))
    {
      decide (client, p, NULL, error);
      return;
    }
  schema = own_schema (client);
  if (schema == NULL)
    {
      key = qmp_schema_cache_key (xen_qmp_client_get_greeting (client));
      schema = cached_schema (client, key);
      if (schema != NULL && xen_qmp_schema_validate_command (schema, p->command, p->arguments, NULL))
        {
          _xen_qmp_client_execute_task (client, p->task, p->command, p->arguments, p->fd_list,
                                        p->flags, p->timeout_ms);
          pending_validation_free (p);
          return;
        }
      if (schema != NULL)
        g_debug ("the cached schema of QEMU %s refuses %s: asking %s for its own",
                 key, p->command, xen_qmp_client_get_socket_path (client));
      g_clear_object (&schema);
    }
  if (schema != NULL)
    {
      decide (client, p, schema, NULL);
      return;
    }
  fetch = qmp_task_new_in (g_task_get_context (p->task), client, g_task_get_cancellable (p->task),
                           on_own_schema_for_execute, p);
  g_task_set_source_tag (fetch, xen_qmp_client_get_schema_async);
  wait_for_own_schema (client, fetch);
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
  /* The arguments as they are now: the caller may change its object once
   * the call returns ("not consumed"), long before the schema comes. */
  p->arguments = arguments != NULL ? copy_object (arguments) : NULL;
  p->fd_list = fd_list != NULL ? g_object_ref (fd_list) : NULL;
  p->flags = flags;
  p->timeout_ms = timeout_ms;
  _xen_qmp_client_connect_in (client, g_task_get_context (task), g_task_get_cancellable (task),
                              validate_connected, p);
}
