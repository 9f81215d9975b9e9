/* xen-testbed-private.h: what the test bed's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-testbed.h"

struct _XenTestbed {
  XenTestbedDaemon   daemon;
  char              *dir;
  char              *socket;
  int                virq_fd;     /* the FIFO, held read-write */
  GPid               pid;
  struct xs_handle  *xs;
  guint              xl_runs;     /* names xl's output files */
  gboolean           hypervisor;  /* the daemon reads the state folder */
};


/* ---- xen-testbed.c: the hypervisor side, for the libxl side ---- */


/* Writes DIR/domains/<domid> (atomically: the daemons read it at any
 * time), as the hypervisor has the domain after xc_domain_create(). */
gboolean testbed_state_write  (XenTestbed  *tb,
                               guint32      domid,
                               const char  *uuid,
                               gboolean     hvm,
                               gboolean     dying,
                               GError     **error);
/* The domain is gone from the hypervisor (xc_domain_destroy()). */
gboolean testbed_state_remove (XenTestbed  *tb,
                               guint32      domid,
                               GError     **error);
/* Reads the uuid and hvm flag back; FALSE when there is no such domain. */
gboolean testbed_state_read   (XenTestbed  *tb,
                               guint32      domid,
                               char       **uuid,
                               gboolean    *hvm);

/* ---- xen-testbed-run.c: children ---- */

/* Whether private mount namespaces work here (root or CAP_SYS_ADMIN);
 * G_IO_ERROR_NOT_SUPPORTED with the reason when not. */
gboolean testbed_check_private_mounts (XenTestbed  *tb,
                                       GError     **error);
/* $XEN_TOOLS_DIR/NAME, or NULL and G_IO_ERROR_NOT_SUPPORTED. */
char    *testbed_xen_tool             (const char  *name,
                                       GError     **error);
/* Whether the stand-in is built (XEN_STANDIN_LIB). */
gboolean testbed_have_standin         (GError     **error);
/* The environment of a program under the stand-in. */
char   **testbed_standin_environ      (XenTestbed  *tb);
/* Starts ARGV (dying with the test process; in a private mount namespace
 * if PRIVATE_MOUNTS) with stdout to OUT_LOG and stderr to ERR_LOG (NULL:
 * the same file); returns its pid, or 0. */
GPid     testbed_spawn                (XenTestbed          *tb,
                                       const char * const  *argv,
                                       char               **env,
                                       gboolean             private_mounts,
                                       const char          *out_log,
                                       const char          *err_log,
                                       GError             **error);
