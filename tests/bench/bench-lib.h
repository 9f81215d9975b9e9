/* bench-lib.h: timed runs through the library's two APIs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>

/* Called once, when the run's @checkpoint-th command has completed. */
typedef void (*BenchCheckpointFunc) (gpointer user_data);

typedef struct {
  const char          *command;     /* NULL: query-status */
  JsonObject          *arguments;   /* nullable */
  const guint32       *domids;      /* commands go round-robin over these */
  guint                n_domains;
  guint                window;      /* commands in flight */
  double               seconds;     /* run at least this long */
  guint64              min;         /* and at least this many commands */
  guint64              checkpoint;  /* 0: none */
  BenchCheckpointFunc  checkpoint_func;
  gpointer             checkpoint_data;
} BenchCmdRun;

/* Through the command API, on the thread-default main context. Returns µs
 * per command (wall clock over the whole run), or a negative value when a
 * command failed (reported on stderr). */
double bench_cmd_run    (XenQmpHost *host, const BenchCmdRun *run);

/* Through XenQmpClient: query-status with @window in flight. */
double bench_client_run (XenQmpClient *client, guint window, double seconds, guint64 min);

/* Execs one query-status on each domain and waits for the replies, so that
 * every connection is open and ready. */
gboolean bench_cmd_connect_all (XenQmpHost *host, guint32 first, guint32 last);
