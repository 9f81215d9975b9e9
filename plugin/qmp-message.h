/* qmp-message.h: what one message from QEMU is, checked field by field
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "qmp-json-scan.h"
#include "xen-qmp-error.h"

typedef enum {
  QMP_MESSAGE_GREETING,   /* {"QMP": {...}} */
  QMP_MESSAGE_EVENT,      /* {"event": NAME, ...} */
  QMP_MESSAGE_RETURN,     /* {"return": VALUE, "id": ...} */
  QMP_MESSAGE_ERROR,      /* {"error": {"class", "desc"}, "id": ...} */
} QmpMessageKind;

typedef enum {
  QMP_MESSAGE_ID_NONE,    /* no "id" member */
  QMP_MESSAGE_ID_OURS,    /* an integer, as this library sends */
  QMP_MESSAGE_ID_FOREIGN, /* some other JSON value: not one of ours */
} QmpMessageIdKind;

typedef struct {
  QmpMessageKind   kind;
  JsonNode        *root;           /* owned */

  QmpMessageIdKind id_kind;
  gint64           id;
  const char      *id_description;  /* QMP_MESSAGE_ID_FOREIGN: "a string", ... */

  /* GREETING */
  JsonObject      *greeting;       /* the "QMP" member */
  gboolean         offers_oob;

  /* EVENT */
  const char      *event;
  JsonObject      *event_data;     /* nullable */
  gint64           timestamp_us;   /* -1 when absent */

  /* RETURN */
  JsonNode        *ret;            /* in root, or owned when root is NULL */

  /* ERROR */
  XenQmpErrorClass error_class;
  const char      *error_class_name;
  const char      *error_desc;
} QmpMessage;

/* Parses and classifies one message, scanned first against LIMITS
 * (qmp-json-scan.h). On failure the error says what was wrong with it, in
 * words an administrator can act on. Without KEEP_ROOT, a plain reply is
 * read without its envelope (root stays NULL, ret is the message's own):
 * the trace needs the whole tree to redact it. */
gboolean qmp_message_parse (const QmpJsonScanLimits *limits,
                            const char              *data,
                            gsize                    len,
                            gboolean                 keep_root,
                            QmpMessage              *msg,
                            GError                 **error);

void     qmp_message_clear (QmpMessage *msg);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QmpMessage, qmp_message_clear)

/* A GError in the XEN_QMP_ERROR domain for an ERROR message. */
GError  *qmp_message_to_gerror (const QmpMessage *msg);
