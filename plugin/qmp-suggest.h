/* qmp-suggest.h: "did you mean": the closest of a set of names
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

typedef struct {
  const char *wrong;
  const char *best;          /* borrowed from a candidate */
  gsize       best_distance;
} QmpSuggest;

/* Starts a search for a name close to WRONG (borrowed). */
void qmp_suggest_init     (QmpSuggest *s, const char *wrong);
/* CANDIDATE must outlive the search. */
void qmp_suggest_consider (QmpSuggest *s, const char *candidate);
/* Appends "; did you mean 'X'?" when a candidate was close enough. */
void qmp_suggest_append   (QmpSuggest *s, GString *message);
