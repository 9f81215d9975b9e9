/* test-server.h: QMP servers for tests (fake-qemu, real QEMU) in temp dirs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct _TestServer TestServer;

/* Starts $FAKE_QEMU with --socket SOCKET_PATH plus EXTRA_ARGS, and returns
 * once the socket accepts connections. */
TestServer *test_server_start_fake (const char          *socket_path,
                                    const char * const  *extra_args,
                                    GError             **error);

/* Starts a real `qemu-system-x86_64 -M none` with its QMP monitor on
 * SOCKET_PATH. Returns NULL without an error when no QEMU is installed:
 * the caller then calls g_test_skip() so that the skip shows. */
TestServer *test_server_start_qemu (const char  *socket_path,
                                    GError     **error);

/* The same with `-M MACHINE` and EXTRA_ARGS (NULL-terminated, or NULL)
 * before `-qmp`: a `pc` with an `ide-cd` drive, for instance. */
TestServer *test_server_start_qemu_machine (const char          *socket_path,
                                            const char          *machine,
                                            const char * const  *extra_args,
                                            GError             **error);

/* Starts ARGV (NULL-terminated) and returns once SOCKET_PATH is a socket:
 * any server that creates its socket ready (fake-xenstored, ...). */
TestServer *test_server_start_argv (const char * const  *argv,
                                    const char          *socket_path,
                                    GError             **error);

/* A program built next to fake-qemu ($FAKE_QEMU's directory), or NULL. */
char       *test_server_sibling    (const char *name);

/* Whether a real QEMU can be used (QEMU_SYSTEM, then PATH). */
gboolean    test_server_have_qemu  (void);

pid_t       test_server_get_pid    (TestServer *server);
const char *test_server_get_socket (TestServer *server);

/* SIGSTOP / SIGCONT the server: a wedged device model. */
void        test_server_pause      (TestServer *server);
void        test_server_resume     (TestServer *server);

/* SIGTERM (SIGKILL after a grace period), reap, free. NULL is allowed. */
void        test_server_stop       (TestServer *server);
/* Reaps a server that exits by itself; returns its wait status. */
int         test_server_wait       (TestServer *server,
                                    guint       timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_stop)

/* A private directory for one test's sockets; removed with its contents. */
char       *test_tmpdir_new        (void);
void        test_tmpdir_remove     (const char *dir);

/* Connects a raw, blocking unix socket to PATH, or -1 with errno set. */
int         test_unix_connect      (const char *path);
/* Whether another open file description holds an flock() on PATH (as
 * libxl's lock is held). */
gboolean    test_flock_held        (const char *path);

/* Number of open file descriptors of this process. */
guint       test_count_open_fds    (void);
