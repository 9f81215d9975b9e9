/* soak-fleet.h: the fake domains of the soak, served by fake-qemu processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef enum {
  FLEET_RUNNING,   /* serving its domains */
  FLEET_STOPPED,   /* SIGSTOP'd: a wedged device model, until resume_at */
  FLEET_DYING,     /* signalled (or all its domains quit): not reaped yet */
  FLEET_DOWN,      /* reaped; started again at restart_at */
  FLEET_STARTING,  /* spawned; its sockets are not all in place yet */
} FleetState;

typedef struct {
  guint       index;
  FleetState  state;
  pid_t       pid;
  guint32     first_domid;     /* serves first_domid .. first_domid + n_domains - 1 */
  guint       n_domains;
  gint64      resume_at;       /* FLEET_STOPPED: SIGCONT then */
  gint64      restart_at;      /* FLEET_DOWN: spawn then; FLEET_RUNNING: if
                                  non-zero, SIGTERM then (after a quit) */
  guint       starts;
} FleetProcess;

typedef struct {
  char          *fake_qemu;
  char          *run_dir;
  guint          n_domains;
  FleetProcess  *procs;
  guint          n_procs;
  /* What the chaos did, for the report. */
  guint          killed, terminated, stopped, restarted, exited_alone;
} Fleet;

/* N_DOMAINS domains (domids 1..N_DOMAINS), PER_PROCESS to a fake-qemu
 * process, sockets `RUN_DIR/qmp-libxl-<domid>` as libxl names them. Waits
 * until every process serves its sockets. */
gboolean      fleet_start          (Fleet       *fleet,
                                    const char  *fake_qemu,
                                    const char  *run_dir,
                                    guint        n_domains,
                                    guint        per_process,
                                    GError     **error);
/* Kills every process, reaps it, removes the sockets left behind. */
void          fleet_stop           (Fleet       *fleet);

FleetProcess *fleet_process_of     (Fleet       *fleet,
                                    guint32      domid);

/* Chaos, on a FLEET_RUNNING process. SIG is SIGKILL (a crash: the sockets
 * stay behind and refuse connections) or SIGTERM (a clean exit: they go). */
void          fleet_kill           (Fleet        *fleet,
                                    FleetProcess *proc,
                                    int           sig,
                                    gint64        restart_delay_us);
void          fleet_pause          (Fleet        *fleet,
                                    FleetProcess *proc,
                                    gint64        duration_us);

/* Moves every process along its states: resumes, reaps, restarts, notices
 * sockets in place. Call often (it never blocks). */
void          fleet_tick           (Fleet       *fleet,
                                    gint64       now);

/* Ends the chaos: stopped processes resume and dead ones restart now
 * (through fleet_tick()), so that every command can end. */
void          fleet_end_chaos      (Fleet       *fleet,
                                    gint64       now);

guint         fleet_count_state    (Fleet       *fleet,
                                    FleetState   state);
