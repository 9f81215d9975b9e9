/* bench-responder.h: the minimal QMP responder the bench measures against
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

/* Listens on @socket_path, forks a child that serves every client on one
 * epoll loop and dies with its parent. Returns the child's pid, or -1
 * with errno set. */
pid_t bench_responder_start (const char *socket_path);

/* Kills and reaps a child of the bench (the responder, QEMU). */
void  bench_child_stop  (pid_t pid);
