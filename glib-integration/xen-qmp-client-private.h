/* xen-qmp-client-private.h: what the client's schema support needs of it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-qmp-client.h"
#include "xen-qmp-schema.h"
#include "qmp-io-context.h"

/* The schema the client's QEMU sent, the one a cache holds for the build
 * it claims (which may be another QEMU's), and the requests for the
 * former while it is being fetched. */
typedef struct {
  XenQmpSchema *own;           /* sent on the connection that greeted with */
  JsonObject   *own_greeting;  /* this (a reference: the connection's identity) */
  XenQmpSchema *hint;          /* from a cache, for the build named hint_key: */
  char         *hint_key;      /* it may accept a command, never refuse one */
  GList        *waiters;       /* SchemaWaiter: waiting for the own schema */
  gboolean      fetching;
} ClientSchemaState;

ClientSchemaState *_xen_qmp_client_schema_state     (XenQmpClient *client);
void               _xen_qmp_client_schema_state_clear (ClientSchemaState *state);
XenQmpHost        *_xen_qmp_client_get_host          (XenQmpClient *client);
GMainContext      *_xen_qmp_client_get_context       (XenQmpClient *client);
QmpIoContext      *_xen_qmp_client_get_io_context    (XenQmpClient *client);
const char        *_xen_qmp_client_get_schema_cache_dir (XenQmpClient *client);
/* "domain 3" (or the connection's own name for it) or the socket's path:
 * what every local error of the client starts with. */
char              *_xen_qmp_client_describe_peer     (XenQmpClient *client);
/* "PEER: COMMAND was cancelled", G_IO_ERROR_CANCELLED. */
GError            *_xen_qmp_client_cancelled_error   (XenQmpClient *client,
                                                      const char   *command);

/* The _sync functions: a GAsyncReadyCallback keeping the result in the
 * GAsyncResult * slot it is given, and the wait for it, iterating the
 * library's own context (qmp-io-context.h) alone. */
void          _xen_qmp_client_store_result    (GObject       *source,
                                               GAsyncResult  *result,
                                               gpointer       user_data);
GAsyncResult *_xen_qmp_client_wait_for_result (XenQmpClient  *client,
                                               GAsyncResult **slot);
/* The context a call's task is made in: the library's for a _sync call
 * (CALLBACK is _xen_qmp_client_store_result()), else the client's. The
 * steps a call takes on its way (connecting, fetching the schema) use
 * the context of the task they serve. */
GMainContext *_xen_qmp_client_task_context    (XenQmpClient        *client,
                                               GAsyncReadyCallback  callback);
/* xen_qmp_client_connect_async() with the task made in TASK_CONTEXT. */
void          _xen_qmp_client_connect_in      (XenQmpClient        *client,
                                               GMainContext        *task_context,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);

/* Not a public flag: the execute runs through fdsets (qmp-fdsets.h). */
#define CLIENT_EXECUTE_WITH_FDSETS ((XenQmpExecuteFlags) (1u << 30))

/* An execute whose GTask is made: with validate set, once the schema
 * has passed the command (xen-qmp-client-schema.c); without, at once. */
void _xen_qmp_client_execute_task      (XenQmpClient        *client,
                                        GTask               *task,
                                        const char          *command,
                                        JsonObject          *arguments,
                                        GUnixFDList         *fd_list,
                                        XenQmpExecuteFlags   flags,
                                        gint                 timeout_ms);
void _xen_qmp_client_validate_then_execute (XenQmpClient        *client,
                                            GTask               *task,
                                            const char          *command,
                                            JsonObject          *arguments,
                                            GUnixFDList         *fd_list,
                                            XenQmpExecuteFlags   flags,
                                            gint                 timeout_ms);
