/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-mpr-measure.c: measurements on reformatted planes
 * (fen-mpr-measure.h) on a generated CT stack with a cube of known value:
 * distances in mm along an axis and on an oblique plane, which planes show
 * a measurement, and region statistics on axial, coronal, sagittal and
 * oblique planes against a per-voxel reference (each voxel of the native
 * plane whose centre is inside the shape, by fen_roi_contains()). */
#include <fenestra/fenestra.h>

#include <math.h>
#include <string.h>

/* 40 columns x 30 rows x 21 slices; 0.8 mm between rows, 0.6 between
 * columns, 1.5 between slices: every direction has its own step. */
#define W 40
#define H 30
#define N 21
static const double row_spacing = 0.8, col_spacing = 0.6, slice_spacing = 1.5;
static const double origin[3] = { -12.0, 5.0, -30.0 };
/* The cube: columns 10..19, rows 8..17, slices 5..12, stored 1500 (476 HU
 * through the intercept -1024); elsewhere 1024 + (column + row + slice) % 7
 * (0..6 HU), so that a region straddling the cube has a spread. */
#define CUBE_STORED 1500
#define CUBE_HU     476.0
static const guint cube_lo[3] = { 10, 8, 5 }, cube_hi[3] = { 19, 17, 12 };

static guint16
stored_at (guint c, guint r, guint k)
{
  if (c >= cube_lo[0] && c <= cube_hi[0] && r >= cube_lo[1] && r <= cube_hi[1] && k >= cube_lo[2] && k <= cube_hi[2])
    return CUBE_STORED;
  return (guint16) (1024 + (c + r + k) % 7);
}

static void
voxel_centre (double c, double r, double k, double p[3])
{
  /* PS3.3 C.7.6.2.1.1: axial slices, rows along +x, columns along +y. */
  p[0] = origin[0] + c * col_spacing;
  p[1] = origin[1] + r * row_spacing;
  p[2] = origin[2] + k * slice_spacing;
}

static FenVolume *
make_volume (void)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);
  g_autoptr(GError) error = NULL;
  FenVolume *volume;

  for (guint k = 0; k < N; k++)
    {
      FenImageInfo info;
      FenImage *image;
      guint16 *pixels;

      fen_image_info_init (&info);
      info.rows = H;
      info.columns = W;
      info.frames = 1;
      info.samples_per_pixel = 1;
      info.bits_allocated = 16;
      info.bits_stored = 12;
      info.high_bit = 11;
      info.photometric = FEN_PHOTOMETRIC_MONOCHROME2;
      info.rescale_slope = 1;
      info.rescale_intercept = -1024;
      info.modality = g_strdup ("CT");
      info.pixel_spacing[0] = row_spacing;
      info.pixel_spacing[1] = col_spacing;
      info.has_orientation = info.has_position = TRUE;
      info.image_orientation[0] = 1;
      info.image_orientation[4] = 1;
      voxel_centre (0, 0, k, info.image_position);
      image = fen_image_new (&info, 0, &error);
      g_assert_no_error (error);
      fen_image_info_clear (&info);
      pixels = fen_image_get_pixels_mutable (image);
      for (guint r = 0; r < H; r++)
        for (guint c = 0; c < W; c++)
          pixels[r * W + c] = stored_at (c, r, k);
      g_ptr_array_add (images, image);
    }
  volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, &error);
  g_assert_no_error (error);
  return volume;
}

static void
make_planes (FenMprPlanes *planes, const FenVolume *volume)
{
  fen_mpr_planes_init (planes, volume);
  for (guint p = 0; p < FEN_MPR_N_PLANES; p++)
    fen_mpr_planes_set_size (planes, p, 400, 300);
}

/* The statistics of the voxels of a native plane (@axis fixed at @index:
 * 0 a column, 1 a row, 2 a slice) whose centres, in mm on @frame, are
 * inside @m's shape: the reference, computed voxel by voxel. Each voxel's
 * value is the projection (@slab) of the voxels @reach native planes either
 * side of @index along @axis (those in the volume), an average rounded to
 * the nearest stored value (FenSlabMode); with @reach 0 (and
 * FEN_SLAB_NONE), its own. */
static void
reference_slab_stats (const FenMprMeasure *m, guint axis, guint index, guint reach, FenSlabMode slab, guint64 *n,
                      double *mean, double *min, double *max)
{
  const double u0 = fen_vec3_dot (m->points[0], m->frame.right), v0 = fen_vec3_dot (m->points[0], m->frame.down);
  const double u1 = fen_vec3_dot (m->points[1], m->frame.right), v1 = fen_vec3_dot (m->points[1], m->frame.down);
  FenRoi roi = { 0 };
  const guint size[3] = { W, H, N };
  double sum = 0;

  g_autofree double *uv = g_new (double, 2 * m->n_points);

  roi.x = u0;
  roi.y = v0;
  if (m->kind == FEN_MPR_MEASURE_POLYGON)
    {
      for (guint p = 0; p < m->n_points; p++)
        uv[2 * p] = fen_vec3_dot (m->points[p], m->frame.right), uv[2 * p + 1] = fen_vec3_dot (m->points[p], m->frame.down);
      roi.kind = FEN_ROI_POLYGON, roi.points = uv, roi.n_points = m->n_points;
    }
  else if (m->kind == FEN_MPR_MEASURE_ELLIPSE)
    roi.kind = FEN_ROI_ELLIPSE, roi.rx = fabs (u1 - u0), roi.ry = fabs (v1 - v0);
  else
    roi.kind = FEN_ROI_RECTANGLE, roi.w = u1 - u0, roi.h = v1 - v0;
  *n = 0;
  *min = G_MAXDOUBLE;
  *max = -G_MAXDOUBLE;
  for (guint a = 0; a < size[(axis + 1) % 3]; a++)
    for (guint b = 0; b < size[(axis + 2) % 3]; b++)
      {
        guint idx[3];
        double p[3], hu, acc = 0, lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, stored;
        guint count = 0;

        idx[axis] = index;
        idx[(axis + 1) % 3] = a;
        idx[(axis + 2) % 3] = b;
        voxel_centre (idx[0], idx[1], idx[2], p);
        if (!fen_roi_contains (&roi, fen_vec3_dot (p, m->frame.right), fen_vec3_dot (p, m->frame.down)))
          continue;
        for (int d = -(int) reach; d <= (int) reach; d++)
          {
            guint at[3] = { idx[0], idx[1], idx[2] };
            double v;

            if ((int) index + d < 0 || (int) index + d >= (int) size[axis])
              continue;
            at[axis] = (guint) ((int) index + d);
            v = stored_at (at[0], at[1], at[2]);
            acc += v;
            lo = MIN (lo, v);
            hi = MAX (hi, v);
            count++;
          }
        stored = slab == FEN_SLAB_MIP ? hi : slab == FEN_SLAB_MINIP ? lo : floor (acc / count + 0.5);
        hu = stored - 1024.0;
        (*n)++;
        sum += hu;
        *min = MIN (*min, hu);
        *max = MAX (*max, hu);
      }
  *mean = *n > 0 ? sum / *n : NAN;
}

/* Asserts that @stats holds the reference's count and mean (and with
 * @extremes its min and max) for @m on the native plane @axis, @index,
 * projected as reference_slab_stats() says. Returns the reference's count. */
static guint64
assert_reference (const FenRoiStats *stats, const FenMprMeasure *m, guint axis, guint index, guint reach,
                  FenSlabMode slab, gboolean extremes)
{
  double mean, min, max;
  guint64 n;

  reference_slab_stats (m, axis, index, reach, slab, &n, &mean, &min, &max);
  g_assert_cmpuint (stats->n, ==, n);
  g_assert_cmpfloat_with_epsilon (stats->mean, mean, 1e-9);
  if (extremes)
    {
      g_assert_cmpfloat (stats->min, ==, min);
      g_assert_cmpfloat (stats->max, ==, max);
    }
  return n;
}

/* What a case works on: the volume, its planes (panes of 400 x 300) and,
 * for region statistics, a renderer of @threads workers (none for 0). */
typedef struct {
  /* Owned */
  FenVolume    *volume;
  FenRenderer  *renderer;
  FenMprPlanes  planes;
} Fixture;

static void
fixture_init (Fixture *f, guint threads)
{
  f->volume = make_volume ();
  make_planes (&f->planes, f->volume);
  f->renderer = threads > 0 ? fen_renderer_new (threads, 64) : NULL;
}

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->renderer, fen_renderer_free);
  g_clear_pointer (&f->volume, fen_volume_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_clear)

/* measure_voxels: @m of @kind on @frame between the centres of voxels @va
 * and @vb (column, row, slice; fractional), whose patient points go to @a
 * and @b. */
static void
measure_voxels (FenMprMeasure *m, FenMprMeasureKind kind, const FenMprFrame *frame, const double va[3],
                const double vb[3], double a[3], double b[3])
{
  voxel_centre (va[0], va[1], va[2], a);
  voxel_centre (vb[0], vb[1], vb[2], b);
  fen_mpr_measure_init (m, kind, frame, a, b);
}

/* Distances ---------------------------------------------------------------- */

static void
test_distance_axis (void)
{
  g_auto(Fixture) f = { 0 };
  FenMprMeasure m;
  double a[3], b[3];

  fixture_init (&f, 0);
  /* Along x on the coronal plane: 9 columns; along z: 7 slices. */
  voxel_centre (10, 12, 5, a);
  voxel_centre (19, 12, 5, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, &f.planes.frames[FEN_MPR_PLANE_CORONAL], a, b);
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&m), 9 * col_spacing, 1e-12);
  voxel_centre (10, 12, 12, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, &f.planes.frames[FEN_MPR_PLANE_CORONAL], a, b);
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&m), 7 * slice_spacing, 1e-12);
  /* Along y on the sagittal plane: 9 rows. */
  voxel_centre (10, 21, 5, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, &f.planes.frames[FEN_MPR_PLANE_SAGITTAL], a, b);
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&m), 9 * row_spacing, 1e-12);
}

static void
test_distance_oblique (void)
{
  g_auto(Fixture) f = { 0 };
  const FenMprFrame *frame;
  FenMprMeasure m;
  double a[3], b[3], off[3], zoom;

  fixture_init (&f, 0);
  /* Turn the crosshair in the axial pane by 30 degrees: the coronal plane
   * is oblique, its right (cos 30, sin 30, 0) up to sign. */
  fen_mpr_planes_rotate (&f.planes, FEN_MPR_PLANE_AXIAL, G_PI / 6);
  frame = &f.planes.frames[FEN_MPR_PLANE_CORONAL];
  g_assert_cmpfloat_with_epsilon (fabs (frame->right[0]), cos (G_PI / 6), 1e-9);
  g_assert_cmpfloat_with_epsilon (fabs (frame->right[1]), sin (G_PI / 6), 1e-9);
  zoom = f.planes.views[FEN_MPR_PLANE_CORONAL].zoom;
  /* 30 by 40 screen pixels apart: 50 pixels, 50 / zoom mm on the plane. */
  fen_mpr_planes_to_patient (&f.planes, FEN_MPR_PLANE_CORONAL, 100, 80, a);
  fen_mpr_planes_to_patient (&f.planes, FEN_MPR_PLANE_CORONAL, 130, 120, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, frame, a, b);
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&m), 50.0 / zoom, 1e-9);
  /* The same from explicit patient points: 12 mm along the turned right,
   * 5 mm down; a second point 2 mm off the plane is projected onto it. */
  for (int k = 0; k < 3; k++)
    {
      b[k] = a[k] + 12.0 * frame->right[k] + 5.0 * frame->down[k];
      off[k] = b[k] + 2.0 * frame->normal[k];
    }
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, frame, a, off);
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&m), 13.0, 1e-9);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat_with_epsilon (m.points[1][k], b[k], 1e-9);
}

/* The angle between @a - @v and @b - @v in 3D, degrees: the reference. */
static double
angle_3d (const double a[3], const double v[3], const double b[3])
{
  double x[3], y[3];

  for (int k = 0; k < 3; k++)
    x[k] = a[k] - v[k], y[k] = b[k] - v[k];
  return acos (fen_vec3_dot (x, y) / sqrt (fen_vec3_dot (x, x) * fen_vec3_dot (y, y))) * 180.0 / G_PI;
}

static void
test_angles (void)
{
  g_auto(Fixture) f = { 0 };
  const FenMprFrame *frame;
  FenMprMeasure m;
  double p[4][3], off[3];

  fixture_init (&f, 0);
  /* On the coronal plane turned 30 degrees (oblique): a vertex and two arms
   * along the plane's own directions at known angles. */
  fen_mpr_planes_rotate (&f.planes, FEN_MPR_PLANE_AXIAL, G_PI / 6);
  frame = &f.planes.frames[FEN_MPR_PLANE_CORONAL];
  voxel_centre (14, 12, 8, p[1]);
  for (int k = 0; k < 3; k++)
    {
      /* 10 mm along right; 4 mm right and 4 mm down (45 degrees). */
      p[0][k] = p[1][k] + 10 * frame->right[k];
      p[2][k] = p[1][k] + 4 * frame->right[k] + 4 * frame->down[k];
    }
  g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_ANGLE, frame, &p[0][0], 3));
  g_assert_cmpuint (m.n_points, ==, 3);
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (&m), 45.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (&m), angle_3d (p[0], p[1], p[2]), 1e-9);
  /* A point off the plane is projected onto it: the angle on the plane. */
  for (int k = 0; k < 3; k++)
    off[k] = p[2][k] + 3 * frame->normal[k];
  memcpy (p[2], off, sizeof off);
  g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_ANGLE, frame, &p[0][0], 3));
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (&m), 45.0, 1e-9);
  g_assert_true (fen_mpr_measure_is_on_plane (&m, frame, p[1], 1e-9));
  /* A measurement shown by one plane only: the axial one does not. */
  g_assert_false (fen_mpr_measure_is_on_plane (&m, &f.planes.frames[FEN_MPR_PLANE_AXIAL], p[1], 10));
  /* Obtuse: 10 mm right, then 3 left and 3 up: 135 degrees. */
  for (int k = 0; k < 3; k++)
    p[2][k] = p[1][k] - 3 * frame->right[k] - 3 * frame->down[k];
  g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_ANGLE, frame, &p[0][0], 3));
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (&m), 135.0, 1e-9);

  /* Cobb on the sagittal plane: two lines at 30 degrees, then the second
   * reversed (their directions do not matter), then crossing at 120: 60. */
  frame = &f.planes.frames[FEN_MPR_PLANE_SAGITTAL];
  voxel_centre (15, 5, 3, p[0]);
  for (int k = 0; k < 3; k++)
    {
      p[1][k] = p[0][k] + 12 * frame->right[k];
      p[2][k] = p[0][k] + 8 * frame->down[k];
      p[3][k] = p[2][k] + 10 * cos (G_PI / 6) * frame->right[k] + 10 * sin (G_PI / 6) * frame->down[k];
    }
  g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_COBB, frame, &p[0][0], 4));
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (&m), 30.0, 1e-9);
  memcpy (off, p[2], sizeof off);
  memcpy (p[2], p[3], sizeof off);
  memcpy (p[3], off, sizeof off);
  g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_COBB, frame, &p[0][0], 4));
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (&m), 30.0, 1e-9);
  for (int k = 0; k < 3; k++)
    p[3][k] = p[2][k] + 10 * cos (2 * G_PI / 3) * frame->right[k] + 10 * sin (2 * G_PI / 3) * frame->down[k];
  g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_COBB, frame, &p[0][0], 4));
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_angle_deg (&m), 60.0, 1e-9);

  /* The point counts are the kinds'; an angle has no length, no region. */
  g_assert_false (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_ANGLE, frame, &p[0][0], 4));
  g_assert_false (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_COBB, frame, &p[0][0], 3));
  g_assert_false (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_DISTANCE, frame, &p[0][0], 3));
  g_assert_true (isnan (fen_mpr_measure_angle_deg (&(FenMprMeasure) { .kind = FEN_MPR_MEASURE_DISTANCE })));
  /* A line without length has no angle. */
  memcpy (p[1], p[0], sizeof off);
  g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_ANGLE, frame, &p[0][0], 3));
  g_assert_true (isnan (fen_mpr_measure_angle_deg (&m)));
}

/* A freehand outline (a concave pentagon across the cube's corner) on the
 * axial and the coronal plane, against the per-voxel reference; and with
 * a MIP slab. */
static void
test_stats_polygon (void)
{
  static const double axial[][3] = {
    { 6.3, 4.2, 8 }, { 16.7, 5.1, 8 }, { 12.2, 11.4, 8 }, { 24.6, 20.3, 8 }, { 8.1, 22.8, 8 },
  };
  static const double coronal[][3] = {
    { 4.4, 12, 2.3 }, { 21.5, 12, 3.1 }, { 13.2, 12, 8.6 }, { 22.9, 12, 15.4 }, { 6.6, 12, 17.7 },
  };
  g_auto(Fixture) f = { 0 };
  FenMprMeasure m;
  FenRoiStats stats;
  double pts[5 * 3];
  guint64 n;

  fixture_init (&f, 2);
  for (guint c = 0; c < 2; c++)
    {
      const double (*v)[3] = c == 0 ? axial : coronal;

      for (guint p = 0; p < 5; p++)
        voxel_centre (v[p][0], v[p][1], v[p][2], pts + 3 * p);
      g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_POLYGON,
                                                  &f.planes.frames[c == 0 ? FEN_MPR_PLANE_AXIAL : FEN_MPR_PLANE_CORONAL],
                                                  pts, 5));
      g_assert_cmpuint (m.n_points, ==, 5);
      g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, NULL));
      n = assert_reference (&stats, &m, c == 0 ? 2 : 1, c == 0 ? 8 : 12, 0, FEN_SLAB_NONE, TRUE);
      g_assert_cmpuint (n, >, 20);
      /* Across the cube's edge: both its value and the background. */
      g_assert_cmpfloat (stats.max, ==, CUBE_HU);
      g_assert_cmpfloat (stats.min, <, 10);
      /* MIP over 4 mm (a slice either side on the axial plane, two rows on
       * the coronal one). */
      g_assert_true (fen_mpr_measure_stats_slab (&m, f.volume, f.renderer, FEN_SLAB_MIP, 4.0, &stats, NULL));
      assert_reference (&stats, &m, c == 0 ? 2 : 1, c == 0 ? 8 : 12, c == 0 ? 1 : 2, FEN_SLAB_MIP, FALSE);
    }
  /* The vertex counts: 3 at least, FEN_MPR_MEASURE_MAX_POINTS at most. */
  g_assert_false (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_POLYGON, &f.planes.frames[0], pts, 2));
  {
    g_autofree double *many = g_new0 (double, 3 * (FEN_MPR_MEASURE_MAX_POINTS + 1));

    g_assert_true (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_POLYGON, &f.planes.frames[0], many,
                                                FEN_MPR_MEASURE_MAX_POINTS));
    g_assert_false (fen_mpr_measure_init_points (&m, FEN_MPR_MEASURE_POLYGON, &f.planes.frames[0], many,
                                                 FEN_MPR_MEASURE_MAX_POINTS + 1));
  }
}

/* An arrow's text: UTF-8 only, cut at a character's start. */
static void
test_arrow_text (void)
{
  FenMprMeasure m = { 0 };
  GString *long_text = g_string_new (NULL);
  double a[3], b[3];
  g_auto(Fixture) f = { 0 };

  fixture_init (&f, 0);
  voxel_centre (3, 4, 5, a);
  voxel_centre (9, 4, 5, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_ARROW, &f.planes.frames[FEN_MPR_PLANE_AXIAL], a, b);
  g_assert_cmpuint (m.n_points, ==, 2);
  g_assert_cmpstr (m.text, ==, "");
  g_assert_true (fen_mpr_measure_set_text (&m, "lésion \"B\", 12\u00a0mm \u2192"));
  g_assert_cmpstr (m.text, ==, "lésion \"B\", 12\u00a0mm \u2192");
  g_assert_false (fen_mpr_measure_set_text (&m, "bad \xff byte"));
  g_assert_cmpstr (m.text, ==, "lésion \"B\", 12\u00a0mm \u2192");
  /* 100 two-byte characters: the 63 that fit in 127 bytes stay whole. */
  for (guint i = 0; i < 100; i++)
    g_string_append (long_text, "é");
  g_assert_true (fen_mpr_measure_set_text (&m, long_text->str));
  g_assert_cmpuint (strlen (m.text), ==, 126);
  g_assert_true (g_utf8_validate (m.text, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (m.text, -1), ==, 63);
  g_string_free (long_text, TRUE);
  /* An arrow is neither a length nor an angle nor a region. */
  g_assert_true (isnan (fen_mpr_measure_angle_deg (&m)));
  {
    FenRenderer *renderer = fen_renderer_new (1, 16);
    FenRoiStats stats;

    g_assert_false (fen_mpr_measure_stats (&m, f.volume, renderer, &stats, NULL));
    fen_renderer_free (renderer);
  }
}

/* Which planes show it ------------------------------------------------------ */

static void
test_on_plane (void)
{
  g_auto(Fixture) f = { 0 };
  FenMprMeasure m;
  double a[3], b[3], p[3];
  const FenMprFrame *coronal;

  fixture_init (&f, 0);
  coronal = &f.planes.frames[FEN_MPR_PLANE_CORONAL];
  voxel_centre (10, 12, 5, a);
  voxel_centre (19, 12, 9, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, coronal, a, b);
  /* Half a row (0.4 mm) is the pane's tolerance: row 12 shows it, and a
   * plane 0.3 mm off; row 13 (0.8 mm) does not, nor do the other planes. */
  voxel_centre (3, 12, 0, p);
  g_assert_true (fen_mpr_measure_is_on_plane (&m, coronal, p, row_spacing / 2));
  p[1] += 0.3;
  g_assert_true (fen_mpr_measure_is_on_plane (&m, coronal, p, row_spacing / 2));
  voxel_centre (3, 13, 0, p);
  g_assert_false (fen_mpr_measure_is_on_plane (&m, coronal, p, row_spacing / 2));
  voxel_centre (10, 12, 5, p);
  g_assert_false (fen_mpr_measure_is_on_plane (&m, &f.planes.frames[FEN_MPR_PLANE_AXIAL], p, 10));
  g_assert_false (fen_mpr_measure_is_on_plane (&m, &f.planes.frames[FEN_MPR_PLANE_SAGITTAL], p, 10));
  /* Moved in place (its own frame and point passed back): the same plane. */
  voxel_centre (15, 12, 7, b);
  fen_mpr_measure_init (&m, m.kind, &m.frame, m.points[0], b);
  voxel_centre (3, 12, 0, p);
  g_assert_true (fen_mpr_measure_is_on_plane (&m, coronal, p, row_spacing / 2));
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&m), hypot (5 * col_spacing, 2 * slice_spacing), 1e-12);
}

/* Region statistics --------------------------------------------------------- */

typedef struct {
  const char       *path;
  FenMprPlane       plane;
  FenMprMeasureKind kind;
  guint             axis, index;  /* the native plane: column, row or slice */
  double            a[3], b[3];   /* voxel indices (column, row, slice), fractional */
  gboolean          inside;       /* wholly inside the cube */
} StatsCase;

static const StatsCase stats_cases[] = {
  { "/mpr-measure/stats/axial/rectangle-inside", FEN_MPR_PLANE_AXIAL, FEN_MPR_MEASURE_RECTANGLE, 2, 8,
    { 11.2, 9.3, 8 }, { 17.7, 16.1, 8 }, TRUE },
  { "/mpr-measure/stats/axial/ellipse-across", FEN_MPR_PLANE_AXIAL, FEN_MPR_MEASURE_ELLIPSE, 2, 8,
    { 19.0, 12.4, 8 }, { 26.3, 19.9, 8 }, FALSE },
  { "/mpr-measure/stats/coronal/ellipse-inside", FEN_MPR_PLANE_CORONAL, FEN_MPR_MEASURE_ELLIPSE, 1, 12,
    { 14.5, 12, 8.5 }, { 18.4, 12, 11.6 }, TRUE },
  { "/mpr-measure/stats/coronal/rectangle-across", FEN_MPR_PLANE_CORONAL, FEN_MPR_MEASURE_RECTANGLE, 1, 12,
    { 3.3, 12, 2.2 }, { 15.6, 12, 9.9 }, FALSE },
  { "/mpr-measure/stats/sagittal/ellipse-across", FEN_MPR_PLANE_SAGITTAL, FEN_MPR_MEASURE_ELLIPSE, 0, 15,
    { 15, 17.0, 12.0 }, { 15, 23.7, 16.2 }, FALSE },
  { "/mpr-measure/stats/sagittal/rectangle-edge", FEN_MPR_PLANE_SAGITTAL, FEN_MPR_MEASURE_RECTANGLE, 0, 15,
    { 15, 0, 0 }, { 15, 29, 20 }, FALSE },
};

static void
test_stats (gconstpointer data)
{
  const StatsCase *t = data;
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  FenMprMeasure m;
  FenRoiStats stats;
  double a[3], b[3], su, sv, analytic;

  fixture_init (&f, 2);
  measure_voxels (&m, t->kind, &f.planes.frames[t->plane], t->a, t->b, a, b);
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_reference (&stats, &m, t->axis, t->index, 0, FEN_SLAB_NONE, TRUE), >, 0);
  g_assert_cmpstr (stats.unit, ==, "HU");
  if (t->inside)
    {
      g_assert_cmpfloat (stats.mean, ==, CUBE_HU);
      g_assert_cmpfloat (stats.min, ==, CUBE_HU);
      g_assert_cmpfloat (stats.max, ==, CUBE_HU);
      g_assert_cmpfloat (stats.sd, ==, 0.0);
    }
  else
    g_assert_cmpfloat (stats.sd, >, 0.0);
  /* The area: the shape's, in mm on the plane, within one grid pixel. */
  su = fen_volume_get_spacing_along (f.volume, m.frame.right);
  sv = fen_volume_get_spacing_along (f.volume, m.frame.down);
  {
    const double du = fabs (fen_vec3_dot (b, m.frame.right) - fen_vec3_dot (a, m.frame.right));
    const double dv = fabs (fen_vec3_dot (b, m.frame.down) - fen_vec3_dot (a, m.frame.down));

    analytic = t->kind == FEN_MPR_MEASURE_ELLIPSE ? G_PI * du * dv : du * dv;
  }
  g_assert_cmpfloat (fabs (stats.area_mm2 - analytic), <=, su * sv);
  g_assert_cmpfloat_with_epsilon (stats.area_px * su * sv, stats.area_mm2, 1e-9);
}

/* A plane between two native ones (0.3 of a slice off) samples the nearest
 * voxels: the same as the native plane's reference. */
static void
test_stats_between (void)
{
  g_auto(Fixture) f = { 0 };
  FenMprMeasure m;
  FenRoiStats stats;
  double a[3], b[3];

  fixture_init (&f, 1);
  voxel_centre (17.0, 11.0, 8.3, a);
  voxel_centre (23.0, 14.5, 8.3, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_ELLIPSE, &f.planes.frames[FEN_MPR_PLANE_AXIAL], a, b);
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, NULL));
  assert_reference (&stats, &m, 2, 8, 0, FEN_SLAB_NONE, TRUE);
}

/* On an oblique plane through the cube's middle, a region well inside the
 * cube reads the cube's value exactly. */
static void
test_stats_oblique (void)
{
  g_auto(Fixture) f = { 0 };
  const FenMprFrame *frame;
  FenMprMeasure m;
  FenRoiStats stats;
  double c[3], b[3];

  fixture_init (&f, 2);
  voxel_centre (14.5, 12.5, 8.5, c);
  memcpy (f.planes.center, c, sizeof c);
  fen_mpr_planes_rotate (&f.planes, FEN_MPR_PLANE_AXIAL, G_PI / 6);
  frame = &f.planes.frames[FEN_MPR_PLANE_CORONAL];
  g_assert_cmpfloat (fabs (frame->right[1]), >, 0.4);
  /* The cube is 6 x 8 x 12 mm: an ellipse of 1.5 x 3 mm radii inside it. */
  for (int k = 0; k < 3; k++)
    b[k] = c[k] + 1.5 * frame->right[k] + 3.0 * frame->down[k];
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_ELLIPSE, frame, c, b);
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, NULL));
  g_assert_cmpuint (stats.n, >, 10);
  g_assert_cmpfloat (stats.mean, ==, CUBE_HU);
  g_assert_cmpfloat (stats.min, ==, CUBE_HU);
  g_assert_cmpfloat (stats.max, ==, CUBE_HU);
  g_assert_cmpfloat (fabs (stats.area_mm2 - G_PI * 4.5), <=, 1e-9);
  /* A larger one reaches tissue beyond the cube. */
  for (int k = 0; k < 3; k++)
    b[k] = c[k] + 9.0 * frame->right[k] + 3.0 * frame->down[k];
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_ELLIPSE, frame, c, b);
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, NULL));
  g_assert_cmpfloat (stats.max, ==, CUBE_HU);
  g_assert_cmpfloat (stats.min, <=, 6.0);
}

static void
test_stats_errors (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  FenMprMeasure m;
  FenRoiStats stats;
  double a[3], b[3];

  fixture_init (&f, 1);
  voxel_centre (10, 12, 5, a);
  voxel_centre (19, 12, 5, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, &f.planes.frames[FEN_MPR_PLANE_CORONAL], a, b);
  g_assert_false (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  /* A flat ellipse (no extent down) is no region. */
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_ELLIPSE, &f.planes.frames[FEN_MPR_PLANE_CORONAL], a, b);
  g_assert_false (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);
  /* Wholly outside the volume: no point, NaN statistics. */
  a[0] -= 100;
  voxel_centre (-50, 12, 9, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_RECTANGLE, &f.planes.frames[FEN_MPR_PLANE_CORONAL], a, b);
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &stats, &error));
  g_assert_cmpuint (stats.n, ==, 0);
  g_assert_true (isnan (stats.mean));
}

/* A rectangle drawn zoomed far out spans metres: only the part over the
 * volume is sampled (no allocation by the drawn size), and it reads what a
 * rectangle just covering the volume's slice reads. */
static void
test_stats_huge (void)
{
  g_auto(Fixture) f = { 0 };
  FenMprMeasure m;
  FenRoiStats huge, whole;
  double a[3], b[3];

  fixture_init (&f, 1);
  /* 200 m a side, on slice 8. */
  voxel_centre (-100000.0 / col_spacing, -100000.0 / row_spacing, 8, a);
  voxel_centre (100000.0 / col_spacing, 100000.0 / row_spacing, 8, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_RECTANGLE, &f.planes.frames[FEN_MPR_PLANE_AXIAL], a, b);
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &huge, NULL));
  voxel_centre (-0.5, -0.5, 8, a);
  voxel_centre (W - 0.5, H - 0.5, 8, b);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_RECTANGLE, &f.planes.frames[FEN_MPR_PLANE_AXIAL], a, b);
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &whole, NULL));
  g_assert_cmpuint (huge.n, ==, (guint64) W * H);
  g_assert_cmpuint (huge.n, ==, whole.n);
  g_assert_cmpfloat (huge.mean, ==, whole.mean);
  g_assert_cmpfloat (huge.min, ==, whole.min);
  g_assert_cmpfloat (huge.max, ==, CUBE_HU);
}

static void
test_describe_plane (void)
{
  const double c = cos (G_PI / 6), s = sin (G_PI / 6);
  FenMprFrame axial = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  FenMprFrame coronal = { { 1, 0, 0 }, { 0, 0, -1 }, { 0, 1, 0 } };
  FenMprFrame sagittal = { { 0, 1, 0 }, { 0, 0, -1 }, { -1, 0, 0 } };
  FenMprFrame oblique = { { c, s, 0 }, { 0, 0, -1 }, { 0 } };
  const double a[3] = { -80.25, -48.25, 39.5 }, b[3] = { -60.0, -30.0, 39.5 };
  FenMprMeasure m;
  char *text;

  fen_vec3_cross (oblique.right, oblique.down, oblique.normal);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, &axial, a, b);
  g_assert_cmpstr ((text = fen_mpr_measure_describe_plane (&m)), ==, "axial, z 39.5 mm");
  g_free (text);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_ELLIPSE, &coronal, a, b);
  g_assert_cmpstr ((text = fen_mpr_measure_describe_plane (&m)), ==, "coronal, y -48.2 mm");
  g_free (text);
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_RECTANGLE, &sagittal, a, b);
  g_assert_cmpstr ((text = fen_mpr_measure_describe_plane (&m)), ==, "sagittal, x -80.2 mm");
  g_free (text);
  /* Normal (-0.5, 0.866, 0): -80.25 * -0.5 - 48.25 * 0.866 = -1.66 mm. */
  fen_mpr_measure_init (&m, FEN_MPR_MEASURE_DISTANCE, &oblique, a, b);
  g_assert_cmpstr ((text = fen_mpr_measure_describe_plane (&m)), ==, "oblique, -1.7 mm along (-0.50, 0.87, 0.00)");
  g_free (text);
}

/* Region statistics on slabs: of the projected values. */
typedef struct {
  const char       *path;
  FenMprPlane       plane;
  FenMprMeasureKind kind;
  guint             axis, index, reach; /* native planes within half the slab, either side */
  FenSlabMode       slab;
  double            thickness;
  double            a[3], b[3];
} SlabCase;

/* Thicknesses chosen so that no native plane lies exactly half a slab
 * away: axial 4 mm over 1.5 mm slices takes 1 either side, coronal 4 mm
 * over 0.8 mm rows 2, sagittal 2 mm over 0.6 mm columns 1. */
static const SlabCase slab_cases[] = {
  { "/mpr-measure/stats/slab/axial-mip-past-the-cube", FEN_MPR_PLANE_AXIAL, FEN_MPR_MEASURE_RECTANGLE, 2, 13, 1,
    FEN_SLAB_MIP, 4.0, { 6.2, 4.3, 13 }, { 24.7, 21.1, 13 } },
  { "/mpr-measure/stats/slab/coronal-average-at-the-edge", FEN_MPR_PLANE_CORONAL, FEN_MPR_MEASURE_ELLIPSE, 1, 17, 2,
    FEN_SLAB_AVERAGE, 4.0, { 15.5, 17, 8.5 }, { 24.4, 17, 14.6 } },
  { "/mpr-measure/stats/slab/sagittal-minip-at-the-edge", FEN_MPR_PLANE_SAGITTAL, FEN_MPR_MEASURE_RECTANGLE, 0, 10, 1,
    FEN_SLAB_MINIP, 2.0, { 10, 5.3, 3.2 }, { 10, 20.6, 15.9 } },
  { "/mpr-measure/stats/slab/axial-average-first-slice", FEN_MPR_PLANE_AXIAL, FEN_MPR_MEASURE_ELLIPSE, 2, 0, 1,
    FEN_SLAB_AVERAGE, 4.0, { 14.0, 12.0, 0 }, { 30.5, 22.5, 0 } },
};

static void
test_stats_slab (gconstpointer data)
{
  const SlabCase *t = data;
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  FenMprMeasure m;
  FenRoiStats stats, plain;
  double a[3], b[3];

  fixture_init (&f, 3);
  measure_voxels (&m, t->kind, &f.planes.frames[t->plane], t->a, t->b, a, b);
  g_assert_true (fen_mpr_measure_stats_slab (&m, f.volume, f.renderer, t->slab, t->thickness, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_reference (&stats, &m, t->axis, t->index, t->reach, t->slab, TRUE), >, 0);
  g_assert_cmpstr (stats.unit, ==, "HU");
  /* The slab changes what is measured (the cube or the background's
   * spread on one side of it), the shape does not: the same samples, the
   * same area. */
  g_assert_true (fen_mpr_measure_stats (&m, f.volume, f.renderer, &plain, NULL));
  g_assert_cmpuint (plain.n, ==, stats.n);
  g_assert_cmpfloat (plain.area_mm2, ==, stats.area_mm2);
  g_assert_cmpfloat (fabs (plain.mean - stats.mean), >, 0.1);
  /* No slab is the plane's own values. */
  g_assert_true (fen_mpr_measure_stats_slab (&m, f.volume, f.renderer, FEN_SLAB_NONE, t->thickness, &stats, NULL));
  g_assert_cmpfloat (stats.mean, ==, plain.mean);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mpr-measure/distance/axis", test_distance_axis);
  g_test_add_func ("/mpr-measure/distance/oblique", test_distance_oblique);
  g_test_add_func ("/mpr-measure/on-plane", test_on_plane);
  g_test_add_func ("/mpr-measure/angles", test_angles);
  g_test_add_func ("/mpr-measure/stats/polygon", test_stats_polygon);
  g_test_add_func ("/mpr-measure/arrow-text", test_arrow_text);
  g_test_add_func ("/mpr-measure/describe-plane", test_describe_plane);
  for (guint i = 0; i < G_N_ELEMENTS (stats_cases); i++)
    g_test_add_data_func (stats_cases[i].path, &stats_cases[i], test_stats);
  for (guint i = 0; i < G_N_ELEMENTS (slab_cases); i++)
    g_test_add_data_func (slab_cases[i].path, &slab_cases[i], test_stats_slab);
  g_test_add_func ("/mpr-measure/stats/between-slices", test_stats_between);
  g_test_add_func ("/mpr-measure/stats/oblique", test_stats_oblique);
  g_test_add_func ("/mpr-measure/stats/errors", test_stats_errors);
  g_test_add_func ("/mpr-measure/stats/huge", test_stats_huge);
  return g_test_run ();
}
