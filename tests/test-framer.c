/* test-framer.c: QMP message framing, byte by byte
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "qmp-framer.h"

static void
feed (QmpFramer *framer, const char *data, gsize len)
{
  gsize avail;
  guint8 *buf = qmp_framer_reserve (framer, len, &avail);

  g_assert_cmpuint (avail, >=, len);
  /* An empty piece may get no buffer at all: memcpy must not see NULL. */
  if (len > 0)
    memcpy (buf, data, len);
  qmp_framer_commit (framer, len);
}

/* Collects every message the framer hands out, joined with '|'. */
static char *
drain (QmpFramer *framer, GString *out)
{
  const char *data;
  gsize len;
  QmpFramerResult r;
  g_autoptr(GError) error = NULL;

  while ((r = qmp_framer_next (framer, &data, &len, &error)) == QMP_FRAMER_MESSAGE)
    {
      g_string_append_len (out, data, (gssize) len);
      g_string_append_c (out, '|');
    }
  g_assert_no_error (error);
  g_assert_cmpint (r, ==, QMP_FRAMER_NEED_MORE);
  return out->str;
}

static const char stream[] =
  "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n"
  "{\"return\": {}, \"id\": 1}\r\n"
  "\r\n"
  "{\"event\": \"STOP\", \"data\": {\"x\": \"a\\\"}\\n[\"}}\n"
  "{\"return\": [1, 2, {\"a\": []}], \"id\": 2}\r\n";

static const char expected[] =
  "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}|"
  "{\"return\": {}, \"id\": 1}|"
  "{\"event\": \"STOP\", \"data\": {\"x\": \"a\\\"}\\n[\"}}|"
  "{\"return\": [1, 2, {\"a\": []}], \"id\": 2}|";

static void
test_framer_several_messages_in_one_read (void)
{
  g_autoptr(QmpFramer) framer = qmp_framer_new (1024, 8);
  g_autoptr(GString) out = g_string_new (NULL);

  feed (framer, stream, strlen (stream));
  g_assert_cmpstr (drain (framer, out), ==, expected);
  g_assert_cmpuint (qmp_framer_pending (framer), ==, 0);
}

static void
test_framer_split_at_every_byte (void)
{
  gsize total = strlen (stream);

  for (gsize cut = 0; cut <= total; cut++)
    {
      g_autoptr(QmpFramer) framer = qmp_framer_new (1024, 8);
      g_autoptr(GString) out = g_string_new (NULL);

      feed (framer, stream, cut);
      drain (framer, out);
      feed (framer, stream + cut, total - cut);
      g_assert_cmpstr (drain (framer, out), ==, expected);
    }
}

static void
test_framer_one_byte_at_a_time (void)
{
  g_autoptr(QmpFramer) framer = qmp_framer_new (1024, 8);
  g_autoptr(GString) out = g_string_new (NULL);

  for (gsize i = 0; stream[i] != '\0'; i++)
    {
      feed (framer, stream + i, 1);
      drain (framer, out);
    }
  g_assert_cmpstr (out->str, ==, expected);
}

static void
test_framer_unfinished_message_is_pending (void)
{
  g_autoptr(QmpFramer) framer = qmp_framer_new (1024, 8);
  g_autoptr(GString) out = g_string_new (NULL);

  feed (framer, "{\"return\": {}}\n{\"ret", 20);
  g_assert_cmpstr (drain (framer, out), ==, "{\"return\": {}}|");
  g_assert_cmpuint (qmp_framer_pending (framer), ==, 5);
}

static QmpFramerResult
feed_and_next (QmpFramer *framer, const char *data, gsize len, GError **error)
{
  const char *msg;
  gsize msg_len;
  QmpFramerResult r;

  feed (framer, data, len);
  while ((r = qmp_framer_next (framer, &msg, &msg_len, error)) == QMP_FRAMER_MESSAGE)
    ;
  return r;
}

static void
test_framer_refuses_deep_nesting_before_newline (void)
{
  g_autoptr(QmpFramer) framer = qmp_framer_new (1 << 20, 64);
  g_autoptr(GError) error = NULL;
  g_autofree char *deep = g_strnfill (100000, '[');

  /* No newline: the limit must trip while the bytes arrive. */
  g_assert_cmpint (feed_and_next (framer, deep, strlen (deep), &error), ==, QMP_FRAMER_ERROR);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "max-depth"));
}

static void
test_framer_nesting_at_limit_is_accepted (void)
{
  g_autoptr(QmpFramer) framer = qmp_framer_new (1 << 20, 4);
  g_autoptr(GString) out = g_string_new (NULL);

  /* Brackets inside strings do not count. */
  const char *msg = "{\"a\": [[{\"b\": \"[[[[[[{{{{\"}]]]}\n";

  feed (framer, msg, strlen (msg));
  g_assert_cmpstr (drain (framer, out), ==, "{\"a\": [[{\"b\": \"[[[[[[{{{{\"}]]]}|");
}

static void
test_framer_refuses_endless_line (void)
{
  g_autoptr(QmpFramer) framer = qmp_framer_new (4096, 64);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strnfill (4000, 'x');
  g_autofree char *tail = g_strnfill (96, 'y');
  QmpFramerResult r = QMP_FRAMER_NEED_MORE;
  const char *msg;
  gsize msg_len;

  /* A message may be exactly at the limit (4,000 + 96 bytes) ... */
  g_autofree char *rest = g_strdup_printf ("%s\n", tail);

  feed (framer, line, 4000);
  feed (framer, rest, strlen (rest));
  g_assert_cmpint (qmp_framer_next (framer, &msg, &msg_len, &error), ==, QMP_FRAMER_MESSAGE);
  g_assert_cmpuint (msg_len, ==, 4096);
  g_assert_no_error (error);

  /* ... but not one byte over, even before its newline arrives. */
  for (int i = 0; i < 5 && r == QMP_FRAMER_NEED_MORE; i++)
    r = feed_and_next (framer, line, 1000, &error);
  g_assert_cmpint (r, ==, QMP_FRAMER_ERROR);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "max-message-size"));
}

/* Brackets in strings are not nesting, however many; real nesting one
 * level over the limit is refused wherever the reads cut the message. */
static void
test_framer_brackets_in_strings (void)
{
  static const struct {
    const char *text;
    gboolean    accepted;
  } cases[] = {
    { "{\"a\": \"[[[[[[[[[[[[{{{{{{{{zZzZ[z{z\", \"b\": [[1]]}\n", TRUE },
    { "{\"a\": \"\\\"[[[[[[[[[[[[[[[[\", \"b\": {\"c\": [{}]}}\n", TRUE },
    { "[[[[[[[[]]]]]]]]\n", TRUE },
    { "[[[[[[[[[]]]]]]]]]\n", FALSE },
    { "{\"s\": \"{{{{{{{{{{\", \"x\": [[[[[[[[[1]]]]]]]]]}\n", FALSE },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gsize len = strlen (cases[c].text);

      for (gsize cut = 0; cut <= len; cut++)
        {
          g_autoptr(QmpFramer) framer = qmp_framer_new (1024, 8);
          g_autoptr(GError) error = NULL;
          const char *data;
          gsize data_len;
          QmpFramerResult r;

          feed (framer, cases[c].text, cut);
          r = qmp_framer_next (framer, &data, &data_len, &error);
          if (r == QMP_FRAMER_NEED_MORE)
            {
              feed (framer, cases[c].text + cut, len - cut);
              r = qmp_framer_next (framer, &data, &data_len, &error);
            }
          if (cases[c].accepted)
            {
              g_assert_no_error (error);
              g_assert_cmpint (r, ==, QMP_FRAMER_MESSAGE);
              g_assert_cmpuint (data_len, ==, len - 1);
            }
          else
            {
              g_assert_cmpint (r, ==, QMP_FRAMER_ERROR);
              g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
            }
        }
    }
}

/* The size limit holds wherever the byte over it falls: after an escape,
 * inside a string, outside one. */
static void
test_framer_limit_anywhere (void)
{
  static const char *const bodies[] = {
    "{\"a\": \"xxxxxxxx\\\"\"}", "[\"xxxxxxxxxxxxxx\"]", "{\"a\": [1, 2, 3, 4]}",
  };

  for (gsize b = 0; b < G_N_ELEMENTS (bodies); b++)
    {
      gsize len = strlen (bodies[b]);

      /* Limits at the message's length and every byte below it. */
      for (gsize limit = 1; limit <= len; limit++)
        {
          g_autoptr(QmpFramer) framer = qmp_framer_new (limit, 8);
          g_autoptr(GError) error = NULL;
          const char *data;
          gsize data_len;
          QmpFramerResult r;

          feed (framer, bodies[b], len);
          feed (framer, "\n", 1);
          r = qmp_framer_next (framer, &data, &data_len, &error);
          if (limit == len)
            {
              g_assert_no_error (error);
              g_assert_cmpint (r, ==, QMP_FRAMER_MESSAGE);
              g_assert_cmpuint (data_len, ==, len);
            }
          else
            {
              g_assert_cmpint (r, ==, QMP_FRAMER_ERROR);
              g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
            }
        }
    }
}

/* The buffer must not grow with the number of messages that passed
 * through it, only with the largest one. */
static void
test_framer_memory_bounded_by_largest_message (void)
{
  g_autoptr(QmpFramer) framer = qmp_framer_new (1 << 20, 64);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *msg = "{\"return\": {}, \"id\": 12345}\n";
  gsize avail = 0;

  for (int i = 0; i < 100000; i++)
    {
      feed (framer, msg, strlen (msg));
      g_string_truncate (out, 0);
      drain (framer, out);
    }
  qmp_framer_reserve (framer, 1, &avail);
  g_assert_cmpuint (avail, <, 4096);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/framer/several-messages-in-one-read", test_framer_several_messages_in_one_read);
  g_test_add_func ("/framer/split-at-every-byte", test_framer_split_at_every_byte);
  g_test_add_func ("/framer/one-byte-at-a-time", test_framer_one_byte_at_a_time);
  g_test_add_func ("/framer/unfinished-message-is-pending", test_framer_unfinished_message_is_pending);
  g_test_add_func ("/framer/refuses-deep-nesting-before-newline", test_framer_refuses_deep_nesting_before_newline);
  g_test_add_func ("/framer/nesting-at-limit-is-accepted", test_framer_nesting_at_limit_is_accepted);
  g_test_add_func ("/framer/refuses-endless-line", test_framer_refuses_endless_line);
  g_test_add_func ("/framer/limit-anywhere", test_framer_limit_anywhere);
  g_test_add_func ("/framer/brackets-in-strings", test_framer_brackets_in_strings);
  g_test_add_func ("/framer/memory-bounded-by-largest-message", test_framer_memory_bounded_by_largest_message);
  return g_test_run ();
}
