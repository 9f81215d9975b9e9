/* qmp-proc-locks.h: who holds, and who waits for, a flock() (/proc/locks)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The FLOCK lines of /proc/locks, by file: a host may hold a thousand
 * locks and look at them several times a second, so the text is parsed
 * once into a table. Other kinds of lock (POSIX, OFDLCK, LEASE) and lines
 * that do not parse are left out. The kernel shows only processes of the
 * reader's PID namespace, by their PID there (a thread by its process's
 * PID). */
typedef struct _QmpProcLocks QmpProcLocks;

QmpProcLocks *qmp_proc_locks_read       (GError       **error);
/* The same from TEXT, LENGTH bytes of it (-1: up to its NUL). */
QmpProcLocks *qmp_proc_locks_parse      (const char    *text,
                                         gssize         length);
void          qmp_proc_locks_free       (QmpProcLocks  *locks);

/* The PID of a process holding an flock() on the file DEV:INO, 0 when
 * none does or it cannot be told. */
guint         qmp_proc_locks_get_holder (QmpProcLocks  *locks,
                                         dev_t          dev,
                                         ino_t          ino);
/* Whether a process is blocked in flock() waiting for that file. */
gboolean      qmp_proc_locks_has_waiter (QmpProcLocks  *locks,
                                         dev_t          dev,
                                         ino_t          ino);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpProcLocks, qmp_proc_locks_free)

G_END_DECLS
