/* xen-qmp-host-follow.c: following a domain's events, without holding
 * libxl's lock where that can be helped
 *
 * QEMU sends every event to every QMP monitor in command mode, and libxl
 * uses only qmp-libxl-<domid>. A domain started with a monitor of its own
 * for event followers (docs/event-monitor.md: a -chardev/-mon pair in
 * xl.cfg's device_model_args_hvm) is followed there, with no lock: its
 * path is XenQmpHost:event-socket-pattern expanded for the domain. Other
 * domains are followed over qmp-libxl-<domid>, whose connection hands the
 * socket over to libxl when it waits (xen-qmp-host-yield.c): each such
 * hand-over is a gap in which events may have been missed, and followers
 * are told of it.
 *
 * Both sources may be open at once (a client holds the QMP connection
 * for its commands): each event is then delivered once, from the
 * monitor once it is ready; events the monitor repeats from before the
 * switch (QEMU timestamps them) are dropped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-host-internal.h"
#include "xen-qmp-host-private.h"

#include <string.h>

#include "qmp-context.h"

typedef struct {
  guint                     id;
  const XenQmpHostFollower *funcs;
  gpointer                  user_data;
} Follower;

typedef struct {
  XenQmpHost    *host;            /* not a reference */
  guint32        domid;
  GArray        *followers;       /* Follower */
  QmpConnection *monitor;         /* the domain's event monitor, or NULL */
  QmpConnection *conn;            /* qmp-libxl-<domid>, held, or NULL */
  GSource       *monitor_timeout; /* until the monitor's greeting */
  gint64         last_conn_event_us; /* the last event taken from CONN */
  gint64         drop_until_us;   /* monitor events up to this were delivered */
  gint64         gap_since_us;    /* events may be missed since; 0: none */
} HostFollow;

static guint next_follower_id = 1;

static const QmpConnectionCallbacks monitor_callbacks;

static void
follow_free (HostFollow *f)
{
  qmp_source_clear (&f->monitor_timeout);
  if (f->monitor != NULL)
    {
      qmp_connection_remove_observer (f->monitor, &monitor_callbacks, f);
      qmp_connection_close (f->monitor, NULL);
      g_clear_pointer (&f->monitor, qmp_connection_unref);
    }
  if (f->conn != NULL)
    {
      qmp_connection_release (f->conn);
      g_clear_pointer (&f->conn, qmp_connection_unref);
    }
  g_array_unref (f->followers);
  g_free (f);
}

void
_host_follow_init (XenQmpHost *host)
{
  host->follows = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) follow_free);
}

void
_host_follow_dispose (XenQmpHost *host)
{
  g_hash_table_remove_all (host->follows);
}

static gboolean
monitor_ready (HostFollow *f)
{
  return f->monitor != NULL && qmp_connection_get_state (f->monitor) == QMP_CONNECTION_READY;
}

static JsonObject *
timestamp_object (gint64 us)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "seconds", us / G_USEC_PER_SEC);
  json_object_set_int_member (o, "microseconds", us % G_USEC_PER_SEC);
  return o;
}

gint64
_xen_qmp_gap_get_since (JsonObject *data)
{
  JsonObject *since = data != NULL ? json_object_get_object_member (data, "since") : NULL;

  if (since == NULL)
    return 0;
  return json_object_get_int_member (since, "seconds") * G_USEC_PER_SEC
         + json_object_get_int_member (since, "microseconds");
}

JsonObject *
_xen_qmp_gap_data_new (gint64 since_us, gint64 until_us, const char *reason)
{
  JsonObject *data = json_object_new ();

  json_object_set_object_member (data, "since", timestamp_object (since_us));
  json_object_set_object_member (data, "until", timestamp_object (until_us));
  json_object_set_string_member (data, "reason", reason);
  return data;
}

/* Tells the followers and the host's handlers (and ::event-gap). */
static void
deliver_gap (XenQmpHost *host, guint32 domid, gint64 since_us, gint64 until_us,
             const char *reason)
{
  HostFollow *f = g_hash_table_lookup (host->follows, GUINT_TO_POINTER (domid));
  g_autoptr(JsonObject) data = _xen_qmp_gap_data_new (since_us, until_us, reason);

  g_debug ("domain %u: events may have been missed for %" G_GINT64_FORMAT " ms: %s",
           domid, (until_us - since_us) / 1000, reason);
  if (f != NULL)
    {
      g_autoptr(GArray) snapshot = g_array_copy (f->followers);

      for (guint i = 0; i < snapshot->len; i++)
        {
          Follower *fl = &g_array_index (snapshot, Follower, i);

          fl->funcs->gap (since_us, until_us, reason, fl->user_data);
        }
    }
  _host_deliver_event (host, domid, XEN_QMP_EVENT_GAP, data, until_us);
}

void
_host_follow_route_event (XenQmpHost *host,
                          guint32     domid,
                          gboolean    from_monitor,
                          const char *name,
                          JsonObject *data,
                          gint64      timestamp_us)
{
  HostFollow *f = g_hash_table_lookup (host->follows, GUINT_TO_POINTER (domid));

  if (strcmp (name, XEN_QMP_EVENT_GAP) == 0)
    {
      g_debug ("domain %u: QEMU sent an event named %s: dropped", domid, name);
      return;
    }
  if (f != NULL)
    {
      g_autoptr(GArray) snapshot = NULL;

      if (from_monitor)
        {
          if (f->drop_until_us != 0 && timestamp_us >= 0 && timestamp_us <= f->drop_until_us)
            return;
          f->drop_until_us = 0;
        }
      else if (monitor_ready (f))
        return;
      else
        f->last_conn_event_us = timestamp_us;
      snapshot = g_array_copy (f->followers);
      for (guint i = 0; i < snapshot->len; i++)
        {
          Follower *fl = &g_array_index (snapshot, Follower, i);

          fl->funcs->event (name, data, timestamp_us, fl->user_data);
        }
    }
  _host_deliver_event (host, domid, name, data, timestamp_us);
}

#define MONITOR_CLOSED "the domain's event monitor closed; events come over its QMP socket now"

/* A gap that was open ends: events flow again. */
static void
follow_gap_ends (HostFollow *f, const char *reason)
{
  gint64 since = f->gap_since_us;

  if (since == 0)
    return;
  f->gap_since_us = 0;
  deliver_gap (f->host, f->domid, since, g_get_real_time (), reason);
}

void
_host_follow_on_ready (QmpConnection *conn, gpointer user_data)
{
  XenQmpHost *host = user_data;
  HostFollow *f = g_hash_table_lookup (host->follows,
                                       GUINT_TO_POINTER ((guint32) qmp_connection_get_tag (conn)));

  if (f != NULL && !monitor_ready (f))
    follow_gap_ends (f, MONITOR_CLOSED);
}

void
_host_follow_on_resumed (QmpConnection *conn,
                         gint64         since_us,
                         gint64         until_us,
                         gpointer       user_data)
{
  XenQmpHost *host = user_data;
  guint32 domid = (guint32) qmp_connection_get_tag (conn);
  HostFollow *f = g_hash_table_lookup (host->follows, GUINT_TO_POINTER (domid));

  /* The monitor saw them all. */
  if (f != NULL && monitor_ready (f))
    return;
  deliver_gap (host, domid, since_us, until_us,
               "the QMP socket was handed over to libxl, which waited for its lock, "
               "and the domain has no event monitor");
}

void
_host_follow_on_closed (XenQmpHost *host, QmpConnection *conn)
{
  guint32 domid = (guint32) qmp_connection_get_tag (conn);
  HostFollow *f = g_hash_table_lookup (host->follows, GUINT_TO_POINTER (domid));

  if (f != NULL && f->conn == conn && f->monitor == NULL)
    g_hash_table_remove (host->follows, GUINT_TO_POINTER (domid));
}

/* ---- the event monitor ---------------------------------------------- */

/* Names go into a path: what libxl accepts as a name may not be a file
 * name, and xenstore's copy is not to be trusted further than that. */
static gboolean
is_plain_file_name (const char *text)
{
  if (text == NULL || *text == '\0' || *text == '.' || strlen (text) > 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* The pattern with {domid}, {name} and {uuid} replaced, relative to the
 * run directory; NULL when the domain has no such monitor to look for. */
static char *
monitor_path (XenQmpHost *host, guint32 domid, GError **error)
{
  g_auto(QmpDomainInfo) info = { 0 };
  g_autoptr(GString) path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *name_path = NULL;
  const char *p;

  if (host->event_socket_pattern == NULL || *host->event_socket_pattern == '\0'
      || host->xs == NULL)
    return NULL;
  if (!qmp_domain_info_read (host->xs, domid, &info, error))
    return NULL;
  /* A stub domain's QEMU makes its sockets inside the stub domain. */
  if (info.stub_domid != 0)
    return NULL;
  name_path = g_strdup_printf ("/local/domain/%u/name", domid);
  name = qmp_xenstore_read (host->xs, name_path, NULL);
  path = g_string_new (NULL);
  for (p = host->event_socket_pattern; *p != '\0'; p++)
    {
      if (g_str_has_prefix (p, "{domid}"))
        {
          g_string_append_printf (path, "%u", domid);
          p += strlen ("{domid}") - 1;
        }
      else if (g_str_has_prefix (p, "{uuid}"))
        {
          g_string_append (path, info.uuid);
          p += strlen ("{uuid}") - 1;
        }
      else if (g_str_has_prefix (p, "{name}"))
        {
          if (!is_plain_file_name (name))
            {
              g_debug ("domain %u: no event monitor: its name is not a plain file name", domid);
              return NULL;
            }
          g_string_append (path, name);
          p += strlen ("{name}") - 1;
        }
      else
        g_string_append_c (path, *p);
    }
  if (!g_path_is_absolute (path->str))
    return g_build_filename (host->run_dir, path->str, NULL);
  return g_string_free (g_steal_pointer (&path), FALSE);
}

static gboolean follow_use_connection (HostFollow *f, GError **error);

static void
on_monitor_ready (QmpConnection *conn, gpointer user_data)
{
  HostFollow *f = user_data;

  qmp_source_clear (&f->monitor_timeout);
  /* What the QMP connection delivered before, the monitor may repeat. */
  f->drop_until_us = f->last_conn_event_us;
  g_debug ("domain %u: following events on %s", f->domid, qmp_connection_get_peer (conn));
  follow_gap_ends (f, "the domain's event monitor was not ready");
}

static void
on_monitor_event (QmpConnection *conn, const char *name, JsonObject *data,
                  gint64 timestamp_us, gpointer user_data)
{
  HostFollow *f = user_data;

  _host_follow_route_event (f->host, f->domid, TRUE, name, data, timestamp_us);
}

static void
on_monitor_closed (QmpConnection *conn, const GError *reason, gpointer user_data)
{
  HostFollow *f = user_data;
  g_autoptr(GError) error = NULL;
  gboolean was_ready = qmp_connection_get_greeting (conn) != NULL;
  guint32 domid = f->domid;
  XenQmpHost *host = f->host;

  qmp_source_clear (&f->monitor_timeout);
  qmp_connection_remove_observer (conn, &monitor_callbacks, f);
  qmp_connection_release (conn);
  g_clear_pointer (&f->monitor, qmp_connection_unref);
  if (host->disposing)
    return;
  g_debug ("domain %u: event monitor closed%s%s", domid,
           reason != NULL ? ": " : "", reason != NULL ? reason->message : "");
  /* Events go on over the QMP connection: those in between may be lost. */
  if (was_ready && f->gap_since_us == 0)
    f->gap_since_us = g_get_real_time ();
  /* The domain's QEMU is gone (or its socket with it): following ends,
   * as it does when the QMP connection closes. */
  if (!follow_use_connection (f, &error))
    {
      g_hash_table_remove (host->follows, GUINT_TO_POINTER (domid));
      _host_emit_connection_closed (host, domid, reason != NULL ? reason : error);
    }
}

static const QmpConnectionCallbacks monitor_callbacks = {
  .ready = on_monitor_ready,
  .event = on_monitor_event,
  .closed = on_monitor_closed,
};

/* A monitor serves one client at a time too: another process may be
 * following this domain there. */
#define MONITOR_GREETING_MS 2000

static gboolean
on_monitor_timeout (gpointer user_data)
{
  HostFollow *f = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->monitor_timeout, g_source_unref);
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s: no greeting within %u ms (another process follows "
                       "the domain's events there?)", qmp_connection_get_peer (f->monitor),
                       MONITOR_GREETING_MS);
  qmp_connection_close (f->monitor, error);
  return G_SOURCE_REMOVE;
}

static gboolean
follow_use_monitor (HostFollow *f)
{
  XenQmpHost *host = f->host;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = monitor_path (host, f->domid, &error);
  g_autofree char *peer = NULL;
  QmpConnectionConfig config;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return FALSE;
  peer = g_strdup_printf ("domain %u (event monitor %s)", f->domid, path);
  config = host->config;
  config.idle_timeout_ms = G_MAXUINT;
  f->monitor = qmp_connection_new (path, peer, host->context, &config);
  qmp_connection_set_tag (f->monitor, f->domid);
  if (!qmp_connection_open (f->monitor, &error))
    {
      g_debug ("%s: following events over the QMP socket instead", error->message);
      g_clear_pointer (&f->monitor, qmp_connection_unref);
      return FALSE;
    }
  /* From now on a failure closes it, and on_monitor_closed() falls back. */
  qmp_connection_hold (f->monitor);
  qmp_connection_add_observer (f->monitor, &monitor_callbacks, f);
  f->monitor_timeout = qmp_timeout_attach (qmp_io_context_get_main (host->io), MONITOR_GREETING_MS, on_monitor_timeout,
                                           f, "[xenqmp] event monitor greeting");
  return TRUE;
}

static gboolean
follow_use_connection (HostFollow *f, GError **error)
{
  QmpConnection *conn;

  if (f->conn != NULL && qmp_connection_get_state (f->conn) != QMP_CONNECTION_CLOSED)
    return TRUE;
  g_clear_pointer (&f->conn, qmp_connection_unref);
  conn = _xen_qmp_host_connect (f->host, f->domid, FALSE, error);
  if (conn == NULL)
    return FALSE;
  f->conn = qmp_connection_ref (conn);
  qmp_connection_hold (conn);
  if (qmp_connection_get_state (conn) == QMP_CONNECTION_READY)
    follow_gap_ends (f, MONITOR_CLOSED);
  return TRUE;
}

guint
_xen_qmp_host_follow (XenQmpHost               *host,
                      guint32                   domid,
                      const XenQmpHostFollower *funcs,
                      gpointer                  user_data,
                      GError                  **error)
{
  HostFollow *f = g_hash_table_lookup (host->follows, GUINT_TO_POINTER (domid));
  Follower fl = { next_follower_id++, funcs, user_data };

  if (f == NULL)
    {
      f = g_new0 (HostFollow, 1);
      f->host = host;
      f->domid = domid;
      f->followers = g_array_new (FALSE, FALSE, sizeof (Follower));
      g_hash_table_insert (host->follows, GUINT_TO_POINTER (domid), f);
      if (!follow_use_monitor (f) && !follow_use_connection (f, error))
        {
          g_hash_table_remove (host->follows, GUINT_TO_POINTER (domid));
          return 0;
        }
    }
  g_array_append_val (f->followers, fl);
  return fl.id;
}

void
_xen_qmp_host_unfollow (XenQmpHost *host, guint id)
{
  GHashTableIter iter;
  HostFollow *f;

  g_hash_table_iter_init (&iter, host->follows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &f))
    for (guint i = 0; i < f->followers->len; i++)
      if (g_array_index (f->followers, Follower, i).id == id)
        {
          g_array_remove_index (f->followers, i);
          if (f->followers->len == 0)
            g_hash_table_iter_remove (&iter);
          return;
        }
}

static void
ignore_event (const char *name, JsonObject *data, gint64 timestamp_us, gpointer user_data)
{
}

static void
ignore_gap (gint64 since_us, gint64 until_us, const char *reason, gpointer user_data)
{
}

/* The host's own handlers are told of everything routed: a follower
 * from the command API needs no callbacks of its own. */
static const XenQmpHostFollower handlers_only = { ignore_event, ignore_gap };

/**
 * xen_qmp_host_follow_events:
 * @host: a host
 * @domid: the domain
 * @error: return location for a #GError
 *
 * Keeps the events of @domid's QEMU coming to the host's event handlers
 * (xen_qmp_host_add_event_handler()) without any command Active, until
 * xen_qmp_host_unfollow_events().
 *
 * Where the domain has an event monitor (a QMP socket at
 * #XenQmpHost:event-socket-pattern, see the README's "On a Xen host"),
 * events come from there: libxl's lock is not needed and nothing is
 * missed. Otherwise they come over `qmp-libxl-<domid>`, which is handed
 * over to libxl whenever it waits for its lock (#XenQmpHost:lock-hold-ms):
 * each hand-over is reported to the handlers as a %XEN_QMP_EVENT_GAP
 * event, and as #XenQmpHost::event-gap.
 *
 * Following ends when the domain's connection closes (its QEMU is gone:
 * #XenQmpHost::connection-closed); calling this again follows anew.
 *
 * Returns: an id for xen_qmp_host_unfollow_events(), or 0 with @error set
 *   (no such domain, no QMP socket)
 *
 * Since: 0.1
 */
guint
xen_qmp_host_follow_events (XenQmpHost *host, guint32 domid, GError **error)
{
  g_return_val_if_fail (XEN_QMP_IS_HOST (host), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);
  QMP_CHECK_THREAD (host->context, "XenQmpHost", 0);

  if (host->disposing)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   "domain %u: the XenQmpHost is being destroyed", domid);
      return 0;
    }
  return _xen_qmp_host_follow (host, domid, &handlers_only, NULL, error);
}

/**
 * xen_qmp_host_unfollow_events:
 * @host: a host
 * @follow_id: what xen_qmp_host_follow_events() returned
 *
 * Stops following; the domain's connection closes once nothing else
 * needs it. An id whose following already ended is ignored.
 *
 * Since: 0.1
 */
void
xen_qmp_host_unfollow_events (XenQmpHost *host, guint follow_id)
{
  g_return_if_fail (XEN_QMP_IS_HOST (host));
  QMP_CHECK_THREAD (host->context, "XenQmpHost", );

  _xen_qmp_host_unfollow (host, follow_id);
}
