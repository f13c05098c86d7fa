/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-raster.h: what the PNG and TIFF tests share. A temporary
 * directory per test, deterministic sample values, fixtures written with
 * libpng and libtiff called directly (so a writer bug of ours cannot hide a
 * loader bug), and the checks on a loaded image. */
#pragma once

#include <fenestra/fenestra.h>
#include <png.h>
#include <tiffio.h>

G_BEGIN_DECLS

/* ---- Fixture: one temporary directory per test ---- */

typedef struct {
  char *dir;
} Fixture;

void      fen_test_fixture_set_up      (Fixture *fixture, gconstpointer data);
void      fen_test_fixture_tear_down   (Fixture *fixture, gconstpointer data);
char     *fen_test_fixture_path        (Fixture *fixture, const char *name);
guint     fen_test_fixture_count_files (Fixture *fixture);

/* ---- Deterministic sample values ---- */

/* A hash of (seed, page, x, y, sample), @bits wide. */
guint32   fen_test_sample_value  (guint seed, guint page, guint x, guint y, guint s, guint bits);
guint8    fen_test_scale_16_to_8 (guint32 v);
void      fen_test_put_sample    (guint8 *p, guint bytes, guint32 v);

/* ---- Files ---- */

GBytes   *fen_test_read_bytes  (const char *path);
void      fen_test_write_bytes (const char *path, const void *data, gsize length);

typedef FenImage *(*Loader) (const char *, const FenLoadOptions *, GError **);

/* Loads @path with @loader and checks that the file was not modified. */
FenImage *fen_test_load_checked (Loader loader, const char *path, const FenLoadOptions *options,
                                 GError **error);
/* The error message names the file. */
void      fen_test_assert_error_names_file (const GError *error, const char *path);

/* ---- libpng, directly ---- */

void      fen_test_direct_png_write (const char *path, guint width, guint height, int color_type,
                                     int bit_depth, int interlace, const guint8 *rows, gsize stride,
                                     const png_color *palette, int n_palette, const guint8 *trns,
                                     int n_trns);
guint8   *fen_test_direct_png_read  (const char *path, guint *width, guint *height, guint *channels,
                                     guint *bits);

/* ---- libtiff, directly ---- */

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

#define C_GRAY PHOTOMETRIC_MINISBLACK
#define C_RGB  PHOTOMETRIC_RGB
#define M2 FEN_PHOTOMETRIC_MONOCHROME2
#define RGBP FEN_PHOTOMETRIC_RGB
#define CONTIG PLANARCONFIG_CONTIG
#define SEP PLANARCONFIG_SEPARATE

void      fen_test_direct_tiff_write    (const char *path, const TiffCase *c, guint seed);
guint8   *fen_test_expected_tiff_pixels (const TiffCase *c, guint seed, gsize *out_bytes);
guint8   *fen_test_direct_tiff_read     (const char *path, guint *width, guint *height,
                                         guint *channels, guint *bits, guint *pages,
                                         gboolean *is_signed);

/* ---- Our writers' rasters ---- */

typedef struct {
  const char *name;
  guint    width;
  guint    height;
  guint    pages;
  guint    channels;
  guint    bits;
  gboolean is_signed;
} RasterCase;

/* A raster with padded rows and pages, so stride handling shows. */
guint8   *fen_test_make_raster   (const RasterCase *c, guint seed, FenRaster *raster);
/* The raster's pixels without padding: what libtiff/libpng must read back. */
guint8   *fen_test_packed_raster (const RasterCase *c, guint seed, gsize *out_bytes);
/* What our loaders make of the raster: alpha dropped, colour at 8 bits. */
guint8   *fen_test_loaded_raster (const RasterCase *c, guint seed, guint *samples, guint *bits,
                                  gsize *out_bytes);

/* ---- Checks on a loaded image ---- */

void      fen_test_assert_image (FenImage *image, guint width, guint height, guint frames,
                                 guint samples, guint bits, guint pixel_representation,
                                 FenPhotometric photometric, const char *format,
                                 const guint8 *expected, gsize expected_bytes);

G_END_DECLS
