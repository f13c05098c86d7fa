/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-fuzz-seeds.c: writes small PNG and TIFF seed inputs for the fuzzers
 * with Fenestra's own writers, into the directories given. Small on purpose:
 * a fuzzer executes a 1 KiB input far more often than a 1 MiB one. The
 * DICOM seeds come from fen-make-fixture and DCMTK's converters (tools/fuzz). */
#define G_LOG_DOMAIN "fen-fuzz-seeds"

#include <fenestra/fenestra.h>

#include "fen-fuzz-seeds-multipart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
fen_seed_put (GByteArray *out, guint16 group, guint16 element, const char *vr,
              const void *value, guint32 len)
{
  guint16 head[2] = { GUINT16_TO_LE (group), GUINT16_TO_LE (element) };
  g_byte_array_append (out, (const guint8 *) head, 4);
  if (vr == NULL) /* items and delimiters */
    {
      guint32 le = GUINT32_TO_LE (len);
      g_byte_array_append (out, (const guint8 *) &le, 4);
    }
  else if (strcmp (vr, "OB") == 0)
    {
      guint32 le = GUINT32_TO_LE (len);
      g_byte_array_append (out, (const guint8 *) vr, 2);
      g_byte_array_append (out, (const guint8 *) "\0\0", 2);
      g_byte_array_append (out, (const guint8 *) &le, 4);
    }
  else
    {
      guint16 le = GUINT16_TO_LE ((guint16) len);
      g_byte_array_append (out, (const guint8 *) vr, 2);
      g_byte_array_append (out, (const guint8 *) &le, 2);
    }
  if (value != NULL)
    g_byte_array_append (out, value, len);
}

static void
fen_seed_us (GByteArray *out, guint16 element, guint16 v)
{
  guint16 le = GUINT16_TO_LE (v);
  fen_seed_put (out, 0x0028, element, "US", &le, 2);
}

/* Wraps a JPEG 2000 codestream as a one-frame Part 10 file (PS3.5 A.4). */
static int
fen_seed_wrap_j2k (const char *in, const char *out, guint rows, guint cols, guint samples,
                   guint bits, guint is_signed)
{
  g_autofree char *cs = NULL;
  gsize len = 0;
  GByteArray *file = g_byte_array_new ();
  static const char ts[] = "1.2.840.10008.1.2.4.90";
  guint32 group_len;

  if (!g_file_get_contents (in, &cs, &len, NULL))
    return 1;
  g_byte_array_set_size (file, 128);
  memset (file->data, 0, 128);
  g_byte_array_append (file, (const guint8 *) "DICM", 4);
  group_len = GUINT32_TO_LE (8 + sizeof ts - 1 + 1);
  fen_seed_put (file, 0x0002, 0x0000, "UL", &group_len, 4);
  fen_seed_put (file, 0x0002, 0x0010, "UI", ts, sizeof ts); /* with its NUL pad */
  fen_seed_us (file, 0x0002, (guint16) samples);
  fen_seed_put (file, 0x0028, 0x0004, "CS", samples == 3 ? "YBR_RCT " : "MONOCHROME2 ",
                samples == 3 ? 8 : 12);
  fen_seed_us (file, 0x0010, (guint16) rows);
  fen_seed_us (file, 0x0011, (guint16) cols);
  fen_seed_us (file, 0x0100, (guint16) (bits > 8 ? 16 : 8));
  fen_seed_us (file, 0x0101, (guint16) bits);
  fen_seed_us (file, 0x0102, (guint16) (bits - 1));
  fen_seed_us (file, 0x0103, (guint16) is_signed);
  fen_seed_put (file, 0x7fe0, 0x0010, "OB", NULL, 0xffffffffu);
  fen_seed_put (file, 0xfffe, 0xe000, NULL, NULL, 0);
  /* Items have even length: a pad byte after EOC is ignored by decoders. */
  fen_seed_put (file, 0xfffe, 0xe000, NULL, NULL, (guint32) (len + (len & 1)));
  g_byte_array_append (file, (const guint8 *) cs, (guint) len);
  if (len & 1)
    g_byte_array_append (file, (const guint8 *) "", 1);
  fen_seed_put (file, 0xfffe, 0xe0dd, NULL, NULL, 0);
  g_file_set_contents (out, (const char *) file->data, file->len, NULL);
  g_byte_array_unref (file);
  return 0;
}

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

  if (argc == 9 && strcmp (argv[1], "--wrap-j2k") == 0)
    return fen_seed_wrap_j2k (argv[2], argv[3], atoi (argv[4]), atoi (argv[5]), atoi (argv[6]),
                              atoi (argv[7]), atoi (argv[8]));
  if (argc == 3 && strcmp (argv[1], "--multipart") == 0)
    return fen_seed_multipart (argv[2]);
  if (argc != 3)
    {
      g_printerr ("usage: fen-fuzz-seeds PNG-DIR TIFF-DIR\n"
                  "       fen-fuzz-seeds --multipart DIR\n"
                  "       fen-fuzz-seeds --wrap-j2k IN.j2k OUT.dcm ROWS COLS SAMPLES BITS SIGNED\n");
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
