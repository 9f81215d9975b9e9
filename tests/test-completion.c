/* test-completion.c: what xen-qmp --shell offers on Tab
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * tool_completion_candidates() against QEMU 7.2's recorded schema: the
 * line as typed so far, the word under the cursor, what Tab offers.
 */
#include "config.h"

#include <string.h>

#include <xenqmp/xenqmp.h>
#include "completion.h"
#include "recorded-schema.h"

static XenQmpSchema *schema;
static GStrv commands;

/* Completes the last word of LINE (after its last blank); the candidates
 * joined with blanks. */
static char *
complete (const char *line)
{
  const char *space = strrchr (line, ' ');
  gsize start = space != NULL ? (gsize) (space - line) + 1 : 0;
  g_auto(GStrv) candidates = tool_completion_candidates (schema, (const char * const *) commands,
                                                         line, start, line + start);

  return g_strjoinv (" ", candidates);
}

static void
assert_completes (const char *line, const char *expected)
{
  g_autofree char *got = complete (line);

  if (g_strcmp0 (got, expected) != 0)
    g_error ("'%s' completes to '%s', not '%s'", line, got, expected);
}

static void
test_command_names (void)
{
  assert_completes ("device_", "device_add device_del");
  assert_completes ("query-statu", "query-status");
  assert_completes ("query-stat", "query-stats query-stats-schemas query-status");
  assert_completes ("execute query-statu", "query-status");
  assert_completes ("xyz", "");
}

static void
test_argument_names (void)
{
  assert_completes ("device_del ", "id=");
  assert_completes ("device_add ", "bus= driver= id=");
  /* What is on the line already is not offered again. */
  assert_completes ("device_add driver=e1000 ", "bus= id=");
  assert_completes ("query-status ", "");
  assert_completes ("no-such-command ", "");
}

static void
test_enum_and_boolean_values (void)
{
  assert_completes ("set-action reboot=", "reboot=reset reboot=shutdown");
  assert_completes ("set-action reboot=s", "reboot=shutdown");
  assert_completes ("migrate-set-capabilities capabilities=", "");
  assert_completes ("stop ", "");
  assert_completes ("eject force=", "force=false force=true");
}

static void
test_unions_and_nesting (void)
{
  g_autofree char *qcow2 = NULL;

  /* The tag chooses the variant's members. */
  qcow2 = complete ("blockdev-add driver=qcow2 node-name=d0 fi");
  g_assert_cmpstr (qcow2, ==, "file=");
  assert_completes ("blockdev-add driver=qcow2 file.dri", "file.driver=");
  /* A nested tag chooses the nested variant: file.driver=file has a
   * filename. */
  assert_completes ("blockdev-add driver=qcow2 file.driver=file file.filen", "file.filename=");
  assert_completes ("blockdev-add driver=qcow2 file.driver=file file.aio=", "file.aio=io_uring "
                    "file.aio=native file.aio=threads");
}

static void
test_without_schema (void)
{
  const char *names[] = { "exit", "help", "query-status", "quit", NULL };
  g_auto(GStrv) first = tool_completion_candidates (NULL, names, "q", 0, "q");
  g_auto(GStrv) args = tool_completion_candidates (NULL, names, "query-status ", 13, "");

  g_assert_cmpuint (g_strv_length (first), ==, 2);
  g_assert_cmpstr (first[0], ==, "query-status");
  g_assert_cmpstr (first[1], ==, "quit");
  g_assert_cmpuint (g_strv_length (args), ==, 0);
}

/* A QEMU chooses its schema's names: those a terminal would act on (C1
 * controls, bidi overrides; a schema with C0 controls is refused whole
 * by the library) are never offered. */
static void
test_hostile_names_not_offered (void)
{
  static const char hostile[] =
    "[{\"name\": \"good\", \"meta-type\": \"command\", \"arg-type\": \"A\", \"ret-type\": \"str\"},"
    " {\"name\": \"gone\\u202e\", \"meta-type\": \"command\", \"arg-type\": \"A\", \"ret-type\": \"str\"},"
    " {\"name\": \"go\\u009b2J\", \"meta-type\": \"command\", \"arg-type\": \"A\", \"ret-type\": \"str\"},"
    " {\"name\": \"A\", \"meta-type\": \"object\", \"members\": ["
    "   {\"name\": \"ok\", \"type\": \"E\"},"
    "   {\"name\": \"o\\u009d0;owned\\u009c\", \"type\": \"str\"},"
    "   {\"name\": \"o\\u202ek\", \"type\": \"str\"}]},"
    " {\"name\": \"E\", \"meta-type\": \"enum\", \"values\": [\"fine\", \"f\\u2067ine\", \"f\\u0085ine\"]},"
    " {\"name\": \"str\", \"meta-type\": \"builtin\", \"json-type\": \"string\"}]";
  g_autoptr(GError) error = NULL;
  g_autoptr(XenQmpSchema) evil = xen_qmp_schema_new_from_data (hostile, -1, &error);
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) first = NULL, args = NULL, values = NULL;

  g_assert_no_error (error);
  names = xen_qmp_schema_list (evil, XEN_QMP_SCHEMA_META_TYPE_COMMAND);
  g_assert_cmpuint (g_strv_length (names), ==, 3);
  first = tool_completion_candidates (evil, (const char * const *) names, "go", 0, "go");
  args = tool_completion_candidates (evil, (const char * const *) names, "good o", 5, "o");
  values = tool_completion_candidates (evil, (const char * const *) names, "good ok=f", 5, "ok=f");
  g_assert_cmpstrv (first, ((const char * const []) { "good", NULL }));
  g_assert_cmpstrv (args, ((const char * const []) { "ok=", NULL }));
  g_assert_cmpstrv (values, ((const char * const []) { "ok=fine", NULL }));
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  schema = recorded_schema_load ();
  commands = xen_qmp_schema_list (schema, XEN_QMP_SCHEMA_META_TYPE_COMMAND);

  g_test_add_func ("/completion/command-names", test_command_names);
  g_test_add_func ("/completion/argument-names", test_argument_names);
  g_test_add_func ("/completion/enum-and-boolean-values", test_enum_and_boolean_values);
  g_test_add_func ("/completion/unions-and-nesting", test_unions_and_nesting);
  g_test_add_func ("/completion/without-schema", test_without_schema);
  g_test_add_func ("/completion/hostile-names-not-offered", test_hostile_names_not_offered);
  status = g_test_run ();
  g_strfreev (commands);
  g_object_unref (schema);
  return status;
}
