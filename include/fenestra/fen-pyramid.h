/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pyramid.h: lazily built, box-filtered reductions of one frame, for zoom below 1. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-render.h"

G_BEGIN_DECLS

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
 * Thread-safe: levels may be built on one thread while another sheds
 * them (the viewer's store sheds from loading threads).
 * Returns: (transfer full): a pyramid with one reference.
 */
FenPyramid *fen_pyramid_new   (FenImage *image, guint frame);
FenPyramid *fen_pyramid_ref   (FenPyramid *pyramid);
void        fen_pyramid_unref (FenPyramid *pyramid);

FenImage   *fen_pyramid_get_base  (FenPyramid *pyramid);
guint       fen_pyramid_get_frame (FenPyramid *pyramid);

/**
 * fen_pyramid_level_for_zoom:
 * The coarsest level that still has at least one of its pixels per output
 * pixel at @zoom (output pixels per base pixel): 0 for zoom >= 1/2.
 */
guint       fen_pyramid_level_for_zoom (FenPyramid *pyramid, double zoom);

/**
 * fen_pyramid_ref_level:
 * Builds the level (and those above it) if needed and marks it the level
 * in use (the one fen_pyramid_shed() may keep). Level 0 is the base.
 * The reference is what makes reading safe: a shed on another thread drops
 * only the pyramid's own reference, and the level's pixels live until the
 * caller lets go.
 * Returns: (transfer full) (nullable): a single-frame image of the level's
 * pixels (the base image itself for level 0), or %NULL if it could not be
 * allocated; release with fen_image_unref().
 */
FenImage   *fen_pyramid_ref_level (FenPyramid *pyramid, guint level);
/* The level fen_pyramid_ref_level() handed out last (0 at first). */
guint       fen_pyramid_get_level_in_use (FenPyramid *pyramid);
/* g_get_monotonic_time() of the last fen_pyramid_ref_level() (or of creation). */
gint64      fen_pyramid_get_last_used (FenPyramid *pyramid);

/* Maps a sampling of the base image onto level @level. */
void        fen_pyramid_scale_sampling (guint level, const FenSampling *base, FenSampling *out);

/* Bytes held by built levels (cache bytes: the first thing shed); lock-free. */
gsize       fen_pyramid_get_bytes (FenPyramid *pyramid);
guint       fen_pyramid_get_n_levels (FenPyramid *pyramid);

/**
 * fen_pyramid_shed:
 * @keep_in_use: keep the level fen_pyramid_ref_level() handed out last
 * Drops the pyramid's references to its built levels; a level a caller
 * still holds is freed when that caller lets go. The next
 * fen_pyramid_ref_level() builds again what it needs.
 * Returns: the bytes no longer counted.
 */
gsize       fen_pyramid_shed (FenPyramid *pyramid, gboolean keep_in_use);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenPyramid, fen_pyramid_unref)

G_END_DECLS
