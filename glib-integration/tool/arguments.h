/* arguments.h: a command's arguments from the command line or a shell line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>

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
 * quotes keep spaces in a value). With SCHEMA (nullable), key=value words
 * are then read as tool_arguments_strings_from_schema() says. */
gboolean    tool_arguments_parse_line (const char    *line,
                                       XenQmpSchema  *schema,
                                       char         **command,
                                       JsonObject   **arguments,
                                       GError       **error);

/* ARGUMENTS as tool_arguments_parse() made them from WORDS: each key=value
 * whose value was read as a JSON number, boolean or null but that
 * COMMAND's schema types as a string (str, an enum, an alternate with a
 * string branch and none for the value) gets its text back as a string:
 * device_del id=3 sends "3". A JSON object argument is left as it is:
 * its types are the user's. Returns whether anything changed. */
gboolean    tool_arguments_strings_from_schema (JsonObject         *arguments,
                                                const char * const *words,
                                                gsize               n_words,
                                                XenQmpSchema       *schema,
                                                const char         *command);

/* The largest arguments file: far above any command's arguments. */
#define TOOL_ARGUMENTS_FILE_MAX (1024 * 1024)

/* The arguments in the file at PATH ("-": standard input): one JSON
 * object of at most TOOL_ARGUMENTS_FILE_MAX bytes, so that passwords need
 * not be on a command line that every local user can read. Errors are
 * G_OPTION_ERROR_BAD_VALUE, worded for the user, and never quote the
 * file's contents. */
JsonObject *tool_arguments_read_file (const char *path,
                                      GError    **error);
