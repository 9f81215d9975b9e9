/* standin.h: the hypervisor stand-in's view of its state folder
 *
 * The stand-in is an LD_PRELOAD library that answers the few hypervisor
 * calls Debian's xenstored, oxenstored and xl (libxl 4.17) make, so that
 * the real programs run in tests on a machine without Xen. What the
 * "hypervisor" has is a folder the test writes, named by XEN_STANDIN_DIR:
 *
 *   domains/<domid>  one file per domain, key=value lines: uuid=<8-4-4-4-12>,
 *                    hvm=1|0, dying=0|1, shutdown=0|1 (missing keys: hvm=1,
 *                    dying=0, shutdown=0). No file: no such domain, except
 *                    domain 0, which is always there (uuid all zeros).
 *   virq-dom-exc     a FIFO: one byte written to it is VIRQ_DOM_EXC, "a
 *                    domain changed state", as the hypervisor raises it.
 *
 * fake-xenstored's --hypervisor option reads the same folder: keep the two
 * in step (tests/xen-testbed.h describes it for the tests).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The stand-in exports the calls it answers and nothing else. */
#pragma GCC visibility push(hidden)

#define STANDIN_MAX_DOMID 0x7fefu  /* DOMID_FIRST_RESERVED - 1 */

typedef struct {
  uint32_t domid;
  uint8_t  uuid[16];
  bool     hvm;
  bool     dying;
  bool     shutdown;
} StandinDomain;

/* $XEN_STANDIN_DIR, or NULL (with a message on stderr, once). */
const char *standin_dir (void);

/* The domain with the lowest domid >= FIRST, or false when there is none. */
bool standin_next_domain (uint32_t first, StandinDomain *dom);

/* Prints "xen-standin: " and the message on stderr. */
void standin_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#pragma GCC visibility pop
