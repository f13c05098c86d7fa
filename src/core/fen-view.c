/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-view.c: FenView, the view maths the viewer and the headless tool
 * share (vipsdisp keeps only a transform in its widget; so do we): centre,
 * zoom, fit, quarter turns and flips, mapped both ways between output and
 * image, turned into a FenSampling and a pyramid level. No GTK. */
#define G_LOG_DOMAIN "fen-view"

#include "fenestra/fen-view.h"

#include <math.h>

void
fen_view_init (FenView *view)
{
  g_return_if_fail (view != NULL);

  *view = (FenView) { 0 };
  view->zoom = 1.0;
  view->fit = TRUE;
}

static gboolean
fen_view_has_sizes (const FenView *view)
{
  return view->image_width > 0 && view->image_height > 0 && view->out_width >= 1 && view->out_height >= 1;
}

static void
fen_view_apply_fit (FenView *view)
{
  double rw, rh;

  if (!view->fit || !fen_view_has_sizes (view))
    return;
  /* The image as displayed, after the rotation. */
  rw = view->rotation % 2 == 0 ? view->image_width : view->image_height;
  rh = view->rotation % 2 == 0 ? view->image_height : view->image_width;
  view->zoom = MIN (view->out_width / rw, view->out_height / rh);
  view->center_x = view->image_width / 2.0;
  view->center_y = view->image_height / 2.0;
}

void
fen_view_reset (FenView *view)
{
  g_return_if_fail (view != NULL);

  view->rotation = 0;
  view->flip_h = view->flip_v = FALSE;
  view->fit = TRUE;
  view->center_x = view->image_width / 2.0;
  view->center_y = view->image_height / 2.0;
  fen_view_apply_fit (view);
}

void
fen_view_set_image_size (FenView *view, double width, double height)
{
  g_return_if_fail (view != NULL);

  view->image_width = width;
  view->image_height = height;
  fen_view_apply_fit (view);
}

void
fen_view_set_output_size (FenView *view, double width, double height)
{
  g_return_if_fail (view != NULL);

  view->out_width = width;
  view->out_height = height;
  fen_view_apply_fit (view);
}

void
fen_view_fit (FenView *view)
{
  g_return_if_fail (view != NULL);

  view->fit = TRUE;
  fen_view_apply_fit (view);
}

/* Output vector to image vector: undo the rotation, then the mirror, then
 * the zoom. */
void
fen_view_screen_to_image_vec (const FenView *view, double sx, double sy, double *ix, double *iy)
{
  double x = sx / view->zoom, y = sy / view->zoom;

  for (int k = 0; k < view->rotation; k++)
    {
      /* R(x, y) = (-y, x) turns a quarter clockwise with y down; R^-1(x, y) = (y, -x). */
      double t = x;

      x = y;
      y = -t;
    }
  if (view->flip_h)
    x = -x;
  if (view->flip_v)
    y = -y;
  *ix = x;
  *iy = y;
}

void
fen_view_screen_to_image (const FenView *view, double sx, double sy, double *ix, double *iy)
{
  double dx, dy;

  fen_view_screen_to_image_vec (view, sx - view->out_width / 2.0, sy - view->out_height / 2.0, &dx, &dy);
  *ix = view->center_x + dx;
  *iy = view->center_y + dy;
}

void
fen_view_image_to_screen (const FenView *view, double ix, double iy, double *sx, double *sy)
{
  double x = ix - view->center_x, y = iy - view->center_y;

  if (view->flip_h)
    x = -x;
  if (view->flip_v)
    y = -y;
  for (int k = 0; k < view->rotation; k++)
    {
      double t = x;

      x = -y;
      y = t;
    }
  *sx = view->out_width / 2.0 + x * view->zoom;
  *sy = view->out_height / 2.0 + y * view->zoom;
}

void
fen_view_zoom_about (FenView *view, double factor, double sx, double sy)
{
  double ix, iy, dx, dy;

  g_return_if_fail (view != NULL);
  if (!(factor > 0) || !isfinite (factor))
    return;
  fen_view_screen_to_image (view, sx, sy, &ix, &iy);
  view->zoom = CLAMP (view->zoom * factor, FEN_VIEW_MIN_ZOOM, FEN_VIEW_MAX_ZOOM);
  view->fit = FALSE;
  fen_view_screen_to_image_vec (view, sx - view->out_width / 2.0, sy - view->out_height / 2.0, &dx, &dy);
  view->center_x = ix - dx;
  view->center_y = iy - dy;
}

void
fen_view_pan (FenView *view, double from_x, double from_y, double dx, double dy)
{
  double ix, iy;

  g_return_if_fail (view != NULL);
  fen_view_screen_to_image_vec (view, dx, dy, &ix, &iy);
  view->center_x = from_x - ix;
  view->center_y = from_y - iy;
  view->fit = FALSE;
}

void
fen_view_rotate (FenView *view, int quarter_turns)
{
  g_return_if_fail (view != NULL);

  view->rotation = ((view->rotation + quarter_turns) % 4 + 4) % 4;
  fen_view_apply_fit (view);
}

void
fen_view_flip (FenView *view, gboolean horizontal)
{
  g_return_if_fail (view != NULL);

  /* After an odd rotation the output's horizontal is the image's vertical. */
  if (horizontal == (view->rotation % 2 == 0))
    view->flip_h = !view->flip_h;
  else
    view->flip_v = !view->flip_v;
}

void
fen_view_get_sampling (const FenView *view, double scale, FenSampling *s)
{
  g_return_if_fail (view != NULL && s != NULL && scale > 0);

  /* Output pixel (i, j) samples origin + (i + 0.5) col + (j + 0.5) row; one
   * device pixel is 1 / scale logical pixels. */
  fen_view_screen_to_image_vec (view, 1.0 / scale, 0, &s->col_dx, &s->col_dy);
  fen_view_screen_to_image_vec (view, 0, 1.0 / scale, &s->row_dx, &s->row_dy);
  fen_view_screen_to_image (view, 0, 0, &s->origin_x, &s->origin_y);
}

guint
fen_view_get_level (const FenView *view, double scale, FenPyramid *pyramid)
{
  g_return_val_if_fail (view != NULL, 0);

  if (pyramid == NULL)
    return 0;
  /* Output pixels are device pixels. */
  return fen_pyramid_level_for_zoom (pyramid, view->zoom * scale);
}

gboolean
fen_view_get_visible_rect (const FenView *view,
                           double         scale,
                           FenImage      *image,
                           guint          out_width,
                           guint          out_height,
                           FenPixelRect  *rect)
{
  FenSampling s;

  g_return_val_if_fail (view != NULL && image != NULL && rect != NULL, FALSE);

  /* Of the base frame, whatever level is drawn: a level's sampling is the
   * base's times a power of two, exact in floating point, and a level's
   * size is the base's rounded down, so a level reads the image at a
   * subset of these pixels (fen-pyramid.h); the rest of the rectangle
   * (at most the strip of a last odd row or column) renders as background. */
  fen_view_get_sampling (view, scale, &s);
  return fen_sampling_get_visible (&s, fen_image_get_width (image), fen_image_get_height (image),
                                   out_width, out_height, rect);
}

gboolean
fen_view_render (const FenView  *view,
                 double          scale,
                 FenRenderer    *renderer,
                 FenImage       *image,
                 guint           frame,
                 FenPyramid     *pyramid,
                 const FenLut   *lut,
                 guint           out_width,
                 guint           out_height,
                 FenPixelFormat  format,
                 guint8         *out,
                 gsize           out_stride,
                 guint          *level_out)
{
  FenPixelRect all = { 0, 0, out_width, out_height };

  g_return_val_if_fail (out_width > 0 && out_height > 0, FALSE);
  return fen_view_render_rect (view, scale, renderer, image, frame, pyramid, lut, &all,
                               format, out, out_stride, level_out);
}

gboolean
fen_view_render_rect (const FenView      *view,
                      double              scale,
                      FenRenderer        *renderer,
                      FenImage           *image,
                      guint               frame,
                      FenPyramid         *pyramid,
                      const FenLut       *lut,
                      const FenPixelRect *rect,
                      FenPixelFormat      format,
                      guint8             *out,
                      gsize               out_stride,
                      guint              *level_out)
{
  FenSampling base, s;
  g_autoptr(FenImage) reduced = NULL;
  FenImage *source = image;
  guint level;

  g_return_val_if_fail (view != NULL && image != NULL && lut != NULL && rect != NULL, FALSE);
  g_return_val_if_fail (pyramid == NULL || (fen_pyramid_get_base (pyramid) == image &&
                                            fen_pyramid_get_frame (pyramid) == frame), FALSE);

  fen_view_get_sampling (view, scale, &base);
  s = base;
  /* Below half size, a box-filtered level: every image pixel counts, no
   * aliasing, and the level costs a quarter of the one above it. The LUT is
   * the base frame's: a level holds the same kind of stored values. */
  level = fen_view_get_level (view, scale, pyramid);
  /* Asked for level 0 too: the pyramid then knows none of its levels is in
   * use. The reference keeps the level alive through the render even if a
   * loading thread sheds it meanwhile. */
  if (pyramid != NULL)
    reduced = fen_pyramid_ref_level (pyramid, level);
  if (level > 0)
    {
      if (reduced != NULL)
        {
          source = reduced;
          fen_pyramid_scale_sampling (level, &base, &s);
          frame = 0;
        }
      else
        level = 0;
    }
  if (level_out != NULL)
    *level_out = level;
  return fen_renderer_render_rect (renderer, source, frame, lut, &s, rect, format, out, out_stride);
}

double
fen_view_window_step (const FenView *view, FenImage *image, guint frame, double width)
{
  double lo, hi;

  g_return_val_if_fail (view != NULL && image != NULL, 1.0);

  fen_image_get_modality_range (image, frame, &lo, &hi);
  return 2.0 * MAX (width, (hi - lo) / 256.0) / MAX (view->out_width, 256.0);
}
