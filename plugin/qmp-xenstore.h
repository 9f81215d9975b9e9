/* qmp-xenstore.h: libxenstore on a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

typedef struct _QmpXenstore QmpXenstore;

typedef void (*QmpXenstoreWatchFunc) (QmpXenstore *xs,
                                      const char  *path,
                                      gpointer     user_data);

/* xs_open(0) (honouring XENSTORED_PATH), with watch events dispatched from
 * a source on CONTEXT: libxenstore's own reader thread signals its
 * xs_fileno() pipe; nothing here blocks on it. */
QmpXenstore *qmp_xenstore_open    (GMainContext          *context,
                                   GError               **error);
void         qmp_xenstore_free    (QmpXenstore           *xs);

/* A node's value, or NULL with G_IO_ERROR_NOT_FOUND (or another error). */
char        *qmp_xenstore_read    (QmpXenstore           *xs,
                                   const char            *path,
                                   GError               **error);
gboolean     qmp_xenstore_exists  (QmpXenstore           *xs,
                                   const char            *path);
/* Whether xenstored still counts DOMID as a live domain: it forgets a
 * domain when the hypervisor says it is dying or gone, or on XS_RELEASE
 * (xenstored_domain.c, domain_cleanup()). */
gboolean     qmp_xenstore_is_introduced (QmpXenstore     *xs,
                                         guint32          domid);
/* VALUE, read from xenstore (any bytes a domain may have written), made
 * fit to quote in a message: printable ASCII, escaped as C does, cut
 * after a few dozen bytes. */
char        *qmp_xenstore_quote   (const char            *value);

/* FUNC is called for each change at or below PATH (and once at once, as
 * xenstored fires every new watch). Returns an id for unwatch, or 0. */
guint        qmp_xenstore_watch   (QmpXenstore           *xs,
                                   const char            *path,
                                   QmpXenstoreWatchFunc   func,
                                   gpointer               user_data,
                                   GError               **error);
void         qmp_xenstore_unwatch (QmpXenstore           *xs,
                                   guint                  id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpXenstore, qmp_xenstore_free)
