/* qmp-fdsets.c: a command that opens files through fdsets, as libxl does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libxl opens the files QEMU needs itself and passes them through an
 * fdset: `add-fd` with the fd (SCM_RIGHTS), `fdset-id` from its reply,
 * then the command with `/dev/fdset/N` as the file name (Xen 4.17
 * tools/libs/light/libxl_disk.c cdrom_insert_addfd_cb for
 * `blockdev-change-medium`, libxl_qmp.c dm_state_fd_ready and
 * dm_state_save_to_fdset for `xen-save-devices-state`). libxl then
 * leaves the fdset to QEMU; a connection of ours may stay open for long
 * (a client), so the chain also sends `remove-fd` for every fdset it
 * made, on every path where the connection is still there.
 */
#include "config.h"

#include "qmp-fdsets.h"

#include <string.h>
#include <unistd.h>

#include "qmp-context.h"
#include "xen-qmp-error.h"

#define PLACEHOLDER "@fd"

/* The fd a placeholder names: "@fd" is fd 0, "@fdN" fd N; -1 for any
 * other string (a placeholder is a whole value, never part of one). */
static gint64
placeholder_index (const char *value)
{
  const char *digits;
  guint64 n;

  if (!g_str_has_prefix (value, PLACEHOLDER))
    return -1;
  digits = value + strlen (PLACEHOLDER);
  if (*digits == '\0')
    return 0;
  if (strlen (digits) > 3 || !g_ascii_string_to_unsigned (digits, 10, 0, 999, &n, NULL))
    return -1;
  /* "@fd01" is not "@fd1": one spelling for each. */
  if (digits[0] == '0' && digits[1] != '\0')
    return -1;
  return (gint64) n;
}

static void
collect_placeholders (JsonNode *node, guint n_fds, guint *used, gint64 *bad)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          collect_placeholders (member, n_fds, used, bad);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          collect_placeholders (json_array_get_element (array, i), n_fds, used, bad);
      }
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          gint64 index = placeholder_index (json_node_get_string (node));

          if (index >= (gint64) n_fds && *bad < 0)
            *bad = index;
          else if (index >= 0 && index < (gint64) n_fds)
            used[index]++;
        }
      break;
    case JSON_NODE_NULL:
      break;
    }
}

gboolean
qmp_fdsets_check_arguments (JsonObject *arguments, guint n_fds, GError **error)
{
  g_autofree guint *used = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 bad = -1;

  if (n_fds == 0 || n_fds > QMP_FDSETS_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%u file descriptors given: an fdset call takes 1 to %d",
                   n_fds, QMP_FDSETS_MAX);
      return FALSE;
    }
  used = g_new0 (guint, n_fds);
  if (arguments != NULL)
    {
      root = json_node_init_object (json_node_alloc (), arguments);
      collect_placeholders (root, n_fds, used, &bad);
    }
  if (bad >= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the arguments name " PLACEHOLDER "%" G_GINT64_FORMAT
                   ", but only %u file descriptor%s given (" PLACEHOLDER "0 to "
                   PLACEHOLDER "%u)", bad, n_fds, n_fds == 1 ? " is" : "s are", n_fds - 1);
      return FALSE;
    }
  for (guint i = 0; i < n_fds; i++)
    if (used[i] == 0)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "no argument names file descriptor %u: give \"" PLACEHOLDER
                     "%u\"%s as the value that QEMU opens (it becomes /dev/fdset/N)",
                     i, i, i == 0 ? " (or \"" PLACEHOLDER "\")" : "");
        return FALSE;
      }
  return TRUE;
}

/* A deep copy of NODE, with placeholders replaced when IDS is set: the
 * chain keeps the arguments as they were at the call. */
static JsonNode *
copy_substituted (JsonNode *node, const gint64 *ids)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *copy = json_object_new ();
        JsonNode *result = json_node_new (JSON_NODE_OBJECT);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          json_object_set_member (copy, name, copy_substituted (member, ids));
        /* Taken, not referenced: json_node_init_object() would keep ours. */
        json_node_take_object (result, copy);
        return result;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        JsonArray *copy = json_array_sized_new (json_array_get_length (array));
        JsonNode *result = json_node_new (JSON_NODE_ARRAY);

        for (guint i = 0; i < json_array_get_length (array); i++)
          json_array_add_element (copy, copy_substituted (json_array_get_element (array, i), ids));
        json_node_take_array (result, copy);
        return result;
      }
    case JSON_NODE_VALUE:
      if (ids != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          gint64 index = placeholder_index (json_node_get_string (node));

          if (index >= 0)
            {
              g_autofree char *path = g_strdup_printf ("/dev/fdset/%" G_GINT64_FORMAT,
                                                       ids[index]);
              return json_node_init_string (json_node_alloc (), path);
            }
        }
      return json_node_copy (node);
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

static JsonObject *
copy_arguments (JsonObject *arguments, const gint64 *ids)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) copy = NULL;

  if (arguments == NULL)
    return NULL;
  root = json_node_init_object (json_node_alloc (), arguments);
  copy = copy_substituted (root, ids);
  return json_object_ref (json_node_get_object (copy));
}

/* ---- the chain ----------------------------------------------------- */

struct _QmpFdsetCall {
  gint              ref_count;
  QmpConnection    *conn;          /* a reference and a hold */
  QmpIoContext     *io;            /* the connection's */
  GTask            *task;          /* the caller's, until completed */
  QmpCompletedFunc  completed;
  gpointer          completed_data;
  char             *command;
  JsonObject       *arguments;     /* copied at the call, placeholders kept */
  int              *fds;           /* -1 once sent (then the connection's) */
  guint             n_fds;
  guint             next_fd;       /* the next to go with an add-fd */
  gint64           *fdset_ids;     /* n_fdsets of them: made, to remove */
  guint             n_fdsets;
  guint             timeout_ms;
  guint             removing;      /* remove-fds not answered yet */
  JsonNode         *result;        /* the command's answer, delivered */
  GError           *result_error;  /* once the fdsets are removed */
};

static QmpFdsetCall *
call_ref (QmpFdsetCall *call)
{
  g_atomic_int_inc (&call->ref_count);
  return call;
}

static void
close_unsent_fds (QmpFdsetCall *call)
{
  for (guint i = 0; i < call->n_fds; i++)
    if (call->fds[i] >= 0)
      {
        close (call->fds[i]);
        call->fds[i] = -1;
      }
}

void
qmp_fdset_call_unref (QmpFdsetCall *call)
{
  if (!g_atomic_int_dec_and_test (&call->ref_count))
    return;
  /* Only a chain that has ended drops its last reference: the task is
   * completed, every fd sent or closed. */
  g_assert (call->task == NULL);
  close_unsent_fds (call);
  qmp_connection_release (call->conn);
  qmp_connection_unref (call->conn);
  g_free (call->command);
  g_clear_pointer (&call->arguments, json_object_unref);
  g_free (call->fds);
  g_free (call->fdset_ids);
  g_clear_pointer (&call->result, json_node_unref);
  g_clear_error (&call->result_error);
  g_free (call);
}

/* The one place where the caller's task ends. ERROR is taken. Delivered
 * from the outbox, as every completion is: never from inside the call
 * that started the chain or abandoned it. */
static void
call_complete (QmpFdsetCall *call, JsonNode *ret, GError *error)
{
  GTask *task = g_steal_pointer (&call->task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (call->completed != NULL)
    call->completed (task, call->completed_data);
  qmp_io_context_push_result (call->io, task, ret, error);
}

/* QEMU answered (RET, or a QMP error): the caller hears of it once the
 * fdsets are removed, so that none is left when its callback runs. A
 * local error (timeout, closed connection) is told at once: a wedged
 * QEMU would not answer remove-fd either. ERROR is taken. */
static void
call_complete_after_clean_up (QmpFdsetCall *call, JsonNode *ret, GError *error)
{
  if (error != NULL && error->domain != XEN_QMP_ERROR)
    {
      call_complete (call, ret, error);
      return;
    }
  call->result = ret != NULL ? json_node_ref (ret) : NULL;
  call->result_error = error;
}

static void
call_deliver_result (QmpFdsetCall *call)
{
  if (call->result == NULL && call->result_error == NULL)
    return;
  call_complete (call, call->result, g_steal_pointer (&call->result_error));
  g_clear_pointer (&call->result, json_node_unref);
}

/* Runs one step of the chain on the connection; the step's callback
 * holds a reference to the call. */
static gboolean
call_step (QmpFdsetCall        *call,
           const char          *command,
           JsonObject          *arguments,
           int                 *fds,
           guint                n_fds,
           GAsyncReadyCallback  done,
           GError             **error)
{
  g_autoptr(GTask) step = NULL;

  if (!qmp_connection_can_execute (call->conn, error))
    {
      for (guint i = 0; i < n_fds; i++)
        close (fds[i]);
      g_free (fds);
      return FALSE;
    }
  /* The library's own step: it runs even while a _sync call waits. */
  step = qmp_task_new_in (qmp_io_context_get_main (call->io), NULL, NULL, done, call_ref (call));
  g_task_set_name (step, command);
  qmp_connection_execute (call->conn, step, command, arguments, FALSE, fds, n_fds,
                          call->timeout_ms, NULL, NULL);
  return TRUE;
}

static void
on_remove_fd_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(QmpFdsetCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = g_task_propagate_pointer (G_TASK (result), &error);

  /* Nobody to tell: the caller has its result. QEMU answers remove-fd
   * with an error only for an fdset that is not there any more. */
  if (error != NULL)
    g_debug ("%s: remove-fd after %s: %s", qmp_connection_get_peer (call->conn),
             call->command, error->message);
  if (--call->removing == 0)
    call_deliver_result (call);
}

/* The end of every chain: what was not sent is closed, and every fdset
 * made is removed, on the same connection, whatever happened before. A
 * failed connection took QEMU's fdsets with it (see the header). */
static void
call_clean_up (QmpFdsetCall *call)
{
  close_unsent_fds (call);
  for (guint i = 0; i < call->n_fdsets; i++)
    {
      g_autoptr(JsonObject) args = json_object_new ();
      g_autoptr(GError) error = NULL;

      json_object_set_int_member (args, "fdset-id", call->fdset_ids[i]);
      if (call_step (call, "remove-fd", args, NULL, 0, on_remove_fd_done, &error))
        call->removing++;
      else
        g_debug ("%s: fdset %" G_GINT64_FORMAT " left to QEMU: %s",
                 qmp_connection_get_peer (call->conn), call->fdset_ids[i], error->message);
    }
  call->n_fdsets = 0;
  if (call->removing == 0)
    call_deliver_result (call);
}

static void
on_command_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(QmpFdsetCall) call = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) ret = g_task_propagate_pointer (G_TASK (result), &error);

  call_complete_after_clean_up (call, ret, error);
  call_clean_up (call);
}

static void
run_command (QmpFdsetCall *call)
{
  g_autoptr(JsonObject) args = NULL;
  GError *error = NULL;

  if (call->task == NULL)
    {
      /* Abandoned while its fdsets were being made. */
      call_clean_up (call);
      return;
    }
  args = copy_arguments (call->arguments, call->fdset_ids);
  if (!call_step (call, call->command, args, NULL, 0, on_command_done, &error))
    {
      call_complete (call, NULL, error);
      call_clean_up (call);
    }
}

static void add_next_fd (QmpFdsetCall *call);

static void
on_add_fd_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(QmpFdsetCall) call = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) ret = g_task_propagate_pointer (G_TASK (result), &error);
  JsonObject *obj;
  JsonNode *id;

  if (error != NULL)
    {
      call_complete_after_clean_up (call, NULL, error);
      call_clean_up (call);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (ret) ? json_node_get_object (ret) : NULL;
  id = obj != NULL ? json_object_get_member (obj, "fdset-id") : NULL;
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64)
    {
      call_complete (call, NULL,
                     g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                  "%s: add-fd for %s returned no integer fdset-id",
                                  qmp_connection_get_peer (call->conn), call->command));
      call_clean_up (call);
      return;
    }
  call->fdset_ids[call->n_fdsets++] = json_node_get_int (id);
  add_next_fd (call);
}

/* One add-fd at a time: QEMU 7.2's add-fd takes the fd that came with
 * the bytes it last read (chardev/char-socket.c tcp_get_msgfds) and
 * closes any it did not use, so a second add-fd's fd must not arrive
 * before the first add-fd has run. */
static void
add_next_fd (QmpFdsetCall *call)
{
  g_autoptr(JsonObject) args = NULL;
  g_autofree char *opaque = NULL;
  GError *error = NULL;
  int *fd;

  if (call->task == NULL)
    {
      call_clean_up (call);
      return;
    }
  if (call->next_fd == call->n_fds)
    {
      run_command (call);
      return;
    }
  /* Named for query-fdsets, as libxl names its (format:path). */
  opaque = g_strdup_printf ("libxenqmp:%s:" PLACEHOLDER "%u", call->command, call->next_fd);
  args = json_object_new ();
  json_object_set_string_member (args, "opaque", opaque);
  fd = g_new (int, 1);
  *fd = call->fds[call->next_fd];
  call->fds[call->next_fd++] = -1;
  if (!call_step (call, "add-fd", args, fd, 1, on_add_fd_done, &error))
    {
      call_complete (call, NULL, error);
      call_clean_up (call);
    }
}

QmpFdsetCall *
qmp_fdset_call_start (QmpConnection    *conn,
                      GTask            *task,
                      const char       *command,
                      JsonObject       *arguments,
                      int              *fds,
                      guint             n_fds,
                      guint             timeout_ms,
                      QmpCompletedFunc  completed,
                      gpointer          completed_data)
{
  QmpFdsetCall *call = g_new0 (QmpFdsetCall, 1);

  call->ref_count = 1;
  call->conn = qmp_connection_ref (conn);
  qmp_connection_hold (conn);
  call->io = qmp_connection_get_io_context (conn);
  call->task = g_object_ref (task);
  call->completed = completed;
  call->completed_data = completed_data;
  call->command = g_strdup (command);
  call->arguments = copy_arguments (arguments, NULL);
  call->fds = fds;
  call->n_fds = n_fds;
  call->fdset_ids = g_new (gint64, n_fds);
  call->timeout_ms = timeout_ms;
  /* Each step holds the call until it is answered; the reference
   * returned is the caller's. */
  add_next_fd (call);
  return call;
}

void
qmp_fdset_call_abandon (QmpFdsetCall *call, const GError *reason)
{
  GError *error;

  if (call->task == NULL)
    return;
  error = reason != NULL
          ? g_error_copy (reason)
          : g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s: %s was cancelled",
                         qmp_connection_get_peer (call->conn), call->command);
  call_complete (call, NULL, error);
}
