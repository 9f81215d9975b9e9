/* xen-qmp-client.c: the GObject client API for GLib applications
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-client.h"

#include <unistd.h>

#include "qmp-cancel-watch.h"
#include "qmp-connection.h"
#include "qmp-context.h"
#include "qmp-fdsets.h"
#include "qmp-property.h"
#include "xen-qmp-client-private.h"
#include "xen-qmp-enum-types.h"
#include "xen-qmp-error.h"
#include "xen-qmp-host-private.h"

/**
 * XenQmpClient:
 *
 * A QMP connection to one QEMU, for GLib applications: asynchronous calls
 * with a #GCancellable, QEMU's events as a signal.
 *
 * A client is made for a socket (xen_qmp_client_new_for_socket()) or for
 * a domain of a #XenQmpHost (xen_qmp_client_new_for_domain()). A domain's
 * client shares the host's connection to that domain's QEMU, which serves
 * one QMP client at a time: commands from the command API and from every
 * client of the domain go through it, and it stays open while a client is
 * connected.
 *
 * Threads: the client belongs to the #GMainContext that was
 * thread-default when it was created; callbacks and signals run there,
 * whatever context the caller has pushed. Its functions are called from
 * the thread that iterates that context: a call from another thread while
 * that thread runs the context is a programmer error, reported with a
 * critical naming the function, and otherwise ignored. Callbacks, events
 * and notifications are delivered after the connection's read step, in
 * the order of the wire: a handler may call a _sync function of the same
 * client.
 *
 * _sync calls: a _sync function iterates the library's own main context
 * alone (as g_dbus_connection_send_message_with_reply_sync() iterates its
 * own), never the client's or the caller's thread-default one: no source
 * of the application runs during the call, wherever it is made from (a
 * callback, a signal handler, with another context pushed, with no main
 * loop at all). What arrives for the application meanwhile (events,
 * notifications, other calls' callbacks) is delivered once the client's
 * context runs again, in the order of the wire. The library's own work
 * (other connections, timeouts, libxl's lock) goes on during the call.
 *
 * Initialisation: the client implements #GInitable and #GAsyncInitable,
 * whose initialisation is connecting (xen_qmp_client_connect_sync(),
 * xen_qmp_client_connect_async()), as #GDBusConnection does. So
 * `g_initable_new (XEN_QMP_TYPE_CLIENT, NULL, &error, "host", host,
 * "domid", 3, NULL)` (or `"socket-path", path`) returns a connected client,
 * or %NULL with the connect error; g_async_initable_new_async() likewise,
 * and from Python `client.init (None)` connects. A client made with
 * xen_qmp_client_new_for_socket() or xen_qmp_client_new_for_domain() need
 * not be initialised: it connects when asked to, or at its first execute.
 * Initialising again connects again if the connection has ended since.
 *
 * Events: the #XenQmpClient::event signal is emitted for each event QEMU
 * sends, detailed by the event name (`event::SHUTDOWN`). Events that
 * arrive before the connection is ready, or before the callback of
 * xen_qmp_client_connect_async() has run, are kept and emitted right after
 * it, so that a handler connected in that callback still sees them. Once
 * connected, an event nobody handles is dropped, as a signal is.
 *
 * Limits: QEMU may be compromised, so what it sends is bounded (see
 * #XenQmpClient:max-message-size, #XenQmpClient:max-depth,
 * #XenQmpClient:max-queued-commands and
 * #XenQmpClient:max-buffered-events). Going over one ends the client's
 * connection with an error that names the limit, and other connections go
 * on.
 *
 * Since: 0.1
 */

typedef struct {
  char       *name;
  JsonObject *data;
  gint64      timestamp_us;
} EarlyEvent;

struct _XenQmpClient {
  GObject        parent_instance;

  GMainContext  *context;
  char          *socket_path;
  XenQmpHost    *host;
  guint32        domid;
  guint          timeout_ms;
  gboolean       enable_oob;
  QmpLimits      limits;         /* a socket's connection; a domain's is the host's */
  guint          max_buffered_events;
  gboolean       validate;
  char          *schema_cache_dir;
  ClientSchemaState schema;

  QmpConnection *conn;           /* held and observed while set */
  guint          follow_id;      /* a domain's events, routed by the host */
  gboolean       connected;
  JsonObject    *greeting;
  GList         *connect_tasks;  /* GTask, waiting for ready */
  GHashTable    *tasks;          /* GTask -> ExecuteData: Active executes */

  GQueue         early_events;   /* EarlyEvent */
  GSource       *early_flush;
  QmpIoContext  *io;             /* the library's context, for its sources;
                                    its outbox runs signals and callbacks */
  gboolean       disposing;

  gboolean       reconnect;      /* XenQmpClient:reconnect */
  gint64         lost_at_us;     /* real time the connection was lost; 0: not lost */
  GSource       *reconnect_timer;
  guint          reconnect_delay_ms;
};

enum {
  PROP_0,
  PROP_SOCKET_PATH,
  PROP_HOST,
  PROP_DOMID,
  PROP_CONNECTED,
  PROP_GREETING,
  PROP_TIMEOUT_MS,
  PROP_ENABLE_OOB,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_DEPTH,
  PROP_MAX_ELEMENTS,
  PROP_MAX_QUEUED_COMMANDS,
  PROP_MAX_BUFFERED_EVENTS,
  PROP_VALIDATE,
  PROP_SCHEMA_CACHE_DIR,
  PROP_RECONNECT,
  N_PROPS
};

enum {
  SIGNAL_EVENT,
  SIGNAL_EVENT_GAP,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void xen_qmp_client_initable_iface_init       (GInitableIface      *iface);
static void xen_qmp_client_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XenQmpClient, xen_qmp_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      xen_qmp_client_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      xen_qmp_client_async_initable_iface_init))

static void client_drop_connection (XenQmpClient *client, const GError *reason);
static void stop_reconnecting (XenQmpClient *client);
static void schedule_reconnect (XenQmpClient *client);

static void
early_event_free (EarlyEvent *e)
{
  g_free (e->name);
  g_clear_pointer (&e->data, json_object_unref);
  g_free (e);
}

static void
xen_qmp_client_init (XenQmpClient *client)
{
  client->context = g_main_context_ref_thread_default ();
  client->io = qmp_io_context_get (client->context);
  client->enable_oob = TRUE;
  qmp_limits_init (&client->limits);
  client->max_buffered_events = QMP_DEFAULT_MAX_BUFFERED_EVENTS;
  client->tasks = g_hash_table_new (NULL, NULL);
  g_queue_init (&client->early_events);
}

static void
xen_qmp_client_dispose (GObject *object)
{
  XenQmpClient *client = XEN_QMP_CLIENT (object);

  client->disposing = TRUE;
  stop_reconnecting (client);
  if (client->conn != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                     "the XenQmpClient was destroyed");
      client_drop_connection (client, error);
    }
  if (client->early_flush != NULL)
    {
      g_source_destroy (client->early_flush);
      g_clear_pointer (&client->early_flush, g_source_unref);
    }
  g_queue_clear_full (&client->early_events, (GDestroyNotify) early_event_free);
  _xen_qmp_client_schema_state_clear (&client->schema);
  g_clear_object (&client->host);

  G_OBJECT_CLASS (xen_qmp_client_parent_class)->dispose (object);
}

static void
xen_qmp_client_finalize (GObject *object)
{
  XenQmpClient *client = XEN_QMP_CLIENT (object);

  g_hash_table_unref (client->tasks);
  g_clear_pointer (&client->greeting, json_object_unref);
  qmp_io_context_unref (client->io);
  g_main_context_unref (client->context);
  g_free (client->socket_path);
  g_free (client->schema_cache_dir);

  G_OBJECT_CLASS (xen_qmp_client_parent_class)->finalize (object);
}

static void
xen_qmp_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  XenQmpClient *client = XEN_QMP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SOCKET_PATH:
      g_value_set_string (value, client->socket_path);
      break;
    case PROP_HOST:
      g_value_set_object (value, client->host);
      break;
    case PROP_DOMID:
      g_value_set_uint (value, client->domid);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, client->connected);
      break;
    case PROP_GREETING:
      g_value_set_boxed (value, client->greeting);
      break;
    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, client->timeout_ms);
      break;
    case PROP_ENABLE_OOB:
      g_value_set_boolean (value, client->enable_oob);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, client->limits.max_message_size);
      break;
    case PROP_MAX_DEPTH:
      g_value_set_uint (value, client->limits.max_depth);
      break;
    case PROP_MAX_ELEMENTS:
      g_value_set_uint64 (value, client->limits.max_elements);
      break;
    case PROP_MAX_QUEUED_COMMANDS:
      g_value_set_uint (value, client->limits.max_queued);
      break;
    case PROP_MAX_BUFFERED_EVENTS:
      g_value_set_uint (value, client->max_buffered_events);
      break;
    case PROP_VALIDATE:
      g_value_set_boolean (value, client->validate);
      break;
    case PROP_SCHEMA_CACHE_DIR:
      g_value_set_string (value, client->schema_cache_dir);
      break;
    case PROP_RECONNECT:
      g_value_set_boolean (value, client->reconnect);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xen_qmp_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  XenQmpClient *client = XEN_QMP_CLIENT (object);
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case PROP_SOCKET_PATH:
      g_free (client->socket_path);
      client->socket_path = g_value_dup_string (value);
      break;
    case PROP_HOST:
      g_set_object (&client->host, g_value_get_object (value));
      break;
    case PROP_DOMID:
      client->domid = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT_MS:
      /* Notifies itself. */
      xen_qmp_client_set_timeout_ms (client, g_value_get_uint (value));
      break;
    case PROP_ENABLE_OOB:
      changed = qmp_property_change_boolean (&client->enable_oob, g_value_get_boolean (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      changed = qmp_property_change_size (&client->limits.max_message_size,
                                          g_value_get_uint64 (value));
      break;
    case PROP_MAX_DEPTH:
      changed = qmp_property_change_uint (&client->limits.max_depth, g_value_get_uint (value));
      break;
    case PROP_MAX_ELEMENTS:
      changed = qmp_property_change_size (&client->limits.max_elements,
                                          g_value_get_uint64 (value));
      break;
    case PROP_MAX_QUEUED_COMMANDS:
      changed = qmp_property_change_uint (&client->limits.max_queued, g_value_get_uint (value));
      break;
    case PROP_MAX_BUFFERED_EVENTS:
      changed = qmp_property_change_uint (&client->max_buffered_events, g_value_get_uint (value));
      break;
    case PROP_VALIDATE:
      changed = qmp_property_change_boolean (&client->validate, g_value_get_boolean (value));
      break;
    case PROP_SCHEMA_CACHE_DIR:
      changed = qmp_property_change_string (&client->schema_cache_dir, g_value_dup_string (value));
      break;
    case PROP_RECONNECT:
      changed = qmp_property_change_boolean (&client->reconnect, g_value_get_boolean (value));
      if (changed && !client->reconnect)
        stop_reconnecting (client);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  /* Construct-only properties never notify; the others are
   * G_PARAM_EXPLICIT_NOTIFY, and notify only when they change. */
  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
xen_qmp_client_constructed (GObject *object)
{
  XenQmpClient *client = XEN_QMP_CLIENT (object);

  G_OBJECT_CLASS (xen_qmp_client_parent_class)->constructed (object);
  if (client->host != NULL && client->socket_path == NULL)
    client->socket_path = xen_qmp_host_dup_socket_path (client->host, client->domid);
}

static void
xen_qmp_client_class_init (XenQmpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = xen_qmp_client_constructed;
  object_class->dispose = xen_qmp_client_dispose;
  object_class->finalize = xen_qmp_client_finalize;
  object_class->get_property = xen_qmp_client_get_property;
  object_class->set_property = xen_qmp_client_set_property;

  /**
   * XenQmpClient:socket-path:
   *
   * The QMP socket; for a domain's client, the host's socket of that
   * domain.
   *
   * Since: 0.1
   */
  properties[PROP_SOCKET_PATH] =
    g_param_spec_string ("socket-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:host:
   *
   * The host whose connection to #XenQmpClient:domid this client shares,
   * or %NULL for a client of a socket.
   *
   * Since: 0.1
   */
  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, XEN_QMP_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:domid:
   *
   * The domain, for a client made with xen_qmp_client_new_for_domain().
   *
   * Since: 0.1
   */
  properties[PROP_DOMID] =
    g_param_spec_uint ("domid", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:connected:
   *
   * Whether the connection is ready: QEMU greeted and capabilities were
   * negotiated.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:greeting:
   *
   * The `QMP` member of QEMU's greeting: its `version` (`qemu` with
   * `major`, `minor`, `micro`, and `package`) and `capabilities`; %NULL
   * before the first connection.
   *
   * Since: 0.1
   */
  properties[PROP_GREETING] =
    g_param_spec_boxed ("greeting", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:timeout-ms:
   *
   * The default timeout of connect and execute calls, in milliseconds; 0
   * for none.
   *
   * Since: 0.1
   */
  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:enable-oob:
   *
   * Whether a client of a socket enables QMP's `oob` capability when QEMU
   * offers it (a domain's client follows #XenQmpHost:enable-oob).
   *
   * Since: 0.1
   */
  properties[PROP_ENABLE_OOB] =
    g_param_spec_boolean ("enable-oob", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:max-message-size:
   *
   * The largest message a client of a socket accepts from QEMU, in bytes;
   * a larger one closes the connection with an error naming this limit.
   * It takes effect at the next connect. A domain's client shares the
   * host's connection, which follows #XenQmpHost:max-message-size.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 64, G_MAXSIZE,
                         QMP_DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:max-depth:
   *
   * The deepest nesting of JSON arrays and objects a client of a socket
   * accepts from QEMU, checked before the message is parsed (at most 1024,
   * so that parsing fits a 256 KiB thread stack). It takes effect at the
   * next connect; a domain's client follows #XenQmpHost:max-depth.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL, 2, QMP_MAX_DEPTH_CEILING,
                       QMP_DEFAULT_MAX_DEPTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:max-elements:
   *
   * The most JSON values (containers, members' values and array elements
   * all count) one message from QEMU may hold, counted by a strict scan
   * before anything is built: it bounds what a message costs once parsed,
   * which its size alone does not (8 MiB of `{},` would take 829 MB as a
   * tree). A message with more closes the connection with
   * %G_IO_ERROR_MESSAGE_TOO_LARGE naming this limit. The default, 131,072,
   * admits QEMU 9.x's largest reply (its schema, about 32,000 values) four
   * times over and keeps any accepted message's tree near 40 MB at most.
   * It takes effect at the next connect; a domain's client follows
   * #XenQmpHost:max-elements.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_ELEMENTS] =
    g_param_spec_uint64 ("max-elements", NULL, NULL, 1, G_MAXSIZE,
                         QMP_DEFAULT_MAX_ELEMENTS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:max-queued-commands:
   *
   * How many commands may be Active on a socket's connection; one more
   * fails with %G_IO_ERROR_BUSY. It takes effect at the next connect; a
   * domain's client follows #XenQmpHost:max-queued-commands.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_QUEUED_COMMANDS] =
    g_param_spec_uint ("max-queued-commands", NULL, NULL, 1, G_MAXUINT,
                       QMP_DEFAULT_MAX_QUEUED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:max-buffered-events:
   *
   * How many events the client keeps while they cannot be emitted yet:
   * before the callback of xen_qmp_client_connect_async() has run, and
   * during one _sync call (they are emitted once the client's context
   * runs again). One more means QEMU is flooding the client: the client's
   * connection ends with %G_IO_ERROR_NO_SPACE naming this limit, rather
   * than dropping events silently or growing without bound. A client of
   * a domain shares the host's connection, whose limit during a _sync
   * call is the default, 1,024.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_BUFFERED_EVENTS] =
    g_param_spec_uint ("max-buffered-events", NULL, NULL, 1, G_MAXUINT,
                       QMP_DEFAULT_MAX_BUFFERED_EVENTS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:validate:
   *
   * Whether every execute is first checked against QEMU's QAPI schema
   * (xen_qmp_schema_validate_command()). A command that fails completes
   * with %G_IO_ERROR_INVALID_ARGUMENT, naming the argument and what was
   * expected, and is not sent.
   *
   * A command is only ever refused by the schema this QEMU sent on this
   * connection (see xen_qmp_client_get_schema_async()). A schema cached
   * for the build the greeting claims (by the #XenQmpHost, or in
   * #XenQmpClient:schema-cache-dir) lets a command through without
   * fetching anything; when the cached schema would refuse it, the client
   * fetches this QEMU's own schema and decides on that, since any QEMU may
   * claim any version (since 0.2).
   *
   * Since: 0.1
   */
  properties[PROP_VALIDATE] =
    g_param_spec_boolean ("validate", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:reconnect:
   *
   * Whether the client connects again by itself when its connection is
   * lost (QEMU went away, closed the socket, broke the protocol; not
   * after xen_qmp_client_close()), so that an application that follows a
   * QEMU which restarts on the same socket needs no loop of its own.
   * #XenQmpClient::closed is still emitted, with the reason, and
   * #XenQmpClient:connected turns %FALSE; the client then tries again
   * after 100 ms, doubling the wait up to 5 s, until it is connected
   * (#XenQmpClient:connected turns %TRUE again), xen_qmp_client_close()
   * is called, or this property is set to %FALSE. Failed tries emit
   * nothing. Once connected again, #XenQmpClient::event-gap tells when
   * the connection was lost and when it came back: events QEMU sent in
   * between were missed. Commands executed while it is lost fail, as
   * without this property.
   *
   * Since: 0.1
   */
  properties[PROP_RECONNECT] =
    g_param_spec_boolean ("reconnect", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * XenQmpClient:schema-cache-dir:
   *
   * A directory where schemas are saved per QEMU build (version and
   * package string, from the greeting), so that another process talking
   * to a QEMU that claims the same build need not fetch the schema to let
   * a command through (#XenQmpClient:validate), such as
   * `$XDG_CACHE_HOME/xenqmp` for the `xen-qmp` tool. %NULL (the default)
   * keeps schemas in memory only. A corrupt or foreign file there is
   * ignored with a debug message.
   *
   * Since 0.2 the directory and its files are used only when they belong
   * to the effective user and nobody else may write them; they are opened
   * without following symbolic links or blocking (a FIFO there is
   * ignored), and written as 0600 files renamed into place. Anything else
   * is ignored with a debug message (`G_MESSAGES_DEBUG=XenQmp`) and the
   * schema is fetched instead.
   *
   * Since: 0.1
   */
  properties[PROP_SCHEMA_CACHE_DIR] =
    g_param_spec_string ("schema-cache-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * XenQmpClient::event:
   * @client: the client
   * @name: the event's name, such as `SHUTDOWN`
   * @data: (nullable): the event's `data` member
   * @timestamp_us: QEMU's timestamp in microseconds since the epoch, or -1
   *
   * QEMU sent an event. The signal is detailed by the event's name, so that
   * `event::SHUTDOWN` sees only those.
   *
   * Since: 0.1
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, JSON_TYPE_OBJECT, G_TYPE_INT64);
  /**
   * XenQmpClient::event-gap:
   * @client: the client
   * @since_us: when the gap began, in microseconds since the Unix epoch
   * @until_us: when events flowed again, on the same clock
   * @reason: why, in words
   *
   * Events that QEMU sent between @since_us and @until_us may have been
   * missed. It happens only to a client of a domain
   * (xen_qmp_client_new_for_domain()) that has no event monitor: while
   * nothing of the client's is Active, its connection hands QEMU's
   * socket over to libxl whenever libxl waits for it
   * (#XenQmpHost:lock-hold-ms); #XenQmpClient:connected stays %TRUE and
   * commands executed meanwhile wait. With an event monitor
   * (#XenQmpHost:event-socket-pattern), events come from there and none
   * are missed. Emitted in the order of the events; a state that events
   * would have told is worth asking for again.
   *
   * Since: 0.1
   */
  signals[SIGNAL_EVENT_GAP] =
    g_signal_new ("event-gap", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING);
  /**
   * XenQmpClient::closed:
   * @client: the client
   * @reason: why: QEMU went away, broke the protocol, the host was
   *   destroyed, or xen_qmp_client_close() was called
   *
   * The connection ended; Active executes have completed with an error.
   * A subscriber learns here that its VM's QEMU is gone.
   *
   * Since: 0.1
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

/**
 * xen_qmp_client_new_for_socket:
 * @socket_path: (type filename): a QMP unix socket
 *
 * Creates a client of the QEMU whose QMP monitor listens on @socket_path.
 *
 * Returns: (transfer full): a client of the QEMU listening on
 *   @socket_path, not connected yet
 *
 * Since: 0.1
 */
XenQmpClient *
xen_qmp_client_new_for_socket (const char *socket_path)
{
  g_return_val_if_fail (socket_path != NULL, NULL);
  return g_object_new (XEN_QMP_TYPE_CLIENT, "socket-path", socket_path, NULL);
}

/**
 * xen_qmp_client_new_for_domain:
 * @host: the host
 * @domid: a domain of @host
 *
 * Creates a client of @domid's QEMU on @host, sharing the host's
 * connection to it.
 *
 * Returns: (transfer full): a client of @domid's QEMU that shares @host's
 *   connection to it, not connected yet
 *
 * Since: 0.1
 */
XenQmpClient *
xen_qmp_client_new_for_domain (XenQmpHost *host, guint32 domid)
{
  g_return_val_if_fail (XEN_QMP_IS_HOST (host), NULL);
  return g_object_new (XEN_QMP_TYPE_CLIENT, "host", host, "domid", domid, NULL);
}

/* ---- GInitable, GAsyncInitable ------------------------------------- */

/* Initialisation is connecting, as for a GDBusConnection: g_initable_new()
 * and g_async_initable_new_async() give a connected client or the connect
 * error. The connect calls keep their own contract; these only forward. */
static gboolean
xen_qmp_client_initable_init (GInitable     *initable,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return xen_qmp_client_connect_sync (XEN_QMP_CLIENT (initable), cancellable, error);
}

static void
xen_qmp_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = xen_qmp_client_initable_init;
}

static void
xen_qmp_client_async_initable_init_async (GAsyncInitable      *initable,
                                          int                  io_priority,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  xen_qmp_client_connect_async (XEN_QMP_CLIENT (initable), cancellable, callback, user_data);
}

static gboolean
xen_qmp_client_async_initable_init_finish (GAsyncInitable  *initable,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return xen_qmp_client_connect_finish (XEN_QMP_CLIENT (initable), result, error);
}

static void
xen_qmp_client_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = xen_qmp_client_async_initable_init_async;
  iface->init_finish = xen_qmp_client_async_initable_init_finish;
}

/* ---- events -------------------------------------------------------- */

static void
emit_event (XenQmpClient *client, const char *name, JsonObject *data, gint64 timestamp_us)
{
  /* Not g_quark_from_string(): a hostile QEMU naming events at random
   * would grow the quark table forever. A name nobody connected to has no
   * quark, and then only undetailed handlers can want it. */
  GQuark detail = g_quark_try_string (name);

  /* The host's gaps travel with the events, to keep their order; QEMU
   * cannot send one (take_event() drops it). */
  if (strcmp (name, XEN_QMP_EVENT_GAP) == 0)
    {
      g_signal_emit (client, signals[SIGNAL_EVENT_GAP], 0,
                     _xen_qmp_gap_get_since (data), timestamp_us,
                     json_object_get_string_member_with_default (data, "reason", ""));
      return;
    }
  g_signal_emit (client, signals[SIGNAL_EVENT], detail, name, data, timestamp_us);
}

static gboolean
flush_early_events (gpointer user_data)
{
  XenQmpClient *client = user_data;
  EarlyEvent *e;

  g_clear_pointer (&client->early_flush, g_source_unref);
  g_object_ref (client);
  while (client->connected && (e = g_queue_pop_head (&client->early_events)) != NULL)
    {
      emit_event (client, e->name, e->data, e->timestamp_us);
      early_event_free (e);
    }
  g_object_unref (client);
  return G_SOURCE_REMOVE;
}

static void
schedule_early_flush (XenQmpClient *client)
{
  if (client->early_flush != NULL || g_queue_is_empty (&client->early_events))
    return;
  /* Below GTask's priority, so that connect's callback runs first. */
  client->early_flush = g_idle_source_new ();
  g_source_set_priority (client->early_flush, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (client->early_flush, flush_early_events, client, NULL);
  g_source_attach (client->early_flush, client->context);
}

/* Weak: a client dropped before its events are delivered has nobody to
 * deliver them to, and must not be kept (with its context) by them. */
typedef struct {
  GWeakRef      client;
  EarlyEvent    event;
} ClientEvent;

static void
client_event_deliver (gpointer data)
{
  ClientEvent *ce = data;
  g_autoptr(XenQmpClient) client = g_weak_ref_get (&ce->client);

  if (client != NULL)
    emit_event (client, ce->event.name, ce->event.data, ce->event.timestamp_us);
}

static void
client_event_free (gpointer data)
{
  ClientEvent *ce = data;

  g_weak_ref_clear (&ce->client);
  g_free (ce->event.name);
  g_clear_pointer (&ce->event.data, json_object_unref);
  g_free (ce);
}

static void
take_event (XenQmpClient *client, const char *name, JsonObject *data, gint64 timestamp_us)
{
  EarlyEvent *e;

  /* Emitted from the outbox, after the read step. */
  if (client->connected && g_queue_is_empty (&client->early_events)
      && client->early_flush == NULL)
    {
      ClientEvent *ce = g_new0 (ClientEvent, 1);

      g_weak_ref_init (&ce->client, client);
      ce->event.name = g_strdup (name);
      ce->event.data = data != NULL ? json_object_ref (data) : NULL;
      ce->event.timestamp_us = timestamp_us;
      qmp_outbox_push (qmp_io_context_get_outbox (client->io), client_event_deliver, ce,
                       client_event_free);
      return;
    }
  if (g_queue_get_length (&client->early_events) >= client->max_buffered_events)
    {
      g_autoptr(GError) error =
        g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                     "%s: QEMU sent more than %u events before they could be "
                     "delivered (limit max-buffered-events)",
                     client->socket_path, client->max_buffered_events);

      g_warning ("%s", error->message);
      g_queue_clear_full (&client->early_events, (GDestroyNotify) early_event_free);
      g_object_ref (client);
      client_drop_connection (client, error);
      g_object_unref (client);
      return;
    }
  e = g_new0 (EarlyEvent, 1);
  e->name = g_strdup (name);
  e->data = data != NULL ? json_object_ref (data) : NULL;
  e->timestamp_us = timestamp_us;
  g_queue_push_tail (&client->early_events, e);
  if (client->connected)
    schedule_early_flush (client);
}

static void
on_conn_event (QmpConnection *conn, const char *name, JsonObject *data,
               gint64 timestamp_us, gpointer user_data)
{
  XenQmpClient *client = user_data;

  /* A domain's events come through the host (on_domain_event()), from
   * the domain's event monitor when it has one. */
  if (client->host != NULL)
    return;
  if (strcmp (name, XEN_QMP_EVENT_GAP) == 0)
    {
      g_debug ("%s: QEMU sent an event named %s: dropped", client->socket_path, name);
      return;
    }
  take_event (client, name, data, timestamp_us);
}

static void
on_domain_event (const char *name, JsonObject *data, gint64 timestamp_us, gpointer user_data)
{
  take_event (user_data, name, data, timestamp_us);
}

static void
on_domain_gap (gint64 since_us, gint64 until_us, const char *reason, gpointer user_data)
{
  g_autoptr(JsonObject) data = _xen_qmp_gap_data_new (since_us, until_us, reason);

  take_event (user_data, XEN_QMP_EVENT_GAP, data, until_us);
}

static const XenQmpHostFollower client_follower = { on_domain_event, on_domain_gap };

/* ---- connecting ---------------------------------------------------- */

static void
complete_connect_tasks (GList *tasks, const GError *error)
{
  for (GList *l = tasks; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (error == NULL)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

/* What the application sees of a change of the connection: the client's
 * state has changed already; this runs from the outbox, after the I/O
 * step, in the order of the wire. Waiting connects complete first, then
 * notify::greeting and notify::connected, then (after a close) ::closed,
 * last. */
typedef struct {
  GWeakRef      client;          /* weak, as for events */
  GList        *connect_tasks;   /* GTask (each holds the client) */
  GError       *error;           /* why connects failed; NULL: they succeeded */
  gboolean      greeting;        /* notify::greeting */
  gboolean      connected;       /* notify::connected */
  gboolean      closed;          /* emit ::closed with ERROR */
  gboolean      tasks_only;      /* the library's own connects (below) */
} ClientChange;

static void
client_change_deliver (gpointer data)
{
  ClientChange *c = data;
  g_autoptr(XenQmpClient) client = g_weak_ref_get (&c->client);

  complete_connect_tasks (c->connect_tasks, c->error);
  if (client == NULL || c->tasks_only)
    return;
  if (c->greeting)
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_GREETING]);
  if (c->connected)
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_CONNECTED]);
  if (c->error == NULL)
    schedule_early_flush (client);
  if (c->closed)
    g_signal_emit (client, signals[SIGNAL_CLOSED], 0, c->error);
}

static void
client_change_free (gpointer data)
{
  ClientChange *c = data;

  g_list_free_full (c->connect_tasks, g_object_unref);
  g_clear_error (&c->error);
  g_weak_ref_clear (&c->client);
  g_free (c);
}

static ClientChange *
client_change_new (XenQmpClient *client)
{
  ClientChange *c = g_new0 (ClientChange, 1);

  g_weak_ref_init (&c->client, client);
  return c;
}

/* The connects of _sync calls and of the library's own steps, taken out
 * of C: they complete in the library's context, where they are waited
 * for while the application's context does not run. */
static ClientChange *
client_change_take_own_tasks (XenQmpClient *client, ClientChange *c)
{
  ClientChange *own = NULL;
  GList *l = c->connect_tasks;

  while (l != NULL)
    {
      GList *next = l->next;

      if (qmp_io_context_owns_task (client->io, l->data))
        {
          if (own == NULL)
            {
              own = client_change_new (client);
              own->tasks_only = TRUE;
              own->error = c->error != NULL ? g_error_copy (c->error) : NULL;
            }
          c->connect_tasks = g_list_remove_link (c->connect_tasks, l);
          own->connect_tasks = g_list_concat (own->connect_tasks, l);
        }
      l = next;
    }
  return own;
}

/* A client being disposed has nobody left to tell: what it owes (connects
 * started on a client that is going) is settled now. */
static void
client_change_push (XenQmpClient *client, ClientChange *c)
{
  ClientChange *own;

  if (client->disposing)
    {
      complete_connect_tasks (c->connect_tasks, c->error);
      client_change_free (c);
      return;
    }
  own = client_change_take_own_tasks (client, c);
  if (own != NULL)
    qmp_outbox_push (qmp_io_context_get_internal (client->io), client_change_deliver, own,
                     client_change_free);
  qmp_outbox_push (qmp_io_context_get_outbox (client->io), client_change_deliver, c,
                   client_change_free);
}

static void
on_conn_ready (QmpConnection *conn, gpointer user_data)
{
  XenQmpClient *client = user_data;
  JsonObject *greeting = qmp_connection_get_greeting (conn);
  ClientChange *c = client_change_new (client);

  /* Ready again after handing the socket to libxl: the same QEMU. */
  c->greeting = client->greeting == NULL || greeting == NULL
                || !json_object_equal (client->greeting, greeting);
  g_clear_pointer (&client->greeting, json_object_unref);
  client->greeting = greeting != NULL ? json_object_ref (greeting) : NULL;
  c->connected = !client->connected;
  client->connected = TRUE;
  c->connect_tasks = g_steal_pointer (&client->connect_tasks);
  client_change_push (client, c);
  if (client->lost_at_us != 0)
    {
      gint64 lost_at = client->lost_at_us;

      client->lost_at_us = 0;
      client->reconnect_delay_ms = 0;
      on_domain_gap (lost_at, g_get_real_time (),
                     "the connection was lost; the client connected again", client);
    }
}

static void
on_conn_closed (QmpConnection *conn, const GError *reason, gpointer user_data)
{
  XenQmpClient *client = user_data;
  g_autoptr(GError) fallback = NULL;

  if (reason == NULL)
    reason = fallback = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                     "%s: the connection was closed",
                                     qmp_connection_get_peer (conn));
  g_object_ref (client);
  if (client->reconnect && !client->disposing && client->lost_at_us == 0 && client->connected)
    client->lost_at_us = g_get_real_time ();
  client_drop_connection (client, reason);
  if (client->lost_at_us != 0)
    schedule_reconnect (client);
  g_object_unref (client);
}

static const QmpConnectionCallbacks client_connection_callbacks = {
  .ready = on_conn_ready,
  .event = on_conn_event,
  .closed = on_conn_closed,
};

/* An Active execute's, as its task data. */
typedef struct {
  XenQmpClient  *client;
  QmpConnection *conn;
  QmpCancelWatch *cancel;
  gint64         id;     /* the command's on CONN */
  QmpFdsetCall  *fdsets; /* or the chain that runs it (with fdsets) */
} ExecuteData;

/* Completes an Active execute now with REASON (NULL: cancelled); QEMU's
 * late reply is dropped, and a chain still removes its fdsets. */
static void
execute_abandon (GTask *task, const GError *reason)
{
  ExecuteData *data = g_task_get_task_data (task);

  if (data->fdsets != NULL)
    qmp_fdset_call_abandon (data->fdsets, reason);
  else
    qmp_connection_abandon (data->conn, task, data->id, reason);
}

/* Whom the client talks to, as its messages name it: the connection's
 * name for its peer ("domain 3", with its stub domain if any), or before
 * there is one "domain 3" or the socket's path. Every local error of a
 * client starts with it, so callers print messages as they are. */
char *
_xen_qmp_client_describe_peer (XenQmpClient *client)
{
  if (client->conn != NULL)
    return g_strdup (qmp_connection_get_peer (client->conn));
  if (client->host != NULL)
    return g_strdup_printf ("domain %u", client->domid);
  return g_strdup (client->socket_path);
}

/* ---- connecting again (XenQmpClient:reconnect) ---------------------- */

#define RECONNECT_FIRST_MS 100
#define RECONNECT_MAX_MS   5000

static gboolean ensure_connection (XenQmpClient *client, GError **error);

static void
stop_reconnecting (XenQmpClient *client)
{
  client->lost_at_us = 0;
  client->reconnect_delay_ms = 0;
  qmp_source_clear (&client->reconnect_timer);
}

static gboolean
on_reconnect (gpointer user_data)
{
  XenQmpClient *client = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&client->reconnect_timer, g_source_unref);
  /* Connected meanwhile (connect_async()), or giving up. */
  if (client->conn != NULL || client->lost_at_us == 0)
    return G_SOURCE_REMOVE;
  g_object_ref (client);
  if (!ensure_connection (client, &error))
    {
      g_debug ("%s: connecting again: %s", client->socket_path, error->message);
      schedule_reconnect (client);
    }
  g_object_unref (client);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (XenQmpClient *client)
{
  if (client->reconnect_timer != NULL || client->disposing)
    return;
  client->reconnect_delay_ms = client->reconnect_delay_ms == 0
                               ? RECONNECT_FIRST_MS
                               : MIN (client->reconnect_delay_ms * 2, RECONNECT_MAX_MS);
  client->reconnect_timer = qmp_timeout_attach (qmp_io_context_get_main (client->io),
                                                client->reconnect_delay_ms,
                                                on_reconnect, client, "[xenqmp] client reconnect");
}

static void
client_unfollow (XenQmpClient *client)
{
  if (client->follow_id != 0)
    _xen_qmp_host_unfollow (client->host, client->follow_id);
  client->follow_id = 0;
}

/* Ends the client's use of its connection: a socket's connection closes,
 * a domain's stays the host's. The client's state is final before any
 * user code runs: then (from the outbox) this client's Active executes
 * complete with REASON, waiting connects fail with it, notify::connected
 * and, last, ::closed. A connect started from any of those callbacks
 * starts afresh. */
static void
client_drop_connection (XenQmpClient *client, const GError *reason)
{
  QmpConnection *conn = g_steal_pointer (&client->conn);
  g_autoptr(GList) tasks = NULL;
  ClientChange *c;

  if (conn == NULL)
    return;
  qmp_connection_remove_observer (conn, &client_connection_callbacks, client);
  client_unfollow (client);
  tasks = g_hash_table_get_keys (client->tasks);
  for (GList *l = tasks; l != NULL; l = l->next)
    execute_abandon (l->data, reason);
  c = client_change_new (client);
  c->error = reason != NULL ? g_error_copy (reason)
             : g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED, "%s: the connection was closed",
                            qmp_connection_get_peer (conn));
  if (client->host == NULL)
    qmp_connection_close (conn, reason);
  qmp_connection_release (conn);
  qmp_connection_unref (conn);

  c->connect_tasks = g_steal_pointer (&client->connect_tasks);
  c->connected = client->connected;
  /* A failed try to connect again is not news. */
  c->closed = client->connected || (reason != NULL && client->lost_at_us == 0);
  client->connected = FALSE;
  client_change_push (client, c);
}

/* A connect gave up before the connection was ready, and nothing else
 * needs it: it goes quietly (no ::closed: the client never connected). A
 * socket's connection closes; a domain's is let go, and the host closes
 * it when nothing else holds it. */
static void
client_forget_connection (XenQmpClient *client)
{
  QmpConnection *conn = g_steal_pointer (&client->conn);

  qmp_connection_remove_observer (conn, &client_connection_callbacks, client);
  client_unfollow (client);
  if (client->host == NULL)
    qmp_connection_close (conn, NULL);
  qmp_connection_release (conn);
  qmp_connection_unref (conn);
}

static gboolean
ensure_connection (XenQmpClient *client, GError **error)
{
  QmpConnection *conn;

  if (client->conn != NULL)
    return TRUE;

  if (client->host != NULL)
    {
      if (xen_qmp_host_get_context (client->host) != client->context)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "the XenQmpClient and its XenQmpHost belong to different main contexts");
          return FALSE;
        }
      conn = _xen_qmp_host_connect (client->host, client->domid, FALSE, error);
      if (conn == NULL)
        return FALSE;
      client->follow_id = _xen_qmp_host_follow (client->host, client->domid,
                                                &client_follower, client, error);
      if (client->follow_id == 0)
        return FALSE;
      qmp_connection_ref (conn);
    }
  else
    {
      QmpConnectionConfig config = { 0 };

      config.limits = client->limits;
      config.limits.max_buffered_events = client->max_buffered_events;
      config.enable_oob = client->enable_oob;
      config.idle_timeout_ms = G_MAXUINT;
      config.drain_timeout_ms = 30000;
      conn = qmp_connection_new (client->socket_path, client->socket_path,
                                 client->context, &config);
      if (!qmp_connection_open (conn, error))
        {
          qmp_connection_unref (conn);
          return FALSE;
        }
    }

  client->conn = conn;
  qmp_connection_hold (conn);
  qmp_connection_add_observer (conn, &client_connection_callbacks, client);
  if (qmp_connection_get_state (conn) == QMP_CONNECTION_READY)
    on_conn_ready (conn, client);
  return TRUE;
}

typedef struct {
  XenQmpClient *client;
  GSource      *timeout;
  QmpCancelWatch *cancel;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  if (data->timeout != NULL)
    g_source_destroy (data->timeout);
  g_clear_pointer (&data->timeout, g_source_unref);
  g_clear_pointer (&data->cancel, qmp_cancel_watch_free);
  g_free (data);
}

/* A connect that gave up (cancelled, timed out) leaves the list early. */
static void
connect_give_up (GTask *task, GError *error)
{
  ConnectData *data = g_task_get_task_data (task);
  XenQmpClient *client = data->client;
  GList *link = g_list_find (client->connect_tasks, task);

  if (link == NULL)
    {
      g_error_free (error);
      return;
    }
  client->connect_tasks = g_list_delete_link (client->connect_tasks, link);
  /* Nothing else waits for a connection that never became ready: it must
   * not stay in QEMU's backlog, to be greeted (and hold QEMU's only QMP
   * slot, and libxl's lock) once the client that held it leaves. */
  if (client->connect_tasks == NULL && !client->connected
      && g_hash_table_size (client->tasks) == 0)
    client_forget_connection (client);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  XenQmpClient *client = data->client;
  g_autofree char *wait = client->conn != NULL ? qmp_connection_describe_wait (client->conn) : NULL;
  g_autofree char *peer = _xen_qmp_client_describe_peer (client);

  /* Say why: someone else's turn on the socket, libxl's lock, no QEMU. */
  connect_give_up (task, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                      "%s: not connected within %u ms%s%s",
                                      peer, client->timeout_ms,
                                      wait != NULL ? ": " : "", wait != NULL ? wait : ""));
  return G_SOURCE_REMOVE;
}

static gboolean
connect_cancelled_cb (gpointer user_data)
{
  GTask *task = user_data;
  g_autofree char *peer = _xen_qmp_client_describe_peer (g_task_get_source_object (task));

  connect_give_up (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                      "%s: connecting was cancelled", peer));
  return G_SOURCE_REMOVE;
}

/**
 * xen_qmp_client_connect_async:
 * @client: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the connection is ready or failed
 * @user_data: data for @callback
 *
 * Connects and negotiates capabilities, within #XenQmpClient:timeout-ms.
 * Succeeds at once when already connected. Executing without connecting
 * first connects too.
 *
 * Since: 0.1
 */
void
xen_qmp_client_connect_async (XenQmpClient        *client,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XEN_QMP_IS_CLIENT (client));
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", );
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _xen_qmp_client_connect_in (client, _xen_qmp_client_task_context (client, callback),
                              cancellable, callback, user_data);
}

void
_xen_qmp_client_connect_in (XenQmpClient        *client,
                            GMainContext        *task_context,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ConnectData *data;

  task = qmp_task_new_in (task_context, client, cancellable, callback, user_data);
  g_task_set_source_tag (task, xen_qmp_client_connect_async);
  /* A cancellation is returned in our words, which name the peer: GTask's
   * own check would say only "Operation was cancelled". */
  g_task_set_check_cancellable (task, FALSE);
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_autofree char *peer = _xen_qmp_client_describe_peer (client);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s: connecting was cancelled", peer);
      return;
    }
  if (!ensure_connection (client, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (client->connected)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_new0 (ConnectData, 1);
  data->client = client;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);
  if (client->timeout_ms > 0)
    {
      data->timeout = g_timeout_source_new (client->timeout_ms);
      g_source_set_callback (data->timeout, connect_timeout_cb, task, NULL);
      g_source_attach (data->timeout, qmp_io_context_get_main (client->io));
    }
  if (cancellable != NULL)
    {
      data->cancel = qmp_cancel_watch_new (cancellable, qmp_io_context_get_main (client->io),
                                           connect_cancelled_cb, task);
    }
  client->connect_tasks = g_list_append (client->connect_tasks, g_steal_pointer (&task));
}

/**
 * xen_qmp_client_connect_finish:
 * @client: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes xen_qmp_client_connect_async().
 *
 * Returns: whether the client is connected
 *
 * Since: 0.1
 */
gboolean
xen_qmp_client_connect_finish (XenQmpClient  *client,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A _sync call's task is made in the library's context (qmp-io-context.h)
 * and completes there; the call iterates that context alone, so no
 * source of the application runs meanwhile. The calls are made from the
 * thread that owns the client's context, or when none does. */
void
_xen_qmp_client_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GMainContext *
_xen_qmp_client_task_context (XenQmpClient *client, GAsyncReadyCallback callback)
{
  return callback == _xen_qmp_client_store_result ? qmp_io_context_get_main (client->io)
                                                   : client->context;
}

GAsyncResult *
_xen_qmp_client_wait_for_result (XenQmpClient *client, GAsyncResult **slot)
{
  qmp_io_context_wait (client->io, (gpointer *) slot);
  return *slot;
}

/**
 * xen_qmp_client_connect_sync:
 * @client: a client
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Connects, iterating the library's own main context until done: no
 * source of the application runs meanwhile, and #GObject::notify for
 * #XenQmpClient:connected comes once the client's context runs again (see
 * "_sync calls" in #XenQmpClient). Safe from inside the client's
 * callbacks and signal handlers.
 *
 * Returns: whether the client is connected
 *
 * Since: 0.1
 */
gboolean
xen_qmp_client_connect_sync (XenQmpClient  *client,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), FALSE);
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", FALSE);
  xen_qmp_client_connect_async (client, cancellable, _xen_qmp_client_store_result, &result);
  return xen_qmp_client_connect_finish (client, _xen_qmp_client_wait_for_result (client, &result), error);
}

/* ---- executing ----------------------------------------------------- */

static void
execute_data_free (ExecuteData *data)
{
  g_clear_pointer (&data->cancel, qmp_cancel_watch_free);
  g_clear_pointer (&data->conn, qmp_connection_unref);
  g_clear_pointer (&data->fdsets, qmp_fdset_call_unref);
  g_free (data);
}

/* Called by the connection just before the task returns: a signal
 * handler on notify::completed cost 6,000 instructions a command (make
 * bench-callgrind), a third of the rest. */
static void
on_execute_completed (GTask *task, gpointer user_data)
{
  ExecuteData *data = user_data;

  /* Done: stop listening for cancellation, forget the task. */
  g_clear_pointer (&data->cancel, qmp_cancel_watch_free);
  g_hash_table_remove (data->client->tasks, task);
}

GError *
_xen_qmp_client_cancelled_error (XenQmpClient *client, const char *command)
{
  g_autofree char *peer = _xen_qmp_client_describe_peer (client);

  return g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s: %s was cancelled",
                      peer, command);
}

static gboolean
execute_cancelled_cb (gpointer user_data)
{
  execute_abandon (user_data, NULL);
  return G_SOURCE_REMOVE;
}

static int *
dup_fds (GUnixFDList *fd_list, guint *n_fds, GError **error)
{
  int n = fd_list != NULL ? g_unix_fd_list_get_length (fd_list) : 0;
  g_autofree int *fds = NULL;

  *n_fds = 0;
  if (n == 0)
    return NULL;
  G_STATIC_ASSERT (QMP_FDSETS_MAX <= QMP_MAX_FDS_PER_COMMAND);
  if (n > QMP_MAX_FDS_PER_COMMAND)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%d file descriptors given; QEMU takes at most %d with a command",
                   n, QMP_MAX_FDS_PER_COMMAND);
      return NULL;
    }
  fds = g_new (int, n);
  for (int i = 0; i < n; i++)
    {
      fds[i] = g_unix_fd_list_get (fd_list, i, error);
      if (fds[i] < 0)
        {
          for (int j = 0; j < i; j++)
            close (fds[j]);
          return NULL;
        }
    }
  *n_fds = (guint) n;
  return g_steal_pointer (&fds);
}

/**
 * xen_qmp_client_execute_full_async:
 * @client: a client
 * @command: a QMP command, such as `query-status`
 * @arguments: (nullable): its arguments; not consumed
 * @fd_list: (nullable): file descriptors to send with the command (the
 *   list keeps its own; at most 16)
 * @flags: how to send it
 * @timeout_ms: -1 for #XenQmpClient:timeout-ms, 0 for none, or a timeout
 * @cancellable: (nullable): cancelling completes the call at once with
 *   %G_IO_ERROR_CANCELLED ("domain 3: query-status was cancelled"); QEMU's
 *   late reply is dropped
 * @callback: called once with the result
 * @user_data: data for @callback
 *
 * Runs @command, connecting first if needed. Local errors
 * (%G_IO_ERROR) start with the domain ("domain 3") or the socket's path.
 *
 * Since: 0.1
 */
void
xen_qmp_client_execute_full_async (XenQmpClient        *client,
                                   const char          *command,
                                   JsonObject          *arguments,
                                   GUnixFDList         *fd_list,
                                   XenQmpExecuteFlags   flags,
                                   gint                 timeout_ms,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (XEN_QMP_IS_CLIENT (client));
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", );
  g_return_if_fail (command != NULL);
  g_return_if_fail (fd_list == NULL || G_IS_UNIX_FD_LIST (fd_list));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = qmp_task_new_in (_xen_qmp_client_task_context (client, callback), client,
                          cancellable, callback, user_data);
  /* Named first: the source tag would name it too, for nothing. */
  g_task_set_name (task, command);
  g_task_set_source_tag (task, xen_qmp_client_execute_full_async);
  /* A cancellation names the peer and the command ("domain 3:
   * query-status was cancelled"), not GTask's "Operation was cancelled". */
  g_task_set_check_cancellable (task, FALSE);
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_error (task, _xen_qmp_client_cancelled_error (client, command));
      return;
    }
  if (client->validate)
    _xen_qmp_client_validate_then_execute (client, task, command, arguments, fd_list,
                                           flags, timeout_ms);
  else
    _xen_qmp_client_execute_task (client, task, command, arguments, fd_list,
                                  flags, timeout_ms);
}

void
_xen_qmp_client_execute_task (XenQmpClient        *client,
                              GTask               *task,
                              const char          *command,
                              JsonObject          *arguments,
                              GUnixFDList         *fd_list,
                              XenQmpExecuteFlags   flags,
                              gint                 timeout_ms)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  ExecuteData *data;
  int *fds;
  guint n_fds;

  if (!ensure_connection (client, &error)
      || !qmp_connection_can_execute (client->conn, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  fds = dup_fds (fd_list, &n_fds, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (ExecuteData, 1);
  data->client = client;
  data->conn = qmp_connection_ref (client->conn);
  g_task_set_task_data (task, data, (GDestroyNotify) execute_data_free);
  g_hash_table_add (client->tasks, task);
  if (cancellable != NULL)
    {
      data->cancel = qmp_cancel_watch_new (cancellable, qmp_io_context_get_main (client->io),
                                           execute_cancelled_cb, task);
    }
  if (flags & CLIENT_EXECUTE_WITH_FDSETS)
    data->fdsets = qmp_fdset_call_start (client->conn, task, command, arguments, fds, n_fds,
                                         timeout_ms < 0 ? client->timeout_ms : (guint) timeout_ms,
                                         on_execute_completed, data);
  else
    data->id = qmp_connection_execute (client->conn, task, command, arguments,
                                       (flags & XEN_QMP_EXECUTE_OUT_OF_BAND) != 0, fds, n_fds,
                                       timeout_ms < 0 ? client->timeout_ms : (guint) timeout_ms,
                                       on_execute_completed, data);
}

ClientSchemaState *
_xen_qmp_client_schema_state (XenQmpClient *client)
{
  return &client->schema;
}

XenQmpHost *
_xen_qmp_client_get_host (XenQmpClient *client)
{
  return client->host;
}

QmpIoContext *
_xen_qmp_client_get_io_context (XenQmpClient *client)
{
  return client->io;
}

GMainContext *
_xen_qmp_client_get_context (XenQmpClient *client)
{
  return client->context;
}

const char *
_xen_qmp_client_get_schema_cache_dir (XenQmpClient *client)
{
  return client->schema_cache_dir;
}

/**
 * xen_qmp_client_execute_async:
 * @client: a client
 * @command: a QMP command, such as `query-status`
 * @arguments: (nullable): its arguments; not consumed
 * @fd_list: (nullable): file descriptors to send with the command
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once with the result
 * @user_data: data for @callback
 *
 * Runs @command in-band with the client's default timeout; see
 * xen_qmp_client_execute_full_async().
 *
 * Since: 0.1
 */
void
xen_qmp_client_execute_async (XenQmpClient        *client,
                              const char          *command,
                              JsonObject          *arguments,
                              GUnixFDList         *fd_list,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  xen_qmp_client_execute_full_async (client, command, arguments, fd_list,
                                     XEN_QMP_EXECUTE_NONE, -1, cancellable,
                                     callback, user_data);
}

/**
 * xen_qmp_client_execute_finish:
 * @client: a client
 * @result: the result given to the callback
 * @error: return location for an error: a QMP error in the %XEN_QMP_ERROR
 *   domain (code: the #XenQmpErrorClass, message: QEMU's `desc`), or a
 *   local one in %G_IO_ERROR
 *
 * Finishes an execute started with xen_qmp_client_execute_async() or
 * xen_qmp_client_execute_full_async().
 *
 * Returns: (transfer full) (nullable): QEMU's `return` value, or %NULL
 *   with @error set
 *
 * Since: 0.1
 */
JsonNode *
xen_qmp_client_execute_finish (XenQmpClient  *client,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xen_qmp_client_execute_sync:
 * @client: a client
 * @command: a QMP command, such as `query-status`
 * @arguments: (nullable): its arguments; not consumed
 * @fd_list: (nullable): file descriptors to send with the command
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Runs @command, iterating the library's own main context until it
 * completes: no source of the application runs meanwhile, and events
 * QEMU sends meanwhile are emitted once the client's context runs again
 * (see "_sync calls" in #XenQmpClient). Safe from inside the client's
 * callbacks and signal handlers, the same client's included.
 *
 * Returns: (transfer full) (nullable): QEMU's `return` value, or %NULL
 *   with @error set
 *
 * Since: 0.1
 */
JsonNode *
xen_qmp_client_execute_sync (XenQmpClient  *client,
                             const char    *command,
                             JsonObject    *arguments,
                             GUnixFDList   *fd_list,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), NULL);
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", NULL);
  xen_qmp_client_execute_async (client, command, arguments, fd_list,
                                cancellable, _xen_qmp_client_store_result, &result);
  return xen_qmp_client_execute_finish (client, _xen_qmp_client_wait_for_result (client, &result), error);
}

/**
 * xen_qmp_client_execute_with_fdsets_async:
 * @client: a client
 * @command: the QMP command that opens the files, such as
 *   `blockdev-change-medium` or `xen-save-devices-state`
 * @arguments: (nullable): its arguments, where the string value `"@fd"`
 *   (or `"@fd0"`) stands for the first fd's fdset, `"@fd1"` for the
 *   second's, …; not consumed
 * @fd_list: the files QEMU opens, 1 to 16, each opened with the access
 *   mode QEMU asks for (`O_RDONLY` for a read-only CD, `O_WRONLY` for
 *   `xen-save-devices-state`: QEMU 7.2 hands out only an fd whose
 *   `O_ACCMODE` equals the mode it opens with); the list keeps its own
 * @cancellable: (nullable): cancelling completes the call at once with
 *   %G_IO_ERROR_CANCELLED; the fdsets made are still removed
 * @callback: called once with the result of @command
 * @user_data: data for @callback
 *
 * Runs @command with files the caller opened, as libxl passes them to
 * QEMU (Xen 4.17 tools/libs/light/libxl_disk.c cdrom_insert_addfd_cb,
 * libxl_qmp.c dm_state_fd_ready), on the client's connection: each fd of
 * @fd_list goes into a new fdset of its own (`add-fd`, the fd sent with
 * `SCM_RIGHTS`), @command runs with every placeholder replaced by its
 * fdset's `/dev/fdset/N` (a placeholder is a whole string value, at any
 * depth of @arguments), then `remove-fd` removes each fdset made,
 * whatever happened: success, QMP error, timeout, cancel. When the
 * connection ends, QEMU cleans up itself: it closes an fdset's fds once
 * no monitor is connected, none is in use and the guest runs (QEMU 7.2
 * monitor/misc.c monitor_fdset_cleanup). An fd QEMU still uses (a CD's
 * image) stays open in QEMU until it is done with it.
 *
 * Every placeholder must name an fd of @fd_list and every fd must be
 * named, or the call fails with %G_IO_ERROR_INVALID_ARGUMENT.
 * #XenQmpClient:timeout-ms applies to each step.
 *
 * When QEMU answered (@command's return value or a QMP error), the
 * callback runs once the `remove-fd`s are answered: no fdset of the call
 * is left then. A local error (a step's timeout, the connection lost)
 * and a cancellation complete the call at once, the `remove-fd`s
 * following in the background.
 *
 * From Python:
 * |[<!-- language="plain" -->
 *   fd = os.open("cd.iso", os.O_RDONLY)
 *   fds = Gio.UnixFDList.new_from_array([fd])   # takes fd
 *   client.execute_with_fdsets_sync("blockdev-change-medium",
 *       args,   # {"id": "cd0dev", "filename": "@fd", ...} as a Json.Object
 *       fds, None)
 * ]|
 *
 * Since: 0.1
 */
void
xen_qmp_client_execute_with_fdsets_async (XenQmpClient        *client,
                                          const char          *command,
                                          JsonObject          *arguments,
                                          GUnixFDList         *fd_list,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (XEN_QMP_IS_CLIENT (client));
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", );
  g_return_if_fail (command != NULL);
  g_return_if_fail (G_IS_UNIX_FD_LIST (fd_list));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = qmp_task_new_in (_xen_qmp_client_task_context (client, callback), client,
                          cancellable, callback, user_data);
  g_task_set_name (task, command);
  g_task_set_source_tag (task, xen_qmp_client_execute_with_fdsets_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!qmp_fdsets_check_arguments (arguments, (guint) g_unix_fd_list_get_length (fd_list),
                                   &error))
    {
      g_prefix_error (&error, "%s: ", command);
      g_task_return_error (task, error);
      return;
    }
  if (client->validate)
    _xen_qmp_client_validate_then_execute (client, task, command, arguments, fd_list,
                                           CLIENT_EXECUTE_WITH_FDSETS, -1);
  else
    _xen_qmp_client_execute_task (client, task, command, arguments, fd_list,
                                  CLIENT_EXECUTE_WITH_FDSETS, -1);
}

/**
 * xen_qmp_client_execute_with_fdsets_finish:
 * @client: a client
 * @result: the result given to the callback
 * @error: return location for an error, as for
 *   xen_qmp_client_execute_finish()
 *
 * Finishes xen_qmp_client_execute_with_fdsets_async().
 *
 * Returns: (transfer full) (nullable): QEMU's `return` value for the
 *   command, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
xen_qmp_client_execute_with_fdsets_finish (XenQmpClient  *client,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xen_qmp_client_execute_with_fdsets_sync:
 * @client: a client
 * @command: the QMP command that opens the files
 * @arguments: (nullable): its arguments, with placeholders; not consumed
 * @fd_list: the files QEMU opens; the list keeps its own
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The synchronous form of xen_qmp_client_execute_with_fdsets_async(),
 * iterating the library's own main context as
 * xen_qmp_client_execute_sync() does.
 *
 * Returns: (transfer full) (nullable): QEMU's `return` value for the
 *   command, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
xen_qmp_client_execute_with_fdsets_sync (XenQmpClient  *client,
                                         const char    *command,
                                         JsonObject    *arguments,
                                         GUnixFDList   *fd_list,
                                         GCancellable  *cancellable,
                                         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), NULL);
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", NULL);
  xen_qmp_client_execute_with_fdsets_async (client, command, arguments, fd_list, cancellable,
                                            _xen_qmp_client_store_result, &result);
  return xen_qmp_client_execute_with_fdsets_finish (client,
                                                    _xen_qmp_client_wait_for_result (client, &result),
                                                    error);
}

/**
 * xen_qmp_client_close:
 * @client: a client
 *
 * Ends the client's connection: the client is not connected when this
 * returns; then, from the client's main context, Active executes and
 * connects complete with %G_IO_ERROR_CLOSED and #XenQmpClient::closed is
 * emitted, last. A domain's connection stays the host's: it closes once
 * nothing else needs it. The client may connect again at once.
 *
 * Since: 0.1
 */
void
xen_qmp_client_close (XenQmpClient *client)
{
  g_autoptr(GError) reason = NULL;

  g_return_if_fail (XEN_QMP_IS_CLIENT (client));
  QMP_CHECK_THREAD (_xen_qmp_client_get_context (client), "XenQmpClient", );
  stop_reconnecting (client);
  if (client->conn == NULL)
    return;
  reason = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                        "%s: closed by xen_qmp_client_close()",
                        qmp_connection_get_peer (client->conn));
  client_drop_connection (client, reason);
}

/**
 * xen_qmp_client_get_connected:
 * @client: a client
 *
 * Whether the connection is ready for commands.
 *
 * Returns: the value of #XenQmpClient:connected
 *
 * Since: 0.1
 */
gboolean
xen_qmp_client_get_connected (XenQmpClient *client)
{
  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), FALSE);
  return client->connected;
}

/**
 * xen_qmp_client_get_greeting:
 * @client: a client
 *
 * The `QMP` member of QEMU's last greeting: version and capabilities.
 *
 * Returns: (transfer none) (nullable): the value of #XenQmpClient:greeting
 *
 * Since: 0.1
 */
JsonObject *
xen_qmp_client_get_greeting (XenQmpClient *client)
{
  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), NULL);
  return client->greeting;
}

/**
 * xen_qmp_client_get_socket_path:
 * @client: a client
 *
 * The QMP socket this client connects to.
 *
 * Returns: (type filename): the value of #XenQmpClient:socket-path
 *
 * Since: 0.1
 */
const char *
xen_qmp_client_get_socket_path (XenQmpClient *client)
{
  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), NULL);
  return client->socket_path;
}

/**
 * xen_qmp_client_get_timeout_ms:
 * @client: a client
 *
 * The default timeout of connects and executes.
 *
 * Returns: the value of #XenQmpClient:timeout-ms
 *
 * Since: 0.1
 */
guint
xen_qmp_client_get_timeout_ms (XenQmpClient *client)
{
  g_return_val_if_fail (XEN_QMP_IS_CLIENT (client), 0);
  return client->timeout_ms;
}

/**
 * xen_qmp_client_set_timeout_ms:
 * @client: a client
 * @timeout_ms: the default timeout in milliseconds, 0 for none
 *
 * Sets #XenQmpClient:timeout-ms; calls already made keep theirs.
 *
 * Since: 0.1
 */
void
xen_qmp_client_set_timeout_ms (XenQmpClient *client, guint timeout_ms)
{
  g_return_if_fail (XEN_QMP_IS_CLIENT (client));
  if (client->timeout_ms == timeout_ms)
    return;
  client->timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_TIMEOUT_MS]);
}
