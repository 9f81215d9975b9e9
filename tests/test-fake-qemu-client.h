/* test-fake-qemu-client.h: a raw, blocking QMP client for tests of fake-qemu
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#define REPLY_TIMEOUT_MS 10000
/* How long "nothing arrives" is given to show. */
#define QUIET_MS 300

#define GREETING \
  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, " \
  "\"package\": \"fake-qemu\"}, \"capabilities\": [\"oob\"]}}"
#define EMPTY "{\"return\": {}}"
#define GENERIC(desc) "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}"

typedef struct {
  int      fd;
  GString *in;
  gboolean eof;
  GArray  *fds;   /* every descriptor received, in order: closed by client_free() */
} Client;

void    client_free                (Client     *c);
Client *client_connect             (const char *path);
void    client_send_len            (Client     *c,
                                    const char *data,
                                    gsize       len);
void    client_send                (Client     *c,
                                    const char *text);
/* TEXT in one message, with N_FDS (1 to 8) descriptors (duplicated by the
 * kernel; the caller keeps its own). */
void    client_send_fds            (Client     *c,
                                    const char *text,
                                    const int  *fds,
                                    guint       n_fds);
/* Waits up to TIMEOUT_MS for more bytes; FALSE on timeout or end of file.
 * Descriptors that come with them are kept in C->fds, whichever read takes
 * them: the kernel may hand over a later message (and its descriptors)
 * with the reply a test is waiting for. */
gboolean client_fill               (Client     *c,
                                    int         timeout_ms);
/* The next message (without its "\r\n"), or NULL after TIMEOUT_MS or at
 * end of file. */
char   *client_try_read            (Client     *c,
                                    int         timeout_ms);
/* The next message; a test failure if none comes in REPLY_TIMEOUT_MS. */
char   *client_read                (Client     *c);
void    client_expect              (Client     *c,
                                    const char *expected);
/* Sends TEXT and returns the next message (its reply). */
char   *client_call                (Client     *c,
                                    const char *text);
/* Sends TEXT and expects EXPECTED as the only answer. */
void    client_check               (Client     *c,
                                    const char *text,
                                    const char *expected);
/* Nothing arrives for TIMEOUT_MS, and the connection stays open. */
void    client_expect_quiet        (Client     *c,
                                    int         timeout_ms);
gboolean client_wait_eof           (Client     *c,
                                    int         timeout_ms);
/* Connects, expects the default greeting, negotiates. */
Client *client_connect_negotiated  (const char *path);

/* Sends TEXT and expects the event NAME (with DATA, a regex as for
 * assert_event()) then EXPECTED: a command whose events come before its
 * reply, as in QEMU. */
void    client_check_with_event    (Client     *c,
                                    const char *text,
                                    const char *name,
                                    const char *data,
                                    const char *expected);

/* Checks that LINE is the event NAME with DATA (JSON as QEMU prints it,
 * or NULL for none), stamped with the current time. */
void    assert_event               (const char *line,
                                    const char *name,
                                    const char *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)
