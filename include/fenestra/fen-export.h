/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-export.h: a frame out to a file, as modality values or as windowed gray/colour. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-lut.h"

G_BEGIN_DECLS

/**
 * fen_export_modality:
 * Writes @frame's modality values (stored * slope + intercept, rounded) as
 * a 16-bit gray TIFF (signed when any value is negative) or PNG (unsigned
 * only), by @path's suffix. Fails with %FEN_IO_ERROR_UNSUPPORTED for colour
 * images and values that do not fit 16 bits. Uses one frame-sized buffer.
 */
gboolean fen_export_modality (FenImage   *image,
                              guint       frame,
                              const char *path,
                              GError    **error);

/**
 * fen_export_series_modality:
 * @images: (array length=n_images): the images of a series in slice order,
 *   monochrome, all of one size
 * Writes every frame of every image as the pages of one 16-bit gray TIFF of
 * modality values (one signedness for all pages, as fen_export_modality()
 * picks it), page by page through one page-sized buffer.
 */
gboolean fen_export_series_modality (FenImage  **images,
                                     guint       n_images,
                                     const char *path,
                                     GError    **error);

/**
 * fen_export_windowed:
 * Writes @frame at 1:1 through @window: 8-bit gray for monochrome, 8-bit
 * RGB for colour, as PNG or TIFF by @path's suffix. The result is what
 * `fenestra-cli render` writes for the same window.
 */
gboolean fen_export_windowed (FenImage              *image,
                              guint                  frame,
                              const FenWindowParams *window,
                              const char            *path,
                              GError               **error);

G_END_DECLS
