/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-rows.c: the pixel loops of the reformat. Each output row is
 * sampled one of three ways: orthogonal rows (the distance and one
 * in-plane coordinate fixed) find their slices and lines once and write
 * straight out; other rows without a slab locate each pixel and write
 * straight out; slabs go block by block (FEN_REFORMAT_BLOCK pixels into
 * stack arrays, once per member, combined as they go). Every coordinate is
 * computed from the pixel's row and column alone and block boundaries are
 * fixed within a row, so the output does not depend on the thread count or
 * chunk size; nothing is allocated. */
#define G_LOG_DOMAIN "fen-reformat"

#include "fen-reformat-fixed.h"
#include "fen-reformat-sample.h"

#include <math.h>
#include <string.h>

#define FEN_REFORMAT_BLOCK 256

/* Samples @n points from (@u, @v, @w) in steps of the job's column step
 * into @vals / @ok. When the distance barely moves along the block and both
 * ends read the same slices (orthogonal planes), the slice search is done
 * once; otherwise per point. */
G_ALWAYS_INLINE static inline void
fen_reformat_sample_block (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                           double u, double v, double w, guint i0, guint n, double *vals, guint8 *ok)
{
  const FenVolume *vol = job->volume;
  gint a0, a1, b0, b1;
  double ta, tb, w_start = w + i0 * job->dw, w_end = w + (i0 + n - 1) * job->dw;
  gboolean in_a = fen_reformat_locate (vol, sampling, w_start, &a0, &a1, &ta);
  gboolean in_b = fen_reformat_locate (vol, sampling, w_end, &b0, &b1, &tb);

  if (in_a == in_b && a0 == b0 && a1 == b1 && fabs (w_end - w_start) < 1e-6)
    {
      if (!in_a)
        {
          memset (ok, 0, n);
          return;
        }
      for (guint i = 0; i < n; i++)
        ok[i] = fen_reformat_point (vol, type, sampling, a0, a1, ta,
                                    u + (i0 + i) * job->du, v + (i0 + i) * job->dv, &vals[i]);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      gint k0, k1;
      double t;

      ok[i] = fen_reformat_locate (vol, sampling, w + (i0 + i) * job->dw, &k0, &k1, &t) &&
              fen_reformat_point (vol, type, sampling, k0, k1, t,
                                  u + (i0 + i) * job->du, v + (i0 + i) * job->dv, &vals[i]);
    }
}


/* Sets @o up for slice @s on a row starting at (@u, @v); FALSE when the
 * fixed coordinate is outside the slice (the whole row misses it). The
 * arithmetic is fen_reformat_nearest()'s and fen_reformat_bilinear()'s. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_sep_setup (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                        const FenVolumeSlice *s, double u, double v, FenSepSlice *o)
{
  const FenVolume *vol = job->volume;
  gsize bps = type == FEN_VOLUME_U16 || type == FEN_VOLUME_S16 ? 2 : 1;
  guint fixed_size = job->var_is_u ? vol->height : vol->width;
  gsize line_step = job->var_is_u ? (gsize) vol->width * bps : bps;
  double f0 = job->var_is_u ? v : u, s_fixed = job->var_is_u ? s->v0 : s->u0;
  double s_var = job->var_is_u ? s->u0 : s->v0;

  o->step = job->var_is_u ? 1 : vol->width;
  o->size = job->var_is_u ? vol->width : vol->height;
  if (sampling == FEN_REFORMAT_NEAREST)
    {
      double p = f0 + (0.5 - s_fixed);

      if (!(p >= 0 && p < fixed_size))
        return FALSE;
      o->line0 = o->line1 = s->pixels + (guint) p * line_step;
      o->ff = 0;
      o->off = 0.5 - s_var;
      o->lo = 0;
      o->hi = o->size;
    }
  else
    {
      double p = f0 - s_fixed;
      guint a, b;

      if (!(p >= -0.5 && p < fixed_size - 0.5))
        return FALSE;
      a = (guint) (gint) (p + 1) - 1;
      o->ff = p - (gint) a;
      b = a + 1;
      if ((gint) a < 0)
        a = 0;
      if (b >= fixed_size)
        b = fixed_size - 1;
      o->line0 = s->pixels + a * line_step;
      o->line1 = s->pixels + b * line_step;
      o->off = -s_var;
      o->lo = -0.5;
      o->hi = o->size - 0.5;
    }
  return TRUE;
}

/* The moving coordinate of output column @i. */
static inline double
fen_reformat_sep_coord (double start, double d, double off, guint i)
{
  return (start + i * d) + off;
}

/* The columns [*first, *last) of [0, n) whose coordinate lies inside @o:
 * estimated, then settled with the exact test each pixel would make (the
 * coordinate is monotonic along a row, so the inside is one run). */
static void
fen_reformat_sep_range (const FenSepSlice *o, double start, double d, guint n, guint *first, guint *last)
{
#define FEN_SEP_IN(i) (fen_reformat_sep_coord (start, d, o->off, (i)) >= o->lo && \
                       fen_reformat_sep_coord (start, d, o->off, (i)) < o->hi)
  double a, b;
  gint64 i0, i1;

  if (d == 0)
    {
      *first = 0;
      *last = FEN_SEP_IN (0) ? n : 0;
      return;
    }
  a = (o->lo - (start + o->off)) / d;
  b = (o->hi - (start + o->off)) / d;
  if (a > b)
    {
      double t = a;
      a = b;
      b = t;
    }
  i0 = (gint64) CLAMP (ceil (a), 0.0, (double) n);
  i1 = (gint64) CLAMP (ceil (b), 0.0, (double) n);
  while (i0 > 0 && FEN_SEP_IN (i0 - 1))
    i0--;
  while (i0 < (gint64) n && !FEN_SEP_IN (i0))
    i0++;
  if (i1 < i0)
    i1 = i0;
  while (i1 > i0 && !FEN_SEP_IN (i1 - 1))
    i1--;
  while (i1 < (gint64) n && FEN_SEP_IN (i1))
    i1++;
  *first = (guint) i0;
  *last = (guint) i1;
#undef FEN_SEP_IN
}

/* One sample of a set-up slice at moving coordinate @q (inside). */
G_ALWAYS_INLINE static inline double
fen_reformat_sep_sample (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                         const FenSepSlice *o, double q)
{
  guint x0, x1;
  double fq, a, b, c, d;

  if (sampling == FEN_REFORMAT_NEAREST)
    return fen_reformat_load (o->line0, type, (gsize) (guint) q * o->step);
  x0 = (guint) (gint) (q + 1) - 1;
  fq = q - (gint) x0;
  x1 = x0 + 1;
  if ((gint) x0 < 0)
    x0 = 0;
  if (x1 >= o->size)
    x1 = o->size - 1;
  /* fen_reformat_bilinear()'s corners: a b on the lower row, c d below. */
  if (job->var_is_u)
    {
      a = fen_reformat_load (o->line0, type, x0);
      b = fen_reformat_load (o->line0, type, x1);
      c = fen_reformat_load (o->line1, type, x0);
      d = fen_reformat_load (o->line1, type, x1);
      return (a + (b - a) * fq) * (1 - o->ff) + (c + (d - c) * fq) * o->ff;
    }
  a = fen_reformat_load (o->line0, type, (gsize) x0 * o->step);
  b = fen_reformat_load (o->line1, type, (gsize) x0 * o->step);
  c = fen_reformat_load (o->line0, type, (gsize) x1 * o->step);
  d = fen_reformat_load (o->line1, type, (gsize) x1 * o->step);
  return (a + (b - a) * o->ff) * (1 - fq) + (c + (d - c) * o->ff) * fq;
}

/* The sample offsets of a separable row, kept across the rows of a chunk:
 * orthogonal planes without drift read every row at the same offsets (only
 * the lines change), as the slice renderer's column map. Nearest keeps
 * the sample's offset in @offset; bilinear keeps both neighbours' indices
 * along the moving axis (@offset, @offset1: times the step, an offset) and
 * the weight of the second, computed as fen_reformat_sep_sample() does. */
#define FEN_REFORMAT_MAP 4096

typedef struct {
  gboolean valid;
  double   start, d, off;
  guint    first, last;
  guint32  offset[FEN_REFORMAT_MAP];
  guint32  offset1[FEN_REFORMAT_MAP];
  double   frac[FEN_REFORMAT_MAP];
} FenReformatMap;

/* Makes @map hold the offsets of columns [@first, @last) of a row whose
 * moving coordinate starts at @start + @o->off, unless it already does
 * (the same bits: the same offsets). FALSE when the run does not fit. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_map_update (FenReformatMap *map, FenReformatSampling sampling, const FenSepSlice *o,
                         double start, double d, guint first, guint last)
{
  if (last - first > FEN_REFORMAT_MAP || o->size * (gsize) o->step > G_MAXUINT32)
    return FALSE;
  if (map->valid && map->start == start && map->d == d && map->off == o->off &&
      map->first == first && map->last == last)
    return TRUE;
  for (guint i = first; i < last; i++)
    {
      double q = fen_reformat_sep_coord (start, d, o->off, i);
      guint x0, x1;

      if (sampling == FEN_REFORMAT_NEAREST)
        {
          map->offset[i - first] = (guint32) ((guint) q * o->step);
          continue;
        }
      x0 = (guint) (gint) (q + 1) - 1;
      map->frac[i - first] = q - (gint) x0;
      x1 = x0 + 1;
      if ((gint) x0 < 0)
        x0 = 0;
      if (x1 >= o->size)
        x1 = o->size - 1;
      map->offset[i - first] = x0;
      map->offset1[i - first] = x1;
    }
  map->valid = TRUE;
  map->start = start;
  map->d = d;
  map->off = o->off;
  map->first = first;
  map->last = last;
  return TRUE;
}

/* A block of a slab member that is a whole slice, on a separable row.
 * Bilinear along a slice's rows weights the member's two lines into one
 * and interpolates through @map, the row's column map: the rows of an
 * axial slab, and all its members, read at the same indices. */
G_ALWAYS_INLINE static inline void
fen_reformat_sep_slice (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                        const FenVolumeSlice *s, double u, double v, guint i0, guint n,
                        double *vals, guint8 *ok, FenReformatMap *map)
{
  double start = job->var_is_u ? u : v, d = job->var_is_u ? job->du : job->dv;
  FenSepSlice o;
  guint first, last;

  memset (ok, 0, n);
  if (!fen_reformat_sep_setup (job, type, sampling, s, u, v, &o))
    return;
  if (sampling == FEN_REFORMAT_TRILINEAR && o.step == 1)
    {
      fen_reformat_sep_range (&o, start, d, job->out_width, &first, &last);
      if (fen_reformat_map_update (map, sampling, &o, start, d, first, last))
        {
          const guint32 *m0 = map->offset - map->first, *m1 = map->offset1 - map->first;
          const double *fq = map->frac - map->first;
          double line[FEN_REFORMAT_BLOCK * 4 + 4];
          guint lo, hi;

          first = MAX (first, i0);
          last = MIN (last, i0 + n);
          if (last <= first)
            return;
          lo = MIN (m0[first], m0[last - 1]);
          hi = MAX (m1[first], m1[last - 1]);
          if (hi - lo + 1 <= G_N_ELEMENTS (line))
            {
              for (guint x = lo; x <= hi; x++)
                line[x - lo] = (1 - o.ff) * fen_reformat_load (o.line0, type, x) +
                               o.ff * fen_reformat_load (o.line1, type, x);
              for (guint i = first; i < last; i++)
                {
                  double a = line[m0[i] - lo];

                  vals[i - i0] = a + (line[m1[i] - lo] - a) * fq[i];
                  ok[i - i0] = 1;
                }
              return;
            }
        }
    }
  fen_reformat_sep_range (&o, start, d, i0 + n, &first, &last);
  first = MAX (first, i0);
  if (sampling == FEN_REFORMAT_TRILINEAR && last > first && o.step == 1)
    {
      /* Bilinear: the two lines weighted into one first, each source
       * sample once (a slab reads every member this way). */
      double line[1024];
      double qa = fen_reformat_sep_coord (start, d, o.off, first);
      double qb = fen_reformat_sep_coord (start, d, o.off, last - 1);
      gint xa = (gint) (MIN (qa, qb) + 1) - 1, xb = (gint) (MAX (qa, qb) + 1);
      guint lo = (guint) MAX (xa, 0), hi = (guint) MIN (xb, (gint) o.size - 1);

      if (hi - lo + 1 <= G_N_ELEMENTS (line))
        {
          for (guint x = lo; x <= hi; x++)
            line[x - lo] = (1 - o.ff) * fen_reformat_load (o.line0, type, (gsize) x * o.step) +
                           o.ff * fen_reformat_load (o.line1, type, (gsize) x * o.step);
          for (guint i = first; i < last; i++)
            {
              double q = fen_reformat_sep_coord (start, d, o.off, i), fq;
              guint x0 = (guint) (gint) (q + 1) - 1, x1 = x0 + 1;

              fq = q - (gint) x0;
              if ((gint) x0 < 0)
                x0 = 0;
              if (x1 >= o.size)
                x1 = o.size - 1;
              vals[i - i0] = line[x0 - lo] + (line[x1 - lo] - line[x0 - lo]) * fq;
              ok[i - i0] = 1;
            }
          return;
        }
    }
  for (guint i = first; i < last; i++)
    {
      vals[i - i0] = fen_reformat_sep_sample (job, type, sampling, &o,
                                              fen_reformat_sep_coord (start, d, o.off, i));
      ok[i - i0] = 1;
    }
}

/* A slab member that is a whole slice @k: every point in its own plane. */
G_ALWAYS_INLINE static inline void
fen_reformat_sample_slice (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                           gint k, double u, double v, guint i0, guint n, double *vals, guint8 *ok,
                           FenReformatMap *map)
{
  const FenVolume *vol = job->volume;
  const FenVolumeSlice *s = &vol->slices[k];

  if (job->separable)
    {
      fen_reformat_sep_slice (job, type, sampling, s, u, v, i0, n, vals, ok, map);
      return;
    }
  for (guint i = 0; i < n; i++)
    ok[i] = sampling == FEN_REFORMAT_NEAREST
            ? fen_reformat_nearest (vol, type, s, u + (i0 + i) * job->du, v + (i0 + i) * job->dv, &vals[i])
            : fen_reformat_bilinear (vol, type, s, u + (i0 + i) * job->du, v + (i0 + i) * job->dv, &vals[i]);
}

static inline void
fen_reformat_combine (FenSlabMode mode, guint n, const double *vals, const guint8 *ok,
                      double *acc, guint16 *count)
{
  for (guint i = 0; i < n; i++)
    {
      if (!ok[i])
        continue;
      if (count[i] == 0)
        acc[i] = vals[i];
      else if (mode == FEN_SLAB_MIP)
        acc[i] = MAX (acc[i], vals[i]);
      else if (mode == FEN_SLAB_MINIP)
        acc[i] = MIN (acc[i], vals[i]);
      else
        acc[i] += vals[i];
      count[i]++;
    }
}

static inline void
fen_reformat_store_gray (FenPixelFormat format, guint8 *o, guint8 g)
{
  guint32 word;

  switch (format)
    {
    case FEN_PIXEL_GRAY8:
      o[0] = g;
      break;
    case FEN_PIXEL_RGB8:
      o[0] = o[1] = o[2] = g;
      break;
    case FEN_PIXEL_RGBA8:
    case FEN_PIXEL_BGRA8:
    default:
      /* Gray is the same in RGBA and BGRA; alpha 255. */
      word = 0xff000000u | ((guint32) g * 0x010101u);
      memcpy (o, &word, sizeof word);
      break;
    }
}

static inline gint32
fen_reformat_round (const FenReformatJob *job, double acc, guint16 count)
{
  double x = job->slab == FEN_SLAB_AVERAGE && count > 1 ? acc / count : acc;

  return (gint32) (x + 131072.5) - 131072;
}

/* Writes a block: the value (the mean for an average), rounded to the
 * nearest integer (values lie within +-65536, so truncating after the
 * offset is floor), through the table or as a value. */
static void
fen_reformat_emit (const FenReformatJob *job, guint j, guint i0, guint n,
                   const double *acc, const guint16 *count)
{
  if (job->table == NULL)
    {
      gint32 *o = job->values + (gsize) j * job->values_stride + i0;

      for (guint i = 0; i < n; i++)
        o[i] = count[i] ? fen_reformat_round (job, acc[i], count[i]) : job->background;
      return;
    }
  {
    guint bpp = fen_pixel_format_bytes (job->format);
    guint8 *o = job->out + (gsize) j * job->out_stride + (gsize) i0 * bpp;

    for (guint i = 0; i < n; i++)
      {
        guint8 g = count[i] ? job->table[(guint16) fen_reformat_round (job, acc[i], count[i])] : 0;

        fen_reformat_store_gray (job->format, o + (gsize) i * bpp, g);
      }
  }
}



/* How many pixels ahead a strided row (sagittal) asks for its lines:
 * 8, 16, 24, 32, 48, 64 measured, 32 the fastest (sagittal trilinear
 * 9.9 -> 4.8 ms, nearest 5.8 -> 3.9 ms, 1 thread). */
#define FEN_REFORMAT_AHEAD 32

/* Longest run of source samples a separable bilinear row combines first. */
#define FEN_REFORMAT_LINE 4096

/* Bilinear on a separable row whose @n_lines lines (two per slice) share
 * one moving index, through @map. Contiguous runs (the moving axis along
 * the slice's rows) weight the lines into one first, each source sample
 * read once (the view magnifies, so pixels share samples), then each
 * pixel interpolates along that line. Strided runs (sagittal) interpolate
 * per pixel: measured 25 % faster there (sagperf A/B, 4.7 against 6.2 ms),
 * the per-pixel loads overlapping their cache misses better than a
 * combining pass (again with prefetching: 5.9 against 6.4 ms, 1 thread);
 * the lines a few pixels ahead are prefetched, since a stride of a whole
 * source row is one the hardware does not follow. */
G_ALWAYS_INLINE static inline void
fen_reformat_row_lines (const FenReformatJob *job, FenVolumeType type, FenOutKind kind,
                        guint8 *row8, gint32 *row32, const FenSepSlice *o, const FenReformatMap *map,
                        const guint8 *const *lines, const double *weights, guint n_lines,
                        guint first, guint last)
{
  const guint32 *o0 = map->offset - first, *o1 = map->offset1 - first;
  const double *fq = map->frac - first;
  gsize st = o->step;
  guint lo, hi;

  if (last <= first)
    return;
  lo = MIN (o0[first], o0[last - 1]);
  hi = MAX (o1[first], o1[last - 1]);
  if (st == 1 && hi - lo + 1 <= FEN_REFORMAT_LINE)
    {
      double line[FEN_REFORMAT_LINE];

      _fen_reformat_weigh_lines (type, lines, weights, n_lines, lo, hi - lo + 1, line);
      for (guint i = first; i < last; i++)
        {
          double a = line[o0[i] - lo], x = a + (line[o1[i] - lo] - a) * fq[i];

          fen_reformat_put (job, kind, row8, row32, i, (gint32) (x + 131072.5) - 131072);
        }
      return;
    }
#define FEN_LERP(L) (fen_reformat_load (lines[L], type, o0[i] * st) + \
                     (fen_reformat_load (lines[L], type, o1[i] * st) - \
                      fen_reformat_load (lines[L], type, o0[i] * st)) * fq[i])

  for (guint i = first; i < last; i++)
    {
      double x;

      if (i + FEN_REFORMAT_AHEAD < last)
        for (guint l = 0; l < n_lines; l += 2)
          __builtin_prefetch (lines[l] + o1[i + FEN_REFORMAT_AHEAD] * st * (type == FEN_VOLUME_U16 || type == FEN_VOLUME_S16 ? 2 : 1));
      x = weights[0] * FEN_LERP (0) + weights[1] * FEN_LERP (1);
      if (n_lines == 4)
        x += weights[2] * FEN_LERP (2) + weights[3] * FEN_LERP (3);
      fen_reformat_put (job, kind, row8, row32, i, (gint32) (x + 131072.5) - 131072);
    }
#undef FEN_LERP
}

/* A whole output row without a slab, on a separable plane: the slices are
 * found once, the run of columns inside them computed, and the pixels
 * written straight out. FALSE (nothing written) when the row's two ends
 * read different slices: the block path takes it. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_row_fast_kind (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                            FenOutKind kind, guint8 *row8, gint32 *row32,
                            double ur, double vr, double wr, FenReformatMap *map)
{
  const FenVolume *vol = job->volume;
  guint n = job->out_width, first, last, first1, last1;
  double start = job->var_is_u ? ur : vr, d = job->var_is_u ? job->du : job->dv, t, te;
  gint k0, k1, e0, e1;
  gboolean in = fen_reformat_locate (vol, sampling, wr, &k0, &k1, &t);
  gboolean in_end = fen_reformat_locate (vol, sampling, wr + (n - 1) * job->dw, &e0, &e1, &te);
  FenSepSlice o0, o1;

  if (in != in_end || k0 != e0 || k1 != e1)
    return FALSE;
  if (t >= 1)
    k0 = k1, t = 0;
  if (!in || !fen_reformat_sep_setup (job, type, sampling, &vol->slices[k0], ur, vr, &o0) ||
      (t > 0 && !fen_reformat_sep_setup (job, type, sampling, &vol->slices[k1], ur, vr, &o1)))
    {
      fen_reformat_fill (job, kind, row8, row32, 0, n);
      return TRUE;
    }
  fen_reformat_sep_range (&o0, start, d, n, &first, &last);
  if (t > 0)
    {
      fen_reformat_sep_range (&o1, start, d, n, &first1, &last1);
      first = MAX (first, first1);
      last = MAX (MIN (last, last1), first);
    }
  fen_reformat_fill (job, kind, row8, row32, 0, first);
  if (sampling == FEN_REFORMAT_NEAREST)
    {
      /* Stored values as they are: no rounding to do. */
      if (fen_reformat_map_update (map, sampling, &o0, start, d, first, last))
        for (guint i = first; i < last; i++)
          {
            if (o0.step > 1 && i + FEN_REFORMAT_AHEAD < last)
              __builtin_prefetch (o0.line0 + map->offset[i + FEN_REFORMAT_AHEAD - first] *
                                  (type == FEN_VOLUME_U16 || type == FEN_VOLUME_S16 ? 2 : 1));
            fen_reformat_put (job, kind, row8, row32, i,
                              (gint32) fen_reformat_load (o0.line0, type, map->offset[i - first]));
          }
      else
        for (guint i = first; i < last; i++)
          {
            guint q = (guint) fen_reformat_sep_coord (start, d, o0.off, i);
            gint32 v = (gint32) fen_reformat_load (o0.line0, type, (gsize) q * o0.step);

            fen_reformat_put (job, kind, row8, row32, i, v);
          }
    }
  else if ((t == 0 || o0.off == o1.off) && fen_reformat_map_update (map, sampling, &o0, start, d, first, last))
    {
      /* One slice (two lines) or two read at the same moving index (no
       * drift along it, the usual case): one index and one weight each. */
      if (t == 0)
        fen_reformat_row_lines (job, type, kind, row8, row32, &o0, map,
                                (const guint8 *const[]) { o0.line0, o0.line1 },
                                (const double[]) { 1 - o0.ff, o0.ff }, 2, first, last);
      else
        fen_reformat_row_lines (job, type, kind, row8, row32, &o0, map,
                                (const guint8 *const[]) { o0.line0, o0.line1, o1.line0, o1.line1 },
                                (const double[]) { (1 - o0.ff) * (1 - t), o0.ff * (1 - t),
                                                   (1 - o1.ff) * t, o1.ff * t }, 4, first, last);
    }
  else if (t == 0)
    for (guint i = first; i < last; i++)
      {
        double x = fen_reformat_sep_sample (job, type, sampling, &o0,
                                            fen_reformat_sep_coord (start, d, o0.off, i));

        fen_reformat_put (job, kind, row8, row32, i, (gint32) (x + 131072.5) - 131072);
      }
  else
    for (guint i = first; i < last; i++)
      {
        double a = fen_reformat_sep_sample (job, type, sampling, &o0,
                                            fen_reformat_sep_coord (start, d, o0.off, i));
        double b = fen_reformat_sep_sample (job, type, sampling, &o1,
                                            fen_reformat_sep_coord (start, d, o1.off, i));
        double x = a + (b - a) * t;

        fen_reformat_put (job, kind, row8, row32, i, (gint32) (x + 131072.5) - 131072);
      }
  fen_reformat_fill (job, kind, row8, row32, last, n);
  return TRUE;
}

G_ALWAYS_INLINE static inline gboolean
fen_reformat_row_fast (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                       guint j, double ur, double vr, double wr, FenReformatMap *map)
{
  gint32 *row32 = job->values != NULL ? job->values + (gsize) j * job->values_stride : NULL;
  guint8 *row8 = job->out != NULL ? job->out + (gsize) j * job->out_stride : NULL;

  if (job->table == NULL)
    return fen_reformat_row_fast_kind (job, type, sampling, FEN_OUT_VALUES, row8, row32, ur, vr, wr, map);
  switch (job->format)
    {
    case FEN_PIXEL_GRAY8:
      return fen_reformat_row_fast_kind (job, type, sampling, FEN_OUT_GRAY8, row8, row32, ur, vr, wr, map);
    case FEN_PIXEL_RGB8:
      return fen_reformat_row_fast_kind (job, type, sampling, FEN_OUT_RGB8, row8, row32, ur, vr, wr, map);
    case FEN_PIXEL_RGBA8:
    case FEN_PIXEL_BGRA8:
    default:
      return fen_reformat_row_fast_kind (job, type, sampling, FEN_OUT_WORD, row8, row32, ur, vr, wr, map);
    }
}

/* Columns ahead a row that crosses slices asks for its lines (4, 8, 16,
 * 32 measured; 16 and 32 alike: a plane tilted 10 degrees out of the
 * level, 40 -> 33 ms on one thread). */
#define FEN_REFORMAT_AHEAD_ANY 16

/* Asks for the lines a sample at (@u, @v, @w) reads in the two slices
 * around @w: a row that crosses slices reads a new pair every few
 * columns, each sample a miss the pixel loop would wait for in turn. */
G_ALWAYS_INLINE static inline void
fen_reformat_prefetch_point (const FenVolume *vol, FenVolumeType type, double u, double v, double w)
{
  gint k = _fen_volume_below (vol, w);
  gsize bps = type == FEN_VOLUME_U16 || type == FEN_VOLUME_S16 ? 2 : 1;

  if (k < 0 || k + 1 >= (gint) vol->n_slices)
    return;
  for (gint j = k; j <= k + 1; j++)
    {
      const FenVolumeSlice *s = &vol->slices[j];
      double px = u - s->u0, py = v - s->v0;

      if (px >= 0 && py >= 0 && px < vol->width && py + 1 < vol->height)
        {
          const guint8 *p = s->pixels + ((gsize) py * vol->width + (gsize) px) * bps;

          __builtin_prefetch (p);
          __builtin_prefetch (p + vol->width * bps);
        }
    }
}

/* Column @i of a row whose distance changes along it, located and
 * sampled on its own; the lines FEN_REFORMAT_AHEAD_ANY columns on are
 * asked for first. */
G_ALWAYS_INLINE static inline void
fen_reformat_pixel_any (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                        FenOutKind kind, guint8 *row8, gint32 *row32,
                        double ur, double vr, double wr, guint i, guint last)
{
  const FenVolume *vol = job->volume;
  gint k0, k1;
  double t, x;

  if (i + FEN_REFORMAT_AHEAD_ANY < last)
    fen_reformat_prefetch_point (vol, type, ur + (i + FEN_REFORMAT_AHEAD_ANY) * job->du,
                                 vr + (i + FEN_REFORMAT_AHEAD_ANY) * job->dv,
                                 wr + (i + FEN_REFORMAT_AHEAD_ANY) * job->dw);
  if (fen_reformat_locate (vol, sampling, wr + i * job->dw, &k0, &k1, &t) &&
      fen_reformat_point (vol, type, sampling, k0, k1, t, ur + i * job->du, vr + i * job->dv, &x))
    fen_reformat_put (job, kind, row8, row32, i, sampling == FEN_REFORMAT_NEAREST
                      ? (gint32) x : (gint32) (x + 131072.5) - 131072);
  else
    fen_reformat_fill (job, kind, row8, row32, i, i + 1);
}

/* A row without a slab on any other plane: the columns whose distance
 * lies within the stack are found first (locate's own test, settled
 * exactly as fen_reformat_sep_range() does), then each pixel is located
 * and sampled and written straight out, without the block arrays. */
G_ALWAYS_INLINE static inline void
fen_reformat_row_direct_kind (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                              FenOutKind kind, guint8 *row8, gint32 *row32,
                              double ur, double vr, double wr)
{
  const FenVolume *vol = job->volume;
  FenSepSlice range = { 0 };
  guint n = job->out_width, first, last;

  /* The stack's extent as a "slice" for the range search: w within
   * [first - edge, last + edge], the test fen_reformat_locate() makes. */
  range.lo = vol->distances[0] - vol->edge;
  range.hi = vol->distances[vol->n_slices - 1] + vol->edge;
  fen_reformat_sep_range (&range, wr, job->dw, n, &first, &last);
  /* sep_range tests lo <= w < hi; locate accepts w == hi too. */
  while (last < n && wr + last * job->dw <= range.hi && wr + last * job->dw >= range.lo)
    last++;
  while (first > 0 && wr + (first - 1) * job->dw <= range.hi && wr + (first - 1) * job->dw >= range.lo)
    first--;
  fen_reformat_fill (job, kind, row8, row32, 0, first);
  if (last > first)
    {
      /* A row level in the stack (the distance fixed to 1e-6 mm and both
       * ends between the same slices), as an oblique plane's rows often
       * are: the slices are found once. */
      gint a0, a1, b0, b1;
      double ta, tb, w_first = wr + first * job->dw, w_last = wr + (last - 1) * job->dw;

      if (fabs (w_last - w_first) < 1e-6 &&
          fen_reformat_locate (vol, sampling, w_first, &a0, &a1, &ta) &&
          fen_reformat_locate (vol, sampling, w_last, &b0, &b1, &tb) && a0 == b0 && a1 == b1)
        {
          if (sampling == FEN_REFORMAT_TRILINEAR)
            {
              const guint8 *next = NULL;

              /* The next row's new slice, when the rows step less than a
               * slice apart: fetched while this row renders. */
              if (job->reformat->row_origins == NULL)
                {
                  gint kb = _fen_volume_below (vol, wr + job->rw), kn = -1;

                  if (kb >= 0 && kb != a0 && kb != a1)
                    kn = kb;
                  else if (kb + 1 < (gint) vol->n_slices && kb + 1 != a0 && kb + 1 != a1)
                    kn = kb + 1;
                  if (kn >= 0)
                    next = vol->slices[kn].pixels;
                }
              _fen_reformat_level_row (job, kind, row8, row32, ur, vr, a0, a1, ta, first, last, next);
              first = last;
            }
          for (guint i = first; i < last; i++)
            {
              double x;

              if (fen_reformat_point (vol, type, sampling, a0, a1, ta, ur + i * job->du, vr + i * job->dv, &x))
                fen_reformat_put (job, kind, row8, row32, i, sampling == FEN_REFORMAT_NEAREST
                                  ? (gint32) x : (gint32) (x + 131072.5) - 131072);
              else
                fen_reformat_fill (job, kind, row8, row32, i, i + 1);
            }
          first = last;
        }
    }
  if (sampling == FEN_REFORMAT_TRILINEAR)
    {
      /* Runs between two slices in fixed point (fen-reformat-cross.c);
       * the columns a run leaves (the stack's and slices' edges) here. */
      gint k_ahead = -1;
      guint cf = first, cl = last;

      /* Columns outside every slice's plane extent (the letterbox of a
       * fitted view) are background: the exact test of
       * fen_reformat_bilinear() against the extreme offsets holds for
       * every column some slice covers (the subtraction rounds
       * monotonically), so this only drops columns none does; those past
       * cl are filled with the rest below. */
      fen_level_clip (ur, job->du, job->u0_min, -0.5, INFINITY, &cf, &cl);
      fen_level_clip (ur, job->du, job->u0_max, -INFINITY, vol->width - 0.5, &cf, &cl);
      fen_level_clip (vr, job->dv, job->v0_min, -0.5, INFINITY, &cf, &cl);
      fen_level_clip (vr, job->dv, job->v0_max, -INFINITY, vol->height - 0.5, &cf, &cl);
      fen_reformat_fill (job, kind, row8, row32, first, cf);
      first = cf;
      last = cl;
      for (guint i = first; i < last;)
        {
          guint in0, in1, a, b, e = _fen_reformat_cross_run (job, kind, row8, row32, ur, vr, wr, i, last,
                                                             &in0, &in1, &a, &b, &k_ahead);

          for (guint c = in0; c < in1; c++)
            if (c < a || c >= b)
              fen_reformat_pixel_any (job, type, sampling, kind, row8, row32, ur, vr, wr, c, last);
          i = e;
        }
    }
  else
    for (guint i = first; i < last; i++)
      fen_reformat_pixel_any (job, type, sampling, kind, row8, row32, ur, vr, wr, i, last);
  fen_reformat_fill (job, kind, row8, row32, last, n);
}

G_ALWAYS_INLINE static inline void
fen_reformat_row_direct (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                         guint j, double ur, double vr, double wr)
{
  gint32 *row32 = job->values != NULL ? job->values + (gsize) j * job->values_stride : NULL;
  guint8 *row8 = job->out != NULL ? job->out + (gsize) j * job->out_stride : NULL;

  if (job->table == NULL)
    fen_reformat_row_direct_kind (job, type, sampling, FEN_OUT_VALUES, row8, row32, ur, vr, wr);
  else if (job->format == FEN_PIXEL_GRAY8)
    fen_reformat_row_direct_kind (job, type, sampling, FEN_OUT_GRAY8, row8, row32, ur, vr, wr);
  else if (job->format == FEN_PIXEL_RGB8)
    fen_reformat_row_direct_kind (job, type, sampling, FEN_OUT_RGB8, row8, row32, ur, vr, wr);
  else
    fen_reformat_row_direct_kind (job, type, sampling, FEN_OUT_WORD, row8, row32, ur, vr, wr);
}

/* Widest output row whose slab fen_reformat_row_slab() combines. */
#define FEN_REFORMAT_SLAB_ROW 4096

/* A MIP or MinIP row: every member (a slice, or a parallel plane a step
 * along the normal) is a row of a plane without a slab, taken whole as
 * stored values (fen_reformat_row_fast_kind() for separable rows,
 * fen_reformat_row_direct_kind() for the others) and combined as it
 * comes. Rounding each member first changes nothing (rounding is
 * monotonic: the greatest of the rounded values is the rounded greatest);
 * an average would change, so it keeps the block path. FALSE (nothing
 * written) when no slice lies in the slab: the block path samples the
 * plane itself. */
G_ALWAYS_INLINE static inline gboolean
fen_reformat_row_slab (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                       guint j, double ur, double vr, double wr, FenReformatMap *map)
{
  const FenVolume *vol = job->volume;
  FenReformatJob member = *job;
  gint32 row[FEN_REFORMAT_SLAB_ROW], best[FEN_REFORMAT_SLAB_ROW];
  guint n = job->out_width;
  gboolean mip = job->slab == FEN_SLAB_MIP, any = FALSE;
  /* No member inside yet: a value the combination never keeps. */
  const gint32 none = mip ? G_MININT32 : G_MAXINT32;
  gint32 *row32 = job->values != NULL ? job->values + (gsize) j * job->values_stride : NULL;
  guint8 *row8 = job->out != NULL ? job->out + (gsize) j * job->out_stride : NULL;
  gint k = job->slab_slices ? _fen_volume_below (vol, wr + job->half) : 0;

  member.slab = FEN_SLAB_NONE;
  member.background = G_MININT32;
  for (guint i = 0; i < n; i++)
    best[i] = none;
  for (gint m = -job->n_steps; job->slab_slices ? k >= 0 && vol->distances[k] >= wr - job->half : m <= job->n_steps;
       m++, k--)
    {
      double mu = job->slab_slices ? ur : ur + m * job->step[0];
      double mv = job->slab_slices ? vr : vr + m * job->step[1];
      double mw = job->slab_slices ? vol->distances[k] : wr + m * job->step[2];

      /* A separable row whole if it can, else as a plane without a slab
       * takes any row (level and crossing rows in fixed point). */
      if (!job->separable || !fen_reformat_row_fast_kind (&member, type, sampling, FEN_OUT_VALUES, NULL, row,
                                                          mu, mv, mw, map))
        fen_reformat_row_direct_kind (&member, type, sampling, FEN_OUT_VALUES, NULL, row, mu, mv, mw);
      any = TRUE;
      /* Branch-free, so vectorised: outside (G_MININT32) loses either way. */
      if (mip)
        for (guint i = 0; i < n; i++)
          best[i] = MAX (best[i], row[i]);
      else
        for (guint i = 0; i < n; i++)
          best[i] = MIN (best[i], row[i] == G_MININT32 ? G_MAXINT32 : row[i]);
    }
  if (!any)
    return FALSE;
#define FEN_SLAB_EMIT(KIND)                                                 \
  for (guint i = 0; i < n; i++)                                             \
    {                                                                       \
      if (best[i] == none)                                                  \
        fen_reformat_fill (job, KIND, row8, row32, i, i + 1);               \
      else                                                                  \
        fen_reformat_put (job, KIND, row8, row32, i, best[i]);              \
    }
  if (job->table == NULL)
    FEN_SLAB_EMIT (FEN_OUT_VALUES)
  else if (job->format == FEN_PIXEL_GRAY8)
    FEN_SLAB_EMIT (FEN_OUT_GRAY8)
  else if (job->format == FEN_PIXEL_RGB8)
    FEN_SLAB_EMIT (FEN_OUT_RGB8)
  else
    FEN_SLAB_EMIT (FEN_OUT_WORD)
#undef FEN_SLAB_EMIT
  return TRUE;
}

G_ALWAYS_INLINE static inline void
fen_reformat_rows_typed (const FenReformatJob *job, FenVolumeType type, FenReformatSampling sampling,
                         guint first, guint last)
{
  const FenVolume *vol = job->volume;
  double vals[FEN_REFORMAT_BLOCK], acc[FEN_REFORMAT_BLOCK];
  guint8 ok[FEN_REFORMAT_BLOCK];
  guint16 count[FEN_REFORMAT_BLOCK];
  FenReformatMap map;

  /* The header only: the offsets are written before they are read. */
  map.valid = FALSE;
  map.start = map.d = map.off = 0;
  map.first = map.last = 0;
  for (guint j = first; j < last; j++)
    {
      double ur, vr, wr;

      if (job->reformat->row_origins != NULL)
        _fen_reformat_coords (vol, job->reformat->row_origins + 3 * (gsize) j, &ur, &vr, &wr);
      else
        {
          ur = job->u0 + j * job->ru;
          vr = job->v0 + j * job->rv;
          wr = job->w0 + j * job->rw;
        }
      if (!isfinite (ur + vr + wr))
        {
          /* A row origin of NaNs (the caller's array): nothing to sample. */
          guint8 *row8 = job->out != NULL ? job->out + (gsize) j * job->out_stride : NULL;
          gint32 *row32 = job->values != NULL ? job->values + (gsize) j * job->values_stride : NULL;

          fen_reformat_fill (job, job->table == NULL ? FEN_OUT_VALUES
                             : job->format == FEN_PIXEL_GRAY8 ? FEN_OUT_GRAY8
                             : job->format == FEN_PIXEL_RGB8 ? FEN_OUT_RGB8 : FEN_OUT_WORD,
                             row8, row32, 0, job->out_width);
          continue;
        }
      if (job->slab == FEN_SLAB_NONE && job->separable &&
          fen_reformat_row_fast (job, type, sampling, j, ur, vr, wr, &map))
        continue;
      if (job->slab == FEN_SLAB_NONE)
        {
          fen_reformat_row_direct (job, type, sampling, j, ur, vr, wr);
          continue;
        }
      if ((job->slab == FEN_SLAB_MIP || job->slab == FEN_SLAB_MINIP) && job->out_width <= FEN_REFORMAT_SLAB_ROW &&
          fen_reformat_row_slab (job, type, sampling, j, ur, vr, wr, &map))
        continue;

      for (guint i0 = 0; i0 < job->out_width; i0 += FEN_REFORMAT_BLOCK)
        {
          guint n = MIN (FEN_REFORMAT_BLOCK, job->out_width - i0);
          double u = ur, v = vr, w = wr + i0 * job->dw;
          gboolean any = FALSE;

          memset (count, 0, n * sizeof count[0]);
          if (job->slab == FEN_SLAB_NONE)
            ;
          else if (job->slab_slices)
            {
              /* The slices within half the slab of the plane (which is
               * parallel to them: w is the block's). */
              gint k = _fen_volume_below (vol, w + job->half);

              for (; k >= 0 && vol->distances[k] >= w - job->half; k--)
                {
                  fen_reformat_sample_slice (job, type, sampling, k, u, v, i0, n, vals, ok, &map);
                  fen_reformat_combine (job->slab, n, vals, ok, acc, count);
                  any = TRUE;
                }
            }
          else
            {
              for (gint m = -job->n_steps; m <= job->n_steps; m++)
                {
                  fen_reformat_sample_block (job, type, sampling, u + m * job->step[0],
                                             v + m * job->step[1], wr + m * job->step[2],
                                             i0, n, vals, ok);
                  fen_reformat_combine (job->slab, n, vals, ok, acc, count);
                }
              any = TRUE;
            }
          if (!any)
            {
              fen_reformat_sample_block (job, type, sampling, u, v, wr, i0, n, vals, ok);
              fen_reformat_combine (FEN_SLAB_NONE, n, vals, ok, acc, count);
            }
          fen_reformat_emit (job, j, i0, n, acc, count);
        }
    }
}

/* The loops with the sample type and sampling as constants, so neither is
 * tested per pixel (as fen-render.c does for the same reason). */
void
_fen_reformat_rows (gconstpointer data, guint first, guint last)
{
  const FenReformatJob *job = data;
  FenReformatSampling sampling = job->sampling;

#define FEN_REFORMAT_CASE(TYPE)                                                      \
  case TYPE:                                                                         \
    if (sampling == FEN_REFORMAT_NEAREST)                                            \
      fen_reformat_rows_typed (job, TYPE, FEN_REFORMAT_NEAREST, first, last);        \
    else                                                                             \
      fen_reformat_rows_typed (job, TYPE, FEN_REFORMAT_TRILINEAR, first, last);      \
    break;
  switch (job->volume->type)
    {
    FEN_REFORMAT_CASE (FEN_VOLUME_U8)
    FEN_REFORMAT_CASE (FEN_VOLUME_S8)
    FEN_REFORMAT_CASE (FEN_VOLUME_U16)
    FEN_REFORMAT_CASE (FEN_VOLUME_S16)
    }
#undef FEN_REFORMAT_CASE
}
