/* xen-qmp-host-internal.h: the host's state, shared by its own files
 * (xen-qmp-host.c, -yield.c: libxl's lock handed over; -follow.c:
 * domains' events followed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-qmp-host.h"
#include "qmp-connection.h"
#include "qmp-domain-info.h"
#include "qmp-domain-lock.h"
#include "qmp-io-context.h"
#include "qmp-schema-lru.h"
#include "qmp-xenstore.h"

typedef struct {
  guint                id;
  XenQmpEventCallback  callback;   /* NULL once removed */
  gpointer             user_data;
  GDestroyNotify       notify;
} EventHandler;

/* A domain the host has a connection to, and what gates that connection
 * on a Xen host: the device model must run, and libxl's lock be ours. */
typedef struct {
  XenQmpHost    *host;            /* not a reference */
  guint32        domid;
  QmpDomainInfo  info;            /* what xenstore said, with xenstore */
  char          *socket_path;
  QmpConnection *conn;            /* a reference, observed by the host */
  QmpDomainLock *lock;            /* held while the connection is open */
  gboolean       wait_for_dm;     /* until QEMU's socket accepts */
  guint          dm_watch;        /* QEMU's state node: a hint to try now */
  GSource       *dm_retry;        /* the next try */
  guint          dm_retry_ms;
  gint64         locked_at;       /* monotonic: when this hold began */
  GSource       *yield_retry;     /* takes the lock again after a yield */
  gint64         yielded_at;      /* monotonic: the last hand-over */
} HostDomain;

struct _XenQmpHost {
  GObject       parent_instance;

  char         *run_dir;
  char         *lib_dir;
  GMainContext *context;          /* the application's */
  QmpIoContext *io;               /* the library's, for its sources;
                                     its outbox runs event handlers */
  GHashTable   *connections;      /* domid -> HostDomain */

  XenQmpXenstoreMode xenstore_mode;
  QmpXenstore  *xs;               /* NULL: working from the run dir alone */
  GError       *xs_error;         /* why xs is NULL */
  guint         release_watch;

  QmpConnectionConfig config;

  GArray       *handlers;         /* EventHandler */
  guint         next_handler_id;
  guint         dispatching;      /* events being delivered right now */

  gboolean      disposing;        /* no new connections, commands, clients */
  QmpSchemaLru *schemas;          /* QEMU build key -> XenQmpSchema */
  guint         schema_cache_max_entries;
  gsize         schema_cache_max_bytes;

  guint         lock_hold_ms;     /* XenQmpHost:lock-hold-ms */
  guint         lock_yield_ms;    /* XenQmpHost:lock-yield-ms */
  GSource      *yield_tick;       /* looks for waiters while we hold locks */

  char         *event_socket_pattern; /* XenQmpHost:event-socket-pattern */
  GHashTable   *follows;          /* domid -> HostFollow */
};


/* xen-qmp-host.c */
void     _host_domain_try         (HostDomain *d);
/* libxl's lock is ours: check the domain, connect. May free D. */
void     _host_domain_locked      (HostDomain *d);

/* xen-qmp-host-yield.c */
#define HOST_DEFAULT_LOCK_HOLD_MS  1000
#define HOST_DEFAULT_LOCK_YIELD_MS 200
/* A hold of libxl's lock begins (the connection is about to open). */
void     _host_yield_hold_begins  (HostDomain *d);
void     _host_yield_on_suspended (HostDomain *d);
void     _host_yield_domain_free  (HostDomain *d);
void     _host_yield_dispose      (XenQmpHost *host);
void     _host_yield_config_changed (XenQmpHost *host);

/* xen-qmp-host.c: queues ::connection-closed (after what is queued). */
void     _host_emit_connection_closed (XenQmpHost   *host,
                                       guint32       domid,
                                       const GError *reason);
/* xen-qmp-host.c: queues an event (or a gap) for the host's handlers. */
void     _host_deliver_event      (XenQmpHost *host,
                                   guint32     domid,
                                   const char *name,
                                   JsonObject *data,
                                   gint64      timestamp_us);

/* xen-qmp-host-follow.c */
#define HOST_DEFAULT_EVENT_SOCKET_PATTERN "qmp-events-{name}"
void     _host_follow_init        (XenQmpHost *host);
void     _host_follow_dispose     (XenQmpHost *host);
/* Every event of a domain's QEMU, from its QMP connection or its event
 * monitor: delivered once, to the host's handlers and followers. */
void     _host_follow_route_event (XenQmpHost *host,
                                   guint32     domid,
                                   gboolean    from_monitor,
                                   const char *name,
                                   JsonObject *data,
                                   gint64      timestamp_us);
void     _host_follow_on_ready    (QmpConnection *conn,
                                   gpointer       user_data);
void     _host_follow_on_resumed  (QmpConnection *conn,
                                   gint64         since_us,
                                   gint64         until_us,
                                   gpointer       user_data);
/* The domain's QMP connection closed: following over it ends. */
void     _host_follow_on_closed   (XenQmpHost    *host,
                                   QmpConnection *conn);
