/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-charset.c: libFuzzer target for fen_charset_decode(). The first byte
 * picks the delimiting rules, the bytes up to the first NUL are the
 * Specific Character Set, the rest is the value. Any input must decode to
 * valid UTF-8 without reading past the value. */
#define G_LOG_DOMAIN "fen-fuzz-charset"

#include <string.h>

#include "fen-fuzz-util.h"
#include "fenestra/fen-charset.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
  if (size < 1)
    return 0;
  const FenTextKind kind = (FenTextKind) (data[0] % 3);
  const guint8 *rest = data + 1;
  gsize left = size - 1;
  const guint8 *nul = memchr (rest, 0, left);
  const gsize terms_len = nul != NULL ? (gsize) (nul - rest) : 0;
  g_autofree char *terms = g_strndup ((const char *) rest, terms_len);
  const gsize skip = nul != NULL ? terms_len + 1 : 0;
  /* The value in a buffer of its own size, so ASan sees any over-read. */
  g_autofree char *value = g_memdup2 (rest + skip, left - skip);
  g_autoptr(FenCharset) charset = fen_charset_new (terms);
  g_autofree char *text = fen_charset_decode (charset, value, left - skip, kind);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    __builtin_trap ();
  return 0;
}
