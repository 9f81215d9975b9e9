/* test-json-parse.c: a text from outside is one RFC 8259 value, or nothing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib 1.6 reads '{"a": 1} {"b": 2}' without an error and leaks the
 * first value, reads comments and single quotes, and wraps or saturates
 * integers beyond int64. qmp_json_parse() scans first and reads with the
 * library's own reader: one value, RFC 8259 only, integers as QEMU keeps
 * them (make check-valgrind and the sanitizer build catch a leak).
 */
#include "config.h"

#include <string.h>

#include "qmp-json-parse.h"

static void
test_more_than_one_value (void)
{
  const struct {
    const char *text;
    gsize       at;
  } cases[] = {
    { "{\"a\": 1} {\"b\": 2}", 9 }, { "[1] [2]", 4 }, { "1 2", 2 },
    { "\"a\" \"b\"", 4 }, { "{\"a\": 1}x", 8 }, { "true false", 5 },
    { "{\"return\": {\"x\": 1.5}, \"id\": 1} {\"return\": {}, \"id\": 1}", 32 },
    { "{\"a\": \"\\u00e9\"}\t,", 16 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("text after the end of the JSON value, "
                                                   "at byte %" G_GSIZE_FORMAT, cases[i].at);
      g_autoptr(JsonNode) node = qmp_json_parse (cases[i].text, strlen (cases[i].text),
                                                 NULL, &error);

      g_assert_null (node);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

/* What json-glib reads the same way is read to an equal tree. */
static void
test_same_tree_as_json_glib (void)
{
  const char *texts[] = {
    "{\"a\": [1.5, \"\\u00e9\", -0, 1e2, \"\\ud83d\\ude00\\n\\/\"]}", "  [true]\r\n",
    "7", "\"s\"", "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22}}, \"capabilities\": [\"oob\"]}}",
    "[-9223372036854775808, 9223372036854775807, 0.1, 2.5e-3]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonParser) theirs = json_parser_new ();
      g_autoptr(GError) error = NULL;
      gsize len = strlen (texts[i]);
      g_autoptr(JsonNode) ours = qmp_json_parse (texts[i], len, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (theirs, texts[i], (gssize) len, NULL));
      g_assert_true (json_node_equal (ours, json_parser_get_root (theirs)));
    }
}

/* json-glib reads these; nothing from outside may use them. */
static void
test_json_glib_extensions_refused (void)
{
  const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "{\"a\": /* x */ 1}", "a comment (not RFC 8259 JSON), at byte 6" },
    { "// x\n{}", "a comment (not RFC 8259 JSON), at byte 0" },
    { "{'a': 1}", "a single-quoted string (not RFC 8259 JSON), at byte 1" },
    { "{\"a\": 1,}", "a trailing comma (not RFC 8259 JSON), at byte 8" },
    { "[1,]", "a trailing comma (not RFC 8259 JSON), at byte 3" },
    { "{a: 1}", "a bare word where a member name should be (not RFC 8259 JSON), at byte 1" },
    { "[01]", "a number with a leading zero (not RFC 8259 JSON), at byte 1" },
    { "[0x10]", "a hexadecimal number (not RFC 8259 JSON), at byte 1" },
    { "[NaN]", "a bare word where a value should be (not RFC 8259 JSON), at byte 1" },
    { "[+1]", "a malformed number (not RFC 8259 JSON), at byte 1" },
    { "[.5]", "a malformed number (not RFC 8259 JSON), at byte 1" },
    { "[1.]", "a malformed number, at byte 2" },
    { "\xef\xbb\xbf{}", "a byte order mark (not RFC 8259 JSON), at byte 0" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = qmp_json_parse (cases[i].text, strlen (cases[i].text),
                                                 NULL, &error);

      g_assert_null (node);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* QEMU keeps integers as int64, then uint64, then double: so does the
 * reader. json-glib wraps 2^64-1 to -1 (the same bits: kept), but turns
 * -2^63-1 into INT64_MAX and 10^23 into -1. */
static void
test_integers_beyond_int64 (void)
{
  g_autoptr(GError) error = NULL;
  const char *text = "[18446744073709551615, 9223372036854775808, -9223372036854775809, "
                     "100000000000000000000000, 1e308]";
  g_autoptr(JsonNode) node = qmp_json_parse (text, strlen (text), NULL, &error);
  JsonArray *array;

  g_assert_no_error (error);
  array = json_node_get_array (node);
  g_assert_true (json_node_get_value_type (json_array_get_element (array, 0)) == G_TYPE_INT64);
  g_assert_cmpuint ((guint64) json_array_get_int_element (array, 0), ==, G_MAXUINT64);
  g_assert_cmpuint ((guint64) json_array_get_int_element (array, 1), ==, (guint64) G_MAXINT64 + 1);
  g_assert_true (json_node_get_value_type (json_array_get_element (array, 2)) == G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_array_get_double_element (array, 2), ==, -9223372036854775809.0);
  g_assert_true (json_node_get_value_type (json_array_get_element (array, 3)) == G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_array_get_double_element (array, 3), ==, 1e23);
  g_assert_cmpfloat (json_array_get_double_element (array, 4), ==, 1e308);

  g_clear_error (&error);
  g_assert_null (qmp_json_parse ("[1e309]", 7, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "a number beyond a double's range, at byte 1");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-parse/more-than-one-value", test_more_than_one_value);
  g_test_add_func ("/json-parse/same-tree-as-json-glib", test_same_tree_as_json_glib);
  g_test_add_func ("/json-parse/json-glib-extensions-refused", test_json_glib_extensions_refused);
  g_test_add_func ("/json-parse/integers-beyond-int64", test_integers_beyond_int64);
  return g_test_run ();
}
