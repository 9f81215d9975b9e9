/* xenqmp.h: libxenqmp, an asynchronous QMP client for Xen toolstacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __XEN_QMP_H_INSIDE__

#include "xen-qmp-version.h"
#include "xen-qmp-macros.h"
#include "xen-qmp-error.h"
#include "xen-qmp-enum-types.h"
#include "xen-qmp-host.h"
#include "xen-qmp-cmd.h"
#include "xen-qmp-schema.h"
#include "xen-qmp-client.h"

#undef __XEN_QMP_H_INSIDE__
