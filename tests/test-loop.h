/* test-loop.h: running the main context in tests, with a bound
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#define TEST_WAIT_TIMEOUT_S 30

static inline gboolean
test_loop_wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the thread-default main context until COND holds; fails the
 * test after TEST_WAIT_TIMEOUT_S. A timer wakes the loop so that COND is
 * checked even when nothing else happens. */
#define RUN_UNTIL(cond)                                                     \
  G_STMT_START {                                                            \
    gint64 deadline_ = g_get_monotonic_time () + TEST_WAIT_TIMEOUT_S * G_USEC_PER_SEC; \
    guint wake_ = g_timeout_add (50, test_loop_wake, NULL);                 \
    while (!(cond))                                                         \
      {                                                                     \
        if (g_get_monotonic_time () > deadline_)                            \
          g_error ("timed out waiting for %s", #cond);                      \
        g_main_context_iteration (NULL, TRUE);                              \
      }                                                                     \
    g_source_remove (wake_);                                                \
  } G_STMT_END

/* Runs the thread-default main context for MS milliseconds. */
static inline void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint id = g_timeout_add (10, test_loop_wake, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Delivers what is ready in the thread-default main context, such as the
 * notifications and events a _sync call leaves for the application's
 * context (it iterates the library's own alone). */
static inline void
test_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}
