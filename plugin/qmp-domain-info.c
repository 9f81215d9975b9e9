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

/* /local/domain/<domid>/image/device-model-domid names the stub domain
 * that runs the domain's device model (libxl_dm.c,
 * libxl__spawn_stub_dm()). libxl still reaches that device model by the
 * guest's domid (qmp-libxl-<guest domid>, where vchan-socket-proxy
 * listens), so the stub domain only tells where QEMU writes its state and
 * what messages say. It is believed only when the stub domain is the
 * guest's, as libxl makes it (xs_set_target(): its
 * /local/domain/<stub>/target names the guest); otherwise it is left out,
 * with a debug message, since nothing is reached through it. */
static guint32
read_stub_domid (QmpXenstore *xs, guint32 domid)
{
  g_autofree char *stub_path = g_strdup_printf ("/local/domain/%u/image/device-model-domid", domid);
  g_autofree char *stub = qmp_xenstore_read (xs, stub_path, NULL);
  g_autofree char *target_path = NULL;
  g_autofree char *target = NULL;
  guint32 stub_domid, target_domid;

  if (stub == NULL)
    return 0;
  if (!parse_domid (stub, &stub_domid) || stub_domid == 0 || stub_domid == domid)
    {
      g_autofree char *quoted = qmp_xenstore_quote (stub);

      g_debug ("domain %u: %s is %s, not another domain's id: ignored", domid, stub_path, quoted);
      return 0;
    }
  target_path = g_strdup_printf ("/local/domain/%u/target", stub_domid);
  target = qmp_xenstore_read (xs, target_path, NULL);
  if (target == NULL || !parse_domid (target, &target_domid) || target_domid != domid)
    {
      g_debug ("domain %u: %s names domain %u, whose %s does not name domain %u: ignored",
               domid, stub_path, stub_domid, target_path, domid);
      return 0;
    }
  return stub_domid;
}

char *
qmp_domain_info_dm_state_path (const QmpDomainInfo *info)
{
  return g_strdup_printf ("/local/domain/%u/device-model/%u/state",
                          info->stub_domid, info->domid);
}

char *
qmp_domain_info_describe (const QmpDomainInfo *info)
{
  if (info->stub_domid != 0)
    return g_strdup_printf ("domain %u (device model in stub domain %u)",
                            info->domid, info->stub_domid);
  return g_strdup_printf ("domain %u", info->domid);
}

const char *
qmp_domain_type_to_string (QmpDomainType type)
{
  static const char * const names[] = { "hvm", "pv", "pvh" };

  return names[type];
}

/* libxl's answer (libxl_internal.c, libxl__device_model_version_running()):
 * no /libxl/<domid>/dm-version means qemu-xen-traditional, which has no
 * QMP; so does any value but "qemu_xen". */
static gboolean
check_dm_version (QmpXenstore *xs, guint32 domid, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/libxl/%u/dm-version", domid);
  g_autofree char *version = qmp_xenstore_read (xs, path, NULL);
  g_autofree char *quoted = NULL;

  if (version == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "domain %u has no %s, which libxl reads as qemu-xen-traditional: "
                   "no QMP to speak to", domid, path);
      return FALSE;
    }
  if (strcmp (version, "qemu_xen") == 0)
    return TRUE;
  quoted = qmp_xenstore_quote (version);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               strcmp (version, "qemu_xen_traditional") == 0
               ? "domain %u runs qemu-xen-traditional (%s = %s), which has no QMP"
               : "domain %u has a device model that does not speak QMP (%s = %s)",
               domid, path, quoted);
  return FALSE;
}

/* libxl_dom.c, libxl__domain_type(): an HVM guest whose /libxl/<domid>/type
 * is missing or unknown is taken for HVM. libxl writes it for every domain
 * it makes (libxl_create.c, libxl__domain_make()); a value it never writes
 * is refused here rather than guessed at. */
static gboolean
read_type (QmpXenstore *xs, guint32 domid, QmpDomainType *type, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/libxl/%u/type", domid);
  g_autofree char *value = qmp_xenstore_read (xs, path, NULL);

  *type = QMP_DOMAIN_TYPE_HVM;
  if (value == NULL || strcmp (value, "hvm") == 0)
    return TRUE;
  if (strcmp (value, "pv") == 0)
    *type = QMP_DOMAIN_TYPE_PV;
  else if (strcmp (value, "pvh") == 0)
    *type = QMP_DOMAIN_TYPE_PVH;
  else
    {
      g_autofree char *quoted = qmp_xenstore_quote (value);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "domain %u: %s is %s, not hvm, pv or pvh", domid, path, quoted);
      return FALSE;
    }
  return TRUE;
}

/* libxl names its lock after the uuid in /local/domain/<domid>/vm. */
static char *
read_uuid (QmpXenstore *xs, guint32 domid, GError **error)
{
  g_autofree char *vm_path = g_strdup_printf ("/local/domain/%u/vm", domid);
  g_autofree char *vm = qmp_xenstore_read (xs, vm_path, NULL);
  g_autofree char *quoted = NULL;

  if (vm != NULL && g_str_has_prefix (vm, VM_PREFIX) && is_canonical_uuid (vm + strlen (VM_PREFIX)))
    return g_strdup (vm + strlen (VM_PREFIX));
  quoted = vm != NULL ? qmp_xenstore_quote (vm) : NULL;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "domain %u: %s is %s, not \"/vm/<uuid>\" with a canonical uuid "
               "(8-4-4-4-12 lowercase hex digits) as libxl writes it",
               domid, vm_path, quoted != NULL ? quoted : "missing");
  return NULL;
}

gboolean
qmp_domain_info_read (QmpXenstore    *xs,
                      guint32         domid,
                      QmpDomainInfo  *info,
                      GError        **error)
{
  g_autofree char *dom_path = g_strdup_printf ("/local/domain/%u", domid);

  memset (info, 0, sizeof *info);
  info->domid = domid;

  if (!qmp_xenstore_exists (xs, dom_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "domain %u does not exist (no %s in xenstore)", domid, dom_path);
      return FALSE;
    }
  if (!check_dm_version (xs, domid, error) || !read_type (xs, domid, &info->type, error))
    return FALSE;
  info->uuid = read_uuid (xs, domid, error);
  if (info->uuid == NULL)
    return FALSE;
  info->stub_domid = read_stub_domid (xs, domid);
  return TRUE;
}

gboolean
qmp_domain_info_still_exists (QmpXenstore          *xs,
                              const QmpDomainInfo  *info,
                              GError              **error)
{
  g_autofree char *vm_path = g_strdup_printf ("/local/domain/%u/vm", info->domid);
  g_autofree char *vm = qmp_xenstore_read (xs, vm_path, NULL);

  if (vm == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "domain %u is gone (no %s in xenstore)", info->domid, vm_path);
      return FALSE;
    }
  if (!g_str_has_prefix (vm, VM_PREFIX) || strcmp (vm + strlen (VM_PREFIX), info->uuid) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "domain %u is gone: its id now belongs to another domain (%s is no "
                   "longer /vm/%s)", info->domid, vm_path, info->uuid);
      return FALSE;
    }
  if (!qmp_xenstore_is_introduced (xs, info->domid))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "domain %u is gone (xenstored released it: dying or destroyed)",
                   info->domid);
      return FALSE;
    }
  return TRUE;
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
}
