/* script-run.h: playing a script on the fake domains, and its verdict
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "listener.h"
#include "schema.h"
#include "script.h"

typedef struct _FakeScriptRun FakeScriptRun;

/* Called (from an idle source) once every socket's steps are consumed
 * and its client has gone. */
typedef void (*FakeScriptDoneFunc) (FakeScriptRun *run,
                                    gpointer       user_data);

/* Plays SCRIPT (taken) on DOMAINS (borrowed; step "socket": N plays on
 * DOMAINS[N]). LENIENT: commands the script does not expect are answered
 * by the built-in QEMU instead of being mismatches. Fails when a step
 * names a socket that does not exist. */
FakeScriptRun *fake_script_run_new      (FakeScript         *script,
                                         GPtrArray          *domains,
                                         gboolean            lenient,
                                         FakeScriptDoneFunc  done,
                                         gpointer            user_data,
                                         GError            **error);
/* Judges the script and the client by SCHEMA (borrowed; it must outlive
 * RUN) too: what the script sends that QEMU could not send is a mismatch
 * at once (see schema-script.h), and so is, as it comes, a command QEMU
 * would refuse, which gets QEMU's error unless the step expects exactly
 * that error. */
void           fake_script_run_set_schema (FakeScriptRun    *run,
                                           FakeSchema       *schema);

/* Detaches from the domains. */
void           fake_script_run_free     (FakeScriptRun      *run);

/* Writes the report (mismatches, then steps never reached) to stderr and
 * returns TRUE when there is nothing to report: the client did exactly
 * what the script said. */
gboolean       fake_script_run_verdict  (FakeScriptRun      *run);

/* The report's text; empty when the run passed. */
char          *fake_script_run_report   (FakeScriptRun      *run);
