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
 *
 * A file only ever speeds a command's acceptance (a QEMU may claim any
 * build, so the file may hold another QEMU's schema); even so it is read
 * only from a directory and files of the effective user that nobody else
 * may write, opened without following links or blocking: a FIFO or a
 * device planted there must not hang the toolstack.
 */
#include "config.h"

#include "qmp-schema-cache.h"
#include "qmp-json-parse.h"

#include "qmp-schema-limits.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define CACHE_FORMAT 1
/* The schema and the file's few other members. */
#define CACHE_MAX_FILE (QMP_SCHEMA_MAX_BYTES + 64 * 1024)

static const QmpJsonScanLimits schema_text_limits = {
  QMP_JSON_TEXT_MAX_DEPTH, QMP_SCHEMA_TEXT_MAX_ELEMENTS
};

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

static char *
cache_file_name (const char *key)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strdup_printf ("qmp-schema-%.32s.json", hash);
}

char *
qmp_schema_cache_path (const char *dir, const char *key)
{
  g_autofree char *name = cache_file_name (key);

  return g_build_filename (dir, name, NULL);
}

/* Why open() with O_NOFOLLOW failed, in words. */
static const char *
open_failure (int saved_errno)
{
  /* O_NOFOLLOW says ELOOP for a link, and with O_DIRECTORY, ENOTDIR. */
  if (saved_errno == ELOOP)
    return "a symbolic link";
  if (saved_errno == ENOTDIR)
    return "a symbolic link or not a directory";
  return g_strerror (saved_errno);
}

/* Whether ST (of an open descriptor) is the effective user's and nobody
 * else may write it; else WHY says what is wrong. */
static gboolean
owned_by_us (const struct stat *st, const char **why)
{
  if (st->st_uid != geteuid ())
    *why = "owned by another user";
  else if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
    *why = "writable by group or others";
  else
    return TRUE;
  return FALSE;
}

/* DIR opened for openat(), or -1 with a debug message when it is missing,
 * a link, not a directory, or not the effective user's alone. */
static int
open_cache_dir (const char *dir)
{
  struct stat st;
  const char *why = NULL;
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT)
    g_debug ("schema cache: no directory %s yet", dir);
  else if (fd < 0)
    g_debug ("schema cache: ignored %s: %s", dir, open_failure (errno));
  if (fd < 0)
    return -1;
  if (fstat (fd, &st) != 0)
    why = g_strerror (errno);
  else if (!S_ISDIR (st.st_mode))
    why = "not a directory";
  else if (owned_by_us (&st, &why))
    return fd;
  g_debug ("schema cache: ignored %s: %s", dir, why);
  close (fd);
  return -1;
}

/* The text of NAME in DIR_FD, or NULL with a debug message when it is not
 * a regular file of at most CACHE_MAX_FILE bytes that only the effective
 * user may write. */
static char *
read_cache_file (int dir_fd, const char *path, const char *name, gsize *len)
{
  g_autofree char *text = NULL;
  struct stat st;
  const char *why = NULL;
  gsize got = 0;
  int fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT)
    g_debug ("schema cache: no %s", path);
  else if (fd < 0)
    g_debug ("schema cache: ignored %s: %s", path, open_failure (errno));
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0)
    why = g_strerror (errno);
  else if (!S_ISREG (st.st_mode))
    why = "not a regular file";
  else if (st.st_size > CACHE_MAX_FILE)
    why = "too large to be a schema";
  else if (owned_by_us (&st, &why))
    {
      /* One byte more than fstat said: a file that grows is not read. */
      text = g_malloc ((gsize) st.st_size + 2);
      while (got <= (gsize) st.st_size)
        {
          gssize n = read (fd, text + got, (gsize) st.st_size + 1 - got);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          got += (gsize) n;
        }
      if (got != (gsize) st.st_size)
        {
          why = "changed while it was read";
          g_clear_pointer (&text, g_free);
        }
    }
  close (fd);
  if (text == NULL)
    {
      g_debug ("schema cache: ignored %s: %s", path, why);
      return NULL;
    }
  text[got] = '\0';
  *len = got;
  return g_steal_pointer (&text);
}

XenQmpSchema *
qmp_schema_cache_load (const char *dir, const char *key)
{
  g_autofree char *path = qmp_schema_cache_path (dir, key);
  g_autofree char *name = cache_file_name (key);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) file_root = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;
  JsonNode *node;
  XenQmpSchema *schema;
  gsize len = 0;
  int dir_fd = open_cache_dir (dir);

  if (dir_fd < 0)
    return NULL;
  text = read_cache_file (dir_fd, path, name, &len);
  close (dir_fd);
  if (text == NULL)
    return NULL;
  file_root = qmp_json_parse (text, len, &schema_text_limits, &error);
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

/* Writes TEXT to NAME in DIR_FD through a new 0600 file renamed over it,
 * so that a reader sees the old file or the new one, never half of one,
 * and a link planted at NAME is replaced, not followed. */
static gboolean
write_cache_file (int dir_fd, const char *name, const char *text, GError **error)
{
  g_autofree char *tmp = g_strdup_printf (".%s.%08x", name, g_random_int ());
  gsize len = strlen (text), done = 0;
  int saved_errno = 0;
  int fd = openat (dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create %s: %s", tmp, g_strerror (saved_errno));
      return FALSE;
    }
  while (done < len && saved_errno == 0)
    {
      gssize n = write (fd, text + done, len - done);

      if (n < 0 && errno != EINTR)
        saved_errno = errno;
      else if (n > 0)
        done += (gsize) n;
    }
  if (saved_errno == 0 && fsync (fd) != 0)
    saved_errno = errno;
  if (close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (saved_errno == 0 && renameat (dir_fd, tmp, dir_fd, name) != 0)
    saved_errno = errno;
  if (saved_errno != 0)
    {
      unlinkat (dir_fd, tmp, 0);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot write %s: %s", name, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

void
qmp_schema_cache_save (const char *dir, const char *key, XenQmpSchema *schema)
{
  g_autofree char *path = qmp_schema_cache_path (dir, key);
  g_autofree char *name = cache_file_name (key);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  int dir_fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_debug ("schema cache: cannot create %s: %s", dir, g_strerror (errno));
      return;
    }
  dir_fd = open_cache_dir (dir);
  if (dir_fd < 0)
    return;
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
  if (!write_cache_file (dir_fd, name, text, &error))
    g_debug ("schema cache: cannot save %s: %s", path, error->message);
  else
    g_debug ("schema cache: saved QEMU %s's schema in %s", key, path);
  close (dir_fd);
}
