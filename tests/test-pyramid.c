/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pyramid.c: zoomed-out renders from the pyramid against a box-filtered
 * reference computed here, and the pyramid's bytes against a third of the base. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <math.h>

static void
test_bytes_third (void)
{
  static const guint sizes[][2] = { { 2800, 2800 }, { 2801, 1999 }, { 33, 4097 }, { 64, 64 }, { 31, 31 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, sizes[i][0], sizes[i][1], 1);
      g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, 0);
      guint n = fen_pyramid_get_n_levels (pyramid);

      g_autoptr(FenImage) last = fen_pyramid_ref_level (pyramid, n - 1);
      gsize bytes = fen_pyramid_get_bytes (pyramid);

      g_assert_nonnull (last);
      g_test_message ("%ux%u: %u levels, %zu bytes for a base of %zu", sizes[i][0], sizes[i][1], n,
                      bytes, fen_image_get_frame_bytes (image));
      g_assert_cmpuint (bytes * 3, <=, fen_image_get_frame_bytes (image));
      g_assert_cmpuint (fen_pyramid_shed (pyramid, FALSE), ==, bytes);
      g_assert_cmpuint (fen_pyramid_get_bytes (pyramid), ==, 0);
    }
}

static void
test_level_for_zoom (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U8, 1024, 512, 1);
  g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, 0);

  /* 512 / 32 = 16 = 2^4: levels 0 .. 4. */
  g_assert_cmpuint (fen_pyramid_get_n_levels (pyramid), ==, 5);
  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 2.0), ==, 0);
  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 1.0), ==, 0);
  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 0.51), ==, 0);
  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 0.5), ==, 1);
  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 0.3), ==, 1);
  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 0.25), ==, 2);
  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 0.001), ==, 4);
  /* Nothing is built until asked for. */
  g_assert_cmpuint (fen_pyramid_get_bytes (pyramid), ==, 0);
}

/* Renders the whole frame at 1 / 2^level through the pyramid and compares
 * each output pixel with the window applied to the mean modality value of
 * the base pixels it covers. */
static void
check_box_reference (FenTestKind kind, guint level)
{
  const guint w = 1000, h = 704, frames = 2, frame = 1;
  const guint step = 1u << level, ow = w / step, oh = h / step;
  g_autoptr(FenImage) image = fen_test_image_new (kind, w, h, frames);
  g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, frame);
  g_autoptr(FenLut) lut = fen_lut_new ();
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, ow);
  g_autofree guint8 *out = g_malloc ((gsize) ow * oh);
  FenWindowParams window = { 0 };
  FenRect view = { 0, 0, w, h };
  FenSampling base, scaled;
  g_autoptr(FenImage) source = NULL;
  guint worst = 0;

  /* Smooth content so the window ramp, not noise, decides the gray. */
  for (guint f = 0; f < frames; f++)
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        {
          double v = 0.5 + 0.45 * sin (x / 37.0 + f) * cos (y / 23.0);
          gsize i = ((gsize) f * h + y) * w + x;
          if (kind == FEN_TEST_S16)
            ((gint16 *) fen_image_get_pixels_mutable (image))[i] = (gint16) (v * 3000 - 1000);
          else
            ((guint8 *) fen_image_get_pixels_mutable (image))[i] = (guint8) (v * 255);
        }
  if (kind == FEN_TEST_S16)
    window = (FenWindowParams) { .center = 400, .width = 2400, .function = FEN_VOI_LINEAR, .invert = FALSE };
  else
    window = (FenWindowParams) { .center = 128, .width = 256, .function = FEN_VOI_LINEAR, .invert = FALSE };

  g_assert_cmpuint (fen_pyramid_level_for_zoom (pyramid, 1.0 / step), ==, level);
  source = fen_pyramid_ref_level (pyramid, level);
  fen_sampling_from_rect (&base, &view, ow, oh);
  fen_pyramid_scale_sampling (level, &base, &scaled);
  fen_lut_build (lut, source, 0, &window);
  g_assert_true (fen_renderer_render (renderer, source, 0, lut, &scaled, ow, oh, FEN_PIXEL_GRAY8, out, ow));

  for (guint j = 0; j < oh; j++)
    for (guint i = 0; i < ow; i++)
      {
        double sum = 0;
        for (guint y = j * step; y < (j + 1) * step; y++)
          for (guint x = i * step; x < (i + 1) * step; x++)
            sum += fen_image_to_modality (image, frame, fen_image_get_stored_value (image, frame, x, y));
        double mean = sum / (step * step);
        double g = fen_voi_apply (FEN_VOI_LINEAR, mean, window.center, window.width, 0, 255);
        int expect = (int) floor (g + 0.5);
        worst = MAX (worst, (guint) ABS (expect - (int) out[(gsize) j * ow + i]));
      }
  g_test_message ("level %u: worst difference %u gray levels", level, worst);
  g_assert_cmpuint (worst, <=, 1);
}

static void
test_box_reference (void)
{
  for (guint level = 1; level <= 3; level++)
    {
      check_box_reference (FEN_TEST_S16, level);
      check_box_reference (FEN_TEST_U8, level);
    }
}

static void
test_rgb (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_RGB8, 64, 64, 1);
  g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, 0);
  g_autoptr(FenImage) level = fen_pyramid_ref_level (pyramid, 1);
  const guint8 *b = fen_image_get_frame (image, 0), *l = fen_image_get_frame (level, 0);

  g_assert_cmpuint (fen_image_get_width (level), ==, 32);
  for (guint c = 0; c < 3; c++)
    {
      guint sum = b[c] + b[3 + c] + b[64 * 3 + c] + b[64 * 3 + 3 + c];
      g_assert_cmpuint (l[c], ==, (sum + 2) / 4);
    }
}

/* Shedding keeps the level in use and lets a holder keep what it reads;
 * the next ask builds a dropped level again, the same pixels. */
static void
test_shed_keeps_in_use (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 512, 256, 1);
  g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, 0);
  g_autoptr(FenImage) two = fen_pyramid_ref_level (pyramid, 2);   /* builds 1 and 2 */
  g_autoptr(FenImage) one = NULL;
  g_autoptr(FenImage) again = NULL;
  gsize level1 = 256 * 128 * 2, level2 = 128 * 64 * 2;
  g_autofree guint8 *copy = g_memdup2 (fen_image_get_frame (two, 0), level2);

  g_assert_cmpuint (fen_pyramid_get_level_in_use (pyramid), ==, 2);
  g_assert_cmpuint (fen_pyramid_get_bytes (pyramid), ==, level1 + level2);
  /* Level 1 was only the way to level 2: it goes, level 2 stays. */
  g_assert_cmpuint (fen_pyramid_shed (pyramid, TRUE), ==, level1);
  g_assert_cmpuint (fen_pyramid_get_bytes (pyramid), ==, level2);
  again = fen_pyramid_ref_level (pyramid, 2);
  g_assert_true (again == two);

  /* Everything goes; what we hold stays readable, and is ours alone now. */
  g_assert_cmpuint (fen_pyramid_shed (pyramid, FALSE), ==, level2);
  g_assert_cmpuint (fen_pyramid_get_bytes (pyramid), ==, 0);
  g_assert_cmpmem (fen_image_get_frame (two, 0), level2, copy, level2);

  /* Asked again: built again, the same box filter. */
  g_clear_pointer (&again, fen_image_unref);
  again = fen_pyramid_ref_level (pyramid, 2);
  g_assert_true (again != two);
  g_assert_cmpmem (fen_image_get_frame (again, 0), level2, copy, level2);
  g_assert_cmpuint (fen_pyramid_get_bytes (pyramid), ==, level1 + level2);

  /* Level 0 in use: no level is, all of them go. */
  g_assert_true ((one = fen_pyramid_ref_level (pyramid, 0)) == image);
  g_assert_cmpuint (fen_pyramid_get_level_in_use (pyramid), ==, 0);
  g_assert_cmpuint (fen_pyramid_shed (pyramid, TRUE), ==, level1 + level2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pyramid/bytes-within-a-third", test_bytes_third);
  g_test_add_func ("/pyramid/level-for-zoom", test_level_for_zoom);
  g_test_add_func ("/pyramid/box-filter-reference", test_box_reference);
  g_test_add_func ("/pyramid/rgb", test_rgb);
  g_test_add_func ("/pyramid/shed-keeps-in-use", test_shed_keeps_in_use);
  return g_test_run ();
}
