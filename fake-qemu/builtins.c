/* builtins.c: the commands an idle QEMU 7.2 answers
 *
 * Each command checks its arguments the way QEMU's generated marshaller
 * does (members in schema order, then unexpected members) before it looks
 * at anything else, so that the first error reported is QEMU's. Events
 * come before the reply of the command that caused them, as in QEMU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "builtins.h"

#include <string.h>
#include <unistd.h>

#include "arguments.h"
#include "listener.h"
#include "qmp-message.h"
#include "xen-device-model.h"

JsonNode *
fake_builtins_empty_object (void)
{
  return fake_qmp_object_node_new (json_object_new ());
}

gboolean
fake_builtins_check_no_arguments (FakeRequest *request, GError **error)
{
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  return fake_args_check_unexpected (&args, error);
}

static JsonNode *
qmp_capabilities (FakeMonitor  *monitor,
                  FakeDomain   *domain,
                  FakeRequest  *request,
                  GError      **error)
{
  static const char * const capabilities[] = { "oob", NULL };
  g_autoptr(GPtrArray) enable = NULL;
  g_autoptr(GString) unavailable = NULL;
  gboolean oob = FALSE;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_enum_list (&args, "enable", TRUE, NULL, capabilities, &enable, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;

  if (fake_monitor_is_negotiated (monitor))
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_COMMAND_NOT_FOUND,
                           "Capabilities negotiation is already complete, command ignored");
      return NULL;
    }

  for (guint i = 0; enable != NULL && i < enable->len; i++)
    {
      const char *capability = g_ptr_array_index (enable, i);

      /* "oob" is the only capability, hence the only one to refuse. */
      if (!fake_domain_get_offer_oob (domain))
        {
          if (unavailable == NULL)
            unavailable = g_string_new (capability);
          else
            g_string_append_printf (unavailable, ", %s", capability);
        }
      oob = TRUE;
    }
  if (unavailable != NULL)
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Capability %s not available", unavailable->str);
      return NULL;
    }

  fake_monitor_set_negotiated (monitor, oob);
  return fake_builtins_empty_object ();
}

static JsonNode *
query_version (FakeMonitor  *monitor,
               FakeDomain   *domain,
               FakeRequest  *request,
               GError      **error)
{
  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  return fake_qmp_version_new ();
}

static JsonNode *
query_status (FakeMonitor  *monitor,
              FakeDomain   *domain,
              FakeRequest  *request,
              GError      **error)
{
  gboolean running = fake_domain_is_running (domain);
  JsonObject *status;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  status = json_object_new ();
  json_object_set_boolean_member (status, "running", running);
  json_object_set_boolean_member (status, "singlestep", FALSE);
  json_object_set_string_member (status, "status", running ? "running" : "paused");
  return fake_qmp_object_node_new (status);
}

static JsonNode *
stop (FakeMonitor  *monitor,
      FakeDomain   *domain,
      FakeRequest  *request,
      GError      **error)
{
  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  /* Stopping a paused VM is not an error, and emits nothing. */
  fake_domain_change_run_state (domain, FALSE);
  return fake_builtins_empty_object ();
}

static JsonNode *
cont (FakeMonitor  *monitor,
      FakeDomain   *domain,
      FakeRequest  *request,
      GError      **error)
{
  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  fake_domain_change_run_state (domain, TRUE);
  return fake_builtins_empty_object ();
}

static JsonNode *
quit (FakeMonitor  *monitor,
      FakeDomain   *domain,
      FakeRequest  *request,
      GError      **error)
{
  JsonObject *data;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  data = json_object_new ();
  json_object_set_boolean_member (data, "guest", FALSE);
  json_object_set_string_member (data, "reason", "host-qmp-quit");
  fake_domain_emit_event (domain, "SHUTDOWN", data);
  return fake_builtins_empty_object ();
}

static JsonNode *
add_fd (FakeMonitor  *monitor,
        FakeDomain   *domain,
        FakeRequest  *request,
        GError      **error)
{
  gboolean has_fdset_id, has_opaque;
  gint64 fdset_id = 0;
  const char *opaque = NULL;
  JsonObject *info;
  FakeArgs args;
  int fd;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_int (&args, "fdset-id", TRUE, &has_fdset_id, &fdset_id, error)
      || !fake_args_get_string (&args, "opaque", TRUE, &has_opaque, &opaque, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;

  fd = fake_request_steal_fd (request);
  if (fd < 0)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "No file descriptor supplied via SCM_RIGHTS");
      return NULL;
    }
  fdset_id = fake_fd_store_add (fake_domain_get_fd_store (domain), fd,
                                has_fdset_id, fdset_id, opaque, error);
  if (fdset_id < 0)
    return NULL;

  info = json_object_new ();
  json_object_set_int_member (info, "fdset-id", fdset_id);
  json_object_set_int_member (info, "fd", fd);
  return fake_qmp_object_node_new (info);
}

static JsonNode *
query_fdsets (FakeMonitor  *monitor,
              FakeDomain   *domain,
              FakeRequest  *request,
              GError      **error)
{
  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  return fake_fd_store_query (fake_domain_get_fd_store (domain));
}

static JsonNode *
remove_fd (FakeMonitor  *monitor,
           FakeDomain   *domain,
           FakeRequest  *request,
           GError      **error)
{
  gboolean has_fd;
  gint64 fdset_id = 0, fd = -1;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_int (&args, "fdset-id", FALSE, NULL, &fdset_id, error)
      || !fake_args_get_int (&args, "fd", TRUE, &has_fd, &fd, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  if (!fake_fd_store_remove (fake_domain_get_fd_store (domain), fdset_id, has_fd, fd,
                             fake_domain_is_running (domain), error))
    return NULL;
  return fake_builtins_empty_object ();
}

static JsonNode *
getfd (FakeMonitor  *monitor,
       FakeDomain   *domain,
       FakeRequest  *request,
       GError      **error)
{
  const char *fdname = NULL;
  FakeArgs args;
  int fd;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "fdname", FALSE, NULL, &fdname, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;

  fd = fake_request_steal_fd (request);
  if (fd < 0)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "No file descriptor supplied via SCM_RIGHTS");
      return NULL;
    }
  if (g_ascii_isdigit (fdname[0]))
    {
      close (fd);
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "Parameter 'fdname' expects a name not starting with a digit");
      return NULL;
    }
  fake_fd_store_set_named (fake_domain_get_fd_store (domain), fdname, fd);
  return fake_builtins_empty_object ();
}

static JsonNode *
closefd (FakeMonitor  *monitor,
         FakeDomain   *domain,
         FakeRequest  *request,
         GError      **error)
{
  const char *fdname = NULL;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "fdname", FALSE, NULL, &fdname, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  if (!fake_fd_store_close_named (fake_domain_get_fd_store (domain), fdname, error))
    return NULL;
  return fake_builtins_empty_object ();
}

static const FakeBuiltin builtins[] = {
  { "qmp_capabilities", qmp_capabilities, TRUE,  FALSE, FALSE },
  { "query-version",    query_version,    FALSE, FALSE, FALSE },
  { "query-status",     query_status,     FALSE, FALSE, FALSE },
  { "stop",             stop,             FALSE, FALSE, FALSE },
  { "cont",             cont,             FALSE, FALSE, FALSE },
  { "quit",             quit,             FALSE, FALSE, TRUE  },
  { "add-fd",           add_fd,           FALSE, FALSE, FALSE },
  { "query-fdsets",     query_fdsets,     FALSE, FALSE, FALSE },
  { "remove-fd",        remove_fd,        FALSE, FALSE, FALSE },
  { "getfd",            getfd,            FALSE, FALSE, FALSE },
  { "closefd",          closefd,          FALSE, FALSE, FALSE },
};

const FakeBuiltin *
fake_builtin_find (const FakeBuiltin *table, gsize n_commands, const char *name)
{
  for (gsize i = 0; i < n_commands; i++)
    if (strcmp (table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

/* The idle QEMU's commands, then those of a Xen device model. */
static const FakeBuiltin *
lookup (const char *name)
{
  const FakeBuiltin *builtin = fake_builtin_find (builtins, G_N_ELEMENTS (builtins), name);

  return builtin != NULL ? builtin : fake_xen_dm_lookup (name);
}

gboolean
fake_builtins_has (const char *name)
{
  return lookup (name) != NULL;
}

void
fake_builtins_dispatch (FakeMonitor *monitor, FakeRequest *request)
{
  FakeDomain *domain = fake_monitor_get_domain (monitor);
  const GError *request_error = fake_request_get_error (request);
  gboolean negotiating = !fake_monitor_is_negotiated (monitor);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  const FakeBuiltin *builtin;

  /* A hook may dispatch a request it kept after the client left. */
  if (domain == NULL || fake_monitor_is_closed (monitor))
    return;

  if (request_error != NULL)
    {
      fake_monitor_reply_error (monitor, request, request_error);
      return;
    }

  /* Before negotiation QEMU's command table holds qmp_capabilities only. */
  builtin = lookup (request->command);
  if (builtin != NULL && negotiating && !builtin->before_negotiation)
    builtin = NULL;

  if (builtin == NULL)
    g_set_error (&error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_COMMAND_NOT_FOUND,
                 "The command %s has not been found", request->command);
  else if (request->oob && !builtin->allow_oob)
    g_set_error (&error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                 "The command %s does not support OOB", request->command);
  else
    value = builtin->func (monitor, domain, request, &error);

  if (error != NULL)
    {
      /* QEMU rewrites CommandNotFound while negotiating. */
      if (negotiating && !fake_monitor_is_negotiated (monitor)
          && g_error_matches (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_COMMAND_NOT_FOUND))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_COMMAND_NOT_FOUND,
                               "Expecting capabilities negotiation with 'qmp_capabilities'");
        }
      fake_monitor_reply_error (monitor, request, error);
      return;
    }

  fake_monitor_reply (monitor, request, g_steal_pointer (&value));
  if (builtin != NULL && builtin->quits)
    fake_domain_quit (domain);
}
