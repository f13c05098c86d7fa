/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-fuzz-seeds.c: writes small PNG and TIFF seed inputs for the fuzzers
 * with Fenestra's own writers, into the directories given. Small on purpose:
 * a fuzzer executes a 1 KiB input far more often than a 1 MiB one. The
 * DICOM seeds come from fen-make-fixture and DCMTK's converters (tools/fuzz). */
#define G_LOG_DOMAIN "fen-fuzz-seeds"

#include <fenestra/fenestra.h>

#include <stdio.h>

int
main (int argc, char **argv)
{
  static const struct { guint channels, bits, pages; gboolean is_signed; } kinds[] = {
    { 1, 8, 1, FALSE }, { 1, 16, 1, FALSE }, { 1, 16, 1, TRUE }, { 3, 8, 1, FALSE },
    { 4, 8, 1, FALSE }, { 3, 16, 1, FALSE }, { 2, 8, 1, FALSE }, { 1, 8, 3, FALSE },
    { 1, 16, 2, TRUE },
  };
  const guint w = 13, h = 9;
  guint16 pixels[13 * 9 * 4 * 3];

  if (argc != 3)
    {
      g_printerr ("usage: fen-fuzz-seeds PNG-DIR TIFF-DIR\n");
      return 2;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (pixels); i++)
    pixels[i] = (guint16) (i * 2654435761u >> 7);

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      const guint bytes = kinds[k].bits / 8;
      FenRaster raster = {
        .width = w, .height = h, .channels = kinds[k].channels, .bits = kinds[k].bits,
        .is_signed = kinds[k].is_signed, .pixels = pixels,
        .stride = (gsize) w * kinds[k].channels * bytes, .pages = kinds[k].pages,
      };
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("seed-%uch-%ub-%up%s", kinds[k].channels,
                                               kinds[k].bits, kinds[k].pages,
                                               kinds[k].is_signed ? "-s" : "");
      g_autofree char *png = g_strdup_printf ("%s/%s.png", argv[1], name);
      g_autofree char *tiff = g_strdup_printf ("%s/%s.tiff", argv[2], name);

      raster.page_stride = raster.stride * h;
      if (kinds[k].pages == 1 && !kinds[k].is_signed &&
          !fen_png_write (png, &raster, &error))
        {
          g_printerr ("%s: %s\n", png, error->message);
          g_clear_error (&error);
        }
      if (!fen_tiff_write (tiff, &raster, &error))
        g_printerr ("%s: %s\n", tiff, error->message);
    }
  return 0;
}
