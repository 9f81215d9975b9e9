/* xen-device-model.h: the commands libxl sends to a Xen device model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "builtins.h"

/* How many vCPUs the fake Xen guest may have; vCPU 0 is present at start,
 * the others can be hot-plugged with device_add. */
#define FAKE_XEN_DM_MAX_CPUS 4

/* The device state xen-save-devices-state writes: recorded from QEMU 7.2
 * (-M none), so that a reader that checks the "QEVM" header is happy. */
#define FAKE_XEN_DM_STATE_SIZE 191

/* A fake domain's devices: those added with device_add, the vCPUs, and
 * deletions in progress. */
FakeXenDm         *fake_xen_dm_new    (void);
void               fake_xen_dm_free   (FakeXenDm  *dm);

/* The Xen command NAME, or NULL. */
const FakeBuiltin *fake_xen_dm_lookup (const char *name);
