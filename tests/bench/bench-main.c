/* bench-main.c: make bench, the library against the socket's floor
 *
 * Every figure is measured in this run next to its baseline (the raw
 * client, one connection, json-glib alone), alternating the two in rounds
 * and keeping the median, so that ratios hold on a noisy machine. See
 * tests/bench/README.md for how to read the table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <xenqmp/xenqmp.h>

#include "bench-blob.h"
#include "bench-hostile.h"
#include "bench-lib.h"
#include "bench-qemu.h"
#include "bench-raw-client.h"
#include "bench-raw-many.h"
#include "bench-responder.h"
#include "bench-run-dir.h"
#include "bench-schema.h"
#include "bench-table.h"

#define ROUNDS      5      /* baseline and library alternate this many times */
#define RUN_SECONDS 0.5    /* each timed run */
#define N_DOMAINS   1000

typedef struct {
  char  *dir;              /* the run dir: qmp-libxl-N links to the responder */
  char  *responder_path;
  pid_t  responder;
  pid_t  qemu;
} Bench;

static Bench bench;

/* Like g_error(), but exits so that the children are reaped at once. */
static void die (const char *format, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
die (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("bench: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

/* At exit; bench-run-dir.c's watcher also covers an abort or a kill. */
static void
bench_cleanup (void)
{
  bench_child_stop (bench.responder);
  bench_child_stop (bench.qemu);
  if (bench.dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (bench.dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (bench.dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (bench.dir);
    }
  g_clear_pointer (&bench.dir, free);
  g_clear_pointer (&bench.responder_path, g_free);
}

static char *
fmt (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* A figure for a row; freed with the next call's result, rows copy it. */
static char *
fmt (const char *format, ...)
{
  static char *last;
  va_list args;

  g_free (last);
  va_start (args, format);
  last = g_strdup_vprintf (format, args);
  va_end (args);
  return last;
}

static XenQmpHost *
host_new (const char *run_dir)
{
  XenQmpHost *host = xen_qmp_host_new (run_dir);

  /* Connections stay open between runs; 100,000 commands may queue; the
   * 10 MiB reply (about 900,000 values) is admitted. */
  g_object_set (host, "idle-timeout-ms", G_MAXUINT, "max-queued-commands", 200000u,
                "max-message-size", (guint64) 64 * 1024 * 1024,
                "max-elements", (guint64) 16 * 1024 * 1024, NULL);
  return host;
}

static double
raw_run_full (const char *path, gboolean oob, gboolean wait_in_poll, guint window,
              double seconds)
{
  BenchRawClient c;
  double us;

  if (!bench_raw_client_open (&c, path, oob))
    die ("raw client cannot connect to %s: %s", path, g_strerror (errno));
  c.wait_in_poll = wait_in_poll;
  us = bench_raw_client_run (&c, window, seconds, window);
  bench_raw_client_close (&c);
  if (us < 0)
    die ("raw client run failed");
  return us;
}

static double
raw_run (const char *path, gboolean oob, guint window, double seconds)
{
  return raw_run_full (path, oob, FALSE, window, seconds);
}

static double
cmd_run (XenQmpHost *host, guint window, double seconds)
{
  static const guint32 one = 1;
  BenchCmdRun run = { .domids = &one, .n_domains = 1, .window = window,
                      .seconds = seconds, .min = window };
  double us = bench_cmd_run (host, &run);

  if (us < 0)
    die ("command API run failed");
  return us;
}

/* 2. and 3.: one connection, the raw client against the command API and
 * XenQmpClient. A sequential round trip costs a few µs when the scheduler
 * keeps both processes on one core and tens of µs across cores, and it
 * switches between the two from run to run: each ratio is taken within a
 * round (library and raw client back to back) and the median of those
 * ratios is shown, with the median times. */
#define ONE_CONN_ROUNDS 7

/* Returns the median of the per-round ratios. */
static double
ratio_row (const char *what, const double *lib, const double *raw, gboolean throughput,
           const char *target, double limit)
{
  double lm = bench_median (lib, ONE_CONN_ROUNDS), rm = bench_median (raw, ONE_CONN_ROUNDS);
  double q = bench_median_ratio (lib, raw, ONE_CONN_ROUNDS);
  bench_table_row (what,
                   throughput
                   ? fmt ("%.0f cmd/s vs raw %.0f = %.2fx time", 1e6 / lm, 1e6 / rm, q)
                   : fmt ("%.1f us/cmd vs raw %.1f = %.2fx", lm, rm, q),
                   target, q <= limit);
  return q;
}

static void
measure_one_connection (XenQmpHost *host)
{
  static const guint windows[] = { 1, 64, 1024 };
  g_autofree char *path = xen_qmp_host_dup_socket_path (host, 1);
  g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (path);
  g_autoptr(GError) error = NULL;

  if (!xen_qmp_client_connect_sync (client, NULL, &error))
    die ("XenQmpClient: %s", error->message);
  for (guint w = 0; w < G_N_ELEMENTS (windows); w++)
    {
      guint window = windows[w];
      gboolean with_client = window == 1 || window == 64;
      double raw[ONE_CONN_ROUNDS], lib[ONE_CONN_ROUNDS], cli[ONE_CONN_ROUNDS];
      double polled[ONE_CONN_ROUNDS];

      for (guint i = 0; i < ONE_CONN_ROUNDS; i++)
        {
          /* The raw client before and after: the machine drifts within a
           * round too, and both libraries' runs then sit between the two. */
          double raw_before = raw_run (bench.responder_path, TRUE, window, RUN_SECONDS);

          lib[i] = cmd_run (host, window, RUN_SECONDS);
          cli[i] = with_client ? bench_client_run (client, window, RUN_SECONDS, window) : 1;
          if (cli[i] < 0)
            die ("XenQmpClient run failed");
          /* What waking up from poll() instead of recv() costs any event
           * loop, the library's included. */
          polled[i] = window == 1
                      ? raw_run_full (bench.responder_path, TRUE, TRUE, 1, RUN_SECONDS) : 1;
          raw[i] = (raw_before + raw_run (bench.responder_path, TRUE, window, RUN_SECONDS)) / 2;
        }
      if (window == 1)
        {
          double q_cmd = ratio_row ("sequential, command API", lib, raw, FALSE, "<= 1.15x", 1.15);
          double q_cli = ratio_row ("sequential, XenQmpClient", cli, raw, FALSE, "<= 1.15x", 1.15);
          double poll_ratio = ratio_row ("sequential, raw client waiting in poll()", polled, raw,
                                         FALSE, NULL, 0);

          if (q_cmd > 1.15 || q_cli > 1.15)
            bench_table_note (fmt ("sequential: a client that does nothing but wait in poll() "
                                   "before each recv(), as any event loop does, is already "
                                   "%.2fx the blocking raw client on this machine; the "
                                   "library's own work is the rest (tests/bench/README.md)",
                                   poll_ratio));
        }
      else if (window == 64)
        {
          ratio_row ("64 in flight, command API", lib, raw, TRUE, "<= 3x (2x)", 3);
          ratio_row ("64 in flight, XenQmpClient", cli, raw, TRUE, NULL, 0);
        }
      else
        ratio_row ("1,024 in flight, command API", lib, raw, TRUE, NULL, 0);
    }
  xen_qmp_client_close (client);
}

/* 5.: the time from exec to the callback with the parsed reply, against
 * json-glib parsing the same bytes from memory. A 10 MiB reply takes most
 * of a second: samples of one reply or more, alternating with json-glib
 * one by one, keep a burst of load from landing on one side only. */
#define LARGE_SAMPLES 5
#define LARGE_SAMPLE_SECONDS 0.1

typedef struct {
  gsize  size, len;
  char  *blob;
  double lib[LARGE_SAMPLES], json[LARGE_SAMPLES];
} LargeReply;

/* Sample I of one size: json-glib alone, then through the library. */
static void
large_sample (XenQmpHost *host, LargeReply *r, guint i)
{
  static const guint32 one = 1;
  g_autoptr(JsonObject) args = json_object_new ();
  BenchCmdRun run = { .command = BENCH_BLOB_COMMAND, .arguments = args, .domids = &one,
                      .n_domains = 1, .window = 1, .seconds = LARGE_SAMPLE_SECONDS,
                      .min = 1 };
  gint64 start = g_get_monotonic_time ();
  guint n = 0;

  if (r->blob == NULL)
    r->blob = bench_blob_new (r->size, &r->len);
  json_object_set_int_member (args, "size", (gint64) r->size);
  do
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, r->blob, (gssize) r->len, NULL))
        die ("json-glib cannot parse the blob");
      n++;
    }
  while (g_get_monotonic_time () - start < LARGE_SAMPLE_SECONDS * 1e6);
  r->json[i] = (double) (g_get_monotonic_time () - start) / n;
  r->lib[i] = bench_cmd_run (host, &run);
  if (r->lib[i] < 0)
    die ("large reply run failed");
}

static void
measure_large_replies (XenQmpHost *host)
{
  LargeReply small = { .size = 200 * 1024 }, half = { .size = 5 * 1024 * 1024 },
             big = { .size = 10 * 1024 * 1024 };
  double q_small, q_big, linear, json_linear;

  /* 5 and 10 MiB take turns, so that the ratio of the two is taken
   * within a round, as every other ratio is. */
  for (guint i = 0; i < LARGE_SAMPLES; i++)
    {
      large_sample (host, &small, i);
      large_sample (host, &half, i);
      large_sample (host, &big, i);
    }
  q_small = bench_median_ratio (small.lib, small.json, LARGE_SAMPLES);
  q_big = bench_median_ratio (big.lib, big.json, LARGE_SAMPLES);
  linear = bench_median_ratio (big.lib, half.lib, LARGE_SAMPLES);
  json_linear = bench_median_ratio (big.json, half.json, LARGE_SAMPLES);

  bench_table_row ("200 KiB reply",
                   fmt ("%.0f us vs json-glib %.0f = %.2fx",
                        bench_median (small.lib, LARGE_SAMPLES),
                        bench_median (small.json, LARGE_SAMPLES), q_small),
                   "<= 1.3x", q_small <= 1.3);
  bench_table_row ("10 MiB reply",
                   fmt ("%.1f ms vs json-glib %.1f = %.2fx",
                        bench_median (big.lib, LARGE_SAMPLES) / 1e3,
                        bench_median (big.json, LARGE_SAMPLES) / 1e3, q_big),
                   "<= 1.3x", q_big <= 1.3);
  /* Linear: doubling the size doubles the time, as it does for json-glib
   * alone (whose own ratio shows what the machine's caches add). */
  bench_table_row ("5 MiB -> 10 MiB reply",
                   fmt ("%.1f ms -> %.1f ms = %.2fx (json-glib %.2fx)",
                        bench_median (half.lib, LARGE_SAMPLES) / 1e3,
                        bench_median (big.lib, LARGE_SAMPLES) / 1e3, linear, json_linear),
                   "linear (<= 2.2x)", linear <= MAX (2.2, 1.1 * json_linear));
  g_free (small.blob);
  g_free (half.blob);
  g_free (big.blob);
}

static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static gsize
rss_bytes (void)
{
  unsigned long size = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL || fscanf (f, "%lu %lu", &size, &resident) != 2)
    die ("cannot read /proc/self/statm");
  fclose (f);
  return resident * (gsize) sysconf (_SC_PAGESIZE);
}

static void
noop_cmd_done (XenQmpCmd *cmd, JsonNode *response, XenQmpErrorClass error_class,
               const GError *error, gpointer user_data)
{
  guint *left = user_data;

  (void) cmd;
  (void) response;
  (void) error_class;
  if (error != NULL)
    die ("command failed: %s", error->message);
  (*left)--;
}

typedef struct {
  gsize rss, heap;
} Checkpoint;

static void
take_checkpoint (gpointer user_data)
{
  Checkpoint *c = user_data;

  c->rss = rss_bytes ();
  c->heap = heap_in_use ();
}

/* 6.: heap per Active command (queued, as exec does no I/O), and RSS after
 * 1,000,000 commands against after the first 10,000. */
static void
measure_memory (XenQmpHost *host)
{
  const guint n = 100000;
  g_autofree XenQmpCmd *cmds = g_new0 (XenQmpCmd, n);
  guint left = n;
  gsize before;
  static const guint32 one = 1;
  Checkpoint early = { 0 };
  BenchCmdRun run = { .domids = &one, .n_domains = 1, .window = 64, .min = 1000000,
                      .checkpoint = 10000, .checkpoint_func = take_checkpoint,
                      .checkpoint_data = &early };
  double us;

  malloc_trim (0);
  before = heap_in_use ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      xen_qmp_cmd_init (&cmds[i]);
      if (!xen_qmp_cmd_exec (host, &cmds[i], noop_cmd_done, &left, 1, "query-status",
                             NULL, &error))
        die ("exec: %s", error->message);
    }
  gssize per_cmd = ((gssize) heap_in_use () - (gssize) before) / (gssize) n;
  while (left > 0)
    g_main_context_iteration (NULL, TRUE);
  bench_table_row ("heap per Active command (100,000)", fmt ("%zd bytes", per_cmd),
                   "<= 1 KiB", per_cmd <= 1024);

  us = bench_cmd_run (host, &run);
  if (us < 0)
    die ("1,000,000 commands failed");
  gssize rss_growth = (gssize) rss_bytes () - (gssize) early.rss;
  gssize heap_growth = (gssize) heap_in_use () - (gssize) early.heap;
  bench_table_row ("RSS 10,000 -> 1,000,000 commands",
                   fmt ("%+zd KiB (heap %+zd KiB), %.1f us/cmd", rss_growth / 1024,
                        heap_growth / 1024, us),
                   "flat (<= +1 MiB)", rss_growth <= 1024 * 1024);
}

static gboolean
count_iteration (gpointer user_data)
{
  (*(guint64 *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* One main-loop iteration with nothing but an unrelated idle source to
 * dispatch: what every idle connection adds to it. */
static double
iteration_us (void)
{
  double samples[ROUNDS];

  for (guint i = 0; i < ROUNDS; i++)
    {
      guint64 n = 0;
      guint id = g_idle_add (count_iteration, &n);
      gint64 start = g_get_monotonic_time ();

      while (g_get_monotonic_time () - start < RUN_SECONDS * 1e6 / 2)
        g_main_context_iteration (NULL, FALSE);
      samples[i] = (double) (g_get_monotonic_time () - start) / (double) n;
      g_source_remove (id);
    }
  return bench_median (samples, ROUNDS);
}

/* 4.: 1,000 connections held by one host in this thread's context. */
static void
measure_idle_connections (XenQmpHost *host)
{
  double idle0, idle100, idle1000;
  gsize heap100;
  gssize per_conn;

  idle0 = iteration_us ();
  if (!bench_cmd_connect_all (host, 1, 100))
    die ("cannot open 100 connections");
  idle100 = iteration_us ();
  /* Measured over the next 900, so that what the first connection sets up
   * once (and what earlier figures free late) stays out of it. */
  heap100 = heap_in_use ();
  if (!bench_cmd_connect_all (host, 101, N_DOMAINS))
    die ("cannot open 1,000 connections");
  per_conn = ((gssize) heap_in_use () - (gssize) heap100) / (N_DOMAINS - 100);
  idle1000 = iteration_us ();

  bench_table_row ("heap per idle connection (900)", fmt ("%zd bytes", per_conn),
                   "<= 64 KiB", per_conn <= 64 * 1024);
  bench_table_row ("main-loop iteration, idle connections",
                   fmt ("0: %.1f us, 100: %.1f us, 1,000: %.1f us (+%.1f)", idle0, idle100,
                        idle1000, idle1000 - idle0),
                   "<= +10 us", idle1000 - idle0 <= 10);
}

/* 100 in flight over 1,000 connections vs over one, for the library and
 * for the raw clients, the four taking turns in each round. The raw
 * clients' ratio is the floor: over 1,000 sockets every command needs its
 * own send() and recv(), which one connection shares among a window. */
static void
measure_many_domains (void)
{
  g_autoptr(XenQmpHost) host = host_new (bench.dir);
  g_autofree guint32 *domids = g_new (guint32, N_DOMAINS);
  double lib1[ROUNDS], libn[ROUNDS], raw1[ROUNDS], rawn[ROUNDS];
  double q, rq, fq;
  BenchRawMany *raw_many;

  measure_idle_connections (host);
  raw_many = bench_raw_many_open (bench.responder_path, N_DOMAINS);
  if (raw_many == NULL)
    die ("raw client cannot open 1,000 connections: %s", g_strerror (errno));
  for (guint32 d = 0; d < N_DOMAINS; d++)
    domids[d] = d + 1;
  for (guint i = 0; i < ROUNDS; i++)
    {
      BenchCmdRun many = { .domids = domids, .n_domains = N_DOMAINS, .window = 100,
                           .seconds = RUN_SECONDS, .min = 100 };

      raw1[i] = raw_run (bench.responder_path, TRUE, 100, RUN_SECONDS);
      lib1[i] = cmd_run (host, 100, RUN_SECONDS);
      libn[i] = bench_cmd_run (host, &many);
      rawn[i] = bench_raw_many_run (raw_many, 100, RUN_SECONDS, 100);
      if (libn[i] < 0 || rawn[i] < 0)
        die ("1,000 connections run failed");
    }
  bench_raw_many_close (raw_many);
  q = bench_median_ratio (lib1, libn, ROUNDS);
  rq = bench_median_ratio (raw1, rawn, ROUNDS);
  fq = bench_median_ratio (libn, rawn, ROUNDS);
  bench_table_row ("1,000 connections, 100 in flight",
                   fmt ("%.0f cmd/s vs 1 connection %.0f = %.2fx (raw client %.2fx)",
                        1e6 / bench_median (libn, ROUNDS), 1e6 / bench_median (lib1, ROUNDS),
                        q, rq),
                   ">= 0.5x", q >= 0.5);
  if (q < 0.5 && rq < 0.5)
    bench_table_note (fmt ("1,000 connections: the raw client itself reaches %.2fx here; "
                           "the kernel's cost of a send() and a recv() per command sets "
                           "the floor below the target (tests/bench/README.md)", rq));
  bench_table_row ("1,000 connections vs raw client",
                   fmt ("%.0f cmd/s vs raw %.0f = %.2fx time",
                        1e6 / bench_median (libn, ROUNDS), 1e6 / bench_median (rawn, ROUNDS),
                        fq),
                   NULL, FALSE);
}

/* 7.: QEMU serves one client at a time, so the raw client and the library
 * take turns on its one socket: raw, library, raw, ... Each library run is
 * compared with the mean of the raw runs on either side of it, as on one
 * connection, and connects (greeting, qmp_capabilities) before its clock
 * starts, as the raw client does. */
static void
measure_qemu (const char *binary)
{
  static const guint windows[] = { 1, 64 };
  static const guint32 zero = 0;
  g_autofree char *path = g_build_filename (bench.dir, "qemu.sock", NULL);
  g_autofree char *link = g_build_filename (bench.dir, "qmp-libxl-0", NULL);

  bench.qemu = bench_qemu_start (binary, path);
  if (bench.qemu < 0)
    {
      bench_table_row ("real QEMU", fmt ("%s did not start: skipped", binary), NULL, FALSE);
      return;
    }
  if (symlink (path, link) < 0)
    die ("symlink %s: %s", link, g_strerror (errno));
  for (guint w = 0; w < G_N_ELEMENTS (windows); w++)
    {
      BenchCmdRun run = { .domids = &zero, .n_domains = 1, .window = windows[w],
                          .seconds = RUN_SECONDS, .min = windows[w] };
      double raw[ROUNDS], lib[ROUNDS], before, after, q;

      before = raw_run (path, TRUE, windows[w], RUN_SECONDS);
      for (guint i = 0; i < ROUNDS; i++)
        {
          g_autoptr(XenQmpHost) host = host_new (bench.dir);

          if (!bench_cmd_connect_all (host, 0, 0))
            die ("the library cannot connect to QEMU");
          lib[i] = bench_cmd_run (host, &run);
          if (lib[i] < 0)
            die ("real QEMU run failed");
          /* Closed before the raw client's turn: QEMU would not greet it. */
          g_clear_object (&host);
          after = raw_run (path, TRUE, windows[w], RUN_SECONDS);
          raw[i] = (before + after) / 2;
          before = after;
        }
      q = bench_median_ratio (raw, lib, ROUNDS);
      bench_table_row (windows[w] == 1 ? "real QEMU, sequential" : "real QEMU, 64 in flight",
                       fmt ("%.0f us/cmd vs raw (oob) %.0f = %.1f%% throughput",
                            bench_median (lib, ROUNDS), bench_median (raw, ROUNDS), 100 * q),
                       ">= 95%", q >= 0.95);
    }
  bench_child_stop (bench.qemu);
  bench.qemu = 0;
}

static void
setup (void)
{
  struct rlimit limit;

  /* 1,000 connections, and the responder's 1,000 in the child. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 4096)
    {
      limit.rlim_cur = MIN (limit.rlim_max, 4096);
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  bench.dir = bench_run_dir_new ();
  if (bench.dir == NULL)
    die ("cannot create a temporary directory: %s", g_strerror (errno));
  atexit (bench_cleanup);
  bench.responder_path = g_build_filename (bench.dir, "responder.sock", NULL);
  bench.responder = bench_responder_start (bench.responder_path);
  if (bench.responder < 0)
    die ("cannot start the responder: %s", g_strerror (errno));
  /* Every domain's socket is the one responder. */
  for (guint d = 1; d <= N_DOMAINS; d++)
    {
      g_autofree char *name = g_strdup_printf ("qmp-libxl-%u", d);
      g_autofree char *link = g_build_filename (bench.dir, name, NULL);

      if (symlink ("responder.sock", link) < 0)
        die ("symlink %s: %s", link, g_strerror (errno));
    }
}

/* Under callgrind: a fixed number of commands, 64 in flight, so that the
 * instructions of the receive path divide by a known count. */
static int
run_for_callgrind (guint64 n, gboolean client)
{
  g_autoptr(XenQmpHost) host = host_new (bench.dir);
  static const guint32 one = 1;
  BenchCmdRun run = { .domids = &one, .n_domains = 1, .window = 64, .min = n };

  if (!bench_cmd_connect_all (host, 1, 1))
    return 1;
  if (client)
    {
      g_autofree char *path = xen_qmp_host_dup_socket_path (host, 1);
      g_autoptr(XenQmpClient) c = xen_qmp_client_new_for_socket (path);
      g_autoptr(GError) error = NULL;

      /* The host's connection stays open and idle, as in make bench. */
      if (!xen_qmp_client_connect_sync (c, NULL, &error)
          || bench_client_run (c, 64, 0, n) < 0)
        return 1;
      printf ("commands: %" G_GUINT64_FORMAT "\n", n);
      return 0;
    }
  if (bench_cmd_run (host, &run) < 0)
    return 1;
  printf ("commands: %" G_GUINT64_FORMAT "\n", n + 1);
  return 0;
}

/* For perf and strace: one figure's workload through the command API for
 * @seconds, without its baseline. */
static int
run_for_profile (const char *what, double seconds)
{
  g_autoptr(XenQmpHost) host = host_new (bench.dir);
  g_autofree guint32 *domids = g_new (guint32, N_DOMAINS);
  BenchCmdRun run = { .domids = domids, .n_domains = 1, .seconds = seconds };
  double us;

  for (guint32 d = 0; d < N_DOMAINS; d++)
    domids[d] = d + 1;
  if (g_str_has_prefix (what, "raw-"))
    {
      us = raw_run (bench.responder_path, TRUE, g_str_equal (what, "raw-64") ? 64 : 1, seconds);
      printf ("%s: %.2f us/cmd\n", what, us);
      return 0;
    }
  if (g_str_has_prefix (what, "client-"))
    {
      g_autofree char *path = xen_qmp_host_dup_socket_path (host, 1);
      g_autoptr(XenQmpClient) client = xen_qmp_client_new_for_socket (path);
      g_autoptr(GError) error = NULL;

      if (!xen_qmp_client_connect_sync (client, NULL, &error))
        die ("XenQmpClient: %s", error->message);
      us = bench_client_run (client, g_str_equal (what, "client-64") ? 64 : 1, seconds, 1);
      printf ("%s: %.2f us/cmd\n", what, us);
      return us < 0;
    }
  if (g_str_equal (what, "sequential"))
    run.window = 1;
  else if (g_str_equal (what, "64"))
    run.window = 64;
  else if (g_str_equal (what, "many"))
    {
      run.window = 100;
      run.n_domains = N_DOMAINS;
    }
  else
    return 2;
  if (!bench_cmd_connect_all (host, 1, run.n_domains))
    return 1;
  us = bench_cmd_run (host, &run);
  printf ("%s: %.2f us/cmd\n", what, us);
  return us < 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(XenQmpHost) host = NULL;
  const char *qemu = g_getenv ("QEMU_SYSTEM");
  gint64 start = g_get_monotonic_time ();

  setup ();
  if ((argc == 3 || (argc == 4 && g_str_equal (argv[3], "client")))
      && g_str_equal (argv[1], "--callgrind"))
    return run_for_callgrind (g_ascii_strtoull (argv[2], NULL, 10), argc == 4);
  if (argc == 4 && g_str_equal (argv[1], "--profile"))
    return run_for_profile (argv[2], g_ascii_strtod (argv[3], NULL));
  if (argc == 2 && g_str_equal (argv[1], "--hostile"))
    {
      bench_hostile_measure (bench.dir);
      bench_table_print ();
      bench_table_clear ();
      return 0;
    }
  if (argc != 1)
    {
      fprintf (stderr, "usage: %s [--callgrind N [client] | --profile [raw-|client-]sequential|[raw-|client-]64|many SECONDS | --hostile]\n",
               argv[0]);
      return 2;
    }

  fprintf (stderr, "bench: runs of %.1f s, library and baseline taking turns; progress:\n",
           RUN_SECONDS);
  host = host_new (bench.dir);
  if (!bench_cmd_connect_all (host, 1, 1))
    die ("cannot connect to the responder");
  measure_one_connection (host);
  measure_large_replies (host);
  measure_memory (host);
  g_clear_object (&host);
  measure_many_domains ();
  measure_qemu (qemu != NULL && *qemu != '\0' ? qemu : "qemu-system-x86_64");
  bench_schema_measure (g_getenv ("XENQMP_BENCH_SCHEMA"));
  bench_hostile_measure (bench.dir);

  bench_table_print ();
  printf ("(run took %.0f s)\n", (double) (g_get_monotonic_time () - start) / 1e6);
  bench_table_clear ();
  return 0;
}
