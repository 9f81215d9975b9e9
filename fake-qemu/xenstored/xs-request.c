/* xs-request.c: what the fake xenstored does with each request type
 *
 * Each handler returns 0 once it has replied, or the errno value that
 * goes back as XS_ERROR, with the answers xenstored gives (checked
 * against the real libxenstore and tools): EINVAL for a malformed
 * payload or node name, ENOENT for a missing node or transaction,
 * EAGAIN for a commit that lost a race, ENOSYS for an unknown type.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-xenstored"

#include "xs-request.h"

#include <stdlib.h>
#include <string.h>

#include "xs-hypervisor.h"
#include "xs-path.h"
#include "xs-transaction.h"

/* Xen's DOMID_SELF: "the caller", which is always introduced. */
#define DOMID_SELF 0x7FF0U

/* How many payload bytes a debug trace shows. */
#define TRACE_BYTES 160

typedef struct {
  XsClient                 *client;
  XsServer                 *server;
  const struct xsd_sockmsg *header;
  const char               *payload;
  gsize                     len;
  XsTransaction            *tx;      /* the request's transaction, or NULL */
  XsStore                  *store;   /* the transaction's store, or the main one */
} Request;

typedef int (*Handler) (Request *req);

static void
send_reply (Request *req, guint32 type, const void *data, gsize len)
{
  g_debug ("client %u: reply %s req %u, %" G_GSIZE_FORMAT " bytes",
           xs_connection_get_id (req->client->conn), xs_wire_type_name (type),
           req->header->req_id, len);
  xs_connection_send (req->client->conn, type, req->header->req_id, req->header->tx_id,
                      data, len);
}

static void
send_error (Request *req, int err)
{
  const char *name = xs_wire_error_name (err);

  g_debug ("client %u: error %s for %s req %u", xs_connection_get_id (req->client->conn),
           name, xs_wire_type_name (req->header->type), req->header->req_id);
  xs_connection_send (req->client->conn, XS_ERROR, req->header->req_id, req->header->tx_id,
                      name, strlen (name) + 1);
}

static int
reply (Request *req, const void *data, gsize len)
{
  /* Like xenstored: what does not fit in a message is an error. */
  if (len > XENSTORE_PAYLOAD_MAX)
    return E2BIG;
  send_reply (req, req->header->type, data, len);
  return 0;
}

static int
reply_ok (Request *req)
{
  return reply (req, "OK", sizeof "OK");
}

/* How many NUL-terminated strings the payload holds (bytes after the last
 * NUL are not a string, as xenstored counts). */
static guint
count_strings (Request *req)
{
  guint n = 0;

  for (gsize i = 0; i < req->len; i++)
    if (req->payload[i] == '\0')
      n++;
  return n;
}

/* The i-th string; the caller checked that there are enough. */
static const char *
nth_string (Request *req, guint i)
{
  const char *s = req->payload;

  while (i-- > 0)
    s += strlen (s) + 1;
  return s;
}

/* The payload as one string, its only NUL the last byte; or NULL. */
static const char *
one_arg (Request *req)
{
  if (req->len == 0 || memchr (req->payload, '\0', req->len) != req->payload + req->len - 1)
    return NULL;
  return req->payload;
}

/* The canonical node name of ARG, or EINVAL. */
static int
node_path (const char *arg, char **path)
{
  g_autofree char *canonical = NULL;

  if (arg == NULL)
    return EINVAL;
  canonical = xs_path_canonicalize (arg);
  if (!xs_path_is_valid (canonical))
    return EINVAL;
  *path = g_steal_pointer (&canonical);
  return 0;
}

/* A domid as xenstored reads one: atoi(), then unsigned (so "abc" is 0,
 * and "-1" 4294967295), as in xenstored_domain.c's handlers. */
static guint
domid_of (const char *arg)
{
  return (guint) atoi (arg);
}

/* A change made inside a transaction is logged for the commit. */
static void
changed (Request *req, const char *path, const void *data, gsize len)
{
  if (req->tx != NULL)
    xs_transaction_log (req->tx, req->header->type, path, data, len);
}

static int
do_read (Request *req)
{
  g_autofree char *path = NULL;
  const guint8 *value;
  gsize len;
  int err;

  if ((err = node_path (one_arg (req), &path)) != 0
      || (err = xs_store_read (req->store, path, &value, &len)) != 0)
    return err;
  return reply (req, value, len);
}

/* What follows the first string (WRITE's value, SET_PERMS' permissions),
 * or NULL when the payload holds no NUL. */
static const char *
after_first_string (Request *req, gsize *len)
{
  const char *rest;

  if (memchr (req->payload, '\0', req->len) == NULL)
    return NULL;
  rest = req->payload + strlen (req->payload) + 1;
  *len = req->len - (gsize) (rest - req->payload);
  return rest;
}

static int
do_write (Request *req)
{
  g_autofree char *path = NULL;
  gsize value_len;
  /* The value may hold NULs itself. */
  const char *value = after_first_string (req, &value_len);
  int err;

  if (value == NULL)
    return EINVAL;
  if ((err = node_path (req->payload, &path)) != 0
      || (err = xs_store_write (req->store, path, value, value_len)) != 0)
    return err;
  changed (req, path, value, value_len);
  return reply_ok (req);
}

/* MKDIR and RM: one path, a change, "OK". */
static int
change_one_path (Request *req, int (*change) (XsStore *store, const char *path))
{
  g_autofree char *path = NULL;
  int err;

  if ((err = node_path (one_arg (req), &path)) != 0
      || (err = change (req->store, path)) != 0)
    return err;
  changed (req, path, NULL, 0);
  return reply_ok (req);
}

static int
do_mkdir (Request *req)
{
  return change_one_path (req, xs_store_mkdir);
}

static int
do_rm (Request *req)
{
  return change_one_path (req, xs_store_rm);
}

static int
do_directory (Request *req)
{
  g_autofree char *path = NULL;
  g_autoptr(GByteArray) names = g_byte_array_new ();
  int err;

  if ((err = node_path (one_arg (req), &path)) != 0
      || (err = xs_store_directory (req->store, path, names, NULL)) != 0)
    return err;
  return reply (req, names->data, names->len);
}

/* The children from a byte offset into the list, after the node's
 * generation; the last part ends with an empty string. libxenstore asks
 * for parts when DIRECTORY answered E2BIG. */
static int
do_directory_part (Request *req)
{
  g_autofree char *path = NULL;
  g_autoptr(GByteArray) names = g_byte_array_new ();
  g_autoptr(GByteArray) part = g_byte_array_new ();
  g_autofree char *generation_str = NULL;
  guint64 generation, offset;
  gsize end;
  int err;

  if (count_strings (req) != 2
      || !g_ascii_string_to_unsigned (nth_string (req, 1), 10, 0, G_MAXUINT32, &offset, NULL))
    return EINVAL;
  if ((err = node_path (nth_string (req, 0), &path)) != 0
      || (err = xs_store_directory (req->store, path, names, &generation)) != 0)
    return err;

  generation_str = g_strdup_printf ("%" G_GUINT64_FORMAT, generation);
  g_byte_array_append (part, (const guint8 *) generation_str, (guint) strlen (generation_str) + 1);
  /* Whole names only, and room for the final empty string. */
  end = MIN (offset, names->len);
  while (end < names->len)
    {
      gsize name_len = strlen ((const char *) names->data + end) + 1;

      if (part->len + (end - offset) + name_len + 1 > XENSTORE_PAYLOAD_MAX)
        break;
      end += name_len;
    }
  if (offset < names->len)
    g_byte_array_append (part, names->data + offset, (guint) (end - offset));
  if (end >= names->len)
    g_byte_array_append (part, (const guint8 *) "", 1);
  return reply (req, part->data, part->len);
}

static int
do_get_perms (Request *req)
{
  g_autofree char *path = NULL;
  g_autoptr(GByteArray) perms = g_byte_array_new ();
  int err;

  if ((err = node_path (one_arg (req), &path)) != 0
      || (err = xs_store_get_perms (req->store, path, perms)) != 0)
    return err;
  return reply (req, perms->data, perms->len);
}

static int
do_set_perms (Request *req)
{
  g_autofree char *path = NULL;
  const char *perms;
  gsize perms_len;
  int err;

  perms = after_first_string (req, &perms_len);
  if (perms == NULL || !xs_perms_are_valid (perms, perms_len))
    return EINVAL;
  /* do_set_perms() (xenstored_core.c): a permission set owned by a
   * domain that does not exist is refused. */
  if (!xs_server_check_perms_domains (req->server, perms, perms_len))
    return ENOENT;
  /* The special watches have permissions too (set_perms_special()); they
   * decide who gets the events, and every client of the fake is dom0,
   * which gets them whatever they say. */
  if (req->payload[0] == '@')
    {
      if (strcmp (req->payload, "@releaseDomain") != 0
          && strcmp (req->payload, "@introduceDomain") != 0)
        return EINVAL;
      return reply_ok (req);
    }
  if ((err = node_path (req->payload, &path)) != 0
      || (err = xs_store_set_perms (req->store, path, perms, perms_len)) != 0)
    return err;
  changed (req, path, perms, perms_len);
  return reply_ok (req);
}

static int
do_watch (Request *req)
{
  const char *arg, *token;
  g_autofree char *path = NULL;
  gboolean relative;
  int err;

  if (count_strings (req) != 2)
    return EINVAL;
  arg = nth_string (req, 0);
  token = nth_string (req, 1);
  if (xs_path_is_special (arg))
    {
      if (strlen (arg) > XENSTORE_REL_PATH_MAX)
        return EINVAL;
      path = g_strdup (arg);
    }
  else if ((err = node_path (arg, &path)) != 0)
    return err;
  relative = !xs_path_is_special (arg) && arg[0] != '/';
  if ((err = xs_server_add_watch (req->server, req->client, path, token, relative)) != 0)
    return err;
  reply_ok (req);
  /* xenstored fires every new watch once, after the reply. */
  xs_server_send_initial_event (req->server, req->client, path, token);
  return 0;
}

static int
do_unwatch (Request *req)
{
  g_autofree char *path = NULL;
  int err;

  if (count_strings (req) != 2)
    return EINVAL;
  path = xs_path_canonicalize (nth_string (req, 0));
  err = xs_server_remove_watch (req->server, req->client, path, nth_string (req, 1));
  return err != 0 ? err : reply_ok (req);
}

static int
do_transaction_start (Request *req)
{
  XsClient *client = req->client;
  char id_str[16];
  guint32 id;

  if (req->tx != NULL)
    return EBUSY;
  /* No quota for dom0 (do_transaction_start() in xenstored_transaction.c
   * counts only unprivileged domains'); only memory ends it. */
  if (xs_store_get_bytes (req->store) > XS_MAX_TRANSACTION_BYTES
                                        - *xs_server_get_transaction_bytes (req->server))
    return ENOMEM;
  do
    id = ++client->last_tx_id;
  while (id == 0 || g_hash_table_contains (client->transactions, GUINT_TO_POINTER (id)));
  g_hash_table_insert (client->transactions, GUINT_TO_POINTER (id),
                       xs_transaction_new (id, xs_server_get_store (req->server),
                                           xs_server_get_transaction_bytes (req->server)));
  g_snprintf (id_str, sizeof id_str, "%u", id);
  return reply (req, id_str, strlen (id_str) + 1);
}

static int
do_transaction_end (Request *req)
{
  const char *arg = one_arg (req);
  XsTransaction *tx = req->tx;
  gboolean commit;
  int err = 0;

  /* The argument first, then the transaction, as do_transaction_end(). */
  if (arg == NULL || (strcmp (arg, "T") != 0 && strcmp (arg, "F") != 0))
    return EINVAL;
  if (tx == NULL)
    return ENOENT;
  commit = strcmp (arg, "T") == 0;
  /* Gone whatever the outcome, as in xenstored: EAGAIN means start over. */
  g_hash_table_steal (req->client->transactions, GUINT_TO_POINTER (xs_transaction_get_id (tx)));
  if (commit)
    err = xs_transaction_commit (tx, xs_server_get_store (req->server));
  xs_transaction_free (tx);
  return err != 0 ? err : reply_ok (req);
}

/* do_introduce() (xenstored_domain.c): domid, page, event channel. */
static int
do_introduce (Request *req)
{
  guint domid;
  int err;

  if (count_strings (req) < 3)
    return EINVAL;
  domid = domid_of (nth_string (req, 0));
  /* The page means nothing without a hypervisor; the port must be one. */
  if (atoi (nth_string (req, 2)) <= 0)
    return EINVAL;
  err = xs_server_introduce_domain (req->server, domid);
  return err != 0 ? err : reply_ok (req);
}

static int
do_release (Request *req)
{
  guint domid;
  int err;

  if (one_arg (req) == NULL)
    return EINVAL;
  domid = domid_of (one_arg (req));
  err = xs_server_release_domain (req->server, domid);
  return err != 0 ? err : reply_ok (req);
}

static int
do_resume (Request *req)
{
  guint domid;
  int err;

  if (one_arg (req) == NULL)
    return EINVAL;
  domid = domid_of (one_arg (req));
  err = xs_server_resume_domain (req->server, domid);
  return err != 0 ? err : reply_ok (req);
}

static int
do_set_target (Request *req)
{
  guint domid, target;

  if (count_strings (req) < 2)
    return EINVAL;
  domid = domid_of (nth_string (req, 0));
  target = domid_of (nth_string (req, 1));
  if (!xs_server_domain_is_introduced (req->server, domid)
      || !xs_server_domain_is_introduced (req->server, target))
    return ENOENT;
  return reply_ok (req);
}

static int
do_get_domain_path (Request *req)
{
  g_autofree char *path = NULL;
  guint domid;

  if (one_arg (req) == NULL)
    return EINVAL;
  domid = domid_of (one_arg (req));
  path = g_strdup_printf ("/local/domain/%u", domid);
  return reply (req, path, strlen (path) + 1);
}

static int
do_is_domain_introduced (Request *req)
{
  guint domid;

  if (one_arg (req) == NULL)
    return EINVAL;
  domid = domid_of (one_arg (req));
  if (domid == DOMID_SELF || xs_server_domain_is_introduced (req->server, domid))
    return reply (req, "T", 2);
  return reply (req, "F", 2);
}

static int
do_reset_watches (Request *req)
{
  xs_server_remove_client_watches (req->server, req->client);
  g_hash_table_remove_all (req->client->transactions);
  return reply_ok (req);
}

/* xenstore-control's commands; only what a test can use. */
static int
do_control (Request *req)
{
  static const char help[] = "help\nprint <text>\n";
  const char *command;

  if (count_strings (req) < 1)
    return EINVAL;
  command = nth_string (req, 0);
  if (strcmp (command, "help") == 0)
    return reply (req, help, sizeof help);
  if (strcmp (command, "print") == 0 && count_strings (req) >= 2)
    {
      g_message ("client %u: %s", xs_connection_get_id (req->client->conn),
                 nth_string (req, 1));
      return reply_ok (req);
    }
  return EINVAL;
}

static const struct {
  Handler  handler;
  gboolean ignores_tx;   /* the transaction id means nothing to it */
} handlers[XS_TYPE_COUNT] = {
  [XS_CONTROL] = { do_control, FALSE },
  [XS_DIRECTORY] = { do_directory, FALSE },
  [XS_READ] = { do_read, FALSE },
  [XS_GET_PERMS] = { do_get_perms, FALSE },
  [XS_WATCH] = { do_watch, TRUE },
  [XS_UNWATCH] = { do_unwatch, TRUE },
  [XS_TRANSACTION_START] = { do_transaction_start, FALSE },
  [XS_TRANSACTION_END] = { do_transaction_end, FALSE },
  [XS_INTRODUCE] = { do_introduce, FALSE },
  [XS_RELEASE] = { do_release, FALSE },
  [XS_GET_DOMAIN_PATH] = { do_get_domain_path, FALSE },
  [XS_WRITE] = { do_write, FALSE },
  [XS_MKDIR] = { do_mkdir, FALSE },
  [XS_RM] = { do_rm, FALSE },
  [XS_SET_PERMS] = { do_set_perms, FALSE },
  [XS_IS_DOMAIN_INTRODUCED] = { do_is_domain_introduced, FALSE },
  [XS_RESUME] = { do_resume, FALSE },
  [XS_SET_TARGET] = { do_set_target, FALSE },
  [XS_RESET_WATCHES] = { do_reset_watches, FALSE },
  [XS_DIRECTORY_PART] = { do_directory_part, FALSE },
};

static void
trace_request (Request *req)
{
  g_autoptr(GString) text = NULL;
  gsize shown = MIN (req->len, TRACE_BYTES);

  /* Formatting is for a log that keeps it. */
  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    return;
  text = g_string_sized_new (shown + 8);
  for (gsize i = 0; i < shown; i++)
    {
      char c = req->payload[i];

      if (c == '\0')
        g_string_append_c (text, '|');
      else if (g_ascii_isprint (c))
        g_string_append_c (text, c);
      else
        g_string_append_printf (text, "\\x%02x", (guint8) c);
    }
  if (shown < req->len)
    g_string_append (text, "...");
  g_debug ("client %u: %s req %u tx %u, %" G_GSIZE_FORMAT " bytes: %s",
           xs_connection_get_id (req->client->conn), xs_wire_type_name (req->header->type),
           req->header->req_id, req->header->tx_id, req->len, text->str);
}

void
xs_request_handle (XsClient *client, const struct xsd_sockmsg *header, const char *payload)
{
  Request req = {
    .client = client,
    .server = client->server,
    .header = header,
    .payload = payload,
    .len = header->len,
    .store = xs_server_get_store (client->server),
  };
  guint32 type = header->type;
  int err;

  trace_request (&req);
  if (type >= G_N_ELEMENTS (handlers) || handlers[type].handler == NULL)
    {
      send_error (&req, ENOSYS);
      return;
    }
  if (!handlers[type].ignores_tx && header->tx_id != 0)
    {
      req.tx = g_hash_table_lookup (client->transactions, GUINT_TO_POINTER (header->tx_id));
      if (req.tx == NULL)
        {
          send_error (&req, ENOENT);
          return;
        }
      req.store = xs_transaction_get_store (req.tx);
    }
  err = handlers[type].handler (&req);
  if (err != 0)
    send_error (&req, err);
}
