/* test-xenstore.h: small helpers shared by the xenstore tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* A valid node name of exactly LEN bytes: PREFIX, then "x" components of
 * at most 63 bytes each, so that length limits can be hit exactly. */
static inline char *
test_xs_path_of_length (const char *prefix, gsize len)
{
  GString *path = g_string_new (prefix);

  while (path->len < len)
    g_string_append_c (path, path->len % 64 == 0 ? '/' : 'x');
  /* Never ends in '/'. */
  if (path->str[path->len - 1] == '/')
    path->str[path->len - 1] = 'x';
  return g_string_free (path, FALSE);
}
