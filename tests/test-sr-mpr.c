/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sr-mpr.c: measurements on the MPR planes of the sample CT series
 * written as a TID 1500 report in a Comprehensive 3D SR object
 * (fen-sr-mpr.h). Tools we did not write judge it: dicom3tools' dciodvfy
 * validates it (no error), DCMTK's dsrdump reads it back, and the values
 * and the SCOORD3D coordinates it prints are compared with the
 * measurements' own (points in patient mm). Missing tools fail the test.
 * Hostile input gives a GError; a failed write leaves the old file. */
#define G_LOG_DOMAIN "fen-test-sr-mpr"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>
#include <fenestra/fen-sr-mpr.h>

#include "fen-test-spawn.h"

#define N_MEASURES 8

typedef struct {
  char          *dir;
  char          *source;
  GPtrArray     *images;
  FenVolume     *volume;
  FenRenderer   *renderer;
  FenMprMeasure *measures;
  FenRoiStats    stats[N_MEASURES];
} Fixture;

/* The sample series (fen-make-sample: 24 axial slices of 512 x 512, 0.48
 * mm pixels, 5 mm apart) loaded as a volume. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("fen-test-sr-mpr-XXXXXX", NULL);
  const char *make[] = { FEN_TEST_MAKE_SAMPLE, f->dir, NULL };
  g_free (fen_test_spawn (make, TRUE));
  f->images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);
  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *name = g_strdup_printf ("ct-%02u.dcm", i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      GError *error = NULL;
      FenImage *image = fen_load_file (path, NULL, &error);

      g_assert_no_error (error);
      g_ptr_array_add (f->images, image);
    }
  f->source = g_build_filename (f->dir, "ct-12.dcm", NULL);
  GError *error = NULL;
  f->volume = fen_volume_new (NULL, (FenImage **) f->images->pdata, f->images->len, &error);
  g_assert_no_error (error);
  f->renderer = fen_renderer_new (2, 64);
  f->measures = g_new0 (FenMprMeasure, N_MEASURES);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  GDir *d = g_dir_open (f->dir, 0, NULL);
  const char *entry;

  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, entry, NULL);
      g_unlink (path);
    }
  g_dir_close (d);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->source);
  g_free (f->measures);
  fen_renderer_free (f->renderer);
  fen_volume_unref (f->volume);
  g_ptr_array_unref (f->images);
}

static void
offset (const double c[3], const FenMprFrame *fr, double u, double v, double out[3])
{
  for (int k = 0; k < 3; k++)
    out[k] = c[k] + u * fr->right[k] + v * fr->down[k];
}

/* One measurement of each kind, on the axial, coronal and sagittal planes
 * through the volume's centre, and a distance on an oblique plane; the
 * regions' statistics as the viewer takes them. */
static void
make_measures (Fixture *f)
{
  const FenImageInfo *first = fen_image_get_info (f->images->pdata[0]);
  const FenImageInfo *last = fen_image_get_info (f->images->pdata[f->images->len - 1]);
  FenMprPlanes planes;
  double c[3], p[6][3];
  GError *error = NULL;

  fen_mpr_planes_init (&planes, f->volume);
  /* PS3.3 C.7.6.2.1.1: the centre of the stack, in patient mm. */
  c[0] = first->image_position[0] + 255.5 * first->pixel_spacing[1] + 0.123;
  c[1] = first->image_position[1] + 255.5 * first->pixel_spacing[0] - 0.217;
  c[2] = (first->image_position[2] + last->image_position[2]) / 2;
  const FenMprFrame *ax = &planes.frames[FEN_MPR_PLANE_AXIAL];
  const FenMprFrame *co = &planes.frames[FEN_MPR_PLANE_CORONAL];
  const FenMprFrame *sa = &planes.frames[FEN_MPR_PLANE_SAGITTAL];

  offset (c, co, 40.25, 25.5, p[0]);
  fen_mpr_measure_init (&f->measures[0], FEN_MPR_MEASURE_DISTANCE, co, c, p[0]);
  offset (c, sa, 20.5, 10.25, p[0]);
  fen_mpr_measure_init (&f->measures[1], FEN_MPR_MEASURE_ELLIPSE, sa, c, p[0]);
  offset (c, ax, -30.0, 18.75, p[0]);
  fen_mpr_measure_init (&f->measures[2], FEN_MPR_MEASURE_RECTANGLE, ax, c, p[0]);
  offset (c, co, -20, -15, p[0]);
  offset (c, co, 25, -10, p[1]);
  offset (c, co, 30, 20, p[2]);
  offset (c, co, -15, 25, p[3]);
  g_assert_true (fen_mpr_measure_init_points (&f->measures[3], FEN_MPR_MEASURE_POLYGON, co, &p[0][0], 4));
  offset (c, ax, 30, 0, p[0]);
  offset (c, ax, 0, 0, p[1]);
  offset (c, ax, 20, -25, p[2]);
  g_assert_true (fen_mpr_measure_init_points (&f->measures[4], FEN_MPR_MEASURE_ANGLE, ax, &p[0][0], 3));
  offset (c, sa, -30, -20, p[0]);
  offset (c, sa, 30, -10, p[1]);
  offset (c, sa, -30, 20, p[2]);
  offset (c, sa, 30, 35, p[3]);
  g_assert_true (fen_mpr_measure_init_points (&f->measures[5], FEN_MPR_MEASURE_COBB, sa, &p[0][0], 4));
  offset (c, co, -40, -40, p[0]);
  offset (c, co, -10, -12, p[1]);
  fen_mpr_measure_init (&f->measures[6], FEN_MPR_MEASURE_ARROW, co, p[0], p[1]);
  g_assert_true (fen_mpr_measure_set_text (&f->measures[6], "nodule"));
  /* An oblique plane: the coronal one turned 30 degrees about z. */
  FenMprFrame ob = { { cos (G_PI / 6), sin (G_PI / 6), 0 }, { 0, 0, -1 }, { 0 } };
  ob.normal[0] = ob.right[1] * ob.down[2] - ob.right[2] * ob.down[1];
  ob.normal[1] = ob.right[2] * ob.down[0] - ob.right[0] * ob.down[2];
  ob.normal[2] = ob.right[0] * ob.down[1] - ob.right[1] * ob.down[0];
  offset (c, &ob, 33.3, -12.1, p[0]);
  fen_mpr_measure_init (&f->measures[7], FEN_MPR_MEASURE_DISTANCE, &ob, c, p[0]);

  for (guint i = 0; i < N_MEASURES; i++)
    {
      FenMprMeasureKind k = f->measures[i].kind;
      f->stats[i] = (FenRoiStats) { 0 };
      if (k == FEN_MPR_MEASURE_ELLIPSE || k == FEN_MPR_MEASURE_RECTANGLE || k == FEN_MPR_MEASURE_POLYGON)
        {
          fen_mpr_measure_stats (&f->measures[i], f->volume, f->renderer, &f->stats[i], &error);
          g_assert_no_error (error);
          g_assert_cmpstr (f->stats[i].unit, ==, "HU");
          g_assert_cmpuint (f->stats[i].n, >, 100);
        }
    }
}

/* The triplets of the @group-th SCOORD3D item of dsrdump's output
 * ("=(POLYLINE,,x/y/z,x/y/z)" with +Pl: every value, none shortened).
 * Returns the number of values read into @out. */
static guint
parse_scoord3d (const char *dump, guint group, const char *graphic, double *out, guint max)
{
  const char *at = dump;
  guint n = 0;

  for (guint g = 0; g <= group; g++)
    {
      at = strstr (at, "SCOORD3D:");
      g_assert_nonnull (at);
      at += 9;
    }
  at = strstr (at, ")=(");
  g_assert_nonnull (at);
  at += 3;
  g_assert_true (g_str_has_prefix (at, graphic));
  at += strlen (graphic);
  g_assert_true (g_str_has_prefix (at, ",,"));
  at += 2;
  while (n < max && *at != ')' && *at != '\0')
    {
      char *end;
      out[n++] = g_ascii_strtod (at, &end);
      g_assert_true (end != at);
      at = end;
      if (*at == '/' || *at == ',')
        at++;
    }
  g_assert_true (*at == ')');
  return n;
}

static void
assert_points (const double *got, guint n_got, const double (*want)[3], guint n_want)
{
  g_assert_cmpuint (n_got, ==, 3 * n_want);
  for (guint i = 0; i < n_want; i++)
    for (int k = 0; k < 3; k++)
      /* Graphic Data is FL (PS3.3 C.18.9.1.1): float's precision, printed
       * by dsrdump with 6 significant digits. */
      g_assert_cmpfloat (fabs (got[3 * i + k] - want[i][k]), <=, 1e-3 + 1e-5 * fabs (want[i][k]));
}

static void
assert_value (const char *dump, double value, const char *unit)
{
  g_autofree char *want = g_strdup_printf ("\"%.10g\" (%s", value, unit);

  if (strstr (dump, want) == NULL)
    g_error ("dsrdump does not show %s", want);
}

static void
test_report (Fixture *f, gconstpointer data)
{
  g_autofree char *sr = g_build_filename (f->dir, "planes.dcm", NULL);
  GError *error = NULL;

  make_measures (f);
  g_assert_true (fen_sr_mpr_write (f->source, f->measures, f->stats, N_MEASURES, sr, &error));
  g_assert_no_error (error);

  /* dicom3tools: a valid Comprehensive 3D SR object; warnings listed. */
  const char *verify[] = { "dciodvfy", sr, NULL };
  g_autofree char *report = fen_test_spawn (verify, FALSE);
  g_test_message ("dciodvfy: %s", report);
  g_assert_null (strstr (report, "Error"));
  g_assert_nonnull (strstr (report, "Comprehensive3DSR"));

  /* DCMTK reads it back. */
  const char *dump_argv[] = { "dsrdump", "+Pc", "+Pl", sr, NULL };
  g_autofree char *dump = fen_test_spawn (dump_argv, TRUE);
  g_test_message ("%s", dump);
  g_assert_nonnull (strstr (dump, "Comprehensive 3D SR"));
  g_assert_nonnull (strstr (dump, "Imaging Measurement Report"));
  g_assert_nonnull (strstr (dump, "PHANTOM^HEAD"));
  g_assert_nonnull (strstr (dump, "Cobb angle"));
  g_assert_nonnull (strstr (dump, "nodule"));

  /* The values, as the measurements compute them. */
  assert_value (dump, fen_mpr_measure_length_mm (&f->measures[0]), "mm");
  assert_value (dump, fen_mpr_measure_angle_deg (&f->measures[4]), "deg");
  assert_value (dump, fen_mpr_measure_angle_deg (&f->measures[5]), "deg");
  for (guint i = 1; i <= 3; i++)
    {
      assert_value (dump, f->stats[i].area_mm2, "mm2");
      assert_value (dump, f->stats[i].mean, "[hnsf'U]");
      assert_value (dump, f->stats[i].sd, "[hnsf'U]");
      assert_value (dump, f->stats[i].min, "[hnsf'U]");
      assert_value (dump, f->stats[i].max, "[hnsf'U]");
    }

  /* The regions, in patient mm, as the measurements' points; the shapes'
   * other points computed here from the plane's directions. */
  double got[3 * (FEN_MPR_MEASURE_MAX_POINTS + 1)];
  const FenMprMeasure *m = f->measures;
  guint n;
  double want[6][3];

  n = parse_scoord3d (dump, 0, "POLYLINE", got, G_N_ELEMENTS (got));
  assert_points (got, n, m[0].points, 2);

  {
    const FenMprMeasure *e = &m[1];
    double d[3], u, v;
    for (int k = 0; k < 3; k++)
      d[k] = e->points[1][k] - e->points[0][k];
    u = fabs (fen_vec3_dot (d, e->frame.right)), v = fabs (fen_vec3_dot (d, e->frame.down));
    g_assert_cmpfloat (u, >, v); /* the major axis along right */
    offset (e->points[0], &e->frame, -u, 0, want[0]);
    offset (e->points[0], &e->frame, u, 0, want[1]);
    offset (e->points[0], &e->frame, 0, -v, want[2]);
    offset (e->points[0], &e->frame, 0, v, want[3]);
    n = parse_scoord3d (dump, 1, "ELLIPSE", got, G_N_ELEMENTS (got));
    assert_points (got, n, want, 4);
  }
  {
    const FenMprMeasure *r = &m[2];
    double d[3], u, v;
    for (int k = 0; k < 3; k++)
      d[k] = r->points[1][k] - r->points[0][k];
    u = fen_vec3_dot (d, r->frame.right), v = fen_vec3_dot (d, r->frame.down);
    offset (r->points[0], &r->frame, 0, 0, want[0]);
    offset (r->points[0], &r->frame, u, 0, want[1]);
    memcpy (want[2], r->points[1], sizeof want[2]);
    offset (r->points[0], &r->frame, 0, v, want[3]);
    memcpy (want[4], r->points[0], sizeof want[4]);
    n = parse_scoord3d (dump, 2, "POLYGON", got, G_N_ELEMENTS (got));
    assert_points (got, n, want, 5);
  }
  for (guint i = 0; i < 4; i++)
    memcpy (want[i], m[3].points[i], sizeof want[i]);
  memcpy (want[4], m[3].points[0], sizeof want[4]);
  n = parse_scoord3d (dump, 3, "POLYGON", got, G_N_ELEMENTS (got));
  assert_points (got, n, want, 5);
  n = parse_scoord3d (dump, 4, "POLYLINE", got, G_N_ELEMENTS (got));
  assert_points (got, n, m[4].points, 3);
  n = parse_scoord3d (dump, 5, "POLYLINE", got, G_N_ELEMENTS (got));
  assert_points (got, n, m[5].points, 4);
  n = parse_scoord3d (dump, 6, "POINT", got, G_N_ELEMENTS (got));
  assert_points (got, n, &m[6].points[1], 1);
  n = parse_scoord3d (dump, 7, "POLYLINE", got, G_N_ELEMENTS (got));
  assert_points (got, n, m[7].points, 2);
  assert_value (dump, fen_mpr_measure_length_mm (&m[7]), "mm");
  g_assert_cmpfloat (fabs (fen_mpr_measure_length_mm (&m[7]) - hypot (33.3, 12.1)), <, 1e-9);

  /* Each region in the series' Frame of Reference (PS3.3 C.18.9.1.3). */
  const char *tags[] = { "dcmdump", "+P", "3006,0024", "+P", "0020,0052", sr, NULL };
  g_autofree char *uids = fen_test_spawn (tags, TRUE);
  guint refs = 0;
  for (const char *at = uids; (at = strstr (at, "[2.25.177460921730466925133052313406.4]")) != NULL; at++)
    refs++;
  g_test_message ("%s", uids);
  g_assert_cmpuint (refs, ==, N_MEASURES);
}

/* Hostile and empty input: a GError, never a crash, and the old file left. */
static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autofree char *sr = g_build_filename (f->dir, "planes.dcm", NULL);
  g_autofree char *text = g_build_filename (f->dir, "not-dicom.dcm", NULL);
  g_autofree char *old = NULL;
  gsize old_len = 0;
  GError *error = NULL;

  make_measures (f);
  g_assert_true (fen_sr_mpr_write (f->source, f->measures, f->stats, N_MEASURES, sr, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (sr, &old, &old_len, NULL));

  /* None. */
  g_assert_false (fen_sr_mpr_write (f->source, f->measures, f->stats, 0, sr, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* Malformed: too many points, an unknown kind, NaN, a text without NUL. */
  FenMprMeasure *bad = g_new (FenMprMeasure, 1);
  for (guint t = 0; t < 4; t++)
    {
      *bad = f->measures[t == 3 ? 6 : 0];
      if (t == 0)
        bad->n_points = FEN_MPR_MEASURE_MAX_POINTS + 7;
      else if (t == 1)
        bad->kind = (FenMprMeasureKind) 99;
      else if (t == 2)
        bad->points[1][2] = NAN;
      else
        memset (bad->text, 'x', sizeof bad->text);
      g_assert_false (fen_sr_mpr_write (f->source, bad, NULL, 1, sr, &error));
      g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
      g_clear_error (&error);
    }
  g_free (bad);

  /* A source that is not DICOM, one that does not exist. */
  g_assert_true (g_file_set_contents (text, "not a DICOM file\n", -1, NULL));
  g_assert_false (fen_sr_mpr_write (text, f->measures, f->stats, N_MEASURES, sr, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (fen_sr_mpr_write ("/nonexistent/ct.dcm", f->measures, f->stats, N_MEASURES, sr, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A source without a Frame of Reference UID: SCOORD3D needs one. */
  g_autofree char *nofor = g_build_filename (f->dir, "no-for.dcm", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (f->source, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (nofor, bytes, (gssize) len, NULL));
  const char *strip[] = { "dcmodify", "-nb", "-ea", "(0020,0052)", nofor, NULL };
  g_free (fen_test_spawn (strip, TRUE));
  g_assert_false (fen_sr_mpr_write (nofor, f->measures, f->stats, N_MEASURES, sr, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);

  /* A write that fails (the target's folder is gone): the error, nothing written. */
  g_autofree char *gone = g_build_filename (f->dir, "gone", "planes.dcm", NULL);
  g_assert_false (fen_sr_mpr_write (f->source, f->measures, f->stats, N_MEASURES, gone, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Through all of it, the old report is byte for byte as it was, and no
   * temporary file is left beside it. */
  g_autofree char *now = NULL;
  gsize now_len = 0;
  g_assert_true (g_file_get_contents (sr, &now, &now_len, NULL));
  g_assert_cmpmem (now, now_len, old, old_len);
  GDir *d = g_dir_open (f->dir, 0, NULL);
  const char *entry;
  while ((entry = g_dir_read_name (d)) != NULL)
    g_assert_false (g_str_has_prefix (entry, "planes.dcm."));
  g_dir_close (d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
  g_test_add ("/sr/mpr/validates-and-reads-back", Fixture, NULL, fixture_set_up, test_report, fixture_tear_down);
  g_test_add ("/sr/mpr/refusals", Fixture, NULL, fixture_set_up, test_refusals, fixture_tear_down);
  return g_test_run ();
}
