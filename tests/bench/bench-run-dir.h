/* bench-run-dir.h: the bench's temporary run dir, gone even if the bench dies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Creates a temporary directory and forks a watcher that empties and
 * removes it when the bench exits, however it exits (abort, SIGKILL).
 * Call before any thread exists. Returns the path (free() it), or NULL. */
char *bench_run_dir_new (void);
