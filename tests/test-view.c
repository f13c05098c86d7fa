/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-view.c: FenView, the view maths the viewer and fenestra-cli share:
 * fit, the two mappings between output and image under every rotation and
 * flip, the sampling the renderer gets, the pyramid level, the window
 * drag's step in modality units, and the automatic window per frame. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <math.h>

static void
fen_test_view_new (FenView *view, double iw, double ih, double ow, double oh)
{
  fen_view_init (view);
  fen_view_set_image_size (view, iw, ih);
  fen_view_set_output_size (view, ow, oh);
}

static void
test_fit (void)
{
  FenView view;

  /* 512 x 256 into 800 x 600: the width limits, 800 / 512. */
  fen_test_view_new (&view, 512, 256, 800, 600);
  g_assert_true (view.fit);
  g_assert_cmpfloat (view.zoom, ==, 800.0 / 512.0);
  g_assert_cmpfloat (view.center_x, ==, 256);
  g_assert_cmpfloat (view.center_y, ==, 128);
  /* A quarter turn makes it 256 x 512 on the output: now the height limits. */
  fen_view_rotate (&view, 1);
  g_assert_cmpfloat (view.zoom, ==, 600.0 / 512.0);
  /* The output shrinks: still fitted. */
  fen_view_set_output_size (&view, 300, 300);
  g_assert_cmpfloat (view.zoom, ==, 300.0 / 512.0);
  /* A zoom ends fitting; a new output size then keeps the zoom. */
  fen_view_zoom_about (&view, 2.0, 150, 150);
  g_assert_false (view.fit);
  fen_view_set_output_size (&view, 800, 600);
  g_assert_cmpfloat (view.zoom, ==, 600.0 / 512.0);
  fen_view_fit (&view);
  g_assert_cmpfloat (view.zoom, ==, 600.0 / 512.0);
  fen_view_reset (&view);
  g_assert_cmpint (view.rotation, ==, 0);
  g_assert_cmpfloat (view.zoom, ==, 800.0 / 512.0);
}

/* Where the image's corners land, for each rotation and flip, at zoom 1
 * with the output the size of the (turned) image: what a user sees. */
typedef struct {
  int      rotation;
  gboolean flip_h, flip_v;       /* as fen_view_flip() is asked, in output terms */
  double   top_left_x, top_left_y; /* image (0, 0) on the output */
} CornerCase;

static const CornerCase corner_cases[] = {
  { 0, FALSE, FALSE, 0, 0 },
  { 1, FALSE, FALSE, 50, 0 },     /* clockwise: the top left goes to the top right */
  { 2, FALSE, FALSE, 100, 50 },
  { 3, FALSE, FALSE, 0, 100 },
  { 0, TRUE, FALSE, 100, 0 },     /* mirrored left-right */
  { 0, FALSE, TRUE, 0, 50 },      /* upside down */
  { 1, TRUE, FALSE, 0, 0 },       /* turned, then mirrored as seen: back to the top left */
  { 1, FALSE, TRUE, 50, 100 },
};

static void
test_corners (gconstpointer data)
{
  const CornerCase *c = data;
  FenView view;
  double sx, sy, ix, iy;

  fen_view_init (&view);
  fen_view_set_image_size (&view, 100, 50);
  fen_view_rotate (&view, c->rotation);
  fen_view_set_output_size (&view, c->rotation % 2 ? 50 : 100, c->rotation % 2 ? 100 : 50);
  if (c->flip_h)
    fen_view_flip (&view, TRUE);
  if (c->flip_v)
    fen_view_flip (&view, FALSE);
  g_assert_cmpfloat (view.zoom, ==, 1.0);
  fen_view_image_to_screen (&view, 0, 0, &sx, &sy);
  g_assert_cmpfloat_with_epsilon (sx, c->top_left_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (sy, c->top_left_y, 1e-9);
  fen_view_screen_to_image (&view, c->top_left_x, c->top_left_y, &ix, &iy);
  g_assert_cmpfloat_with_epsilon (ix, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (iy, 0, 1e-9);
}

static void
test_round_trip (void)
{
  for (int r = 0; r < 4; r++)
    for (int f = 0; f < 4; f++)
      {
        FenView view;

        fen_test_view_new (&view, 317, 211, 640, 480);
        fen_view_rotate (&view, r);
        if (f & 1)
          fen_view_flip (&view, TRUE);
        if (f & 2)
          fen_view_flip (&view, FALSE);
        fen_view_zoom_about (&view, 2.7, 100, 70);
        fen_view_pan (&view, view.center_x, view.center_y, 13, -29);
        for (double x = -50; x < 700; x += 37.5)
          for (double y = -20; y < 500; y += 41.25)
            {
              double ix, iy, sx, sy;

              fen_view_screen_to_image (&view, x, y, &ix, &iy);
              fen_view_image_to_screen (&view, ix, iy, &sx, &sy);
              g_assert_cmpfloat_with_epsilon (sx, x, 1e-9);
              g_assert_cmpfloat_with_epsilon (sy, y, 1e-9);
            }
      }
}

static void
test_zoom_about_keeps_point (void)
{
  FenView view;
  double ix, iy, jx, jy;

  fen_test_view_new (&view, 400, 300, 640, 480);
  fen_view_rotate (&view, 3);
  fen_view_screen_to_image (&view, 123, 456, &ix, &iy);
  fen_view_zoom_about (&view, 3.0, 123, 456);
  fen_view_screen_to_image (&view, 123, 456, &jx, &jy);
  g_assert_cmpfloat_with_epsilon (ix, jx, 1e-9);
  g_assert_cmpfloat_with_epsilon (iy, jy, 1e-9);
  /* Clamped at both ends. */
  fen_view_zoom_about (&view, 1e9, 0, 0);
  g_assert_cmpfloat (view.zoom, ==, FEN_VIEW_MAX_ZOOM);
  fen_view_zoom_about (&view, 1e-12, 0, 0);
  g_assert_cmpfloat (view.zoom, ==, FEN_VIEW_MIN_ZOOM);
}

static void
test_pan_follows_pointer (void)
{
  FenView view;
  double before_x, before_y, after_x, after_y;

  fen_test_view_new (&view, 400, 300, 640, 480);
  fen_view_rotate (&view, 1);
  fen_view_flip (&view, TRUE);
  fen_view_image_to_screen (&view, 10, 20, &before_x, &before_y);
  fen_view_pan (&view, view.center_x, view.center_y, 25, -40);
  fen_view_image_to_screen (&view, 10, 20, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x - before_x, 25, 1e-9);
  g_assert_cmpfloat_with_epsilon (after_y - before_y, -40, 1e-9);
  g_assert_false (view.fit);
}

/* The sampling samples, for each device pixel, the image point under its
 * centre, at scale 1 and 2. */
static void
test_sampling (gconstpointer data)
{
  double scale = GPOINTER_TO_INT (data);
  FenView view;
  FenSampling s;

  fen_test_view_new (&view, 300, 200, 160, 120);
  fen_view_rotate (&view, 1);
  fen_view_flip (&view, FALSE);
  fen_view_zoom_about (&view, 1.7, 40, 30);
  fen_view_get_sampling (&view, scale, &s);
  for (guint j = 0; j < 120 * scale; j += 7)
    for (guint i = 0; i < 160 * scale; i += 5)
      {
        double ix, iy;

        fen_view_screen_to_image (&view, (i + 0.5) / scale, (j + 0.5) / scale, &ix, &iy);
        g_assert_cmpfloat_with_epsilon (s.origin_x + (i + 0.5) * s.col_dx + (j + 0.5) * s.row_dx, ix, 1e-9);
        g_assert_cmpfloat_with_epsilon (s.origin_y + (i + 0.5) * s.col_dy + (j + 0.5) * s.row_dy, iy, 1e-9);
      }
}

static void
test_level (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U16, 1024, 1024, 1);
  g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, 0);
  FenView view;

  /* 1024 into 256: a quarter, level 2 on a scale-1 screen; a scale-2
   * screen has twice the device pixels, so level 1. */
  fen_test_view_new (&view, 1024, 1024, 256, 256);
  g_assert_cmpuint (fen_view_get_level (&view, 1, pyramid), ==, 2);
  g_assert_cmpuint (fen_view_get_level (&view, 2, pyramid), ==, 1);
  g_assert_cmpuint (fen_view_get_level (&view, 1, NULL), ==, 0);
  /* From half size up, the base. */
  fen_view_set_output_size (&view, 512, 512);
  g_assert_cmpuint (fen_view_get_level (&view, 1, pyramid), ==, 1);
  fen_view_set_output_size (&view, 513, 513);
  g_assert_cmpuint (fen_view_get_level (&view, 1, pyramid), ==, 0);
}

/* An RT-dose-like image: 0..60000 stored at slope 0.001, 0..60 Gy, two
 * frames, the second with slope 0.002 (enhanced multi-frame). */
static FenImage *
fen_test_dose_new (void)
{
  FenImageInfo info;
  FenImage *image;
  guint16 *pixels;

  fen_image_info_init (&info);
  info.rows = 2;
  info.columns = 2;
  info.frames = 2;
  info.bits_allocated = info.bits_stored = 16;
  info.high_bit = 15;
  info.rescale_slope = 0.001;
  info.format = g_strdup ("TEST");
  info.modality = g_strdup ("RTDOSE");
  info.frame_values = g_new0 (FenFrameValues, 2);
  info.frame_values[0].rescale_slope = 0.001;
  info.frame_values[1].rescale_slope = 0.002;
  image = fen_image_new (&info, 0, NULL);
  fen_image_info_clear (&info);
  g_assert_nonnull (image);
  pixels = fen_image_get_pixels_mutable (image);
  for (guint i = 0; i < 8; i++)
    pixels[i] = (guint16) (i % 4 == 0 ? 0 : i % 4 == 3 ? 60000 : 30000);
  return image;
}

static void
test_window_step_modality (void)
{
  g_autoptr(FenImage) dose = fen_test_dose_new ();
  FenView view;

  fen_test_view_new (&view, 2, 2, 512, 512);
  /* A 1 Gy window: 1 Gy is above 60 Gy / 256, so a sweep of 512 px adds
   * two widths; the stored range (60000 / 256 = 234) would make it 234 Gy. */
  g_assert_cmpfloat_with_epsilon (fen_view_window_step (&view, dose, 0, 1.0), 2.0 * 1.0 / 512, 1e-12);
  /* A narrow window still opens: 0.01 Gy starts at 60 / 256 per 256 px. */
  g_assert_cmpfloat_with_epsilon (fen_view_window_step (&view, dose, 0, 0.01), 2.0 * (60.0 / 256) / 512, 1e-12);
  /* Frame 1 rescales to 0..120 Gy: its own range. */
  g_assert_cmpfloat_with_epsilon (fen_view_window_step (&view, dose, 1, 0.01), 2.0 * (120.0 / 256) / 512, 1e-12);
  /* Narrow outputs count as 256 px. */
  fen_view_set_output_size (&view, 100, 100);
  g_assert_cmpfloat_with_epsilon (fen_view_window_step (&view, dose, 0, 1.0), 2.0 / 256, 1e-12);
}

static void
test_window_per_frame (void)
{
  g_autoptr(FenImage) dose = fen_test_dose_new ();
  FenWindowParams w = { 0 };
  double lo, hi;

  fen_image_get_modality_range (dose, 1, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (lo, 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (hi, 120, 1e-9);
  /* No window in the file: the content's range in each frame's units. */
  fen_window_default (dose, 0, &w);
  g_assert_cmpfloat_with_epsilon (w.width, 61, 1e-9);
  fen_window_default (dose, 1, &w);
  g_assert_cmpfloat_with_epsilon (w.width, 121, 1e-9);
  /* The automatic window reads the frame it is asked for, in its units,
   * and keeps the user's invert. */
  w.invert = TRUE;
  fen_window_auto (dose, 1, &w);
  g_assert_true (w.invert);
  g_assert_cmpfloat_with_epsilon (w.center - 0.5, 60.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (w.width - 1, 120.0, 1e-6);
  fen_window_auto (dose, 0, &w);
  g_assert_cmpfloat_with_epsilon (w.width - 1, 60.0, 1e-6);
}

/* Bug: a CT window was forced onto NM, RGB and RT dose panes. */
static void
test_window_link_refused (void)
{
  g_autoptr(FenImage) ct = fen_test_image_new (FEN_TEST_S16, 4, 4, 1);
  g_autoptr(FenImage) ct2 = fen_test_image_new (FEN_TEST_S16, 8, 8, 1);
  g_autoptr(FenImage) rgb = fen_test_image_new (FEN_TEST_RGB8, 4, 4, 1);
  g_autoptr(FenImage) rgb2 = fen_test_image_new (FEN_TEST_RGB8, 5, 4, 1);
  g_autoptr(FenImage) other = fen_test_image_new (FEN_TEST_U16, 4, 4, 1);
  g_autoptr(FenImage) dose = fen_test_dose_new ();

  g_assert_true (fen_image_can_share_window (ct, ct2));
  g_assert_true (fen_image_can_share_window (dose, dose));
  g_assert_false (fen_image_can_share_window (ct, dose));
  g_assert_false (fen_image_can_share_window (dose, ct));
  g_assert_false (fen_image_can_share_window (ct, rgb));
  g_assert_false (fen_image_can_share_window (rgb, rgb2));
  g_assert_false (fen_image_can_share_window (ct, other));
}

/* Bug: an RT dose window of 1.25 Gy read "W 1". */
static void
test_value_decimals (void)
{
  g_autoptr(FenImage) ct = fen_test_image_new (FEN_TEST_S16, 4, 4, 1);
  g_autoptr(FenImage) dose = fen_test_dose_new ();

  g_assert_cmpstr (fen_image_get_unit (ct), ==, "HU");
  g_assert_null (fen_image_get_unit (dose));
  g_assert_cmpuint (fen_image_get_value_decimals (ct, 0), ==, 0);
  /* 0..60 Gy: a thousandth is 0.06, two decimals; frame 1 spans 120 Gy. */
  g_assert_cmpuint (fen_image_get_value_decimals (dose, 0), ==, 2);
  g_assert_cmpuint (fen_image_get_value_decimals (dose, 1), ==, 1);
}

/* fen_view_render() is fen_renderer_render() with the view's sampling, or
 * a pyramid level below half size: byte for byte. */
static void
test_render_matches_renderer (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 301, 203, 2);
  g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, 1);
  g_autoptr(FenImage) level_image = NULL;
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 512);
  g_autoptr(FenLut) lut = fen_lut_new ();
  g_autofree guint8 *a = g_malloc (160 * 120 * 4), *b = g_malloc (160 * 120 * 4);
  FenWindowParams w;
  FenSampling s, scaled;
  FenView view;
  guint level = 99;

  fen_window_default (image, 1, &w);
  fen_lut_build (lut, image, 1, &w);
  fen_test_view_new (&view, 301, 203, 160, 120);
  fen_view_rotate (&view, 2);
  fen_view_zoom_about (&view, 1.9, 10, 10);
  g_assert_true (fen_view_render (&view, 1, renderer, image, 1, pyramid, lut, 160, 120,
                                  FEN_PIXEL_BGRA8, a, 160 * 4, &level));
  g_assert_cmpuint (level, ==, 0);
  fen_view_get_sampling (&view, 1, &s);
  g_assert_true (fen_renderer_render (renderer, image, 1, lut, &s, 160, 120, FEN_PIXEL_BGRA8, b, 160 * 4));
  g_assert_cmpmem (a, 160 * 120 * 4, b, 160 * 120 * 4);

  /* Zoomed out to a quarter: level 2 of frame 1. */
  fen_view_zoom_about (&view, 0.25 / view.zoom, 80, 60);
  g_assert_true (fen_view_render (&view, 1, renderer, image, 1, pyramid, lut, 160, 120,
                                  FEN_PIXEL_BGRA8, a, 160 * 4, &level));
  g_assert_cmpuint (level, ==, 2);
  fen_view_get_sampling (&view, 1, &s);
  fen_pyramid_scale_sampling (2, &s, &scaled);
  level_image = fen_pyramid_ref_level (pyramid, 2);
  g_assert_true (fen_renderer_render (renderer, level_image, 0, lut, &scaled,
                                      160, 120, FEN_PIXEL_BGRA8, b, 160 * 4));
  g_assert_cmpmem (a, 160 * 120 * 4, b, 160 * 120 * 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/view/fit", test_fit);
  for (guint i = 0; i < G_N_ELEMENTS (corner_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/view/corners/rot%d%s%s", corner_cases[i].rotation,
                                               corner_cases[i].flip_h ? "-flip-h" : "",
                                               corner_cases[i].flip_v ? "-flip-v" : "");
      g_test_add_data_func (path, &corner_cases[i], test_corners);
    }
  g_test_add_func ("/view/round-trip", test_round_trip);
  g_test_add_func ("/view/zoom-about-keeps-point", test_zoom_about_keeps_point);
  g_test_add_func ("/view/pan-follows-pointer", test_pan_follows_pointer);
  g_test_add_data_func ("/view/sampling/scale-1", GINT_TO_POINTER (1), test_sampling);
  g_test_add_data_func ("/view/sampling/scale-2", GINT_TO_POINTER (2), test_sampling);
  g_test_add_func ("/view/pyramid-level", test_level);
  g_test_add_func ("/view/window-step/modality-range", test_window_step_modality);
  g_test_add_func ("/view/window/per-frame", test_window_per_frame);
  g_test_add_func ("/view/window/link-refused", test_window_link_refused);
  g_test_add_func ("/view/window/value-decimals", test_value_decimals);
  g_test_add_func ("/view/render/matches-renderer", test_render_matches_renderer);
  return g_test_run ();
}
