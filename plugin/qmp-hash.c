/* qmp-hash.c: hashes a device model cannot aim at
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * SipHash (Aumasson and Bernstein, 2012) with one compression and three
 * finalisation rounds, written from the paper's description: a keyed
 * function whose outputs reveal nothing usable about the key, which is
 * what makes chosen collisions impractical.
 */
#include "config.h"

#include "qmp-hash.h"

#include <string.h>
#include <sys/random.h>

static guint64 key0, key1;

static void
ensure_key (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  {
    guint64 k[2];

    /* GRND_NONBLOCK: a process started before the pool is ready (early
     * boot) takes GLib's generator rather than blocking. */
    if (getrandom (k, sizeof k, GRND_NONBLOCK) != (ssize_t) sizeof k)
      {
        k[0] = ((guint64) g_random_int () << 32) | g_random_int ();
        k[1] = ((guint64) g_random_int () << 32) | g_random_int ();
      }
    key0 = k[0];
    key1 = k[1];
  }
  g_once_init_leave (&done, 1);
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

typedef struct {
  guint64 v0, v1, v2, v3;
} SipState;

static inline void
sip_round (SipState *s)
{
  s->v0 += s->v1;
  s->v1 = ROTL (s->v1, 13);
  s->v1 ^= s->v0;
  s->v0 = ROTL (s->v0, 32);
  s->v2 += s->v3;
  s->v3 = ROTL (s->v3, 16);
  s->v3 ^= s->v2;
  s->v0 += s->v3;
  s->v3 = ROTL (s->v3, 21);
  s->v3 ^= s->v0;
  s->v2 += s->v1;
  s->v1 = ROTL (s->v1, 17);
  s->v1 ^= s->v2;
  s->v2 = ROTL (s->v2, 32);
}

static inline guint64
load_le64 (const guint8 *p)
{
  guint64 w;

  memcpy (&w, p, sizeof w);
  return GUINT64_FROM_LE (w);
}

guint64
qmp_hash_bytes (const void *data, gsize len)
{
  const guint8 *p = data;
  SipState s;
  guint64 last;
  gsize tail = len % 8;

  ensure_key ();
  s.v0 = key0 ^ G_GUINT64_CONSTANT (0x736f6d6570736575);
  s.v1 = key1 ^ G_GUINT64_CONSTANT (0x646f72616e646f6d);
  s.v2 = key0 ^ G_GUINT64_CONSTANT (0x6c7967656e657261);
  s.v3 = key1 ^ G_GUINT64_CONSTANT (0x7465646279746573);

  for (const guint8 *end = p + (len - tail); p < end; p += 8)
    {
      guint64 m = load_le64 (p);

      s.v3 ^= m;
      sip_round (&s);
      s.v0 ^= m;
    }
  /* The last block: the remaining bytes, and the length in the top byte. */
  last = (guint64) len << 56;
  for (gsize i = 0; i < tail; i++)
    last |= (guint64) p[i] << (8 * i);
  s.v3 ^= last;
  sip_round (&s);
  s.v0 ^= last;

  s.v2 ^= 0xff;
  sip_round (&s);
  sip_round (&s);
  sip_round (&s);
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

guint
qmp_str_hash (gconstpointer key)
{
  const char *s = key;

  return (guint) qmp_hash_bytes (s, strlen (s));
}

guint32
qmp_g_str_hash_len (const char *data, gsize len)
{
  guint32 h = 5381;

  for (gsize i = 0; i < len; i++)
    h = (h << 5) + h + (guint32) (gint32) (signed char) data[i];
  return h;
}
