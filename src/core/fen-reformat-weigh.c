/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-weigh.c: the pass that weights a separable row's two or
 * four source lines into one line of doubles before the row interpolates
 * along it. Out of line, typed, the arrays restrict-qualified, so the
 * compiler vectorises it (inlined into the row loops it did not: coronal
 * 2.1 -> 1.3 ms on one thread). The sums are the same expressions, in the
 * same order, as the scalar loop's, so the values do not change. */
#define G_LOG_DOMAIN "fen-reformat"

#include "fen-reformat-private.h"

#define FEN_WEIGH(T)                                                                      \
  static void                                                                             \
  fen_reformat_weigh_##T (const T *restrict a, const T *restrict b, const T *restrict c, \
                          const T *restrict d, const double *w, gboolean four, gsize n,  \
                          double *restrict line)                                          \
  {                                                                                       \
    double w0 = w[0], w1 = w[1], w2 = four ? w[2] : 0, w3 = four ? w[3] : 0;              \
                                                                                          \
    if (!four)                                                                            \
      for (gsize x = 0; x < n; x++)                                                       \
        line[x] = w0 * a[x] + w1 * b[x];                                                  \
    else                                                                                  \
      for (gsize x = 0; x < n; x++)                                                       \
        line[x] = w0 * a[x] + w1 * b[x] + w2 * c[x] + w3 * d[x];                          \
  }
FEN_WEIGH (guint8)
FEN_WEIGH (gint8)
FEN_WEIGH (guint16)
FEN_WEIGH (gint16)
#undef FEN_WEIGH

void
_fen_reformat_weigh_lines (FenVolumeType type, const guint8 *const *lines, const double *weights,
                           guint n_lines, gsize lo, gsize n, double *line)
{
  gboolean four = n_lines == 4;
  const guint8 *l2 = four ? lines[2] : lines[0], *l3 = four ? lines[3] : lines[0];

  switch (type)
    {
    case FEN_VOLUME_U8:
      fen_reformat_weigh_guint8 (lines[0] + lo, lines[1] + lo, l2 + lo, l3 + lo, weights, four, n, line);
      break;
    case FEN_VOLUME_S8:
      fen_reformat_weigh_gint8 ((const gint8 *) lines[0] + lo, (const gint8 *) lines[1] + lo,
                                (const gint8 *) l2 + lo, (const gint8 *) l3 + lo, weights, four, n, line);
      break;
    case FEN_VOLUME_U16:
      fen_reformat_weigh_guint16 ((const guint16 *) lines[0] + lo, (const guint16 *) lines[1] + lo,
                                  (const guint16 *) l2 + lo, (const guint16 *) l3 + lo, weights, four, n, line);
      break;
    case FEN_VOLUME_S16:
    default:
      fen_reformat_weigh_gint16 ((const gint16 *) lines[0] + lo, (const gint16 *) lines[1] + lo,
                                 (const gint16 *) l2 + lo, (const gint16 *) l3 + lo, weights, four, n, line);
      break;
    }
}
