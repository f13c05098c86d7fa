/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-sample.h: one reformat sample in double precision: which
 * slices a distance reads, and nearest or bilinear within a slice. The
 * reference every faster path of fen-reformat-rows.c, -level.c and
 * -cross.c matches (exactly, or within the bound derived in
 * fen-reformat-level.c for the fixed-point ones). */
#pragma once

#include "fen-reformat-private.h"

/* Nearest pixel of slice @s at (@u, @v): pixel centres are integers, so
 * [i - 0.5, i + 0.5) is pixel i. Truncating px + 0.5 >= 0 is its floor. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_nearest (const FenVolume *vol, FenVolumeType type, const FenVolumeSlice *s,
                      double u, double v, double *out)
{
  double px = u + (0.5 - s->u0), py = v + (0.5 - s->v0);

  if (!(px >= 0 && py >= 0 && px < vol->width && py < vol->height))
    return FALSE;
  *out = fen_reformat_load (s->pixels, type, (gsize) (guint) py * vol->width + (guint) px);
  return TRUE;
}

/* Bilinear in slice @s, the edge pixels repeated for the half pixel past
 * the outer centres. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_bilinear (const FenVolume *vol, FenVolumeType type, const FenVolumeSlice *s,
                       double u, double v, double *out)
{
  double px = u - s->u0, py = v - s->v0, fx, fy, a, b, c, d;
  guint x0, y0, x1, y1;
  gsize r0, r1;

  if (!(px >= -0.5 && py >= -0.5 && px < vol->width - 0.5 && py < vol->height - 0.5))
    return FALSE;
  /* px + 1 >= 0.5: truncation is floor. */
  x0 = (guint) (gint) (px + 1) - 1;
  y0 = (guint) (gint) (py + 1) - 1;
  fx = px - (gint) x0;
  fy = py - (gint) y0;
  x1 = x0 + 1;
  y1 = y0 + 1;
  if ((gint) x0 < 0)
    x0 = 0;
  if ((gint) y0 < 0)
    y0 = 0;
  if (x1 >= vol->width)
    x1 = vol->width - 1;
  if (y1 >= vol->height)
    y1 = vol->height - 1;
  r0 = (gsize) y0 * vol->width;
  r1 = (gsize) y1 * vol->width;
  a = fen_reformat_load (s->pixels, type, r0 + x0);
  b = fen_reformat_load (s->pixels, type, r0 + x1);
  c = fen_reformat_load (s->pixels, type, r1 + x0);
  d = fen_reformat_load (s->pixels, type, r1 + x1);
  *out = (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
  return TRUE;
}

/* Which slices a point at distance @w reads: @k0 and @k1 with weight @t of
 * @k1 (nearest: @k1 unused). FALSE outside the stack. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_locate (const FenVolume *vol, FenReformatSampling sampling, double w,
                     gint *k0, gint *k1, double *t)
{
  gint n = (gint) vol->n_slices, k = _fen_volume_below (vol, w);

  *t = 0;
  *k0 = *k1 = -1;
  if (k < 0)
    {
      if (!(w >= vol->distances[0] - vol->edge))
        return FALSE;
      *k0 = *k1 = 0;
      return TRUE;
    }
  if (k == n - 1)
    {
      if (!(w <= vol->distances[n - 1] + vol->edge))
        return FALSE;
      *k0 = *k1 = n - 1;
      return TRUE;
    }
  if (sampling == FEN_REFORMAT_NEAREST)
    {
      /* Half-way between two slices goes to the lower one. */
      *k0 = *k1 = w - vol->distances[k] <= vol->distances[k + 1] - w ? k : k + 1;
      return TRUE;
    }
  *k0 = k;
  *k1 = k + 1;
  *t = (w - vol->distances[k]) / (vol->distances[k + 1] - vol->distances[k]);
  return TRUE;
}

/* One point, sampled as @sampling says, once the slices are known. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_point (const FenVolume *vol, FenVolumeType type, FenReformatSampling sampling,
                    gint k0, gint k1, double t, double u, double v, double *out)
{
  double a, b;

  if (sampling == FEN_REFORMAT_NEAREST)
    return fen_reformat_nearest (vol, type, &vol->slices[k0], u, v, out);
  /* Outside when either slice with weight is: near the stack's edges a
   * drifting slice may not cover the point. */
  if (!fen_reformat_bilinear (vol, type, &vol->slices[k0], u, v, &a))
    {
      if (t < 1 || !fen_reformat_bilinear (vol, type, &vol->slices[k1], u, v, &b))
        return FALSE;
      *out = b;
      return TRUE;
    }
  if (t == 0)
    {
      *out = a;
      return TRUE;
    }
  if (!fen_reformat_bilinear (vol, type, &vol->slices[k1], u, v, &b))
    return FALSE;
  *out = a + (b - a) * t;
  return TRUE;
}
