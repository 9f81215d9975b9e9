/* qmp-json-scan.c: RFC 8259, strictly, before anything builds a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One pass, no recursion (containers are frames on a stack of our own),
 * and every cost linear in the text: strings are skipped by a table-driven
 * loop, member names are remembered as spans of the text and checked for
 * repeats when their object closes (pair by pair in small objects, through
 * a table keyed by SipHash in large ones).
 */
#include "config.h"

#include "qmp-json-scan.h"
#include "qmp-hash.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* Objects no larger than this are checked for repeated names pair by
 * pair, which costs less than hashing for QEMU's everyday objects. */
#define SMALL_OBJECT 8
/* Names of one object that may share one g_str_hash() value: two happen
 * by chance once in billions of large objects; more are made on purpose,
 * and json-glib would compare each new one with all of them. */
#define MAX_SAME_GLIB_HASH 2

typedef struct {
  gsize    offset;      /* first byte after the opening quote */
  gsize    len;         /* bytes up to the closing quote, escapes raw */
  guint32  glib_hash;   /* of the unescaped name; set for large objects */
  gboolean escaped;
} Name;

typedef struct {
  gboolean is_object;
  guint    n_members;
  gsize    names_base;  /* this object's names are names[names_base..] */
} Frame;

typedef struct {
  const guchar            *data;
  gsize                    len;
  gsize                    i;
  const QmpJsonScanLimits *limits;
  QmpJsonShape            *shape;
  GError                 **error;

  Frame   *frames;
  guint    n_frames;
  guint    frames_alloc;
  Frame    inline_frames[32];

  Name    *names;
  gsize    n_names;
  gsize    names_alloc;
  Name     inline_names[16];

  guint32 *slots;       /* index + 1 into the object's names, 0: free */
  gsize    slots_alloc;
  GString *scratch[2];  /* unescaped names, to compare escaped ones */
} Scanner;

/* Bytes a string's fast loop passes over: printable ASCII but the quote
 * and the backslash. */
static guint8 plain_in_string[256];

static void
init_tables (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  for (guint b = 0x20; b < 0x80; b++)
    plain_in_string[b] = 1;
  plain_in_string['"'] = plain_in_string['\\'] = 0;
  g_once_init_leave (&done, 1);
}

G_GNUC_PRINTF (4, 5)
static gboolean
fail_at (Scanner *s, gsize at, GIOErrorEnum code, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (s->error, G_IO_ERROR, code, "%s, at byte %" G_GSIZE_FORMAT,
               what, at);
  s->shape->error_at = at;
  return FALSE;
}

#define fail(s, ...) fail_at ((s), (s)->i, G_IO_ERROR_INVALID_DATA, __VA_ARGS__)

static gboolean
fail_end (Scanner *s)
{
  if (s->shape->elements == 0)
    return fail (s, "no JSON value");
  return fail (s, "the text ends inside a JSON value");
}

/* Names what stands where a token should, without quoting more than one
 * printable ASCII character of it. */
static gboolean
fail_unexpected (Scanner *s, const char *wanted)
{
  guchar c = s->data[s->i];

  switch (c)
    {
    case '/':
      return fail (s, "a comment (not RFC 8259 JSON)");
    case '\'':
      return fail (s, "a single-quoted string (not RFC 8259 JSON)");
    case '\0':
      return fail (s, "a NUL byte");
    default:
      break;
    }
  if (g_ascii_isalpha (c))
    return fail (s, "a bare word where %s should be (not RFC 8259 JSON)", wanted);
  if (g_ascii_isgraph (c))
    return fail (s, "'%c' where %s should be", c, wanted);
  return fail (s, "byte 0x%02x where %s should be", c, wanted);
}

/* The loops over bytes work on locals: through the struct, every byte
 * read (an unsigned char may alias anything) would reload and store the
 * index (make bench-callgrind). */
static inline void
skip_blanks (Scanner *s)
{
  const guchar *data = s->data;
  gsize i = s->i, len = s->len;

  while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
    i++;
  s->i = i;
}

static gboolean
count_value (Scanner *s)
{
  s->shape->elements++;
  if (s->limits->max_elements > 0 && s->shape->elements > s->limits->max_elements)
    return fail_at (s, s->i, G_IO_ERROR_MESSAGE_TOO_LARGE,
                    "more than %" G_GSIZE_FORMAT " JSON values (limit max-elements)",
                    s->limits->max_elements);
  return TRUE;
}

static int
hex_digit (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The four hex digits at AT, or -1. */
static int
read_hex4 (const guchar *data, gsize len, gsize at)
{
  int value = 0;

  if (len - at < 4)
    return -1;
  for (gsize k = 0; k < 4; k++)
    {
      int d = hex_digit (data[at + k]);

      if (d < 0)
        return -1;
      value = value * 16 + d;
    }
  return value;
}

/* An escape after its backslash (at S->i), which it passes. */
static gboolean
scan_escape (Scanner *s)
{
  int cp;

  if (s->i == s->len)
    return fail_end (s);
  switch (s->data[s->i])
    {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      s->i++;
      return TRUE;
    case 'u':
      break;
    default:
      return fail (s, "an invalid escape in a string");
    }
  cp = read_hex4 (s->data, s->len, s->i + 1);
  if (cp < 0)
    return fail (s, "an invalid \\u escape in a string");
  if (cp == 0)
    return fail (s, "\\u0000 in a string (the string would end there)");
  if (cp >= 0xdc00 && cp <= 0xdfff)
    return fail (s, "an unpaired surrogate escape in a string");
  s->i += 5;
  if (cp >= 0xd800 && cp <= 0xdbff)
    {
      int low = s->len - s->i >= 2 && s->data[s->i] == '\\' && s->data[s->i + 1] == 'u'
                ? read_hex4 (s->data, s->len, s->i + 2) : -1;

      if (low < 0xdc00 || low > 0xdfff)
        return fail_at (s, s->i - 5, G_IO_ERROR_INVALID_DATA,
                        "an unpaired surrogate escape in a string");
      s->i += 6;
    }
  return TRUE;
}

/* One UTF-8 sequence whose lead byte is at S->i (above 0x7f): shortest
 * form only, no surrogates, nothing beyond U+10FFFF (RFC 3629). */
static gboolean
scan_utf8 (Scanner *s)
{
  const guchar *p = s->data + s->i;
  gsize left = s->len - s->i, n;
  guchar lo = 0x80, hi = 0xbf;

  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    {
      n = 3;
      if (p[0] == 0xe0)
        lo = 0xa0;
      else if (p[0] == 0xed)
        hi = 0x9f;
    }
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    {
      n = 4;
      if (p[0] == 0xf0)
        lo = 0x90;
      else if (p[0] == 0xf4)
        hi = 0x8f;
    }
  else
    return fail (s, "invalid UTF-8");
  if (left < n || p[1] < lo || p[1] > hi)
    return fail (s, "invalid UTF-8");
  for (gsize k = 2; k < n; k++)
    if (p[k] < 0x80 || p[k] > 0xbf)
      return fail (s, "invalid UTF-8");
  s->i += n;
  return TRUE;
}

/* A string whose opening quote is at S->i; *ESCAPED says whether it held
 * an escape. */
static gboolean
scan_string (Scanner *s, gboolean *escaped)
{
  const guchar *data = s->data;

  *escaped = FALSE;
  s->i++;
  for (;;)
    {
      gsize i = s->i, len = s->len;
      guchar c;

      while (i < len && plain_in_string[data[i]])
        i++;
      s->i = i;
      if (s->i == s->len)
        return fail_end (s);
      c = data[s->i];
      if (c == '"')
        {
          s->i++;
          return TRUE;
        }
      if (c == '\\')
        {
          *escaped = TRUE;
          s->i++;
          if (!scan_escape (s))
            return FALSE;
        }
      else if (c == 0)
        return fail (s, "a NUL byte");
      else if (c < 0x20)
        return fail (s, "an unescaped control character (0x%02x) in a string", c);
      else if (!scan_utf8 (s))
        return FALSE;
    }
}

static gsize
skip_digits (const guchar *data, gsize len, gsize i)
{
  while (i < len && g_ascii_isdigit (data[i]))
    i++;
  return i;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at S->i. */
static gboolean
scan_number (Scanner *s)
{
  const guchar *data = s->data;
  gsize start = s->i, i = s->i, int_digits;
  gboolean negative = FALSE, integer = TRUE;

  if (data[i] == '-')
    {
      negative = TRUE;
      i++;
    }
  if (i == s->len || !g_ascii_isdigit (data[i]))
    return fail_at (s, i, G_IO_ERROR_INVALID_DATA, "a malformed number");
  if (data[i] == '0' && i + 1 < s->len && (data[i + 1] == 'x' || data[i + 1] == 'X'))
    return fail_at (s, i, G_IO_ERROR_INVALID_DATA,
                    "a hexadecimal number (not RFC 8259 JSON)");
  if (data[i] == '0' && i + 1 < s->len && g_ascii_isdigit (data[i + 1]))
    return fail_at (s, i, G_IO_ERROR_INVALID_DATA,
                    "a number with a leading zero (not RFC 8259 JSON)");
  int_digits = skip_digits (data, s->len, i) - i;
  i += int_digits;
  if (i < s->len && data[i] == '.')
    {
      gsize digits = skip_digits (data, s->len, i + 1);

      if (digits == i + 1)
        return fail_at (s, i, G_IO_ERROR_INVALID_DATA, "a malformed number");
      i = digits;
      integer = FALSE;
    }
  if (i < s->len && (data[i] == 'e' || data[i] == 'E'))
    {
      gsize digits = i + 1;

      if (digits < s->len && (data[digits] == '+' || data[digits] == '-'))
        digits++;
      if (skip_digits (data, s->len, digits) == digits)
        return fail_at (s, i, G_IO_ERROR_INVALID_DATA, "a malformed number");
      i = skip_digits (data, s->len, digits);
      integer = FALSE;
    }
  if (i - start > QMP_JSON_MAX_NUMBER_LEN)
    return fail_at (s, start, G_IO_ERROR_INVALID_DATA,
                    "a number longer than %d bytes", QMP_JSON_MAX_NUMBER_LEN);
  s->i = i;

  /* Up to 18 digits always fit an int64; 19 may, 20 or more as uint64
   * bits or a double are read by qmp-json-reader.c, never plainly. */
  if (integer && int_digits <= 18)
    return TRUE;
  if (integer && int_digits == 19)
    {
      const char *limit = negative ? "9223372036854775808" : "9223372036854775807";

      if (memcmp (data + i - 19, limit, 19) <= 0)
        return TRUE;
    }
  s->shape->plain = FALSE;
  if (integer)
    s->shape->wide_integers = TRUE;
  {
    char buf[QMP_JSON_MAX_NUMBER_LEN + 1];
    double value;

    memcpy (buf, data + start, i - start);
    buf[i - start] = '\0';
    value = g_ascii_strtod (buf, NULL);
    if (isinf (value))
      return fail_at (s, start, G_IO_ERROR_INVALID_DATA,
                      "a number beyond a double's range");
  }
  return TRUE;
}

static gboolean
scan_literal (Scanner *s)
{
  const char *word;
  gsize n;

  switch (s->data[s->i])
    {
    case 't': word = "true"; n = 4; break;
    case 'f': word = "false"; n = 5; break;
    case 'n': word = "null"; n = 4; break;
    default: return fail_unexpected (s, "a value");
    }
  if (s->len - s->i < n || memcmp (s->data + s->i, word, n) != 0
      || (s->len - s->i > n && g_ascii_isalnum (s->data[s->i + n])))
    return fail_unexpected (s, "a value");
  s->i += n;
  return TRUE;
}

/* The unescaped bytes of a string already scanned. */
static void
unescape_into (GString *out, const guchar *p, gsize len)
{
  g_string_truncate (out, 0);
  for (gsize k = 0; k < len; k++)
    {
      gunichar cp;

      if (p[k] != '\\')
        {
          g_string_append_c (out, (char) p[k]);
          continue;
        }
      switch (p[++k])
        {
        case 'b': g_string_append_c (out, '\b'); continue;
        case 'f': g_string_append_c (out, '\f'); continue;
        case 'n': g_string_append_c (out, '\n'); continue;
        case 'r': g_string_append_c (out, '\r'); continue;
        case 't': g_string_append_c (out, '\t'); continue;
        case 'u': break;
        default: g_string_append_c (out, (char) p[k]); continue;
        }
      cp = (gunichar) read_hex4 (p, len, k + 1);
      k += 4;
      if (cp >= 0xd800 && cp <= 0xdbff)
        {
          cp = 0x10000 + ((cp - 0xd800) << 10) + ((gunichar) read_hex4 (p, len, k + 3) - 0xdc00);
          k += 6;
        }
      g_string_append_unichar (out, cp);
    }
}

/* Scratch space for unescaped names, made the first time a name with an
 * escape is compared: most texts never need it. */
static GString *
scratch (Scanner *s, guint k)
{
  if (s->scratch[k] == NULL)
    s->scratch[k] = g_string_new (NULL);
  return s->scratch[k];
}

static gboolean
names_equal (Scanner *s, const Name *a, const Name *b)
{
  if (!a->escaped && !b->escaped)
    return a->len == b->len && memcmp (s->data + a->offset, s->data + b->offset, a->len) == 0;
  unescape_into (scratch (s, 0), s->data + a->offset, a->len);
  unescape_into (scratch (s, 1), s->data + b->offset, b->len);
  return g_string_equal (s->scratch[0], s->scratch[1]);
}

static guint32
glib_hash_of (Scanner *s, const Name *name)
{
  if (!name->escaped)
    return qmp_g_str_hash_len ((const char *) s->data + name->offset, name->len);
  unescape_into (scratch (s, 0), s->data + name->offset, name->len);
  return qmp_g_str_hash_len (s->scratch[0]->str, s->scratch[0]->len);
}

static gboolean
fail_repeated (Scanner *s, const Name *second)
{
  return fail_at (s, second->offset - 1, G_IO_ERROR_INVALID_DATA,
                  "a member name given twice in one object");
}

/* The names of the object that just closed, each looked at a bounded
 * number of times. */
static gboolean
check_names (Scanner *s, const Frame *frame)
{
  gsize n = s->n_names - frame->names_base, size = 16, mask;
  Name *names;

  if (n < 2)
    return TRUE;
  names = s->names + frame->names_base;
  if (n <= SMALL_OBJECT)
    {
      /* Names of different lengths without escapes differ: most pairs
       * are told apart without a call. */
      for (gsize a = 1; a < n; a++)
        for (gsize b = 0; b < a; b++)
          if ((names[a].len == names[b].len || names[a].escaped || names[b].escaped)
              && names_equal (s, &names[a], &names[b]))
            return fail_repeated (s, &names[a]);
      return TRUE;
    }

  while (size < 2 * n)
    size *= 2;
  if (size > s->slots_alloc)
    {
      g_free (s->slots);
      s->slots = g_new (guint32, size);
      s->slots_alloc = size;
    }
  memset (s->slots, 0, size * sizeof *s->slots);
  mask = size - 1;
  for (gsize k = 0; k < n; k++)
    {
      Name *name = &names[k];
      gsize slot;
      guint same = 0;

      name->glib_hash = glib_hash_of (s, name);
      slot = (gsize) qmp_hash_bytes (&name->glib_hash, sizeof name->glib_hash) & mask;
      for (; s->slots[slot] != 0; slot = (slot + 1) & mask)
        {
          const Name *other = &names[s->slots[slot] - 1];

          if (other->glib_hash != name->glib_hash)
            continue;
          if (names_equal (s, other, name))
            return fail_repeated (s, name);
          if (++same >= MAX_SAME_GLIB_HASH)
            return fail_at (s, name->offset - 1, G_IO_ERROR_INVALID_DATA,
                            "more than %d member names of one object with one "
                            "hash (names chosen to collide)", MAX_SAME_GLIB_HASH);
        }
      s->slots[slot] = (guint32) k + 1;
    }
  return TRUE;
}

static gboolean
open_container (Scanner *s, gboolean is_object)
{
  Frame *frame;

  if (s->n_frames >= s->limits->max_depth)
    return fail (s, "JSON nested more than %u levels deep (limit max-depth)",
                 s->limits->max_depth);
  if (s->n_frames == s->frames_alloc)
    {
      guint grown = s->frames_alloc * 2;

      if (s->frames == s->inline_frames)
        s->frames = g_memdup2 (s->inline_frames, sizeof s->inline_frames);
      s->frames = g_renew (Frame, s->frames, grown);
      s->frames_alloc = grown;
    }
  frame = &s->frames[s->n_frames++];
  frame->is_object = is_object;
  frame->n_members = 0;
  frame->names_base = s->n_names;
  s->shape->depth = MAX (s->shape->depth, s->n_frames);
  s->i++;
  return TRUE;
}

/* A member's name, its colon and the blanks after it. */
static gboolean
scan_member_name (Scanner *s)
{
  Frame *frame = &s->frames[s->n_frames - 1];
  Name *name;
  gsize start;
  gboolean escaped;

  if (s->i == s->len)
    return fail_end (s);
  if (s->data[s->i] != '"')
    return fail_unexpected (s, "a member name");
  if (++frame->n_members > QMP_JSON_MAX_MEMBERS)
    return fail (s, "more than %u members in one object", QMP_JSON_MAX_MEMBERS);
  start = s->i + 1;
  if (!scan_string (s, &escaped))
    return FALSE;
  if (escaped)
    s->shape->plain = FALSE;
  if (s->n_names == s->names_alloc)
    {
      gsize grown = s->names_alloc * 2;

      if (s->names == s->inline_names)
        s->names = g_memdup2 (s->inline_names, sizeof s->inline_names);
      s->names = g_renew (Name, s->names, grown);
      s->names_alloc = grown;
    }
  name = &s->names[s->n_names++];
  name->offset = start;
  name->len = s->i - 1 - start;
  name->escaped = escaped;
  skip_blanks (s);
  if (s->i == s->len)
    return fail_end (s);
  if (s->data[s->i] != ':')
    return fail_unexpected (s, "':'");
  s->i++;
  skip_blanks (s);
  return TRUE;
}

/* After a value: commas, closing brackets, and the end of the text.
 * *MORE says whether another value follows. */
static gboolean
scan_after_value (Scanner *s, gboolean *more)
{
  for (;;)
    {
      Frame *frame;
      guchar closer;

      skip_blanks (s);
      if (s->n_frames == 0)
        {
          *more = FALSE;
          if (s->i != s->len)
            return fail (s, "text after the end of the JSON value");
          return TRUE;
        }
      if (s->i == s->len)
        return fail_end (s);
      frame = &s->frames[s->n_frames - 1];
      closer = frame->is_object ? '}' : ']';
      if (s->data[s->i] == ',')
        {
          s->i++;
          skip_blanks (s);
          if (s->i < s->len && (s->data[s->i] == '}' || s->data[s->i] == ']'))
            return fail (s, "a trailing comma (not RFC 8259 JSON)");
          *more = TRUE;
          return !frame->is_object || scan_member_name (s);
        }
      if (s->data[s->i] != closer)
        return fail_unexpected (s, frame->is_object ? "',' or '}'" : "',' or ']'");
      s->i++;
      if (frame->is_object && !check_names (s, frame))
        return FALSE;
      s->n_names = frame->names_base;
      s->n_frames--;
    }
}

static gboolean
scan (Scanner *s)
{
  gboolean more = TRUE;

  if (s->len >= 3 && memcmp (s->data, "\xef\xbb\xbf", 3) == 0)
    return fail (s, "a byte order mark (not RFC 8259 JSON)");
  skip_blanks (s);
  while (more)
    {
      gboolean escaped;

      if (s->i == s->len)
        return fail_end (s);
      if (!count_value (s))
        return FALSE;
      switch (s->data[s->i])
        {
        case '{':
        case '[':
          {
            gboolean is_object = s->data[s->i] == '{';

            if (!open_container (s, is_object))
              return FALSE;
            skip_blanks (s);
            if (s->i < s->len && s->data[s->i] == (is_object ? '}' : ']'))
              break;   /* empty: scan_after_value closes it */
            if (is_object && !scan_member_name (s))
              return FALSE;
            continue;
          }
        case '"':
          if (!scan_string (s, &escaped))
            return FALSE;
          if (escaped)
            s->shape->plain = FALSE;
          break;
        case '-': case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
          if (!scan_number (s))
            return FALSE;
          break;
        case '+':
        case '.':
          return fail (s, "a malformed number (not RFC 8259 JSON)");
        default:
          if (!scan_literal (s))
            return FALSE;
          break;
        }
      if (!scan_after_value (s, &more))
        return FALSE;
    }
  return TRUE;
}

gboolean
qmp_json_scan (const char               *data,
               gsize                     len,
               const QmpJsonScanLimits  *limits,
               QmpJsonShape             *shape,
               GError                  **error)
{
  Scanner s;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (limits != NULL && limits->max_depth > 0, FALSE);
  init_tables ();
  shape->depth = 0;
  shape->elements = 0;
  shape->plain = TRUE;
  shape->wide_integers = FALSE;
  shape->error_at = 0;
  /* Field by field: zeroing the inline stacks would cost more than
   * scanning a small reply (make bench-callgrind). */
  s.data = (const guchar *) data;
  s.len = len;
  s.i = 0;
  s.limits = limits;
  s.shape = shape;
  s.error = error;
  s.frames = s.inline_frames;
  s.n_frames = 0;
  s.frames_alloc = G_N_ELEMENTS (s.inline_frames);
  s.names = s.inline_names;
  s.n_names = 0;
  s.names_alloc = G_N_ELEMENTS (s.inline_names);
  s.slots = NULL;
  s.slots_alloc = 0;
  s.scratch[0] = s.scratch[1] = NULL;
  ok = scan (&s);
  if (s.frames != s.inline_frames)
    g_free (s.frames);
  if (s.names != s.inline_names)
    g_free (s.names);
  g_free (s.slots);
  for (guint k = 0; k < G_N_ELEMENTS (s.scratch); k++)
    if (s.scratch[k] != NULL)
      g_string_free (s.scratch[k], TRUE);
  return ok;
}
