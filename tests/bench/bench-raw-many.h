/* bench-raw-many.h: the minimal client over many connections, the floor
 * of the bench's 1,000-connection figure
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

typedef struct BenchRawMany BenchRawMany;

/* Opens @n connections to @socket_path and negotiates capabilities on
 * each (with oob). Returns NULL (errno set) on failure. */
BenchRawMany *bench_raw_many_open  (const char *socket_path, unsigned int n);

/* Runs query-status with @window commands in flight, each new command on
 * the next connection round-robin, until @seconds have passed and at least
 * @min commands completed. Returns µs per command, or a negative value on
 * failure. */
double        bench_raw_many_run   (BenchRawMany *m, unsigned int window, double seconds,
                                    unsigned int min);

void          bench_raw_many_close (BenchRawMany *m);
