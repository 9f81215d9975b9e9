/* bench-hostile.h: what a hostile reply of the largest size costs (issue 15)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Rows for replies of max-message-size built to cost the most (deep,
 * wide, repeated or colliding names, escapes, many values), each against
 * json-glib parsing a benign reply of the same size. A peer thread
 * serves them on a socket in RUN_DIR. */
void bench_hostile_measure (const char *run_dir);
