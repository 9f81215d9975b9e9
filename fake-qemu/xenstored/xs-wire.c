/* xs-wire.c: names of the xenstore wire protocol's message types and errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "xs-wire.h"

static const char *const type_names[XS_TYPE_COUNT] = {
  [XS_CONTROL] = "CONTROL",
  [XS_DIRECTORY] = "DIRECTORY",
  [XS_READ] = "READ",
  [XS_GET_PERMS] = "GET_PERMS",
  [XS_WATCH] = "WATCH",
  [XS_UNWATCH] = "UNWATCH",
  [XS_TRANSACTION_START] = "TRANSACTION_START",
  [XS_TRANSACTION_END] = "TRANSACTION_END",
  [XS_INTRODUCE] = "INTRODUCE",
  [XS_RELEASE] = "RELEASE",
  [XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
  [XS_WRITE] = "WRITE",
  [XS_MKDIR] = "MKDIR",
  [XS_RM] = "RM",
  [XS_SET_PERMS] = "SET_PERMS",
  [XS_WATCH_EVENT] = "WATCH_EVENT",
  [XS_ERROR] = "ERROR",
  [XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
  [XS_RESUME] = "RESUME",
  [XS_SET_TARGET] = "SET_TARGET",
  [XS_RESET_WATCHES] = "RESET_WATCHES",
  [XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

const char *
xs_wire_type_name (guint32 type)
{
  if (type < G_N_ELEMENTS (type_names) && type_names[type] != NULL)
    return type_names[type];
  return "UNKNOWN";
}

const char *
xs_wire_error_name (int errnum)
{
  /* The header's own table: its order is the protocol's, EINVAL first. */
  for (gsize i = 0; i < G_N_ELEMENTS (xsd_errors); i++)
    if (xsd_errors[i].errnum == errnum)
      return xsd_errors[i].errstring;
  return xsd_errors[0].errstring;
}
