/* fdstore.h: the file descriptors a QEMU keeps for its clients
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* The fdsets of add-fd and the named descriptors of getfd, for one fake
 * domain. Both outlive a client connection, as in QEMU; see
 * fake_fd_store_client_left() for what QEMU drops when a client leaves. */
typedef struct _FakeFdStore FakeFdStore;

FakeFdStore *fake_fd_store_new          (void);
/* Closes every descriptor it holds. */
void         fake_fd_store_free         (FakeFdStore  *store);

/* add-fd: takes FD (closed on error), into fdset FDSET_ID or, without
 * one, the lowest unused id. Returns the fdset id, or -1 with QEMU's error. */
gint64       fake_fd_store_add          (FakeFdStore  *store,
                                         int           fd,
                                         gboolean      has_fdset_id,
                                         gint64        fdset_id,
                                         const char   *opaque,
                                         GError      **error);

/* remove-fd. RUNNING is the VM's run state: QEMU closes a removed
 * descriptor only while the VM runs; while it is paused the descriptor
 * stays open and listed. */
gboolean     fake_fd_store_remove       (FakeFdStore  *store,
                                         gint64        fdset_id,
                                         gboolean      has_fd,
                                         gint64        fd,
                                         gboolean      running,
                                         GError      **error);

/* The value of query-fdsets. */
JsonNode    *fake_fd_store_query        (FakeFdStore  *store);

/* The client left: QEMU (7.2) then closes every fdset descriptor that no
 * device uses if the VM runs, and keeps them all if it is paused. */
void         fake_fd_store_client_left  (FakeFdStore  *store,
                                         gboolean      running);

/* getfd: takes FD under NAME, closing the one it replaces. */
void         fake_fd_store_set_named    (FakeFdStore  *store,
                                         const char   *name,
                                         int           fd);

/* closefd. */
gboolean     fake_fd_store_close_named  (FakeFdStore  *store,
                                         const char   *name,
                                         GError      **error);

/* The descriptor named NAME, or -1 (still owned by the store). */
int          fake_fd_store_lookup_named (FakeFdStore  *store,
                                         const char   *name);

/* Opens PATH as QEMU's qemu_open() does: "/dev/fdset/N" is a dup of the
 * first descriptor of fdset N opened with the access mode of FLAGS
 * (-EINVAL: not a number, -ENOENT: no such fdset, -EACCES: no descriptor
 * with that mode); any other path is opened with FLAGS, mode 0660.
 * Returns the new descriptor (the caller's), or -errno. */
int          fake_fd_store_open_path    (FakeFdStore  *store,
                                         const char   *path,
                                         int           flags);

/* How many descriptors the store holds (fdsets and named). */
guint        fake_fd_store_count        (FakeFdStore  *store);
