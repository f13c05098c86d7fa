/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-cross.c: trilinear rows that cross slices (the distance
 * changes along the row, as on a plane whose rows are tilted out of the
 * slices). The distance is linear in the column, so the columns between
 * two slices form runs whose ends are found arithmetically (estimated,
 * then settled with the exact test fen_reformat_locate() makes), not by a
 * search per pixel; each run is sampled in the fixed point of
 * fen-reformat-fixed.h, restarted from the double coordinates at its
 * start, with the slice weight of each pixel computed in double exactly as
 * fen_reformat_locate() does and rounded to 20 bits, so the error bound
 * derived in fen-reformat-level.c holds here too. The lines a few columns
 * on are prefetched in whichever slices those columns will read. A row
 * depends on its own coordinates alone, so the output does not depend on
 * the thread count or chunk size; nothing is allocated. */
#define G_LOG_DOMAIN "fen-reformat"

#include "fen-reformat-fixed.h"

/* Columns ahead a crossing row asks for its lines (4, 8, 16, 32 measured
 * on the per-pixel path this replaces; 16 and 32 alike). */
#define FEN_CROSS_AHEAD 16

/* Whether column @i's distance lies in [@lo, @hi): slice @k's run. */
G_ALWAYS_INLINE static inline gboolean
fen_cross_in (double wr, double dw, guint i, double lo, double hi)
{
  double w = wr + i * dw;

  return w >= lo && w < hi;
}

/* Whether columns [@a, @b) (not empty) all lie inside slice @s: the test
 * fen_level_clip() makes (fen_reformat_bilinear()'s), at both ends; the
 * coordinates are monotonic in the column, so the ends decide, and most
 * runs need no bisection. */
G_ALWAYS_INLINE static inline gboolean
fen_cross_inside (double ur, double vr, double du, double dv, const FenVolumeSlice *s,
                  double w, double h, guint a, guint b)
{
#define FEN_IN(i) ((ur + (i) * du) - s->u0 >= -0.5 && (ur + (i) * du) - s->u0 < w - 0.5 && \
                   (vr + (i) * dv) - s->v0 >= -0.5 && (vr + (i) * dv) - s->v0 < h - 0.5)
  return FEN_IN (a) && FEN_IN (b - 1);
#undef FEN_IN
}

G_ALWAYS_INLINE static inline void
fen_cross_run_typed (const FenReformatJob *job, FenVolumeType type, FenOutKind kind,
                     guint8 *row8, gint32 *row32, double ur, double vr, double wr,
                     gint k, guint a, guint b, gint *k_ahead)
{
  const FenVolume *vol = job->volume;
  const FenVolumeSlice *s0 = &vol->slices[k], *s1 = &vol->slices[k + 1];
  const guint8 *p0 = s0->pixels, *p1 = s1->pixels, *table = job->table;
  const double *dist = vol->distances;
  double d0 = dist[k], span = dist[k + 1] - dist[k], dw = job->dw;
  guint w = vol->width, h = vol->height;
  gint n = (gint) vol->n_slices;
  gboolean same = s0->u0 == s1->u0 && s0->v0 == s1->v0;
  gint64 dx = fen_level_fix (job->du), dy = fen_level_fix (job->dv);
  gint64 ax = dx * FEN_CROSS_AHEAD, ay = dy * FEN_CROSS_AHEAD;
  gint64 x0 = fen_level_fix ((ur + a * job->du) - s0->u0), y0 = fen_level_fix ((vr + a * job->dv) - s0->v0);
  gint64 x1 = same ? 0 : fen_level_fix ((ur + a * job->du) - s1->u0);
  gint64 y1 = same ? 0 : fen_level_fix ((vr + a * job->dv) - s1->v0);
  gint ka = *k_ahead;

  for (guint i = a; i < b; i++)
    {
      FenLevelTap tap;
      double wa = wr + (i + FEN_CROSS_AHEAD) * dw;
      gint64 q, q1, tw;

      /* The slice pair FEN_CROSS_AHEAD columns on (the distance moves by
       * less than a slice per column here, so a step or two at most), and
       * its lines at this row's position there (drift between slices is
       * far below a line: the address is a prefetch's, never read). */
      while (ka + 2 < n && dist[ka + 1] <= wa)
        ka++;
      while (ka > 0 && dist[ka] > wa)
        ka--;
      fen_level_prefetch (vol->slices[ka].pixels, type, w, x0 + ax, y0 + ay);
      fen_level_prefetch (vol->slices[ka + 1].pixels, type, w, x0 + ax, y0 + ay);

      /* fen_reformat_locate()'s weight, the same expression, rounded to
       * 20 bits (it lies in [0, 1): truncating x + 0.5 is rounding). */
      tw = (gint64) ((((wr + i * dw) - d0) / span) * (1 << FEN_LEVEL_BITS) + 0.5);
      fen_level_tap (&tap, w, h, x0, y0);
      q = fen_level_interp (p0, type, &tap);
      if (!same)
        fen_level_tap (&tap, w, h, x1, y1);
      q1 = fen_level_interp (p1, type, &tap);
      q += ((q1 - q) * tw) >> FEN_LEVEL_BITS;
      fen_reformat_put_table (table, kind, row8, row32, i, (gint32) ((q + FEN_LEVEL_HALF) >> FEN_LEVEL_BITS));
      x0 += dx;
      y0 += dy;
      x1 += dx;
      y1 += dy;
    }
  *k_ahead = ka;
}

G_ALWAYS_INLINE static inline void
fen_cross_run_kind (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                    double ur, double vr, double wr, gint k, guint a, guint b, gint *k_ahead)
{
  switch (job->volume->type)
    {
    case FEN_VOLUME_U8:
      fen_cross_run_typed (job, FEN_VOLUME_U8, kind, row8, row32, ur, vr, wr, k, a, b, k_ahead);
      break;
    case FEN_VOLUME_S8:
      fen_cross_run_typed (job, FEN_VOLUME_S8, kind, row8, row32, ur, vr, wr, k, a, b, k_ahead);
      break;
    case FEN_VOLUME_U16:
      fen_cross_run_typed (job, FEN_VOLUME_U16, kind, row8, row32, ur, vr, wr, k, a, b, k_ahead);
      break;
    case FEN_VOLUME_S16:
    default:
      fen_cross_run_typed (job, FEN_VOLUME_S16, kind, row8, row32, ur, vr, wr, k, a, b, k_ahead);
      break;
    }
}

guint
_fen_reformat_cross_run (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                         double ur, double vr, double wr, guint i, guint last,
                         guint *in_first, guint *in_last, guint *first_done, guint *last_done,
                         gint *k_ahead)
{
  const FenVolume *vol = job->volume;
  const FenVolumeSlice *s0, *s1;
  gint k = _fen_volume_below (vol, wr + i * job->dw);
  double lo, hi, dw = job->dw, est;
  guint e, a = i, b;

  *in_first = *in_last = *first_done = *last_done = i;
  /* Outside the stack's inner slices, or a row that stays level: the
   * caller's per-pixel path. */
  if (k < 0 || k + 1 >= (gint) vol->n_slices || dw == 0)
    {
      *in_last = i + 1;
      return i + 1;
    }
  if (*k_ahead < 0 || *k_ahead + 1 >= (gint) vol->n_slices)
    *k_ahead = MIN (MAX (k, 0), (gint) vol->n_slices - 2);
  lo = vol->distances[k];
  hi = vol->distances[k + 1];
  /* The run's end: the first column whose distance leaves [lo, hi),
   * estimated from the line and settled with the exact test (the
   * distance is monotonic in the column). */
  est = ceil (((dw > 0 ? hi : lo) - (wr + i * dw)) / dw);
  e = (guint) CLAMP (est, 1.0, (double) (last - i)) + i;
  while (e > i + 1 && !fen_cross_in (wr, dw, e - 1, lo, hi))
    e--;
  while (e < last && fen_cross_in (wr, dw, e, lo, hi))
    e++;
  /* Long runs (a small tilt) restart the fixed point as level rows do. */
  e = MIN (e, i + FEN_LEVEL_RUN);
  b = e;
  /* The columns inside slice k (the exact test of fen_reformat_bilinear()):
   * the others are background whatever slice k + 1 holds, as in
   * fen_reformat_point() (the weight of k + 1 is below 1 in the run). */
  s0 = &vol->slices[k];
  s1 = &vol->slices[k + 1];
  if (!fen_cross_inside (ur, vr, job->du, job->dv, s0, vol->width, vol->height, a, b))
    {
      fen_level_clip (ur, job->du, s0->u0, -0.5, vol->width - 0.5, &a, &b);
      fen_level_clip (vr, job->dv, s0->v0, -0.5, vol->height - 0.5, &a, &b);
    }
  fen_reformat_fill (job, kind, row8, row32, i, a);
  fen_reformat_fill (job, kind, row8, row32, MAX (a, b), e);
  b = MAX (a, b);
  *in_first = *first_done = *last_done = a;
  *in_last = b;
  /* Those inside both are sampled here, the caller samples the rest. */
  if (a < b && !fen_cross_inside (ur, vr, job->du, job->dv, s1, vol->width, vol->height, a, b))
    {
      fen_level_clip (ur, job->du, s1->u0, -0.5, vol->width - 0.5, &a, &b);
      fen_level_clip (vr, job->dv, s1->v0, -0.5, vol->height - 0.5, &a, &b);
    }
  if (a < b)
    {
      switch (kind)
        {
        case FEN_OUT_VALUES:
          fen_cross_run_kind (job, FEN_OUT_VALUES, row8, row32, ur, vr, wr, k, a, b, k_ahead);
          break;
        case FEN_OUT_GRAY8:
          fen_cross_run_kind (job, FEN_OUT_GRAY8, row8, row32, ur, vr, wr, k, a, b, k_ahead);
          break;
        case FEN_OUT_RGB8:
          fen_cross_run_kind (job, FEN_OUT_RGB8, row8, row32, ur, vr, wr, k, a, b, k_ahead);
          break;
        case FEN_OUT_WORD:
        default:
          fen_cross_run_kind (job, FEN_OUT_WORD, row8, row32, ur, vr, wr, k, a, b, k_ahead);
          break;
        }
      *first_done = a;
      *last_done = b;
    }
  return e;
}
