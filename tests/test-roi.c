/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-roi.c: region statistics on hand-computed cases. Pixel (i, j) covers
 * [i, i+1) x [j, j+1) and is inside when its centre is (on the boundary
 * counts); statistics are over modality values, SD divides by n. Links the
 * core alone. */
#define G_LOG_DOMAIN "fen-test-roi"

#include <math.h>
#include <string.h>
#include <glib.h>
#include <fenestra/fen-roi.h>

/* A @w x @h x @frames image whose stored value at (x, y) of frame f is
 * @fill (x, y, f). */
typedef gint32 (*FenTestFill) (guint x, guint y, guint f);

static FenImage *
fen_test_image (guint w, guint h, guint frames, gboolean is_signed, guint bits,
                double slope, double intercept, const char *type, FenTestFill fill)
{
  FenImageInfo info;
  fen_image_info_init (&info);
  info.rows = h;
  info.columns = w;
  info.frames = frames;
  info.samples_per_pixel = 1;
  info.bits_allocated = bits;
  info.bits_stored = bits;
  info.high_bit = bits - 1;
  info.pixel_representation = is_signed ? 1 : 0;
  info.photometric = FEN_PHOTOMETRIC_MONOCHROME2;
  info.rescale_slope = slope;
  info.rescale_intercept = intercept;
  info.rescale_type = g_strdup (type);
  info.pixel_spacing[0] = 0.5;
  info.pixel_spacing[1] = 0.25;
  GError *error = NULL;
  FenImage *image = fen_image_new (&info, 0, &error);
  g_assert_no_error (error);
  fen_image_info_clear (&info);
  guint8 *px = fen_image_get_pixels_mutable (image);
  for (guint f = 0; f < frames; f++)
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        {
          const gsize at = ((gsize) f * h + y) * w + x;
          const gint32 v = fill (x, y, f);
          if (bits == 8)
            px[at] = (guint8) v;
          else
            ((guint16 *) px)[at] = (guint16) v;
        }
  return image;
}

static gint32 fen_fill_index (guint x, guint y, guint f) { return (gint32) (y * 10 + x + 100 * f); }
static gint32 fen_fill_signed (guint x, guint y, guint f) { return ((x + y) % 2) ? -3 : 5; }
static gint32 fen_fill_flat (guint x, guint y, guint f) { return 7; }

static void
fen_test_stats (const FenImage *image, guint frame, const FenRoi *roi, FenRoiStats *st)
{
  GError *error = NULL;
  g_assert_true (fen_roi_stats (image, frame, roi, st, &error));
  g_assert_no_error (error);
}

/* Values y*10+x on a 10 x 10 image. The rectangle from (2, 3), 3 x 2 covers
 * the centres x + 0.5 in [2, 5], y + 0.5 in [3, 5]: columns 2..4, rows 3..4,
 * values 32..34 and 42..44: n 6, mean 38. */
static void
fen_test_rectangle (void)
{
  g_autoptr(FenImage) image = fen_test_image (10, 10, 1, FALSE, 16, 1, 0, NULL, fen_fill_index);
  FenRoi roi = { .kind = FEN_ROI_RECTANGLE, .x = 2, .y = 3, .w = 3, .h = 2 };
  FenRoiStats st;

  fen_test_stats (image, 0, &roi, &st);
  g_assert_cmpuint (st.n, ==, 6);
  g_assert_cmpfloat_with_epsilon (st.mean, 38.0, 1e-12);
  /* Deviations -6,-5,-4,+4,+5,+6: squares 36+25+16+16+25+36 = 154. */
  g_assert_cmpfloat_with_epsilon (st.sd, sqrt (154.0 / 6.0), 1e-12);
  g_assert_cmpfloat (st.min, ==, 32.0);
  g_assert_cmpfloat (st.max, ==, 44.0);
  g_assert_cmpfloat_with_epsilon (st.area_px, 6.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.area_mm2, 6.0 * 0.5 * 0.25, 1e-12);
  g_assert_cmpstr (st.unit, ==, "none");

  /* Edges through pixel centres count: from (2.5, 3.5) to (4.5, 4.5) takes
   * the same 6 centres; a negative width is the same rectangle. */
  FenRoi edge = { .kind = FEN_ROI_RECTANGLE, .x = 4.5, .y = 3.5, .w = -2, .h = 1 };
  fen_test_stats (image, 0, &edge, &st);
  g_assert_cmpuint (st.n, ==, 6);
  g_assert_cmpfloat_with_epsilon (st.mean, 38.0, 1e-12);
}

/* One pixel: a rectangle around one centre only; a zero-size rectangle
 * exactly on a centre takes that pixel. */
static void
fen_test_one_pixel (void)
{
  g_autoptr(FenImage) image = fen_test_image (10, 10, 1, FALSE, 16, 2, -5, "HU", fen_fill_index);
  FenRoi roi = { .kind = FEN_ROI_RECTANGLE, .x = 7.2, .y = 1.1, .w = 0.5, .h = 0.6 };
  FenRoiStats st;

  fen_test_stats (image, 0, &roi, &st);
  g_assert_cmpuint (st.n, ==, 1);
  /* Stored 17, modality 2 * 17 - 5 = 29. */
  g_assert_cmpfloat (st.mean, ==, 29.0);
  g_assert_cmpfloat (st.sd, ==, 0.0);
  g_assert_cmpfloat (st.min, ==, 29.0);
  g_assert_cmpstr (st.unit, ==, "HU");

  FenRoi point = { .kind = FEN_ROI_RECTANGLE, .x = 3.5, .y = 8.5, .w = 0, .h = 0 };
  fen_test_stats (image, 0, &point, &st);
  g_assert_cmpuint (st.n, ==, 1);
  g_assert_cmpfloat (st.mean, ==, 2.0 * 83 - 5);

  /* Between centres: no pixel. */
  FenRoi none = { .kind = FEN_ROI_RECTANGLE, .x = 3.6, .y = 8.6, .w = 0.3, .h = 0.3 };
  fen_test_stats (image, 0, &none, &st);
  g_assert_cmpuint (st.n, ==, 0);
  g_assert_true (isnan (st.mean));
}

/* An ellipse centred on pixel (5, 5)'s centre, radii 1.5 and 1: centres
 * (5.5 + dx, 5.5 + dy) with (dx/1.5)^2 + dy^2 <= 1: dy 0: dx -1, 0, 1
 * ((1/1.5)^2 = 0.44); dy +-1: dx 0 only (boundary). 5 pixels. */
static void
fen_test_ellipse (void)
{
  g_autoptr(FenImage) image = fen_test_image (10, 10, 1, FALSE, 16, 1, 0, NULL, fen_fill_index);
  FenRoi roi = { .kind = FEN_ROI_ELLIPSE, .x = 5.5, .y = 5.5, .rx = 1.5, .ry = 1 };
  FenRoiStats st;

  fen_test_stats (image, 0, &roi, &st);
  g_assert_cmpuint (st.n, ==, 5);
  /* Values 54, 55, 56, 45, 65: mean 55, squares 1 + 0 + 1 + 100 + 100. */
  g_assert_cmpfloat_with_epsilon (st.mean, 55.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.sd, sqrt (202.0 / 5.0), 1e-12);
  g_assert_cmpfloat (st.min, ==, 45.0);
  g_assert_cmpfloat (st.max, ==, 65.0);
  g_assert_cmpfloat_with_epsilon (st.area_px, G_PI * 1.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.area_mm2, G_PI * 1.5 * 0.125, 1e-12);

  /* Cut by the image's edge: only the inside pixels count. */
  FenRoi corner = { .kind = FEN_ROI_ELLIPSE, .x = 0, .y = 0, .rx = 1.2, .ry = 1.2 };
  fen_test_stats (image, 0, &corner, &st);
  /* (0.5, 0.5): 0.5 / 1.44 <= 1 in; (1.5, 0.5): 2.5 / 1.44 > 1 out. */
  g_assert_cmpuint (st.n, ==, 1);
  g_assert_cmpfloat (st.mean, ==, 0.0);
}

/* A concave polygon (an L): squares 0..4 x 0..2 and 0..2 x 2..4. Centres
 * inside: rows 0, 1 columns 0..3 (8), rows 2, 3 columns 0, 1 (4); the edges
 * x = 2 and y = 2 pass between centres. Then a triangle whose vertices sit
 * on centres, and a pentagram whose doubly wound centre the even-odd rule
 * leaves out. */
static void
fen_test_polygon (void)
{
  g_autoptr(FenImage) image = fen_test_image (10, 10, 1, FALSE, 16, 1, 0, NULL, fen_fill_index);
  static const double l[] = { 0, 0, 4, 0, 4, 2, 2, 2, 2, 4, 0, 4 };
  FenRoi roi = { .kind = FEN_ROI_POLYGON, .points = l, .n_points = 6 };
  FenRoiStats st;

  fen_test_stats (image, 0, &roi, &st);
  g_assert_cmpuint (st.n, ==, 12);
  /* 0+1+2+3 + 10+11+12+13 + 20+21 + 30+31 = 154. */
  g_assert_cmpfloat_with_epsilon (st.mean, 154.0 / 12.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.area_px, 12.0, 1e-12);

  /* Vertices on centres: the triangle (0.5, 0.5), (4.5, 0.5), (0.5, 4.5)
   * takes every centre on or under its hypotenuse: 5 + 4 + 3 + 2 + 1. */
  static const double tri[] = { 0.5, 0.5, 4.5, 0.5, 0.5, 4.5 };
  FenRoi t = { .kind = FEN_ROI_POLYGON, .points = tri, .n_points = 3 };
  fen_test_stats (image, 0, &t, &st);
  g_assert_cmpuint (st.n, ==, 15);
  g_assert_cmpfloat_with_epsilon (st.area_px, 8.0, 1e-12);

  /* A pentagram around (5, 5): the inner pentagon is crossed twice and
   * left out by the even-odd rule. */
  double star[10];
  for (guint k = 0; k < 5; k++)
    {
      const double angle = -G_PI / 2 + k * 4 * G_PI / 5;
      star[2 * k] = 5.5 + 4.5 * cos (angle);
      star[2 * k + 1] = 5.5 + 4.5 * sin (angle);
    }
  FenRoi s = { .kind = FEN_ROI_POLYGON, .points = star, .n_points = 5 };
  g_assert_false (fen_roi_contains (&s, 5.5, 5.5));
  g_assert_true (fen_roi_contains (&s, 5.5, 1.5));
}

/* Signed data, 8-bit: a checkerboard of +5 and -3 in a 4 x 4 rectangle:
 * 8 of each, mean 1, SD 4. */
static void
fen_test_signed (void)
{
  g_autoptr(FenImage) image = fen_test_image (6, 6, 1, TRUE, 8, 1, 0, NULL, fen_fill_signed);
  FenRoi roi = { .kind = FEN_ROI_RECTANGLE, .x = 1, .y = 1, .w = 4, .h = 4 };
  FenRoiStats st;

  fen_test_stats (image, 0, &roi, &st);
  g_assert_cmpuint (st.n, ==, 16);
  g_assert_cmpfloat_with_epsilon (st.mean, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (st.sd, 4.0, 1e-12);
  g_assert_cmpfloat (st.min, ==, -3.0);
  g_assert_cmpfloat (st.max, ==, 5.0);
}

/* A negative slope swaps min and max; a flat region has SD 0 exactly. */
static void
fen_test_rescale (void)
{
  g_autoptr(FenImage) image = fen_test_image (10, 10, 1, FALSE, 16, -0.5, 100, NULL, fen_fill_index);
  FenRoi roi = { .kind = FEN_ROI_RECTANGLE, .x = 0, .y = 0, .w = 2, .h = 1 };
  FenRoiStats st;

  fen_test_stats (image, 0, &roi, &st);
  /* Centres (0.5, 0.5), (1.5, 0.5): stored 0, 1: modality 100, 99.5. */
  g_assert_cmpuint (st.n, ==, 2);
  g_assert_cmpfloat (st.min, ==, 99.5);
  g_assert_cmpfloat (st.max, ==, 100.0);
  g_assert_cmpfloat_with_epsilon (st.sd, 0.25, 1e-12);

  g_autoptr(FenImage) flat = fen_test_image (300, 300, 1, FALSE, 16, 1, 0, NULL, fen_fill_flat);
  FenRoi big = { .kind = FEN_ROI_ELLIPSE, .x = 150, .y = 150, .rx = 140, .ry = 90 };
  fen_test_stats (flat, 0, &big, &st);
  g_assert_cmpfloat (st.sd, ==, 0.0);
  g_assert_cmpfloat (st.mean, ==, 7.0);
}

/* Each frame's own values and rescale (enhanced multi-frame). */
static void
fen_test_multiframe (void)
{
  g_autoptr(FenImage) image = fen_test_image (10, 10, 3, FALSE, 16, 1, 0, NULL, fen_fill_index);
  FenRoi roi = { .kind = FEN_ROI_RECTANGLE, .x = 2, .y = 3, .w = 3, .h = 2 };
  FenRoiStats st;

  fen_test_stats (image, 2, &roi, &st);
  g_assert_cmpfloat_with_epsilon (st.mean, 238.0, 1e-12);
  GError *error = NULL;
  g_assert_false (fen_roi_stats (image, 3, &roi, &st, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);
}

static void
fen_test_refused (void)
{
  g_autoptr(FenImage) image = fen_test_image (4, 4, 1, FALSE, 16, 1, 0, NULL, fen_fill_index);
  FenRoiStats st;
  GError *error = NULL;
  static const double two[] = { 0, 0, 1, 1 };
  FenRoi bad[] = {
    { .kind = FEN_ROI_ELLIPSE, .x = 1, .y = 1, .rx = 0, .ry = 1 },
    { .kind = FEN_ROI_RECTANGLE, .x = NAN, .y = 1, .w = 1, .h = 1 },
    { .kind = FEN_ROI_POLYGON, .points = two, .n_points = 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (fen_roi_stats (image, 0, &bad[i], &st, &error));
      g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
      g_clear_error (&error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/roi/rectangle", fen_test_rectangle);
  g_test_add_func ("/roi/one-pixel", fen_test_one_pixel);
  g_test_add_func ("/roi/ellipse", fen_test_ellipse);
  g_test_add_func ("/roi/polygon", fen_test_polygon);
  g_test_add_func ("/roi/signed", fen_test_signed);
  g_test_add_func ("/roi/rescale", fen_test_rescale);
  g_test_add_func ("/roi/multiframe", fen_test_multiframe);
  g_test_add_func ("/roi/refused", fen_test_refused);
  return g_test_run ();
}
