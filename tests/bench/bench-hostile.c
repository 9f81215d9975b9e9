/* bench-hostile.c: what a hostile reply of the largest size costs
 *
 * Each shape is a reply of max-message-size bytes (the default, 4 MiB)
 * built to cost the most for its kind: nesting at max-depth, objects of
 * 1,024 members, a repeated name found only at the end, names that all
 * start in one bucket of json-glib's member tables, one long string full
 * of escapes, the most values max-elements admits. Each is sent by a peer
 * thread as the reply to a command on a host with the default limits,
 * and timed from exec to callback (accepted or refused), against
 * json-glib parsing a benign reply of the same size in the same round.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#include <xenqmp/xenqmp.h>

#include "bench-blob.h"
#include "bench-hostile.h"
#include "bench-table.h"

/* max-message-size's default, less room for the reply's envelope. */
#define SIZE       (4u * 1024 * 1024 - 64)
#define ROUNDS     5
#define DOMID      4242
#define DEPTH      64                   /* max-depth's default */
#define MEMBERS    1024                 /* the most one object may hold */
#define NAME_LEN   28

typedef struct {
  const char *name;
  GString   *(*build) (void);
} Shape;

/* Fills TEXT with copies of UNIT up to SIZE - TAIL bytes, commas between. */
static void
fill (GString *text, const char *unit, gsize tail)
{
  gsize len = strlen (unit);

  while (text->len + len + 1 + tail < SIZE)
    {
      if (text->str[text->len - 1] != '[')
        g_string_append_c (text, ',');
      g_string_append (text, unit);
    }
}

static GString *
deep (void)
{
  g_autofree char *opens = g_strnfill (DEPTH - 2, '[');
  g_autofree char *closes = g_strnfill (DEPTH - 2, ']');
  g_autofree char *pad = g_strnfill (4000, 'x');
  g_autofree char *unit = g_strdup_printf ("%s\"%s\"%s", opens, pad, closes);
  GString *text = g_string_new ("[");

  fill (text, unit, 1);
  g_string_append_c (text, ']');
  return text;
}

/* An object of MEMBERS members named by NAME. */
static char *
object_of (void (*name) (guint i, char *buf))
{
  GString *object = g_string_new ("{");
  char buf[NAME_LEN + 1];

  for (guint i = 0; i < MEMBERS; i++)
    {
      name (i, buf);
      g_string_append_printf (object, "%s\"%s\":0", i > 0 ? "," : "", buf);
    }
  g_string_append_c (object, '}');
  return g_string_free (object, FALSE);
}

static void
plain_name (guint i, char *buf)
{
  g_snprintf (buf, NAME_LEN + 1, "member-%0*u", NAME_LEN - 7, i);
}

static GString *
many_keys (void)
{
  g_autofree char *unit = object_of (plain_name);
  GString *text = g_string_new ("[");

  fill (text, unit, 1);
  g_string_append_c (text, ']');
  return text;
}

/* Valid all along, until the last object repeats a name: the whole text
 * is scanned before the refusal. */
static GString *
repeated_name_last (void)
{
  g_autofree char *unit = object_of (plain_name);
  g_autofree char *last = g_strdup (unit);
  GString *text = g_string_new ("[");
  char *second = strstr (last, ",\"member-") + 2;

  /* The second member takes the first one's name. */
  memcpy (second, "member-", 7);
  memset (second + 7, '0', NAME_LEN - 7);
  fill (text, unit, strlen (last) + 2);
  g_string_append_printf (text, ",%s]", last);
  return text;
}

/* Names whose g_str_hash() values differ but all start in one bucket of
 * a table the size json-glib's member table has at 1,024 members: each
 * insertion probes past all the others (GLib's tables index by the hash
 * times 11, modulo a prime: a multiple of the prime lands in bucket 0).
 * Found by search once: the same names serve every object. */
static char colliding_names[MEMBERS][NAME_LEN + 1];

static void
colliding_name (guint i, char *buf)
{
  memcpy (buf, colliding_names[i], NAME_LEN + 1);
}

static GString *
bucket_collisions (void)
{
  /* The table holds 2,048 buckets at 1,024 members, indexed modulo 2039. */
  static const guint prime = 2039;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autofree char *unit = NULL;
  GString *text = g_string_new ("[");
  guint found = 0;

  while (found < MEMBERS)
    {
      char *name = colliding_names[found];
      guint hash;

      for (guint k = 0; k < NAME_LEN; k++)
        name[k] = (char) ('a' + g_rand_int_range (rand, 0, 26));
      name[NAME_LEN] = '\0';
      hash = g_str_hash (name);
      if (hash % prime != 0 || g_hash_table_contains (seen, GUINT_TO_POINTER (hash)))
        continue;
      g_hash_table_add (seen, GUINT_TO_POINTER (hash));
      found++;
    }
  unit = object_of (colliding_name);
  fill (text, unit, 1);
  g_string_append_c (text, ']');
  return text;
}

static GString *
long_string (void)
{
  GString *text = g_string_new ("\"");

  while (text->len + 7 < SIZE)
    g_string_append (text, "\\u00e9");
  g_string_append_c (text, '"');
  return text;
}

/* As many values as max-elements admits (131,072, the reply's envelope,
 * its id and the array included), then blanks. */
static GString *
many_small (void)
{
  GString *text = g_string_new ("[");

  for (guint i = 0; i < 131072 - 3; i++)
    g_string_append (text, i > 0 ? ",{}" : "{}");
  while (text->len + 2 < SIZE)
    g_string_append_c (text, ' ');
  g_string_append_c (text, ']');
  return text;
}

static const Shape shapes[] = {
  { "deep at max-depth", deep },
  { "objects of 1,024 members", many_keys },
  { "a repeated name at the end", repeated_name_last },
  { "names in one bucket", bucket_collisions },
  { "one string of escapes", long_string },
  { "131,072 small values", many_small },
};

/* ---- the peer ------------------------------------------------------------ */

typedef struct {
  GSocketListener *listener;
  GCancellable    *stop;
  const GString   *reply;      /* the shape being sent */
  GMutex           lock;
} Peer;

static char *
read_line (GDataInputStream *in)
{
  return g_data_input_stream_read_line (in, NULL, NULL, NULL);
}

/* The id of a command line ("id": N), as QEMU echoes it. */
static gint64
id_of (const char *line)
{
  const char *id = line != NULL ? strstr (line, "\"id\":") : NULL;

  return id != NULL ? g_ascii_strtoll (id + 5, NULL, 10) : -1;
}

static gpointer
peer_thread (gpointer data)
{
  Peer *peer = data;

  for (;;)
    {
      g_autoptr(GSocketConnection) conn = g_socket_listener_accept (peer->listener, NULL, peer->stop, NULL);
      g_autoptr(GDataInputStream) in = NULL;
      GOutputStream *out;
      g_autofree char *caps = NULL, *cmd = NULL, *head = NULL, *tail = NULL;

      if (conn == NULL)
        return NULL;
      in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
      out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
      static const char greeting[] = "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n";

      g_output_stream_write_all (out, greeting, sizeof greeting - 1, NULL, NULL, NULL);
      caps = read_line (in);
      head = g_strdup_printf ("{\"return\": {}, \"id\": %" G_GINT64_FORMAT "}\n", id_of (caps));
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
      while ((cmd = read_line (in)) != NULL)
        {
          g_free (tail);
          tail = g_strdup_printf (", \"id\": %" G_GINT64_FORMAT "}\n", id_of (cmd));
          g_mutex_lock (&peer->lock);
          g_output_stream_write_all (out, "{\"return\": ", 11, NULL, NULL, NULL);
          g_output_stream_write_all (out, peer->reply->str, peer->reply->len, NULL, NULL, NULL);
          g_mutex_unlock (&peer->lock);
          g_output_stream_write_all (out, tail, strlen (tail), NULL, NULL, NULL);
          g_clear_pointer (&cmd, g_free);
        }
    }
}

/* ---- the measure ----------------------------------------------------------- */

typedef struct {
  gboolean done;
  gboolean accepted;
} Outcome;

static void
done_cb (XenQmpCmd *cmd, JsonNode *ret, XenQmpErrorClass error_class,
         const GError *error, gpointer user_data)
{
  Outcome *o = user_data;

  o->accepted = error == NULL;
  o->done = TRUE;
}

/* µs from exec to callback. */
static double
library_sample (XenQmpHost *host, gboolean *accepted)
{
  XenQmpCmd cmd;
  Outcome o = { 0 };
  gint64 start;

  xen_qmp_cmd_init (&cmd);
  start = g_get_monotonic_time ();
  if (!xen_qmp_cmd_exec (host, &cmd, done_cb, &o, DOMID, "x-bench-shape", NULL, NULL))
    return -1;
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);
  *accepted = o.accepted;
  return (double) (g_get_monotonic_time () - start);
}

static double
json_glib_sample (const char *benign, gsize len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 start = g_get_monotonic_time ();

  if (!json_parser_load_from_data (parser, benign, (gssize) len, NULL))
    return -1;
  return (double) (g_get_monotonic_time () - start);
}

void
bench_hostile_measure (const char *run_dir)
{
  g_autofree char *path = g_strdup_printf ("%s/qmp-libxl-%u", run_dir, DOMID);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(XenQmpHost) host = xen_qmp_host_new (run_dir);
  g_autofree char *benign = NULL;
  gsize benign_len;
  Peer peer = { 0 };
  GThread *thread;
  g_autoptr(GError) error = NULL;

  /* The limits' defaults: the shapes are sized for them. */
  g_object_set (host, "idle-timeout-ms", G_MAXUINT, NULL);
  benign = bench_blob_new (SIZE - 64, &benign_len);
  peer.listener = g_socket_listener_new ();
  peer.stop = g_cancellable_new ();
  g_mutex_init (&peer.lock);
  if (!g_socket_listener_add_address (peer.listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error))
    g_error ("bench-hostile: %s", error->message);
  thread = g_thread_new ("bench-hostile-peer", peer_thread, &peer);

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      g_autoptr(GString) shape = shapes[s].build ();
      g_autofree char *what = g_strdup_printf ("hostile 4 MiB reply: %s", shapes[s].name);
      g_autofree char *figure = NULL;
      double lib[ROUNDS], json[ROUNDS], ratio;
      gboolean accepted = FALSE;

      g_mutex_lock (&peer.lock);
      peer.reply = shape;
      g_mutex_unlock (&peer.lock);
      for (guint r = 0; r < ROUNDS; r++)
        {
          json[r] = json_glib_sample (benign, benign_len);
          lib[r] = library_sample (host, &accepted);
          if (lib[r] < 0 || json[r] < 0)
            g_error ("bench-hostile: %s failed", shapes[s].name);
        }
      ratio = bench_median_ratio (lib, json, ROUNDS);
      figure = g_strdup_printf ("%.1f ms (%s) vs json-glib on a benign one %.1f ms = %.2fx",
                                bench_median (lib, ROUNDS) / 1e3,
                                accepted ? "accepted" : "refused",
                                bench_median (json, ROUNDS) / 1e3, ratio);
      bench_table_row (what, figure, "<= 3x", ratio <= 3);
    }
  /* The host's going ends the peer's connection; the peer then waits in
   * accept(), which the cancellable ends. */
  g_clear_object (&host);
  g_cancellable_cancel (peer.stop);
  g_thread_join (thread);
  g_socket_listener_close (peer.listener);
  g_object_unref (peer.listener);
  g_object_unref (peer.stop);
  g_mutex_clear (&peer.lock);
  g_unlink (path);
}
