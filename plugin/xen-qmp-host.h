/* xen-qmp-host.h: a Xen host's domains as seen by the toolstack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "xen-qmp-macros.h"
#include "xen-qmp-schema.h"

G_BEGIN_DECLS

/**
 * XEN_QMP_DEFAULT_RUN_DIR:
 *
 * Where libxl creates the QMP sockets of its device models.
 *
 * Since: 0.1
 */
#define XEN_QMP_DEFAULT_RUN_DIR "/var/run/xen"

/**
 * XEN_QMP_DEFAULT_LIB_DIR:
 *
 * Where libxl keeps its per-domain lock files, such as the QMP socket lock.
 *
 * Since: 0.1
 */
#define XEN_QMP_DEFAULT_LIB_DIR "/var/lib/xen"

/**
 * XEN_QMP_EVENT_GAP:
 *
 * The name under which a gap in a domain's events reaches the host's
 * event handlers (and `xen-qmp --events`): events that QEMU sent between
 * `data.since` and `data.until` (each `{"seconds": …, "microseconds": …}`,
 * real time; the callback's timestamp is the end) may have been missed,
 * because the QMP socket was handed over to libxl for a while (see
 * #XenQmpHost:lock-hold-ms) and the domain has no event monitor (see
 * #XenQmpHost:event-socket-pattern). `data.reason` says why, in words.
 * QEMU's event names are upper case: it cannot send this one, and an
 * event by this name from QEMU is dropped.
 *
 * Since: 0.1
 */
#define XEN_QMP_EVENT_GAP "xen-qmp-gap"

/**
 * XenQmpXenstoreMode:
 * @XEN_QMP_XENSTORE_AUTO: use xenstore when it can be reached; otherwise
 *   work from the run dir alone and say so once (an info message and
 *   #XenQmpHost:xenstore-available).
 * @XEN_QMP_XENSTORE_REQUIRED: without xenstore, every command fails with
 *   an error saying why it cannot be reached.
 * @XEN_QMP_XENSTORE_OFF: never use xenstore: sockets from the run dir,
 *   no checks, no lock, no watches.
 *
 * Whether a #XenQmpHost uses xenstore (libxenstore's xs_open(), which
 * honours `XENSTORED_PATH`) to check domains, find stub domains' device
 * models, wait for them, take libxl's lock, and learn that domains went
 * away.
 *
 * Since: 0.1
 */
typedef enum {
  XEN_QMP_XENSTORE_AUTO,
  XEN_QMP_XENSTORE_REQUIRED,
  XEN_QMP_XENSTORE_OFF,
} XenQmpXenstoreMode;

#define XEN_QMP_TYPE_HOST (xen_qmp_host_get_type ())
XEN_QMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (XenQmpHost, xen_qmp_host, XEN_QMP, HOST, GObject)

/**
 * XenQmpEventCallback:
 * @host: the host
 * @domid: the domain whose QEMU sent the event
 * @event: the event name, such as `STOP`
 * @data: (nullable): the event's `data` member, if any
 * @timestamp_us: QEMU's timestamp in microseconds since the Unix epoch,
 *   or -1 when QEMU sent none
 * @user_data: the data given to xen_qmp_host_add_event_handler()
 *
 * Called from the host's main context for each event a domain's QEMU
 * sends while a connection to it is open.
 *
 * Events are handed over as they are read and never buffered: a QEMU
 * flooding events costs CPU time, not memory, and one read (64 KiB at
 * most) of its input is handled per main-loop iteration, so that other
 * domains are still served.
 *
 * Since: 0.1
 */
typedef void (*XenQmpEventCallback) (XenQmpHost  *host,
                                     guint32      domid,
                                     const char  *event,
                                     JsonObject  *data,
                                     gint64       timestamp_us,
                                     gpointer     user_data);

XEN_QMP_AVAILABLE_IN_ALL
XenQmpHost *xen_qmp_host_new (const char *run_dir);

XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_host_get_run_dir (XenQmpHost *host);

XEN_QMP_AVAILABLE_IN_ALL
char *xen_qmp_host_dup_socket_path (XenQmpHost *host,
                                    guint32     domid);

XEN_QMP_AVAILABLE_IN_ALL
GMainContext *xen_qmp_host_get_context (XenQmpHost *host);

XEN_QMP_AVAILABLE_IN_ALL
gboolean xen_qmp_host_get_xenstore_available (XenQmpHost *host);

XEN_QMP_AVAILABLE_IN_ALL
guint xen_qmp_host_follow_events (XenQmpHost  *host,
                                  guint32      domid,
                                  GError     **error);

XEN_QMP_AVAILABLE_IN_ALL
void  xen_qmp_host_unfollow_events (XenQmpHost *host,
                                    guint       follow_id);

XEN_QMP_AVAILABLE_IN_ALL
guint xen_qmp_host_add_event_handler (XenQmpHost          *host,
                                      XenQmpEventCallback  callback,
                                      gpointer             user_data,
                                      GDestroyNotify       notify);

XEN_QMP_AVAILABLE_IN_ALL
void xen_qmp_host_remove_event_handler (XenQmpHost *host,
                                        guint       handler_id);

XEN_QMP_AVAILABLE_IN_ALL
void          xen_qmp_host_get_schema_async  (XenQmpHost          *host,
                                              guint32              domid,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
XEN_QMP_AVAILABLE_IN_ALL
XenQmpSchema *xen_qmp_host_get_schema_finish (XenQmpHost          *host,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
