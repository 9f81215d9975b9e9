/* xen-qmp-host-schema.c: a domain's QEMU schema, for the command API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The command API does not validate (toolstacks know their commands); a
 * toolstack that wants to gets the schema here and calls
 * xen_qmp_schema_validate_command() before xen_qmp_cmd_exec(). The fetch
 * is a query-qmp-schema on the domain's connection, as a command of the
 * command API would be (the host's limits apply to the reply), and the
 * schema handed out is always the one the domain's own QEMU sent, never a
 * cached one that another QEMU claiming the same build may have planted.
 * It is then kept in the host's cache under the build the greeting
 * claims, so that validating clients of QEMUs claiming that build can
 * let commands through without fetching it.
 */
#include "config.h"

#include "xen-qmp-host-private.h"
#include "qmp-cancel-watch.h"
#include "qmp-context.h"
#include "qmp-schema-cache.h"

/* One fetch: the caller's task, and the query-qmp-schema under way. */
typedef struct {
  QmpConnection *conn;    /* a reference and a hold, until the reply */
  GTask         *fetch;   /* not a reference: the connection holds it */
  gint64         id;      /* the fetch's on the connection */
  QmpCancelWatch *cancel; /* the caller's cancellable, while it may matter */
} SchemaFetch;

static void
stop_listening_for_cancel (SchemaFetch *data)
{
  g_clear_pointer (&data->cancel, qmp_cancel_watch_free);
}

static void
schema_fetch_free (SchemaFetch *data)
{
  stop_listening_for_cancel (data);
  qmp_connection_release (data->conn);
  qmp_connection_unref (data->conn);
  g_free (data);
}

/* Called as the fetch returns: too late to abandon it. */
static void
on_fetch_completed (GTask *fetch, gpointer user_data)
{
  stop_listening_for_cancel (user_data);
}

static gboolean
fetch_cancelled_cb (gpointer user_data)
{
  SchemaFetch *data = user_data;

  /* The reply, if it comes, is dropped; the caller's task then returns
   * G_IO_ERROR_CANCELLED (g_task_propagate_pointer() checks). */
  g_clear_pointer (&data->cancel, qmp_cancel_watch_free);
  qmp_connection_abandon (data->conn, data->fetch, data->id, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_schema_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  XenQmpHost *host = g_task_get_source_object (task);
  SchemaFetch *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(XenQmpSchema) schema = NULL;
  g_autofree char *key = NULL;

  if (reply != NULL)
    schema = xen_qmp_schema_new (reply, &error);
  if (schema == NULL)
    {
      g_prefix_error (&error, "fetching QEMU's schema (query-qmp-schema): ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The build this QEMU claimed in the greeting of the connection that
   * carried the reply. */
  key = qmp_schema_cache_key (qmp_connection_get_greeting (data->conn));
  if (key != NULL)
    _xen_qmp_host_add_schema (host, key, schema);
  g_task_return_pointer (task, g_steal_pointer (&schema), g_object_unref);
}

/**
 * xen_qmp_host_get_schema_async:
 * @host: a host
 * @domid: the domain whose QEMU's schema is wanted
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once with the result
 * @user_data: data for @callback
 *
 * Gets the QAPI schema of a domain's QEMU (see #XenQmpSchema), fetched
 * with `query-qmp-schema` from that QEMU on the host's connection to it,
 * within the host's limits (#XenQmpHost:max-message-size). The command
 * API does not check commands itself; a toolstack that wants it calls
 * xen_qmp_schema_validate_command() with this schema before
 * xen_qmp_cmd_exec(). @callback runs in the host's main context.
 *
 * Since 0.2 the schema is always the one the domain's own QEMU sent: the
 * host's cache (keyed by the version and package a QEMU claims, which any
 * QEMU may claim) is not used here, so that no domain's QEMU can make
 * another domain's commands look invalid. The fetched schema is added to
 * that cache, for the validating clients of QEMUs claiming the same
 * build. A toolstack that wants to check many commands keeps the schema
 * while the domain's QEMU runs, or uses a #XenQmpClient with
 * #XenQmpClient:validate, which uses the cache to let commands through.
 *
 * Since: 0.1
 */
void
xen_qmp_host_get_schema_async (XenQmpHost          *host,
                               guint32              domid,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GMainContext *context;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) fetch = NULL;
  GError *error = NULL;
  QmpConnection *conn;
  SchemaFetch *data;

  g_return_if_fail (XEN_QMP_IS_HOST (host));
  context = xen_qmp_host_get_context (host);
  QMP_CHECK_THREAD (context, "XenQmpHost", );
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = qmp_task_new_in (context, host, cancellable, callback, user_data);
  g_task_set_source_tag (task, xen_qmp_host_get_schema_async);
  conn = _xen_qmp_host_connect (host, domid, FALSE, &error);
  if (conn == NULL || !qmp_connection_can_execute (conn, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (SchemaFetch, 1);
  data->conn = qmp_connection_ref (conn);
  /* Held until the reply, so that the connection is not closed as idle
   * meanwhile; released with the task's data. */
  qmp_connection_hold (conn);
  g_task_set_task_data (task, data, (GDestroyNotify) schema_fetch_free);

  fetch = qmp_task_new_in (context, NULL, NULL, on_schema_reply, g_object_ref (task));
  g_task_set_name (fetch, "query-qmp-schema");
  data->fetch = fetch;
  if (cancellable != NULL)
    data->cancel = qmp_cancel_watch_new (cancellable, context, fetch_cancelled_cb, data);
  data->id = qmp_connection_execute (conn, fetch, "query-qmp-schema", NULL, FALSE, NULL, 0, 0,
                                     on_fetch_completed, data);
}

/**
 * xen_qmp_host_get_schema_finish:
 * @host: a host
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes xen_qmp_host_get_schema_async().
 *
 * Returns: (transfer full): the schema, or %NULL with @error set
 *
 * Since: 0.1
 */
XenQmpSchema *
xen_qmp_host_get_schema_finish (XenQmpHost    *host,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, host), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
