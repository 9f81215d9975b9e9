/* line-editor.c: the interactive prompt of xen-qmp --shell (libedit)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libedit (BSD licence) rather than GNU readline (GPL-3), through its
 * readline-compatible callback interface: the main loop watches stdin and
 * feeds libedit one character at a time, so that QMP events and replies
 * are handled while the user types. libedit keeps its state in globals,
 * hence one editor per process.
 */
#include "config.h"

#include "line-editor.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <editline/readline.h>

#define HISTORY_LENGTH 1000

static struct {
  char                *prompt;
  char                *history_path;
  LineEditorCompleter  completer;
  gpointer             completer_data;
  GStrv                candidates;   /* of the completion in progress */
  LineEditorHandler    handler;
  gpointer             user_data;
  guint                stdin_watch;  /* 0 while paused */
  gboolean             started;
} editor;

static char *
next_candidate (const char *text, int state)
{
  static gsize next;

  if (state == 0)
    next = 0;
  if (editor.candidates == NULL || editor.candidates[next] == NULL)
    return NULL;
  return strdup (editor.candidates[next++]);  /* libedit free()s it */
}

/* The completer knows commands and arguments; nothing is completed as a
 * file name, which libedit would do otherwise. */
static char **
complete (const char *text, int start, int end)
{
  gboolean all_keys = TRUE;

  rl_attempted_completion_over = 1;
  g_clear_pointer (&editor.candidates, g_strfreev);
  if (editor.completer == NULL)
    return NULL;
  editor.candidates = editor.completer (rl_line_buffer, (gsize) start, text,
                                        editor.completer_data);
  if (editor.candidates == NULL || editor.candidates[0] == NULL)
    return NULL;
  /* "name=" is followed by its value, not by a blank. */
  for (guint i = 0; editor.candidates[i] != NULL; i++)
    all_keys = all_keys && g_str_has_suffix (editor.candidates[i], "=");
  rl_completion_append_character = all_keys ? '\0' : ' ';
  return rl_completion_matches (text, next_candidate);
}

static void
pause_reading (void)
{
  g_clear_handle_id (&editor.stdin_watch, g_source_remove);
  rl_callback_handler_remove ();
}

static void
on_line (char *line)
{
  /* Paused before the handler runs: the command runs with the terminal
   * in its normal mode, and the prompt comes back once it is done. */
  pause_reading ();
  if (line != NULL && line[strspn (line, " \t")] != '\0')
    add_history (line);
  editor.handler (line != NULL ? g_strdup (line) : NULL, editor.user_data);
  free (line);
}

static gboolean
on_stdin (int fd, GIOCondition condition, gpointer user_data)
{
  rl_callback_read_char ();
  return G_SOURCE_CONTINUE;
}

void
line_editor_start (const char          *prompt,
                   const char          *history_path,
                   LineEditorCompleter  completer,
                   gpointer             completer_data,
                   LineEditorHandler    handler,
                   gpointer             user_data)
{
  editor.started = TRUE;
  editor.prompt = g_strdup (prompt);
  editor.history_path = g_strdup (history_path);
  editor.completer = completer;
  editor.completer_data = completer_data;
  editor.handler = handler;
  editor.user_data = user_data;

  rl_readline_name = (char *) "xen-qmp";
  /* libedit's own handlers re-raise a signal with kill(0, ...): to the
   * whole process group, which may hold our caller (make, a script). The
   * shell handles SIGINT, SIGTERM and SIGHUP through the main loop. */
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  rl_attempted_completion_function = complete;
  /* Words are split on blanks only: "reboot=re" is completed whole. */
  rl_basic_word_break_characters = " \t";
  rl_completer_word_break_characters = (char *) " \t";
  using_history ();
  stifle_history (HISTORY_LENGTH);
  if (history_path != NULL)
    read_history (history_path);
  line_editor_resume ();
}

void
line_editor_resume (void)
{
  if (editor.stdin_watch != 0)
    return;
  /* Installing the handler shows the prompt. */
  rl_callback_handler_install (editor.prompt, on_line);
  editor.stdin_watch = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP,
                                      on_stdin, NULL);
}

void
line_editor_print (const char *text)
{
  if (editor.stdin_watch == 0)
    {
      printf ("%s\n", text);
      fflush (stdout);
      return;
    }
  /* Erase the prompt line, print above it, then let libedit draw the
   * prompt and the half-typed line again from the start of a line. */
  printf ("\r\033[K%s\n", text);
  fflush (stdout);
  rl_forced_update_display ();
}

void
line_editor_resize (void)
{
  if (editor.started)
    rl_resize_terminal ();
}

void
line_editor_discard_line (void)
{
  if (editor.stdin_watch == 0)
    return;
  printf ("^C\n");
  fflush (stdout);
  /* libedit's rl_delete_text() leaves its own buffer alone; installing
   * the handler anew starts an empty line with a fresh prompt. */
  rl_callback_handler_remove ();
  rl_callback_handler_install (editor.prompt, on_line);
}

/* History may hold secrets (set_password, object-add of a secret): the
 * file is private to its owner. */
static void
save_history (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return;
  fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  close (fd);
  write_history (path);
}

void
line_editor_stop (void)
{
  if (!editor.started)
    return;
  editor.started = FALSE;
  /* Stopped at the prompt (QEMU went away): what follows goes below it. */
  if (editor.stdin_watch != 0)
    {
      printf ("\n");
      fflush (stdout);
    }
  pause_reading ();
  if (editor.history_path != NULL)
    save_history (editor.history_path);
  g_clear_pointer (&editor.prompt, g_free);
  g_clear_pointer (&editor.history_path, g_free);
  g_clear_pointer (&editor.candidates, g_strfreev);
}

char *
line_editor_default_history_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "xen-qmp", "history", NULL);
}
