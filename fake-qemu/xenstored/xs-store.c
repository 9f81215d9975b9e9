/* xs-store.c: the tree of xenstore nodes
 *
 * Nodes are found by their full path in one hash table; each also keeps
 * its children in creation order, the order xenstored lists them in.
 * Every change gives the node a new generation from one counter, so that
 * a transaction can tell whether a node it looked at changed since.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "xs-store.h"

#include <errno.h>
#include <string.h>

#include "xs-path.h"

/* What a node costs besides its name, value and permissions. */
#define NODE_OVERHEAD 128

typedef struct _Node Node;
struct _Node {
  char      *path;
  Node      *parent;
  GPtrArray *children;      /* Node *, creation order; NULL when none */
  guint8    *value;
  gsize      value_len;
  char      *perms;         /* wire form: NUL-terminated strings */
  gsize      perms_len;
  guint64    generation;
};

struct _XsStore {
  GHashTable        *nodes;         /* path → Node *, owns the nodes */
  gsize              bytes;
  gboolean           unlimited;
  gboolean           quiet;
  GHashTable        *access_log;
  XsStoreChangeFunc  change_func;
  gpointer           change_data;
};

/* Shared by every store, copies included: a generation is never reused,
 * so a node removed and created again never looks unchanged. */
static guint64 last_generation;

static guint64
new_generation (void)
{
  return ++last_generation;
}

static gsize
node_cost (const Node *node)
{
  return NODE_OVERHEAD + strlen (node->path) + node->value_len + node->perms_len;
}

static void
node_free (gpointer data)
{
  Node *node = data;

  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node->value);
  g_free (node->perms);
  g_free (node->path);
  g_free (node);
}

static Node *
node_add (XsStore *store, Node *parent, const char *path,
          const char *perms, gsize perms_len)
{
  Node *node = g_new0 (Node, 1);

  node->path = g_strdup (path);
  node->parent = parent;
  node->perms = g_memdup2 (perms, perms_len);
  node->perms_len = perms_len;
  node->generation = new_generation ();
  g_hash_table_insert (store->nodes, node->path, node);
  store->bytes += node_cost (node);
  if (parent != NULL)
    {
      if (parent->children == NULL)
        parent->children = g_ptr_array_new ();
      g_ptr_array_add (parent->children, node);
      parent->generation = new_generation ();
    }
  return node;
}

XsStore *
xs_store_new (void)
{
  static const char dom0_only[] = "n0";
  XsStore *store = g_new0 (XsStore, 1);
  Node *root, *tool;

  store->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, node_free);
  root = node_add (store, NULL, "/", dom0_only, sizeof dom0_only);
  tool = node_add (store, root, "/tool", dom0_only, sizeof dom0_only);
  node_add (store, tool, "/tool/xenstored", dom0_only, sizeof dom0_only);
  return store;
}

static void
copy_subtree (XsStore *copy, Node *parent, const Node *node)
{
  Node *twin = node_add (copy, parent, node->path, node->perms, node->perms_len);

  twin->value = g_memdup2 (node->value, node->value_len);
  twin->value_len = node->value_len;
  copy->bytes += node->value_len;
  for (guint i = 0; node->children != NULL && i < node->children->len; i++)
    copy_subtree (copy, twin, g_ptr_array_index (node->children, i));
  /* Adding the children gave it new generations: restore the original. */
  twin->generation = node->generation;
}

XsStore *
xs_store_copy (const XsStore *store)
{
  XsStore *copy = g_new0 (XsStore, 1);

  copy->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, node_free);
  copy_subtree (copy, NULL, g_hash_table_lookup (store->nodes, "/"));
  return copy;
}

void
xs_store_free (XsStore *store)
{
  if (store == NULL)
    return;
  g_hash_table_unref (store->nodes);
  g_free (store);
}

void
xs_store_set_change_func (XsStore *store, XsStoreChangeFunc func, gpointer user_data)
{
  store->change_func = func;
  store->change_data = user_data;
}

void
xs_store_set_access_log (XsStore *store, GHashTable *log)
{
  store->access_log = log;
}

void
xs_store_set_unlimited (XsStore *store, gboolean unlimited)
{
  store->unlimited = unlimited;
}

void
xs_store_set_quiet (XsStore *store, gboolean quiet)
{
  store->quiet = quiet;
}

gsize
xs_store_get_bytes (const XsStore *store)
{
  return store->bytes;
}

guint64
xs_store_get_generation (XsStore *store, const char *path)
{
  Node *node = g_hash_table_lookup (store->nodes, path);

  return node != NULL ? node->generation : XS_NO_GENERATION;
}

gboolean
xs_store_exists (XsStore *store, const char *path)
{
  return g_hash_table_contains (store->nodes, path);
}

/* Every look at a node, before any change to it, goes through here: the
 * first look is what a transaction's commit compares against. */
static Node *
lookup (XsStore *store, const char *path)
{
  Node *node = g_hash_table_lookup (store->nodes, path);

  if (store->access_log != NULL && !g_hash_table_contains (store->access_log, path))
    {
      XsAccess *access = g_new (XsAccess, 1);

      access->generation = node != NULL ? node->generation : XS_NO_GENERATION;
      access->order = g_hash_table_size (store->access_log);
      g_hash_table_insert (store->access_log, g_strdup (path), access);
    }
  return node;
}

void
xs_store_notify (XsStore *store, const char *path, gboolean exact)
{
  if (store->change_func != NULL && !store->quiet)
    store->change_func (path, exact, store->change_data);
}



static gboolean
has_room (XsStore *store, gsize more)
{
  return store->unlimited || store->bytes + more <= XS_STORE_MAX_BYTES;
}

/* Creates PATH and its missing ancestors, which inherit their parent's
 * permissions as in xenstored. */
static Node *
create (XsStore *store, const char *path)
{
  g_autofree char *parent_path = xs_path_parent (path);
  Node *parent = lookup (store, parent_path);

  if (parent == NULL)
    parent = create (store, parent_path);
  return node_add (store, parent, path, parent->perms, parent->perms_len);
}

int
xs_store_read (XsStore *store, const char *path, const guint8 **value, gsize *len)
{
  Node *node = lookup (store, path);

  if (node == NULL)
    return ENOENT;
  *value = node->value;
  *len = node->value_len;
  return 0;
}

int
xs_store_write (XsStore *store, const char *path, const void *value, gsize len)
{
  Node *node = lookup (store, path);

  /* The limit is a safety valve, not an exact quota: missing ancestors
   * are not counted. */
  if (!has_room (store, len + NODE_OVERHEAD + strlen (path)))
    return ENOSPC;
  if (node == NULL)
    node = create (store, path);
  store->bytes -= node->value_len;
  g_free (node->value);
  node->value = g_memdup2 (value, len);
  node->value_len = len;
  store->bytes += len;
  node->generation = new_generation ();
  xs_store_notify (store, path, FALSE);
  return 0;
}

int
xs_store_mkdir (XsStore *store, const char *path)
{
  if (lookup (store, path) != NULL)
    return 0;
  if (!has_room (store, NODE_OVERHEAD + strlen (path)))
    return ENOSPC;
  create (store, path);
  xs_store_notify (store, path, FALSE);
  return 0;
}

/* Children first, as xenstored deletes them: rm_node() walks the subtree
 * (walk_node_tree(), xenstored_core.c) and fires each node's watches as
 * it leaves it (delnode_sub()), exactly for all but the top. */
static void
remove_subtree (XsStore *store, Node *node, gboolean top)
{
  /* Looked at before its children's removal changes it. */
  lookup (store, node->path);
  while (node->children != NULL && node->children->len > 0)
    remove_subtree (store, g_ptr_array_index (node->children, 0), FALSE);
  xs_store_notify (store, node->path, !top);
  if (node->parent != NULL)
    {
      g_ptr_array_remove (node->parent->children, node);
      node->parent->generation = new_generation ();
    }
  store->bytes -= node_cost (node);
  g_hash_table_remove (store->nodes, node->path);
}

int
xs_store_rm (XsStore *store, const char *path)
{
  g_autofree char *parent_path = NULL;
  Node *node;

  if (strcmp (path, "/") == 0)
    return EINVAL;
  node = lookup (store, path);
  parent_path = xs_path_parent (path);
  if (node == NULL)
    return lookup (store, parent_path) != NULL ? 0 : ENOENT;
  lookup (store, parent_path);
  remove_subtree (store, node, TRUE);
  return 0;
}

static guint
node_owner (const Node *node)
{
  return xs_perms_get_domid (node->perms, node->perms_len, 0);
}

/* Parents before children: a removed node takes its subtree along. */
static void
remove_owned_below (XsStore *store, Node *node, guint domid)
{
  guint i = 0;

  while (node->children != NULL && i < node->children->len)
    {
      Node *child = g_ptr_array_index (node->children, i);

      if (node_owner (child) == domid)
        remove_subtree (store, child, TRUE);
      else
        {
          remove_owned_below (store, child, domid);
          i++;
        }
    }
}

void
xs_store_remove_owned (XsStore *store, guint domid)
{
  remove_owned_below (store, g_hash_table_lookup (store->nodes, "/"), domid);
}

int
xs_store_directory (XsStore *store, const char *path, GByteArray *names, guint64 *generation)
{
  Node *node = lookup (store, path);

  if (node == NULL)
    return ENOENT;
  for (guint i = 0; node->children != NULL && i < node->children->len; i++)
    {
      const Node *child = g_ptr_array_index (node->children, i);
      const char *name = xs_path_basename (child->path);

      g_byte_array_append (names, (const guint8 *) name, (guint) strlen (name) + 1);
    }
  if (generation != NULL)
    *generation = node->generation;
  return 0;
}

int
xs_store_get_perms (XsStore *store, const char *path, GByteArray *perms)
{
  Node *node = lookup (store, path);

  if (node == NULL)
    return ENOENT;
  g_byte_array_append (perms, (const guint8 *) node->perms, (guint) node->perms_len);
  return 0;
}

int
xs_store_set_perms (XsStore *store, const char *path, const char *perms, gsize len)
{
  Node *node = lookup (store, path);

  if (node == NULL)
    return ENOENT;
  if (!has_room (store, len))
    return ENOSPC;
  store->bytes += len - node->perms_len;
  g_free (node->perms);
  node->perms = g_memdup2 (perms, len);
  node->perms_len = len;
  node->generation = new_generation ();
  xs_store_notify (store, path, FALSE);
  return 0;
}

guint
xs_perms_get_domid (const char *perms, gsize len, guint i)
{
  gsize start = 0;

  while (start < len && i > 0)
    {
      start += strlen (perms + start) + 1;
      i--;
    }
  if (start >= len)
    return G_MAXUINT;
  return (guint) g_ascii_strtoull (perms + start + 1, NULL, 10);
}

gboolean
xs_perms_are_valid (const char *perms, gsize len)
{
  gsize start = 0;

  if (len == 0 || perms[len - 1] != '\0')
    return FALSE;
  while (start < len)
    {
      const char *perm = perms + start;
      gsize perm_len = strlen (perm);
      guint64 domid;

      if (perm_len < 2 || strchr ("nrwb", perm[0]) == NULL
          || !g_ascii_string_to_unsigned (perm + 1, 10, 0, G_MAXUINT16, &domid, NULL))
        return FALSE;
      start += perm_len + 1;
    }
  return TRUE;
}
