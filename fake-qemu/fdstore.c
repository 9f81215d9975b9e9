/* fdstore.c: the file descriptors a QEMU keeps for its clients
 *
 * QEMU's rules, checked against QEMU 7.2: fdsets are kept sorted by id and
 * listed newest set first; a descriptor removed while the VM is paused is
 * only marked, and stays open and listed until a later clean-up finds the
 * VM running; when the client leaves, a running VM drops every fdset.
 * Named descriptors belong to the monitor, which outlives connections, so
 * they survive a reconnect.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "fdstore.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "qmp-message.h"

typedef struct {
  int       fd;
  char     *opaque;
  gboolean  removed;
} FdsetEntry;

typedef struct {
  gint64  id;
  GArray *entries;   /* FdsetEntry, in the order they were added */
} Fdset;

struct _FakeFdStore {
  GPtrArray  *fdsets;   /* Fdset, sorted by id */
  GHashTable *named;    /* name -> fd + 1 */
};

static void
close_fd (int fd)
{
  if (fd >= 0 && close (fd) < 0)
    g_debug ("close(%d): %s", fd, g_strerror (errno));
}

static void
fdset_entry_clear (gpointer data)
{
  FdsetEntry *entry = data;

  close_fd (entry->fd);
  g_free (entry->opaque);
}

static void
fdset_free (gpointer data)
{
  Fdset *fdset = data;

  g_array_unref (fdset->entries);
  g_free (fdset);
}

static void
named_fd_close (gpointer data)
{
  close_fd (GPOINTER_TO_INT (data) - 1);
}

FakeFdStore *
fake_fd_store_new (void)
{
  FakeFdStore *store = g_new0 (FakeFdStore, 1);

  store->fdsets = g_ptr_array_new_with_free_func (fdset_free);
  store->named = g_hash_table_new_full (g_str_hash, g_str_equal,
                                        g_free, named_fd_close);
  return store;
}

void
fake_fd_store_free (FakeFdStore *store)
{
  if (store == NULL)
    return;
  g_ptr_array_unref (store->fdsets);
  g_hash_table_unref (store->named);
  g_free (store);
}

static Fdset *
find_fdset (FakeFdStore *store, gint64 id, guint *index)
{
  for (guint i = 0; i < store->fdsets->len; i++)
    {
      Fdset *fdset = g_ptr_array_index (store->fdsets, i);

      if (fdset->id == id)
        {
          if (index != NULL)
            *index = i;
          return fdset;
        }
    }
  return NULL;
}

gint64
fake_fd_store_add (FakeFdStore *store,
                   int          fd,
                   gboolean     has_fdset_id,
                   gint64       fdset_id,
                   const char  *opaque,
                   GError     **error)
{
  Fdset *fdset = NULL;
  FdsetEntry entry = { fd, g_strdup (opaque), FALSE };
  guint position = 0;

  if (has_fdset_id)
    fdset = find_fdset (store, fdset_id, NULL);
  if (fdset == NULL)
    {
      if (has_fdset_id && fdset_id < 0)
        {
          fdset_entry_clear (&entry);
          g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                               "Parameter 'fdset-id' expects a non-negative value");
          return -1;
        }
      if (!has_fdset_id)
        {
          /* The lowest id not in use. */
          fdset_id = 0;
          for (guint i = 0; i < store->fdsets->len; i++)
            {
              Fdset *other = g_ptr_array_index (store->fdsets, i);
              if (other->id != fdset_id)
                break;
              fdset_id++;
            }
        }
      while (position < store->fdsets->len
             && ((Fdset *) g_ptr_array_index (store->fdsets, position))->id < fdset_id)
        position++;
      fdset = g_new0 (Fdset, 1);
      fdset->id = fdset_id;
      fdset->entries = g_array_new (FALSE, FALSE, sizeof (FdsetEntry));
      g_array_set_clear_func (fdset->entries, fdset_entry_clear);
      g_ptr_array_insert (store->fdsets, (gint) position, fdset);
    }
  g_array_append_val (fdset->entries, entry);
  return fdset->id;
}

/* QEMU's monitor_fdset_cleanup(). */
static void
cleanup_fdset (FakeFdStore *store,
               guint        index,
               gboolean     running,
               gboolean     client_connected)
{
  Fdset *fdset = g_ptr_array_index (store->fdsets, index);

  for (guint i = fdset->entries->len; i-- > 0;)
    {
      FdsetEntry *entry = &g_array_index (fdset->entries, FdsetEntry, i);

      if ((entry->removed || !client_connected) && running)
        g_array_remove_index (fdset->entries, i);
    }
  if (fdset->entries->len == 0)
    g_ptr_array_remove_index (store->fdsets, index);
}

gboolean
fake_fd_store_remove (FakeFdStore *store,
                      gint64       fdset_id,
                      gboolean     has_fd,
                      gint64       fd,
                      gboolean     running,
                      GError     **error)
{
  guint index;
  Fdset *fdset = find_fdset (store, fdset_id, &index);
  gboolean found = !has_fd;

  if (fdset != NULL)
    {
      for (guint i = 0; i < fdset->entries->len; i++)
        {
          FdsetEntry *entry = &g_array_index (fdset->entries, FdsetEntry, i);

          if (!has_fd || entry->fd == fd)
            {
              entry->removed = TRUE;
              found = TRUE;
              if (has_fd)
                break;
            }
        }
      if (found)
        {
          cleanup_fdset (store, index, running, TRUE);
          return TRUE;
        }
    }

  if (has_fd)
    g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                 "File descriptor named 'fdset-id:%" G_GINT64_FORMAT
                 ", fd:%" G_GINT64_FORMAT "' not found", fdset_id, fd);
  else
    g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                 "File descriptor named 'fdset-id:%" G_GINT64_FORMAT "' not found",
                 fdset_id);
  return FALSE;
}

JsonNode *
fake_fd_store_query (FakeFdStore *store)
{
  JsonArray *sets = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  /* QEMU prepends each set to the list it builds. */
  for (guint i = store->fdsets->len; i-- > 0;)
    {
      Fdset *fdset = g_ptr_array_index (store->fdsets, i);
      JsonObject *info = json_object_new ();
      JsonArray *fds = json_array_new ();

      for (guint j = 0; j < fdset->entries->len; j++)
        {
          FdsetEntry *entry = &g_array_index (fdset->entries, FdsetEntry, j);
          JsonObject *fd_info = json_object_new ();

          json_object_set_int_member (fd_info, "fd", entry->fd);
          if (entry->opaque != NULL)
            json_object_set_string_member (fd_info, "opaque", entry->opaque);
          json_array_add_object_element (fds, fd_info);
        }
      json_object_set_int_member (info, "fdset-id", fdset->id);
      json_object_set_array_member (info, "fds", fds);
      json_array_add_object_element (sets, info);
    }
  json_node_take_array (node, sets);
  return node;
}

void
fake_fd_store_client_left (FakeFdStore *store, gboolean running)
{
  for (guint i = store->fdsets->len; i-- > 0;)
    cleanup_fdset (store, i, running, FALSE);
}

void
fake_fd_store_set_named (FakeFdStore *store, const char *name, int fd)
{
  g_hash_table_insert (store->named, g_strdup (name), GINT_TO_POINTER (fd + 1));
}

gboolean
fake_fd_store_close_named (FakeFdStore *store, const char *name, GError **error)
{
  if (!g_hash_table_remove (store->named, name))
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "File descriptor named '%s' not found", name);
      return FALSE;
    }
  return TRUE;
}

int
fake_fd_store_lookup_named (FakeFdStore *store, const char *name)
{
  gpointer value = g_hash_table_lookup (store->named, name);

  return value != NULL ? GPOINTER_TO_INT (value) - 1 : -1;
}

guint
fake_fd_store_count (FakeFdStore *store)
{
  guint n = g_hash_table_size (store->named);

  for (guint i = 0; i < store->fdsets->len; i++)
    n += ((Fdset *) g_ptr_array_index (store->fdsets, i))->entries->len;
  return n;
}

int
fake_fd_store_open_path (FakeFdStore *store, const char *path, int flags)
{
  const char *id_text;
  char *end = NULL;
  gint64 id;
  Fdset *fdset;

  if (!g_str_has_prefix (path, "/dev/fdset/"))
    {
      int fd = open (path, flags | O_CLOEXEC, 0660);

      return fd >= 0 ? fd : -errno;
    }
  id_text = path + strlen ("/dev/fdset/");
  errno = 0;
  id = g_ascii_strtoll (id_text, &end, 10);
  if (id_text[0] == '\0' || *end != '\0' || errno != 0 || id < 0)
    return -EINVAL;
  fdset = find_fdset (store, id, NULL);
  if (fdset == NULL)
    return -ENOENT;
  /* QEMU takes the first descriptor whose access mode is the one asked
   * for (a read-write one does not do for write-only), and dups it. */
  for (guint i = 0; i < fdset->entries->len; i++)
    {
      FdsetEntry *entry = &g_array_index (fdset->entries, FdsetEntry, i);
      int fd_flags = fcntl (entry->fd, F_GETFL);

      if (!entry->removed && fd_flags >= 0
          && (fd_flags & O_ACCMODE) == (flags & O_ACCMODE))
        {
          int fd = fcntl (entry->fd, F_DUPFD_CLOEXEC, 0);

          return fd >= 0 ? fd : -errno;
        }
    }
  return -EACCES;
}
