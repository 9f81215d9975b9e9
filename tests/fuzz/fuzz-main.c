/* fuzz-main.c: a harness as an ordinary test, without libFuzzer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs LLVMFuzzerTestOneInput() once over each file of the harness's seed
 * corpus and of its regressions (inputs that once crashed it), printing
 * TAP, so that make check replays them all with the normal compiler.
 * A failure aborts the process: the "# input" comment before it names the
 * file. With arguments, runs those files or directories instead.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz-harness.h"

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
add_inputs (GPtrArray *files, const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_strdup (path));
      return;   /* e.g. no regressions yet */
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  /* The same order everywhere, so that TAP numbers mean the same file. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (path, names->pdata[i], NULL);

      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&file));
    }
}

/* "corpus/receive/handshake": the last three parts of PATH, enough to
 * find it under tests/fuzz/ and short enough for TAP. */
static char *
label_of (const char *path)
{
  const char *start = path + strlen (path);

  for (int slashes = 0; start > path; start--)
    if (start[-1] == G_DIR_SEPARATOR && ++slashes == 3)
      break;
  return g_strdup (start);
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  LLVMFuzzerInitialize (&argc, &argv);

  if (argc > 1)
    for (int i = 1; i < argc; i++)
      add_inputs (files, argv[i]);
  else
    {
      g_autofree char *fuzzdir = g_build_filename (srcdir != NULL ? srcdir : FUZZ_TESTS_SRCDIR,
                                                   "fuzz", NULL);
      g_autofree char *corpus = g_build_filename (fuzzdir, "corpus", FUZZ_HARNESS, NULL);
      g_autofree char *regressions = g_build_filename (fuzzdir, "regressions", FUZZ_HARNESS, NULL);

      add_inputs (files, corpus);
      add_inputs (files, regressions);
    }

  if (files->len == 0)
    {
      printf ("1..1\nnot ok 1 - no input found for the %s harness\n", FUZZ_HARNESS);
      return 1;
    }
  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = files->pdata[i];
      g_autofree char *label = label_of (file);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      if (!g_file_get_contents (file, &contents, &length, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, label, error->message);
          continue;
        }
      printf ("# input %s (%" G_GSIZE_FORMAT " bytes)\n", file, length);
      fflush (stdout);
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
      printf ("ok %u - %s\n", i + 1, label);
      fflush (stdout);
    }
  return 0;
}
