/* state.c: the domains the stand-in's "hypervisor" has, read from files
 *
 * Every call reads the folder afresh: the test changes it between calls
 * (a domain dies, another appears) and the daemons ask again when
 * VIRQ_DOM_EXC fires, exactly as they ask the real hypervisor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include "standin.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
standin_warn (const char *fmt, ...)
{
  va_list ap;

  fputs ("xen-standin: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

const char *
standin_dir (void)
{
  static bool warned;
  const char *dir = getenv ("XEN_STANDIN_DIR");

  if (dir != NULL && dir[0] != '\0')
    return dir;
  if (!warned)
    standin_warn ("XEN_STANDIN_DIR is not set: no hypervisor state");
  warned = true;
  return NULL;
}

static bool
parse_uuid (const char *text, uint8_t uuid[16])
{
  static const int dashes[] = { 8, 13, 18, 23 };
  unsigned n = 0;

  if (strlen (text) != 36)
    return false;
  for (int i = 0; i < 36; i++)
    {
      bool dash = i == dashes[0] || i == dashes[1] || i == dashes[2] || i == dashes[3];
      char c = text[i];
      int v;

      if (dash)
        {
          if (c != '-')
            return false;
          continue;
        }
      if (c >= '0' && c <= '9')
        v = c - '0';
      else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
      else
        return false;
      if (n % 2 == 0)
        uuid[n / 2] = (uint8_t) (v << 4);
      else
        uuid[n / 2] |= (uint8_t) v;
      n++;
    }
  return true;
}

/* Reads domains/<domid>; false when there is no such file. */
static bool
read_domain (const char *dir, uint32_t domid, StandinDomain *dom)
{
  char path[4096], line[256];
  FILE *f;

  memset (dom, 0, sizeof *dom);
  dom->domid = domid;
  dom->hvm = true;
  snprintf (path, sizeof path, "%s/domains/%u", dir, domid);
  f = fopen (path, "re");
  if (f == NULL)
    {
      if (errno != ENOENT)
        standin_warn ("%s: %s", path, strerror (errno));
      return false;
    }
  while (fgets (line, sizeof line, f) != NULL)
    {
      char *eq = strchr (line, '=');
      char *value;

      line[strcspn (line, "\r\n")] = '\0';
      if (eq == NULL)
        continue;
      *eq = '\0';
      value = eq + 1;
      if (strcmp (line, "uuid") == 0)
        {
          if (!parse_uuid (value, dom->uuid))
            standin_warn ("%s: not a uuid: %s", path, value);
        }
      else if (strcmp (line, "hvm") == 0)
        dom->hvm = strcmp (value, "0") != 0;
      else if (strcmp (line, "dying") == 0)
        dom->dying = strcmp (value, "1") == 0;
      else if (strcmp (line, "shutdown") == 0)
        dom->shutdown = strcmp (value, "1") == 0;
    }
  fclose (f);
  return true;
}

bool
standin_next_domain (uint32_t first, StandinDomain *dom)
{
  const char *dir = standin_dir ();
  char path[4096];
  DIR *d;
  struct dirent *e;
  long best = -1;

  if (dir == NULL)
    {
      /* Without a state folder there is domain 0 only. */
      memset (dom, 0, sizeof *dom);
      return first == 0;
    }
  snprintf (path, sizeof path, "%s/domains", dir);
  d = opendir (path);
  if (d != NULL)
    {
      while ((e = readdir (d)) != NULL)
        {
          char *end;
          unsigned long id;

          if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
          id = strtoul (e->d_name, &end, 10);
          if (*end != '\0' || id > STANDIN_MAX_DOMID || id < first)
            continue;
          if (best < 0 || (long) id < best)
            best = (long) id;
        }
      closedir (d);
    }
  if (first == 0 && best != 0)
    {
      /* Domain 0 is always there, file or not (a PV domain: no device
       * model). */
      memset (dom, 0, sizeof *dom);
      return true;
    }
  if (best < 0)
    return false;
  if (!read_domain (dir, (uint32_t) best, dom))
    return standin_next_domain ((uint32_t) best + 1, dom);  /* removed meanwhile */
  return true;
}
