/* bench-blob.c: the large reply of the bench, shared by both ends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-blob.h"

char *
bench_blob_new (size_t size, size_t *len)
{
  /* Entries like query-qmp-schema's, so that json-glib does the same kind
   * of work (objects, short strings, a nested array) as on the real one. */
  static const char entry[] =
    "{\"name\": \"%u\", \"meta-type\": \"object\", \"members\": "
    "[{\"name\": \"node-name\", \"type\": \"str\"}, "
    "{\"name\": \"size\", \"default\": null, \"type\": \"int\"}]}";
  size_t cap = size + 256, used = 0;
  char *buf = malloc (cap);
  unsigned int i = 0;

  if (buf == NULL)
    abort ();
  buf[used++] = '[';
  do
    {
      if (i > 0)
        buf[used++] = ',';
      used += (size_t) snprintf (buf + used, cap - used, entry, i++);
    }
  while (used + sizeof entry + 16 < size);
  buf[used++] = ']';
  buf[used] = '\0';
  *len = used;
  return buf;
}
