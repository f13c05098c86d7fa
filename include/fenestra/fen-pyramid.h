/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pyramid.h: lazily built, box-filtered reductions of one frame, for zoom below 1. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-render.h"

G_BEGIN_DECLS

typedef struct _FenPyramid FenPyramid;

/**
 * fen_pyramid_new:
 * @image: the base image (a reference is taken)
 * @frame: the frame the levels reduce
 * Builds nothing yet. Level k (k >= 1) is 2^k times smaller in each
 * direction: each pixel the rounded mean of the 2 x 2 pixels of level k-1
 * it covers (a box filter). Sizes are rounded down, so all levels together
 * hold less than a third of the base frame's bytes; a last odd row or column
 * of a level is not represented below it (less than one output pixel at the
 * zooms that use the level).
 * Returns: (transfer full): free with fen_pyramid_free().
 */
FenPyramid *fen_pyramid_new  (FenImage *image, guint frame);
void        fen_pyramid_free (FenPyramid *pyramid);

FenImage   *fen_pyramid_get_base  (FenPyramid *pyramid);
guint       fen_pyramid_get_frame (FenPyramid *pyramid);

/**
 * fen_pyramid_level_for_zoom:
 * The coarsest level that still has at least one of its pixels per output
 * pixel at @zoom (output pixels per base pixel): 0 for zoom >= 1/2.
 */
guint       fen_pyramid_level_for_zoom (FenPyramid *pyramid, double zoom);

/**
 * fen_pyramid_get_level:
 * Builds the level (and those above it) if needed. Level 0 is the base.
 * Returns: (transfer none): a single-frame image of the level's pixels.
 */
FenImage   *fen_pyramid_get_level (FenPyramid *pyramid, guint level);

/* Maps a sampling of the base image onto level @level. */
void        fen_pyramid_scale_sampling (guint level, const FenSampling *base, FenSampling *out);

/* Bytes held by built levels (cache bytes: the first thing shed). */
gsize       fen_pyramid_get_bytes (FenPyramid *pyramid);
guint       fen_pyramid_get_n_levels (FenPyramid *pyramid);
/* Drops every built level. */
void        fen_pyramid_shed (FenPyramid *pyramid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenPyramid, fen_pyramid_free)

G_END_DECLS
