/* line-editor.h: the interactive prompt of xen-qmp --shell (libedit)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* LINE (transfer full) is what the user entered, NULL at end of input. */
typedef void (*LineEditorHandler) (char *line, gpointer user_data);

/* The words that may replace TEXT, the word of LINE starting at byte
 * START (transfer full, NULL-terminated). */
typedef GStrv (*LineEditorCompleter) (const char *line, gsize start,
                                      const char *text, gpointer user_data);

/* Starts reading lines from the terminal on stdin through the default main
 * context: history from HISTORY_PATH (nullable), tab completion from
 * COMPLETER (nullable). The editor pauses itself before it calls HANDLER:
 * call line_editor_resume() to get the next line. */
void line_editor_start  (const char          *prompt,
                         const char          *history_path,
                         LineEditorCompleter  completer,
                         gpointer             completer_data,
                         LineEditorHandler    handler,
                         gpointer             user_data);

/* Shows the prompt again and reads the next line. */
void line_editor_resume (void);

/* Prints TEXT and a newline on stdout; while the prompt is shown, above
 * it, redrawing the prompt and what the user has typed so far. */
void line_editor_print  (const char *text);

/* Ctrl-C at the prompt: drops the half-typed line and shows a fresh
 * prompt, as shells do. */
void line_editor_discard_line (void);

/* The terminal changed size (SIGWINCH). */
void line_editor_resize (void);

/* Restores the terminal and saves the history. */
void line_editor_stop   (void);

/* Where the shell keeps its history: $XDG_STATE_HOME/xen-qmp/history. */
char *line_editor_default_history_path (void);
