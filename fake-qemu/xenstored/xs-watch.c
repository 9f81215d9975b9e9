/* xs-watch.c: the fake xenstored's watches, indexed by path and by owner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-xenstored"

#include "xs-watch.h"

#include <errno.h>
#include <string.h>

#include "xs-path.h"
#include "xs-wire.h"

/* Reference-counted: a change collects the watches it fires before it
 * sends anything, and an event may close a client that does not read,
 * which removes that client's watches under the collection's feet. */
typedef struct {
  gconstpointer  owner;
  XsConnection  *conn;
  char          *path;        /* canonical or special */
  char          *token;
  gboolean       relative;
  gboolean       removed;
  guint64        serial;      /* registration order */
  GList         *path_link;   /* in by_path[path] */
  GList         *owner_link;  /* in by_owner[owner] */
} Watch;

struct _XsWatches {
  GHashTable *by_key;         /* Watch (owner, path, token) → itself; owns a ref */
  GHashTable *by_path;        /* path → GQueue of Watch, never empty */
  GHashTable *by_owner;       /* owner → GQueue of Watch, never empty */
  guint64     last_serial;
};

static void
watch_clear (gpointer data)
{
  Watch *watch = data;

  g_free (watch->path);
  g_free (watch->token);
}

static void
watch_unref (gpointer data)
{
  g_rc_box_release_full (data, watch_clear);
}

static guint
watch_key_hash (gconstpointer data)
{
  const Watch *watch = data;

  return (g_str_hash (watch->path) * 31 + g_str_hash (watch->token))
         ^ g_direct_hash (watch->owner);
}

static gboolean
watch_key_equal (gconstpointer a, gconstpointer b)
{
  const Watch *x = a, *y = b;

  return x->owner == y->owner && strcmp (x->path, y->path) == 0
         && strcmp (x->token, y->token) == 0;
}

static void
queue_free (gpointer data)
{
  g_queue_free (data);
}

XsWatches *
xs_watches_new (void)
{
  XsWatches *watches = g_new0 (XsWatches, 1);

  watches->by_key = g_hash_table_new_full (watch_key_hash, watch_key_equal, watch_unref, NULL);
  watches->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, queue_free);
  watches->by_owner = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, queue_free);
  return watches;
}

void
xs_watches_free (XsWatches *watches)
{
  if (watches == NULL)
    return;
  /* The queues hold no reference: drop them before the watches. */
  g_hash_table_unref (watches->by_path);
  g_hash_table_unref (watches->by_owner);
  g_hash_table_unref (watches->by_key);
  g_free (watches);
}

static Watch *
lookup (XsWatches *watches, gconstpointer owner, const char *path, const char *token)
{
  Watch key = { .owner = owner, .path = (char *) path, .token = (char *) token };

  return g_hash_table_lookup (watches->by_key, &key);
}

/* The queue of KEY in TABLE, created if CREATE. */
static GQueue *
queue_for (GHashTable *table, gpointer key, gboolean create, gboolean dup_key)
{
  GQueue *queue = g_hash_table_lookup (table, key);

  if (queue == NULL && create)
    {
      queue = g_queue_new ();
      g_hash_table_insert (table, dup_key ? g_strdup (key) : key, queue);
    }
  return queue;
}

int
xs_watches_add (XsWatches *watches, gconstpointer owner, XsConnection *conn,
                const char *path, const char *token, gboolean relative,
                guint max_per_owner)
{
  GQueue *of_owner = queue_for (watches->by_owner, (gpointer) owner, FALSE, FALSE);
  GQueue *on_path;
  Watch *watch;

  if (lookup (watches, owner, path, token) != NULL)
    return EEXIST;
  if (of_owner != NULL && of_owner->length >= max_per_owner)
    return E2BIG;
  watch = g_rc_box_new0 (Watch);
  watch->owner = owner;
  watch->conn = conn;
  watch->path = g_strdup (path);
  watch->token = g_strdup (token);
  watch->relative = relative;
  watch->serial = ++watches->last_serial;
  g_hash_table_add (watches->by_key, watch);
  on_path = queue_for (watches->by_path, watch->path, TRUE, TRUE);
  g_queue_push_tail (on_path, watch);
  watch->path_link = on_path->tail;
  of_owner = queue_for (watches->by_owner, (gpointer) owner, TRUE, FALSE);
  g_queue_push_tail (of_owner, watch);
  watch->owner_link = of_owner->tail;
  return 0;
}

/* Takes WATCH out of the path index and the key set; the caller sees to
 * the owner's queue. */
static void
unindex (XsWatches *watches, Watch *watch)
{
  GQueue *on_path = g_hash_table_lookup (watches->by_path, watch->path);

  g_queue_delete_link (on_path, watch->path_link);
  if (g_queue_is_empty (on_path))
    g_hash_table_remove (watches->by_path, watch->path);
  watch->removed = TRUE;
  g_hash_table_remove (watches->by_key, watch);
}

int
xs_watches_remove (XsWatches *watches, gconstpointer owner, const char *path,
                   const char *token)
{
  Watch *watch = lookup (watches, owner, path, token);
  GQueue *of_owner;

  if (watch == NULL)
    return ENOENT;
  of_owner = g_hash_table_lookup (watches->by_owner, owner);
  g_queue_delete_link (of_owner, watch->owner_link);
  if (g_queue_is_empty (of_owner))
    g_hash_table_remove (watches->by_owner, owner);
  unindex (watches, watch);
  return 0;
}

void
xs_watches_remove_owner (XsWatches *watches, gconstpointer owner)
{
  GQueue *of_owner = g_hash_table_lookup (watches->by_owner, owner);
  Watch *watch;

  if (of_owner == NULL)
    return;
  while ((watch = g_queue_pop_head (of_owner)) != NULL)
    unindex (watches, watch);
  g_hash_table_remove (watches->by_owner, owner);
}

static void
send_event (Watch *watch, const char *path)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  if (watch->relative && g_str_has_prefix (path, XS_HOME_PATH))
    {
      path += strlen (XS_HOME_PATH);
      if (*path == '/')
        path++;
    }
  g_byte_array_append (payload, (const guint8 *) path, (guint) strlen (path) + 1);
  g_byte_array_append (payload, (const guint8 *) watch->token, (guint) strlen (watch->token) + 1);
  /* xenstored drops an event that would not fit in a message, too. */
  if (payload->len > XENSTORE_PAYLOAD_MAX)
    return;
  g_debug ("client %u: event %s token %s", xs_connection_get_id (watch->conn),
           path, watch->token);
  xs_connection_send (watch->conn, XS_WATCH_EVENT, 0, 0, payload->data, payload->len);
}

void
xs_watches_fire_one (XsWatches *watches, gconstpointer owner, const char *path,
                     const char *token)
{
  Watch *watch = lookup (watches, owner, path, token);

  if (watch != NULL)
    send_event (watch, path);
}

static void
collect (XsWatches *watches, const char *path, GPtrArray *hits)
{
  GQueue *on_path = g_hash_table_lookup (watches->by_path, path);

  if (on_path == NULL)
    return;
  for (GList *l = on_path->head; l != NULL; l = l->next)
    g_ptr_array_add (hits, g_rc_box_acquire (l->data));
}

static gint
by_serial (gconstpointer a, gconstpointer b)
{
  const Watch *x = *(Watch *const *) a, *y = *(Watch *const *) b;

  return x->serial < y->serial ? -1 : x->serial > y->serial;
}

void
xs_watches_fire (XsWatches *watches, const char *path, gboolean exact)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func (watch_unref);

  collect (watches, path, hits);
  if (!exact && strcmp (path, "/") != 0)
    {
      g_autofree char *ancestor = g_strdup (path);
      char *slash;

      /* "/a/b/c": "/a/b", then "/a"; a special path has no slash. */
      while ((slash = strrchr (ancestor, '/')) != NULL && slash != ancestor)
        {
          *slash = '\0';
          collect (watches, ancestor, hits);
        }
      collect (watches, "/", hits);
    }
  g_ptr_array_sort (hits, by_serial);
  for (guint i = 0; i < hits->len; i++)
    {
      Watch *watch = g_ptr_array_index (hits, i);

      if (!watch->removed)
        send_event (watch, path);
    }
}
