/* recorded-schema.h: QEMU 7.2's own schema, as the tests load it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fake-qemu/scripts/qemu-7.2-schema.json is the query-qmp-schema reply of
 * Debian 12's qemu-system-x86_64 7.2 (its return value).
 */
#pragma once

/* Included after the library's header, which the tests reach either as
 * "xenqmp.h" (tests/) or as <xenqmp/xenqmp.h> (the tool's tests). */
#include <glib.h>

static inline char *
recorded_schema_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "fake-qemu", "scripts",
                                "qemu-7.2-schema.json", NULL);
}

/* The file's text, as QEMU sent it (without the trailing newline). */
static inline char *
recorded_schema_text (void)
{
  g_autofree char *path = recorded_schema_path ();
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return g_strchomp (text);
}

static inline XenQmpSchema *
recorded_schema_load (void)
{
  g_autofree char *text = recorded_schema_text ();
  g_autoptr(GError) error = NULL;
  XenQmpSchema *schema = xen_qmp_schema_new_from_data (text, -1, &error);

  g_assert_no_error (error);
  return schema;
}
