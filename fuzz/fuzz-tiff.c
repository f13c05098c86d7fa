/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-tiff.c: libFuzzer target for fen_tiff_load(): any input ends in an
 * image whose every byte is readable and renders, or in a FEN_IO_ERROR. */
#define G_LOG_DOMAIN "fen-fuzz-tiff"

#include "fen-fuzz-util.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
  FenLoadOptions options = { .max_pixel_bytes = FEN_FUZZ_MAX_PIXEL_BYTES };
  GError *error = NULL;
  FenImage *image = fen_tiff_load (fen_fuzz_as_file (data, size), &options, &error);

  fen_fuzz_check_result (image, error);
  if (image != NULL)
    {
      fen_fuzz_exercise_image (image);
      fen_image_unref (image);
    }
  g_clear_error (&error);
  return 0;
}
