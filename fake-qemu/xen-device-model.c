/* xen-device-model.c: the commands libxl sends to a Xen device model
 *
 * Enough of QEMU 7.2 as a Xen HVM device model (an i440FX PC) for a
 * toolstack's save flow (stop, add-fd, xen-save-devices-state into
 * /dev/fdset/N) and hotplug flows (device_add, device_del then
 * DEVICE_DELETED, query-pci; vCPUs through query-hotpluggable-cpus and
 * device_add), and for every other command libxl 4.17 sends to a QEMU
 * 7.2: the VNC password, HMP through human-monitor-command, and COLO's
 * (xen-load-devices-state, replication, NBD, x-blockdev-change). Errors
 * that a QEMU 7.2 built with Xen can produce use its wording, checked
 * against qemu-system-x86_64 7.2 where -M none could produce them; the
 * reply shapes are QEMU's schema.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "xen-device-model.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "arguments.h"
#include "command-line-options.h"
#include "qmp-message.h"

/* The first PCI slot free for hot-plugged devices: 0 host bridge, 1 ISA
 * bridge and IDE, 2 Xen platform device. */
#define FIRST_FREE_SLOT 3
#define MAX_SLOT        31

/* The CD-ROM drive of the fake guest, as libxl names it (ide-<devid>,
 * devid 5632 for hdc) and as QEMU names its block backend. */
#define CDROM_ID      "ide-5632"
#define CDROM_BACKEND "ide1-cd0"

#define CPU_TYPE "qemu64-x86_64-cpu"

/* The device state of an idle QEMU 7.2 -M none, as xen-save-devices-state
 * wrote it: "QEVM", version 3, the timer and globalstate sections. */
static const char device_state_base64[] =
  "UUVWTQAAAAMEAAAAAAV0aW1lcgAAAAAAAAACAAAAAWh+11UAAAAAAAAAAAAAAACcvMFnfgAAAAAE"
  "AAAABAtnbG9iYWxzdGF0ZQAAAAAAAAABAAAACHJ1bm5pbmcAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
  "AAAAAAAAAAAAAAAAAAB+AAAABAA=";

typedef struct {
  char     *id;        /* NULL: added without an id */
  char     *driver;
  gint      slot;      /* PCI slot, or -1 */
  gint      function;
  gint      cpu;       /* socket-id of a vCPU, or -1 */
  gboolean  deleting;  /* device_del answered, DEVICE_DELETED not yet sent */
} Device;

struct _FakeXenDm {
  GPtrArray  *devices;         /* Device, in the order added */
  gboolean    cpus[FAKE_XEN_DM_MAX_CPUS];
  gboolean    vnc_password;    /* set: the display is one with password=on */
  GPtrArray  *block_nodes;     /* char *: added with HMP drive_add */
  gboolean    nbd_running;
  GPtrArray  *nbd_exports;     /* char *: export ids */
  FakeDomain *deleting_domain; /* where DEVICE_DELETED events go */
  guint       deleted_idle;
};

static void
device_free (gpointer data)
{
  Device *device = data;

  g_free (device->id);
  g_free (device->driver);
  g_free (device);
}

FakeXenDm *
fake_xen_dm_new (void)
{
  FakeXenDm *dm = g_new0 (FakeXenDm, 1);

  dm->devices = g_ptr_array_new_with_free_func (device_free);
  dm->block_nodes = g_ptr_array_new_with_free_func (g_free);
  dm->nbd_exports = g_ptr_array_new_with_free_func (g_free);
  dm->cpus[0] = TRUE;
  return dm;
}

void
fake_xen_dm_free (FakeXenDm *dm)
{
  if (dm == NULL)
    return;
  g_clear_handle_id (&dm->deleted_idle, g_source_remove);
  g_ptr_array_unref (dm->devices);
  g_ptr_array_unref (dm->block_nodes);
  g_ptr_array_unref (dm->nbd_exports);
  g_free (dm);
}

static Device *
find_device (FakeXenDm *dm, const char *id)
{
  for (guint i = 0; i < dm->devices->len; i++)
    {
      Device *device = g_ptr_array_index (dm->devices, i);

      if (device->id != NULL && strcmp (device->id, id) == 0)
        return device;
    }
  return NULL;
}

static JsonObject *
cpu_props (guint socket)
{
  JsonObject *props = json_object_new ();

  json_object_set_int_member (props, "core-id", 0);
  json_object_set_int_member (props, "thread-id", 0);
  json_object_set_int_member (props, "socket-id", socket);
  return props;
}

/* Where QEMU puts a vCPU in the QOM tree. */
static char *
cpu_qom_path (FakeXenDm *dm, guint socket)
{
  for (guint i = 0; i < dm->devices->len; i++)
    {
      Device *device = g_ptr_array_index (dm->devices, i);

      if (device->cpu == (gint) socket)
        return device->id != NULL
               ? g_strdup_printf ("/machine/peripheral/%s", device->id)
               : g_strdup_printf ("/machine/peripheral-anon/device[%u]", i);
    }
  return g_strdup_printf ("/machine/unattached/device[%u]", socket);
}

/* ---- queries ------------------------------------------------------------- */

static JsonObject *
chardev_info (const char *label, const char *filename)
{
  JsonObject *info = json_object_new ();

  json_object_set_string_member (info, "label", label);
  json_object_set_string_member (info, "filename", filename);
  json_object_set_boolean_member (info, "frontend-open", TRUE);
  return info;
}

static JsonNode *
query_chardev (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  g_autofree char *filename = NULL;
  JsonArray *list;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  /* libxl reads the guest's serial console pty from "serial0". */
  filename = g_strdup_printf ("unix:%s,server=on", fake_domain_get_path (domain));
  list = json_array_new ();
  json_array_add_object_element (list, chardev_info ("serial0", "pty:/dev/pts/7"));
  json_array_add_object_element (list, chardev_info ("compat_monitor0", filename));
  return fake_qmp_array_node_new (list);
}

static JsonNode *
query_vnc (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  JsonObject *info;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  info = json_object_new ();
  json_object_set_boolean_member (info, "enabled", TRUE);
  json_object_set_string_member (info, "host", "127.0.0.1");
  json_object_set_string_member (info, "family", "ipv4");
  json_object_set_string_member (info, "service", "5900");
  json_object_set_string_member (info, "auth", dm->vnc_password ? "vnc" : "none");
  json_object_set_array_member (info, "clients", json_array_new ());
  return fake_qmp_object_node_new (info);
}

static JsonObject *
pci_device_info (guint slot, guint function, guint class_code, const char *desc,
                 guint vendor, guint device_id, const char *qdev_id)
{
  JsonObject *info = json_object_new ();
  JsonObject *class_info = json_object_new ();
  JsonObject *id = json_object_new ();

  if (desc != NULL)
    json_object_set_string_member (class_info, "desc", desc);
  json_object_set_int_member (class_info, "class", class_code);
  json_object_set_int_member (id, "device", device_id);
  json_object_set_int_member (id, "vendor", vendor);
  json_object_set_int_member (id, "subsystem", 0x1100);
  json_object_set_int_member (id, "subsystem-vendor", 0x1af4);
  json_object_set_int_member (info, "bus", 0);
  json_object_set_int_member (info, "slot", slot);
  json_object_set_int_member (info, "function", function);
  json_object_set_object_member (info, "class_info", class_info);
  json_object_set_object_member (info, "id", id);
  json_object_set_int_member (info, "irq_pin", 0);
  json_object_set_string_member (info, "qdev_id", qdev_id);
  json_object_set_array_member (info, "regions", json_array_new ());
  return info;
}

static JsonNode *
query_pci (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  JsonObject *bus;
  JsonArray *devices, *buses;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  devices = json_array_new ();
  json_array_add_object_element (devices, pci_device_info (0, 0, 0x0600, "Host bridge", 0x8086, 0x1237, ""));
  json_array_add_object_element (devices, pci_device_info (1, 0, 0x0601, "ISA bridge", 0x8086, 0x7000, ""));
  json_array_add_object_element (devices, pci_device_info (1, 1, 0x0101, "IDE controller", 0x8086, 0x7010, ""));
  json_array_add_object_element (devices, pci_device_info (2, 0, 0xff80, NULL, 0x5853, 0x0001, ""));
  for (guint slot = FIRST_FREE_SLOT; slot <= MAX_SLOT; slot++)
    for (guint i = 0; i < dm->devices->len; i++)
      {
        Device *device = g_ptr_array_index (dm->devices, i);

        if (device->slot == (gint) slot)
          json_array_add_object_element (devices,
                                         pci_device_info (slot, (guint) device->function, 0x0200,
                                                          "Ethernet controller", 0x8086, 0x10d3,
                                                          device->id != NULL ? device->id : ""));
      }
  bus = json_object_new ();
  json_object_set_int_member (bus, "bus", 0);
  json_object_set_array_member (bus, "devices", devices);
  buses = json_array_new ();
  json_array_add_object_element (buses, bus);
  return fake_qmp_array_node_new (buses);
}

static JsonNode *
query_cpus_fast (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  JsonArray *list;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  list = json_array_new ();
  for (guint i = 0; i < FAKE_XEN_DM_MAX_CPUS; i++)
    if (dm->cpus[i])
      {
        JsonObject *info = json_object_new ();
        g_autofree char *path = cpu_qom_path (dm, i);

        json_object_set_int_member (info, "cpu-index", i);
        json_object_set_string_member (info, "qom-path", path);
        json_object_set_int_member (info, "thread-id", (gint64) getpid () + 1 + i);
        json_object_set_object_member (info, "props", cpu_props (i));
        json_object_set_string_member (info, "target", "x86_64");
        json_array_add_object_element (list, info);
      }
  return fake_qmp_array_node_new (list);
}

static JsonNode *
query_hotpluggable_cpus (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                         GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  JsonArray *list;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  list = json_array_new ();
  /* QEMU lists the highest socket first. */
  for (guint i = FAKE_XEN_DM_MAX_CPUS; i-- > 0;)
    {
      JsonObject *info = json_object_new ();
      g_autofree char *path = cpu_qom_path (dm, i);

      json_object_set_object_member (info, "props", cpu_props (i));
      json_object_set_int_member (info, "vcpus-count", 1);
      if (dm->cpus[i])
        json_object_set_string_member (info, "qom-path", path);
      json_object_set_string_member (info, "type", CPU_TYPE);
      json_array_add_object_element (list, info);
    }
  return fake_qmp_array_node_new (list);
}

/* ---- hotplug --------------------------------------------------------------- */

static const char * const pci_drivers[] = {
  "xen-pci-passthrough", "e1000", "rtl8139", "virtio-net-pci", "usb-ehci",
  "ich9-usb-ehci1", "nec-usb-xhci", "qemu-xhci", "piix3-usb-uhci", NULL
};
static const char * const other_drivers[] = {
  "usb-host", "usb-tablet", "usb-mouse", "usb-kbd", "usb-storage", NULL
};

/* "addr": "S" or "S.F", hexadecimal as QEMU reads it. */
static gboolean
parse_pci_addr (const char *addr, gint *slot, gint *function)
{
  char *end = NULL;
  guint64 s = g_ascii_strtoull (addr, &end, 16);
  guint64 f = 0;

  if (end == addr || s > MAX_SLOT)
    return FALSE;
  if (*end == '.')
    {
      const char *start = end + 1;

      f = g_ascii_strtoull (start, &end, 16);
      if (end == start || f > 7)
        return FALSE;
    }
  if (*end != '\0')
    return FALSE;
  *slot = (gint) s;
  *function = (gint) f;
  return TRUE;
}

static gboolean
slot_in_use (FakeXenDm *dm, gint slot, gint function)
{
  for (guint i = 0; i < dm->devices->len; i++)
    {
      Device *device = g_ptr_array_index (dm->devices, i);

      if (device->slot == slot && device->function == function)
        return TRUE;
    }
  return slot < FIRST_FREE_SLOT;
}

static gboolean
place_pci_device (FakeXenDm *dm, FakeRequest *request, Device *device, GError **error)
{
  JsonNode *addr = json_object_get_member (request->arguments, "addr");

  device->function = 0;
  if (addr != NULL)
    {
      if (json_node_get_value_type (addr) != G_TYPE_STRING
          || !parse_pci_addr (json_node_get_string (addr), &device->slot, &device->function))
        {
          g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "Property '%s.addr' doesn't take value '%s'", device->driver,
                       json_node_get_value_type (addr) == G_TYPE_STRING
                       ? json_node_get_string (addr) : "?");
          return FALSE;
        }
      if (slot_in_use (dm, device->slot, device->function))
        {
          g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "PCI: slot %d function %d not available for %s",
                       device->slot, device->function, device->driver);
          return FALSE;
        }
      return TRUE;
    }
  for (device->slot = FIRST_FREE_SLOT; device->slot <= MAX_SLOT; device->slot++)
    if (!slot_in_use (dm, device->slot, 0))
      return TRUE;
  g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
               "PCI: no slot/function available for %s, all in use or reserved",
               device->driver);
  return FALSE;
}

static gboolean
place_cpu (FakeXenDm *dm, FakeRequest *request, Device *device, GError **error)
{
  JsonNode *socket = json_object_get_member (request->arguments, "socket-id");
  gint64 id;

  if (socket == NULL || json_node_get_value_type (socket) != G_TYPE_INT64)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "CPU socket-id is not set");
      return FALSE;
    }
  id = json_node_get_int (socket);
  if (id < 0 || id >= FAKE_XEN_DM_MAX_CPUS)
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Invalid CPU socket-id: %" G_GINT64_FORMAT " must be in range 0:%d",
                   id, FAKE_XEN_DM_MAX_CPUS - 1);
      return FALSE;
    }
  if (dm->cpus[id])
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "CPU[%" G_GINT64_FORMAT "] with APIC ID %" G_GINT64_FORMAT " exists", id, id);
      return FALSE;
    }
  device->cpu = (gint) id;
  return TRUE;
}

static JsonNode *
device_add (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  const char *driver = NULL, *id = NULL;
  gboolean has_id;
  Device *device;
  FakeArgs args;

  /* Other members are the device's properties: QEMU takes any. */
  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "driver", FALSE, NULL, &driver, error)
      || !fake_args_get_string (&args, "id", TRUE, &has_id, &id, error))
    return NULL;
  if (has_id && find_device (dm, id) != NULL)
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Duplicate ID '%s' for device", id);
      return NULL;
    }

  device = g_new0 (Device, 1);
  device->id = g_strdup (id);
  device->driver = g_strdup (driver);
  device->slot = -1;
  device->cpu = -1;
  if (g_strv_contains (pci_drivers, driver))
    {
      if (!place_pci_device (dm, request, device, error))
        goto fail;
    }
  else if (g_str_has_suffix (driver, "-x86_64-cpu"))
    {
      if (!place_cpu (dm, request, device, error))
        goto fail;
      dm->cpus[device->cpu] = TRUE;
    }
  else if (!g_strv_contains (other_drivers, driver))
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "'%s' is not a valid device model name", driver);
      goto fail;
    }
  g_ptr_array_add (dm->devices, device);
  return fake_builtins_empty_object ();

fail:
  device_free (device);
  return NULL;
}

/* The guest has "ejected" the devices being deleted: they go, and QEMU
 * says so with DEVICE_DELETED, after the reply to device_del. */
static gboolean
send_device_deleted (gpointer user_data)
{
  FakeXenDm *dm = user_data;

  dm->deleted_idle = 0;
  for (guint i = 0; i < dm->devices->len;)
    {
      Device *device = g_ptr_array_index (dm->devices, i);
      g_autofree char *path = NULL;
      JsonObject *data;

      if (!device->deleting)
        {
          i++;
          continue;
        }
      path = g_strdup_printf ("/machine/peripheral/%s", device->id);
      data = json_object_new ();
      json_object_set_string_member (data, "device", device->id);
      json_object_set_string_member (data, "path", path);
      if (device->cpu >= 0)
        dm->cpus[device->cpu] = FALSE;
      g_ptr_array_remove_index (dm->devices, i);
      fake_domain_emit_event (dm->deleting_domain, "DEVICE_DELETED", data);
    }
  return G_SOURCE_REMOVE;
}

static JsonNode *
device_del (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  const char *id = NULL;
  Device *device;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "id", FALSE, NULL, &id, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  device = find_device (dm, id);
  if (device == NULL)
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_DEVICE_NOT_FOUND,
                   "Device '%s' not found", id);
      return NULL;
    }
  if (device->deleting)
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Device %s is already in the process of unplug", id);
      return NULL;
    }
  device->deleting = TRUE;
  dm->deleting_domain = domain;
  if (dm->deleted_idle == 0)
    dm->deleted_idle = g_idle_add (send_device_deleted, dm);
  return fake_builtins_empty_object ();
}

/* ---- removable media --------------------------------------------------------- */

/* QEMU's rule for "device" and "id", then the drive's existence. */
static gboolean
check_drive (gboolean has_device, const char *device, gboolean has_id, const char *id,
             GError **error)
{
  if (has_device == has_id)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "Need exactly one of 'device' and 'id'");
      return FALSE;
    }
  if (has_device ? strcmp (device, CDROM_BACKEND) != 0 : strcmp (id, CDROM_ID) != 0)
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_DEVICE_NOT_FOUND,
                   "Device '%s' not found", has_device ? device : id);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
eject (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  const char *device = NULL, *id = NULL;
  gboolean has_device, has_id, force = FALSE;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "device", TRUE, &has_device, &device, error)
      || !fake_args_get_string (&args, "id", TRUE, &has_id, &id, error)
      || !fake_args_get_bool (&args, "force", TRUE, NULL, &force, error)
      || !fake_args_check_unexpected (&args, error)
      || !check_drive (has_device, device, has_id, id, error))
    return NULL;
  return fake_builtins_empty_object ();
}

static JsonNode *
blockdev_change_medium (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                        GError **error)
{
  static const char * const read_only_modes[] = { "retain", "read-only", "read-write", NULL };
  const char *device = NULL, *id = NULL, *filename = NULL, *format = NULL, *mode = NULL;
  gboolean has_device, has_id, has_mode, force = FALSE;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "device", TRUE, &has_device, &device, error)
      || !fake_args_get_string (&args, "id", TRUE, &has_id, &id, error)
      || !fake_args_get_string (&args, "filename", FALSE, NULL, &filename, error)
      || !fake_args_get_string (&args, "format", TRUE, NULL, &format, error)
      || !fake_args_get_bool (&args, "force", TRUE, NULL, &force, error)
      || !fake_args_get_string (&args, "read-only-mode", TRUE, &has_mode, &mode, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  if (has_mode && !g_strv_contains (read_only_modes, mode))
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Parameter 'read-only-mode' does not accept value '%s'", mode);
      return NULL;
    }
  if (!check_drive (has_device, device, has_id, id, error))
    return NULL;
  return fake_builtins_empty_object ();
}

/* ---- save ---------------------------------------------------------------------- */

static JsonNode *
xen_set_global_dirty_log (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                          GError **error)
{
  gboolean enable = FALSE;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_bool (&args, "enable", FALSE, NULL, &enable, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  return fake_builtins_empty_object ();
}

static gboolean
write_device_state (const char *filename, int fd, GError **error)
{
  gsize length;
  g_autofree guchar *state = g_base64_decode (device_state_base64, &length);
  gsize done = 0;

  g_assert (length == FAKE_XEN_DM_STATE_SIZE);
  while (done < length)
    {
      ssize_t n = write (fd, state + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                       "Unable to write to %s: %s", filename, g_strerror (saved));
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/* As QEMU: the VM stops for the save (STOP) and, if it was running, runs
 * again afterwards (RESUME), whether the save worked or not. */
static JsonNode *
xen_save_devices_state (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                        GError **error)
{
  const char *filename = NULL;
  gboolean live = FALSE, was_running, saved = FALSE;
  FakeArgs args;
  int fd;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "filename", FALSE, NULL, &filename, error)
      || !fake_args_get_bool (&args, "live", TRUE, NULL, &live, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;

  was_running = fake_domain_is_running (domain);
  fake_domain_change_run_state (domain, FALSE);
  fd = fake_fd_store_open_path (fake_domain_get_fd_store (domain), filename,
                                O_WRONLY | O_CREAT | O_TRUNC);
  if (fd < 0)
    g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                 "Unable to open %s: %s", filename, g_strerror (-fd));
  else
    {
      saved = write_device_state (filename, fd, error);
      close (fd);
    }
  if (was_running)
    fake_domain_change_run_state (domain, TRUE);
  return saved ? fake_builtins_empty_object () : NULL;
}

static JsonNode *
system_wakeup (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  /* An HVM guest that is not suspended: nothing to do, as in QEMU. */
  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  return fake_builtins_empty_object ();
}

/* ---- the VNC password ----------------------------------------------------------- */

/* libxl sends it only for a guest with a VNC password, whose QEMU it
 * starts with "-vnc ...,password=on": such a QEMU takes any password,
 * even an empty one, and its display's auth is "vnc". (One started
 * without it says "Could not set password".) */
static JsonNode *
change_vnc_password (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                     GError **error)
{
  const char *password = NULL;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "password", FALSE, NULL, &password, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  fake_domain_get_xen_dm (domain)->vnc_password = TRUE;
  return fake_builtins_empty_object ();
}

/* ---- HMP ------------------------------------------------------------------------- */

static gboolean
has_block_node (FakeXenDm *dm, const char *name)
{
  for (guint i = 0; i < dm->block_nodes->len; i++)
    if (strcmp (g_ptr_array_index (dm->block_nodes, i), name) == 0)
      return TRUE;
  return FALSE;
}

/* libxl's COLO primary adds the NBD client of each disk with
 * "drive_add -n buddy ...,node-name=NODE"; QEMU prints nothing. */
static char *
hmp_drive_add (FakeXenDm *dm, const char *options)
{
  g_auto(GStrv) parts = g_strsplit (options, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_has_prefix (parts[i], "node-name=") && !has_block_node (dm, parts[i] + 10))
      g_ptr_array_add (dm->block_nodes, g_strdup (parts[i] + 10));
  return g_strdup ("");
}

/* LINE's words, as HMP splits them (blanks between, none empty). */
static GPtrArray *
hmp_words (const char *line)
{
  g_auto(GStrv) split = g_strsplit_set (line, " \t", -1);
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; split[i] != NULL; i++)
    if (split[i][0] != '\0')
      g_ptr_array_add (words, g_strdup (split[i]));
  g_ptr_array_add (words, NULL);
  return words;
}

/* The HMP commands a toolstack uses, with QEMU's output; the others are
 * unknown to the fake (QEMU's text for an unknown command). */
static char *
run_hmp (FakeDomain *domain, const char *line)
{
  g_autoptr(GPtrArray) split = hmp_words (line);
  char **words = (char **) split->pdata;
  const char *info = NULL;

  if (words[0] == NULL)
    return g_strdup ("");
  if (strcmp (words[0], "info") == 0)
    info = words[1] != NULL ? words[1] : "";
  if (g_strcmp0 (info, "version") == 0)
    return g_strdup ("7.2.0fake-qemu\r\n");
  if (g_strcmp0 (info, "status") == 0)
    return g_strdup_printf ("VM status: %s\r\n",
                            fake_domain_is_running (domain) ? "running" : "paused");
  if (strcmp (words[0], "stop") == 0 || strcmp (words[0], "cont") == 0)
    {
      fake_domain_change_run_state (domain, strcmp (words[0], "cont") == 0);
      return g_strdup ("");
    }
  if (strcmp (words[0], "drive_add") == 0 && split->len > 2)
    return hmp_drive_add (fake_domain_get_xen_dm (domain), words[split->len - 2]);
  /* QEMU names the command it looked up: the first word, or "info" and
   * the second. */
  if (info != NULL && info[0] != '\0')
    return g_strdup_printf ("unknown command: 'info %s'\r\n", info);
  return g_strdup_printf ("unknown command: '%s'\r\n", words[0]);
}

static JsonNode *
human_monitor_command (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                       GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  const char *line = NULL;
  gint64 cpu_index = 0;
  gboolean has_cpu_index;
  g_autofree char *output = NULL;
  JsonNode *result;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "command-line", FALSE, NULL, &line, error)
      || !fake_args_get_int (&args, "cpu-index", TRUE, &has_cpu_index, &cpu_index, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  if (has_cpu_index && (cpu_index < 0 || cpu_index >= FAKE_XEN_DM_MAX_CPUS || !dm->cpus[cpu_index]))
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "Parameter 'cpu-index' expects a CPU number");
      return NULL;
    }
  output = run_hmp (domain, line);
  result = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (result, output);
  return result;
}

/* ---- COLO: device state, replication, NBD, the quorum ---------------------------------- */

/* The state xc restored is completed with the devices' (libxl's COLO
 * secondary): only into a paused VM. The fake takes back what its
 * xen-save-devices-state wrote. */
static JsonNode *
xen_load_devices_state (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                        GError **error)
{
  gsize length;
  g_autofree guchar *expected = g_base64_decode (device_state_base64, &length);
  guchar state[FAKE_XEN_DM_STATE_SIZE + 1];
  const char *filename = NULL;
  FakeArgs args;
  ssize_t n;
  gsize done = 0;
  int fd;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "filename", FALSE, NULL, &filename, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  if (fake_domain_is_running (domain))
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "Cannot update device state while vm is running");
      return NULL;
    }
  fd = fake_fd_store_open_path (fake_domain_get_fd_store (domain), filename, O_RDONLY);
  if (fd < 0)
    {
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "Unable to open %s: %s", filename, g_strerror (-fd));
      return NULL;
    }
  do
    {
      n = read (fd, state + done, sizeof state - done);
      if (n > 0)
        done += (gsize) n;
    }
  while ((n > 0 && done < sizeof state) || (n < 0 && errno == EINTR));
  close (fd);
  if (n < 0 || done != length || memcmp (state, expected, length) != 0)
    {
      /* QEMU's QERR_IO_ERROR, whatever went wrong in the stream. */
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "An IO error has occurred");
      return NULL;
    }
  return fake_builtins_empty_object ();
}

/* Without replication block nodes (none in the fake guest) QEMU starts,
 * stops and checkpoints nothing, and says so with {}. */
static JsonNode *
xen_set_replication (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                     GError **error)
{
  gboolean enable = FALSE, primary = FALSE, failover = FALSE, has_failover;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_bool (&args, "enable", FALSE, NULL, &enable, error)
      || !fake_args_get_bool (&args, "primary", FALSE, NULL, &primary, error)
      || !fake_args_get_bool (&args, "failover", TRUE, &has_failover, &failover, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  if (enable && has_failover)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "Parameter 'failover' is only for stopping replication");
      return NULL;
    }
  return fake_builtins_empty_object ();
}

static JsonNode *
query_xen_replication_status (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                              GError **error)
{
  JsonObject *status;

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  status = json_object_new ();
  json_object_set_boolean_member (status, "error", FALSE);
  return fake_qmp_object_node_new (status);
}

static JsonNode *
xen_colo_do_checkpoint (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                        GError **error)
{
  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  return fake_builtins_empty_object ();
}

/* SocketAddressLegacy's "data" for TYPE, as QEMU's visitor walks it. */
static gboolean
check_socket_address_data (FakeArgs *data, const char *type, GError **error)
{
  const char *string;
  gboolean flag;
  gint64 number;

  if (strcmp (type, "inet") == 0)
    return fake_args_get_string (data, "host", FALSE, NULL, &string, error)
           && fake_args_get_string (data, "port", FALSE, NULL, &string, error)
           && fake_args_get_bool (data, "numeric", TRUE, NULL, &flag, error)
           && fake_args_get_int (data, "to", TRUE, NULL, &number, error)
           && fake_args_get_bool (data, "ipv4", TRUE, NULL, &flag, error)
           && fake_args_get_bool (data, "ipv6", TRUE, NULL, &flag, error)
           && fake_args_get_bool (data, "keep-alive", TRUE, NULL, &flag, error)
           && fake_args_get_bool (data, "mptcp", TRUE, NULL, &flag, error);
  if (strcmp (type, "unix") == 0)
    return fake_args_get_string (data, "path", FALSE, NULL, &string, error)
           && fake_args_get_bool (data, "abstract", TRUE, NULL, &flag, error)
           && fake_args_get_bool (data, "tight", TRUE, NULL, &flag, error);
  if (strcmp (type, "vsock") == 0)
    return fake_args_get_string (data, "cid", FALSE, NULL, &string, error)
           && fake_args_get_string (data, "port", FALSE, NULL, &string, error);
  return fake_args_get_string (data, "str", FALSE, NULL, &string, error);
}

static gboolean
check_socket_address (FakeArgs *args, const char *name, GError **error)
{
  static const char * const types[] = { "inet", "unix", "vsock", "fd", NULL };
  const char *type = NULL;
  JsonObject *object = NULL, *data_object = NULL;
  FakeArgs addr, data;
  gboolean ok;

  if (!fake_args_get_object (args, name, FALSE, NULL, &object, error))
    return FALSE;
  fake_args_init_nested (&addr, args, name, object);
  ok = fake_args_get_enum (&addr, "type", FALSE, NULL, types, &type, error)
       && fake_args_get_object (&addr, "data", FALSE, NULL, &data_object, error);
  if (ok)
    {
      fake_args_init_nested (&data, &addr, "data", data_object);
      ok = check_socket_address_data (&data, type, error)
           && fake_args_check_unexpected (&data, error);
      fake_args_clear (&data);
    }
  ok = ok && fake_args_check_unexpected (&addr, error);
  fake_args_clear (&addr);
  return ok;
}

/* The fake does not listen: a client of the NBD port finds nobody. */
static JsonNode *
nbd_server_start (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  const char *tls_creds = NULL, *tls_authz = NULL;
  gboolean has_tls_creds, has_max;
  gint64 max_connections = 0;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!check_socket_address (&args, "addr", error)
      || !fake_args_get_string (&args, "tls-creds", TRUE, &has_tls_creds, &tls_creds, error)
      || !fake_args_get_string (&args, "tls-authz", TRUE, NULL, &tls_authz, error)
      || !fake_args_get_int (&args, "max-connections", TRUE, &has_max, &max_connections, error))
    return NULL;
  /* An integer range: QEMU checks it as it visits the member. */
  if (has_max && (max_connections < 0 || max_connections > G_MAXUINT32))
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "Parameter 'max-connections' expects uint32_t");
      return NULL;
    }
  if (!fake_args_check_unexpected (&args, error))
    return NULL;
  if (dm->nbd_running)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "NBD server already running");
      return NULL;
    }
  if (has_tls_creds)
    {
      /* The fake has no objects (object-add), hence no credentials. */
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "No TLS credentials with id '%s'", tls_creds);
      return NULL;
    }
  dm->nbd_running = TRUE;
  return fake_builtins_empty_object ();
}

static gboolean
find_block_node (FakeXenDm *dm, const char *name, GError **error)
{
  if (has_block_node (dm, name))
    return TRUE;
  g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
               "Cannot find device='%s' nor node-name='%s'", name, name);
  return FALSE;
}

/* The fake guest's disks are not block nodes QEMU would find by these
 * names; the nodes HMP drive_add made are. */
static JsonNode *
nbd_server_add (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  const char *name = NULL, *description = NULL, *device = NULL, *bitmap = NULL;
  gboolean has_name, writable = FALSE;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "name", TRUE, &has_name, &name, error)
      || !fake_args_get_string (&args, "description", TRUE, NULL, &description, error)
      || !fake_args_get_string (&args, "device", FALSE, NULL, &device, error)
      || !fake_args_get_bool (&args, "writable", TRUE, NULL, &writable, error)
      || !fake_args_get_string (&args, "bitmap", TRUE, NULL, &bitmap, error)
      || !fake_args_check_unexpected (&args, error)
      || !find_block_node (dm, device, error))
    return NULL;
  if (!has_name)
    name = device;
  if (!dm->nbd_running)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "NBD server not running");
      return NULL;
    }
  for (guint i = 0; i < dm->nbd_exports->len; i++)
    if (strcmp (g_ptr_array_index (dm->nbd_exports, i), name) == 0)
      {
        g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                     "Block export id '%s' is already in use", name);
        return NULL;
      }
  g_ptr_array_add (dm->nbd_exports, g_strdup (name));
  return fake_builtins_empty_object ();
}

/* Each export goes, with BLOCK_EXPORT_DELETED, before the reply. */
static JsonNode *
nbd_server_stop (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request, GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);

  if (!fake_builtins_check_no_arguments (request, error))
    return NULL;
  if (!dm->nbd_running)
    {
      g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                           "NBD server not running");
      return NULL;
    }
  for (guint i = 0; i < dm->nbd_exports->len; i++)
    {
      JsonObject *data = json_object_new ();

      json_object_set_string_member (data, "id", g_ptr_array_index (dm->nbd_exports, i));
      fake_domain_emit_event (domain, "BLOCK_EXPORT_DELETED", data);
    }
  g_ptr_array_set_size (dm->nbd_exports, 0);
  dm->nbd_running = FALSE;
  return fake_builtins_empty_object ();
}

/* libxl adds its NBD node to a disk's quorum, and removes "children.1";
 * the fake has no quorum: QEMU's refusals for a plain node. */
static JsonNode *
x_blockdev_change (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                   GError **error)
{
  FakeXenDm *dm = fake_domain_get_xen_dm (domain);
  const char *parent = NULL, *child = NULL, *node = NULL;
  gboolean has_child, has_node;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "parent", FALSE, NULL, &parent, error)
      || !fake_args_get_string (&args, "child", TRUE, &has_child, &child, error)
      || !fake_args_get_string (&args, "node", TRUE, &has_node, &node, error)
      || !fake_args_check_unexpected (&args, error)
      || !find_block_node (dm, parent, error))
    return NULL;
  if (has_child == has_node)
    g_set_error_literal (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                         has_child ? "The parameters child and node are in conflict"
                                   : "Either child or node must be specified");
  else if (has_child)
    g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                 "Node '%s' does not have child '%s'", parent, child);
  else if (!has_block_node (dm, node))
    g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                 "Node '%s' not found", node);
  else
    g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                 "The node %s does not support adding a child", parent);
  return NULL;
}

/* ---- the command line's options -------------------------------------------------- */

/* libxl 4.20 and later probe for "-run-with" (libxl_dm.c); QEMU 7.2 has
 * none, and its name errors are in lower case. */
static JsonNode *
query_command_line_options (FakeMonitor *monitor, FakeDomain *domain, FakeRequest *request,
                            GError **error)
{
  const char *option = NULL;
  gboolean has_option;
  g_autoptr(JsonNode) all = NULL;
  JsonArray *list, *chosen;
  FakeArgs args;

  fake_args_init (&args, request->arguments);
  if (!fake_args_get_string (&args, "option", TRUE, &has_option, &option, error)
      || !fake_args_check_unexpected (&args, error))
    return NULL;
  all = json_from_string (fake_command_line_options_json (), NULL);
  g_assert (all != NULL);
  if (!has_option)
    return g_steal_pointer (&all);
  list = json_node_get_array (all);
  chosen = json_array_new ();
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *entry = json_array_get_object_element (list, i);

      if (strcmp (json_object_get_string_member (entry, "option"), option) == 0)
        json_array_add_object_element (chosen, json_object_ref (entry));
    }
  if (json_array_get_length (chosen) == 0)
    {
      json_array_unref (chosen);
      g_set_error (error, FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                   "invalid option name: %s", option);
      return NULL;
    }
  return fake_qmp_array_node_new (chosen);
}

static const FakeBuiltin xen_commands[] = {
  { "query-chardev",            query_chardev,            FALSE, FALSE, FALSE },
  { "query-vnc",                query_vnc,                FALSE, FALSE, FALSE },
  { "query-pci",                query_pci,                FALSE, FALSE, FALSE },
  { "query-cpus-fast",          query_cpus_fast,          FALSE, FALSE, FALSE },
  { "query-hotpluggable-cpus",  query_hotpluggable_cpus,  FALSE, FALSE, FALSE },
  { "device_add",               device_add,               FALSE, FALSE, FALSE },
  { "device_del",               device_del,               FALSE, FALSE, FALSE },
  { "eject",                    eject,                    FALSE, FALSE, FALSE },
  { "blockdev-change-medium",   blockdev_change_medium,   FALSE, FALSE, FALSE },
  { "xen-set-global-dirty-log", xen_set_global_dirty_log, FALSE, FALSE, FALSE },
  { "xen-save-devices-state",   xen_save_devices_state,   FALSE, FALSE, FALSE },
  { "system_wakeup",            system_wakeup,            FALSE, FALSE, FALSE },
  { "change-vnc-password",      change_vnc_password,      FALSE, FALSE, FALSE },
  { "human-monitor-command",    human_monitor_command,    FALSE, FALSE, FALSE },
  { "xen-load-devices-state",   xen_load_devices_state,   FALSE, FALSE, FALSE },
  { "xen-set-replication",      xen_set_replication,      FALSE, FALSE, FALSE },
  { "query-xen-replication-status", query_xen_replication_status, FALSE, FALSE, FALSE },
  { "xen-colo-do-checkpoint",   xen_colo_do_checkpoint,   FALSE, FALSE, FALSE },
  { "nbd-server-start",         nbd_server_start,         FALSE, FALSE, FALSE },
  { "nbd-server-add",           nbd_server_add,           FALSE, FALSE, FALSE },
  { "nbd-server-stop",          nbd_server_stop,          FALSE, FALSE, FALSE },
  { "x-blockdev-change",        x_blockdev_change,        FALSE, FALSE, FALSE },
  { "query-command-line-options", query_command_line_options, FALSE, FALSE, FALSE },
};

const FakeBuiltin *
fake_xen_dm_lookup (const char *name)
{
  return fake_builtin_find (xen_commands, G_N_ELEMENTS (xen_commands), name);
}
