/* events.h: QMP events as JSON lines, and the --events mode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>
#include "exit-status.h"

/* One event as QEMU sent it, on one line:
 * {"event": NAME, "data": {...}, "timestamp": {"seconds": S, "microseconds": US}}
 * without "data" or "timestamp" when QEMU sent none. */
char          *tool_event_format (const char *name,
                                   JsonObject *data,
                                   gint64      timestamp_us);

/* --events: connects CLIENT (not yet connected, so that no event slips
 * by between the greeting and the subscription) and prints its events
 * until COUNT of them (0: no limit) came, TIMEOUT_MS passed (0: never)
 * or the connection closed. */
ToolExitStatus tool_events_run   (XenQmpClient *client,
                                   guint         count,
                                   guint         timeout_ms);
