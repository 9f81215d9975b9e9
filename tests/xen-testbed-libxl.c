/* xen-testbed-libxl.c: a domain's xenstore nodes, as libxl 4.17 writes them
 *
 * Paths, values, permissions and order follow tools/libs/light/ at Xen
 * 4.17 (the functions are named where each step is done). What a real
 * domain has on top (devices, consoles, QEMU's own nodes such as
 * device-model/<domid>/state) is left to the tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "xen-testbed-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

/* Values libxl writes that the tests never vary: a 128 MiB guest
 * (memory/static-max, memory/target, in KiB), its xenstore ring's frame
 * and event channel (store/ring-ref, store/port, XS_INTRODUCE). */
#define GUEST_MEMKB   "131072"
#define STORE_MFN     0xfeffcUL
#define STORE_PORT    1u

static gboolean
xs_failed (const char *what, const char *path, GError **error)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s %s: %s", what, path,
               g_strerror (saved));
  return FALSE;
}

static gboolean
write_node (struct xs_handle *xs, xs_transaction_t t, const char *path, const char *value,
            GError **error)
{
  if (!xs_write (xs, t, path, value, strlen (value)))
    return xs_failed ("cannot write", path, error);
  return TRUE;
}

/* libxl__xs_mknod() (libxl_xshelp.c): an empty node with PERMS. */
static gboolean
make_node (struct xs_handle *xs, xs_transaction_t t, const char *path,
       struct xs_permissions *perms, unsigned n, GError **error)
{
  if (!write_node (xs, t, path, "", error))
    return FALSE;
  if (!xs_set_permissions (xs, t, path, perms, n))
    return xs_failed ("cannot set the permissions of", path, error);
  return TRUE;
}

/* Runs STEP in a transaction, again while the commit says EAGAIN, as
 * libxl's retry_transaction loops do. */
typedef gboolean (*TransactionStep) (struct xs_handle *xs, xs_transaction_t t,
                                     gconstpointer data, GError **error);

static gboolean
in_transaction (struct xs_handle *xs, TransactionStep step, gconstpointer data, GError **error)
{
  for (;;)
    {
      xs_transaction_t t = xs_transaction_start (xs);

      if (t == XBT_NULL)
        return xs_failed ("cannot start", "a transaction", error);
      if (!step (xs, t, data, error))
        {
          xs_transaction_end (xs, t, TRUE);
          return FALSE;
        }
      if (xs_transaction_end (xs, t, FALSE))
        return TRUE;
      if (errno != EAGAIN)
        return xs_failed ("cannot commit", "a transaction", error);
    }
}

typedef struct {
  guint32      domid;
  const char  *name;
  const char  *uuid;
  gboolean     hvm;
} Domain;

/* libxl_create.c libxl__domain_make(): the domain's directories and
 * their permissions, in one transaction (with libxl__domain_rename() for
 * the name, libxl_domain.c). */
static gboolean
domain_make_step (struct xs_handle *xs, xs_transaction_t t, gconstpointer data, GError **error)
{
  const Domain *d = data;
  g_autofree char *dom = g_strdup_printf ("/local/domain/%u", d->domid);
  g_autofree char *vm = g_strdup_printf ("/vm/%s", d->uuid);
  g_autofree char *libxl = g_strdup_printf ("/libxl/%u", d->domid);
  struct xs_permissions noperm[1] = { { 0, XS_PERM_NONE } };
  struct xs_permissions roperm[2] = { { 0, XS_PERM_NONE }, { d->domid, XS_PERM_READ } };
  struct xs_permissions rwperm[1] = { { d->domid, XS_PERM_NONE } };
  /* Owned by the domain: it may write them. */
  static const char * const rw_nodes[] = {
    "control/shutdown", "control/feature-poweroff", "control/feature-reboot",
    "control/feature-suspend", "control/feature-s3", "control/feature-s4",
    "control/sysrq", "data", "drivers", "feature", "attr", "error",
  };
  g_autofree char *path = NULL;

#define AT(fmt, ...) (g_free (path), path = g_strdup_printf (fmt, __VA_ARGS__))
  xs_rm (xs, t, dom);
  xs_rm (xs, t, vm);
  xs_rm (xs, t, libxl);
  if (!make_node (xs, t, dom, roperm, 2, error)
      || !make_node (xs, t, vm, roperm, 2, error)
      || !make_node (xs, t, libxl, noperm, 1, error)
      || !make_node (xs, t, AT ("%s/device", libxl), noperm, 1, error)
      || !write_node (xs, t, AT ("%s/vm", dom), vm, error)
      || !write_node (xs, t, AT ("%s/name", dom), d->name, error)
      || !write_node (xs, t, AT ("%s/name", vm), d->name, error)
      || !make_node (xs, t, AT ("%s/cpu", dom), roperm, 2, error)
      || !make_node (xs, t, AT ("%s/memory", dom), roperm, 2, error)
      /* xend_suspend_evtchn_compat is off by default. */
      || !make_node (xs, t, AT ("%s/device", dom), roperm, 2, error)
      || !make_node (xs, t, AT ("%s/device/suspend/event-channel", dom), rwperm, 1, error)
      || !make_node (xs, t, AT ("%s/control", dom), roperm, 2, error)
      || (d->hvm && !make_node (xs, t, AT ("%s/hvmloader", dom), roperm, 2, error)))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (rw_nodes); i++)
    {
      /* feature-s3 and feature-s4 are HVM only. */
      if (!d->hvm && g_str_has_prefix (rw_nodes[i], "control/feature-s"))
        continue;
      if (!make_node (xs, t, AT ("%s/%s", dom, rw_nodes[i]), rwperm, 1, error))
        return FALSE;
    }
  return write_node (xs, t, AT ("%s/uuid", vm), d->uuid, error)
         && write_node (xs, t, AT ("%s/name", vm), d->name, error)
         && write_node (xs, t, AT ("%s/control/platform-feature-multiprocessor-suspend", dom), "1", error)
         && write_node (xs, t, AT ("%s/control/platform-feature-xs_reset_watches", dom), "1", error)
         && write_node (xs, t, AT ("%s/type", libxl), d->hvm ? "hvm" : "pv", error);
#undef AT
}

/* libxl_dom.c libxl__build_post(), with the entries of libxl_create.c
 * libxl__domain_build(), in one transaction; then the introduction. */
static gboolean
build_post_step (struct xs_handle *xs, xs_transaction_t t, gconstpointer data, GError **error)
{
  const Domain *d = data;
  g_autofree char *domid = g_strdup_printf ("%u", d->domid);
  g_autofree char *ring_ref = g_strdup_printf ("%lu", STORE_MFN);
  g_autofree char *port = g_strdup_printf ("%u", STORE_PORT);
  const char * const local[] = {
    "memory/static-max", GUEST_MEMKB, "memory/target", GUEST_MEMKB,
    "memory/videoram", d->hvm ? "8192" : "0", "domid", domid,
    "store/port", port, "store/ring-ref", ring_ref,
    "cpu/0/availability", "online", "cpu/1/availability", "offline",
  };
  const char * const hvm_local[] = {
    "platform/acpi", "1", "platform/acpi_s3", "1", "platform/acpi_s4", "1",
    "platform/acpi_laptop_slate", "0",
  };
  const char * const hvm_vm[] = { "rtc/timeoffset", "", "image/ostype", "hvm" };
  const char * const pv_vm[] = { "image/ostype", "linux" };

#define WRITE_ALL(base, ents) \
  for (guint i = 0; i < G_N_ELEMENTS (ents); i += 2) \
    { \
      g_autofree char *p = g_strdup_printf ("%s/%s", base, ents[i]); \
      if (!write_node (xs, t, p, ents[i + 1], error)) \
        return FALSE; \
    }
  {
    g_autofree char *dom = g_strdup_printf ("/local/domain/%u", d->domid);
    g_autofree char *vm = g_strdup_printf ("/vm/%s", d->uuid);

    WRITE_ALL (dom, local);
    if (d->hvm)
      {
        WRITE_ALL (dom, hvm_local);
        WRITE_ALL (vm, hvm_vm);
      }
    else
      WRITE_ALL (vm, pv_vm);
  }
#undef WRITE_ALL
  return TRUE;
}

static gboolean
create_domain (XenTestbed *tb, const Domain *d, GError **error)
{
  struct xs_handle *xs = xen_testbed_get_xs (tb);

  /* xc_domain_create(): the hypervisor has it before xenstore does. */
  if (!testbed_state_write (tb, d->domid, d->uuid, d->hvm, FALSE, error)
      || !in_transaction (xs, domain_make_step, d, error)
      || !in_transaction (xs, build_post_step, d, error))
    return FALSE;
  if (!xs_introduce_domain (xs, d->domid, STORE_MFN, STORE_PORT))
    return xs_failed ("cannot introduce", d->name, error);
  return TRUE;
}

/* libxl_create.c store_libxl_entry(), from initiate_domain_create(), and
 * again from libxl_dm.c libxl__spawn_stub_dm(). */
static gboolean
write_dm_version (XenTestbed *tb, guint32 domid, const char *dm_version, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/libxl/%u/dm-version", domid);

  return write_node (xen_testbed_get_xs (tb), XBT_NULL, path, dm_version, error);
}

/* libxl_dm.c libxl__spawn_local_dm(): the directory of a device model in
 * domain 0, before QEMU starts (QEMU itself writes "state" there). */
static gboolean
local_dm_dir (XenTestbed *tb, guint32 domid, const char *dm_version, GError **error)
{
  struct xs_handle *xs = xen_testbed_get_xs (tb);
  g_autofree char *path = g_strdup_printf ("/local/domain/0/device-model/%u", domid);

  if (!xs_mkdir (xs, XBT_NULL, path))
    return xs_failed ("cannot make", path, error);
  if (g_strcmp0 (dm_version, "qemu_xen_traditional") == 0)
    {
      g_autofree char *pf = g_strdup_printf ("%s/disable_pf", path);

      /* !xen_platform_pci, which is on by default. */
      return write_node (xs, XBT_NULL, pf, "0", error);
    }
  return TRUE;
}

typedef struct {
  guint32 guest;
  guint32 stub;
} Target;

static gboolean
stub_dm_dir_step (struct xs_handle *xs, xs_transaction_t t, gconstpointer data, GError **error)
{
  const Target *target = data;
  g_autofree char *path = g_strdup_printf ("/local/domain/%u/device-model/%u",
                                           target->stub, target->guest);
  struct xs_permissions perm[2] = { { target->stub, XS_PERM_NONE },
                                    { target->guest, XS_PERM_READ } };

  if (!xs_mkdir (xs, t, path))
    return xs_failed ("cannot make", path, error);
  if (!xs_set_permissions (xs, t, path, perm, 2))
    return xs_failed ("cannot set the permissions of", path, error);
  return TRUE;
}

/* libxl_dm.c libxl__spawn_stub_dm(): the stub domain is made and built
 * like any PV domain, named "<guest>-dm" (libxl__stub_dm_name()), then
 * tied to its guest; its own consoles are served by a QEMU in domain 0
 * (spawn_stub_launch_dm(), sdss->pvqemu). */
static gboolean
spawn_stub_dm (XenTestbed *tb, const XenTestbedDomain *guest, GError **error)
{
  struct xs_handle *xs = xen_testbed_get_xs (tb);
  g_autofree char *stub_name = g_strdup_printf ("%s-dm", guest->name);
  g_autofree char *stub_uuid = xen_testbed_uuid_of (guest->stubdom);
  g_autofree char *dm_domid = g_strdup_printf ("%u", guest->stubdom);
  g_autofree char *guest_domid = g_strdup_printf ("%u", guest->domid);
  g_autofree char *dm_domid_path = g_strdup_printf ("/local/domain/%u/image/device-model-domid",
                                                    guest->domid);
  g_autofree char *target_path = g_strdup_printf ("/local/domain/%u/target", guest->stubdom);
  g_autofree char *bios_path = g_strdup_printf ("/local/domain/%u/hvmloader/bios", guest->domid);
  g_autofree char *relocate_path = g_strdup_printf ("/local/domain/%u/hvmloader/allow-memory-relocate",
                                                    guest->domid);
  gboolean traditional = g_strcmp0 (guest->dm_version, "qemu_xen_traditional") == 0;
  Domain stub = { guest->stubdom, stub_name, stub_uuid, FALSE };
  Target target = { guest->domid, guest->stubdom };

  if (!create_domain (tb, &stub, error)
      || !write_dm_version (tb, guest->domid, guest->dm_version, error)
      || !write_node (xs, XBT_NULL, dm_domid_path, dm_domid, error)
      || !write_node (xs, XBT_NULL, target_path, guest_domid, error)
      || (!traditional && !write_node (xs, XBT_NULL, bios_path, "seabios", error))
      /* Relocation only with qemu-traditional and no vNUMA. */
      || !write_node (xs, XBT_NULL, relocate_path, traditional ? "1" : "0", error))
    return FALSE;
  if (!xs_set_target (xs, guest->stubdom, guest->domid))
    return xs_failed ("cannot set the target of", stub_name, error);
  return in_transaction (xs, stub_dm_dir_step, &target, error)
         && local_dm_dir (tb, guest->stubdom, "qemu_xen", error);
}

gboolean
xen_testbed_add_domain (XenTestbed *tb, const XenTestbedDomain *dom, GError **error)
{
  g_autofree char *uuid = dom->uuid != NULL ? g_strdup (dom->uuid)
                                            : xen_testbed_uuid_of (dom->domid);
  Domain d = { dom->domid, dom->name, uuid, dom->hvm };

  g_return_val_if_fail (dom->domid != 0 && dom->name != NULL, FALSE);
  /* initiate_domain_create(): libxl__domain_make(), store_libxl_entry(),
   * then the build (libxl__build_post() introduces the domain). The
   * dm-version comes after the make; here after the introduction too,
   * which no watcher can tell apart: libxl does not introduce before
   * domcreate_bootloader_done(), long after. */
  if (!create_domain (tb, &d, error)
      || (dom->dm_version != NULL && !write_dm_version (tb, dom->domid, dom->dm_version, error)))
    return FALSE;
  /* The device model: PV domains have none here (no qdisk backends). */
  if (!dom->hvm || dom->dm_version == NULL)
    return TRUE;
  if (dom->stubdom != 0)
    return spawn_stub_dm (tb, dom, error);
  return local_dm_dir (tb, dom->domid, dom->dm_version, error);
}

/* libxl_dom.c libxl__userdata_destroyall(): the domain's files in the
 * lib dir, userdata-<kind>.<domid>.<uuid>.<name>. VM is "/vm/<uuid>". */
static gboolean
destroy_userdata (XenTestbed *tb, guint32 domid, const char *vm, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *pattern = NULL;
  const char *name;

  if (vm == NULL || !g_str_has_prefix (vm, "/vm/"))
    return TRUE;
  pattern = g_strdup_printf ("userdata-?.%u.%s.*", domid, vm + 4);
  dir = g_dir_open (xen_testbed_get_dir (tb), 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_pattern_match_simple (pattern, name))
      {
        g_autofree char *path = g_build_filename (xen_testbed_get_dir (tb), name, NULL);
        g_unlink (path);
      }
  return TRUE;
}

/* libxl_domain.c libxl__destroy_domid() and devices_destroy_cb(), with
 * libxl_dm.c libxl__destroy_device_model() / kill_device_model(). */
gboolean
xen_testbed_destroy_domain (XenTestbed *tb, guint32 domid, GError **error)
{
  struct xs_handle *xs = xen_testbed_get_xs (tb);
  g_autofree char *dm_domid_path = g_strdup_printf ("/local/domain/%u/image/device-model-domid", domid);
  g_autofree char *stub = xs_read (xs, XBT_NULL, dm_domid_path, NULL);
  g_autofree char *dom = g_strdup_printf ("/local/domain/%u", domid);
  g_autofree char *vm_path = g_strdup_printf ("%s/vm", dom);
  g_autofree char *vm = xs_read (xs, XBT_NULL, vm_path, NULL);
  g_autofree char *local_dm = g_strdup_printf ("/local/domain/0/device-model/%u", domid);
  g_autofree char *libxl = g_strdup_printf ("/libxl/%u", domid);

  /* The stub domain goes first, destroyed as a domain of its own. */
  if (stub != NULL && !xen_testbed_destroy_domain (tb, (guint32) atoi (stub), error))
    return FALSE;
  xs_rm (xs, XBT_NULL, local_dm);
  if (vm != NULL)
    xs_rm (xs, XBT_NULL, vm);
  xs_rm (xs, XBT_NULL, dom);
  xs_rm (xs, XBT_NULL, libxl);
  if (!destroy_userdata (tb, domid, vm, error))
    return FALSE;
  /* xc_domain_destroy(): the hypervisor raises VIRQ_DOM_EXC. */
  return testbed_state_remove (tb, domid, error) && xen_testbed_fire_dom_exc (tb, error);
}
