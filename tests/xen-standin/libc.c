/* libc.c: the files and limits a dom0 kernel would provide
 *
 * /proc/xen/xsd_kva and /proc/xen/xsd_port: domain 0's xenstore ring and
 * its event channel port. xenstored reads them when it sets up domain 0
 * (xenstored_posix.c: xenbus_map(), xenbus_evtchn(), called by dom0_init())
 * and cannot serve a request before; oxenstored reads the files its
 * configuration names as xenstored-kva and xenstored-port
 * (domains.ml: Domains.create0). The stand-in answers an open of either
 * with a memory file: a page of zeros, and port 1 (as the kernel prints it: no newline,
 * which oxenstored's int_of_string would refuse).
 *
 * setrlimit(): oxenstored raises its limit on open files at start-up
 * (Unixext via Process) and stops if that fails, which it does in a
 * container without CAP_SYS_RESOURCE. The limit it has is plenty for
 * tests: refusal is reported as success.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include "standin.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define XSD_KVA  "/proc/xen/xsd_kva"
#define XSD_PORT "/proc/xen/xsd_port"

/* A memory file for PATH if it is one of the two above, else -2. */
static int
open_xsd (const char *path, int flags)
{
  unsigned mfd_flags = (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0;
  int fd;

  if (strcmp (path, XSD_KVA) == 0)
    {
      fd = memfd_create ("xsd_kva", mfd_flags);
      if (fd >= 0 && ftruncate (fd, 4096) < 0)
        {
          close (fd);
          return -1;
        }
      return fd;
    }
  if (strcmp (path, XSD_PORT) == 0)
    {
      fd = memfd_create ("xsd_port", mfd_flags);
      if (fd >= 0 && (write (fd, "1", 1) != 1 || lseek (fd, 0, SEEK_SET) != 0))
        {
          close (fd);
          return -1;
        }
      return fd;
    }
  return -2;
}

typedef int (*OpenFunc) (const char *, int, ...);

static int
open_next (const char *name, const char *path, int flags, mode_t mode)
{
  OpenFunc next = (OpenFunc) dlsym (RTLD_NEXT, name);

  if (next == NULL)
    {
      errno = ENOSYS;
      return -1;
    }
  return next (path, flags, mode);
}

int
open (const char *path, int flags, ...)
{
  mode_t mode = 0;
  int fd = open_xsd (path, flags);

  if (fd != -2)
    return fd;
  if (flags & (O_CREAT | O_TMPFILE))
    {
      va_list ap;

      va_start (ap, flags);
      mode = va_arg (ap, mode_t);
      va_end (ap);
    }
  return open_next ("open", path, flags, mode);
}

/* The same call on a 64-bit system; oxenstored's OCaml runtime uses it. */
extern __typeof (open) open64 __attribute__ ((alias ("open")));

typedef int (*SetrlimitFunc) (__rlimit_resource_t, const struct rlimit *);

int
setrlimit (__rlimit_resource_t resource, const struct rlimit *rlim)
{
  SetrlimitFunc next = (SetrlimitFunc) dlsym (RTLD_NEXT, "setrlimit");

  if (next == NULL || next (resource, rlim) == 0)
    return 0;
  if (errno == EPERM)
    return 0;
  return -1;
}
