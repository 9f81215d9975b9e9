/* test-fdsets.c: commands that open files through fdsets, as libxl does,
 * through the client and the command API, against a real QEMU 7.2
 * (libxl's CD insert and device-state save) and scripted fake-qemu
 * sessions (every path that must still remove the fdsets)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>
#include "xenqmp.h"
#include "test-backend.h"
#include "test-call.h"
#include "test-fds.h"
#include "test-loop.h"
#include "test-server.h"

typedef struct {
  char         *dir;
  char         *socket;          /* qmp-libxl-1 in DIR: domain 1 */
  TestServer   *server;
  XenQmpClient *client;
  XenQmpHost   *host;
  gboolean      skipped;
  GPtrArray    *fds;             /* open when the test started */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->fds = test_fds_snapshot ();
  f->dir = test_tmpdir_new ();
  f->socket = g_build_filename (f->dir, "qmp-libxl-1", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->host);
  /* Connections close from the main context. */
  spin (50);
  g_clear_pointer (&f->server, test_server_stop);
  test_tmpdir_remove (f->dir);
  g_free (f->dir);
  g_free (f->socket);
  test_fds_assert_no_leak (g_steal_pointer (&f->fds));
}

#define SKIP_UNLESS_READY(f) G_STMT_START { if ((f)->skipped) return; } G_STMT_END

/* A `pc` with an empty `ide-cd` drive, cd0dev, as libxl starts an HVM
 * guest's QEMU with a CD drive. */
static void
start_qemu_pc (Fixture *f)
{
  static const char * const args[] = {
    "-drive", "if=none,id=cd0,media=cdrom",
    "-device", "ide-cd,drive=cd0,id=cd0dev",
    NULL
  };
  g_autoptr(GError) error = NULL;

  if (!test_backend_available (BACKEND_QEMU))
    {
      f->skipped = TRUE;
      return;
    }
  f->server = test_server_start_qemu_machine (f->socket, "pc", args, &error);
  g_assert_no_error (error);
}

/* fake-qemu playing SCRIPT (JSON Lines). */
static void
start_fake_script (Fixture *f, const char *script)
{
  g_autofree char *path = g_build_filename (f->dir, "script.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--script", path, NULL };

  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  f->server = test_server_start_fake (f->socket, args, &error);
  g_assert_no_error (error);
}

/* The fake's verdict once the client has gone: 0 when the session went
 * as scripted (every remove-fd came). */
static void
assert_fake_verdict_ok (Fixture *f)
{
  int status;

  g_clear_object (&f->client);
  g_clear_object (&f->host);
  spin (50);
  status = test_server_wait (f->server, 10000);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static JsonObject *
object_from (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

/* A GUnixFDList holding PATH opened with FLAGS; the list owns the fd. */
static GUnixFDList *
fd_list_for (const char *path, int flags)
{
  int fd = open (path, flags | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  return g_unix_fd_list_new_from_array (&fd, 1);
}

static JsonNode *
client_run (Fixture *f, const char *command, const char *args_json)
{
  g_autoptr(JsonObject) args = args_json != NULL ? object_from (args_json) : NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *ret = xen_qmp_client_execute_sync (f->client, command, args, NULL, NULL, &error);

  g_assert_no_error (error);
  return ret;
}

/* QEMU 7.2's query-fdsets, as "fdset-id:fd,fd;..." with QEMU's own fd
 * numbers left out: "0:" is an fdset whose fds are all removed. */
static char *
fdsets_summary (JsonNode *ret)
{
  JsonArray *sets = json_node_get_array (ret);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonObject *set = json_array_get_object_element (sets, i);

      g_string_append_printf (s, "%s%" G_GINT64_FORMAT ":%u", i > 0 ? ";" : "",
                              json_object_get_int_member (set, "fdset-id"),
                              json_array_get_length (json_object_get_array_member (set, "fds")));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
client_fdsets (Fixture *f)
{
  g_autoptr(JsonNode) ret = client_run (f, "query-fdsets", NULL);

  return fdsets_summary (ret);
}

/* What a command API callback saw. */
typedef struct {
  guint             calls;
  XenQmpErrorClass  error_class;
  GError           *error;
  JsonNode         *response;
} CmdResult;

static void
cmd_result_clear (CmdResult *r)
{
  g_clear_error (&r->error);
  g_clear_pointer (&r->response, json_node_unref);
}

static gboolean in_exec;   /* set around exec calls */

static void
cmd_record (XenQmpCmd        *cmd,
            JsonNode         *response,
            XenQmpErrorClass  error_class,
            const GError     *error,
            gpointer          user_data)
{
  CmdResult *r = user_data;

  g_assert_false (in_exec);
  g_assert_false (xen_qmp_cmd_is_active (cmd));
  g_assert_true ((response != NULL) != (error != NULL));
  r->calls++;
  r->error_class = error_class;
  cmd_result_clear (r);
  r->error = error != NULL ? g_error_copy (error) : NULL;
  r->response = response != NULL ? json_node_ref (response) : NULL;
}

static void
cmd_run (Fixture *f, XenQmpCmd *cmd, CmdResult *r, const char *command, const char *args_json)
{
  g_autoptr(JsonObject) args = args_json != NULL ? object_from (args_json) : NULL;
  g_autoptr(GError) error = NULL;
  guint before = r->calls;

  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec (f->host, cmd, cmd_record, r, 1, command, args, &error));
  in_exec = FALSE;
  g_assert_no_error (error);
  RUN_UNTIL (r->calls > before);
}

/* ---- libxl's flows against a real QEMU 7.2 ----------------------------- */

/* libxl_disk.c cdrom_insert_addfd_cb: the image opened O_RDONLY goes in
 * through an fdset; QEMU dups it for the drive, so after remove-fd the
 * fdset stays listed, empty, until the medium is ejected. */
static void
test_fdsets_qemu_client_cd_insert_read_only (Fixture *f, gconstpointer data)
{
  g_autofree char *iso = g_build_filename (f->dir, "cd.iso", NULL);
  g_autoptr(JsonObject) args = object_from ("{\"id\": \"cd0dev\", \"filename\": \"@fd\","
                                            " \"read-only-mode\": \"read-only\"}");
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  g_autoptr(JsonNode) block = NULL;
  g_autofree char *after = NULL;
  g_autofree char *ejected = NULL;
  JsonObject *inserted;

  start_qemu_pc (f);
  SKIP_UNLESS_READY (f);
  {
    g_autofree char *zeros = g_malloc0 (2048 * 16);

    g_assert_true (g_file_set_contents (iso, zeros, 2048 * 16, NULL));
  }
  f->client = xen_qmp_client_new_for_socket (f->socket);
  fds = fd_list_for (iso, O_RDONLY);
  ret = xen_qmp_client_execute_with_fdsets_sync (f->client, "blockdev-change-medium", args,
                                                 fds, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ret);
  g_clear_object (&fds);

  block = client_run (f, "query-block", NULL);
  inserted = json_object_get_object_member (json_array_get_object_element (json_node_get_array (block), 0),
                                            "inserted");
  g_assert_nonnull (inserted);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (inserted, "file"), "/dev/fdset/"));
  g_assert_true (json_object_get_boolean_member (inserted, "ro"));
  /* Our fd is removed: only QEMU's dup for the drive is left. */
  after = client_fdsets (f);
  g_assert_true (g_str_has_suffix (after, ":0") && strchr (after, ';') == NULL);
  json_node_unref (client_run (f, "eject", "{\"id\": \"cd0dev\"}"));
  ejected = client_fdsets (f);
  g_assert_cmpstr (ejected, ==, "");
}

/* libxl_qmp.c libxl__qmp_suspend_save: `stop`, then the state file
 * opened O_WRONLY|O_CREAT (here with O_TRUNC too, 0600) goes to
 * xen-save-devices-state through an fdset. QEMU 7.2 writes the device
 * state without Xen (a QEVM stream). While the guest is stopped QEMU
 * keeps even a removed fd (monitor_fdset_cleanup frees fds only while
 * the guest runs); once it runs and no monitor is connected, nothing is
 * left. */
static void
test_fdsets_qemu_cmd_save_devices_state (Fixture *f, gconstpointer data)
{
  g_autofree char *state = g_build_filename (f->dir, "state.img", NULL);
  g_autoptr(JsonObject) args = object_from ("{\"filename\": \"@fd\", \"live\": false}");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *left = NULL;
  g_auto(XenQmpCmd) cmd = XEN_QMP_CMD_INIT;
  CmdResult r = { 0 };
  GStatBuf st;
  gsize len;
  int fd;

  start_qemu_pc (f);
  SKIP_UNLESS_READY (f);
  f->host = xen_qmp_host_new (f->dir);
  cmd_run (f, &cmd, &r, "stop", NULL);
  g_assert_no_error (r.error);

  fd = open (state, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  cmd.timeout_ms = 10000;
  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec_with_fdsets (f->host, &cmd, cmd_record, &r, 1,
                                               "xen-save-devices-state", args, &fd, 1, &error));
  in_exec = FALSE;
  g_assert_no_error (error);
  RUN_UNTIL (r.calls == 2);
  g_assert_no_error (r.error);
  g_assert_true (g_file_get_contents (state, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8);
  g_assert_cmpmem (contents, 4, "QEVM", 4);
  g_assert_cmpint (g_stat (state, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Stopped: QEMU 7.2 holds the removed fd until the guest runs. */
  f->client = xen_qmp_client_new_for_domain (f->host, 1);
  stopped = client_fdsets (f);
  g_assert_cmpstr (stopped, ==, "0:1");
  json_node_unref (client_run (f, "cont", NULL));
  g_clear_object (&f->client);
  spin (100);
  f->client = xen_qmp_client_new_for_domain (f->host, 1);
  left = client_fdsets (f);
  g_assert_cmpstr (left, ==, "");
  cmd_result_clear (&r);
}

/* Against a running guest, xen-save-devices-state stops and restarts it
 * itself: the client's remove-fd then frees the fdset at once, on the
 * same connection. */
static void
test_fdsets_qemu_client_save_running (Fixture *f, gconstpointer data)
{
  g_autofree char *state = g_build_filename (f->dir, "state.img", NULL);
  g_autoptr(JsonObject) args = object_from ("{\"filename\": \"@fd\", \"live\": false}");
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *left = NULL;
  gsize len;

  start_qemu_pc (f);
  SKIP_UNLESS_READY (f);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  fds = fd_list_for (state, O_WRONLY | O_CREAT | O_TRUNC);
  ret = xen_qmp_client_execute_with_fdsets_sync (f->client, "xen-save-devices-state", args,
                                                 fds, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&fds);
  left = client_fdsets (f);
  g_assert_cmpstr (left, ==, "");
  g_assert_true (g_file_get_contents (state, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8);
  g_assert_cmpmem (contents, 4, "QEVM", 4);
}

/* ---- every path removes the fdsets (scripted fake-qemu) ---------------- */

static void
client_start_with_fdsets (Fixture *f, Call *c, GCancellable *cancellable,
                          const char *command, const char *args_json, guint n_fds)
{
  g_autoptr(JsonObject) args = object_from (args_json);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();

  for (guint i = 0; i < n_fds; i++)
    {
      int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

      g_assert_cmpint (g_unix_fd_list_append (fds, fd, NULL), ==, (int) i);
      close (fd);
    }
  xen_qmp_client_execute_with_fdsets_async (f->client, command, args, fds, cancellable,
                                            execute_done, c);
}

#define GREETED "{\"expect\": \"qmp_capabilities\"}\n"
#define ADD_FD(id) "{\"expect\": \"add-fd\", \"fds\": 1, \"return\": {\"fd\": 30, \"fdset-id\": " #id "}}\n"
#define REMOVE_FD(id) "{\"expect\": \"remove-fd\", \"args\": {\"fdset-id\": " #id "}}\n"
#define CLOSED "{\"expect-close\": true}\n"

static void
test_fdsets_fake_client_qmp_error_removes (Fixture *f, gconstpointer data)
{
  Call c = { 0 };
  gint64 started;

  start_fake_script (f, GREETED ADD_FD (3)
                     "{\"expect\": \"blockdev-change-medium\", \"args\": {\"id\": \"cd0dev\","
                     " \"filename\": \"/dev/fdset/3\"}, \"error\": {\"class\": \"DeviceNotFound\","
                     " \"desc\": \"Device 'cd0dev' not found\"}}\n"
                     "{\"expect\": \"remove-fd\", \"args\": {\"fdset-id\": 3}, \"delay\": 0.3}\n"
                     CLOSED);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  started = g_get_monotonic_time ();
  client_start_with_fdsets (f, &c, NULL, "blockdev-change-medium",
                            "{\"id\": \"cd0dev\", \"filename\": \"@fd\"}", 1);
  RUN_UNTIL (c.done);
  /* QEMU answered: the callback comes once the fdset is removed. */
  g_assert_cmpint (c.completed_at - started, >=, 300000);
  g_assert_error (c.error, XEN_QMP_ERROR, XEN_QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
  g_assert_cmpstr (c.error->message, ==, "Device 'cd0dev' not found");
  spin (100);
  assert_fake_verdict_ok (f);
  call_clear (&c);
}

static void
test_fdsets_fake_client_timeout_removes (Fixture *f, gconstpointer data)
{
  Call c = { 0 };

  start_fake_script (f, GREETED ADD_FD (0)
                     "{\"expect\": \"xen-save-devices-state\", \"swallow\": true}\n"
                     REMOVE_FD (0) CLOSED);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  xen_qmp_client_set_timeout_ms (f->client, 300);
  client_start_with_fdsets (f, &c, NULL, "xen-save-devices-state",
                            "{\"filename\": \"@fd\", \"live\": false}", 1);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  spin (100);
  assert_fake_verdict_ok (f);
  call_clear (&c);
}

static void
test_fdsets_fake_client_cancel_removes (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Call c = { 0 };
  gint64 cancelled_at;

  start_fake_script (f, GREETED
                     "{\"expect\": \"add-fd\", \"fds\": 1, \"delay\": 0.3,"
                     " \"return\": {\"fd\": 30, \"fdset-id\": 5}}\n"
                     REMOVE_FD (5) CLOSED);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  client_start_with_fdsets (f, &c, cancellable, "xen-save-devices-state",
                            "{\"filename\": \"@fd\"}", 1);
  spin (50);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  RUN_UNTIL (c.done);
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* At once, not when add-fd is answered. */
  g_assert_cmpint (c.completed_at - cancelled_at, <, 200000);
  spin (500);
  assert_fake_verdict_ok (f);
  call_clear (&c);
}

static void
test_fdsets_fake_client_disconnect (Fixture *f, gconstpointer data)
{
  Call c = { 0 };

  start_fake_script (f, GREETED ADD_FD (0)
                     "{\"expect\": \"xen-save-devices-state\", \"swallow\": true}\n"
                     "{\"disconnect\": true}\n");
  f->client = xen_qmp_client_new_for_socket (f->socket);
  client_start_with_fdsets (f, &c, NULL, "xen-save-devices-state",
                            "{\"filename\": \"@fd\"}", 1);
  RUN_UNTIL (c.done);
  g_assert_nonnull (c.error);
  g_assert_true (c.error->domain == G_IO_ERROR);
  assert_fake_verdict_ok (f);
  call_clear (&c);
}

static void
test_fdsets_fake_cmd_two_fdsets_nested (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonObject) args = object_from ("{\"node-name\": \"disk\", \"driver\": \"qcow2\","
                                            " \"file\": {\"driver\": \"file\", \"filename\": \"@fd0\"},"
                                            " \"backing\": {\"driver\": \"raw\", \"file\": {\"driver\":"
                                            " \"file\", \"filename\": \"@fd1\"}}, \"cache\": [\"@fd\"]}");
  g_autoptr(GError) error = NULL;
  g_auto(XenQmpCmd) cmd = XEN_QMP_CMD_INIT;
  CmdResult r = { 0 };
  int fds[2];

  start_fake_script (f, GREETED ADD_FD (1) ADD_FD (2)
                     "{\"expect\": \"blockdev-add\", \"args\": {\"node-name\": \"disk\","
                     " \"driver\": \"qcow2\", \"file\": {\"driver\": \"file\", \"filename\":"
                     " \"/dev/fdset/1\"}, \"backing\": {\"driver\": \"raw\", \"file\": {\"driver\":"
                     " \"file\", \"filename\": \"/dev/fdset/2\"}}, \"cache\": [\"/dev/fdset/1\"]}}\n"
                     REMOVE_FD (1) REMOVE_FD (2) CLOSED);
  f->host = xen_qmp_host_new (f->dir);
  fds[0] = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  fds[1] = open ("/dev/null", O_RDWR | O_CLOEXEC);
  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec_with_fdsets (f->host, &cmd, cmd_record, &r, 1,
                                               "blockdev-add", args, fds, 2, &error));
  in_exec = FALSE;
  g_assert_no_error (error);
  /* The library's now, and not before they are sent. */
  RUN_UNTIL (r.calls == 1);
  g_assert_no_error (r.error);
  spin (100);
  assert_fake_verdict_ok (f);
  cmd_result_clear (&r);
}

static void
test_fdsets_fake_cmd_dispose_removes (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonObject) args = object_from ("{\"filename\": \"@fd\"}");
  g_autoptr(GError) error = NULL;
  g_auto(XenQmpCmd) cmd = XEN_QMP_CMD_INIT;
  CmdResult r = { 0 };
  int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  start_fake_script (f, GREETED
                     "{\"expect\": \"add-fd\", \"fds\": 1, \"delay\": 0.2,"
                     " \"return\": {\"fd\": 30, \"fdset-id\": 7}}\n"
                     REMOVE_FD (7) CLOSED);
  f->host = xen_qmp_host_new (f->dir);
  in_exec = TRUE;
  g_assert_true (xen_qmp_cmd_exec_with_fdsets (f->host, &cmd, cmd_record, &r, 1,
                                               "xen-save-devices-state", args, &fd, 1, &error));
  in_exec = FALSE;
  spin (50);
  xen_qmp_cmd_dispose (&cmd);
  g_assert_false (xen_qmp_cmd_is_active (&cmd));
  spin (500);
  g_assert_cmpuint (r.calls, ==, 0);
  assert_fake_verdict_ok (f);
}

/* Placeholders must match the fds: refused before anything is sent, the
 * fds closed (the command API) or left to the list (the client). */
static void
test_fdsets_placeholders_checked (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *args;
    guint       n_fds;
  } bad[] = {
    { "{\"filename\": \"@fd1\"}", 1 },            /* no second fd */
    { "{\"filename\": \"@fd0\"}", 2 },            /* fd 1 never named */
    { "{\"filename\": \"/dev/fdset/@fd\"}", 1 },  /* a placeholder is a whole value */
    { "{\"filename\": \"@fd01\"}", 2 },
  };
  g_autoptr(GError) error = NULL;

  f->server = test_server_start_fake (f->socket, NULL, &error);
  g_assert_no_error (error);
  f->host = xen_qmp_host_new (f->dir);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) args = object_from (bad[i].args);
      g_auto(XenQmpCmd) cmd = XEN_QMP_CMD_INIT;
      CmdResult r = { 0 };
      Call c = { 0 };
      int fds[2];

      for (guint j = 0; j < bad[i].n_fds; j++)
        fds[j] = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      g_assert_false (xen_qmp_cmd_exec_with_fdsets (f->host, &cmd, cmd_record, &r, 1,
                                                    "xen-save-devices-state", args, fds,
                                                    bad[i].n_fds, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s: %s", bad[i].args, error->message);
      g_clear_error (&error);
      for (guint j = 0; j < bad[i].n_fds; j++)
        g_assert_cmpint (fcntl (fds[j], F_GETFD), ==, -1);

      client_start_with_fdsets (f, &c, NULL, "xen-save-devices-state", bad[i].args, bad[i].n_fds);
      RUN_UNTIL (c.done);
      g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      call_clear (&c);
    }
}

/* fake-qemu's own device model: the save writes into the fdset's file,
 * and nothing is left in query-fdsets (the guest runs: like QEMU, the
 * fake keeps a removed fd while the guest is stopped). */
static void
test_fdsets_fake_client_save_builtin (Fixture *f, gconstpointer data)
{
  g_autofree char *state = g_build_filename (f->dir, "state.img", NULL);
  g_autoptr(JsonObject) args = object_from ("{\"filename\": \"@fd\", \"live\": false}");
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ret = NULL;
  g_autofree char *left = NULL;
  GStatBuf st;

  f->server = test_server_start_fake (f->socket, NULL, &error);
  g_assert_no_error (error);
  f->client = xen_qmp_client_new_for_socket (f->socket);
  fds = fd_list_for (state, O_WRONLY | O_CREAT | O_TRUNC);
  ret = xen_qmp_client_execute_with_fdsets_sync (f->client, "xen-save-devices-state", args,
                                                 fds, NULL, &error);
  g_assert_no_error (error);
  left = client_fdsets (f);
  g_assert_cmpstr (left, ==, "");
  g_assert_cmpint (g_stat (state, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_fds_warm_up ();

#define ADD(name, func) g_test_add ("/fdsets/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("qemu/client-cd-insert-read-only", test_fdsets_qemu_client_cd_insert_read_only);
  ADD ("qemu/cmd-stop-save-devices-state", test_fdsets_qemu_cmd_save_devices_state);
  ADD ("qemu/client-save-running", test_fdsets_qemu_client_save_running);
  ADD ("fake/client-qmp-error-removes", test_fdsets_fake_client_qmp_error_removes);
  ADD ("fake/client-timeout-removes", test_fdsets_fake_client_timeout_removes);
  ADD ("fake/client-cancel-removes", test_fdsets_fake_client_cancel_removes);
  ADD ("fake/client-disconnect", test_fdsets_fake_client_disconnect);
  ADD ("fake/cmd-two-fdsets-nested", test_fdsets_fake_cmd_two_fdsets_nested);
  ADD ("fake/cmd-dispose-removes", test_fdsets_fake_cmd_dispose_removes);
  ADD ("fake/placeholders-checked", test_fdsets_placeholders_checked);
  ADD ("fake/client-save-builtin", test_fdsets_fake_client_save_builtin);
#undef ADD
  return g_test_run ();
}
