/* test-fake-qemu-run.h: one fake-qemu run, its stderr and its exit status
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the tests of fake-qemu's scripts and schema share: a temp dir with
 * the socket and the script, fake-qemu started with its stderr going to a
 * file, and its verdict read back once it exits.
 */
#pragma once

#include <glib.h>
#include "test-server.h"

typedef struct {
  char       *dir;
  char       *path;        /* the socket */
  char       *script;      /* where a test writes its script */
  char       *stderr_path;
  char       *stderr_text; /* after fake_run_finish() */
  TestServer *server;
} FakeRun;

void fake_run_setup    (FakeRun            *run);
void fake_run_teardown (FakeRun            *run);
/* Starts fake-qemu on the run's socket with ARGS (NULL-terminated). */
void fake_run_start    (FakeRun            *run,
                        const char * const *args);
/* Waits for the fake to exit by itself (or, with TERMINATE, after
 * SIGTERM), reads its stderr, returns its exit status. */
int  fake_run_finish   (FakeRun            *run,
                        gboolean            terminate);

void assert_contains   (const char         *text,
                        const char         *part);
