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

static gboolean
fen_export_check_modality (FenImage *image, GError **error)
{
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
  return TRUE;
}

/* Widens [*lo, *hi] by the modality values of @frame. */
static void
fen_export_frame_range (FenImage *image, guint frame, double *lo, double *hi)
{
  guint w = fen_image_get_width (image), h = fen_image_get_height (image);

  /* PS3.3 C.11.1.1.2: the values a radiologist measures, rounded to integers. */
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        double v = fen_image_to_modality (image, frame, fen_image_get_stored_value (image, frame, x, y));
        *lo = MIN (*lo, v);
        *hi = MAX (*hi, v);
      }
}

/* Signed when any value is negative; FALSE when they do not fit 16 bits. */
static gboolean
fen_export_pick_sign (double lo, double hi, gboolean *is_signed, GError **error)
{
  *is_signed = lround (lo) < 0;
  if (lround (lo) < (*is_signed ? G_MININT16 : 0) || lround (hi) > (*is_signed ? G_MAXINT16 : G_MAXUINT16))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "modality values %g .. %g do not fit 16 bits", lo, hi);
      return FALSE;
    }
  return TRUE;
}

static void
fen_export_fill_modality (FenImage *image, guint frame, gboolean is_signed, guint16 *values)
{
  guint w = fen_image_get_width (image), h = fen_image_get_height (image);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        long v = lround (fen_image_to_modality (image, frame, fen_image_get_stored_value (image, frame, x, y)));
        if (is_signed)
          values[(gsize) y * w + x] = (guint16) (gint16) v;
        else
          values[(gsize) y * w + x] = (guint16) v;
      }
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
  g_autofree guint16 *values = NULL;
  FenRaster raster = { 0 };
  gboolean is_signed;

  g_return_val_if_fail (frame < fen_image_get_n_frames (image), FALSE);
  if (!fen_export_check_modality (image, error))
    return FALSE;
  fen_export_frame_range (image, frame, &lo, &hi);
  if (!fen_export_pick_sign (lo, hi, &is_signed, error))
    return FALSE;

  values = g_try_new (guint16, n);
  if (values == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "out of memory for the export");
      return FALSE;
    }
  fen_export_fill_modality (image, frame, is_signed, values);

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

typedef struct {
  FenImage **images;
  guint      n_images;
  gboolean   is_signed;
  guint16   *page;       /* one page, refilled for each */
  guint      image;      /* where the next page comes from */
  guint      frame;
} FenExportSeries;

static const void *
fen_export_series_page (guint page, gpointer page_data, GError **error)
{
  FenExportSeries *s = page_data;

  if (s->image >= s->n_images)
    return NULL;
  fen_export_fill_modality (s->images[s->image], s->frame, s->is_signed, s->page);
  if (++s->frame >= fen_image_get_n_frames (s->images[s->image]))
    {
      s->image++;
      s->frame = 0;
    }
  return s->page;
}

gboolean
fen_export_series_modality (FenImage  **images,
                            guint       n_images,
                            const char *path,
                            GError    **error)
{
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  FenExportSeries s = { images, n_images, FALSE, NULL, 0, 0 };
  FenRaster raster = { 0 };
  g_autofree char *lower = g_ascii_strdown (path, -1);
  guint w, h, pages = 0;

  g_return_val_if_fail (images != NULL && n_images > 0, FALSE);
  if (!g_str_has_suffix (lower, ".tif") && !g_str_has_suffix (lower, ".tiff"))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: a series is written as a multi-page TIFF (.tif, .tiff)", path);
      return FALSE;
    }
  w = fen_image_get_width (images[0]);
  h = fen_image_get_height (images[0]);
  for (guint i = 0; i < n_images; i++)
    {
      if (!fen_export_check_modality (images[i], error))
        return FALSE;
      if (fen_image_get_width (images[i]) != w || fen_image_get_height (images[i]) != h)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                       "%s is %u x %u, the series %u x %u: pages of one TIFF share a size",
                       fen_image_get_log_name (images[i]), fen_image_get_width (images[i]),
                       fen_image_get_height (images[i]), w, h);
          return FALSE;
        }
      for (guint f = 0; f < fen_image_get_n_frames (images[i]); f++)
        fen_export_frame_range (images[i], f, &lo, &hi);
      pages += fen_image_get_n_frames (images[i]);
    }
  /* One signedness for every page, so that all pages read back alike. */
  if (!fen_export_pick_sign (lo, hi, &s.is_signed, error))
    return FALSE;
  s.page = g_try_new (guint16, (gsize) w * h);
  if (s.page == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "out of memory for the export");
      return FALSE;
    }

  raster.width = w;
  raster.height = h;
  raster.channels = 1;
  raster.bits = 16;
  raster.is_signed = s.is_signed;
  raster.stride = (gsize) w * 2;
  raster.pages = pages;
  raster.get_page = fen_export_series_page;
  raster.page_data = &s;
  {
    gboolean ok = fen_tiff_write (path, &raster, error);

    g_free (s.page);
    return ok;
  }
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
  fen_lut_build (lut, image, frame, window);
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
