/* qmp-suggest.c: "did you mean": the closest of a set of names
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-suggest.h"

#include <string.h>

/* Optimal string alignment distance (Levenshtein plus swapping two
 * neighbouring letters, the commonest typo), in rolling rows. Case is
 * ignored: "STOP" is "stop" typed with caps lock. */
static gsize
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree gsize *prev2 = g_new0 (gsize, lb + 1);
  g_autofree gsize *prev = g_new (gsize, lb + 1);
  g_autofree gsize *cur = g_new (gsize, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    prev[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      gsize *t;

      cur[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          gsize cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          gsize d = MIN (prev[j] + 1, cur[j - 1] + 1);

          d = MIN (d, prev[j - 1] + cost);
          if (i > 1 && j > 1 && g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 2])
              && g_ascii_tolower (a[i - 2]) == g_ascii_tolower (b[j - 1]))
            d = MIN (d, prev2[j - 2] + 1);
          cur[j] = d;
        }
      t = prev2;
      prev2 = prev;
      prev = cur;
      cur = t;
    }
  return prev[lb];
}

void
qmp_suggest_init (QmpSuggest *s, const char *wrong)
{
  s->wrong = wrong;
  s->best = NULL;
  /* A third of the name, at least one edit: "idd" -> "id", but not
   * "id" -> "if" -> anything two letters long. */
  s->best_distance = MAX (1, strlen (wrong) / 3) + 1;
  s->related = FALSE;
}

void
qmp_suggest_consider (QmpSuggest *s, const char *candidate)
{
  gsize d;

  /* Cheap rejection: lengths alone already differ by too much. */
  if ((gsize) ABS ((gssize) strlen (candidate) - (gssize) strlen (s->wrong)) >= s->best_distance)
    return;
  d = edit_distance (s->wrong, candidate);
  /* Between equals, one of the same length: "qcow3" is likelier "qcow2"
   * mistyped than "qcow" with a letter too many. */
  if (d < s->best_distance
      || (d == s->best_distance && s->best != NULL
          && strlen (candidate) == strlen (s->wrong)
          && strlen (s->best) != strlen (s->wrong)))
    {
      s->best_distance = d;
      s->best = candidate;
    }
}

/* NAME in lower case without its separators: "read-only" and "readOnly"
 * are both "readonly". */
static char *
name_letters (const char *name)
{
  char *letters = g_malloc (strlen (name) + 1);
  char *out = letters;

  for (const char *p = name; *p != '\0'; p++)
    if (*p != '-' && *p != '_')
      *out++ = g_ascii_tolower (*p);
  *out = '\0';
  return letters;
}

void
qmp_suggest_consider_related (QmpSuggest *s, const char *candidate)
{
  g_autofree char *w = NULL, *c = NULL;
  gsize lw = strlen (s->wrong), lc = strlen (candidate);
  const char *shorter, *longer;

  if (s->best != NULL && !s->related)
    return;
  w = name_letters (s->wrong);
  c = name_letters (candidate);
  shorter = strlen (w) < strlen (c) ? w : c;
  longer = shorter == w ? c : w;
  if (strlen (shorter) < 3 || strcmp (w, c) == 0 || strstr (longer, shorter) == NULL)
    return;
  if (s->best == NULL
      || (gsize) ABS ((gssize) lc - (gssize) lw)
         < (gsize) ABS ((gssize) strlen (s->best) - (gssize) lw))
    {
      s->best = candidate;
      s->related = TRUE;
    }
}

void
qmp_suggest_fallback (QmpSuggest *s, const char *candidate)
{
  if (s->best == NULL)
    {
      s->best = candidate;
      s->related = TRUE;
    }
}

void
qmp_suggest_append (QmpSuggest *s, GString *message)
{
  if (s->best != NULL)
    g_string_append_printf (message, "; did you mean '%s'?", s->best);
}
