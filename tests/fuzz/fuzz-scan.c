/* fuzz-scan.c: the strict RFC 8259 scanner against jansson, on any bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * plugin/qmp-json-scan.c decides what may reach json-glib. json-glib is
 * no referee (it accepts comments, single quotes, bare words...), so the
 * scanner is held against jansson: a strict parser, written by others,
 * that shares no code with ours. On every input they must agree on the
 * verdict, and where both accept, on the shape (depth, elements, plain,
 * wide integers); and the scanner's limits must be exact. Where they
 * differ by design, the harness says so below, one case at a time: any
 * other disagreement aborts, and the input is a scanner bug until shown
 * otherwise.
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <jansson.h>

#include "fuzz-harness.h"
#include "qmp-json-scan.h"

/* Below jansson's own limit (JSON_PARSER_MAX_DEPTH, 2048 in 2.14): every
 * depth the scanner accepts, jansson parses. */
#define SCAN_MAX_DEPTH 1000

G_STATIC_ASSERT (SCAN_MAX_DEPTH < JSON_PARSER_MAX_DEPTH);

/* Names of one object that may share one g_str_hash() value, in objects
 * of more than SMALL_OBJECT members: qmp-json-scan.c (SMALL_OBJECT there
 * too) compares the names of smaller ones pair by pair and lets their
 * hashes be, as json-glib's cost stays small there whatever they are. */
#define MAX_SAME_HASH 2
#define SMALL_OBJECT 8

/* Whether TEXT holds a run of number characters longer than the scan
 * takes (QMP_JSON_MAX_NUMBER_LEN): valid JSON, refused by
 * design, which jansson's tree cannot show. */
static gboolean
has_long_number (const char *text, gsize size)
{
  gsize run = 0;

  for (gsize i = 0; i < size; i++)
    {
      run = g_ascii_isdigit (text[i]) || strchr ("+-.eE", text[i]) != NULL ? run + 1 : 0;
      if (run > QMP_JSON_MAX_NUMBER_LEN)
        return TRUE;
    }
  return FALSE;
}

/* What jansson's tree says about a value. */
typedef struct {
  guint    depth;
  gsize    elements;
  gsize    most_members;    /* the largest object's member count */
  gboolean crowded_hash;    /* an object with 3 names of one g_str_hash() */
  gboolean has_real;
} TreeShape;

typedef struct {
  json_t *value;
  guint   depth;            /* of the containers around it */
} Frame;

/* Whether more than MAX_SAME_HASH names of a large OBJECT share one
 * g_str_hash() value: names chosen so would make json-glib compare each
 * new one with all of them, and the scanner refuses them (see
 * QMP_JSON_MAX_MEMBERS). jansson's keys are the unescaped names, as
 * json-glib would hash them. */
static gboolean
has_crowded_hash (json_t *object)
{
  g_autoptr(GHashTable) counts = NULL;
  const char *key;
  json_t *value;

  if (json_object_size (object) <= SMALL_OBJECT)
    return FALSE;
  counts = g_hash_table_new (NULL, NULL);
  json_object_foreach (object, key, value)
    {
      gpointer hash = GUINT_TO_POINTER (g_str_hash (key));
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, hash)) + 1;

      if (count > MAX_SAME_HASH)
        return TRUE;
      g_hash_table_insert (counts, hash, GUINT_TO_POINTER (count));
    }
  return FALSE;
}

/* Walked with an explicit stack: an input may nest 2,048 levels, and a
 * harness that recursed would measure its own stack. (jansson's own
 * parser and json_decref() recurse, no deeper than JSON_PARSER_MAX_DEPTH.) */
static TreeShape
measure (json_t *root)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  TreeShape shape = { 0 };
  Frame top = { root, 0 };

  g_array_append_val (stack, top);
  while (stack->len > 0)
    {
      Frame frame = g_array_index (stack, Frame, stack->len - 1);
      const char *key;
      json_t *child;
      size_t i;

      g_array_set_size (stack, stack->len - 1);
      shape.elements++;
      switch (json_typeof (frame.value))
        {
        case JSON_ARRAY:
          shape.depth = MAX (shape.depth, frame.depth + 1);
          json_array_foreach (frame.value, i, child)
            {
              Frame next = { child, frame.depth + 1 };

              g_array_append_val (stack, next);
            }
          break;
        case JSON_OBJECT:
          shape.depth = MAX (shape.depth, frame.depth + 1);
          shape.most_members = MAX (shape.most_members, json_object_size (frame.value));
          shape.crowded_hash |= has_crowded_hash (frame.value);
          json_object_foreach (frame.value, key, child)
            {
              Frame next = { child, frame.depth + 1 };

              g_array_append_val (stack, next);
            }
          break;
        case JSON_REAL:
          shape.has_real = TRUE;
          break;
        default:
          break;
        }
    }
  return shape;
}

/* The scanner's "plain" (no escape in any string, no fraction or
 * exponent, every integer within int64) and "wide_integers" (an integer
 * beyond int64). A backslash can only stand in a string of a valid text,
 * so it is an escape. Read again without JSON_DECODE_INT_AS_REAL, jansson
 * makes a real of a number with a fraction or an exponent, and refuses an
 * integer beyond its json_int_t (int64). */
static void
expect_exact (const char *text, gsize len, gboolean *plain, gboolean *wide_integers)
{
  json_error_t error;
  json_t *exact;

  exact = json_loadb (text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
  if (exact == NULL)
    {
      /* It read the same text with reals: only an integer can fail. */
      if (json_error_code (&error) != json_error_numeric_overflow)
        g_error ("jansson refused a text it had read, without reals: %s", error.text);
      *plain = FALSE;
      *wide_integers = TRUE;
      return;
    }
  *wide_integers = FALSE;
  *plain = memchr (text, '\\', len) == NULL && !measure (exact).has_real;
  json_decref (exact);
}

static gboolean
scan (const char *text, gsize len, guint max_depth, gsize max_elements,
      QmpJsonShape *shape, GError **error)
{
  QmpJsonScanLimits limits = { .max_depth = max_depth, .max_elements = max_elements };

  return qmp_json_scan (text, len, &limits, shape, error);
}

/* A refusal says why without quoting the input, which may not even be
 * UTF-8: a message that is not valid UTF-8 quoted it. */
static void
check_refusal (const GError *error, gint code, const char *what)
{
  if (error == NULL)
    g_error ("%s: refused without an error", what);
  if (!g_error_matches (error, G_IO_ERROR, code))
    g_error ("%s: refused with %s %d (%s), not G_IO_ERROR %d", what,
             g_quark_to_string (error->domain), error->code, error->message, code);
  if (!g_utf8_validate (error->message, -1, NULL))
    g_error ("%s: the error message is not UTF-8: it quotes the input", what);
}

/* A refusal points into the input (or just past it: text that ends too
 * soon). */
static void
check_error_at (const QmpJsonShape *shape, gsize len)
{
  if (shape->error_at > len)
    g_error ("refused at byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, shape->error_at, len);
}

/* The limits hold exactly: a value of depth D and E elements passes with
 * max_depth = D and max_elements = E, and fails with one less of either,
 * with the error the header promises. A limit of 0 is never tried: the
 * scanner takes max_elements = 0 as no bound, and wants max_depth > 0. */
static void
check_limits_exact (const char *text, gsize len, const QmpJsonShape *seen)
{
  QmpJsonShape shape;

  if (!scan (text, len, MAX (seen->depth, 1), seen->elements, &shape, NULL))
    g_error ("refused at max_depth = depth (%u) and max_elements = elements (%" G_GSIZE_FORMAT ")",
             seen->depth, seen->elements);
  if (seen->depth > 1)
    {
      g_autoptr(GError) error = NULL;

      if (scan (text, len, seen->depth - 1, G_MAXSIZE, &shape, &error))
        g_error ("accepted at max_depth = %u with depth %u", seen->depth - 1, seen->depth);
      check_refusal (error, G_IO_ERROR_INVALID_DATA, "max_depth = depth - 1");
    }
  if (seen->elements > 1)
    {
      g_autoptr(GError) error = NULL;

      if (scan (text, len, SCAN_MAX_DEPTH, seen->elements - 1, &shape, &error))
        g_error ("accepted at max_elements = %" G_GSIZE_FORMAT " with %" G_GSIZE_FORMAT
                 " elements", seen->elements - 1, seen->elements);
      check_refusal (error, G_IO_ERROR_MESSAGE_TOO_LARGE, "max_elements = elements - 1");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  g_autoptr(GError) error = NULL;
  QmpJsonShape shape;
  json_error_t jerror;
  gboolean ok;
  json_t *root;
  TreeShape tree;
  gboolean known_refusal;
  gboolean plain, wide_integers;

  /* Integers beyond int64 are valid JSON, and the scanner takes them;
   * jansson refuses them unless it reads every number as a double. */
  root = json_loadb (text, size,
                     JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL,
                     &jerror);
  ok = scan (text, size, SCAN_MAX_DEPTH, G_MAXSIZE, &shape, &error);

  /* A NUL byte is never RFC 8259: not a blank, and a control character
   * in a string. jansson 2.14 swallows one that ends a number ("1\0",
   * "[1\0]" are read as "1" and "[1]"): a leniency of jansson's, not a
   * disagreement. */
  if (root != NULL && memchr (text, '\0', size) != NULL)
    {
      g_clear_pointer (&root, json_decref);
      g_strlcpy (jerror.text, "a NUL byte (swallowed by jansson)", sizeof jerror.text);
      jerror.position = (int) ((const char *) memchr (text, '\0', size) - text);
    }

  if (root == NULL)
    {
      /* Every refusal of jansson's is one of the scanner's too:
       * - RFC 8259 violations, invalid UTF-8 (overlong forms and encoded
       *   surrogates included), unpaired surrogate escapes, duplicate
       *   names (both compare them unescaped: "a" and "\u0061" collide);
       * - "\u0000", which jansson refuses without JSON_ALLOW_NUL and the
       *   scanner always (json-glib would cut the string there);
       * - a number beyond a double's range: jansson's strtod overflows
       *   (1e400, or an integer of 400 digits), the scanner refuses it
       *   by design; an underflow (1e-400) both accept;
       * - nesting past JSON_PARSER_MAX_DEPTH, far past SCAN_MAX_DEPTH. */
      if (ok)
        g_error ("the scanner accepted what jansson refuses (%s at byte %d)",
                 jerror.text, jerror.position);
      check_refusal (error, G_IO_ERROR_INVALID_DATA, "refused by both");
      check_error_at (&shape, size);
      return 0;
    }

  tree = measure (root);
  json_decref (root);
  /* Valid JSON that the scanner refuses by design: nesting past the
   * limit it is given, objects of more than QMP_JSON_MAX_MEMBERS members
   * and objects with names chosen to collide in json-glib's hash table
   * (see the header). */
  known_refusal = tree.depth > SCAN_MAX_DEPTH || tree.most_members > QMP_JSON_MAX_MEMBERS
                  || tree.crowded_hash
                  || (!ok && has_long_number (text, size)
                      && g_str_has_prefix (error->message, "a number longer than"));
  if (!ok)
    {
      if (!known_refusal)
        g_error ("the scanner refused what jansson reads (depth %u, %" G_GSIZE_FORMAT
                 " elements): %s", tree.depth, tree.elements,
                 error != NULL ? error->message : "no error");
      check_refusal (error, G_IO_ERROR_INVALID_DATA, "refused by design");
      check_error_at (&shape, size);
      return 0;
    }
  if (known_refusal)
    g_error ("the scanner accepted depth %u (limit %u), an object of %" G_GSIZE_FORMAT
             " members (limit %u) or %s", tree.depth, SCAN_MAX_DEPTH, tree.most_members,
             QMP_JSON_MAX_MEMBERS, tree.crowded_hash ? "names of one hash" : "no names of one hash");
  if (shape.depth != tree.depth || shape.elements != tree.elements)
    g_error ("shape: the scanner saw depth %u and %" G_GSIZE_FORMAT " elements, jansson "
             "depth %u and %" G_GSIZE_FORMAT, shape.depth, shape.elements, tree.depth,
             tree.elements);
  expect_exact (text, size, &plain, &wide_integers);
  if (!shape.plain != !plain || !shape.wide_integers != !wide_integers)
    g_error ("shape: the scanner says plain is %d and wide_integers %d, jansson %d and %d",
             shape.plain, shape.wide_integers, plain, wide_integers);
  check_limits_exact (text, size, &shape);
  return 0;
}
