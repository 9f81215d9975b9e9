/* xen-qmp-host.c: a Xen host's domains as seen by the toolstack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-host.h"
#include "xen-qmp-host-private.h"
#include "xen-qmp-host-internal.h"

#include <string.h>

#include "qmp-domain-info.h"
#include "qmp-domain-lock.h"
#include "qmp-context.h"
#include "qmp-property.h"
#include "qmp-schema-limits.h"
#include "qmp-schema-lru.h"
#include "qmp-xenstore.h"
#include "xen-qmp-enum-types.h"

/**
 * XenQmpHost:
 *
 * The toolstack's view of one Xen host: where the device models' QMP
 * sockets are, the connections open to them (one per domain, reused by
 * every command for that domain), limits and defaults.
 *
 * Threads: a host belongs to the #GMainContext that was thread-default
 * when it was created. Every I/O source it creates is attached there,
 * every callback, event handler and signal runs there, and its functions
 * are called from the thread that iterates that context; a call from
 * another thread while that thread runs the context is a programmer
 * error, reported with a critical (or, for xen_qmp_cmd_exec(), an error)
 * and otherwise ignored. User code never runs inside a connection's read
 * or write step: command callbacks and event handlers are delivered after
 * it, in the order of the wire, so they may run a nested main loop.
 *
 * A connection is opened when a command needs it and closed once no
 * command is Active on it and no callback is running (after
 * #XenQmpHost:idle-timeout-ms), because QEMU serves one QMP client at a
 * time and libxl needs the socket too.
 *
 * Once the host's dispose has begun (its last reference is dropped, or
 * g_object_run_dispose()), it takes no new work: xen_qmp_cmd_exec() and
 * the connects of its clients fail with %G_IO_ERROR_CLOSED, also from the
 * callbacks of the commands that its dispose fails. Those commands are
 * each called back exactly once, with a %G_IO_ERROR_CLOSED error, from the
 * host's context after dispose returns (at its next iteration): iterate
 * the context before dropping it, or they are not called at all.
 *
 * Since: 0.1
 */

#define DEFAULT_DRAIN_TIMEOUT_MS 30000

enum {
  PROP_0,
  PROP_RUN_DIR,
  PROP_IDLE_TIMEOUT_MS,
  PROP_DRAIN_TIMEOUT_MS,
  PROP_ENABLE_OOB,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_DEPTH,
  PROP_MAX_ELEMENTS,
  PROP_MAX_QUEUED_COMMANDS,
  PROP_XENSTORE,
  PROP_XENSTORE_AVAILABLE,
  PROP_LIB_DIR,
  PROP_SCHEMA_CACHE_MAX_ENTRIES,
  PROP_SCHEMA_CACHE_MAX_BYTES,
  PROP_LOCK_HOLD_MS,
  PROP_LOCK_YIELD_MS,
  PROP_EVENT_SOCKET_PATTERN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CONNECTION_CLOSED,
  SIGNAL_EVENT_GAP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (XenQmpHost, xen_qmp_host, G_TYPE_OBJECT)

static void on_connection_event  (QmpConnection *conn,
                                  const char    *name,
                                  JsonObject    *data,
                                  gint64         timestamp_us,
                                  gpointer       user_data);
static void on_connection_closed (QmpConnection *conn,
                                  const GError  *reason,
                                  gpointer       user_data);

static void host_domain_free (HostDomain *d);

static void
on_connection_suspended (QmpConnection *conn, gpointer user_data)
{
  XenQmpHost *host = user_data;
  HostDomain *d = g_hash_table_lookup (host->connections,
                                       GUINT_TO_POINTER ((guint32) qmp_connection_get_tag (conn)));

  if (d != NULL && d->conn == conn)
    _host_yield_on_suspended (d);
}

static const QmpConnectionCallbacks host_connection_callbacks = {
  .event = on_connection_event,
  .closed = on_connection_closed,
  .ready = _host_follow_on_ready,
  .suspended = on_connection_suspended,
  .resumed = _host_follow_on_resumed,
};

static void
handler_clear (EventHandler *handler)
{
  if (handler->notify != NULL)
    handler->notify (handler->user_data);
  handler->callback = NULL;
  handler->notify = NULL;
}

static void
xen_qmp_host_init (XenQmpHost *host)
{
  host->context = g_main_context_ref_thread_default ();
  host->io = qmp_io_context_get (host->context);
  host->connections = g_hash_table_new_full (NULL, NULL, NULL,
                                             (GDestroyNotify) host_domain_free);
  qmp_limits_init (&host->config.limits);
  host->config.enable_oob = TRUE;
  host->config.idle_timeout_ms = 0;
  host->config.drain_timeout_ms = DEFAULT_DRAIN_TIMEOUT_MS;
  host->handlers = g_array_new (FALSE, TRUE, sizeof (EventHandler));
  g_array_set_clear_func (host->handlers, (GDestroyNotify) handler_clear);
  host->next_handler_id = 1;
  host->schema_cache_max_entries = QMP_SCHEMA_CACHE_DEFAULT_MAX_ENTRIES;
  host->schema_cache_max_bytes = QMP_SCHEMA_CACHE_DEFAULT_MAX_BYTES;
  host->schemas = qmp_schema_lru_new (QMP_SCHEMA_CACHE_DEFAULT_MAX_ENTRIES,
                                      QMP_SCHEMA_CACHE_DEFAULT_MAX_BYTES);
  host->lock_hold_ms = HOST_DEFAULT_LOCK_HOLD_MS;
  host->lock_yield_ms = HOST_DEFAULT_LOCK_YIELD_MS;
  host->event_socket_pattern = g_strdup (HOST_DEFAULT_EVENT_SOCKET_PATTERN);
  _host_follow_init (host);
}

static void
xen_qmp_host_dispose (GObject *object)
{
  XenQmpHost *host = XEN_QMP_HOST (object);
  g_autoptr(GList) domains = g_hash_table_get_values (host->connections);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                 "the XenQmpHost was destroyed");

  /* Set first: the callbacks this dispose causes must not start new work
   * on a host that is going away. */
  host->disposing = TRUE;
  /* Active commands still get their callback, exactly once. */
  g_hash_table_steal_all (host->connections);
  for (GList *l = domains; l != NULL; l = l->next)
    {
      HostDomain *d = l->data;
      QmpConnection *conn = qmp_connection_ref (d->conn);

      host_domain_free (d);
      qmp_connection_close (conn, error);
      qmp_connection_unref (conn);
    }
  if (host->xs != NULL && host->release_watch != 0)
    qmp_xenstore_unwatch (host->xs, host->release_watch);
  g_clear_pointer (&host->xs, qmp_xenstore_free);
  _host_yield_dispose (host);
  _host_follow_dispose (host);
  if (host->handlers != NULL)
    g_array_set_size (host->handlers, 0);

  G_OBJECT_CLASS (xen_qmp_host_parent_class)->dispose (object);
}

static void
xen_qmp_host_finalize (GObject *object)
{
  XenQmpHost *host = XEN_QMP_HOST (object);

  g_hash_table_unref (host->connections);
  g_clear_pointer (&host->schemas, qmp_schema_lru_free);
  g_array_unref (host->handlers);
  qmp_io_context_unref (host->io);
  g_main_context_unref (host->context);
  g_clear_error (&host->xs_error);
  g_free (host->run_dir);
  g_free (host->lib_dir);
  g_free (host->event_socket_pattern);
  g_hash_table_unref (host->follows);

  G_OBJECT_CLASS (xen_qmp_host_parent_class)->finalize (object);
}

static void
xen_qmp_host_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  XenQmpHost *host = XEN_QMP_HOST (object);

  switch (prop_id)
    {
    case PROP_RUN_DIR:
      g_value_set_string (value, host->run_dir);
      break;
    case PROP_IDLE_TIMEOUT_MS:
      g_value_set_uint (value, host->config.idle_timeout_ms);
      break;
    case PROP_DRAIN_TIMEOUT_MS:
      g_value_set_uint (value, host->config.drain_timeout_ms);
      break;
    case PROP_ENABLE_OOB:
      g_value_set_boolean (value, host->config.enable_oob);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, host->config.limits.max_message_size);
      break;
    case PROP_MAX_DEPTH:
      g_value_set_uint (value, host->config.limits.max_depth);
      break;
    case PROP_MAX_ELEMENTS:
      g_value_set_uint64 (value, host->config.limits.max_elements);
      break;
    case PROP_MAX_QUEUED_COMMANDS:
      g_value_set_uint (value, host->config.limits.max_queued);
      break;
    case PROP_XENSTORE:
      g_value_set_enum (value, host->xenstore_mode);
      break;
    case PROP_XENSTORE_AVAILABLE:
      g_value_set_boolean (value, host->xs != NULL);
      break;
    case PROP_LIB_DIR:
      g_value_set_string (value, host->lib_dir);
      break;
    case PROP_SCHEMA_CACHE_MAX_ENTRIES:
      g_value_set_uint (value, host->schema_cache_max_entries);
      break;
    case PROP_SCHEMA_CACHE_MAX_BYTES:
      g_value_set_uint64 (value, host->schema_cache_max_bytes);
      break;
    case PROP_LOCK_HOLD_MS:
      g_value_set_uint (value, host->lock_hold_ms);
      break;
    case PROP_LOCK_YIELD_MS:
      g_value_set_uint (value, host->lock_yield_ms);
      break;
    case PROP_EVENT_SOCKET_PATTERN:
      g_value_set_string (value, host->event_socket_pattern);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Open connections follow the host's timeouts and max-queued-commands at
 * once; the limits on what QEMU sends and enable-oob are set up when a
 * connection opens, so they reach the next one. */
static void
host_update_open_connections (XenQmpHost *host)
{
  GHashTableIter iter;
  HostDomain *d;

  g_hash_table_iter_init (&iter, host->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &d))
    qmp_connection_update_config (d->conn, &host->config);
}

static void
xen_qmp_host_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  XenQmpHost *host = XEN_QMP_HOST (object);
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case PROP_RUN_DIR:
      g_free (host->run_dir);
      host->run_dir = g_value_dup_string (value);
      if (host->run_dir == NULL)
        host->run_dir = g_strdup (XEN_QMP_DEFAULT_RUN_DIR);
      break;
    case PROP_IDLE_TIMEOUT_MS:
      changed = qmp_property_change_uint (&host->config.idle_timeout_ms, g_value_get_uint (value));
      if (changed)
        host_update_open_connections (host);
      break;
    case PROP_DRAIN_TIMEOUT_MS:
      changed = qmp_property_change_uint (&host->config.drain_timeout_ms, g_value_get_uint (value));
      if (changed)
        host_update_open_connections (host);
      break;
    case PROP_ENABLE_OOB:
      changed = qmp_property_change_boolean (&host->config.enable_oob, g_value_get_boolean (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      changed = qmp_property_change_size (&host->config.limits.max_message_size,
                                          g_value_get_uint64 (value));
      break;
    case PROP_MAX_DEPTH:
      changed = qmp_property_change_uint (&host->config.limits.max_depth, g_value_get_uint (value));
      break;
    case PROP_MAX_ELEMENTS:
      changed = qmp_property_change_size (&host->config.limits.max_elements,
                                          g_value_get_uint64 (value));
      break;
    case PROP_MAX_QUEUED_COMMANDS:
      changed = qmp_property_change_uint (&host->config.limits.max_queued, g_value_get_uint (value));
      if (changed)
        host_update_open_connections (host);
      break;
    case PROP_XENSTORE:
      host->xenstore_mode = g_value_get_enum (value);
      break;
    case PROP_LIB_DIR:
      g_free (host->lib_dir);
      host->lib_dir = g_value_dup_string (value);
      if (host->lib_dir == NULL)
        host->lib_dir = g_strdup (XEN_QMP_DEFAULT_LIB_DIR);
      break;
    case PROP_SCHEMA_CACHE_MAX_ENTRIES:
      changed = qmp_property_change_uint (&host->schema_cache_max_entries, g_value_get_uint (value));
      if (changed)
        qmp_schema_lru_set_limits (host->schemas, host->schema_cache_max_entries,
                                   host->schema_cache_max_bytes);
      break;
    case PROP_SCHEMA_CACHE_MAX_BYTES:
      changed = qmp_property_change_size (&host->schema_cache_max_bytes, g_value_get_uint64 (value));
      if (changed)
        qmp_schema_lru_set_limits (host->schemas, host->schema_cache_max_entries,
                                   host->schema_cache_max_bytes);
      break;
    case PROP_LOCK_HOLD_MS:
      changed = qmp_property_change_uint (&host->lock_hold_ms, g_value_get_uint (value));
      if (changed)
        _host_yield_config_changed (host);
      break;
    case PROP_LOCK_YIELD_MS:
      changed = qmp_property_change_uint (&host->lock_yield_ms, g_value_get_uint (value));
      break;
    case PROP_EVENT_SOCKET_PATTERN:
      changed = g_strcmp0 (host->event_socket_pattern, g_value_get_string (value)) != 0;
      g_free (host->event_socket_pattern);
      host->event_socket_pattern = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  /* Construct-only properties never notify; the others are
   * G_PARAM_EXPLICIT_NOTIFY. */
  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void on_release_domain (QmpXenstore *xs, const char *path, gpointer user_data);

static void
xen_qmp_host_constructed (GObject *object)
{
  XenQmpHost *host = XEN_QMP_HOST (object);

  G_OBJECT_CLASS (xen_qmp_host_parent_class)->constructed (object);
  if (host->xenstore_mode == XEN_QMP_XENSTORE_OFF)
    return;
  host->xs = qmp_xenstore_open (qmp_io_context_get_main (host->io), &host->xs_error);
  if (host->xs == NULL)
    {
      /* Said once, here: no guessing about domains later. */
      if (host->xenstore_mode == XEN_QMP_XENSTORE_AUTO)
        g_info ("%s; working from %s alone (no domain checks, no libxl lock)",
                host->xs_error->message, host->run_dir);
      return;
    }
  host->release_watch = qmp_xenstore_watch (host->xs, "@releaseDomain",
                                            on_release_domain, host, NULL);
}

static void
xen_qmp_host_class_init (XenQmpHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = xen_qmp_host_constructed;
  object_class->dispose = xen_qmp_host_dispose;
  object_class->finalize = xen_qmp_host_finalize;
  object_class->get_property = xen_qmp_host_get_property;
  object_class->set_property = xen_qmp_host_set_property;

  /**
   * XenQmpHost:run-dir:
   *
   * The directory holding the device models' QMP sockets, named
   * `qmp-libxl-<domid>` as libxl names them.
   *
   * Since: 0.1
   */
  properties[PROP_RUN_DIR] =
    g_param_spec_string ("run-dir", NULL, NULL, XEN_QMP_DEFAULT_RUN_DIR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:idle-timeout-ms:
   *
   * How long a connection stays open once nothing needs it; %G_MAXUINT
   * keeps it open. The default, 0, closes it at once, so that libxl gets
   * the socket back (QEMU serves one QMP client at a time).
   *
   * A change reaches open connections at once: one that is waiting to
   * close starts its wait again with the new value.
   *
   * Since: 0.1
   */
  properties[PROP_IDLE_TIMEOUT_MS] =
    g_param_spec_uint ("idle-timeout-ms", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:drain-timeout-ms:
   *
   * How long a connection waits for the replies to commands that were sent
   * and then disposed or timed out before it closes anyway. Some QEMU
   * versions wedge their monitor when a client leaves before reading a
   * reply, so the connection does not close while such replies are due.
   *
   * A change reaches open connections at once: one that is waiting for
   * such replies starts its wait again with the new value.
   *
   * Since: 0.1
   */
  properties[PROP_DRAIN_TIMEOUT_MS] =
    g_param_spec_uint ("drain-timeout-ms", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_DRAIN_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:enable-oob:
   *
   * Whether to enable QMP's `oob` capability when QEMU offers it. With it,
   * QEMU queues several in-band commands instead of suspending its monitor
   * after each one, which keeps pipelined commands flowing.
   *
   * It is negotiated when a connection opens: a change applies to
   * connections opened afterwards.
   *
   * Since: 0.1
   */
  properties[PROP_ENABLE_OOB] =
    g_param_spec_boolean ("enable-oob", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:max-message-size:
   *
   * The largest message accepted from QEMU, in bytes. A larger one closes
   * the connection with an error naming this limit.
   *
   * A change applies to connections opened afterwards; an open one keeps
   * the limit it was opened with.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 64, G_MAXSIZE,
                         QMP_DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:max-depth:
   *
   * The deepest nesting of JSON arrays and objects accepted from QEMU,
   * checked as the bytes arrive, before the message is parsed. A deeper
   * message closes the connection with an error naming this limit. At
   * most 1024 (QEMU's own limit), so that parsing stays within a 256 KiB
   * thread stack.
   *
   * A change applies to connections opened afterwards; an open one keeps
   * the limit it was opened with.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL, 2, QMP_MAX_DEPTH_CEILING,
                       QMP_DEFAULT_MAX_DEPTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:max-elements:
   *
   * The most JSON values (containers, members' values and array elements
   * all count) one message from QEMU may hold, counted by a strict scan
   * before anything is built: it bounds what a message costs once parsed,
   * which its size alone does not (8 MiB of `{},` would take 829 MB as a
   * tree). A message with more closes the connection with
   * %G_IO_ERROR_MESSAGE_TOO_LARGE naming this limit. The default, 131,072,
   * admits QEMU 9.x's largest reply (its schema, about 32,000 values) four
   * times over and keeps any accepted message's tree near 40 MB at most.
   *
   * A change applies to connections opened afterwards; an open one keeps
   * the limit it was opened with.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_ELEMENTS] =
    g_param_spec_uint64 ("max-elements", NULL, NULL, 1, G_MAXSIZE,
                         QMP_DEFAULT_MAX_ELEMENTS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:max-queued-commands:
   *
   * How many commands may be Active on one connection; one more makes
   * xen_qmp_cmd_exec() fail with %G_IO_ERROR_BUSY. It also bounds the
   * commands QEMU was sent but has not answered after they stopped being
   * Active (timed out, disposed, cancelled), whose ids are kept so that
   * their late replies are recognised: when QEMU leaves more than this
   * many unanswered, the connection is closed with a warning, and its
   * Active commands fail with %G_IO_ERROR_BUSY.
   *
   * A change reaches open connections at once (commands already Active
   * stay so when it is lowered).
   *
   * Since: 0.1
   */
  properties[PROP_MAX_QUEUED_COMMANDS] =
    g_param_spec_uint ("max-queued-commands", NULL, NULL, 1, G_MAXUINT,
                       QMP_DEFAULT_MAX_QUEUED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XenQmpHost:schema-cache-max-entries:
   *
   * How many QEMU builds' schemas the host keeps for its validating
   * clients (#XenQmpClient:validate), the least recently used going first.
   * The cache is keyed by the version and package a QEMU claims in its
   * greeting, which a hostile QEMU may make up anew on every connection:
   * hence a bound. A cached schema only ever lets a command through
   * faster; a command is refused only by the schema its own QEMU sent
   * (see xen_qmp_client_get_schema_async()). 0 turns the cache off.
   * A change applies at once.
   *
   * Since: 0.1
   */
  properties[PROP_SCHEMA_CACHE_MAX_ENTRIES] =
    g_param_spec_uint ("schema-cache-max-entries", NULL, NULL, 0, G_MAXUINT,
                       QMP_SCHEMA_CACHE_DEFAULT_MAX_ENTRIES,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:schema-cache-max-bytes:
   *
   * How much memory the host's schema cache may hold, in bytes, as
   * estimated from each schema's parsed size (QEMU 7.2's schema takes
   * about 1.7 MB in memory). The least recently used schemas go first; a
   * schema larger than this is not kept. A change applies at once.
   *
   * Since: 0.1
   */
  properties[PROP_SCHEMA_CACHE_MAX_BYTES] =
    g_param_spec_uint64 ("schema-cache-max-bytes", NULL, NULL, 0, G_MAXSIZE,
                         QMP_SCHEMA_CACHE_DEFAULT_MAX_BYTES,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XenQmpHost:lock-hold-ms:
   *
   * The longest the host keeps libxl's lock of a domain (and with it
   * QEMU's `qmp-libxl-<domid>` socket, which serves one client at a time)
   * while another process waits for it, if commands of ours are Active;
   * a connection with none (kept open by a #XenQmpClient or
   * xen_qmp_host_follow_events()) hands it over as soon as a waiter is
   * seen. The host looks for waiters in `/proc/locks` (libxl waits for
   * its lock in a child blocked in flock(): libxl_internal.c,
   * ev_lock_prepare_fork()) every quarter of this time, at most every
   * 250 ms; where `/proc/locks` cannot be read, every hold ends after
   * this time. Handing over closes the socket: commands sent are
   * answered first, those not sent yet wait; it is opened again after
   * #XenQmpHost:lock-yield-ms. %G_MAXUINT: never hand over. Applies at
   * once, to open connections too.
   *
   * With the default, libxl waits because of us at most about a quarter
   * of a second for an idle connection, and about a second for a busy
   * one, well within its shortest operation timer (10 s).
   *
   * Since: 0.1
   */
  properties[PROP_LOCK_HOLD_MS] =
    g_param_spec_uint ("lock-hold-ms", NULL, NULL, 0, G_MAXUINT, HOST_DEFAULT_LOCK_HOLD_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:lock-yield-ms:
   *
   * How long after handing libxl's lock over the host tries to take it
   * again, so that an operation of libxl that takes the lock several
   * times in a row is not cut in. With commands Active on the
   * connection, it then waits for the lock as libxl does, where the
   * holder sees it; otherwise it tries once every lock-yield-ms, and
   * gives the lock back at once if someone waits for it: a connection
   * kept only by an idle client or for events never makes anyone wait.
   * One kept out for four lock-hold-ms (another process's idle follower
   * of the domain holds the socket) waits visibly again, so that two
   * followers take turns. Events the domain's QEMU sends meanwhile reach no
   * connection of ours unless the domain has an event monitor: see
   * #XenQmpHost:event-socket-pattern and %XEN_QMP_EVENT_GAP.
   *
   * Since: 0.1
   */
  properties[PROP_LOCK_YIELD_MS] =
    g_param_spec_uint ("lock-yield-ms", NULL, NULL, 0, G_MAXUINT, HOST_DEFAULT_LOCK_YIELD_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:event-socket-pattern:
   *
   * Where a domain's event monitor is: a QMP socket that the domain's
   * QEMU serves besides `qmp-libxl-<domid>`, added by the administrator
   * in xl.cfg (see the README's "On a Xen host"). `{name}`, `{uuid}` and
   * `{domid}` are replaced by the domain's; a relative path is under
   * #XenQmpHost:run-dir. Events of a followed domain (a #XenQmpClient
   * of the domain, xen_qmp_host_follow_events()) are read there when the
   * socket exists, without libxl's lock and without gaps; otherwise
   * over `qmp-libxl-<domid>`. Not used for stub domains (their QEMU's
   * sockets are inside the stub domain), nor without xenstore. %NULL or
   * "": never look for one. Applies to domains followed from then on.
   *
   * Since: 0.1
   */
  properties[PROP_EVENT_SOCKET_PATTERN] =
    g_param_spec_string ("event-socket-pattern", NULL, NULL, HOST_DEFAULT_EVENT_SOCKET_PATTERN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * XenQmpHost:xenstore:
   *
   * Whether the host uses xenstore: see #XenQmpXenstoreMode.
   *
   * Since: 0.1
   */
  properties[PROP_XENSTORE] =
    g_param_spec_enum ("xenstore", NULL, NULL, XEN_QMP_TYPE_XENSTORE_MODE,
                       XEN_QMP_XENSTORE_AUTO,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:xenstore-available:
   *
   * Whether xenstore could be opened: without it the host works from
   * #XenQmpHost:run-dir alone.
   *
   * Since: 0.1
   */
  properties[PROP_XENSTORE_AVAILABLE] =
    g_param_spec_boolean ("xenstore-available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:lib-dir:
   *
   * Where libxl keeps its lock files: the QMP socket of a domain is used
   * only while holding libxl's lock
   * `<lib-dir>/userdata-l.<domid>.<uuid>.qmp-socket-lock` (with xenstore).
   *
   * Since: 0.1
   */
  properties[PROP_LIB_DIR] =
    g_param_spec_string ("lib-dir", NULL, NULL, XEN_QMP_DEFAULT_LIB_DIR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * XenQmpHost::connection-closed:
   * @host: the host
   * @domid: the domain whose connection closed
   * @reason: (nullable): why: QEMU went away, broke the protocol or a
   *   limit, the domain is gone; %NULL when the host closed it because
   *   nothing needed it any more (#XenQmpHost:idle-timeout-ms)
   *
   * A domain's connection closed, whether or not a command was Active on
   * it: a toolstack using the command API learns here that a QEMU went
   * away. Emitted from the host's main context, after the callbacks of
   * the commands the close failed; not while the host is being disposed.
   *
   * Since: 0.1
   */
  signals[SIGNAL_CONNECTION_CLOSED] =
    g_signal_new ("connection-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_ERROR);

  /**
   * XenQmpHost::event-gap:
   * @host: the host
   * @domid: the domain
   * @since_us: when the gap began, in microseconds since the Unix epoch
   * @until_us: when events flowed again, on the same clock
   *
   * Events that @domid's QEMU sent between @since_us and @until_us may
   * have been missed: its `qmp-libxl-<domid>` socket was handed over to
   * libxl (#XenQmpHost:lock-hold-ms) and the domain has no event
   * monitor, or its event monitor closed. Emitted in the order of the
   * events, just before the handlers get the same gap as a
   * %XEN_QMP_EVENT_GAP event. A state that events would have told (a
   * STOP, a RESUME) is worth asking for again.
   *
   * Since: 0.1
   */
  signals[SIGNAL_EVENT_GAP] =
    g_signal_new ("event-gap", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_INT64, G_TYPE_INT64);
}

/**
 * xen_qmp_host_new:
 * @run_dir: (nullable) (type filename): the directory of the QMP sockets,
 *   or %NULL for %XEN_QMP_DEFAULT_RUN_DIR
 *
 * Creates a host bound to the thread-default main context.
 *
 * Returns: (transfer full): a new host
 *
 * Since: 0.1
 */
XenQmpHost *
xen_qmp_host_new (const char *run_dir)
{
  return g_object_new (XEN_QMP_TYPE_HOST, "run-dir", run_dir, NULL);
}

/**
 * xen_qmp_host_get_run_dir:
 * @host: a host
 *
 * The directory where the host looks for `qmp-libxl-<domid>` sockets.
 *
 * Returns: (type filename): the directory of the QMP sockets
 *
 * Since: 0.1
 */
const char *
xen_qmp_host_get_run_dir (XenQmpHost *host)
{
  g_return_val_if_fail (XEN_QMP_IS_HOST (host), NULL);
  return host->run_dir;
}

/**
 * xen_qmp_host_dup_socket_path:
 * @host: a host
 * @domid: a domain
 *
 * The path of the QMP socket of @domid's device model, as libxl names it.
 *
 * Returns: (transfer full) (type filename): the path of @domid's QMP
 *   socket
 *
 * Since: 0.1
 */
char *
xen_qmp_host_dup_socket_path (XenQmpHost *host, guint32 domid)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (XEN_QMP_IS_HOST (host), NULL);
  name = g_strdup_printf ("qmp-libxl-%u", domid);
  return g_build_filename (host->run_dir, name, NULL);
}

/**
 * xen_qmp_host_get_context:
 * @host: a host
 *
 * The main context that was thread-default when @host was created: its
 * sources and callbacks run there.
 *
 * Returns: (transfer none): the main context the host works in
 *
 * Since: 0.1
 */
GMainContext *
xen_qmp_host_get_context (XenQmpHost *host)
{
  g_return_val_if_fail (XEN_QMP_IS_HOST (host), NULL);
  return host->context;
}

static void
compact_handlers (XenQmpHost *host)
{
  for (guint i = host->handlers->len; i > 0; i--)
    if (g_array_index (host->handlers, EventHandler, i - 1).callback == NULL)
      g_array_remove_index (host->handlers, i - 1);
}

/* An event on its way to the host's handlers. */
typedef struct {
  GWeakRef    host;       /* nobody to deliver to once it is gone */
  guint32     domid;
  char       *name;
  JsonObject *data;
  gint64      timestamp_us;
} HostEvent;

static void
host_event_free (gpointer data)
{
  HostEvent *e = data;

  g_weak_ref_clear (&e->host);
  g_free (e->name);
  g_clear_pointer (&e->data, json_object_unref);
  g_free (e);
}

static void
host_event_deliver (gpointer data)
{
  HostEvent *e = data;
  g_autoptr(XenQmpHost) host = g_weak_ref_get (&e->host);
  guint n;

  if (host == NULL)
    return;
  if (strcmp (e->name, XEN_QMP_EVENT_GAP) == 0)
    g_signal_emit (host, signals[SIGNAL_EVENT_GAP], 0, e->domid,
                   _xen_qmp_gap_get_since (e->data), e->timestamp_us);
  host->dispatching++;
  /* Handlers added from a handler see the next event, not this one. */
  n = host->handlers->len;
  for (guint i = 0; i < n; i++)
    {
      EventHandler *h = &g_array_index (host->handlers, EventHandler, i);

      if (h->callback != NULL)
        h->callback (host, e->domid, e->name, e->data, e->timestamp_us, h->user_data);
    }
  if (--host->dispatching == 0)
    compact_handlers (host);
}

/* Handlers run from the outbox, after the connection's read step, in
 * the order events were routed (xen-qmp-host-follow.c): a gap's signal
 * comes in its place among the events. */
void
_host_deliver_event (XenQmpHost *host,
                     guint32     domid,
                     const char *name,
                     JsonObject *data,
                     gint64      timestamp_us)
{
  HostEvent *e;

  if (host->handlers->len == 0 && strcmp (name, XEN_QMP_EVENT_GAP) != 0)
    return;
  e = g_new0 (HostEvent, 1);
  g_weak_ref_init (&e->host, host);
  e->domid = domid;
  e->name = g_strdup (name);
  e->data = data != NULL ? json_object_ref (data) : NULL;
  e->timestamp_us = timestamp_us;
  qmp_outbox_push (qmp_io_context_get_outbox (host->io), host_event_deliver, e, host_event_free);
}

static void
on_connection_event (QmpConnection *conn,
                     const char    *name,
                     JsonObject    *data,
                     gint64         timestamp_us,
                     gpointer       user_data)
{
  _host_follow_route_event (user_data, (guint32) qmp_connection_get_tag (conn), FALSE,
                            name, data, timestamp_us);
}

static void
stop_waiting_for_dm (HostDomain *d)
{
  d->wait_for_dm = FALSE;
  if (d->dm_watch != 0 && d->host->xs != NULL)
    qmp_xenstore_unwatch (d->host->xs, d->dm_watch);
  d->dm_watch = 0;
  qmp_source_clear (&d->dm_retry);
}

static void
host_domain_free (HostDomain *d)
{
  stop_waiting_for_dm (d);
  _host_yield_domain_free (d);
  /* Releases libxl's lock: the connection is going. */
  qmp_domain_lock_free (d->lock);
  qmp_connection_remove_observer (d->conn, &host_connection_callbacks, d->host);
  qmp_connection_unref (d->conn);
  qmp_domain_info_clear (&d->info);
  g_free (d->socket_path);
  g_free (d);
}

/* ::connection-closed on its way to the application. */
typedef struct {
  GWeakRef  host;
  guint32   domid;
  GError   *reason;
} HostClosed;

static void
host_closed_deliver (gpointer data)
{
  HostClosed *c = data;
  g_autoptr(XenQmpHost) host = g_weak_ref_get (&c->host);

  if (host != NULL)
    g_signal_emit (host, signals[SIGNAL_CONNECTION_CLOSED], 0, c->domid, c->reason);
}

static void
host_closed_free (gpointer data)
{
  HostClosed *c = data;

  g_weak_ref_clear (&c->host);
  g_clear_error (&c->reason);
  g_free (c);
}

static void
on_connection_closed (QmpConnection *conn,
                      const GError  *reason,
                      gpointer       user_data)
{
  XenQmpHost *host = user_data;
  gpointer key = GUINT_TO_POINTER ((guint32) qmp_connection_get_tag (conn));
  HostDomain *d = g_hash_table_lookup (host->connections, key);

  if (d != NULL && d->conn == conn)
    g_hash_table_remove (host->connections, key);
  _host_follow_on_closed (host, conn);
  /* Called after the commands the close failed were queued: the signal
   * comes after their callbacks. */
  _host_emit_connection_closed (host, (guint32) qmp_connection_get_tag (conn), reason);
}

void
_host_emit_connection_closed (XenQmpHost *host, guint32 domid, const GError *reason)
{
  HostClosed *c;

  if (host->disposing)
    return;
  c = g_new0 (HostClosed, 1);
  g_weak_ref_init (&c->host, host);
  c->domid = domid;
  c->reason = reason != NULL ? g_error_copy (reason) : NULL;
  qmp_outbox_push (qmp_io_context_get_outbox (host->io), host_closed_deliver, c,
                   host_closed_free);
}

/* xenstored fires @releaseDomain when a domain shuts down, dies or is
 * released (xenstored_domain.c, domain_cleanup()); its nodes may outlive
 * it until libxl cleans up. A domain that xenstored no longer counts, or
 * whose nodes are gone, has its commands failed now, not at their
 * timeout. */
static void
on_release_domain (QmpXenstore *xs, const char *path, gpointer user_data)
{
  XenQmpHost *host = user_data;
  g_autoptr(GList) domains = g_hash_table_get_values (host->connections);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func ((GDestroyNotify) qmp_connection_unref);
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  for (GList *l = domains; l != NULL; l = l->next)
    {
      HostDomain *d = l->data;
      GError *reason = NULL;

      if (!qmp_domain_info_still_exists (xs, &d->info, &reason))
        {
          g_ptr_array_add (gone, qmp_connection_ref (d->conn));
          g_ptr_array_add (reasons, reason);
        }
    }
  for (guint i = 0; i < gone->len; i++)
    qmp_connection_close (gone->pdata[i], reasons->pdata[i]);
}

/* ---- connecting, as libxl does ---------------------------------------
 *
 * Without XEN_QMP_CMD_WAIT_FOR_DEVICE_MODEL: libxl's lock, then connect;
 * no socket, or nothing listening, fails the commands.
 *
 * With it, the device model is ready when its socket accepts and QEMU
 * greets, as libxl decides (libxl_dm.c, libxl__spawn_local_dm() with
 * device_model_qmp_cb(): QEMU started with -S, asked "query-status" over
 * QMP). QEMU's xenstore state node is only a hint to try at once: a
 * dm_restrict QEMU never writes it, and it stays "running" after QEMU
 * died. Between tries the lock is not held, so that libxl, which starts
 * the device model, is not kept waiting by us. */

#define DM_RETRY_FIRST_MS 10
#define DM_RETRY_MAX_MS   250


static gboolean
on_dm_retry (gpointer user_data)
{
  HostDomain *d = user_data;

  g_clear_pointer (&d->dm_retry, g_source_unref);
  _host_domain_try (d);
  return G_SOURCE_REMOVE;
}

static void
schedule_dm_retry (HostDomain *d, guint delay_ms)
{
  if (d->dm_retry != NULL)
    return;
  d->dm_retry = qmp_timeout_attach (qmp_io_context_get_main (d->host->io), delay_ms, on_dm_retry, d,
                                    "[xenqmp] device model retry");
}

static void
schedule_dm_backoff (HostDomain *d)
{
  d->dm_retry_ms = d->dm_retry_ms == 0 ? DM_RETRY_FIRST_MS
                                       : MIN (d->dm_retry_ms * 2, DM_RETRY_MAX_MS);
  schedule_dm_retry (d, d->dm_retry_ms);
}

/* libxl's lock is ours, or there is none: connect. May free D (a failure
 * closes the connection, which frees its record). */
static void
host_domain_connect (HostDomain *d)
{
  QmpConnection *conn = qmp_connection_ref (d->conn);
  g_autoptr(GError) error = NULL;

  if (d->lock != NULL)
    _host_yield_hold_begins (d);
  if (!d->wait_for_dm)
    {
      if (!qmp_connection_open (conn, &error))
        g_debug ("%s", error->message);
    }
  else if (qmp_connection_try_open (conn, &error))
    stop_waiting_for_dm (d);
  else if (qmp_connection_get_state (conn) == QMP_CONNECTION_WAITING)
    {
      g_autofree char *why =
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
        ? g_strdup_printf ("no QMP socket at %s yet", d->socket_path)
        : g_strdup_printf ("nothing listens on %s yet", d->socket_path);

      g_debug ("%s; trying again", error->message);
      qmp_connection_set_waiting_reason (conn, why);
      if (d->lock != NULL)
        qmp_domain_lock_release (d->lock);
      schedule_dm_backoff (d);
    }
  qmp_connection_unref (conn);
}

/* libxl's lock is ours: as libxl checks after acquiring it
 * (libxl_internal.c, ev_lock_child_callback()), the domain must still be
 * there, and the same domain. */
void
_host_domain_locked (HostDomain *d)
{
  g_autoptr(GError) error = NULL;

  if (d->host->xs != NULL && !qmp_domain_info_still_exists (d->host->xs, &d->info, &error))
    {
      qmp_connection_close (d->conn, error);
      return;
    }
  host_domain_connect (d);
}

static void
on_lock_acquired (QmpDomainLock *lock, gpointer user_data)
{
  HostDomain *d = user_data;

  g_debug ("domain %u: got %s", d->domid, qmp_domain_lock_get_path (lock));
  _host_domain_locked (d);
}

/* TRUE: the lock is held, or being waited for; FALSE: the connection was
 * closed with the error (and D freed). */
static gboolean
host_domain_lock (HostDomain *d, gboolean *held, GError **error)
{
  GError *local = NULL;

  *held = qmp_domain_lock_acquire (d->lock, on_lock_acquired, d, &local);
  if (local != NULL)
    {
      g_prefix_error (&local, "domain %u: ", d->domid);
      qmp_connection_close (d->conn, local);
      g_propagate_error (error, local);
      return FALSE;
    }
  if (!*held)
    {
      g_autofree char *holder = qmp_domain_lock_describe_holder (d->lock);
      g_autofree char *why = g_strdup_printf ("libxl's lock %s is held by %s",
                                              qmp_domain_lock_get_path (d->lock),
                                              holder != NULL ? holder : "another process");

      qmp_connection_set_waiting_reason (d->conn, why);
    }
  return TRUE;
}

void
_host_domain_try (HostDomain *d)
{
  gboolean held;

  if (qmp_connection_get_state (d->conn) != QMP_CONNECTION_WAITING
      || (d->lock != NULL && qmp_domain_lock_is_waiting (d->lock)))
    return;
  qmp_source_clear (&d->dm_retry);
  /* No need to take libxl's lock before there is a socket. */
  if (!g_file_test (d->socket_path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *why = g_strdup_printf ("no QMP socket at %s yet", d->socket_path);

      qmp_connection_set_waiting_reason (d->conn, why);
      schedule_dm_backoff (d);
      return;
    }
  if (d->lock == NULL)
    host_domain_connect (d);
  else if (host_domain_lock (d, &held, NULL) && held)
    _host_domain_locked (d);
}

static void
on_dm_state (QmpXenstore *xs, const char *path, gpointer user_data)
{
  _host_domain_try (user_data);
}

/* PV and PVH domains have no device model; libxl starts a QEMU for one
 * only to serve its qdisk, vfb or console backends (libxl_dm.c,
 * libxl__need_xenpv_qemu()), on the same qmp-libxl-<domid> socket. */
static gboolean
check_pv_qemu (const QmpDomainInfo *info, const char *path, GError **error)
{
  const char *type = qmp_domain_type_to_string (info->type);

  if (info->type == QMP_DOMAIN_TYPE_HVM || g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "domain %u is a %s domain (/libxl/%u/type = \"%s\"): it has no device "
               "model, and no QEMU serves its backends (no QMP socket at %s)",
               info->domid, info->type == QMP_DOMAIN_TYPE_PV ? "PV" : "PVH",
               info->domid, type, path);
  return FALSE;
}

/* Once dispose has begun (the last reference is going, or
 * g_object_run_dispose()), the host takes no new work: a command started
 * now, from a callback that dispose causes, would run after the host is
 * finalized, and with xenstore libxl's lock would be released while its
 * connection is still in use. */
static gboolean
host_check_not_disposing (XenQmpHost *host, guint32 domid, GError **error)
{
  if (!host->disposing)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
               "domain %u: the XenQmpHost is being destroyed", domid);
  return FALSE;
}

QmpConnection *
_xen_qmp_host_connect (XenQmpHost  *host,
                       guint32      domid,
                       gboolean     wait_for_dm,
                       GError     **error)
{
  HostDomain *d = g_hash_table_lookup (host->connections, GUINT_TO_POINTER (domid));
  g_auto(QmpDomainInfo) info = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *peer = NULL;
  gboolean held;

  if (!host_check_not_disposing (host, domid, error))
    return NULL;
  if (d != NULL && qmp_connection_get_state (d->conn) != QMP_CONNECTION_CLOSED)
    return d->conn;

  if (host->xs == NULL && host->xenstore_mode == XEN_QMP_XENSTORE_REQUIRED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "domain %u: xenstore is required (XenQmpHost:xenstore) but %s",
                   domid, host->xs_error != NULL ? host->xs_error->message : "not open");
      return NULL;
    }
  info.domid = domid;
  if (host->xs != NULL && !qmp_domain_info_read (host->xs, domid, &info, error))
    return NULL;

  /* Always the domain's own socket, stub domain or not: libxl connects by
   * the guest's domid (libxl_qmp.c, qmp_ev_connect()); with a stub domain,
   * vchan-socket-proxy listens there for the QEMU inside it (libxl_dm.c,
   * spawn_qmp_proxy()). qmp-libxl-<stub domid> belongs to the dom0 QEMU
   * that serves the stub domain's own consoles. */
  path = xen_qmp_host_dup_socket_path (host, domid);
  if (!check_pv_qemu (&info, path, error))
    return NULL;
  peer = qmp_domain_info_describe (&info);
  d = g_new0 (HostDomain, 1);
  d->host = host;
  d->domid = domid;
  d->info = info;
  memset (&info, 0, sizeof info);
  d->socket_path = g_strdup (path);
  d->conn = qmp_connection_new (path, peer, host->context, &host->config);
  qmp_connection_set_tag (d->conn, domid);
  qmp_connection_add_observer (d->conn, &host_connection_callbacks, host);
  g_hash_table_replace (host->connections, GUINT_TO_POINTER (domid), d);

  if (host->xs != NULL)
    {
      g_autofree char *lock_path = qmp_domain_info_lock_path (&d->info, host->lib_dir);
      d->lock = qmp_domain_lock_new (lock_path, qmp_io_context_get_main (host->io));
    }

  if (wait_for_dm)
    {
      /* Tried from the main loop, never here: a failure then fails the
       * queued command through its callback. */
      d->wait_for_dm = TRUE;
      qmp_connection_set_waiting (d->conn);
      schedule_dm_retry (d, 0);
      if (host->xs != NULL)
        {
          g_autofree char *state_path = qmp_domain_info_dm_state_path (&d->info);

          d->dm_watch = qmp_xenstore_watch (host->xs, state_path, on_dm_state, d, NULL);
        }
      return d->conn;
    }

  if (host->xs == NULL)
    return qmp_connection_open (d->conn, error) ? d->conn : NULL;

  if (!host_domain_lock (d, &held, error))
    return NULL;
  if (held)
    {
      _host_yield_hold_begins (d);
      return qmp_connection_open (d->conn, error) ? d->conn : NULL;
    }

  /* libxl holds the socket: wait for it, but say now when there is no
   * socket to wait for. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) missing = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                               "%s: no QMP socket at %s", peer, path);

      qmp_connection_close (d->conn, missing);
      g_propagate_error (error, g_steal_pointer (&missing));
      return NULL;
    }
  qmp_connection_set_waiting (d->conn);
  return d->conn;
}

/**
 * xen_qmp_host_get_xenstore_available:
 * @host: a host
 *
 * Whether the host could open xenstore; without it, it works from
 * #XenQmpHost:run-dir alone.
 *
 * Returns: the value of #XenQmpHost:xenstore-available
 *
 * Since: 0.1
 */
gboolean
xen_qmp_host_get_xenstore_available (XenQmpHost *host)
{
  g_return_val_if_fail (XEN_QMP_IS_HOST (host), FALSE);
  return host->xs != NULL;
}

/**
 * xen_qmp_host_add_event_handler:
 * @host: a host
 * @callback: (scope notified) (closure user_data) (destroy notify): called
 *   for each event
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data when the handler is removed
 *
 * Subscribes to the events of every domain's QEMU. Events arrive while a
 * connection to that QEMU is open: the command API opens one only while
 * commands are Active (see #XenQmpHost:idle-timeout-ms); a client keeps
 * one open for as long as it is connected.
 *
 * Returns: an id for xen_qmp_host_remove_event_handler(), never 0
 *
 * Since: 0.1
 */
guint
xen_qmp_host_add_event_handler (XenQmpHost          *host,
                                XenQmpEventCallback  callback,
                                gpointer             user_data,
                                GDestroyNotify       notify)
{
  EventHandler handler = { 0 };

  g_return_val_if_fail (XEN_QMP_IS_HOST (host), 0);
  g_return_val_if_fail (callback != NULL, 0);
  QMP_CHECK_THREAD (host->context, "XenQmpHost", 0);

  handler.id = host->next_handler_id++;
  handler.callback = callback;
  handler.user_data = user_data;
  handler.notify = notify;
  g_array_append_val (host->handlers, handler);
  return handler.id;
}

/**
 * xen_qmp_host_remove_event_handler:
 * @host: a host
 * @handler_id: what xen_qmp_host_add_event_handler() returned
 *
 * Unsubscribes; safe from inside an event callback, the handler's own too.
 *
 * Since: 0.1
 */
void
xen_qmp_host_remove_event_handler (XenQmpHost *host, guint handler_id)
{
  g_return_if_fail (XEN_QMP_IS_HOST (host));
  QMP_CHECK_THREAD (host->context, "XenQmpHost", );

  for (guint i = 0; i < host->handlers->len; i++)
    {
      EventHandler *h = &g_array_index (host->handlers, EventHandler, i);

      if (h->id == handler_id && h->callback != NULL)
        {
          handler_clear (h);
          if (host->dispatching == 0)
            g_array_remove_index (host->handlers, i);
          return;
        }
    }
  g_critical ("%s: no event handler with id %u", G_STRFUNC, handler_id);
}

/* A host runs a few QEMU builds at a time: their schemas are kept, within
 * the cache's bounds, so that validating clients of each domain need not
 * fetch them to accept a command. */
XenQmpSchema *
_xen_qmp_host_lookup_schema (XenQmpHost *host, const char *key)
{
  return qmp_schema_lru_lookup (host->schemas, key);
}

void
_xen_qmp_host_add_schema (XenQmpHost *host, const char *key, XenQmpSchema *schema)
{
  qmp_schema_lru_add (host->schemas, key, schema);
}
