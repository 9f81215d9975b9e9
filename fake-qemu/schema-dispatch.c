/* schema-dispatch.c: fake-qemu --schema in front of the built-in commands
 *
 * Without a script the fake is an idle QEMU: it answers a command the
 * schema refuses with QEMU's error, and keeps the exit status QEMU would
 * give (0), since a client may well be testing how it handles QEMU's
 * errors. What it refused is listed on stderr at exit, so that a client
 * that sends drifted commands by mistake is found out all the same.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "schema-dispatch.h"

#include <string.h>

#include "monitor.h"

/* A client that sends nothing but refused commands must not grow the
 * report without bound. */
#define REFUSALS_MAX 1000

FakeDispatchResult
fake_schema_dispatch (FakeSchema   *schema,
                      FakeMonitor  *monitor,
                      FakeRequest  *request,
                      char        **problem)
{
  g_autoptr(FakeSchemaRefusal) refusal = NULL;

  if (fake_request_get_error (request) != NULL || fake_monitor_is_closed (monitor))
    return FAKE_DISPATCH_CONTINUE;
  /* QEMU looks nothing up before negotiation but qmp_capabilities. */
  if (!fake_monitor_is_negotiated (monitor) && strcmp (request->command, "qmp_capabilities") != 0)
    return FAKE_DISPATCH_CONTINUE;

  refusal = fake_schema_refuse (schema, request->command, request->oob, request->arguments);
  if (refusal != NULL)
    {
      g_debug ("%s: refused by the schema: %s", fake_monitor_get_name (monitor), refusal->problem);
      if (problem != NULL)
        *problem = g_strdup (refusal->problem);
      fake_monitor_reply_error (monitor, request, refusal->reply);
      return FAKE_DISPATCH_HANDLED;
    }
  if (strcmp (request->command, "query-qmp-schema") == 0)
    {
      fake_monitor_reply (monitor, request, json_node_copy (fake_schema_get_value (schema)));
      return FAKE_DISPATCH_HANDLED;
    }
  return FAKE_DISPATCH_CONTINUE;
}

struct _FakeSchemaGuard {
  FakeSchema *schema;
  GPtrArray  *domains;      /* FakeDomain, borrowed */
  GPtrArray  *refusals;     /* char *: report lines */
  guint       n_uncounted;  /* refusals past REFUSALS_MAX */
};

static FakeDispatchResult
on_dispatch (FakeMonitor *monitor, FakeRequest *request, gpointer user_data)
{
  FakeSchemaGuard *guard = user_data;
  g_autofree char *problem = NULL;
  FakeDispatchResult result;

  result = fake_schema_dispatch (guard->schema, monitor, request, &problem);
  if (problem == NULL)
    return result;
  if (guard->refusals->len < REFUSALS_MAX)
    g_ptr_array_add (guard->refusals,
                     g_strdup_printf ("%s: %s", fake_monitor_get_name (monitor), problem));
  else
    guard->n_uncounted++;
  return result;
}

static const FakeDomainHooks guard_hooks = { on_dispatch, NULL, NULL };

FakeSchemaGuard *
fake_schema_guard_new (FakeSchema *schema, GPtrArray *domains)
{
  FakeSchemaGuard *guard = g_new0 (FakeSchemaGuard, 1);

  guard->schema = schema;
  guard->domains = g_ptr_array_ref (domains);
  guard->refusals = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < domains->len; i++)
    fake_domain_set_hooks (g_ptr_array_index (domains, i), &guard_hooks, guard, NULL);
  return guard;
}

void
fake_schema_guard_free (FakeSchemaGuard *guard)
{
  if (guard == NULL)
    return;
  for (guint i = 0; i < guard->domains->len; i++)
    fake_domain_set_hooks (g_ptr_array_index (guard->domains, i), NULL, NULL, NULL);
  g_ptr_array_unref (guard->domains);
  g_ptr_array_unref (guard->refusals);
  g_free (guard);
}

char *
fake_schema_guard_report (FakeSchemaGuard *guard)
{
  g_autoptr(GString) report = g_string_new (NULL);
  guint n = guard->refusals->len + guard->n_uncounted;

  if (n == 0)
    return g_strdup ("");
  g_string_append_printf (report, "fake-qemu: --schema %s: QEMU would have refused %u command%s "
                          "(each got QEMU's error)\n", fake_schema_get_path (guard->schema),
                          n, n == 1 ? "" : "s");
  for (guint i = 0; i < guard->refusals->len; i++)
    g_string_append_printf (report, "  %s\n", (const char *) g_ptr_array_index (guard->refusals, i));
  if (guard->n_uncounted > 0)
    g_string_append_printf (report, "  ... and %u more\n", guard->n_uncounted);
  return g_string_free (g_steal_pointer (&report), FALSE);
}
