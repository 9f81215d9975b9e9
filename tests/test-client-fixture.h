/* test-client-fixture.h: a client of a fake-qemu or a real QEMU, per test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xenqmp.h"
#include "test-backend.h"
#include "test-loop.h"

typedef struct {
  Backend       backend;
  char         *dir;
  char         *socket;
  TestServer   *server;
  XenQmpClient *client;
  gboolean      skipped;
} Fixture;

/* Starts the backend the test was added with (TEST_BACKEND_ADD), fake-qemu
 * with FAKE_ARGS (NULL: none), and makes a client of its socket, not yet
 * connected. A real QEMU that is not installed skips the test visibly. */
static inline void
client_fixture_setup (Fixture *f, gconstpointer data, const char * const *fake_args)
{
  f->backend = GPOINTER_TO_INT (data);
  if (!test_backend_available (f->backend))
    {
      f->skipped = TRUE;
      return;
    }
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp-libxl-1", NULL);
  if (f->backend == BACKEND_FAKE && fake_args != NULL)
    {
      g_autoptr(GError) error = NULL;

      f->server = test_server_start_fake (f->socket, fake_args, &error);
      g_assert_no_error (error);
    }
  else
    f->server = test_backend_start (f->backend, f->socket);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  /* A hang shows as this timeout, not as a test that never ends. */
  xen_qmp_client_set_timeout_ms (f->client, 5000);
}

static inline void
client_fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->server, test_server_stop);
  /* Deliveries queued for the clients just dropped. */
  spin (20);
  if (f->dir != NULL)
    test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
}

#define SKIP_UNLESS_READY(f) G_STMT_START { if ((f)->skipped) return; } G_STMT_END

/* The "status" of a query-status reply. */
static inline const char *
status_of (JsonNode *node)
{
  g_assert_nonnull (node);
  return json_object_get_string_member (json_node_get_object (node), "status");
}
