/* fuzz-common.c: the process setup that every harness shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>

#include <glib.h>

#include "fuzz-harness.h"

/* Hostile input makes the code under test warn (a protocol violation is
 * logged for the administrator): that is expected, and printing it would
 * cost more than the rest of a run. A critical is not expected: it is a
 * g_return_if_fail() that hostile input reached, a bug. Abort so that the
 * fuzzer keeps the input. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

/* FUZZ_VERBOSE=1 shows everything, as GLib would (with
 * G_MESSAGES_DEBUG=all, the wire trace too): to see what an input does. */
static GLogWriterOutput
verbose_log_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  GLogWriterOutput output = g_log_writer_default (log_level, fields, n_fields, user_data);

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    abort ();
  return output;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* GSlice's magazines would hide use-after-free and leaks from ASan;
   * it reads this before its first allocation. */
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  if (g_getenv ("FUZZ_VERBOSE") != NULL)
    g_log_set_writer_func (verbose_log_writer, NULL, NULL);
  else
    g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  return 0;
}
