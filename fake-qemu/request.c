/* request.c: one message from a client, as QEMU's dispatcher sees it
 *
 * The envelope is checked member by member in the order QEMU's QDict
 * yields them, which decides the error reported when several are wrong
 * ("execute" clashing with "exec-oob" is reported as
 * "QMP input member 'execute' clashes with 'exec-oob'").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "request.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "json-write.h"
#include "qmp-message.h"

static void
check_envelope (FakeRequest *request, gboolean allow_oob)
{
  JsonObject *object;
  g_autoptr(GPtrArray) names = NULL;
  const char *exec_key = NULL;
  JsonNode *arguments;

  if (!JSON_NODE_HOLDS_OBJECT (request->message))
    {
      g_set_error_literal (&request->envelope_error, FAKE_QMP_ERROR,
                           FAKE_QMP_ERROR_GENERIC_ERROR,
                           "QMP input must be a JSON object");
      return;
    }
  object = json_node_get_object (request->message);
  request->id = json_object_get_member (object, "id");

  names = fake_json_members_in_qemu_order (object);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      JsonNode *member = json_object_get_member (object, name);

      if (strcmp (name, "execute") == 0
          || (allow_oob && strcmp (name, "exec-oob") == 0))
        {
          if (json_node_get_value_type (member) != G_TYPE_STRING)
            {
              g_set_error (&request->envelope_error, FAKE_QMP_ERROR,
                           FAKE_QMP_ERROR_GENERIC_ERROR,
                           "QMP input member '%s' must be a string", name);
              return;
            }
          if (exec_key != NULL)
            {
              g_set_error (&request->envelope_error, FAKE_QMP_ERROR,
                           FAKE_QMP_ERROR_GENERIC_ERROR,
                           "QMP input member '%s' clashes with '%s'",
                           name, exec_key);
              return;
            }
          exec_key = name;
        }
      else if (strcmp (name, "arguments") == 0)
        {
          if (!JSON_NODE_HOLDS_OBJECT (member))
            {
              g_set_error_literal (&request->envelope_error, FAKE_QMP_ERROR,
                                   FAKE_QMP_ERROR_GENERIC_ERROR,
                                   "QMP input member 'arguments' must be an object");
              return;
            }
        }
      else if (strcmp (name, "id") != 0)
        {
          g_set_error (&request->envelope_error, FAKE_QMP_ERROR,
                       FAKE_QMP_ERROR_GENERIC_ERROR,
                       "QMP input member '%s' is unexpected", name);
          return;
        }
    }
  if (exec_key == NULL)
    {
      g_set_error_literal (&request->envelope_error, FAKE_QMP_ERROR,
                           FAKE_QMP_ERROR_GENERIC_ERROR,
                           "QMP input lacks member 'execute'");
      return;
    }

  request->oob = strcmp (exec_key, "exec-oob") == 0;
  request->command = json_object_get_string_member (object, exec_key);
  arguments = json_object_get_member (object, "arguments");
  request->arguments = arguments != NULL
                       ? json_object_ref (json_node_get_object (arguments))
                       : json_object_new ();
}

FakeRequest *
fake_request_new (guint64   serial,
                  JsonNode *message,
                  GError   *parse_error,
                  gboolean  allow_oob)
{
  FakeRequest *request = g_new0 (FakeRequest, 1);

  g_return_val_if_fail ((message == NULL) != (parse_error == NULL), request);

  request->ref_count = 1;
  request->serial = serial;
  request->message = message;
  request->parse_error = parse_error;
  request->fds = g_array_new (FALSE, FALSE, sizeof (int));
  if (message != NULL)
    check_envelope (request, allow_oob);
  return request;
}

FakeRequest *
fake_request_ref (FakeRequest *request)
{
  request->ref_count++;
  return request;
}

void
fake_request_unref (FakeRequest *request)
{
  if (request == NULL || --request->ref_count > 0)
    return;
  for (guint i = 0; i < request->fds->len; i++)
    if (close (g_array_index (request->fds, int, i)) < 0)
      g_debug ("close: %s", g_strerror (errno));
  g_array_unref (request->fds);
  if (request->arguments != NULL)
    json_object_unref (request->arguments);
  if (request->message != NULL)
    json_node_unref (request->message);
  g_clear_error (&request->parse_error);
  g_clear_error (&request->envelope_error);
  g_free (request);
}

void
fake_request_add_fds (FakeRequest *request, const int *fds, guint n_fds)
{
  g_array_append_vals (request->fds, fds, n_fds);
  request->n_fds_received += n_fds;
}

int
fake_request_steal_fd (FakeRequest *request)
{
  int fd;

  if (request->fds->len == 0)
    return -1;
  fd = g_array_index (request->fds, int, 0);
  g_array_remove_index (request->fds, 0);
  return fd;
}

const GError *
fake_request_get_error (FakeRequest *request)
{
  return request->parse_error != NULL ? request->parse_error : request->envelope_error;
}

char *
fake_request_describe (FakeRequest *request, gsize max)
{
  g_autofree char *text = NULL;

  if (request->message == NULL)
    return g_strdup_printf ("(%s)", request->parse_error->message);
  text = fake_json_to_string (request->message);
  if (strlen (text) > max)
    return g_strdup_printf ("%.*s...", (int) max, text);
  return g_steal_pointer (&text);
}
