/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-measurement.c: measurements as data: their values with anisotropic
 * pixels, kept per image under the data directory (round trip, removal,
 * hostile files left untouched), exported as CSV; the MPR planes'
 * measurements kept per series (round trip on the same plane, another
 * frame of reference refused, hostile files left untouched). */
#define G_LOG_DOMAIN "fen-test-measurement"

#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>
#include <fenestra/fen-measurement-file.h>
#include <fenestra/fen-mpr-measure-file.h>

static char *fen_test_dir;

static FenImageInfo
fen_test_info (double row_spacing, double column_spacing)
{
  FenImageInfo info;
  fen_image_info_init (&info);
  info.pixel_spacing[0] = row_spacing;
  info.pixel_spacing[1] = column_spacing;
  return info;
}

static void
fen_test_refused (void)
{
  static const double two[] = { 0, 0, 1, 1 };
  static const double nan_points[] = { 0, NAN, 1, 1 };
  static const double flat[] = { 5, 5, 9, 5 };
  GError *error = NULL;

  g_assert_null (fen_measurement_new (FEN_MEASUREMENT_ANGLE, 0, two, 2, NULL, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_null (fen_measurement_new (FEN_MEASUREMENT_POLYGON, 0, two, 2, NULL, &error));
  g_clear_error (&error);
  g_assert_null (fen_measurement_new (FEN_MEASUREMENT_DISTANCE, 0, nan_points, 2, NULL, &error));
  g_clear_error (&error);
  g_assert_null (fen_measurement_new (FEN_MEASUREMENT_ELLIPSE, 0, flat, 2, NULL, &error));
  g_clear_error (&error);
}

static void
fen_test_values (void)
{
  /* Row spacing 2 mm, column spacing 0.5 mm (PS3.3 C.7.6.2.1.1 order). */
  FenImageInfo info = fen_test_info (2.0, 0.5);
  GError *error = NULL;

  static const double d[] = { 1, 1, 5, 4 };
  g_autoptr(FenMeasurement) dist = fen_measurement_new (FEN_MEASUREMENT_DISTANCE, 0, d, 2, NULL, &error);
  g_assert_no_error (error);
  /* 4 columns x 0.5 = 2 mm across, 3 rows x 2 = 6 mm down. */
  g_assert_cmpfloat_with_epsilon (fen_measurement_length_mm (dist, &info), sqrt (40.0), 1e-12);

  /* In pixels (1, 1) and (1, -1) are at 90 degrees; in mm (0.5, 2) and
   * (0.5, -2): cos = (0.25 - 4) / 4.25. */
  static const double a[] = { 11, 11, 10, 10, 11, 9 };
  g_autoptr(FenMeasurement) angle = fen_measurement_new (FEN_MEASUREMENT_ANGLE, 0, a, 3, NULL, &error);
  g_assert_cmpfloat_with_epsilon (fen_measurement_angle_deg (angle, &info),
                                  acos (-3.75 / 4.25) * 180 / G_PI, 1e-9);

  /* Cobb: one line along the rows, one at 45 degrees in mm (1 column of
   * 0.5 mm per 0.25 rows of 2 mm), drawn either way round: 45. */
  FenImageInfo square = fen_test_info (1.0, 1.0);
  static const double c1[] = { 0, 0, 10, 0, 3, 3, 8, 8 };
  static const double c2[] = { 10, 0, 0, 0, 3, 3, 8, 8 };
  g_autoptr(FenMeasurement) cobb1 = fen_measurement_new (FEN_MEASUREMENT_COBB, 0, c1, 4, NULL, &error);
  g_autoptr(FenMeasurement) cobb2 = fen_measurement_new (FEN_MEASUREMENT_COBB, 0, c2, 4, NULL, &error);
  g_assert_cmpfloat_with_epsilon (fen_measurement_angle_deg (cobb1, &square), 45.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_measurement_angle_deg (cobb2, &square), 45.0, 1e-9);
  static const double c3[] = { 0, 0, 4, 0, 0, 0, 1, 1 };
  g_autoptr(FenMeasurement) cobb3 = fen_measurement_new (FEN_MEASUREMENT_COBB, 0, c3, 4, NULL, &error);
  /* (2, 0) mm and (0.5, 2) mm: atan (2 / 0.5). */
  g_assert_cmpfloat_with_epsilon (fen_measurement_angle_deg (cobb3, &info), atan (4.0) * 180 / G_PI, 1e-9);

  /* No spacing: no length in mm. */
  FenImageInfo none = fen_test_info (0, 0);
  g_assert_true (isnan (fen_measurement_length_mm (dist, &none)));
  fen_image_info_clear (&info);
  fen_image_info_clear (&square);
  fen_image_info_clear (&none);
}

static GPtrArray *
fen_test_list (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_measurement_free);
  static const double e[] = { 20.25, 30.5, 25.125, 33.0 };
  static const double p[] = { 1, 2, 30.1, 2.7, 15.333333333333334, 40, 0.1, 0.2 };
  static const double arrow[] = { 3, 4, 5, 6 };

  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_ELLIPSE, 0, e, 2, NULL, NULL));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_POLYGON, 2, p, 4, NULL, NULL));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_ARROW, 1, arrow, 2,
                                              "lesion \"B\", 12\u00a0mm \u2192", NULL));
  return list;
}

static void
fen_test_round_trip (void)
{
  const char *uid = "1.2.826.0.1.3680043.9.9999.55.7";
  g_autoptr(GPtrArray) list = fen_test_list ();
  GError *error = NULL;

  g_assert_true (fen_measurement_file_save (fen_test_dir, uid, list, &error));
  g_assert_no_error (error);
  g_autofree char *path = fen_measurement_file_path (fen_test_dir, uid, &error);
  g_assert_true (g_str_has_suffix (path, "/fenestra/measurements/1.2.826.0.1.3680043.9.9999.55.7.json"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  g_autoptr(GPtrArray) back = fen_measurement_file_load (fen_test_dir, uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, list->len);
  for (guint i = 0; i < list->len; i++)
    {
      const FenMeasurement *a = list->pdata[i], *b = back->pdata[i];
      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpuint (a->frame, ==, b->frame);
      g_assert_cmpuint (a->n_points, ==, b->n_points);
      /* Bit for bit: JSON keeps 17 significant digits. */
      g_assert_cmpmem (a->points, 2 * a->n_points * sizeof (double), b->points,
                       2 * b->n_points * sizeof (double));
      g_assert_cmpstr (a->text, ==, b->text);
    }

  /* Nothing else in the folder: the write went through a renamed file. */
  g_autofree char *dir = g_path_get_dirname (path);
  GDir *d = g_dir_open (dir, 0, NULL);
  guint files = 0;
  while (g_dir_read_name (d) != NULL)
    files++;
  g_dir_close (d);
  g_assert_cmpuint (files, ==, 1);

  /* An image with no measurement left has no file. */
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  g_assert_true (fen_measurement_file_save (fen_test_dir, uid, empty, &error));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_autoptr(GPtrArray) none = fen_measurement_file_load (fen_test_dir, uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
fen_test_hostile (void)
{
  const char *uid = "1.2.3.4";
  g_autofree char *path = fen_measurement_file_path (fen_test_dir, uid, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  const char *bad[] = {
    "not json",
    "[]",
    "{\"version\":1,\"sop_instance_uid\":\"9.9\",\"measurements\":[]}",
    "{\"version\":1,\"sop_instance_uid\":\"1.2.3.4\",\"measurements\":[{\"kind\":\"star\",\"frame\":0,\"points\":[1,2,3,4]}]}",
    "{\"version\":1,\"sop_instance_uid\":\"1.2.3.4\",\"measurements\":[{\"kind\":\"distance\",\"frame\":-1,\"points\":[1,2,3,4]}]}",
    "{\"version\":1,\"sop_instance_uid\":\"1.2.3.4\",\"measurements\":[{\"kind\":\"distance\",\"frame\":0,\"points\":[1,2,3]}]}",
    "{\"version\":1,\"sop_instance_uid\":\"1.2.3.4\",\"measurements\":[{\"kind\":\"distance\",\"frame\":0,\"points\":[1,\"2\",3,4]}]}",
    "{\"version\":1,\"sop_instance_uid\":\"1.2.3.4\",\"measurements\":[{\"kind\":\"angle\",\"frame\":0,\"points\":[1,2,3,4]}]}",
  };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
      g_assert_null (fen_measurement_file_load (fen_test_dir, uid, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      /* Left as it was: never rewritten by a failed read. */
      g_autofree char *after = NULL;
      g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
      g_assert_cmpstr (after, ==, bad[i]);
    }
  g_unlink (path);

  /* A UID that is not one cannot name a file outside the folder. */
  const char *uids[] = { "../../etc/passwd", "1.2/3", "", ".1.2", "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25" };
  for (guint i = 0; i < G_N_ELEMENTS (uids); i++)
    {
      GError *error = NULL;
      g_assert_null (fen_measurement_file_path (fen_test_dir, uids[i], &error));
      g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
      g_clear_error (&error);
    }
}

/* Three plane measurements: on an axial plane, a coronal one and an
 * oblique one (turned 30 degrees about z). */
static void
fen_test_plane_list (FenMprMeasure out[7])
{
  const double c = cos (G_PI / 6), s = sin (G_PI / 6);
  FenMprFrame axial = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  FenMprFrame coronal = { { 1, 0, 0 }, { 0, 0, -1 }, { 0, 1, 0 } };
  FenMprFrame oblique = { { c, s, 0 }, { 0, 0, -1 }, { 0 } };
  const double a[3] = { -80.25, -48.25, 39.5 }, b[3] = { -60.125, -30.0, 39.5 };
  const double e[3] = { -12.5, 7.0, 100.0 }, f[3] = { -2.5, 7.0, 90.0 };

  fen_vec3_cross (oblique.right, oblique.down, oblique.normal);
  fen_mpr_measure_init (&out[0], FEN_MPR_MEASURE_DISTANCE, &axial, a, b);
  fen_mpr_measure_init (&out[1], FEN_MPR_MEASURE_ELLIPSE, &coronal, e, f);
  fen_mpr_measure_init (&out[2], FEN_MPR_MEASURE_RECTANGLE, &oblique, a, e);
  {
    const double angle[9] = { -80.25, -48.25, 39.5, -70.0, -40.0, 39.5, -75.5, -30.25, 39.5 };
    const double cobb[12] = { -12.5, 7.0, 100.0, -2.5, 7.0, 90.0, -12.5, 7.0, 80.0, 0.0, 7.0, 81.0 };

    g_assert_true (fen_mpr_measure_init_points (&out[3], FEN_MPR_MEASURE_ANGLE, &axial, angle, 3));
    g_assert_true (fen_mpr_measure_init_points (&out[4], FEN_MPR_MEASURE_COBB, &coronal, cobb, 4));
  }
  {
    /* A freehand outline of 40 vertices round a circle on the oblique plane. */
    double ring[40 * 3];

    for (guint p = 0; p < 40; p++)
      for (int k = 0; k < 3; k++)
        ring[3 * p + k] = a[k] + 7.5 * cos (p * G_PI / 20) * oblique.right[k] + 5.25 * sin (p * G_PI / 20) * oblique.down[k];
    g_assert_true (fen_mpr_measure_init_points (&out[5], FEN_MPR_MEASURE_POLYGON, &oblique, ring, 40));
  }
  fen_mpr_measure_init (&out[6], FEN_MPR_MEASURE_ARROW, &coronal, e, f);
  g_assert_true (fen_mpr_measure_set_text (&out[6], "lésion \"B\", 12\u00a0mm \u2192"));
}

static void
fen_test_planes_round_trip (void)
{
  const char *series = "1.2.826.0.1.3680043.9.9999.55";
  const char *frame = "1.2.826.0.1.3680043.9.9999.1";
  FenMprMeasure list[7];
  GError *error = NULL;

  fen_test_plane_list (list);
  g_assert_true (fen_mpr_measure_file_save (fen_test_dir, series, frame, list, 7, &error));
  g_assert_no_error (error);
  g_autofree char *path = fen_mpr_measure_file_path (fen_test_dir, series, &error);
  g_assert_true (g_str_has_suffix (path, "/fenestra/measurements/1.2.826.0.1.3680043.9.9999.55.mpr.json"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  g_autoptr(GArray) back = fen_mpr_measure_file_load (fen_test_dir, series, frame, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      const FenMprMeasure *a = &list[i], *b = &g_array_index (back, FenMprMeasure, i);

      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpuint (a->n_points, ==, b->n_points);
      for (int k = 0; k < 3; k++)
        {
          g_assert_cmpfloat_with_epsilon (a->frame.right[k], b->frame.right[k], 1e-12);
          g_assert_cmpfloat_with_epsilon (a->frame.down[k], b->frame.down[k], 1e-12);
          g_assert_cmpfloat_with_epsilon (a->frame.normal[k], b->frame.normal[k], 1e-12);
          for (guint p = 0; p < a->n_points; p++)
            g_assert_cmpfloat_with_epsilon (a->points[p][k], b->points[p][k], 1e-9);
        }
      g_assert_cmpstr (a->text, ==, b->text);
      if (a->kind == FEN_MPR_MEASURE_ANGLE || a->kind == FEN_MPR_MEASURE_COBB)
        g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (b), fen_mpr_measure_angle_deg (a), 1e-9);
      /* Back on the plane it was drawn on, and no other. */
      g_assert_true (fen_mpr_measure_is_on_plane (b, &a->frame, a->points[0], 1e-6));
      g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (b), fen_mpr_measure_length_mm (a), 1e-9);
    }
  g_assert_false (fen_mpr_measure_is_on_plane (&g_array_index (back, FenMprMeasure, 0), &list[1].frame,
                                               list[0].points[0], 1e-6));

  /* Another frame of reference: the coordinates mean nothing there. */
  g_assert_null (fen_mpr_measure_file_load (fen_test_dir, series, "1.2.3", &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);
  /* Another series has none. */
  g_autoptr(GArray) other = fen_mpr_measure_file_load (fen_test_dir, "1.2.3.4.5", frame, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->len, ==, 0);
  /* The per-image list of an image of that UID is another file. */
  g_autoptr(GPtrArray) images = fen_measurement_file_load (fen_test_dir, series, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 0);

  /* None left: no file. */
  g_assert_true (fen_mpr_measure_file_save (fen_test_dir, series, frame, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
fen_test_planes_hostile (void)
{
  const char *series = "1.2.3.4";
  g_autofree char *path = fen_mpr_measure_file_path (fen_test_dir, series, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
#define PLANE_HEAD "{\"version\":1,\"series_instance_uid\":\"1.2.3.4\",\"measurements\":["
  const char *bad[] = {
    "not json",
    "[]",
    "{\"version\":1,\"series_instance_uid\":\"9.9\",\"measurements\":[]}",
    "{\"version\":2,\"series_instance_uid\":\"1.2.3.4\",\"measurements\":[]}",
    "{\"version\":1,\"series_instance_uid\":\"1.2.3.4\",\"frame_of_reference_uid\":\"1.2\",\"measurements\":[]}",
    PLANE_HEAD "{\"kind\":\"angle\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0]}]}",
    PLANE_HEAD "{\"kind\":\"distance\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1]}]}",
    PLANE_HEAD "{\"kind\":\"distance\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,\"1\",0]}]}",
    PLANE_HEAD "{\"kind\":\"distance\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,1e300]}]}",
    /* Not unit, not perpendicular. */
    PLANE_HEAD "{\"kind\":\"distance\",\"right\":[2,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0]}]}",
    PLANE_HEAD "{\"kind\":\"distance\",\"right\":[1,0,0],\"down\":[0.6,0.8,0],\"points\":[0,0,0,1,1,0]}]}",
    PLANE_HEAD "{\"kind\":\"ellipse\",\"right\":[1,0,0],\"points\":[0,0,0,1,1,0]}]}",
    /* An angle has three points, a Cobb angle four. */
    PLANE_HEAD "{\"kind\":\"angle\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0]}]}",
    PLANE_HEAD "{\"kind\":\"cobb\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0,2,2,0]}]}",
    /* An arrow has its text, of a length one can have. */
    PLANE_HEAD "{\"kind\":\"arrow\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0]}]}",
    PLANE_HEAD "{\"kind\":\"arrow\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0],\"text\":3}]}",
    PLANE_HEAD "{\"kind\":\"arrow\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0],\"text\":\""
      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789\"}]}",
    /* A freehand outline has 3 points or more, whole. */
    PLANE_HEAD "{\"kind\":\"polygon\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0]}]}",
    PLANE_HEAD "{\"kind\":\"polygon\",\"right\":[1,0,0],\"down\":[0,1,0],\"points\":[0,0,0,1,1,0,2,2,0,3]}]}",
  };
#undef PLANE_HEAD

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      g_autofree char *after = NULL;

      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
      g_assert_null (fen_mpr_measure_file_load (fen_test_dir, series, NULL, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      /* Left as it was. */
      g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
      g_assert_cmpstr (after, ==, bad[i]);
    }
  /* The good one of the same shape is read. */
  {
    GError *error = NULL;
    g_autoptr(GArray) good = NULL;

    g_assert_true (g_file_set_contents (path, "{\"version\":1,\"series_instance_uid\":\"1.2.3.4\",\"measurements\":"
                                        "[{\"kind\":\"distance\",\"right\":[1,0,0],\"down\":[0,1,0],"
                                        "\"points\":[0,0,0,3,4,0]}]}", -1, NULL));
    good = fen_mpr_measure_file_load (fen_test_dir, series, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (good->len, ==, 1);
    g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&g_array_index (good, FenMprMeasure, 0)), 5.0, 1e-12);
  }
  g_unlink (path);
  {
    GError *error = NULL;

    g_assert_null (fen_mpr_measure_file_path (fen_test_dir, "../../etc/passwd", &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
    g_clear_error (&error);
  }
}

static void
fen_test_csv (void)
{
  FenImageInfo info;
  GError *error = NULL;

  fen_image_info_init (&info);
  info.rows = 10;
  info.columns = 10;
  info.frames = 3;
  info.samples_per_pixel = 1;
  info.bits_allocated = 16;
  info.bits_stored = 16;
  info.high_bit = 15;
  info.photometric = FEN_PHOTOMETRIC_MONOCHROME2;
  info.rescale_slope = 1;
  info.rescale_type = g_strdup ("HU");
  info.pixel_spacing[0] = 0.5;
  info.pixel_spacing[1] = 0.5;
  g_autoptr(FenImage) image = fen_image_new (&info, 0, &error);
  g_assert_no_error (error);
  fen_image_info_clear (&info);
  guint16 *px = fen_image_get_pixels_mutable (image);
  for (guint i = 0; i < 300; i++)
    px[i] = (guint16) (i % 100);

  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_measurement_free);
  static const double rect[] = { 2, 3, 5, 5 };
  static const double dist[] = { 0, 0, 3, 4 };
  static const double arrow[] = { 1, 1, 2, 2 };
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_RECTANGLE, 1, rect, 2, NULL, NULL));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_DISTANCE, 0, dist, 2, NULL, NULL));
  g_ptr_array_add (list, fen_measurement_new (FEN_MEASUREMENT_ARROW, 2, arrow, 2, "a \"b\", c", NULL));
  g_autofree char *path = g_build_filename (fen_test_dir, "m.csv", NULL);
  g_assert_true (fen_measurement_export_csv (image, list, path, &error));
  g_assert_no_error (error);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (path, &csv, NULL, NULL));
  /* The rectangle (2, 3)-(5, 5) takes columns 2..4, rows 3..4: values
   * 32..34 and 42..44, mean 38, SD sqrt (154 / 6); area 3 x 2 x 0.25. */
  g_autofree char *expected = g_strdup_printf (
    "frame,kind,length_mm,angle_deg,n,mean,sd,min,max,area_mm2,unit,text\r\n"
    "2,rectangle,,,6,38,%s,32,44,1.5,HU,\r\n"
    "1,distance,2.5,,,,,,,,,\r\n"
    "3,arrow,,,,,,,,,,\"a \"\"b\"\", c\"\r\n", "5.06623");
  g_assert_cmpstr (csv, ==, expected);
}

/* What a press on a measurement's lines takes: the segments in order, the
 * closing one of an outline, and not the gap between a Cobb angle's two
 * lines (distances worked out by hand). */
static void
fen_test_lines_near (void)
{
  /* A unit square's corners, and a Cobb angle's two level lines 10 apart. */
  static const double square[] = { 0, 0, 10, 0, 10, 10, 0, 10 };
  static const double cobb[] = { 0, 0, 10, 0, 0, 10, 10, 10 };

  g_assert_true (fen_measurement_lines_near (square, 4, FALSE, FALSE, 5, 0.4, 0.5));
  g_assert_false (fen_measurement_lines_near (square, 4, FALSE, FALSE, 5, 0.6, 0.5));
  /* The left side closes the outline only when closed. */
  g_assert_false (fen_measurement_lines_near (square, 4, FALSE, FALSE, 0.3, 5, 0.5));
  g_assert_true (fen_measurement_lines_near (square, 4, TRUE, FALSE, 0.3, 5, 0.5));
  /* Beyond a segment's end: the distance to the end point (0.5, 0.5 off: 0.71). */
  g_assert_false (fen_measurement_lines_near (square, 2, FALSE, FALSE, 10.5, -0.5, 0.7));
  g_assert_true (fen_measurement_lines_near (square, 2, FALSE, FALSE, 10.5, -0.5, 0.72));
  /* The Cobb angle's point 1 to point 2 is no line: its middle (5, 5) is 5 from both. */
  g_assert_true (fen_measurement_lines_near (cobb, 4, FALSE, FALSE, 5, 5, 0.5));
  g_assert_false (fen_measurement_lines_near (cobb, 4, FALSE, TRUE, 5, 5, 0.5));
  g_assert_true (fen_measurement_lines_near (cobb, 4, FALSE, TRUE, 5, 9.8, 0.5));
  /* One point draws no line. */
  g_assert_false (fen_measurement_lines_near (square, 1, TRUE, FALSE, 0, 0, 1));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_test_dir = g_dir_make_tmp ("fen-test-measurement-XXXXXX", NULL);
  g_test_add_func ("/measurement/refused", fen_test_refused);
  g_test_add_func ("/measurement/values", fen_test_values);
  g_test_add_func ("/measurement/file/round-trip", fen_test_round_trip);
  g_test_add_func ("/measurement/file/hostile", fen_test_hostile);
  g_test_add_func ("/measurement/file/planes/round-trip", fen_test_planes_round_trip);
  g_test_add_func ("/measurement/file/planes/hostile", fen_test_planes_hostile);
  g_test_add_func ("/measurement/csv", fen_test_csv);
  g_test_add_func ("/measurement/lines-near", fen_test_lines_near);
  int status = g_test_run ();
  g_autofree char *cmd_dir = g_build_filename (fen_test_dir, "fenestra", "measurements", NULL);
  g_autofree char *csv = g_build_filename (fen_test_dir, "m.csv", NULL);
  g_unlink (csv);
  g_rmdir (cmd_dir);
  g_autofree char *app = g_build_filename (fen_test_dir, "fenestra", NULL);
  g_rmdir (app);
  g_rmdir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
