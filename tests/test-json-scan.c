/* test-json-scan.c: the strict scan every text from outside goes through
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What it refuses and why, what it measures (depth, values), and the
 * classes of hostile input it exists for: nesting hidden behind syntax
 * json-glib takes, repeated member names (json-glib's objects take
 * quadratic time on them), names chosen to collide in g_str_hash(), text
 * that is not UTF-8. Timing is make bench's business; these check the
 * verdicts that keep the costs linear.
 */
#include "config.h"

#include <string.h>

#include "qmp-hash.h"
#include "qmp-json-scan.h"

static const QmpJsonScanLimits limits = { .max_depth = 64, .max_elements = 100000 };

static void
assert_refused (const char *text, gsize len, const char *message)
{
  g_autoptr(GError) error = NULL;
  QmpJsonShape shape;

  if (qmp_json_scan (text, len, &limits, &shape, &error))
    g_error ("accepted: %.*s", (int) MIN (len, 80), text);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (!g_pattern_match_simple (message, error->message))
    g_error ("refused %.*s with \"%s\", expected \"%s\"", (int) MIN (len, 80), text,
             error->message, message);
}

static void
assert_accepted (const char *text, gsize len)
{
  g_autoptr(GError) error = NULL;
  QmpJsonShape shape;

  if (!qmp_json_scan (text, len, &limits, &shape, &error))
    g_error ("refused %.*s: %s", (int) MIN (len, 80), text, error->message);
}

#define REFUSED(text, message) assert_refused ((text), sizeof (text) - 1, (message))
#define ACCEPTED(text) assert_accepted ((text), sizeof (text) - 1)

static void
test_strings (void)
{
  ACCEPTED ("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\"");
  ACCEPTED ("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"");
  REFUSED ("\"a\nb\"", "an unescaped control character (0x0a) in a string, at byte 2");
  REFUSED ("\"a\x1b[2Jb\"", "an unescaped control character (0x1b) in a string, at byte 2");
  assert_refused ("\"a\0b\"", 5, "a NUL byte, at byte 2");
  REFUSED ("\"\\x41\"", "an invalid escape in a string, at byte 2");
  REFUSED ("\"\\u12\"", "an invalid \\u escape in a string, at byte 2");
  REFUSED ("\"a\\u0000b\"", "\\u0000 in a string (the string would end there), at byte 3");
  REFUSED ("\"\\ud800\"", "an unpaired surrogate escape in a string, at byte 2");
  REFUSED ("\"\\ud800\\u0041\"", "an unpaired surrogate escape in a string, at byte 2");
  REFUSED ("\"\\udc00\"", "an unpaired surrogate escape in a string, at byte 2");
  REFUSED ("\"open", "the text ends inside a JSON value, at byte 5");
  /* Not UTF-8: a stray continuation byte, a cut sequence, overlong forms,
   * UTF-8 surrogates, beyond U+10FFFF, bytes that never occur. */
  REFUSED ("\"\x80\"", "invalid UTF-8, at byte 1");
  REFUSED ("\"\xc3\"", "invalid UTF-8, at byte 1");
  REFUSED ("\"\xc0\xaf\"", "invalid UTF-8, at byte 1");
  REFUSED ("\"\xe0\x80\xaf\"", "invalid UTF-8, at byte 1");
  REFUSED ("\"\xed\xa0\x80\"", "invalid UTF-8, at byte 1");
  REFUSED ("\"\xf4\x90\x80\x80\"", "invalid UTF-8, at byte 1");
  REFUSED ("\"\xff\xfe\"", "invalid UTF-8, at byte 1");
  REFUSED ("[\xc3\xa9]", "byte 0xc3 where a value should be, at byte 1");
}

/* Depth measured through syntax json-glib reads and RFC 8259 does not:
 * each hides brackets from a scan that only knows RFC 8259 strings. */
static void
test_nesting_cannot_hide (void)
{
  const char *wrappers[] = { "/*\"*/", "'\"'", "// \"\n" };

  for (gsize w = 0; w < G_N_ELEMENTS (wrappers); w++)
    {
      g_autoptr(GString) text = g_string_new ("{\"a\": ");

      for (guint i = 0; i < 200; i++)
        g_string_append_printf (text, "[%s", wrappers[w]);
      g_string_append (text, "1");
      for (guint i = 0; i < 200; i++)
        g_string_append_c (text, ']');
      g_string_append_c (text, '}');
      assert_refused (text->str, text->len, "*not RFC 8259 JSON*");
    }
  {
    g_autofree char *deep = g_strnfill (100000, '[');

    assert_refused (deep, 100000, "JSON nested more than 64 levels deep (limit max-depth), at byte 64");
  }
}

static void
test_shape (void)
{
  const struct { const char *text; guint depth; gsize elements; gboolean plain; } cases[] = {
    { "1", 0, 1, TRUE }, { "[]", 1, 1, TRUE }, { "[1, {\"a\": 2}]", 2, 4, TRUE },
    { "{\"a\": {\"b\": [[], {}]}}", 4, 5, TRUE }, { "[\"\\n\"]", 1, 2, FALSE },
    { "[1.5]", 1, 2, FALSE }, { "[9223372036854775807]", 1, 2, TRUE },
    { "[-9223372036854775808]", 1, 2, TRUE }, { "[9223372036854775808]", 1, 2, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      QmpJsonShape shape;

      g_assert_true (qmp_json_scan (cases[i].text, strlen (cases[i].text), &limits, &shape, NULL));
      g_assert_cmpuint (shape.depth, ==, cases[i].depth);
      g_assert_cmpuint (shape.elements, ==, cases[i].elements);
      g_assert_cmpint (shape.plain, ==, cases[i].plain);
    }
}

/* Exactly at a limit passes; one beyond fails, naming the limit. */
static void
test_limits_exact (void)
{
  QmpJsonScanLimits tight = { .max_depth = 3, .max_elements = 5 };
  g_autoptr(GError) error = NULL;
  QmpJsonShape shape;

  g_assert_true (qmp_json_scan ("[[[1]]]", 7, &tight, &shape, NULL));
  g_assert_false (qmp_json_scan ("[[[[]]]]", 8, &tight, &shape, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_true (qmp_json_scan ("[1,2,3,4]", 9, &tight, &shape, NULL));
  g_assert_false (qmp_json_scan ("[{},{},{},{},{}]", 16, &tight, &shape, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "more than 5 JSON values (limit max-elements), at byte 13");
}

static GString *
object_of (guint n, const char *(*name) (guint i, char *buf))
{
  GString *text = g_string_new ("{");
  char buf[64];

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s\"%s\": %u", i > 0 ? ", " : "", name (i, buf), i);
  g_string_append_c (text, '}');
  return text;
}

static const char *
distinct_name (guint i, char *buf)
{
  g_snprintf (buf, 64, "member-%u", i);
  return buf;
}

static const char *
last_repeats_first (guint i, char *buf)
{
  return distinct_name (i == 999 ? 0 : i, buf);
}

/* Names built from blocks that g_str_hash() cannot tell apart: "Ab" and
 * "BA" hash alike (65 * 33 + 98 = 66 * 33 + 65), so any string of such
 * blocks hashes like any other of the same length. */
static const char *
colliding_name (guint i, char *buf)
{
  for (guint b = 0; b < 12; b++)
    memcpy (buf + 2 * b, (i >> b) & 1 ? "Ab" : "BA", 2);
  buf[24] = '\0';
  return buf;
}

static void
test_repeated_names (void)
{
  g_autoptr(GString) big = object_of (1000, distinct_name);
  g_autoptr(GString) big_repeat = object_of (1000, last_repeats_first);

  REFUSED ("{\"a\": 1, \"a\": 2}", "a member name given twice in one object, at byte 9");
  REFUSED ("{\"a\": 1, \"\\u0061\": 2}", "a member name given twice in one object, at byte 9");
  REFUSED ("{\"\\u00e9\": 1, \"\xc3\xa9\": 2}", "a member name given twice in one object, at byte 14");
  REFUSED ("{\"x\": {\"a\": 1}, \"y\": {\"a\": 1, \"b\": {\"a\": [{\"a\": 0, \"a\": 0}]}}}",
           "a member name given twice in one object, at byte 51");
  /* The same name in different objects is fine. */
  ACCEPTED ("{\"a\": {\"a\": {\"a\": 1}}, \"b\": {\"a\": 2}}");
  assert_accepted (big->str, big->len);
  assert_refused (big_repeat->str, big_repeat->len, "a member name given twice in one object, at byte *");
  g_assert_cmpuint (qmp_g_str_hash_len ("AbBA", 4), ==, g_str_hash ("BAAb"));
  g_assert_cmpuint (qmp_g_str_hash_len ("\xc3\xa9x", 3), ==, g_str_hash ("\xc3\xa9x"));
}

static void
test_colliding_names (void)
{
  g_autoptr(GString) two = object_of (2, colliding_name);
  g_autoptr(GString) many = object_of (1000, colliding_name);
  g_autoptr(GString) too_many = object_of (QMP_JSON_MAX_MEMBERS + 1, distinct_name);
  QmpJsonScanLimits roomy = { .max_depth = 8, .max_elements = 1 << 20 };
  g_autoptr(GError) error = NULL;
  QmpJsonShape shape;

  /* Two may collide by chance. */
  assert_accepted (two->str, two->len);
  assert_refused (many->str, many->len, "more than 2 member names of one object with one "
                                        "hash (names chosen to collide), at byte *");
  g_assert_false (qmp_json_scan (too_many->str, too_many->len, &roomy, &shape, &error));
  g_assert_true (g_str_has_prefix (error->message, "more than 1024 members in one object"));
}

static void
test_numbers (void)
{
  ACCEPTED ("[0, -0, 1, -1, 0.5, -0.5, 1e5, 1E+5, 1e-5, 12.5e10, 18446744073709551615]");
  REFUSED ("[-]", "a malformed number, at byte 2");
  REFUSED ("[1e]", "a malformed number, at byte 2");
  REFUSED ("[-01]", "a number with a leading zero (not RFC 8259 JSON), at byte 2");
  REFUSED ("[1e400]", "a number beyond a double's range, at byte 1");
  REFUSED ("[-Infinity]", "a malformed number, at byte 2");
  {
    g_autofree char *long_number = g_strnfill (600, '1');
    g_autofree char *text = g_strdup_printf ("[%s]", long_number);

    assert_refused (text, strlen (text), "a number longer than 512 bytes, at byte 1");
  }
}

static void
test_structure (void)
{
  REFUSED ("", "no JSON value, at byte 0");
  REFUSED ("   ", "no JSON value, at byte 3");
  REFUSED ("{", "the text ends inside a JSON value, at byte 1");
  REFUSED ("{\"a\" 1}", "'1' where ':' should be, at byte 5");
  REFUSED ("{]", "']' where a member name should be, at byte 1");
  REFUSED ("[}", "'}' where a value should be, at byte 1");
  REFUSED ("[1 2]", "'2' where ',' or ']' should be, at byte 3");
  REFUSED ("truex", "a bare word where a value should be (not RFC 8259 JSON), at byte 0");
  REFUSED ("[tru]", "a bare word where a value should be (not RFC 8259 JSON), at byte 1");
  ACCEPTED (" \t\r\n[true, false, null] \n");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-scan/strings", test_strings);
  g_test_add_func ("/json-scan/nesting-cannot-hide", test_nesting_cannot_hide);
  g_test_add_func ("/json-scan/shape", test_shape);
  g_test_add_func ("/json-scan/limits-exact", test_limits_exact);
  g_test_add_func ("/json-scan/repeated-names", test_repeated_names);
  g_test_add_func ("/json-scan/colliding-names", test_colliding_names);
  g_test_add_func ("/json-scan/numbers", test_numbers);
  g_test_add_func ("/json-scan/structure", test_structure);
  return g_test_run ();
}
