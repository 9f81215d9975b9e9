/* qmp-pending.h: a command on its way to QEMU and back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct _QmpConnection QmpConnection;

/* Called as the command's task is about to return, before its callback. */
typedef void (*QmpCompletedFunc) (GTask *task, gpointer user_data);

/* Like libqmi's transactions: one record per command id, holding the GTask
 * (the Active command), its timeout and its bytes; whichever of reply,
 * timeout, abandon or connection failure comes first completes it. */
typedef struct {
  gint64         id;
  QmpConnection *conn;         /* not a reference: the connection owns this */
  GTask         *task;         /* NULL: internal, completed or abandoned */
  QmpCompletedFunc completed;
  gpointer       completed_data;
  gboolean       internal;     /* qmp_capabilities, sent by the library */
  char          *command;      /* for messages: "query-status" */

  gboolean       out_of_band;  /* exec-oob, if QEMU negotiated oob */
  char          *arguments_json; /* until the wire text is made */
  char          *wire;         /* the JSON text and its newline, once made */
  gsize          wire_len;
  gsize          written;
  int           *fds;          /* sent with the first byte, then closed */
  guint          n_fds;
  JsonNode      *trace_node;   /* what was sent, kept only while tracing */

  GList         *link;         /* in the output queue while unsent */
  gboolean       in_table;     /* owned by the connection's id table */
  GSource       *timeout;
  guint          timeout_ms;
} QmpPending;

QmpPending *qmp_pending_new  (gint64      id,
                              const char *command,
                              JsonObject *arguments,
                              gboolean    out_of_band,
                              int        *fds,
                              guint       n_fds);
/* Makes the wire text, the first time the command is about to go out. */
void        qmp_pending_serialize (QmpPending *pending,
                                   gboolean    oob_enabled,
                                   gboolean    keep_trace_node);
void        qmp_pending_close_fds (QmpPending *pending);
void        qmp_pending_free (QmpPending *pending);
