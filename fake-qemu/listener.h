/* listener.h: one fake domain: its QMP socket, one client at a time
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "fdstore.h"
#include "monitor.h"
#include "request.h"

/* How many clients may wait in the kernel's backlog. */
#define FAKE_DOMAIN_BACKLOG 8

/* A fake domain is what one QEMU process is to a Xen host: a QMP socket
 * that serves one client at a time, and the state that outlives a client
 * (run state, fdsets, named descriptors). */
typedef struct _FakeDomain FakeDomain;
typedef struct _FakeXenDm FakeXenDm;

typedef enum {
  FAKE_DISPATCH_CONTINUE,  /* let the built-in commands answer */
  FAKE_DISPATCH_HANDLED,   /* the hook answered, will answer later, or
                              swallowed the request */
} FakeDispatchResult;

/* What a script engine (or any other driver) sees of a domain. Every
 * member may be NULL. USER_DATA is the one given to
 * fake_domain_set_hooks(). */
typedef struct {
  /* Sees every request of every client of the domain before the built-in
   * commands do. It may keep references to MONITOR and REQUEST. */
  FakeDispatchResult (*dispatch)     (FakeMonitor *monitor,
                                      FakeRequest *request,
                                      gpointer     user_data);
  /* A client was accepted. TRUE: the hook greeted it (or chose not to);
   * FALSE: the monitor sends the default greeting. */
  gboolean           (*connected)    (FakeMonitor *monitor,
                                      gpointer     user_data);
  /* The client's connection is closed, by either side. */
  void               (*disconnected) (FakeMonitor *monitor,
                                      gpointer     user_data);
} FakeDomainHooks;

/* Connects a blocking unix socket to PATH (a real QEMU, for --record). */
int          fake_unix_connect             (const char          *path,
                                            GError             **error);

/* The domain is gone: "quit" was executed and its client has left. */
typedef void (*FakeDomainGoneFunc) (FakeDomain *domain,
                                    gpointer    user_data);

/* Creates the listening socket under a temporary name in the directory of
 * SOCKET_PATH; nobody can connect to SOCKET_PATH before
 * fake_domain_publish(). */
FakeDomain  *fake_domain_new               (const char          *socket_path,
                                            gboolean             offer_oob,
                                            GError             **error);

/* Renames the socket to its path (atomically replacing a stale socket
 * there), so that a client that sees the path can connect at once, and
 * starts accepting clients. */
gboolean     fake_domain_publish           (FakeDomain          *self,
                                            GError             **error);

/* Closes the client and the socket, and removes the socket's path if it
 * is still this domain's. */
void         fake_domain_free              (FakeDomain          *self);

void         fake_domain_set_gone_func     (FakeDomain          *self,
                                            FakeDomainGoneFunc   func,
                                            gpointer             user_data);
/* HOOKS is borrowed (a static table); DESTROY frees USER_DATA with the
 * domain. */
void         fake_domain_set_hooks         (FakeDomain            *self,
                                            const FakeDomainHooks *hooks,
                                            gpointer               user_data,
                                            GDestroyNotify         destroy);

const char  *fake_domain_get_path          (FakeDomain          *self);
gboolean     fake_domain_get_offer_oob     (FakeDomain          *self);
FakeFdStore *fake_domain_get_fd_store      (FakeDomain          *self);
/* The connected client, or NULL. */
FakeMonitor *fake_domain_get_monitor       (FakeDomain          *self);

/* Run state: "running" at start, "paused" after stop. */
gboolean     fake_domain_is_running        (FakeDomain          *self);
void         fake_domain_set_running       (FakeDomain          *self,
                                            gboolean             running);

/* stop/cont: sets the run state and, if it changed, emits STOP or
 * RESUME. */
void         fake_domain_change_run_state  (FakeDomain          *self,
                                            gboolean             running);

/* The state of the Xen device model this domain plays. */
FakeXenDm   *fake_domain_get_xen_dm        (FakeDomain          *self);

/* Sends an event to the client, if one is connected and has completed
 * capabilities negotiation, as QEMU does (events are not queued for later
 * clients). DATA is consumed and may be NULL. */
void         fake_domain_emit_event        (FakeDomain          *self,
                                            const char          *name,
                                            JsonObject          *data);

/* What QEMU's exit does to its socket: the path goes away, clients in the
 * backlog are refused, the client gets its last replies and is closed. */
void         fake_domain_quit              (FakeDomain          *self);
gboolean     fake_domain_is_gone           (FakeDomain          *self);

/* For monitor.c. */
FakeDispatchResult fake_domain_run_dispatch_hook (FakeDomain  *self,
                                                  FakeMonitor *monitor,
                                                  FakeRequest *request);
/* Whether a hook greeted the new client MONITOR. */
gboolean     fake_domain_run_connected_hook (FakeDomain         *self,
                                             FakeMonitor        *monitor);
void         fake_domain_client_closed     (FakeDomain          *self,
                                            FakeMonitor         *monitor);
