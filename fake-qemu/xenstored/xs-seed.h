/* xs-seed.h: a Xen host's layout in the fake store (--domain, --seed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "xs-server.h"

typedef struct {
  guint  domid;
  char  *name;          /* "fake-<domid>" */
  char  *uuid;          /* derived from the domid */
  char  *dm_version;    /* "qemu_xen"; NULL: no /libxl/<domid>/dm-version */
  char  *dm_state;      /* "running"; NULL: no device-model state node */
  guint  stubdom;       /* 0: the device model runs in dom0 */
} XsDomainSpec;

/* Parses "DOMID[,name=N][,uuid=U][,dm-version=V][,dm-state=S][,stubdom=D]";
 * "none" for dm-version or dm-state leaves that node out. */
XsDomainSpec *xs_domain_spec_parse (const char    *arg,
                                    GError       **error);
void          xs_domain_spec_free  (XsDomainSpec  *spec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XsDomainSpec, xs_domain_spec_free)

/* With at least one spec, writes dom0's nodes and each domain's (and its
 * stub domain's), as libxl lays them out; refuses a domid given twice.
 * Without, writes nothing: the store stays as xenstored starts. */
gboolean      xs_seed_domains      (XsServer      *server,
                                    GPtrArray     *specs,
                                    GError       **error);

/* Applies FILE, a JSON object of absolute path → value (a string or an
 * integer written as is; null removes the node). */
gboolean      xs_seed_file         (XsServer      *server,
                                    const char    *file,
                                    GError       **error);

/* Introduces every domain that has a /local/domain/<domid> node (and
 * that the hypervisor has, with --hypervisor). */
void          xs_seed_introduce_domains (XsServer *server);
