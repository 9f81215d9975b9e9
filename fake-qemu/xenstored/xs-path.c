/* xs-path.c: xenstore node names: validity, relative paths, ancestry
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "xs-path.h"

#include <string.h>

#include "xs-wire.h"

/* How many bytes of PATH belong to a "/local/domain/<domid>/" prefix, as
 * xenstored 4.17 measures it with sscanf ("/local/domain/%5u/%n",
 * is_valid_nodename() in xenstored_core.c): up to five characters that
 * %u takes (an optional sign, then digits), then a slash; 0 when PATH
 * does not start so. */
static gsize
domain_prefix_len (const char *path)
{
  static const char local[] = "/local/domain/";
  const char *p = path + sizeof local - 1;
  gsize width = 0, digits = 0;

  if (strncmp (path, local, sizeof local - 1) != 0)
    return 0;
  if (*p == '+' || *p == '-')
    p++, width++;
  while (width < 5 && g_ascii_isdigit (*p))
    p++, width++, digits++;
  if (digits == 0 || *p != '/')
    return 0;
  return (gsize) (p + 1 - path);
}

gboolean
xs_path_is_valid (const char *path)
{
  gsize len = strlen (path);

  if (path[0] != '/')
    return FALSE;
  if (len > 1 && path[len - 1] == '/')
    return FALSE;
  if (strstr (path, "//") != NULL)
    return FALSE;
  /* xenstored's quota_max_path_len: XENSTORE_REL_PATH_MAX bytes below a
   * domain's home, or in all for any other path (XENSTORE_ABS_PATH_MAX is
   * not what it checks). */
  if (len > domain_prefix_len (path) + XENSTORE_REL_PATH_MAX)
    return FALSE;
  for (const char *p = path; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/_@-", *p) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
xs_path_is_special (const char *path)
{
  return path[0] == '@';
}

char *
xs_path_canonicalize (const char *path)
{
  if (path[0] == '/' || xs_path_is_special (path))
    return g_strdup (path);
  return g_strconcat (XS_HOME_PATH "/", path, NULL);
}

gboolean
xs_path_is_below (const char *child, const char *parent)
{
  gsize len = strlen (parent);

  if (strcmp (parent, "/") == 0)
    return child[0] == '/';
  if (strncmp (child, parent, len) != 0)
    return FALSE;
  return child[len] == '/' || child[len] == '\0';
}

char *
xs_path_parent (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL || slash == path)
    return g_strdup ("/");
  return g_strndup (path, (gsize) (slash - path));
}

const char *
xs_path_basename (const char *path)
{
  return strrchr (path, '/') + 1;
}

char *
xs_path_child (const char *path, const char *name)
{
  if (strcmp (path, "/") == 0)
    return g_strconcat ("/", name, NULL);
  return g_strconcat (path, "/", name, NULL);
}
