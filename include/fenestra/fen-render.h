/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-render.h: stream a frame through a LUT into a caller's 8-bit buffer, in chunks across threads. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-lut.h"
#include "fen-sampling.h"

G_BEGIN_DECLS

/**
 * fen_renderer_new:
 * @n_threads: threads to spread a render over, counting the caller; 0 for
 *   the number of processors.
 * Creates the worker pool and the scratch it needs for outputs up to
 * @max_width pixels wide, so that rendering allocates nothing.
 * Returns: (transfer full): free with fen_renderer_free().
 */
FenRenderer *fen_renderer_new  (guint n_threads, guint max_width);
void         fen_renderer_free (FenRenderer *renderer);
guint        fen_renderer_get_n_threads (const FenRenderer *renderer);
/* Pixels per chunk handed to a worker (tests vary it; output must not change). */
void         fen_renderer_set_chunk_pixels (FenRenderer *renderer, gsize chunk_pixels);

/**
 * fen_renderer_render:
 * Renders @frame of @image through @lut into @out (@out_width x @out_height
 * pixels of @format, rows @out_stride bytes apart), sampling as @sampling
 * says. Monochrome images go through the table; colour images through it
 * per sample. FEN_PIXEL_GRAY8 needs a monochrome image. The call returns
 * when every pixel is written; it allocates nothing when @out_width is
 * within the renderer's max width.
 * Returns: %FALSE (and writes nothing) on a programmer error, or when the
 * image's pixels are evicted (fen_image_has_pixels()).
 */
gboolean fen_renderer_render (FenRenderer       *renderer,
                              const FenImage    *image,
                              guint              frame,
                              const FenLut      *lut,
                              const FenSampling *sampling,
                              guint              out_width,
                              guint              out_height,
                              FenPixelFormat     format,
                              guint8            *out,
                              gsize              out_stride);

/**
 * fen_renderer_render_rect:
 * @rect: output pixels of the render @sampling describes
 * Renders only @rect of the output fen_renderer_render() would write for
 * @sampling, into @out of @rect's size (rows @out_stride bytes apart):
 * pixel (i, j) of @out is the byte-identical output pixel
 * (@rect->x + i, @rect->y + j). With fen_sampling_get_visible() the viewer
 * writes the image's pixels and none of the letterbox around them. An
 * empty @rect writes nothing. Threads, chunking and the no-allocation
 * promise are fen_renderer_render()'s.
 * Returns: as fen_renderer_render(); %TRUE for an empty @rect.
 */
gboolean fen_renderer_render_rect (FenRenderer        *renderer,
                                   const FenImage     *image,
                                   guint               frame,
                                   const FenLut       *lut,
                                   const FenSampling  *sampling,
                                   const FenPixelRect *rect,
                                   FenPixelFormat      format,
                                   guint8             *out,
                                   gsize               out_stride);

/* The whole frame at 1:1 (the contiguous fast path). */
gboolean fen_renderer_render_full (FenRenderer    *renderer,
                                   const FenImage *image,
                                   guint           frame,
                                   const FenLut   *lut,
                                   FenPixelFormat  format,
                                   guint8         *out,
                                   gsize           out_stride);

/**
 * fen_renderer_render_difference:
 * Renders the difference of two monochrome frames, computed per output
 * pixel and never stored: output pixel (i, j) samples @a where @sampling_a
 * says and @b where @sampling_b says (%NULL: the same image point, for
 * images of one size), takes modality(a) - modality(b) with each frame's
 * own rescale (PS3.3 C.11.1) and maps it through the LINEAR window of
 * @window (C.11.2.1.2; @window->function and @window->voi_lut are ignored,
 * @window->invert is honoured), so a window centred on 0 shows "no
 * difference" as mid grey. Outside either image the output is background.
 * Chunked and threaded as fen_renderer_render(); allocates nothing when
 * @out_width is within the renderer's max width.
 * Returns: %FALSE (and writes nothing) on a programmer error (a colour
 * image, 32-bit samples) or when either image's pixels are evicted.
 */
gboolean fen_renderer_render_difference (FenRenderer           *renderer,
                                         const FenImage        *a,
                                         guint                  frame_a,
                                         const FenImage        *b,
                                         guint                  frame_b,
                                         const FenWindowParams *window,
                                         const FenSampling     *sampling_a,
                                         const FenSampling     *sampling_b,
                                         guint                  out_width,
                                         guint                  out_height,
                                         FenPixelFormat         format,
                                         guint8                *out,
                                         gsize                  out_stride);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenRenderer, fen_renderer_free)

G_END_DECLS
