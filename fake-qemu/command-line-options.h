/* command-line-options.h: QEMU 7.2's answer to query-command-line-options
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* The "return" of query-command-line-options without arguments: a JSON
 * array, as compact text. */
const char *fake_command_line_options_json (void);
