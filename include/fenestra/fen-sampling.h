/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-sampling.h: where each output pixel of a render reads the image, and
 * which output pixels read it at all (the visible rectangle). */
#pragma once

#include "fen-types.h"

G_BEGIN_DECLS

/**
 * FenRect:
 * An area of the image in pixel coordinates (the pixel (x, y) covers
 * [x, x+1) x [y, y+1)); may extend past the image.
 */
typedef struct {
  double x, y, width, height;
} FenRect;

/**
 * FenPixelRect:
 * A rectangle of output pixels: columns [x, x + width), rows
 * [y, y + height). Empty when either size is 0.
 */
typedef struct {
  guint x, y, width, height;
} FenPixelRect;

/**
 * FenSampling:
 * Where each output pixel samples the image (nearest neighbour): output
 * pixel (i, j) reads the image pixel containing
 * origin + (i + 0.5) * col + (j + 0.5) * row. Covers zoom, pan, 90-degree
 * rotations and flips; outside the image the output is @background.
 */
typedef struct {
  double origin_x, origin_y;
  double col_dx, col_dy;
  double row_dx, row_dy;
} FenSampling;

/* Maps @view onto an @out_width x @out_height output. */
void     fen_sampling_from_rect    (FenSampling   *sampling,
                                    const FenRect *view,
                                    guint          out_width,
                                    guint          out_height);

/**
 * fen_sampling_get_visible:
 * @rect: (out): the output pixels of an @out_width x @out_height output
 *   whose sample falls inside a @src_width x @src_height image
 * The smallest rectangle holding every output pixel that reads the image,
 * computed with the renderer's own arithmetic, so a render of it
 * (fen_renderer_render_rect()) draws every image pixel the whole output
 * shows, and everything outside it is background. Exact for axis-aligned
 * samplings and for quarter turns (one of col/row along x, the other along
 * y: what FenView makes); any other sampling gets the whole output.
 * Returns: %FALSE when no output pixel reads the image (@rect is then
 *   empty: an image panned or zoomed entirely off the output, or a NaN
 *   sampling).
 */
gboolean fen_sampling_get_visible  (const FenSampling *sampling,
                                    guint              src_width,
                                    guint              src_height,
                                    guint              out_width,
                                    guint              out_height,
                                    FenPixelRect      *rect);

G_END_DECLS
