/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-view.h: how one frame is laid onto an output: centre, zoom, fit,
 * quarter turns and flips, and what follows from them (the sampling, the
 * screen <-> image mapping, the pyramid level, the window drag's step). */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-lut.h"
#include "fen-render.h"
#include "fen-pyramid.h"

G_BEGIN_DECLS

#define FEN_VIEW_MIN_ZOOM (1.0 / 64.0)
#define FEN_VIEW_MAX_ZOOM 64.0

/**
 * FenView:
 * A plain value: copy it, keep it in a struct. Output coordinates are
 * logical pixels with (0, 0) at the top left of the output; a device pixel
 * is 1 / scale of one. Forward, an image vector v appears on the output as
 * zoom * R^rotation (F (v)): first the mirror in image space (@flip_h
 * negates x, @flip_v negates y), then @rotation quarter turns clockwise.
 * @center_x, @center_y: the image point at the output's centre
 * @zoom: output pixels per image pixel
 * @fit: the whole (rotated) image fits the output, centred; kept true
 *   across output and image size changes until a zoom or pan
 */
typedef struct {
  double   image_width, image_height;
  double   out_width, out_height;
  double   center_x, center_y;
  double   zoom;
  gboolean fit;
  int      rotation;
  gboolean flip_h, flip_v;
} FenView;

/* An empty view: no image, no output, fit on, zoom 1. */
void     fen_view_init            (FenView *view);
/* Fit on, no rotation, no flips: what a newly opened image gets. */
void     fen_view_reset           (FenView *view);
void     fen_view_set_image_size  (FenView *view, double width, double height);
void     fen_view_set_output_size (FenView *view, double width, double height);
/* Fits now and keeps fitting (no-op without an image or an output). */
void     fen_view_fit             (FenView *view);

void     fen_view_screen_to_image_vec (const FenView *view, double sx, double sy, double *ix, double *iy);
void     fen_view_screen_to_image     (const FenView *view, double sx, double sy, double *ix, double *iy);
void     fen_view_image_to_screen     (const FenView *view, double ix, double iy, double *sx, double *sy);

/* Multiplies the zoom by @factor (clamped), keeping the image point under
 * output point (@sx, @sy) where it is; ends fitting. */
void     fen_view_zoom_about      (FenView *view, double factor, double sx, double sy);
/* A pan drag: the centre becomes (@from_x, @from_y) moved by the output
 * offset (@dx, @dy), so the image follows the pointer; ends fitting. */
void     fen_view_pan             (FenView *view, double from_x, double from_y, double dx, double dy);
void     fen_view_rotate          (FenView *view, int quarter_turns);
/* Mirrors as the user sees it: @horizontal about the output's vertical axis. */
void     fen_view_flip            (FenView *view, gboolean horizontal);

/**
 * fen_view_get_sampling:
 * What fen_renderer_render() needs to draw the view into an output of
 * out_width * @scale x out_height * @scale device pixels.
 */
void     fen_view_get_sampling    (const FenView *view, double scale, FenSampling *out);

/**
 * fen_view_get_level:
 * @pyramid: (nullable): the frame's pyramid
 * The pyramid level the view samples at @scale device pixels per logical
 * pixel: 0 (the base frame) without a pyramid or from zoom 1/2 up.
 */
guint    fen_view_get_level       (const FenView *view, double scale, FenPyramid *pyramid);

/**
 * fen_view_render:
 * @pyramid: (nullable): when given, the level fen_view_get_level() names is
 *   sampled (built on first use, held by reference while it is read, and
 *   marked the pyramid's level in use); @lut must then be the base image's
 * @level: (out) (optional): the level drawn
 * The viewer's render of @frame of @image: the view's sampling at @scale,
 * through @lut (built for @frame by the caller), into @out of
 * out_width * scale x out_height * scale pixels (@out_width x @out_height,
 * rounded by the caller). Allocates nothing beyond the pyramid level.
 * Returns: as fen_renderer_render().
 */
gboolean fen_view_render          (const FenView  *view,
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
                                   guint          *level);

/**
 * fen_view_get_visible_rect:
 * @rect: (out): device pixels of the out_width x out_height output
 * The output pixels the view draws @image's pixels into at @scale: the
 * intersection of the image's (zoomed, panned, turned, mirrored) bounds
 * with the output, to the pixel (fen_sampling_get_visible()). Everything
 * outside it is background in fen_view_render()'s output, at any pyramid
 * level.
 * Returns: %FALSE when the image is entirely off the output (@rect empty).
 */
gboolean fen_view_get_visible_rect (const FenView *view,
                                    double         scale,
                                    FenImage      *image,
                                    guint          out_width,
                                    guint          out_height,
                                    FenPixelRect  *rect);

/**
 * fen_view_render_rect:
 * @rect: the output pixels to render, usually fen_view_get_visible_rect()'s
 * fen_view_render() restricted to @rect: @out holds @rect's pixels (rows
 * @out_stride bytes apart), byte for byte the same as the same region of
 * fen_view_render()'s output. Allocates nothing beyond the pyramid level.
 * Returns: as fen_renderer_render_rect().
 */
gboolean fen_view_render_rect     (const FenView      *view,
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
                                   guint              *level);

/**
 * fen_view_window_step:
 * How far a window drag moves center and width per output pixel, in
 * @frame's modality units, starting from a window @width wide: a sweep
 * across the output about doubles the width (as Horos and Slicer), and
 * never less than 1/256 of the frame's modality range per 256 pixels, so a
 * narrow window can always be opened up. The range is in modality units:
 * an RT dose stored as 0..60000 at slope 0.001 spans 60 Gy, not 60000.
 */
double   fen_view_window_step     (const FenView *view, FenImage *image, guint frame, double width);

G_END_DECLS
