/* test-xenstore-compare.c: one scripted sequence of xenstore operations,
 * through the real libxenstore, against fake-xenstored and against
 * Debian's real C xenstored (under the hypervisor stand-in): the two
 * transcripts must be identical. oxenstored runs it too; where it differs
 * from the C daemon, the test says so without failing.
 *
 * A transcript line is an operation and its result (a value, "OK" or the
 * errno name); after each step come the watch events that step caused, in
 * the order they arrived. Nothing in it depends on a daemon's own numbers
 * (transaction ids, generations).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <xenstore.h>
#include <xen/io/xs_wire.h>

#include "test-xenstore.h"
#include "xen-testbed.h"

/* How long a step waits for the events a VIRQ_DOM_EXC may cause: the
 * daemon reads its event channel in its own time. */
#define DOM_EXC_WAIT_MS 1000
/* How long it then waits for more. */
#define DOM_EXC_QUIET_MS 200

/* A daemon with a socket and a hypervisor state folder: a test bed's,
 * or one started by hand. */
typedef struct {
  const char *name;
  const char *dir;          /* DIR/domains/<domid>, DIR/virq-dom-exc */
  const char *socket;
} Daemon;

typedef struct {
  Daemon            *daemon;
  GPtrArray         *lines;     /* the transcript */
  struct xs_handle  *xsh;       /* the connection that acts */
  struct xs_handle  *other;     /* another tool, for conflicts */
  struct xs_handle  *watcher;   /* holds every watch */
} Run;

/* The hypervisor: a domain's state file (NULL: no such domain). */
static void
set_domain (Run *run, guint domid, const char *state)
{
  g_autofree char *name = g_strdup_printf ("%u", domid);
  g_autofree char *path = g_build_filename (run->daemon->dir, "domains", name, NULL);

  if (state == NULL)
    g_unlink (path);
  else
    g_assert_true (g_file_set_contents (path, state, -1, NULL));
}

/* The transcript. */
static void
say (Run *run, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
say (Run *run, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (run->lines, g_strdup_vprintf (format, args));
  va_end (args);
}

static const char *
errno_name (int err)
{
  switch (err)
    {
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EISDIR: return "EISDIR";
    case ENOSPC: return "ENOSPC";
    case EIO: return "EIO";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOSYS: return "ENOSYS";
    case EROFS: return "EROFS";
    case EBUSY: return "EBUSY";
    case EAGAIN: return "EAGAIN";
    case EISCONN: return "EISCONN";
    case E2BIG: return "E2BIG";
    case ENOMEM: return "ENOMEM";
    case EPERM: return "EPERM";
    default: return "E?";
    }
}

/* "OK" or the errno name of a libxenstore call that returned OK. */
static const char *
result (bool ok)
{
  return ok ? "OK" : errno_name (errno);
}

/* A path for the transcript: long ones by their start and length. */
static char *
shown (const char *path)
{
  if (strlen (path) <= 64)
    return g_strdup (path);
  return g_strdup_printf ("%.24s...(%zu bytes)", path, strlen (path));
}

/* The events the watcher has, in order, without waiting. */
static void
take_events (Run *run)
{
  char **event;

  while ((event = xs_check_watch (run->watcher)) != NULL)
    {
      g_autofree char *path = shown (event[XS_WATCH_PATH]);

      say (run, "  event %s [%s]", path, event[XS_WATCH_TOKEN]);
      free (event);
    }
}

/* Everything the daemon sent the watcher before now has arrived once a
 * round trip on the watcher's own connection has: the daemon answers
 * each connection in order, events included. */
static void
sync_events (Run *run)
{
  free (xs_read (run->watcher, XBT_NULL, "/", NULL));
  take_events (run);
}

static void
do_read (Run *run, xs_transaction_t tx, const char *path)
{
  g_autofree char *where = shown (path);
  unsigned int len;
  char *value = xs_read (run->xsh, tx, path, &len);

  if (value == NULL)
    say (run, "read%s %s: %s", tx ? " (tx)" : "", where, errno_name (errno));
  else
    say (run, "read%s %s: \"%.*s\"", tx ? " (tx)" : "", where, (int) len, value);
  free (value);
  sync_events (run);
}

static void
do_write_on (Run *run, struct xs_handle *xsh, xs_transaction_t tx, const char *path,
             const char *value)
{
  g_autofree char *where = shown (path);
  bool ok = xs_write (xsh, tx, path, value, (unsigned int) strlen (value));

  say (run, "write%s%s %s = \"%s\": %s", xsh == run->other ? " (other)" : "",
       tx ? " (tx)" : "", where, value, result (ok));
  sync_events (run);
}

static void
do_write (Run *run, xs_transaction_t tx, const char *path, const char *value)
{
  do_write_on (run, run->xsh, tx, path, value);
}

static void
do_mkdir (Run *run, xs_transaction_t tx, const char *path)
{
  bool ok = xs_mkdir (run->xsh, tx, path);

  say (run, "mkdir%s %s: %s", tx ? " (tx)" : "", path, result (ok));
  sync_events (run);
}

static void
do_rm (Run *run, xs_transaction_t tx, const char *path)
{
  bool ok = xs_rm (run->xsh, tx, path);

  say (run, "rm%s %s: %s", tx ? " (tx)" : "", path, result (ok));
  sync_events (run);
}

static void
do_directory (Run *run, const char *path)
{
  unsigned int num;
  char **names = xs_directory (run->xsh, XBT_NULL, path, &num);
  g_autoptr(GString) text = g_string_new (NULL);

  if (names == NULL)
    {
      say (run, "directory %s: %s", path, errno_name (errno));
      return;
    }
  for (unsigned int i = 0; i < num; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "", names[i]);
  say (run, "directory %s: [%s]", path, text->str);
  free (names);
}

static char *
perms_text (const struct xs_permissions *perms, unsigned int num)
{
  GString *text = g_string_new (NULL);

  for (unsigned int i = 0; i < num; i++)
    {
      static const char letters[] = { [XS_PERM_NONE] = 'n', [XS_PERM_READ] = 'r',
                                      [XS_PERM_WRITE] = 'w',
                                      [XS_PERM_READ | XS_PERM_WRITE] = 'b' };
      unsigned int access = perms[i].perms & (XS_PERM_READ | XS_PERM_WRITE);

      g_string_append_printf (text, "%s%c%u", i > 0 ? " " : "", letters[access], perms[i].id);
    }
  return g_string_free (text, FALSE);
}

static void
do_get_perms (Run *run, const char *path)
{
  unsigned int num;
  struct xs_permissions *perms = xs_get_permissions (run->xsh, XBT_NULL, path, &num);
  g_autofree char *text = NULL;

  if (perms == NULL)
    {
      say (run, "get-perms %s: %s", path, errno_name (errno));
      return;
    }
  text = perms_text (perms, num);
  say (run, "get-perms %s: %s", path, text);
  free (perms);
}

/* PERMS as xenstore-chmod takes them: "n0 r1". */
static void
do_set_perms (Run *run, const char *path, const char *perms)
{
  g_auto(GStrv) words = g_strsplit (perms, " ", -1);
  guint n = g_strv_length (words);
  g_autofree struct xs_permissions *p = g_new0 (struct xs_permissions, n);
  bool ok;

  for (guint i = 0; i < n; i++)
    g_assert_true (xs_strings_to_perms (&p[i], 1, words[i]));
  ok = xs_set_permissions (run->xsh, XBT_NULL, path, p, n);
  say (run, "set-perms %s %s: %s", path, perms, result (ok));
  sync_events (run);
}

static void
do_watch (Run *run, const char *path, const char *token)
{
  g_autofree char *where = shown (path);
  bool ok = xs_watch (run->watcher, path, token);

  say (run, "watch %s [%s]: %s", where, token, result (ok));
  sync_events (run);
}

static void
do_unwatch (Run *run, const char *path, const char *token)
{
  g_autofree char *where = shown (path);
  bool ok = xs_unwatch (run->watcher, path, token);

  say (run, "unwatch %s [%s]: %s", where, token, result (ok));
  sync_events (run);
}

static xs_transaction_t
do_start (Run *run, struct xs_handle *xsh)
{
  xs_transaction_t tx = xs_transaction_start (xsh);

  say (run, "transaction start: %s", result (tx != XBT_NULL));
  return tx;
}

static void
do_end (Run *run, xs_transaction_t tx, bool abort)
{
  bool ok = xs_transaction_end (run->xsh, tx, abort);

  say (run, "transaction %s: %s", abort ? "abort" : "commit", result (ok));
  sync_events (run);
}

static void
do_introduce (Run *run, guint domid, guint port)
{
  bool ok = xs_introduce_domain (run->xsh, domid, 0x1234, port);

  say (run, "introduce %u port %u: %s", domid, port, result (ok));
  sync_events (run);
}

static void
do_release (Run *run, guint domid)
{
  bool ok = xs_release_domain (run->xsh, domid);

  say (run, "release %u: %s", domid, result (ok));
  sync_events (run);
}

static void
do_resume (Run *run, guint domid)
{
  bool ok = xs_resume_domain (run->xsh, domid);

  say (run, "resume %u: %s", domid, result (ok));
  sync_events (run);
}

static void
do_is_introduced (Run *run, guint domid)
{
  errno = 0;
  bool introduced = xs_is_domain_introduced (run->xsh, domid);

  say (run, "is-introduced %u: %s", domid, introduced ? "yes" : errno ? errno_name (errno) : "no");
}

/* VIRQ_DOM_EXC, then the events it causes (the daemon reads its event
 * channel in its own time: the first event is waited for, then a quiet
 * spell). */
static void
do_dom_exc (Run *run, const char *why)
{
  g_autofree char *fifo = g_build_filename (run->daemon->dir, "virq-dom-exc", NULL);
  int fd = g_open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
  gint64 deadline = g_get_monotonic_time () + DOM_EXC_WAIT_MS * 1000;
  gint64 quiet_until = 0;
  GPtrArray *events = g_ptr_array_new_with_free_func (free);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  close (fd);
  say (run, "VIRQ_DOM_EXC (%s)", why);
  for (;;)
    {
      struct pollfd pfd = { .fd = xs_fileno (run->watcher), .events = POLLIN };
      char **event;
      gint64 now = g_get_monotonic_time ();
      gint64 until = quiet_until != 0 ? quiet_until : deadline;

      while ((event = xs_check_watch (run->watcher)) != NULL)
        {
          g_ptr_array_add (events, event);
          quiet_until = g_get_monotonic_time () + DOM_EXC_QUIET_MS * 1000;
        }
      if (now >= until)
        break;
      poll (&pfd, 1, (int) ((until - now) / 1000) + 1);
    }
  for (guint i = 0; i < events->len; i++)
    {
      char **event = g_ptr_array_index (events, i);
      g_autofree char *path = shown (event[XS_WATCH_PATH]);

      say (run, "  event %s [%s]", path, event[XS_WATCH_TOKEN]);
    }
  g_ptr_array_unref (events);
  sync_events (run);
}

/* Every node below PATH: name, value, permissions; children in the
 * daemon's order. */
static void
dump_tree (Run *run, const char *path)
{
  unsigned int len, num, n_perms;
  char *value = xs_read (run->xsh, XBT_NULL, path, &len);
  struct xs_permissions *perms = xs_get_permissions (run->xsh, XBT_NULL, path, &n_perms);
  char **names = xs_directory (run->xsh, XBT_NULL, path, &num);
  g_autofree char *perms_str = perms != NULL ? perms_text (perms, n_perms) : g_strdup ("?");

  say (run, "  %s = \"%.*s\" (%s)", path, value != NULL ? (int) len : 0,
       value != NULL ? value : "", perms_str);
  for (unsigned int i = 0; names != NULL && i < num; i++)
    {
      g_autofree char *child = strcmp (path, "/") == 0
        ? g_strconcat ("/", names[i], NULL) : g_strconcat (path, "/", names[i], NULL);

      dump_tree (run, child);
    }
  free (value);
  free (perms);
  free (names);
}

static void
sequence_nodes (Run *run)
{
  say (run, "== nodes");
  do_write (run, XBT_NULL, "/cmp/a", "1");
  do_read (run, XBT_NULL, "/cmp/a");
  do_read (run, XBT_NULL, "/cmp");
  do_mkdir (run, XBT_NULL, "/cmp/b");
  do_mkdir (run, XBT_NULL, "/cmp/b");
  do_write (run, XBT_NULL, "/cmp/c/d/e", "deep");
  do_directory (run, "/cmp");
  do_directory (run, "/cmp/c/d/e");
  do_directory (run, "/cmp/missing");
  do_write (run, XBT_NULL, "cmp-relative/x", "rel");
  do_read (run, XBT_NULL, "/local/domain/0/cmp-relative/x");
  do_read (run, XBT_NULL, "cmp-relative/x");
  do_rm (run, XBT_NULL, "/cmp/a");
  do_rm (run, XBT_NULL, "/cmp/a");
  do_rm (run, XBT_NULL, "/cmp/gone/child");
  do_rm (run, XBT_NULL, "/");
  do_read (run, XBT_NULL, "/cmp/a");
  do_read (run, XBT_NULL, "/a//b");
  do_read (run, XBT_NULL, "/a/");
  do_read (run, XBT_NULL, "/a b");
  do_read (run, XBT_NULL, "@releaseDomain");
  do_read (run, XBT_NULL, "");
  do_write (run, XBT_NULL, "/cmp/a", "again");
  do_directory (run, "/cmp");
}

static void
sequence_path_lengths (Run *run)
{
  static const struct { const char *prefix; gsize len; } cases[] = {
    { "/", XENSTORE_REL_PATH_MAX },
    { "/", XENSTORE_REL_PATH_MAX + 1 },
    { "/local/domain/0/", 16 + XENSTORE_REL_PATH_MAX },
    { "/local/domain/0/", 16 + XENSTORE_REL_PATH_MAX + 1 },
    { "/local/domain/32000/", 20 + XENSTORE_REL_PATH_MAX },
    { "/local/domain/32000/", 20 + XENSTORE_REL_PATH_MAX + 1 },
    { "/local/domain/123456/", XENSTORE_REL_PATH_MAX },
    { "/local/domain/123456/", XENSTORE_REL_PATH_MAX + 1 },
    { "/local/domain/-1/", 17 + XENSTORE_REL_PATH_MAX },
    { "x", XENSTORE_REL_PATH_MAX },
    { "x", XENSTORE_REL_PATH_MAX + 1 },
    { "/", XENSTORE_ABS_PATH_MAX },
  };

  say (run, "== path lengths");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = test_xs_path_of_length (cases[i].prefix, cases[i].len);

      const char *slash = strchr (path + strlen (cases[i].prefix), '/');
      g_autofree char *top = slash != NULL ? g_strndup (path, (gsize) (slash - path))
                                           : g_strdup (path);

      do_write (run, XBT_NULL, path, "v");
      do_read (run, XBT_NULL, path);
      /* What was written goes, so that the dump stays short. */
      do_rm (run, XBT_NULL, top);
    }
  {
    g_autofree char *special = test_xs_path_of_length ("@", XENSTORE_REL_PATH_MAX);
    g_autofree char *too_long = test_xs_path_of_length ("@", XENSTORE_REL_PATH_MAX + 1);

    do_watch (run, special, "long");
    do_watch (run, too_long, "long");
    do_unwatch (run, special, "long");
  }
  do_rm (run, XBT_NULL, "/local/domain/32000");
  do_rm (run, XBT_NULL, "/local/domain/123456");
  do_rm (run, XBT_NULL, "/local/domain/-1");
}

static void
sequence_watches (Run *run)
{
  say (run, "== watches");
  do_watch (run, "/cmp/w", "w");
  do_watch (run, "/cmp/w", "w");
  do_watch (run, "/cmp/w/sub/leaf", "leaf");
  do_watch (run, "/cmp/w/sub", "sub");
  do_watch (run, "cmp-rel", "rel");
  do_watch (run, "@someOtherSpecial", "other");
  do_unwatch (run, "/cmp/never", "x");
  do_write (run, XBT_NULL, "/cmp/w/sub/leaf", "1");
  do_write (run, XBT_NULL, "/cmp/w/sub/leaf2", "1");
  do_write (run, XBT_NULL, "/cmp/w2", "1");
  do_write (run, XBT_NULL, "/local/domain/0/cmp-rel/q", "1");
  do_mkdir (run, XBT_NULL, "/cmp/w/dir");
  do_set_perms (run, "/cmp/w/dir", "n0 r0");
  do_rm (run, XBT_NULL, "/cmp/w");
  do_unwatch (run, "/cmp/w", "w");
  do_unwatch (run, "/cmp/w/sub", "sub");
  do_unwatch (run, "/cmp/w/sub/leaf", "leaf");
  do_write (run, XBT_NULL, "/cmp/w/x", "1");
  do_unwatch (run, "cmp-rel", "rel");
  do_unwatch (run, "@someOtherSpecial", "other");
}

static void
sequence_transactions (Run *run)
{
  enum { MANY = 100 };
  xs_transaction_t tx, many[MANY];
  guint opened = 0;

  say (run, "== transactions");
  do_watch (run, "/cmp/tx", "tx");
  tx = do_start (run, run->xsh);
  do_write (run, tx, "/cmp/tx/a", "1");
  do_read (run, tx, "/cmp/tx/a");
  do_read (run, XBT_NULL, "/cmp/tx/a");
  do_end (run, tx, false);
  do_read (run, XBT_NULL, "/cmp/tx/a");

  tx = do_start (run, run->xsh);
  do_write (run, tx, "/cmp/tx/b", "2");
  do_rm (run, tx, "/cmp/tx/a");
  do_end (run, tx, true);
  do_read (run, XBT_NULL, "/cmp/tx/a");
  do_read (run, tx, "/cmp/tx/a");
  do_end (run, tx, false);

  /* Conflicts. */
  do_write (run, XBT_NULL, "/cmp/tx/counter", "0");
  tx = do_start (run, run->xsh);
  do_read (run, tx, "/cmp/tx/counter");
  do_write_on (run, run->other, XBT_NULL, "/cmp/tx/counter", "5");
  do_write (run, tx, "/cmp/tx/counter", "1");
  do_end (run, tx, false);
  do_read (run, XBT_NULL, "/cmp/tx/counter");

  tx = do_start (run, run->xsh);
  do_read (run, tx, "/cmp/tx/new");
  do_write_on (run, run->other, XBT_NULL, "/cmp/tx/new", "theirs");
  do_write (run, tx, "/cmp/tx/new", "mine");
  do_end (run, tx, false);
  do_read (run, XBT_NULL, "/cmp/tx/new");

  tx = do_start (run, run->xsh);
  do_write (run, tx, "/cmp/tx/mine/a", "1");
  do_write_on (run, run->other, XBT_NULL, "/cmp/elsewhere/b", "2");
  do_end (run, tx, false);

  /* What a commit fires, and in which order. */
  do_write (run, XBT_NULL, "/cmp/tx/old/deep", "1");
  do_watch (run, "/cmp/tx/old/deep", "deep");
  tx = do_start (run, run->xsh);
  do_write (run, tx, "/cmp/tx/z", "1");
  do_write (run, tx, "/cmp/tx/y", "1");
  do_write (run, tx, "/cmp/tx/z", "2");
  do_mkdir (run, tx, "/cmp/tx/dir");
  do_rm (run, tx, "/cmp/tx/old");
  do_end (run, tx, false);
  do_unwatch (run, "/cmp/tx/old/deep", "deep");

  /* Many open at once on one connection: dom0 has no quota. */
  for (guint i = 0; i < MANY; i++)
    {
      many[i] = xs_transaction_start (run->xsh);
      if (many[i] == XBT_NULL)
        break;
      opened++;
    }
  say (run, "%u transactions started of %u: %s", opened, MANY,
       opened == MANY ? "OK" : errno_name (errno));
  for (guint i = 0; i < opened; i++)
    g_assert_true (xs_transaction_end (run->xsh, many[i], true));
  do_unwatch (run, "/cmp/tx", "tx");
}

static void
sequence_permissions (Run *run)
{
  say (run, "== permissions");
  do_get_perms (run, "/");
  do_write (run, XBT_NULL, "/cmp/perm/x", "v");
  do_set_perms (run, "/cmp/perm/x", "n0 b7 r8");
  do_get_perms (run, "/cmp/perm/x");
  do_write (run, XBT_NULL, "/cmp/perm/x/y/z", "v");
  do_get_perms (run, "/cmp/perm/x/y/z");
  do_get_perms (run, "/cmp/perm");
  do_set_perms (run, "/cmp/perm/missing", "n0");
  do_get_perms (run, "/cmp/perm/missing");
  /* A domain the hypervisor does not have may not own a node. */
  do_set_perms (run, "/cmp/perm/x", "n9");
  do_set_perms (run, "/cmp/perm/x", "n7 r9");
  do_get_perms (run, "/cmp/perm/x");
  do_set_perms (run, "@releaseDomain", "n0");
  /* Not "@otherSpecial": xenstored 4.17 answers it with a stale errno
   * (do_set_perms() returns errno, not set_perms_special()'s EINVAL). */
}

static void
sequence_domains (Run *run)
{
  say (run, "== domains");
  do_watch (run, "/", "root");
  do_watch (run, "@releaseDomain", "release");
  do_watch (run, "@introduceDomain", "introduce");

  do_is_introduced (run, 0);
  do_is_introduced (run, 7);
  do_introduce (run, 7, 11);
  do_introduce (run, 7, 11);
  do_is_introduced (run, 7);
  do_introduce (run, 8, 0);
  do_introduce (run, 0, 1);
  do_release (run, 0);
  do_resume (run, 0);
  do_resume (run, 7);
  do_resume (run, 9);
  do_release (run, 9);
  {
    g_autofree char *path = xs_get_domain_path (run->xsh, 7);
    say (run, "domain path 7: %s", path != NULL ? path : errno_name (errno));
  }

  /* Removing a domain's nodes ends nothing. */
  do_write (run, XBT_NULL, "/local/domain/7/name", "seven");
  do_rm (run, XBT_NULL, "/local/domain/7");
  do_is_introduced (run, 7);

  /* XS_RELEASE: the nodes the domain owns go, then @releaseDomain. */
  do_write (run, XBT_NULL, "/cmp/dom/by7/x", "1");
  do_write (run, XBT_NULL, "/cmp/dom/kept", "1");
  do_set_perms (run, "/cmp/dom/by7", "n7 r0");
  do_write (run, XBT_NULL, "/cmp/dom/by7/y", "1");
  do_set_perms (run, "/cmp/dom/kept", "n0 r7");
  do_release (run, 7);
  do_is_introduced (run, 7);
  do_release (run, 7);
  do_read (run, XBT_NULL, "/cmp/dom/by7/x");
  do_get_perms (run, "/cmp/dom/kept");

  /* Death, from the hypervisor. */
  do_dom_exc (run, "nothing changed");
  do_introduce (run, 7, 11);
  do_write (run, XBT_NULL, "/cmp/dom/by7/z", "1");
  do_set_perms (run, "/cmp/dom/by7", "n7");
  set_domain (run, 7, "uuid=00000000-0000-4000-8000-000000000007\nshutdown=1\n");
  do_dom_exc (run, "7 shut down");
  do_dom_exc (run, "7 still shut down");
  do_is_introduced (run, 7);
  do_resume (run, 7);
  do_dom_exc (run, "7 still shut down, after resume");
  set_domain (run, 7, "uuid=00000000-0000-4000-8000-000000000007\ndying=1\n");
  do_dom_exc (run, "7 dying");
  do_is_introduced (run, 7);
  do_read (run, XBT_NULL, "/cmp/dom/by7");

  do_introduce (run, 8, 12);
  do_write (run, XBT_NULL, "/cmp/dom/by8", "1");
  do_set_perms (run, "/cmp/dom/by8", "n8");
  set_domain (run, 8, NULL);
  do_dom_exc (run, "8 gone");
  do_is_introduced (run, 8);
  do_read (run, XBT_NULL, "/cmp/dom/by8");
  do_set_perms (run, "/cmp/dom/kept", "n8");

  /* Known to the daemon through a permission only, then gone: its nodes
   * go, no event. */
  set_domain (run, 7, "uuid=00000000-0000-4000-8000-000000000007\n");
  do_write (run, XBT_NULL, "/cmp/dom/only-perm", "1");
  do_set_perms (run, "/cmp/dom/only-perm", "n7");
  set_domain (run, 7, NULL);
  do_dom_exc (run, "7 gone, never introduced again");
  do_read (run, XBT_NULL, "/cmp/dom/only-perm");

  do_unwatch (run, "/", "root");
  do_unwatch (run, "@releaseDomain", "release");
  do_unwatch (run, "@introduceDomain", "introduce");
}

/* The whole sequence against DAEMON: its transcript. */
static GPtrArray *
run_sequence (Daemon *daemon)
{
  Run run = { .daemon = daemon, .lines = g_ptr_array_new_with_free_func (g_free) };

  g_setenv ("XENSTORED_PATH", daemon->socket, TRUE);
  run.xsh = xs_open (0);
  run.other = xs_open (0);
  run.watcher = xs_open (0);
  g_assert_nonnull (run.xsh);
  g_assert_nonnull (run.other);
  g_assert_nonnull (run.watcher);
  /* Domains 7 and 8 exist; 9 does not. */
  set_domain (&run, 7, "uuid=00000000-0000-4000-8000-000000000007\nhvm=1\n");
  set_domain (&run, 8, "uuid=00000000-0000-4000-8000-000000000008\nhvm=0\n");

  say (&run, "== the store at start");
  dump_tree (&run, "/");
  sequence_nodes (&run);
  sequence_path_lengths (&run);
  sequence_watches (&run);
  sequence_transactions (&run);
  sequence_permissions (&run);
  sequence_domains (&run);
  say (&run, "== the store at the end");
  dump_tree (&run, "/");

  xs_close (run.watcher);
  xs_close (run.other);
  xs_close (run.xsh);
  g_unsetenv ("XENSTORED_PATH");
  return run.lines;
}

/* The first line where A and B differ, with the lines before it; NULL
 * when they are the same. */
static char *
first_difference (GPtrArray *a, const char *a_name, GPtrArray *b, const char *b_name)
{
  guint n = MAX (a->len, b->len);

  for (guint i = 0; i < n; i++)
    {
      const char *x = i < a->len ? g_ptr_array_index (a, i) : "(end)";
      const char *y = i < b->len ? g_ptr_array_index (b, i) : "(end)";
      GString *text;

      if (strcmp (x, y) == 0)
        continue;
      text = g_string_new (NULL);
      g_string_append_printf (text, "line %u differs; before it:\n", i + 1);
      for (guint j = i >= 5 ? i - 5 : 0; j < i; j++)
        g_string_append_printf (text, "    %s\n", (char *) g_ptr_array_index (a, j));
      g_string_append_printf (text, "  %s: %s\n  %s: %s", a_name, x, b_name, y);
      return g_string_free (text, FALSE);
    }
  return NULL;
}

/* Every line only in A ("-") or only in B ("+"), by a longest common
 * subsequence: transcripts are a few hundred lines. */
static void
report_diff (GPtrArray *a, GPtrArray *b)
{
  guint n = a->len, m = b->len, i = 0, j = 0, shown = 0;
  g_autofree guint *lcs = g_new0 (guint, (gsize) (n + 1) * (m + 1));

#define LCS(x, y) lcs[(gsize) (x) * (m + 1) + (y)]
  for (guint x = n; x-- > 0;)
    for (guint y = m; y-- > 0;)
      LCS (x, y) = strcmp (g_ptr_array_index (a, x), g_ptr_array_index (b, y)) == 0
        ? LCS (x + 1, y + 1) + 1 : MAX (LCS (x + 1, y), LCS (x, y + 1));
  while (i < n || j < m)
    {
      if (i < n && j < m && strcmp (g_ptr_array_index (a, i), g_ptr_array_index (b, j)) == 0)
        i++, j++;
      else if (j < m && (i == n || LCS (i, j + 1) >= LCS (i + 1, j)))
        {
          g_test_message ("+ %s", (char *) g_ptr_array_index (b, j++));
          shown++;
        }
      else
        {
          g_test_message ("- %s", (char *) g_ptr_array_index (a, i++));
          shown++;
        }
    }
#undef LCS
  g_test_message ("%u lines differ (- fake-xenstored as xenstored, + oxenstored)", shown);
}

static void
print_transcript (GPtrArray *lines, const char *name)
{
  for (guint i = 0; i < lines->len; i++)
    g_test_message ("%s: %s", name, (char *) g_ptr_array_index (lines, i));
}

/* The sequence against a test bed with DAEMON: the transcript, or NULL
 * when DAEMON cannot run here (the test is then skipped, saying why). */
static GPtrArray *
run_in_testbed (XenTestbedDaemon daemon)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XenTestbed) tb = xen_testbed_new (daemon, &error);
  Daemon d = { .name = xen_testbed_daemon_name (daemon) };
  GPtrArray *lines;

  if (tb == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_test_skip_printf ("%s cannot run here: %s", d.name, error->message);
      return NULL;
    }
  g_assert_no_error (error);
  d.dir = xen_testbed_get_dir (tb);
  d.socket = xen_testbed_get_socket (tb);
  lines = run_sequence (&d);
  if (g_test_verbose ())
    print_transcript (lines, d.name);
  return lines;
}

/* The test fails, showing where, unless FAKE's transcript is REAL's. */
static void
expect_same (GPtrArray *real, const char *real_name, GPtrArray *fake)
{
  g_autofree char *diff = first_difference (real, real_name, fake, "fake-xenstored");

  if (diff != NULL)
    {
      g_test_message ("fake-xenstored differs from %s at %s", real_name, diff);
      g_test_fail ();
    }
}

/* The sequence runs to its end against fake-xenstored. */
static void
test_fake_runs_sequence (void)
{
  g_autoptr(GPtrArray) lines = run_in_testbed (XEN_TESTBED_FAKE);

  g_assert_nonnull (lines);
  g_assert_cmpuint (lines->len, >, 100);
}

/* The fake and the real C xenstored agree on every line. */
static void
test_xenstored_agrees (void)
{
  g_autoptr(GPtrArray) real = run_in_testbed (XEN_TESTBED_XENSTORED);
  g_autoptr(GPtrArray) fake = NULL;

  if (real == NULL)
    return;
  fake = run_in_testbed (XEN_TESTBED_FAKE);
  expect_same (real, "xenstored", fake);
}

/* Where oxenstored differs from the fake (so from the C xenstored): said,
 * not asserted (the fake follows the C daemon). */
static void
test_oxenstored_differences (void)
{
  g_autoptr(GPtrArray) ocaml = run_in_testbed (XEN_TESTBED_OXENSTORED);
  g_autoptr(GPtrArray) fake = NULL;
  g_autofree char *diff = NULL;

  if (ocaml == NULL)
    return;
  fake = run_in_testbed (XEN_TESTBED_FAKE);
  diff = first_difference (fake, "fake-xenstored (as xenstored)", ocaml, "oxenstored");
  if (diff == NULL)
    {
      g_test_message ("oxenstored agrees with fake-xenstored on every line");
      return;
    }
  g_test_message ("oxenstored differs from the C xenstored (followed by the fake) at %s", diff);
  report_diff (fake, ocaml);
}

/* By hand: XENSTORE_COMPARE_EXTERNAL=SOCKET:DIR runs the sequence against
 * a daemon started elsewhere on that socket and state folder, and
 * compares it with fake-xenstored's. */
static void
test_external (void)
{
  g_auto(GStrv) parts = g_strsplit (g_getenv ("XENSTORE_COMPARE_EXTERNAL"), ":", 2);
  Daemon external = { .name = "external", .socket = parts[0], .dir = parts[1] };
  g_autoptr(GPtrArray) fake = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  g_assert_nonnull (external.dir);
  lines = run_sequence (&external);
  if (g_test_verbose ())
    print_transcript (lines, external.name);
  fake = run_in_testbed (XEN_TESTBED_FAKE);
  expect_same (lines, external.name, fake);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A daemon gone mid-write must not kill the test. */
  signal (SIGPIPE, SIG_IGN);
  g_test_add_func ("/xenstore-compare/fake/runs-sequence", test_fake_runs_sequence);
  g_test_add_func ("/xenstore-compare/xenstored/agrees", test_xenstored_agrees);
  g_test_add_func ("/xenstore-compare/oxenstored/differences", test_oxenstored_differences);
  if (g_getenv ("XENSTORE_COMPARE_EXTERNAL") != NULL)
    g_test_add_func ("/xenstore-compare/external", test_external);
  return g_test_run ();
}
