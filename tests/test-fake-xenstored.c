/* test-fake-xenstored.c: fake-xenstored against the real libxenstore, the
 * real xenstore-* tools and hostile raw bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <xenstore.h>
#include <xen/io/xs_wire.h>

#include "test-server.h"
#include "test-xenstore.h"

/* A failure says why, then aborts: g_error() would raise SIGTRAP, which
 * skips test-server.c's cleanup of the temp dir on SIGABRT. */
#define FAIL(...) G_STMT_START { \
    g_test_message (__VA_ARGS__); \
    g_assert_not_reached (); \
  } G_STMT_END

/* Generous: CI machines are busy. */
#define EVENT_TIMEOUT_MS 10000
/* How long an event that must not come is waited for. */
#define QUIET_MS 200

/* test_many_watches: the fake's per-client limit, and its time budget. */
#define MANY_WATCHES 65536
#define MANY_WATCHES_BATCH 1024
#define MANY_WATCHES_WRITES 1000
#define MANY_WATCHES_BUDGET_MS 10000

/* The layout most tests start from: a guest, a guest with an old device
 * model that is not ready, a guest whose device model runs in a stub
 * domain. */
static const char *const default_domains[] = {
  "--domain", "1",
  "--domain", "2,dm-version=qemu_xen_traditional,dm-state=paused",
  "--domain", "5,stubdom=6,name=guest",
  NULL
};

/* One directory and one socket path for the whole run: libxenstore reads
 * XENSTORED_PATH at each xs_open(), and setting it after libxenstore has
 * started threads would not be safe. Tests run one at a time. */
static char *run_dir;
static char *socket_path;

typedef struct {
  TestServer *server;
} Fixture;

static void
fixture_start (Fixture *f, const char *const *args)
{
  g_autoptr(GError) error = NULL;

  f->server = test_server_start_fake (socket_path, args, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  fixture_start (f, default_domains);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->server, test_server_stop);
}

static struct xs_handle *
open_xs (void)
{
  struct xs_handle *xsh = xs_open (0);

  g_assert_nonnull (xsh);
  return xsh;
}

/* The value as a string, or NULL with errno set. */
static char *
read_value (struct xs_handle *xsh, xs_transaction_t tx, const char *path)
{
  unsigned int len;
  char *value = xs_read (xsh, tx, path, &len);
  char *copy;

  if (value == NULL)
    return NULL;
  copy = g_strndup (value, len);
  free (value);
  return copy;
}

static void
assert_value (struct xs_handle *xsh, const char *path, const char *expected)
{
  g_autofree char *value = read_value (xsh, XBT_NULL, path);

  if (value == NULL)
    FAIL ("reading %s: %s", path, g_strerror (errno));
  g_assert_cmpstr (value, ==, expected);
}

static void
assert_missing (struct xs_handle *xsh, xs_transaction_t tx, const char *path)
{
  g_autofree char *value = read_value (xsh, tx, path);

  g_assert_null (value);
  g_assert_cmpint (errno, ==, ENOENT);
}

static void
write_value (struct xs_handle *xsh, xs_transaction_t tx, const char *path, const char *value)
{
  if (!xs_write (xsh, tx, path, value, (unsigned int) strlen (value)))
    FAIL ("writing %s: %s", path, g_strerror (errno));
}

/* The next watch event, or FALSE after TIMEOUT_MS. */
static gboolean
next_event (struct xs_handle *xsh, guint timeout_ms, char **path, char **token)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd pfd = { .fd = xs_fileno (xsh), .events = POLLIN };
      char **event = xs_check_watch (xsh);
      gint64 left;

      if (event != NULL)
        {
          *path = g_strdup (event[XS_WATCH_PATH]);
          *token = g_strdup (event[XS_WATCH_TOKEN]);
          free (event);
          return TRUE;
        }
      g_assert_cmpint (errno, ==, EAGAIN);
      left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        return FALSE;
      poll (&pfd, 1, (int) left);
    }
}

static void
expect_event (struct xs_handle *xsh, const char *path, const char *token)
{
  g_autofree char *got_path = NULL;
  g_autofree char *got_token = NULL;

  if (!next_event (xsh, EVENT_TIMEOUT_MS, &got_path, &got_token))
    FAIL ("no watch event for %s (token %s)", path, token);
  g_assert_cmpstr (got_path, ==, path);
  g_assert_cmpstr (got_token, ==, token);
}

static void
expect_no_event (struct xs_handle *xsh)
{
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;

  if (next_event (xsh, QUIET_MS, &path, &token))
    FAIL ("unexpected watch event %s (token %s)", path, token);
}

/* Sets a watch and takes the event that xenstored sends at once. */
static void
add_watch (struct xs_handle *xsh, const char *path, const char *token)
{
  g_assert_true (xs_watch (xsh, path, token));
  expect_event (xsh, path, token);
}

static void
test_nodes_read_write_directory_rm (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  static const char binary[] = { 'a', '\0', 'b' };
  unsigned int num, len;
  char **names;
  char *value;

  write_value (xsh, XBT_NULL, "/test/a", "1");
  g_assert_true (xs_mkdir (xsh, XBT_NULL, "/test/b"));
  g_assert_true (xs_mkdir (xsh, XBT_NULL, "/test/b"));
  assert_value (xsh, "/test/a", "1");
  assert_value (xsh, "/test/b", "");
  assert_value (xsh, "/test", "");
  names = xs_directory (xsh, XBT_NULL, "/test", &num);
  g_assert_nonnull (names);
  g_assert_cmpuint (num, ==, 2);
  g_assert_cmpstr (names[0], ==, "a");
  g_assert_cmpstr (names[1], ==, "b");
  free (names);

  /* Values are bytes, NULs included. */
  g_assert_true (xs_write (xsh, XBT_NULL, "/test/bin", binary, sizeof binary));
  value = xs_read (xsh, XBT_NULL, "/test/bin", &len);
  g_assert_cmpmem (value, len, binary, sizeof binary);
  free (value);

  /* Relative paths are dom0's. */
  write_value (xsh, XBT_NULL, "data/x", "rel");
  assert_value (xsh, "/local/domain/0/data/x", "rel");

  /* rm is recursive; a missing node is fine while its parent exists. */
  g_assert_true (xs_rm (xsh, XBT_NULL, "/test"));
  assert_missing (xsh, XBT_NULL, "/test/a");
  assert_missing (xsh, XBT_NULL, "/test");
  g_assert_true (xs_rm (xsh, XBT_NULL, "/test"));
  g_assert_false (xs_rm (xsh, XBT_NULL, "/test/gone/child"));
  g_assert_cmpint (errno, ==, ENOENT);
  g_assert_false (xs_rm (xsh, XBT_NULL, "/"));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_null (xs_directory (xsh, XBT_NULL, "/test", &num));
  g_assert_cmpint (errno, ==, ENOENT);

  /* Names xenstored refuses. */
  g_assert_null (read_value (xsh, XBT_NULL, "/a//b"));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_null (read_value (xsh, XBT_NULL, "/a/"));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_null (read_value (xsh, XBT_NULL, "/a b"));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_null (read_value (xsh, XBT_NULL, "@releaseDomain"));
  g_assert_cmpint (errno, ==, EINVAL);
  xs_close (xsh);
}

/* More names than one message holds: libxenstore gets E2BIG for
 * DIRECTORY and asks with DIRECTORY_PART. */
static void
test_nodes_large_directory (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  xs_transaction_t tx = xs_transaction_start (xsh);
  unsigned int num;
  char **names;

  g_assert_cmpuint (tx, !=, XBT_NULL);
  for (guint i = 0; i < 900; i++)
    {
      g_autofree char *path = g_strdup_printf ("/big/child-%04u", i);
      write_value (xsh, tx, path, "");
    }
  g_assert_true (xs_transaction_end (xsh, tx, false));

  names = xs_directory (xsh, XBT_NULL, "/big", &num);
  g_assert_nonnull (names);
  g_assert_cmpuint (num, ==, 900);
  for (guint i = 0; i < num; i++)
    {
      g_autofree char *name = g_strdup_printf ("child-%04u", i);
      g_assert_cmpstr (names[i], ==, name);
    }
  free (names);
  xs_close (xsh);
}

static void
assert_perms (struct xs_handle *xsh, const char *path, const struct xs_permissions *expected,
              unsigned int n_expected)
{
  unsigned int num;
  struct xs_permissions *perms = xs_get_permissions (xsh, XBT_NULL, path, &num);

  g_assert_nonnull (perms);
  g_assert_cmpuint (num, ==, n_expected);
  for (unsigned int i = 0; i < num; i++)
    {
      g_assert_cmpuint (perms[i].id, ==, expected[i].id);
      g_assert_cmpuint (perms[i].perms, ==, expected[i].perms);
    }
  free (perms);
}

static void
test_permissions (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  struct xs_permissions dom0_only[] = { { .id = 0, .perms = XS_PERM_NONE } };
  struct xs_permissions domain_reads[] = { { .id = 0, .perms = XS_PERM_NONE },
                                           { .id = 1, .perms = XS_PERM_READ } };
  struct xs_permissions shared[] = { { .id = 0, .perms = XS_PERM_NONE },
                                     { .id = 7, .perms = XS_PERM_READ | XS_PERM_WRITE },
                                     { .id = 8, .perms = XS_PERM_READ } };

  assert_perms (xsh, "/", dom0_only, 1);
  assert_perms (xsh, "/local/domain/1", domain_reads, 2);
  assert_perms (xsh, "/local/domain/1/name", domain_reads, 2);

  write_value (xsh, XBT_NULL, "/perm/x", "v");
  g_assert_true (xs_set_permissions (xsh, XBT_NULL, "/perm/x", shared, 3));
  assert_perms (xsh, "/perm/x", shared, 3);
  /* New nodes inherit their parent's. */
  write_value (xsh, XBT_NULL, "/perm/x/y/z", "v");
  assert_perms (xsh, "/perm/x/y/z", shared, 3);
  assert_perms (xsh, "/perm", dom0_only, 1);

  g_assert_false (xs_set_permissions (xsh, XBT_NULL, "/perm/missing", shared, 3));
  g_assert_cmpint (errno, ==, ENOENT);
  g_assert_null (xs_get_permissions (xsh, XBT_NULL, "/perm/missing", &(unsigned int) { 0 }));
  g_assert_cmpint (errno, ==, ENOENT);
  xs_close (xsh);
}

static void
test_transaction_commit_and_abort (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  struct xs_handle *watcher = open_xs ();
  xs_transaction_t tx;

  add_watch (watcher, "/tx", "t");

  tx = xs_transaction_start (xsh);
  g_assert_cmpuint (tx, !=, XBT_NULL);
  write_value (xsh, tx, "/tx/a", "1");
  g_autofree char *inside = read_value (xsh, tx, "/tx/a");
  g_assert_cmpstr (inside, ==, "1");
  /* Nobody sees it, nothing fires, before commit. */
  assert_missing (xsh, XBT_NULL, "/tx/a");
  expect_no_event (watcher);
  g_assert_true (xs_transaction_end (xsh, tx, false));
  assert_value (xsh, "/tx/a", "1");
  expect_event (watcher, "/tx/a", "t");

  tx = xs_transaction_start (xsh);
  write_value (xsh, tx, "/tx/b", "2");
  g_assert_true (xs_rm (xsh, tx, "/tx/a"));
  g_assert_true (xs_transaction_end (xsh, tx, true));
  assert_missing (xsh, XBT_NULL, "/tx/b");
  assert_value (xsh, "/tx/a", "1");
  expect_no_event (watcher);

  /* A finished or unknown transaction is gone. */
  g_assert_null (read_value (xsh, tx, "/tx/a"));
  g_assert_cmpint (errno, ==, ENOENT);
  g_assert_false (xs_transaction_end (xsh, tx, false));
  g_assert_cmpint (errno, ==, ENOENT);
  xs_close (watcher);
  xs_close (xsh);
}

static void
test_transaction_conflict (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  struct xs_handle *other = open_xs ();
  xs_transaction_t tx;
  g_autofree char *value = NULL;

  write_value (xsh, XBT_NULL, "/tx/counter", "0");

  /* What the transaction read changed under it: EAGAIN, nothing applied. */
  tx = xs_transaction_start (xsh);
  value = read_value (xsh, tx, "/tx/counter");
  g_assert_cmpstr (value, ==, "0");
  write_value (other, XBT_NULL, "/tx/counter", "5");
  write_value (xsh, tx, "/tx/counter", "1");
  write_value (xsh, tx, "/tx/mark", "x");
  g_assert_false (xs_transaction_end (xsh, tx, false));
  g_assert_cmpint (errno, ==, EAGAIN);
  assert_value (xsh, "/tx/counter", "5");
  assert_missing (xsh, XBT_NULL, "/tx/mark");

  /* A node created under it by someone else conflicts too. */
  tx = xs_transaction_start (xsh);
  assert_missing (xsh, tx, "/tx/new");
  write_value (other, XBT_NULL, "/tx/new", "theirs");
  write_value (xsh, tx, "/tx/new", "mine");
  g_assert_false (xs_transaction_end (xsh, tx, false));
  g_assert_cmpint (errno, ==, EAGAIN);
  assert_value (xsh, "/tx/new", "theirs");

  /* Changes elsewhere do not. */
  tx = xs_transaction_start (xsh);
  write_value (xsh, tx, "/tx/mine/a", "1");
  write_value (other, XBT_NULL, "/elsewhere/b", "2");
  g_assert_true (xs_transaction_end (xsh, tx, false));
  assert_value (xsh, "/tx/mine/a", "1");
  xs_close (other);
  xs_close (xsh);
}

static void
test_watch_events (Fixture *f, gconstpointer data)
{
  struct xs_handle *watcher = open_xs ();
  struct xs_handle *xsh = open_xs ();

  /* The first event comes at once, even for a missing node. */
  add_watch (watcher, "/w", "tok");
  g_assert_false (xs_watch (watcher, "/w", "tok"));
  g_assert_cmpint (errno, ==, EEXIST);

  write_value (xsh, XBT_NULL, "/w/child/x", "1");
  expect_event (watcher, "/w/child/x", "tok");
  write_value (xsh, XBT_NULL, "/elsewhere", "1");
  write_value (xsh, XBT_NULL, "/w2", "1");
  expect_no_event (watcher);
  g_assert_true (xs_mkdir (xsh, XBT_NULL, "/w/dir"));
  expect_event (watcher, "/w/dir", "tok");

  /* Removing a subtree fires the watches on the nodes below it, each
   * after its own children, then its top (xenstored's rm_node()). */
  add_watch (watcher, "/w/child/x", "deep");
  add_watch (watcher, "/w/child", "mid");
  g_assert_true (xs_rm (xsh, XBT_NULL, "/w"));
  expect_event (watcher, "/w/child/x", "deep");
  expect_event (watcher, "/w/child", "mid");
  expect_event (watcher, "/w", "tok");
  expect_no_event (watcher);

  g_assert_true (xs_unwatch (watcher, "/w", "tok"));
  g_assert_true (xs_unwatch (watcher, "/w/child/x", "deep"));
  g_assert_true (xs_unwatch (watcher, "/w/child", "mid"));
  write_value (xsh, XBT_NULL, "/w/y", "1");
  expect_no_event (watcher);
  g_assert_false (xs_unwatch (watcher, "/w", "tok"));
  g_assert_cmpint (errno, ==, ENOENT);

  /* Relative watches get relative paths. */
  add_watch (watcher, "rel", "r");
  write_value (xsh, XBT_NULL, "/local/domain/0/rel/q", "1");
  expect_event (watcher, "rel/q", "r");
  xs_close (xsh);
  xs_close (watcher);
}

/* Events go out in the order the watches were registered, whichever
 * ancestor they sit on; a watch removed and set again goes last. */
static void
test_watch_event_order (Fixture *f, gconstpointer data)
{
  struct xs_handle *watcher = open_xs ();
  struct xs_handle *xsh = open_xs ();

  add_watch (watcher, "/o/a/b", "t1");
  add_watch (watcher, "/o", "t2");
  add_watch (watcher, "/o/a/b", "t3");
  add_watch (watcher, "/", "t4");
  add_watch (watcher, "@releaseDomain", "t5");

  write_value (xsh, XBT_NULL, "/o/a/b/c", "1");
  expect_event (watcher, "/o/a/b/c", "t1");
  expect_event (watcher, "/o/a/b/c", "t2");
  expect_event (watcher, "/o/a/b/c", "t3");
  expect_event (watcher, "/o/a/b/c", "t4");
  expect_no_event (watcher);

  /* The special events go to the watches on exactly their names, not to
   * "/" (xenstored fires them "exact": destroy_domain(),
   * introduce_domain()). */
  g_assert_true (xs_introduce_domain (xsh, 9, 0x1234, 7));
  expect_no_event (watcher);
  g_assert_true (xs_release_domain (xsh, 9));
  expect_event (watcher, "@releaseDomain", "t5");
  expect_no_event (watcher);

  g_assert_true (xs_unwatch (watcher, "/o", "t2"));
  g_assert_true (xs_unwatch (watcher, "/o/a/b", "t1"));
  add_watch (watcher, "/o/a/b", "t1");
  write_value (xsh, XBT_NULL, "/o/a/b", "2");
  expect_event (watcher, "/o/a/b", "t3");
  expect_event (watcher, "/o/a/b", "t4");
  expect_event (watcher, "/o/a/b", "t1");
  expect_no_event (watcher);
  xs_close (xsh);
  xs_close (watcher);
}

static void
test_domain_release_and_state (Fixture *f, gconstpointer data)
{
  struct xs_handle *watcher = open_xs ();
  struct xs_handle *xsh = open_xs ();
  struct xs_permissions owned_by_1[] = { { .id = 1, .perms = XS_PERM_NONE } };
  xs_transaction_t tx;

  add_watch (watcher, "@releaseDomain", "rel");
  add_watch (watcher, "@introduceDomain", "intro");
  add_watch (watcher, "/local/domain/0/device-model/2/state", "state");

  /* The device model becomes ready: a plain write. */
  write_value (xsh, XBT_NULL, "/local/domain/0/device-model/2/state", "running");
  expect_event (watcher, "/local/domain/0/device-model/2/state", "state");

  /* Removing a domain's nodes does not end the domain, in or out of a
   * transaction: only its death or XS_RELEASE does. */
  g_assert_true (xs_is_domain_introduced (xsh, 1));
  g_assert_true (xs_rm (xsh, XBT_NULL, "/local/domain/1"));
  tx = xs_transaction_start (xsh);
  g_assert_true (xs_rm (xsh, tx, "/local/domain/5"));
  g_assert_true (xs_transaction_end (xsh, tx, false));
  expect_no_event (watcher);
  g_assert_true (xs_is_domain_introduced (xsh, 1));
  g_assert_true (xs_is_domain_introduced (xsh, 5));

  /* XS_RELEASE: the nodes the domain owns go with it (their watches
   * fire first), then @releaseDomain. */
  write_value (xsh, XBT_NULL, "/owned/by1/x", "1");
  write_value (xsh, XBT_NULL, "/owned/kept", "1");
  g_assert_true (xs_set_permissions (xsh, XBT_NULL, "/owned/by1", owned_by_1, 1));
  add_watch (watcher, "/owned", "owned");
  g_assert_true (xs_release_domain (xsh, 1));
  expect_event (watcher, "/owned/by1", "owned");
  expect_event (watcher, "@releaseDomain", "rel");
  expect_no_event (watcher);
  assert_missing (xsh, XBT_NULL, "/owned/by1/x");
  assert_missing (xsh, XBT_NULL, "/owned/by1");
  assert_value (xsh, "/owned/kept", "1");
  g_assert_false (xs_is_domain_introduced (xsh, 1));
  g_assert_true (xs_is_domain_introduced (xsh, 2));
  g_assert_true (xs_is_domain_introduced (xsh, 0));

  /* INTRODUCE and RELEASE, as a toolstack sends them. */
  g_assert_false (xs_is_domain_introduced (xsh, 9));
  g_assert_true (xs_introduce_domain (xsh, 9, 0x1234, 7));
  expect_event (watcher, "@introduceDomain", "intro");
  g_assert_true (xs_is_domain_introduced (xsh, 9));
  /* Again: the event channel is bound again, nothing fires. */
  g_assert_true (xs_introduce_domain (xsh, 9, 0x1234, 7));
  expect_no_event (watcher);
  g_assert_true (xs_release_domain (xsh, 9));
  expect_event (watcher, "@releaseDomain", "rel");
  g_assert_false (xs_release_domain (xsh, 9));
  g_assert_cmpint (errno, ==, ENOENT);

  /* Dom0 is introduced from the start: introducing it again is fine and
   * fires nothing; releasing or resuming it is EINVAL. */
  g_assert_true (xs_introduce_domain (xsh, 0, 0x1234, 7));
  expect_no_event (watcher);
  g_assert_false (xs_release_domain (xsh, 0));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_false (xs_resume_domain (xsh, 0));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_true (xs_resume_domain (xsh, 2));
  g_assert_false (xs_resume_domain (xsh, 9));
  g_assert_cmpint (errno, ==, ENOENT);
  /* An event channel port must be given. */
  g_assert_false (xs_introduce_domain (xsh, 10, 0x1234, 0));
  g_assert_cmpint (errno, ==, EINVAL);
  xs_close (xsh);
  xs_close (watcher);
}

static void
assert_write_result (struct xs_handle *xsh, const char *path, int expected_errno)
{
  gboolean ok = xs_write (xsh, XBT_NULL, path, "v", 1);

  if (expected_errno == 0 && !ok)
    FAIL ("writing a %zu-byte path: %s", strlen (path), g_strerror (errno));
  if (expected_errno != 0)
    {
      g_assert_false (ok);
      g_assert_cmpint (errno, ==, expected_errno);
    }
}

/* xenstored 4.17's is_valid_nodename(): XENSTORE_REL_PATH_MAX (2048)
 * bytes below "/local/domain/<domid>/", or in all for other paths. */
static void
test_nodes_path_length (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  const struct { const char *prefix; gsize len; int err; } cases[] = {
    { "/", XENSTORE_REL_PATH_MAX, 0 },
    { "/", XENSTORE_REL_PATH_MAX + 1, EINVAL },
    { "/local/domain/0/", 16 + XENSTORE_REL_PATH_MAX, 0 },
    { "/local/domain/0/", 16 + XENSTORE_REL_PATH_MAX + 1, EINVAL },
    /* Any domid of at most five digits, introduced or not. */
    { "/local/domain/32000/", 20 + XENSTORE_REL_PATH_MAX, 0 },
    { "/local/domain/32000/", 20 + XENSTORE_REL_PATH_MAX + 1, EINVAL },
    /* Six digits are not a domid to sscanf ("%5u"). */
    { "/local/domain/123456/", XENSTORE_REL_PATH_MAX + 1, EINVAL },
    { "/local/domain/123456/", XENSTORE_REL_PATH_MAX, 0 },
    /* XENSTORE_ABS_PATH_MAX (3072) is not what is checked. */
    { "/", XENSTORE_ABS_PATH_MAX, EINVAL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = test_xs_path_of_length (cases[i].prefix, cases[i].len);

      g_test_message ("%s... (%zu bytes)", cases[i].prefix, strlen (path));
      g_assert_cmpuint (strlen (path), ==, cases[i].len);
      assert_write_result (xsh, path, cases[i].err);
    }

  /* A relative path is measured below dom0's home. */
  {
    g_autofree char *relative = test_xs_path_of_length ("x", XENSTORE_REL_PATH_MAX);
    g_autofree char *too_long = test_xs_path_of_length ("x", XENSTORE_REL_PATH_MAX + 1);

    assert_write_result (xsh, relative, 0);
    assert_write_result (xsh, too_long, EINVAL);
  }
  /* A special watch name may be as long, too. */
  {
    g_autofree char *special = test_xs_path_of_length ("@", XENSTORE_REL_PATH_MAX);
    g_autofree char *too_long = test_xs_path_of_length ("@", XENSTORE_REL_PATH_MAX + 1);

    g_assert_true (xs_watch (xsh, special, "t"));
    g_assert_false (xs_watch (xsh, too_long, "t"));
    g_assert_cmpint (errno, ==, EINVAL);
  }
  xs_close (xsh);
}

/* The store a bare fake-xenstored starts with is xenstored's
 * setup_structure(): "/", "/tool", "/tool/xenstored", owned by dom0. */
static void
test_bare_start (void)
{
  Fixture f = { NULL };
  const char *const no_args[] = { NULL };
  struct xs_permissions dom0_only[] = { { .id = 0, .perms = XS_PERM_NONE } };
  struct xs_handle *xsh;
  unsigned int num;
  char **names;

  fixture_start (&f, no_args);
  xsh = open_xs ();
  names = xs_directory (xsh, XBT_NULL, "/", &num);
  g_assert_nonnull (names);
  g_assert_cmpuint (num, ==, 1);
  g_assert_cmpstr (names[0], ==, "tool");
  free (names);
  names = xs_directory (xsh, XBT_NULL, "/tool", &num);
  g_assert_cmpuint (num, ==, 1);
  g_assert_cmpstr (names[0], ==, "xenstored");
  free (names);
  names = xs_directory (xsh, XBT_NULL, "/tool/xenstored", &num);
  g_assert_cmpuint (num, ==, 0);
  free (names);
  assert_value (xsh, "/tool/xenstored", "");
  assert_perms (xsh, "/", dom0_only, 1);
  assert_perms (xsh, "/tool/xenstored", dom0_only, 1);
  assert_missing (xsh, XBT_NULL, "/local");
  /* Dom0 is introduced all the same. */
  g_assert_true (xs_is_domain_introduced (xsh, 0));
  g_assert_false (xs_is_domain_introduced (xsh, 1));
  xs_close (xsh);
  fixture_tear_down (&f, NULL);
}

/* Dom0's tools have no transaction quota (xenstored counts only
 * unprivileged domains' transactions). */
static void
test_transaction_many_open (Fixture *f, gconstpointer data)
{
  enum { N = 200 };
  struct xs_handle *xsh = open_xs ();
  xs_transaction_t tx[N];

  for (guint i = 0; i < N; i++)
    {
      tx[i] = xs_transaction_start (xsh);
      if (tx[i] == XBT_NULL)
        FAIL ("transaction %u: %s", i, g_strerror (errno));
    }
  for (guint i = 0; i < N; i++)
    g_assert_true (xs_transaction_end (xsh, tx[i], true));
  xs_close (xsh);
}

/* A commit fires each changed node's watches once, in the order the
 * transaction first looked at the nodes (finalize_transaction()). */
static void
test_transaction_commit_events (Fixture *f, gconstpointer data)
{
  struct xs_handle *watcher = open_xs ();
  struct xs_handle *xsh = open_xs ();
  xs_transaction_t tx;

  write_value (xsh, XBT_NULL, "/c/old/deep", "1");
  add_watch (watcher, "/c", "t");
  add_watch (watcher, "/c/old/deep", "deep");

  tx = xs_transaction_start (xsh);
  write_value (xsh, tx, "/c/b", "1");
  write_value (xsh, tx, "/c/a", "1");
  write_value (xsh, tx, "/c/b", "2");
  g_assert_true (xs_rm (xsh, tx, "/c/old"));
  expect_no_event (watcher);
  g_assert_true (xs_transaction_end (xsh, tx, false));
  expect_event (watcher, "/c/b", "t");
  expect_event (watcher, "/c/a", "t");
  /* The removed top, then what was below it: the order of looking. */
  expect_event (watcher, "/c/old", "t");
  expect_event (watcher, "/c/old/deep", "deep");
  expect_no_event (watcher);
  xs_close (xsh);
  xs_close (watcher);
}

/* The --hypervisor state folder, as the tests' hypervisor stand-in
 * keeps it: DIR/domains/<domid>, DIR/virq-dom-exc. */
typedef struct {
  char *dir;
  int   virq_fd;    /* the FIFO's writing end */
} Hypervisor;

static void
hypervisor_set_domain (Hypervisor *hv, guint domid, const char *state)
{
  g_autofree char *name = g_strdup_printf ("%u", domid);
  g_autofree char *path = g_build_filename (hv->dir, "domains", name, NULL);

  if (state == NULL)
    g_assert_cmpint (g_unlink (path), ==, 0);
  else
    g_assert_true (g_file_set_contents (path, state, -1, NULL));
}

/* VIRQ_DOM_EXC. */
static void
hypervisor_signal (Hypervisor *hv)
{
  g_assert_cmpint (write (hv->virq_fd, "x", 1), ==, 1);
}

static void
hypervisor_start (Hypervisor *hv, Fixture *f)
{
  g_autofree char *domains = NULL;
  g_autofree char *fifo = NULL;
  const char *args[] = { "--domain", "1", "--domain", "2", "--hypervisor", NULL, NULL };

  hv->dir = g_build_filename (run_dir, "hypervisor", NULL);
  domains = g_build_filename (hv->dir, "domains", NULL);
  fifo = g_build_filename (hv->dir, "virq-dom-exc", NULL);
  g_assert_cmpint (g_mkdir_with_parents (domains, 0700), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* Read-write: opening does not wait for a reader. */
  hv->virq_fd = g_open (fifo, O_RDWR | O_CLOEXEC, 0);
  g_assert_cmpint (hv->virq_fd, >=, 0);
  hypervisor_set_domain (hv, 1, "uuid=00000000-0000-4000-8000-000000000001\nhvm=1\n");
  hypervisor_set_domain (hv, 2, "uuid=00000000-0000-4000-8000-000000000002\n");
  args[5] = hv->dir;
  fixture_start (f, args);
}

static void
hypervisor_stop (Hypervisor *hv, Fixture *f)
{
  g_autofree char *domains = g_build_filename (hv->dir, "domains", NULL);
  g_autofree char *fifo = g_build_filename (hv->dir, "virq-dom-exc", NULL);
  g_autoptr(GDir) dir = g_dir_open (domains, 0, NULL);
  const char *name;

  fixture_tear_down (f, NULL);
  close (hv->virq_fd);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (domains, name, NULL);
      g_unlink (path);
    }
  g_rmdir (domains);
  g_unlink (fifo);
  g_rmdir (hv->dir);
  g_free (hv->dir);
}

/* With --hypervisor, a domain ends when the hypervisor says it is dying
 * or gone, at VIRQ_DOM_EXC: xenstored's check_domains(). */
static void
test_domain_death_from_hypervisor (void)
{
  Fixture f = { NULL };
  Hypervisor hv = { NULL };
  struct xs_permissions owned_by_2[] = { { .id = 2, .perms = XS_PERM_NONE } };
  struct xs_permissions owned_by_3[] = { { .id = 3, .perms = XS_PERM_NONE } };
  struct xs_handle *watcher, *xsh;

  hypervisor_start (&hv, &f);
  watcher = open_xs ();
  xsh = open_xs ();
  add_watch (watcher, "@releaseDomain", "rel");
  add_watch (watcher, "/owned", "owned");
  g_assert_true (xs_is_domain_introduced (xsh, 1));
  g_assert_true (xs_is_domain_introduced (xsh, 2));

  /* A domain the hypervisor does not have cannot own a node, nor be
   * introduced. */
  write_value (xsh, XBT_NULL, "/owned/by2/x", "1");
  expect_event (watcher, "/owned/by2/x", "owned");
  g_assert_false (xs_set_permissions (xsh, XBT_NULL, "/owned/by2", owned_by_3, 1));
  g_assert_cmpint (errno, ==, ENOENT);
  g_assert_true (xs_set_permissions (xsh, XBT_NULL, "/owned/by2", owned_by_2, 1));
  expect_event (watcher, "/owned/by2", "owned");
  g_assert_false (xs_introduce_domain (xsh, 3, 0x1234, 7));
  g_assert_cmpint (errno, ==, EINVAL);

  /* An event with nothing changed fires nothing. */
  hypervisor_signal (&hv);
  expect_no_event (watcher);

  /* Shut down: one @releaseDomain, the domain stays; not twice. */
  hypervisor_set_domain (&hv, 1, "shutdown=1\n");
  hypervisor_signal (&hv);
  expect_event (watcher, "@releaseDomain", "rel");
  hypervisor_signal (&hv);
  expect_no_event (watcher);
  g_assert_true (xs_is_domain_introduced (xsh, 1));

  /* Dying: it goes, with the nodes it owns. */
  hypervisor_set_domain (&hv, 2, "dying=1\n");
  hypervisor_signal (&hv);
  expect_event (watcher, "/owned/by2", "owned");
  expect_event (watcher, "@releaseDomain", "rel");
  expect_no_event (watcher);
  g_assert_false (xs_is_domain_introduced (xsh, 2));
  assert_missing (xsh, XBT_NULL, "/owned/by2/x");
  /* Its nodes in /local/domain are dom0's (as seeded): they stay. */
  assert_value (xsh, "/local/domain/2/name", "fake-2");

  /* Gone from the hypervisor altogether. */
  hypervisor_set_domain (&hv, 1, NULL);
  hypervisor_signal (&hv);
  expect_event (watcher, "@releaseDomain", "rel");
  expect_no_event (watcher);
  g_assert_false (xs_is_domain_introduced (xsh, 1));
  g_assert_true (xs_is_domain_introduced (xsh, 0));

  xs_close (xsh);
  xs_close (watcher);
  hypervisor_stop (&hv, &f);
}

static void
test_seeded_layout (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  g_autofree char *domain_path = xs_get_domain_path (xsh, 5);

  assert_value (xsh, "/local/domain/0/name", "Domain-0");
  assert_value (xsh, "/local/domain/0/domid", "0");

  assert_value (xsh, "/local/domain/1/name", "fake-1");
  assert_value (xsh, "/local/domain/1/domid", "1");
  assert_value (xsh, "/local/domain/1/vm", "/vm/00000000-0000-4000-8000-000000000001");
  assert_value (xsh, "/vm/00000000-0000-4000-8000-000000000001/uuid",
                "00000000-0000-4000-8000-000000000001");
  assert_value (xsh, "/libxl/1/dm-version", "qemu_xen");
  assert_value (xsh, "/local/domain/0/device-model/1/state", "running");
  assert_missing (xsh, XBT_NULL, "/local/domain/1/image/device-model-domid");

  assert_value (xsh, "/libxl/2/dm-version", "qemu_xen_traditional");
  assert_value (xsh, "/local/domain/0/device-model/2/state", "paused");

  assert_value (xsh, "/local/domain/5/name", "guest");
  assert_value (xsh, "/local/domain/5/image/device-model-domid", "6");
  assert_value (xsh, "/local/domain/6/name", "guest-dm");
  assert_value (xsh, "/local/domain/6/domid", "6");
  assert_value (xsh, "/local/domain/6/target", "5");
  assert_missing (xsh, XBT_NULL, "/libxl/6/dm-version");

  g_assert_cmpstr (domain_path, ==, "/local/domain/5");
  for (guint domid = 0; domid <= 6; domid++)
    g_assert_cmpint (xs_is_domain_introduced (xsh, domid), ==,
                     domid != 3 && domid != 4);
  xs_close (xsh);
}

static void
test_seed_file (void)
{
  Fixture f = { NULL };
  g_autofree char *seed = g_build_filename (run_dir, "seed.json", NULL);
  const char *const args[] = { "--domain", "3", "--seed", seed, NULL };
  struct xs_handle *xsh;

  g_assert_true (g_file_set_contents (seed,
    "{ \"/local/domain/3/name\": \"renamed\", \"/custom/number\": 42,\n"
    "  \"/libxl/3/dm-version\": null, \"/local/domain/7/name\": \"extra\" }", -1, NULL));
  fixture_start (&f, args);
  xsh = open_xs ();
  assert_value (xsh, "/local/domain/3/name", "renamed");
  assert_value (xsh, "/custom/number", "42");
  assert_missing (xsh, XBT_NULL, "/libxl/3/dm-version");
  /* A domain is whatever has a /local/domain/<domid> node at start. */
  g_assert_true (xs_is_domain_introduced (xsh, 7));
  xs_close (xsh);
  fixture_tear_down (&f, NULL);
  g_unlink (seed);
}

typedef struct {
  guint increments;
  guint retries;
  guint index;
} Worker;

/* Each worker: its own connection, its own subtree, and increments of a
 * shared counter in transactions, retried on EAGAIN. */
static gpointer
worker_run (gpointer data)
{
  Worker *worker = data;
  struct xs_handle *xsh = xs_open (0);

  g_assert_nonnull (xsh);
  for (guint i = 0; i < worker->increments; i++)
    {
      g_autofree char *own = g_strdup_printf ("/workers/%u/%u", worker->index, i);

      write_value (xsh, XBT_NULL, own, "x");
      for (;;)
        {
          xs_transaction_t tx = xs_transaction_start (xsh);
          g_autofree char *value = NULL;
          g_autofree char *next = NULL;

          g_assert_cmpuint (tx, !=, XBT_NULL);
          value = read_value (xsh, tx, "/counter");
          g_assert_nonnull (value);
          next = g_strdup_printf ("%d", atoi (value) + 1);
          write_value (xsh, tx, "/counter", next);
          if (xs_transaction_end (xsh, tx, false))
            break;
          g_assert_cmpint (errno, ==, EAGAIN);
          worker->retries++;
        }
    }
  xs_close (xsh);
  return NULL;
}

static void
test_many_clients (Fixture *f, gconstpointer data)
{
  enum { N_WORKERS = 8, N_INCREMENTS = 25, N_IDLE = 100 };
  struct xs_handle *idle[N_IDLE];
  Worker workers[N_WORKERS];
  GThread *threads[N_WORKERS];
  struct xs_handle *xsh = open_xs ();
  guint retries = 0;
  unsigned int num;
  char **names;

  /* Many open connections at once, each served. */
  for (guint i = 0; i < N_IDLE; i++)
    idle[i] = open_xs ();
  for (guint i = 0; i < N_IDLE; i++)
    assert_value (idle[i], "/local/domain/1/name", "fake-1");

  write_value (xsh, XBT_NULL, "/counter", "0");
  for (guint i = 0; i < N_WORKERS; i++)
    {
      workers[i] = (Worker) { .increments = N_INCREMENTS, .index = i };
      threads[i] = g_thread_new ("worker", worker_run, &workers[i]);
    }
  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_thread_join (threads[i]);
      retries += workers[i].retries;
    }
  g_test_message ("%u transactions retried after EAGAIN", retries);
  g_autofree char *expected = g_strdup_printf ("%d", N_WORKERS * N_INCREMENTS);
  assert_value (xsh, "/counter", expected);
  names = xs_directory (xsh, XBT_NULL, "/workers/3", &num);
  g_assert_cmpuint (num, ==, N_INCREMENTS);
  free (names);

  for (guint i = 0; i < N_IDLE; i++)
    xs_close (idle[i]);
  xs_close (xsh);
}

/* Raw requests over a plain socket. */
static void
raw_send (int fd, guint32 type, guint32 tx_id, const void *payload, gsize len)
{
  struct xsd_sockmsg header = { .type = type, .req_id = 77, .tx_id = tx_id,
                                .len = (guint32) len };

  g_assert_cmpint (send (fd, &header, sizeof header, MSG_NOSIGNAL), ==, sizeof header);
  if (len > 0)
    g_assert_cmpint (send (fd, payload, len, MSG_NOSIGNAL), ==, (gssize) len);
}

static gboolean
raw_read_all (int fd, void *buffer, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      ssize_t n;

      if (poll (&pfd, 1, EVENT_TIMEOUT_MS) != 1)
        return FALSE;
      n = recv (fd, (char *) buffer + done, len - done, 0);
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

/* Reads one reply; returns its payload (NUL-terminated for convenience). */
static char *
raw_reply (int fd, guint32 *type)
{
  struct xsd_sockmsg header;
  char *payload;

  g_assert_true (raw_read_all (fd, &header, sizeof header));
  g_assert_cmpuint (header.req_id, ==, 77);
  g_assert_cmpuint (header.len, <=, XENSTORE_PAYLOAD_MAX);
  payload = g_malloc0 (header.len + 1);
  g_assert_true (raw_read_all (fd, payload, header.len));
  *type = header.type;
  return payload;
}

static void
raw_expect_error (int fd, const char *name)
{
  guint32 type;
  g_autofree char *payload = raw_reply (fd, &type);

  g_assert_cmpuint (type, ==, XS_ERROR);
  g_assert_cmpstr (payload, ==, name);
}

static void
assert_closed_by_peer (int fd)
{
  char c;
  struct pollfd pfd = { .fd = fd, .events = POLLIN };

  g_assert_cmpint (poll (&pfd, 1, EVENT_TIMEOUT_MS), ==, 1);
  g_assert_cmpint (recv (fd, &c, 1, 0), <=, 0);
}

static void
test_hostile_input (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  int fd = test_unix_connect (socket_path);
  static const char no_nul[] = { '/', 'a' };
  g_autofree char *garbage = g_malloc (64 * 1024);
  guint32 type;

  g_assert_cmpint (fd, >=, 0);
  raw_send (fd, 999, 0, "x", 2);
  raw_expect_error (fd, "ENOSYS");
  raw_send (fd, XS_WATCH_EVENT, 0, "/a\0t", 5);
  raw_expect_error (fd, "ENOSYS");
  raw_send (fd, XS_READ, 0, no_nul, sizeof no_nul);
  raw_expect_error (fd, "EINVAL");
  raw_send (fd, XS_READ, 0, NULL, 0);
  raw_expect_error (fd, "EINVAL");
  raw_send (fd, XS_WRITE, 0, "/a", 2);
  raw_expect_error (fd, "EINVAL");
  raw_send (fd, XS_READ, 12345, "/local", 7);
  raw_expect_error (fd, "ENOENT");
  raw_send (fd, XS_SET_PERMS, 0, "/local\0x5", 10);
  raw_expect_error (fd, "EINVAL");
  raw_send (fd, XS_WATCH, 0, "/a\0t\0extra", 11);
  raw_expect_error (fd, "EINVAL");
  raw_send (fd, XS_TRANSACTION_END, 0, "T", 2);
  raw_expect_error (fd, "ENOENT");
  /* The argument is checked before the transaction. */
  raw_send (fd, XS_TRANSACTION_END, 0, "X", 2);
  raw_expect_error (fd, "EINVAL");
  /* Domids are read with atoi(), as xenstored does. */
  raw_send (fd, XS_GET_DOMAIN_PATH, 0, "1x", 3);
  g_autofree char *domain_path = raw_reply (fd, &type);
  g_assert_cmpuint (type, ==, XS_GET_DOMAIN_PATH);
  g_assert_cmpstr (domain_path, ==, "/local/domain/1");
  /* Still in step after all that. */
  raw_send (fd, XS_READ, 0, "/local/domain/1/name", 21);
  g_autofree char *name = raw_reply (fd, &type);
  g_assert_cmpuint (type, ==, XS_READ);
  g_assert_cmpstr (name, ==, "fake-1");

  /* More than XENSTORE_PAYLOAD_MAX announced: the client is dropped. */
  {
    struct xsd_sockmsg header = { .type = XS_WRITE, .len = XENSTORE_PAYLOAD_MAX + 1 };
    g_assert_cmpint (send (fd, &header, sizeof header, MSG_NOSIGNAL), ==, sizeof header);
    assert_closed_by_peer (fd);
    close (fd);
  }

  /* Random bytes, a message cut short, a client gone mid-message. */
  fd = test_unix_connect (socket_path);
  for (gsize i = 0; i < 64 * 1024; i++)
    garbage[i] = (char) g_test_rand_int ();
  send (fd, garbage, 64 * 1024, MSG_NOSIGNAL | MSG_DONTWAIT);
  close (fd);
  fd = test_unix_connect (socket_path);
  {
    struct xsd_sockmsg header = { .type = XS_WRITE, .len = 100 };
    g_assert_cmpint (send (fd, &header, sizeof header, MSG_NOSIGNAL), ==, sizeof header);
    g_assert_cmpint (send (fd, "/half", 5, MSG_NOSIGNAL), ==, 5);
  }
  assert_value (xsh, "/local/domain/1/name", "fake-1");
  close (fd);

  /* A client that sends and never reads is held back; others go on. */
  fd = test_unix_connect (socket_path);
  {
    static const char request[] = "/local/domain/1/name";
    struct xsd_sockmsg header = { .type = XS_READ, .len = sizeof request };
    char message[sizeof header + sizeof request];
    guint sent = 0;

    memcpy (message, &header, sizeof header);
    memcpy (message + sizeof header, request, sizeof request);
    while (sent < 200000 && send (fd, message, sizeof message,
                                  MSG_NOSIGNAL | MSG_DONTWAIT) == (gssize) sizeof message)
      sent++;
    g_test_message ("%u requests sent before the fake stopped reading", sent);
    g_assert_cmpuint (sent, <, 200000);
  }
  assert_value (xsh, "/local/domain/1/name", "fake-1");
  close (fd);
  assert_value (xsh, "/local/domain/1/name", "fake-1");
  xs_close (xsh);
}

/* A watcher that never reads its events is dropped before it costs the
 * fake unbounded memory. */
/* A message of any type, with its header: a reply or a watch event. */
static char *
raw_message (int fd, struct xsd_sockmsg *header)
{
  char *payload;

  g_assert_true (raw_read_all (fd, header, sizeof *header));
  g_assert_cmpuint (header->len, <=, XENSTORE_PAYLOAD_MAX);
  payload = g_malloc0 (header->len + 1);
  g_assert_true (raw_read_all (fd, payload, header->len));
  return payload;
}

static void
raw_expect (int fd, guint32 type, const char *payload, gsize len)
{
  struct xsd_sockmsg header;
  g_autofree char *got = raw_message (fd, &header);

  g_assert_cmpuint (header.type, ==, type);
  g_assert_cmpmem (got, header.len, payload, len);
}

static void
raw_expect_event (int fd, const char *path, const char *token)
{
  g_autofree char *event = g_strdup_printf ("%s%c%s", path, 0, token);

  raw_expect (fd, XS_WATCH_EVENT, event, strlen (path) + strlen (token) + 2);
}

static void
raw_send_all (int fd, const GByteArray *bytes)
{
  for (gsize done = 0; done < bytes->len;)
    {
      ssize_t n = send (fd, bytes->data + done, bytes->len - done, MSG_NOSIGNAL);

      g_assert_cmpint (n, >, 0);
      done += (gsize) n;
    }
}

static void
append_watch_request (GByteArray *bytes, guint req_id, const char *path, const char *token)
{
  struct xsd_sockmsg header = { .type = XS_WATCH, .req_id = req_id,
                                .len = (guint32) (strlen (path) + strlen (token) + 2) };

  g_byte_array_append (bytes, (const guint8 *) &header, sizeof header);
  g_byte_array_append (bytes, (const guint8 *) path, (guint) strlen (path) + 1);
  g_byte_array_append (bytes, (const guint8 *) token, (guint) strlen (token) + 1);
}

static void
check_budget (gint64 start, const char *what, guint done)
{
  gint64 elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  if (elapsed_ms > MANY_WATCHES_BUDGET_MS)
    FAIL ("%s: %u done after %" G_GINT64_FORMAT " ms, over the %d ms budget",
          what, done, elapsed_ms, MANY_WATCHES_BUDGET_MS);
}

/* Watches cost time in what fires, not in how many are registered: one
 * client at the fake's per-client limit, then writes that each fire one
 * of them. The budget is loose (busy CI, sanitizers): a fake that scans
 * every watch took 26 s to register these and 3 s a write, and the test
 * gives up as soon as the budget is spent. */
static void
test_many_watches (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  int fd = test_unix_connect (socket_path);
  gint64 start = g_get_monotonic_time ();
  gint64 registered;

  g_assert_cmpint (fd, >=, 0);
  for (guint first = 0; first < MANY_WATCHES; first += MANY_WATCHES_BATCH)
    {
      g_autoptr(GByteArray) batch = g_byte_array_new ();

      /* Pipelined, a batch at a time: a round trip each would measure
       * the test more than the fake. */
      for (guint i = first; i < first + MANY_WATCHES_BATCH; i++)
        {
          g_autofree char *path = g_strdup_printf ("/many/%u", i);

          append_watch_request (batch, i, path, "t");
        }
      raw_send_all (fd, batch);
      for (guint i = first; i < first + MANY_WATCHES_BATCH; i++)
        {
          g_autofree char *path = g_strdup_printf ("/many/%u", i);

          raw_expect (fd, XS_WATCH, "OK", 3);
          raw_expect_event (fd, path, "t");
        }
      check_budget (start, "registering watches", first + MANY_WATCHES_BATCH);
    }
  registered = g_get_monotonic_time ();

  /* A duplicate is still found among them, and the limit still holds. */
  {
    g_autoptr(GByteArray) bytes = g_byte_array_new ();

    append_watch_request (bytes, 1, "/many/0", "t");
    append_watch_request (bytes, 2, "/many/extra", "t");
    raw_send_all (fd, bytes);
    raw_expect (fd, XS_ERROR, "EEXIST", 7);
    raw_expect (fd, XS_ERROR, "E2BIG", 6);
  }

  for (guint i = 0; i < MANY_WATCHES_WRITES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/many/%u", i * 61 % MANY_WATCHES);

      write_value (xsh, XBT_NULL, path, "x");
      check_budget (start, "writes under the watches", i + 1);
    }
  for (guint i = 0; i < MANY_WATCHES_WRITES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/many/%u", i * 61 % MANY_WATCHES);

      raw_expect_event (fd, path, "t");
    }
  g_test_message ("%d watches registered in %" G_GINT64_FORMAT " ms, then %d writes in %"
                  G_GINT64_FORMAT " ms", MANY_WATCHES, (registered - start) / 1000,
                  MANY_WATCHES_WRITES, (g_get_monotonic_time () - registered) / 1000);
  close (fd);
  xs_close (xsh);
}

static void
test_watcher_that_never_reads (Fixture *f, gconstpointer data)
{
  struct xs_handle *xsh = open_xs ();
  int fd = test_unix_connect (socket_path);
  g_autoptr(GString) path = g_string_new ("/flood");
  gboolean closed = FALSE;

  g_assert_cmpint (fd, >=, 0);
  raw_send (fd, XS_WATCH, 0, "/flood\0t", 9);
  /* As long as a path outside a domain's home may be. */
  while (path->len + 37 <= XENSTORE_REL_PATH_MAX)
    g_string_append (path, "/abcdefghijklmnopqrstuvwxyz0123456789");
  /* 2 KiB an event; the limit is 8 MiB. */
  for (guint i = 0; i < 6000; i++)
    write_value (xsh, XBT_NULL, path->str, "x");
  assert_value (xsh, "/local/domain/1/name", "fake-1");
  /* Draining what was sent ends in end-of-stream. */
  for (;;)
    {
      char buffer[65536];
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      ssize_t n;

      if (poll (&pfd, 1, EVENT_TIMEOUT_MS) != 1)
        break;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n <= 0)
        {
          closed = TRUE;
          break;
        }
    }
  g_assert_true (closed);
  close (fd);
  xs_close (xsh);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs a tool to completion; returns its stdout. */
static char *
run_tool (const char *const *argv, GSpawnFlags flags, int *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | flags,
                               die_with_parent, NULL, &out, NULL, status, &error));
  g_assert_no_error (error);
  return out;
}

static char *
read_line (int fd)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      char c;

      if (poll (&pfd, 1, EVENT_TIMEOUT_MS) != 1 || read (fd, &c, 1) != 1)
        return NULL;
      if (c == '\n')
        return g_string_free (g_steal_pointer (&line), FALSE);
      g_string_append_c (line, c);
    }
}

static void
test_real_tools (Fixture *f, gconstpointer data)
{
  static const char *const write_argv[] = { "xenstore-write", "/tools/a", "hello", NULL };
  static const char *const read_argv[] = { "xenstore-read", "/tools/a", NULL };
  static const char *const ls_argv[] = { "xenstore-ls", "/tools", NULL };
  static const char *const rm_argv[] = { "xenstore-rm", "/tools/a", NULL };
  static const char *const watch_argv[] = { "xenstore-watch", "-n", "2", "/tools/w", NULL };
  static const char *const trigger_argv[] = { "xenstore-write", "/tools/w/x", "1", NULL };
  g_autofree char *tool = g_find_program_in_path ("xenstore-watch");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  GPid pid;
  int status, watch_out;

  if (tool == NULL)
    {
      g_test_skip ("the xenstore-* tools are not installed (Debian: xenstore-utils)");
      return;
    }
  g_free (run_tool (write_argv, 0, &status));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  out = run_tool (read_argv, 0, &status);
  g_assert_cmpstr (out, ==, "hello\n");
  g_clear_pointer (&out, g_free);
  out = run_tool (ls_argv, 0, &status);
  g_assert_cmpstr (out, ==, "a = \"hello\"\n");
  g_clear_pointer (&out, g_free);
  g_free (run_tool (rm_argv, 0, &status));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* It says on stderr that the node is gone: expected. */
  g_free (run_tool (read_argv, G_SPAWN_STDERR_TO_DEV_NULL, &status));
  g_assert_false (g_spawn_check_wait_status (status, NULL));

  /* xenstore-watch prints the first event, then the change. */
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) watch_argv, NULL,
                                           G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                           die_with_parent, NULL, &pid, NULL, &watch_out,
                                           NULL, &error));
  g_assert_no_error (error);
  line = read_line (watch_out);
  g_assert_cmpstr (line, ==, "/tools/w");
  g_clear_pointer (&line, g_free);
  g_free (run_tool (trigger_argv, 0, &status));
  line = read_line (watch_out);
  g_assert_cmpstr (line, ==, "/tools/w/x");
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_spawn_close_pid (pid);
  close (watch_out);
}

static void
test_exit_on_sigterm_and_timeout (void)
{
  Fixture f = { NULL };
  const char *const args[] = { "--timeout", "1", NULL };

  fixture_start (&f, default_domains);
  kill (test_server_get_pid (f.server), SIGTERM);
  g_assert_cmpint (test_server_wait (f.server, EVENT_TIMEOUT_MS), ==, 0);
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  fixture_tear_down (&f, NULL);

  fixture_start (&f, args);
  g_assert_cmpint (test_server_wait (f.server, EVENT_TIMEOUT_MS), ==, 0);
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  fixture_tear_down (&f, NULL);
}

int
main (int argc, char **argv)
{
  const char *fake_qemu = g_getenv ("FAKE_QEMU");
  g_autofree char *dir = NULL;
  g_autofree char *fake_xenstored = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (fake_qemu == NULL || *fake_qemu == '\0')
    g_error ("FAKE_QEMU is not set (run the tests with make check)");
  /* fake-xenstored is built next to fake-qemu, and takes the --socket and
   * --timeout that test-server.c passes to $FAKE_QEMU: this program starts
   * no fake-qemu, so it points FAKE_QEMU at fake-xenstored. */
  dir = g_path_get_dirname (fake_qemu);
  fake_xenstored = g_build_filename (dir, "fake-xenstored", NULL);
  g_setenv ("FAKE_QEMU", fake_xenstored, TRUE);
  /* A tool or libxenstore writing to a closed socket must not kill us. */
  signal (SIGPIPE, SIG_IGN);
  run_dir = test_tmpdir_new ();
  socket_path = g_build_filename (run_dir, "xenstored", NULL);
  /* For xs_open() and for the tools this program runs. */
  g_setenv ("XENSTORED_PATH", socket_path, TRUE);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fake-xenstored/nodes/read-write-directory-rm", test_nodes_read_write_directory_rm);
  ADD ("/fake-xenstored/nodes/large-directory", test_nodes_large_directory);
  ADD ("/fake-xenstored/nodes/path-length", test_nodes_path_length);
  ADD ("/fake-xenstored/permissions", test_permissions);
  ADD ("/fake-xenstored/transaction/commit-and-abort", test_transaction_commit_and_abort);
  ADD ("/fake-xenstored/transaction/conflict", test_transaction_conflict);
  ADD ("/fake-xenstored/transaction/many-open", test_transaction_many_open);
  ADD ("/fake-xenstored/transaction/commit-events", test_transaction_commit_events);
  ADD ("/fake-xenstored/watch/events", test_watch_events);
  ADD ("/fake-xenstored/watch/event-order", test_watch_event_order);
  ADD ("/fake-xenstored/watch/many", test_many_watches);
  ADD ("/fake-xenstored/domain/release-and-state", test_domain_release_and_state);
  ADD ("/fake-xenstored/seed/domains", test_seeded_layout);
  ADD ("/fake-xenstored/clients/many", test_many_clients);
  ADD ("/fake-xenstored/hostile/input", test_hostile_input);
  ADD ("/fake-xenstored/hostile/watcher-never-reads", test_watcher_that_never_reads);
  ADD ("/fake-xenstored/tools/read-write-ls-rm-watch", test_real_tools);
#undef ADD
  g_test_add_func ("/fake-xenstored/seed/bare", test_bare_start);
  g_test_add_func ("/fake-xenstored/domain/death-from-hypervisor",
                   test_domain_death_from_hypervisor);
  g_test_add_func ("/fake-xenstored/seed/file", test_seed_file);
  g_test_add_func ("/fake-xenstored/exit/sigterm-and-timeout", test_exit_on_sigterm_and_timeout);
  status = g_test_run ();
  test_tmpdir_remove (run_dir);
  g_free (run_dir);
  g_free (socket_path);
  return status;
}
