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
 * values too when SCHEMA is given). Events are printed as they arrive;
 * EARLY_EVENTS_ID (0: none), the handler of
 * tool_shell_print_early_events(), is replaced by the shell's own. Returns
 * the worst status of the commands run. */
ToolExitStatus tool_shell_run (XenQmpClient *client,
                               XenQmpSchema *schema,
                               guint         timeout_ms,
                               gboolean      pretty,
                               gulong        early_events_id);

/* Prints CLIENT's events on stdout as they arrive, until tool_shell_run()
 * takes over (it disconnects the handler): those that come while the
 * shell connects and fetches the schema, a SHUTDOWN that explains why
 * the connection then closes among them. Returns the handler's id. */
gulong         tool_shell_print_early_events (XenQmpClient *client);

/* The prompt: "xen-qmp domain 3> ", or "xen-qmp SOCKET> " with the
 * socket's directories between the first and the last elided
 * ("xen-qmp /run/.../qmp-libxl-3> "). */
char          *tool_shell_prompt (XenQmpClient *client);
