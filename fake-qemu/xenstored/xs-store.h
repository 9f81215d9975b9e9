/* xs-store.h: the tree of xenstore nodes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* What a node's generation is when the node does not exist. */
#define XS_NO_GENERATION G_GUINT64_CONSTANT (0)

/* A store refuses writes (ENOSPC) past this many bytes of names, values
 * and bookkeeping: a hostile client cannot exhaust the fake's memory. */
#define XS_STORE_MAX_BYTES (64 * 1024 * 1024)

typedef struct _XsStore XsStore;

/* PATH changed (written, created, removed, permissions set): its watchers
 * and those of its ancestors fire. With EXACT, PATH lies below a removed
 * node and was removed with it: only the watchers of PATH itself fire. */
typedef void (*XsStoreChangeFunc) (const char *path,
                                   gboolean    exact,
                                   gpointer    user_data);

/* A store with what xenstored starts with: "/", "/tool",
 * "/tool/xenstored", owned by dom0 ("n0"). */
XsStore *xs_store_new             (void);
/* A deep copy with the same generations (for a transaction), without the
 * original's change function or access log. */
XsStore *xs_store_copy            (const XsStore     *store);
void     xs_store_free            (XsStore           *store);

void     xs_store_set_change_func (XsStore           *store,
                                   XsStoreChangeFunc  func,
                                   gpointer           user_data);
/* What a transaction's store records of a node the first time it looks
 * at it. */
typedef struct {
  guint64 generation;   /* then, or XS_NO_GENERATION when it did not exist */
  guint   order;        /* 0 for the first node looked at, then 1... */
} XsAccess;

/* Records in LOG (path → XsAccess *, owned by the table) every node the
 * store looks at, once: a transaction's read and write set, in the order
 * xenstored's access_node() (xenstored_transaction.c) lists them. LOG is
 * borrowed; NULL stops recording. */
void     xs_store_set_access_log  (XsStore           *store,
                                   GHashTable        *log);
/* Lets a transaction's commit replay what was already admitted. */
void     xs_store_set_unlimited   (XsStore           *store,
                                   gboolean           unlimited);
/* While QUIET, changes call no change function (a commit replays its
 * changes quietly, then fires their watches as xenstored does). */
void     xs_store_set_quiet       (XsStore           *store,
                                   gboolean           quiet);
/* Calls the change function, as a change to PATH would. */
void     xs_store_notify          (XsStore           *store,
                                   const char        *path,
                                   gboolean           exact);
/* Bytes of names, values and bookkeeping held: what a copy costs. */
gsize    xs_store_get_bytes       (const XsStore     *store);

/* The generation of PATH now, XS_NO_GENERATION if absent; not recorded. */
guint64  xs_store_get_generation  (XsStore           *store,
                                   const char        *path);
gboolean xs_store_exists          (XsStore           *store,
                                   const char        *path);

/* The operations take a valid absolute path and return 0 or an errno
 * value, as xenstored answers. */
int      xs_store_read            (XsStore           *store,
                                   const char        *path,
                                   const guint8     **value,
                                   gsize             *len);
int      xs_store_write           (XsStore           *store,
                                   const char        *path,
                                   const void        *value,
                                   gsize              len);
int      xs_store_mkdir           (XsStore           *store,
                                   const char        *path);
/* Recursive. A missing node whose parent exists is not an error. As
 * xenstored's rm_node() (xenstored_core.c): the removed nodes fire
 * children first (in creation order, each after its own children; only
 * watches on exactly that node), PATH last (its watches and its
 * ancestors'). */
int      xs_store_rm              (XsStore           *store,
                                   const char        *path);
/* Removes every node owned by DOMID (first permission "?DOMID") with its
 * subtree, as xenstored's domain_tree_remove() (xenstored_domain.c) does
 * when a domain goes: a walk from "/", parents before children, in
 * creation order; "/" itself stays. */
void     xs_store_remove_owned    (XsStore           *store,
                                   guint              domid);
/* Appends the children's names, each followed by a NUL. */
int      xs_store_directory       (XsStore           *store,
                                   const char        *path,
                                   GByteArray        *names,
                                   guint64           *generation);
/* Permissions travel as the wire has them: NUL-terminated strings, the
 * first being the owner and everyone's access ("n0", "r5"...). */
int      xs_store_get_perms       (XsStore           *store,
                                   const char        *path,
                                   GByteArray        *perms);
int      xs_store_set_perms       (XsStore           *store,
                                   const char        *path,
                                   const char        *perms,
                                   gsize              len);

/* Whether PERMS (LEN bytes) is one or more NUL-terminated strings of the
 * form [nrwb]DOMID. */
gboolean xs_perms_are_valid       (const char        *perms,
                                   gsize              len);
/* The domid of the I-th permission of valid PERMS, or G_MAXUINT when
 * there are fewer. */
guint    xs_perms_get_domid       (const char        *perms,
                                   gsize              len,
                                   guint              i);
