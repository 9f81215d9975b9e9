/* test-json-parse.c: json-glib is given one JSON value per text, or nothing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib 1.6 reads '{"a": 1} {"b": 2}' without an error and leaks the
 * first value; it leaks it too when it refuses '1 2'. qmp_json_parse()
 * refuses any text that goes on after its first value before json-glib
 * sees it (make check-valgrind and the sanitizer build catch a leak), and
 * leaves every other text to json-glib, errors and all.
 */
#include "config.h"

#include <string.h>

#include "qmp-json-parse.h"

static void
test_value_end (void)
{
  const struct {
    const char *text;
    gsize       end;   /* 0: no whole value */
  } cases[] = {
    { "{}", 2 }, { "  []  ", 4 }, { "{\"a\": [1, {\"b\": null}]} x", 23 },
    { "\"a\\\"}]\" 1", 7 }, { "\"\\\\\" 1", 4 }, { "12 3", 2 }, { "-1.5e3,", 6 },
    { "true false", 4 }, { "null", 4 }, { "{\"}\": \"]\"} {}", 10 },
    { "[{\"s\": \"[[[\"}] ]", 14 },
    /* not whole, or not matched: json-glib says what is wrong */
    { "", 0 }, { "   ", 0 }, { "{", 0 }, { "[[]", 0 }, { "{]", 0 }, { "[}", 0 },
    { "]", 0 }, { "\"open", 0 }, { "\"ends in \\", 0 }, { "{\"a\": \"}", 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize end = qmp_json_value_end (cases[i].text, strlen (cases[i].text));

      if (end != cases[i].end)
        g_error ("'%s': value ends at %" G_GSIZE_FORMAT ", expected %" G_GSIZE_FORMAT,
                 cases[i].text, end, cases[i].end);
    }

  /* Deeper than the scanner's first stack, with a mismatch at the bottom
   * or not. */
  for (gsize depth = 1023; depth <= 5000; depth += 1977)
    {
      g_autofree char *opens = g_strnfill (depth, '[');
      g_autofree char *closes = g_strnfill (depth, ']');
      g_autofree char *deep = g_strconcat ("{\"a\": ", opens, closes, "} x", NULL);
      g_autofree char *wrong = g_strconcat ("{\"a\": ", opens, closes, "] x", NULL);

      g_assert_cmpuint (qmp_json_value_end (deep, strlen (deep)), ==, 2 * depth + 7);
      g_assert_cmpuint (qmp_json_value_end (wrong, strlen (wrong)), ==, 0);
    }
}

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
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("text after the end of the JSON value, "
                                                   "at byte %" G_GSIZE_FORMAT, cases[i].at);

      g_assert_false (qmp_json_parse (parser, cases[i].text, strlen (cases[i].text), &error));
      g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, expected);
      g_assert_null (json_parser_get_root (parser));
    }
}

/* One value, with blanks around it or not: json-glib's result, whether it
 * reads it or refuses it. */
static void
test_one_value_is_json_glibs (void)
{
  const char *texts[] = {
    "{\"a\": [1.5, \"\\u00e9\"]}", "  [true]\r\n", "7", "\"s\"",
    "{\"a\": 1,}", "[1,]", "{a: 1}", "[01]", "{", "", "{]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonParser) ours = json_parser_new ();
      g_autoptr(JsonParser) theirs = json_parser_new ();
      g_autoptr(GError) our_error = NULL;
      g_autoptr(GError) their_error = NULL;
      gsize len = strlen (texts[i]);
      gboolean ok = qmp_json_parse (ours, texts[i], len, &our_error);

      g_assert_cmpint (ok, ==, json_parser_load_from_data (theirs, texts[i], (gssize) len,
                                                           &their_error));
      if (ok)
        g_assert_true (json_node_equal (json_parser_get_root (ours),
                                        json_parser_get_root (theirs)));
      else
        g_assert_cmpstr (our_error->message, ==, their_error->message);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-parse/value-end", test_value_end);
  g_test_add_func ("/json-parse/more-than-one-value", test_more_than_one_value);
  g_test_add_func ("/json-parse/one-value-is-json-glibs", test_one_value_is_json_glibs);
  return g_test_run ();
}
