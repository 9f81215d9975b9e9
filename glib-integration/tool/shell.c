/* shell.c: xen-qmp --shell, commands from a prompt or from stdin
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One command at a time, asynchronously: the main loop keeps running
 * between a command and its reply, so events are printed as they come.
 */
#include "config.h"

#include "shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include "arguments.h"
#include "completion.h"
#include "escape.h"
#include "events.h"
#include "fd-files.h"
#include "line-editor.h"
#include "output.h"
#include "session.h"

typedef struct {
  XenQmpClient     *client;
  gboolean          pretty;
  gboolean          interactive;   /* a terminal on stdin: the line editor */
  GDataInputStream *input;         /* otherwise, stdin line by line */
  GCancellable     *input_cancellable;
  GMainLoop        *loop;
  GCancellable     *command_cancellable; /* of the command in flight */
  guint             signal_ids[4];
  GStrv             completions;   /* command names and built-ins */
  XenQmpSchema     *schema;        /* nullable: arguments are completed */
  ToolExitStatus    status;
  gboolean          connected;
  gboolean          closed_early;  /* while connecting */
  gboolean          finished;
} Shell;

static const char *const builtins[] = { "exit", "execute", "help", "quit", NULL };

static const char help_text[] =
  "COMMAND [key=value ... | JSON-OBJECT]   run a QMP command\n"
  "execute COMMAND [...]                   run COMMAND even when it is a\n"
  "                                        built-in name (execute quit)\n"
  "--fd-read FILE COMMAND [...]            FILE opened read-only into an\n"
  "                                        fdset: @fd in the arguments names\n"
  "                                        it; also --fd-write, --fd-rw\n"
  "                                        (@fd0, @fd1, ... in order) and\n"
  "                                        --fd (sent with the command)\n"
  "help                                    this text\n"
  "exit, quit, Ctrl-D                      leave (QEMU keeps running)\n"
  "Ctrl-C                                  drop the line, or cancel the\n"
  "                                        command that runs";

static void shell_read_next (Shell *shell);

static void
shell_print (Shell *shell, const char *text)
{
  if (shell->interactive)
    line_editor_print (text);
  else
    {
      printf ("%s\n", text);
      fflush (stdout);
    }
}

static void
shell_finish (Shell *shell, ToolExitStatus status)
{
  shell->status = tool_exit_status_worst (shell->status, status);
  shell->finished = TRUE;
  if (shell->input_cancellable != NULL)
    g_cancellable_cancel (shell->input_cancellable);
  g_main_loop_quit (shell->loop);
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Shell *shell = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;

  reply = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, &error);
  g_clear_object (&shell->command_cancellable);
  if (shell->finished)
    return;
  if (reply != NULL)
    {
      g_autofree char *text = tool_output_format (reply, shell->pretty);

      shell_print (shell, text);
    }
  else
    shell->status = tool_exit_status_worst (shell->status,
                                            tool_report_error (error));
  shell_read_next (shell);
}

static void
on_event (XenQmpClient *client,
          const char   *name,
          JsonObject   *data,
          gint64        timestamp_us,
          gpointer      user_data)
{
  Shell *shell = user_data;
  g_autofree char *line = tool_event_format (name, data, timestamp_us);

  shell_print (shell, line);
}

static void
on_early_event (XenQmpClient *client,
                const char   *name,
                JsonObject   *data,
                gint64        timestamp_us,
                gpointer      user_data)
{
  g_autofree char *line = tool_event_format (name, data, timestamp_us);

  /* No prompt yet: plain lines. */
  printf ("%s\n", line);
  fflush (stdout);
}

gulong
tool_shell_print_early_events (XenQmpClient *client)
{
  return g_signal_connect (client, "event", G_CALLBACK (on_early_event), NULL);
}

char *
tool_shell_prompt (XenQmpClient *client)
{
  g_autoptr(XenQmpHost) host = NULL;
  g_autofree char *name = NULL;
  g_autofree char *escaped = NULL;
  guint domid = 0;

  g_object_get (client, "host", &host, "domid", &domid, NULL);
  if (host != NULL)
    return g_strdup_printf ("xen-qmp domain %u> ", domid);
  name = g_strdup (xen_qmp_client_get_socket_path (client));
  {
    /* "/run/xen/qmp-libxl-3" -> "/run/.../qmp-libxl-3": the first and
     * the last component say where; the rest makes the line long. */
    const char *first = strchr (name + (name[0] == '/'), '/');
    const char *last = strrchr (name, '/');

    if (first != NULL && last != NULL && first != last)
      {
        char *shorter = g_strdup_printf ("%.*s/...%s", (int) (first - name), name, last);

        g_free (name);
        name = shorter;
      }
  }
  escaped = tool_escape_text (name);
  return g_strdup_printf ("xen-qmp %s> ", escaped);
}

static void
on_closed (XenQmpClient *client, GError *reason, gpointer user_data)
{
  Shell *shell = user_data;
  g_autofree char *why = NULL;

  if (shell->finished)
    return;
  /* While connecting, the connect error tells it. */
  if (!shell->connected)
    {
      shell->closed_early = TRUE;
      return;
    }
  if (shell->interactive)
    line_editor_stop ();
  /* The reason may quote what QEMU sent. */
  why = reason != NULL ? tool_escape_text (reason->message) : NULL;
  fprintf (stderr, "%s: connection closed%s%s\n", g_get_prgname (),
           why != NULL ? ": " : "", why != NULL ? why : "");
  shell_finish (shell, TOOL_EXIT_LOCAL_ERROR);
}

/* Runs LINE; returns FALSE when nothing is in flight and the next line
 * can be read at once. */
static gboolean
shell_run_line (Shell *shell, const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autoptr(JsonObject) arguments = NULL;
  g_autoptr(ToolFdFiles) fd_files = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  const char *start = line + strspn (line, " \t");

  if (*start == '#')
    return FALSE;
  if (g_str_has_prefix (start, "execute ") || g_str_has_prefix (start, "execute\t"))
    start += strlen ("execute");
  else
    {
      g_autofree char *word = g_strndup (start, strcspn (start, " \t\r\n"));

      if (g_strv_contains (builtins, word))
        {
          if (strcmp (word, "help") == 0)
            shell_print (shell, help_text);
          else if (strcmp (word, "execute") == 0)
            {
              fprintf (stderr, "%s: execute: which command?\n", g_get_prgname ());
              shell->status = TOOL_EXIT_LOCAL_ERROR;
            }
          else
            shell_finish (shell, TOOL_EXIT_OK);
          return FALSE;
        }
    }

  /* Files for this command only: "--fd-read cd.iso blockdev-change-medium ...". */
  fd_files = tool_fd_files_new ();
  start = tool_fd_files_take_line_options (fd_files, start, &error);
  if (start != NULL && !tool_fd_files_is_empty (fd_files) && tool_fd_files_check (fd_files, &error))
    fd_list = tool_fd_files_open (fd_files, &error);
  if (error != NULL
      || !tool_arguments_parse_line (start, shell->schema, &command, &arguments, &error))
    {
      shell->status = tool_exit_status_worst (shell->status,
                                              tool_report_error (error));
      return FALSE;
    }
  if (command == NULL)
    return FALSE;
  shell->command_cancellable = g_cancellable_new ();
  if (tool_fd_files_use_fdsets (fd_files))
    xen_qmp_client_execute_with_fdsets_async (shell->client, command, arguments, fd_list,
                                              shell->command_cancellable, on_reply, shell);
  else
    xen_qmp_client_execute_full_async (shell->client, command, arguments, fd_list,
                                       XEN_QMP_EXECUTE_NONE, -1,
                                       shell->command_cancellable,
                                       on_reply, shell);
  return TRUE;
}

static void
on_line (char *line, gpointer user_data)
{
  Shell *shell = user_data;
  g_autofree char *owned = line;

  if (line == NULL)
    {
      /* Leave the user's next prompt on a line of its own. */
      if (shell->interactive)
        printf ("\n");
      shell_finish (shell, TOOL_EXIT_OK);
      return;
    }
  if (!shell_run_line (shell, line) && !shell->finished)
    shell_read_next (shell);
}

static void
on_input_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Shell *shell = user_data;
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                    result, NULL, &error);
  if (shell->finished)
    {
      g_free (line);
      return;
    }
  if (line == NULL && error != NULL)
    {
      shell_finish (shell, tool_report_error (error));
      return;
    }
  on_line (line, shell);
}

static void
shell_read_next (Shell *shell)
{
  if (shell->finished)
    return;
  if (shell->interactive)
    line_editor_resume ();
  else
    g_data_input_stream_read_line_async (shell->input, G_PRIORITY_DEFAULT,
                                         shell->input_cancellable,
                                         on_input_line, shell);
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Command names for tab completion: the schema's, or else QEMU's own
 * list, and the built-ins. */
static GStrv
fetch_completions (XenQmpClient *client, XenQmpSchema *schema, guint timeout_ms)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(JsonNode) reply = NULL;
  GStrv names;
  guint n;

  g_strv_builder_addv (builder, (const char **) builtins);
  if (schema != NULL)
    {
      g_auto(GStrv) commands = xen_qmp_schema_list (schema, XEN_QMP_SCHEMA_META_TYPE_COMMAND);

      g_strv_builder_addv (builder, (const char **) commands);
    }
  else
    reply = tool_session_execute (client, "query-commands", NULL, NULL,
                                  timeout_ms, NULL);
  if (reply != NULL && JSON_NODE_HOLDS_ARRAY (reply))
    {
      JsonArray *array = json_node_get_array (reply);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          const char *name = NULL;

          if (JSON_NODE_HOLDS_OBJECT (element))
            name = json_object_get_string_member_with_default (
              json_node_get_object (element), "name", NULL);
          if (name != NULL)
            g_strv_builder_add (builder, name);
        }
    }
  names = g_strv_builder_end (builder);
  n = g_strv_length (names);
  qsort (names, n, sizeof *names, compare_names);
  /* QEMU's quit is also a built-in: list each name once. */
  for (guint i = 0, kept = 0; i <= n; i++)
    if (i == n || kept == 0 || strcmp (names[i], names[kept - 1]) != 0)
      names[kept++] = names[i];
    else
      g_free (names[i]);
  return names;
}

/* Ctrl-C cancels the command in flight, or drops the line being typed;
 * it does not end the shell (exit, quit or Ctrl-D do). */
static gboolean
on_sigint (gpointer user_data)
{
  Shell *shell = user_data;

  if (shell->command_cancellable != NULL)
    g_cancellable_cancel (shell->command_cancellable);
  else
    line_editor_discard_line ();
  return G_SOURCE_CONTINUE;
}

/* Killed or hung up at the prompt: leave through the front door, so that
 * the terminal gets its modes back and the history is saved. */
static gboolean
on_sigterm (gpointer user_data)
{
  Shell *shell = user_data;

  line_editor_stop ();
  fprintf (stderr, "%s: terminated\n", g_get_prgname ());
  shell_finish (shell, TOOL_EXIT_LOCAL_ERROR);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigwinch (gpointer user_data)
{
  line_editor_resize ();
  return G_SOURCE_CONTINUE;
}

static GStrv
shell_complete (const char *line, gsize start, const char *text, gpointer user_data)
{
  Shell *shell = user_data;

  return tool_completion_candidates (shell->schema, (const char * const *) shell->completions,
                                     line, start, text);
}

static void
shell_start_reading (Shell *shell, guint timeout_ms)
{
  if (shell->interactive)
    {
      g_autofree char *history = line_editor_default_history_path ();
      g_autofree char *prompt = tool_shell_prompt (shell->client);

      shell->completions = fetch_completions (shell->client, shell->schema, timeout_ms);
      shell->signal_ids[0] = g_unix_signal_add (SIGINT, on_sigint, shell);
      shell->signal_ids[1] = g_unix_signal_add (SIGTERM, on_sigterm, shell);
      shell->signal_ids[2] = g_unix_signal_add (SIGHUP, on_sigterm, shell);
      shell->signal_ids[3] = g_unix_signal_add (SIGWINCH, on_sigwinch, shell);
      line_editor_start (prompt, history, shell_complete, shell, on_line, shell);
    }
  else
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      shell->input = g_data_input_stream_new (in);
      shell->input_cancellable = g_cancellable_new ();
      shell_read_next (shell);
    }
}

ToolExitStatus
tool_shell_run (XenQmpClient *client,
                XenQmpSchema *schema,
                guint         timeout_ms,
                gboolean      pretty,
                gulong        early_events_id)
{
  Shell shell = {
    .client = client,
    .schema = schema,
    .pretty = pretty,
    .interactive = isatty (STDIN_FILENO),
    .loop = g_main_loop_new (NULL, FALSE),
    .status = TOOL_EXIT_OK,
  };
  g_autoptr(GError) error = NULL;
  gulong event_id, closed_id;

  event_id = g_signal_connect (client, "event", G_CALLBACK (on_event), &shell);
  closed_id = g_signal_connect (client, "closed", G_CALLBACK (on_closed), &shell);
  if (early_events_id != 0)
    g_signal_handler_disconnect (client, early_events_id);
  if (!tool_session_connect (client, timeout_ms, &error))
    shell_finish (&shell, tool_report_error (error));
  else if (shell.closed_early)
    {
      fprintf (stderr, "%s: connection closed\n", g_get_prgname ());
      shell_finish (&shell, TOOL_EXIT_LOCAL_ERROR);
    }
  else
    {
      shell.connected = TRUE;
      shell_start_reading (&shell, timeout_ms);
    }

  if (!shell.finished)
    g_main_loop_run (shell.loop);

  /* A command still in flight (the shell was left while it ran) must not
   * call back into this frame later: cancelling completes it at once. */
  if (shell.command_cancellable != NULL)
    {
      g_cancellable_cancel (shell.command_cancellable);
      while (shell.command_cancellable != NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  if (shell.interactive)
    line_editor_stop ();
  g_signal_handler_disconnect (client, event_id);
  g_signal_handler_disconnect (client, closed_id);
  g_clear_object (&shell.input);
  g_clear_object (&shell.input_cancellable);
  for (gsize i = 0; i < G_N_ELEMENTS (shell.signal_ids); i++)
    g_clear_handle_id (&shell.signal_ids[i], g_source_remove);
  g_clear_pointer (&shell.completions, g_strfreev);
  g_main_loop_unref (shell.loop);
  return shell.status;
}
