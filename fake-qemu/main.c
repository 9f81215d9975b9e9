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

typedef struct {
  GMainLoop *loop;
  GPtrArray *domains;   /* FakeDomain */
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
  gboolean no_oob = FALSE;
  int timeout_seconds = 0;
  const GOptionEntry entries[] = {
    { "socket", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &socket_paths,
      "Serve one fake domain on the unix socket PATH (repeat for more)", "PATH" },
    { "no-oob", 0, 0, G_OPTION_ARG_NONE, &no_oob,
      "Offer no capabilities in the greeting (no \"oob\")", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_seconds,
      "Exit (successfully) after SECONDS, so that a forgotten fake goes away", "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GPtrArray) domains = NULL;
  FakeQemu fake;

  setlocale (LC_ALL, "");
  /* Logs, debug included, go to stderr: stdout belongs to whoever runs
   * the fake (a TAP test, say). */
  g_log_writer_default_set_use_stderr (TRUE);
  context = g_option_context_new ("- play an idle QEMU on QMP sockets");
  g_option_context_set_summary (context,
    "Listens on each --socket PATH as the QMP monitor of an idle QEMU 7.2,\n"
    "one client at a time per socket, for tests of QMP clients.");
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
  return 0;
}
