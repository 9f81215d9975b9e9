/* record.h: a proxy in front of a real QMP socket, writing a script
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "listener.h"

typedef struct _FakeRecorder FakeRecorder;

/* Each client of DOMAIN is connected to the real QMP socket REAL_PATH;
 * what passes both ways (descriptors too) is forwarded, and the session
 * is written to OUTPUT (created now) as a script that replays it. */
FakeRecorder *fake_recorder_new  (FakeDomain   *domain,
                                  const char   *real_path,
                                  const char   *output,
                                  GError      **error);
/* Detaches from the domain and closes the output. */
void          fake_recorder_free (FakeRecorder *recorder);
