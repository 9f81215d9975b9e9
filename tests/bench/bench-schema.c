/* bench-schema.c: the QAPI schema's costs (issue 9)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A client with validate set parses the schema once per QEMU build and
 * then validates every command: the first must cost little more than
 * json-glib's parse of the 186 KB (the floor, a few ms), the second
 * microseconds (it is next to a round trip of 40 us or more).
 */
#include "config.h"

#include <stdio.h>

#include <xenqmp/xenqmp.h>

#include "bench-schema.h"
#include "bench-table.h"

#define PARSE_RUNS     15
#define VALIDATE_LOOPS 20000

static double
ms_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / 1000.0;
}

static double
validate_us (XenQmpSchema *schema, const char *command, const char *args_json)
{
  g_autoptr(JsonNode) node = json_from_string (args_json, NULL);
  JsonObject *args = json_node_get_object (node);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < VALIDATE_LOOPS; i++)
    if (!xen_qmp_schema_validate_command (schema, command, args, NULL))
      g_error ("bench: %s %s does not validate", command, args_json);
  return (double) (g_get_monotonic_time () - start) / VALIDATE_LOOPS;
}

void
bench_schema_measure (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpSchema) schema = NULL;
  double index_ms[PARSE_RUNS], json_ms[PARSE_RUNS], index_med, json_med, q;
  double simple, nested;
  gsize len;

  if (path == NULL || !g_file_get_contents (path, &text, &len, &error))
    {
      bench_table_row ("schema", "the recorded schema was not found: skipped", NULL, FALSE);
      return;
    }
  for (guint i = 0; i < PARSE_RUNS; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      gint64 start = g_get_monotonic_time ();

      if (!json_parser_load_from_data (parser, text, (gssize) len, NULL))
        g_error ("bench: %s is not JSON", path);
      json_ms[i] = ms_since (start);

      /* The previous schema's tree is freed outside the timed part, as
       * json-glib's parser's is above. */
      g_clear_object (&schema);
      start = g_get_monotonic_time ();
      schema = xen_qmp_schema_new_from_data (text, (gssize) len, &error);
      if (schema == NULL)
        g_error ("bench: %s: %s", path, error->message);
      index_ms[i] = ms_since (start);
    }
  /* Each run's ratio, as the two sides ran back to back. */
  q = bench_median_ratio (index_ms, json_ms, PARSE_RUNS);
  index_med = bench_median (index_ms, PARSE_RUNS);
  json_med = bench_median (json_ms, PARSE_RUNS);
  {
    g_autofree char *figure = g_strdup_printf ("%.2f ms for %zu KB (json-glib alone %.2f ms, %.2fx)",
                                               index_med, len / 1000, json_med, q);

    /* json-glib's parse of the same bytes is the floor (~5 ms here
     * unloaded): the index must add little to it. */
    bench_table_row ("schema: QEMU 7.2's parsed and indexed", figure,
                     "<= 1.2x json-glib", q <= 1.2);
  }

  simple = validate_us (schema, "device_del", "{\"id\": \"nic0\"}");
  nested = validate_us (schema, "blockdev-add",
                        "{\"driver\": \"qcow2\", \"node-name\": \"disk0\", \"discard\": \"unmap\", "
                        "\"file\": {\"driver\": \"file\", \"filename\": \"/var/lib/xen/images/d.qcow2\", "
                        "\"aio\": \"native\"}}");
  {
    g_autofree char *figure = g_strdup_printf ("%.2f us device_del, %.2f us blockdev-add (nested union)",
                                               simple, nested);

    bench_table_row ("schema: validating a command", figure, "<= 20 us",
                     simple <= 20.0 && nested <= 20.0);
  }
}
