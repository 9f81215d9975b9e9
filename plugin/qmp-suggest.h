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
  gboolean    related;       /* best is a related name, not a close spelling */
} QmpSuggest;

/* Starts a search for a name close to WRONG (borrowed). */
void qmp_suggest_init     (QmpSuggest *s, const char *wrong);
/* CANDIDATE must outlive the search. */
void qmp_suggest_consider (QmpSuggest *s, const char *candidate);
/* When no close spelling was found: CANDIDATE is taken if one of the
 * two names contains the other ("file" in "filename"), the shorter of at
 * least three letters; of several, the nearest in length. Considered in
 * order of likelihood (required arguments not given first), the first of
 * equals wins. */
void qmp_suggest_consider_related (QmpSuggest *s, const char *candidate);
/* When nothing was found yet: CANDIDATE, the only name left that the
 * user can have meant (the one required argument not given). */
void qmp_suggest_fallback (QmpSuggest *s, const char *candidate);
/* Appends "; did you mean 'X'?" when a candidate was close enough. */
void qmp_suggest_append   (QmpSuggest *s, GString *message);
