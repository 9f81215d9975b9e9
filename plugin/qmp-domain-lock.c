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

/* One attempt: 1 held, 0 busy, -1 error. */
static int
try_lock (QmpDomainLock *lock, GError **error)
{
  for (int attempt = 0; attempt < 8; attempt++)
    {
      struct stat by_fd, by_path;
      int fd = open (lock->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

      if (fd < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot open the QMP socket lock %s: %s", lock->path,
                       g_strerror (saved));
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
      /* libxl removes the file when the domain goes: a lock on a file
       * that is no longer at the path locks nothing. */
      if (fstat (fd, &by_fd) == 0 && stat (lock->path, &by_path) == 0
          && by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino)
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
qmp_domain_lock_free (QmpDomainLock *lock)
{
  if (lock == NULL)
    return;
  if (lock->retry != NULL)
    {
      g_source_destroy (lock->retry);
      g_source_unref (lock->retry);
    }
  if (lock->fd >= 0)
    close (lock->fd);   /* releases the flock */
  g_main_context_unref (lock->context);
  g_free (lock->path);
  g_free (lock);
}
