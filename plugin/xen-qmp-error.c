/* xen-qmp-error.c: QMP error classes and the XEN_QMP_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-qmp-error.h"

#include <gio/gio.h>
#include <string.h>

/**
 * xen_qmp_error_quark:
 *
 * The quark of the %XEN_QMP_ERROR domain, whose codes are
 * #XenQmpErrorClass values. Introspection pairs the two, so that
 * bindings can match an error against the enumeration
 * (`err.matches (XenQmp.ErrorClass, XenQmp.ErrorClass.DEVICE_NOT_FOUND)`
 * in Python).
 *
 * Returns: the quark of the %XEN_QMP_ERROR domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (xen-qmp-error-quark, xen_qmp_error)

/**
 * xen_qmp_error_class_quark:
 *
 * The quark of the %XEN_QMP_ERROR domain, as xen_qmp_error_quark()
 * returns it.
 *
 * Returns: the quark of the %XEN_QMP_ERROR domain
 *
 * Since: 0.1
 *
 * Deprecated: 0.1: Use xen_qmp_error_quark() or %XEN_QMP_ERROR: this name
 *   does not pair the domain with #XenQmpErrorClass for introspection.
 */
GQuark
xen_qmp_error_class_quark (void)
{
  return xen_qmp_error_quark ();
}

/**
 * xen_qmp_error_get_type:
 *
 * The #GType of #XenQmpErrorClass (%XEN_QMP_TYPE_ERROR_CLASS). Named so
 * that introspection pairs the enumeration with xen_qmp_error_quark().
 *
 * Returns: the #GType of #XenQmpErrorClass
 *
 * Since: 0.1
 */
GType
xen_qmp_error_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      /* As glib-mkenums would register it: same names and nicks. */
      static const GEnumValue values[] = {
        { XEN_QMP_ERROR_CLASS_NONE, "XEN_QMP_ERROR_CLASS_NONE", "none" },
        { XEN_QMP_ERROR_CLASS_LOCAL, "XEN_QMP_ERROR_CLASS_LOCAL", "local" },
        { XEN_QMP_ERROR_CLASS_GENERIC_ERROR, "XEN_QMP_ERROR_CLASS_GENERIC_ERROR", "generic-error" },
        { XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND, "XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND",
          "command-not-found" },
        { XEN_QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE, "XEN_QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE",
          "device-not-active" },
        { XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND, "XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND",
          "device-not-found" },
        { XEN_QMP_ERROR_CLASS_UNKNOWN, "XEN_QMP_ERROR_CLASS_UNKNOWN", "unknown" },
        { 0, NULL, NULL }
      };
      GType id = g_enum_register_static (g_intern_static_string ("XenQmpErrorClass"), values);

      g_once_init_leave (&type_id, id);
    }
  return type_id;
}

/* Deprecated: the name glib-mkenums gave the GType function before it
 * was registered as xen_qmp_error_get_type () (see xen-qmp-error.h); the
 * scanner does not see it, so it has no doc comment. */
GType
xen_qmp_error_class_get_type (void)
{
  return xen_qmp_error_get_type ();
}

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
