/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-e2e-phantom.c: writes a CT "phantom" for the viewer's end-to-end test:
 * large flat regions of known Hounsfield values, so that the grey level a
 * screenshot shows can be predicted from the window alone (PS3.3 C.11.2.1.2).
 * Pixels are unsigned 12-bit with Rescale Intercept -1024 (the common CT
 * encoding), so the modality LUT is exercised too. As fen-make-fixture does,
 * DCMTK's dump2dcm writes the Part 10 file. */
#define G_LOG_DOMAIN "fen-e2e-phantom"

#include <glib.h>
#include <glib/gstdio.h>

#include <stdlib.h>

#define FEN_PHANTOM_AIR      (-1000)
#define FEN_PHANTOM_TISSUE   40
#define FEN_PHANTOM_BONE     700
#define FEN_PHANTOM_INTERCEPT (-1024)

int
main (int argc, char *argv[])
{
  g_autofree char *output = NULL;
  g_autofree char *raw_path = NULL, *dump_path = NULL;
  g_autofree guint16 *pixels = NULL;
  g_autoptr(GString) dump = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("- write the e2e CT phantom");
  int size = 512, status = 0;
  GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Rows and columns (default 512)", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output DICOM file", "FILE" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || output == NULL || size < 32 || size > 4096)
    {
      g_printerr ("fen-e2e-phantom: -o FILE is required, --size 32..4096 (%s)\n",
                  error ? error->message : "");
      return 2;
    }

  /* Air outside, soft tissue in the middle 80 %, a bone insert in the top
   * left of the tissue: each region far larger than any sampling patch. */
  pixels = g_new (guint16, (gsize) size * size);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        int hu = FEN_PHANTOM_AIR;

        if (x >= size / 10 && x < size - size / 10 && y >= size / 10 && y < size - size / 10)
          hu = FEN_PHANTOM_TISSUE;
        if (x >= size / 8 && x < size / 4 && y >= size / 8 && y < size / 4)
          hu = FEN_PHANTOM_BONE;
        /* PS3.3 C.11.1: HU = stored * slope + intercept. */
        pixels[(gsize) y * size + x] = GUINT16_TO_LE ((guint16) (hu - FEN_PHANTOM_INTERCEPT));
      }

  raw_path = g_strdup_printf ("%s.raw", output);
  dump_path = g_strdup_printf ("%s.dump", output);
  if (!g_file_set_contents (raw_path, (const char *) pixels, (gssize) size * size * 2, &error))
    {
      g_printerr ("fen-e2e-phantom: %s\n", error->message);
      return 1;
    }

  g_string_append (dump, "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.2]\n");
  g_string_append (dump, "(0008,0018) UI [2.25.32938470134786239384601740124.900.3]\n");
  g_string_append (dump, "(0008,0020) DA [20240611]\n");
  g_string_append (dump, "(0008,0060) CS [CT]\n");
  g_string_append (dump, "(0008,1030) LO [E2E phantom]\n");
  g_string_append (dump, "(0008,103e) LO [Flat regions]\n");
  g_string_append (dump, "(0010,0010) PN [Phantom^Flat]\n");
  g_string_append (dump, "(0010,0020) LO [FEN-E2E]\n");
  g_string_append (dump, "(0020,000d) UI [2.25.32938470134786239384601740124.900.1]\n");
  g_string_append (dump, "(0020,000e) UI [2.25.32938470134786239384601740124.900.2]\n");
  g_string_append (dump, "(0020,0011) IS [1]\n");
  g_string_append (dump, "(0020,0013) IS [1]\n");
  g_string_append (dump, "(0020,0032) DS [-128\\-128\\0]\n");
  g_string_append (dump, "(0020,0037) DS [1\\0\\0\\0\\1\\0]\n");
  g_string_append (dump, "(0028,0002) US 1\n");
  g_string_append (dump, "(0028,0004) CS [MONOCHROME2]\n");
  g_string_append_printf (dump, "(0028,0010) US %d\n", size);
  g_string_append_printf (dump, "(0028,0011) US %d\n", size);
  g_string_append (dump, "(0028,0030) DS [0.5\\0.5]\n");
  g_string_append (dump, "(0028,0100) US 16\n(0028,0101) US 12\n(0028,0102) US 11\n(0028,0103) US 0\n");
  g_string_append (dump, "(0028,1050) DS [40]\n(0028,1051) DS [400]\n(0028,1055) LO [SOFT TISSUE]\n");
  g_string_append_printf (dump, "(0028,1052) DS [%d]\n(0028,1053) DS [1]\n(0028,1054) LO [HU]\n",
                          FEN_PHANTOM_INTERCEPT);
  g_string_append_printf (dump, "(7fe0,0010) OW =%s\n", raw_path);
  if (!g_file_set_contents (dump_path, dump->str, (gssize) dump->len, &error))
    {
      g_printerr ("fen-e2e-phantom: %s\n", error->message);
      return 1;
    }

  {
    const char *args[] = { "dump2dcm", "--write-xfer-little", "--quiet", dump_path, output, NULL };
    g_autofree char *err = NULL;

    if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      {
        g_printerr ("fen-e2e-phantom: dump2dcm: %s %s\n", error->message, err ? err : "");
        status = 1;
      }
  }
  g_unlink (raw_path);
  g_unlink (dump_path);
  return status == 0 ? 0 : 1;
}
