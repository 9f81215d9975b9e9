/* schema-dispatch.h: fake-qemu --schema in front of the built-in commands
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "listener.h"
#include "schema.h"

/* Answers REQUEST where the schema decides, as QEMU would: its error for
 * a command it refuses (then *PROBLEM, if not NULL, says what is wrong),
 * and query-qmp-schema. Anything else, including what QEMU refuses
 * before it looks at the command (invalid input, any command but
 * qmp_capabilities before negotiation), is left to the built-in
 * commands: FAKE_DISPATCH_CONTINUE. */
FakeDispatchResult fake_schema_dispatch (FakeSchema   *schema,
                                         FakeMonitor  *monitor,
                                         FakeRequest  *request,
                                         char        **problem);

/* Without a script: the schema answers first on every domain, and
 * remembers what QEMU would have refused, for the report at exit. */
typedef struct _FakeSchemaGuard FakeSchemaGuard;

/* SCHEMA and DOMAINS are borrowed and must outlive the guard. */
FakeSchemaGuard *fake_schema_guard_new    (FakeSchema      *schema,
                                           GPtrArray       *domains);
void             fake_schema_guard_free   (FakeSchemaGuard *guard);
/* The commands QEMU would have refused, one per line ("" when none). */
char            *fake_schema_guard_report (FakeSchemaGuard *guard);
