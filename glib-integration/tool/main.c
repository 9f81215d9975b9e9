/* main.c: xen-qmp, a QMP command line for Xen domains' QEMUs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The options, the choice of mode (one command, --events, --shell) and
 * the exit status. Built on the public client API only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <xenqmp/xenqmp.h>

#include "arguments.h"
#include "escape.h"
#include "events.h"
#include "exit-status.h"
#include "fd-files.h"
#include "output.h"
#include "session.h"
#include "shell.h"

typedef struct {
  char    *socket_path;
  char    *domid;
  char    *run_dir;
  char    *lib_dir;
  double   timeout_s;
  gboolean compact;
  gboolean pretty;
  ToolFdFiles *fd_files;         /* --fd, --fd-read, --fd-write, --fd-rw */
  char    *args_file;
  gboolean events;
  int      count;
  gboolean shell;
  char    *describe;
  gboolean list;
  gboolean no_validate;
  gboolean version;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->socket_path, g_free);
  g_clear_pointer (&options->domid, g_free);
  g_clear_pointer (&options->run_dir, g_free);
  g_clear_pointer (&options->lib_dir, g_free);
  g_clear_pointer (&options->fd_files, tool_fd_files_free);
  g_clear_pointer (&options->args_file, g_free);
  g_clear_pointer (&options->describe, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static const char description[] =
  "Modes:\n"
  "  COMMAND [ARGUMENTS]   run one QMP command and print its \"return\" value\n"
  "  --events              print QEMU's events, one JSON object per line\n"
  "  --shell               read commands from a prompt (or from stdin)\n"
  "  --describe COMMAND    print COMMAND's arguments and return type\n"
  "  --list                print the commands this QEMU offers\n"
  "\n"
  "Commands are checked against QEMU's own schema (query-qmp-schema) before\n"
  "they are sent: a misspelt or missing argument, a wrong type or a value\n"
  "outside an enum is reported without bothering QEMU (exit status 2).\n"
  "The schema is cached per QEMU build in $XDG_CACHE_HOME/xenqmp; a cached\n"
  "schema only lets commands through: a refusal, --describe and --list use\n"
  "this QEMU's own.\n"
  "--no-validate sends commands as they are.\n"
  "\n"
  "ARGUMENTS are one JSON object, or key=value pairs whose values are read\n"
  "as JSON when they are valid JSON and as strings otherwise, or when the\n"
  "schema types the argument as a string (device_del id=3 sends \"3\");\n"
  "a dotted key makes nested objects (a.b=1 is {\"a\": {\"b\": 1}}).\n"
  "--fd-read FILE, --fd-write FILE and --fd-rw FILE open FILE read-only,\n"
  "write-only (created or truncated, mode 0600) or read-write, as QEMU will\n"
  "open it (QEMU only hands out an fd of the same access mode), and add it\n"
  "to an fdset of its own before the command: an argument value @fd (or\n"
  "@fd0, @fd1, ... in the order given) becomes that fdset's /dev/fdset/N.\n"
  "The fdsets are removed once the command is answered. --fd FILE sends\n"
  "FILE (read-write when allowed, else read-only) with the command itself,\n"
  "for getfd and add-fd.\n"
  "--args-file FILE (- for stdin) reads them as one JSON object instead:\n"
  "every local user can read a command line, passwords included.\n"
  "\n"
  "Results are indented on a terminal and on one line otherwise (a value\n"
  "per line for scripts); --compact and --pretty choose.\n"
  "\n"
  "Exit status: 0 success, 1 QMP error (\"error: CLASS: desc\" on stderr),\n"
  "2 local error (no socket, timeout, lost connection, bad usage).\n"
  "\n"
  "Examples:\n"
  "  xen-qmp --domain 3 query-status\n"
  "  xen-qmp --socket /tmp/qmp.sock --compact query-version\n"
  "  xen-qmp --domain 3 eject id=ide1-cd0 force=true\n"
  "  xen-qmp --domain 3 blockdev-add '{\"driver\": \"null-co\", \"node-name\": \"n0\"}'\n"
  "  xen-qmp --domain 3 --fd-read cd.iso blockdev-change-medium id=ide-5632 \\\n"
  "          filename=@fd read-only-mode=read-only\n"
  "  xen-qmp --domain 3 stop\n"
  "  xen-qmp --domain 3 --fd-write qemu-save.3 xen-save-devices-state \\\n"
  "          filename=@fd live=false\n"
  "  xen-qmp --domain 3 --args-file - set_password < vnc-password.json\n"
  "  xen-qmp --domain 3 --events --count 1 --timeout 60\n"
  "  xen-qmp --domain 3 --shell\n"
  "  xen-qmp --domain 3 --describe device_del\n"
  "\n"
  "See xen-qmp(1).";

static ToolExitStatus
usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static ToolExitStatus
usage_error (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "%s: %s\nTry '%s --help' for more information.\n",
           g_get_prgname (), message, g_get_prgname ());
  return TOOL_EXIT_LOCAL_ERROR;
}

static XenQmpSchema *fetch_schema (XenQmpClient *client, const Options *options,
                                   guint timeout_ms, ToolExitStatus *status);

static ToolExitStatus
run_command (XenQmpClient       *client,
             const Options      *options,
             guint               timeout_ms,
             const char         *command,
             const char * const *words,
             gsize               n_words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) arguments = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(JsonNode) reply = NULL;
  gboolean with_fdsets;

  if (options->args_file != NULL && n_words > 0)
    return usage_error ("arguments come from --args-file or the command line, not both");
  if (options->args_file != NULL)
    arguments = tool_arguments_read_file (options->args_file, &error);
  else
    arguments = tool_arguments_parse (words, n_words, &error);
  if (error != NULL)
    return usage_error ("%s", error->message);
  if (!tool_fd_files_is_empty (options->fd_files))
    {
      fd_list = tool_fd_files_open (options->fd_files, &error);
      if (fd_list == NULL)
        return tool_report_error (error);
    }
  with_fdsets = tool_fd_files_use_fdsets (options->fd_files);

  if (!tool_session_connect (client, timeout_ms, &error))
    return tool_report_error (error);
  reply = with_fdsets
          ? tool_session_execute_with_fdsets (client, command, arguments, fd_list,
                                              timeout_ms, &error)
          : tool_session_execute (client, command, arguments, fd_list,
                                  timeout_ms, &error);
  /* Checked against the schema cached for this QEMU build when it lets
   * the command through, else against this QEMU's own: a QEMU without
   * query-qmp-schema shows as CommandNotFound, and then fetch_schema()
   * asks once more, says so, and turns checking off. */
  if (reply == NULL && !options->no_validate
      && g_error_matches (error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND))
    {
      ToolExitStatus status;
      g_autoptr(XenQmpSchema) schema = fetch_schema (client, options, timeout_ms, &status);
      gboolean validate = TRUE;

      if (status != TOOL_EXIT_OK)
        return status;
      g_object_get (client, "validate", &validate, NULL);
      if (!validate)
        {
          g_clear_error (&error);
          reply = with_fdsets
                  ? tool_session_execute_with_fdsets (client, command, arguments, fd_list,
                                                      timeout_ms, &error)
                  : tool_session_execute (client, command, arguments, fd_list,
                                          timeout_ms, &error);
        }
    }
  /* device_del id=3: key=value read 3 as a number, and the schema (this
   * QEMU's own, which refused it) says the argument is a string: the user
   * meant the text. The schema is at hand: a refusal fetched it. */
  if (reply == NULL && !options->no_validate && options->args_file == NULL
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      g_autoptr(XenQmpSchema) schema = tool_session_get_schema (client, timeout_ms, NULL);

      if (schema != NULL
          && tool_arguments_strings_from_schema (arguments, words, n_words, schema, command))
        {
          g_clear_error (&error);
          reply = with_fdsets
                  ? tool_session_execute_with_fdsets (client, command, arguments, fd_list,
                                                      timeout_ms, &error)
                  : tool_session_execute (client, command, arguments, fd_list,
                                          timeout_ms, &error);
        }
    }
  if (reply == NULL)
    return tool_report_error (error);
  tool_output_print (reply, tool_output_want_pretty (options->compact,
                                                     options->pretty));
  return TOOL_EXIT_OK;
}

/* Seconds, fractions allowed, to milliseconds; 0 when not given. */
static gboolean
timeout_to_ms (double seconds, guint *ms)
{
  if (seconds == 0)
    {
      *ms = 0;
      return TRUE;
    }
  if (!(seconds > 0) || seconds > G_MAXUINT / 1000.0)
    return FALSE;
  *ms = MAX (1, (guint) ceil (seconds * 1000));
  return TRUE;
}

static gboolean
usage_fail (GError **error, const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, message);
  return FALSE;
}

/* The schema, for the modes that use it. A QEMU without query-qmp-schema
 * (older than 2.5) still gets commands, unchecked, with a word on stderr;
 * --describe and --list cannot do without it. */
static XenQmpSchema *
fetch_schema (XenQmpClient *client, const Options *options, guint timeout_ms,
              ToolExitStatus *status)
{
  g_autoptr(GError) error = NULL;
  XenQmpSchema *schema;
  gboolean needed = options->describe != NULL || options->list;

  *status = TOOL_EXIT_OK;
  if (!tool_session_connect (client, timeout_ms, &error))
    {
      *status = tool_report_error (error);
      return NULL;
    }
  schema = tool_session_get_schema (client, timeout_ms, &error);
  if (schema != NULL)
    return schema;
  if (!needed && g_error_matches (error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND))
    {
      fprintf (stderr, "%s: this QEMU does not describe its commands (no query-qmp-schema): "
               "they are sent unchecked\n", g_get_prgname ());
      g_object_set (client, "validate", FALSE, NULL);
      return NULL;
    }
  *status = tool_report_error (error);
  return NULL;
}

static ToolExitStatus
run_describe (XenQmpSchema *schema, const char *command)
{
  g_autofree char *text = xen_qmp_schema_describe_command (schema, command);
  g_autofree char *escaped = NULL;
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    {
      /* Its message names the command and the closest one. */
      xen_qmp_schema_validate_command (schema, command, NULL, &error);
      return tool_report_error (error);
    }
  /* The lines are the library's, the names and types in them QEMU's. */
  escaped = tool_escape_lines (text);
  fputs (escaped, stdout);
  return TOOL_EXIT_OK;
}

static ToolExitStatus
run_list (XenQmpSchema *schema)
{
  g_auto(GStrv) commands = xen_qmp_schema_list (schema, XEN_QMP_SCHEMA_META_TYPE_COMMAND);

  for (guint i = 0; commands[i] != NULL; i++)
    {
      g_autofree char *name = tool_escape_text (commands[i]);

      printf ("%s\n", name);
    }
  return TOOL_EXIT_OK;
}

/* The combinations of options that make sense, and what they mean. */
static gboolean
check_options (const Options  *options,
               gboolean        have_command,
               ToolTarget     *target,
               guint          *timeout_ms,
               GError        **error)
{
  int n_modes = have_command + options->events + options->shell
                + (options->describe != NULL) + options->list;

  if (n_modes == 0)
    return usage_fail (error, "no command given (or --events, --shell, --describe, --list)");
  if (n_modes > 1)
    return usage_fail (error, "give one of COMMAND, --events, --shell, --describe, --list");
  if (options->socket_path != NULL && options->domid != NULL)
    return usage_fail (error, "--socket and --domain exclude each other");
  if (options->socket_path == NULL && options->domid == NULL)
    return usage_fail (error, "which QEMU? give --socket PATH or --domain DOMID");
  if (options->run_dir != NULL && options->domid == NULL)
    return usage_fail (error, "--run-dir goes with --domain");
  if (options->lib_dir != NULL && options->domid == NULL)
    return usage_fail (error, "--lib-dir goes with --domain");
  if (!timeout_to_ms (options->timeout_s, timeout_ms))
    return usage_fail (error, "--timeout takes a number of seconds above 0");
  if (options->count < 0 || (options->count > 0 && !options->events))
    return usage_fail (error, "--count N goes with --events, N at least 1");
  if (!tool_fd_files_is_empty (options->fd_files) && !have_command)
    return usage_fail (error, "--fd, --fd-read, --fd-write and --fd-rw go with a COMMAND "
                       "(in --shell, at the start of a line)");
  if (!tool_fd_files_check (options->fd_files, error))
    return FALSE;
  if (options->args_file != NULL && !have_command)
    return usage_fail (error, "--args-file goes with a COMMAND");

  target->socket_path = options->socket_path;
  target->run_dir = options->run_dir;
  target->lib_dir = options->lib_dir;
  if (options->domid != NULL)
    {
      guint64 domid;

      if (!g_ascii_string_to_unsigned (options->domid, 10, 0, G_MAXUINT32,
                                       &domid, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "bad domain id '%s'", options->domid);
          return FALSE;
        }
      target->domid = (guint32) domid;
    }
  return TRUE;
}

static ToolExitStatus
run (int argc, char **argv)
{
  g_auto(Options) options = { .fd_files = tool_fd_files_new () };
  const GOptionEntry entries[] = {
    { "socket", 's', 0, G_OPTION_ARG_FILENAME, &options.socket_path,
      "QEMU's QMP socket", "PATH" },
    { "domain", 'd', 0, G_OPTION_ARG_STRING, &options.domid,
      "the QEMU of Xen domain DOMID (socket DIR/qmp-libxl-DOMID)", "DOMID" },
    { "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.run_dir,
      "where libxl's QMP sockets are (default " XEN_QMP_DEFAULT_RUN_DIR ")", "DIR" },
    { "lib-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.lib_dir,
      "where libxl's lock files are (default " XEN_QMP_DEFAULT_LIB_DIR ")", "DIR" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &options.timeout_s,
      "give up after S seconds (with --events: listen for S seconds)", "S" },
    { "compact", 'c', 0, G_OPTION_ARG_NONE, &options.compact,
      "print JSON on one line, even on a terminal", NULL },
    { "pretty", 'p', 0, G_OPTION_ARG_NONE, &options.pretty,
      "indent JSON, even when not on a terminal", NULL },
    { "fd", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, tool_fd_files_option,
      "open FILE (read-write when allowed) and send it with the command, "
      "for getfd or add-fd (repeatable)", "FILE" },
    { "fd-read", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, tool_fd_files_option,
      "open FILE read-only into an fdset; @fd in the arguments names it "
      "(repeatable: @fd0, @fd1, ...)", "FILE" },
    { "fd-write", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, tool_fd_files_option,
      "create or truncate FILE (0600), write-only, into an fdset (likewise)", "FILE" },
    { "fd-rw", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, tool_fd_files_option,
      "open FILE read-write into an fdset (likewise)", "FILE" },
    { "args-file", 0, 0, G_OPTION_ARG_FILENAME, &options.args_file,
      "read COMMAND's arguments, a JSON object, from FILE (- for stdin), "
      "not from the command line", "FILE" },
    { "events", 'e', 0, G_OPTION_ARG_NONE, &options.events,
      "print events as JSON lines", NULL },
    { "count", 'n', 0, G_OPTION_ARG_INT, &options.count,
      "with --events: exit after N events", "N" },
    { "shell", 0, 0, G_OPTION_ARG_NONE, &options.shell,
      "interactive prompt (commands from stdin when not a terminal)", NULL },
    { "describe", 0, 0, G_OPTION_ARG_STRING, &options.describe,
      "print COMMAND's arguments (name, type, optional) and return type", "COMMAND" },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &options.list,
      "print the commands this QEMU offers", NULL },
    { "no-validate", 0, 0, G_OPTION_ARG_NONE, &options.no_validate,
      "send commands without checking them against QEMU's schema", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &options.version,
      "print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("[COMMAND [JSON-OBJECT | key=value ...]]");
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpClient) client = NULL;
  ToolTarget target = { 0 };
  ToolExitStatus status;
  guint timeout_ms = 0;
  char **words;
  int n_words;

  g_option_context_set_summary (context,
    "Send QMP commands to the QEMU of a Xen domain, or follow its events.");
  g_option_context_set_description (context, description);
  /* The fd options' callbacks get the list, so that the order of all
   * four is kept: @fd0, @fd1, ... are the files in the order given. */
  {
    GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, options.fd_files, NULL);

    g_option_group_add_entries (group, entries);
    g_option_context_set_main_group (context, group);
  }
  /* Options come before the command: what follows it are its arguments,
   * and a value such as "-1" must not be taken for an option. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (options.version)
    {
      printf ("xen-qmp %s\n", PACKAGE_VERSION);
      return TOOL_EXIT_OK;
    }
  words = argv + 1;
  n_words = argc - 1;
  if (n_words > 0 && strcmp (words[0], "--") == 0)
    {
      words++;
      n_words--;
    }

  if (!check_options (&options, n_words > 0, &target, &timeout_ms, &error))
    status = usage_error ("%s", error->message);
  else
    {
      g_autoptr(XenQmpSchema) schema = NULL;
      gboolean validate = !options.no_validate;
      gulong early_events_id = 0;

      client = tool_session_new (&target, timeout_ms, validate);
      status = TOOL_EXIT_OK;
      /* The shell's events count from its connect: those that come while
       * the schema is fetched are printed, not lost. */
      if (options.shell)
        early_events_id = tool_shell_print_early_events (client);
      /* A command's own usage errors come first: see run_command(). */
      if (options.shell || options.describe != NULL || options.list)
        schema = fetch_schema (client, &options, timeout_ms, &status);
      if (status != TOOL_EXIT_OK)
        ;
      else if (options.events)
        status = tool_events_run (client, options.count, timeout_ms);
      else if (options.shell)
        status = tool_shell_run (client, schema, timeout_ms,
                                 tool_output_want_pretty (options.compact,
                                                          options.pretty),
                                 early_events_id);
      else if (options.describe != NULL)
        status = run_describe (schema, options.describe);
      else if (options.list)
        status = run_list (schema);
      else
        status = run_command (client, &options, timeout_ms, words[0],
                              (const char * const *) words + 1, n_words - 1);
      xen_qmp_client_close (client);
    }
  return status;
}

/* The library's warnings and the wire trace quote what QEMU sent. GLib's
 * writer escapes C0 and C1 controls itself, but not bidi overrides. */
static GLogWriterOutput
write_escaped (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_autofree GLogField *copy = NULL;
  g_autofree char *message = NULL;
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  copy = g_memdup2 (fields, n_fields * sizeof *fields);
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (copy[i].key, "MESSAGE") == 0 && copy[i].length < 0)
      {
        message = tool_escape_log (copy[i].value);
        copy[i].value = message;
        break;
      }
  return g_log_writer_default (level, copy, n_fields, user_data);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_set_prgname ("xen-qmp");
  /* stdout carries JSON only: G_MESSAGES_DEBUG=XenQmp traces (which GLib
   * would print on stdout) go to stderr with the warnings. */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (write_escaped, NULL, NULL);
  return run (argc, argv);
}
