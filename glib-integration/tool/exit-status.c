/* exit-status.c: how an error is reported, and its exit status
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "exit-status.h"

#include <stdio.h>
#include <xenqmp/xenqmp.h>
#include "escape.h"

ToolExitStatus
tool_report_error (const GError *error)
{
  /* A QMP error's words are QEMU's; other messages may quote them. */
  g_autofree char *message = tool_escape_text (error->message);

  if (error->domain == XEN_QMP_ERROR)
    {
      /* QEMU's class, then its own words: the format of qmp-shell and of
       * libvirt's logs, so that people recognise it. */
      fprintf (stderr, "error: %s: %s\n",
               xen_qmp_error_class_to_name ((XenQmpErrorClass) error->code),
               message);
      return TOOL_EXIT_QMP_ERROR;
    }
  fprintf (stderr, "%s: %s\n", g_get_prgname (), message);
  return TOOL_EXIT_LOCAL_ERROR;
}
