/* test-backend.h: one test against fake-qemu and a real QEMU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "test-server.h"

typedef enum {
  BACKEND_FAKE,
  BACKEND_QEMU,
  BACKEND_NONE,   /* the test brings its own peer */
} Backend;

static inline const char *
test_backend_name (Backend backend)
{
  static const char * const names[] = { "fake", "qemu", "peer" };

  return names[backend];
}

/* Starts the server for BACKEND on SOCKET, or returns NULL after
 * g_test_skip() when a real QEMU is wanted but not installed (the skip
 * shows in the TAP output). */
static inline TestServer *
test_backend_start (Backend backend, const char *socket)
{
  g_autoptr(GError) error = NULL;
  TestServer *server = NULL;

  if (backend == BACKEND_FAKE)
    server = test_server_start_fake (socket, NULL, &error);
  else if (backend == BACKEND_QEMU)
    server = test_server_start_qemu (socket, &error);
  g_assert_no_error (error);
  return server;
}

/* Whether BACKEND can run here; when it cannot (a real QEMU that is not
 * installed), the test is skipped visibly. */
static inline gboolean
test_backend_available (Backend backend)
{
  if (backend == BACKEND_QEMU && !test_server_have_qemu ())
    {
      g_test_skip ("qemu-system-x86_64 is not installed: real QEMU tests skipped");
      return FALSE;
    }
  return TRUE;
}

/* Adds PREFIX/<backend>/NAME with BACKEND as the fixture's data. */
#define TEST_BACKEND_ADD(prefix, name, backend, Fixture, setup, func, teardown) \
  G_STMT_START {                                                                \
    g_autofree char *path_ = g_strdup_printf ("%s/%s/%s", (prefix),              \
                                              test_backend_name (backend), (name)); \
    g_test_add (path_, Fixture, GINT_TO_POINTER (backend), setup, func, teardown); \
  } G_STMT_END
