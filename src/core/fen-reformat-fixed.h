/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-fixed.h: the fixed-point trilinear sampling shared by rows
 * that lie level in the stack (fen-reformat-level.c) and rows that cross
 * slices (fen-reformat-cross.c): 32.32 pixel coordinates restarted from
 * the double ones at least every FEN_LEVEL_RUN columns, 20-bit weights.
 * The error bound, below 0.11 stored units, is derived at the top of
 * fen-reformat-level.c and holds for both. */
#pragma once

#include "fen-reformat-private.h"

#include <math.h>

#define FEN_LEVEL_RUN  1024
#define FEN_LEVEL_BITS 20
#define FEN_LEVEL_HALF (G_GINT64_CONSTANT (1) << (FEN_LEVEL_BITS - 1))

/* Floors below rely on arithmetic shifts of negative values, which GCC and
 * Clang do (C17 leaves it to the implementation). */
G_STATIC_ASSERT ((G_GINT64_CONSTANT (-3) >> 1) == -2);

G_ALWAYS_INLINE static inline gint64
fen_level_load (const guint8 *p, FenVolumeType type, gsize i)
{
  switch (type)
    {
    case FEN_VOLUME_U8:  return p[i];
    case FEN_VOLUME_S8:  return (gint8) p[i];
    case FEN_VOLUME_U16: return ((const guint16 *) p)[i];
    case FEN_VOLUME_S16:
    default:             return ((const gint16 *) p)[i];
    }
}

/* @x in 32.32 fixed point, rounded (|x| is below 2^31: checked by the caller). */
static inline gint64
fen_level_fix (double x)
{
  return (gint64) llrint (x * 4294967296.0);
}

/* Narrows [*a, *b) to the columns i where lo <= (r + i * d) - off < hi, the
 * expression and test of fen_reformat_bilinear(). Each rounding step is
 * monotonic, so the coordinate is monotonic in i, each test holds on a
 * prefix or a suffix of the columns, and bisection finds its end. */
static inline void
fen_level_clip (double r, double d, double off, double lo, double hi, guint *a, guint *b)
{
#define FEN_C(i) ((r + (i) * d) - off)
#define FEN_FIRST(COND, FROM, TO, OUT)                   \
  G_STMT_START {                                         \
    guint l_ = (FROM), h_ = (TO);                        \
    while (l_ < h_)                                      \
      {                                                  \
        guint m_ = l_ + (h_ - l_) / 2;                   \
        if (COND (m_))                                   \
          h_ = m_;                                       \
        else                                             \
          l_ = m_ + 1;                                   \
      }                                                  \
    OUT = l_;                                            \
  } G_STMT_END
#define FEN_GE_LO(i)  (FEN_C (i) >= lo)
#define FEN_NOT_GE_LO(i) (!(FEN_C (i) >= lo))
#define FEN_LT_HI(i)  (FEN_C (i) < hi)
#define FEN_NOT_LT_HI(i) (!(FEN_C (i) < hi))
  guint na, nb;

  if (d >= 0)
    {
      /* lo <= c holds from some column on, c < hi up to some column. */
      FEN_FIRST (FEN_GE_LO, *a, *b, na);
      FEN_FIRST (FEN_NOT_LT_HI, na, *b, nb);
    }
  else
    {
      FEN_FIRST (FEN_LT_HI, *a, *b, na);
      FEN_FIRST (FEN_NOT_GE_LO, na, *b, nb);
    }
  *a = na;
  *b = nb;
#undef FEN_NOT_LT_HI
#undef FEN_LT_HI
#undef FEN_NOT_GE_LO
#undef FEN_GE_LO
#undef FEN_FIRST
#undef FEN_C
}

/* Where a bilinear sample at 32.32 pixel coordinates (@x, @y) reads: the
 * offsets of its four pixels (the edge pixels repeated) and its 20-bit
 * weights. Slices without drift between them share one. */
typedef struct {
  gsize  o00, o01, o10, o11;
  gint64 fx, fy;
} FenLevelTap;

G_ALWAYS_INLINE static inline void
fen_level_tap (FenLevelTap *tap, guint w, guint h, gint64 x, gint64 y)
{
  gint64 xi = x >> 32, yi = y >> 32;

  tap->fx = ((x & G_GINT64_CONSTANT (0xffffffff)) + (G_GINT64_CONSTANT (1) << (31 - FEN_LEVEL_BITS)))
            >> (32 - FEN_LEVEL_BITS);
  tap->fy = ((y & G_GINT64_CONSTANT (0xffffffff)) + (G_GINT64_CONSTANT (1) << (31 - FEN_LEVEL_BITS)))
            >> (32 - FEN_LEVEL_BITS);
  if (G_LIKELY ((guint64) xi < (guint64) w - 1 && (guint64) yi < (guint64) h - 1))
    {
      tap->o00 = (gsize) yi * w + (gsize) xi;
      tap->o01 = tap->o00 + 1;
      tap->o10 = tap->o00 + w;
      tap->o11 = tap->o10 + 1;
    }
  else
    {
      gsize x0 = (gsize) CLAMP (xi, 0, (gint64) w - 1), x1 = (gsize) CLAMP (xi + 1, 0, (gint64) w - 1);
      gsize y0 = (gsize) CLAMP (yi, 0, (gint64) h - 1) * w, y1 = (gsize) CLAMP (yi + 1, 0, (gint64) h - 1) * w;

      tap->o00 = y0 + x0;
      tap->o01 = y0 + x1;
      tap->o10 = y1 + x0;
      tap->o11 = y1 + x1;
    }
}

/* The bilinear value at @tap of a slice's @pixels, times 2^FEN_LEVEL_BITS. */
G_ALWAYS_INLINE static inline gint64
fen_level_interp (const guint8 *pixels, FenVolumeType type, const FenLevelTap *tap)
{
  gint64 a = fen_level_load (pixels, type, tap->o00), b = fen_level_load (pixels, type, tap->o01);
  gint64 c = fen_level_load (pixels, type, tap->o10), d = fen_level_load (pixels, type, tap->o11);
  gint64 top = a * (G_GINT64_CONSTANT (1) << FEN_LEVEL_BITS) + (b - a) * tap->fx;
  gint64 bot = c * (G_GINT64_CONSTANT (1) << FEN_LEVEL_BITS) + (d - c) * tap->fx;

  return top + (((bot - top) * tap->fy) >> FEN_LEVEL_BITS);
}

/* Asks for the two lines a sample FEN_LEVEL_AHEAD columns on reads: the
 * rows of a turned plane cross the slice's rows, a pattern the hardware
 * prefetchers do not follow. The address is computed as an integer (it
 * may lie outside the slice near its edges: a prefetch never faults). */
G_ALWAYS_INLINE static inline void
fen_level_prefetch (const guint8 *pixels, FenVolumeType type, guint w, gint64 x, gint64 y)
{
  gsize bps = type == FEN_VOLUME_U16 || type == FEN_VOLUME_S16 ? 2 : 1;
  guintptr a = (guintptr) pixels + (guintptr) (((y >> 32) * (gint64) w + (x >> 32)) * (gint64) bps);

  __builtin_prefetch ((const void *) a);
  __builtin_prefetch ((const void *) (a + w * bps));
}

