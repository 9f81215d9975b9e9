/* qmp-domain-lock.c: libxl's per-domain QMP socket lock, waited for in a thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-domain-lock.h"
#include "qmp-proc-locks.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

/* A waiter thread that cannot take the lock (the directory is gone, the
 * file keeps being replaced) tries again after 5 ms, then less and less
 * often. */
#define PAUSE_FIRST_MS 5
#define PAUSE_MAX_MS   100

/* Waiting for a busy lock, shared by the lock and the thread that waits.
 * The thread never sees the QmpDomainLock, which may be freed while the
 * thread is still blocked in flock(): the lock cancels, and whichever of
 * them holds the taken lock then gives it back. */
typedef struct {
  gatomicrefcount  ref;
  gint             cancelled;   /* atomic; set under MUTEX */
  GMutex           mutex;
  GCond            cond;        /* ends a pause early on cancel */
  char            *path;
  GMainContext    *context;     /* the thread's, until it hands over */
  QmpDomainLock   *lock;        /* only in LOCK's context, only if not cancelled */
  int              fd;          /* under MUTEX: taken, not yet delivered */
} LockWait;

struct _QmpDomainLock {
  char              *path;
  GMainContext      *context;
  int                fd;          /* >= 0 while held */
  LockWait          *wait;        /* while busy */
  QmpDomainLockFunc  acquired;
  gpointer           user_data;
};

QmpDomainLock *
qmp_domain_lock_new (const char *path, GMainContext *context)
{
  QmpDomainLock *lock = g_new0 (QmpDomainLock, 1);

  lock->path = g_strdup (path);
  lock->context = g_main_context_ref (context);
  lock->fd = -1;
  return lock;
}

/* Whether the file at PATH is still the one FD has open: libxl removes it
 * on release, so a lock on a file that is no longer at the path locks
 * nothing. lstat(): a link put there since is not our file. */
static gboolean
still_at_path (const char *path, int fd)
{
  struct stat by_fd, by_path;

  return fstat (fd, &by_fd) == 0 && lstat (path, &by_path) == 0
         && by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

/* The lock file lives in a directory that other users may read (and, on
 * a badly set up host, write): whoever owns the file could hold the lock
 * and stop QMP to the domain, and whatever it is (a FIFO, a device) must
 * not be something that opening or locking it would do harm to. Only a
 * regular file of root's (as libxl, run by root, makes it) or ours. */
static gboolean
check_lock_file (const char *path, int fd, GError **error)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot check the QMP socket lock %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "refusing the QMP socket lock %s: not a regular file", path);
      return FALSE;
    }
  if (st.st_uid != 0 && st.st_uid != geteuid ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "refusing the QMP socket lock %s: owned by uid %u, neither root "
                   "nor this process's user (whoever owns it can hold QMP to the "
                   "domain hostage)", path, (guint) st.st_uid);
      return FALSE;
    }
  return TRUE;
}

/* Unlike libxl, which opens it O_RDWR|O_CREAT, 0666, following links: a
 * link is refused (O_NOFOLLOW: a link planted there must not make root
 * create or lock its target), a file we create has no group or world
 * access, and what is opened is checked (check_lock_file()). O_NONBLOCK:
 * opening a FIFO or device put there must not wait. */
static int
open_lock_file (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);

  if (fd < 0)
    {
      int saved = errno;

      if (saved == ELOOP)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                     "refusing the QMP socket lock %s: a symbolic link", path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "cannot open the QMP socket lock %s: %s", path, g_strerror (saved));
      return -1;
    }
  if (!check_lock_file (path, fd, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* As libxl__ev_slowlock_unlock() does: remove the file, then unlock. In
 * that order, a process that opened the file meanwhile and then gets the
 * lock finds that it is no longer at the path, and tries again. Only our
 * file: one that replaced it is not ours to remove. The explicit unlock
 * (not only close()) is for a copy of the descriptor that a fork() of the
 * application may hold, which would otherwise keep the lock. */
static void
give_back (const char *path, int fd)
{
  if (still_at_path (path, fd))
    unlink (path);
  flock (fd, LOCK_UN);
  close (fd);
}

/* One attempt: 1 held (*FD set), 0 busy (or WAIT cancelled), -1 error.
 * Without WAIT it does not block; with it, it waits in flock() as libxl's
 * child does, visibly: /proc/locks shows a blocked flock() to the holder,
 * which may then let go sooner.
 *
 * As libxl takes it (Xen 4.17, tools/libs/light/libxl_internal.c:
 * libxl__ev_slowlock_lock(), ev_lock_prepare_fork(),
 * ev_lock_child_callback()): flock() on the file, created if missing, then
 * a check that the file at the path is the one locked, or another try.
 * libxl also checks, after acquiring, that the domain still exists: so
 * does the host, which knows the domain (xen-qmp-host.c,
 * host_domain_locked()). */
static int
take_lock (const char *path, LockWait *wait, int *fd_out, GError **error)
{
  for (int attempt = 0; attempt < 8; attempt++)
    {
      int fd, r;

      if (wait != NULL && g_atomic_int_get (&wait->cancelled))
        return 0;
      fd = open_lock_file (path, error);
      if (fd < 0)
        return -1;
      /* EINTR in the waiter thread is a signal handler of the
       * application's that ran there: wait on. */
      do
        r = flock (fd, wait != NULL ? LOCK_EX : LOCK_EX | LOCK_NB);
      while (r < 0 && errno == EINTR && wait != NULL);
      if (r < 0)
        {
          int saved = errno;

          close (fd);
          if (saved == EWOULDBLOCK || saved == EINTR)
            return 0;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot lock %s: %s", path, g_strerror (saved));
          return -1;
        }
      if (still_at_path (path, fd))
        {
          *fd_out = fd;
          return 1;
        }
      /* Released by a holder that removed it: other waiters on this file
       * must find that out too, even if a fork() copied FD. */
      flock (fd, LOCK_UN);
      close (fd);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "the QMP socket lock %s keeps being replaced", path);
  return -1;
}

static LockWait *
lock_wait_new (QmpDomainLock *lock)
{
  LockWait *wait = g_new0 (LockWait, 1);

  g_atomic_ref_count_init (&wait->ref);
  g_mutex_init (&wait->mutex);
  g_cond_init (&wait->cond);
  wait->path = g_strdup (lock->path);
  wait->context = g_main_context_ref (lock->context);
  wait->lock = lock;
  wait->fd = -1;
  return wait;
}

static LockWait *
lock_wait_ref (LockWait *wait)
{
  g_atomic_ref_count_inc (&wait->ref);
  return wait;
}

static void
lock_wait_unref (gpointer data)
{
  LockWait *wait = data;

  if (!g_atomic_ref_count_dec (&wait->ref))
    return;
  /* Taken, and then its delivery dropped unrun with the context. */
  if (wait->fd >= 0)
    give_back (wait->path, wait->fd);
  if (wait->context != NULL)
    g_main_context_unref (wait->context);
  g_mutex_clear (&wait->mutex);
  g_cond_clear (&wait->cond);
  g_free (wait->path);
  g_free (wait);
}

/* From the lock's side: the thread may go on waiting in flock() (nothing
 * interrupts it portably), but whatever it takes from now on it gives
 * back at once; what it took already is given back here. */
static void
lock_wait_cancel (LockWait *wait)
{
  int fd;

  g_mutex_lock (&wait->mutex);
  g_atomic_int_set (&wait->cancelled, TRUE);
  fd = wait->fd;
  wait->fd = -1;
  wait->lock = NULL;
  g_cond_signal (&wait->cond);
  g_mutex_unlock (&wait->mutex);
  if (fd >= 0)
    give_back (wait->path, fd);
}

/* In the lock's context: the lock is ours, unless it was cancelled since
 * the thread took it (and then gave it back already). */
static gboolean
lock_wait_deliver (gpointer data)
{
  LockWait *wait = data;
  QmpDomainLock *lock;

  g_mutex_lock (&wait->mutex);
  lock = wait->lock;
  if (lock == NULL || wait->fd < 0)
    {
      g_mutex_unlock (&wait->mutex);
      return G_SOURCE_REMOVE;
    }
  lock->fd = wait->fd;
  wait->fd = -1;
  g_mutex_unlock (&wait->mutex);
  g_assert (lock->wait == wait);
  lock->wait = NULL;
  lock_wait_unref (wait);
  lock->acquired (lock, lock->user_data);
  return G_SOURCE_REMOVE;
}

/* In the thread: an idle on the lock's context, not
 * g_main_context_invoke(), which would run the callback here when that
 * context is this thread's default (the global one) and nobody owns it
 * at the moment. */
static void
lock_wait_hand_over (LockWait *wait, int fd)
{
  GSource *idle;

  g_mutex_lock (&wait->mutex);
  if (g_atomic_int_get (&wait->cancelled))
    {
      g_mutex_unlock (&wait->mutex);
      give_back (wait->path, fd);
      return;
    }
  wait->fd = fd;
  g_mutex_unlock (&wait->mutex);
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, lock_wait_deliver, lock_wait_ref (wait), lock_wait_unref);
  g_source_attach (idle, wait->context);
  g_source_unref (idle);
  /* The context keeps the idle, the idle WAIT: WAIT must not keep the
   * context too, or a context dropped with the idle pending never goes. */
  g_clear_pointer (&wait->context, g_main_context_unref);
}

/* Sleeps MS, or less if cancelled meanwhile. */
static void
lock_wait_pause (LockWait *wait, guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&wait->mutex);
  while (!g_atomic_int_get (&wait->cancelled)
         && g_cond_wait_until (&wait->cond, &wait->mutex, until))
    ;
  g_mutex_unlock (&wait->mutex);
}

/* The descriptors are O_CLOEXEC: a child the application forks and execs
 * inherits none. A child forked without exec gets a copy of the one this
 * thread waits on, but not the thread: the child never waits for the
 * lock, and if this thread then takes it, the lock is the open file's,
 * which the explicit LOCK_UN of give_back() releases despite the copy.
 * The child must not use the QmpDomainLock (nor GLib's threads). */
static gpointer
lock_wait_thread (gpointer data)
{
  LockWait *wait = data;
  guint pause_ms = 0;

  while (!g_atomic_int_get (&wait->cancelled))
    {
      g_autoptr(GError) error = NULL;
      int fd = -1;
      int r = take_lock (wait->path, wait, &fd, &error);

      if (r > 0)
        {
          lock_wait_hand_over (wait, fd);
          break;
        }
      if (r < 0)
        {
          /* An error now (the directory went away) is worth another try:
           * the waiting command's timeout bounds it. */
          g_debug ("%s", error->message);
          pause_ms = pause_ms == 0 ? PAUSE_FIRST_MS : MIN (pause_ms * 2, PAUSE_MAX_MS);
          lock_wait_pause (wait, pause_ms);
        }
    }
  lock_wait_unref (wait);
  return NULL;
}

gboolean
qmp_domain_lock_try (QmpDomainLock *lock, GError **error)
{
  int fd = -1;
  int r;

  g_return_val_if_fail (lock->fd < 0 && lock->wait == NULL, FALSE);
  r = take_lock (lock->path, NULL, &fd, error);
  if (r > 0)
    lock->fd = fd;
  return r > 0;
}

gboolean
qmp_domain_lock_acquire (QmpDomainLock      *lock,
                         QmpDomainLockFunc   acquired,
                         gpointer            user_data,
                         GError            **error)
{
  g_autoptr(GError) local = NULL;
  GThread *thread;

  if (qmp_domain_lock_try (lock, &local))
    return TRUE;
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_debug ("%s is held by another process (libxl?): waiting", lock->path);
  lock->wait = lock_wait_new (lock);
  thread = g_thread_try_new ("xenqmp-lock", lock_wait_thread, lock_wait_ref (lock->wait), &local);
  if (thread == NULL)
    {
      lock_wait_unref (lock->wait);
      g_clear_pointer (&lock->wait, lock_wait_unref);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot wait for the QMP socket lock %s: %s", lock->path, local->message);
      return FALSE;
    }
  g_thread_unref (thread);
  lock->acquired = acquired;
  lock->user_data = user_data;
  return FALSE;
}

/* An administrator told "held by process 4242 (xl)" knows whom to wait
 * for. */
char *
qmp_domain_lock_describe_holder (QmpDomainLock *lock)
{
  g_autoptr(QmpProcLocks) locks = NULL;
  struct stat st;
  guint pid;
  g_autofree char *comm_path = NULL;
  g_autofree char *comm = NULL;

  if (lstat (lock->path, &st) < 0 || (locks = qmp_proc_locks_read (NULL)) == NULL)
    return NULL;
  pid = qmp_proc_locks_get_holder (locks, st.st_dev, st.st_ino);
  if (pid == 0)
    return NULL;
  comm_path = g_strdup_printf ("/proc/%u/comm", pid);
  if (g_file_get_contents (comm_path, &comm, NULL, NULL))
    {
      g_strchomp (comm);
      return g_strdup_printf ("process %u (%s)", pid, comm);
    }
  return g_strdup_printf ("process %u", pid);
}

gboolean
qmp_domain_lock_get_file_id (QmpDomainLock *lock, dev_t *dev, ino_t *ino)
{
  struct stat st;

  if (lock->fd < 0 || fstat (lock->fd, &st) < 0)
    return FALSE;
  *dev = st.st_dev;
  *ino = st.st_ino;
  return TRUE;
}

gboolean
qmp_domain_lock_has_waiter (QmpDomainLock *lock, QmpProcLocks *locks)
{
  dev_t dev;
  ino_t ino;

  return qmp_domain_lock_get_file_id (lock, &dev, &ino)
         && qmp_proc_locks_has_waiter (locks, dev, ino);
}

gboolean
qmp_domain_lock_is_waiting (QmpDomainLock *lock)
{
  return lock->wait != NULL;
}

gboolean
qmp_domain_lock_is_held (QmpDomainLock *lock)
{
  return lock->fd >= 0;
}

const char *
qmp_domain_lock_get_path (QmpDomainLock *lock)
{
  return lock->path;
}

void
qmp_domain_lock_release (QmpDomainLock *lock)
{
  if (lock->wait != NULL)
    {
      lock_wait_cancel (lock->wait);
      g_clear_pointer (&lock->wait, lock_wait_unref);
    }
  if (lock->fd < 0)
    return;
  give_back (lock->path, lock->fd);
  lock->fd = -1;
}

void
qmp_domain_lock_free (QmpDomainLock *lock)
{
  if (lock == NULL)
    return;
  qmp_domain_lock_release (lock);
  g_main_context_unref (lock->context);
  g_free (lock->path);
  g_free (lock);
}
