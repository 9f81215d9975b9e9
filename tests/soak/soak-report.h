/* soak-report.h: what the soak counts, and the report it prints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <xenqmp/xenqmp.h>

#include "soak-fleet.h"

/* Enough for every GIOErrorEnum code. */
#define SOAK_N_IO_CODES 64
#define SOAK_N_CLASSES  (XEN_QMP_ERROR_CLASS_UNKNOWN + 1)

/* Process resources at one moment. */
typedef struct {
  guint64 rss_kib;       /* VmRSS */
  guint64 anon_kib;      /* RssAnon: VmRSS without the pages of files
                            (libraries whose rarer paths run later) */
  guint64 heap_bytes;    /* mallinfo2 (): bytes in use */
  guint64 arena_bytes;   /* mallinfo2 (): bytes malloc got from the system */
  guint   fds;           /* entries of /proc/self/fd */
} SoakResources;

typedef struct {
  /* Outcomes: every Active command lands in exactly one of these. */
  guint64 sent;                  /* Active: exec succeeded */
  guint64 via_client;            /* of which through XenQmpClient */
  guint64 connects;              /* of which xen_qmp_client_connect_async () */
  guint64 ok;
  guint64 qmp_errors[SOAK_N_CLASSES];
  guint64 local_errors[SOAK_N_IO_CODES];   /* by GIOErrorEnum code */
  guint64 other_errors;          /* neither domain: must be 0 */
  guint64 disposed;
  /* Refused by exec (or, through a client, failed before being queued). */
  guint64 refused_sync[SOAK_N_IO_CODES];

  /* Broken guarantees: each must stay 0. */
  guint64 twice;                 /* a second callback */
  guint64 after_dispose;         /* a callback after xen_qmp_cmd_dispose () */
  guint64 lost;                  /* never called back */
  guint64 reentrant;             /* called back from inside exec */
  guint64 active_inside;         /* the cmd was not Idle in its callback */
  guint64 bad_arguments;         /* response and error both or neither set */
  guint64 mismatched;            /* a reply that does not fit its command */
  guint64 warnings;              /* g_warning () or g_critical () from anyone */

  /* Chaos and other activity. */
  guint64 cancelled;             /* g_cancellable_cancel () on an Active execute:
                                    still called back, so not in disposed */
  guint64 clients_closed;        /* xen_qmp_client_close (), maybe with executes Active */
  guint64 quits;                 /* quit sent to a domain */
  guint64 reused_in_callback;    /* exec on the cmd from inside its callback */
  guint64 events;                /* events seen by the host's handler */
  guint64 chaos_skipped;         /* no process was running to hit */

  SoakResources before;          /* before the host exists */
  SoakResources warm;            /* after the first warm_after commands */
  SoakResources end;             /* every command done, host still alive */
  SoakResources after;           /* host and clients gone, fakes still up */
  guint64 warm_after;
  double  seconds;
} SoakStats;

void     soak_resources_read (SoakResources *res);

guint64  soak_stats_local_total (const SoakStats *stats);
guint64  soak_stats_qmp_total   (const SoakStats *stats);

/* Prints the report on stdout; returns whether every check passed.
 * RSS_MARGIN_PCT: how much RSS may grow from warm to end. */
gboolean soak_report_print (const SoakStats *stats,
                            const Fleet     *fleet,
                            guint            rss_margin_pct);
