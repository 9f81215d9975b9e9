/* schema.h: fake-qemu --schema, the QAPI schema a real QEMU would check
 * commands (and a script's replies) against
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <xenqmp/xenqmp.h>

typedef struct _FakeSchema FakeSchema;

/* A command QEMU refuses before running it. */
typedef struct {
  char     *command;
  GError   *reply;    /* QEMU's error reply: a FAKE_QMP_ERROR, code =
                         class, message = desc */
  gboolean  exact;    /* REPLY's desc is QEMU's word for word; otherwise
                         only its class is sure (see schema-visit.h) */
  char     *problem;  /* for a person: "device_del: no argument 'idd';
                         did you mean 'id'?" */
} FakeSchemaRefusal;

/* Reads PATH: query-qmp-schema's "return" value (a JSON array), or the
 * whole reply. */
FakeSchema  *fake_schema_load            (const char  *path,
                                          GError     **error);
void         fake_schema_free            (FakeSchema  *self);

const char  *fake_schema_get_path        (FakeSchema  *self);
/* What query-qmp-schema returns: the array, as read. */
JsonNode    *fake_schema_get_value       (FakeSchema  *self);

/* NULL when a QEMU with this schema would run COMMAND (with exec-oob when
 * OOB) with ARGUMENTS: the command exists, may run out-of-band if asked
 * to, and its arguments have the form the schema gives. Otherwise what
 * QEMU answers instead. The checks come in QEMU's order: command, OOB,
 * arguments. */
FakeSchemaRefusal *fake_schema_refuse    (FakeSchema  *self,
                                          const char  *command,
                                          gboolean     oob,
                                          JsonObject  *arguments);
void         fake_schema_refusal_free    (FakeSchemaRefusal *refusal);

/* Whether the error reply CLASS_NAME / DESC is what QEMU says for
 * REFUSAL. Before capabilities negotiation QEMU says "Expecting
 * capabilities negotiation..." to every command but qmp_capabilities:
 * that is QEMU's too. */
gboolean     fake_schema_refusal_matches (const FakeSchemaRefusal *refusal,
                                          const char              *class_name,
                                          const char              *desc);

/* Whether VALUE could be COMMAND's "return" value. */
gboolean     fake_schema_check_return    (FakeSchema  *self,
                                          const char  *command,
                                          JsonNode    *value,
                                          GError     **error);
/* Whether EVENT is an event of this QEMU and DATA (NULL: none) its data. */
gboolean     fake_schema_check_event     (FakeSchema  *self,
                                          const char  *event,
                                          JsonObject  *data,
                                          GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeSchema, fake_schema_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeSchemaRefusal, fake_schema_refusal_free)
