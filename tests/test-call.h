/* test-call.h: one XenQmpClient execute, as the tests wait for it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xenqmp.h"

typedef struct {
  gboolean  done;
  JsonNode *ret;
  GError   *error;
  gint64    completed_at;
} Call;

static inline void
call_clear (Call *c)
{
  g_clear_pointer (&c->ret, json_node_unref);
  g_clear_error (&c->error);
  c->done = FALSE;
}

/* The GAsyncReadyCallback of an execute whose user data is a Call: it
 * must run once, with a result or an error. */
static inline void
execute_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *c = user_data;

  g_assert_false (c->done);
  c->ret = xen_qmp_client_execute_finish (XEN_QMP_CLIENT (source), result, &c->error);
  g_assert_true ((c->ret != NULL) != (c->error != NULL));
  c->completed_at = g_get_monotonic_time ();
  c->done = TRUE;
}

/* The same for a connect: the result is whether C->error is unset. */
static inline void
connect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *c = user_data;

  g_assert_false (c->done);
  if (xen_qmp_client_connect_finish (XEN_QMP_CLIENT (source), result, &c->error))
    g_assert_no_error (c->error);
  else
    g_assert_nonnull (c->error);
  c->completed_at = g_get_monotonic_time ();
  c->done = TRUE;
}
