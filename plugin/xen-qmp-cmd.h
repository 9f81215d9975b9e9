/* xen-qmp-cmd.h: the Xen command API (Idle/Active QMP commands)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

#include <glib.h>
#include <json-glib/json-glib.h>
#include "xen-qmp-error.h"
#include "xen-qmp-host.h"
#include "xen-qmp-macros.h"

G_BEGIN_DECLS

typedef struct _XenQmpCmd XenQmpCmd;

/**
 * XenQmpCmdFlags:
 * @XEN_QMP_CMD_FLAGS_NONE: no flag.
 * @XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL: when the domain's QEMU is not
 *   there yet (no socket, or nothing listening on it), wait for it within
 *   the command's @timeout_ms instead of failing at once. Ready means that
 *   the socket accepts and QEMU greets, as libxl decides; QEMU's xenstore
 *   state node only makes the host try at once. libxl's lock is not held
 *   while waiting.
 *
 * Options of a #XenQmpCmd, set before xen_qmp_cmd_exec().
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  XEN_QMP_CMD_FLAGS_NONE            = 0,
  XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL = 1 << 0,
} XenQmpCmdFlags;

/**
 * XenQmpCmdCallback: (skip)
 * @cmd: the command, Idle again: it may be exec'd or thrown away here
 * @response: (nullable): QEMU's `return` value, or %NULL on error; owned
 *   by the library and valid until the callback returns
 * @error_class: %XEN_QMP_ERROR_CLASS_NONE on success
 * @error: (nullable): %NULL on success; a QMP error in the
 *   %XEN_QMP_ERROR domain (code = @error_class, message = QEMU's `desc`),
 *   or a local error in the %G_IO_ERROR domain
 * @user_data: the data given to xen_qmp_cmd_exec()
 *
 * Called once for each Active command, from the host's main context and
 * never from inside xen_qmp_cmd_exec(), unless the command was disposed
 * first.
 *
 * Since: 0.1
 */
typedef void (*XenQmpCmdCallback) (XenQmpCmd        *cmd,
                                   JsonNode         *response,
                                   XenQmpErrorClass  error_class,
                                   const GError     *error,
                                   gpointer          user_data);

/**
 * XenQmpCmd: (skip)
 * @domid: the domain; set by xen_qmp_cmd_exec(), read-only while Active
 *   and inside the callback
 * @callback: set by xen_qmp_cmd_exec(); likewise read-only
 * @user_data: set by xen_qmp_cmd_exec(); likewise read-only
 * @fd: -1, or a file descriptor set before xen_qmp_cmd_exec(): it is
 *   sent with the command (`SCM_RIGHTS`) and closed by the library, also
 *   when exec fails (a failed precondition too) and on dispose. The library sets it back to -1 once it
 *   owns the descriptor.
 * @timeout_ms: 0 for no timeout, or how long the command may stay Active
 *   before it completes with %G_IO_ERROR_TIMED_OUT
 * @flags: options, set before exec
 *
 * A QMP command, allocated by the caller (typically inside its own state
 * struct). It is Idle after xen_qmp_cmd_init() and inside its callback;
 * Active between a successful xen_qmp_cmd_exec() and its callback. An Idle
 * command holds nothing and may be freed; an Active one must be disposed
 * before it is freed.
 *
 * Threads: a command is exec'd, disposed and called back in the thread
 * that iterates its host's main context (see #XenQmpHost); its callback
 * runs from that context, never from inside xen_qmp_cmd_exec() nor from
 * inside the connection's read step.
 *
 * The command API is for C toolstacks; other languages use #XenQmpClient.
 *
 * Since: 0.1
 */
struct _XenQmpCmd {
  guint32            domid;
  XenQmpCmdCallback  callback;
  gpointer           user_data;
  int                fd;
  guint              timeout_ms;
  XenQmpCmdFlags     flags;

  /*< private >*/
  gpointer           priv[6];
};

/**
 * XEN_QMP_CMD_INIT: (skip)
 *
 * An Idle #XenQmpCmd, as xen_qmp_cmd_init() makes one, to initialise a
 * command where it is declared:
 *
 * |[<!-- language="C" -->
 *   g_auto(XenQmpCmd) cmd = XEN_QMP_CMD_INIT;
 * ]|
 *
 * `g_auto(XenQmpCmd)` disposes of the command when it goes out of scope
 * (xen_qmp_cmd_dispose()): an Active command is dropped without its
 * callback, and an fd set on it is closed. Initialise such a variable
 * with this macro, never with `{ 0 }`: 0 is a valid fd (stdin), and
 * disposing of the command would close it.
 *
 * Since: 0.1
 */
#define XEN_QMP_CMD_INIT { 0, NULL, NULL, -1, 0, XEN_QMP_CMD_FLAGS_NONE, { NULL } }

XEN_QMP_AVAILABLE_IN_ALL
void     xen_qmp_cmd_init    (XenQmpCmd          *cmd);

XEN_QMP_AVAILABLE_IN_ALL
gboolean xen_qmp_cmd_exec    (XenQmpHost         *host,
                              XenQmpCmd          *cmd,
                              XenQmpCmdCallback   callback,
                              gpointer            user_data,
                              guint32             domid,
                              const char         *command,
                              JsonObject         *arguments,
                              GError            **error);

XEN_QMP_AVAILABLE_IN_ALL
void     xen_qmp_cmd_dispose (XenQmpCmd          *cmd);

XEN_QMP_AVAILABLE_IN_ALL
gboolean xen_qmp_cmd_is_active (const XenQmpCmd  *cmd);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (XenQmpCmd, xen_qmp_cmd_dispose)

G_END_DECLS
