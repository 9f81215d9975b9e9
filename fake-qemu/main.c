/* main.c: fake-qemu, an idle QEMU 7.2 on one or more QMP sockets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <glib-unix.h>

#include "listener.h"
#include "record.h"
#include "schema-dispatch.h"
#include "script-run.h"

typedef struct {
  GMainLoop     *loop;
  GPtrArray     *domains;   /* FakeDomain */
  FakeScriptRun *script;    /* or NULL */
} FakeQemu;

static gboolean
on_signal (gpointer user_data)
{
  FakeQemu *fake = user_data;

  g_debug ("signal received, exiting");
  g_main_loop_quit (fake->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  FakeQemu *fake = user_data;

  g_message ("--timeout reached, exiting");
  g_main_loop_quit (fake->loop);
  return G_SOURCE_REMOVE;
}

static void
on_script_done (FakeScriptRun *run, gpointer user_data)
{
  FakeQemu *fake = user_data;

  g_main_loop_quit (fake->loop);
}

static void
on_domain_gone (FakeDomain *domain, gpointer user_data)
{
  FakeQemu *fake = user_data;

  for (guint i = 0; i < fake->domains->len; i++)
    if (!fake_domain_is_gone (g_ptr_array_index (fake->domains, i)))
      return;
  g_debug ("every domain has quit, exiting");
  g_main_loop_quit (fake->loop);
}

int
main (int argc, char **argv)
{
  g_auto(GStrv) socket_paths = NULL;
  g_autofree char *script_path = NULL;
  g_autofree char *record_path = NULL;
  g_autofree char *output_path = NULL;
  g_autofree char *schema_path = NULL;
  FakeRecorder *recorder = NULL;
  gboolean lenient = FALSE;
  gboolean no_oob = FALSE;
  int timeout_seconds = 0;
  const GOptionEntry entries[] = {
    { "socket", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &socket_paths,
      "Serve one fake domain on the unix socket PATH (repeat for more)", "PATH" },
    { "script", 0, 0, G_OPTION_ARG_FILENAME, &script_path,
      "Play the script FILE (JSON Lines) and judge the client by it", "FILE" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record_path,
      "Forward to the real QMP socket REAL and record the session", "REAL" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output_path,
      "With --record: the script to write", "FILE" },
    { "schema", 0, 0, G_OPTION_ARG_FILENAME, &schema_path,
      "Answer query-qmp-schema with FILE, and check commands (and the script) against it",
      "FILE" },
    { "lenient", 0, 0, G_OPTION_ARG_NONE, &lenient,
      "Answer commands the script does not expect as the idle QEMU does", NULL },
    { "no-oob", 0, 0, G_OPTION_ARG_NONE, &no_oob,
      "Offer no capabilities in the greeting (no \"oob\")", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_seconds,
      "Exit after SECONDS (successfully, unless a script is unfinished)", "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GPtrArray) domains = NULL;
  g_autoptr(FakeScript) script = NULL;
  g_autoptr(FakeSchema) schema = NULL;
  FakeSchemaGuard *guard = NULL;
  FakeQemu fake = { NULL };
  int status = 0;

  setlocale (LC_ALL, "");
  /* Logs, debug included, go to stderr: stdout belongs to whoever runs
   * the fake (a TAP test, say). */
  g_log_writer_default_set_use_stderr (TRUE);
  context = g_option_context_new ("- play QEMU on QMP sockets");
  g_option_context_set_summary (context,
    "Listens on each --socket PATH as the QMP monitor of an idle QEMU 7.2\n"
    "(or, with --script, plays a scripted session), one client at a time\n"
    "per socket, for tests of QMP clients. See fake-qemu(1).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fake-qemu: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("fake-qemu: unexpected argument: %s\n", argv[1]);
      return 2;
    }
  if (socket_paths == NULL || socket_paths[0] == NULL)
    {
      g_printerr ("fake-qemu: at least one --socket PATH is needed\n");
      return 2;
    }
  if (timeout_seconds < 0)
    {
      g_printerr ("fake-qemu: --timeout must not be negative\n");
      return 2;
    }
  if ((record_path == NULL) != (output_path == NULL))
    {
      g_printerr ("fake-qemu: --record and --output go together\n");
      return 2;
    }
  if (record_path != NULL && (script_path != NULL || g_strv_length (socket_paths) != 1))
    {
      g_printerr ("fake-qemu: --record takes one --socket and no --script\n");
      return 2;
    }
  if (lenient && script_path == NULL)
    {
      g_printerr ("fake-qemu: --lenient needs a --script\n");
      return 2;
    }
  if (schema_path != NULL && record_path != NULL)
    {
      g_printerr ("fake-qemu: --schema does not go with --record (the real QEMU answers)\n");
      return 2;
    }
  if (schema_path != NULL)
    {
      schema = fake_schema_load (schema_path, &error);
      if (schema == NULL)
        {
          g_printerr ("fake-qemu: %s\n", error->message);
          return 2;
        }
    }
  if (script_path != NULL)
    {
      script = fake_script_load (script_path, &error);
      if (script == NULL)
        {
          g_printerr ("fake-qemu: %s\n", error->message);
          return 2;
        }
    }

  /* A client that goes away must not kill the fake; send() uses
   * MSG_NOSIGNAL too. */
  signal (SIGPIPE, SIG_IGN);

  loop = g_main_loop_new (NULL, FALSE);
  domains = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_domain_free);
  fake.loop = loop;
  fake.domains = domains;

  for (guint i = 0; socket_paths[i] != NULL; i++)
    {
      FakeDomain *domain;

      for (guint j = 0; j < i; j++)
        if (strcmp (socket_paths[i], socket_paths[j]) == 0)
          {
            g_printerr ("fake-qemu: --socket %s is given twice\n", socket_paths[i]);
            return 2;
          }
      domain = fake_domain_new (socket_paths[i], !no_oob, &error);
      if (domain == NULL)
        {
          g_printerr ("fake-qemu: %s\n", error->message);
          return 1;
        }
      fake_domain_set_gone_func (domain, on_domain_gone, &fake);
      g_ptr_array_add (domains, domain);
    }
  if (script != NULL)
    {
      fake.script = fake_script_run_new (g_steal_pointer (&script), domains, lenient,
                                         on_script_done, &fake, &error);
      if (fake.script == NULL)
        {
          g_printerr ("fake-qemu: %s\n", error->message);
          return 2;
        }
      if (schema != NULL)
        fake_script_run_set_schema (fake.script, schema);
    }
  else if (schema != NULL)
    guard = fake_schema_guard_new (schema, domains);

  if (record_path != NULL)
    {
      recorder = fake_recorder_new (g_ptr_array_index (domains, 0), record_path,
                                    output_path, &error);
      if (recorder == NULL)
        {
          g_printerr ("fake-qemu: %s\n", error->message);
          return 1;
        }
    }

  /* The first path appears last: whoever waits for it finds all ready. */
  for (guint i = domains->len; i-- > 0;)
    if (!fake_domain_publish (g_ptr_array_index (domains, i), &error))
      {
        g_printerr ("fake-qemu: %s\n", error->message);
        return 1;
      }

  g_unix_signal_add (SIGTERM, on_signal, &fake);
  g_unix_signal_add (SIGINT, on_signal, &fake);
  /* Not g_timeout_add_seconds(): it may fire up to a second early. */
  if (timeout_seconds > 0 && (guint) timeout_seconds <= G_MAXUINT / 1000)
    g_timeout_add ((guint) timeout_seconds * 1000, on_timeout, &fake);
  else if (timeout_seconds > 0)
    g_timeout_add_seconds ((guint) timeout_seconds, on_timeout, &fake);

  g_main_loop_run (loop);

  fake_recorder_free (recorder);
  if (fake.script != NULL)
    {
      /* The verdict: 0 only if the client did exactly what the script
       * said. */
      if (!fake_script_run_verdict (fake.script))
        status = 1;
      fake_script_run_free (fake.script);
    }
  if (guard != NULL)
    {
      /* The idle QEMU answered as QEMU does: the exit status stays 0,
       * but what it refused is listed. */
      g_autofree char *report = fake_schema_guard_report (guard);

      g_printerr ("%s", report);
      fake_schema_guard_free (guard);
    }
  return status;
}
