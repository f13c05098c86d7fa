/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-charset.c: DICOM text to UTF-8. PS3.5 6.1 (character repertoires),
 * 6.1.2.5 (ISO 2022 code extensions) and Annexes H, I, J (Japanese, Korean,
 * Chinese examples). DCMTK 3.6.7 hands code extensions to iconv as a whole
 * value and glibc refuses ISO 2022 IR 87 that way, so the escape sequences
 * are followed here; glibc's EUC-JP, EUC-KR, GB2312 and ISO 8859 tables
 * decode the bytes of each set. */
#define G_LOG_DOMAIN "fen-charset"

#include "fenestra/fen-charset.h"

#include <errno.h>
#include <string.h>

#define FEN_ESC 0x1b
#define FEN_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* What a set decodes into when it is invoked. */
typedef enum {
  FEN_SET_NONE,
  FEN_SET_ASCII,     /* G0: ISO IR 6 */
  FEN_SET_ROMAN,     /* G0: JIS X 0201 Romaji, read as ASCII (0x5C is DICOM's delimiter) */
  FEN_SET_JIS_0208,  /* G0, two bytes: JIS X 0208 (ISO IR 87) */
  FEN_SET_JIS_0212,  /* G0, two bytes: JIS X 0212 (ISO IR 159) */
  FEN_SET_KATAKANA,  /* G1: JIS X 0201 Katakana (ISO IR 13) */
  FEN_SET_UPPER,     /* G1: the upper half of a single-byte set, through iconv */
  FEN_SET_KSX1001,   /* G1, two bytes: KS X 1001 (ISO IR 149) */
  FEN_SET_GB2312,    /* G1, two bytes: GB 2312 (ISO IR 58) */
} FenSetKind;

typedef struct {
  const char *term;      /* PS3.3 C.12.1.1.2 defined term without extensions */
  const char *term_2022; /* the same set with code extensions */
  const char *escape;    /* the escape sequence after ESC that designates it */
  FenSetKind  g0, g1;    /* what it designates (NONE: leaves that set) */
  const char *iconv;     /* iconv's name for FEN_SET_UPPER */
} FenCharsetTerm;

/* PS3.3 C.12.1.1.2, Tables C.12-2 to C.12-4. */
static const FenCharsetTerm fen_charset_terms[] = {
  { "ISO_IR 6",   "ISO 2022 IR 6",   "(B",  FEN_SET_ASCII,    FEN_SET_NONE,     NULL },
  { "ISO_IR 100", "ISO 2022 IR 100", "-A",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-1" },
  { "ISO_IR 101", "ISO 2022 IR 101", "-B",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-2" },
  { "ISO_IR 109", "ISO 2022 IR 109", "-C",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-3" },
  { "ISO_IR 110", "ISO 2022 IR 110", "-D",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-4" },
  { "ISO_IR 144", "ISO 2022 IR 144", "-L",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-5" },
  { "ISO_IR 127", "ISO 2022 IR 127", "-G",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-6" },
  { "ISO_IR 126", "ISO 2022 IR 126", "-F",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-7" },
  { "ISO_IR 138", "ISO 2022 IR 138", "-H",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-8" },
  { "ISO_IR 148", "ISO 2022 IR 148", "-M",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-9" },
  { "ISO_IR 203", "ISO 2022 IR 203", "-b",  FEN_SET_ASCII,    FEN_SET_UPPER,    "ISO-8859-15" },
  { "ISO_IR 166", "ISO 2022 IR 166", "-T",  FEN_SET_ASCII,    FEN_SET_UPPER,    "TIS-620" },
  /* ISO IR 13 designates two sets: Katakana to G1 (ESC ) I) and Romaji to
   * G0 (ESC ( J, listed below on its own). */
  { "ISO_IR 13",  "ISO 2022 IR 13",  ")I",  FEN_SET_ROMAN,    FEN_SET_KATAKANA, NULL },
  { NULL,         NULL,              "(J",  FEN_SET_ROMAN,    FEN_SET_NONE,     NULL },
  { NULL,         "ISO 2022 IR 87",  "$B",  FEN_SET_JIS_0208, FEN_SET_NONE,     NULL },
  { NULL,         "ISO 2022 IR 159", "$(D", FEN_SET_JIS_0212, FEN_SET_NONE,     NULL },
  { NULL,         "ISO 2022 IR 149", "$)C", FEN_SET_NONE,     FEN_SET_KSX1001,  NULL },
  { NULL,         "ISO 2022 IR 58",  "$)A", FEN_SET_NONE,     FEN_SET_GB2312,   NULL },
};

/* Sets without code extensions that are not single-byte (Table C.12-5). */
static const struct { const char *term, *iconv; } fen_charset_whole[] = {
  { "ISO_IR 192", "UTF-8" },
  { "GB18030",    "GB18030" },
  { "GBK",        "GBK" },
};

struct _FenCharset {
  gboolean    extensions;  /* an "ISO 2022" term: follow escape sequences */
  const char *whole;       /* iconv name when the value decodes as one run */
  /* Value 1's sets, active at the start and after every delimiter. */
  FenSetKind  g0, g1;
  const char *g1_iconv;
};

/* One decode: open iconv descriptors, the output. */
typedef struct {
  GString    *out;
  const char *names[4];
  GIConv      convs[4];
} FenDecoder;

static const FenCharsetTerm *
fen_charset_lookup (const char *term)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fen_charset_terms); i++)
    if (g_strcmp0 (term, fen_charset_terms[i].term) == 0 ||
        g_strcmp0 (term, fen_charset_terms[i].term_2022) == 0)
      return &fen_charset_terms[i];
  return NULL;
}

FenCharset *
fen_charset_new (const char *specific_character_set)
{
  FenCharset *cs = g_new0 (FenCharset, 1);
  g_auto(GStrv) terms = g_strsplit (specific_character_set ? specific_character_set : "", "\\", -1);

  cs->g0 = FEN_SET_ASCII;
  cs->g1 = FEN_SET_NONE;
  for (guint i = 0; terms[i] != NULL; i++)
    {
      g_strstrip (terms[i]);
      if (g_str_has_prefix (terms[i], "ISO 2022"))
        cs->extensions = TRUE;
    }
  if (terms[0] == NULL)
    return cs;
  if (!cs->extensions && terms[1] == NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (fen_charset_whole); i++)
      if (strcmp (terms[0], fen_charset_whole[i].term) == 0)
        cs->whole = fen_charset_whole[i].iconv;

  /* Value 1 (possibly empty: the default repertoire) sets the initial G0
   * and G1; a multi-byte set there has no initial meaning and is left to
   * its escape sequence. */
  const FenCharsetTerm *first = fen_charset_lookup (terms[0]);
  if (first != NULL && (first->g0 == FEN_SET_ASCII || first->g0 == FEN_SET_ROMAN))
    {
      cs->g0 = first->g0;
      cs->g1 = first->g1;
      cs->g1_iconv = first->iconv;
    }
  return cs;
}

void
fen_charset_free (FenCharset *charset)
{
  g_free (charset);
}

/* Converts @n bytes with the iconv named @name, appending the UTF-8.
 * Returns FALSE when the bytes are not one valid sequence in that set. */
static gboolean
fen_decoder_convert (FenDecoder *d, const char *name, const guint8 *bytes, gsize n)
{
  GIConv conv = (GIConv) -1;
  gsize slot;
  char buf[64];

  for (slot = 0; slot < G_N_ELEMENTS (d->names) && d->names[slot] != NULL; slot++)
    if (strcmp (d->names[slot], name) == 0)
      break;
  if (slot == G_N_ELEMENTS (d->names))
    return FALSE;
  if (d->names[slot] == NULL)
    {
      d->convs[slot] = g_iconv_open ("UTF-8", name);
      d->names[slot] = name;
    }
  conv = d->convs[slot];
  if (conv == (GIConv) -1 || n > 8)
    return FALSE;

  char *in = (char *) bytes, *out = buf;
  gsize in_left = n, out_left = sizeof buf;
  g_iconv (conv, NULL, NULL, NULL, NULL);
  if (g_iconv (conv, &in, &in_left, &out, &out_left) == (gsize) -1 || in_left != 0)
    return FALSE;
  g_string_append_len (d->out, buf, (gssize) (sizeof buf - out_left));
  return TRUE;
}

/* A whole value through one iconv: invalid bytes become U+FFFD one by one. */
static void
fen_decoder_convert_run (FenDecoder *d, const char *name, const guint8 *bytes, gsize n)
{
  GIConv conv = g_iconv_open ("UTF-8", name);
  char *in = (char *) bytes;
  gsize in_left = n;

  if (conv == (GIConv) -1)
    {
      for (gsize i = 0; i < n; i++)
        g_string_append (d->out, bytes[i] < 0x80 ? (char[]) { (char) bytes[i], 0 } : FEN_REPLACEMENT);
      return;
    }
  while (in_left > 0)
    {
      char buf[256], *out = buf;
      gsize out_left = sizeof buf;
      gsize r = g_iconv (conv, &in, &in_left, &out, &out_left);
      int saved = errno;
      g_string_append_len (d->out, buf, (gssize) (sizeof buf - out_left));
      if (r == (gsize) -1 && saved != E2BIG)
        {
          /* EILSEQ or EINVAL (a sequence cut at the end): skip one byte. */
          g_string_append (d->out, FEN_REPLACEMENT);
          in++;
          in_left--;
          g_iconv (conv, NULL, NULL, NULL, NULL);
        }
    }
  g_iconv_close (conv);
}

static gboolean
fen_charset_is_delimiter (guint8 b, FenTextKind kind)
{
  if (kind == FEN_TEXT_SINGLE)
    return FALSE;
  return b == '\\' || (kind == FEN_TEXT_PN && (b == '^' || b == '='));
}

/* PS3.5 6.1.2.5.1: the escape sequence at @p, if it is one we know. */
static const FenCharsetTerm *
fen_charset_escape (const guint8 *p, gsize left, gsize *length)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fen_charset_terms); i++)
    {
      const char *esc = fen_charset_terms[i].escape;
      gsize n = strlen (esc);
      if (left >= n + 1 && memcmp (p + 1, esc, n) == 0)
        {
          *length = n + 1;
          return &fen_charset_terms[i];
        }
    }
  return NULL;
}

/* A byte or pair in a two-byte set: @prefix, then both bytes with the high
 * bit set, is the set's EUC encoding. */
static gsize
fen_decoder_double (FenDecoder *d, const char *name, const char *prefix,
                    const guint8 *p, gsize left, guint8 low, guint8 high)
{
  guint8 euc[3];
  gsize n = 0;

  if (left < 2 || p[0] < low || p[0] > high || p[1] < low || p[1] > high)
    {
      g_string_append (d->out, FEN_REPLACEMENT);
      return 1;
    }
  if (prefix != NULL)
    euc[n++] = (guint8) prefix[0];
  euc[n++] = p[0] | 0x80;
  euc[n++] = p[1] | 0x80;
  if (!fen_decoder_convert (d, name, euc, n))
    g_string_append (d->out, FEN_REPLACEMENT);
  return 2;
}

static void
fen_charset_decode_2022 (const FenCharset *cs, FenDecoder *d, const guint8 *p, gsize n,
                         FenTextKind kind)
{
  FenSetKind g0 = cs->g0, g1 = cs->g1;
  const char *g1_iconv = cs->g1_iconv;
  gsize i = 0;

  while (i < n)
    {
      const guint8 b = p[i];
      if (b == FEN_ESC)
        {
          gsize len = 0;
          const FenCharsetTerm *set = fen_charset_escape (p + i, n - i, &len);
          if (set == NULL)
            {
              g_string_append (d->out, FEN_REPLACEMENT);
              i++;
              continue;
            }
          /* An escape designates one set: Romaji's "(J" and Katakana's
           * ")I" are two, though ISO IR 13 names both. */
          if (set->escape[0] == '(' || (set->escape[0] == '$' && set->escape[1] != ')'))
            g0 = set->g0;
          else
            {
              g1 = set->g1;
              g1_iconv = set->iconv;
            }
          i += len;
          continue;
        }
      if (b > 0x20 && b < 0x7f && (g0 == FEN_SET_JIS_0208 || g0 == FEN_SET_JIS_0212))
        {
          i += fen_decoder_double (d, "EUC-JP", g0 == FEN_SET_JIS_0212 ? "\x8f" : NULL, p + i, n - i, 0x21, 0x7e);
          continue;
        }
      if (b < 0x80)
        {
          /* PS3.5 6.1.2.5.3: control characters, and the delimiters of the
           * value's kind, return to value 1's sets. */
          if (b < 0x20 || b == 0x7f || fen_charset_is_delimiter (b, kind))
            {
              g0 = cs->g0;
              g1 = cs->g1;
              g1_iconv = cs->g1_iconv;
            }
          g_string_append_c (d->out, (char) b);
          i++;
          continue;
        }
      switch (g1)
        {
        case FEN_SET_KATAKANA:
          /* JIS X 0201 0xA1..0xDF are U+FF61..U+FF9F, in order. */
          if (b >= 0xa1 && b <= 0xdf)
            g_string_append_unichar (d->out, 0xff61 + (b - 0xa1));
          else
            g_string_append (d->out, FEN_REPLACEMENT);
          i++;
          break;
        case FEN_SET_UPPER:
          if (b < 0xa0 || !fen_decoder_convert (d, g1_iconv, p + i, 1))
            g_string_append (d->out, FEN_REPLACEMENT);
          i++;
          break;
        case FEN_SET_KSX1001:
          i += fen_decoder_double (d, "EUC-KR", NULL, p + i, n - i, 0xa1, 0xfe);
          break;
        case FEN_SET_GB2312:
          i += fen_decoder_double (d, "GB2312", NULL, p + i, n - i, 0xa1, 0xfe);
          break;
        default:
          g_string_append (d->out, FEN_REPLACEMENT);
          i++;
          break;
        }
    }
}

char *
fen_charset_decode (const FenCharset *charset,
                    const char       *bytes,
                    gsize             length,
                    FenTextKind       kind)
{
  FenDecoder d = { g_string_sized_new (length + 8), { NULL }, { 0 } };
  const guint8 *p = (const guint8 *) bytes;

  g_return_val_if_fail (bytes != NULL || length == 0, NULL);

  if (length == 0)
    {
      g_string_free (d.out, TRUE);
      return g_strdup ("");
    }

  if (charset == NULL || (!charset->extensions && charset->whole == NULL &&
                          charset->g1 == FEN_SET_NONE))
    {
      /* The default repertoire: ASCII by the standard, Latin-1 in files
       * that omit the declaration; valid UTF-8 is taken as it is. */
      if (g_utf8_validate (bytes, (gssize) length, NULL))
        g_string_append_len (d.out, bytes, (gssize) length);
      else
        fen_decoder_convert_run (&d, "ISO-8859-1", p, length);
    }
  else if (charset->whole != NULL)
    {
      if (strcmp (charset->whole, "UTF-8") == 0)
        {
          char *valid = g_utf8_make_valid (bytes, (gssize) length);
          g_string_append (d.out, valid);
          g_free (valid);
        }
      else
        fen_decoder_convert_run (&d, charset->whole, p, length);
    }
  else
    fen_charset_decode_2022 (charset, &d, p, length, kind);

  for (gsize i = 0; i < G_N_ELEMENTS (d.names) && d.names[i] != NULL; i++)
    if (d.convs[i] != (GIConv) -1)
      g_iconv_close (d.convs[i]);
  /* A NUL inside a value would cut it short for every C caller. */
  for (gsize i = 0; i < d.out->len; i++)
    if (d.out->str[i] == '\0')
      d.out->str[i] = ' ';
  if (!g_utf8_validate (d.out->str, (gssize) d.out->len, NULL))
    {
      char *valid = g_utf8_make_valid (d.out->str, (gssize) d.out->len);
      g_string_free (d.out, TRUE);
      return valid;
    }
  return g_string_free (d.out, FALSE);
}
