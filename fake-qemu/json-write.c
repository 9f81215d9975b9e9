/* json-write.c: JSON text exactly as QEMU writes it
 *
 * A client under test sees QEMU's bytes, so the fake writes the same ones.
 * QEMU keeps a JSON object in a QDict, a hash table of 512 buckets iterated
 * in bucket order (newest member first within a bucket), and that is the
 * order in which it prints the members: "return" before "id", but "id"
 * before "error". Reproducing the hash reproduces every member order seen
 * on the wire, including those of ids that QEMU echoes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "json-write.h"

#include <string.h>

#include "utf8.h"

#define QDICT_BUCKETS 512

typedef struct {
  guint       bucket;
  guint       position;
  const char *name;
  JsonNode   *value;
} Member;

/* The hash QEMU's QDict uses (tdb's). */
static guint
qdict_bucket (const char *name)
{
  guint32 value = 0x238F13AFu * (guint32) strlen (name);

  for (gsize i = 0; name[i] != '\0'; i++)
    value += (guint32) (guchar) name[i] << (i * 5 % 24);
  return (1103515243u * value + 12345u) % QDICT_BUCKETS;
}

static int
compare_members (gconstpointer a, gconstpointer b)
{
  const Member *ma = a, *mb = b;

  if (ma->bucket != mb->bucket)
    return ma->bucket < mb->bucket ? -1 : 1;
  /* QDict inserts at the head of a bucket's list. */
  return ma->position < mb->position ? 1 : (ma->position > mb->position ? -1 : 0);
}

static void
write_string (GString *out, const char *s)
{
  gsize len = strlen (s);
  gsize i = 0;

  g_string_append_c (out, '"');
  while (i < len)
    {
      gsize consumed;
      gint32 cp = fake_utf8_decode (s + i, len - i, &consumed);

      i += consumed;
      switch (cp)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (cp < 0)
            cp = 0xFFFD;
          if (cp > 0xFFFF)
            g_string_append_printf (out, "\\u%04X\\u%04X",
                                    0xD800 + ((cp - 0x10000) >> 10),
                                    0xDC00 + ((cp - 0x10000) & 0x3FF));
          else if (cp < 0x20 || cp >= 0x7F)
            g_string_append_printf (out, "\\u%04X", (guint) cp);
          else
            g_string_append_c (out, (char) cp);
        }
    }
  g_string_append_c (out, '"');
}

static GArray *
sorted_members (JsonObject *object)
{
  GArray *members = g_array_new (FALSE, FALSE, sizeof (Member));
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      Member m = { qdict_bucket (name), members->len, name, value };
      g_array_append_val (members, m);
    }
  g_array_sort (members, compare_members);
  return members;
}

GPtrArray *
fake_json_members_in_qemu_order (JsonObject *object)
{
  g_autoptr(GArray) members = sorted_members (object);
  GPtrArray *names = g_ptr_array_sized_new (members->len);

  for (guint i = 0; i < members->len; i++)
    g_ptr_array_add (names, (gpointer) g_array_index (members, Member, i).name);
  return names;
}

static void
write_object (GString *out, JsonObject *object)
{
  g_autoptr(GArray) members = sorted_members (object);

  g_string_append_c (out, '{');
  for (guint i = 0; i < members->len; i++)
    {
      const Member *m = &g_array_index (members, Member, i);

      if (i > 0)
        g_string_append (out, ", ");
      write_string (out, m->name);
      g_string_append (out, ": ");
      fake_json_write (out, m->value);
    }
  g_string_append_c (out, '}');
}

static void
write_array (GString *out, JsonArray *array)
{
  guint n = json_array_get_length (array);

  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      fake_json_write (out, json_array_get_element (array, i));
    }
  g_string_append_c (out, ']');
}

static void
write_value (GString *out, JsonNode *node)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.17g",
                                             json_node_get_double (node)));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
      write_string (out, json_node_get_string (node));
      break;
    default:
      g_return_if_reached ();
    }
}

void
fake_json_write (GString *out, JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      write_object (out, json_node_get_object (node));
      break;
    case JSON_NODE_ARRAY:
      write_array (out, json_node_get_array (node));
      break;
    case JSON_NODE_VALUE:
      write_value (out, node);
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    default:
      g_return_if_reached ();
    }
}

char *
fake_json_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  fake_json_write (out, node);
  return g_string_free (out, FALSE);
}

JsonNode *
fake_json_copy_printed (JsonNode *node)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      JsonObject *reversed = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &value))
        g_ptr_array_add (names, (gpointer) name);
      /* Reversed insertion: within a QDict bucket the newest member comes
       * first, so the members of a bucket come out in the order written;
       * across buckets QEMU's order is the only one there is. */
      for (guint i = names->len; i-- > 0;)
        {
          const char *member = g_ptr_array_index (names, i);

          json_object_set_member (reversed, member,
                                  fake_json_copy_printed (json_object_get_member (object, member)));
        }
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, reversed);
      return copy;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *elements = json_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (elements, fake_json_copy_printed (json_array_get_element (array, i)));
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (copy, elements);
      return copy;
    }
  return json_node_copy (node);
}
