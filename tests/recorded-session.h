/* recorded-session.h: a session recorded from a real QEMU, as test data
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fake-qemu/scripts/ holds sessions recorded from QEMU 7.2 (fake-qemu
 * --record). The tests read them back as the commands a client sends and
 * what QEMU answered, to replay them (test-replay) or to cut them short
 * (test-faults).
 */
#pragma once

#include <json-glib/json-glib.h>

typedef struct {
  char       *command;
  JsonObject *args;        /* nullable */
  guint       n_fds;
  JsonNode   *ret;         /* or */
  char       *error_class;
  char       *error_desc;
  GPtrArray  *events;      /* names QEMU sent before the reply */
} RecordedStep;

typedef struct {
  JsonNode  *greeting;     /* the whole greeting message */
  GPtrArray *steps;        /* RecordedStep, after qmp_capabilities */
  GString   *replayable;   /* the script without what the library cannot send */
} RecordedSession;

/* Reads the script at PATH, keeping the commands the library can replay:
 * those after qmp_capabilities (the library sends none before it). */
RecordedSession *recorded_session_load (const char *path);
void             recorded_session_free (RecordedSession *session);

/* The script file names in fake-qemu/scripts/, sorted. */
GPtrArray       *recorded_session_list (void);
char            *recorded_session_path (const char *name);

/* Descriptor numbers are the one thing that differs between two QEMUs:
 * every "fd" member in NODE becomes 0. */
void             recorded_session_mask_fds (JsonNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecordedSession, recorded_session_free)
