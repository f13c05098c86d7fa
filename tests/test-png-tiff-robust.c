/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-png-tiff-robust.c: the PNG and TIFF loaders on bad input: empty and
 * wrong files, every truncation, corrupted bytes, declared sizes that would
 * exhaust memory, IFD loops. Each gets a clear error naming the file, never
 * a crash, a hang or an allocation sized by the file. */
#define G_LOG_DOMAIN "test-png-tiff"

#include <fenestra/fenestra.h>

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <signal.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fen-test-raster.h"

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
    gint png_code;         /* what the PNG loader must say */
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tiff/robust/ifd-loop", Fixture, NULL, fen_test_fixture_set_up, test_tiff_ifd_loop,
              fen_test_fixture_tear_down);
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
