/* test-domain-lock.c: libxl's QMP socket lock, waited for visibly, and
 * /proc/locks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "qmp-domain-lock.h"
#include "qmp-proc-locks.h"

/* Polling /proc/locks: generous, since only a failure waits this long. */
#define POLL_TIMEOUT_S 10

#define POLL_UNTIL(cond)                                                    \
  G_STMT_START {                                                            \
    gint64 deadline_ = g_get_monotonic_time () + POLL_TIMEOUT_S * G_USEC_PER_SEC; \
    while (!(cond))                                                         \
      {                                                                     \
        if (g_get_monotonic_time () > deadline_)                            \
          g_error ("timed out waiting for %s", #cond);                      \
        g_usleep (1000);                                                    \
      }                                                                     \
  } G_STMT_END

#define FLOCK_LINE(pid, file) "1: FLOCK  ADVISORY  WRITE " pid " " file " 0 EOF\n"
#define WAITER_LINE(pid, file) "1: -> FLOCK  ADVISORY  WRITE " pid " " file " 0 EOF\n"

static GThread *main_thread;

/* Parsing */

static void
test_parse_holder (void)
{
  g_autoptr(QmpProcLocks) locks = qmp_proc_locks_parse (FLOCK_LINE ("4242", "fe:00:11239798"), -1);

  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 11239798), ==, 4242);
  g_assert_false (qmp_proc_locks_has_waiter (locks, makedev (0xfe, 0), 11239798));
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 1), 11239798), ==, 0);
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 11239799), ==, 0);
}

/* As the kernel nests them: the waiters of a waiter indented deeper. */
static void
test_parse_waiters (void)
{
  const char *text =
    FLOCK_LINE ("10", "fe:00:5")
    WAITER_LINE ("11", "fe:00:5")
    "1:  -> FLOCK  ADVISORY  WRITE 12 fe:00:6 0 EOF\n"
    "2: FLOCK  ADVISORY  READ 13 fe:00:7 0 EOF\n";
  g_autoptr(QmpProcLocks) locks = qmp_proc_locks_parse (text, -1);

  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 5), ==, 10);
  g_assert_true (qmp_proc_locks_has_waiter (locks, makedev (0xfe, 0), 5));
  /* A waiter with no holder in sight (not in our PID namespace). */
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 6), ==, 0);
  g_assert_true (qmp_proc_locks_has_waiter (locks, makedev (0xfe, 0), 6));
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 7), ==, 13);
  g_assert_false (qmp_proc_locks_has_waiter (locks, makedev (0xfe, 0), 7));
}

static void
test_parse_several_files (void)
{
  const char *text =
    FLOCK_LINE ("1", "08:01:100")
    FLOCK_LINE ("2", "08:02:100")
    FLOCK_LINE ("3", "103:1a:100")
    WAITER_LINE ("4", "08:02:100")
    FLOCK_LINE ("5", "08:01:101")
    /* Shared holders: the first that names a process. */
    "7: FLOCK  ADVISORY  READ x 08:01:102 0 EOF\n"
    "7: FLOCK  ADVISORY  READ 6 08:01:102 0 EOF\n"
    "7: FLOCK  ADVISORY  READ 8 08:01:102 0 EOF";
  g_autoptr(QmpProcLocks) locks = qmp_proc_locks_parse (text, -1);

  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (8, 1), 100), ==, 1);
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (8, 2), 100), ==, 2);
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0x103, 0x1a), 100), ==, 3);
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (8, 1), 101), ==, 5);
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (8, 1), 102), ==, 6);
  g_assert_false (qmp_proc_locks_has_waiter (locks, makedev (8, 1), 100));
  g_assert_true (qmp_proc_locks_has_waiter (locks, makedev (8, 2), 100));
  g_assert_false (qmp_proc_locks_has_waiter (locks, makedev (0x103, 0x1a), 100));
}

static void
test_parse_ignores_other_kinds (void)
{
  const char *text =
    "1: POSIX  ADVISORY  WRITE 99 fe:00:5 0 EOF\n"
    "1: -> POSIX  ADVISORY  WRITE 98 fe:00:5 0 EOF\n"
    "2: OFDLCK ADVISORY  WRITE -1 fe:00:6 0 EOF\n"
    "2: -> OFDLCK ADVISORY  WRITE -1 fe:00:6 0 EOF\n"
    "3: LEASE  ACTIVE    READ 97 fe:00:7 0 EOF\n"
    "4: DELEG  ACTIVE    READ 96 fe:00:8 0 EOF\n"
    "5: ACCESS ADVISORY  READ 95 fe:00:9 0 EOF\n"
    "6: FLOCK  ADVISORY  UNLCK 94 fe:00:10 0 EOF\n";
  g_autoptr(QmpProcLocks) locks = qmp_proc_locks_parse (text, -1);

  for (ino_t ino = 5; ino <= 10; ino++)
    {
      g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), ino), ==, 0);
      g_assert_false (qmp_proc_locks_has_waiter (locks, makedev (0xfe, 0), ino));
    }
}

static void
test_parse_garbage (void)
{
  static const char text[] =
    "\n\n   \n"
    "garbage\n"
    "1: FLOCK  ADVISORY  WRITE\n"
    "1: FLOCK  ADVISORY  WRITE 20\n"
    "1: ->\n"
    "1 FLOCK  ADVISORY  WRITE 21 fe:00:1 0 EOF\n"
    ": FLOCK  ADVISORY  WRITE 22 fe:00:2 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 23 zz:00:3 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 24 fe:00 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 25 fe:00: 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 26 fe::4 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 27 fe:00:4x 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 28 -fe:00:4 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 29 100000000:00:4 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 30 fe:00:99999999999999999999999 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 31 <none>:0 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE -1 fe:00:11 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE 99999999999 fe:00:12 0 EOF\n"
    "1: FLOCK  ADVISORY  WRITE +13 fe:00:13 0 EOF\n"
    "1: -> -> FLOCK  ADVISORY  WRITE 32 fe:00:14 0 EOF\n"
    /* A NUL inside a line ends nothing: the line is garbage, the next
     * one counts. */
    "1: FLOCK\0 ADVISORY  WRITE 33 fe:00:15 0 EOF\n"
    "1:\tFLOCK\tADVISORY\tWRITE\t34\tfe:00:16\t0\tEOF\r\n"
    "1: FLOCK  ADVISORY  WRITE 35 fe:00:17";
  g_autoptr(QmpProcLocks) locks = qmp_proc_locks_parse (text, sizeof text - 1);

  for (ino_t ino = 0; ino <= 15; ino++)
    {
      g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), ino), ==, 0);
      g_assert_false (qmp_proc_locks_has_waiter (locks, makedev (0xfe, 0), ino));
    }
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 16), ==, 34);
  /* The last line, without its newline, counts; LENGTH ends the text. */
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 17), ==, 35);
}

/* Random bytes drawn from what the kernel writes, and long lines: no
 * crash, no read beyond the text (valgrind, ASan). */
static void
test_parse_random (void)
{
  static const char alphabet[] = "0123456789abcdefxFLOCK:-> \n\tREADWRITE";

  for (guint round = 0; round < 50; round++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, 8192);
      g_autofree char *text = g_malloc (len + 1);
      QmpProcLocks *locks;

      for (gsize i = 0; i < len; i++)
        text[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      locks = qmp_proc_locks_parse (text, (gssize) len);
      (void) qmp_proc_locks_get_holder (locks, makedev (0, 0), 0);
      qmp_proc_locks_free (locks);
    }
}

/* A thousand files, each held and some waited for, behind a 4 MiB line:
 * parsed once, every lookup right. */
static void
test_parse_huge (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(QmpProcLocks) locks = NULL;

  g_string_append (text, "1: FLOCK  ADVISORY  WRITE 1 fe:00:1");
  for (guint i = 0; i < 4 * 1024 * 1024; i++)
    g_string_append_c (text, i % 64 == 0 ? ' ' : '7');
  g_string_append_c (text, '\n');
  for (guint i = 0; i < 1000; i++)
    {
      g_string_append_printf (text, "%u: FLOCK  ADVISORY  WRITE %u fe:00:%u 0 EOF\n", i + 1, 1000 + i, 5000 + i);
      if (i % 3 == 0)
        g_string_append_printf (text, "%u: -> FLOCK  ADVISORY  WRITE %u fe:00:%u 0 EOF\n", i + 1, 3000 + i, 5000 + i);
    }
  locks = qmp_proc_locks_parse (text->str, (gssize) text->len);
  /* The long line is a lock like another: only its first words count. */
  g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 1), ==, 1);
  for (guint i = 0; i < 1000; i++)
    {
      g_assert_cmpuint (qmp_proc_locks_get_holder (locks, makedev (0xfe, 0), 5000 + i), ==, 1000 + i);
      g_assert_cmpint (qmp_proc_locks_has_waiter (locks, makedev (0xfe, 0), 5000 + i), ==, i % 3 == 0);
    }
}

static void
test_read_proc_locks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QmpProcLocks) locks = qmp_proc_locks_read (&error);

  g_assert_no_error (error);
  g_assert_nonnull (locks);
}

/* Other processes, with real locks */

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("xqmp-lock-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "userdata-l.1.uuid.qmp-socket-lock", NULL);
}

static guint lock_threads (void);

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  /* Every test ends with its waiter threads gone: none may linger. */
  g_assert_cmpuint (lock_threads (), ==, 0);
  g_unlink (f->path);
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->path);
  g_free (f->dir);
}

/* How many of our threads are lock waiters, by their name. */
static guint
lock_threads (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (tasks);
  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && strcmp (comm, "xenqmp-lock\n") == 0)
        n++;
    }
  return n;
}

static void
file_id (const char *path, dev_t *dev, ino_t *ino)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  *dev = st.st_dev;
  *ino = st.st_ino;
}

static QmpProcLocks *
proc_locks (void)
{
  g_autoptr(GError) error = NULL;
  QmpProcLocks *locks = qmp_proc_locks_read (&error);

  g_assert_no_error (error);
  return locks;
}

static gboolean
waited_for (dev_t dev, ino_t ino)
{
  g_autoptr(QmpProcLocks) locks = proc_locks ();

  return qmp_proc_locks_has_waiter (locks, dev, ino);
}

static guint
holder_of (dev_t dev, ino_t ino)
{
  g_autoptr(QmpProcLocks) locks = proc_locks ();

  return qmp_proc_locks_get_holder (locks, dev, ino);
}

/* Another process taking the lock as libxl does, told what to do through
 * its standard input: it opens the file (says 'o'), blocks in flock()
 * until it holds it (says 'l'), then on 'x' removes the file, on 'r'
 * removes the file and its directory, on 'u' unlocks and exits, on 'g'
 * does as libxl's release (remove, unlock) and exits. This program run
 * again, not a fork of it: a fork of a process with threads has only the
 * forking one, and valgrind would find the others' memory lost at its
 * exit. */
typedef struct {
  GPid pid;
  int  to;
  int  from;
} Other;

static const char *program;

static void
other_ack (int fd, char c)
{
  if (write (fd, &c, 1) != 1)
    exit (5);
}

static int
other_run (const char *path, const char *dir)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  char c;

  if (fd < 0)
    return 2;
  other_ack (STDOUT_FILENO, 'o');
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return 3;
  other_ack (STDOUT_FILENO, 'l');
  for (;;)
    {
      if (read (STDIN_FILENO, &c, 1) != 1)
        return 4;
      if (c == 'x' || c == 'r' || c == 'g')
        unlink (path);
      if (c == 'r')
        rmdir (dir);
      if (c == 'u' || c == 'g')
        {
          flock (fd, LOCK_UN);
          return 0;
        }
      other_ack (STDOUT_FILENO, c);
    }
}

static char
other_read (Other *o)
{
  char c = 0;

  g_assert_cmpint (read (o->from, &c, 1), ==, 1);
  return c;
}

/* Starts the other process; returns once it has the file open. */
static Other
other_start (const char *path, const char *dir)
{
  const char *argv[] = { program, "--other", path, dir, NULL };
  g_autoptr(GError) error = NULL;
  Other o;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &o.pid, &o.to, &o.from, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (other_read (&o), ==, 'o');
  return o;
}

static Other
other_hold (const char *path, const char *dir)
{
  Other o = other_start (path, dir);

  g_assert_cmpint (other_read (&o), ==, 'l');
  return o;
}

static void
other_tell (Other *o, char c)
{
  g_assert_cmpint (write (o->to, &c, 1), ==, 1);
  if (c != 'u' && c != 'g')
    g_assert_cmpint (other_read (o), ==, c);
}

/* Tells it to let go (C: 'u' or 'g') and waits for it to exit. */
static void
other_finish (Other *o, char c)
{
  int status;

  other_tell (o, c);
  g_assert_cmpint (waitpid (o->pid, &status, 0), ==, o->pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  close (o->to);
  close (o->from);
}

typedef struct {
  GMainContext *context;
  guint         calls;
} Acquired;

static void
on_acquired (QmpDomainLock *lock, gpointer user_data)
{
  Acquired *a = user_data;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_true (g_main_context_is_owner (a->context));
  g_assert_true (qmp_domain_lock_is_held (lock));
  g_assert_false (qmp_domain_lock_is_waiting (lock));
  a->calls++;
}

/* Runs CONTEXT's pending sources, without blocking. */
static void
dispatch_pending (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

static void
run_until_acquired (Acquired *a)
{
  gint64 deadline = g_get_monotonic_time () + POLL_TIMEOUT_S * G_USEC_PER_SEC;

  while (a->calls == 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for the lock");
      if (!g_main_context_iteration (a->context, FALSE))
        g_usleep (1000);
    }
}

/* The lock is ours, and ours is the file at the path. */
static void
assert_holds_file_at_path (QmpDomainLock *lock, const char *path)
{
  dev_t dev, held_dev;
  ino_t ino, held_ino;

  g_assert_true (qmp_domain_lock_get_file_id (lock, &held_dev, &held_ino));
  file_id (path, &dev, &ino);
  g_assert_true (dev == held_dev && ino == held_ino);
  g_assert_cmpuint (holder_of (dev, ino), ==, (guint) getpid ());
}

static void
test_lock_free_taken_at_once (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  QmpDomainLock *lock = qmp_domain_lock_new (f->path, g_main_context_default ());
  dev_t dev;
  ino_t ino;

  g_assert_false (qmp_domain_lock_get_file_id (lock, &dev, &ino));
  g_assert_true (qmp_domain_lock_acquire (lock, on_acquired, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (qmp_domain_lock_is_waiting (lock));
  g_assert_cmpuint (lock_threads (), ==, 0);
  assert_holds_file_at_path (lock, f->path);
  qmp_domain_lock_release (lock);
  /* As libxl releases it: the file goes. */
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  qmp_domain_lock_free (lock);
}

static void
test_lock_refuses_link (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = g_build_filename (f->dir, "target", NULL);
  QmpDomainLock *lock = qmp_domain_lock_new (f->path, g_main_context_default ());

  g_assert_cmpint (symlink (target, f->path), ==, 0);
  g_assert_false (qmp_domain_lock_acquire (lock, on_acquired, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS);
  g_assert_false (qmp_domain_lock_is_waiting (lock));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  qmp_domain_lock_free (lock);
}

/* Ours waits behind another process, which holds the lock at PATH. */
typedef struct {
  Acquired       acquired;
  Other          other;
  QmpDomainLock *lock;
  dev_t          dev;   /* the file the other process holds */
  ino_t          ino;
} Behind;

/* Returns once our thread waits in flock(), for all to see in
 * /proc/locks. */
static void
wait_behind_other (Behind *b, const char *path, const char *dir, GMainContext *context)
{
  g_autoptr(GError) error = NULL;

  b->acquired = (Acquired) { context, 0 };
  b->other = other_hold (path, dir);
  b->lock = qmp_domain_lock_new (path, context);
  file_id (path, &b->dev, &b->ino);
  g_assert_false (qmp_domain_lock_acquire (b->lock, on_acquired, &b->acquired, &error));
  g_assert_no_error (error);
  g_assert_true (qmp_domain_lock_is_waiting (b->lock));
  g_assert_false (qmp_domain_lock_is_held (b->lock));
  POLL_UNTIL (waited_for (b->dev, b->ino));
}

static void
assert_never_acquired (Behind *b)
{
  dispatch_pending (b->acquired.context);
  g_assert_cmpuint (b->acquired.calls, ==, 0);
}

/* (a) Busy: our thread waits in flock(), where the holder can see it;
 * the holder lets go as libxl does; ACQUIRED runs in the lock's context.
 * The global default context, which this thread does not own while it
 * polls /proc/locks: the waiter thread must not take it and call
 * ACQUIRED itself. */
static void
test_lock_waits_visibly (Fixture *f, gconstpointer data)
{
  Behind b;
  g_autofree char *holder = NULL;
  g_autofree char *expected = NULL;
  dev_t dev;
  ino_t ino;

  wait_behind_other (&b, f->path, f->dir, g_main_context_default ());
  g_assert_cmpuint (holder_of (b.dev, b.ino), ==, (guint) b.other.pid);
  g_assert_cmpuint (lock_threads (), ==, 1);
  holder = qmp_domain_lock_describe_holder (b.lock);
  expected = g_strdup_printf ("process %d (", b.other.pid);
  g_assert_nonnull (holder);
  g_assert_true (g_str_has_prefix (holder, expected));

  other_finish (&b.other, 'g');
  /* The thread has it before the context runs. */
  POLL_UNTIL (g_file_test (f->path, G_FILE_TEST_EXISTS)
              && (file_id (f->path, &dev, &ino), holder_of (dev, ino) == (guint) getpid ()));
  g_assert_cmpuint (b.acquired.calls, ==, 0);
  run_until_acquired (&b.acquired);
  assert_holds_file_at_path (b.lock, f->path);
  POLL_UNTIL (lock_threads () == 0);
  qmp_domain_lock_free (b.lock);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  dispatch_pending (b.acquired.context);
  g_assert_cmpuint (b.acquired.calls, ==, 1);
}

/* (b) Released while waiting; the holder lets go as libxl does (the file
 * goes): the waiter thread finds the file gone, and ends without making
 * another, and nothing is called. */
static void
test_lock_release_while_waiting (Fixture *f, gconstpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Behind b;

  wait_behind_other (&b, f->path, f->dir, context);
  qmp_domain_lock_release (b.lock);
  g_assert_false (qmp_domain_lock_is_waiting (b.lock));
  other_finish (&b.other, 'g');
  POLL_UNTIL (lock_threads () == 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  assert_never_acquired (&b);
  g_assert_false (qmp_domain_lock_is_held (b.lock));
  qmp_domain_lock_free (b.lock);
}

/* (b, e) Released, or freed, while waiting; the holder unlocks but leaves
 * the file (as flock(1) does): the waiter thread gets it, gives it back
 * at once, as libxl releases it, never touches the freed lock, and ends.
 * The thread ends once it has given the lock back: then it is free for
 * anyone else (another open file: flock() tells them apart). Not polled
 * with that file, which could take it before the thread. */
static void
test_lock_stop_waiting_gives_back (Fixture *f, gconstpointer data)
{
  gboolean free_lock = GPOINTER_TO_INT (data);
  g_autoptr(GMainContext) context = g_main_context_new ();
  Behind b;
  int other_open;

  wait_behind_other (&b, f->path, f->dir, context);
  other_open = open (f->path, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (other_open, >=, 0);
  if (free_lock)
    qmp_domain_lock_free (g_steal_pointer (&b.lock));
  else
    qmp_domain_lock_release (b.lock);
  other_finish (&b.other, 'u');
  POLL_UNTIL (lock_threads () == 0);
  g_assert_cmpint (flock (other_open, LOCK_EX | LOCK_NB), ==, 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  close (other_open);
  assert_never_acquired (&b);
  qmp_domain_lock_free (b.lock);
}

/* Released and acquired again while the first thread still waits: the
 * second waiter gets the lock, whichever wakes first; the first gives
 * back what it gets (at once, or once we let go), and ends. */
static void
test_lock_acquire_again_while_first_waits (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  Behind b;

  wait_behind_other (&b, f->path, f->dir, context);
  qmp_domain_lock_release (b.lock);
  g_assert_false (qmp_domain_lock_acquire (b.lock, on_acquired, &b.acquired, &error));
  g_assert_no_error (error);
  POLL_UNTIL (lock_threads () == 2);
  other_finish (&b.other, 'u');
  run_until_acquired (&b.acquired);
  assert_holds_file_at_path (b.lock, f->path);
  qmp_domain_lock_free (b.lock);
  POLL_UNTIL (lock_threads () == 0);
  dispatch_pending (context);
  g_assert_cmpuint (b.acquired.calls, ==, 1);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static gboolean
lock_waited_for (QmpDomainLock *lock)
{
  g_autoptr(QmpProcLocks) locks = proc_locks ();

  return qmp_domain_lock_has_waiter (lock, locks);
}

/* (c) We hold it; another process blocks in flock() for it: we can tell,
 * and it gets the lock once we let go. */
static void
test_lock_has_waiter (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  QmpDomainLock *lock = qmp_domain_lock_new (f->path, g_main_context_default ());
  Other other;

  g_assert_true (qmp_domain_lock_acquire (lock, on_acquired, NULL, &error));
  g_assert_false (lock_waited_for (lock));
  other = other_start (f->path, f->dir);
  POLL_UNTIL (lock_waited_for (lock));
  /* Let go: the waiter gets it. */
  qmp_domain_lock_release (lock);
  g_assert_cmpint (other_read (&other), ==, 'l');
  g_assert_false (lock_waited_for (lock));
  other_finish (&other, 'g');
  qmp_domain_lock_free (lock);
}

/* (d) libxl's race: the holder removes the file, a third process makes a
 * new one and takes it, then the first unlocks. Our thread wakes on a
 * file no longer at the path, opens the new one and waits for it, and
 * gets that. */
static void
test_lock_follows_replaced_file (Fixture *f, gconstpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Behind b;
  Other second;
  dev_t dev;
  ino_t ino;

  wait_behind_other (&b, f->path, f->dir, context);
  other_tell (&b.other, 'x');
  second = other_hold (f->path, f->dir);
  /* Both files exist (one unlinked, held open): inodes differ. */
  file_id (f->path, &dev, &ino);
  g_assert_true (dev != b.dev || ino != b.ino);
  other_finish (&b.other, 'u');
  POLL_UNTIL (waited_for (dev, ino));
  assert_never_acquired (&b);
  g_assert_true (qmp_domain_lock_is_waiting (b.lock));
  other_finish (&second, 'g');
  run_until_acquired (&b.acquired);
  assert_holds_file_at_path (b.lock, f->path);
  POLL_UNTIL (lock_threads () == 0);
  qmp_domain_lock_free (b.lock);
}

/* The directory goes while we wait: the thread tries again, pausing,
 * until it is back; or, when freed meanwhile, ends and makes no file. */
static void
test_lock_waits_through_errors (Fixture *f, gconstpointer data)
{
  gboolean free_lock = GPOINTER_TO_INT (data);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
  g_autofree char *path = g_build_filename (sub, "lock", NULL);
  Behind b;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  wait_behind_other (&b, path, sub, context);
  other_tell (&b.other, 'r');
  other_finish (&b.other, 'u');
  /* However long this takes, no lock without a directory. */
  POLL_UNTIL (!waited_for (b.dev, b.ino));
  assert_never_acquired (&b);
  g_assert_cmpuint (lock_threads (), ==, 1);
  if (free_lock)
    {
      qmp_domain_lock_free (b.lock);
      POLL_UNTIL (lock_threads () == 0);
      g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
      assert_never_acquired (&b);
      return;
    }
  g_assert_true (qmp_domain_lock_is_waiting (b.lock));
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  run_until_acquired (&b.acquired);
  assert_holds_file_at_path (b.lock, path);
  POLL_UNTIL (lock_threads () == 0);
  qmp_domain_lock_free (b.lock);
  g_assert_cmpint (g_rmdir (sub), ==, 0);
}

int
main (int argc, char *argv[])
{
  if (argc == 4 && strcmp (argv[1], "--other") == 0)
    return other_run (argv[2], argv[3]);
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  program = argv[0];

  g_test_add_func ("/proc-locks/parse-holder", test_parse_holder);
  g_test_add_func ("/proc-locks/parse-waiters", test_parse_waiters);
  g_test_add_func ("/proc-locks/parse-several-files", test_parse_several_files);
  g_test_add_func ("/proc-locks/parse-ignores-other-kinds", test_parse_ignores_other_kinds);
  g_test_add_func ("/proc-locks/parse-garbage", test_parse_garbage);
  g_test_add_func ("/proc-locks/parse-random", test_parse_random);
  g_test_add_func ("/proc-locks/parse-huge", test_parse_huge);
  g_test_add_func ("/proc-locks/read", test_read_proc_locks);
#define ADD(name, fn, data) g_test_add ("/domain-lock/" name, Fixture, data, fixture_set_up, fn, fixture_tear_down)
  ADD ("free-taken-at-once", test_lock_free_taken_at_once, NULL);
  ADD ("refuses-link", test_lock_refuses_link, NULL);
  ADD ("waits-visibly", test_lock_waits_visibly, NULL);
  ADD ("release-while-waiting", test_lock_release_while_waiting, NULL);
  ADD ("release-while-waiting-gives-back", test_lock_stop_waiting_gives_back, GINT_TO_POINTER (FALSE));
  ADD ("free-while-waiting-gives-back", test_lock_stop_waiting_gives_back, GINT_TO_POINTER (TRUE));
  ADD ("acquire-again-while-first-waits", test_lock_acquire_again_while_first_waits, NULL);
  ADD ("has-waiter", test_lock_has_waiter, NULL);
  ADD ("follows-replaced-file", test_lock_follows_replaced_file, NULL);
  ADD ("waits-through-errors", test_lock_waits_through_errors, GINT_TO_POINTER (FALSE));
  ADD ("free-while-pausing", test_lock_waits_through_errors, GINT_TO_POINTER (TRUE));
#undef ADD
  return g_test_run ();
}
