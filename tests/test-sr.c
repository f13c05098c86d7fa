/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sr.c: measurements on the sample CT written as a TID 1500 report;
 * dicom3tools' dciodvfy validates it and DCMTK's dsrdump reads it back
 * with the values we computed. Missing tools fail the test. */
#define G_LOG_DOMAIN "fen-test-sr"

#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>
#include <fenestra/fen-sr.h>

#include "fen-test-spawn.h"

static void
fen_test_report (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fen-test-sr-XXXXXX", NULL);
  const char *make[] = { FEN_TEST_MAKE_SAMPLE, dir, NULL };
  g_free (fen_test_spawn (make, TRUE));
  g_autofree char *slice = g_build_filename (dir, "ct-12.dcm", NULL);
  g_autofree char *sr = g_build_filename (dir, "report.dcm", NULL);
  GError *error = NULL;

  g_autoptr(FenImage) image = fen_load_file (slice, NULL, &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_measurement_free);
  static const double dist[] = { 100, 100, 160, 180 };
  static const double ell[] = { 256, 256, 276, 266 };
  static const double rect[] = { 200, 300, 240, 330 };
  static const double poly[] = { 150, 150, 200, 140, 190, 200 };
  static const double angle[] = { 300, 100, 250, 150, 350, 150 };
  static const double cobb[] = { 10, 10, 60, 10, 10, 40, 60, 90 };
  static const double arrow[] = { 50, 50, 70, 70 };
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_DISTANCE, 0, dist, 2, NULL, &error));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_ELLIPSE, 0, ell, 2, NULL, &error));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_RECTANGLE, 0, rect, 2, NULL, &error));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_POLYGON, 0, poly, 3, NULL, &error));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_ANGLE, 0, angle, 3, NULL, &error));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_COBB, 0, cobb, 4, NULL, &error));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_ARROW, 0, arrow, 2, "calcification", &error));
  g_assert_no_error (error);

  fen_sr_write (slice, image, list, sr, &error);
  g_assert_no_error (error);

  /* dicom3tools: the object is a valid Enhanced SR. */
  const char *verify[] = { "dciodvfy", sr, NULL };
  g_autofree char *report = fen_test_spawn (verify, FALSE);
  g_test_message ("dciodvfy: %s", report);
  g_assert_null (strstr (report, "Error"));
  g_assert_nonnull (strstr (report, "EnhancedSR"));

  /* DCMTK reads it back: title, template, subject, the values. */
  const char *dump[] = { "dsrdump", "+Pc", sr, NULL };
  g_autofree char *text = fen_test_spawn (dump, TRUE);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Imaging Measurement Report"));
  g_assert_nonnull (strstr (text, "PHANTOM^HEAD"));
  g_assert_nonnull (strstr (text, "Cobb angle"));
  g_assert_nonnull (strstr (text, "calcification"));
  const FenImageInfo *info = fen_image_get_info (image);
  const FenMeasurement *d = list->pdata[0];
  g_autofree char *mm = g_strdup_printf ("\"%.10g\" (mm", fen_measurement_length_mm (d, info));
  g_assert_nonnull (strstr (text, mm));
  FenRoi roi;
  FenRoiStats stats;
  g_assert_true (fen_measurement_get_roi (list->pdata[1], &roi));
  g_assert_true (fen_roi_stats (image, 0, &roi, &stats, NULL));
  g_autofree char *mean = g_strdup_printf ("\"%.10g\" ([hnsf'U]", stats.mean);
  g_assert_nonnull (strstr (text, mean));

  /* The source is untouched, and no temporary file is left. */
  GDir *d_handle = g_dir_open (dir, 0, NULL);
  const char *entry;
  guint files = 0;
  while ((entry = g_dir_read_name (d_handle)) != NULL)
    {
      g_assert_false (strstr (entry, "report.dcm.") != NULL);
      g_autofree char *f = g_build_filename (dir, entry, NULL);
      g_unlink (f);
      files++;
    }
  g_dir_close (d_handle);
  g_assert_cmpuint (files, ==, 25);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
  g_test_add_func ("/sr/tid1500/validates-and-reads-back", fen_test_report);
  return g_test_run ();
}
