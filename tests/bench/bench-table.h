/* bench-table.h: the one table make bench prints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* A row: what was measured, the figure with its baseline, the target and
 * whether it is met. @target NULL: a figure for information, no status. */
void bench_table_row   (const char *what, const char *figure,
                        const char *target, gboolean met);
/* A line printed under the table: the reason a target cannot be met. */
void bench_table_note  (const char *note);
void bench_table_print (void);
void bench_table_clear (void);

/* The median of @n values. */
double bench_median       (const double *values, guint n);
/* The median of @a[i] / @b[i]: ratios of runs taken side by side. */
double bench_median_ratio (const double *a, const double *b, guint n);
