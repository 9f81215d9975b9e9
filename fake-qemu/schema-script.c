/* schema-script.c: a script's replies and events checked against the schema
 *
 * Done when the script is loaded, on every step, so that a script that
 * drifted from what QEMU says is reported even where a client never gets
 * to. A step whose command QEMU refuses (no such command, or, with exact
 * "args", arguments of the wrong form) is fine when it replies with
 * QEMU's refusal: scripts may test how a client takes QEMU's errors (the
 * recorded errors.jsonl does).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "schema-script.h"

#include "qmp-message.h"

static void
check_event (FakeSchema *schema, const FakeStep *event, GPtrArray *problems)
{
  g_autoptr(GError) error = NULL;

  if (!fake_schema_check_event (schema, event->event, event->data, &error))
    g_ptr_array_add (problems, g_strdup (error->message));
}

static void
check_refused (const FakeStep *step, const FakeSchemaRefusal *refusal, GPtrArray *problems)
{
  const char *class_name = fake_qmp_error_class_name ((FakeQmpError) refusal->reply->code);

  switch (step->reply)
    {
    case FAKE_REPLY_ERROR:
      if (fake_schema_refusal_matches (refusal, step->error_class, step->error_desc))
        return;
      break;
    case FAKE_REPLY_SWALLOW:
      /* A QEMU that hangs answers nothing, valid or not. */
      return;
    case FAKE_REPLY_RETURN:
    default:
      break;
    }
  g_ptr_array_add (problems,
                   g_strdup_printf ("%s; QEMU would answer %s \"%s\"%s instead",
                                    refusal->problem, class_name, refusal->reply->message,
                                    refusal->exact ? "" : " (or the like)"));
}

GPtrArray *
fake_schema_check_step (FakeSchema *schema, const FakeStep *step)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FakeSchemaRefusal) refusal = NULL;
  g_autoptr(GError) error = NULL;

  if (step->kind == FAKE_STEP_EVENT)
    {
      check_event (schema, step, problems);
      return problems;
    }
  if (step->kind != FAKE_STEP_EXPECT)
    return problems;

  /* An unknown command is refused whatever its arguments; "args-subset"
   * may be completed by the client, so only exact ones are judged. */
  refusal = fake_schema_refuse (schema, step->command, FALSE, NULL);
  if (refusal != NULL && refusal->reply->code != FAKE_QMP_ERROR_COMMAND_NOT_FOUND)
    g_clear_pointer (&refusal, fake_schema_refusal_free);
  if (refusal == NULL && step->args != NULL && !step->args_subset)
    refusal = fake_schema_refuse (schema, step->command, FALSE, step->args);

  if (refusal != NULL)
    check_refused (step, refusal, problems);
  else if (step->reply == FAKE_REPLY_RETURN
           && !fake_schema_check_return (schema, step->command, step->value, &error))
    g_ptr_array_add (problems, g_strdup (error->message));

  for (guint i = 0; step->events != NULL && i < step->events->len; i++)
    check_event (schema, g_ptr_array_index (step->events, i), problems);
  return problems;
}
