/* fuzz-harness.h: what every harness under tests/fuzz/ provides and shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A harness is one LLVMFuzzerTestOneInput(). Built with --enable-fuzzing,
 * libFuzzer calls it; otherwise fuzz-main.c runs it over the corpus and
 * the regressions, as a test of make check.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);
