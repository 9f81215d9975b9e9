/* xs-transaction.h: a transaction: a private copy of the store, what it
 * looked at, and the changes to replay on commit
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "xs-store.h"

typedef struct _XsTransaction XsTransaction;

/* Snapshots MAIN: the transaction sees MAIN as it is now, and nobody sees
 * its changes before commit. The snapshot's bytes are added to *BYTES
 * (which must outlive the transaction) until it is freed. */
XsTransaction *xs_transaction_new       (guint32        id,
                                         XsStore       *main,
                                         gsize         *bytes);
void           xs_transaction_free      (XsTransaction *tx);

guint32        xs_transaction_get_id    (XsTransaction *tx);
/* The transaction's own store: requests inside it operate on this. */
XsStore       *xs_transaction_get_store (XsTransaction *tx);

/* Records a change (XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS with the
 * request's path and data) that succeeded on the transaction's store. */
void           xs_transaction_log       (XsTransaction *tx,
                                         guint32        type,
                                         const char    *path,
                                         const void    *data,
                                         gsize          len);

/* Like xenstored: EAGAIN when a node that the transaction read or changed
 * has changed in MAIN since the transaction started (MAIN is untouched);
 * otherwise applies every change to MAIN at once, then fires the watches
 * of the changed nodes as xenstored's finalize_transaction() does, and
 * returns 0. */
int            xs_transaction_commit    (XsTransaction *tx,
                                         XsStore       *main);
