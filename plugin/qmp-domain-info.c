/* qmp-domain-info.c: what xenstore says about a domain's device model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-domain-info.h"

#include <string.h>
#include <gio/gio.h>

/* Domain ids are below DOMID_FIRST_RESERVED (0x7ff0). */
#define MAX_DOMID 0x7fef

static gboolean
parse_domid (const char *text, guint32 *domid)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, MAX_DOMID, &value, NULL))
    return FALSE;
  *domid = (guint32) value;
  return TRUE;
}

char *
qmp_domain_info_dm_state_path (const QmpDomainInfo *info)
{
  return g_strdup_printf ("/local/domain/%u/device-model/%u/state",
                          info->stub_domid, info->domid);
}

gboolean
qmp_domain_info_read (QmpXenstore    *xs,
                      guint32         domid,
                      QmpDomainInfo  *info,
                      GError        **error)
{
  g_autofree char *dom_path = g_strdup_printf ("/local/domain/%u", domid);
  g_autofree char *version_path = g_strdup_printf ("/libxl/%u/dm-version", domid);
  g_autofree char *stub_path = g_strdup_printf ("/local/domain/%u/image/device-model-domid", domid);
  g_autofree char *vm_path = g_strdup_printf ("/local/domain/%u/vm", domid);
  g_autofree char *state_path = NULL;
  g_autofree char *version = NULL;
  g_autofree char *stub = NULL;
  g_autofree char *vm = NULL;
  const char *slash;

  memset (info, 0, sizeof *info);
  info->domid = info->dm_domid = domid;

  if (!qmp_xenstore_exists (xs, dom_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "domain %u does not exist (no %s in xenstore)", domid, dom_path);
      return FALSE;
    }

  version = qmp_xenstore_read (xs, version_path, NULL);
  if (version == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "domain %u has no QEMU device model (no %s in xenstore)",
                   domid, version_path);
      return FALSE;
    }
  if (strcmp (version, "qemu_xen") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   strcmp (version, "qemu_xen_traditional") == 0
                   ? "domain %u runs qemu-xen-traditional (%s = %s), which has no QMP"
                   : "domain %u has a device model that does not speak QMP (%s = %s)",
                   domid, version_path, version);
      return FALSE;
    }

  stub = qmp_xenstore_read (xs, stub_path, NULL);
  if (stub != NULL && !parse_domid (stub, &info->dm_domid))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "domain %u: %s is not a domain id: \"%s\"", domid, stub_path, stub);
      return FALSE;
    }
  if (stub != NULL)
    info->stub_domid = info->dm_domid;

  /* /local/domain/<domid>/vm is "/vm/<uuid>": libxl names its lock after
   * that uuid. */
  vm = qmp_xenstore_read (xs, vm_path, NULL);
  slash = vm != NULL ? strrchr (vm, '/') : NULL;
  if (slash == NULL || slash[1] == '\0' || strchr (slash + 1, '.') != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "domain %u: no usable uuid in %s (\"%s\")", domid, vm_path,
                   vm != NULL ? vm : "");
      return FALSE;
    }
  info->uuid = g_strdup (slash + 1);
  state_path = qmp_domain_info_dm_state_path (info);
  info->dm_state = qmp_xenstore_read (xs, state_path, NULL);
  return TRUE;
}

gboolean
qmp_domain_info_dm_ready (const QmpDomainInfo *info)
{
  return g_strcmp0 (info->dm_state, "running") == 0;
}

char *
qmp_domain_info_lock_path (const QmpDomainInfo *info, const char *lib_dir)
{
  g_autofree char *name = g_strdup_printf ("userdata-l.%u.%s.qmp-socket-lock",
                                           info->domid, info->uuid);

  return g_build_filename (lib_dir, name, NULL);
}

void
qmp_domain_info_clear (QmpDomainInfo *info)
{
  g_clear_pointer (&info->uuid, g_free);
  g_clear_pointer (&info->dm_state, g_free);
}
