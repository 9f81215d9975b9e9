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

/* libxl writes /local/domain/<domid>/vm as "/vm/<uuid>" (libxl_create.c,
 * libxl__domain_make()), the uuid as LIBXL_UUID_FMT prints it: 8-4-4-4-12
 * lowercase hex digits. libxl names the lock file (libxl_dom.c,
 * libxl__userdata_path()) after the same uuid, read back from the
 * hypervisor, printed the same way. Anything else would name a lock file
 * libxl never takes, or a path outside the lib dir. */
#define VM_PREFIX "/vm/"
#define UUID_LEN  36

static gboolean
is_canonical_uuid (const char *text)
{
  if (strlen (text) != UUID_LEN)
    return FALSE;
  for (gsize i = 0; i < UUID_LEN; i++)
    {
      gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;

      if (dash ? text[i] != '-' : !(g_ascii_isdigit (text[i]) || (text[i] >= 'a' && text[i] <= 'f')))
        return FALSE;
    }
  return TRUE;
}

/* A guest's device-model-domid names its stub domain, which a guest may
 * not choose (libxl writes it, but the guest's own QEMU runs in there):
 * trusting it, a domain's commands would go (under its lock) to another
 * domain's QEMU, and that QEMU's events would be taken for its own. libxl
 * makes the stub domain the guest's target (libxl_dm.c,
 * libxl__spawn_stub_dm(): xc_domain_set_target(), xs_set_target()), and
 * the stub domain's /local/domain/<stub>/target names the guest: require
 * it. */
static gboolean
read_stub_domid (QmpXenstore  *xs,
                 guint32       domid,
                 const char   *stub_path,
                 const char   *stub,
                 guint32      *stub_domid,
                 GError      **error)
{
  g_autofree char *quoted = qmp_xenstore_quote (stub);
  g_autofree char *target_path = NULL;
  g_autofree char *target = NULL;
  g_autofree char *quoted_target = NULL;
  guint32 target_domid;

  if (!parse_domid (stub, stub_domid))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "domain %u: %s is not a domain id (0 to %u): %s", domid, stub_path,
                   MAX_DOMID, quoted);
      return FALSE;
    }
  if (*stub_domid == 0 || *stub_domid == domid)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "domain %u: %s names domain %u, which cannot be its stub domain",
                   domid, stub_path, *stub_domid);
      return FALSE;
    }
  target_path = g_strdup_printf ("/local/domain/%u/target", *stub_domid);
  target = qmp_xenstore_read (xs, target_path, NULL);
  if (target == NULL || !parse_domid (target, &target_domid) || target_domid != domid)
    {
      quoted_target = target != NULL ? qmp_xenstore_quote (target) : NULL;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "domain %u: %s names domain %u, which is not its stub domain "
                   "(%s is %s, not %u)", domid, stub_path, *stub_domid, target_path,
                   quoted_target != NULL ? quoted_target : "missing", domid);
      return FALSE;
    }
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
      g_autofree char *quoted = qmp_xenstore_quote (version);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   strcmp (version, "qemu_xen_traditional") == 0
                   ? "domain %u runs qemu-xen-traditional (%s = %s), which has no QMP"
                   : "domain %u has a device model that does not speak QMP (%s = %s)",
                   domid, version_path, quoted);
      return FALSE;
    }

  stub = qmp_xenstore_read (xs, stub_path, NULL);
  if (stub != NULL)
    {
      if (!read_stub_domid (xs, domid, stub_path, stub, &info->dm_domid, error))
        return FALSE;
      info->stub_domid = info->dm_domid;
    }

  /* libxl names its lock after the uuid. */
  vm = qmp_xenstore_read (xs, vm_path, NULL);
  if (vm == NULL || !g_str_has_prefix (vm, VM_PREFIX)
      || !is_canonical_uuid (vm + strlen (VM_PREFIX)))
    {
      g_autofree char *quoted = vm != NULL ? qmp_xenstore_quote (vm) : NULL;

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "domain %u: %s is %s, not \"/vm/<uuid>\" with a canonical uuid "
                   "(8-4-4-4-12 lowercase hex digits) as libxl writes it",
                   domid, vm_path, quoted != NULL ? quoted : "missing");
      return FALSE;
    }
  info->uuid = g_strdup (vm + strlen (VM_PREFIX));
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
