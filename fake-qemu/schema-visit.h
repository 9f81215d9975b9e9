/* schema-visit.h: a command's arguments walked as QEMU's input visitor does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>

/* Finds the error QEMU reports first for COMMAND's ARGUMENTS (COMMAND is a
 * command of SCHEMA): QEMU's generated marshallers visit members in
 * schema order, depth first, and look for unexpected members once an
 * object's known members are done. Returns FALSE with ERROR set to QEMU's
 * reply (a FAKE_QMP_ERROR). *EXACT is FALSE when the wording may differ
 * from QEMU's: QEMU names an alternate by its C type, which the schema
 * masks; with several unexpected members it names the first of a hash
 * table; device_add's properties are checked by the device, not by the
 * schema. */
gboolean fake_schema_visit_arguments (XenQmpSchema  *schema,
                                      const char    *command,
                                      JsonObject    *arguments,
                                      gboolean      *exact,
                                      GError       **error);
