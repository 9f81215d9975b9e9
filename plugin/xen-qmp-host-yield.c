/* xen-qmp-host-yield.c: libxl's lock, handed over to whoever waits for it
 *
 * QEMU's qmp-libxl-<domid> socket serves one client at a time, and libxl
 * takes the domain's lock for each of its operations with a timer of its
 * own (10 s for most: libxl_domain.c, libxl_set_vcpuonline(); 40 s for a
 * CD insert). A connection kept open only for events, or by an idle
 * client, would hold that lock for as long as it lives. So, while we hold
 * a domain's lock, the host looks in /proc/locks for a process blocked
 * waiting for it (libxl waits in a forked child blocked in flock():
 * libxl_internal.c, ev_lock_prepare_fork()); when one waits, the
 * connection is suspended (qmp_connection_suspend(): what was sent is
 * answered first, what was not stays queued), the lock released, and
 * taken again after XenQmpHost:lock-yield-ms. A connection with commands
 * of ours Active keeps the lock up to XenQmpHost:lock-hold-ms while
 * someone waits. Where waiters cannot be seen (no /proc/locks), every
 * hold ends after lock-hold-ms.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-host-internal.h"

#include "qmp-context.h"
#include "qmp-proc-locks.h"

/* How often waiters are looked for: often enough that libxl waits for
 * an idle connection a fraction of lock-hold-ms. */
static guint
tick_interval_ms (XenQmpHost *host)
{
  return CLAMP (host->lock_hold_ms / 4, 10, 250);
}

static gboolean
host_domain_holds_lock (HostDomain *d)
{
  QmpConnectionState state = qmp_connection_get_state (d->conn);

  return d->lock != NULL && qmp_domain_lock_is_held (d->lock)
         && state != QMP_CONNECTION_WAITING && state != QMP_CONNECTION_CLOSED;
}

static void
yield_domain (HostDomain *d, gboolean seen_waiter)
{
  g_debug ("domain %u: %s: handing libxl's lock %s over", d->domid,
           seen_waiter ? "another process waits for it" : "held for lock-hold-ms",
           qmp_domain_lock_get_path (d->lock));
  qmp_connection_suspend (d->conn);
}

static gboolean
yield_tick_cb (gpointer user_data)
{
  XenQmpHost *host = user_data;
  g_autoptr(QmpProcLocks) locks = NULL;
  g_autoptr(GError) error = NULL;
  gboolean read_locks = FALSE;
  gboolean holding = FALSE;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  HostDomain *d;

  g_hash_table_iter_init (&iter, host->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &d))
    {
      gint64 held_ms;
      gboolean waiter;

      if (!host_domain_holds_lock (d))
        continue;
      holding = TRUE;
      if (qmp_connection_is_suspending (d->conn))
        continue;
      if (!read_locks)
        {
          read_locks = TRUE;
          locks = qmp_proc_locks_read (&error);
          if (locks == NULL)
            g_debug ("cannot see who waits for libxl's locks: %s", error->message);
        }
      held_ms = (now - d->locked_at) / 1000;
      waiter = locks != NULL ? qmp_domain_lock_has_waiter (d->lock, locks)
                             : held_ms >= host->lock_hold_ms;
      if (!waiter)
        continue;
      /* An idle connection yields at once; one with commands of ours
       * Active finishes them within lock-hold-ms. */
      if (!qmp_connection_has_active (d->conn) || held_ms >= host->lock_hold_ms)
        yield_domain (d, locks != NULL);
    }
  if (holding)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&host->yield_tick, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
start_tick (XenQmpHost *host)
{
  if (host->yield_tick != NULL || host->lock_hold_ms == G_MAXUINT)
    return;
  host->yield_tick = qmp_timeout_attach (qmp_io_context_get_main (host->io), tick_interval_ms (host), yield_tick_cb,
                                         host, "[xenqmp] libxl lock waiters");
}

void
_host_yield_hold_begins (HostDomain *d)
{
  d->locked_at = g_get_monotonic_time ();
  start_tick (d->host);
}

/* lock-hold-ms changed: the holds under way follow it at once (the
 * tick stops by itself when nothing is held). */
void
_host_yield_config_changed (XenQmpHost *host)
{
  _host_yield_dispose (host);
  start_tick (host);
}

static void schedule_yield_retry (HostDomain *d);

/* Taking the lock back. With commands Active, as any command does: the
 * wait is visible, and whoever holds the lock hands it over. Idle (a
 * client, events), with a single try, and the lock given back at once
 * if someone waits for it: a follower must not keep libxl (or another
 * process's command) waiting, nor take the lock from under it, and two
 * followers must not hand it to each other while libxl waits. An idle
 * connection kept out for STARVING_HOLDS lock-hold-ms (another
 * process's follower holds the lock, idle too) waits visibly again: the
 * socket then goes from one follower to the other at that pace, each
 * told of its gaps. */
#define STARVING_HOLDS 4

static gboolean
yield_retry_cb (gpointer user_data)
{
  HostDomain *d = user_data;
  g_autoptr(QmpProcLocks) locks = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&d->yield_retry, g_source_unref);
  /* Nobody needs it any more: closing frees D. */
  if (!qmp_connection_is_needed (d->conn))
    {
      qmp_connection_close (d->conn, NULL);
      return G_SOURCE_REMOVE;
    }
  if (qmp_connection_has_active (d->conn) || !g_file_test (d->socket_path, G_FILE_TEST_EXISTS)
      || g_get_monotonic_time () - d->yielded_at
         > (gint64) STARVING_HOLDS * d->host->lock_hold_ms * 1000)
    {
      _host_domain_try (d);
      return G_SOURCE_REMOVE;
    }
  if (!qmp_domain_lock_try (d->lock, &error))
    {
      if (error != NULL)
        _host_domain_try (d);
      else
        schedule_yield_retry (d);
      return G_SOURCE_REMOVE;
    }
  locks = qmp_proc_locks_read (NULL);
  if (locks != NULL && qmp_domain_lock_has_waiter (d->lock, locks))
    {
      qmp_domain_lock_release (d->lock);
      schedule_yield_retry (d);
      return G_SOURCE_REMOVE;
    }
  _host_domain_locked (d);
  return G_SOURCE_REMOVE;
}

static void
schedule_yield_retry (HostDomain *d)
{
  if (d->yield_retry != NULL)
    return;
  d->yield_retry = qmp_timeout_attach (qmp_io_context_get_main (d->host->io), d->host->lock_yield_ms, yield_retry_cb,
                                       d, "[xenqmp] retake libxl lock");
}

/* The connection is suspended: the lock goes, and is taken again later
 * (then waited for, visibly, as libxl waits). */
void
_host_yield_on_suspended (HostDomain *d)
{
  g_autofree char *why = NULL;

  if (d->lock == NULL)
    return;
  d->yielded_at = g_get_monotonic_time ();
  qmp_domain_lock_release (d->lock);
  why = g_strdup_printf ("libxl's lock %s was handed over to a process waiting for it; "
                         "it is taken again %u ms later", qmp_domain_lock_get_path (d->lock),
                         d->host->lock_yield_ms);
  qmp_connection_set_waiting_reason (d->conn, why);
  schedule_yield_retry (d);
}

void
_host_yield_domain_free (HostDomain *d)
{
  qmp_source_clear (&d->yield_retry);
}

void
_host_yield_dispose (XenQmpHost *host)
{
  qmp_source_clear (&host->yield_tick);
}
