/* json-stream.c: QEMU's JSON stream splitter
 *
 * QEMU does not read lines: it lexes a byte stream and hands a value to
 * its parser when the {} and [] it has seen balance out (counted apart, so
 * "{]" is handed over at once, while "{[}" still waits for a "]"). Top-level
 * numbers and keywords end only at the next byte, a lexical error is
 * followed by a skip to the next structural or control character, and the
 * limits on size, token count and depth each reset the stream. What a
 * client gets back for broken or hostile input follows from these rules, so
 * this file implements the same automaton (from QEMU's documented grammar
 * and its observed behaviour, see README.md).
 *
 * Only the tokens of the pending value are kept (no whitespace), and once
 * a value is bound to exceed FAKE_JSON_MAX_SIZE its bytes are counted but
 * no longer kept: memory stays within the limit whatever a client sends.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-qemu"

#include "json-stream.h"

#include "json-parse.h"
#include "qmp-message.h"

typedef enum {
  LEX_START,           /* between tokens */
  LEX_RECOVERY,        /* after an error: skipping to a resynchronisation point */
  LEX_DQ_STRING,
  LEX_DQ_ESCAPE,
  LEX_SQ_STRING,
  LEX_SQ_ESCAPE,
  LEX_ZERO,            /* "0" or "-0": no more digits may follow */
  LEX_SIGN,
  LEX_DIGITS,
  LEX_MANTISSA,        /* after "." */
  LEX_MANTISSA_DIGITS,
  LEX_EXP_E,
  LEX_EXP_SIGN,
  LEX_EXP_DIGITS,
  LEX_KEYWORD,
} LexState;

struct _FakeJsonStream {
  LexState  state;
  GString  *text;         /* the pending value's tokens, then the token being lexed */
  gsize     token_start;  /* where the token being lexed starts in TEXT */
  gsize     token_length; /* its length so far, kept or not */
  gboolean  discarding;   /* the value will exceed the size limit: keep no more */
  GArray   *tokens;       /* FakeJsonToken */
  int       braces;
  int       brackets;
  guint64   last_begun;
  gboolean  in_value;
  GQueue   *items;        /* where a feed puts what it completes */
};

void
fake_json_item_free (FakeJsonItem *item)
{
  if (item == NULL)
    return;
  if (item->value != NULL)
    json_node_unref (item->value);
  g_clear_error (&item->error);
  g_free (item);
}

FakeJsonStream *
fake_json_stream_new (void)
{
  FakeJsonStream *stream = g_new0 (FakeJsonStream, 1);

  stream->state = LEX_START;
  stream->text = g_string_new (NULL);
  stream->tokens = g_array_new (FALSE, FALSE, sizeof (FakeJsonToken));
  return stream;
}

void
fake_json_stream_free (FakeJsonStream *stream)
{
  if (stream == NULL)
    return;
  g_string_free (stream->text, TRUE);
  g_array_unref (stream->tokens);
  g_free (stream);
}

guint64
fake_json_stream_get_last_begun (FakeJsonStream *stream)
{
  return stream->last_begun;
}

gboolean
fake_json_stream_in_value (FakeJsonStream *stream)
{
  return stream->in_value;
}

/* Ends the pending value, with VALUE or ERROR (one is set). */
static void
complete (FakeJsonStream *s, JsonNode *value, GError *error)
{
  FakeJsonItem *item = g_new0 (FakeJsonItem, 1);

  item->serial = s->last_begun;
  item->value = value;
  item->error = error;
  g_queue_push_tail (s->items, item);

  g_string_truncate (s->text, 0);
  g_array_set_size (s->tokens, 0);
  /* Hand back the memory of a big value rather than keep it per client. */
  if (s->text->allocated_len > 65536)
    {
      g_string_free (s->text, TRUE);
      s->text = g_string_new (NULL);
    }
  s->token_start = 0;
  s->token_length = 0;
  s->discarding = FALSE;
  s->braces = 0;
  s->brackets = 0;
  s->in_value = FALSE;
}

static void
fail (FakeJsonStream *s, const char *message)
{
  complete (s, NULL, g_error_new_literal (FAKE_QMP_ERROR,
                                          FAKE_QMP_ERROR_GENERIC_ERROR, message));
}

static void
begin_token (FakeJsonStream *s)
{
  if (!s->in_value)
    {
      s->in_value = TRUE;
      s->last_begun++;
    }
  s->token_start = s->text->len;
  s->token_length = 0;
}

/* A byte that belongs to the token being lexed. */
static void
keep (FakeJsonStream *s, char c)
{
  s->token_length++;
  if (!s->discarding && s->token_start + s->token_length + 1 > FAKE_JSON_MAX_SIZE)
    s->discarding = TRUE;
  if (!s->discarding)
    g_string_append_c (s->text, c);
}

static void
emit_token (FakeJsonStream *s, FakeJsonTokenType type)
{
  FakeJsonToken token;
  g_autoptr(GError) error = NULL;
  JsonNode *value;

  switch (type)
    {
    case FAKE_JSON_TOKEN_LCURLY: s->braces++; break;
    case FAKE_JSON_TOKEN_RCURLY: s->braces--; break;
    case FAKE_JSON_TOKEN_LSQUARE: s->brackets++; break;
    case FAKE_JSON_TOKEN_RSQUARE: s->brackets--; break;
    default: break;
    }

  if (s->discarding || s->token_start + s->token_length + 1 > FAKE_JSON_MAX_SIZE)
    {
      fail (s, "JSON token size limit exceeded");
      return;
    }
  if (s->tokens->len + 1 > FAKE_JSON_MAX_TOKENS)
    {
      fail (s, "JSON token count limit exceeded");
      return;
    }
  if (s->braces + s->brackets > FAKE_JSON_MAX_NESTING)
    {
      fail (s, "JSON nesting depth limit exceeded");
      return;
    }

  token.type = type;
  token.offset = (guint32) s->token_start;
  token.length = (guint32) s->token_length;
  g_array_append_val (s->tokens, token);
  s->token_start = s->text->len;
  s->token_length = 0;

  if ((s->braces > 0 || s->brackets > 0) && s->braces >= 0 && s->brackets >= 0)
    return;

  value = fake_json_parse_tokens ((const FakeJsonToken *) (void *) s->tokens->data,
                                  s->tokens->len, s->text->str, &error);
  complete (s, value, g_steal_pointer (&error));
}

/* The byte just kept cannot continue the token: QEMU reports the token
 * with that byte and skips ahead. */
static void
stray (FakeJsonStream *s)
{
  g_autofree char *token = g_strndup (s->text->str + s->token_start,
                                      s->text->len - s->token_start);

  complete (s, NULL, g_error_new (FAKE_QMP_ERROR, FAKE_QMP_ERROR_GENERIC_ERROR,
                                  "JSON parse error, stray '%s'", token));
  s->state = LEX_RECOVERY;
}

static void
lex_start (FakeJsonStream *s, guchar c)
{
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
    return;

  begin_token (s);
  keep (s, (char) c);
  switch (c)
    {
    case '"': s->state = LEX_DQ_STRING; return;
    case '\'': s->state = LEX_SQ_STRING; return;
    case '0': s->state = LEX_ZERO; return;
    case '-': s->state = LEX_SIGN; return;
    case '{': emit_token (s, FAKE_JSON_TOKEN_LCURLY); return;
    case '}': emit_token (s, FAKE_JSON_TOKEN_RCURLY); return;
    case '[': emit_token (s, FAKE_JSON_TOKEN_LSQUARE); return;
    case ']': emit_token (s, FAKE_JSON_TOKEN_RSQUARE); return;
    case ':': emit_token (s, FAKE_JSON_TOKEN_COLON); return;
    case ',': emit_token (s, FAKE_JSON_TOKEN_COMMA); return;
    default:
      break;
    }
  if (c >= '1' && c <= '9')
    s->state = LEX_DIGITS;
  else if (c >= 'a' && c <= 'z')
    s->state = LEX_KEYWORD;
  else
    stray (s);
}

static gboolean
is_resync_point (guchar c)
{
  switch (c)
    {
    case '[': case ']': case '{': case '}': case ':': case ',':
      return TRUE;
    default:
      return (c < 0x20 && c != '\t') || c >= 0xFE;
    }
}

/* In a string, QEMU's lexer takes 0x20..0xFD and leaves the checking of
 * escapes and UTF-8 to the parser. */
static void
lex_string (FakeJsonStream *s, guchar c, char quote, LexState escape)
{
  keep (s, (char) c);
  if (c == (guchar) quote)
    {
      s->state = LEX_START;
      emit_token (s, FAKE_JSON_TOKEN_STRING);
    }
  else if (c == '\\')
    s->state = escape;
  else if (c < 0x20 || c > 0xFD)
    stray (s);
}

static void
lex_escape (FakeJsonStream *s, guchar c, LexState string)
{
  keep (s, (char) c);
  if (c < 0x20 || c > 0xFD)
    stray (s);
  else
    s->state = string;
}

/* Moves to NEXT if C continues the token, else reports it as stray. */
static void
lex_expect (FakeJsonStream *s, guchar c, gboolean ok, LexState next)
{
  keep (s, (char) c);
  if (ok)
    s->state = next;
  else
    stray (s);
}

/* Handles C; returns FALSE when C ended a token without being part of it
 * and must be looked at again from LEX_START. */
static gboolean
lex (FakeJsonStream *s, guchar c)
{
  gboolean digit = c >= '0' && c <= '9';

  switch (s->state)
    {
    case LEX_START:
      lex_start (s, c);
      return TRUE;
    case LEX_RECOVERY:
      if (!is_resync_point (c))
        return TRUE;
      s->state = LEX_START;
      return FALSE;
    case LEX_DQ_STRING:
      lex_string (s, c, '"', LEX_DQ_ESCAPE);
      return TRUE;
    case LEX_SQ_STRING:
      lex_string (s, c, '\'', LEX_SQ_ESCAPE);
      return TRUE;
    case LEX_DQ_ESCAPE:
      lex_escape (s, c, LEX_DQ_STRING);
      return TRUE;
    case LEX_SQ_ESCAPE:
      lex_escape (s, c, LEX_SQ_STRING);
      return TRUE;
    case LEX_SIGN:
      lex_expect (s, c, digit, c == '0' ? LEX_ZERO : LEX_DIGITS);
      return TRUE;
    case LEX_MANTISSA:
      lex_expect (s, c, digit, LEX_MANTISSA_DIGITS);
      return TRUE;
    case LEX_EXP_E:
      lex_expect (s, c, digit || c == '+' || c == '-',
                  digit ? LEX_EXP_DIGITS : LEX_EXP_SIGN);
      return TRUE;
    case LEX_EXP_SIGN:
      lex_expect (s, c, digit, LEX_EXP_DIGITS);
      return TRUE;
    case LEX_ZERO:
      if (digit)
        {
          keep (s, (char) c);
          stray (s);
          return TRUE;
        }
      if (c == '.')
        {
          keep (s, (char) c);
          s->state = LEX_MANTISSA;
          return TRUE;
        }
      s->state = LEX_START;
      emit_token (s, FAKE_JSON_TOKEN_INTEGER);
      return FALSE;
    case LEX_DIGITS:
      if (digit || c == '.' || c == 'e' || c == 'E')
        {
          keep (s, (char) c);
          if (!digit)
            s->state = c == '.' ? LEX_MANTISSA : LEX_EXP_E;
          return TRUE;
        }
      s->state = LEX_START;
      emit_token (s, FAKE_JSON_TOKEN_INTEGER);
      return FALSE;
    case LEX_MANTISSA_DIGITS:
      if (digit || c == 'e' || c == 'E')
        {
          keep (s, (char) c);
          if (!digit)
            s->state = LEX_EXP_E;
          return TRUE;
        }
      s->state = LEX_START;
      emit_token (s, FAKE_JSON_TOKEN_FLOAT);
      return FALSE;
    case LEX_EXP_DIGITS:
      if (digit)
        {
          keep (s, (char) c);
          return TRUE;
        }
      s->state = LEX_START;
      emit_token (s, FAKE_JSON_TOKEN_FLOAT);
      return FALSE;
    case LEX_KEYWORD:
      if (c >= 'a' && c <= 'z')
        {
          keep (s, (char) c);
          return TRUE;
        }
      s->state = LEX_START;
      emit_token (s, FAKE_JSON_TOKEN_KEYWORD);
      return FALSE;
    default:
      g_assert_not_reached ();
    }
}

/* How many bytes from DATA a string can take as they are: none of them
 * can end the string or cross a size limit (the careful path handles the
 * byte that does). */
static gsize
plain_string_run (FakeJsonStream *s, const char *data, gsize len)
{
  char quote = s->state == LEX_DQ_STRING ? '"' : '\'';
  gsize room = s->discarding
               ? FAKE_JSON_MAX_SIZE - s->token_length
               : FAKE_JSON_MAX_SIZE - 1 - (s->token_start + s->token_length);
  gsize run = 0;

  len = MIN (len, room);
  while (run < len)
    {
      guchar c = (guchar) data[run];

      if (c < 0x20 || c > 0xFD || c == (guchar) quote || c == '\\')
        break;
      run++;
    }
  return run;
}

void
fake_json_stream_feed (FakeJsonStream *stream,
                       const char     *data,
                       gsize           len,
                       GQueue         *items)
{
  stream->items = items;
  for (gsize i = 0; i < len; i++)
    {
      guchar c;

      /* Big values are mostly long strings: take those in one go. */
      if (stream->state == LEX_DQ_STRING || stream->state == LEX_SQ_STRING)
        {
          gsize run = plain_string_run (stream, data + i, len - i);

          if (!stream->discarding)
            g_string_append_len (stream->text, data + i, (gssize) run);
          stream->token_length += run;
          i += run;
          if (i == len)
            break;
        }
      c = (guchar) data[i];

      while (!lex (stream, c))
        ;
      /* One token longer than the whole limit: QEMU gives up on it on the
       * spot and lexes what follows afresh. */
      if (stream->token_length > FAKE_JSON_MAX_SIZE
          && stream->state != LEX_START && stream->state != LEX_RECOVERY)
        {
          fail (stream, "JSON token size limit exceeded");
          stream->state = LEX_START;
        }
    }
  stream->items = NULL;
}
