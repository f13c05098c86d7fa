/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-sampling.c: FenSampling, where a render's output pixels read the
 * image, and the visible rectangle: the output pixels that read it at all.
 * The viewer renders only that rectangle and lets GTK draw the background
 * around it, so a fitted view writes image pixels only (issue 14). The
 * test of each pixel is the renderer's own expression, evaluated the same
 * way, so the rectangle is exact to the pixel rather than a float bound. */
#define G_LOG_DOMAIN "fen-sampling"

#include "fenestra/fen-sampling.h"

#include <math.h>

void
fen_sampling_from_rect (FenSampling   *sampling,
                        const FenRect *view,
                        guint          out_width,
                        guint          out_height)
{
  sampling->origin_x = view->x;
  sampling->origin_y = view->y;
  sampling->col_dx = view->width / MAX (out_width, 1u);
  sampling->col_dy = 0;
  sampling->row_dx = 0;
  sampling->row_dy = view->height / MAX (out_height, 1u);
}

/* The image coordinate the renderer computes for output pixel (@i, @j)
 * along one axis: origin + (i + 0.5) * col + (j + 0.5) * row, in this
 * order (fen-render.c), and whether it lands in [0, @size). Written so
 * that NaN lands outside, as the renderer does. */
static inline gboolean
fen_sampling_inside (double origin, double col, double row, guint i, guint j, guint size)
{
  double f = floor (origin + (i + 0.5) * col + (j + 0.5) * row);

  return f >= 0 && f < size;
}

/* The first and one past the last of @n indices k for which @inside says
 * so, with the other index 0. With one of col/row zero the coordinate
 * depends on k alone (adding (0 + 0.5) * 0 changes no value), and it is
 * monotonic in k, so the indices inside form one run; the scan finds its
 * ends without relying on that. */
static gboolean
fen_sampling_run (double origin, double step, double zero, gboolean along_columns,
                  guint n, guint size, guint *first, guint *end)
{
  *first = n;
  *end = 0;
  for (guint k = 0; k < n; k++)
    {
      gboolean in = along_columns ? fen_sampling_inside (origin, step, zero, k, 0, size)
                                  : fen_sampling_inside (origin, zero, step, 0, k, size);

      if (in)
        {
          *first = MIN (*first, k);
          *end = k + 1;
        }
    }
  return *first < *end;
}

gboolean
fen_sampling_get_visible (const FenSampling *s,
                          guint              src_width,
                          guint              src_height,
                          guint              out_width,
                          guint              out_height,
                          FenPixelRect      *rect)
{
  guint x0, x1, y0, y1;
  gboolean cols, rows;

  g_return_val_if_fail (s != NULL && rect != NULL, FALSE);

  *rect = (FenPixelRect) { 0 };
  if (out_width == 0 || out_height == 0 || src_width == 0 || src_height == 0)
    return FALSE;
  if (s->col_dy == 0 && s->row_dx == 0)
    {
      /* Columns walk x, rows walk y. */
      cols = fen_sampling_run (s->origin_x, s->col_dx, s->row_dx, TRUE, out_width, src_width, &x0, &x1);
      rows = fen_sampling_run (s->origin_y, s->row_dy, s->col_dy, FALSE, out_height, src_height, &y0, &y1);
    }
  else if (s->col_dx == 0 && s->row_dy == 0)
    {
      /* A quarter turn: columns walk y, rows walk x. */
      cols = fen_sampling_run (s->origin_y, s->col_dy, s->row_dy, TRUE, out_width, src_height, &x0, &x1);
      rows = fen_sampling_run (s->origin_x, s->row_dx, s->col_dx, FALSE, out_height, src_width, &y0, &y1);
    }
  else
    {
      *rect = (FenPixelRect) { 0, 0, out_width, out_height };
      return TRUE;
    }
  if (!cols || !rows)
    return FALSE;
  *rect = (FenPixelRect) { x0, y0, x1 - x0, y1 - y0 };
  return TRUE;
}
