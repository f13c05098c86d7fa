/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-measure.c: measurements on reformatted planes, in patient
 * coordinates; region statistics sampled from the slices where they are
 * (fen_renderer_reformat_values()) with fen-roi's rules. */
#define G_LOG_DOMAIN "fen-mpr-measure"

#include "fenestra/fen-measurement.h"
#include "fenestra/fen-mpr-measure.h"
#include "fenestra/fen-reformat.h"
#include "fen-roi-private.h"

#include <math.h>
#include <string.h>

/* Grid points within this of a shape's edge (grid steps) are tried. */
#define FEN_MPR_MEASURE_EPSILON 1e-9
/* Stored values are at most 16 bits: this marks a point outside the volume. */
#define FEN_MPR_MEASURE_OUTSIDE G_MININT32

guint
fen_mpr_measure_kind_n_points (FenMprMeasureKind kind)
{
  switch (kind)
    {
    case FEN_MPR_MEASURE_ANGLE: return 3;
    case FEN_MPR_MEASURE_COBB:  return 4;
    case FEN_MPR_MEASURE_POLYGON: return 3;
    case FEN_MPR_MEASURE_DISTANCE:
    case FEN_MPR_MEASURE_ELLIPSE:
    case FEN_MPR_MEASURE_RECTANGLE:
    default:                    return 2;
    }
}

gboolean
fen_mpr_measure_init_points (FenMprMeasure *m, FenMprMeasureKind kind, const FenMprFrame *frame,
                             const double *points, guint n_points)
{
  FenMprMeasure out = { 0 };

  g_return_val_if_fail (m != NULL && frame != NULL && points != NULL, FALSE);
  if ((guint) kind > FEN_MPR_MEASURE_ARROW ||
      (kind == FEN_MPR_MEASURE_POLYGON ? n_points < 3 || n_points > FEN_MPR_MEASURE_MAX_POINTS
                                       : n_points != fen_mpr_measure_kind_n_points (kind)))
    return FALSE;

  /* Built aside: @frame or @points may be @m's own. */
  out.kind = kind;
  out.frame = *frame;
  out.n_points = n_points;
  for (guint p = 0; p < n_points; p++)
    {
      double d[3], off;

      for (int k = 0; k < 3; k++)
        d[k] = points[3 * p + k] - points[k];
      off = fen_vec3_dot (d, frame->normal);
      for (int k = 0; k < 3; k++)
        out.points[p][k] = points[3 * p + k] - off * frame->normal[k];
    }
  *m = out;
  return TRUE;
}

void
fen_mpr_measure_init (FenMprMeasure *m, FenMprMeasureKind kind, const FenMprFrame *frame, const double a[3],
                      const double b[3])
{
  double points[6];

  g_return_if_fail (m != NULL && frame != NULL && a != NULL && b != NULL);
  g_return_if_fail (fen_mpr_measure_kind_n_points (kind) == 2);
  memcpy (points, a, 3 * sizeof (double));
  memcpy (points + 3, b, 3 * sizeof (double));
  fen_mpr_measure_init_points (m, kind, frame, points, 2);
}

gboolean
fen_mpr_measure_set_text (FenMprMeasure *m, const char *text)
{
  const char *cut;

  g_return_val_if_fail (m != NULL && text != NULL, FALSE);
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  cut = text + strlen (text);
  if (cut - text >= FEN_MPR_MEASURE_TEXT_MAX)
    {
      /* The last whole character that fits. */
      cut = text + FEN_MPR_MEASURE_TEXT_MAX - 1;
      while (cut > text && ((guchar) *cut & 0xc0) == 0x80)
        cut--;
    }
  memcpy (m->text, text, (gsize) (cut - text));
  m->text[cut - text] = '\0';
  return TRUE;
}

double
fen_mpr_measure_angle_deg (const FenMprMeasure *m)
{
  g_autoptr(FenMeasurement) flat = NULL;
  double uv[2 * FEN_MPR_MEASURE_MAX_POINTS];
  FenImageInfo info;
  double angle;

  g_return_val_if_fail (m != NULL, NAN);
  if (m->kind != FEN_MPR_MEASURE_ANGLE && m->kind != FEN_MPR_MEASURE_COBB)
    return NAN;
  /* The slices' rule on the points in mm on the plane (right, down): a
   * frame whose pixels are 1 mm square. */
  for (guint p = 0; p < m->n_points; p++)
    {
      uv[2 * p] = fen_vec3_dot (m->points[p], m->frame.right);
      uv[2 * p + 1] = fen_vec3_dot (m->points[p], m->frame.down);
    }
  flat = fen_measurement_new (m->kind == FEN_MPR_MEASURE_ANGLE ? FEN_MEASUREMENT_ANGLE : FEN_MEASUREMENT_COBB, 0, uv,
                              m->n_points, NULL, NULL);
  if (flat == NULL)
    return NAN;
  fen_image_info_init (&info);
  info.pixel_spacing[0] = info.pixel_spacing[1] = 1.0;
  angle = fen_measurement_angle_deg (flat, &info);
  fen_image_info_clear (&info);
  return angle;
}

double
fen_mpr_measure_length_mm (const FenMprMeasure *m)
{
  g_return_val_if_fail (m != NULL, NAN);

  /* PS3.3 C.7.6.2.1.1: the patient coordinate system is in mm, so a
   * length is the Euclidean norm of the points' difference. */
  return sqrt ((m->points[1][0] - m->points[0][0]) * (m->points[1][0] - m->points[0][0]) +
               (m->points[1][1] - m->points[0][1]) * (m->points[1][1] - m->points[0][1]) +
               (m->points[1][2] - m->points[0][2]) * (m->points[1][2] - m->points[0][2]));
}

gboolean
fen_mpr_measure_is_on_plane (const FenMprMeasure *m, const FenMprFrame *frame, const double point[3],
                             double tolerance)
{
  g_return_val_if_fail (m != NULL && frame != NULL && point != NULL, FALSE);

  if (fabs (fen_vec3_dot (m->frame.normal, frame->normal)) < 1.0 - 1e-6)
    return FALSE;
  for (guint p = 0; p < m->n_points; p++)
    {
      double d[3];

      for (int k = 0; k < 3; k++)
        d[k] = m->points[p][k] - point[k];
      if (fabs (fen_vec3_dot (d, frame->normal)) > tolerance)
        return FALSE;
    }
  return TRUE;
}

char *
fen_mpr_measure_describe_plane (const FenMprMeasure *m)
{
  static const char *const names[3] = { "sagittal", "coronal", "axial" };
  const double *n;
  guint axis = 0;

  g_return_val_if_fail (m != NULL, NULL);
  n = m->frame.normal;
  for (guint k = 1; k < 3; k++)
    if (fabs (n[k]) > fabs (n[axis]))
      axis = k;
  /* Facing a patient axis (as a pane's label says it): the coordinate it
   * fixes; else its distance along its normal from the origin. */
  if (fabs (n[axis]) > 0.99999)
    return g_strdup_printf ("%s, %c %.1f mm", names[axis], "xyz"[axis], m->points[0][axis]);
  return g_strdup_printf ("oblique, %.1f mm along (%.2f, %.2f, %.2f)", fen_vec3_dot (m->points[0], n),
                          n[0] + 0.0, n[1] + 0.0, n[2] + 0.0);
}

/* @m's shape as a FenRoi in mm on its plane: x along the frame's right, y
 * along its down, both from the patient origin. */
static void
fen_mpr_measure_roi (const FenMprMeasure *m, FenRoi *roi, double *uv)
{
  const double u0 = fen_vec3_dot (m->points[0], m->frame.right), v0 = fen_vec3_dot (m->points[0], m->frame.down);
  const double u1 = fen_vec3_dot (m->points[1], m->frame.right), v1 = fen_vec3_dot (m->points[1], m->frame.down);

  memset (roi, 0, sizeof *roi);
  roi->x = u0;
  roi->y = v0;
  if (m->kind == FEN_MPR_MEASURE_POLYGON)
    {
      /* The outline's vertices in mm on the plane (@uv: 2 a point). */
      for (guint p = 0; p < m->n_points; p++)
        {
          uv[2 * p] = fen_vec3_dot (m->points[p], m->frame.right);
          uv[2 * p + 1] = fen_vec3_dot (m->points[p], m->frame.down);
        }
      roi->kind = FEN_ROI_POLYGON;
      roi->points = uv;
      roi->n_points = m->n_points;
    }
  else if (m->kind == FEN_MPR_MEASURE_ELLIPSE)
    {
      roi->kind = FEN_ROI_ELLIPSE;
      roi->rx = fabs (u1 - u0);
      roi->ry = fabs (v1 - v0);
    }
  else
    {
      roi->kind = FEN_ROI_RECTANGLE;
      roi->w = u1 - u0;
      roi->h = v1 - v0;
    }
}

gboolean
fen_mpr_measure_hits_body (const FenMprMeasure *m, const double point[3], double reach)
{
  double uv[2 * FEN_MPR_MEASURE_MAX_POINTS], pu, pv;
  FenRoi roi;

  g_return_val_if_fail (m != NULL && point != NULL, FALSE);
  if (m->n_points == 0 || m->n_points > FEN_MPR_MEASURE_MAX_POINTS)
    return FALSE;
  /* In mm on the plane, as fen_mpr_measure_roi() places a region. */
  pu = fen_vec3_dot (point, m->frame.right);
  pv = fen_vec3_dot (point, m->frame.down);
  for (guint p = 0; p < m->n_points; p++)
    {
      uv[2 * p] = fen_vec3_dot (m->points[p], m->frame.right);
      uv[2 * p + 1] = fen_vec3_dot (m->points[p], m->frame.down);
    }
  switch (m->kind)
    {
    case FEN_MPR_MEASURE_ELLIPSE:
      {
        double rx = fabs (uv[2] - uv[0]) + reach, ry = fabs (uv[3] - uv[1]) + reach;

        return hypot ((pu - uv[0]) / rx, (pv - uv[1]) / ry) <= 1.0;
      }
    case FEN_MPR_MEASURE_RECTANGLE:
      return pu >= MIN (uv[0], uv[2]) - reach && pu <= MAX (uv[0], uv[2]) + reach &&
             pv >= MIN (uv[1], uv[3]) - reach && pv <= MAX (uv[1], uv[3]) + reach;
    case FEN_MPR_MEASURE_POLYGON:
      memset (&roi, 0, sizeof roi);
      roi.kind = FEN_ROI_POLYGON;
      roi.points = uv;
      roi.n_points = m->n_points;
      if (m->n_points >= 3 && fen_roi_contains (&roi, pu, pv))
        return TRUE;
      break;
    case FEN_MPR_MEASURE_DISTANCE:
    case FEN_MPR_MEASURE_ANGLE:
    case FEN_MPR_MEASURE_COBB:
    case FEN_MPR_MEASURE_ARROW:
    default:
      break;
    }
  /* Its lines, as a slice's (an outline closed, a Cobb angle two lines). */
  return fen_measurement_lines_near (uv, m->n_points, m->kind == FEN_MPR_MEASURE_POLYGON,
                                     m->kind == FEN_MPR_MEASURE_COBB, pu, pv, reach);
}

void
fen_mpr_measure_move (FenMprMeasure *m, const FenMprMeasure *from, const double delta[3])
{
  double along;
  double d[3];

  g_return_if_fail (m != NULL && from != NULL && delta != NULL);
  along = fen_vec3_dot (delta, from->frame.normal);
  for (int k = 0; k < 3; k++)
    d[k] = delta[k] - along * from->frame.normal[k];
  if (m != from)
    *m = *from;
  for (guint p = 0; p < m->n_points && p < FEN_MPR_MEASURE_MAX_POINTS; p++)
    for (int k = 0; k < 3; k++)
      m->points[p][k] += d[k];
}

/* The extent of @volume's voxels (every slice's pixel edges, half a pixel
 * beyond the outer centres, and half the spacing beyond the end slices)
 * along @axis, mm: no sample outside it can be inside the volume. */
static void
fen_mpr_measure_extent (const FenVolume *volume, const double axis[3], double *lo, double *hi)
{
  const guint n = fen_volume_get_n_slices (volume);
  const double w = fen_volume_get_width (volume), h = fen_volume_get_height (volume);
  const double half = fen_volume_get_slice_spacing (volume) / 2.0;

  *lo = G_MAXDOUBLE;
  *hi = -G_MAXDOUBLE;
  for (guint s = 0; s < n; s++)
    {
      FenPlaneGeometry g;
      const double cols[2] = { -0.5, w - 0.5 }, rows[2] = { -0.5, h - 0.5 };

      fen_volume_get_slice_geometry (volume, s, &g);
      for (guint c = 0; c < 2; c++)
        for (guint r = 0; r < 2; r++)
          {
            double p[3], d, reach;

            fen_plane_geometry_image_to_patient (&g, cols[c], rows[r], p);
            d = fen_vec3_dot (p, axis);
            reach = half * fabs (fen_vec3_dot (g.normal, axis));
            *lo = MIN (*lo, d - reach);
            *hi = MAX (*hi, d + reach);
          }
    }
}

gboolean
fen_mpr_measure_stats (const FenMprMeasure *m, const FenVolume *volume, FenRenderer *renderer, FenRoiStats *out,
                       GError **error)
{
  return fen_mpr_measure_stats_slab (m, volume, renderer, FEN_SLAB_NONE, 0.0, out, error);
}

gboolean
fen_mpr_measure_stats_slab (const FenMprMeasure *m, const FenVolume *volume, FenRenderer *renderer, FenSlabMode slab,
                            double thickness, FenRoiStats *out, GError **error)
{
  const FenMprFrame *frame;
  FenPlaneGeometry slice0;
  FenReformat reformat = { 0 };
  FenRoi roi;
  FenImage *image;
  FenRoiMoments moments = { 0, 0, G_MAXINT64, G_MININT64, 0.0 };
  g_autofree gint32 *values = NULL;
  g_autofree double *uv = NULL;
  double su, sv, u_ref, v_ref, depth, x0, y0, x1, y1, slope = 1.0, intercept = 0.0;
  double i0, i1, j0, j1;
  guint frame_index = 0, width, height;

  g_return_val_if_fail (m != NULL && volume != NULL && renderer != NULL && out != NULL, FALSE);

  if (m->kind != FEN_MPR_MEASURE_ELLIPSE && m->kind != FEN_MPR_MEASURE_RECTANGLE && m->kind != FEN_MPR_MEASURE_POLYGON)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED, "a distance or an angle has no region statistics");
      return FALSE;
    }
  image = fen_volume_get_slice_image (volume, 0, &frame_index);
  if (fen_image_get_info (image)->samples_per_pixel != 1)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED, "region statistics need a monochrome image");
      return FALSE;
    }
  uv = g_new (double, 2 * MAX (m->n_points, 1));
  fen_mpr_measure_roi (m, &roi, uv);
  if (!_fen_roi_valid (&roi, error))
    return FALSE;
  if (roi.kind == FEN_ROI_RECTANGLE && (fabs (roi.w) < FEN_MPR_MEASURE_EPSILON || fabs (roi.h) < FEN_MPR_MEASURE_EPSILON))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "an empty rectangle");
      return FALSE;
    }

  frame = &m->frame;
  su = fen_volume_get_spacing_along (volume, frame->right);
  sv = fen_volume_get_spacing_along (volume, frame->down);
  /* The grid's lattice: through a voxel centre (pixel (0, 0) of slice 0),
   * at the native steps, so that a native plane's grid points are its
   * voxel centres (PS3.3 C.7.6.2.1.1: positions are pixel centres). */
  fen_volume_get_slice_geometry (volume, 0, &slice0);
  u_ref = fen_vec3_dot (slice0.position, frame->right);
  v_ref = fen_vec3_dot (slice0.position, frame->down);
  depth = fen_vec3_dot (m->points[0], frame->normal);
  _fen_roi_bounds (&roi, &x0, &y0, &x1, &y1);
  i0 = ceil ((x0 - u_ref) / su - FEN_MPR_MEASURE_EPSILON);
  i1 = floor ((x1 - u_ref) / su + FEN_MPR_MEASURE_EPSILON);
  j0 = ceil ((y0 - v_ref) / sv - FEN_MPR_MEASURE_EPSILON);
  j1 = floor ((y1 - v_ref) / sv + FEN_MPR_MEASURE_EPSILON);
  /* Only the part of the region over the volume is sampled: a region drawn
   * zoomed far out may span metres, and its outside adds no sample. */
  {
    double lo, hi;

    fen_mpr_measure_extent (volume, frame->right, &lo, &hi);
    i0 = MAX (i0, floor ((lo - u_ref) / su));
    i1 = MIN (i1, ceil ((hi - u_ref) / su));
    fen_mpr_measure_extent (volume, frame->down, &lo, &hi);
    j0 = MAX (j0, floor ((lo - v_ref) / sv));
    j1 = MIN (j1, ceil ((hi - v_ref) / sv));
  }

  memset (out, 0, sizeof *out);
  out->unit = fen_roi_unit (image);
  out->area_mm2 = _fen_roi_area (&roi);
  out->area_px = out->area_mm2 / (su * sv);
  fen_image_get_frame_rescale (image, frame_index, &slope, &intercept);
  if (i1 < i0 || j1 < j0)
    {
      _fen_roi_stats_finish (out, &moments, slope, intercept);
      return TRUE;
    }
  width = (guint) (i1 - i0 + 1);
  height = (guint) (j1 - j0 + 1);

  for (int k = 0; k < 3; k++)
    reformat.plane.position[k] = (u_ref + i0 * su) * frame->right[k] + (v_ref + j0 * sv) * frame->down[k] +
                                 depth * frame->normal[k];
  memcpy (reformat.plane.row_dir, frame->right, sizeof reformat.plane.row_dir);
  memcpy (reformat.plane.col_dir, frame->down, sizeof reformat.plane.col_dir);
  memcpy (reformat.plane.normal, frame->normal, sizeof reformat.plane.normal);
  /* Pixel Spacing's order: between rows (down), between columns (right). */
  reformat.plane.spacing[0] = sv;
  reformat.plane.spacing[1] = su;
  reformat.sampling = FEN_REFORMAT_NEAREST;
  /* Each grid point's projection over the slab, as the pane shows it
   * (rounded to a stored value when averaged). */
  reformat.slab = slab;
  reformat.slab_thickness = thickness;
  values = g_try_new (gint32, (gsize) width * height);
  if (values == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "the region is too large to measure (%u x %u samples)",
                   width, height);
      return FALSE;
    }
  if (!fen_renderer_reformat_values (renderer, volume, &reformat, width, height, FEN_MPR_MEASURE_OUTSIDE,
                                     values, width))
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_EVICTED, "the slices could not be read");
      return FALSE;
    }

  /* Two passes, as fen_roi_stats(): the sum, then the squared distances. */
  for (guint pass = 0; pass < 2; pass++)
    {
      const double mean_s = moments.n > 0 ? (double) moments.sum / (double) moments.n : 0.0;

      for (guint j = 0; j < height; j++)
        for (guint i = 0; i < width; i++)
          {
            const gint32 v = values[(gsize) j * width + i];

            if (v == FEN_MPR_MEASURE_OUTSIDE ||
                !fen_roi_contains (&roi, u_ref + (i0 + i) * su, v_ref + (j0 + j) * sv))
              continue;
            if (pass == 0)
              {
                moments.n++;
                moments.sum += v;
                moments.min = MIN (moments.min, v);
                moments.max = MAX (moments.max, v);
              }
            else
              moments.squares += ((double) v - mean_s) * ((double) v - mean_s);
          }
      if (moments.n == 0)
        break;
    }
  _fen_roi_stats_finish (out, &moments, slope, intercept);
  return TRUE;
}
