/* xs-hypervisor.h: what the fake xenstored asks of "the hypervisor": which
 * domains exist and in what state, and VIRQ_DOM_EXC, from a state folder
 * (--hypervisor DIR) shared with the tests' hypervisor stand-in
 *
 * The folder, a contract with tests/xen-standin (keep both in step):
 *   DIR/domains/<domid>   one file per domain the hypervisor has, lines of
 *                         key=value: uuid=..., hvm=1|0, dying=0|1,
 *                         shutdown=0|1 (missing keys: hvm=1, dying=0,
 *                         shutdown=0). No file: no such domain. Domain 0
 *                         always exists.
 *   DIR/virq-dom-exc      a FIFO: each byte written is one VIRQ_DOM_EXC.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Xen's DOMID_FIRST_RESERVED: no domain has this id or a higher one. */
#define XS_DOMID_FIRST_RESERVED 0x7FF0U

/* What xc_domain_getinfo() says of one domain. */
typedef struct {
  gboolean dying;
  gboolean shutdown;
} XsDomainInfo;

typedef struct _XsHypervisor XsHypervisor;

/* VIRQ_DOM_EXC: some domain changed state (xenstored then looks at all of
 * them). Runs from the main loop, once for the bytes read together. */
typedef void (*XsDomExcFunc) (gpointer user_data);

/* Watches DIR/virq-dom-exc (which must be a FIFO) on the thread-default
 * main context. */
XsHypervisor *xs_hypervisor_new         (const char     *dir,
                                         XsDomExcFunc    on_dom_exc,
                                         gpointer        user_data,
                                         GError        **error);
void          xs_hypervisor_free        (XsHypervisor   *hypervisor);

/* Whether DOMID exists, and its state; as xenstored's get_domain_info()
 * (xenstored_domain.c). HYPERVISOR may be NULL (no --hypervisor): then
 * every domid below XS_DOMID_FIRST_RESERVED exists and none is dying. */
gboolean      xs_hypervisor_get_domain  (XsHypervisor   *hypervisor,
                                         guint           domid,
                                         XsDomainInfo   *info);
