/* xenctrl.c: the libxenctrl calls the daemons and libxl make
 *
 * The real xc_interface_open() opens /dev/xen/privcmd and fails without
 * Xen; every other call here would then issue a hypercall through that
 * handle. The stand-in hands out a handle of its own and answers, from the
 * state folder, the calls these programs make:
 *
 *  - xenstored (tools/xenstore/xenstored_domain.c): xc_interface_open() in
 *    domain_init(), xc_domain_getinfo() in get_domain_info() for
 *    check_domains(), which VIRQ_DOM_EXC triggers;
 *  - oxenstored (tools/ocaml/xenstored/domains.ml): Xenctrl.interface_open
 *    at start-up, Xenctrl.domain_getinfo (xc_domain_getinfolist()) in
 *    Domains.cleanup, Xenctrl.map_foreign_range (xc_map_foreign_range())
 *    in Domains.create for an introduced domain's ring, and
 *    xc_get_last_error() when a domain is gone (failwith_xc());
 *  - libxl (tools/libs/light/libxl.c, libxl_domain.c): libxl_ctx_alloc()
 *    opens the interface, libxl_list_domain() and libxl_domain_info() call
 *    xc_domain_getinfolist(), libxl_get_version_info() xc_version(),
 *    libxl_get_physinfo() xc_physinfo().
 *
 * A program that calls any other xc_* function with the stand-in's handle
 * would crash in the real libxenctrl: add the call here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include "standin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xen/version.h>

/* Sizes that look like a small guest: 128 MiB, one vcpu online of two
 * (so that xl vcpu-set has one to add). */
#define GUEST_PAGES 32768u

struct xc_interface_core {
  unsigned magic;
};

#define HANDLE_MAGIC 0x78656e73u  /* "xens" */

xc_interface *
xc_interface_open (xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                   unsigned open_flags)
{
  xc_interface *xch = calloc (1, sizeof *xch);

  if (xch != NULL)
    xch->magic = HANDLE_MAGIC;
  return xch;
}

int
xc_interface_close (xc_interface *xch)
{
  free (xch);
  return 0;
}

/* libxenctrl keeps the last error in the handle, which is ours: the
 * stand-in's failures are "no such domain", told through errno. */
static xc_error no_error = { XC_ERROR_NONE, "" };

const xc_error *
xc_get_last_error (xc_interface *xch)
{
  return &no_error;
}

void
xc_clear_last_error (xc_interface *xch)
{
}

static void
fill_dominfo (const StandinDomain *dom, xc_dominfo_t *i)
{
  memset (i, 0, sizeof *i);
  i->domid = dom->domid;
  i->dying = dom->dying;
  i->shutdown = dom->shutdown;
  i->running = !dom->dying && !dom->shutdown;
  i->hvm = dom->hvm;
  i->hap = dom->hvm;
  i->nr_pages = GUEST_PAGES;
  i->max_memkb = GUEST_PAGES * 4;
  i->nr_online_vcpus = 1;
  i->max_vcpu_id = 1;
  memcpy (i->handle, dom->uuid, sizeof i->handle);
}

static void
fill_domaininfo (const StandinDomain *dom, xc_domaininfo_t *i)
{
  memset (i, 0, sizeof *i);
  i->domain = (domid_t) dom->domid;
  i->flags = (dom->dying ? XEN_DOMINF_dying : 0)
             | (dom->shutdown ? XEN_DOMINF_shutdown : 0)
             | (dom->hvm ? XEN_DOMINF_hvm_guest | XEN_DOMINF_hap : 0)
             | (!dom->dying && !dom->shutdown ? XEN_DOMINF_running : 0);
  i->tot_pages = GUEST_PAGES;
  i->max_pages = GUEST_PAGES;
  i->nr_online_vcpus = 1;
  i->max_vcpu_id = 1;
  memcpy (i->handle, dom->uuid, sizeof i->handle);
}

/* Both calls list the domains from FIRST up, as the hypervisor does. */
int
xc_domain_getinfo (xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
                   xc_dominfo_t *info)
{
  unsigned n = 0;
  StandinDomain dom;

  for (; n < max_doms && standin_next_domain (first_domid, &dom); first_domid = dom.domid + 1)
    fill_dominfo (&dom, &info[n++]);
  return (int) n;
}

int
xc_domain_getinfolist (xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
                       xc_domaininfo_t *info)
{
  unsigned n = 0;
  StandinDomain dom;

  for (; n < max_domains && standin_next_domain (first_domain, &dom); first_domain = dom.domid + 1)
    fill_domaininfo (&dom, &info[n++]);
  return (int) n;
}

/* Xen 4.17, as Debian 12 ships it. */
int
xc_version (xc_interface *xch, int cmd, void *arg)
{
  switch (cmd)
    {
    case XENVER_version:
      return (4 << 16) | 17;
    case XENVER_extraversion:
      strcpy (arg, ".7");
      return 0;
    case XENVER_compile_info:
      memset (arg, 0, sizeof (xen_compile_info_t));
      return 0;
    case XENVER_capabilities:
      strcpy (arg, "xen-3.0-x86_64 hvm-3.0-x86_64");
      return 0;
    case XENVER_changeset:
      strcpy (arg, "libxenqmp test stand-in");
      return 0;
    case XENVER_commandline:
      memset (arg, 0, sizeof (xen_commandline_t));
      return 0;
    case XENVER_platform_parameters:
      memset (arg, 0, sizeof (xen_platform_parameters_t));
      return 0;
    case XENVER_pagesize:
      return 4096;
    case XENVER_get_features:
      ((xen_feature_info_t *) arg)->submap = 0;
      return 0;
    default:
      errno = ENOSYS;
      return -1;
    }
}

int
xc_physinfo (xc_interface *xch, xc_physinfo_t *info)
{
  memset (info, 0, sizeof *info);
  info->threads_per_core = 1;
  info->cores_per_socket = 2;
  info->nr_cpus = 2;
  info->max_cpu_id = 1;
  info->nr_nodes = 1;
  info->max_node_id = 0;
  info->cpu_khz = 2000000;
  info->total_pages = 1u << 20;
  info->free_pages = 1u << 19;
  info->capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_pv;
  return 0;
}

/* An introduced domain's xenstore ring: a page of zeros is a ring on
 * which the guest never writes. */
void *
xc_map_foreign_range (xc_interface *xch, uint32_t dom, int size, int prot,
                      unsigned long mfn)
{
  void *page = mmap (NULL, (size_t) size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  return page == MAP_FAILED ? NULL : page;
}

/* libxl__xcinfo2xlinfo() asks for every domain's security label; a
 * hypervisor without FLASK answers ENOSYS and libxl leaves it empty. */
int
xc_flask_sid_to_context (xc_interface *xch, int sid, char *buf, uint32_t size)
{
  errno = ENOSYS;
  return -1;
}
