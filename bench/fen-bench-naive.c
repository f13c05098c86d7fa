/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-naive.c: what a first attempt at window/level looks like: no
 * table, no threads, every pixel rescaled and windowed in floating point. It
 * is the floor the table-driven renderer has to beat by a wide margin, and,
 * because it follows the standard's formula literally, a cross-check of the
 * renderer's output. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-naive.h"

#include <math.h>

static inline guint8
fen_bench_naive_window (double stored, double slope, double intercept, double c, double w)
{
  /* PS3.3 C.11.1.1.2: modality value, then C.11.2.1.2.1 LINEAR to [0, 255]. */
  double x = stored * slope + intercept;
  double y;

  if (w < 1)
    w = 1;
  if (x <= c - 0.5 - (w - 1) / 2)
    y = 0;
  else if (x > c - 0.5 + (w - 1) / 2)
    y = 255;
  else
    y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
  y = floor (y + 0.5);
  return (guint8) CLAMP (y, 0, 255);
}

static inline void
fen_bench_naive_store (guint8 *o, guint8 v)
{
  o[0] = v; /* B */
  o[1] = v; /* G */
  o[2] = v; /* R */
  o[3] = 255;
}

void
fen_bench_naive_full (const FenImage *image, double center, double width, guint8 *out)
{
  const FenImageInfo *info = fen_image_get_info (image);
  const gint16 *src = fen_image_get_frame (image, 0);
  gsize n = (gsize) info->rows * info->columns;

  for (gsize i = 0; i < n; i++)
    fen_bench_naive_store (out + 4 * i, fen_bench_naive_window (src[i], info->rescale_slope,
                                                                info->rescale_intercept,
                                                                center, width));
}

void
fen_bench_naive_viewport (const FenImage    *image,
                          double             center,
                          double             width,
                          const FenSampling *s,
                          guint              out_width,
                          guint              out_height,
                          guint8            *out)
{
  const FenImageInfo *info = fen_image_get_info (image);
  const gint16 *src = fen_image_get_frame (image, 0);

  for (guint j = 0; j < out_height; j++)
    for (guint i = 0; i < out_width; i++)
      {
        double px = floor (s->origin_x + (i + 0.5) * s->col_dx + (j + 0.5) * s->row_dx);
        double py = floor (s->origin_y + (i + 0.5) * s->col_dy + (j + 0.5) * s->row_dy);
        guint8 *o = out + ((gsize) j * out_width + i) * 4;

        if (px < 0 || py < 0 || px >= info->columns || py >= info->rows)
          {
            o[0] = o[1] = o[2] = 0;
            o[3] = 255;
            continue;
          }
        fen_bench_naive_store (o, fen_bench_naive_window (src[(gsize) py * info->columns + (gsize) px],
                                                          info->rescale_slope, info->rescale_intercept,
                                                          center, width));
      }
}
