/* qmp-schema-cache.c: schemas kept per QEMU build, on disk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A file per QEMU build, named by a hash of the build's key (the package
 * string comes from QEMU and may hold anything, "../" included), holding
 * the key itself so that a file is only ever used for the QEMU it was
 * saved for:
 *
 *   {"xenqmp-schema-cache": 1, "qemu": KEY, "schema": [...]}
 */
#include "config.h"

#include "qmp-schema-cache.h"
#include "qmp-json-parse.h"

#include <errno.h>
#include <glib/gstdio.h>

#define CACHE_FORMAT 1
/* QEMU 7.2's schema is 190 KB: a file far larger is not ours. */
#define CACHE_MAX_FILE (32 * 1024 * 1024)

char *
qmp_schema_cache_key (JsonObject *greeting)
{
  JsonNode *node;
  JsonObject *version, *qemu;
  const char *package = "";

  /* Each step checked: the greeting comes from QEMU. */
  node = greeting != NULL ? json_object_get_member (greeting, "version") : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  version = json_node_get_object (node);
  node = json_object_get_member (version, "qemu");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  qemu = json_node_get_object (node);
  node = json_object_get_member (version, "package");
  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    package = json_node_get_string (node);
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT " (%s)",
                          json_object_get_int_member_with_default (qemu, "major", -1),
                          json_object_get_int_member_with_default (qemu, "minor", -1),
                          json_object_get_int_member_with_default (qemu, "micro", -1),
                          package);
}

char *
qmp_schema_cache_path (const char *dir, const char *key)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strdup_printf ("qmp-schema-%.32s.json", hash);

  return g_build_filename (dir, name, NULL);
}

XenQmpSchema *
qmp_schema_cache_load (const char *dir, const char *key)
{
  g_autofree char *path = qmp_schema_cache_path (dir, key);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) file_root = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;
  JsonNode *node;
  XenQmpSchema *schema;
  GStatBuf st;
  gsize len;

  if (g_stat (path, &st) != 0)
    {
      g_debug ("schema cache: no %s for QEMU %s", path, key);
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > CACHE_MAX_FILE)
    {
      g_debug ("schema cache: ignored %s: not a regular file of at most %u bytes",
               path, CACHE_MAX_FILE);
      return NULL;
    }
  if (!g_file_get_contents (path, &text, &len, &error))
    {
      g_debug ("schema cache: ignored %s: %s", path, error->message);
      return NULL;
    }
  file_root = qmp_json_parse (text, len, NULL, &error);
  if (file_root == NULL || !JSON_NODE_HOLDS_OBJECT (file_root))
    {
      g_debug ("schema cache: ignored %s: not a cache file (%s)", path,
               error != NULL ? error->message : "not a JSON object");
      return NULL;
    }
  root = json_node_get_object (file_root);
  if (json_object_get_int_member_with_default (root, "xenqmp-schema-cache", 0) != CACHE_FORMAT
      || g_strcmp0 (json_object_get_string_member_with_default (root, "qemu", NULL), key) != 0
      || (node = json_object_get_member (root, "schema")) == NULL)
    {
      g_debug ("schema cache: ignored %s: not a version %d cache file for QEMU %s",
               path, CACHE_FORMAT, key);
      return NULL;
    }
  schema = xen_qmp_schema_new (node, &error);
  if (schema == NULL)
    g_debug ("schema cache: ignored %s: %s", path, error->message);
  else
    g_debug ("schema cache: QEMU %s's schema from %s", key, path);
  return schema;
}

void
qmp_schema_cache_save (const char *dir, const char *key, XenQmpSchema *schema)
{
  g_autofree char *path = qmp_schema_cache_path (dir, key);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_debug ("schema cache: cannot create %s: %s", dir, g_strerror (errno));
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "xenqmp-schema-cache");
  json_builder_add_int_value (builder, CACHE_FORMAT);
  json_builder_set_member_name (builder, "qemu");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_value (builder, json_node_ref (xen_qmp_schema_get_json (schema)));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    g_debug ("schema cache: cannot save %s: %s", path, error->message);
  else
    g_debug ("schema cache: saved QEMU %s's schema in %s", key, path);
}
