/* xen-qmp-host.c: a Xen host's domains as seen by the toolstack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-host.h"
#include "xen-qmp-host-private.h"

/**
 * XenQmpHost:
 *
 * The toolstack's view of one Xen host: where the device models' QMP
 * sockets are, the connections open to them (one per domain, reused by
 * every command for that domain), limits and defaults.
 *
 * A host belongs to the #GMainContext that was thread-default when it was
 * created: every I/O source it creates is attached there, every callback
 * runs there, and its functions must be called from that context's
 * thread.
 *
 * A connection is opened when a command needs it and closed once no
 * command is Active on it and no callback is running (after
 * #XenQmpHost:idle-timeout-ms), because QEMU serves one QMP client at a
 * time and libxl needs the socket too.
 *
 * Since: 0.1
 */

#define DEFAULT_DRAIN_TIMEOUT_MS 30000

typedef struct {
  guint                id;
  XenQmpEventCallback  callback;   /* NULL once removed */
  gpointer             user_data;
  GDestroyNotify       notify;
} EventHandler;

struct _XenQmpHost {
  GObject       parent_instance;

  char         *run_dir;
  GMainContext *context;
  GHashTable   *connections;      /* domid -> QmpConnection */

  QmpConnectionConfig config;

  GArray       *handlers;         /* EventHandler */
  guint         next_handler_id;
  guint         dispatching;      /* events being delivered right now */
};

enum {
  PROP_0,
  PROP_RUN_DIR,
  PROP_IDLE_TIMEOUT_MS,
  PROP_DRAIN_TIMEOUT_MS,
  PROP_ENABLE_OOB,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_DEPTH,
  PROP_MAX_QUEUED_COMMANDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (XenQmpHost, xen_qmp_host, G_TYPE_OBJECT)

static void on_connection_event  (QmpConnection *conn,
                                  const char    *name,
                                  JsonObject    *data,
                                  gint64         timestamp_us,
                                  gpointer       user_data);
static void on_connection_closed (QmpConnection *conn,
                                  const GError  *reason,
                                  gpointer       user_data);

static const QmpConnectionCallbacks host_connection_callbacks = {
  .event = on_connection_event,
  .closed = on_connection_closed,
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
  host->connections = g_hash_table_new_full (NULL, NULL, NULL,
                                             (GDestroyNotify) qmp_connection_unref);
  qmp_limits_init (&host->config.limits);
  host->config.enable_oob = TRUE;
  host->config.idle_timeout_ms = 0;
  host->config.drain_timeout_ms = DEFAULT_DRAIN_TIMEOUT_MS;
  host->handlers = g_array_new (FALSE, TRUE, sizeof (EventHandler));
  g_array_set_clear_func (host->handlers, (GDestroyNotify) handler_clear);
  host->next_handler_id = 1;
}

static void
xen_qmp_host_dispose (GObject *object)
{
  XenQmpHost *host = XEN_QMP_HOST (object);
  g_autoptr(GList) conns = g_hash_table_get_values (host->connections);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                 "the XenQmpHost was destroyed");

  /* Active commands still get their callback, exactly once. */
  g_hash_table_steal_all (host->connections);
  for (GList *l = conns; l != NULL; l = l->next)
    {
      QmpConnection *conn = l->data;

      qmp_connection_remove_observer (conn, &host_connection_callbacks, host);
      qmp_connection_close (conn, error);
      qmp_connection_unref (conn);
    }
  if (host->handlers != NULL)
    g_array_set_size (host->handlers, 0);

  G_OBJECT_CLASS (xen_qmp_host_parent_class)->dispose (object);
}

static void
xen_qmp_host_finalize (GObject *object)
{
  XenQmpHost *host = XEN_QMP_HOST (object);

  g_hash_table_unref (host->connections);
  g_array_unref (host->handlers);
  g_main_context_unref (host->context);
  g_free (host->run_dir);

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
    case PROP_MAX_QUEUED_COMMANDS:
      g_value_set_uint (value, host->config.limits.max_queued);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xen_qmp_host_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  XenQmpHost *host = XEN_QMP_HOST (object);

  switch (prop_id)
    {
    case PROP_RUN_DIR:
      g_free (host->run_dir);
      host->run_dir = g_value_dup_string (value);
      if (host->run_dir == NULL)
        host->run_dir = g_strdup (XEN_QMP_DEFAULT_RUN_DIR);
      break;
    case PROP_IDLE_TIMEOUT_MS:
      host->config.idle_timeout_ms = g_value_get_uint (value);
      break;
    case PROP_DRAIN_TIMEOUT_MS:
      host->config.drain_timeout_ms = g_value_get_uint (value);
      break;
    case PROP_ENABLE_OOB:
      host->config.enable_oob = g_value_get_boolean (value);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      host->config.limits.max_message_size = (gsize) g_value_get_uint64 (value);
      break;
    case PROP_MAX_DEPTH:
      host->config.limits.max_depth = g_value_get_uint (value);
      break;
    case PROP_MAX_QUEUED_COMMANDS:
      host->config.limits.max_queued = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xen_qmp_host_class_init (XenQmpHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

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
   * checked before the message is parsed.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL, 2, 100000, QMP_DEFAULT_MAX_DEPTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpHost:max-queued-commands:
   *
   * How many commands may be Active on one connection; one more makes
   * xen_qmp_cmd_exec() fail with %G_IO_ERROR_BUSY.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_QUEUED_COMMANDS] =
    g_param_spec_uint ("max-queued-commands", NULL, NULL, 1, G_MAXUINT,
                       QMP_DEFAULT_MAX_QUEUED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
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

static void
on_connection_event (QmpConnection *conn,
                     const char    *name,
                     JsonObject    *data,
                     gint64         timestamp_us,
                     gpointer       user_data)
{
  XenQmpHost *host = user_data;
  guint32 domid = (guint32) qmp_connection_get_tag (conn);
  guint n;

  g_object_ref (host);
  host->dispatching++;
  /* Handlers added from a handler see the next event, not this one. */
  n = host->handlers->len;
  for (guint i = 0; i < n; i++)
    {
      EventHandler *h = &g_array_index (host->handlers, EventHandler, i);

      if (h->callback != NULL)
        h->callback (host, domid, name, data, timestamp_us, h->user_data);
    }
  if (--host->dispatching == 0)
    compact_handlers (host);
  g_object_unref (host);
}

static void
on_connection_closed (QmpConnection *conn,
                      const GError  *reason,
                      gpointer       user_data)
{
  XenQmpHost *host = user_data;
  gpointer key = GUINT_TO_POINTER ((guint32) qmp_connection_get_tag (conn));

  qmp_connection_remove_observer (conn, &host_connection_callbacks, host);
  if (g_hash_table_lookup (host->connections, key) == conn)
    g_hash_table_remove (host->connections, key);
}


QmpConnection *
_xen_qmp_host_connect (XenQmpHost *host, guint32 domid, GError **error)
{
  QmpConnection *conn = g_hash_table_lookup (host->connections, GUINT_TO_POINTER (domid));
  g_autofree char *path = NULL;
  g_autofree char *peer = NULL;

  if (conn != NULL && qmp_connection_get_state (conn) != QMP_CONNECTION_CLOSED)
    return conn;

  path = xen_qmp_host_dup_socket_path (host, domid);
  peer = g_strdup_printf ("domain %u", domid);
  conn = qmp_connection_new (path, peer, host->context, &host->config);
  qmp_connection_set_tag (conn, domid);
  if (!qmp_connection_open (conn, error))
    {
      qmp_connection_unref (conn);
      return NULL;
    }
  qmp_connection_add_observer (conn, &host_connection_callbacks, host);
  g_hash_table_replace (host->connections, GUINT_TO_POINTER (domid), conn);
  return conn;
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
