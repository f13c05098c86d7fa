/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-render.c: libFuzzer target for the render path without a loader. The
 * first bytes choose an image's layout, value transforms, window and view
 * (any zoom, pan, rotation, flip, including absurd ones); the rest are the
 * pixels. Whatever fen_image_new() accepts must build a table and render
 * without reading or writing outside a buffer. */
#define G_LOG_DOMAIN "fen-fuzz-render"

#include "fen-fuzz-util.h"

#include <math.h>
#include <string.h>

#define FEN_FUZZ_HEADER 40
#define FEN_FUZZ_MAX_OUT 96

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

typedef struct {
  const guint8 *data;
  gsize         size;
  gsize         pos;
} FenFuzzReader;

static guint
fen_fuzz_u8 (FenFuzzReader *r)
{
  return r->pos < r->size ? r->data[r->pos++] : 0;
}

static gint16
fen_fuzz_s16 (FenFuzzReader *r)
{
  guint lo = fen_fuzz_u8 (r);
  return (gint16) (guint16) (lo | fen_fuzz_u8 (r) << 8);
}

/* A double from a 16-bit value: mostly ordinary, sometimes extreme. */
static double
fen_fuzz_double (FenFuzzReader *r, double scale)
{
  gint16 v = fen_fuzz_s16 (r);
  switch ((guint16) v)
    {
    case 0x7fff: return INFINITY;
    case 0x7ffe: return NAN;
    case 0x7ffd: return 1e300;
    case 0x7ffc: return -1e300;
    default:     return v * scale;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
  static FenRenderer *renderer;
  static FenLut *lut;
  static guint8 out[FEN_FUZZ_MAX_OUT * FEN_FUZZ_MAX_OUT * 4 + 64];
  static const guint bits[] = { 8, 16 };
  FenFuzzReader r = { data, size, 0 };
  FenImageInfo info;
  FenWindowParams params;
  FenSampling sampling;
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) image = NULL;

  if (size < FEN_FUZZ_HEADER)
    return 0;
  if (renderer == NULL)
    {
      renderer = fen_renderer_new (2, 16);
      lut = fen_lut_new ();
    }

  fen_image_info_init (&info);
  info.columns = 1 + fen_fuzz_u8 (&r) % 64;
  info.rows = 1 + fen_fuzz_u8 (&r) % 64;
  info.frames = 1 + fen_fuzz_u8 (&r) % 3;
  info.samples_per_pixel = fen_fuzz_u8 (&r) & 1 ? 3 : 1;
  info.bits_allocated = bits[fen_fuzz_u8 (&r) % G_N_ELEMENTS (bits)];
  info.bits_stored = 1 + fen_fuzz_u8 (&r) % info.bits_allocated;
  info.high_bit = info.bits_stored - 1;
  info.pixel_representation = fen_fuzz_u8 (&r) & 1;
  info.photometric = info.samples_per_pixel == 3 ? FEN_PHOTOMETRIC_RGB
                     : fen_fuzz_u8 (&r) & 1 ? FEN_PHOTOMETRIC_MONOCHROME1
                                            : FEN_PHOTOMETRIC_MONOCHROME2;
  info.rescale_slope = fen_fuzz_double (&r, 1.0 / 256);
  info.rescale_intercept = fen_fuzz_double (&r, 1.0);
  if (info.rescale_slope == 0 || !isfinite (info.rescale_slope))
    info.rescale_slope = 1;
  if (!isfinite (info.rescale_intercept))
    info.rescale_intercept = 0;

  image = fen_image_new (&info, FEN_FUZZ_MAX_PIXEL_BYTES, &error);
  fen_image_info_clear (&info);
  if (image == NULL)
    return 0;

  /* The pixels: the rest of the input, repeated. */
  {
    guint8 *pixels = fen_image_get_pixels_mutable (image);
    const gsize n = fen_image_get_pixel_bytes (image);
    const gsize avail = size - FEN_FUZZ_HEADER;
    for (gsize i = 0; i < n; i++)
      pixels[i] = avail ? data[FEN_FUZZ_HEADER + i % avail] : 0;
  }
  /* The loaders' contract: samples masked to bits stored, sign-extended. */
  fen_fuzz_exercise_image (image);

  params.center = fen_fuzz_double (&r, 1.0);
  params.width = fen_fuzz_double (&r, 1.0);
  params.function = (FenVoiFunction) (fen_fuzz_u8 (&r) % 3);
  params.invert = fen_fuzz_u8 (&r) & 1;
  fen_lut_build (lut, image, 0, &params);

  sampling.origin_x = fen_fuzz_double (&r, 0.25);
  sampling.origin_y = fen_fuzz_double (&r, 0.25);
  sampling.col_dx = fen_fuzz_double (&r, 1.0 / 64);
  sampling.col_dy = fen_fuzz_double (&r, 1.0 / 64);
  sampling.row_dx = fen_fuzz_double (&r, 1.0 / 64);
  sampling.row_dy = fen_fuzz_double (&r, 1.0 / 64);
  {
    guint out_w = 1 + fen_fuzz_u8 (&r) % FEN_FUZZ_MAX_OUT;
    guint out_h = 1 + fen_fuzz_u8 (&r) % FEN_FUZZ_MAX_OUT;
    FenPixelFormat format = (FenPixelFormat) (fen_fuzz_u8 (&r) % 4);
    guint frame = fen_fuzz_u8 (&r) % fen_image_get_n_frames (image);
    if (format == FEN_PIXEL_GRAY8 && fen_image_is_color (image))
      format = FEN_PIXEL_RGB8;
    gsize stride = (gsize) out_w * fen_pixel_format_bytes (format) + fen_fuzz_u8 (&r) % 8;
    FenRect rect = { fen_fuzz_double (&r, 0.5), fen_fuzz_double (&r, 0.5),
                     fen_fuzz_double (&r, 0.5), fen_fuzz_double (&r, 0.5) };

    if (stride * out_h > sizeof out)
      stride = (gsize) out_w * fen_pixel_format_bytes (format);
    fen_renderer_set_chunk_pixels (renderer, 1 + fen_fuzz_u8 (&r) * 17);
    fen_renderer_render (renderer, image, frame, lut, &sampling, out_w, out_h, format,
                         out, stride);
    if (rect.width > 0 && rect.height > 0)
      {
        fen_sampling_from_rect (&sampling, &rect, out_w, out_h);
        fen_renderer_render (renderer, image, frame, lut, &sampling, out_w, out_h, format,
                             out, stride);
      }
  }
  return 0;
}
