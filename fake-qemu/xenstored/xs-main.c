/* xs-main.c: fake-xenstored, a xenstore daemon on a unix socket for tests
 * of programs that use libxenstore, without Xen
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-xenstored"

#include <locale.h>
#include <signal.h>
#include <glib-unix.h>

#include "xs-seed.h"
#include "xs-server.h"

static gboolean
on_signal (gpointer user_data)
{
  g_debug ("signal received, exiting");
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_message ("--timeout reached, exiting");
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autofree char *socket_path = NULL;
  g_autofree char *seed_file = NULL;
  g_autofree char *hypervisor_dir = NULL;
  g_auto(GStrv) domain_args = NULL;
  int timeout_seconds = 0;
  const GOptionEntry entries[] = {
    { "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path,
      "Serve the xenstore protocol on the unix socket PATH", "PATH" },
    { "domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &domain_args,
      "Seed a running domain (repeat for more); options: name=, uuid=, "
      "dm-version=, dm-state=, stubdom=", "DOMID[,OPTION=VALUE...]" },
    { "seed", 0, 0, G_OPTION_ARG_FILENAME, &seed_file,
      "Then apply FILE, a JSON object of path → value (null removes)", "FILE" },
    { "hypervisor", 0, 0, G_OPTION_ARG_FILENAME, &hypervisor_dir,
      "Take domains and their deaths from the state folder DIR "
      "(DIR/domains/<domid>, the FIFO DIR/virq-dom-exc)", "DIR" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_seconds,
      "Exit (successfully) after SECONDS, so that a forgotten fake goes away", "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = g_ptr_array_new_with_free_func ((GDestroyNotify) xs_domain_spec_free);
  g_autoptr(GMainLoop) loop = NULL;
  XsServer *server;

  setlocale (LC_ALL, "");
  /* Logs go to stderr: stdout belongs to whoever runs the fake. */
  g_log_writer_default_set_use_stderr (TRUE);
  context = g_option_context_new ("- a xenstore daemon for tests, without Xen");
  g_option_context_set_summary (context,
    "Serves the xenstore wire protocol on a unix socket, so that libxenstore\n"
    "(XENSTORED_PATH=PATH) and the xenstore-* tools work without Xen.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fake-xenstored: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("fake-xenstored: unexpected argument: %s\n", argv[1]);
      return 2;
    }
  if (socket_path == NULL)
    {
      g_printerr ("fake-xenstored: --socket PATH is needed\n");
      return 2;
    }
  if (timeout_seconds < 0)
    {
      g_printerr ("fake-xenstored: --timeout must not be negative\n");
      return 2;
    }
  for (guint i = 0; domain_args != NULL && domain_args[i] != NULL; i++)
    {
      XsDomainSpec *spec = xs_domain_spec_parse (domain_args[i], &error);

      if (spec == NULL)
        {
          g_printerr ("fake-xenstored: %s\n", error->message);
          return 2;
        }
      g_ptr_array_add (specs, spec);
    }

  /* A client that goes away must not kill the fake. */
  signal (SIGPIPE, SIG_IGN);
  loop = g_main_loop_new (NULL, FALSE);
  server = xs_server_new (socket_path, hypervisor_dir, &error);
  if (server == NULL)
    {
      g_printerr ("fake-xenstored: %s\n", error->message);
      return 1;
    }
  /* Seeded before publishing: a client that sees the socket sees the layout. */
  if (!xs_seed_domains (server, specs, &error)
      || (seed_file != NULL && !xs_seed_file (server, seed_file, &error)))
    {
      g_printerr ("fake-xenstored: %s\n", error->message);
      xs_server_free (server);
      return 2;
    }
  xs_seed_introduce_domains (server);
  /* Before the socket appears: whoever sees it may send SIGTERM at once. */
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  if (!xs_server_publish (server, &error))
    {
      g_printerr ("fake-xenstored: %s\n", error->message);
      xs_server_free (server);
      return 1;
    }

  /* Not g_timeout_add_seconds(): it may fire up to a second early. */
  if (timeout_seconds > 0 && (guint) timeout_seconds <= G_MAXUINT / 1000)
    g_timeout_add ((guint) timeout_seconds * 1000, on_timeout, loop);
  else if (timeout_seconds > 0)
    g_timeout_add_seconds ((guint) timeout_seconds, on_timeout, loop);

  g_main_loop_run (loop);
  xs_server_free (server);
  return 0;
}
