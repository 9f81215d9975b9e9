/* bench-lib.c: timed runs through the library's two APIs
 *
 * Each completion starts the next command from inside its callback, as an
 * application keeping a window of commands in flight would.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>

#include "bench-lib.h"

typedef struct {
  XenQmpHost        *host;
  const BenchCmdRun *run;
  gint64             start;
  guint64            done;
  guint              in_flight;
  guint              next_domain;
  gboolean           stopping;
  gboolean           failed;
} CmdState;

/* Whether to start another command: the clock is read on every completion,
 * which costs tens of nanoseconds next to microseconds per command. */
static gboolean
keep_going (gint64 start, guint64 done, guint64 min, double seconds)
{
  return done < min || (double) (g_get_monotonic_time () - start) < seconds * 1e6;
}

static void cmd_done (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
                      const GError *error, gpointer user_data);

static gboolean
cmd_start (CmdState *s, XenQmpCmd *cmd)
{
  const BenchCmdRun *run = s->run;
  guint32 domid = run->domids[s->next_domain];
  g_autoptr(GError) error = NULL;

  s->next_domain = (s->next_domain + 1) % run->n_domains;
  if (!xen_qmp_cmd_exec (s->host, cmd, cmd_done, s, domid,
                         run->command != NULL ? run->command : "query-status",
                         run->arguments, &error))
    {
      fprintf (stderr, "bench: exec on domain %u: %s\n", domid, error->message);
      s->failed = TRUE;
      return FALSE;
    }
  s->in_flight++;
  return TRUE;
}

static void
cmd_done (XenQmpCmd        *cmd,
          JsonNode         *response,
          XenQmpErrorClass  error_class,
          const GError     *error,
          gpointer          user_data)
{
  CmdState *s = user_data;
  const BenchCmdRun *run = s->run;

  (void) response;
  (void) error_class;
  s->in_flight--;
  s->done++;
  if (error != NULL)
    {
      fprintf (stderr, "bench: command failed: %s\n", error->message);
      s->failed = TRUE;
      s->stopping = TRUE;
    }
  if (run->checkpoint != 0 && s->done == run->checkpoint)
    run->checkpoint_func (run->checkpoint_data);
  if (!s->stopping)
    s->stopping = !keep_going (s->start, s->done, run->min, run->seconds);
  if (!s->stopping)
    cmd_start (s, cmd);
}

double
bench_cmd_run (XenQmpHost *host, const BenchCmdRun *run)
{
  CmdState s = { .host = host, .run = run };
  g_autofree XenQmpCmd *cmds = g_new0 (XenQmpCmd, run->window);

  s.start = g_get_monotonic_time ();
  for (guint i = 0; i < run->window && !s.failed; i++)
    {
      xen_qmp_cmd_init (&cmds[i]);
      cmd_start (&s, &cmds[i]);
    }
  while (s.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  if (s.failed)
    return -1;
  return (double) (g_get_monotonic_time () - s.start) / (double) s.done;
}

typedef struct {
  XenQmpClient *client;
  gint64        start;
  guint64       done, min;
  double        seconds;
  guint         in_flight;
  gboolean      stopping;
  gboolean      failed;
} ClientState;

static void client_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
client_start (ClientState *s)
{
  s->in_flight++;
  xen_qmp_client_execute_async (s->client, "query-status", NULL, NULL, NULL,
                                client_done, s);
}

static void
client_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClientState *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source),
                                                             result, &error);

  s->in_flight--;
  s->done++;
  if (reply == NULL)
    {
      fprintf (stderr, "bench: execute failed: %s\n", error->message);
      s->failed = TRUE;
      s->stopping = TRUE;
    }
  if (!s->stopping)
    s->stopping = !keep_going (s->start, s->done, s->min, s->seconds);
  if (!s->stopping)
    client_start (s);
}

double
bench_client_run (XenQmpClient *client, guint window, double seconds, guint64 min)
{
  ClientState s = { .client = client, .min = min, .seconds = seconds };

  s.start = g_get_monotonic_time ();
  for (guint i = 0; i < window; i++)
    client_start (&s);
  while (s.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  if (s.failed)
    return -1;
  return (double) (g_get_monotonic_time () - s.start) / (double) s.done;
}

gboolean
bench_cmd_connect_all (XenQmpHost *host, guint32 first, guint32 last)
{
  g_autofree guint32 *domids = g_new (guint32, last - first + 1);
  BenchCmdRun run = { .domids = domids, .n_domains = last - first + 1,
                      .window = last - first + 1 };

  for (guint32 d = first; d <= last; d++)
    domids[d - first] = d;
  return bench_cmd_run (host, &run) >= 0;
}
