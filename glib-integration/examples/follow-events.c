/* follow-events.c: a management app following several domains' QEMUs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One XenQmpClient per domain, all on one main loop: each prints its
 * domain's events as they come and says when a QEMU goes away. With
 * --cycle, the app also pauses and resumes every domain once (stop, cont),
 * which makes each QEMU send STOP and RESUME.
 *
 *   follow-events --run-dir DIR [--cycle] [--count N] [--timeout S] DOMID...
 */
#include <stdio.h>
#include <stdlib.h>

#include <xenqmp/xenqmp.h>

typedef struct {
  GMainLoop *loop;
  guint      wanted;     /* stop after this many events; 0: never */
  guint      seen;
  guint      open;       /* clients still connected */
  int        status;
} App;

typedef struct {
  App          *app;
  guint32       domid;
  XenQmpClient *client;
} Domain;

static void
on_event (XenQmpClient *client, const char *name, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  Domain *d = user_data;
  g_autofree char *text = NULL;

  if (data != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), data);
      text = json_to_string (node, FALSE);
    }
  printf ("[domain %u] %s%s%s\n", d->domid, name, text ? " " : "", text ? text : "");
  fflush (stdout);
  if (d->app->wanted > 0 && ++d->app->seen == d->app->wanted)
    g_main_loop_quit (d->app->loop);
}

static void
on_closed (XenQmpClient *client, GError *reason, gpointer user_data)
{
  Domain *d = user_data;

  /* The library's messages name the domain ("domain 1: QEMU closed the
   * connection"): printed as they are. */
  printf ("%s\n", reason->message);
  if (--d->app->open == 0)
    g_main_loop_quit (d->app->loop);
}

static void
on_command_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Domain *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, &error);

  if (ret == NULL)
    {
      /* QEMU's words (a QMP error) do not name the domain; ours do. */
      if (error->domain == XEN_QMP_ERROR)
        printf ("[domain %u] command failed: %s\n", d->domid, error->message);
      else
        printf ("%s\n", error->message);
      d->app->status = 1;
    }
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Domain *d = user_data;
  g_autoptr(GError) error = NULL;
  gboolean cycle = GPOINTER_TO_INT (g_object_get_data (source, "cycle"));

  if (!xen_qmp_client_connect_finish (XEN_QMP_CLIENT (source), result, &error))
    {
      printf ("%s\n", error->message);
      d->app->status = 1;
      if (--d->app->open == 0)
        g_main_loop_quit (d->app->loop);
      return;
    }
  printf ("[domain %u] following events\n", d->domid);
  fflush (stdout);
  if (cycle)
    {
      /* Queued in order on the one connection: QEMU runs them in turn. */
      xen_qmp_client_execute_async (d->client, "stop", NULL, NULL, NULL, on_command_done, d);
      xen_qmp_client_execute_async (d->client, "cont", NULL, NULL, NULL, on_command_done, d);
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  App *app = user_data;

  printf ("timeout: %u events seen\n", app->seen);
  if (app->wanted > 0)
    app->status = 1;
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  g_autofree char *run_dir = NULL;
  gboolean cycle = FALSE;
  int count = 0, timeout_s = 0;
  g_auto(GStrv) domids = NULL;
  GOptionEntry entries[] = {
    { "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &run_dir, "where the qmp-libxl-DOMID sockets are", "DIR" },
    { "cycle", 0, 0, G_OPTION_ARG_NONE, &cycle, "pause and resume each domain once", NULL },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "exit after N events", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "exit after S seconds", "S" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &domids, NULL, "DOMID..." },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("DOMID... - follow QEMU events of Xen domains");
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpHost) host = NULL;
  g_autofree Domain *domains = NULL;
  App app = { 0 };
  guint n;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || domids == NULL)
    {
      fprintf (stderr, "%s\n", error ? error->message : "no domain given");
      return 2;
    }

  app.loop = g_main_loop_new (NULL, FALSE);
  app.wanted = count > 0 ? (guint) count : 0;
  host = xen_qmp_host_new (run_dir);
  n = g_strv_length (domids);
  domains = g_new0 (Domain, n);
  for (guint i = 0; i < n; i++)
    {
      Domain *d = &domains[i];

      d->app = &app;
      d->domid = (guint32) g_ascii_strtoull (domids[i], NULL, 10);
      d->client = xen_qmp_client_new_for_domain (host, d->domid);
      g_object_set_data (G_OBJECT (d->client), "cycle", GINT_TO_POINTER (cycle));
      g_signal_connect (d->client, "event", G_CALLBACK (on_event), d);
      g_signal_connect (d->client, "closed", G_CALLBACK (on_closed), d);
      app.open++;
      xen_qmp_client_connect_async (d->client, NULL, on_connected, d);
    }
  if (timeout_s > 0)
    g_timeout_add_seconds ((guint) timeout_s, on_timeout, &app);
  g_main_loop_run (app.loop);

  for (guint i = 0; i < n; i++)
    {
      g_signal_handlers_disconnect_by_data (domains[i].client, &domains[i]);
      g_object_unref (domains[i].client);
    }
  g_main_loop_unref (app.loop);
  return app.status;
}
