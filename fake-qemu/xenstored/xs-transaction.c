/* xs-transaction.c: a transaction: a private copy of the store, what it
 * looked at, and the changes to replay on commit
 *
 * A snapshot (a deep copy: stores in tests are small) answers the
 * transaction's reads; its access log holds the generation of every node
 * it looked at. Commit checks those generations against the main store,
 * as xenstored does, and replays the logged changes there: with nothing
 * they depend on changed, the replay does exactly what the transaction
 * saw. The watches fire then, not before, and as xenstored's
 * finalize_transaction() (xenstored_transaction.c) fires them: once per
 * changed node, in the order the transaction first looked at the nodes,
 * exactly only if every change to that node was an exact one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-xenstored"

#include "xs-transaction.h"

#include <errno.h>

#include "xs-wire.h"

typedef struct {
  guint32  type;
  char    *path;
  GBytes  *data;
} Change;

struct _XsTransaction {
  guint32     id;
  XsStore    *store;
  GHashTable *accessed;   /* path → XsAccess * */
  GPtrArray  *changes;    /* Change * */
  GHashTable *fired;      /* path → GINT_TO_POINTER (1 exact, 2 not) */
  gsize      *bytes_counter;
  gsize       bytes;
};

/* The transaction store's change function: what fires at commit. */
static void
remember_fire (const char *path, gboolean exact, gpointer user_data)
{
  XsTransaction *tx = user_data;
  gpointer before = g_hash_table_lookup (tx->fired, path);

  if (before == NULL || !exact)
    g_hash_table_insert (tx->fired, g_strdup (path),
                         GINT_TO_POINTER (before == GINT_TO_POINTER (2) || !exact ? 2 : 1));
}

static void
change_free (gpointer data)
{
  Change *change = data;

  g_free (change->path);
  g_bytes_unref (change->data);
  g_free (change);
}

XsTransaction *
xs_transaction_new (guint32 id, XsStore *main, gsize *bytes)
{
  XsTransaction *tx = g_new0 (XsTransaction, 1);

  tx->id = id;
  tx->store = xs_store_copy (main);
  tx->bytes = xs_store_get_bytes (tx->store);
  tx->bytes_counter = bytes;
  *bytes += tx->bytes;
  tx->accessed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  tx->changes = g_ptr_array_new_with_free_func (change_free);
  tx->fired = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  xs_store_set_access_log (tx->store, tx->accessed);
  xs_store_set_change_func (tx->store, remember_fire, tx);
  return tx;
}

void
xs_transaction_free (XsTransaction *tx)
{
  if (tx == NULL)
    return;
  *tx->bytes_counter -= tx->bytes;
  xs_store_free (tx->store);
  g_hash_table_unref (tx->accessed);
  g_ptr_array_unref (tx->changes);
  g_hash_table_unref (tx->fired);
  g_free (tx);
}

guint32
xs_transaction_get_id (XsTransaction *tx)
{
  return tx->id;
}

XsStore *
xs_transaction_get_store (XsTransaction *tx)
{
  return tx->store;
}

void
xs_transaction_log (XsTransaction *tx, guint32 type, const char *path,
                    const void *data, gsize len)
{
  Change *change = g_new0 (Change, 1);

  change->type = type;
  change->path = g_strdup (path);
  change->data = g_bytes_new (data, len);
  g_ptr_array_add (tx->changes, change);
}

static int
replay (XsStore *main, const Change *change)
{
  gsize len;
  const char *data = g_bytes_get_data (change->data, &len);

  switch (change->type)
    {
    case XS_WRITE:
      return xs_store_write (main, change->path, data, len);
    case XS_MKDIR:
      return xs_store_mkdir (main, change->path);
    case XS_RM:
      return xs_store_rm (main, change->path);
    case XS_SET_PERMS:
      return xs_store_set_perms (main, change->path, data, len);
    default:
      g_assert_not_reached ();
    }
}

int
xs_transaction_commit (XsTransaction *tx, XsStore *main)
{
  g_autofree const char **in_order = NULL;
  GHashTableIter iter;
  gpointer path, value;

  in_order = g_new0 (const char *, g_hash_table_size (tx->accessed));
  g_hash_table_iter_init (&iter, tx->accessed);
  while (g_hash_table_iter_next (&iter, &path, &value))
    {
      const XsAccess *access = value;

      if (xs_store_get_generation (main, path) != access->generation)
        {
          g_debug ("transaction %u: %s changed since it started", tx->id, (char *) path);
          return EAGAIN;
        }
      in_order[access->order] = path;
    }

  /* The size limit was applied when the transaction made the changes. */
  xs_store_set_unlimited (main, TRUE);
  xs_store_set_quiet (main, TRUE);
  for (guint i = 0; i < tx->changes->len; i++)
    {
      const Change *change = g_ptr_array_index (tx->changes, i);
      int err = replay (main, change);

      if (err != 0)
        g_warning ("transaction %u: replaying %s %s failed (%s): the store may be inconsistent",
                   tx->id, xs_wire_type_name (change->type), change->path,
                   xs_wire_error_name (err));
    }
  xs_store_set_quiet (main, FALSE);
  xs_store_set_unlimited (main, FALSE);
  for (guint i = 0; i < g_hash_table_size (tx->accessed); i++)
    {
      gpointer fired = g_hash_table_lookup (tx->fired, in_order[i]);

      if (fired != NULL)
        xs_store_notify (main, in_order[i], fired == GINT_TO_POINTER (1));
    }
  return 0;
}
