/* builtins.h: the commands fake-qemu answers without a script
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "listener.h"
#include "monitor.h"
#include "request.h"

/* A command: returns its "return" value, or NULL with ERROR set. Events it
 * emits go out before the reply, as in QEMU. */
typedef JsonNode *(*FakeBuiltinFunc) (FakeMonitor  *monitor,
                                      FakeDomain   *domain,
                                      FakeRequest  *request,
                                      GError      **error);

typedef struct {
  const char      *name;
  FakeBuiltinFunc  func;
  gboolean         before_negotiation;  /* available before qmp_capabilities */
  gboolean         allow_oob;           /* may be run with exec-oob */
  gboolean         quits;               /* the domain goes away after the reply */
} FakeBuiltin;

/* Answers REQUEST as QEMU's dispatcher would, with the built-in table:
 * errors of the request itself, capabilities negotiation, OOB rules,
 * argument checks, then the command. */
void     fake_builtins_dispatch (FakeMonitor *monitor,
                                 FakeRequest *request);

/* Whether NAME is a built-in command. */
gboolean fake_builtins_has      (const char  *name);

/* The command NAME in TABLE (N_COMMANDS long), or NULL. */
const FakeBuiltin *fake_builtin_find (const FakeBuiltin *table,
                                      gsize              n_commands,
                                      const char        *name);

/* For commands without arguments: "Parameter 'X' is unexpected". */
gboolean fake_builtins_check_no_arguments (FakeRequest  *request,
                                           GError      **error);

/* {} */
JsonNode *fake_builtins_empty_object (void);
