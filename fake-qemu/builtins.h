/* builtins.h: the commands an idle QEMU 7.2 answers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "monitor.h"
#include "request.h"

/* Answers REQUEST as QEMU's dispatcher would, with the built-in table:
 * errors of the request itself, capabilities negotiation, OOB rules,
 * argument checks, then the command. */
void     fake_builtins_dispatch (FakeMonitor *monitor,
                                 FakeRequest *request);

/* Whether NAME is a built-in command. */
gboolean fake_builtins_has      (const char  *name);
