/* xen-testbed.h: a Xen host for tests, without Xen
 *
 * A test bed is a folder and a xenstore daemon: fake-xenstored, or Debian's
 * real C xenstored or oxenstored (4.17) under the hypervisor stand-in
 * (tests/xen-standin/), an LD_PRELOAD library that answers their hypervisor
 * calls from the folder. Domains are added as libxl 4.17 creates them: a
 * hypervisor state file, then the xenstore nodes libxl writes, then the
 * introduction; they die as the hypervisor reports it (VIRQ_DOM_EXC), and
 * the daemon releases them. Real `xl` runs against the same store and
 * folder.
 *
 * The folder (xen_testbed_get_dir()) is the host's run dir and lib dir:
 * libxl's /var/run/xen and /var/lib/xen for xl, run-dir and lib-dir for
 * the library; QMP sockets go there as qmp-libxl-<domid>. In it:
 *
 *   domains/<domid>  the hypervisor's domains, key=value lines:
 *                    uuid=<8-4-4-4-12 lowercase>, hvm=1|0, dying=0|1,
 *                    shutdown=0|1 (missing keys: hvm=1, dying=0,
 *                    shutdown=0; domain 0 is there without a file, uuid
 *                    all zeros). No file: no such domain.
 *   virq-dom-exc     a FIFO; a byte written to it is VIRQ_DOM_EXC. The test
 *                    bed keeps it open read-write, so writes never block.
 *   socket           the xenstore daemon's socket (XENSTORED_PATH).
 *
 * fake-xenstored's --hypervisor DIR reads the same two entries.
 *
 * One test bed at a time per process: it sets XENSTORED_PATH, which
 * libxenstore reads at xs_open(), and unsets it when freed. Children die
 * with the test process (PR_SET_PDEATHSIG).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <xenstore.h>

typedef enum {
  XEN_TESTBED_FAKE,          /* the project's fake-xenstored */
  XEN_TESTBED_XENSTORED,     /* Debian's C xenstored */
  XEN_TESTBED_OXENSTORED,    /* Debian's oxenstored, in a private mount namespace */
} XenTestbedDaemon;

typedef struct _XenTestbed XenTestbed;

typedef struct {
  guint32     domid;
  const char *name;
  const char *uuid;          /* NULL: derived from domid (xen_testbed_uuid_of()) */
  gboolean    hvm;           /* FALSE: PV */
  const char *dm_version;    /* "qemu_xen", "qemu_xen_traditional"; NULL: not written */
  guint32     stubdom;       /* the stub domain's domid; 0: none */
} XenTestbedDomain;

/* Starts DAEMON in a new folder, with domain 0 set up as xen-init-dom0
 * does. NULL with G_IO_ERROR_NOT_SUPPORTED and the reason when it cannot
 * run here (the caller g_test_skip()s with error->message); NULL with
 * another error when it fails. */
XenTestbed *xen_testbed_new             (XenTestbedDaemon   daemon,
                                         GError           **error);
void        xen_testbed_free            (XenTestbed        *tb);

const char *xen_testbed_daemon_name     (XenTestbedDaemon   daemon);
XenTestbedDaemon xen_testbed_get_daemon (XenTestbed        *tb);
const char *xen_testbed_get_socket      (XenTestbed        *tb);
const char *xen_testbed_get_dir         (XenTestbed        *tb);
/* Whether the daemon reads the hypervisor's state, so that domain deaths
 * reach it: the real daemons under the stand-in do, fake-xenstored does
 * with --hypervisor (which the test bed passes when the fake has it). */
gboolean    xen_testbed_has_hypervisor  (XenTestbed        *tb);
/* The test bed's own xenstore connection (the toolstack's, domain 0). */
struct xs_handle *xen_testbed_get_xs    (XenTestbed        *tb);

/* The uuid a domain gets when XenTestbedDomain.uuid is NULL (the same as
 * fake-xenstored's --domain). */
char       *xen_testbed_uuid_of         (guint32            domid);

/* The hypervisor state file, then the xenstore nodes as libxl 4.17 writes
 * them, then the introduction (@introduceDomain). With a stub domain, the
 * stub domain too, and its nodes as libxl_dm.c writes them. */
gboolean    xen_testbed_add_domain      (XenTestbed              *tb,
                                         const XenTestbedDomain  *dom,
                                         GError                 **error);
/* The domain is dying (state file), then VIRQ_DOM_EXC: the daemon
 * releases it (@releaseDomain). Its nodes stay, as libxl has not yet
 * destroyed it. */
gboolean    xen_testbed_kill_domain     (XenTestbed        *tb,
                                         guint32            domid,
                                         GError           **error);
/* As libxl_domain_destroy() does: the device model's and the domain's
 * nodes removed, the domain gone from the hypervisor, VIRQ_DOM_EXC. */
gboolean    xen_testbed_destroy_domain  (XenTestbed        *tb,
                                         guint32            domid,
                                         GError           **error);
/* VIRQ_DOM_EXC alone. */
gboolean    xen_testbed_fire_dom_exc    (XenTestbed        *tb,
                                         GError           **error);

/* Real xl, with the stand-in, in a private mount namespace where
 * /var/run/xen and /var/lib/xen are the test bed's folder. NULL or
 * G_IO_ERROR_NOT_SUPPORTED when xl or the namespace is not available. */
typedef struct _XenTestbedXl XenTestbedXl;

XenTestbedXl *xen_testbed_xl_start      (XenTestbed           *tb,
                                         const char * const   *args,
                                         GError              **error);
/* Whether it has exited (never blocks). */
gboolean    xen_testbed_xl_done         (XenTestbedXl         *xl);
/* Waits for it, then frees XL; OUT and ERR may be NULL. */
gboolean    xen_testbed_xl_finish       (XenTestbedXl         *xl,
                                         char                **out,
                                         char                **err,
                                         int                  *status,
                                         GError              **error);
gboolean    xen_testbed_run_xl          (XenTestbed           *tb,
                                         const char * const   *args,
                                         char                **out,
                                         char                **err,
                                         int                  *status,
                                         GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XenTestbed, xen_testbed_free)
