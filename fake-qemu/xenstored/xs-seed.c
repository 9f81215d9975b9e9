/* xs-seed.c: a Xen host's layout in the fake store (--domain, --seed)
 *
 * What libxl writes for a running HVM guest, as far as a QMP client looks:
 *   /local/domain/<domid>/{name,domid,vm}, /vm/<uuid>/{uuid,name},
 *   /libxl/<domid>/dm-version, /local/domain/<0 or stub>/device-model/<domid>/state,
 * and with a stub domain /local/domain/<domid>/image/device-model-domid
 * plus the stub domain's own /local/domain/<stubdom> with its "target".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-xenstored"

#include "xs-seed.h"

#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "xs-path.h"

/* Xen's DOMID_FIRST_RESERVED: domids above are not domains. */
#define DOMID_MAX 0x7FEFU

static gboolean
parse_domid (const char *text, const char *what, guint *domid, GError **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, DOMID_MAX, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: \"%s\" is not a domid (1 to %u)", what, text, DOMID_MAX);
      return FALSE;
    }
  *domid = (guint) value;
  return TRUE;
}

static void
replace (char **field, const char *value)
{
  g_free (*field);
  *field = strcmp (value, "none") == 0 ? NULL : g_strdup (value);
}

XsDomainSpec *
xs_domain_spec_parse (const char *arg, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (arg, ",", -1);
  g_autoptr(XsDomainSpec) spec = g_new0 (XsDomainSpec, 1);

  if (!parse_domid (parts[0], "--domain", &spec->domid, error))
    return NULL;
  spec->name = g_strdup_printf ("fake-%u", spec->domid);
  spec->uuid = g_strdup_printf ("00000000-0000-4000-8000-%012x", spec->domid);
  spec->dm_version = g_strdup ("qemu_xen");
  spec->dm_state = g_strdup ("running");
  for (guint i = 1; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *key = eq != NULL ? g_strndup (parts[i], (gsize) (eq - parts[i])) : NULL;
      const char *value = eq != NULL ? eq + 1 : NULL;

      if (key == NULL || *value == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--domain %s: \"%s\" is not KEY=VALUE", arg, parts[i]);
          return NULL;
        }
      if (strcmp (key, "name") == 0)
        replace (&spec->name, value);
      else if (strcmp (key, "uuid") == 0)
        replace (&spec->uuid, value);
      else if (strcmp (key, "dm-version") == 0)
        replace (&spec->dm_version, value);
      else if (strcmp (key, "dm-state") == 0)
        replace (&spec->dm_state, value);
      else if (strcmp (key, "stubdom") == 0)
        {
          if (!parse_domid (value, "--domain stubdom", &spec->stubdom, error))
            return NULL;
        }
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--domain %s: unknown option \"%s\" (name, uuid, dm-version, "
                       "dm-state, stubdom)", arg, key);
          return NULL;
        }
    }
  if (spec->name == NULL || spec->uuid == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--domain %s: a domain needs a name and a uuid", arg);
      return NULL;
    }
  if (spec->stubdom == spec->domid)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--domain %s: a domain cannot be its own stub domain", arg);
      return NULL;
    }
  return g_steal_pointer (&spec);
}

void
xs_domain_spec_free (XsDomainSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->name);
  g_free (spec->uuid);
  g_free (spec->dm_version);
  g_free (spec->dm_state);
  g_free (spec);
}

static void
put (XsStore *store, const char *value, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
put (XsStore *store, const char *value, const char *format, ...)
{
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, format);
  path = g_strdup_vprintf (format, args);
  va_end (args);
  xs_store_write (store, path, value, strlen (value));
}

/* Dom0 owns everything; the domain may read its own nodes (libxl's
 * "n0 r<domid>"). */
static void
let_domain_read (XsStore *store, const char *path, guint domid)
{
  g_autofree char *reader = g_strdup_printf ("r%u", domid);
  g_autoptr(GByteArray) perms = g_byte_array_new ();

  g_byte_array_append (perms, (const guint8 *) "n0", sizeof "n0");
  g_byte_array_append (perms, (const guint8 *) reader, (guint) strlen (reader) + 1);
  xs_store_set_perms (store, path, (const char *) perms->data, perms->len);
}

static void
seed_domain_node (XsStore *store, guint domid, const char *name, const char *uuid)
{
  g_autofree char *domid_str = g_strdup_printf ("%u", domid);
  g_autofree char *home = g_strdup_printf ("/local/domain/%u", domid);
  g_autofree char *vm = g_strdup_printf ("/vm/%s", uuid);

  put (store, "", "%s", home);
  if (domid != 0)
    let_domain_read (store, home, domid);
  put (store, name, "%s/name", home);
  put (store, domid_str, "%s/domid", home);
  put (store, vm, "%s/vm", home);
  put (store, uuid, "%s/uuid", vm);
  put (store, name, "%s/name", vm);
}

static void
seed_domain (XsStore *store, const XsDomainSpec *spec)
{
  seed_domain_node (store, spec->domid, spec->name, spec->uuid);
  if (spec->dm_version != NULL)
    put (store, spec->dm_version, "/libxl/%u/dm-version", spec->domid);
  /* libxl writes the state under the domain that runs the device model:
   * dom0, or the stub domain. */
  if (spec->dm_state != NULL)
    put (store, spec->dm_state, "/local/domain/%u/device-model/%u/state",
         spec->stubdom, spec->domid);
  if (spec->stubdom != 0)
    {
      g_autofree char *stub_name = g_strdup_printf ("%s-dm", spec->name);
      g_autofree char *stub_uuid = g_strdup_printf ("00000000-0000-4000-8001-%012x",
                                                    spec->stubdom);
      g_autofree char *stub_str = g_strdup_printf ("%u", spec->stubdom);
      g_autofree char *target_str = g_strdup_printf ("%u", spec->domid);

      put (store, stub_str, "/local/domain/%u/image/device-model-domid", spec->domid);
      seed_domain_node (store, spec->stubdom, stub_name, stub_uuid);
      put (store, target_str, "/local/domain/%u/target", spec->stubdom);
    }
}

gboolean
xs_seed_domains (XsServer *server, GPtrArray *specs, GError **error)
{
  XsStore *store = xs_server_get_store (server);
  g_autoptr(GHashTable) taken = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < specs->len; i++)
    {
      const XsDomainSpec *spec = g_ptr_array_index (specs, i);
      guint clash = 0;

      if (!g_hash_table_add (taken, GUINT_TO_POINTER (spec->domid)))
        clash = spec->domid;
      else if (spec->stubdom != 0 && !g_hash_table_add (taken, GUINT_TO_POINTER (spec->stubdom)))
        clash = spec->stubdom;
      if (clash != 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "domain %u is given twice (as a domain or a stub domain)", clash);
          return FALSE;
        }
    }

  /* A bare fake starts as xenstored does (setup_structure(),
   * xenstored_core.c: "/", "/tool", "/tool/xenstored"); dom0's nodes come
   * from xen-init-dom0 and libxl on a real host, so with the domains. */
  if (specs->len == 0)
    return TRUE;
  seed_domain_node (store, 0, "Domain-0", "00000000-0000-0000-0000-000000000000");
  xs_store_mkdir (store, "/libxl");
  for (guint i = 0; i < specs->len; i++)
    seed_domain (store, g_ptr_array_index (specs, i));
  return TRUE;
}

gboolean
xs_seed_file (XsServer *server, const char *file, GError **error)
{
  XsStore *store = xs_server_get_store (server);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonObjectIter iter;
  const char *path;
  JsonNode *value;

  if (!json_parser_load_from_mapped_file (parser, file, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: expected a JSON object of path → value", file);
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &path, &value))
    {
      GType type = json_node_get_value_type (value);

      if (!xs_path_is_valid (path))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: \"%s\" is not an absolute xenstore path", file, path);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_NULL (value))
        xs_store_rm (store, path);
      else if (type == G_TYPE_STRING)
        xs_store_write (store, path, json_node_get_string (value),
                        strlen (json_node_get_string (value)));
      else if (type == G_TYPE_INT64)
        {
          g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
          xs_store_write (store, path, text, strlen (text));
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: the value of \"%s\" is not a string, an integer or null",
                       file, path);
          return FALSE;
        }
    }
  return TRUE;
}

void
xs_seed_introduce_domains (XsServer *server)
{
  g_autoptr(GByteArray) names = g_byte_array_new ();
  gsize start = 0;

  if (xs_store_directory (xs_server_get_store (server), "/local/domain", names, NULL) != 0)
    return;
  while (start < names->len)
    {
      const char *name = (const char *) names->data + start;
      guint64 domid;

      if (g_ascii_string_to_unsigned (name, 10, 1, DOMID_MAX, &domid, NULL)
          && xs_server_introduce_domain (server, (guint) domid) != 0)
        g_message ("domain %s is not introduced: the hypervisor does not have it", name);
      start += strlen (name) + 1;
    }
}
