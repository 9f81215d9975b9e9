/* session.c: xen-qmp's connection to one QEMU, with its time limit
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "session.h"

/* How much later than the client's connect timeout our own deadline
 * cancels a connect. */
#define CONNECT_GRACE_MS 500

/* An operation in flight on the default main context, and the deadline
 * that cancels it. */
typedef struct {
  GAsyncResult *result;
  GCancellable *cancellable;
  gboolean      timed_out;
} Wait;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
on_deadline (gpointer user_data)
{
  Wait *wait = user_data;

  wait->timed_out = TRUE;
  g_cancellable_cancel (wait->cancellable);
  return G_SOURCE_REMOVE;
}

/* Iterates the default context until WAIT has its result. Our own
 * deadline, rather than the client's command timeout alone, because it
 * also bounds the connection: a stopped QEMU accepts the connection (the
 * kernel does) and then never greets. */
static void
wait_run (Wait *wait, guint timeout_ms)
{
  guint deadline_id = 0;

  if (timeout_ms > 0)
    deadline_id = g_timeout_add (timeout_ms, on_deadline, wait);
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!wait->timed_out && deadline_id != 0)
    g_source_remove (deadline_id);
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  g_clear_object (&wait->cancellable);
}

/* A cancellation by our deadline is a timeout to the user. */
static void
translate_timeout (Wait *wait, GError **error, const char *what, guint timeout_ms)
{
  if (wait->timed_out && error != NULL && *error != NULL &&
      g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "%s: no answer within %.3g s", what, timeout_ms / 1000.0);
    }
}

XenQmpClient *
tool_session_new (const ToolTarget *target,
                  guint             timeout_ms,
                  gboolean          validate)
{
  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "xenqmp", NULL);
  XenQmpClient *client;

  if (target->socket_path != NULL)
    client = xen_qmp_client_new_for_socket (target->socket_path);
  else
    {
      g_autoptr(XenQmpHost) host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", target->run_dir,
                                                 "lib-dir", target->lib_dir, NULL);

      client = xen_qmp_client_new_for_domain (host, target->domid);
    }
  xen_qmp_client_set_timeout_ms (client, timeout_ms);
  g_object_set (client, "validate", validate, "schema-cache-dir", cache_dir, NULL);
  return client;
}

gboolean
tool_session_connect (XenQmpClient *client,
                      guint         timeout_ms,
                      GError      **error)
{
  Wait wait = { .cancellable = g_cancellable_new () };
  gboolean ok;

  xen_qmp_client_connect_async (client, wait.cancellable, on_done, &wait);
  /* The client's own connect timeout (the same) says why it gave up:
   * libxl's lock held (and by whom), another client greeted first, no
   * socket. Our deadline is only the backstop. */
  wait_run (&wait, timeout_ms > 0 ? timeout_ms + CONNECT_GRACE_MS : 0);
  ok = xen_qmp_client_connect_finish (client, wait.result, error);
  if (!ok)
    {
      g_autofree char *what =
        g_strdup_printf ("connecting to %s",
                         xen_qmp_client_get_socket_path (client));

      translate_timeout (&wait, error, what, timeout_ms);
    }
  wait_clear (&wait);
  return ok;
}

static JsonNode *
session_execute (XenQmpClient *client,
                 const char   *command,
                 JsonObject   *arguments,
                 GUnixFDList  *fd_list,
                 gboolean      with_fdsets,
                 guint         timeout_ms,
                 GError      **error)
{
  Wait wait = { .cancellable = g_cancellable_new () };
  JsonNode *result;

  if (with_fdsets)
    xen_qmp_client_execute_with_fdsets_async (client, command, arguments, fd_list,
                                              wait.cancellable, on_done, &wait);
  else
    xen_qmp_client_execute_async (client, command, arguments, fd_list,
                                  wait.cancellable, on_done, &wait);
  wait_run (&wait, timeout_ms);
  result = xen_qmp_client_execute_finish (client, wait.result, error);
  if (result == NULL)
    translate_timeout (&wait, error, command, timeout_ms);
  wait_clear (&wait);
  return result;
}

JsonNode *
tool_session_execute (XenQmpClient *client,
                      const char   *command,
                      JsonObject   *arguments,
                      GUnixFDList  *fd_list,
                      guint         timeout_ms,
                      GError      **error)
{
  return session_execute (client, command, arguments, fd_list, FALSE, timeout_ms, error);
}

JsonNode *
tool_session_execute_with_fdsets (XenQmpClient *client,
                                  const char   *command,
                                  JsonObject   *arguments,
                                  GUnixFDList  *fd_list,
                                  guint         timeout_ms,
                                  GError      **error)
{
  return session_execute (client, command, arguments, fd_list, TRUE, timeout_ms, error);
}

XenQmpSchema *
tool_session_get_schema (XenQmpClient  *client,
                         guint          timeout_ms,
                         GError       **error)
{
  Wait wait = { .cancellable = g_cancellable_new () };
  XenQmpSchema *schema;

  xen_qmp_client_get_schema_async (client, wait.cancellable, on_done, &wait);
  wait_run (&wait, timeout_ms);
  schema = xen_qmp_client_get_schema_finish (client, wait.result, error);
  if (schema == NULL)
    translate_timeout (&wait, error, "query-qmp-schema", timeout_ms);
  wait_clear (&wait);
  return schema;
}
