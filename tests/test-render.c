/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-render.c: the chunked, threaded apply against a one-pixel-at-a-time
 * reference, for every source type, output format, odd size, chunk size and
 * thread count; viewport sampling; and that rendering allocates nothing.
 * The difference render against the same per-pixel reference (both rescales,
 * then the LINEAR window), for sizes that differ and thread counts. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <malloc.h>
#include <math.h>
#include <string.h>

typedef struct
{
  FenTestKind    kind;
  guint          width, height;
  FenPixelFormat format;
} RenderCase;

static const FenWindowParams windows[] = {
  { .center = 40, .width = 80, .function = FEN_VOI_LINEAR, .invert = FALSE },
  { .center = -600, .width = 1500, .function = FEN_VOI_LINEAR, .invert = TRUE },
  { .center = 100, .width = 1, .function = FEN_VOI_LINEAR, .invert = FALSE },
  { .center = 2047.5, .width = 4096, .function = FEN_VOI_LINEAR, .invert = FALSE },
};

/* Expected bytes of one output pixel, computed from the image without the table. */
static void
reference_pixel (const FenImage *image, guint frame, gint x, gint y, const FenWindowParams *w,
                 FenPixelFormat format, guint8 *px)
{
  guint bpp = fen_pixel_format_bytes (format);
  gboolean inside = x >= 0 && y >= 0 && x < (gint) fen_image_get_width (image) &&
                    y < (gint) fen_image_get_height (image);

  if (!inside)
    {
      memset (px, 0, bpp);
      if (bpp == 4)
        px[3] = 255;
      return;
    }
  if (fen_image_is_color (image))
    {
      const guint8 *s = (const guint8 *) fen_image_get_frame (image, frame) +
                        ((gsize) y * fen_image_get_width (image) + x) * 3;
      guint8 r = fen_test_reference_gray (image, s[0], w);
      guint8 g = fen_test_reference_gray (image, s[1], w);
      guint8 b = fen_test_reference_gray (image, s[2], w);
      px[0] = format == FEN_PIXEL_BGRA8 ? b : r;
      px[1] = g;
      px[2] = format == FEN_PIXEL_BGRA8 ? r : b;
    }
  else
    {
      guint8 v = fen_test_reference_gray (image, fen_image_get_stored_value (image, frame, x, y), w);
      memset (px, v, MIN (bpp, 3u));
    }
  if (bpp == 4)
    px[3] = 255;
}

static void
check_output (const FenImage *image, guint frame, const FenSampling *s, guint ow, guint oh,
              const FenWindowParams *w, FenPixelFormat format, const guint8 *out, gsize stride)
{
  guint bpp = fen_pixel_format_bytes (format);

  for (guint j = 0; j < oh; j++)
    for (guint i = 0; i < ow; i++)
      {
        guint8 expect[4];
        gint x = (gint) floor (s->origin_x + (i + 0.5) * s->col_dx + (j + 0.5) * s->row_dx);
        gint y = (gint) floor (s->origin_y + (i + 0.5) * s->col_dy + (j + 0.5) * s->row_dy);

        reference_pixel (image, frame, x, y, w, format, expect);
        if (memcmp (expect, out + j * stride + i * bpp, bpp) != 0)
          g_error ("pixel (%u,%u) from (%d,%d): got %u, expected %u", i, j, x, y,
                   out[j * stride + i * bpp], expect[0]);
      }
}

static void
test_full (gconstpointer data)
{
  const RenderCase *c = data;
  g_autoptr(FenImage) image = fen_test_image_new (c->kind, c->width, c->height, 2);
  g_autoptr(FenLut) lut = fen_lut_new ();
  guint bpp = fen_pixel_format_bytes (c->format);
  gsize stride = c->width * bpp + 5; /* padded rows must be honoured */
  g_autofree guint8 *out = g_malloc (stride * c->height);
  const guint threads[] = { 1, 2, 3 };
  const gsize chunks[] = { 1, 7, 4096, 1 << 20 };
  FenSampling identity = { 0, 0, 1, 0, 0, 1 };

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      g_autoptr(FenRenderer) renderer = fen_renderer_new (threads[t], 64);

      for (guint k = 0; k < G_N_ELEMENTS (chunks); k++)
        for (guint wi = 0; wi < G_N_ELEMENTS (windows); wi++)
          {
            fen_renderer_set_chunk_pixels (renderer, chunks[k]);
            fen_lut_build (lut, image, 0, &windows[wi]);
            memset (out, 0xa5, stride * c->height);
            g_assert_true (fen_renderer_render_full (renderer, image, 1, lut, c->format, out, stride));
            check_output (image, 1, &identity, c->width, c->height, &windows[wi], c->format, out, stride);
          }
    }
}

static void
test_viewport (gconstpointer data)
{
  const RenderCase *c = data;
  g_autoptr(FenImage) image = fen_test_image_new (c->kind, c->width, c->height, 1);
  g_autoptr(FenLut) lut = fen_lut_new ();
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 16);
  guint bpp = fen_pixel_format_bytes (c->format);
  /* Zoomed in, zoomed out, panned past every edge, flipped, rotated. */
  const FenRect rects[] = {
    { 0, 0, c->width, c->height },
    { c->width * 0.25, c->height * 0.25, c->width * 0.3, c->height * 0.3 },
    { -3.5, -2.25, c->width + 9, c->height + 4 },
    { c->width * 0.5, -c->height * 0.5, c->width, c->height },
  };
  const guint sizes[][2] = { { 1, 1 }, { 37, 23 }, { 300, 211 } };
  FenWindowParams w = windows[0];

  fen_lut_build (lut, image, 0, &w);
  for (guint r = 0; r < G_N_ELEMENTS (rects); r++)
    for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
      {
        guint ow = sizes[z][0], oh = sizes[z][1];
        gsize stride = ow * bpp;
        g_autofree guint8 *out = g_malloc (stride * oh);
        FenSampling s;

        fen_sampling_from_rect (&s, &rects[r], ow, oh);
        fen_renderer_render (renderer, image, 0, lut, &s, ow, oh, c->format, out, stride);
        check_output (image, 0, &s, ow, oh, &w, c->format, out, stride);

        /* Horizontal flip: walk columns right to left. */
        s.origin_x += s.col_dx * ow;
        s.col_dx = -s.col_dx;
        fen_renderer_render (renderer, image, 0, lut, &s, ow, oh, c->format, out, stride);
        check_output (image, 0, &s, ow, oh, &w, c->format, out, stride);

        /* A quarter turn: output columns walk image rows. */
        fen_sampling_from_rect (&s, &rects[r], ow, oh);
        s.col_dy = s.col_dx;
        s.col_dx = 0;
        s.row_dx = -s.row_dy;
        s.row_dy = 0;
        s.origin_x = rects[r].x + rects[r].width;
        fen_renderer_render (renderer, image, 0, lut, &s, ow, oh, c->format, out, stride);
        check_output (image, 0, &s, ow, oh, &w, c->format, out, stride);
      }
}

static void
test_no_allocation (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 1200, 900, 1);
  g_autoptr(FenLut) lut = fen_lut_new ();
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 1920);
  gsize stride = 1920 * 4;
  g_autofree guint8 *out = g_malloc (stride * 1080);
  FenRect view = { -100, -50, 1400, 1000 };
  FenSampling s;
  struct mallinfo2 before, after;

  fen_sampling_from_rect (&s, &view, 1920, 1080);
  /* Warm up: the first renders settle the stdio and thread state. */
  for (int i = 0; i < 10; i++)
    {
      FenWindowParams w = { .center = 40 + i, .width = 400, .function = FEN_VOI_LINEAR, .invert = FALSE };
      fen_lut_build (lut, image, 0, &w);
      fen_renderer_render (renderer, image, 0, lut, &s, 1920, 1080, FEN_PIXEL_BGRA8, out, stride);
    }
  before = mallinfo2 ();
  for (int i = 0; i < 500; i++)
    {
      FenWindowParams w = { .center = 40 + i, .width = 400 + i, .function = FEN_VOI_LINEAR, .invert = FALSE };
      fen_lut_build (lut, image, 0, &w);
      fen_renderer_render (renderer, image, 0, lut, &s, 1920, 1080, FEN_PIXEL_BGRA8, out, stride);
      fen_renderer_render_full (renderer, image, 0, lut, FEN_PIXEL_BGRA8, out, 1200 * 4);
    }
  after = mallinfo2 ();
  g_test_message ("heap in use before %zu after %zu", before.uordblks, after.uordblks);
  g_assert_cmpuint (after.uordblks + after.hblkhd, ==, before.uordblks + before.hblkhd);
}

/* fuzz-render found NaN sampling (every comparison false) passing the
 * bounds checks and reaching a cast to an offset: NaN, infinite and huge
 * samplings must render background only, reading nothing. */
static void
test_non_finite_sampling (void)
{
  static const double odd[] = { NAN, INFINITY, -INFINITY, 1e300, 0.5 };
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U16, 16, 12, 1);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 8);
  g_autoptr(FenLut) lut = fen_lut_new ();
  FenWindowParams w = { .center = 2048, .width = 4096, .function = FEN_VOI_LINEAR };
  const FenSampling away = { -1000, -1000, 0.5, 0.5, -0.5, 0.5 };
  guint8 out[8 * 8 * 4], background[8 * 8];

  fen_lut_build (lut, image, 0, &w);
  g_assert_true (fen_renderer_render (renderer, image, 0, lut, &away, 8, 8, FEN_PIXEL_GRAY8,
                                      background, 8));
  for (guint a = 0; a < G_N_ELEMENTS (odd); a++)
    for (guint b = 0; b < G_N_ELEMENTS (odd); b++)
      {
        FenSampling axis = { odd[a], odd[b], 1, 0, 0, 1 };
        FenSampling rotated = { 0, 0, odd[a], 0.5, odd[b], 0.5 };
        g_assert_true (fen_renderer_render (renderer, image, 0, lut, &axis, 8, 8, FEN_PIXEL_RGBA8,
                                            out, 8 * 4));
        g_assert_true (fen_renderer_render (renderer, image, 0, lut, &rotated, 8, 8,
                                            FEN_PIXEL_GRAY8, out, 8));
        /* A NaN step samples nowhere: background, not pixel (0, 0). */
        if (isnan (odd[a]) && isnan (odd[b]))
          g_assert_cmpmem (out, sizeof background, background, sizeof background);
      }
}

/* Difference -------------------------------------------------------------- */

typedef struct
{
  FenTestKind    kind_a, kind_b;
  guint          wa, ha, wb, hb;   /* image sizes */
  guint          threads;
  FenPixelFormat format;
} DiffCase;

/* One pixel of a difference the slow way: each image's own rescale
 * (PS3.3 C.11.1) through fen_image_to_modality(), then LINEAR
 * (C.11.2.1.2) through fen_voi_apply(), rounded as the window table rounds. */
static guint8
diff_reference_gray (const FenImage *a, guint fa, gint xa, gint ya,
                     const FenImage *b, guint fb, gint xb, gint yb, const FenWindowParams *w)
{
  double x = fen_image_to_modality (a, fa, fen_image_get_stored_value (a, fa, xa, ya)) -
             fen_image_to_modality (b, fb, fen_image_get_stored_value (b, fb, xb, yb));
  double y = floor (fen_voi_apply (FEN_VOI_LINEAR, x, w->center, w->width, 0.0, 255.0) + 0.5);
  int v = (int) CLAMP (y, 0.0, 255.0);

  return (guint8) (w->invert ? 255 - v : v);
}

static gboolean
diff_inside (const FenImage *image, gint x, gint y)
{
  return x >= 0 && y >= 0 && x < (gint) fen_image_get_width (image) && y < (gint) fen_image_get_height (image);
}

static void
test_difference (gconstpointer data)
{
  const DiffCase *c = data;
  static const FenWindowParams wins[] = {
    { .center = 0, .width = 200 },
    { .center = 0, .width = 4001, .invert = TRUE },
    { .center = -10, .width = 1 },
    { .center = 30.5, .width = 64 },
  };
  /* Fitted, zoomed in and panned past the edge, a quarter turn (the general
   * path), a flip. */
  const FenSampling samplings[] = {
    { 0, 0, 1, 0, 0, 1 },
    { -3.25, 2.5, 0.37, 0, 0, 0.41 },
    { c->wa + 0.5, -1.5, 0, 0.5, -0.45, 0 },
    { c->wa, 0, -0.9, 0, 0, 0.8 },
  };
  g_autoptr(FenImage) a = fen_test_image_new (c->kind_a, c->wa, c->ha, 2);
  g_autoptr(FenImage) b = fen_test_image_new (c->kind_b, c->wb, c->hb, 2);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (c->threads, 64);
  guint ow = 257, oh = 129, bpp = fen_pixel_format_bytes (c->format);
  gsize stride = (gsize) ow * bpp + 5;
  g_autofree guint8 *out = g_malloc (stride * oh);
  /* Different sizes: B's pixel (0, 0) lies at A's (dx, dy), as two images of
   * one frame of reference and spacing would. */
  double dx = c->wb != c->wa ? 7 : 0, dy = c->hb != c->ha ? 5 : 0;
  guint differing = 0, checked = 0;

  for (guint si = 0; si < G_N_ELEMENTS (samplings); si++)
    for (guint wi = 0; wi < G_N_ELEMENTS (wins); wi++)
      {
        const FenSampling *sa = &samplings[si];
        FenSampling sb = *sa;
        gsize chunk = (gsize[]) { 1, 1000, 64 * 1024, 7 }[wi];

        sb.origin_x -= dx;
        sb.origin_y -= dy;
        fen_renderer_set_chunk_pixels (renderer, chunk);
        memset (out, 0xa5, stride * oh);
        g_assert_true (fen_renderer_render_difference (renderer, a, 0, b, 1, &wins[wi], sa,
                                                       dx || dy ? &sb : NULL, ow, oh, c->format, out, stride));
        for (guint j = 0; j < oh; j++)
          for (guint i = 0; i < ow; i++)
            {
              gint xa = (gint) floor (sa->origin_x + (i + 0.5) * sa->col_dx + (j + 0.5) * sa->row_dx);
              gint ya = (gint) floor (sa->origin_y + (i + 0.5) * sa->col_dy + (j + 0.5) * sa->row_dy);
              gint xb = (gint) floor (sb.origin_x + (i + 0.5) * sb.col_dx + (j + 0.5) * sb.row_dx);
              gint yb = (gint) floor (sb.origin_y + (i + 0.5) * sb.col_dy + (j + 0.5) * sb.row_dy);
              const guint8 *px = out + j * stride + i * bpp;
              guint8 expect[4] = { 0, 0, 0, 255 };

              if (diff_inside (a, xa, ya) && diff_inside (b, xb, yb))
                {
                  guint8 v = diff_reference_gray (a, 0, xa, ya, b, 1, xb, yb, &wins[wi]);

                  expect[0] = expect[1] = expect[2] = v;
                  differing += v != (wins[wi].invert ? 127 : 128);
                  checked++;
                }
              if (memcmp (px, expect, MIN (bpp, 3u)) != 0 || (bpp == 4 && px[3] != 255))
                g_error ("sampling %u window %u: pixel (%u,%u) from A (%d,%d) B (%d,%d): got %u, expected %u",
                         si, wi, i, j, xa, ya, xb, yb, px[0], expect[0]);
            }
        /* The padding after each row is never written. */
        for (guint j = 0; j < oh; j++)
          for (guint k = ow * bpp; k < stride; k++)
            g_assert_cmpuint (out[j * stride + k], ==, 0xa5);
      }
  g_test_message ("%u pixels inside both images checked, %u not mid grey", checked, differing);
  g_assert_cmpuint (checked, >, 0);
  g_assert_cmpuint (differing, >, 0);
}

/* A frame minus itself is zero everywhere: mid grey for a window centred on 0. */
static void
test_difference_self (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 33, 17, 1);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 33);
  FenWindowParams w = { .center = 0, .width = 100 };
  const FenSampling s = { 0, 0, 1, 0, 0, 1 };
  guint8 out[33 * 17];

  g_assert_true (fen_renderer_render_difference (renderer, image, 0, image, 0, &w, &s, NULL, 33, 17,
                                                 FEN_PIXEL_GRAY8, out, 33));
  /* PS3.3 C.11.2.1.2.1: ((0 - (0 - 0.5)) / 99 + 0.5) * 255 = 128.79, so 129. */
  for (guint k = 0; k < sizeof out; k++)
    g_assert_cmpuint (out[k], ==, 129);
}

static void
test_difference_no_allocation (void)
{
  g_autoptr(FenImage) a = fen_test_image_new (FEN_TEST_S16, 1200, 900, 1);
  g_autoptr(FenImage) b = fen_test_image_new (FEN_TEST_U16, 1200, 900, 1);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 1920);
  gsize stride = 1920 * 4;
  g_autofree guint8 *out = g_malloc (stride * 1080);
  FenRect view = { -100, -50, 1400, 1000 };
  const FenSampling turned = { 1200, 0, 0, 0.6, -0.6, 0 };
  FenSampling s;
  struct mallinfo2 before, after;

  fen_sampling_from_rect (&s, &view, 1920, 1080);
  for (int i = 0; i < 10; i++)
    {
      FenWindowParams w = { .center = i, .width = 400 };
      fen_renderer_render_difference (renderer, a, 0, b, 0, &w, &s, NULL, 1920, 1080, FEN_PIXEL_BGRA8, out, stride);
    }
  before = mallinfo2 ();
  for (int i = 0; i < 60; i++)
    {
      FenWindowParams w = { .center = i - 100, .width = 400 + i };
      g_assert_true (fen_renderer_render_difference (renderer, a, 0, b, 0, &w, &s, NULL, 1920, 1080,
                                                     FEN_PIXEL_BGRA8, out, stride));
      g_assert_true (fen_renderer_render_difference (renderer, a, 0, b, 0, &w, &turned, NULL, 1920, 1080,
                                                     FEN_PIXEL_BGRA8, out, stride));
    }
  after = mallinfo2 ();
  g_test_message ("heap in use before %zu after %zu", before.uordblks, after.uordblks);
  g_assert_cmpuint (after.uordblks + after.hblkhd, ==, before.uordblks + before.hblkhd);
}

int
main (int argc, char **argv)
{
  static const FenTestKind kinds[] = { FEN_TEST_U8, FEN_TEST_S8, FEN_TEST_U16, FEN_TEST_S16, FEN_TEST_RGB8 };
  static const char *kind_names[] = { "u8", "s8", "u16", "s16", "rgb8" };
  static const guint sizes[][2] = { { 1, 1 }, { 3, 7 }, { 257, 129 }, { 1001, 3 } };
  static const FenPixelFormat formats[] = { FEN_PIXEL_GRAY8, FEN_PIXEL_RGB8, FEN_PIXEL_RGBA8, FEN_PIXEL_BGRA8 };
  static const char *format_names[] = { "gray8", "rgb8", "rgba8", "bgra8" };

  g_test_init (&argc, &argv, NULL);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
      {
        if (kinds[k] == FEN_TEST_RGB8 && formats[f] == FEN_PIXEL_GRAY8)
          continue;
        for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
          {
            RenderCase *c = g_new0 (RenderCase, 1);
            g_autofree char *path = g_strdup_printf ("/render/full/%s/%s/%ux%u", kind_names[k],
                                                     format_names[f], sizes[z][0], sizes[z][1]);
            c->kind = kinds[k];
            c->format = formats[f];
            c->width = sizes[z][0];
            c->height = sizes[z][1];
            g_test_add_data_func_full (path, c, test_full, g_free);
          }
        {
          RenderCase *c = g_new0 (RenderCase, 1);
          g_autofree char *path = g_strdup_printf ("/render/viewport/%s/%s", kind_names[k], format_names[f]);
          c->kind = kinds[k];
          c->format = formats[f];
          c->width = 61;
          c->height = 45;
          g_test_add_data_func_full (path, c, test_viewport, g_free);
        }
      }
  g_test_add_func ("/render/no-allocation", test_no_allocation);
  {
    static const struct { FenTestKind a, b; guint wa, ha, wb, hb; const char *name; } pairs[] = {
      { FEN_TEST_S16, FEN_TEST_S16, 61, 45, 61, 45, "s16-s16" },
      { FEN_TEST_U16, FEN_TEST_S16, 61, 45, 61, 45, "u16-s16" },
      { FEN_TEST_U8, FEN_TEST_S8, 31, 23, 31, 23, "u8-s8" },
      { FEN_TEST_S16, FEN_TEST_U16, 61, 45, 37, 29, "s16-u16-smaller" },
    };
    for (guint p = 0; p < G_N_ELEMENTS (pairs); p++)
      for (guint t = 1; t <= 2; t++)
        for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
          {
            DiffCase *c = g_new0 (DiffCase, 1);
            g_autofree char *path = g_strdup_printf ("/render/difference/%s/%s/%u-threads", pairs[p].name,
                                                     format_names[f], t);
            c->kind_a = pairs[p].a;
            c->kind_b = pairs[p].b;
            c->wa = pairs[p].wa;
            c->ha = pairs[p].ha;
            c->wb = pairs[p].wb;
            c->hb = pairs[p].hb;
            c->threads = t;
            c->format = formats[f];
            g_test_add_data_func_full (path, c, test_difference, g_free);
          }
  }
  g_test_add_func ("/render/difference/self-is-mid-grey", test_difference_self);
  g_test_add_func ("/render/difference/no-allocation", test_difference_no_allocation);
  g_test_add_func ("/render/non-finite-sampling", test_non_finite_sampling);
  return g_test_run ();
}
