/* soak.c: make soak, a million commands through the library under chaos
 *
 * One host, one GMainContext, one thread, as a toolstack runs it: a fixed
 * number of commands stay in flight over many fake domains (fake-qemu
 * processes in a temporary run dir, xenstore off), while the chaos kills,
 * terminates, stops and restarts those processes, makes domains quit,
 * disposes Active commands, cancels and closes clients, and gives some
 * commands short timeouts. Every command has a serial number and a state,
 * so that a second callback, a callback after dispose and a command never
 * called back are counted, not guessed. See tests/soak/README.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <xenqmp/xenqmp.h>

#include "../bench/bench-run-dir.h"
#include "soak-fleet.h"
#include "soak-report.h"

/* A callback's user_data is its command's entry in Soak.states: it names
 * the command, not the slot, so that a late callback is told apart from
 * the callback of the command that reused its slot. */
#define TOKEN(soak, serial) ((gpointer) &(soak)->states[serial])

/* How long the soak waits, once everything is sent, for the last
 * callbacks: far more than the longest timeout plus the longest stop. */
#define DRAIN_WAIT_US (30 * G_USEC_PER_SEC)
#define LONG_TIMEOUT_MS 5000

typedef enum {
  STATE_UNSENT = 0,
  STATE_ACTIVE,
  STATE_DONE,
  STATE_DISPOSED,
} CommandState;

typedef enum {
  KIND_QUERY_STATUS,
  KIND_QUERY_VERSION,
  KIND_STOP,
  KIND_CONT,
  KIND_UNKNOWN_COMMAND,   /* CommandNotFound */
  KIND_DEVICE_DEL,        /* DeviceNotFound */
  KIND_BAD_ARGUMENTS,     /* GenericError */
  KIND_GETFD,             /* sends an fd; its callback execs KIND_CLOSEFD */
  KIND_CLOSEFD,
  KIND_QUIT,              /* the domain goes until its process restarts */
  KIND_CONNECT,           /* xen_qmp_client_connect_async (): no command */
} CommandKind;

typedef struct {
  XenQmpCmd      cmd;
  guint64        serial;        /* 0: free */
  CommandKind    kind;
  guint32        domid;
  gboolean       via_client;
  GCancellable  *cancellable;   /* via_client */
  gint64         dispose_at;    /* 0, or when to dispose (cancel) it */
} Slot;

typedef struct {
  /* Options. */
  guint64        commands;
  guint          n_domains;
  guint          per_process;
  guint          in_flight;
  guint32        seed;
  guint          chaos_every;
  guint          idle_timeout_ms;
  guint          rss_margin_pct;
  double         client_share;
  const char    *fake_qemu;

  GRand         *rand;
  GMainContext  *context;
  char          *run_dir;
  Fleet          fleet;
  XenQmpHost    *host;
  XenQmpClient **clients;       /* by domid; made when first needed */
  JsonObject    *args_device_del;
  JsonObject    *args_bad;
  JsonObject    *args_fdname;

  Slot          *slots;
  guint          n_active;
  guint8        *states;        /* by serial */
  guint64        next_serial;
  guint64        ended;         /* callbacks and disposes so far */
  guint64        next_chaos;
  guint32        quit_domid;    /* the next command is a quit to it */
  GArray        *dispose_in_callback;  /* serials: disposed by the next callback */
  gboolean       in_exec;
  gboolean       chaos_over;
  gboolean       finished;      /* the report is being made: late callbacks ignored */
  gint64         drain_deadline;
  gint64         started_at;
  gint64         next_progress;
  gint64         next_fleet_tick;

  SoakStats      stats;
} Soak;

/* KIND and DOMID: -1 and 0 for random ones. */
static gboolean slot_start (Soak *soak, Slot *slot, int kind, guint32 domid);

/* Callbacks get a command's token, not the Soak. */
static Soak *soak_self;

static gboolean
chance (Soak *soak, double p)
{
  return g_rand_double (soak->rand) < p;
}

static gint64
random_us (Soak *soak, guint min_ms, guint max_ms)
{
  return (gint64) g_rand_int_range (soak->rand, (gint32) min_ms, (gint32) max_ms + 1) * 1000;
}

static const char *
kind_command (CommandKind kind)
{
  switch (kind)
    {
    case KIND_QUERY_STATUS: return "query-status";
    case KIND_BAD_ARGUMENTS: return "query-status";
    case KIND_QUERY_VERSION: return "query-version";
    case KIND_STOP: return "stop";
    case KIND_CONT: return "cont";
    case KIND_UNKNOWN_COMMAND: return "xen-soak-no-such-command";
    case KIND_DEVICE_DEL: return "device_del";
    case KIND_GETFD: return "getfd";
    case KIND_CLOSEFD: return "closefd";
    case KIND_QUIT: return "quit";
    case KIND_CONNECT: return "(connect)";
    default: g_assert_not_reached ();
    }
}

static JsonObject *
kind_arguments (Soak *soak, CommandKind kind)
{
  switch (kind)
    {
    case KIND_DEVICE_DEL: return soak->args_device_del;
    case KIND_BAD_ARGUMENTS: return soak->args_bad;
    case KIND_GETFD:
    case KIND_CLOSEFD: return soak->args_fdname;
    default: return NULL;
    }
}

static CommandKind
random_kind (Soak *soak)
{
  guint r = (guint) g_rand_int_range (soak->rand, 0, 100);

  if (r < 62) return KIND_QUERY_STATUS;
  if (r < 72) return KIND_QUERY_VERSION;
  if (r < 74) return KIND_STOP;
  if (r < 77) return KIND_CONT;
  if (r < 82) return KIND_UNKNOWN_COMMAND;
  if (r < 87) return KIND_DEVICE_DEL;
  if (r < 92) return KIND_BAD_ARGUMENTS;
  return KIND_GETFD;
}

/* Whether a reply fits its command: a reply matched to the wrong id
 * would show here. */
static gboolean
reply_fits (CommandKind kind, JsonNode *response, const GError *error)
{
  JsonObject *object;

  if (error != NULL && error->domain != XEN_QMP_ERROR)
    return TRUE;   /* local: any command may fail so */
  switch (kind)
    {
    case KIND_UNKNOWN_COMMAND:
      return error != NULL && error->code == XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND;
    case KIND_DEVICE_DEL:
      return error != NULL && error->code == XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND;
    case KIND_BAD_ARGUMENTS:
      return error != NULL && error->code == XEN_QMP_ERROR_CLASS_GENERIC_ERROR;
    case KIND_CLOSEFD:
      /* The name is gone if the process restarted since the getfd. */
      if (error != NULL)
        return error->code == XEN_QMP_ERROR_CLASS_GENERIC_ERROR;
      break;
    default:
      if (error != NULL)
        return FALSE;
      break;
    }
  if (!JSON_NODE_HOLDS_OBJECT (response))
    return FALSE;
  object = json_node_get_object (response);
  switch (kind)
    {
    case KIND_QUERY_STATUS:
      return json_object_has_member (object, "status");
    case KIND_QUERY_VERSION:
      return json_object_has_member (object, "qemu");
    default:
      return json_object_get_size (object) == 0;
    }
}

/* ---- ending commands ----------------------------------------------- */

static void
take_reading (Soak *soak)
{
  if (soak->ended == soak->stats.warm_after)
    soak_resources_read (&soak->stats.warm);
}

static void
slot_free (Soak *soak, Slot *slot)
{
  slot->serial = 0;
  slot->dispose_at = 0;
  g_clear_object (&slot->cancellable);
  soak->n_active--;
  soak->ended++;
  take_reading (soak);
}

/* Disposes (command API) or cancels (client) an Active command. */
static void
slot_abandon (Soak *soak, Slot *slot)
{
  if (slot->via_client)
    {
      /* The callback still comes, once: with CANCELLED, or with the
       * result if that was already on its way. */
      slot->dispose_at = 0;
      g_cancellable_cancel (slot->cancellable);
      soak->stats.cancelled++;
      return;
    }
  xen_qmp_cmd_dispose (&slot->cmd);
  if (xen_qmp_cmd_is_active (&slot->cmd))
    soak->stats.active_inside++;
  soak->states[slot->serial] = STATE_DISPOSED;
  soak->stats.disposed++;
  slot_free (soak, slot);
}

/* The slot running SERIAL, or NULL. HINT, if not NULL, is tried first:
 * the command API's callbacks know their slot from the cmd; the others
 * search the few hundred slots. */
static Slot *
slot_of (Soak *soak, guint64 serial, Slot *hint)
{
  if (hint != NULL && hint->serial == serial)
    return hint;
  for (guint i = 0; i < soak->in_flight; i++)
    if (soak->slots[i].serial == serial)
      return &soak->slots[i];
  return NULL;
}

/* The state check every callback starts with. Returns the slot whose
 * command this callback ends, or NULL when it must be ignored (a broken
 * guarantee, counted). */
static Slot *
callback_begins (Soak *soak, gpointer token, Slot *hint)
{
  guintptr offset = (guintptr) token - (guintptr) soak->states;
  guint64 serial = offset;
  Slot *slot;

  if (soak->finished)
    return NULL;
  if (soak->in_exec)
    soak->stats.reentrant++;
  if ((guintptr) token < (guintptr) soak->states || serial == 0 || serial >= soak->next_serial)
    {
      soak->stats.twice++;
      return NULL;
    }
  switch ((CommandState) soak->states[serial])
    {
    case STATE_ACTIVE:
      break;
    case STATE_DONE:
      soak->stats.twice++;
      return NULL;
    case STATE_DISPOSED:
      soak->stats.after_dispose++;
      return NULL;
    case STATE_UNSENT:
    default:
      soak->stats.twice++;
      return NULL;
    }
  soak->states[serial] = STATE_DONE;
  slot = slot_of (soak, serial, hint);
  if (slot == NULL)
    /* Active, yet no slot runs it: the bookkeeping is wrong. */
    soak->stats.twice++;
  return slot;
}

static void
count_outcome (Soak *soak, Slot *slot, JsonNode *response, const GError *error)
{
  SoakStats *stats = &soak->stats;

  /* A connect succeeds with neither. */
  if ((response != NULL) == (error != NULL) && slot->kind != KIND_CONNECT)
    stats->bad_arguments++;
  if (error == NULL)
    stats->ok++;
  else if (error->domain == XEN_QMP_ERROR && error->code < SOAK_N_CLASSES)
    stats->qmp_errors[error->code]++;
  else if (error->domain == G_IO_ERROR && error->code < SOAK_N_IO_CODES)
    stats->local_errors[error->code]++;
  else
    stats->other_errors++;
  if (slot->kind != KIND_CONNECT && !reply_fits (slot->kind, response, error))
    {
      /* The first few are shown: the count alone does not say what. */
      if (stats->mismatched++ < 10)
        {
          g_autofree char *text = response != NULL ? json_to_string (response, FALSE) : NULL;

          fprintf (stderr, "soak: %s to domain %u%s got %s\n", kind_command (slot->kind),
                   slot->domid, slot->via_client ? " (XenQmpClient)" : "",
                   text != NULL ? text : error->message);
        }
    }
}

/* What every callback ends with: the chaos that runs from inside
 * callbacks, then the slot's next command, exec'd from inside the
 * callback as a toolstack's state machine would. */
static void
callback_ends (Soak *soak, Slot *slot, CommandKind kind, guint32 domid)
{
  if (soak->dispose_in_callback->len > 0)
    {
      guint64 serial = g_array_index (soak->dispose_in_callback, guint64,
                                      soak->dispose_in_callback->len - 1);
      Slot *victim = slot_of (soak, serial, NULL);

      g_array_set_size (soak->dispose_in_callback, soak->dispose_in_callback->len - 1);
      /* Unless it ended meanwhile. */
      if (victim != NULL)
        slot_abandon (soak, victim);
    }

  if (kind == KIND_GETFD && !slot->via_client)
    {
      /* Through the same connection: the name was set on it. */
      if (slot_start (soak, slot, KIND_CLOSEFD, domid))
        soak->stats.reused_in_callback++;
    }
  else if (chance (soak, 0.9))
    {
      if (slot_start (soak, slot, -1, 0))
        soak->stats.reused_in_callback++;
    }
}

static void
cmd_done (XenQmpCmd        *cmd,
          JsonNode         *response,
          XenQmpErrorClass  error_class,
          const GError     *error,
          gpointer          user_data)
{
  Soak *soak = soak_self;
  Slot *slot = callback_begins (soak, user_data,
                                (Slot *) ((char *) cmd - G_STRUCT_OFFSET (Slot, cmd)));
  CommandKind kind;
  guint32 domid;

  if (slot == NULL)
    return;
  if (xen_qmp_cmd_is_active (cmd) || cmd != &slot->cmd)
    soak->stats.active_inside++;
  if ((error_class == XEN_QMP_ERROR_CLASS_NONE) != (error == NULL)
      || (error != NULL && error->domain == XEN_QMP_ERROR && (int) error_class != error->code)
      || (error != NULL && error->domain == G_IO_ERROR && error_class != XEN_QMP_ERROR_CLASS_LOCAL))
    soak->stats.bad_arguments++;
  count_outcome (soak, slot, response, error);
  kind = slot->kind;
  domid = slot->domid;
  slot_free (soak, slot);
  callback_ends (soak, slot, kind, domid);
}

static void
client_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Soak *soak = soak_self;
  Slot *slot = callback_begins (soak, user_data, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) response = NULL;
  CommandKind kind;
  guint32 domid;

  response = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, &error);
  if (slot == NULL)
    return;
  count_outcome (soak, slot, response, error);
  kind = slot->kind;
  domid = slot->domid;
  slot_free (soak, slot);
  callback_ends (soak, slot, kind, domid);
}

static void
connect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Soak *soak = soak_self;
  Slot *slot = callback_begins (soak, user_data, NULL);
  g_autoptr(GError) error = NULL;
  gboolean connected;
  guint32 domid;

  connected = xen_qmp_client_connect_finish (XEN_QMP_CLIENT (source), result, &error);
  if (slot == NULL)
    return;
  if (connected == (error != NULL))
    soak->stats.bad_arguments++;
  count_outcome (soak, slot, NULL, error);
  domid = slot->domid;
  slot_free (soak, slot);
  callback_ends (soak, slot, KIND_CONNECT, domid);
}

/* ---- starting commands --------------------------------------------- */

static XenQmpClient *
client_for (Soak *soak, guint32 domid)
{
  if (soak->clients[domid] == NULL)
    soak->clients[domid] = xen_qmp_client_new_for_domain (soak->host, domid);
  return soak->clients[domid];
}

static guint
random_timeout_ms (Soak *soak)
{
  guint r = (guint) g_rand_int_range (soak->rand, 0, 100);

  /* Short ones expire only when the device model is stopped (or the
   * machine is very busy); long ones bound what a stop costs. */
  if (r < 20)
    return (guint) g_rand_int_range (soak->rand, 30, 401);
  if (r < 60)
    return LONG_TIMEOUT_MS;
  return 0;
}

static void
count_refused (Soak *soak, const GError *error)
{
  if (error->domain == G_IO_ERROR && error->code < SOAK_N_IO_CODES)
    soak->stats.refused_sync[error->code]++;
  else
    soak->stats.other_errors++;
}

static void chaos (Soak *soak);

/* Starts the next command in SLOT (free). Returns whether one is Active;
 * FALSE when all are sent or exec refused it (counted). */
static gboolean
slot_start (Soak *soak, Slot *slot, int kind, guint32 domid)
{
  guint64 serial = soak->next_serial;
  g_autoptr(GError) error = NULL;
  guint timeout_ms;
  gboolean ok;

  g_assert (slot->serial == 0);
  if (serial > soak->commands)
    return FALSE;
  if (kind < 0 && soak->quit_domid != 0)
    {
      kind = KIND_QUIT;
      domid = soak->quit_domid;
      soak->quit_domid = 0;
    }
  if (kind < 0)
    kind = random_kind (soak);
  if (domid == 0)
    domid = (guint32) g_rand_int_range (soak->rand, 1, (gint32) soak->n_domains + 1);
  timeout_ms = random_timeout_ms (soak);

  slot->kind = kind;
  slot->domid = domid;
  /* Descriptors go through the command API only. */
  slot->via_client = kind != KIND_GETFD && kind != KIND_CLOSEFD && chance (soak, soak->client_share);
  /* Some client work is a connect (at once when already connected,
   * otherwise waiting for the greeting: a stopped QEMU's keeps it). */
  if (slot->via_client && kind == KIND_QUERY_STATUS && chance (soak, 0.1))
    slot->kind = kind = KIND_CONNECT;
  soak->in_exec = TRUE;
  if (kind == KIND_CONNECT)
    {
      slot->cancellable = g_cancellable_new ();
      xen_qmp_client_connect_async (client_for (soak, domid), slot->cancellable,
                                    connect_done, TOKEN (soak, serial));
      ok = TRUE;
    }
  else if (slot->via_client)
    {
      slot->cancellable = g_cancellable_new ();
      xen_qmp_client_execute_full_async (client_for (soak, domid), kind_command (kind),
                                         kind_arguments (soak, kind), NULL,
                                         XEN_QMP_EXECUTE_NONE, (gint) timeout_ms,
                                         slot->cancellable, client_done,
                                         TOKEN (soak, serial));
      ok = TRUE;
    }
  else
    {
      slot->cmd.timeout_ms = timeout_ms;
      slot->cmd.fd = kind == KIND_GETFD ? open ("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
      ok = xen_qmp_cmd_exec (soak->host, &slot->cmd, cmd_done, TOKEN (soak, serial),
                             domid, kind_command (kind), kind_arguments (soak, kind), &error);
      if (slot->cmd.fd != -1)
        soak->stats.bad_arguments++;   /* the fd belongs to the library now */
    }
  soak->in_exec = FALSE;
  if (!ok)
    {
      count_refused (soak, error);
      return FALSE;
    }

  soak->next_serial++;
  soak->states[serial] = STATE_ACTIVE;
  slot->serial = serial;
  soak->n_active++;
  soak->stats.sent++;
  soak->stats.via_client += slot->via_client;
  soak->stats.quits += kind == KIND_QUIT;
  soak->stats.connects += kind == KIND_CONNECT;

  /* About 3% are abandoned: at once (before any I/O), from inside some
   * other command's callback, or a little later from the main loop. */
  if (chance (soak, 0.03))
    switch (g_rand_int_range (soak->rand, 0, 3))
      {
      case 0:
        slot_abandon (soak, slot);
        break;
      case 1:
        g_array_append_val (soak->dispose_in_callback, serial);
        break;
      default:
        slot->dispose_at = g_get_monotonic_time () + random_us (soak, 0, 20);
        break;
      }

  if (!soak->chaos_over && soak->stats.sent >= soak->next_chaos)
    {
      soak->next_chaos += soak->chaos_every;
      chaos (soak);
    }
  return TRUE;
}

/* ---- chaos --------------------------------------------------------- */

static FleetProcess *
random_running_process (Soak *soak)
{
  g_autofree FleetProcess **running = g_new (FleetProcess *, soak->fleet.n_procs);
  guint n = 0;

  for (guint i = 0; i < soak->fleet.n_procs; i++)
    if (soak->fleet.procs[i].state == FLEET_RUNNING && soak->fleet.procs[i].restart_at == 0)
      running[n++] = &soak->fleet.procs[i];
  if (n == 0)
    return NULL;
  return running[g_rand_int_range (soak->rand, 0, (gint32) n)];
}

static void
chaos (Soak *soak)
{
  guint r = (guint) g_rand_int_range (soak->rand, 0, 100);
  FleetProcess *proc;

  if (r >= 85)
    {
      /* A client goes away with its executes Active. */
      XenQmpClient *client = soak->clients[g_rand_int_range (soak->rand, 1,
                                                             (gint32) soak->n_domains + 1)];

      if (client != NULL)
        {
          xen_qmp_client_close (client);
          soak->stats.clients_closed++;
        }
      else
        soak->stats.chaos_skipped++;
      return;
    }

  proc = random_running_process (soak);
  if (proc == NULL)
    {
      soak->stats.chaos_skipped++;
      return;
    }
  if (r < 20)
    /* A crash: the sockets stay behind, refusing connections. */
    fleet_kill (&soak->fleet, proc, SIGKILL, random_us (soak, 20, 500));
  else if (r < 35)
    /* A clean exit: the sockets go away. */
    fleet_kill (&soak->fleet, proc, SIGTERM, random_us (soak, 20, 500));
  else if (r < 70)
    /* A wedged device model: short timeouts expire, replies come late. */
    fleet_pause (&soak->fleet, proc, random_us (soak, 100, 1500));
  else
    {
      /* A domain shuts down (QMP quit); its process restarts later and
       * brings it back. */
      soak->quit_domid = proc->first_domid
                         + (guint32) g_rand_int_range (soak->rand, 0, (gint32) proc->n_domains);
      proc->restart_at = g_get_monotonic_time () + random_us (soak, 200, 1000);
    }
}

/* ---- the main loop ------------------------------------------------- */

static void
print_progress (Soak *soak, gint64 now)
{
  SoakResources res;

  soak_resources_read (&res);
  fprintf (stderr, "soak: %8" G_GUINT64_FORMAT " sent, %6.1f s, %u in flight, "
           "fake-qemu running %u stopped %u down %u, RSS %.1f MiB, %u fds\n",
           soak->stats.sent, (now - soak->started_at) / (double) G_USEC_PER_SEC,
           soak->n_active,
           fleet_count_state (&soak->fleet, FLEET_RUNNING),
           fleet_count_state (&soak->fleet, FLEET_STOPPED),
           soak->fleet.n_procs - fleet_count_state (&soak->fleet, FLEET_RUNNING)
           - fleet_count_state (&soak->fleet, FLEET_STOPPED),
           res.rss_kib / 1024.0, res.fds);
}

/* Refills free slots, disposes what is due, moves the fleet along.
 * Returns whether the run is over. */
static gboolean
tick (Soak *soak)
{
  gint64 now = g_get_monotonic_time ();
  guint refused = 0;

  if (now >= soak->next_fleet_tick)
    {
      fleet_tick (&soak->fleet, now);
      soak->next_fleet_tick = now + 5000;
    }
  for (guint i = 0; i < soak->in_flight; i++)
    {
      Slot *slot = &soak->slots[i];

      if (slot->serial != 0 && slot->dispose_at != 0 && now >= slot->dispose_at)
        slot_abandon (soak, slot);
      /* A few refusals per tick: when every domain is down, retrying in
       * a loop would only spin. */
      if (slot->serial == 0 && refused < 8 && !slot_start (soak, slot, -1, 0)
          && soak->next_serial <= soak->commands)
        refused++;
    }
  if (now >= soak->next_progress)
    {
      print_progress (soak, now);
      soak->next_progress = now + 10 * G_USEC_PER_SEC;
    }

  if (soak->next_serial <= soak->commands)
    return FALSE;
  if (!soak->chaos_over)
    {
      soak->chaos_over = TRUE;
      soak->quit_domid = 0;
      fleet_end_chaos (&soak->fleet, now);
      soak->drain_deadline = now + DRAIN_WAIT_US;
    }
  return soak->n_active == 0 || now > soak->drain_deadline;
}

static void
on_event (XenQmpHost *host, guint32 domid, const char *event, JsonObject *data,
          gint64 timestamp_us, gpointer user_data)
{
  Soak *soak = user_data;

  soak->stats.events++;
}

/* A warning from the library means a QEMU broke the protocol (fake-qemu
 * does not), a critical means a precondition failed: either is a finding.
 * They are counted, then printed as usual. */
static void
count_log (const char     *log_domain,
           GLogLevelFlags  log_level,
           const char     *message,
           gpointer        user_data)
{
  Soak *soak = user_data;

  if (log_level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    soak->stats.warnings++;
  g_log_default_handler (log_domain, log_level, message, NULL);
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
run (Soak *soak)
{
  /* Wakes the loop so that tick () runs at least every millisecond. */
  guint waker = g_timeout_add (1, wake, NULL);

  soak->started_at = g_get_monotonic_time ();
  soak->next_progress = soak->started_at + 10 * G_USEC_PER_SEC;
  while (!tick (soak))
    g_main_context_iteration (soak->context, TRUE);
  g_source_remove (waker);
  soak->stats.seconds = (g_get_monotonic_time () - soak->started_at) / (double) G_USEC_PER_SEC;
}

/* Whatever is still Active now was never called back. */
static void
count_lost (Soak *soak)
{
  for (guint i = 0; i < soak->in_flight; i++)
    {
      Slot *slot = &soak->slots[i];

      if (slot->serial == 0)
        continue;
      soak->stats.lost++;
      if (!slot->via_client)
        xen_qmp_cmd_dispose (&slot->cmd);
      slot->serial = 0;
      g_clear_object (&slot->cancellable);
    }
  soak->finished = TRUE;
}

static void
spin (Soak *soak, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint waker = g_timeout_add (5, wake, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (soak->context, TRUE);
  g_source_remove (waker);
}

static JsonObject *
object_from (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  return json_object_ref (json_node_get_object (node));
}

int
main (int argc, char **argv)
{
  Soak soak = { 0 };
  gint64 commands = 1000000, seed = -1;
  gint domains = 100, per_process = 10, in_flight = 200, chaos_every = 2000;
  gint idle_timeout_ms = 0, rss_margin = 10, client_pct = 10;
  g_autofree char *fake_qemu = NULL;
  GOptionEntry entries[] = {
    { "commands", 0, 0, G_OPTION_ARG_INT64, &commands, "Commands to send (1000000)", "N" },
    { "domains", 0, 0, G_OPTION_ARG_INT, &domains, "Fake domains (100)", "N" },
    { "per-process", 0, 0, G_OPTION_ARG_INT, &per_process,
      "Domains served by one fake-qemu process (10)", "N" },
    { "in-flight", 0, 0, G_OPTION_ARG_INT, &in_flight, "Commands in flight (200)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default: a new one, printed)", "S" },
    { "chaos-every", 0, 0, G_OPTION_ARG_INT, &chaos_every,
      "One chaos action every N commands sent (2000)", "N" },
    { "idle-timeout-ms", 0, 0, G_OPTION_ARG_INT, &idle_timeout_ms,
      "The host's idle-timeout-ms (0, libxl's default)", "MS" },
    { "rss-margin", 0, 0, G_OPTION_ARG_INT, &rss_margin,
      "How much RSS may grow from warm to end, in percent (10)", "PCT" },
    { "client-share", 0, 0, G_OPTION_ARG_INT, &client_pct,
      "Percentage of commands sent through XenQmpClient (10)", "PCT" },
    { "fake-qemu", 0, 0, G_OPTION_ARG_FILENAME, &fake_qemu, "fake-qemu (default: $FAKE_QEMU)", "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("- the library under chaos");
  g_autoptr(GError) error = NULL;
  gboolean passed;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      fprintf (stderr, "soak: %s\n", error->message);
      return 2;
    }
  if (commands < 1 || domains < 1 || per_process < 1 || in_flight < 1
      || chaos_every < 1 || idle_timeout_ms < 0
      || rss_margin < 0 || client_pct < 0 || client_pct > 100 || seed > G_MAXUINT32)
    {
      fprintf (stderr, "soak: an option is out of range\n");
      return 2;
    }
  if (fake_qemu == NULL)
    fake_qemu = g_strdup (g_getenv ("FAKE_QEMU"));
  if (fake_qemu == NULL || !g_file_test (fake_qemu, G_FILE_TEST_IS_EXECUTABLE))
    {
      fprintf (stderr, "soak: no fake-qemu: use --fake-qemu PATH or set FAKE_QEMU\n");
      return 2;
    }

  soak.commands = (guint64) commands;
  soak.n_domains = (guint) domains;
  soak.per_process = (guint) per_process;
  soak.in_flight = (guint) in_flight;
  soak.seed = seed >= 0 ? (guint32) seed : g_random_int ();
  soak.chaos_every = (guint) chaos_every;
  soak.idle_timeout_ms = (guint) idle_timeout_ms;
  soak.rss_margin_pct = (guint) rss_margin;
  soak.client_share = client_pct / 100.0;
  soak.fake_qemu = fake_qemu;
  soak_self = &soak;
  g_log_set_default_handler (count_log, &soak);

  printf ("soak: seed %u (reproduce the choices with --seed %u)\n", soak.seed, soak.seed);
  printf ("soak: %" G_GUINT64_FORMAT " commands, %u domains in %u fake-qemu processes, "
          "%u in flight, one chaos action every %u commands, idle-timeout-ms %u\n",
          soak.commands, soak.n_domains, (soak.n_domains + soak.per_process - 1) / soak.per_process,
          soak.in_flight, soak.chaos_every, soak.idle_timeout_ms);
  fflush (stdout);

  /* Before any thread: it forks the run dir's watcher. */
  soak.run_dir = bench_run_dir_new ();
  if (soak.run_dir == NULL)
    {
      fprintf (stderr, "soak: cannot make a run dir\n");
      return 1;
    }
  /* A fake-qemu killed while the soak writes to it must not kill the soak. */
  signal (SIGPIPE, SIG_IGN);

  soak.rand = g_rand_new_with_seed (soak.seed);
  soak.context = g_main_context_ref_thread_default ();
  if (!fleet_start (&soak.fleet, fake_qemu, soak.run_dir, soak.n_domains, soak.per_process, &error))
    {
      fprintf (stderr, "soak: %s\n", error->message);
      fleet_stop (&soak.fleet);
      return 1;
    }

  soak.slots = g_new0 (Slot, soak.in_flight);
  for (guint i = 0; i < soak.in_flight; i++)
    xen_qmp_cmd_init (&soak.slots[i].cmd);
  /* Allocated (and touched) before the first reading, so that it does not
   * count as growth. */
  soak.states = g_malloc0 (soak.commands + 1);
  memset (soak.states, STATE_UNSENT, soak.commands + 1);
  soak.next_serial = 1;
  soak.next_chaos = soak.chaos_every;
  soak.dispose_in_callback = g_array_new (FALSE, FALSE, sizeof (guint64));
  soak.clients = g_new0 (XenQmpClient *, soak.n_domains + 1);
  soak.args_device_del = object_from ("{\"id\": \"soak-no-such-device\"}");
  soak.args_bad = object_from ("{\"soak-unexpected\": 1}");
  soak.args_fdname = object_from ("{\"fdname\": \"soak\"}");
  /* Warm: the first 10,000 commands, or ten windows when the window is
   * larger, so that the tables and buffers sized by the window have
   * reached it before the reading. */
  soak.stats.warm_after = MIN (MAX (10000, 10 * (guint64) soak.in_flight), soak.commands / 2);
  /* GTask's class opens a descriptor once per process (GLib's worker
   * context): GLib's, not a leak of the library. */
  g_type_ensure (G_TYPE_TASK);
  soak_resources_read (&soak.stats.before);

  /* Short drain: replies to commands that timed out on a stopped device
   * model are given up on within the stop's length, so that path runs. */
  soak.host = g_object_new (XEN_QMP_TYPE_HOST, "run-dir", soak.run_dir,
                            "xenstore", XEN_QMP_XENSTORE_OFF,
                            "idle-timeout-ms", soak.idle_timeout_ms,
                            "drain-timeout-ms", 500u, NULL);
  xen_qmp_host_add_event_handler (soak.host, on_event, &soak, NULL);

  run (&soak);
  count_lost (&soak);
  soak_resources_read (&soak.stats.end);

  /* Everything the library holds goes with the host and the clients. */
  for (guint i = 0; i <= soak.n_domains; i++)
    g_clear_object (&soak.clients[i]);
  g_clear_object (&soak.host);
  spin (&soak, 100);
  soak_resources_read (&soak.stats.after);

  fleet_stop (&soak.fleet);
  passed = soak_report_print (&soak.stats, &soak.fleet, soak.rss_margin_pct);

  g_rmdir (soak.run_dir);
  free (soak.run_dir);
  g_free (soak.slots);
  g_free (soak.states);
  g_free (soak.clients);
  g_array_unref (soak.dispose_in_callback);
  json_object_unref (soak.args_device_del);
  json_object_unref (soak.args_bad);
  json_object_unref (soak.args_fdname);
  g_rand_free (soak.rand);
  g_main_context_unref (soak.context);
  return passed ? 0 : 1;
}
