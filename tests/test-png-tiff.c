/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-png-tiff.c: the PNG and TIFF loaders and writers. Fixtures are made
 * at test time twice over: with our writers, and with libpng/libtiff called
 * directly (fen-test-raster.c), so a writer bug cannot hide a loader bug (and
 * files we write are read back with libpng/libtiff too). Hostile and broken
 * files are test-png-tiff-robust.c. */
#define G_LOG_DOMAIN "test-png-tiff"

#include <fenestra/fenestra.h>

#include <errno.h>
#include <png.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <tiffio.h>
#include <unistd.h>


#include "fen-test-raster.h"

/* ---- TIFF: files written by libtiff directly ----------------------------- */


static const TiffCase tiff_cases[] = {
  { "gray8",              64, 48, 1,  8, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, FALSE, M2 },
  { "gray8-rps1",         17,  5, 1,  8, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 1, FALSE, FALSE, M2 },
  { "gray8-rps3-packbits", 17, 5, 1,  8, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_PACKBITS, 0, 3, FALSE, FALSE, M2 },
  { "gray16",             64, 48, 1, 16, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_ADOBE_DEFLATE, 0, 0, FALSE, FALSE, M2 },
  { "gray16-bigendian",   17,  5, 1, 16, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 2, TRUE, FALSE, M2 },
  { "gray16-lzw-be",      33, 20, 1, 16, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_LZW, 0, 7, TRUE, FALSE, M2 },
  { "signed16",           31, 29, 1, 16, 1, 1, TRUE,  C_GRAY, CONTIG, COMPRESSION_LZW, 0, 0, FALSE, FALSE, M2 },
  { "signed8",            31, 29, 1,  8, 1, 1, TRUE,  C_GRAY, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, FALSE, M2 },
  { "miniswhite",         20, 10, 1,  8, 1, 1, FALSE, PHOTOMETRIC_MINISWHITE, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, FALSE, FEN_PHOTOMETRIC_MONOCHROME1 },
  { "miniswhite16",       20, 10, 1, 16, 1, 1, FALSE, PHOTOMETRIC_MINISWHITE, CONTIG, COMPRESSION_ADOBE_DEFLATE, 0, 0, FALSE, FALSE, FEN_PHOTOMETRIC_MONOCHROME1 },
  { "gray-alpha8",        19,  7, 1,  8, 2, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, FALSE, M2 },
  { "rgb8",               64, 48, 1,  8, 3, 3, FALSE, C_RGB, CONTIG, COMPRESSION_ADOBE_DEFLATE, 0, 0, FALSE, FALSE, RGBP },
  { "rgb8-odd",           17,  5, 1,  8, 3, 3, FALSE, C_RGB, CONTIG, COMPRESSION_NONE, 0, 0, TRUE, FALSE, RGBP },
  { "rgba8",              17,  5, 1,  8, 4, 3, FALSE, C_RGB, CONTIG, COMPRESSION_LZW, 0, 0, FALSE, FALSE, RGBP },
  { "rgb16-reduced",      17,  5, 1, 16, 3, 3, FALSE, C_RGB, CONTIG, COMPRESSION_NONE, 0, 0, TRUE, FALSE, RGBP },
  { "rgb8-planar",        37, 23, 1,  8, 3, 3, FALSE, C_RGB, SEP, COMPRESSION_NONE, 0, 4, FALSE, FALSE, RGBP },
  { "rgba8-planar-lzw",   37, 23, 1,  8, 4, 3, FALSE, C_RGB, SEP, COMPRESSION_LZW, 0, 0, FALSE, FALSE, RGBP },
  { "tiled-gray16",       70, 50, 1, 16, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_ADOBE_DEFLATE, 32, 0, FALSE, FALSE, M2 },
  { "tiled-odd-gray8",    17,  5, 1,  8, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 16, 0, FALSE, FALSE, M2 },
  { "tiled-rgb8",         40, 33, 1,  8, 3, 3, FALSE, C_RGB, CONTIG, COMPRESSION_LZW, 16, 0, FALSE, FALSE, RGBP },
  { "tiled-rgb8-planar",  40, 33, 1,  8, 3, 3, FALSE, C_RGB, SEP, COMPRESSION_ADOBE_DEFLATE, 16, 0, TRUE, FALSE, RGBP },
  { "tiled-rgba16",       20, 20, 1, 16, 4, 3, FALSE, C_RGB, CONTIG, COMPRESSION_NONE, 16, 0, FALSE, FALSE, RGBP },
  { "pages3-gray16",      30, 20, 3, 16, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_ADOBE_DEFLATE, 0, 0, FALSE, FALSE, M2 },
  { "pages3-rgb8-tiled",  30, 20, 3,  8, 3, 3, FALSE, C_RGB, CONTIG, COMPRESSION_NONE, 16, 0, FALSE, FALSE, RGBP },
  { "pages2-thumbnail",   30, 20, 2, 16, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, TRUE, M2 },
  { "one-pixel",           1,  1, 1,  8, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, FALSE, M2 },
};

static void
test_tiff_load_case (Fixture *fixture, gconstpointer data)
{
  const TiffCase *c = data;
  g_autofree char *path = fen_test_fixture_path (fixture, "in.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = NULL;
  g_autofree guint8 *expected = NULL;
  gsize expected_bytes;
  guint seed = g_str_hash (c->name);

  fen_test_direct_tiff_write (path, c, seed);
  expected = fen_test_expected_tiff_pixels (c, seed, &expected_bytes);
  image = fen_test_load_checked (fen_tiff_load, path, NULL, &error);
  g_assert_no_error (error);
  fen_test_assert_image (image, c->width, c->height, c->pages, c->color,
                c->color == 3 ? 8 : c->bits, c->is_signed ? 1 : 0, c->expect_photometric,
                "TIFF", expected, expected_bytes);
  g_assert_cmpstr (fen_image_get_path (image), ==, path);
  g_assert_cmpuint (fen_image_get_info (image)->planar_configuration, ==,
                    c->planar == SEP ? 1 : 0);
}

/* ---- TIFF: our writer, read back by libtiff and by our loader ------------- */


static const RasterCase tiff_raster_cases[] = {
  { "gray8",     64, 48, 1, 1,  8, FALSE },
  { "gray16",    64, 48, 1, 1, 16, FALSE },
  { "signed16",  17,  5, 1, 1, 16, TRUE },
  { "signed8",   17,  5, 1, 1,  8, TRUE },
  { "rgb8",      17,  5, 1, 3,  8, FALSE },
  { "rgba8",     33, 21, 1, 4,  8, FALSE },
  { "rgb16",     17,  5, 1, 3, 16, FALSE },
  { "pages3",    17,  5, 3, 1, 16, FALSE },
  { "pages3-rgb", 9, 300, 3, 3, 8, FALSE },
  { "tall",       3, 2000, 1, 1, 16, FALSE },
  { "one-pixel",  1,  1, 1, 1,  8, FALSE },
};

static const RasterCase png_raster_cases[] = {
  { "gray8",     64, 48, 1, 1,  8, FALSE },
  { "gray16",    64, 48, 1, 1, 16, FALSE },
  { "gray16-odd", 17, 5, 1, 1, 16, FALSE },
  { "rgb8",      17,  5, 1, 3,  8, FALSE },
  { "rgba8",     33, 21, 1, 4,  8, FALSE },
  { "rgb16",     17,  5, 1, 3, 16, FALSE },
  { "rgba16",    17,  5, 1, 4, 16, FALSE },
  { "one-pixel",  1,  1, 1, 1,  8, FALSE },
};


static void
test_tiff_roundtrip_case (Fixture *fixture, gconstpointer data)
{
  const RasterCase *c = data;
  g_autofree char *path = fen_test_fixture_path (fixture, "out.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = NULL;
  g_autofree guint8 *source = NULL, *packed = NULL, *back = NULL, *expected = NULL;
  guint seed = g_str_hash (c->name) + 1;
  guint w, h, channels, bits, pages, samples, out_bits;
  gboolean is_signed;
  gsize packed_bytes, expected_bytes;
  FenRaster raster;

  source = fen_test_make_raster (c, seed, &raster);
  g_assert_true (fen_tiff_write (path, &raster, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fen_test_fixture_count_files (fixture), ==, 1);

  /* libtiff reads exactly what we meant to write. */
  packed = fen_test_packed_raster (c, seed, &packed_bytes);
  back = fen_test_direct_tiff_read (path, &w, &h, &channels, &bits, &pages, &is_signed);
  g_assert_cmpuint (w, ==, c->width);
  g_assert_cmpuint (h, ==, c->height);
  g_assert_cmpuint (channels, ==, c->channels);
  g_assert_cmpuint (bits, ==, c->bits);
  g_assert_cmpuint (pages, ==, c->pages);
  g_assert_cmpint (is_signed, ==, c->is_signed);
  g_assert_cmpmem (back, packed_bytes, packed, packed_bytes);

  /* And so does our loader. */
  expected = fen_test_loaded_raster (c, seed, &samples, &out_bits, &expected_bytes);
  image = fen_test_load_checked (fen_tiff_load, path, NULL, &error);
  g_assert_no_error (error);
  fen_test_assert_image (image, c->width, c->height, c->pages, samples, out_bits, c->is_signed ? 1 : 0,
                samples == 3 ? FEN_PHOTOMETRIC_RGB : FEN_PHOTOMETRIC_MONOCHROME2, "TIFF",
                expected, expected_bytes);
}

static void
test_png_roundtrip_case (Fixture *fixture, gconstpointer data)
{
  const RasterCase *c = data;
  g_autofree char *path = fen_test_fixture_path (fixture, "out.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = NULL;
  g_autofree guint8 *source = NULL, *packed = NULL, *back = NULL, *expected = NULL;
  g_autofree guint8 *source_copy = NULL;
  guint seed = g_str_hash (c->name) + 2;
  guint w, h, channels, bits, samples, out_bits;
  gsize packed_bytes, expected_bytes;
  FenRaster raster;

  source = fen_test_make_raster (c, seed, &raster);
  source_copy = g_memdup2 (source, raster.page_stride * c->pages);
  g_assert_true (fen_png_write (path, &raster, &error));
  g_assert_no_error (error);
  /* The writer byte-swaps 16-bit rows: never in the caller's buffer. */
  g_assert_cmpmem (source, raster.page_stride * c->pages, source_copy,
                   raster.page_stride * c->pages);
  g_assert_cmpuint (fen_test_fixture_count_files (fixture), ==, 1);

  packed = fen_test_packed_raster (c, seed, &packed_bytes);
  back = fen_test_direct_png_read (path, &w, &h, &channels, &bits);
  g_assert_cmpuint (w, ==, c->width);
  g_assert_cmpuint (h, ==, c->height);
  g_assert_cmpuint (channels, ==, c->channels);
  g_assert_cmpuint (bits, ==, c->bits);
  g_assert_cmpmem (back, packed_bytes, packed, packed_bytes);

  expected = fen_test_loaded_raster (c, seed, &samples, &out_bits, &expected_bytes);
  image = fen_test_load_checked (fen_png_load, path, NULL, &error);
  g_assert_no_error (error);
  fen_test_assert_image (image, c->width, c->height, 1, samples, out_bits, 0,
                samples == 3 ? FEN_PHOTOMETRIC_RGB : FEN_PHOTOMETRIC_MONOCHROME2, "PNG",
                expected, expected_bytes);
}

/* ---- PNG: files written by libpng directly ------------------------------- */

typedef struct {
  const char *name;
  guint width;
  guint height;
  int   color_type;
  int   bit_depth;
  int   interlace;
} PngCase;

static const PngCase png_cases[] = {
  { "gray1",        17,  5, PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE },
  { "gray2",        17,  5, PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE },
  { "gray4",        17,  5, PNG_COLOR_TYPE_GRAY, 4, PNG_INTERLACE_NONE },
  { "gray8",        64, 48, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE },
  { "gray16",       64, 48, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE },
  { "gray16-odd",   17,  5, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE },
  { "gray16-adam7", 17,  5, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_ADAM7 },
  { "gray8-adam7-1x1", 1, 1, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_ADAM7 },
  { "gray-alpha8",  17,  5, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE },
  { "gray-alpha16", 17,  5, PNG_COLOR_TYPE_GRAY_ALPHA, 16, PNG_INTERLACE_NONE },
  { "rgb8",         64, 48, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE },
  { "rgb8-adam7",   33, 21, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7 },
  { "rgb16",        17,  5, PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE },
  { "rgba8",        17,  5, PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE },
  { "rgba16",       17,  5, PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_ADAM7 },
  { "palette8",     17,  5, PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE },
  { "palette4",     17,  5, PNG_COLOR_TYPE_PALETTE, 4, PNG_INTERLACE_NONE },
  { "palette1",     17,  5, PNG_COLOR_TYPE_PALETTE, 1, PNG_INTERLACE_NONE },
};

static void
test_png_load_case (Fixture *fixture, gconstpointer data)
{
  const PngCase *c = data;
  g_autofree char *path = fen_test_fixture_path (fixture, "in.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = NULL;
  guint seed = g_str_hash (c->name) + 3;
  gboolean palette = c->color_type == PNG_COLOR_TYPE_PALETTE;
  guint channels = palette ? 1 : (c->color_type & PNG_COLOR_MASK_COLOR ? 3 : 1) +
                                 (c->color_type & PNG_COLOR_MASK_ALPHA ? 1 : 0);
  guint color = palette || (c->color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1;
  guint out_bits = color == 1 && c->bit_depth == 16 ? 16 : 8;
  gsize stride = ((gsize) c->width * channels * c->bit_depth + 7) / 8;
  g_autofree guint8 *rows = g_malloc0 (stride * c->height);
  g_autofree guint8 *expected = g_malloc ((gsize) c->width * c->height * color * out_bits / 8);
  png_color palette_entries[256];
  guint8 trns[256];
  guint n_palette = palette ? 1u << c->bit_depth : 0;
  guint8 *e = expected;

  for (guint i = 0; i < n_palette; i++)
    {
      palette_entries[i].red = (png_byte) fen_test_sample_value (seed, 9, i, 0, 0, 8);
      palette_entries[i].green = (png_byte) fen_test_sample_value (seed, 9, i, 0, 1, 8);
      palette_entries[i].blue = (png_byte) fen_test_sample_value (seed, 9, i, 0, 2, 8);
      trns[i] = (guint8) (i * 37); /* must be ignored */
    }

  for (guint y = 0; y < c->height; y++)
    for (guint x = 0; x < c->width; x++)
      for (guint s = 0; s < channels; s++)
        {
          guint32 v = fen_test_sample_value (seed, 0, x, y, s, (guint) c->bit_depth);
          guint8 *row = rows + y * stride;

          /* PNG packs sub-byte samples from the high bits, 16-bit big-endian. */
          if (c->bit_depth < 8)
            {
              gsize bit = (gsize) (x * channels + s) * c->bit_depth;
              row[bit / 8] |= (guint8) (v << (8 - c->bit_depth - bit % 8));
            }
          else if (c->bit_depth == 8)
            row[x * channels + s] = (guint8) v;
          else
            {
              row[(x * channels + s) * 2] = (guint8) (v >> 8);
              row[(x * channels + s) * 2 + 1] = (guint8) v;
            }

          if (palette)
            {
              *e++ = palette_entries[v].red;
              *e++ = palette_entries[v].green;
              *e++ = palette_entries[v].blue;
            }
          else if (s < color)
            {
              if (c->bit_depth < 8)
                *e++ = (guint8) (v * 255 / ((1u << c->bit_depth) - 1));
              else if (out_bits == 8 && c->bit_depth == 16)
                *e++ = fen_test_scale_16_to_8 (v);
              else
                {
                  fen_test_put_sample (e, out_bits / 8, v);
                  e += out_bits / 8;
                }
            }
        }

  fen_test_direct_png_write (path, c->width, c->height, c->color_type, c->bit_depth, c->interlace, rows,
                    stride, palette ? palette_entries : NULL, (int) n_palette,
                    palette ? trns : NULL, (int) n_palette);
  image = fen_test_load_checked (fen_png_load, path, NULL, &error);
  g_assert_no_error (error);
  fen_test_assert_image (image, c->width, c->height, 1, color, out_bits, 0,
                color == 3 ? FEN_PHOTOMETRIC_RGB : FEN_PHOTOMETRIC_MONOCHROME2, "PNG",
                expected, (gsize) (e - expected));
  g_assert_cmpstr (fen_image_get_info (image)->photometric_name, ==,
                   palette ? "PALETTE COLOR" : color == 3 ? "RGB" : "MONOCHROME2");
}

/* ---- Refusals ------------------------------------------------------------ */


static void
test_tiff_refuse_mismatched_pages (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fen_test_fixture_path (fixture, "mixed.tif");
  g_autoptr(GError) error = NULL;
  TiffCase c = { "mixed", 10, 10, 1, 8, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, FALSE, M2 };
  TIFF *tif;
  guint8 row[12] = { 0 };

  fen_test_direct_tiff_write (path, &c, 1);
  /* Append a page of another size. */
  tif = TIFFOpen (path, "a");
  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, 12);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, 1);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFWriteScanline (tif, row, 0, 0);
  TIFFWriteDirectory (tif);
  TIFFClose (tif);

  g_assert_null (fen_test_load_checked (fen_tiff_load, path, NULL, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);
  fen_test_assert_error_names_file (error, path);
  g_assert_nonnull (strstr (error->message, "page 2"));
}

typedef struct {
  const char *name;
  guint16 bits;
  guint16 samples;
  guint16 format;
  guint16 photometric;
} TiffRefusal;

static const TiffRefusal tiff_refusals[] = {
  { "float32",    32, 1, SAMPLEFORMAT_IEEEFP, PHOTOMETRIC_MINISBLACK },
  { "bilevel",     1, 1, SAMPLEFORMAT_UINT, PHOTOMETRIC_MINISWHITE },
  { "gray4",       4, 1, SAMPLEFORMAT_UINT, PHOTOMETRIC_MINISBLACK },
  { "gray32",     32, 1, SAMPLEFORMAT_UINT, PHOTOMETRIC_MINISBLACK },
  { "palette8",    8, 1, SAMPLEFORMAT_UINT, PHOTOMETRIC_PALETTE },
  { "cmyk8",       8, 4, SAMPLEFORMAT_UINT, PHOTOMETRIC_SEPARATED },
  { "signed-rgb",  8, 3, SAMPLEFORMAT_INT, PHOTOMETRIC_RGB },
};

static void
test_tiff_refuse_case (Fixture *fixture, gconstpointer data)
{
  const TiffRefusal *r = data;
  g_autofree char *path = fen_test_fixture_path (fixture, "refused.tif");
  g_autoptr(GError) error = NULL;
  TIFF *tif = TIFFOpen (path, "w");
  gsize row_bytes = (8 * r->samples * r->bits + 7) / 8;
  g_autofree guint8 *row = g_malloc0 (row_bytes);

  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, 8);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, 2);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, r->bits);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, r->samples);
  TIFFSetField (tif, TIFFTAG_SAMPLEFORMAT, r->format);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, r->photometric);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  if (r->photometric == PHOTOMETRIC_PALETTE)
    {
      guint16 map[256] = { 0 };
      TIFFSetField (tif, TIFFTAG_COLORMAP, map, map, map);
    }
  for (guint y = 0; y < 2; y++)
    TIFFWriteScanline (tif, row, y, 0);
  TIFFClose (tif);

  g_assert_null (fen_test_load_checked (fen_tiff_load, path, NULL, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);
  fen_test_assert_error_names_file (error, path);
}

static void
test_png_refuse_signed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fen_test_fixture_path (fixture, "signed.png");
  g_autoptr(GError) error = NULL;
  guint16 pixels[4] = { 1, 2, 3, 4 };
  FenRaster raster = { .width = 2, .height = 2, .channels = 1, .bits = 16, .is_signed = TRUE,
                       .pixels = pixels, .stride = 4, .pages = 1 };

  fen_test_write_bytes (path, "old", 3);
  g_assert_false (fen_png_write (path, &raster, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "PNG cannot hold signed samples; write TIFF"));
  g_clear_error (&error);

  raster.is_signed = FALSE;
  raster.pages = 2;
  raster.page_stride = 8;
  g_assert_false (fen_png_write (path, &raster, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);

  /* The old file is untouched and no temporary is left. */
  {
    g_autoptr(GBytes) bytes = fen_test_read_bytes (path);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "old", 3);
  }
  g_assert_cmpuint (fen_test_fixture_count_files (fixture), ==, 1);
}

/* ---- Writers: failure leaves the old file -------------------------------- */

typedef gboolean (*Writer) (const char *, const FenRaster *, GError **);

static void
fen_test_check_failed_write (Fixture *fixture, Writer writer, const char *name)
{
  g_autofree char *path = fen_test_fixture_path (fixture, name);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pixels = NULL;
  struct rlimit old_limit, limit;
  FenRaster raster;
  RasterCase c = { "big", 512, 512, 1, 3, 8, FALSE };

  /* Noise, so compression cannot squeeze it under the limit. */
  pixels = fen_test_make_raster (&c, 99, &raster);
  fen_test_write_bytes (path, "old contents", 12);

  /* A file size limit makes write(2) fail with EFBIG part way through, as
   * a full disk would. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  limit = old_limit;
  limit.rlim_cur = 64 * 1024;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  g_assert_false (writer (path, &raster, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  signal (SIGXFSZ, SIG_DFL);

  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, path));
  {
    g_autoptr(GBytes) bytes = fen_test_read_bytes (path);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "old contents", 12);
  }
  g_assert_cmpuint (fen_test_fixture_count_files (fixture), ==, 1);

  /* A directory that does not exist. */
  g_clear_error (&error);
  {
    g_autofree char *missing = g_build_filename (fixture->dir, "no-such-dir", name, NULL);
    g_assert_false (writer (missing, &raster, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE);
    g_assert_nonnull (strstr (error->message, missing));
  }

  /* Success replaces the old file. */
  g_clear_error (&error);
  g_assert_true (writer (path, &raster, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fen_test_fixture_count_files (fixture), ==, 1);
}

static void
test_png_write_failure (Fixture *fixture, gconstpointer data)
{
  fen_test_check_failed_write (fixture, fen_png_write, "out.png");
}

static void
test_tiff_write_failure (Fixture *fixture, gconstpointer data)
{
  fen_test_check_failed_write (fixture, fen_tiff_write, "out.tif");
}


/* JPEG-in-TIFF (YCbCr 4:2:0) decodes to RGB through libjpeg. */
static void
test_tiff_jpeg_ycbcr (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fen_test_fixture_path (fixture, "jpeg.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = NULL;
  guint8 row[32 * 3];
  TIFF *tif;

  if (!TIFFIsCODECConfigured (COMPRESSION_JPEG))
    {
      g_test_fail_printf ("libtiff without its JPEG codec: Debian's libtiff has it, and a missing codec fails the test");
      return;
    }
  tif = TIFFOpen (path, "w");
  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, 32);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, 16);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR);
  TIFFSetField (tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  TIFFSetField (tif, TIFFTAG_JPEGQUALITY, 95);
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, 16);
  for (guint y = 0; y < 16; y++)
    {
      for (guint x = 0; x < 32; x++)
        {
          row[x * 3] = 200;
          row[x * 3 + 1] = 60;
          row[x * 3 + 2] = 30;
        }
      g_assert_cmpint (TIFFWriteScanline (tif, row, y, 0), ==, 1);
    }
  TIFFClose (tif);

  image = fen_test_load_checked (fen_tiff_load, path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (fen_image_is_color (image));
  {
    const guint8 *p = fen_image_get_frame (image, 0);
    for (guint i = 0; i < 32 * 16; i++)
      {
        g_assert_cmpint (ABS (p[i * 3] - 200), <=, 4);
        g_assert_cmpint (ABS (p[i * 3 + 1] - 60), <=, 4);
        g_assert_cmpint (ABS (p[i * 3 + 2] - 30), <=, 4);
      }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (png_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/png/load/%s", png_cases[i].name);
      g_test_add (name, Fixture, &png_cases[i], fen_test_fixture_set_up, test_png_load_case, fen_test_fixture_tear_down);
    }
  for (guint i = 0; i < G_N_ELEMENTS (png_raster_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/png/roundtrip/%s", png_raster_cases[i].name);
      g_test_add (name, Fixture, &png_raster_cases[i], fen_test_fixture_set_up, test_png_roundtrip_case,
                  fen_test_fixture_tear_down);
    }
  for (guint i = 0; i < G_N_ELEMENTS (tiff_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/tiff/load/%s", tiff_cases[i].name);
      g_test_add (name, Fixture, &tiff_cases[i], fen_test_fixture_set_up, test_tiff_load_case, fen_test_fixture_tear_down);
    }
  for (guint i = 0; i < G_N_ELEMENTS (tiff_raster_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/tiff/roundtrip/%s", tiff_raster_cases[i].name);
      g_test_add (name, Fixture, &tiff_raster_cases[i], fen_test_fixture_set_up, test_tiff_roundtrip_case,
                  fen_test_fixture_tear_down);
    }
  for (guint i = 0; i < G_N_ELEMENTS (tiff_refusals); i++)
    {
      g_autofree char *name = g_strdup_printf ("/tiff/refuse/%s", tiff_refusals[i].name);
      g_test_add (name, Fixture, &tiff_refusals[i], fen_test_fixture_set_up, test_tiff_refuse_case,
                  fen_test_fixture_tear_down);
    }
  g_test_add ("/tiff/refuse/mismatched-pages", Fixture, NULL, fen_test_fixture_set_up,
              test_tiff_refuse_mismatched_pages, fen_test_fixture_tear_down);
  g_test_add ("/tiff/load/jpeg-ycbcr", Fixture, NULL, fen_test_fixture_set_up, test_tiff_jpeg_ycbcr,
              fen_test_fixture_tear_down);
  g_test_add ("/png/refuse/signed-and-pages", Fixture, NULL, fen_test_fixture_set_up,
              test_png_refuse_signed, fen_test_fixture_tear_down);
  g_test_add ("/png/write/failure-keeps-old-file", Fixture, NULL, fen_test_fixture_set_up,
              test_png_write_failure, fen_test_fixture_tear_down);
  g_test_add ("/tiff/write/failure-keeps-old-file", Fixture, NULL, fen_test_fixture_set_up,
              test_tiff_write_failure, fen_test_fixture_tear_down);

  return g_test_run ();
}
