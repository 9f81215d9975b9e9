/* shell.h: xen-qmp --shell, commands from a prompt or from stdin
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>
#include "exit-status.h"

/* Connects CLIENT and runs one command per line of stdin until end of
 * input, `exit` or `quit`, or until the connection closes. With a terminal
 * on stdin: a prompt with history and completion (of arguments and enum
 * values too when SCHEMA is given). Events are printed as they arrive.
 * Returns the worst status of the commands run. */
ToolExitStatus tool_shell_run (XenQmpClient *client,
                               XenQmpSchema *schema,
                               guint         timeout_ms,
                               gboolean      pretty);
