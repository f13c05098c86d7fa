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

#include "fen-reformat-fixed.h"

#include <math.h>

/* Columns ahead a row asks for its lines (8, 24, 48 measured: 24 and 48
 * alike, 8 slower). */
#define FEN_LEVEL_AHEAD 24

/* A tap known to read four pixels inside the slice: fen_level_tap()
 * without its test. */
G_ALWAYS_INLINE static inline void
fen_level_tap_inside (FenLevelTap *tap, guint w, gint64 x, gint64 y)
{
  tap->fx = ((x & G_GINT64_CONSTANT (0xffffffff)) + (G_GINT64_CONSTANT (1) << (31 - FEN_LEVEL_BITS)))
            >> (32 - FEN_LEVEL_BITS);
  tap->fy = ((y & G_GINT64_CONSTANT (0xffffffff)) + (G_GINT64_CONSTANT (1) << (31 - FEN_LEVEL_BITS)))
            >> (32 - FEN_LEVEL_BITS);
  tap->o00 = (gsize) (y >> 32) * w + (gsize) (x >> 32);
  tap->o01 = tap->o00 + 1;
  tap->o10 = tap->o00 + w;
  tap->o11 = tap->o10 + 1;
}

/* Whether a tap at 32.32 (@x, @y) reads four pixels inside a @w x @h slice. */
G_ALWAYS_INLINE static inline gboolean
fen_level_inside (guint w, guint h, gint64 x, gint64 y)
{
  return (guint64) (x >> 32) < (guint64) w - 1 && (guint64) (y >> 32) < (guint64) h - 1;
}

/* Columns [@i0, @i1) of a run, the first at 32.32 coordinates (@x0, @y0)
 * in @s0 and (@x1, @y1) in @s1: @s0 alone, or @s0 and @s1 at 20-bit weight
 * @tw of @s1; @same when both slices lie at one in-plane place (no drift
 * between them), so one tap serves both; @inside when every tap reads
 * four pixels inside its slice. */
G_ALWAYS_INLINE static inline void
fen_level_cols (const FenReformatJob *job, FenVolumeType type, FenOutKind kind,
                guint8 *row8, gint32 *row32, const FenVolumeSlice *s0, const FenVolumeSlice *s1,
                gboolean two, gboolean same, gboolean inside, gint64 tw, guint i0, guint i1,
                gint64 x0, gint64 y0, gint64 x1, gint64 y1, gint64 dx, gint64 dy, const guint8 *next)
{
  const FenVolume *vol = job->volume;
  guint w = vol->width, h = vol->height;
  gint64 ax = dx * FEN_LEVEL_AHEAD, ay = dy * FEN_LEVEL_AHEAD;

  for (guint i = i0; i < i1; i++)
    {
      FenLevelTap tap;
      gint64 q;

      /* This row's lines a few columns on, and the next row's new slice
       * here: both measured to pay (oblique 10.5 -> 7.3 ms, 1 thread).
       * On every other column: both lines of a sample are asked for, so
       * where a row moves up to half a pixel down the slice per column
       * (0.41 on the bench's oblique) no line is left out, and half the
       * requests cost less (4.85 -> 4.7 ms; every fourth column leaves
       * lines out: 5.2 to 5.8 ms). */
      if ((i & 1) == 0)
        {
          fen_level_prefetch (s0->pixels, type, w, x0 + ax, y0 + ay);
          if (two)
            fen_level_prefetch (s1->pixels, type, w, (same ? x0 : x1) + ax, (same ? y0 : y1) + ay);
          if (next != NULL)
            fen_level_prefetch (next, type, w, x0, y0);
        }
      if (inside)
        fen_level_tap_inside (&tap, w, x0, y0);
      else
        fen_level_tap (&tap, w, h, x0, y0);
      q = fen_level_interp (s0->pixels, type, &tap);
      if (two)
        {
          gint64 q1;

          if (!same && inside)
            fen_level_tap_inside (&tap, w, x1, y1);
          else if (!same)
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

/* Columns [@r0, @r1) inside the slices (see fen_level_cols()): the
 * columns whose taps all lie wholly inside (every one but those at the
 * slices' edges; the coordinates are linear in the column, so they form
 * one range, found from both ends) go without the edge test. */
G_ALWAYS_INLINE static inline void
fen_level_run (const FenReformatJob *job, FenVolumeType type, FenOutKind kind,
               guint8 *row8, gint32 *row32, double ur, double vr,
               const FenVolumeSlice *s0, const FenVolumeSlice *s1, gboolean two, gboolean same,
               gint64 tw, guint r0, guint r1, const guint8 *next)
{
  const FenVolume *vol = job->volume;
  guint w = vol->width, h = vol->height, ia = r0, ib = r1;
  gint64 dx = fen_level_fix (job->du), dy = fen_level_fix (job->dv);
  gint64 x0 = fen_level_fix ((ur + r0 * job->du) - s0->u0), y0 = fen_level_fix ((vr + r0 * job->dv) - s0->v0);
  gint64 x1 = two && !same ? fen_level_fix ((ur + r0 * job->du) - s1->u0) : 0;
  gint64 y1 = two && !same ? fen_level_fix ((vr + r0 * job->dv) - s1->v0) : 0;

#define FEN_AT(v, d, i) ((v) + (gint64) ((i) - r0) * (d))
#define FEN_INSIDE(i) (fen_level_inside (w, h, FEN_AT (x0, dx, i), FEN_AT (y0, dy, i)) && \
                       (!two || same || fen_level_inside (w, h, FEN_AT (x1, dx, i), FEN_AT (y1, dy, i))))
  while (ia < r1 && !FEN_INSIDE (ia))
    ia++;
  while (ib > ia && !FEN_INSIDE (ib - 1))
    ib--;
#undef FEN_INSIDE
  fen_level_cols (job, type, kind, row8, row32, s0, s1, two, same, FALSE, tw, r0, ia,
                  x0, y0, x1, y1, dx, dy, next);
  fen_level_cols (job, type, kind, row8, row32, s0, s1, two, same, TRUE, tw, ia, ib,
                  FEN_AT (x0, dx, ia), FEN_AT (y0, dy, ia), FEN_AT (x1, dx, ia), FEN_AT (y1, dy, ia), dx, dy, next);
  fen_level_cols (job, type, kind, row8, row32, s0, s1, two, same, FALSE, tw, ib, r1,
                  FEN_AT (x0, dx, ib), FEN_AT (y0, dy, ib), FEN_AT (x1, dx, ib), FEN_AT (y1, dy, ib), dx, dy, next);
#undef FEN_AT
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
