/* test-json-reader.c: the reader builds json-glib's tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * qmp_json_read() runs after the strict scan, on RFC 8259 text: what it
 * reads must be exactly json-glib's tree (integers beyond int64 aside,
 * see test-json-parse), and what json-glib refuses it must give up on.
 * Here on inputs written to probe each rule; tests/fuzz does the same on
 * whatever the fuzzer makes.
 */
#include "config.h"

#include <string.h>

#include "qmp-json-reader.h"
#include "test-json-tree.h"

/* What the reader does with TEXT. */
typedef enum {
  READS,      /* reads it, as json-glib does */
  GIVES_UP,   /* leaves it to json-glib */
} Outcome;

static void
check (const char *text, Outcome expected)
{
  gsize len = strlen (text);
  g_autoptr(JsonNode) mine = qmp_json_read (text, len);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gboolean glib_ok = json_parser_load_from_data (parser, text, (gssize) len, &error);

  if (mine != NULL)
    {
      if (!glib_ok)
        g_error ("read '%s', which json-glib refuses (%s)", text, error->message);
      if (!json_node_equal (mine, json_parser_get_root (parser)))
        g_error ("read '%s' differently from json-glib", text);
      /* json_node_equal() does not look at parents. */
      if (!test_json_parents_ok (json_parser_get_root (parser), NULL)
          || !test_json_parents_ok (mine, NULL))
        g_error ("'%s': a node's parent is not its container", text);
    }
  if ((mine != NULL) != (expected == READS))
    g_error ("'%s': %s, expected %s", text, mine != NULL ? "read" : "gave up",
             expected == READS ? "read" : "gave up");
}

static void
test_plain_json_is_read (void)
{
  const char *texts[] = {
    "{}", "[]", "{\"return\": {}, \"id\": 1}", "  {\"a\":1}  \r",
    "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 42}",
    "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5}}",
    "[1, -2, 0, -0, 9223372036854775807, -9223372036854775808]",
    "[true, false, null, \"\", \"caf\xc3\xa9\", \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"]",
    "{\"a\": {\"b\": {\"c\": [[], {}, [{}]]}}}", "\"just a string\"", "7", "null",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    check (texts[i], READS);
}

/* Since the strict scan decides first, json-glib's parser reads nothing
 * from outside: the reader takes all of RFC 8259 (integers beyond int64:
 * see test-json-parse). */
static void
test_all_json_is_read (void)
{
  const char *texts[] = {
    "[1.5]", "[1e3]", "[-1E-2]", "[0.1, 2.5e-3, -0.0]", "[9223372036854775808]",
    "[18446744073709551615]", "[\"\\u00e9\"]", "[\"\\ud83d\\ude00\"]",
    "{\"\\u0041\\u00e9\\u20ac\": \"x\\u0001\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    check (texts[i], READS);
}

static void
test_the_rest_is_refused (void)
{
  const char *texts[] = {
    /* valid JSON the scan refuses first */
    "{\"a\": 1, \"a\": 2}", "[\"\\u0000\"]", "[\"\\ud800\"]",
    "{\"a\\/b\": 1, \"a/b\": 2}", "{\"x\": {\"k\": [], \"k\": {}}}",
    /* not JSON */
    "", "   ", "{", "}", "[1,]", "[,1]", "{\"a\" 1}", "{\"a\": 1,}", "{a: 1}",
    "[01]", "[-]", "[+1]", "[tru]", "[truex]", "[nul]", "\"open", "[\"a\\x\"]",
    "[\"tab\there\"]", "{\"a\": 1} {\"b\": 2}", "[1] x", "[\f1]", "'single'",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    check (texts[i], GIVES_UP);
}

/* The reader unescapes into a small buffer of its own and moves to the
 * heap when strings outgrow it: names held while deep values are read,
 * and long strings with and without escapes, on both sides of its size. */
static void
test_long_strings_and_names (void)
{
  static const gsize lengths[] = { 1, 2, 100, 254, 255, 256, 510, 511, 512, 513, 4096 };

  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char *plain = g_strnfill (lengths[i], 'p');
      g_autofree char *escaped = g_strnfill (lengths[i], 'e');
      g_autoptr(GString) nested = g_string_new (NULL);
      g_autofree char *flat = NULL;

      if (lengths[i] >= 2)
        escaped[lengths[i] / 2 - 1] = '\\', escaped[lengths[i] / 2] = 'n';
      flat = g_strdup_printf ("{\"%s\": \"%s\", \"%s\": [\"%s\", \"%s\"]}",
                              plain, escaped, escaped, plain, escaped);
      check (flat, READS);

      /* Twenty levels, each holding its name while the next is read. */
      for (guint level = 0; level < 20; level++)
        g_string_append_printf (nested, "{\"%u%s\": \"%s\", \"n%u%s\": ",
                                level, plain, escaped, level, escaped);
      g_string_append (nested, "[]");
      for (guint level = 0; level < 20; level++)
        g_string_append_c (nested, '}');
      check (nested->str, READS);
    }
}

static void
test_reply_without_envelope (void)
{
  const struct {
    const char *text;
    gboolean    read;
    gint64      id;
  } cases[] = {
    { "{\"return\": {\"a\": [1]}, \"id\": 7}", TRUE, 7 },
    { "{\"id\": -3, \"return\": \"x\"}", TRUE, -3 },
    { " { \"return\" : [] , \"id\" : 0 } ", TRUE, 0 },
    /* anything else is read whole */
    { "{\"return\": {}}", FALSE, 0 },
    { "{\"id\": 1}", FALSE, 0 },
    { "{\"return\": {}, \"id\": \"7\"}", FALSE, 0 },
    { "{\"return\": {}, \"id\": 1.0}", FALSE, 0 },
    { "{\"return\": {}, \"id\": 1, \"error\": {}}", FALSE, 0 },
    { "{\"return\": 1, \"return\": 2, \"id\": 1}", FALSE, 0 },
    { "{\"id\": 1, \"id\": 2}", FALSE, 0 },
    { "{\"return\": {}, \"id\": 1} x", FALSE, 0 },
    { "{\"return\": {\"x\": 1.5}, \"id\": 1}", TRUE, 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) ret = NULL;
      gint64 id = -100;
      gboolean read = qmp_json_read_reply (cases[i].text, strlen (cases[i].text), &ret, &id);

      if (read != cases[i].read)
        g_error ("'%s': %s", cases[i].text, read ? "read as a reply" : "not read as a reply");
      if (!read)
        continue;
      g_assert_cmpint (id, ==, cases[i].id);
      {
        g_autoptr(JsonNode) whole = json_from_string (cases[i].text, NULL);

        g_assert_true (json_node_equal (ret, json_object_get_member (json_node_get_object (whole),
                                                                      "return")));
        /* A root of its own: there is no envelope to point at. */
        g_assert_true (test_json_parents_ok (ret, NULL));
      }
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-reader/plain-json-is-read", test_plain_json_is_read);
  g_test_add_func ("/json-reader/all-json-is-read", test_all_json_is_read);
  g_test_add_func ("/json-reader/the-rest-is-refused", test_the_rest_is_refused);
  g_test_add_func ("/json-reader/long-strings-and-names", test_long_strings_and_names);
  g_test_add_func ("/json-reader/reply-without-envelope", test_reply_without_envelope);
  return g_test_run ();
}
