/* xen-qmp-error.c: QMP error classes and the XEN_QMP_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-error.h"

#include <gio/gio.h>
#include <string.h>

/**
 * xen_qmp_error_class_quark:
 *
 * The quark of the %XEN_QMP_ERROR domain, whose codes are
 * #XenQmpErrorClass values (named so for introspection to pair them).
 *
 * Returns: the quark of the %XEN_QMP_ERROR domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (xen-qmp-error-quark, xen_qmp_error_class)

/* The classes QMP still reports (qapi/error.json); UNKNOWN stands for the
 * rest, and NONE and LOCAL have no QMP name. */
static const struct {
  XenQmpErrorClass  error_class;
  const char       *name;
} class_names[] = {
  { XEN_QMP_ERROR_CLASS_GENERIC_ERROR,     "GenericError" },
  { XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND, "CommandNotFound" },
  { XEN_QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE, "DeviceNotActive" },
  { XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND,  "DeviceNotFound" },
};

/**
 * xen_qmp_error_class_from_name:
 * @name: a QMP error class, such as `GenericError`
 *
 * Maps the `class` member of a QMP error to a #XenQmpErrorClass.
 *
 * Returns: the class, or %XEN_QMP_ERROR_CLASS_UNKNOWN for a class this
 *   library does not know (such as `KVMMissingCap`)
 *
 * Since: 0.1
 */
XenQmpErrorClass
xen_qmp_error_class_from_name (const char *name)
{
  g_return_val_if_fail (name != NULL, XEN_QMP_ERROR_CLASS_UNKNOWN);

  for (gsize i = 0; i < G_N_ELEMENTS (class_names); i++)
    if (strcmp (class_names[i].name, name) == 0)
      return class_names[i].error_class;
  return XEN_QMP_ERROR_CLASS_UNKNOWN;
}

/**
 * xen_qmp_error_class_to_name:
 * @error_class: a class
 *
 * The name of a class as QMP writes it, for messages and logs.
 *
 * Returns: the class's QMP name, such as `GenericError`; for the classes
 *   QMP has no name for: `None`, `Local` or `Unknown`
 *
 * Since: 0.1
 */
const char *
xen_qmp_error_class_to_name (XenQmpErrorClass error_class)
{
  switch (error_class)
    {
    case XEN_QMP_ERROR_CLASS_NONE:
      return "None";
    case XEN_QMP_ERROR_CLASS_LOCAL:
      return "Local";
    case XEN_QMP_ERROR_CLASS_UNKNOWN:
      return "Unknown";
    default:
      break;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (class_names); i++)
    if (class_names[i].error_class == error_class)
      return class_names[i].name;
  return "Unknown";
}

/**
 * xen_qmp_error_get_class:
 * @error: (nullable): an error from this library, or %NULL
 *
 * The #XenQmpErrorClass of an error that a call of this library returned.
 *
 * Returns: %XEN_QMP_ERROR_CLASS_NONE for %NULL, the code of a
 *   %XEN_QMP_ERROR, and %XEN_QMP_ERROR_CLASS_LOCAL for any other error
 *
 * Since: 0.1
 */
XenQmpErrorClass
xen_qmp_error_get_class (const GError *error)
{
  if (error == NULL)
    return XEN_QMP_ERROR_CLASS_NONE;
  if (error->domain == XEN_QMP_ERROR
      && error->code > XEN_QMP_ERROR_CLASS_LOCAL
      && error->code <= XEN_QMP_ERROR_CLASS_UNKNOWN)
    return (XenQmpErrorClass) error->code;
  return XEN_QMP_ERROR_CLASS_LOCAL;
}
