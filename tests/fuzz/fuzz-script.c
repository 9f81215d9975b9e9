/* fuzz-script.c: arbitrary bytes as a fake-qemu script
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Scripts are written by hand and by fake-qemu --record from whatever a
 * QEMU sent, so the parser meets mistakes and odd bytes of every kind. It
 * must refuse them with "PATH:LINE:COLUMN: what is wrong" and never
 * crash, hang, leak or trip a json-glib precondition; what it accepts must
 * hold together.
 */
#include "config.h"

#include <string.h>

#include "fuzz-harness.h"
#include "script.h"

#define SCRIPT_NAME "fuzz.jsonl"

static guint
count_lines (const uint8_t *data, size_t size)
{
  guint lines = 1;

  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  return lines;
}

/* "fuzz.jsonl:LINE:COLUMN: " with numbers from 1, LINE within the input. */
static void
check_error_location (const GError *error, guint n_lines)
{
  const char *p = error->message;
  guint64 line, column;
  char *end;

  g_assert_true (g_str_has_prefix (p, SCRIPT_NAME ":"));
  p += strlen (SCRIPT_NAME ":");
  line = g_ascii_strtoull (p, &end, 10);
  g_assert_true (end != p && *end == ':');
  p = end + 1;
  column = g_ascii_strtoull (p, &end, 10);
  g_assert_true (end != p && g_str_has_prefix (end, ": ") && end[2] != '\0');
  g_assert_cmpuint (line, >=, 1);
  g_assert_cmpuint (line, <=, n_lines);
  g_assert_cmpuint (column, >=, 1);
}

static void
check_step (const FakeStep *step, guint previous_line, guint n_lines)
{
  g_autofree char *description = fake_step_describe (step);

  g_assert_nonnull (description);
  g_assert_nonnull (step->text);
  g_assert_cmpuint (step->line, >, previous_line);
  g_assert_cmpuint (step->line, <=, n_lines);
  switch (step->kind)
    {
    case FAKE_STEP_EXPECT:
      g_assert_true (step->command != NULL && step->command[0] != '\0');
      g_assert_true (step->reply != FAKE_REPLY_RETURN || step->value != NULL);
      g_assert_true (step->reply != FAKE_REPLY_ERROR
                     || (step->error_class != NULL && step->error_desc != NULL));
      if (step->events != NULL)
        for (guint i = 0; i < step->events->len; i++)
          {
            const FakeStep *event = g_ptr_array_index (step->events, i);

            g_assert_cmpint (event->kind, ==, FAKE_STEP_EVENT);
            g_assert_nonnull (event->event);
          }
      break;
    case FAKE_STEP_EVENT:
      g_assert_nonnull (step->event);
      break;
    case FAKE_STEP_RAW:
      g_assert_nonnull (step->raw);
      g_assert_cmpuint (g_bytes_get_size (step->raw), <=, FAKE_SCRIPT_RAW_MAX);
      break;
    default:
      break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(FakeScript) script = NULL;
  g_autoptr(GError) error = NULL;
  guint n_lines = count_lines (data, size);
  guint previous_line = 0;

  script = fake_script_parse (SCRIPT_NAME, (const char *) data, size, &error);
  if (script == NULL)
    {
      g_assert_nonnull (error);
      check_error_location (error, n_lines);
      return 0;
    }
  g_assert_null (error);
  for (guint i = 0; i < script->steps->len; i++)
    {
      const FakeStep *step = g_ptr_array_index (script->steps, i);

      check_step (step, previous_line, n_lines);
      previous_line = step->line;
    }
  return 0;
}
