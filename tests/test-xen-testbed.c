/* test-xen-testbed.c: the Xen test bed with each xenstore daemon
 *
 * fake-xenstored, Debian's C xenstored and oxenstored under the hypervisor
 * stand-in: each starts, has domain 0, takes domains as libxl writes
 * them, announces their introduction and release; real xl sees them.
 * A daemon that cannot run here is skipped with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <gio/gio.h>
#include <xenstore.h>

#include "xen-testbed.h"

#define WATCH_TIMEOUT_MS 5000

static XenTestbed *
start (gconstpointer data)
{
  XenTestbedDaemon daemon = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  XenTestbed *tb = xen_testbed_new (daemon, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_test_skip (error->message);
      return NULL;
    }
  g_assert_no_error (error);
  g_test_message ("%s started in %.1f ms", xen_testbed_daemon_name (daemon),
                  (g_get_monotonic_time () - t0) / 1000.0);
  return tb;
}

static char *
read_node (struct xs_handle *xs, const char *path)
{
  unsigned len;

  return xs_read (xs, XBT_NULL, path, &len);
}

static void
assert_node (struct xs_handle *xs, const char *path, const char *value)
{
  g_autofree char *got = read_node (xs, path);

  if (got == NULL)
    g_error ("%s: %s", path, g_strerror (errno));
  g_assert_cmpstr (got, ==, value);
}

/* The permissions of PATH as xenstore-ls prints them: "n0,r5". */
static char *
perms_of (struct xs_handle *xs, const char *path)
{
  unsigned n = 0;
  g_autofree struct xs_permissions *perms = xs_get_permissions (xs, XBT_NULL, path, &n);
  GString *s = g_string_new (NULL);

  if (perms == NULL)
    g_error ("get permissions %s: %s", path, g_strerror (errno));
  for (unsigned i = 0; i < n; i++)
    {
      char c = perms[i].perms == XS_PERM_READ ? 'r'
               : perms[i].perms == XS_PERM_WRITE ? 'w'
               : perms[i].perms == (XS_PERM_READ | XS_PERM_WRITE) ? 'b' : 'n';

      g_string_append_printf (s, "%s%c%u", i > 0 ? "," : "", c, perms[i].id);
    }
  return g_string_free (s, FALSE);
}

static void
assert_perms (struct xs_handle *xs, const char *path, const char *expected)
{
  g_autofree char *got = perms_of (xs, path);

  g_assert_cmpstr (got, ==, expected);
}

/* Waits for an event of the watch TOKEN on PATH; FALSE on timeout. */
static gboolean
wait_watch (struct xs_handle *xs, const char *token, const char *path)
{
  gint64 deadline = g_get_monotonic_time () + WATCH_TIMEOUT_MS * 1000;
  struct pollfd pfd = { .fd = xs_fileno (xs), .events = POLLIN };

  while (g_get_monotonic_time () < deadline)
    {
      char **vec;

      while ((vec = xs_check_watch (xs)) != NULL)
        {
          gboolean match = strcmp (vec[XS_WATCH_TOKEN], token) == 0
                           && strcmp (vec[XS_WATCH_PATH], path) == 0;

          free (vec);
          if (match)
            return TRUE;
        }
      poll (&pfd, 1, 50);
    }
  return FALSE;
}

/* A watch on PATH, with its first event (every daemon fires a new watch
 * once) consumed. */
static struct xs_handle *
watcher (const char *path, const char *token)
{
  struct xs_handle *xs = xs_open (0);

  g_assert_nonnull (xs);
  g_assert_true (xs_watch (xs, path, token));
  g_assert_true (wait_watch (xs, token, path));
  return xs;
}

static void
add (XenTestbed *tb, guint32 domid, const char *name, const char *dm_version, guint32 stubdom)
{
  XenTestbedDomain dom = { domid, name, NULL, TRUE, dm_version, stubdom };
  g_autoptr(GError) error = NULL;

  g_assert_true (xen_testbed_add_domain (tb, &dom, &error));
  g_assert_no_error (error);
}

static gboolean
is_introduced (XenTestbed *tb, guint32 domid)
{
  return xs_is_domain_introduced (xen_testbed_get_xs (tb), domid);
}

static void
test_starts_with_dom0 (gconstpointer data)
{
  g_autoptr(XenTestbed) tb = start (data);

  if (tb == NULL)
    return;
  assert_node (xen_testbed_get_xs (tb), "/local/domain/0/name", "Domain-0");
  assert_node (xen_testbed_get_xs (tb), "/local/domain/0/domid", "0");
  g_assert_true (is_introduced (tb, 0));
}

static void
test_add_domain_as_libxl (gconstpointer data)
{
  g_autoptr(XenTestbed) tb = start (data);
  g_autofree char *uuid = xen_testbed_uuid_of (5);
  g_autofree char *vm = g_strdup_printf ("/vm/%s", uuid);
  g_autofree char *vm_uuid = g_strdup_printf ("%s/uuid", vm);
  struct xs_handle *xs;

  if (tb == NULL)
    return;
  xs = xen_testbed_get_xs (tb);
  add (tb, 5, "guest5", "qemu_xen", 0);
  assert_node (xs, "/local/domain/5/name", "guest5");
  assert_node (xs, "/local/domain/5/domid", "5");
  assert_node (xs, "/local/domain/5/vm", vm);
  assert_node (xs, vm_uuid, uuid);
  assert_node (xs, "/libxl/5/type", "hvm");
  assert_node (xs, "/libxl/5/dm-version", "qemu_xen");
  /* libxl__domain_make()'s roperm, rwperm and noperm. */
  assert_perms (xs, "/local/domain/5", "n0,r5");
  assert_perms (xs, vm, "n0,r5");
  assert_perms (xs, "/local/domain/5/control/shutdown", "n5");
  assert_perms (xs, "/local/domain/5/device/suspend/event-channel", "n5");
  assert_perms (xs, "/libxl/5", "n0");
  /* Written in the directory, so inheriting its permissions. */
  assert_perms (xs, "/local/domain/5/name", "n0,r5");
  g_assert_true (is_introduced (tb, 5));
  /* The device model's directory in domain 0. */
  assert_perms (xs, "/local/domain/0/device-model/5", "n0");

  /* No dm-version: libxl reads qemu-traditional. */
  add (tb, 6, "guest6", NULL, 0);
  g_assert_null (read_node (xs, "/libxl/6/dm-version"));
}

static void
test_add_stub_domain (gconstpointer data)
{
  g_autoptr(XenTestbed) tb = start (data);
  struct xs_handle *xs;

  if (tb == NULL)
    return;
  xs = xen_testbed_get_xs (tb);
  add (tb, 3, "guest3", "qemu_xen", 4);
  assert_node (xs, "/local/domain/3/image/device-model-domid", "4");
  assert_node (xs, "/local/domain/4/target", "3");
  assert_node (xs, "/local/domain/4/name", "guest3-dm");
  assert_node (xs, "/libxl/4/type", "pv");
  g_assert_null (read_node (xs, "/libxl/4/dm-version"));
  assert_perms (xs, "/local/domain/4/device-model/3", "n4,r3");
  /* The stub domain's consoles: a QEMU in domain 0. */
  assert_perms (xs, "/local/domain/0/device-model/4", "n0");
  g_assert_true (is_introduced (tb, 3));
  g_assert_true (is_introduced (tb, 4));
}

static void
test_introduce_fires_watch (gconstpointer data)
{
  g_autoptr(XenTestbed) tb = start (data);
  struct xs_handle *xs;

  if (tb == NULL)
    return;
  xs = watcher ("@introduceDomain", "intro");
  add (tb, 7, "guest7", "qemu_xen", 0);
  g_assert_true (wait_watch (xs, "intro", "@introduceDomain"));
  xs_close (xs);
}

static void
test_kill_releases_domain (gconstpointer data)
{
  g_autoptr(XenTestbed) tb = start (data);
  g_autoptr(GError) error = NULL;
  struct xs_handle *xs;
  gint64 t0;

  if (tb == NULL)
    return;
  if (!xen_testbed_has_hypervisor (tb))
    {
      g_test_skip ("fake-xenstored reads no hypervisor state yet (--hypervisor, branch fakexs)");
      return;
    }
  add (tb, 8, "guest8", "qemu_xen", 0);
  xs = watcher ("@releaseDomain", "release");
  t0 = g_get_monotonic_time ();
  g_assert_true (xen_testbed_kill_domain (tb, 8, &error));
  g_assert_no_error (error);
  g_assert_true (wait_watch (xs, "release", "@releaseDomain"));
  g_test_message ("@releaseDomain %.1f ms after the death", (g_get_monotonic_time () - t0) / 1000.0);
  /* The daemon has dropped the domain's connection. */
  g_assert_false (is_introduced (tb, 8));
  /* Both real daemons delete what the dead domain owned (xenstored:
   * domain_tree_remove(); oxenstored: Store.reset_permissions()), and keep
   * what domain 0 owns until libxl destroys it. */
  {
    g_autofree char *owned = read_node (xen_testbed_get_xs (tb), "/local/domain/8/control/shutdown");
    g_autofree char *dom = read_node (xen_testbed_get_xs (tb), "/local/domain/8");
    g_autofree char *perms = perms_of (xen_testbed_get_xs (tb), "/local/domain/8");

    g_assert_nonnull (dom);
    g_assert_null (owned);
    /* xenstored keeps the dead domain's r8, oxenstored drops it. */
    g_test_message ("/local/domain/8 after the release: %s", perms);
  }
  xs_close (xs);
}

static void
test_destroy_removes_domain (gconstpointer data)
{
  g_autoptr(XenTestbed) tb = start (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  struct xs_handle *xs;

  if (tb == NULL)
    return;
  add (tb, 3, "guest3", "qemu_xen", 4);
  xs = watcher ("@releaseDomain", "release");
  g_assert_true (xen_testbed_destroy_domain (tb, 3, &error));
  g_assert_no_error (error);
  g_assert_null (read_node (xen_testbed_get_xs (tb), "/local/domain/3"));
  g_assert_null (read_node (xen_testbed_get_xs (tb), "/local/domain/4"));
  g_assert_null (read_node (xen_testbed_get_xs (tb), "/libxl/3"));
  g_assert_null (read_node (xen_testbed_get_xs (tb), "/local/domain/0/device-model/3"));
  state = g_build_filename (xen_testbed_get_dir (tb), "domains", "3", NULL);
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  if (xen_testbed_has_hypervisor (tb))
    {
      g_assert_true (wait_watch (xs, "release", "@releaseDomain"));
      g_assert_false (is_introduced (tb, 3));
      g_assert_false (is_introduced (tb, 4));
    }
  xs_close (xs);
}

static void
test_xl_lists_domains (gconstpointer data)
{
  g_autoptr(XenTestbed) tb = start (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "list", NULL };
  int status = -1;
  gint64 t0;

  if (tb == NULL)
    return;
  add (tb, 5, "guest5", "qemu_xen", 0);
  t0 = g_get_monotonic_time ();
  if (!xen_testbed_run_xl (tb, args, &out, &err, &status, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_test_skip (error->message);
      return;
    }
  g_assert_no_error (error);
  g_test_message ("xl list took %.1f ms:\n%s%s", (g_get_monotonic_time () - t0) / 1000.0, out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Domain-0"));
  g_assert_nonnull (strstr (out, "guest5"));
}

int
main (int argc, char **argv)
{
  static const XenTestbedDaemon daemons[] = {
    XEN_TESTBED_FAKE, XEN_TESTBED_XENSTORED, XEN_TESTBED_OXENSTORED,
  };
  static const struct {
    const char *name;
    GTestDataFunc func;
    gboolean real_only;
  } tests[] = {
    { "starts-with-dom0", test_starts_with_dom0, FALSE },
    { "add-domain-as-libxl", test_add_domain_as_libxl, FALSE },
    { "add-stub-domain", test_add_stub_domain, FALSE },
    { "introduce-fires-watch", test_introduce_fires_watch, FALSE },
    { "kill-releases-domain", test_kill_releases_domain, FALSE },
    { "destroy-removes-domain", test_destroy_removes_domain, FALSE },
    { "xl-lists-domains", test_xl_lists_domains, TRUE },
  };

  g_test_init (&argc, &argv, NULL);
  for (guint d = 0; d < G_N_ELEMENTS (daemons); d++)
    for (guint t = 0; t < G_N_ELEMENTS (tests); t++)
      {
        g_autofree char *path = NULL;

        if (tests[t].real_only && daemons[d] == XEN_TESTBED_FAKE)
          continue;
        path = g_strdup_printf ("/xen-testbed/%s/%s", xen_testbed_daemon_name (daemons[d]),
                                tests[t].name);
        g_test_add_data_func (path, GINT_TO_POINTER (daemons[d]), tests[t].func);
      }
  return g_test_run ();
}
