/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-charset.h: DICOM text values to UTF-8, Specific Character Set and
 * ISO 2022 code extensions (PS3.5 6.1) included. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How a value's bytes are delimited (PS3.5 6.1.2.5.3): after a delimiter
 * the character sets of value 1 are active again. */
typedef enum {
  FEN_TEXT_MULTI,  /* SH, LO, UC: "\" separates values */
  FEN_TEXT_PN,     /* PN: also "^" between components and "=" between groups */
  FEN_TEXT_SINGLE, /* ST, LT, UT: one value; "\" is an ordinary character */
} FenTextKind;

typedef struct _FenCharset FenCharset;

/**
 * fen_charset_new:
 * @specific_character_set: (nullable): the value of (0008,0005) as stored,
 *   terms separated by backslashes; %NULL or empty for the default
 *   repertoire
 *
 * Returns: (transfer full): a decoder for values under that declaration.
 * Unknown terms are ignored (their bytes decode as U+FFFD).
 */
FenCharset *fen_charset_new    (const char *specific_character_set);
void        fen_charset_free   (FenCharset *charset);

/**
 * fen_charset_decode:
 * @charset: (nullable): %NULL for the default repertoire
 * @bytes: the value as stored, @length bytes
 *
 * Decodes one element's value. Escape sequences (PS3.5 6.1.2.5) switch the
 * G0 and G1 sets; delimiters and control characters return to value 1's.
 * Bytes that are invalid in the active set become U+FFFD: a value is never
 * dropped. Without a declared set, bytes that are not valid UTF-8 are read
 * as ISO 8859-1, which is what writers that omit (0008,0005) mean.
 *
 * Returns: (transfer full): valid UTF-8.
 */
char       *fen_charset_decode (const FenCharset *charset,
                                const char       *bytes,
                                gsize             length,
                                FenTextKind       kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenCharset, fen_charset_free)

G_END_DECLS
