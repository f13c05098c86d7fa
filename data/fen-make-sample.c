/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-make-sample.c: writes the bundled sample study, a synthetic head CT
 * series (no patient ever scanned), so the repository carries no binary
 * images. Pixels go to a raw file and attributes to a DCMTK dump; DCMTK's
 * dump2dcm writes each slice as explicit VR little endian Part 10.
 *
 * Usage: fen-make-sample DIR  (skips the work when DIR is already complete) */
#define G_LOG_DOMAIN "fen-sample"

#include <glib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_SIZE     512
#define SAMPLE_SLICES   24
#define SAMPLE_SPACING  0.48    /* mm per pixel */
#define SAMPLE_STEP     5.0     /* mm between slices */
#define SAMPLE_UID_ROOT "2.25.177460921730466925133052313406"

typedef struct {
  double cx, cy, rx, ry, hu;
} SampleEllipse;

/* Hounsfield units of a simple head: tissue values from the usual CT tables. */
static double
sample_hu (double x, double y, double z, GRand *rand)
{
  /* z in [-1, 1] bottom to top of the head; the head narrows away from 0. */
  double scale = sqrt (MAX (0.0, 1.0 - 0.55 * z * z));
  double hx = 0.78 * scale, hy = 0.92 * scale;
  double r_outer = (x * x) / (hx * hx) + (y * y) / (hy * hy);
  double r_inner = (x * x) / pow (hx - 0.06, 2) + (y * y) / pow (hy - 0.06, 2);
  const SampleEllipse features[] = {
    { -0.13, -0.05, 0.07, 0.22 * scale, 5 },      /* lateral ventricles: CSF */
    {  0.13, -0.05, 0.07, 0.22 * scale, 5 },
    {  0.30,  0.35, 0.09, 0.08, 70 },             /* a hyperdense lesion (haematoma) */
    { -0.35,  0.30, 0.05, 0.05, -60 },            /* fat */
  };
  double hu;

  if (y > 0.97 && y < 1.0 && fabs (x) < 0.9)
    return 300;                                   /* the table */
  if (r_outer > 1.0)
    return -1000 + g_rand_double_range (rand, -8, 8);  /* air */
  if (r_inner > 1.0)
    return 1000 + 400 * (1.0 - r_inner / r_outer) + g_rand_double_range (rand, -30, 30); /* skull */

  /* Grey matter outside, white matter inside. */
  hu = r_inner > 0.6 ? 40 : 28;
  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    {
      const SampleEllipse *e = &features[i];
      double d = pow ((x - e->cx) / e->rx, 2) + pow ((y - e->cy) / e->ry, 2);
      if (d < 1.0 && (i != 2 || fabs (z) < 0.3))
        hu = e->hu;
    }
  return hu + g_rand_double_range (rand, -4, 4);
}

static gboolean
sample_run_dump2dcm (const char *dump_path, const char *output, GError **error)
{
  const char *argv[] = { "dump2dcm", "--write-xfer-little", "--quiet", dump_path, output, NULL };
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                     &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "dump2dcm failed (%s): ", err ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
sample_write_slice (const char *dir, guint index, GError **error)
{
  /* File names run against slice order, so a viewer must sort by position. */
  g_autofree char *name = g_strdup_printf ("ct-%02u.dcm", SAMPLE_SLICES - 1 - index);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *raw = g_strconcat (path, ".raw", NULL);
  g_autofree char *dump_path = g_strconcat (path, ".dump", NULL);
  g_autofree guint16 *pixels = g_new (guint16, SAMPLE_SIZE * SAMPLE_SIZE);
  g_autoptr(GString) dump = g_string_new (NULL);
  GRand *rand = g_rand_new_with_seed (1000 + index);
  double z_mm = index * SAMPLE_STEP;
  double origin = -SAMPLE_SIZE * SAMPLE_SPACING / 2;
  gboolean ok;

  for (guint y = 0; y < SAMPLE_SIZE; y++)
    for (guint x = 0; x < SAMPLE_SIZE; x++)
      {
        double u = (x + 0.5) / SAMPLE_SIZE * 2 - 1, v = (y + 0.5) / SAMPLE_SIZE * 2 - 1;
        double z = (index + 0.5) / SAMPLE_SLICES * 2 - 1;
        double hu = sample_hu (u, v, z, rand);
        /* Stored = HU + 1024 in 12 bits, as many scanners write it. */
        pixels[y * SAMPLE_SIZE + x] = (guint16) CLAMP (lround (hu + 1024), 0, 4095);
      }
  g_rand_free (rand);

  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    for (guint i = 0; i < SAMPLE_SIZE * SAMPLE_SIZE; i++)
      pixels[i] = GUINT16_TO_LE (pixels[i]);

  g_string_append (dump, "(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]\n");
  g_string_append (dump, "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.2]\n");
  g_string_append_printf (dump, "(0008,0018) UI [" SAMPLE_UID_ROOT ".3.%u]\n", index + 1);
  g_string_append (dump, "(0008,0020) DA [20261122]\n(0008,0030) TM [091500]\n");
  /* Type 2 attributes of the CT Image IOD (PS3.3 A.3.3) are present, empty
   * where a phantom has no value: dciodvfy checks the sample. */
  g_string_append (dump, "(0008,0050) SH []\n");
  g_string_append (dump, "(0008,0060) CS [CT]\n(0008,0070) LO [Fenestra]\n");
  g_string_append (dump, "(0008,0080) LO [Fenestra Sample Hospital]\n(0008,0090) PN []\n");
  g_string_append (dump, "(0008,1030) LO [Synthetic head CT]\n(0008,103e) LO [Head 5 mm axial]\n");
  g_string_append (dump, "(0010,0010) PN [PHANTOM^HEAD]\n(0010,0020) LO [FEN-0001]\n");
  g_string_append (dump, "(0010,0030) DA [19700101]\n(0010,0040) CS [O]\n");
  g_string_append (dump, "(0018,0015) CS [HEAD]\n(0018,0050) DS [5]\n(0018,0060) DS [120]\n");
  g_string_append (dump, "(0018,5100) CS [HFS]\n");
  g_string_append (dump, "(0020,000d) UI [" SAMPLE_UID_ROOT ".1]\n");
  g_string_append (dump, "(0020,000e) UI [" SAMPLE_UID_ROOT ".2]\n");
  g_string_append (dump, "(0020,0010) SH [1]\n(0020,0011) IS [1]\n(0020,0012) IS [1]\n");
  g_string_append_printf (dump, "(0020,0013) IS [%u]\n", index + 1);
  g_string_append_printf (dump, "(0020,0032) DS [%.2f\\%.2f\\%.1f]\n", origin, origin, z_mm);
  g_string_append (dump, "(0020,0037) DS [1\\0\\0\\0\\1\\0]\n");
  g_string_append (dump, "(0020,0052) UI [" SAMPLE_UID_ROOT ".4]\n(0020,1040) LO []\n");
  g_string_append_printf (dump, "(0020,1041) DS [%.1f]\n", z_mm);
  g_string_append (dump, "(0028,0002) US 1\n(0028,0004) CS [MONOCHROME2]\n");
  g_string_append_printf (dump, "(0028,0010) US %u\n(0028,0011) US %u\n", SAMPLE_SIZE, SAMPLE_SIZE);
  g_string_append_printf (dump, "(0028,0030) DS [%.2f\\%.2f]\n", SAMPLE_SPACING, SAMPLE_SPACING);
  g_string_append (dump, "(0028,0100) US 16\n(0028,0101) US 12\n(0028,0102) US 11\n(0028,0103) US 0\n");
  g_string_append (dump, "(0028,1050) DS [40\\400]\n(0028,1051) DS [80\\1800]\n");
  g_string_append (dump, "(0028,1052) DS [-1024]\n(0028,1053) DS [1]\n(0028,1054) LO [HU]\n");
  g_string_append (dump, "(0028,1055) LO [BRAIN\\BONE]\n");
  g_string_append_printf (dump, "(7fe0,0010) OW =%s\n", raw);

  ok = g_file_set_contents (raw, (const char *) pixels, SAMPLE_SIZE * SAMPLE_SIZE * 2, error) &&
       g_file_set_contents (dump_path, dump->str, -1, error) &&
       sample_run_dump2dcm (dump_path, path, error);
  g_unlink (raw);
  g_unlink (dump_path);
  return ok;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR");
  const char *dir;

  /* GOption answers --help and refuses unknown options, so that "--help"
   * or a typo never becomes the name of a folder. */
  g_option_context_set_summary (context, "Writes the bundled synthetic head CT series (24 slices) into DIR;\n"
                                         "does nothing when DIR already holds it.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fen-make-sample: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || argv[1][0] == '-')
    {
      g_printerr ("usage: fen-make-sample DIR (see --help)\n");
      return 2;
    }
  dir = argv[1];
  /* dump2dcm's "=file" syntax ends a file name at the first blank. */
  if (strpbrk (dir, " \t#[]") != NULL)
    {
      g_printerr ("fen-make-sample: %s: the folder name must not contain blanks, '#' or brackets\n", dir);
      return 1;
    }
  last = g_build_filename (dir, "ct-00.dcm", NULL);
  if (g_file_test (last, G_FILE_TEST_EXISTS))
    return 0;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_printerr ("fen-make-sample: %s: %s\n", dir, g_strerror (errno));
      return 1;
    }
  /* The highest-numbered file is written first, ct-00.dcm last: it marks completion. */
  for (guint i = 0; i < SAMPLE_SLICES; i++)
    if (!sample_write_slice (dir, i, &error))
      {
        g_printerr ("fen-make-sample: %s\n", error->message);
        return 1;
      }
  return 0;
}
