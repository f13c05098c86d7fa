/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-level.c: trilinear rows that lie level in the stack (the
 * distance fixed along the row, as the rows of a plane turned about the
 * stack's normal are), in fixed point. The columns inside both slices are
 * found with the same double test fen_reformat_bilinear() makes; inside
 * them each slice's pixel coordinates step along the row in 32.32 fixed
 * point, restarted from the double coordinate every FEN_LEVEL_RUN
 * columns, and the interpolation weights are 20-bit; the lines a few
 * columns on and the next row's new slice are prefetched (such rows cross
 * the slice's rows, 1 KB apart for 16-bit 512-wide slices: no pattern the
 * hardware follows, and each output row brings in about 300 new lines of
 * 64 bytes from memory). A row depends on its
 * own coordinates alone, so the output does not depend on the thread
 * count or chunk size; nothing is allocated.
 *
 * Error against the exact trilinear value, in stored-value units, with R
 * the largest difference between two stored values (65535 for 16-bit,
 * 255 for 8-bit):
 * - position, per axis: the run's start rounded to 2^-33 pixel, the step
 *   rounded to 2^-33 and added at most FEN_LEVEL_RUN = 2^10 times
 *   (2^-23), the fraction rounded to 20 bits (2^-21): at most
 *   1.26 x 2^-21 pixel. Bilinear with its edge pixels repeated changes by
 *   at most R per pixel along either axis, so both axes cost at most
 *   2 R x 1.26 x 2^-21 = 0.079 for R = 65535;
 * - the slice weight rounded to 20 bits: R x 2^-21 = 0.031;
 * - the two 20-bit products shifted down: 2 x 2^-20.
 * In all less than 0.11: the rounded result is the nearest integer to the
 * exact value, or, when that value lies within 0.11 of a half, the
 * neighbouring one (|result - exact| <= 0.61). */
#define G_LOG_DOMAIN "fen-reformat"

#include "fen-reformat-private.h"

#include <math.h>

#define FEN_LEVEL_RUN  1024
/* Columns ahead a row asks for its lines (8, 24, 48 measured: 24 and 48
 * alike, 8 slower). */
#define FEN_LEVEL_AHEAD 24
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
static void
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

/* Columns [@r0, @r1) inside the slices: @s0 alone, or @s0 and @s1 at
 * 20-bit weight @tw of @s1; @same when both slices lie at one in-plane
 * place (no drift between them), so one tap serves both. */
G_ALWAYS_INLINE static inline void
fen_level_run (const FenReformatJob *job, FenVolumeType type, FenOutKind kind,
               guint8 *row8, gint32 *row32, double ur, double vr,
               const FenVolumeSlice *s0, const FenVolumeSlice *s1, gboolean two, gboolean same,
               gint64 tw, guint r0, guint r1, const guint8 *next)
{
  const FenVolume *vol = job->volume;
  guint w = vol->width, h = vol->height;
  gint64 dx = fen_level_fix (job->du), dy = fen_level_fix (job->dv);
  gint64 ax = dx * FEN_LEVEL_AHEAD, ay = dy * FEN_LEVEL_AHEAD;
  gint64 x0 = fen_level_fix ((ur + r0 * job->du) - s0->u0), y0 = fen_level_fix ((vr + r0 * job->dv) - s0->v0);
  gint64 x1 = two && !same ? fen_level_fix ((ur + r0 * job->du) - s1->u0) : 0;
  gint64 y1 = two && !same ? fen_level_fix ((vr + r0 * job->dv) - s1->v0) : 0;

  for (guint i = r0; i < r1; i++)
    {
      FenLevelTap tap;
      gint64 q;

      /* This row's lines a few columns on, and the next row's new slice
       * here: both measured to pay (oblique 10.5 -> 7.3 ms, 1 thread). */
      fen_level_prefetch (s0->pixels, type, w, x0 + ax, y0 + ay);
      if (two)
        fen_level_prefetch (s1->pixels, type, w, (same ? x0 : x1) + ax, (same ? y0 : y1) + ay);
      if (next != NULL)
        fen_level_prefetch (next, type, w, x0, y0);
      fen_level_tap (&tap, w, h, x0, y0);
      q = fen_level_interp (s0->pixels, type, &tap);
      if (two)
        {
          gint64 q1;

          if (!same)
            fen_level_tap (&tap, w, h, x1, y1);
          q1 = fen_level_interp (s1->pixels, type, &tap);
          q += ((q1 - q) * tw) >> FEN_LEVEL_BITS;
        }
      fen_reformat_put (job, kind, row8, row32, i, (gint32) ((q + FEN_LEVEL_HALF) >> FEN_LEVEL_BITS));
      x0 += dx;
      y0 += dy;
      if (two && !same)
        {
          x1 += dx;
          y1 += dy;
        }
    }
}

G_ALWAYS_INLINE static inline void
fen_level_row_typed (const FenReformatJob *job, FenVolumeType type, FenOutKind kind,
                     guint8 *row8, gint32 *row32, double ur, double vr,
                     gint k0, gint k1, double t, guint first, guint last, const guint8 *next)
{
  const FenVolume *vol = job->volume;
  const FenVolumeSlice *s0 = &vol->slices[k0], *s1 = &vol->slices[k1];
  double du = job->du, dv = job->dv;
  gboolean two;
  gint64 tw;
  guint a = first, b = last;

  if (t >= 1)
    s0 = s1, t = 0;
  two = t > 0;
  /* The columns inside the slice(s) with weight: one run. */
  fen_level_clip (ur, du, s0->u0, -0.5, vol->width - 0.5, &a, &b);
  fen_level_clip (vr, dv, s0->v0, -0.5, vol->height - 0.5, &a, &b);
  if (two)
    {
      fen_level_clip (ur, du, s1->u0, -0.5, vol->width - 0.5, &a, &b);
      fen_level_clip (vr, dv, s1->v0, -0.5, vol->height - 0.5, &a, &b);
    }
  fen_reformat_fill (job, kind, row8, row32, first, a);
  fen_reformat_fill (job, kind, row8, row32, b, last);
  tw = (gint64) llrint (t * (1 << FEN_LEVEL_BITS));
  for (guint r0 = a; r0 < b; r0 += FEN_LEVEL_RUN)
    {
      guint r1 = MIN (b, r0 + FEN_LEVEL_RUN);

      if (!two)
        fen_level_run (job, type, kind, row8, row32, ur, vr, s0, s1, FALSE, FALSE, tw, r0, r1, next);
      else if (s0->u0 == s1->u0 && s0->v0 == s1->v0)
        fen_level_run (job, type, kind, row8, row32, ur, vr, s0, s1, TRUE, TRUE, tw, r0, r1, next);
      else
        fen_level_run (job, type, kind, row8, row32, ur, vr, s0, s1, TRUE, FALSE, tw, r0, r1, next);
    }
}

G_ALWAYS_INLINE static inline void
fen_level_row_kind (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                    double ur, double vr, gint k0, gint k1, double t, guint first, guint last, const guint8 *next)
{
  switch (job->volume->type)
    {
    case FEN_VOLUME_U8:
      fen_level_row_typed (job, FEN_VOLUME_U8, kind, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    case FEN_VOLUME_S8:
      fen_level_row_typed (job, FEN_VOLUME_S8, kind, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    case FEN_VOLUME_U16:
      fen_level_row_typed (job, FEN_VOLUME_U16, kind, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    case FEN_VOLUME_S16:
    default:
      fen_level_row_typed (job, FEN_VOLUME_S16, kind, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    }
}

void
_fen_reformat_level_row (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                         double ur, double vr, gint k0, gint k1, double t, guint first, guint last, const guint8 *next)
{
  switch (kind)
    {
    case FEN_OUT_VALUES:
      fen_level_row_kind (job, FEN_OUT_VALUES, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    case FEN_OUT_GRAY8:
      fen_level_row_kind (job, FEN_OUT_GRAY8, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    case FEN_OUT_RGB8:
      fen_level_row_kind (job, FEN_OUT_RGB8, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    case FEN_OUT_WORD:
    default:
      fen_level_row_kind (job, FEN_OUT_WORD, row8, row32, ur, vr, k0, k1, t, first, last, next);
      break;
    }
}
