/* test-fds.h: no file descriptor left behind
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A fixture takes the list of the process's open descriptors when a test
 * starts and checks it again when the test's objects are gone: anything
 * new is a leak (a socket, an fd QEMU sent, an epoll fd), reported with
 * what it points to.
 */
#pragma once

#include <gio/gio.h>
#include <unistd.h>

/* GLib opens two descriptors once per process, on first use: the default
 * main context's wakeup and its worker thread's (GTask's class starts it).
 * Opened here, before any snapshot, they are not taken for a test's. */
static inline void
test_fds_warm_up (void)
{
  g_main_context_wakeup (g_main_context_default ());
  g_type_ensure (G_TYPE_TASK);
}

/* "fd -> target" for every open descriptor, sorted by fd. */
static inline GPtrArray *
test_fds_snapshot (void)
{
  GPtrArray *fds = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  /* The directory's own descriptor is listed too; it is the same one in
   * both snapshots only by luck, so it is left out by its target. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target == NULL || g_str_has_prefix (target, "/proc/"))
        continue;
      g_ptr_array_add (fds, g_strdup_printf ("%s -> %s", name, target));
    }
  g_ptr_array_sort (fds, (GCompareFunc) g_strcmp0);
  return fds;
}

/* The descriptors open now that were not in BEFORE, as one string; NULL
 * when there are none. */
static inline char *
test_fds_new_since (GPtrArray *before)
{
  g_autoptr(GPtrArray) now = test_fds_snapshot ();
  g_autoptr(GString) leaked = g_string_new (NULL);

  for (guint i = 0; i < now->len; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < before->len && !seen; j++)
        seen = g_str_equal (now->pdata[i], before->pdata[j]);
      if (!seen)
        g_string_append_printf (leaked, "%s%s", leaked->len > 0 ? ", " : "",
                                (char *) now->pdata[i]);
    }
  return leaked->len > 0 ? g_string_free (g_steal_pointer (&leaked), FALSE) : NULL;
}

/* Fails the test when descriptors opened since BEFORE are still open
 * after the main context has had up to a second to finish closing them
 * (a connection closes from an idle callback). BEFORE is freed. */
static inline void
test_fds_assert_no_leak (GPtrArray *before)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  char *leaked;

  while ((leaked = test_fds_new_since (before)) != NULL
         && g_get_monotonic_time () < deadline)
    {
      g_free (leaked);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  g_ptr_array_unref (before);
  if (leaked != NULL)
    g_error ("file descriptors left open by the test: %s", leaked);
}
