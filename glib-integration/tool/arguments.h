/* arguments.h: a command's arguments from the command line or a shell line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* WORDS is either one JSON object, or key=value pairs whose value is
 * taken as JSON when it parses as JSON and as a string otherwise; dots in
 * a key make nested objects (a.b=1 is {"a": {"b": 1}}). No words: NULL
 * without an error (the command takes no arguments). Errors are
 * G_OPTION_ERROR_BAD_VALUE, worded for the user. */
JsonObject *tool_arguments_parse (const char * const *words,
                                  gsize               n_words,
                                  GError            **error);

/* One shell line: its command name in *COMMAND (NULL for a blank line)
 * and its arguments. The rest of the line after the name is a JSON object
 * when it starts with '{', else words split as a POSIX shell does (so
 * quotes keep spaces in a value). */
gboolean    tool_arguments_parse_line (const char   *line,
                                       char        **command,
                                       JsonObject  **arguments,
                                       GError      **error);

/* The largest arguments file: far above any command's arguments. */
#define TOOL_ARGUMENTS_FILE_MAX (1024 * 1024)

/* The arguments in the file at PATH ("-": standard input): one JSON
 * object of at most TOOL_ARGUMENTS_FILE_MAX bytes, so that passwords need
 * not be on a command line that every local user can read. Errors are
 * G_OPTION_ERROR_BAD_VALUE, worded for the user, and never quote the
 * file's contents. */
JsonObject *tool_arguments_read_file (const char *path,
                                      GError    **error);
