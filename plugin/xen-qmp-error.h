/* xen-qmp-error.h: QMP error classes and the XEN_QMP_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

#include <glib-object.h>
#include "xen-qmp-macros.h"

G_BEGIN_DECLS

/**
 * XenQmpErrorClass:
 * @XEN_QMP_ERROR_CLASS_NONE: success.
 * @XEN_QMP_ERROR_CLASS_LOCAL: the error was made by this library, not by
 *   QEMU: the socket is missing or closed, a timeout expired, QEMU sent
 *   bad data or broke a limit, the domain does not exist. The #GError is
 *   in the %G_IO_ERROR domain.
 * @XEN_QMP_ERROR_CLASS_GENERIC_ERROR: QMP class `GenericError`.
 * @XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND: QMP class `CommandNotFound`.
 * @XEN_QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE: QMP class `DeviceNotActive`.
 * @XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND: QMP class `DeviceNotFound`.
 * @XEN_QMP_ERROR_CLASS_UNKNOWN: any other class QEMU reports (such as
 *   `KVMMissingCap`); the #GError message still carries QEMU's `desc`.
 *
 * How a command ended. QMP errors come as #GErrors in the
 * %XEN_QMP_ERROR domain whose code is the class and whose message is
 * QEMU's `desc`.
 *
 * %XEN_QMP_ERROR is the error domain of this enumeration for
 * introspection (bindings see `XenQmp.ErrorClass.quark()`); its #GType is
 * %XEN_QMP_TYPE_ERROR_CLASS.
 *
 * Since: 0.1
 */
/* Registered by hand (xen-qmp-error.c) as xen_qmp_error_get_type (): the
 * scanner pairs an error quark xen_qmp_X_error_quark () only with the
 * enumeration whose GType function is xen_qmp_X_error_get_type (), and
 * glib-mkenums would name that one's type macro XEN_TYPE_QMP_ERROR. */
typedef enum /*< skip >*/ {
  XEN_QMP_ERROR_CLASS_NONE = 0,
  XEN_QMP_ERROR_CLASS_LOCAL,
  XEN_QMP_ERROR_CLASS_GENERIC_ERROR,
  XEN_QMP_ERROR_CLASS_COMMAND_NOT_FOUND,
  XEN_QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE,
  XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND,
  XEN_QMP_ERROR_CLASS_UNKNOWN,
} XenQmpErrorClass;

/**
 * XEN_QMP_ERROR:
 *
 * Error domain of errors reported by QEMU. The code is a
 * #XenQmpErrorClass, the message QEMU's `desc`.
 *
 * Since: 0.1
 */
#define XEN_QMP_ERROR (xen_qmp_error_quark ())

XEN_QMP_AVAILABLE_IN_0_1
GQuark xen_qmp_error_quark (void);

XEN_QMP_DEPRECATED_IN_0_1_FOR (xen_qmp_error_quark)
GQuark xen_qmp_error_class_quark (void);

/**
 * XEN_QMP_TYPE_ERROR_CLASS:
 *
 * The #GType of #XenQmpErrorClass.
 *
 * Since: 0.1
 */
#define XEN_QMP_TYPE_ERROR_CLASS (xen_qmp_error_get_type ())

XEN_QMP_AVAILABLE_IN_0_1
GType xen_qmp_error_get_type (void) G_GNUC_CONST;

#ifndef __GI_SCANNER__
/* The GType function of #XenQmpErrorClass under the name glib-mkenums
 * used to give it; hidden from the scanner, which would see a second
 * GType function for the same type. */
XEN_QMP_DEPRECATED_IN_0_1_FOR (xen_qmp_error_get_type)
GType xen_qmp_error_class_get_type (void) G_GNUC_CONST;
#endif

XEN_QMP_AVAILABLE_IN_ALL
XenQmpErrorClass xen_qmp_error_class_from_name (const char *name);

XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_error_class_to_name (XenQmpErrorClass error_class);

XEN_QMP_AVAILABLE_IN_ALL
XenQmpErrorClass xen_qmp_error_get_class (const GError *error);

G_END_DECLS
