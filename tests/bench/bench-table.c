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
#include <string.h>

#include "bench-table.h"

typedef struct {
  char     *what, *figure, *target;
  gboolean  met;
} Row;

static GPtrArray *rows;
static GPtrArray *notes;   /* why a target cannot be met, under the table */

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
bench_table_note (const char *note)
{
  if (notes == NULL)
    notes = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (notes, g_strdup (note));
  fprintf (stderr, "  note: %s\n", note);
}

void
bench_table_print (void)
{
  guint met = 0, missed = 0;
  int w_what = (int) strlen ("measure"), w_figure = (int) strlen ("figure (baseline in the same run)");
  int w_target = (int) strlen ("target");

  /* Columns as wide as their widest cell, for a table that pastes whole. */
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);

      w_what = MAX (w_what, (int) strlen (row->what));
      w_figure = MAX (w_figure, (int) strlen (row->figure));
      if (row->target != NULL)
        w_target = MAX (w_target, (int) strlen (row->target));
    }
  printf ("\n%-*s  %-*s  %-*s  %s\n", w_what, "measure", w_figure,
          "figure (baseline in the same run)", w_target, "target", "status");
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const char *status = row->target == NULL ? "-" : row->met ? "met" : "MISSED";

      printf ("%-*s  %-*s  %-*s  %s\n", w_what, row->what, w_figure, row->figure,
              w_target, row->target != NULL ? row->target : "", status);
      if (row->target != NULL)
        *(row->met ? &met : &missed) += 1;
    }
  printf ("\ntargets: %u met, %u missed\n", met, missed);
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    printf ("note: %s\n", (const char *) g_ptr_array_index (notes, i));
}

void
bench_table_clear (void)
{
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&notes, g_ptr_array_unref);
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
bench_median (const double *values, guint n)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof *values);

  qsort (sorted, n, sizeof *sorted, compare_double);
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double
bench_median_ratio (const double *a, const double *b, guint n)
{
  g_autofree double *ratio = g_new (double, n);

  for (guint i = 0; i < n; i++)
    ratio[i] = a[i] / b[i];
  return bench_median (ratio, n);
}
