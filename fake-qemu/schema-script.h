/* schema-script.h: a script's replies and events checked against the schema
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "schema.h"
#include "script.h"

/* What in STEP a QEMU with SCHEMA could not send: a reply that is not of
 * the command's return type, a success (or another error) where QEMU
 * refuses the scripted command, an event it does not have or with data
 * of the wrong form. Each problem is a line for the verdict (without the
 * step's place); the array is empty when the step is fine. */
GPtrArray *fake_schema_check_step (FakeSchema     *schema,
                                   const FakeStep *step);
