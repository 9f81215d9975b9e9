/* bench-qemu.h: a real QEMU for the bench, when one is installed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

/* Starts `@binary -M none` with its QMP socket at @socket_path and waits
 * until the socket exists. Returns the pid, or -1 (no such binary, or it did
 * not come up). The child dies with the bench. */
pid_t bench_qemu_start (const char *binary, const char *socket_path);
