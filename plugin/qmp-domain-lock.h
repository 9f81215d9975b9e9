/* qmp-domain-lock.h: libxl's per-domain QMP socket lock, without blocking
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "qmp-proc-locks.h"

typedef struct _QmpDomainLock QmpDomainLock;

typedef void (*QmpDomainLockFunc) (QmpDomainLock *lock,
                                   gpointer       user_data);

/* QEMU's QMP socket serves one client at a time, and libxl serialises its
 * users with flock() on
 * <lib-dir>/userdata-l.<domid>.<uuid>.qmp-socket-lock. Taking the same lock
 * keeps us out of libxl's way, and libxl out of ours. */
QmpDomainLock *qmp_domain_lock_new     (const char        *path,
                                        GMainContext      *context);
/* Tries once: TRUE when held now. Otherwise, when *ERROR is unset, the
 * lock is busy: a thread waits for it in flock(), as libxl does (which
 * the holder can see in /proc/locks), and ACQUIRED will be called from
 * CONTEXT once it is ours. */
gboolean       qmp_domain_lock_acquire (QmpDomainLock     *lock,
                                        QmpDomainLockFunc  acquired,
                                        gpointer           user_data,
                                        GError           **error);
/* One attempt, and no waiting: TRUE when held now; FALSE when busy (or
 * with ERROR set). Nobody sees us wait: for a taker with nothing urgent,
 * which lets those who wait visibly go first. */
gboolean       qmp_domain_lock_try     (QmpDomainLock     *lock,
                                        GError           **error);
gboolean       qmp_domain_lock_is_held (QmpDomainLock     *lock);
/* Who holds the lock, from /proc/locks ("process 4242 (xl)"), or NULL
 * when that cannot be told. */
char          *qmp_domain_lock_describe_holder (QmpDomainLock *lock);
/* Busy, and being tried again until it is ours. */
gboolean       qmp_domain_lock_is_waiting (QmpDomainLock  *lock);
/* The file held (its device and inode, as /proc/locks names it); FALSE
 * when the lock is not held. */
gboolean       qmp_domain_lock_get_file_id (QmpDomainLock *lock,
                                            dev_t         *dev,
                                            ino_t         *ino);
/* Held, and another process (or thread) waits in flock() for it, as
 * LOCKS shows: time to give it back. */
gboolean       qmp_domain_lock_has_waiter (QmpDomainLock  *lock,
                                           QmpProcLocks   *locks);
const char    *qmp_domain_lock_get_path (QmpDomainLock    *lock);
/* Gives the lock back (or stops waiting for it); it may be acquired
 * again. A thread blocked in flock() stays so until the holder lets go,
 * and then gives the lock back at once. */
void           qmp_domain_lock_release (QmpDomainLock     *lock);
/* Releases the lock (or stops waiting for it) and frees LOCK. */
void           qmp_domain_lock_free    (QmpDomainLock     *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpDomainLock, qmp_domain_lock_free)
