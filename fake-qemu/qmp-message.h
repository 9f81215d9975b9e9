/* qmp-message.h: the QMP messages an idle QEMU sends, and its error classes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* The version the fake claims to be. */
#define FAKE_QEMU_VERSION_MAJOR 7
#define FAKE_QEMU_VERSION_MINOR 2
#define FAKE_QEMU_VERSION_MICRO 0
#define FAKE_QEMU_PACKAGE       "fake-qemu"

/* QMP error classes (QEMU's QapiErrorClass); the code of a FAKE_QMP_ERROR
 * is the class of the error reply. A GError of any other domain is sent as
 * a GenericError. */
typedef enum {
  FAKE_QMP_ERROR_GENERIC_ERROR,
  FAKE_QMP_ERROR_COMMAND_NOT_FOUND,
  FAKE_QMP_ERROR_DEVICE_NOT_ACTIVE,
  FAKE_QMP_ERROR_DEVICE_NOT_FOUND,
  FAKE_QMP_ERROR_KVM_MISSING_CAP,
} FakeQmpError;

#define FAKE_QMP_ERROR (fake_qmp_error_quark ())
GQuark      fake_qmp_error_quark      (void);

/* "GenericError", "CommandNotFound", ...: the wire name of CODE. */
const char *fake_qmp_error_class_name (FakeQmpError code);

/* A node holding OBJECT (taken). */
JsonNode   *fake_qmp_object_node_new  (JsonObject   *object);
/* A node holding ARRAY (taken). */
JsonNode   *fake_qmp_array_node_new   (JsonArray    *array);

/* {"QMP": {"version": ..., "capabilities": ["oob"] or []}} */
JsonNode   *fake_qmp_greeting_new     (gboolean      offer_oob);

/* The value of query-version (also the greeting's "version"). */
JsonNode   *fake_qmp_version_new      (void);

/* {"return": VALUE, "id": ID}; ID is copied and may be NULL (no "id"). */
JsonNode   *fake_qmp_return_new       (JsonNode     *id,
                                       JsonNode     *value);

/* {"id": ID, "error": {"class": CLASS_NAME, "desc": DESC}}: any class,
 * as a script may ask for one QEMU never sends. */
JsonNode   *fake_qmp_error_new_full   (JsonNode     *id,
                                       const char   *class_name,
                                       const char   *desc);

/* {"id": ID, "error": {"class": ..., "desc": ERROR's message}} */
JsonNode   *fake_qmp_error_new        (JsonNode     *id,
                                       const GError *error);

/* {"timestamp": {"seconds": S, "microseconds": US}, "event": NAME,
 *  "data": DATA}, with the current wall clock time as QEMU stamps it.
 * DATA is consumed and may be NULL: QEMU then sends no "data" member. */
JsonNode   *fake_qmp_event_new        (const char   *name,
                                       JsonObject   *data);
