/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-e2e-phantom.c: writes a CT "phantom" for the viewer's end-to-end test:
 * large flat regions of known Hounsfield values, so that the grey level a
 * screenshot shows can be predicted from the window alone (PS3.3 C.11.2.1.2).
 * Pixels are unsigned 12-bit with Rescale Intercept -1024 (the common CT
 * encoding), so the modality LUT is exercised too. As fen-make-fixture does,
 * DCMTK's dump2dcm writes the Part 10 file.
 *
 * With --series N it writes a folder of N slices of one series instead
 * (slice-000.dcm ...), each a different picture (a bright block that moves
 * with the slice, and the slice number as bars), written directly with the
 * tests' byte-level writer: hundreds of dump2dcm runs would take minutes.
 * --study K gives the series its own study and series UIDs, so that two
 * such folders open as two studies to compare. --frame-of-reference F gives
 * the series Frame of Reference UID number F (two studies may share one),
 * --z-offset N starts slice positions (and the picture) at N, so that slice
 * i of one series matches slice i - N of the other by position only, and
 * --lesion adds a square of FEN_PHANTOM_LESION HU to the tissue: the one
 * region two otherwise equal series differ in. --noise replaces a block of
 * the tissue (top right, clear of the walking block and the bars) with
 * tissue plus a fixed pseudo-random pattern of -50..+50 HU: a region whose
 * mean and standard deviation a measurement must find (region statistics).
 *
 * What a screenshot can tell (tests/e2e/e2e-lib.sh reads it): the slice
 * number, from the twelve bars (most significant bit on the left); which
 * way up and which side, from the bone insert, the one bright square in a
 * corner (top left of the image); the zoom, from the tissue's edges.
 * --reverse-names names the files in the reverse of the series order, so
 * the file loaded first is the last slice; --modality, --slope and --unit
 * write another modality whose values are HU x slope (window and rescale
 * scaled alike), for links that must refuse and values that need decimals.
 * --orientation coronal or sagittal puts the same pictures on planes across
 * the axial phantom's volume (for reference lines and the 3D cursor; with
 * --frame-of-reference, one coordinate system): the axial series (the
 * default, as before) has its first pixel at x = y = -128 mm and slice i at
 * z = i + N (N the --z-offset); a coronal slice i lies at y = -128 + S/4 +
 * i + N, a sagittal one at x = -128 + S/4 - (i + N) (its normal points to
 * -x, so the series order is i), both with rows going down from z = S/4 mm
 * and 0.5 mm pixels (S the size): through the middle of the axial images,
 * across the axial slices near z = 0.
 * --cube (with an axial --series N) writes a volume for MPR instead: air,
 * the tissue in the middle 80 % of each slice, and one bone cube, nothing
 * else: columns [3S/8 - S/16, 3S/8 + S/16), rows [5S/8 - S/16, 5S/8 + S/16)
 * of slices [N/3 - 8, N/3 + 8): with the positions above, x in
 * [-128 + (3S/8 - S/16) / 2, ...) mm and so on; off the middle in all three
 * axes, so that each of the axial, coronal and sagittal planes through the
 * middle misses it, and a wrong side or way up shows. --tilt DEG turns an
 * axial series' columns DEG degrees about x, towards the head (Image
 * Orientation 1\0\0\0\cos\sin), slice i at (-128, -128 - i sin,
 * i cos): an oblique acquisition, 1 mm apart along its normal. */
#define G_LOG_DOMAIN "fen-e2e-phantom"

#include <glib.h>
#include <glib/gstdio.h>

#include <math.h>
#include <stdlib.h>

#include "fen-test-dicom-writer.h"

#define FEN_PHANTOM_AIR      (-1000)
#define FEN_PHANTOM_TISSUE   40
#define FEN_PHANTOM_BONE     700
#define FEN_PHANTOM_INTERCEPT (-1024)
#define FEN_PHANTOM_LESION   140

/* Stored values of the phantom (HU - intercept), slice @index of a series
 * or -1 for the single phantom. */
/* The lesion of --lesion: x in [0.6, 0.75) and y in [0.15, 0.3) of the
 * size, inside the tissue, clear of the bone insert, the walking block (at
 * most index 23) and the bars. */
static gboolean
fen_phantom_in_lesion (int size, int x, int y)
{
  return x >= size * 6 / 10 && x < size * 3 / 4 && y >= size * 15 / 100 && y < size * 3 / 10;
}

/* The block of --noise: x in [0.55, 0.8) and y in [0.12, 0.32) of the size. */
static gboolean
fen_phantom_in_noise (int size, int x, int y)
{
  return x >= size * 55 / 100 && x < size * 8 / 10 && y >= size * 12 / 100 && y < size * 32 / 100;
}

static void
fen_phantom_fill (guint16 *pixels, int size, int index, gboolean lesion, gboolean noise)
{
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        int hu = FEN_PHANTOM_AIR;

        if (x >= size / 10 && x < size - size / 10 && y >= size / 10 && y < size - size / 10)
          hu = FEN_PHANTOM_TISSUE;
        if (x >= size / 8 && x < size / 4 && y >= size / 8 && y < size / 4)
          hu = FEN_PHANTOM_BONE;
        if (index >= 0)
          {
            /* A block that walks along the diagonal, and below it the
             * slice number in binary, one bar per bit (bright = 1). */
            int step = size / 40, bx = size / 4 + (index % 24) * step, by = size / 3 + (index % 24) * step / 2;
            int bit = (x - size / 4) / (size / 24);

            if (x >= bx && x < bx + size / 10 && y >= by && y < by + size / 10)
              hu = FEN_PHANTOM_BONE;
            if (y >= size * 3 / 4 && y < size * 3 / 4 + size / 16 && x >= size / 4 && bit >= 0 && bit < 12 &&
                (x - size / 4) % (size / 24) < size / 32)
              hu = (index >> (11 - bit)) & 1 ? 300 : -200;
          }
        if (lesion && fen_phantom_in_lesion (size, x, y))
          hu = FEN_PHANTOM_LESION;
        /* A hash of the position, the same on every slice and every run. */
        if (noise && fen_phantom_in_noise (size, x, y))
          hu = FEN_PHANTOM_TISSUE + (int) ((((guint32) x * 73856093u) ^ ((guint32) y * 19349663u)) % 101u) - 50;
        /* PS3.3 C.11.1: HU = stored * slope + intercept. */
        pixels[(gsize) y * size + x] = GUINT16_TO_LE ((guint16) (hu - FEN_PHANTOM_INTERCEPT));
      }
}

/* --cube: slice @index of @n. */
static void
fen_phantom_fill_cube (guint16 *pixels, int size, int index, int n)
{
  int cx = size * 3 / 8, cy = size * 5 / 8, half = size / 16;
  gboolean in_z = index >= n / 3 - 8 && index < n / 3 + 8;

  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        int hu = FEN_PHANTOM_AIR;

        if (x >= size / 10 && x < size - size / 10 && y >= size / 10 && y < size - size / 10)
          hu = FEN_PHANTOM_TISSUE;
        if (in_z && x >= cx - half && x < cx + half && y >= cy - half && y < cy + half)
          hu = FEN_PHANTOM_BONE;
        /* PS3.3 C.11.1: HU = stored * slope + intercept. */
        pixels[(gsize) y * size + x] = GUINT16_TO_LE ((guint16) (hu - FEN_PHANTOM_INTERCEPT));
      }
}

typedef struct {
  gboolean    cube;
  double      tilt;         /* degrees about x, axial series only */
  gboolean    reverse_names;
  const char *orientation;  /* "axial", "coronal" or "sagittal" */
  const char *modality;
  double      slope;
  const char *unit;
} FenPhantomKind;

static gboolean
fen_phantom_write_series (const char *dir, int size, int n, int study, int frame_of_reference,
                          int z_offset, gboolean lesion, gboolean noise, const FenPhantomKind *kind, GError **error)
{
  g_autofree guint16 *pixels = g_new (guint16, (gsize) size * size);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create %s", dir);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GByteArray) out = fen_part10_start ("1.2.840.10008.1.2.1");
      g_autofree char *uid = g_strdup_printf ("2.25.32938470134786239384601740124.%d.3.%d", 901 + study, i);
      g_autofree char *study_uid = g_strdup_printf ("2.25.32938470134786239384601740124.%d.1", 901 + study);
      g_autofree char *series_uid = g_strdup_printf ("2.25.32938470134786239384601740124.%d.2", 901 + study);
      g_autofree char *number = g_strdup_printf ("%d", i + 1);
      g_autofree char *position = NULL;
      g_autofree char *tilted_iop = NULL;
      g_autofree char *for_uid = g_strdup_printf ("2.25.32938470134786239384601740124.%d.4", 700 + frame_of_reference);
      g_autofree char *name = g_strdup_printf ("slice-%03d.dcm", kind->reverse_names ? n - 1 - i : i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      char intercept[G_ASCII_DTOSTR_BUF_SIZE], slope[G_ASCII_DTOSTR_BUF_SIZE];
      char center[G_ASCII_DTOSTR_BUF_SIZE], width[G_ASCII_DTOSTR_BUF_SIZE];
      gsize bytes = (gsize) size * size * 2;
      const char *iop = "1\\0\\0\\0\\1\\0";
      char along[G_ASCII_DTOSTR_BUF_SIZE], top[G_ASCII_DTOSTR_BUF_SIZE];

      /* PS3.3 C.7.6.2.1.1: Image Position is the first pixel's centre,
       * Image Orientation the row then the column direction (LPS). */
      g_ascii_formatd (top, sizeof top, "%g", size / 4.0);
      if (g_strcmp0 (kind->orientation, "coronal") == 0)
        {
          g_ascii_formatd (along, sizeof along, "%g", -128 + size / 4.0 + i + z_offset);
          position = g_strdup_printf ("-128\\%s\\%s", along, top);
          iop = "1\\0\\0\\0\\0\\-1";
        }
      else if (g_strcmp0 (kind->orientation, "sagittal") == 0)
        {
          g_ascii_formatd (along, sizeof along, "%g", -128 + size / 4.0 - (i + z_offset));
          position = g_strdup_printf ("%s\\-128\\%s", along, top);
          iop = "0\\1\\0\\0\\0\\-1";
        }
      else if (kind->tilt != 0)
        {
          double t = kind->tilt * G_PI / 180;
          char c[G_ASCII_DTOSTR_BUF_SIZE], sn[G_ASCII_DTOSTR_BUF_SIZE];
          char py[G_ASCII_DTOSTR_BUF_SIZE], pz[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (c, sizeof c, "%.9f", cos (t));
          g_ascii_formatd (sn, sizeof sn, "%.9f", sin (t));
          /* The normal is row x column = (0, -sin, cos). */
          g_ascii_formatd (py, sizeof py, "%.6f", -128 - (i + z_offset) * sin (t));
          g_ascii_formatd (pz, sizeof pz, "%.6f", (i + z_offset) * cos (t));
          tilted_iop = g_strdup_printf ("1\\0\\0\\0\\%s\\%s", c, sn);
          iop = tilted_iop;
          position = g_strdup_printf ("-128\\%s\\%s", py, pz);
        }
      else
        position = g_strdup_printf ("-128\\-128\\%d", i + z_offset);

      if (kind->cube)
        fen_phantom_fill_cube (pixels, size, i, n);
      else
        fen_phantom_fill (pixels, size, i + z_offset, lesion, noise);
      /* PS3.3 C.11.1: value = stored * slope + intercept = HU * slope. */
      g_ascii_formatd (intercept, sizeof intercept, "%g", FEN_PHANTOM_INTERCEPT * kind->slope);
      g_ascii_formatd (slope, sizeof slope, "%g", kind->slope);
      g_ascii_formatd (center, sizeof center, "%g", 40 * kind->slope);
      g_ascii_formatd (width, sizeof width, "%g", 400 * kind->slope);
      fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2");
      fen_put_string (out, 0x0008, 0x0018, "UI", uid);
      fen_put_string (out, 0x0008, 0x0020, "DA", "20240611");
      fen_put_string (out, 0x0008, 0x0060, "CS", kind->modality);
      fen_put_string (out, 0x0008, 0x1030, "LO", "E2E phantom");
      fen_put_string (out, 0x0008, 0x103e, "LO", "Moving block");
      fen_put_string (out, 0x0010, 0x0010, "PN", "Phantom^Series");
      fen_put_string (out, 0x0010, 0x0020, "LO", "FEN-E2E");
      fen_put_string (out, 0x0020, 0x000d, "UI", study_uid);
      fen_put_string (out, 0x0020, 0x000e, "UI", series_uid);
      fen_put_string (out, 0x0020, 0x0011, "IS", "2");
      fen_put_string (out, 0x0020, 0x0013, "IS", number);
      fen_put_string (out, 0x0020, 0x0032, "DS", position);
      fen_put_string (out, 0x0020, 0x0037, "DS", iop);
      if (frame_of_reference > 0)
        fen_put_string (out, 0x0020, 0x0052, "UI", for_uid);
      fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
      fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
      fen_put_us (out, 0x0028, 0x0010, (guint16) size, FALSE);
      fen_put_us (out, 0x0028, 0x0011, (guint16) size, FALSE);
      fen_put_string (out, 0x0028, 0x0030, "DS", "0.5\\0.5");
      fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
      fen_put_us (out, 0x0028, 0x0101, 12, FALSE);
      fen_put_us (out, 0x0028, 0x0102, 11, FALSE);
      fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
      fen_put_string (out, 0x0028, 0x1050, "DS", center);
      fen_put_string (out, 0x0028, 0x1051, "DS", width);
      fen_put_string (out, 0x0028, 0x1052, "DS", intercept);
      fen_put_string (out, 0x0028, 0x1053, "DS", slope);
      if (kind->unit != NULL && *kind->unit != '\0')
        fen_put_string (out, 0x0028, 0x1054, "LO", kind->unit);
      fen_put_explicit (out, 0x7fe0, 0x0010, "OW", (guint32) bytes);
      g_byte_array_append (out, (const guint8 *) pixels, (guint) bytes);
      if (!g_file_set_contents (path, (const char *) out->data, out->len, error))
        return FALSE;
    }
  return TRUE;
}

int
main (int argc, char *argv[])
{
  g_autofree char *output = NULL;
  g_autofree char *raw_path = NULL, *dump_path = NULL;
  g_autofree guint16 *pixels = NULL;
  g_autoptr(GString) dump = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("- write the e2e CT phantom");
  int size = 512, status = 0, series = 0, study = 0, frame_of_reference = 0, z_offset = 0;
  gboolean lesion = FALSE, noise = FALSE;
  FenPhantomKind kind = { FALSE, 0, FALSE, "axial", "CT", 1.0, "HU" };
  g_autofree char *modality = NULL, *unit = NULL, *orientation = NULL;
  GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Rows and columns (default 512)", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output DICOM file (a folder with --series)", "FILE" },
    { "series", 0, 0, G_OPTION_ARG_INT, &series, "Write a folder of N different slices of one series", "N" },
    { "study", 0, 0, G_OPTION_ARG_INT, &study, "With --series: study number K (its own UIDs), for comparisons", "K" },
    { "frame-of-reference", 0, 0, G_OPTION_ARG_INT, &frame_of_reference, "With --series: Frame of Reference UID number F (0: none)", "F" },
    { "z-offset", 0, 0, G_OPTION_ARG_INT, &z_offset, "With --series: slice i at z = i + N, showing picture i + N", "N" },
    { "lesion", 0, 0, G_OPTION_ARG_NONE, &lesion, "With --series: add a 140 HU square to the tissue", NULL },
    { "noise", 0, 0, G_OPTION_ARG_NONE, &noise, "With --series: a block of tissue +-50 HU of fixed noise (top right)", NULL },
    { "reverse-names", 0, 0, G_OPTION_ARG_NONE, &kind.reverse_names, "With --series: file names in the reverse of the series order", NULL },
    { "modality", 0, 0, G_OPTION_ARG_STRING, &modality, "With --series: Modality (default CT)", "M" },
    { "slope", 0, 0, G_OPTION_ARG_DOUBLE, &kind.slope, "With --series: values are HU x S (default 1)", "S" },
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, "With --series: Rescale Type (default HU; empty: none)", "U" },
    { "orientation", 0, 0, G_OPTION_ARG_STRING, &orientation, "With --series: axial (default), coronal or sagittal planes", "O" },
    { "cube", 0, 0, G_OPTION_ARG_NONE, &kind.cube, "With --series: tissue and one bone cube off the middle (for MPR)", NULL },
    { "tilt", 0, 0, G_OPTION_ARG_DOUBLE, &kind.tilt, "With an axial --series: columns turned DEG degrees about x (oblique)", "DEG" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || output == NULL || size < 32 || size > 4096)
    {
      g_printerr ("fen-e2e-phantom: -o FILE is required, --size 32..4096 (%s)\n",
                  error ? error->message : "");
      return 2;
    }

  if (series > 0)
    {
      if (modality != NULL)
        kind.modality = modality;
      if (unit != NULL)
        kind.unit = unit;
      if (orientation != NULL)
        {
          if (g_strcmp0 (orientation, "axial") != 0 && g_strcmp0 (orientation, "coronal") != 0 &&
              g_strcmp0 (orientation, "sagittal") != 0)
            {
              g_printerr ("fen-e2e-phantom: --orientation is axial, coronal or sagittal\n");
              return 2;
            }
          kind.orientation = orientation;
        }
      if (!(kind.slope > 0))
        {
          g_printerr ("fen-e2e-phantom: --slope must be above 0\n");
          return 2;
        }
      if (!fen_phantom_write_series (output, size, series, study, frame_of_reference, z_offset, lesion, noise, &kind, &error))
        {
          g_printerr ("fen-e2e-phantom: %s\n", error->message);
          return 1;
        }
      return 0;
    }

  /* Air outside, soft tissue in the middle 80 %, a bone insert in the top
   * left of the tissue: each region far larger than any sampling patch. */
  pixels = g_new (guint16, (gsize) size * size);
  fen_phantom_fill (pixels, size, -1, FALSE, FALSE);

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
