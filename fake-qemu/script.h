/* script.h: a fake-qemu script, the steps of a scripted QMP session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hostile-fds.h"

/* One line of a script. The format is documented in fake-qemu/README.md
 * and fake-qemu(1). */
typedef enum {
  FAKE_STEP_GREETING,      /* the greeting of the next client, or none */
  FAKE_STEP_EXPECT,        /* a command from the client, and its reply */
  FAKE_STEP_EVENT,         /* an event sent to the client */
  FAKE_STEP_SLEEP,         /* a pause between steps */
  FAKE_STEP_RAW,           /* bytes sent verbatim */
  FAKE_STEP_DISCONNECT,    /* the fake closes the connection */
  FAKE_STEP_EXPECT_CLOSE,  /* the client must close the connection */
  FAKE_STEP_STOP_READING,  /* the fake reads nothing more from the client */
} FakeStepKind;

typedef enum {
  FAKE_REPLY_RETURN,       /* {"return": VALUE} */
  FAKE_REPLY_ERROR,        /* {"error": {"class": ..., "desc": ...}} */
  FAKE_REPLY_SWALLOW,      /* no reply, ever */
  FAKE_REPLY_RAW,          /* bytes as written, "$id" replaced by the id */
} FakeReplyKind;

typedef struct {
  FakeStepKind  kind;
  guint         line;          /* in the script file, from 1 */
  guint         socket;        /* index of the --socket it plays on */
  guint         delay_ms;      /* before the step (for expect: before the reply) */
  char         *text;          /* the line as written, for reports */

  /* FAKE_STEP_GREETING: the message, or NULL for no greeting at all. */
  JsonNode     *greeting;

  /* FAKE_STEP_EXPECT */
  char         *command;
  JsonObject   *args;          /* NULL: any arguments */
  gboolean      args_subset;   /* ARGS need only be among the arguments */
  gint          n_fds;         /* -1: any number */
  gboolean      optional;      /* the client may not send it at all: the
                                  lane does not wait for it (see
                                  script-run.c) */
  FakeReplyKind reply;
  JsonNode     *value;         /* FAKE_REPLY_RETURN */
  char         *error_class;   /* FAKE_REPLY_ERROR */
  char         *error_desc;
  char         *raw_reply;     /* FAKE_REPLY_RAW */
  GPtrArray    *events;        /* FakeStep (FAKE_STEP_EVENT) sent before the
                                  reply, as QEMU sends the events a command
                                  causes; NULL: none */

  /* FAKE_STEP_EVENT */
  char         *event;
  JsonObject   *data;          /* NULL: no "data" member */
  JsonObject   *timestamp;     /* NULL: the current time */

  /* FAKE_STEP_RAW */
  GBytes       *raw;

  /* How FAKE_STEP_RAW's bytes, or FAKE_STEP_EXPECT's reply, are sent:
   * in pieces of CHUNK bytes (0: at once) INTERVAL_MS apart, the first
   * piece carrying SEND_FDS descriptors of FD_KIND (lingering sockets
   * linger LINGER_S seconds); without chunks, they go with the first
   * byte of line FDS_LINE (from 0) of the bytes. */
  guint         chunk;
  guint         interval_ms;
  guint         send_fds;
  guint         fds_line;
  FakeFdKind    fd_kind;
  guint         linger_s;

  /* FAKE_STEP_DISCONNECT: -1 at once, else after this many bytes of the
   * next message the script sends. */
  gint64        after_bytes;
  /* The fake stops reading when the step comes, and closes with unread
   * input, so that the client's next read fails with ECONNRESET. */
  gboolean      reset;
} FakeStep;

/* How long one repeated raw step may be. */
#define FAKE_SCRIPT_RAW_MAX (256u << 20)

typedef struct {
  char      *path;
  GPtrArray *steps;            /* FakeStep, in file order */
} FakeScript;

/* Reads PATH. A syntax or format error is reported as
 * "PATH:LINE:COLUMN: what is wrong". */
FakeScript *fake_script_load       (const char  *path,
                                    GError     **error);
/* Parses TEXT as the content of a script named PATH. */
FakeScript *fake_script_parse      (const char  *path,
                                    const char  *text,
                                    gsize        length,
                                    GError     **error);
void        fake_script_free       (FakeScript  *script);

/* What the step waits for or does, to follow "expected" in a report:
 * "'query-status'", "the client to close", ... */
char       *fake_step_describe     (const FakeStep *step);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeScript, fake_script_free)
