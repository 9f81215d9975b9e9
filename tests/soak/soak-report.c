/* soak-report.c: what the soak counts, and the report it prints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "soak-report.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

void
soak_resources_read (SoakResources *res)
{
  g_autofree char *status = NULL;
  g_autoptr(GDir) dir = NULL;
  struct mallinfo2 mi = mallinfo2 ();
  const char *line;

  *res = (SoakResources) { 0 };
  res->heap_bytes = mi.uordblks + mi.hblkhd;
  res->arena_bytes = mi.arena + mi.hblkhd;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      if ((line = strstr (status, "\nVmRSS:")) != NULL)
        res->rss_kib = g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
      if ((line = strstr (status, "\nRssAnon:")) != NULL)
        res->anon_kib = g_ascii_strtoull (line + strlen ("\nRssAnon:"), NULL, 10);
    }
  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  while (dir != NULL && g_dir_read_name (dir) != NULL)
    res->fds++;
  /* The directory's own descriptor was counted. */
  if (res->fds > 0)
    res->fds--;
}

guint64
soak_stats_local_total (const SoakStats *stats)
{
  guint64 n = 0;

  for (guint i = 0; i < SOAK_N_IO_CODES; i++)
    n += stats->local_errors[i];
  return n;
}

guint64
soak_stats_qmp_total (const SoakStats *stats)
{
  guint64 n = 0;

  for (guint i = 0; i < SOAK_N_CLASSES; i++)
    n += stats->qmp_errors[i];
  return n;
}

static const char *
io_code_name (guint code)
{
  GEnumClass *klass;
  GEnumValue *value;
  const char *name;

  /* An alias of broken-pipe, which the enum's first nick would show: an
   * EOF from QEMU is what the soak mostly sees there. */
  if (code == G_IO_ERROR_CONNECTION_CLOSED)
    return "connection-closed";
  klass = g_type_class_ref (G_TYPE_IO_ERROR_ENUM);
  value = g_enum_get_value (klass, (gint) code);
  name = value != NULL ? value->value_nick : "?";

  g_type_class_unref (klass);
  return name;
}

static const char *
class_name (guint error_class)
{
  GEnumClass *klass = g_type_class_ref (XEN_QMP_TYPE_ERROR_CLASS);
  GEnumValue *value = g_enum_get_value (klass, (gint) error_class);
  const char *name = value != NULL ? value->value_nick : "?";

  g_type_class_unref (klass);
  return name;
}

/* The codes of COUNTS that are not 0, on one line: "closed 12, timed-out 3". */
static char *
io_breakdown (const guint64 *counts)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < SOAK_N_IO_CODES; i++)
    if (counts[i] > 0)
      g_string_append_printf (out, "%s%s %" G_GUINT64_FORMAT,
                              out->len > 0 ? ", " : "", io_code_name (i), counts[i]);
  return g_string_free (out, FALSE);
}

static void
row (const char *label, guint64 value, const char *detail)
{
  printf ("  %-34s %10" G_GUINT64_FORMAT "%s%s\n", label, value,
          detail != NULL && *detail != '\0' ? "   " : "", detail != NULL ? detail : "");
}

static gboolean
must_be_zero (const char *label, guint64 value)
{
  printf ("  %-34s %10" G_GUINT64_FORMAT "   %s\n", label, value, value == 0 ? "ok" : "BUG");
  return value == 0;
}

static double
mib (guint64 bytes)
{
  return (double) bytes / (1024.0 * 1024.0);
}

gboolean
soak_report_print (const SoakStats *stats,
                   const Fleet     *fleet,
                   guint            rss_margin_pct)
{
  g_autofree char *local = io_breakdown (stats->local_errors);
  g_autofree char *refused = io_breakdown (stats->refused_sync);
  g_autoptr(GString) classes = g_string_new (NULL);
  guint64 refused_total = 0;
  guint64 accounted;
  gboolean ok = TRUE;
  gint64 rss_growth = (gint64) stats->end.rss_kib - (gint64) stats->warm.rss_kib;
  gint64 rss_allowed = (gint64) (stats->warm.rss_kib * rss_margin_pct / 100);
  gint64 heap_growth = (gint64) stats->end.heap_bytes - (gint64) stats->warm.heap_bytes;

  for (guint i = 0; i < SOAK_N_CLASSES; i++)
    if (stats->qmp_errors[i] > 0)
      g_string_append_printf (classes, "%s%s %" G_GUINT64_FORMAT,
                              classes->len > 0 ? ", " : "", class_name (i),
                              stats->qmp_errors[i]);
  for (guint i = 0; i < SOAK_N_IO_CODES; i++)
    refused_total += stats->refused_sync[i];

  printf ("commands\n");
  row ("sent (Active)", stats->sent, NULL);
  row ("  through XenQmpClient", stats->via_client, NULL);
  row ("    of which connects", stats->connects, NULL);
  row ("answered (ok)", stats->ok, NULL);
  row ("QMP errors", soak_stats_qmp_total (stats), classes->str);
  row ("failed, local reason", soak_stats_local_total (stats), local);
  row ("disposed while Active", stats->disposed, NULL);
  row ("cancel asked (XenQmpClient)", stats->cancelled, "(called back: ok, or cancelled)");
  row ("refused by exec (not Active)", refused_total, refused);
  row ("exec'd again inside the callback", stats->reused_in_callback, NULL);
  row ("events seen", stats->events, NULL);

  printf ("chaos\n");
  row ("fake-qemu killed (SIGKILL)", fleet->killed, NULL);
  row ("fake-qemu terminated (SIGTERM)", fleet->terminated, NULL);
  row ("fake-qemu stopped (SIGSTOP)", fleet->stopped, NULL);
  row ("fake-qemu exited alone", fleet->exited_alone, "(every domain quit)");
  row ("fake-qemu restarted", fleet->restarted, NULL);
  row ("domains quit (QMP quit)", stats->quits, NULL);
  row ("clients closed with their work", stats->clients_closed, "(xen_qmp_client_close)");
  row ("chaos skipped (nothing running)", stats->chaos_skipped, NULL);

  printf ("must be 0\n");
  ok &= must_be_zero ("called back twice", stats->twice);
  ok &= must_be_zero ("called back after dispose", stats->after_dispose);
  ok &= must_be_zero ("lost (never called back)", stats->lost);
  ok &= must_be_zero ("called back from inside exec", stats->reentrant);
  ok &= must_be_zero ("Active inside its own callback", stats->active_inside);
  ok &= must_be_zero ("inconsistent callback arguments", stats->bad_arguments);
  ok &= must_be_zero ("replies not fitting their command", stats->mismatched);
  ok &= must_be_zero ("errors of another domain", stats->other_errors);
  ok &= must_be_zero ("warnings and criticals logged", stats->warnings);
  /* Every Active command ended one way, and one way only. */
  accounted = stats->ok + soak_stats_qmp_total (stats) + soak_stats_local_total (stats)
              + stats->other_errors + stats->disposed + stats->lost;
  ok &= must_be_zero ("sent - ended (unaccounted)", stats->sent - accounted);
  ok &= must_be_zero ("fds left after the host is gone",
                      stats->after.fds > stats->before.fds
                      ? stats->after.fds - stats->before.fds : 0);

  printf ("resources          before host   warm (%" G_GUINT64_FORMAT ")        end   after host\n",
          stats->warm_after);
  printf ("  RSS (MiB)          %10.1f %13.1f %10.1f %12.1f\n",
          stats->before.rss_kib / 1024.0, stats->warm.rss_kib / 1024.0,
          stats->end.rss_kib / 1024.0, stats->after.rss_kib / 1024.0);
  printf ("    of which anon    %10.1f %13.1f %10.1f %12.1f\n",
          stats->before.anon_kib / 1024.0, stats->warm.anon_kib / 1024.0,
          stats->end.anon_kib / 1024.0, stats->after.anon_kib / 1024.0);
  printf ("  heap in use (MiB)  %10.2f %13.2f %10.2f %12.2f\n",
          mib (stats->before.heap_bytes), mib (stats->warm.heap_bytes),
          mib (stats->end.heap_bytes), mib (stats->after.heap_bytes));
  printf ("  heap from system   %10.2f %13.2f %10.2f %12.2f\n",
          mib (stats->before.arena_bytes), mib (stats->warm.arena_bytes),
          mib (stats->end.arena_bytes), mib (stats->after.arena_bytes));
  printf ("  open fds           %10u %13u %10u %12u\n",
          stats->before.fds, stats->warm.fds, stats->end.fds, stats->after.fds);
  printf ("  RSS warm -> end: %+.1f MiB (%+.1f%%; allowed +%u%%)   %s\n",
          rss_growth / 1024.0,
          stats->warm.rss_kib > 0 ? 100.0 * rss_growth / stats->warm.rss_kib : 0.0,
          rss_margin_pct, rss_growth <= rss_allowed ? "ok" : "GREW");
  printf ("  heap warm -> end: %+.2f MiB (%+.1f bytes per command after warm-up)\n",
          heap_growth / (1024.0 * 1024.0),
          stats->sent > stats->warm_after
          ? (double) heap_growth / (double) (stats->sent - stats->warm_after) : 0.0);
  ok &= rss_growth <= rss_allowed;

  printf ("duration: %.1f s (%.0f commands/s)\n", stats->seconds,
          stats->seconds > 0 ? stats->sent / stats->seconds : 0.0);
  if (stats->ok == 0)
    {
      printf ("no command succeeded: the soak measured nothing\n");
      ok = FALSE;
    }
  printf ("result: %s\n", ok ? "PASS" : "FAIL");
  return ok;
}
