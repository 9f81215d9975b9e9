/* test-client-reconnect.c: XenQmpClient:reconnect, against fake-qemu and
 * a real QEMU that go away and come back on the same socket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>

#include <gio/gio.h>
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
  guint         closed;
  GError       *reason;
  guint         connected_true;   /* notify::connected to TRUE */
  guint         gaps;
  gint64        gap_since_us;
  gint64        gap_until_us;
} Fixture;

static void
on_closed (XenQmpClient *client, GError *reason, gpointer user_data)
{
  Fixture *f = user_data;

  f->closed++;
  g_clear_error (&f->reason);
  f->reason = g_error_copy (reason);
}

static void
on_connected (XenQmpClient *client, GParamSpec *pspec, gpointer user_data)
{
  Fixture *f = user_data;

  if (xen_qmp_client_get_connected (client))
    f->connected_true++;
}

static void
on_gap (XenQmpClient *client, gint64 since_us, gint64 until_us, const char *reason,
        gpointer user_data)
{
  Fixture *f = user_data;

  f->gaps++;
  f->gap_since_us = since_us;
  f->gap_until_us = until_us;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->backend = GPOINTER_TO_INT (data);
  if (!test_backend_available (f->backend))
    {
      f->skipped = TRUE;
      return;
    }
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp.sock", NULL);
  f->server = test_backend_start (f->backend, f->socket);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  g_signal_connect (f->client, "closed", G_CALLBACK (on_closed), f);
  g_signal_connect (f->client, "notify::connected", G_CALLBACK (on_connected), f);
  g_signal_connect (f->client, "event-gap", G_CALLBACK (on_gap), f);
  g_assert_true (xen_qmp_client_connect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
  /* notify::connected of that connect. */
  test_flush ();
  f->connected_true = 0;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->server, test_server_stop);
  g_clear_error (&f->reason);
  if (f->dir != NULL)
    test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
}

#define SKIP_UNLESS_READY(f) G_STMT_START { if ((f)->skipped) return; } G_STMT_END

static void
kill_server (Fixture *f)
{
  kill (test_server_get_pid (f->server), SIGKILL);
  RUN_UNTIL (f->closed == 1);
  g_clear_pointer (&f->server, test_server_stop);
}

/* QEMU goes away and comes back: closed says why, once; the client
 * connects again by itself, says when events were missed, and works. */
static void
test_reconnects (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 lost;

  SKIP_UNLESS_READY (f);
  g_object_set (f->client, "reconnect", TRUE, NULL);
  lost = g_get_real_time ();
  kill_server (f);
  g_assert_nonnull (f->reason);
  g_assert_false (xen_qmp_client_get_connected (f->client));
  /* Several failed tries (no socket, nothing listening) emit nothing. */
  spin (400);
  g_assert_cmpuint (f->closed, ==, 1);
  f->server = test_backend_start (f->backend, f->socket);
  RUN_UNTIL (f->connected_true == 1 && f->gaps == 1);
  g_assert_cmpuint (f->closed, ==, 1);
  g_assert_cmpint (f->gap_since_us, >=, lost);
  g_assert_cmpint (f->gap_until_us, >, f->gap_since_us + 400 * 1000);
  status = xen_qmp_client_execute_sync (f->client, "query-status", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status);
}

/* Off by default: a lost client stays lost. */
static void
test_off_by_default (Fixture *f, gconstpointer data)
{
  gboolean reconnect = TRUE;

  SKIP_UNLESS_READY (f);
  g_object_get (f->client, "reconnect", &reconnect, NULL);
  g_assert_false (reconnect);
  kill_server (f);
  f->server = test_backend_start (f->backend, f->socket);
  spin (500);
  g_assert_false (xen_qmp_client_get_connected (f->client));
  g_assert_cmpuint (f->connected_true, ==, 0);
}

/* xen_qmp_client_close(), or the property turned off, while it tries
 * again: it stops. */
static void
test_close_stops (Fixture *f, gconstpointer data)
{
  SKIP_UNLESS_READY (f);
  g_object_set (f->client, "reconnect", TRUE, NULL);
  kill_server (f);
  spin (150);
  xen_qmp_client_close (f->client);
  f->server = test_backend_start (f->backend, f->socket);
  spin (500);
  g_assert_false (xen_qmp_client_get_connected (f->client));
  g_assert_cmpuint (f->closed, ==, 1);
  g_assert_cmpuint (f->gaps, ==, 0);
}

/* Closed by the application: not lost, not tried again. */
static void
test_close_is_final (Fixture *f, gconstpointer data)
{
  SKIP_UNLESS_READY (f);
  g_object_set (f->client, "reconnect", TRUE, NULL);
  xen_qmp_client_close (f->client);
  RUN_UNTIL (f->closed == 1);
  spin (300);
  g_assert_false (xen_qmp_client_get_connected (f->client));
  g_assert_cmpuint (f->connected_true, ==, 0);
}

/* A client dropped while it tries again goes quietly. */
static void
test_unref_while_trying (Fixture *f, gconstpointer data)
{
  SKIP_UNLESS_READY (f);
  g_object_set (f->client, "reconnect", TRUE, NULL);
  kill_server (f);
  spin (150);
  g_clear_object (&f->client);
  spin (300);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (Backend b = BACKEND_FAKE; b <= BACKEND_QEMU; b++)
    {
      TEST_BACKEND_ADD ("/client/reconnect", "reconnects", b, Fixture, fixture_setup,
                        test_reconnects, fixture_teardown);
      TEST_BACKEND_ADD ("/client/reconnect", "off-by-default", b, Fixture, fixture_setup,
                        test_off_by_default, fixture_teardown);
      TEST_BACKEND_ADD ("/client/reconnect", "close-stops", b, Fixture, fixture_setup,
                        test_close_stops, fixture_teardown);
      TEST_BACKEND_ADD ("/client/reconnect", "close-is-final", b, Fixture, fixture_setup,
                        test_close_is_final, fixture_teardown);
      TEST_BACKEND_ADD ("/client/reconnect", "unref-while-trying", b, Fixture, fixture_setup,
                        test_unref_while_trying, fixture_teardown);
    }
  return g_test_run ();
}
