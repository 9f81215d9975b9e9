/* xen-qmp-macros.h: export markers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

/* The library is built with -fvisibility=hidden: only what is marked here
 * is part of the ABI. */
#if defined (XEN_QMP_COMPILATION) && defined (__GNUC__)
# define XEN_QMP_AVAILABLE_IN_ALL __attribute__ ((visibility ("default"))) extern
#else
# define XEN_QMP_AVAILABLE_IN_ALL extern
#endif
