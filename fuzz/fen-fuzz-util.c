/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-fuzz-util.c: the shared part of the libFuzzer targets. A fuzzer runs
 * one input after another in one process, so the memfd and the renderer are
 * made once and kept: they are the harness's state, not the engine's. */
#define G_LOG_DOMAIN "fen-fuzz"

#include "fen-fuzz-util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Output size of the exercise renders: small keeps executions fast. */
#define FEN_FUZZ_OUT 64

static int fen_fuzz_fd = -1;
static char fen_fuzz_path[64];

const char *
fen_fuzz_as_file (const guint8 *data, gsize size)
{
  if (fen_fuzz_fd < 0)
    {
      fen_fuzz_fd = memfd_create ("fen-fuzz-input", MFD_CLOEXEC);
      if (fen_fuzz_fd < 0)
        g_error ("memfd_create failed");
      g_snprintf (fen_fuzz_path, sizeof fen_fuzz_path, "/proc/self/fd/%d", fen_fuzz_fd);
    }
  if (ftruncate (fen_fuzz_fd, 0) != 0)
    g_error ("ftruncate failed");
  for (gsize done = 0; done < size;)
    {
      ssize_t n = pwrite (fen_fuzz_fd, data + done, size - done, (off_t) done);
      if (n <= 0)
        g_error ("pwrite failed");
      done += (gsize) n;
    }
  return fen_fuzz_path;
}

void
fen_fuzz_check_result (FenImage *image, GError *error)
{
  if ((image == NULL) == (error == NULL))
    g_error ("loader returned %s with %s", image ? "an image" : "NULL",
             error ? "an error" : "no error");
  if (error != NULL && error->domain != FEN_IO_ERROR)
    g_error ("error outside FEN_IO_ERROR: %s", error->message);
}

void
fen_fuzz_exercise_image (FenImage *image)
{
  static FenRenderer *renderer;
  static FenLut *lut;
  static guint8 out[FEN_FUZZ_OUT * FEN_FUZZ_OUT * 4];
  const FenImageInfo *info = fen_image_get_info (image);
  const guint8 *pixels = fen_image_get_frame (image, 0);
  const gsize bytes = fen_image_get_pixel_bytes (image);
  volatile guint sum = 0;
  FenWindowParams params;
  gint32 lo, hi;

  if (renderer == NULL)
    {
      renderer = fen_renderer_new (1, FEN_FUZZ_OUT);
      lut = fen_lut_new ();
    }

  /* Every byte the image claims must be readable: ASan flags a short buffer. */
  for (gsize i = 0; i < bytes; i++)
    sum += pixels[i];
  g_assert (info->rows > 0 && info->columns > 0 && info->frames > 0);
  g_assert (bytes == fen_image_get_frame_bytes (image) * info->frames);

  fen_image_get_stored_range (image, &lo, &hi);
  fen_window_default (image, 0, &params);
  if (fen_image_get_bytes_per_sample (image) > 2)
    return; /* the renderer takes 8 and 16-bit sources */
  fen_lut_build (lut, image, 0, &params);

  for (guint f = 0; f < info->frames; f += MAX (info->frames - 1, 1))
    {
      FenSampling sampling;
      FenRect view = { -1.0, -1.0, info->columns + 2.0, info->rows + 2.0 };

      fen_sampling_from_rect (&sampling, &view, FEN_FUZZ_OUT, FEN_FUZZ_OUT);
      fen_renderer_render (renderer, image, f, lut, &sampling, FEN_FUZZ_OUT, FEN_FUZZ_OUT,
                           FEN_PIXEL_RGBA8, out, FEN_FUZZ_OUT * 4);
      if (!fen_image_is_color (image))
        fen_renderer_render (renderer, image, f, lut, &sampling, FEN_FUZZ_OUT, FEN_FUZZ_OUT,
                             FEN_PIXEL_GRAY8, out, FEN_FUZZ_OUT);
      if ((gsize) info->columns * info->rows <= FEN_FUZZ_OUT * FEN_FUZZ_OUT &&
          info->columns <= FEN_FUZZ_OUT)
        fen_renderer_render_full (renderer, image, f, lut, FEN_PIXEL_RGB8, out,
                                  (gsize) info->columns * 3);
    }
  (void) sum;
}
