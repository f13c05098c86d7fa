/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-view-rect.c: the visible rectangle of a view and the render of only
 * that rectangle, which is what the viewer puts in its texture (issue 14).
 * For views fitted, zoomed in, zoomed out to a pyramid level, panned half
 * off the output, turned, mirrored, at device scale 1 and 2, and panned
 * entirely off: the rectangle is the bounding box of the output pixels
 * that read the image (found pixel by pixel here), the whole render is
 * background outside it, and the render of the rectangle is byte for byte
 * that region of the whole render, for any thread count and chunk size,
 * writing nothing outside it. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <math.h>
#include <string.h>

#define IMAGE_W 301
#define IMAGE_H 203
#define OUT_W   160
#define OUT_H   120
#define CANARY  0x5a

typedef struct {
  const char *name;
  int         rotation;
  gboolean    flip_h, flip_v;
  double      zoom;          /* factor about (zoom_x, zoom_y) after fitting; 0: fitted */
  double      zoom_x, zoom_y;
  double      pan_x, pan_y;  /* output pixels the image is dragged by */
  int         scale;
  gboolean    empty;         /* the image is off the output */
} RectCase;

static const RectCase rect_cases[] = {
  { "fit",                 0, FALSE, FALSE, 0,    0,  0,   0,    0,    1, FALSE },
  { "fit-rot1",            1, FALSE, FALSE, 0,    0,  0,   0,    0,    1, FALSE },
  { "fit-rot2-flip-h",     2, TRUE,  FALSE, 0,    0,  0,   0,    0,    1, FALSE },
  { "fit-rot3-flip-v",     3, FALSE, TRUE,  0,    0,  0,   0,    0,    1, FALSE },
  { "fit-scale2",          0, FALSE, FALSE, 0,    0,  0,   0,    0,    2, FALSE },
  { "zoom-in",             0, FALSE, FALSE, 3.7,  30, 40,  0,    0,    1, FALSE },
  { "zoom-in-rot1-flip-h", 1, TRUE,  FALSE, 2.3,  90, 70,  0,    0,    1, FALSE },
  { "zoom-out-level",      0, FALSE, FALSE, 0.37, 80, 60,  0,    0,    1, FALSE },
  { "zoom-out-rot3",       3, TRUE,  TRUE,  0.41, 80, 60,  17,   -9,   1, FALSE },
  { "zoom-out-scale2",     1, FALSE, FALSE, 0.3,  80, 60,  5,    5,    2, FALSE },
  { "half-off-right",      0, FALSE, FALSE, 1.3,  80, 60,  80,   0,    1, FALSE },
  { "half-off-top-left",   2, FALSE, TRUE,  1.1,  80, 60,  -90,  -70,  1, FALSE },
  { "half-off-rot1",       1, FALSE, TRUE,  1.6,  80, 60,  -85,  33,   2, FALSE },
  { "off-right",           0, FALSE, FALSE, 0,    0,  0,   500,  0,    1, TRUE },
  { "off-bottom-rot1",     1, TRUE,  FALSE, 1.2,  80, 60,  0,    900,  2, TRUE },
};

static const FenTestKind kinds[] = { FEN_TEST_S16, FEN_TEST_U8, FEN_TEST_RGB8 };

static void
fen_test_case_view (const RectCase *c, FenView *view)
{
  fen_view_init (view);
  fen_view_set_image_size (view, IMAGE_W, IMAGE_H);
  fen_view_set_output_size (view, OUT_W, OUT_H);
  fen_view_rotate (view, c->rotation);
  if (c->flip_h)
    fen_view_flip (view, TRUE);
  if (c->flip_v)
    fen_view_flip (view, FALSE);
  if (c->zoom > 0)
    fen_view_zoom_about (view, c->zoom, c->zoom_x, c->zoom_y);
  if (c->pan_x != 0 || c->pan_y != 0)
    fen_view_pan (view, view->center_x, view->center_y, c->pan_x, c->pan_y);
}

/* The bounding box of the device pixels whose sample lies in the image,
 * pixel by pixel: FenSampling's definition, no separability assumed. */
static gboolean
fen_test_brute_rect (const FenView *view, int scale, guint dw, guint dh, FenPixelRect *rect)
{
  FenSampling s;
  guint x0 = dw, y0 = dh, x1 = 0, y1 = 0;

  fen_view_get_sampling (view, scale, &s);
  for (guint j = 0; j < dh; j++)
    for (guint i = 0; i < dw; i++)
      {
        double px = floor (s.origin_x + (i + 0.5) * s.col_dx + (j + 0.5) * s.row_dx);
        double py = floor (s.origin_y + (i + 0.5) * s.col_dy + (j + 0.5) * s.row_dy);

        if (px >= 0 && px < IMAGE_W && py >= 0 && py < IMAGE_H)
          {
            x0 = MIN (x0, i);
            y0 = MIN (y0, j);
            x1 = MAX (x1, i + 1);
            y1 = MAX (y1, j + 1);
          }
      }
  *rect = x0 < x1 ? (FenPixelRect) { x0, y0, x1 - x0, y1 - y0 } : (FenPixelRect) { 0 };
  return x0 < x1;
}

/* The image's corners taken to the output: the rectangle is their bounding
 * box clipped to the output, to within the pixel a sample point rounds to. */
static void
fen_test_check_geometry (const FenView *view, int scale, guint dw, guint dh, const FenPixelRect *r)
{
  static const double corners[4][2] = { { 0, 0 }, { IMAGE_W, 0 }, { 0, IMAGE_H }, { IMAGE_W, IMAGE_H } };
  double lo_x = G_MAXDOUBLE, lo_y = G_MAXDOUBLE, hi_x = -G_MAXDOUBLE, hi_y = -G_MAXDOUBLE;

  for (guint k = 0; k < 4; k++)
    {
      double sx, sy;

      fen_view_image_to_screen (view, corners[k][0], corners[k][1], &sx, &sy);
      lo_x = MIN (lo_x, sx * scale);
      lo_y = MIN (lo_y, sy * scale);
      hi_x = MAX (hi_x, sx * scale);
      hi_y = MAX (hi_y, sy * scale);
    }
  g_assert_cmpfloat (fabs (r->x - CLAMP (lo_x, 0, dw)), <=, 1.0);
  g_assert_cmpfloat (fabs (r->y - CLAMP (lo_y, 0, dh)), <=, 1.0);
  g_assert_cmpfloat (fabs (r->x + r->width - CLAMP (hi_x, 0, dw)), <=, 1.0);
  g_assert_cmpfloat (fabs (r->y + r->height - CLAMP (hi_y, 0, dh)), <=, 1.0);
}

/* Every byte of @buf outside the @rect of a @stride-wide buffer is CANARY
 * and every pixel inside equals @full's. */
static void
fen_test_check_placed (const guint8 *buf, const guint8 *full, gsize stride, guint dh, const FenPixelRect *r)
{
  for (guint j = 0; j < dh; j++)
    for (gsize b = 0; b < stride; b++)
      {
        gboolean inside = j >= r->y && j < r->y + r->height && b >= (gsize) r->x * 4 &&
                          b < (gsize) (r->x + r->width) * 4;

        if (inside)
          g_assert_cmpuint (buf[j * stride + b], ==, full[j * stride + b]);
        else
          g_assert_cmpuint (buf[j * stride + b], ==, CANARY);
      }
}

static void
test_rect_case (gconstpointer data)
{
  const RectCase *c = data;
  guint dw = OUT_W * c->scale, dh = OUT_H * c->scale;
  gsize full_stride = (gsize) dw * 4;
  g_autofree guint8 *full = g_malloc (full_stride * dh);
  g_autofree guint8 *placed = g_malloc (full_stride * dh);
  static const guint threads[] = { 1, 2, 3 };
  static const gsize chunks[] = { 1, 13, 64 * 1024 };
  FenPixelRect rect, brute;
  gboolean visible;
  FenView view;

  fen_test_case_view (c, &view);
  g_assert_cmpint (fen_test_brute_rect (&view, c->scale, dw, dh, &brute), ==, !c->empty);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(FenImage) image = fen_test_image_new (kinds[k], IMAGE_W, IMAGE_H, 1);
      g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, 0);
      g_autoptr(FenLut) lut = fen_lut_new ();
      g_autoptr(FenRenderer) base_renderer = fen_renderer_new (2, 64);
      FenWindowParams w;
      guint level = 99, rect_level = 99;
      gsize tight;

      fen_window_default (image, 0, &w);
      fen_lut_build (lut, image, 0, &w);
      visible = fen_view_get_visible_rect (&view, c->scale, image, dw, dh, &rect);
      g_assert_cmpint (visible, ==, !c->empty);
      g_assert_cmpuint (rect.x, ==, brute.x);
      g_assert_cmpuint (rect.y, ==, brute.y);
      g_assert_cmpuint (rect.width, ==, brute.width);
      g_assert_cmpuint (rect.height, ==, brute.height);
      if (visible)
        fen_test_check_geometry (&view, c->scale, dw, dh, &rect);

      /* Today's render of the whole output: background outside the rect. */
      g_assert_true (fen_view_render (&view, c->scale, base_renderer, image, 0, pyramid, lut, dw, dh,
                                      FEN_PIXEL_BGRA8, full, full_stride, &level));
      if (c->zoom > 0 && c->zoom < 0.5)
        g_assert_cmpuint (level, >, 0);
      for (guint j = 0; j < dh; j++)
        for (guint i = 0; i < dw; i++)
          if (!(i >= rect.x && i < rect.x + rect.width && j >= rect.y && j < rect.y + rect.height))
            {
              guint32 px;

              memcpy (&px, full + j * full_stride + (gsize) i * 4, 4);
              g_assert_cmphex (GUINT32_FROM_LE (px), ==, 0xff000000u);
            }

      /* The rect alone, into a buffer of its size with padded rows, and
       * into its place in an output-sized buffer: any thread count and
       * chunk size gives the whole render's bytes and touches nothing else. */
      tight = (gsize) rect.width * 4 + 12;
      for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
        for (guint ch = 0; ch < G_N_ELEMENTS (chunks); ch++)
          {
            g_autoptr(FenRenderer) renderer = fen_renderer_new (threads[t], 16);
            g_autofree guint8 *small = g_malloc (MAX (tight * rect.height, 1));

            fen_renderer_set_chunk_pixels (renderer, chunks[ch]);
            memset (small, CANARY, MAX (tight * rect.height, 1));
            g_assert_true (fen_view_render_rect (&view, c->scale, renderer, image, 0, pyramid, lut, &rect,
                                                 FEN_PIXEL_BGRA8, small, tight, &rect_level));
            if (visible)
              g_assert_cmpuint (rect_level, ==, level);
            for (guint j = 0; j < rect.height; j++)
              {
                g_assert_cmpmem (small + j * tight, (gsize) rect.width * 4,
                                 full + (rect.y + j) * full_stride + (gsize) rect.x * 4, (gsize) rect.width * 4);
                for (guint b = rect.width * 4; b < tight; b++)
                  g_assert_cmpuint (small[j * tight + b], ==, CANARY);
              }
            if (!visible)
              g_assert_cmpuint (small[0], ==, CANARY);

            memset (placed, CANARY, full_stride * dh);
            g_assert_true (fen_view_render_rect (&view, c->scale, renderer, image, 0, pyramid, lut, &rect,
                                                 FEN_PIXEL_BGRA8,
                                                 placed + rect.y * full_stride + (gsize) rect.x * 4,
                                                 full_stride, NULL));
            fen_test_check_placed (placed, full, full_stride, dh, &rect);
          }
    }
}

/* Samplings FenView does not make: a turn that is not a quarter gets the
 * whole output; NaN and zero sizes get nothing. */
static void
test_visible_other_samplings (void)
{
  FenSampling tilted = { 0, 0, 0.8, 0.6, -0.6, 0.8 };
  FenSampling nan_sampling = { NAN, 0, 1, 0, 0, 1 };
  FenSampling plain = { 0, 0, 1, 0, 0, 1 };
  FenPixelRect r;

  g_assert_true (fen_sampling_get_visible (&tilted, 10, 10, 40, 30, &r));
  g_assert_cmpuint (r.x, ==, 0);
  g_assert_cmpuint (r.y, ==, 0);
  g_assert_cmpuint (r.width, ==, 40);
  g_assert_cmpuint (r.height, ==, 30);
  g_assert_false (fen_sampling_get_visible (&nan_sampling, 10, 10, 40, 30, &r));
  g_assert_cmpuint (r.width, ==, 0);
  g_assert_false (fen_sampling_get_visible (&plain, 0, 10, 40, 30, &r));
  /* 1:1 from the origin: the image's own 10 x 10 pixels. */
  g_assert_true (fen_sampling_get_visible (&plain, 10, 10, 40, 30, &r));
  g_assert_cmpuint (r.x, ==, 0);
  g_assert_cmpuint (r.width, ==, 10);
  g_assert_cmpuint (r.height, ==, 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rect_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/view-rect/%s", rect_cases[i].name);

      g_test_add_data_func (path, &rect_cases[i], test_rect_case);
    }
  g_test_add_func ("/view-rect/other-samplings", test_visible_other_samplings);
  return g_test_run ();
}
