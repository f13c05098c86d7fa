/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-export.c: what the viewer's export writes. A frame's modality values
 * as 16-bit TIFF come back through the TIFF loader bit-identical; a series
 * as a multi-page TIFF, written page by page, likewise; the windowed 8-bit
 * PNG is byte for byte what `fenestra-cli render` writes for the same
 * window, and both follow PS3.3 C.11.2.1.2 written out independently. */
#define G_LOG_DOMAIN "test-export"

#include <fenestra/fenestra.h>

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fen-test-dicom-writer.h"
#include "fen-test-util.h"

typedef struct {
  char *dir;
} Fixture;

static void
fen_test_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("fen-export-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fen_test_tear_down (Fixture *fixture, gconstpointer data)
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

/* A CT-like DICOM file: 16 bits allocated, 12 stored, signed, Rescale
 * Intercept -1024, odd sizes, values covering the whole stored range. */
static char *
fen_test_write_ct (const char *dir, const char *name, guint rows, guint cols, int seed)
{
  g_autoptr(GByteArray) out = fen_part10_start ("1.2.840.10008.1.2.1");
  g_autofree char *uid = g_strdup_printf ("2.25.1193046.77.%d", seed);

  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2");
  fen_put_string (out, 0x0008, 0x0018, "UI", uid);
  fen_put_string (out, 0x0008, 0x0060, "CS", "CT");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, (guint16) rows, FALSE);
  fen_put_us (out, 0x0028, 0x0011, (guint16) cols, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 12, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 11, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 1, FALSE);
  fen_put_string (out, 0x0028, 0x1050, "DS", "40");
  fen_put_string (out, 0x0028, 0x1051, "DS", "400");
  fen_put_string (out, 0x0028, 0x1052, "DS", "-1024");
  fen_put_string (out, 0x0028, 0x1053, "DS", "1");
  fen_put_explicit (out, 0x7fe0, 0x0010, "OW", rows * cols * 2);
  for (guint i = 0; i < rows * cols; i++)
    {
      /* -2048 .. 2047, every value, scrambled a little. */
      gint16 v = (gint16) ((int) ((i * 2654435761u + (guint) seed * 40503u) % 4096) - 2048);
      guint16 le = GUINT16_TO_LE ((guint16) v);

      g_byte_array_append (out, (const guint8 *) &le, 2);
    }
  return fen_test_write_file (dir, name, out);
}

/* The loaded 16-bit TIFF frame holds exactly the rounded modality values. */
static void
fen_test_assert_modality_frame (FenImage *source, guint source_frame, FenImage *back, guint back_frame)
{
  guint w = fen_image_get_width (source), h = fen_image_get_height (source);
  const guint8 *pixels = fen_image_get_frame (back, back_frame);
  gboolean is_signed = fen_image_get_info (back)->pixel_representation == 1;

  g_assert_cmpuint (fen_image_get_width (back), ==, w);
  g_assert_cmpuint (fen_image_get_height (back), ==, h);
  g_assert_cmpuint (fen_image_get_bytes_per_sample (back), ==, 2);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        long want = lround (fen_image_to_modality (source, source_frame,
                                                         fen_image_get_stored_value (source, source_frame, x, y)));
        guint16 raw;
        long got;

        memcpy (&raw, pixels + ((gsize) y * w + x) * 2, 2);
        got = is_signed ? (long) (gint16) raw : (long) raw;
        if (got != want)
          g_error ("pixel %u,%u: %ld read back, %ld written", x, y, got, want);
      }
}

static void
test_modality_tiff_roundtrip (Fixture *fixture, gconstpointer data)
{
  FenTestKind kind = GPOINTER_TO_INT (data);
  g_autoptr(FenImage) image = fen_test_image_new (kind, 67, 41, 2);
  g_autofree char *path = g_build_filename (fixture->dir, "frame.tif", NULL);
  g_autoptr(GError) error = NULL;

  if (kind == FEN_TEST_S16)
    {
      /* 16 bits stored less 1024 reach -33792: no 16-bit file holds that. */
      g_assert_false (fen_export_modality (image, 0, path, &error));
      g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      return;
    }
  for (guint frame = 0; frame < 2; frame++)
    {
      g_autoptr(FenImage) back = NULL;

      g_assert_true (fen_export_modality (image, frame, path, &error));
      g_assert_no_error (error);
      back = fen_tiff_load (path, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fen_image_get_n_frames (back), ==, 1);
      /* The loader gives the values back as stored values, no rescale. */
      g_assert_cmpfloat (fen_image_get_info (back)->rescale_slope, ==, 1.0);
      g_assert_cmpfloat (fen_image_get_info (back)->rescale_intercept, ==, 0.0);
      fen_test_assert_modality_frame (image, frame, back, 0);
    }
}

static void
test_modality_dicom_roundtrip (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dcm = fen_test_write_ct (fixture->dir, "ct.dcm", 97, 131, 1);
  g_autofree char *path = g_build_filename (fixture->dir, "ct.tiff", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = fen_load_file (dcm, NULL, &error);
  g_autoptr(FenImage) back = NULL;
  gint32 lo, hi;

  g_assert_no_error (error);
  g_assert_true (fen_export_modality (image, 0, path, &error));
  g_assert_no_error (error);
  back = fen_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fen_image_get_info (back)->format, ==, "TIFF");
  g_assert_cmpuint (fen_image_get_info (back)->pixel_representation, ==, 1);
  fen_test_assert_modality_frame (image, 0, back, 0);
  /* -3072 .. 1023 HU: all of the 12-bit range made it through. */
  fen_image_get_stored_range (back, &lo, &hi);
  g_assert_cmpint (lo, ==, -3072);
  g_assert_cmpint (hi, ==, 1023);
  g_test_message ("97 x 131 CT frame: 12,707 modality values -3072..1023 HU bit-identical after TIFF");
}

static void
test_series_multipage (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "series.tif", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) back = NULL;
  FenImage *images[3];

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("slice-%d.dcm", i);
      g_autofree char *dcm = fen_test_write_ct (fixture->dir, name, 29, 31, i + 10);

      images[i] = fen_load_file (dcm, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_true (fen_export_series_modality (images, 3, path, &error));
  g_assert_no_error (error);
  back = fen_tiff_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fen_image_get_n_frames (back), ==, 3);
  for (guint i = 0; i < 3; i++)
    fen_test_assert_modality_frame (images[i], 0, back, i);

  /* Pages of one TIFF share a size: a stranger is refused, nothing written. */
  {
    g_autofree char *other = fen_test_write_ct (fixture->dir, "other.dcm", 30, 31, 99);
    g_autofree char *path2 = g_build_filename (fixture->dir, "mixed.tif", NULL);
    FenImage *mixed[2] = { images[0], NULL };

    mixed[1] = fen_load_file (other, NULL, &error);
    g_assert_no_error (error);
    g_assert_false (fen_export_series_modality (mixed, 2, path2, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    g_assert_false (g_file_test (path2, G_FILE_TEST_EXISTS));
    fen_image_unref (mixed[1]);
  }
  for (int i = 0; i < 3; i++)
    fen_image_unref (images[i]);
}

static const void *
fen_test_failing_page (guint page, gpointer page_data, GError **error)
{
  static const guint16 row[4] = { 1, 2, 3, 4 };

  if (page == 1)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "page %u is gone", page);
      return NULL;
    }
  return row;
}

/* A page the streaming writer cannot get aborts the write: the error comes
 * through and no file (nor temporary) is left. */
static void
test_streaming_page_error (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "broken.tif", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  FenRaster raster = { .width = 4, .height = 1, .channels = 1, .bits = 16, .stride = 8,
                       .pages = 3, .get_page = fen_test_failing_page };

  g_assert_false (fen_tiff_write (path, &raster, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN);
  dir = g_dir_open (fixture->dir, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
}

static gboolean
fen_test_run_cli (const char *input, const char *window, const char *output)
{
  g_autofree char *window_arg = g_strconcat ("--window=", window, NULL);
  const char *argv[] = { FEN_TEST_CLI, "render", input, window_arg, "-o", output, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                     &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("fenestra-cli: %s %s", error->message, err ? err : "");
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  double center;
  double width;
} WindowCase;

static void
test_windowed_png_matches_cli (Fixture *fixture, gconstpointer data)
{
  const WindowCase *wc = data;
  g_autofree char *dcm = fen_test_write_ct (fixture->dir, "ct.dcm", 83, 119, 7);
  g_autofree char *ours = g_build_filename (fixture->dir, "ours.png", NULL);
  g_autofree char *cli = g_build_filename (fixture->dir, "cli.png", NULL);
  g_autofree char *window = g_strdup_printf ("%g,%g", wc->center, wc->width);
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = fen_load_file (dcm, NULL, &error);
  g_autoptr(FenImage) a = NULL, b = NULL;
  FenWindowParams params = { 0 };
  gsize n;
  guint mismatches = 0;

  g_assert_no_error (error);
  params.center = wc->center;
  params.width = wc->width;
  params.function = fen_image_get_info (image)->voi_function;
  g_assert_true (fen_export_windowed (image, 0, &params, ours, &error));
  g_assert_no_error (error);
  g_assert_true (fen_test_run_cli (dcm, window, cli));

  a = fen_png_load (ours, NULL, &error);
  g_assert_no_error (error);
  b = fen_png_load (cli, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fen_image_get_width (a), ==, 119);
  g_assert_cmpuint (fen_image_get_height (a), ==, 83);
  g_assert_cmpuint (fen_image_get_bytes_per_sample (a), ==, 1);
  n = fen_image_get_pixel_bytes (a);
  g_assert_cmpuint (fen_image_get_pixel_bytes (b), ==, n);
  g_assert_cmpmem (fen_image_get_frame (a, 0), n, fen_image_get_frame (b, 0), n);

  /* And both are C.11.2.1.2 computed without the table. */
  for (guint y = 0; y < 83; y++)
    for (guint x = 0; x < 119; x++)
      {
        guint8 want = fen_test_reference_gray (image, fen_image_get_stored_value (image, 0, x, y), &params);

        mismatches += fen_image_get_stored_value (a, 0, x, y) != want;
      }
  g_assert_cmpuint (mismatches, ==, 0);
  g_test_message ("W %g L %g: %" G_GSIZE_FORMAT " bytes identical to fenestra-cli render", wc->width,
                  wc->center, n);
}

int
main (int argc, char *argv[])
{
  static const WindowCase windows[] = {
    { 40, 400 }, { -600, 1500 }, { 0, 1 }, { 1023.5, 37 },
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/export/modality/refuses-beyond-16-bits", Fixture, GINT_TO_POINTER (FEN_TEST_S16),
              fen_test_set_up, test_modality_tiff_roundtrip, fen_test_tear_down);
  g_test_add ("/export/modality/tiff-roundtrip/u16", Fixture, GINT_TO_POINTER (FEN_TEST_U16),
              fen_test_set_up, test_modality_tiff_roundtrip, fen_test_tear_down);
  g_test_add ("/export/modality/tiff-roundtrip/u8", Fixture, GINT_TO_POINTER (FEN_TEST_U8),
              fen_test_set_up, test_modality_tiff_roundtrip, fen_test_tear_down);
  g_test_add ("/export/modality/tiff-roundtrip/dicom-ct", Fixture, NULL,
              fen_test_set_up, test_modality_dicom_roundtrip, fen_test_tear_down);
  g_test_add ("/export/series/multipage-tiff", Fixture, NULL,
              fen_test_set_up, test_series_multipage, fen_test_tear_down);
  g_test_add ("/export/series/page-error", Fixture, NULL,
              fen_test_set_up, test_streaming_page_error, fen_test_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      g_autofree char *name = g_strdup_printf ("/export/windowed/png-matches-cli/%u", i);

      g_test_add (name, Fixture, &windows[i], fen_test_set_up, test_windowed_png_matches_cli,
                  fen_test_tear_down);
    }
  return g_test_run ();
}
