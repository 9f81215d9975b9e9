/* qmp-schema-lru.c: a host's schemas by QEMU build, least recently used
 * first out
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The keys are what QEMUs claim to be (qmp_schema_cache_key()), so a
 * QEMU that names a new build on every connection must not grow the
 * process: entries and bytes are both bounded. The table is keyed by
 * QEMU's strings, hence the keyed hash.
 */
#include "config.h"

#include "qmp-schema-lru.h"
#include "qmp-hash.h"
#include "xen-qmp-schema-private.h"

typedef struct {
  char         *key;
  XenQmpSchema *schema;
  gsize         bytes;
} Entry;

struct _QmpSchemaLru {
  guint       max_entries;
  gsize       max_bytes;
  gsize       bytes;
  GQueue      order;      /* Entry, most recently used first */
  GHashTable *by_key;     /* key (the entry's) -> GList link in order */
};

static void
entry_free (Entry *e)
{
  g_free (e->key);
  g_object_unref (e->schema);
  g_free (e);
}

QmpSchemaLru *
qmp_schema_lru_new (guint max_entries, gsize max_bytes)
{
  QmpSchemaLru *lru = g_new0 (QmpSchemaLru, 1);

  lru->max_entries = max_entries;
  lru->max_bytes = max_bytes;
  g_queue_init (&lru->order);
  lru->by_key = g_hash_table_new (qmp_str_hash, g_str_equal);
  return lru;
}

void
qmp_schema_lru_free (QmpSchemaLru *lru)
{
  if (lru == NULL)
    return;
  g_hash_table_unref (lru->by_key);
  g_queue_clear_full (&lru->order, (GDestroyNotify) entry_free);
  g_free (lru);
}

static void
remove_link (QmpSchemaLru *lru, GList *link)
{
  Entry *e = link->data;

  g_hash_table_remove (lru->by_key, e->key);
  g_queue_delete_link (&lru->order, link);
  lru->bytes -= e->bytes;
  entry_free (e);
}

static void
evict (QmpSchemaLru *lru)
{
  while (lru->order.length > 0
         && (lru->order.length > lru->max_entries || lru->bytes > lru->max_bytes))
    {
      Entry *oldest = lru->order.tail->data;

      g_debug ("schema cache: dropped QEMU %s's schema (%" G_GSIZE_FORMAT
               " bytes), the least recently used", oldest->key, oldest->bytes);
      remove_link (lru, lru->order.tail);
    }
}

void
qmp_schema_lru_set_limits (QmpSchemaLru *lru, guint max_entries, gsize max_bytes)
{
  lru->max_entries = max_entries;
  lru->max_bytes = max_bytes;
  evict (lru);
}

XenQmpSchema *
qmp_schema_lru_lookup (QmpSchemaLru *lru, const char *key)
{
  GList *link = g_hash_table_lookup (lru->by_key, key);

  if (link == NULL)
    return NULL;
  g_queue_unlink (&lru->order, link);
  g_queue_push_head_link (&lru->order, link);
  return g_object_ref (((Entry *) link->data)->schema);
}

void
qmp_schema_lru_add (QmpSchemaLru *lru, const char *key, XenQmpSchema *schema)
{
  GList *link = g_hash_table_lookup (lru->by_key, key);
  gsize bytes = _xen_qmp_schema_get_cost (schema);
  Entry *e;

  if (link != NULL)
    remove_link (lru, link);
  if (bytes > lru->max_bytes || lru->max_entries == 0)
    {
      g_debug ("schema cache: QEMU %s's schema (%" G_GSIZE_FORMAT " bytes) "
               "is larger than the whole cache: not kept", key, bytes);
      return;
    }
  e = g_new0 (Entry, 1);
  e->key = g_strdup (key);
  e->schema = g_object_ref (schema);
  e->bytes = bytes;
  g_queue_push_head (&lru->order, e);
  g_hash_table_insert (lru->by_key, e->key, lru->order.head);
  lru->bytes += bytes;
  evict (lru);
}

guint
qmp_schema_lru_get_n_entries (QmpSchemaLru *lru)
{
  return lru->order.length;
}

gsize
qmp_schema_lru_get_bytes (QmpSchemaLru *lru)
{
  return lru->bytes;
}
