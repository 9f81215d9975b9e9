/* arguments.h: a command's arguments, checked as QEMU's QAPI visitor does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#define FAKE_ARGS_MAX 16

/* Visit the members in the order of the command's schema, then call
 * fake_args_check_unexpected(): that is the order in which QEMU finds, and
 * reports, the first problem. Each getter returns FALSE with QEMU's error
 * when the member is missing (unless OPTIONAL) or of the wrong type; an
 * optional member that is absent leaves *PRESENT FALSE. A JSON null is a
 * wrong type, as in QEMU. */
typedef struct {
  JsonObject *arguments;
  const char *visited[FAKE_ARGS_MAX];
  guint       n_visited;
  char       *prefix;     /* a nested object's path ("addr.data"), or NULL */
} FakeArgs;

void     fake_args_init             (FakeArgs    *args,
                                     JsonObject  *arguments);
/* NESTED visits the object member NAME of PARENT (which must have been
 * got with fake_args_get_object()): QEMU names its members by their path
 * ("Parameter 'addr.data.port' is missing"). Clear it when done. */
void     fake_args_init_nested      (FakeArgs    *nested,
                                     FakeArgs    *parent,
                                     const char  *name,
                                     JsonObject  *object);
void     fake_args_clear            (FakeArgs    *args);

gboolean fake_args_get_object       (FakeArgs    *args,
                                     const char  *name,
                                     gboolean     optional,
                                     gboolean    *present,
                                     JsonObject **value,
                                     GError     **error);

/* A string that must be one of ALLOWED (NULL-terminated): QEMU names the
 * member alone, not its path, when it refuses the value. */
gboolean fake_args_get_enum         (FakeArgs           *args,
                                     const char         *name,
                                     gboolean            optional,
                                     gboolean           *present,
                                     const char * const *allowed,
                                     const char        **value,
                                     GError            **error);

gboolean fake_args_get_int          (FakeArgs    *args,
                                     const char  *name,
                                     gboolean     optional,
                                     gboolean    *present,
                                     gint64      *value,
                                     GError     **error);

gboolean fake_args_get_bool         (FakeArgs    *args,
                                     const char  *name,
                                     gboolean     optional,
                                     gboolean    *present,
                                     gboolean    *value,
                                     GError     **error);

gboolean fake_args_get_string       (FakeArgs    *args,
                                     const char  *name,
                                     gboolean     optional,
                                     gboolean    *present,
                                     const char **value,
                                     GError     **error);

/* A list of enum values, each one of ALLOWED (NULL-terminated). QEMU
 * checks the elements in order: a non-string is named "NAME[i]", a string
 * that is not a value of the enum gets QEMU's "Parameter 'null' does not
 * accept value ..." (sic). */
gboolean fake_args_get_enum_list    (FakeArgs           *args,
                                     const char         *name,
                                     gboolean            optional,
                                     gboolean           *present,
                                     const char * const *allowed,
                                     GPtrArray         **value,
                                     GError            **error);

/* "Parameter 'X' is unexpected" for a member no getter asked for. QEMU
 * takes the first one out of a GHashTable; with several, the fake names
 * the first in the request's order, which may differ. */
gboolean fake_args_check_unexpected (FakeArgs    *args,
                                     GError     **error);
