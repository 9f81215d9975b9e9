/* bench-raw-client.h: the minimal blocking QMP client, the bench's floor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>

typedef struct {
  int          fd;
  unsigned int next_id;
  char         buf[65536];
  unsigned int len;        /* bytes in buf, from its start */
  bool         wait_in_poll;  /* poll() before each recv(), as an event loop does */
} BenchRawClient;

/* Connects, reads the greeting and negotiates capabilities, enabling oob
 * when asked. Returns false (errno set) on failure. */
bool   bench_raw_client_open  (BenchRawClient *c, const char *socket_path, bool oob);

/* Runs query-status until @seconds have passed and at least @min commands
 * completed, with up to @window in flight. Returns µs per command, or a
 * negative value on failure. */
double bench_raw_client_run   (BenchRawClient *c, unsigned int window,
                               double seconds, unsigned int min);

void   bench_raw_client_close (BenchRawClient *c);
