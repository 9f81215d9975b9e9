/* monitor.h: one client session on a fake domain's QMP socket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "request.h"

typedef struct _FakeDomain FakeDomain;
typedef struct _FakeMonitor FakeMonitor;

/* How much output a client may leave unread: past that, the next
 * message drops the client instead of growing the queue. */
#define FAKE_MONITOR_OUTPUT_MAX (64u << 20)

/* How long a monitor that is closing (after quit) waits for its client to
 * read the last replies. */
#define FAKE_MONITOR_CLOSE_GRACE_SECONDS 5

/* Takes FD (a connected, non-blocking socket). Nothing happens until
 * fake_monitor_start(). NAME is used in logs. */
FakeMonitor *fake_monitor_new            (FakeDomain   *domain,
                                          int           fd,
                                          const char   *name);
/* Sends the greeting and starts reading. */
void         fake_monitor_start          (FakeMonitor  *self);

FakeMonitor *fake_monitor_ref            (FakeMonitor  *self);
void         fake_monitor_unref          (FakeMonitor  *self);

const char  *fake_monitor_get_name       (FakeMonitor  *self);
/* NULL once the monitor is closed. */
FakeDomain  *fake_monitor_get_domain     (FakeMonitor  *self);

/* Capabilities negotiation: done (qmp_capabilities succeeded), and
 * whether it enabled "oob". */
gboolean     fake_monitor_is_negotiated  (FakeMonitor  *self);
gboolean     fake_monitor_oob_enabled    (FakeMonitor  *self);
void         fake_monitor_set_negotiated (FakeMonitor  *self,
                                          gboolean      oob);

/* Where every request goes: the domain's dispatch hook first (a script
 * may answer, delay, swallow, or send something else), then the built-in
 * commands of an idle QEMU. */
void         fake_monitor_dispatch       (FakeMonitor  *self,
                                          FakeRequest  *request);

/* Sends MESSAGE as QEMU writes it, followed by "\r\n". */
void         fake_monitor_send           (FakeMonitor  *self,
                                          JsonNode     *message);
/* Sends bytes as they are: malformed or hostile output. */
void         fake_monitor_send_raw       (FakeMonitor  *self,
                                          const void   *data,
                                          gsize         len);
/* Sends bytes as they are, with N_FDS descriptors (taken: closed once
 * sent, or with the connection) on their byte FDS_AT (the bytes before it
 * go out first, on their own): a device model that passes descriptors to
 * a toolstack that never asked for any. */
void         fake_monitor_send_raw_with_fds (FakeMonitor *self,
                                             const void  *data,
                                             gsize        len,
                                             int         *fds,
                                             guint        n_fds,
                                             gsize        fds_at);
/* {"return": VALUE (consumed)} with the request's id. */
void         fake_monitor_reply          (FakeMonitor  *self,
                                          FakeRequest  *request,
                                          JsonNode     *value);
/* {"error": ...} with the request's id. */
void         fake_monitor_reply_error    (FakeMonitor  *self,
                                          FakeRequest  *request,
                                          const GError *error);

/* Closes the connection now (what is queued is lost). */
void         fake_monitor_close          (FakeMonitor  *self);
/* Stops reading, and closes once what is queued has been written (or
 * after FAKE_MONITOR_CLOSE_GRACE_SECONDS). */
void         fake_monitor_close_after_output (FakeMonitor *self);
gboolean     fake_monitor_is_closed      (FakeMonitor  *self);
/* Reads nothing more: what the client sends stays in the socket, and
 * its writes block once the socket's buffer is full. The client closing
 * is still noticed. */
void         fake_monitor_stop_reading   (FakeMonitor  *self);
/* The connection will be closed with SO_LINGER 0: with input left
 * unread (after fake_monitor_stop_reading()), the client's next read
 * fails with ECONNRESET, as when QEMU dies. */
void         fake_monitor_set_reset_on_close (FakeMonitor *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeMonitor, fake_monitor_unref)
