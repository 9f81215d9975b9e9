/* session.h: xen-qmp's connection to one QEMU, with its time limit
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>

/* Where the QMP socket is: SOCKET_PATH, or when that is NULL, DOMID's
 * socket in RUN_DIR (NULL: the default run dir). */
typedef struct {
  const char *socket_path;
  guint32     domid;
  const char *run_dir;
  const char *lib_dir;
} ToolTarget;

/* A client for TARGET, not connected yet; TIMEOUT_MS (0: none) becomes
 * its default timeout for commands. With VALIDATE, commands are checked
 * against QEMU's schema before they are sent. Schemas are cached in
 * $XDG_CACHE_HOME/xenqmp either way, where a cached one may let a command
 * through but never refuses one (XenQmpClient:validate). */
XenQmpClient *tool_session_new     (const ToolTarget *target,
                                    guint             timeout_ms,
                                    gboolean          validate);

/* Connects CLIENT, waiting at most TIMEOUT_MS (0: no limit) for QEMU's
 * greeting; errors are in G_IO_ERROR. */
gboolean      tool_session_connect (XenQmpClient     *client,
                                    guint             timeout_ms,
                                    GError          **error);

/* Runs COMMAND and waits at most TIMEOUT_MS (0: no limit) for its reply;
 * a timeout is G_IO_ERROR_TIMED_OUT. */
JsonNode     *tool_session_execute (XenQmpClient     *client,
                                    const char       *command,
                                    JsonObject       *arguments,
                                    GUnixFDList      *fd_list,
                                    guint             timeout_ms,
                                    GError          **error);

/* The same through fdsets (xen_qmp_client_execute_with_fdsets_async()):
 * each fd of FD_LIST in an fdset of its own, "@fd", "@fd0", "@fd1", ...
 * in ARGUMENTS replaced by its /dev/fdset/N, the fdsets removed after. */
JsonNode     *tool_session_execute_with_fdsets (XenQmpClient *client,
                                                const char   *command,
                                                JsonObject   *arguments,
                                                GUnixFDList  *fd_list,
                                                guint         timeout_ms,
                                                GError      **error);

/* The schema this QEMU sends (never a cached one, which may be another
 * QEMU's that claimed the same build), waiting at most TIMEOUT_MS. */
XenQmpSchema *tool_session_get_schema (XenQmpClient   *client,
                                       guint           timeout_ms,
                                       GError        **error);
