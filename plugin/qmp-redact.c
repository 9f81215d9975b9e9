/* qmp-redact.c: what the wire trace must not show
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs only for a trace that is shown: its cost is not on the data path.
 */
#include "config.h"

#include "qmp-redact.h"

#include <string.h>

/* Substrings of member names that hold secrets or name them. A secret's
 * id ("password-secret": "sec0") is hidden too: harmless, and one rule
 * that cannot miss a driver's new option is worth more than a list of
 * drivers. */
static const char *const secret_words[] = {
  "password", "passwd", "passphrase", "secret", "token", "credential", "cookie",
};

/* Case-insensitively, without a copy per member of a large reply. */
static gboolean
is_secret_name (const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    for (gsize i = 0; i < G_N_ELEMENTS (secret_words); i++)
      if (g_ascii_tolower (*p) == secret_words[i][0]
          && g_ascii_strncasecmp (p, secret_words[i], strlen (secret_words[i])) == 0)
        return TRUE;
  return FALSE;
}

/* Untrusted input: json-glib's typed getters complain about wrong types. */
static gboolean
holds_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && holds_string (node) ? json_node_get_string (node) : NULL;
}

/* object-add of a "secret" (or "secret_keyring") carries its value in
 * "data", flat or (before QEMU 6.0) in "props". */
static gboolean
is_secret_object (JsonObject *object)
{
  const char *type = string_member (object, "qom-type");

  return type != NULL && g_str_has_prefix (type, "secret");
}

/* {"name": "data", "value": ...}: a property and its value, as
 * qom-list-get returns them. */
static gboolean
names_secret_value (JsonObject *object)
{
  const char *name = string_member (object, "name");

  return name != NULL && (strcmp (name, "data") == 0 || is_secret_name (name));
}

static JsonNode *
redacted_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, QMP_REDACTED);
  return node;
}

static gboolean
ends_url_part (char c, gboolean in_query)
{
  return c == '\0' || g_ascii_isspace (c) || c == '"' || c == '\'' || c == '#'
         || (!in_query && (c == '/' || c == '?')) || (in_query && c == ',');
}

/* Appends TEXT up to END to *OUT (created on first use), then "<redacted>". */
static void
append_redacted (GString **out, const char *text, const char *end)
{
  if (*out == NULL)
    *out = g_string_new (NULL);
  g_string_append_len (*out, text, end - text);
  g_string_append (*out, QMP_REDACTED);
}

/* TEXT with the userinfo and the query of every scheme://authority URL
 * replaced; NULL when there is nothing to replace. */
static char *
redact_urls (const char *text)
{
  GString *out = NULL;
  const char *done = text;
  const char *p = text;

  while ((p = strstr (p, "://")) != NULL)
    {
      const char *end = p + 3;
      const char *at = NULL;

      for (; !ends_url_part (*end, FALSE); end++)
        if (*end == '@')
          at = end;
      if (at != NULL)
        {
          append_redacted (&out, done, p + 3);
          done = at;
        }
      /* The path, then its query: signed URLs carry their key there. */
      while (!ends_url_part (*end, TRUE) && *end != '?')
        end++;
      if (*end == '?' && !ends_url_part (end[1], TRUE))
        {
          append_redacted (&out, done, end + 1);
          for (end++; !ends_url_part (*end, TRUE); end++)
            ;
          done = end;
        }
      p = end;
    }
  if (out == NULL)
    return NULL;
  g_string_append (out, done);
  return g_string_free (out, FALSE);
}

/* Where an object is in a message: the rules of commands apply to their
 * arguments only. */
typedef enum {
  IN_TREE,       /* anywhere below */
  IN_MESSAGE,    /* the message itself */
  IN_ARGUMENTS,  /* a command's "arguments" */
} Place;

static JsonNode *redact_object (JsonObject *in, gboolean secret, Place place,
                                const char *command);

/* SECRET: NODE is the "props" of a secret object. */
static JsonNode *
redact_tree (JsonNode *node, gboolean secret)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return redact_object (json_node_get_object (node), secret, IN_TREE, NULL);
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *in = json_node_get_array (node);
      JsonArray *out = json_array_sized_new (json_array_get_length (in));
      JsonNode *result;

      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, redact_tree (json_array_get_element (in, i), FALSE));
      result = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (result, out);
      return result;
    }
  if (holds_string (node))
    {
      g_autofree char *text = redact_urls (json_node_get_string (node));

      if (text != NULL)
        {
          JsonNode *result = json_node_new (JSON_NODE_VALUE);

          json_node_set_string (result, text);
          return result;
        }
    }
  return json_node_copy (node);
}

#define HMP_BLANKS " \t\r\n\v\f"

/* An HMP line shows its command word only: "change vnc password x",
 * "object_add secret,id=s,data=x" and the like carry secrets after it. */
static JsonNode *
redact_hmp_line (JsonNode *line)
{
  const char *text;
  gsize word;
  g_autofree char *shown = NULL;
  JsonNode *result;

  if (!holds_string (line))
    return redacted_node ();
  /* The word as HMP's command table spells them: anything else after it,
   * even without a blank, is an argument. */
  text = json_node_get_string (line);
  text += strspn (text, HMP_BLANKS);
  word = strspn (text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
  if (text[word + strspn (text + word, HMP_BLANKS)] == '\0')
    return json_node_copy (line);
  shown = g_strdup_printf ("%.*s " QMP_REDACTED, (int) word, text);
  result = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (result, shown);
  return result;
}

/* The members of COMMAND's arguments that are secret whatever their name. */
static gboolean
is_secret_argument (const char *command, const char *name)
{
  static const struct {
    const char *command;
    const char *argument;
  } secret_arguments[] = {
    { "qom-set", "value" },            /* a secret's data, among others */
    { "send-key", "keys" },            /* typed into the guest: a passphrase? */
    { "input-send-event", "events" },
    { "change", "arg" },               /* change vnc password, before 6.0 */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (secret_arguments); i++)
    if (strcmp (command, secret_arguments[i].command) == 0
        && strcmp (name, secret_arguments[i].argument) == 0)
      return TRUE;
  return FALSE;
}

/* MEMBER, named NAME, of an object in PLACE; SECRET: the object is a
 * secret object or its "props". */
static JsonNode *
redact_member (const char *name, JsonNode *member, gboolean secret,
               gboolean value_is_secret, Place place, const char *command)
{
  if (is_secret_name (name) || (secret && strcmp (name, "data") == 0)
      || (value_is_secret && strcmp (name, "value") == 0))
    return redacted_node ();
  switch (place)
    {
    case IN_MESSAGE:
      if (strcmp (name, "arguments") == 0 && command != NULL
          && JSON_NODE_HOLDS_OBJECT (member))
        return redact_object (json_node_get_object (member), FALSE, IN_ARGUMENTS, command);
      /* A reply does not say what it answers: a string is hidden whatever
       * the command (qom-get of a secret's data, HMP output). */
      if (strcmp (name, "return") == 0 && holds_string (member))
        return redacted_node ();
      break;
    case IN_ARGUMENTS:
      if (is_secret_argument (command, name))
        return redacted_node ();
      if (strcmp (command, "human-monitor-command") == 0
          && strcmp (name, "command-line") == 0)
        return redact_hmp_line (member);
      break;
    case IN_TREE:
      break;
    }
  return redact_tree (member, secret && strcmp (name, "props") == 0);
}

static JsonNode *
redact_object (JsonObject *in, gboolean secret, Place place, const char *command)
{
  g_autoptr(JsonObject) out = json_object_new ();
  gboolean value_is_secret = names_secret_value (in);
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  JsonNode *result;

  secret = secret || is_secret_object (in);
  json_object_iter_init_ordered (&iter, in);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (out, name, redact_member (name, member, secret, value_is_secret,
                                                      place, command));
  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, g_steal_pointer (&out));
  return result;
}

JsonNode *
qmp_redact_message (JsonNode *message)
{
  JsonObject *object;
  const char *command;

  if (!JSON_NODE_HOLDS_OBJECT (message))
    return redact_tree (message, FALSE);
  object = json_node_get_object (message);
  command = string_member (object, "execute");
  if (command == NULL)
    command = string_member (object, "exec-oob");
  return redact_object (object, FALSE, IN_MESSAGE, command);
}
