/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lut.c: the VOI formulas of PS3.3 C.11.2.1.2 at their boundaries, and the table built from them. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <math.h>

static void
test_linear_left_edge (void)
{
  /* c - 0.5 - (w-1)/2 = 40 - 0.5 - 39.5 = 0: at the border the output is y_min, */
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 0.0, 40, 80, 0, 255), ==, 0.0);
  /* and just past it the ramp starts at (0.001 / 79) * 255. */
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR, 0.001, 40, 80, 0, 255),
                                  0.001 / 79 * 255, 1e-9);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, -1000, 40, 80, 0, 255), ==, 0.0);
}

static void
test_linear_right_edge (void)
{
  /* c - 0.5 + (w-1)/2 = 79: still on the ramp, exactly y_max; above, y_max. */
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR, 79.0, 40, 80, 0, 255), 255.0, 1e-9);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 79.0001, 40, 80, 0, 255), ==, 255.0);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR, 78.0, 40, 80, 0, 255),
                                  (78.0 - 39.5) / 79 * 255 + 127.5, 1e-9);
  /* The centre of the ramp is at c - 0.5. */
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR, 39.5, 40, 80, 0, 255), 127.5, 1e-9);
}

static void
test_linear_width_one (void)
{
  /* Width 1: both borders are c - 0.5, a pure threshold. */
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 99.5, 100, 1, 0, 255), ==, 0.0);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 99.5001, 100, 1, 0, 255), ==, 255.0);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 99, 100, 1, 0, 255), ==, 0.0);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 100, 100, 1, 0, 255), ==, 255.0);
  /* Widths below 1 are not allowed by the standard and act as 1. */
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 100, 100, 0.2, 0, 255), ==, 255.0);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 99, 100, 0, 0, 255), ==, 0.0);
}

static void
test_linear_negative (void)
{
  /* Lung window 1500/-600: borders at -1350 and 149. */
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, -1350, -600, 1500, 0, 255), ==, 0.0);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, -2048, -600, 1500, 0, 255), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR, 149, -600, 1500, 0, 255), 255.0, 1e-9);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR, 150, -600, 1500, 0, 255), ==, 255.0);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR, -600.5, -600, 1500, 0, 255), 127.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR, -1000, -600, 1500, 0, 255),
                                  ((-1000 + 600.5) / 1499 + 0.5) * 255, 1e-9);
}

static void
test_linear_exact (void)
{
  /* PS3.3 C.11.2.1.3.2: borders at c - w/2 and c + w/2, no half-pixel shift. */
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR_EXACT, 0, 40, 80, 0, 255), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR_EXACT, 80, 40, 80, 0, 255), 255.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR_EXACT, 40, 40, 80, 0, 255), 127.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_LINEAR_EXACT, 0.5, 0.5, 0.25, 0, 255), 127.5, 1e-9);
  g_assert_cmpfloat (fen_voi_apply (FEN_VOI_LINEAR_EXACT, 0.7, 0.5, 0.25, 0, 255), ==, 255.0);
}

static void
test_sigmoid (void)
{
  /* PS3.3 C.11.2.1.3.1: 255 / (1 + exp(-4 (x - c) / w)). */
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_SIGMOID, 40, 40, 80, 0, 255), 127.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_SIGMOID, 80, 40, 80, 0, 255),
                                  255.0 / (1 + exp (-2.0)), 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_voi_apply (FEN_VOI_SIGMOID, -40, 40, 80, 0, 255),
                                  255.0 / (1 + exp (4.0)), 1e-9);
}

static void
test_table_ct (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 4, 4, 1);
  g_autoptr(FenLut) lut = fen_lut_new ();
  FenWindowParams w = { .center = 40, .width = 80, .function = FEN_VOI_LINEAR };

  fen_lut_build (lut, image, 0, &w);
  /* Intercept -1024: stored 1024 is 0 HU, stored 1024 + 79 is 79 HU (the right border). */
  g_assert_cmpuint (fen_lut_lookup (lut, 1024), ==, 0);
  g_assert_cmpuint (fen_lut_lookup (lut, 1024 + 79), ==, 255);
  g_assert_cmpuint (fen_lut_lookup (lut, 1024 + 39), ==, 126); /* 39 HU: 125.89 */
  g_assert_cmpuint (fen_lut_lookup (lut, -2000), ==, 0);
  g_assert_cmpuint (fen_lut_lookup (lut, 32767), ==, 255);
  for (gint32 v = -32768; v <= 32767; v += 13)
    g_assert_cmpuint (fen_lut_lookup (lut, v), ==, fen_test_reference_gray (image, v, &w));
  g_assert_cmpuint (fen_lut_get_builds (lut), ==, 1);
}

static void
test_table_invert (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U8, 4, 4, 1);
  g_autoptr(FenLut) lut = fen_lut_new ();
  FenWindowParams w = { .center = 128, .width = 256, .function = FEN_VOI_LINEAR };

  fen_lut_build (lut, image, 0, &w);
  for (gint32 v = 0; v < 256; v++)
    g_assert_cmpuint (fen_lut_lookup (lut, v), ==, v); /* identity window */
  w.invert = TRUE;
  fen_lut_build (lut, image, 0, &w);
  for (gint32 v = 0; v < 256; v++)
    g_assert_cmpuint (fen_lut_lookup (lut, v), ==, 255 - v);
}

static void
test_table_non_finite (void)
{
  /* fuzz-render found a NaN centre reaching an int conversion (undefined
   * behaviour, caught by UBSan): every entry must still be written. */
  static const double odd[] = { NAN, INFINITY, -INFINITY, 1e300, -1e300 };
  FenImageInfo info;
  g_autoptr(FenImage) image = NULL;
  g_autoptr(FenLut) lut = fen_lut_new ();

  fen_image_info_init (&info);
  info.rows = info.columns = 2;
  info.bits_allocated = 16;
  info.bits_stored = 16;
  info.high_bit = 15;
  info.pixel_representation = 1;
  image = fen_image_new (&info, 0, NULL);
  fen_image_info_clear (&info);

  for (guint f = 0; f < 3; f++)
    for (guint c = 0; c < G_N_ELEMENTS (odd); c++)
      for (guint w = 0; w < G_N_ELEMENTS (odd); w++)
        {
          FenWindowParams params = { .center = odd[c], .width = odd[w], .function = f };
          fen_lut_build (lut, image, 0, &params);
          params.center = 40;
          fen_lut_build (lut, image, 0, &params);
          params = (FenWindowParams) { .center = odd[c], .width = 400, .function = f };
          fen_lut_build (lut, image, 0, &params);
        }
}

static void
test_table_monochrome1 (void)
{
  FenImageInfo info;
  g_autoptr(FenImage) image = NULL;
  g_autoptr(FenLut) lut = fen_lut_new ();
  FenWindowParams w = { .center = 2048, .width = 4096, .function = FEN_VOI_LINEAR };

  fen_image_info_init (&info);
  info.rows = info.columns = 2;
  info.bits_allocated = 16;
  info.bits_stored = 12;
  info.high_bit = 11;
  info.photometric = FEN_PHOTOMETRIC_MONOCHROME1;
  image = fen_image_new (&info, 0, NULL);
  fen_image_info_clear (&info);

  fen_lut_build (lut, image, 0, &w);
  /* MONOCHROME1: the minimum is white; the user's invert undoes it. */
  g_assert_cmpuint (fen_lut_lookup (lut, 0), ==, 255);
  g_assert_cmpuint (fen_lut_lookup (lut, 4095), ==, 0);
  w.invert = TRUE;
  fen_lut_build (lut, image, 0, &w);
  g_assert_cmpuint (fen_lut_lookup (lut, 0), ==, 0);
  g_assert_cmpuint (fen_lut_lookup (lut, 4095), ==, 255);
}

static void
test_default_window (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U16, 8, 8, 1);
  g_autoptr(FenLut) lut = fen_lut_new ();
  FenWindowParams w;
  gint32 lo, hi;

  /* No window in the file: min–max of the modality values onto 0..255. */
  fen_window_default (image, 0, &w);
  fen_image_get_stored_range (image, &lo, &hi);
  fen_lut_build (lut, image, 0, &w);
  g_assert_cmpuint (fen_lut_lookup (lut, lo), ==, 0);
  g_assert_cmpuint (fen_lut_lookup (lut, hi), ==, 255);
  /* The middle of the range lands in the middle of the output. */
  g_assert_cmpuint (fen_lut_lookup (lut, lo + (hi - lo) / 2), >=, 127);
  g_assert_cmpuint (fen_lut_lookup (lut, lo + (hi - lo) / 2), <=, 128);
}

static void
test_default_window_from_file (void)
{
  FenImageInfo info;
  g_autoptr(FenImage) image = NULL;
  FenWindowParams w;

  fen_image_info_init (&info);
  info.rows = info.columns = 2;
  info.bits_allocated = info.bits_stored = 16;
  info.high_bit = 15;
  info.voi_function = FEN_VOI_SIGMOID;
  fen_image_info_add_window (&info, 40, 400, "SOFT TISSUE");
  fen_image_info_add_window (&info, -600, 1500, "LUNG");
  image = fen_image_new (&info, 0, NULL);
  fen_image_info_clear (&info);

  fen_window_default (image, 0, &w);
  g_assert_cmpfloat (w.center, ==, 40);
  g_assert_cmpfloat (w.width, ==, 400);
  g_assert_cmpint (w.function, ==, FEN_VOI_SIGMOID);
  g_assert_cmpstr (fen_image_get_info (image)->windows[1].explanation, ==, "LUNG");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lut/linear/left-edge", test_linear_left_edge);
  g_test_add_func ("/lut/linear/right-edge", test_linear_right_edge);
  g_test_add_func ("/lut/linear/width-1", test_linear_width_one);
  g_test_add_func ("/lut/linear/negative", test_linear_negative);
  g_test_add_func ("/lut/linear-exact/edges", test_linear_exact);
  g_test_add_func ("/lut/sigmoid/values", test_sigmoid);
  g_test_add_func ("/lut/table/ct-rescale", test_table_ct);
  g_test_add_func ("/lut/table/invert", test_table_invert);
  g_test_add_func ("/lut/table/monochrome1", test_table_monochrome1);
  g_test_add_func ("/lut/table/non-finite-window", test_table_non_finite);
  g_test_add_func ("/lut/default/min-max", test_default_window);
  g_test_add_func ("/lut/default/first-file-window", test_default_window_from_file);
  return g_test_run ();
}
