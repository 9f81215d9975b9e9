/* xs-watch.h: the fake xenstored's watches, indexed by path and by owner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "xs-connection.h"

/* Every operation costs time in what it touches, not in how many watches
 * are registered: a change to P looks up P and each of its ancestors
 * (O(depth)), then sends what fired; a client with 65,536 watches no
 * longer makes every write scan them all. */
typedef struct _XsWatches XsWatches;

XsWatches *xs_watches_new            (void);
void       xs_watches_free           (XsWatches   *watches);

/* OWNER identifies the client (its watches are told apart by OWNER, PATH
 * and TOKEN); events go to CONN, which must outlive the watch. PATH
 * canonical (or special); RELATIVE when the client gave a relative path
 * (its events then carry relative paths). Returns 0, or EEXIST for a
 * watch OWNER already has, or E2BIG when OWNER has MAX_PER_OWNER. */
int        xs_watches_add            (XsWatches    *watches,
                                      gconstpointer owner,
                                      XsConnection *conn,
                                      const char   *path,
                                      const char   *token,
                                      gboolean      relative,
                                      guint         max_per_owner);
/* Sends the event of that one watch, if it exists. */
void       xs_watches_fire_one       (XsWatches    *watches,
                                      gconstpointer owner,
                                      const char   *path,
                                      const char   *token);
/* Returns 0 or ENOENT. */
int        xs_watches_remove         (XsWatches    *watches,
                                      gconstpointer owner,
                                      const char   *path,
                                      const char   *token);
void       xs_watches_remove_owner   (XsWatches    *watches,
                                      gconstpointer owner);

/* As in xenstored: a change to PATH fires the watches on PATH and on its
 * ancestors ("/" sees everything, special events included); EXACT only
 * those on PATH itself. Events go out in registration order, as the
 * fake always sent them. A client closed by an event (one that does not
 * read) gets no further ones. */
void       xs_watches_fire           (XsWatches    *watches,
                                      const char   *path,
                                      gboolean      exact);
