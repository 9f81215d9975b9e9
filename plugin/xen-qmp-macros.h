/* xen-qmp-macros.h: export and versioning markers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (__XEN_QMP_H_INSIDE__) && !defined (XEN_QMP_COMPILATION)
#error "Only <xenqmp/xenqmp.h> can be included directly."
#endif

#include <glib.h>
#include "xen-qmp-version.h"

/* The library is built with -fvisibility=hidden: only what is marked here
 * is part of the ABI. */
#if defined (XEN_QMP_COMPILATION) && defined (__GNUC__)
# define _XEN_QMP_EXTERN __attribute__ ((visibility ("default"))) extern
#else
# define _XEN_QMP_EXTERN extern
#endif

/* The library itself still implements (and may call) what it deprecates. */
#if defined (XEN_QMP_COMPILATION) && !defined (XEN_QMP_DISABLE_DEPRECATION_WARNINGS)
# define XEN_QMP_DISABLE_DEPRECATION_WARNINGS
#endif

/**
 * XEN_QMP_AVAILABLE_IN_ALL:
 *
 * Marks API that every version of libxenqmp has: what 0.1 declared
 * before the versioning macros came.
 *
 * Since: 0.1
 */
#define XEN_QMP_AVAILABLE_IN_ALL _XEN_QMP_EXTERN

#ifdef XEN_QMP_DISABLE_DEPRECATION_WARNINGS
# define _XEN_QMP_DEPRECATED _XEN_QMP_EXTERN
# define _XEN_QMP_DEPRECATED_FOR(f) _XEN_QMP_EXTERN
# define _XEN_QMP_UNAVAILABLE(maj, min) _XEN_QMP_EXTERN
#else
# define _XEN_QMP_DEPRECATED G_DEPRECATED _XEN_QMP_EXTERN
# define _XEN_QMP_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _XEN_QMP_EXTERN
# define _XEN_QMP_UNAVAILABLE(maj, min) G_UNAVAILABLE (maj, min) _XEN_QMP_EXTERN
#endif

/* One block per release: its API is AVAILABLE_IN_x_y (it warns when
 * XEN_QMP_VERSION_MAX_ALLOWED is older), and what it deprecates is
 * DEPRECATED_IN_x_y (it warns when XEN_QMP_VERSION_MIN_REQUIRED is that
 * release or newer). */

/**
 * XEN_QMP_DEPRECATED_IN_0_1:
 *
 * Marks API deprecated in libxenqmp 0.1: using it warns when
 * %XEN_QMP_VERSION_MIN_REQUIRED is %XEN_QMP_VERSION_0_1 or newer.
 *
 * Since: 0.1
 */
/**
 * XEN_QMP_DEPRECATED_IN_0_1_FOR:
 * @f: the replacement
 *
 * Marks API deprecated in libxenqmp 0.1 in favour of @f: using it warns,
 * naming @f, when %XEN_QMP_VERSION_MIN_REQUIRED is %XEN_QMP_VERSION_0_1
 * or newer.
 *
 * Since: 0.1
 */
#if XEN_QMP_VERSION_MIN_REQUIRED >= XEN_QMP_VERSION_0_1
# define XEN_QMP_DEPRECATED_IN_0_1 _XEN_QMP_DEPRECATED
# define XEN_QMP_DEPRECATED_IN_0_1_FOR(f) _XEN_QMP_DEPRECATED_FOR (f)
#else
# define XEN_QMP_DEPRECATED_IN_0_1 _XEN_QMP_EXTERN
# define XEN_QMP_DEPRECATED_IN_0_1_FOR(f) _XEN_QMP_EXTERN
#endif

/**
 * XEN_QMP_AVAILABLE_IN_0_1:
 *
 * Marks API added in libxenqmp 0.1 after its first API (see
 * %XEN_QMP_AVAILABLE_IN_ALL): using it warns when
 * %XEN_QMP_VERSION_MAX_ALLOWED is older than %XEN_QMP_VERSION_0_1.
 *
 * Since: 0.1
 */
#if XEN_QMP_VERSION_MAX_ALLOWED < XEN_QMP_VERSION_0_1
# define XEN_QMP_AVAILABLE_IN_0_1 _XEN_QMP_UNAVAILABLE (0, 1)
#else
# define XEN_QMP_AVAILABLE_IN_0_1 _XEN_QMP_EXTERN
#endif
