/* xen-qmp-client.h: the GObject client API for GLib applications
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <json-glib/json-glib.h>
#include "xen-qmp-host.h"
#include "xen-qmp-macros.h"
#include "xen-qmp-schema.h"

G_BEGIN_DECLS

/**
 * XenQmpExecuteFlags:
 * @XEN_QMP_EXECUTE_NONE: an ordinary in-band command.
 * @XEN_QMP_EXECUTE_OUT_OF_BAND: send the command with `exec-oob`, so that
 *   QEMU runs it ahead of queued in-band commands. Only when QEMU offered
 *   `oob` and the client enabled it (#XenQmpClient:enable-oob); otherwise
 *   the command is sent in-band. QEMU accepts few commands out-of-band
 *   (such as `migrate-recover`): others fail with its GenericError.
 *
 * How xen_qmp_client_execute_full_async() sends a command.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  XEN_QMP_EXECUTE_NONE        = 0,
  XEN_QMP_EXECUTE_OUT_OF_BAND = 1 << 0,
} XenQmpExecuteFlags;

#define XEN_QMP_TYPE_CLIENT (xen_qmp_client_get_type ())
XEN_QMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (XenQmpClient, xen_qmp_client, XEN_QMP, CLIENT, GObject)

XEN_QMP_AVAILABLE_IN_ALL
XenQmpClient *xen_qmp_client_new_for_socket  (const char          *socket_path);

XEN_QMP_AVAILABLE_IN_ALL
XenQmpClient *xen_qmp_client_new_for_domain  (XenQmpHost          *host,
                                              guint32              domid);

XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_client_connect_async   (XenQmpClient        *client,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
XEN_QMP_AVAILABLE_IN_ALL
gboolean      xen_qmp_client_connect_finish  (XenQmpClient        *client,
                                              GAsyncResult        *result,
                                              GError             **error);
XEN_QMP_AVAILABLE_IN_ALL
gboolean      xen_qmp_client_connect_sync    (XenQmpClient        *client,
                                              GCancellable        *cancellable,
                                              GError             **error);

XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_client_execute_async   (XenQmpClient        *client,
                                              const char          *command,
                                              JsonObject          *arguments,
                                              GUnixFDList         *fd_list,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_client_execute_full_async (XenQmpClient        *client,
                                                 const char          *command,
                                                 JsonObject          *arguments,
                                                 GUnixFDList         *fd_list,
                                                 XenQmpExecuteFlags   flags,
                                                 gint                 timeout_ms,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
XEN_QMP_AVAILABLE_IN_ALL
JsonNode     *xen_qmp_client_execute_finish  (XenQmpClient        *client,
                                              GAsyncResult        *result,
                                              GError             **error);
XEN_QMP_AVAILABLE_IN_ALL
JsonNode     *xen_qmp_client_execute_sync    (XenQmpClient        *client,
                                              const char          *command,
                                              JsonObject          *arguments,
                                              GUnixFDList         *fd_list,
                                              GCancellable        *cancellable,
                                              GError             **error);

XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_client_execute_with_fdsets_async  (XenQmpClient        *client,
                                                         const char          *command,
                                                         JsonObject          *arguments,
                                                         GUnixFDList         *fd_list,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
XEN_QMP_AVAILABLE_IN_ALL
JsonNode     *xen_qmp_client_execute_with_fdsets_finish (XenQmpClient        *client,
                                                         GAsyncResult        *result,
                                                         GError             **error);
XEN_QMP_AVAILABLE_IN_ALL
JsonNode     *xen_qmp_client_execute_with_fdsets_sync   (XenQmpClient        *client,
                                                         const char          *command,
                                                         JsonObject          *arguments,
                                                         GUnixFDList         *fd_list,
                                                         GCancellable        *cancellable,
                                                         GError             **error);

XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_client_get_schema_async  (XenQmpClient        *client,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
XEN_QMP_AVAILABLE_IN_ALL
XenQmpSchema *xen_qmp_client_get_schema_finish (XenQmpClient        *client,
                                                GAsyncResult        *result,
                                                GError             **error);
XEN_QMP_AVAILABLE_IN_ALL
XenQmpSchema *xen_qmp_client_get_schema_sync   (XenQmpClient        *client,
                                                GCancellable        *cancellable,
                                                GError             **error);

XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_client_close           (XenQmpClient        *client);

XEN_QMP_AVAILABLE_IN_ALL
gboolean      xen_qmp_client_get_connected   (XenQmpClient        *client);
XEN_QMP_AVAILABLE_IN_ALL
JsonObject   *xen_qmp_client_get_greeting    (XenQmpClient        *client);
XEN_QMP_AVAILABLE_IN_ALL
const char   *xen_qmp_client_get_socket_path (XenQmpClient        *client);
XEN_QMP_AVAILABLE_IN_ALL
guint         xen_qmp_client_get_timeout_ms  (XenQmpClient        *client);
XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_client_set_timeout_ms  (XenQmpClient        *client,
                                              guint                timeout_ms);

G_END_DECLS
