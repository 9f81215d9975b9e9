/* bench-table.c: the one table make bench prints
 *
 * Rows are kept until the end, so that the table comes out in one piece
 * after the progress lines, ready to paste into a note.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench-table.h"

typedef struct {
  char     *what, *figure, *target;
  gboolean  met;
} Row;

static GPtrArray *rows;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->what);
  g_free (row->figure);
  g_free (row->target);
  g_free (row);
}

void
bench_table_row (const char *what, const char *figure, const char *target, gboolean met)
{
  Row *row = g_new0 (Row, 1);

  if (rows == NULL)
    rows = g_ptr_array_new_with_free_func (row_free);
  row->what = g_strdup (what);
  row->figure = g_strdup (figure);
  row->target = g_strdup (target);
  row->met = met;
  g_ptr_array_add (rows, row);
  /* Also as it comes, so that a run cut short still shows its figures. */
  fprintf (stderr, "  %s: %s\n", what, figure);
}

void
bench_table_print (void)
{
  guint met = 0, missed = 0;

  printf ("\n%-40s %-52s %-16s %s\n", "measure", "figure (baseline in the same run)",
          "target", "status");
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const char *status = row->target == NULL ? "-" : row->met ? "met" : "MISSED";

      printf ("%-40s %-52s %-16s %s\n", row->what, row->figure,
              row->target != NULL ? row->target : "", status);
      if (row->target != NULL)
        *(row->met ? &met : &missed) += 1;
    }
  printf ("\ntargets: %u met, %u missed\n", met, missed);
}

void
bench_table_clear (void)
{
  g_clear_pointer (&rows, g_ptr_array_unref);
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
bench_median (double *values, guint n)
{
  qsort (values, n, sizeof *values, compare_double);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}
