/* test-peer.h: a raw QMP peer scripted in C, for byte-exact tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fake-qemu plays QEMU; this plays exactly the bytes a test wants (a
 * greeting with or without oob, an unknown error class, a message cut in
 * pieces), in a thread of the test process, with blocking I/O.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct _TestPeer TestPeer;

typedef void (*TestPeerFunc) (TestPeer *peer, gpointer user_data);

/* Listens on SOCKET_PATH now; a thread accepts one client and runs FUNC. */
TestPeer   *test_peer_new            (const char   *socket_path,
                                      TestPeerFunc  func,
                                      gpointer      user_data);
/* Waits for FUNC to return, closes everything, frees the peer. */
void        test_peer_join           (TestPeer     *peer);

void        test_peer_send           (TestPeer     *peer,
                                      const char   *text);
void        test_peer_send_len       (TestPeer     *peer,
                                      const char   *data,
                                      gsize         len);
void        test_peer_send_greeting  (TestPeer     *peer,
                                      gboolean      offer_oob);
/* The next command the client sent (newline-terminated), parsed; NULL at
 * EOF. Fails the test after 10 s. */
JsonObject *test_peer_read_command   (TestPeer     *peer);
/* Greeting, then the client's qmp_capabilities, answered. Returns the
 * capabilities command's arguments as JSON text ("" when it had none). */
char       *test_peer_negotiate      (TestPeer     *peer,
                                      gboolean      offer_oob);
/* Replies {"return": RET_JSON, "id": <id of CMD>}. */
void        test_peer_reply          (TestPeer     *peer,
                                      JsonObject   *cmd,
                                      const char   *ret_json);
/* Whether the client closed its end within TIMEOUT_MS. */
gboolean    test_peer_wait_eof       (TestPeer     *peer,
                                      guint         timeout_ms);
void        test_peer_close          (TestPeer     *peer);
