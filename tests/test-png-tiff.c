/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-png-tiff.c: the PNG and TIFF loaders and writers. Fixtures are made
 * at test time twice over: with our writers, and with libpng/libtiff called
 * directly here, so a writer bug cannot hide a loader bug (and files we
 * write are read back here with libpng/libtiff too). */
#define G_LOG_DOMAIN "test-png-tiff"

#include <fenestra/fenestra.h>

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <tiffio.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* ---- Fixture: one temporary directory per test --------------------------- */

typedef struct {
  char *dir;
} Fixture;

static void
fen_test_fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("fen-png-tiff-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
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

static char *
fen_test_fixture_path (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static guint
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
static guint32
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

static guint8
fen_test_scale_16_to_8 (guint32 v)
{
  return (guint8) ((v * 255 + 32895) >> 16);
}

static void
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

static GBytes *
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
static void
fen_test_write_bytes (const char *path, const void *data, gsize length)
{
  FILE *fp = fopen (path, "wb");

  g_assert_nonnull (fp);
  g_assert_cmpuint (fwrite (data, 1, length, fp), ==, length);
  g_assert_cmpint (fclose (fp), ==, 0);
}

typedef FenImage *(*Loader) (const char *, const FenLoadOptions *, GError **);

/* Loads and asserts the file was not touched. */
static FenImage *
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
static void
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
static guint8 *
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

typedef struct {
  const char *name;
  guint    width;
  guint    height;
  guint    pages;
  guint    bits;
  guint    samples;        /* in the file, extra samples included */
  guint    color;          /* expected in memory: 1 or 3 */
  gboolean is_signed;
  guint16  photometric;
  guint16  planar;
  guint16  compression;
  guint    tile;           /* 0: strips; else square tiles of this size */
  guint    rows_per_strip; /* 0: libtiff's default */
  gboolean big_endian;
  gboolean thumbnail;      /* add a reduced-resolution page after page 1 */
  FenPhotometric expect_photometric;
} TiffCase;

/* Writes @c with values from fen_test_sample_value(seed, page, x, y, s). */
static void
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
static guint8 *
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
static guint8 *
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

static void
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

/* ---- TIFF: files written by libtiff directly ----------------------------- */

#define C_GRAY PHOTOMETRIC_MINISBLACK
#define C_RGB  PHOTOMETRIC_RGB
#define M2 FEN_PHOTOMETRIC_MONOCHROME2
#define RGBP FEN_PHOTOMETRIC_RGB
#define CONTIG PLANARCONFIG_CONTIG
#define SEP PLANARCONFIG_SEPARATE

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

typedef struct {
  const char *name;
  guint    width;
  guint    height;
  guint    pages;
  guint    channels;
  guint    bits;
  gboolean is_signed;
} RasterCase;

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

/* A raster with padded rows and pages, so stride handling shows. */
static guint8 *
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
static guint8 *
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
static guint8 *
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
fen_test_assert_error_names_file (const GError *error, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, base));
}

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

/* ---- Robustness ---------------------------------------------------------- */

static void
test_empty_and_wrong_magic (Fixture *fixture, gconstpointer data)
{
  Loader loaders[] = { fen_png_load, fen_tiff_load };
  static const struct { const char *content; gsize length; } files[] = {
    { "", 0 },
    { "GIF89a\x01\x00\x01\x00\x00\x00\x00", 13 },
    { "\x89PNX\r\n\x1a\n0000000000000000", 24 },
    { "IIX\0\x08\0\0\0", 8 },
    { "MM\0\x2a", 4 },
    { "plain text, long enough to look like something", 46 },
  };

  for (guint l = 0; l < G_N_ELEMENTS (loaders); l++)
    for (guint f = 0; f < G_N_ELEMENTS (files); f++)
      {
        g_autofree char *path = fen_test_fixture_path (fixture, "junk");
        g_autoptr(GError) error = NULL;

        fen_test_write_bytes (path, files[f].content, files[f].length);
        g_assert_null (fen_test_load_checked (loaders[l], path, NULL, &error));
        g_assert_nonnull (error);
        g_assert_true (error->domain == FEN_IO_ERROR);
        g_assert_true (error->code == FEN_IO_ERROR_FORMAT || error->code == FEN_IO_ERROR_TRUNCATED);
        fen_test_assert_error_names_file (error, path);
      }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *missing = fen_test_fixture_path (fixture, "missing.png");
    g_assert_null (fen_png_load (missing, NULL, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN);
    g_clear_error (&error);
    g_assert_null (fen_tiff_load (missing, NULL, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN);
  }
}

/* Fixtures for truncation and corruption, made fresh in the test's dir. */
static GBytes *
fen_test_make_fixture_bytes (Fixture *fixture, guint which, Loader *loader)
{
  g_autofree char *path = fen_test_fixture_path (fixture, "source");
  g_autoptr(GError) error = NULL;
  FenRaster raster;
  g_autofree guint8 *pixels = NULL;

  switch (which)
    {
    case 0: /* PNG gray16, our writer */
      {
        RasterCase c = { "f0", 40, 30, 1, 1, 16, FALSE };
        pixels = fen_test_make_raster (&c, 7, &raster);
        g_assert_true (fen_png_write (path, &raster, &error));
        *loader = fen_png_load;
        break;
      }
    case 1: /* PNG RGB interlaced, libpng */
      {
        guint8 rows[25 * 75];
        for (guint i = 0; i < sizeof rows; i++)
          rows[i] = (guint8) fen_test_sample_value (8, 0, i, 0, 0, 8);
        fen_test_direct_png_write (path, 25, 25, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, rows, 75,
                          NULL, 0, NULL, 0);
        *loader = fen_png_load;
        break;
      }
    case 2: /* TIFF uncompressed planar RGB, libtiff */
      {
        TiffCase c = { "f2", 30, 20, 1, 8, 3, 3, FALSE, C_RGB, SEP, COMPRESSION_NONE, 0, 5, FALSE, FALSE, RGBP };
        fen_test_direct_tiff_write (path, &c, 9);
        *loader = fen_tiff_load;
        break;
      }
    case 3: /* TIFF 3 pages deflate, our writer */
      {
        RasterCase c = { "f3", 30, 20, 3, 1, 16, TRUE };
        pixels = fen_test_make_raster (&c, 10, &raster);
        g_assert_true (fen_tiff_write (path, &raster, &error));
        *loader = fen_tiff_load;
        break;
      }
    case 4: /* TIFF tiled LZW big-endian, libtiff */
      {
        TiffCase c = { "f4", 40, 33, 2, 16, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_LZW, 16, 0, TRUE, FALSE, M2 };
        fen_test_direct_tiff_write (path, &c, 11);
        *loader = fen_tiff_load;
        break;
      }
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  {
    GBytes *bytes = fen_test_read_bytes (path);
    g_unlink (path);
    return bytes;
  }
}

#define N_FIXTURES 5

static void
test_truncated (Fixture *fixture, gconstpointer data)
{
  for (guint which = 0; which < N_FIXTURES; which++)
    {
      Loader loader;
      g_autoptr(GBytes) bytes = fen_test_make_fixture_bytes (fixture, which, &loader);
      gsize size;
      const guint8 *content = g_bytes_get_data (bytes, &size);
      g_autofree char *path = fen_test_fixture_path (fixture, "cut");
      /* The last 16 bytes of a PNG are the IDAT CRC and IEND, which a
       * viewer need not insist on; every other cut loses pixels. */
      gsize limit = loader == fen_png_load ? size - 16 : size;

      for (gsize cut = 1; cut < limit; cut += (cut < 64 ? 1 : 37))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(FenImage) image = NULL;

          fen_test_write_bytes (path, content, cut);
          image = fen_test_load_checked (loader, path, NULL, &error);
          if (image != NULL)
            g_error ("fixture %u cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " loaded",
                     which, cut, size);
          g_assert_true (error->domain == FEN_IO_ERROR);
          g_assert_true (error->code == FEN_IO_ERROR_TRUNCATED ||
                         error->code == FEN_IO_ERROR_CORRUPT ||
                         error->code == FEN_IO_ERROR_FORMAT);
          fen_test_assert_error_names_file (error, path);
        }
    }
}

static guint32 fen_test_crc32_bytes (const guint8 *p, gsize n);
static void fen_test_put_be32 (guint8 *p, guint32 v);

/* Recomputes every chunk CRC of a damaged PNG, so that the damage gets past
 * libpng's CRC check into inflate, the filters and our row loop. */
static void
fen_test_fix_png_crcs (guint8 *png, gsize size)
{
  gsize at = 8;

  while (at + 12 <= size)
    {
      guint32 length = ((guint32) png[at] << 24) | ((guint32) png[at + 1] << 16) |
                       ((guint32) png[at + 2] << 8) | png[at + 3];

      if (length > size - at - 12)
        break;
      fen_test_put_be32 (png + at + 8 + length, fen_test_crc32_bytes (png + at + 4, length + 4));
      at += 12 + (gsize) length;
    }
}

static void
test_corrupted (Fixture *fixture, gconstpointer data)
{
  /* Fixed seeds: a failure is reproducible from its iteration number. */
  guint iterations = g_test_slow () ? 3000 : 400;

  for (guint which = 0; which < N_FIXTURES; which++)
    {
      Loader loader;
      g_autoptr(GBytes) bytes = fen_test_make_fixture_bytes (fixture, which, &loader);
      g_autoptr(GRand) rand = g_rand_new_with_seed (1234 + which);
      gsize size;
      const guint8 *content = g_bytes_get_data (bytes, &size);
      g_autofree guint8 *copy = g_malloc (size);
      g_autofree char *path = fen_test_fixture_path (fixture, "damaged");
      guint loaded = 0;

      for (guint i = 0; i < iterations; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(FenImage) image = NULL;
          guint n_flips = (guint) g_rand_int_range (rand, 1, 9);

          memcpy (copy, content, size);
          for (guint f = 0; f < n_flips; f++)
            {
              gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) size);
              /* Headers are where damage hurts: aim there half the time. */
              if (g_rand_boolean (rand))
                at = at % MIN (size, 256);
              copy[at] = (guint8) g_rand_int_range (rand, 0, 256);
            }
          if (loader == fen_png_load && i % 2 == 0)
            fen_test_fix_png_crcs (copy, size);
          fen_test_write_bytes (path, copy, size);
          image = fen_test_load_checked (loader, path, NULL, &error);
          if (image != NULL)
            {
              loaded++;
              /* Touch every byte, so a short decode shows under the sanitizers. */
              {
                gint32 lo, hi;
                fen_image_get_stored_range (image, &lo, &hi);
                g_assert_cmpint (lo, <=, hi);
              }
            }
          else
            {
              g_assert_true (error->domain == FEN_IO_ERROR);
              g_assert_cmpstr (error->message, !=, "");
            }
        }
      g_test_message ("fixture %u: %u of %u damaged files still loaded", which, loaded,
                      iterations);
    }
}

/* libtiff and libpng must not print: everything goes into the GError. */
static void
test_quiet (Fixture *fixture, gconstpointer data)
{
  g_autofree char *log_path = fen_test_fixture_path (fixture, "stderr.log");
  int saved = dup (STDERR_FILENO);
  int fd = g_open (log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  fflush (stderr);
  dup2 (fd, STDERR_FILENO);
  close (fd);
  test_corrupted (fixture, data);
  test_truncated (fixture, data);
  fflush (stderr);
  dup2 (saved, STDERR_FILENO);
  close (saved);

  {
    g_autoptr(GBytes) bytes = fen_test_read_bytes (log_path);
    if (g_bytes_get_size (bytes) != 0)
      g_error ("the loaders printed to stderr: %.*s", (int) MIN (g_bytes_get_size (bytes), 500),
               (const char *) g_bytes_get_data (bytes, NULL));
  }
}

/* ---- Huge declared sizes: refused before allocation ---------------------- */

static guint32
fen_test_crc32_bytes (const guint8 *p, gsize n)
{
  guint32 crc = 0xFFFFFFFFu;

  for (gsize i = 0; i < n; i++)
    {
      crc ^= p[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
  return ~crc;
}

static void
fen_test_put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* A PNG whose IHDR declares @width x @height, followed by a tiny IDAT. */
static void
fen_test_write_lying_png (const char *path, guint32 width, guint32 height, guint8 bit_depth,
                 guint8 color_type)
{
  static const guint8 idat[] = { 0, 0, 0, 2, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0, 0, 0, 0 };
  guint8 file[8 + 25 + sizeof idat + 12];
  guint8 *p = file;

  memcpy (p, "\x89PNG\r\n\x1a\n", 8);
  p += 8;
  fen_test_put_be32 (p, 13);
  memcpy (p + 4, "IHDR", 4);
  fen_test_put_be32 (p + 8, width);
  fen_test_put_be32 (p + 12, height);
  p[16] = bit_depth;
  p[17] = color_type;
  p[18] = p[19] = p[20] = 0;
  fen_test_put_be32 (p + 21, fen_test_crc32_bytes (p + 4, 17));
  p += 25;
  memcpy (p, idat, sizeof idat);
  fen_test_put_be32 (p + 10, fen_test_crc32_bytes (p + 4, 6));
  p += sizeof idat;
  fen_test_put_be32 (p, 0);
  memcpy (p + 4, "IEND", 4);
  fen_test_put_be32 (p + 8, fen_test_crc32_bytes (p + 4, 4));
  fen_test_write_bytes (path, file, sizeof file);
}

/* A little-endian TIFF with its directory first and a strip that claims
 * @strip_bytes, of which the file holds 16. */
static void
fen_test_write_lying_tiff (const char *path, guint32 width, guint32 height, guint16 bits,
                  guint32 strip_bytes)
{
  guint8 file[8 + 2 + 9 * 12 + 4 + 16] = { 0 };
  guint8 *p = file + 10;
  guint32 data_offset = 8 + 2 + 9 * 12 + 4;
  const guint32 entries[9][3] = {
    /* tag, type (3 SHORT, 4 LONG), value */
    { 256, 4, width }, { 257, 4, height }, { 258, 3, bits }, { 259, 3, 1 }, { 262, 3, 1 },
    { 273, 4, data_offset }, { 277, 3, 1 }, { 278, 4, height }, { 279, 4, strip_bytes },
  };

  memcpy (file, "II*\0\x08\0\0\0", 8);
  file[8] = 9;
  for (guint i = 0; i < 9; i++, p += 12)
    {
      p[0] = (guint8) entries[i][0];
      p[1] = (guint8) (entries[i][0] >> 8);
      p[2] = (guint8) entries[i][1];
      p[4] = 1;
      for (guint b = 0; b < 4; b++)
        p[8 + b] = (guint8) (entries[i][2] >> (8 * b));
    }
  fen_test_write_bytes (path, file, sizeof file);
}

static void
test_huge (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fen_test_fixture_path (fixture, "huge");
  FenLoadOptions options = { .max_pixel_bytes = 64 * 1024 * 1024 };
  struct {
    guint32 width, height;
    const FenLoadOptions *options;
    FenIoError png_code;  /* what the PNG loader must say */
  } cases[] = {
    { 100000, 100000, NULL, FEN_IO_ERROR_TOO_LARGE },       /* past the dimension limit */
    { G_MAXUINT32, 1, NULL, FEN_IO_ERROR_TOO_LARGE },
    { 65535, 65535, NULL, FEN_IO_ERROR_TRUNCATED },          /* 100 bytes cannot hold it */
    { 60000, 60000, &options, FEN_IO_ERROR_TRUNCATED },
    { 0, 10, NULL, FEN_IO_ERROR_CORRUPT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      fen_test_write_lying_png (path, cases[i].width, cases[i].height, 16, PNG_COLOR_TYPE_GRAY);
      g_assert_null (fen_test_load_checked (fen_png_load, path, cases[i].options, &error));
      g_assert_error (error, FEN_IO_ERROR, cases[i].png_code);
      fen_test_assert_error_names_file (error, path);
    }

  /* A small declared size that exceeds only the budget. */
  {
    g_autoptr(GError) error = NULL;
    FenLoadOptions tiny = { .max_pixel_bytes = 1000 };
    guint8 rows[40 * 40] = { 0 };

    fen_test_direct_png_write (path, 40, 40, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, rows, 40,
                      NULL, 0, NULL, 0);
    g_assert_null (fen_test_load_checked (fen_png_load, path, &tiny, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
    fen_test_assert_error_names_file (error, path);
  }

  /* TIFF: past the dimension limit, a strip beyond the end, the budget. */
  {
    g_autoptr(GError) error = NULL;

    fen_test_write_lying_tiff (path, 100000, 100000, 8, 16);
    g_assert_null (fen_test_load_checked (fen_tiff_load, path, NULL, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
    fen_test_assert_error_names_file (error, path);
    g_clear_error (&error);

    fen_test_write_lying_tiff (path, 65535, 65535, 16, G_MAXUINT32);
    g_assert_null (fen_test_load_checked (fen_tiff_load, path, NULL, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED);
    fen_test_assert_error_names_file (error, path);
    g_clear_error (&error);

    {
      FenLoadOptions tiny = { .max_pixel_bytes = 1000 };
      TiffCase c = { "budget", 40, 40, 1, 8, 1, 1, FALSE, C_GRAY, CONTIG, COMPRESSION_NONE, 0, 0, FALSE, FALSE, M2 };

      fen_test_direct_tiff_write (path, &c, 1);
      g_assert_null (fen_test_load_checked (fen_tiff_load, path, &tiny, &error));
    }
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
    fen_test_assert_error_names_file (error, path);
    g_clear_error (&error);

    /* The hand-made file itself is sound when it tells the truth. */
    {
      g_autoptr(FenImage) image = NULL;
      fen_test_write_lying_tiff (path, 4, 4, 8, 16);
      image = fen_test_load_checked (fen_tiff_load, path, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fen_image_get_width (image), ==, 4);
    }
  }
}

/* A chain of directories that loops back on itself must not hang. */
static void
test_tiff_ifd_loop (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fen_test_fixture_path (fixture, "loop.tif");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = NULL;
  guint8 file[8 + 2 + 9 * 12 + 4 + 16];

  fen_test_write_lying_tiff (path, 4, 4, 8, 16);
  {
    g_autoptr(GBytes) bytes = fen_test_read_bytes (path);
    memcpy (file, g_bytes_get_data (bytes, NULL), sizeof file);
  }
  /* The next-directory pointer points back at the first directory. */
  file[8 + 2 + 9 * 12] = 8;
  fen_test_write_bytes (path, file, sizeof file);

  image = fen_test_load_checked (fen_tiff_load, path, NULL, &error);
  if (image != NULL)
    g_assert_cmpuint (fen_image_get_n_frames (image), ==, 1);
  else
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
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
      g_test_skip ("libtiff without JPEG");
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
  g_test_add ("/tiff/robust/ifd-loop", Fixture, NULL, fen_test_fixture_set_up, test_tiff_ifd_loop,
              fen_test_fixture_tear_down);
  g_test_add ("/png/refuse/signed-and-pages", Fixture, NULL, fen_test_fixture_set_up,
              test_png_refuse_signed, fen_test_fixture_tear_down);
  g_test_add ("/png/write/failure-keeps-old-file", Fixture, NULL, fen_test_fixture_set_up,
              test_png_write_failure, fen_test_fixture_tear_down);
  g_test_add ("/tiff/write/failure-keeps-old-file", Fixture, NULL, fen_test_fixture_set_up,
              test_tiff_write_failure, fen_test_fixture_tear_down);
  g_test_add ("/pngtiff/robust/empty-and-wrong-magic", Fixture, NULL, fen_test_fixture_set_up,
              test_empty_and_wrong_magic, fen_test_fixture_tear_down);
  g_test_add ("/pngtiff/robust/huge", Fixture, NULL, fen_test_fixture_set_up, test_huge,
              fen_test_fixture_tear_down);
  g_test_add ("/pngtiff/robust/truncated", Fixture, NULL, fen_test_fixture_set_up, test_truncated,
              fen_test_fixture_tear_down);
  g_test_add ("/pngtiff/robust/corrupted", Fixture, NULL, fen_test_fixture_set_up, test_corrupted,
              fen_test_fixture_tear_down);
  g_test_add ("/pngtiff/robust/quiet", Fixture, NULL, fen_test_fixture_set_up, test_quiet,
              fen_test_fixture_tear_down);

  return g_test_run ();
}
