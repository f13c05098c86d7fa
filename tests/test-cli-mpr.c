/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-mpr.c: `fenestra-cli mpr --raw` against a reformat computed here
 * from what GDCM's gdcmraw extracts from the files (positions, rescale,
 * pixel data: no DCMTK, no Fenestra reader), on a CT series written byte by
 * byte (irregular spacing, drift, files named out of order) and on the same
 * series rewritten RLE-compressed by GDCM's gdcmconv. Then the memory of
 * `mpr` on a 512 x 512 x 400 series, measured from outside: peak RSS above
 * a 2-slice run's at most 1.05 x the extra slice bytes. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-dicom-writer.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

#define CT_IMAGE "1.2.840.10008.5.1.4.1.1.2"
#define EXPLICIT_LE "1.2.840.10008.1.2.1"
#define UID_ROOT "2.25.32938470134786239384601740124.77"

static void
run (const char *const *argv, gboolean must_succeed)
{
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error))
    g_error ("cannot run %s (install it: tools/deps.sh): %s", argv[0], error->message);
  if (must_succeed && !g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

/* Slice k of the generated series: distance along z and in-plane drift. */
static double slice_z (guint k) { return -40.0 + 2.5 * k + (k % 4 == 3 ? 0.75 : 0) + (k >= 12 ? 3.0 : 0); }

static gint16
slice_value (guint x, guint y, guint k)
{
  /* A bright ball, a gradient and some texture, all deterministic. */
  double dx = x - 30.0, dy = y - 20.0, dz = k - 9.0;
  double v = (dx * dx + dy * dy + 4 * dz * dz < 120 ? 1400 : 0) + 7 * x - 5 * y + 11 * k;
  return (gint16) (v + ((x * 131 + y * 71 + k * 37) % 97) - 48);
}

/* One explicit VR little endian CT slice, written byte by byte. */
static void
write_slice (const char *path, guint cols, guint rows, guint k, gboolean small_pattern)
{
  g_autofree char *instance = g_strdup_printf (UID_ROOT ".3.%u", k);
  g_autofree char *number = g_strdup_printf ("%u", k + 1);
  /* Positions drift 0.13 mm per slice in x and -0.09 in y, as tables do
   * (never a half pixel over whole slices, so nearest has no ties). */
  g_autofree char *pos = g_strdup_printf ("%.4f\\%.4f\\%.4f", -100.0 + 0.13 * k, -90.0 - 0.09 * k, slice_z (k));
  GByteArray *out = fen_part10_start_for (EXPLICIT_LE, CT_IMAGE, instance);
  gsize n = (gsize) cols * rows;
  g_autoptr(GError) error = NULL;

  fen_put_string (out, 0x0008, 0x0016, "UI", CT_IMAGE);
  fen_put_string (out, 0x0008, 0x0018, "UI", instance);
  fen_put_string (out, 0x0008, 0x0060, "CS", "CT");
  fen_put_string (out, 0x0020, 0x000d, "UI", UID_ROOT ".1");
  fen_put_string (out, 0x0020, 0x000e, "UI", UID_ROOT ".2");
  fen_put_string (out, 0x0020, 0x0013, "IS", number);
  fen_put_string (out, 0x0020, 0x0032, "DS", pos);
  fen_put_string (out, 0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
  fen_put_string (out, 0x0020, 0x0052, "UI", UID_ROOT ".4");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, (guint16) rows, FALSE);
  fen_put_us (out, 0x0028, 0x0011, (guint16) cols, FALSE);
  fen_put_string (out, 0x0028, 0x0030, "DS", "0.7\\0.6");
  fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 15, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 1, FALSE);
  fen_put_string (out, 0x0028, 0x1050, "DS", "40");
  fen_put_string (out, 0x0028, 0x1051, "DS", "400");
  fen_put_string (out, 0x0028, 0x1052, "DS", "-1024");
  fen_put_string (out, 0x0028, 0x1053, "DS", "1");
  fen_put_explicit (out, 0x7fe0, 0x0010, "OW", (guint32) (n * 2));
  for (guint y = 0; y < rows; y++)
    for (guint x = 0; x < cols; x++)
      fen_put_u16 (out, (guint16) (small_pattern ? slice_value (x, y, k) : (gint16) ((x ^ y ^ k) & 0x3ff)));
  g_assert_true (g_file_set_contents (path, (const char *) out->data, out->len, &error));
  g_assert_no_error (error);
  g_byte_array_unref (out);
}

/* Slices written in a scrambled name order, so only positions can order them. */
static char *
make_series (const char *parent, const char *name, guint cols, guint rows, guint n, gboolean pattern)
{
  char *dir = g_build_filename (parent, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint k = 0; k < n; k++)
    {
      g_autofree char *file = g_strdup_printf ("%s/s%03u.dcm", dir, (k * 7 + 3) % n);
      write_slice (file, cols, rows, k, pattern);
    }
  return dir;
}

/* ---- The independent reader: gdcmraw extracts element values. ---- */

typedef struct {
  double   x, y;
  double   z;          /* position along the normal (axial: z) */
  gint16  *pixels;
} RefSlice;

typedef struct {
  guint     cols, rows, n;
  double    slope, intercept, row_spacing, col_spacing;
  RefSlice *slices;    /* ascending z */
} RefSeries;

static GBytes *
gdcm_value (const char *file, const char *tag, const char *tmp)
{
  const char *argv[] = { "gdcmraw", "-i", file, "-o", tmp, "-t", tag, NULL };
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  run (argv, TRUE);
  g_assert_true (g_file_get_contents (tmp, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static double
gdcm_number (const char *file, const char *tag, guint index, const char *tmp)
{
  g_autoptr(GBytes) b = gdcm_value (file, tag, tmp);
  g_autofree char *text = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_auto(GStrv) parts = g_strsplit (text, "\\", -1);

  g_assert_cmpuint (g_strv_length (parts), >, index);
  return g_ascii_strtod (parts[index], NULL);
}

static guint
gdcm_us (const char *file, const char *tag, const char *tmp)
{
  g_autoptr(GBytes) b = gdcm_value (file, tag, tmp);
  const guint8 *p = g_bytes_get_data (b, NULL);

  g_assert_cmpuint (g_bytes_get_size (b), ==, 2);
  return p[0] | p[1] << 8;
}

static int
compare_slices (const void *a, const void *b)
{
  const RefSlice *x = a, *y = b;
  return x->z < y->z ? -1 : x->z > y->z;
}

/* Reads @dir with GDCM's tools; @decompress first rewrites each file to
 * native pixels with gdcmconv --raw (for the RLE series). */
static void
ref_read (RefSeries *s, const char *dir, gboolean decompress)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *tmp = g_build_filename (g_get_tmp_dir (), "fen-mpr-gdcm-XXXXXX", NULL);
  g_autofree char *native = NULL;
  GArray *slices = g_array_new (FALSE, FALSE, sizeof (RefSlice));
  const char *name;
  int fd = g_mkstemp (tmp);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  native = g_strconcat (tmp, ".dcm", NULL);
  memset (s, 0, sizeof *s);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      const char *src = file;
      g_autoptr(GBytes) pixels = NULL;
      RefSlice slice;

      if (decompress)
        {
          const char *argv[] = { "gdcmconv", "--raw", "-i", file, "-o", native, NULL };
          run (argv, TRUE);
          src = native;
        }
      if (slices->len == 0)
        {
          s->rows = gdcm_us (src, "0028,0010", tmp);
          s->cols = gdcm_us (src, "0028,0011", tmp);
          s->intercept = gdcm_number (src, "0028,1052", 0, tmp);
          s->slope = gdcm_number (src, "0028,1053", 0, tmp);
          s->row_spacing = gdcm_number (src, "0028,0030", 0, tmp);
          s->col_spacing = gdcm_number (src, "0028,0030", 1, tmp);
          /* The generated orientation is axial: the normal is z. */
          g_assert_cmpfloat (gdcm_number (src, "0020,0037", 0, tmp), ==, 1);
          g_assert_cmpfloat (gdcm_number (src, "0020,0037", 4, tmp), ==, 1);
        }
      slice.x = gdcm_number (src, "0020,0032", 0, tmp);
      slice.y = gdcm_number (src, "0020,0032", 1, tmp);
      slice.z = gdcm_number (src, "0020,0032", 2, tmp);
      pixels = gdcm_value (src, "7fe0,0010", tmp);
      g_assert_cmpuint (g_bytes_get_size (pixels), >=, (gsize) s->rows * s->cols * 2);
      slice.pixels = g_malloc ((gsize) s->rows * s->cols * 2);
      for (gsize i = 0; i < (gsize) s->rows * s->cols; i++)
        {
          const guint8 *p = (const guint8 *) g_bytes_get_data (pixels, NULL) + 2 * i;
          slice.pixels[i] = (gint16) (guint16) (p[0] | p[1] << 8);
        }
      g_array_append_val (slices, slice);
    }
  g_unlink (tmp);
  g_unlink (native);
  s->n = slices->len;
  qsort (slices->data, s->n, sizeof (RefSlice), compare_slices);
  s->slices = (RefSlice *) (gpointer) g_array_free (slices, FALSE);
}

static void
ref_clear (RefSeries *s)
{
  for (guint k = 0; k < s->n; k++)
    g_free (s->slices[k].pixels);
  g_free (s->slices);
}

typedef enum { PLANE_AXIAL, PLANE_CORONAL, PLANE_SAGITTAL } Plane;

/* The issue's --raw definition, written out: the coronal plane through
 * source row N (sagittal: column N), one output row per slice, the top row
 * the highest position, columns in source order, nearest sampling; a slab
 * of T mm takes every native plane parallel to it within T/2. Stored values
 * combine, the mean rounds half up, then the rescale (PS3.3 C.11.1). */
static long
ref_pixel (const RefSeries *s, Plane plane, guint index, char mode, double t, guint i, guint j)
{
  double acc = 0;
  guint count = 0;

  for (guint m = 0; m < (plane == PLANE_AXIAL ? s->n : plane == PLANE_CORONAL ? s->rows : s->cols); m++)
    {
      double offset = plane == PLANE_AXIAL ? s->slices[m].z - s->slices[index].z
                      : ((double) m - index) * (plane == PLANE_CORONAL ? s->row_spacing : s->col_spacing);
      double v;

      if (mode == 0 ? m != index : fabs (offset) > t / 2 + 1e-6)
        continue;
      if (plane == PLANE_AXIAL)
        {
          /* Slice m read at the patient point of pixel (i, j) of the slice
           * the plane lies in (PS3.3 C.7.6.2.1.1, axial: x along columns,
           * y along rows): drift moves it, nearest pixel. */
          double col = i + (s->slices[index].x - s->slices[m].x) / s->col_spacing;
          double row = j + (s->slices[index].y - s->slices[m].y) / s->row_spacing;
          gint x = (gint) floor (col + 0.5), y = (gint) floor (row + 0.5);

          if (x < 0 || y < 0 || x >= (gint) s->cols || y >= (gint) s->rows)
            continue;
          v = s->slices[m].pixels[(gsize) y * s->cols + x];
        }
      else if (plane == PLANE_CORONAL)
        v = s->slices[s->n - 1 - j].pixels[(gsize) m * s->cols + i];
      else
        v = s->slices[s->n - 1 - j].pixels[(gsize) i * s->cols + m];
      acc = count == 0 ? v : mode == 'x' ? MAX (acc, v) : mode == 'n' ? MIN (acc, v) : acc + v;
      count++;
    }
  /* The plane's own slice (row, column) always covers the pixel. */
  g_assert_cmpuint (count, >, 0);
  if (mode == 'a')
    acc = floor (acc / count + 0.5);
  return lround (acc * s->slope + s->intercept);
}

static gint32 *
read_tiff16 (const char *path, guint *w, guint *h)
{
  TIFF *tif = TIFFOpen (path, "r");
  guint32 width = 0, height = 0;
  guint16 bits = 0, format = SAMPLEFORMAT_UINT;
  gint32 *values;
  g_autofree guint16 *row = NULL;

  g_assert_nonnull (tif);
  TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetField (tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLEFORMAT, &format);
  g_assert_cmpuint (bits, ==, 16);
  values = g_new (gint32, (gsize) width * height);
  row = g_new (guint16, width);
  for (guint32 y = 0; y < height; y++)
    {
      g_assert_cmpint (TIFFReadScanline (tif, row, y, 0), ==, 1);
      for (guint32 x = 0; x < width; x++)
        values[(gsize) y * width + x] = format == SAMPLEFORMAT_INT ? (gint16) row[x] : row[x];
    }
  TIFFClose (tif);
  *w = width;
  *h = height;
  return values;
}

static void
check_series (const char *dir, gboolean decompress)
{
  static const struct { const char *plane; Plane p; guint index; const char *slab; char mode; double t; } runs[] = {
    { "axial", PLANE_AXIAL, 9, NULL, 0, 0 },
    { "axial", PLANE_AXIAL, 0, NULL, 0, 0 },
    { "coronal", PLANE_CORONAL, 20, NULL, 0, 0 },
    { "coronal", PLANE_CORONAL, 46, NULL, 0, 0 },
    { "sagittal", PLANE_SAGITTAL, 30, NULL, 0, 0 },
    { "sagittal", PLANE_SAGITTAL, 0, NULL, 0, 0 },
    { "axial", PLANE_AXIAL, 9, "mip:6", 'x', 6 },
    { "axial", PLANE_AXIAL, 12, "avg:7.5", 'a', 7.5 },
    { "coronal", PLANE_CORONAL, 20, "mip:3", 'x', 3 },
    { "sagittal", PLANE_SAGITTAL, 31, "minip:2.5", 'n', 2.5 },
    { "coronal", PLANE_CORONAL, 19, "avg:2.1", 'a', 2.1 },
    /* Bare mip / minip: the whole stack across the plane. */
    { "coronal", PLANE_CORONAL, 20, "mip", 'x', 2e6 },
    { "axial", PLANE_AXIAL, 9, "minip", 'n', 2e6 },
  };
  g_autofree char *out = g_build_filename (dir, "..", decompress ? "out-rle.tiff" : "out.tiff", NULL);
  RefSeries s;

  ref_read (&s, dir, decompress);
  g_assert_cmpuint (s.n, ==, 19);
  for (gsize r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      g_autofree char *index = g_strdup_printf ("%u", runs[r].index);
      const char *argv[] = { g_getenv ("FEN_CLI"), "mpr", dir, "--plane", runs[r].plane, "--index", index,
                             "--raw", "-o", out, runs[r].slab ? "--slab" : NULL, runs[r].slab, NULL };
      g_autofree gint32 *got = NULL;
      guint w, h, mismatches = 0;

      run (argv, TRUE);
      got = read_tiff16 (out, &w, &h);
      g_assert_cmpuint (w, ==, runs[r].p == PLANE_SAGITTAL ? s.rows : s.cols);
      g_assert_cmpuint (h, ==, runs[r].p == PLANE_AXIAL ? s.rows : s.n);
      for (guint j = 0; j < h; j++)
        for (guint i = 0; i < w; i++)
          {
            long want = ref_pixel (&s, runs[r].p, runs[r].index, runs[r].mode, runs[r].t, i, j);
            if (got[(gsize) j * w + i] != want && mismatches++ < 5)
              g_test_message ("%s %s %s (%u, %u): %d, expected %ld", runs[r].plane, index,
                              runs[r].slab ? runs[r].slab : "", i, j, got[(gsize) j * w + i], want);
          }
      g_assert_cmpuint (mismatches, ==, 0);
      g_unlink (out);
    }
  ref_clear (&s);
}

static void
remove_tree (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  run (argv, TRUE);
}

static void
test_raw_reference (void)
{
  g_autofree char *top = g_dir_make_tmp ("fen-cli-mpr-XXXXXX", NULL);
  g_autofree char *plain = make_series (top, "plain", 61, 47, 19, TRUE);
  g_autofree char *rle = g_build_filename (top, "rle", NULL);
  g_autoptr(GDir) d = g_dir_open (plain, 0, NULL);
  const char *name;

  g_assert_nonnull (g_getenv ("FEN_CLI"));
  check_series (plain, FALSE);

  /* The same series rewritten by GDCM, RLE Lossless: written and read by
   * anything but DCMTK on the reference side. */
  g_assert_cmpint (g_mkdir (rle, 0700), ==, 0);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *in = g_build_filename (plain, name, NULL);
      g_autofree char *to = g_build_filename (rle, name, NULL);
      const char *argv[] = { "gdcmconv", "--rle", "-i", in, "-o", to, NULL };
      run (argv, TRUE);
    }
  check_series (rle, TRUE);
  remove_tree (top);
}

static void
test_refusals (void)
{
  g_autofree char *top = g_dir_make_tmp ("fen-cli-mpr-XXXXXX", NULL);
  g_autofree char *dir = make_series (top, "s", 13, 11, 5, TRUE);
  g_autofree char *out = g_build_filename (top, "o.tiff", NULL);
  g_autofree char *odd = g_build_filename (dir, "odd.dcm", NULL);
  const char *bad_index[] = { g_getenv ("FEN_CLI"), "mpr", dir, "--plane", "coronal", "--index", "11",
                              "--raw", "-o", out, NULL };
  const char *mixed[] = { g_getenv ("FEN_CLI"), "mpr", dir, "--plane", "axial", "--index", "0",
                          "-o", out, NULL };
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) bad_index, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "indices 0 to 10"));
  g_clear_pointer (&err, g_free);

  /* A slice of another size in the folder: refused with the reason. */
  write_slice (odd, 12, 11, 7, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) mixed, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "mixed stack"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  remove_tree (top);
}


/* An Enhanced CT object of @n frames written byte by byte: orientation and
 * spacing in the Shared Functional Groups, each frame's position in its
 * Per-frame Plane Position Sequence (PS3.3 C.7.6.16.2.3), frames stored in
 * a scrambled order along z. Frame f lies at z = frame_z (f). */
static double frame_z (guint f, guint n) { return 10.0 - 3.0 * ((f * 5 + 2) % n); }

static void
put_sq_start (GByteArray *out, guint16 group, guint16 element)
{
  fen_put_explicit (out, group, element, "SQ", 0xffffffffu);
}

static void
put_item_start (GByteArray *out)
{
  fen_put_tag (out, 0xfffe, 0xe000);
  fen_put_u32 (out, 0xffffffffu);
}

static void
put_item_end (GByteArray *out)
{
  fen_put_tag (out, 0xfffe, 0xe00d);
  fen_put_u32 (out, 0);
}

static void
put_sq_end (GByteArray *out)
{
  fen_put_tag (out, 0xfffe, 0xe0dd);
  fen_put_u32 (out, 0);
}

static void
write_enhanced (const char *path, guint cols, guint rows, guint n)
{
  GByteArray *out = fen_part10_start_for (EXPLICIT_LE, "1.2.840.10008.5.1.4.1.1.2.1", UID_ROOT ".9.1");
  g_autofree char *frames = g_strdup_printf ("%u", n);
  g_autoptr(GError) error = NULL;

  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2.1");
  fen_put_string (out, 0x0008, 0x0018, "UI", UID_ROOT ".9.1");
  fen_put_string (out, 0x0008, 0x0060, "CS", "CT");
  fen_put_string (out, 0x0020, 0x000d, "UI", UID_ROOT ".9.2");
  fen_put_string (out, 0x0020, 0x000e, "UI", UID_ROOT ".9.3");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_string (out, 0x0028, 0x0008, "IS", frames);
  fen_put_us (out, 0x0028, 0x0010, (guint16) rows, FALSE);
  fen_put_us (out, 0x0028, 0x0011, (guint16) cols, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 12, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 11, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  put_sq_start (out, 0x5200, 0x9229);      /* Shared Functional Groups */
  put_item_start (out);
  put_sq_start (out, 0x0020, 0x9116);      /* Plane Orientation */
  put_item_start (out);
  fen_put_string (out, 0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
  put_item_end (out);
  put_sq_end (out);
  put_sq_start (out, 0x0028, 0x9110);      /* Pixel Measures */
  put_item_start (out);
  fen_put_string (out, 0x0018, 0x0050, "DS", "3");
  fen_put_string (out, 0x0028, 0x0030, "DS", "0.8\\0.5");
  put_item_end (out);
  put_sq_end (out);
  put_item_end (out);
  put_sq_end (out);
  put_sq_start (out, 0x5200, 0x9230);      /* Per-frame Functional Groups */
  for (guint f = 0; f < n; f++)
    {
      g_autofree char *pos = g_strdup_printf ("-20\\-30\\%g", frame_z (f, n));

      put_item_start (out);
      put_sq_start (out, 0x0020, 0x9113);  /* Plane Position (Patient) */
      put_item_start (out);
      fen_put_string (out, 0x0020, 0x0032, "DS", pos);
      put_item_end (out);
      put_sq_end (out);
      put_item_end (out);
    }
  put_sq_end (out);
  fen_put_explicit (out, 0x7fe0, 0x0010, "OW", (guint32) (cols * rows * n * 2));
  for (guint f = 0; f < n; f++)
    for (guint y = 0; y < rows; y++)
      for (guint x = 0; x < cols; x++)
        fen_put_u16 (out, (guint16) ((x * 37 + y * 11 + f * 101) % 4096));
  g_assert_true (g_file_set_contents (path, (const char *) out->data, out->len, &error));
  g_assert_no_error (error);
  g_byte_array_unref (out);
}

/* The frames of one enhanced object become the stack, ordered by their own
 * Plane Positions: the coronal --raw plane is each frame's row N, the
 * frame highest along z on top. */
static void
test_enhanced_multiframe (void)
{
  const guint cols = 9, rows = 7, n = 11, index = 4;
  g_autofree char *top = g_dir_make_tmp ("fen-cli-mpr-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (top, "enh", NULL);
  g_autofree char *file = g_build_filename (dir, "mf.dcm", NULL);
  g_autofree char *out = g_build_filename (top, "o.tiff", NULL);
  g_autofree char *index_text = g_strdup_printf ("%u", index);
  const char *argv[] = { g_getenv ("FEN_CLI"), "mpr", dir, "--plane", "coronal", "--index", index_text,
                         "--raw", "-o", out, NULL };
  g_autofree gint32 *got = NULL;
  guint w, h;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  write_enhanced (file, cols, rows, n);
  run (argv, TRUE);
  got = read_tiff16 (out, &w, &h);
  g_assert_cmpuint (w, ==, cols);
  g_assert_cmpuint (h, ==, n);
  for (guint r = 0; r < n; r++)
    {
      /* Output row r: the frame with the r-th highest z. */
      guint frame = 0, rank;

      for (frame = 0; frame < n; frame++)
        {
          rank = 0;
          for (guint g = 0; g < n; g++)
            rank += frame_z (g, n) > frame_z (frame, n);
          if (rank == r)
            break;
        }
      g_assert_cmpuint (frame, <, n);
      for (guint x = 0; x < cols; x++)
        g_assert_cmpint (got[r * w + x], ==, (gint32) ((x * 37 + index * 11 + frame * 101) % 4096));
    }
  remove_tree (top);
}

/* Peak RSS in bytes of one `fenestra-cli mpr` run. */
static gint64
peak_of_run (const char *dir, const char *plane, const char *out)
{
  struct rusage usage;
  int status = 0;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, STDOUT_FILENO);
      execl (g_getenv ("FEN_CLI"), "fenestra-cli", "mpr", dir, "--plane", plane, "--index", "1",
             "--raw", "-o", out, (char *) NULL);
      _exit (127);
    }
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  return (gint64) usage.ru_maxrss * 1024;
}

static void
test_memory (void)
{
  g_autofree char *top = g_dir_make_tmp ("fen-cli-mpr-mem-XXXXXX", NULL);
  g_autofree char *small = make_series (top, "small", 512, 512, 2, FALSE);
  g_autofree char *big = make_series (top, "big", 512, 512, 400, FALSE);
  g_autofree char *out = g_build_filename (top, "o.tiff", NULL);
  const gint64 extra = (gint64) 512 * 512 * 2 * (400 - 2);
  static const char *planes[] = { "coronal", "sagittal", "axial" };

  for (gsize p = 0; p < G_N_ELEMENTS (planes); p++)
    {
      gint64 base = G_MAXINT64, peak = G_MAXINT64;
      double ratio;

      /* The least of three runs: the machine is shared, the files cached. */
      for (int i = 0; i < 3; i++)
        {
          base = MIN (base, peak_of_run (small, planes[p], out));
          peak = MIN (peak, peak_of_run (big, planes[p], out));
        }
      ratio = (double) (peak - base) / (double) extra;
      g_test_message ("RESULT mpr %s: peak %.2f MiB, baseline %.2f MiB, above baseline %.2f MiB "
                      "for %.2f MiB of extra slices: %.3f x", planes[p], peak / 1048576.0,
                      base / 1048576.0, (peak - base) / 1048576.0, extra / 1048576.0, ratio);
      g_assert_cmpfloat (ratio, <=, 1.05);
    }
  remove_tree (top);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/mpr/raw-vs-gdcm", test_raw_reference);
  g_test_add_func ("/cli/mpr/refusals", test_refusals);
  g_test_add_func ("/cli/mpr/enhanced-multiframe", test_enhanced_multiframe);
  g_test_add_func ("/cli/mpr/memory-512x512x400", test_memory);
  return g_test_run ();
}
