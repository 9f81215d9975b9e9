/* qmp-proc-locks.c: who holds, and who waits for, a flock() (/proc/locks)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-proc-locks.h"
#include "qmp-hash.h"

#include <string.h>
#include <sys/sysmacros.h>

/* A file as /proc/locks names it: the device of its superblock and its
 * inode number. Three plain integers, no padding: the bytes are hashed. */
typedef struct {
  guint32 major;
  guint32 minor;
  guint64 ino;
} FileKey;

typedef struct {
  FileKey  key;
  guint    holder;   /* a PID, 0 when unknown */
  gboolean waiter;
} FileLocks;

struct _QmpProcLocks {
  GHashTable *files;   /* FileLocks (also the key) */
};

static guint
file_key_hash (gconstpointer p)
{
  return (guint) qmp_hash_bytes (p, sizeof (FileKey));
}

static gboolean
file_key_equal (gconstpointer a, gconstpointer b)
{
  const FileKey *x = a, *y = b;

  return x->major == y->major && x->minor == y->minor && x->ino == y->ino;
}

typedef struct {
  const char *p;
  gsize       len;
} Word;

static gboolean
word_is (const Word *w, const char *s)
{
  return w->len == strlen (s) && memcmp (w->p, s, w->len) == 0;
}

/* Digits of BASE (10 or 16) only, at least one, no sign, no overflow of
 * MAX: the kernel writes nothing else, and anything else is not its. */
static gboolean
parse_number (const char *p, gsize len, guint base, guint64 max, guint64 *out)
{
  guint64 v = 0;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int d = base == 16 ? g_ascii_xdigit_value (p[i]) : g_ascii_digit_value (p[i]);

      if (d < 0 || v > (max - (guint64) d) / base)
        return FALSE;
      v = v * base + (guint64) d;
    }
  *out = v;
  return TRUE;
}

/* "fe:00:11239798": major and minor in hex (%02x, maybe longer), the
 * inode in decimal (%lu). */
static gboolean
parse_file_key (const Word *w, FileKey *key)
{
  const char *end = w->p + w->len;
  const char *c1 = memchr (w->p, ':', w->len);
  const char *c2 = c1 != NULL ? memchr (c1 + 1, ':', (gsize) (end - c1 - 1)) : NULL;
  guint64 major, minor, ino;

  if (c2 == NULL
      || !parse_number (w->p, (gsize) (c1 - w->p), 16, G_MAXUINT32, &major)
      || !parse_number (c1 + 1, (gsize) (c2 - c1 - 1), 16, G_MAXUINT32, &minor)
      || !parse_number (c2 + 1, (gsize) (end - c2 - 1), 10, G_MAXUINT64, &ino))
    return FALSE;
  key->major = (guint32) major;
  key->minor = (guint32) minor;
  key->ino = ino;
  return TRUE;
}

/* One line, without its newline. As fs/locks.c lock_get_status() writes
 * it:
 *   "1: FLOCK  ADVISORY  WRITE 4242 fe:00:11239798 0 EOF"
 *   "1: -> FLOCK  ADVISORY  WRITE 4243 fe:00:11239798 0 EOF"
 * a waiter's with "->", indented deeper the deeper it is in the tree of
 * waiters. Only the words up to the file are looked at. */
static void
parse_line (QmpProcLocks *locks, const char *line, gsize len)
{
  Word w[7];
  guint n = 0;
  gsize i = 0;
  const Word *rest;
  gboolean waiter;
  FileKey key;
  FileLocks *file;
  guint64 pid;

  while (n < G_N_ELEMENTS (w))
    {
      while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
      if (i == len)
        break;
      w[n].p = line + i;
      while (i < len && line[i] != ' ' && line[i] != '\t')
        i++;
      w[n].len = (gsize) (line + i - w[n].p);
      n++;
    }
  if (n < 6 || w[0].len < 2 || w[0].p[w[0].len - 1] != ':')
    return;
  waiter = word_is (&w[1], "->");
  rest = waiter ? &w[2] : &w[1];
  /* CLASS MODE TYPE PID FILE */
  if (n < (guint) (rest - w) + 5 || !word_is (&rest[0], "FLOCK")
      || !(word_is (&rest[2], "WRITE") || word_is (&rest[2], "READ"))
      || !parse_file_key (&rest[4], &key))
    return;
  file = g_hash_table_lookup (locks->files, &key);
  if (file == NULL)
    {
      file = g_new0 (FileLocks, 1);
      file->key = key;
      g_hash_table_add (locks->files, file);
    }
  if (waiter)
    file->waiter = TRUE;
  else if (file->holder == 0 && parse_number (rest[3].p, rest[3].len, 10, G_MAXINT, &pid))
    file->holder = (guint) pid;
}

QmpProcLocks *
qmp_proc_locks_parse (const char *text, gssize length)
{
  QmpProcLocks *locks = g_new0 (QmpProcLocks, 1);
  const char *p = text;
  const char *end;

  locks->files = g_hash_table_new_full (file_key_hash, file_key_equal, g_free, NULL);
  end = text + (length < 0 ? strlen (text) : (gsize) length);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *eol = nl != NULL ? nl : end;

      parse_line (locks, p, (gsize) (eol - p));
      p = eol + 1;
    }
  return locks;
}

QmpProcLocks *
qmp_proc_locks_read (GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents ("/proc/locks", &text, &length, error))
    return NULL;
  return qmp_proc_locks_parse (text, (gssize) length);
}

void
qmp_proc_locks_free (QmpProcLocks *locks)
{
  if (locks == NULL)
    return;
  g_hash_table_unref (locks->files);
  g_free (locks);
}

static FileLocks *
lookup (QmpProcLocks *locks, dev_t dev, ino_t ino)
{
  FileKey key = { major (dev), minor (dev), ino };

  return g_hash_table_lookup (locks->files, &key);
}

guint
qmp_proc_locks_get_holder (QmpProcLocks *locks, dev_t dev, ino_t ino)
{
  FileLocks *file = lookup (locks, dev, ino);

  return file != NULL ? file->holder : 0;
}

gboolean
qmp_proc_locks_has_waiter (QmpProcLocks *locks, dev_t dev, ino_t ino)
{
  FileLocks *file = lookup (locks, dev, ino);

  return file != NULL && file->waiter;
}
