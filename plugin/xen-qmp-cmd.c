/* xen-qmp-cmd.c: the Xen command API (Idle/Active QMP commands)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-context.h"

#include "xen-qmp-cmd.h"

#include <unistd.h>

#include "xen-qmp-host-private.h"

/**
 * SECTION:xen-qmp-cmd
 *
 * The command API follows Xen's design for asynchronous QMP calls.
 *
 * A #XenQmpCmd is Idle or Active. xen_qmp_cmd_init() makes it Idle;
 * xen_qmp_cmd_exec() makes it Active, or fails synchronously and leaves it
 * Idle; its callback is called exactly once, with the command Idle again,
 * unless xen_qmp_cmd_dispose() makes it Idle first.
 *
 * - exec connects to the domain's QMP socket if no connection is open and
 *   does no other I/O: the command is written from the main loop, and the
 *   callback never runs from inside exec.
 * - exec from inside a callback of a command for the same domain uses the
 *   same connection, so a command can use an fd passed by the one before
 *   (`add-fd`, `getfd`).
 * - dispose is safe anywhere, including inside another command's callback
 *   and after the command was sent; its reply, if it comes, is dropped.
 * - when the connection fails, every Active command on it is called back
 *   once with a %XEN_QMP_ERROR_CLASS_LOCAL error; when nothing is Active,
 *   nobody is called.
 */

/* While Active, priv[0] points to the binding between the caller's cmd
 * and the GTask; the binding outlives a dispose, so that the GTask's
 * callback finds out it must stay silent. */
typedef struct {
  XenQmpCmd     *cmd;       /* NULL once disposed */
  QmpConnection *conn;      /* a reference and a hold */
  GTask         *task;      /* not a reference: alive until task_done() */
  gint64         id;        /* the command's on the connection */
} CmdBinding;

#define CMD_BINDING(cmd) ((CmdBinding *) (cmd)->priv[0])

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/**
 * xen_qmp_cmd_init: (skip)
 * @cmd: a command, in any state but Active
 *
 * Makes @cmd Idle: no fd, no timeout, holding nothing.
 *
 * Since: 0.1
 */
void
xen_qmp_cmd_init (XenQmpCmd *cmd)
{
  g_return_if_fail (cmd != NULL);

  *cmd = (XenQmpCmd) { .fd = -1 };
}

/**
 * xen_qmp_cmd_is_active: (skip)
 * @cmd: an initialised command
 *
 * Whether @cmd is Active: exec'd and not yet called back or disposed.
 *
 * Returns: whether @cmd is Active
 *
 * Since: 0.1
 */
gboolean
xen_qmp_cmd_is_active (const XenQmpCmd *cmd)
{
  g_return_val_if_fail (cmd != NULL, FALSE);
  return cmd->priv[0] != NULL;
}

static void
task_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CmdBinding *binding = user_data;
  XenQmpCmd *cmd = binding->cmd;
  QmpConnection *conn = binding->conn;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) response = g_task_propagate_pointer (G_TASK (result), &error);

  g_free (binding);
  if (cmd != NULL)
    {
      cmd->priv[0] = NULL;
      /* The cmd is Idle now and may be freed by its callback: do not touch
       * it after this call. */
      cmd->callback (cmd, response, xen_qmp_error_get_class (error), error,
                     cmd->user_data);
    }
  /* Released after the callback, so that a command exec'd from inside it
   * for the same domain still finds the connection open. */
  qmp_connection_release (conn);
  qmp_connection_unref (conn);
}

/**
 * xen_qmp_cmd_exec: (skip)
 * @host: the host
 * @cmd: an Idle command; its @fd and @timeout_ms are used
 * @callback: called once when the command completes
 * @user_data: data for @callback
 * @domid: the domain whose QEMU runs the command
 * @command: the QMP command, such as `query-status`
 * @arguments: (nullable): its arguments; not consumed
 * @error: return location for a synchronous error
 *
 * Starts @command: connects to @domid's QMP socket if needed and queues
 * the command; nothing else happens before this returns. The callback is
 * called from the host's main context once the reply, an error, the
 * timeout or the end of the connection comes.
 *
 * Returns: %TRUE if @cmd is Active; %FALSE with @error set (the socket is
 *   missing or refuses connections, too many commands are queued) if it
 *   stays Idle. Either way @cmd->fd now belongs to the library.
 *
 * Since: 0.1
 */
gboolean
xen_qmp_cmd_exec (XenQmpHost         *host,
                  XenQmpCmd          *cmd,
                  XenQmpCmdCallback   callback,
                  gpointer            user_data,
                  guint32             domid,
                  const char         *command,
                  JsonObject         *arguments,
                  GError            **error)
{
  g_autoptr(GMainContext) context = NULL;
  QmpConnection *conn;
  CmdBinding *binding;
  int fd;

  g_return_val_if_fail (cmd != NULL, FALSE);
  /* The fd is the library's from here on, whatever happens next: a caller
   * cannot tell which precondition failed, so it cannot know whether to
   * close it itself. An Active command's fd field is unused, so taking it
   * there too is safe. */
  fd = cmd->fd;
  cmd->fd = -1;
  if (xen_qmp_cmd_is_active (cmd) || !XEN_QMP_IS_HOST (host) || callback == NULL
      || command == NULL || (error != NULL && *error != NULL))
    {
      close_fd (&fd);
      g_return_val_if_fail (!xen_qmp_cmd_is_active (cmd), FALSE);
      g_return_val_if_fail (XEN_QMP_IS_HOST (host), FALSE);
      g_return_val_if_fail (callback != NULL, FALSE);
      g_return_val_if_fail (command != NULL, FALSE);
      g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
    }

  QMP_CHECK_THREAD (xen_qmp_host_get_context (host), "XenQmpHost", (close_fd (&fd), FALSE));
  context = g_main_context_ref_thread_default ();
  if (context != xen_qmp_host_get_context (host))
    {
      close_fd (&fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "xen_qmp_cmd_exec() must be called with the host's main "
                   "context as the thread-default context");
      return FALSE;
    }

  cmd->domid = domid;
  cmd->callback = callback;
  cmd->user_data = user_data;

  conn = _xen_qmp_host_connect (host, domid,
                                (cmd->flags & XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL) != 0,
                                error);
  if (conn == NULL || !qmp_connection_can_execute (conn, error))
    {
      close_fd (&fd);
      return FALSE;
    }

  binding = g_new0 (CmdBinding, 1);
  binding->cmd = cmd;
  binding->conn = qmp_connection_ref (conn);
  qmp_connection_hold (conn);
  binding->task = g_task_new (NULL, NULL, task_done, binding);
  /* Named first: the source tag would name it too, for nothing. */
  g_task_set_name (binding->task, command);
  g_task_set_source_tag (binding->task, xen_qmp_cmd_exec);
  cmd->priv[0] = binding;

  {
    int *fds = NULL;

    if (fd >= 0)
      {
        fds = g_new (int, 1);
        fds[0] = fd;
      }
    binding->id = qmp_connection_execute (conn, binding->task, command, arguments,
                                          FALSE, fds, fd >= 0 ? 1 : 0, cmd->timeout_ms,
                                          NULL, NULL);
  }
  /* The connection holds the task until it completes it. */
  g_object_unref (binding->task);
  return TRUE;
}

/**
 * xen_qmp_cmd_dispose: (skip)
 * @cmd: a command, Active or Idle
 *
 * Makes @cmd Idle without calling its callback; safe from anywhere,
 * including from inside another command's callback. A command already
 * sent is not taken back from QEMU, but its reply is dropped. An fd set
 * on an Idle command is closed.
 *
 * Since: 0.1
 */
void
xen_qmp_cmd_dispose (XenQmpCmd *cmd)
{
  CmdBinding *binding;

  g_return_if_fail (cmd != NULL);

  binding = CMD_BINDING (cmd);
  cmd->priv[0] = NULL;
  close_fd (&cmd->fd);
  if (binding == NULL)
    return;
  binding->cmd = NULL;
  /* If the task already completed, its callback is scheduled and will see
   * the binding orphaned; otherwise this completes it now, silently. */
  qmp_connection_abandon (binding->conn, binding->task, binding->id, NULL);
}
