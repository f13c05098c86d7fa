/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-export.c: a frame out to a file, for the headless tool and the viewer's
 * export: modality values as 16-bit, or the windowed picture as 8-bit. */
#define G_LOG_DOMAIN "fen-export"

#include "fenestra/fen-export.h"
#include "fenestra/fen-render.h"
#include "fenestra/fen-writer.h"

#include <math.h>

static gboolean
fen_export_write (const char *path, const FenRaster *raster, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".tif") || g_str_has_suffix (lower, ".tiff"))
    return fen_tiff_write (path, raster, error);
  if (g_str_has_suffix (lower, ".png"))
    return fen_png_write (path, raster, error);
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
               "%s: the file name must end in .png, .tif or .tiff", path);
  return FALSE;
}

gboolean
fen_export_modality (FenImage   *image,
                     guint       frame,
                     const char *path,
                     GError    **error)
{
  guint w = fen_image_get_width (image), h = fen_image_get_height (image);
  gsize n = (gsize) w * h;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  g_autofree gint16 *values = NULL;
  FenRaster raster = { 0 };
  gboolean is_signed;

  g_return_val_if_fail (frame < fen_image_get_n_frames (image), FALSE);
  if (fen_image_is_color (image))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "colour images have no modality values to export");
      return FALSE;
    }
  if (!fen_image_has_pixels (image))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: the pixels are not loaded",
                   fen_image_get_log_name (image));
      return FALSE;
    }

  /* PS3.3 C.11.1.1.2: the values a radiologist measures, rounded to integers. */
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        double v = fen_image_to_modality_frame (image, frame, fen_image_get_stored_value (image, frame, x, y));
        lo = MIN (lo, v);
        hi = MAX (hi, v);
      }
  is_signed = lround (lo) < 0;
  if (lround (lo) < (is_signed ? G_MININT16 : 0) || lround (hi) > (is_signed ? G_MAXINT16 : G_MAXUINT16))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "modality values %g .. %g do not fit 16 bits", lo, hi);
      return FALSE;
    }

  values = g_try_new (gint16, n);
  if (values == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "out of memory for the export");
      return FALSE;
    }
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        long v = lround (fen_image_to_modality_frame (image, frame, fen_image_get_stored_value (image, frame, x, y)));
        if (is_signed)
          values[(gsize) y * w + x] = (gint16) v;
        else
          ((guint16 *) values)[(gsize) y * w + x] = (guint16) v;
      }

  raster.width = w;
  raster.height = h;
  raster.channels = 1;
  raster.bits = 16;
  raster.is_signed = is_signed;
  raster.pixels = values;
  raster.stride = (gsize) w * 2;
  raster.pages = 1;
  return fen_export_write (path, &raster, error);
}

gboolean
fen_export_windowed (FenImage              *image,
                     guint                  frame,
                     const FenWindowParams *window,
                     const char            *path,
                     GError               **error)
{
  FenPixelFormat format = fen_image_is_color (image) ? FEN_PIXEL_RGB8 : FEN_PIXEL_GRAY8;
  guint w = fen_image_get_width (image), h = fen_image_get_height (image);
  gsize stride = (gsize) w * fen_pixel_format_bytes (format);
  g_autoptr(FenLut) lut = fen_lut_new ();
  g_autoptr(FenRenderer) renderer = NULL;
  g_autofree guint8 *out = NULL;
  FenRaster raster = { 0 };

  g_return_val_if_fail (frame < fen_image_get_n_frames (image), FALSE);
  if (!fen_image_has_pixels (image))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: the pixels are not loaded",
                   fen_image_get_log_name (image));
      return FALSE;
    }
  out = g_try_malloc ((gsize) h * stride);
  if (out == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "out of memory for the export");
      return FALSE;
    }
  renderer = fen_renderer_new (0, w);
  fen_lut_build_frame (lut, image, frame, window);
  fen_renderer_render_full (renderer, image, frame, lut, format, out, stride);

  raster.width = w;
  raster.height = h;
  raster.channels = fen_pixel_format_bytes (format);
  raster.bits = 8;
  raster.pixels = out;
  raster.stride = stride;
  raster.pages = 1;
  return fen_export_write (path, &raster, error);
}
