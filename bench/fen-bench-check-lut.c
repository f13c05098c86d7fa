/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-check-lut.c: the window table checked entry by entry against
 * the formula, so that the bench's speed figures are of a correct table. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-check-lut.h"

#include <math.h>

/* Entry by entry, the table against PS3.3's formula evaluated for every
 * stored value, as fen_lut_build() did before it learned to skip the flat
 * parts of the window: over sample types, rescales, MONOCHROME1 and
 * windows from a step to wider than the type. */
void
fen_bench_check_lut (FenBenchReport *report)
{
  static const struct {
    guint bits_allocated, bits_stored, pixel_representation;
    FenPhotometric photometric;
    double slope, intercept;
  } kinds[] = {
    { 16, 16, 1, FEN_PHOTOMETRIC_MONOCHROME2, 1, 0 },
    { 16, 12, 0, FEN_PHOTOMETRIC_MONOCHROME2, 1, -1024 },
    { 16, 16, 0, FEN_PHOTOMETRIC_MONOCHROME1, 0.5, -3.25 },
    { 16, 12, 1, FEN_PHOTOMETRIC_MONOCHROME2, -2, 100 },
    { 8, 8, 0, FEN_PHOTOMETRIC_MONOCHROME2, 1, 0 },
    { 8, 8, 1, FEN_PHOTOMETRIC_MONOCHROME1, 3.5, 7 },
  };
  static const double centers[] = { -1000.5, -160, 0, 0.5, 40, 127.5, 1000, 2047.25, 40000 };
  static const double widths[] = { 0.25, 1, 1.5, 2, 3, 255, 400, 1001, 4096, 65536, 1e6 };
  g_autoptr(FenLut) lut = fen_lut_new ();
  gsize bad = 0, checked = 0;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      FenImageInfo info;
      g_autoptr(FenImage) image = NULL;
      gint32 lo, hi;

      fen_image_info_init (&info);
      info.rows = info.columns = info.frames = info.samples_per_pixel = 1;
      info.bits_allocated = kinds[k].bits_allocated;
      info.bits_stored = kinds[k].bits_stored;
      info.high_bit = kinds[k].bits_stored - 1;
      info.pixel_representation = kinds[k].pixel_representation;
      info.photometric = kinds[k].photometric;
      info.rescale_slope = kinds[k].slope;
      info.rescale_intercept = kinds[k].intercept;
      image = fen_image_new (&info, 0, NULL);
      fen_image_info_clear (&info);
      if (image == NULL)
        continue;
      fen_image_get_type_range (image, &lo, &hi);

      for (guint c = 0; c < G_N_ELEMENTS (centers); c++)
        for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
          for (guint f = 0; f < 3; f++)
            for (guint inv = 0; inv < 2; inv++)
              {
                FenWindowParams params = { .center = centers[c], .width = widths[w],
                                            .function = (FenVoiFunction) f, .invert = inv };
                gboolean invert = inv != (kinds[k].photometric == FEN_PHOTOMETRIC_MONOCHROME1);

                fen_lut_build (lut, image, 0, &params);
                for (gint32 v = lo; v <= hi; v++)
                  {
                    double x = v * kinds[k].slope + kinds[k].intercept;
                    double y = fen_voi_apply (params.function, x, params.center, params.width, 0, 255);
                    int e = CLAMP ((int) floor (y + 0.5), 0, 255);

                    if (invert)
                      e = 255 - e;
                    bad += fen_lut_lookup (lut, v) != e;
                    checked++;
                  }
              }
    }
  fen_bench_report_set_int (report, "check_lut_entries", (gint64) checked);
  fen_bench_report_set_int (report, "check_lut_mismatch_entries", (gint64) bad);
  if (bad != 0)
    g_warning ("the window table differs from the formula in %" G_GSIZE_FORMAT " entries", bad);
}
