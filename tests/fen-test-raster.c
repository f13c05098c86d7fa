/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-raster.c: fixtures and checks shared by the PNG and TIFF tests
 * (fen-test-raster.h). */
#define G_LOG_DOMAIN "test-png-tiff"

#include "fen-test-raster.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

/* ---- Fixture: one temporary directory per test --------------------------- */


void
fen_test_fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("fen-png-tiff-XXXXXX", &error);
  g_assert_no_error (error);
}

void
fen_test_fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

char *
fen_test_fixture_path (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

guint
fen_test_fixture_count_files (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* ---- Deterministic sample values ----------------------------------------- */

/* A hash, not a gradient, so that swapped bytes, planes or rows all show. */
guint32
fen_test_sample_value (guint seed, guint page, guint x, guint y, guint s, guint bits)
{
  guint32 h = seed * 0x9E3779B1u ^ page * 0x85EBCA77u ^ x * 0xC2B2AE3Du ^ y * 0x27D4EB2Fu ^
              s * 0x165667B1u;

  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  /* Make sure the extremes appear too. */
  if ((x + y) % 11 == 0)
    h = 0;
  else if ((x + y) % 13 == 0)
    h = 0xFFFFFFFFu;
  return h & ((bits == 32) ? 0xFFFFFFFFu : ((1u << bits) - 1));
}

guint8
fen_test_scale_16_to_8 (guint32 v)
{
  return (guint8) ((v * 255 + 32895) >> 16);
}

void
fen_test_put_sample (guint8 *p, guint bytes, guint32 v)
{
  if (bytes == 1)
    *p = (guint8) v;
  else
    {
      guint16 w = (guint16) v;
      memcpy (p, &w, 2);
    }
}

/* ---- Files --------------------------------------------------------------- */

GBytes *
fen_test_read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* Plain stdio: g_file_set_contents fsyncs, which makes the fuzz loops crawl. */
void
fen_test_write_bytes (const char *path, const void *data, gsize length)
{
  FILE *fp = fopen (path, "wb");

  g_assert_nonnull (fp);
  g_assert_cmpuint (fwrite (data, 1, length, fp), ==, length);
  g_assert_cmpint (fclose (fp), ==, 0);
}


/* Loads and asserts the file was not touched. */
FenImage *
fen_test_load_checked (Loader loader, const char *path, const FenLoadOptions *options, GError **error)
{
  g_autoptr(GBytes) before = fen_test_read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  GStatBuf st_before, st_after;
  FenImage *image;

  g_assert_cmpint (g_stat (path, &st_before), ==, 0);
  image = loader (path, options, error);
  after = fen_test_read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpint (g_stat (path, &st_after), ==, 0);
  g_assert_cmpint (st_before.st_mtime, ==, st_after.st_mtime);
  g_assert_true ((image == NULL) == (error == NULL || *error != NULL));
  return image;
}

/* ---- libpng, directly ---------------------------------------------------- */

static void
fen_test_direct_png_error (png_structp png, png_const_charp message)
{
  g_error ("libpng in a test fixture: %s", message);
}

/* @rows holds PNG rows as the format wants them (big-endian 16-bit). */
void
fen_test_direct_png_write (const char      *path,
                  guint            width,
                  guint            height,
                  int              color_type,
                  int              bit_depth,
                  int              interlace,
                  const guint8    *rows,
                  gsize            stride,
                  const png_color *palette,
                  int              n_palette,
                  const guint8    *trns,
                  int              n_trns)
{
  FILE *fp = fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, fen_test_direct_png_error, NULL);
  png_infop info = png_create_info_struct (png);
  int passes;

  g_assert_nonnull (fp);
  png_init_io (png, fp);
  png_set_IHDR (png, info, width, height, bit_depth, color_type, interlace,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette != NULL)
    png_set_PLTE (png, info, palette, n_palette);
  if (trns != NULL)
    png_set_tRNS (png, info, trns, n_trns, NULL);
  png_write_info (png, info);
  passes = png_set_interlace_handling (png);
  for (int pass = 0; pass < passes; pass++)
    for (guint y = 0; y < height; y++)
      png_write_row (png, rows + y * stride);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  g_assert_cmpint (fclose (fp), ==, 0);
}

/* Reads any PNG we write, keeping every channel, 16-bit as native. */
guint8 *
fen_test_direct_png_read (const char *path, guint *width, guint *height, guint *channels, guint *bits)
{
  FILE *fp = fopen (path, "rb");
  png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, fen_test_direct_png_error, NULL);
  png_infop info = png_create_info_struct (png);
  guint8 *pixels;
  gsize stride;

  g_assert_nonnull (fp);
  png_init_io (png, fp);
  png_read_info (png, info);
  if (png_get_bit_depth (png, info) == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (png);
  png_read_update_info (png, info);
  *width = png_get_image_width (png, info);
  *height = png_get_image_height (png, info);
  *channels = png_get_channels (png, info);
  *bits = png_get_bit_depth (png, info);
  stride = png_get_rowbytes (png, info);
  pixels = g_malloc (stride * *height);
  for (guint y = 0; y < *height; y++)
    png_read_row (png, pixels + y * stride, NULL);
  png_read_end (png, NULL);
  png_destroy_read_struct (&png, &info, NULL);
  fclose (fp);
  return pixels;
}

/* ---- libtiff, directly --------------------------------------------------- */


/* Writes @c with values from fen_test_sample_value(seed, page, x, y, s). */
void
fen_test_direct_tiff_write (const char *path, const TiffCase *c, guint seed)
{
  TIFF *tif = TIFFOpen (path, c->big_endian ? "wb" : "wl");
  guint bytes = c->bits / 8;
  gboolean separate = c->planar == PLANARCONFIG_SEPARATE;
  guint src_spp = separate ? 1 : c->samples;
  gsize row_bytes = (gsize) c->width * src_spp * bytes;

  g_assert_nonnull (tif);
  for (guint page = 0; page < c->pages; page++)
    {
      TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, c->width);
      TIFFSetField (tif, TIFFTAG_IMAGELENGTH, c->height);
      TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, c->bits);
      TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, c->samples);
      TIFFSetField (tif, TIFFTAG_SAMPLEFORMAT, c->is_signed ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT);
      TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, c->photometric);
      TIFFSetField (tif, TIFFTAG_PLANARCONFIG, c->planar);
      TIFFSetField (tif, TIFFTAG_COMPRESSION, c->compression);
      if (c->samples > c->color)
        {
          guint16 extra[8] = { EXTRASAMPLE_UNASSALPHA, 0, 0, 0, 0, 0, 0, 0 };
          TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, c->samples - c->color, extra);
        }
      if (c->pages > 1)
        {
          TIFFSetField (tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
          TIFFSetField (tif, TIFFTAG_PAGENUMBER, page, c->pages);
        }
      if (c->tile != 0)
        {
          guint32 tw = c->tile, th = c->tile;
          gsize tile_row = (gsize) tw * src_spp * bytes;
          g_autofree guint8 *tile = g_malloc0 (tile_row * th);

          TIFFSetField (tif, TIFFTAG_TILEWIDTH, tw);
          TIFFSetField (tif, TIFFTAG_TILELENGTH, th);
          for (guint plane = 0; plane < (separate ? c->samples : 1); plane++)
            for (guint ty = 0; ty < c->height; ty += th)
              for (guint tx = 0; tx < c->width; tx += tw)
                {
                  memset (tile, 0xA5, tile_row * th); /* padding must not leak */
                  for (guint y = 0; y < th && ty + y < c->height; y++)
                    for (guint x = 0; x < tw && tx + x < c->width; x++)
                      for (guint s = 0; s < src_spp; s++)
                        fen_test_put_sample (tile + y * tile_row + (x * src_spp + s) * bytes, bytes,
                                    fen_test_sample_value (seed, page, tx + x, ty + y,
                                                  separate ? plane : s, c->bits));
                  g_assert_cmpint (TIFFWriteTile (tif, tile, tx, ty, 0, (guint16) plane), >, 0);
                }
        }
      else
        {
          g_autofree guint8 *row = g_malloc (row_bytes);

          TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP,
                        c->rows_per_strip ? c->rows_per_strip
                                          : TIFFDefaultStripSize (tif, 0));
          for (guint plane = 0; plane < (separate ? c->samples : 1); plane++)
            for (guint y = 0; y < c->height; y++)
              {
                for (guint x = 0; x < c->width; x++)
                  for (guint s = 0; s < src_spp; s++)
                    fen_test_put_sample (row + (x * src_spp + s) * bytes, bytes,
                                fen_test_sample_value (seed, page, x, y, separate ? plane : s, c->bits));
                g_assert_cmpint (TIFFWriteScanline (tif, row, y, (guint16) plane), ==, 1);
              }
        }
      g_assert_true (TIFFWriteDirectory (tif));

      if (c->thumbnail && page == 0)
        {
          guint8 thumb[4 * 4 * 3] = { 0 };

          TIFFSetField (tif, TIFFTAG_SUBFILETYPE, FILETYPE_REDUCEDIMAGE);
          TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, 4);
          TIFFSetField (tif, TIFFTAG_IMAGELENGTH, 4);
          TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
          TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 3);
          TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
          TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
          TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, 4);
          g_assert_cmpint (TIFFWriteEncodedStrip (tif, 0, thumb, sizeof thumb), >, 0);
          g_assert_true (TIFFWriteDirectory (tif));
        }
    }
  TIFFClose (tif);
}

/* What the loader must produce for @c. */
guint8 *
fen_test_expected_tiff_pixels (const TiffCase *c, guint seed, gsize *out_bytes)
{
  guint out_bits = c->color == 3 ? 8 : c->bits;
  guint out = out_bits / 8;
  gsize bytes = (gsize) c->width * c->height * c->pages * c->color * out;
  guint8 *pixels = g_malloc (bytes);
  guint8 *p = pixels;

  for (guint page = 0; page < c->pages; page++)
    for (guint y = 0; y < c->height; y++)
      for (guint x = 0; x < c->width; x++)
        for (guint s = 0; s < c->color; s++, p += out)
          {
            guint32 v = fen_test_sample_value (seed, page, x, y, s, c->bits);
            fen_test_put_sample (p, out, out_bits < c->bits ? fen_test_scale_16_to_8 (v) : v);
          }
  *out_bytes = bytes;
  return pixels;
}

/* Reads any TIFF our writer produces, page by page, keeping every channel. */
guint8 *
fen_test_direct_tiff_read (const char *path, guint *width, guint *height, guint *channels, guint *bits,
                  guint *pages, gboolean *is_signed)
{
  TIFF *tif = TIFFOpen (path, "r");
  GByteArray *all = g_byte_array_new ();
  guint16 bps, spp, format = SAMPLEFORMAT_UINT, planar;
  guint32 w, h;

  g_assert_nonnull (tif);
  *pages = 0;
  do
    {
      gsize row;
      g_autofree guint8 *buffer = NULL;

      TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &w);
      TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &h);
      TIFFGetFieldDefaulted (tif, TIFFTAG_BITSPERSAMPLE, &bps);
      TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
      TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLEFORMAT, &format);
      TIFFGetFieldDefaulted (tif, TIFFTAG_PLANARCONFIG, &planar);
      g_assert_cmpuint (planar, ==, PLANARCONFIG_CONTIG);
      row = (gsize) w * spp * bps / 8;
      g_assert_cmpuint (TIFFScanlineSize64 (tif), ==, row);
      buffer = g_malloc (row);
      for (guint32 y = 0; y < h; y++)
        {
          g_assert_cmpint (TIFFReadScanline (tif, buffer, y, 0), ==, 1);
          g_byte_array_append (all, buffer, (guint) row);
        }
      (*pages)++;
    }
  while (TIFFReadDirectory (tif));
  TIFFClose (tif);
  *width = w;
  *height = h;
  *channels = spp;
  *bits = bps;
  *is_signed = format == SAMPLEFORMAT_INT;
  return g_byte_array_free (all, FALSE);
}

/* ---- Checks on a loaded image ------------------------------------------- */

void
fen_test_assert_image (FenImage       *image,
              guint           width,
              guint           height,
              guint           frames,
              guint           samples,
              guint           bits,
              guint           pixel_representation,
              FenPhotometric  photometric,
              const char     *format,
              const guint8   *expected,
              gsize           expected_bytes)
{
  const FenImageInfo *info = fen_image_get_info (image);

  g_assert_cmpuint (info->columns, ==, width);
  g_assert_cmpuint (info->rows, ==, height);
  g_assert_cmpuint (info->frames, ==, frames);
  g_assert_cmpuint (info->samples_per_pixel, ==, samples);
  g_assert_cmpuint (info->bits_allocated, ==, bits);
  g_assert_cmpuint (info->bits_stored, ==, bits);
  g_assert_cmpuint (info->high_bit, ==, bits - 1);
  g_assert_cmpuint (info->pixel_representation, ==, pixel_representation);
  g_assert_cmpint (info->photometric, ==, photometric);
  g_assert_nonnull (info->photometric_name);
  g_assert_cmpfloat (info->rescale_slope, ==, 1.0);
  g_assert_cmpfloat (info->rescale_intercept, ==, 0.0);
  g_assert_cmpuint (info->n_windows, ==, 0);
  g_assert_cmpstr (info->format, ==, format);
  g_assert_cmpstr (info->modality, ==, "OT");
  g_assert_cmpuint (fen_image_get_pixel_bytes (image), ==, expected_bytes);
  for (guint f = 0; f < frames; f++)
    {
      gsize frame_bytes = fen_image_get_frame_bytes (image);
      const guint8 *got = fen_image_get_frame (image, f);

      if (memcmp (got, expected + f * frame_bytes, frame_bytes) != 0)
        {
          for (gsize i = 0; i < frame_bytes; i++)
            if (got[i] != expected[f * frame_bytes + i])
              g_error ("frame %u differs first at byte %" G_GSIZE_FORMAT ": %u, expected %u",
                       f, i, got[i], expected[f * frame_bytes + i]);
        }
    }
}

/* A raster with padded rows and pages, so stride handling shows. */
guint8 *
fen_test_make_raster (const RasterCase *c, guint seed, FenRaster *raster)
{
  guint bytes = c->bits / 8;
  gsize stride = (gsize) c->width * c->channels * bytes + 5;
  gsize page_stride = stride * c->height + 3;
  guint8 *pixels = g_malloc (page_stride * c->pages);

  memset (pixels, 0xEE, page_stride * c->pages);
  for (guint page = 0; page < c->pages; page++)
    for (guint y = 0; y < c->height; y++)
      for (guint x = 0; x < c->width; x++)
        for (guint s = 0; s < c->channels; s++)
          fen_test_put_sample (pixels + page * page_stride + y * stride + (x * c->channels + s) * bytes,
                      bytes, fen_test_sample_value (seed, page, x, y, s, c->bits));
  *raster = (FenRaster) {
    .width = c->width, .height = c->height, .channels = c->channels, .bits = c->bits,
    .is_signed = c->is_signed, .pixels = pixels, .stride = stride, .pages = c->pages,
    .page_stride = page_stride,
  };
  return pixels;
}

/* The raster's pixels without padding: what libtiff/libpng must read back. */
guint8 *
fen_test_packed_raster (const RasterCase *c, guint seed, gsize *out_bytes)
{
  guint bytes = c->bits / 8;
  gsize n = (gsize) c->width * c->height * c->pages * c->channels;
  guint8 *pixels = g_malloc (n * bytes);

  for (gsize i = 0; i < n; i++)
    {
      guint s = i % c->channels;
      gsize pixel = i / c->channels;
      guint x = pixel % c->width, y = (pixel / c->width) % c->height;
      guint page = pixel / ((gsize) c->width * c->height);
      fen_test_put_sample (pixels + i * bytes, bytes, fen_test_sample_value (seed, page, x, y, s, c->bits));
    }
  *out_bytes = n * bytes;
  return pixels;
}

/* What our loaders make of the raster: alpha dropped, colour at 8 bits. */
guint8 *
fen_test_loaded_raster (const RasterCase *c, guint seed, guint *samples, guint *bits, gsize *out_bytes)
{
  guint color = c->channels == 1 ? 1 : 3;
  guint out_bits = color == 3 ? 8 : c->bits;
  guint out = out_bits / 8;
  gsize n = (gsize) c->width * c->height * c->pages * color;
  guint8 *pixels = g_malloc (n * out);

  for (gsize i = 0; i < n; i++)
    {
      guint s = i % color;
      gsize pixel = i / color;
      guint x = pixel % c->width, y = (pixel / c->width) % c->height;
      guint page = pixel / ((gsize) c->width * c->height);
      guint32 v = fen_test_sample_value (seed, page, x, y, s, c->bits);
      fen_test_put_sample (pixels + i * out, out, out_bits < c->bits ? fen_test_scale_16_to_8 (v) : v);
    }
  *samples = color;
  *bits = out_bits;
  *out_bytes = n * out;
  return pixels;
}

void
fen_test_assert_error_names_file (const GError *error, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, base));
}
