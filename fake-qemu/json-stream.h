/* json-stream.h: QEMU's JSON stream splitter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* QEMU's limits on one top-level value (qobject/json-streamer.c): bytes
 * in its tokens, number of tokens, depth of {} and [] together. */
#define FAKE_JSON_MAX_SIZE    (64u << 20)
#define FAKE_JSON_MAX_TOKENS  (2u << 20)
#define FAKE_JSON_MAX_NESTING 1024

typedef struct _FakeJsonStream FakeJsonStream;

/* One top-level value as it came off the stream, or the error that ended
 * it. SERIAL numbers values in the order they began (1, 2, ...): an error
 * that QEMU reports counts as a value, as it gets a reply of its own. */
typedef struct {
  guint64   serial;
  JsonNode *value;
  GError   *error;
} FakeJsonItem;

void            fake_json_item_free            (FakeJsonItem   *item);

FakeJsonStream *fake_json_stream_new           (void);
void            fake_json_stream_free          (FakeJsonStream *stream);

/* Feeds LEN bytes and appends to ITEMS (a queue of FakeJsonItem) every
 * value or error that they complete, in order. Bytes may be cut anywhere:
 * the stream keeps what a value needs until it is complete. */
void            fake_json_stream_feed          (FakeJsonStream *stream,
                                                const char     *data,
                                                gsize           len,
                                                GQueue         *items);

/* Serial of the last value that began (0: none yet). */
guint64         fake_json_stream_get_last_begun (FakeJsonStream *stream);

/* Whether that value is still incomplete. */
gboolean        fake_json_stream_in_value      (FakeJsonStream *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeJsonStream, fake_json_stream_free)
