/* xen-qmp-cmd.c: the Xen command API (Idle/Active QMP commands)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-context.h"

#include "xen-qmp-cmd.h"

#include <unistd.h>

#include "qmp-fdsets.h"
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
  QmpFdsetCall  *fdsets;    /* or, for xen_qmp_cmd_exec_with_fdsets(),
                               the chain that runs it */
} CmdBinding;

#define CMD_BINDING(cmd) ((CmdBinding *) (cmd)->priv[0])

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
close_fds (int *fds, guint n_fds)
{
  for (guint i = 0; i < n_fds; i++)
    if (fds[i] >= 0)
      close (fds[i]);
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

  g_clear_pointer (&binding->fdsets, qmp_fdset_call_unref);
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

/* Both execs: FDS (N_FDS of them, the caller's array) and CMD's fd are
 * the library's from the call on, closed on every path that does not
 * send them. WITH_FDSETS: FDS go through fdsets (qmp-fdsets.h);
 * otherwise CMD's fd goes with the command itself. */
static gboolean
cmd_exec (XenQmpHost         *host,
          XenQmpCmd          *cmd,
          XenQmpCmdCallback   callback,
          gpointer            user_data,
          guint32             domid,
          const char         *command,
          JsonObject         *arguments,
          gboolean            with_fdsets,
          const int          *caller_fds,
          guint               n_fds,
          GError            **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autofree int *fds = NULL;
  QmpConnection *conn;
  CmdBinding *binding;
  int fd;

  /* The fds are the library's from here on, whatever happens next: a
   * caller cannot tell which precondition failed, so it cannot know
   * whether to close them itself. An Active command's fd field is unused,
   * so taking it there too is safe. */
  fd = cmd != NULL ? cmd->fd : -1;
  if (cmd != NULL)
    cmd->fd = -1;
  if (caller_fds != NULL && n_fds > 0)
    fds = g_memdup2 (caller_fds, n_fds * sizeof (int));
  else
    n_fds = 0;
  if (cmd == NULL || xen_qmp_cmd_is_active (cmd) || !XEN_QMP_IS_HOST (host) || callback == NULL
      || command == NULL || (error != NULL && *error != NULL))
    {
      close_fd (&fd);
      close_fds (fds, n_fds);
      g_return_val_if_fail (cmd != NULL, FALSE);
      g_return_val_if_fail (!xen_qmp_cmd_is_active (cmd), FALSE);
      g_return_val_if_fail (XEN_QMP_IS_HOST (host), FALSE);
      g_return_val_if_fail (callback != NULL, FALSE);
      g_return_val_if_fail (command != NULL, FALSE);
      g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
    }

  QMP_CHECK_THREAD (xen_qmp_host_get_context (host), "XenQmpHost",
                    (close_fd (&fd), close_fds (fds, n_fds), FALSE));
  context = g_main_context_ref_thread_default ();
  if (context != xen_qmp_host_get_context (host))
    {
      close_fd (&fd);
      close_fds (fds, n_fds);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "xen_qmp_cmd_exec() must be called with the host's main "
                   "context as the thread-default context");
      return FALSE;
    }
  if (with_fdsets && fd >= 0)
    {
      close_fd (&fd);
      close_fds (fds, n_fds);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: the command's fd is for xen_qmp_cmd_exec(): "
                   "xen_qmp_cmd_exec_with_fdsets() takes its fds as an array", command);
      return FALSE;
    }
  if (with_fdsets && !qmp_fdsets_check_arguments (arguments, n_fds, error))
    {
      close_fds (fds, n_fds);
      g_prefix_error (error, "%s: ", command);
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
      close_fds (fds, n_fds);
      return FALSE;
    }

  binding = g_new0 (CmdBinding, 1);
  binding->cmd = cmd;
  binding->conn = qmp_connection_ref (conn);
  qmp_connection_hold (conn);
  binding->task = g_task_new (NULL, NULL, task_done, binding);
  /* Named first: the source tag would name it too, for nothing. */
  g_task_set_name (binding->task, command);
  g_task_set_source_tag (binding->task, with_fdsets ? (gpointer) xen_qmp_cmd_exec_with_fdsets
                                                    : (gpointer) xen_qmp_cmd_exec);
  cmd->priv[0] = binding;

  if (with_fdsets)
    {
      binding->fdsets = qmp_fdset_call_start (conn, binding->task, command, arguments,
                                              g_steal_pointer (&fds), n_fds,
                                              cmd->timeout_ms, NULL, NULL);
    }
  else
    {
      int *one = NULL;

      if (fd >= 0)
        {
          one = g_new (int, 1);
          one[0] = fd;
        }
      binding->id = qmp_connection_execute (conn, binding->task, command, arguments,
                                            FALSE, one, fd >= 0 ? 1 : 0, cmd->timeout_ms,
                                            NULL, NULL);
    }
  /* The connection (or the chain) holds the task until it completes it. */
  g_object_unref (binding->task);
  return TRUE;
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
  return cmd_exec (host, cmd, callback, user_data, domid, command, arguments,
                   FALSE, NULL, 0, error);
}

/**
 * xen_qmp_cmd_exec_with_fdsets: (skip)
 * @host: the host
 * @cmd: an Idle command whose @fd is -1; its @timeout_ms applies to each
 *   step (each `add-fd`, the command, each `remove-fd`)
 * @callback: called once with the result of @command
 * @user_data: data for @callback
 * @domid: the domain whose QEMU runs the command
 * @command: the QMP command that opens the files, such as
 *   `blockdev-change-medium` or `xen-save-devices-state`
 * @arguments: (nullable): its arguments, with placeholders; not consumed
 * @fds: (array length=n_fds): file descriptors, opened with the access
 *   mode QEMU will ask for (QEMU 7.2 only hands out an fdset's fd whose
 *   `O_ACCMODE` equals the mode it opens with: `O_RDONLY` for a read-only
 *   CD, `O_WRONLY` for `xen-save-devices-state`); each belongs to the
 *   library from this call on, also when it fails
 * @n_fds: how many, 1 to 16
 * @error: return location for a synchronous error
 *
 * Runs @command with files the caller opened, as libxl passes them to
 * QEMU (Xen 4.17 tools/libs/light/libxl_disk.c cdrom_insert_addfd_cb,
 * libxl_qmp.c dm_state_fd_ready): on @domid's connection, each fd goes
 * into a new fdset of its own (`add-fd`, the fd sent with `SCM_RIGHTS`,
 * one command per fd as QEMU takes them), then @command runs with every
 * string value `"@fd"` or `"@fd0"` (the first fd), `"@fd1"`, … anywhere
 * in @arguments replaced by that fd's fdset, `/dev/fdset/N`. Then
 * `remove-fd` removes each fdset made, whatever happened: success, QMP
 * error, timeout, dispose. If the connection fails, QEMU cleans up
 * itself: it closes an fdset's fds once no monitor is connected, none of
 * them is in use and the guest runs (QEMU 7.2 monitor/misc.c
 * monitor_fdset_cleanup). An fd QEMU is still using (a CD's image) stays
 * open in QEMU until it is done with it; `query-fdsets` lists its fdset,
 * empty, until then.
 *
 * Every placeholder must name a given fd, and every fd must be named:
 * otherwise this fails with %G_IO_ERROR_INVALID_ARGUMENT. A placeholder is
 * a whole string value; other strings are left alone.
 *
 * |[<!-- language="C" -->
 *   int fd = open ("/srv/cd.iso", O_RDONLY | O_CLOEXEC);
 *   g_autoptr(JsonObject) args = json_object_new ();
 *
 *   json_object_set_string_member (args, "id", "ide-5632");
 *   json_object_set_string_member (args, "filename", "@fd");
 *   json_object_set_string_member (args, "read-only-mode", "read-only");
 *   if (!xen_qmp_cmd_exec_with_fdsets (host, &state->cmd, cd_inserted, state,
 *                                      domid, "blockdev-change-medium", args,
 *                                      &fd, 1, &error))
 *     ...
 * ]|
 *
 * The callback is called once, as for xen_qmp_cmd_exec(), never from
 * inside this call. When QEMU answered @command (its return value or a
 * QMP error, or a QMP error of an `add-fd`), it is called once the
 * `remove-fd`s are answered, so that no fdset of the call is left then.
 * A local error (a step's timeout, the connection lost) calls it at
 * once, the `remove-fd`s following in the background, as they do after
 * xen_qmp_cmd_dispose(), which makes the command Idle at once.
 *
 * Returns: %TRUE if @cmd is Active; %FALSE with @error set if it stays
 *   Idle, its fds closed.
 *
 * Since: 0.1
 */
gboolean
xen_qmp_cmd_exec_with_fdsets (XenQmpHost         *host,
                              XenQmpCmd          *cmd,
                              XenQmpCmdCallback   callback,
                              gpointer            user_data,
                              guint32             domid,
                              const char         *command,
                              JsonObject         *arguments,
                              const int          *fds,
                              guint               n_fds,
                              GError            **error)
{
  return cmd_exec (host, cmd, callback, user_data, domid, command, arguments,
                   TRUE, fds, n_fds, error);
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
  if (binding->fdsets != NULL)
    qmp_fdset_call_abandon (binding->fdsets, NULL);
  else
    qmp_connection_abandon (binding->conn, binding->task, binding->id, NULL);
}
