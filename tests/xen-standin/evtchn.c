/* evtchn.c: event channels and grant tables for the xenstore daemons
 *
 * Both daemons bind VIRQ_DOM_EXC and poll the event channel's descriptor
 * (xenstored: domain_init() and the main loop's xce_pollfd_idx,
 * handle_event(); oxenstored: Event.init, Domains.init, the select loop).
 * The stand-in's descriptor is the state folder's virq-dom-exc FIFO: a
 * byte written there makes it readable, and xenevtchn_pending() then
 * reports the VIRQ's port, after which the daemons re-read every domain's
 * info and release those that are dying or gone (check_domains(),
 * Domains.cleanup). The FIFO is opened read-write so that it never reports
 * a hang-up, which xenstored treats as fatal ("xce_handle poll failed").
 *
 * Interdomain bindings (introduce_domain(), Domain.make) and notifications
 * go nowhere: no guest reads the rings.
 *
 * Grant tables: xenstored maps an introduced domain's ring with
 * xengnttab_map_grant_ref() (map_interface()); a page of zeros is a ring
 * on which the guest never writes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>

/* Port numbers: the VIRQ's first, interdomain bindings after it. */
#define VIRQ_PORT       1
#define FIRST_DOM_PORT  2

struct xenevtchn_handle {
  int           fd;
  bool          virq_bound;
  evtchn_port_t next_port;
};

static xenevtchn_handle *
handle_new (int fd)
{
  xenevtchn_handle *xce = calloc (1, sizeof *xce);

  if (xce == NULL)
    {
      close (fd);
      return NULL;
    }
  xce->fd = fd;
  xce->next_port = FIRST_DOM_PORT;
  return xce;
}

xenevtchn_handle *
xenevtchn_open (struct xentoollog_logger *logger, unsigned int flags)
{
  const char *dir = standin_dir ();
  int cloexec = (flags & XENEVTCHN_NO_CLOEXEC) ? 0 : O_CLOEXEC;
  int fd = -1;

  if (dir != NULL)
    {
      char path[4096];

      snprintf (path, sizeof path, "%s/virq-dom-exc", dir);
      fd = open (path, O_RDWR | O_NONBLOCK | cloexec);
      if (fd < 0 && errno != ENOENT)
        standin_warn ("%s: %m", path);
    }
  /* No FIFO: a descriptor that never fires. */
  if (fd < 0)
    fd = eventfd (0, EFD_NONBLOCK | (cloexec ? EFD_CLOEXEC : 0));
  if (fd < 0)
    return NULL;
  return handle_new (fd);
}

/* xenstored's live update hands the descriptor over. */
xenevtchn_handle *
xenevtchn_fdopen (struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
  return handle_new (fd);
}

int
xenevtchn_close (xenevtchn_handle *xce)
{
  if (xce == NULL)
    return 0;
  close (xce->fd);
  free (xce);
  return 0;
}

int
xenevtchn_fd (xenevtchn_handle *xce)
{
  return xce->fd;
}

int
xenevtchn_notify (xenevtchn_handle *xce, evtchn_port_t port)
{
  return 0;
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain (xenevtchn_handle *xce, uint32_t domid, evtchn_port_t remote_port)
{
  return (xenevtchn_port_or_error_t) xce->next_port++;
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq (xenevtchn_handle *xce, unsigned int virq)
{
  xce->virq_bound = true;
  return VIRQ_PORT;
}

int
xenevtchn_unbind (xenevtchn_handle *xce, evtchn_port_t port)
{
  if (port == VIRQ_PORT)
    xce->virq_bound = false;
  return 0;
}

/* One byte of the FIFO is one VIRQ_DOM_EXC. */
xenevtchn_port_or_error_t
xenevtchn_pending (xenevtchn_handle *xce)
{
  char byte;
  ssize_t n = read (xce->fd, &byte, 1);

  if (n == 1 && xce->virq_bound)
    return VIRQ_PORT;
  if (n >= 0)
    errno = EAGAIN;
  return -1;
}

int
xenevtchn_unmask (xenevtchn_handle *xce, evtchn_port_t port)
{
  return 0;
}

struct xengntdev_handle {
  unsigned unused;
};

xengnttab_handle *
xengnttab_open (struct xentoollog_logger *logger, unsigned open_flags)
{
  return calloc (1, sizeof (xengnttab_handle));
}

int
xengnttab_close (xengnttab_handle *xgt)
{
  free (xgt);
  return 0;
}

int
xengnttab_set_max_grants (xengnttab_handle *xgt, uint32_t nr_grants)
{
  return 0;
}

void *
xengnttab_map_grant_ref (xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
  void *page = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  return page == MAP_FAILED ? NULL : page;
}

int
xengnttab_unmap (xengnttab_handle *xgt, void *start_address, uint32_t count)
{
  return munmap (start_address, (size_t) count * 4096);
}
