/* xen-qmp-host-schema.c: a domain's QEMU schema, for the command API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The command API does not validate (toolstacks know their commands); a
 * toolstack that wants to gets the schema here and calls
 * xen_qmp_schema_validate_command() before xen_qmp_cmd_exec(). The fetch
 * is a domain's XenQmpClient's, and so is the schema: always the one the
 * domain's own QEMU sent, never a cached one that another QEMU claiming
 * the same build may have planted.
 */
#include "config.h"

#include "qmp-context.h"

#include "xen-qmp-host.h"
#include "xen-qmp-client.h"

static void
on_schema (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  XenQmpClient *client = XEN_QMP_CLIENT (source);
  g_autoptr(GError) error = NULL;
  XenQmpSchema *schema = xen_qmp_client_get_schema_finish (client, result, &error);

  /* The host's connection closes when nothing else needs it. */
  xen_qmp_client_close (client);
  if (schema == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, schema, g_object_unref);
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
 * with `query-qmp-schema` from that QEMU. The command API does not check
 * commands itself; a toolstack that wants it calls
 * xen_qmp_schema_validate_command() with this schema before
 * xen_qmp_cmd_exec().
 *
 * Since 0.2 the schema is always the one the domain's own QEMU sent: the
 * host's cache (keyed by the version and package a QEMU claims, which any
 * QEMU may claim) is not used here, so that no domain's QEMU can make
 * another domain's commands look invalid. A toolstack that wants to check
 * many commands keeps the schema while the domain's QEMU runs, or uses a
 * #XenQmpClient with #XenQmpClient:validate, which uses the cache to let
 * commands through.
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
  g_autoptr(XenQmpClient) client = NULL;
  GTask *task;

  g_return_if_fail (XEN_QMP_IS_HOST (host));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = qmp_task_new_in (xen_qmp_host_get_context (host), host, cancellable, callback, user_data);
  g_task_set_source_tag (task, xen_qmp_host_get_schema_async);
  client = xen_qmp_client_new_for_domain (host, domid);
  /* The task keeps the client until the schema is there. */
  g_task_set_task_data (task, g_object_ref (client), g_object_unref);
  xen_qmp_client_get_schema_async (client, cancellable, on_schema, task);
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
