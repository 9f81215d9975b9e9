/* qmp-fdsets.h: a command that opens files through fdsets, as libxl does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "qmp-connection.h"

/* At most this many fds (so fdsets) with one command. */
#define QMP_FDSETS_MAX 16

/* Whether ARGUMENTS may run with N_FDS fds: at least one fd, every
 * placeholder ("@fd", "@fd0", "@fd1", ... as a whole string value, at any
 * depth) names one of them and every fd is named. */
gboolean qmp_fdsets_check_arguments (JsonObject  *arguments,
                                     guint        n_fds,
                                     GError     **error);

typedef struct _QmpFdsetCall QmpFdsetCall;

/* libxl's chain, done once for everyone (libxl_disk.c
 * cdrom_insert_ejected/cdrom_insert_addfd_cb, libxl_qmp.c
 * dm_stopped/dm_state_fd_ready/dm_state_save_to_fdset): on CONN, one
 * `add-fd` per fd (each fd sent with its own command, SCM_RIGHTS, QEMU
 * taking one fd per add-fd; each add-fd waits for the one before, so
 * that QEMU never holds two received fds at once), then COMMAND with
 * every placeholder replaced by its fdset's `/dev/fdset/N`, then
 * `remove-fd fdset-id=N` for every fdset made, whatever happened.
 *
 * FDS (g_malloc'd, N_FDS of them, checked with
 * qmp_fdsets_check_arguments()) are taken: each is closed once sent, or
 * when the chain ends before sending it. TASK completes exactly once with
 * COMMAND's result (or the first error), from the outbox; COMPLETED runs
 * just before, as for qmp_connection_execute(). Each step has TIMEOUT_MS.
 * The chain holds CONN (a reference and a hold) until its remove-fds are
 * answered or the connection ends: QEMU 7.2 drops an fdset's unused fds
 * itself once no monitor is connected and the guest runs
 * (monitor/misc.c monitor_fdset_cleanup), so nothing is left when the
 * connection fails. Returns a reference for qmp_fdset_call_abandon(). */
QmpFdsetCall *qmp_fdset_call_start   (QmpConnection    *conn,
                                      GTask            *task,
                                      const char       *command,
                                      JsonObject       *arguments,
                                      int              *fds,
                                      guint             n_fds,
                                      guint             timeout_ms,
                                      QmpCompletedFunc  completed,
                                      gpointer          completed_data);

/* Completes the call's task now (from the outbox) with REASON (NULL:
 * G_IO_ERROR_CANCELLED) if it is still Active. The chain goes on quietly
 * to its end: an add-fd already sent is answered, then every fdset made
 * is removed. */
void          qmp_fdset_call_abandon (QmpFdsetCall     *call,
                                      const GError     *reason);

void          qmp_fdset_call_unref   (QmpFdsetCall     *call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpFdsetCall, qmp_fdset_call_unref)
