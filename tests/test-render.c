/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-render.c: the chunked, threaded apply against a one-pixel-at-a-time
 * reference, for every source type, output format, odd size, chunk size and
 * thread count; viewport sampling; and that rendering allocates nothing. */
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
            fen_lut_build (lut, image, &windows[wi]);
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

  fen_lut_build (lut, image, &w);
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
      fen_lut_build (lut, image, &w);
      fen_renderer_render (renderer, image, 0, lut, &s, 1920, 1080, FEN_PIXEL_BGRA8, out, stride);
    }
  before = mallinfo2 ();
  for (int i = 0; i < 500; i++)
    {
      FenWindowParams w = { .center = 40 + i, .width = 400 + i, .function = FEN_VOI_LINEAR, .invert = FALSE };
      fen_lut_build (lut, image, &w);
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

  fen_lut_build (lut, image, &w);
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
  g_test_add_func ("/render/non-finite-sampling", test_non_finite_sampling);
  return g_test_run ();
}
