/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-lut.c: builds the 65,536-entry table from stored value to output gray:
 * modality rescale, VOI function, inversion. The renderer then needs one
 * table read per pixel, whatever the window. */
#define G_LOG_DOMAIN "fen-lut"

#include "fenestra/fen-lut.h"

#include <math.h>
#include <string.h>

#define FEN_LUT_SIZE 65536

struct _FenLut
{
  /* Owned */
  guint8 *table;     /* FEN_LUT_SIZE entries, indexed by (guint16) stored */
  guint64 builds;
};

double
fen_voi_apply (FenVoiFunction function,
               double         x,
               double         c,
               double         w,
               double         y_min,
               double         y_max)
{
  double range = y_max - y_min;

  switch (function)
    {
    case FEN_VOI_LINEAR_EXACT:
      /* PS3.3 C.11.2.1.3.2: LINEAR_EXACT, width > 0. */
      if (w <= 0)
        return x <= c ? y_min : y_max;
      if (x <= c - w / 2)
        return y_min;
      if (x > c + w / 2)
        return y_max;
      return ((x - c) / w + 0.5) * range + y_min;

    case FEN_VOI_SIGMOID:
      /* PS3.3 C.11.2.1.3.1: SIGMOID, width > 0. */
      if (w <= 0)
        return x <= c ? y_min : y_max;
      return range / (1.0 + exp (-4.0 * (x - c) / w)) + y_min;

    case FEN_VOI_LINEAR:
    default:
      /* PS3.3 C.11.2.1.2.1: LINEAR, width >= 1. At width 1 the two borders
       * meet, so the ramp is empty and the output is a step at c - 0.5. */
      if (w < 1)
        w = 1;
      if (x <= c - 0.5 - (w - 1) / 2)
        return y_min;
      if (x > c - 0.5 + (w - 1) / 2)
        return y_max;
      return ((x - (c - 0.5)) / (w - 1) + 0.5) * range + y_min;
    }
}

FenLut *
fen_lut_new (void)
{
  FenLut *lut = g_new0 (FenLut, 1);

  lut->table = g_malloc0 (FEN_LUT_SIZE);
  return lut;
}

void
fen_lut_free (FenLut *lut)
{
  if (lut == NULL)
    return;
  g_free (lut->table);
  g_free (lut);
}

/* What one table entry depends on. */
typedef struct {
  FenVoiFunction function;
  double         slope;
  double         intercept;
  double         center;
  double         width;
  gboolean       invert;
} FenLutRamp;

static guint8
fen_lut_entry (const FenLutRamp *ramp, gint32 v)
{
  /* PS3.3 C.11.1.1.2: modality value, then the VOI function. */
  double x = v * ramp->slope + ramp->intercept;
  double y = floor (fen_voi_apply (ramp->function, x, ramp->center, ramp->width, 0.0, 255.0) + 0.5);
  /* Clamped as a double: a NaN or infinite window (fuzz-render found one)
   * must not reach the int conversion, which is undefined for them. */
  int out = isnan (y) ? 0 : (int) CLAMP (y, 0.0, 255.0);

  if (ramp->invert)
    out = 255 - out;
  return (guint8) out;
}

/* Sets the entries of stored values @first..@last; the table is indexed by
 * the low 16 bits, so negative values sit at its top. */
static void
fen_lut_set_run (guint8 *table, gint32 first, gint32 last, guint8 value)
{
  if (first > last)
    return;
  if (first < 0 && last >= 0)
    {
      memset (table + (guint16) first, value, (gsize) -first);
      first = 0;
    }
  memset (table + (guint16) first, value, (gsize) (last - first + 1));
}

/*
 * Fills the entries strictly between stored values @a and @b, whose entries
 * @va and @vb are already written. With LINEAR and LINEAR_EXACT every step
 * from stored value to entry is monotonic, in floating point too (a
 * multiply-add by constants, a clamp, the ramp's subtract-divide-add-multiply
 * by constants, rounding, inversion), so when both ends agree every entry
 * between them does as well. Bisecting costs one evaluation per entry inside
 * the window's ramp plus a few per output level, instead of 65,536 for a
 * 16-bit image whatever the window: the table build was a tenth of a viewport
 * update (fenestra-bench, docs/PERFORMANCE.md). The entries are exactly those
 * the one-by-one loop wrote.
 */
static void
fen_lut_fill_between (guint8 *table, const FenLutRamp *ramp, gint32 a, guint8 va, gint32 b, guint8 vb)
{
  while (b - a > 1)
    {
      gint32 mid;
      guint8 vm;

      if (va == vb)
        {
          fen_lut_set_run (table, a + 1, b - 1, va);
          return;
        }
      mid = a + (b - a) / 2;
      vm = fen_lut_entry (ramp, mid);
      table[(guint16) mid] = vm;
      /* Depth is bounded by log2 (65,536): recurse on one half, loop on the other. */
      fen_lut_fill_between (table, ramp, a, va, mid, vm);
      a = mid;
      va = vm;
    }
}

/* PS3.3 C.11.2.1.1: a VOI LUT maps the modality value, rounded, through a
 * table whose first entry belongs to the first mapped value; values outside
 * take the end entries. The output spans 0 .. 2^bits - 1. */
static void
fen_lut_fill_voi_table (guint8 *table, const FenVoiLut *voi, double slope, double intercept,
                        gboolean invert, gint32 lo, gint32 hi)
{
  const double scale = 255.0 / (double) ((1u << voi->bits) - 1);

  for (gint32 v = lo; v <= hi; v++)
    {
      double x = floor (v * slope + intercept + 0.5) - voi->first;
      gint64 index = isfinite (x) ? (gint64) CLAMP (x, 0.0, (double) (voi->n_entries - 1)) : 0;
      int out = (int) floor (MIN (voi->data[index], (1u << voi->bits) - 1) * scale + 0.5);

      out = CLAMP (out, 0, 255);
      table[(guint16) v] = (guint8) (invert ? 255 - out : out);
    }
}

void
fen_lut_build (FenLut                *lut,
               const FenImage        *image,
               guint                  frame,
               const FenWindowParams *params)
{
  const FenImageInfo *info = fen_image_get_info (image);
  gboolean color = fen_image_is_color (image);
  gboolean invert = params->invert;
  double slope = 1.0, intercept = 0.0;
  FenLutRamp ramp;
  gint32 lo, hi;

  g_return_if_fail (lut != NULL);
  if (!color)
    fen_image_get_frame_rescale (image, frame, &slope, &intercept);

  /* PS3.3 C.7.6.3.1.2: MONOCHROME1 shows the minimum value as white. */
  if (info->photometric == FEN_PHOTOMETRIC_MONOCHROME1)
    invert = !invert;

  fen_image_get_type_range (image, &lo, &hi);
  /* The table covers 16 bits; wider samples are narrowed before they get here. */
  lo = MAX (lo, G_MININT16);
  hi = MIN (hi, (gint32) G_MAXUINT16);
  if (hi - lo >= FEN_LUT_SIZE)
    hi = lo + FEN_LUT_SIZE - 1;

  if (!color && params->voi_lut >= 1 && params->voi_lut <= info->n_voi_luts)
    {
      fen_lut_fill_voi_table (lut->table, &info->voi_luts[params->voi_lut - 1], slope, intercept,
                              invert, lo, hi);
      lut->builds++;
      return;
    }

  ramp.function = params->function;
  ramp.slope = slope;
  ramp.intercept = intercept;
  ramp.center = params->center;
  ramp.width = params->width;
  ramp.invert = invert;

  /* Bisection only where fen_lut_fill_between() proves the table monotonic:
   * anything else (SIGMOID, a table from the file) goes entry by entry. */
  if (params->function != FEN_VOI_SIGMOID && isfinite (slope) && isfinite (intercept) &&
      isfinite (params->center) && isfinite (params->width))
    {
      guint8 first = fen_lut_entry (&ramp, lo), last = fen_lut_entry (&ramp, hi);

      lut->table[(guint16) lo] = first;
      lut->table[(guint16) hi] = last;
      fen_lut_fill_between (lut->table, &ramp, lo, first, hi, last);
    }
  else
    {
      /* SIGMOID goes through exp(), whose rounding is not promised to be
       * monotonic, and NaN compares false everywhere: every entry computed. */
      for (gint32 v = lo; v <= hi; v++)
        lut->table[(guint16) v] = fen_lut_entry (&ramp, v);
    }
  lut->builds++;
}

const guint8 *
fen_lut_get_table (const FenLut *lut)
{
  return lut->table;
}

guint8
fen_lut_lookup (const FenLut *lut, gint32 stored)
{
  return lut->table[(guint16) stored];
}

guint64
fen_lut_get_builds (const FenLut *lut)
{
  return lut->builds;
}

void
fen_window_from_stored_range (const FenImage  *image,
                              guint            frame,
                              gint32           min_stored,
                              gint32           max_stored,
                              FenWindowParams *out)
{
  double a, b, lo, hi;

  if (fen_image_is_color (image))
    {
      a = min_stored;
      b = max_stored;
    }
  else
    {
      a = fen_image_to_modality (image, frame, min_stored);
      b = fen_image_to_modality (image, frame, max_stored);
    }
  lo = MIN (a, b);
  hi = MAX (a, b);

  /* Chosen so that the LINEAR borders of C.11.2.1.2.1 fall exactly on lo
   * (output minimum) and hi (output maximum). */
  out->width = MAX (hi - lo + 1, 1.0);
  out->center = (lo + hi) / 2 + 0.5;
  out->function = FEN_VOI_LINEAR;
  out->invert = FALSE;
  out->voi_lut = 0;
}

void
fen_window_default (FenImage *image, guint frame, FenWindowParams *out)
{
  const FenImageInfo *info = fen_image_get_info (image);
  const FenFrameValues *values = info->frame_values != NULL && frame < info->frames
                                 ? &info->frame_values[frame] : NULL;
  gint32 lo, hi;

  if (fen_image_is_color (image))
    {
      fen_window_from_stored_range (image, frame, 0, 255, out);
      return;
    }
  out->function = info->voi_function;
  out->invert = FALSE;
  out->voi_lut = 0;
  /* PS3.3 C.7.6.16.2.10: the frame's own Frame VOI LUT comes first. */
  if (values != NULL && values->has_window && values->window_width > 0)
    {
      out->center = values->window_center;
      out->width = values->window_width;
      return;
    }
  if (info->n_windows > 0 && info->windows[0].width > 0)
    {
      out->center = info->windows[0].center;
      out->width = info->windows[0].width;
      return;
    }
  /* VOI LUTs are presets only: a default that ignored the user's window
   * drag would surprise, so the content's min-max comes next. */
  /* PS3.3 C.7.5.1.1.2: padding is not content, so not in the range. */
  fen_image_get_content_range (image, &lo, &hi);
  fen_window_from_stored_range (image, frame, lo, hi, out);
}

void
fen_window_auto (FenImage *image, guint frame, FenWindowParams *out)
{
  gint32 lo, hi, p1 = 0, p99 = 0;
  guint w, h, step;
  gint64 span, n_bins, total = 0, seen = 0;
  g_autofree guint32 *bins = NULL;
  gboolean invert = out->invert;

  if (fen_image_is_color (image) || !fen_image_has_pixels (image) ||
      frame >= fen_image_get_n_frames (image))
    {
      fen_window_default (image, MIN (frame, fen_image_get_n_frames (image) - 1), out);
      out->invert = invert;
      return;
    }

  /* Histogram of the frame, sampled so that a large image costs at most
   * about four million reads. An action of the user's, not a hot path. */
  fen_image_get_stored_range (image, &lo, &hi);
  span = (gint64) hi - lo;
  n_bins = MIN (span + 1, 65536);
  bins = g_new0 (guint32, n_bins);
  w = fen_image_get_width (image);
  h = fen_image_get_height (image);
  step = MAX (1u, (guint) sqrt ((double) w * h / 4.0e6));
  for (guint y = 0; y < h; y += step)
    for (guint x = 0; x < w; x += step)
      {
        gint64 v = fen_image_get_stored_value (image, frame, x, y);
        gint64 bin = span > 0 ? (v - lo) * (n_bins - 1) / span : 0;

        bins[CLAMP (bin, 0, n_bins - 1)]++;
        total++;
      }
  /* 1st to 99th percentile. */
  for (gint64 b = 0, found_lo = 0; b < n_bins; b++)
    {
      seen += bins[b];
      if (!found_lo && seen * 100 >= total)
        {
          p1 = (gint32) (lo + (n_bins > 1 ? b * span / (n_bins - 1) : 0));
          found_lo = 1;
        }
      if (seen * 100 >= total * 99)
        {
          p99 = (gint32) (lo + (n_bins > 1 ? b * span / (n_bins - 1) : 0));
          break;
        }
    }
  fen_window_from_stored_range (image, frame, p1, MAX (p99, p1 + 1), out);
  out->invert = invert;
}
