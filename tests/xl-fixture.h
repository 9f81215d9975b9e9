/* xl-fixture.h: one domain driven by real xl (libxl 4.17) and by us
 *
 * One domain, one real QEMU on <dir>/qmp-libxl-<domid> (optionally with
 * an event monitor on <dir>/qmp-events-<name>, as docs/event-monitor.md
 * adds it), Debian's C xenstored under the hypervisor stand-in, and a
 * XenQmpHost on the same directories.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "xenqmp.h"
#include "test-server.h"
#include "xen-testbed.h"

#define XL_DOMID 3
#define XL_DOMAIN_NAME "guest"

typedef struct {
  XenTestbed  *tb;
  TestServer  *qemu;
  XenQmpHost  *host;
  char        *lock;       /* libxl's lock file of XL_DOMID */
  char        *monitor;    /* the event monitor's socket, or NULL */
} XlFixture;

typedef struct {
  guint     calls;
  GError   *error;
  JsonNode *response;
  gint64    completed_at;
} XlResult;

/* FALSE (the test skipped) when QEMU, the daemons or xl cannot run. */
gboolean      xl_fixture_setup      (XlFixture  *f,
                                     gboolean    event_monitor);
void          xl_fixture_teardown   (XlFixture  *f);
void          xl_result_clear       (XlResult   *r);
/* xen_qmp_cmd_exec() of COMMAND on the domain, recorded into R. */
void          xl_exec_ours          (XlFixture  *f,
                                     XenQmpCmd  *cmd,
                                     XlResult   *r,
                                     const char *command);
XenTestbedXl *xl_start              (XlFixture  *f,
                                     const char * const *args);
/* `xl qemu-monitor-command <domid> HMP`. */
XenTestbedXl *xl_start_monitor_command (XlFixture  *f,
                                        const char *hmp);
/* Waits for XL while the main context runs, then checks that it
 * succeeded and printed EXPECTED_OUT; returns when it exited. */
gint64        xl_finish             (XenTestbedXl *xl,
                                     const char   *expected_out);
void          xl_assert_no_lock_file (XlFixture  *f,
                                      const char *after);
