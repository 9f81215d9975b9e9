/* qmp-domain-lock.c: libxl's per-domain QMP socket lock, without blocking
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-domain-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

/* A busy lock is tried again after 5 ms, then less and less often. */
#define RETRY_FIRST_MS 5
#define RETRY_MAX_MS   100

struct _QmpDomainLock {
  char              *path;
  GMainContext      *context;
  int                fd;          /* >= 0 while held */
  GSource           *retry;
  guint              retry_ms;
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

/* Whether the file at LOCK's path is still the one FD has open: libxl
 * removes it on release, so a lock on a file that is no longer at the path
 * locks nothing. lstat(): a link put there since is not our file. */
static gboolean
still_at_path (QmpDomainLock *lock, int fd)
{
  struct stat by_fd, by_path;

  return fstat (fd, &by_fd) == 0 && lstat (lock->path, &by_path) == 0
         && by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

/* The lock file lives in a directory that other users may read (and, on
 * a badly set up host, write): whoever owns the file could hold the lock
 * and stop QMP to the domain, and whatever it is (a FIFO, a device) must
 * not be something that opening or locking it would do harm to. Only a
 * regular file of root's (as libxl, run by root, makes it) or ours. */
static gboolean
check_lock_file (QmpDomainLock *lock, int fd, GError **error)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot check the QMP socket lock %s: %s", lock->path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "refusing the QMP socket lock %s: not a regular file", lock->path);
      return FALSE;
    }
  if (st.st_uid != 0 && st.st_uid != geteuid ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "refusing the QMP socket lock %s: owned by uid %u, neither root "
                   "nor this process's user (whoever owns it can hold QMP to the "
                   "domain hostage)", lock->path, (guint) st.st_uid);
      return FALSE;
    }
  return TRUE;
}

/* One attempt: 1 held, 0 busy, -1 error.
 *
 * As libxl takes it (Xen 4.17, tools/libs/light/libxl_internal.c:
 * libxl__ev_slowlock_lock(), ev_lock_prepare_fork(),
 * ev_lock_child_callback()): flock() on the file, created if missing, then
 * a check that the file at the path is the one locked, or another try.
 * Unlike libxl, which opens it O_RDWR|O_CREAT, 0666, following links: a
 * link is refused (O_NOFOLLOW: a link planted there must not make root
 * create or lock its target), a file we create has no group or world
 * access, and what is opened is checked (check_lock_file()). O_NONBLOCK:
 * opening a FIFO or device put there must not wait. libxl also checks,
 * after acquiring, that the domain still exists: so does the host, which
 * knows the domain (xen-qmp-host.c, host_domain_locked()). */
static int
try_lock (QmpDomainLock *lock, GError **error)
{
  for (int attempt = 0; attempt < 8; attempt++)
    {
      int fd = open (lock->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);

      if (fd < 0)
        {
          int saved = errno;

          if (saved == ELOOP)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                         "refusing the QMP socket lock %s: a symbolic link", lock->path);
          else
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                         "cannot open the QMP socket lock %s: %s", lock->path,
                         g_strerror (saved));
          return -1;
        }
      if (!check_lock_file (lock, fd, error))
        {
          close (fd);
          return -1;
        }
      if (flock (fd, LOCK_EX | LOCK_NB) < 0)
        {
          int saved = errno;

          close (fd);
          if (saved == EWOULDBLOCK || saved == EINTR)
            return 0;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot lock %s: %s", lock->path, g_strerror (saved));
          return -1;
        }
      if (still_at_path (lock, fd))
        {
          lock->fd = fd;
          return 1;
        }
      close (fd);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "the QMP socket lock %s keeps being replaced", lock->path);
  return -1;
}

static gboolean retry_cb (gpointer user_data);

static void
schedule_retry (QmpDomainLock *lock)
{
  lock->retry_ms = lock->retry_ms == 0 ? RETRY_FIRST_MS : MIN (lock->retry_ms * 2, RETRY_MAX_MS);
  lock->retry = g_timeout_source_new (lock->retry_ms);
  g_source_set_callback (lock->retry, retry_cb, lock, NULL);
  g_source_attach (lock->retry, lock->context);
}

static gboolean
retry_cb (gpointer user_data)
{
  QmpDomainLock *lock = user_data;
  g_autoptr(GError) error = NULL;
  int r;

  g_clear_pointer (&lock->retry, g_source_unref);
  r = try_lock (lock, &error);
  if (r == 0 || r < 0)
    {
      /* An error now (the directory went away) is worth another try: the
       * waiting command's timeout bounds it. */
      if (r < 0)
        g_debug ("%s", error->message);
      schedule_retry (lock);
      return G_SOURCE_REMOVE;
    }
  lock->acquired (lock, lock->user_data);
  return G_SOURCE_REMOVE;
}

gboolean
qmp_domain_lock_acquire (QmpDomainLock      *lock,
                         QmpDomainLockFunc   acquired,
                         gpointer            user_data,
                         GError            **error)
{
  int r;

  g_return_val_if_fail (lock->fd < 0 && lock->retry == NULL, FALSE);
  r = try_lock (lock, error);
  if (r != 0)
    return r > 0;
  g_debug ("%s is held by another process (libxl?): waiting", lock->path);
  lock->acquired = acquired;
  lock->user_data = user_data;
  schedule_retry (lock);
  return FALSE;
}

/* /proc/locks names the process holding a flock(): "1: FLOCK  ADVISORY
 * WRITE <pid> <major>:<minor>:<inode> 0 EOF" (waiters' lines carry
 * "->"). An administrator told "held by process 4242 (xl)" knows whom to
 * wait for. */
char *
qmp_domain_lock_describe_holder (QmpDomainLock *lock)
{
  g_autofree char *locks = NULL;
  g_auto(GStrv) lines = NULL;
  struct stat st;
  g_autofree char *key = NULL;

  if (lstat (lock->path, &st) < 0
      || !g_file_get_contents ("/proc/locks", &locks, NULL, NULL))
    return NULL;
  key = g_strdup_printf ("%02x:%02x:%lu", major (st.st_dev), minor (st.st_dev),
                         (unsigned long) st.st_ino);
  lines = g_strsplit (locks, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (lines[i], " ", -1);
      const char *words[6];
      guint n = 0;

      for (guint j = 0; f[j] != NULL && n < G_N_ELEMENTS (words); j++)
        if (*f[j] != '\0')
          words[n++] = f[j];
      /* "N:" FLOCK ADVISORY WRITE PID DEV:INODE */
      if (n == 6 && strcmp (words[1], "FLOCK") == 0 && strcmp (words[5], key) == 0)
        {
          guint64 pid;
          g_autofree char *comm_path = NULL;
          g_autofree char *comm = NULL;

          if (!g_ascii_string_to_unsigned (words[4], 10, 1, G_MAXINT, &pid, NULL))
            return NULL;
          comm_path = g_strdup_printf ("/proc/%" G_GUINT64_FORMAT "/comm", pid);
          if (g_file_get_contents (comm_path, &comm, NULL, NULL))
            {
              g_strchomp (comm);
              return g_strdup_printf ("process %" G_GUINT64_FORMAT " (%s)", pid, comm);
            }
          return g_strdup_printf ("process %" G_GUINT64_FORMAT, pid);
        }
    }
  return NULL;
}

gboolean
qmp_domain_lock_is_waiting (QmpDomainLock *lock)
{
  return lock->retry != NULL;
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
  if (lock->retry != NULL)
    {
      g_source_destroy (lock->retry);
      g_clear_pointer (&lock->retry, g_source_unref);
    }
  lock->retry_ms = 0;
  if (lock->fd < 0)
    return;
  /* As libxl__ev_slowlock_unlock() does: remove the file, then unlock. In
   * that order, a process that opened the file meanwhile and then gets the
   * lock finds that it is no longer at the path, and tries again. Only our
   * file: one that replaced it is not ours to remove. The explicit unlock
   * (not only close()) is for a copy of the descriptor that a fork() of
   * the application may hold, which would otherwise keep the lock. */
  if (still_at_path (lock, lock->fd))
    unlink (lock->path);
  flock (lock->fd, LOCK_UN);
  close (lock->fd);
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
