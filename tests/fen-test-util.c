/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-util.c: synthetic images and independent reference maths for the core tests. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <math.h>

FenImage *
fen_test_image_new (FenTestKind kind, guint width, guint height, guint frames)
{
  FenImageInfo info;
  FenImage *image;
  GRand *rand = g_rand_new_with_seed (width * 7919 + height * 31 + kind);
  gsize n;

  fen_image_info_init (&info);
  info.rows = height;
  info.columns = width;
  info.frames = frames;
  info.format = g_strdup ("TEST");
  info.modality = g_strdup ("OT");
  info.patient_name = g_strdup ("DOE^JANE");
  switch (kind)
    {
    case FEN_TEST_U8:
    case FEN_TEST_S8:
      info.bits_allocated = info.bits_stored = 8;
      info.high_bit = 7;
      info.pixel_representation = kind == FEN_TEST_S8;
      break;
    case FEN_TEST_U16:
      info.bits_allocated = 16;
      info.bits_stored = 12;
      info.high_bit = 11;
      break;
    case FEN_TEST_S16:
      info.bits_allocated = info.bits_stored = 16;
      info.high_bit = 15;
      info.pixel_representation = 1;
      info.rescale_slope = 1;
      info.rescale_intercept = -1024;
      info.modality = (g_free (info.modality), g_strdup ("CT"));
      break;
    case FEN_TEST_RGB8:
    default:
      info.bits_allocated = info.bits_stored = 8;
      info.high_bit = 7;
      info.samples_per_pixel = 3;
      info.photometric = FEN_PHOTOMETRIC_RGB;
      break;
    }
  image = fen_image_new (&info, 0, NULL);
  fen_image_info_clear (&info);
  g_assert_nonnull (image);

  n = fen_image_get_pixel_bytes (image) / fen_image_get_bytes_per_sample (image);
  for (gsize i = 0; i < n; i++)
    {
      guint32 r = g_rand_int (rand);
      switch (kind)
        {
        case FEN_TEST_U8:
        case FEN_TEST_S8:
        case FEN_TEST_RGB8:
          ((guint8 *) fen_image_get_pixels_mutable (image))[i] = (guint8) r;
          break;
        case FEN_TEST_U16:
          ((guint16 *) fen_image_get_pixels_mutable (image))[i] = (guint16) (r & 0x0fff);
          break;
        case FEN_TEST_S16:
        default:
          ((gint16 *) fen_image_get_pixels_mutable (image))[i] = (gint16) (r & 0xffff);
          break;
        }
    }
  g_rand_free (rand);
  return image;
}

guint8
fen_test_reference_gray (const FenImage *image, gint32 stored, const FenWindowParams *w)
{
  const FenImageInfo *info = fen_image_get_info (image);
  gboolean color = info->samples_per_pixel == 3;
  double x = color ? stored : stored * info->rescale_slope + info->rescale_intercept;
  double c = w->center, width = MAX (w->width, 1.0), y;
  gboolean invert = w->invert != (info->photometric == FEN_PHOTOMETRIC_MONOCHROME1);
  int out;

  /* PS3.3 C.11.2.1.2.1, written out again on purpose. */
  if (x <= c - 0.5 - (width - 1) / 2)
    y = 0;
  else if (x > c - 0.5 + (width - 1) / 2)
    y = 255;
  else
    y = ((x - (c - 0.5)) / (width - 1) + 0.5) * 255;
  out = CLAMP ((int) floor (y + 0.5), 0, 255);
  return (guint8) (invert ? 255 - out : out);
}
