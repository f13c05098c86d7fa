/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-lut.h: the window/level table from stored value to 8-bit output. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"

G_BEGIN_DECLS

/**
 * FenWindowParams:
 * A window in modality units (after Rescale Slope/Intercept).
 * @invert: the user's invert, combined (exclusive or) with MONOCHROME1.
 * @voi_lut: 0 for the window; n for the image's n-th VOI LUT
 *   (FenImageInfo.voi_luts[n - 1]) instead of @center and @width. Callers
 *   that fill the struct field by field must zero it first.
 */
typedef struct {
  double         center;
  double         width;
  FenVoiFunction function;
  gboolean       invert;
  guint          voi_lut;
} FenWindowParams;

/**
 * fen_voi_apply:
 * The VOI LUT Functions of PS3.3 C.11.2.1.2 (LINEAR) and C.11.2.1.3
 * (LINEAR_EXACT, SIGMOID) for one input value @x, output in [@y_min, @y_max].
 * Widths below the minimum the standard allows (1 for LINEAR, >0 otherwise)
 * are raised to it.
 */
double  fen_voi_apply (FenVoiFunction function,
                       double         x,
                       double         center,
                       double         width,
                       double         y_min,
                       double         y_max);

/* Allocates the 65,536-entry table once; building it never allocates. */
FenLut *fen_lut_new   (void);
void    fen_lut_free  (FenLut *lut);

/**
 * fen_lut_build:
 * Fills the table of @frame for every stored value @image can hold (its bits
 * stored and pixel representation): the frame's modality rescale (C.11.1;
 * an enhanced multi-frame image has one per frame, C.7.6.16.2.9), then VOI,
 * then MONOCHROME1 / user inversion. Colour images get the window applied to
 * each sample as if it were a modality value. Only the entries of the
 * image's value range are written. There is no frame-0 shorthand: a table
 * built for one frame is wrong for another with its own rescale.
 */
void    fen_lut_build (FenLut                *lut,
                       const FenImage        *image,
                       guint                  frame,
                       const FenWindowParams *params);

/* Table indexed by the stored value's low 16 bits ((guint16) value). */
const guint8 *fen_lut_get_table (const FenLut *lut);
guint8  fen_lut_lookup (const FenLut *lut, gint32 stored);
/* Counts table builds: for tests that prove a table is reused. */
guint64 fen_lut_get_builds (const FenLut *lut);

/**
 * fen_window_default:
 * The window a viewer opens @frame with: the frame's own window (enhanced
 * multi-frame), then the image's first window, then one that maps the
 * min-max of the content (padding left out) in @frame's modality units onto
 * the full output range. Never a VOI LUT: those are presets
 * (FenWindowParams.voi_lut).
 */
void    fen_window_default (FenImage *image, guint frame, FenWindowParams *out);

/**
 * fen_window_auto:
 * The viewer's automatic window for @frame: the 1st to the 99th percentile
 * of its stored values (sampled so that a large frame costs about four
 * million reads), in @frame's modality units. Colour images get
 * fen_window_default(). @out->invert is left as it is.
 */
void    fen_window_auto (FenImage *image, guint frame, FenWindowParams *out);

/* A window spanning stored values [@min_stored, @max_stored] of @frame
 * exactly, in the frame's modality units. */
void    fen_window_from_stored_range (const FenImage *image,
                                      guint           frame,
                                      gint32          min_stored,
                                      gint32          max_stored,
                                      FenWindowParams *out);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenLut, fen_lut_free)

G_END_DECLS
