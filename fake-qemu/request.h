/* request.h: one message from a client, as QEMU's dispatcher sees it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* A top-level JSON value read from a client (or the parse error that took
 * its place), its QMP envelope checked as QEMU checks it, and the file
 * descriptors that arrived with it. Reference counted, so that a dispatch
 * hook can keep it and answer later. The fields are read-only. */
typedef struct {
  guint64     serial;          /* order among the values of the connection */
  JsonNode   *message;         /* NULL when PARSE_ERROR is set */
  GError     *parse_error;     /* JSON-level error: QEMU replies without id */
  JsonNode   *id;              /* "id" of MESSAGE, or NULL */
  GError     *envelope_error;  /* "QMP input ...": not a valid command */
  const char *command;         /* "execute" or "exec-oob"; NULL on error */
  gboolean    oob;             /* it was "exec-oob" */
  JsonObject *arguments;       /* "arguments", or an empty object */
  guint       n_fds_received;  /* descriptors that arrived with it */

  /*< private >*/
  guint       ref_count;
  GArray     *fds;
} FakeRequest;

/* Takes MESSAGE and PARSE_ERROR (one of them is set). ALLOW_OOB: the
 * client enabled the "oob" capability, which makes "exec-oob" valid. */
FakeRequest *fake_request_new           (guint64      serial,
                                         JsonNode    *message,
                                         GError      *parse_error,
                                         gboolean     allow_oob);
FakeRequest *fake_request_ref           (FakeRequest *request);
/* The last unref closes the descriptors nobody took. */
void         fake_request_unref         (FakeRequest *request);

/* Takes ownership of N_FDS descriptors. */
void         fake_request_add_fds       (FakeRequest *request,
                                         const int   *fds,
                                         guint        n_fds);

/* The first descriptor still held (now the caller's), or -1. */
int          fake_request_steal_fd      (FakeRequest *request);

/* The error reply (parse or envelope error), or NULL. */
const GError *fake_request_get_error    (FakeRequest *request);

/* For logs: the message as received (re-serialised), cut at MAX bytes. */
char        *fake_request_describe      (FakeRequest *request,
                                         gsize        max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeRequest, fake_request_unref)
