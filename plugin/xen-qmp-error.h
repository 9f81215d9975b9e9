/* xen-qmp-error.h: QMP error classes and the XEN_QMP_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

#include <glib.h>
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
 * Since: 0.1
 */
typedef enum {
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
#define XEN_QMP_ERROR (xen_qmp_error_class_quark ())

XEN_QMP_AVAILABLE_IN_ALL
GQuark xen_qmp_error_class_quark (void);

XEN_QMP_AVAILABLE_IN_ALL
XenQmpErrorClass xen_qmp_error_class_from_name (const char *name);

XEN_QMP_AVAILABLE_IN_ALL
const char *xen_qmp_error_class_to_name (XenQmpErrorClass error_class);

XEN_QMP_AVAILABLE_IN_ALL
XenQmpErrorClass xen_qmp_error_get_class (const GError *error);

G_END_DECLS
