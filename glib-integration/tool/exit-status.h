/* exit-status.h: xen-qmp's exit statuses, and how an error maps to one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* The contract of xen-qmp(1): scripts test these numbers. */
typedef enum {
  TOOL_EXIT_OK = 0,          /* the command succeeded */
  TOOL_EXIT_QMP_ERROR = 1,   /* QEMU answered with an error */
  TOOL_EXIT_LOCAL_ERROR = 2, /* no socket, timeout, lost connection, usage */
} ToolExitStatus;

/* Prints ERROR on stderr ("error: CLASS: desc" for QEMU's errors,
 * "xen-qmp: message" for the others) and returns its exit status. */
ToolExitStatus tool_report_error (const GError *error);

/* The worse of two statuses: a QMP error does not hide a local one. */
static inline ToolExitStatus
tool_exit_status_worst (ToolExitStatus a, ToolExitStatus b)
{
  return MAX (a, b);
}
