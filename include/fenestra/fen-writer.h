/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-writer.h: PNG and TIFF output of rendered or raw pixels. */
#pragma once

#include "fen-types.h"

G_BEGIN_DECLS

/**
 * FenRaster:
 * A borrowed rectangle of pixels to write: @channels of 1 (gray), 3 (RGB)
 * or 4 (RGBA), @bits 8 or 16, samples interleaved, native byte order,
 * @is_signed only for 16-bit gray (TIFF only; PNG refuses it).
 * @pages frames follow each other, @page_stride bytes apart.
 * @get_page: (nullable): TIFF only (PNG writes @pixels): when set, @pixels and @page_stride are
 *   unused and each page is asked for just before it is written (rows
 *   @stride apart, valid until the next call), so a series goes out page by
 *   page through one page of memory. Returning %NULL with @error aborts.
 */
typedef struct {
  guint        width;
  guint        height;
  guint        channels;
  guint        bits;
  gboolean     is_signed;
  const void  *pixels;
  gsize        stride;       /* bytes from one row to the next */
  guint        pages;        /* 1 unless a multi-page TIFF */
  gsize        page_stride;
  const void *(*get_page) (guint page, gpointer page_data, GError **error);
  gpointer     page_data;
} FenRaster;

gboolean fen_png_write  (const char *path, const FenRaster *raster, GError **error);
gboolean fen_tiff_write (const char *path, const FenRaster *raster, GError **error);

G_END_DECLS
