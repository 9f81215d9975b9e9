/* qmp-message.c: the QMP messages an idle QEMU sends
 *
 * Members are added in the order of QEMU's schema: where two names share a
 * QDict bucket ("major"/"minor"/"micro", "running"/"singlestep"/"status")
 * that order decides how QEMU prints them, and json-write.c reproduces it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "qmp-message.h"

G_DEFINE_QUARK (fake-qmp-error-quark, fake_qmp_error)

const char *
fake_qmp_error_class_name (FakeQmpError code)
{
  switch (code)
    {
    case FAKE_QMP_ERROR_COMMAND_NOT_FOUND:
      return "CommandNotFound";
    case FAKE_QMP_ERROR_DEVICE_NOT_ACTIVE:
      return "DeviceNotActive";
    case FAKE_QMP_ERROR_DEVICE_NOT_FOUND:
      return "DeviceNotFound";
    case FAKE_QMP_ERROR_KVM_MISSING_CAP:
      return "KVMMissingCap";
    case FAKE_QMP_ERROR_GENERIC_ERROR:
    default:
      return "GenericError";
    }
}

JsonNode *
fake_qmp_object_node_new (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

JsonNode *
fake_qmp_array_node_new (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

JsonNode *
fake_qmp_version_new (void)
{
  JsonObject *qemu = json_object_new ();
  JsonObject *version = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (qemu, "major", FAKE_QEMU_VERSION_MAJOR);
  json_object_set_int_member (qemu, "minor", FAKE_QEMU_VERSION_MINOR);
  json_object_set_int_member (qemu, "micro", FAKE_QEMU_VERSION_MICRO);
  json_object_set_object_member (version, "qemu", qemu);
  json_object_set_string_member (version, "package", FAKE_QEMU_PACKAGE);
  json_node_take_object (node, version);
  return node;
}

JsonNode *
fake_qmp_greeting_new (gboolean offer_oob)
{
  JsonObject *qmp = json_object_new ();
  JsonObject *greeting = json_object_new ();
  JsonArray *capabilities = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (offer_oob)
    json_array_add_string_element (capabilities, "oob");
  json_object_set_member (qmp, "version", fake_qmp_version_new ());
  json_object_set_array_member (qmp, "capabilities", capabilities);
  json_object_set_object_member (greeting, "QMP", qmp);
  json_node_take_object (node, greeting);
  return node;
}

JsonNode *
fake_qmp_return_new (JsonNode *id, JsonNode *value)
{
  JsonObject *reply = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_member (reply, "return", value);
  if (id != NULL)
    json_object_set_member (reply, "id", json_node_copy (id));
  json_node_take_object (node, reply);
  return node;
}

JsonNode *
fake_qmp_error_new_full (JsonNode *id, const char *class_name, const char *desc)
{
  JsonObject *reply = json_object_new ();
  JsonObject *body = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (body, "class", class_name);
  json_object_set_string_member (body, "desc", desc);
  json_object_set_object_member (reply, "error", body);
  if (id != NULL)
    json_object_set_member (reply, "id", json_node_copy (id));
  json_node_take_object (node, reply);
  return node;
}

JsonNode *
fake_qmp_error_new (JsonNode *id, const GError *error)
{
  FakeQmpError code = error->domain == FAKE_QMP_ERROR
                      ? (FakeQmpError) error->code : FAKE_QMP_ERROR_GENERIC_ERROR;

  return fake_qmp_error_new_full (id, fake_qmp_error_class_name (code), error->message);
}

JsonNode *
fake_qmp_event_new (const char *name, JsonObject *data)
{
  JsonObject *event = json_object_new ();
  JsonObject *timestamp = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  gint64 now = g_get_real_time ();

  json_object_set_string_member (event, "event", name);
  if (data != NULL)
    json_object_set_object_member (event, "data", data);
  json_object_set_int_member (timestamp, "seconds", now / G_USEC_PER_SEC);
  json_object_set_int_member (timestamp, "microseconds", now % G_USEC_PER_SEC);
  json_object_set_object_member (event, "timestamp", timestamp);
  json_node_take_object (node, event);
  return node;
}
