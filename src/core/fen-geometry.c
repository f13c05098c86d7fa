/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-geometry.c: the Image Plane module's maths (PS3.3 C.7.6.2.1.1): from
 * Image Position / Image Orientation (Patient) and Pixel Spacing to a plane
 * in patient coordinates, and back. */
#define G_LOG_DOMAIN "fen-geometry"

#include "fenestra/fen-geometry.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (fen-geometry-error-quark, fen_geometry_error)

double
fen_vec3_dot (const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

void
fen_vec3_cross (const double a[3], const double b[3], double out[3])
{
  double r[3] = { a[1] * b[2] - a[2] * b[1],
                  a[2] * b[0] - a[0] * b[2],
                  a[0] * b[1] - a[1] * b[0] };

  memcpy (out, r, sizeof r);
}

double
fen_vec3_normalize (double v[3])
{
  double len = sqrt (fen_vec3_dot (v, v));

  if (len > 0)
    for (int i = 0; i < 3; i++)
      v[i] /= len;
  return len;
}

gboolean
fen_plane_geometry_init (FenPlaneGeometry *geometry,
                         const double      position[3],
                         const double      orientation[6],
                         const double      spacing[2],
                         GError          **error)
{
  double row_len, col_len;

  g_return_val_if_fail (geometry != NULL && position != NULL, FALSE);
  g_return_val_if_fail (orientation != NULL && spacing != NULL, FALSE);

  memset (geometry, 0, sizeof *geometry);
  memcpy (geometry->position, position, sizeof geometry->position);
  memcpy (geometry->row_dir, orientation, sizeof geometry->row_dir);
  memcpy (geometry->col_dir, orientation + 3, sizeof geometry->col_dir);
  row_len = fen_vec3_normalize (geometry->row_dir);
  col_len = fen_vec3_normalize (geometry->col_dir);
  /* PS3.3 C.7.6.2.1.1: the row and column direction cosines are unit vectors
   * at right angles; files written with 4-6 significant digits come close. */
  if (!isfinite (row_len) || !isfinite (col_len) || fabs (row_len - 1) > 1e-2 ||
      fabs (col_len - 1) > 1e-2 || fabs (fen_vec3_dot (geometry->row_dir, geometry->col_dir)) > 1e-3)
    {
      g_set_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_INVALID,
                   "Image Orientation (Patient) is not two orthogonal unit vectors "
                   "(lengths %.4g and %.4g, cosine %.4g)", row_len, col_len,
                   fen_vec3_dot (geometry->row_dir, geometry->col_dir));
      return FALSE;
    }
  if (!(spacing[0] > 0 && spacing[1] > 0 && isfinite (spacing[0]) && isfinite (spacing[1])) ||
      !isfinite (position[0]) || !isfinite (position[1]) || !isfinite (position[2]))
    {
      g_set_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_INVALID,
                   "Pixel Spacing or Image Position (Patient) is not a finite positive value");
      return FALSE;
    }
  /* The slice normal is the cross product of the row and column directions
   * (PS3.3 C.7.6.2.1.1): the direction in which a right-handed stack grows. */
  fen_vec3_cross (geometry->row_dir, geometry->col_dir, geometry->normal);
  fen_vec3_normalize (geometry->normal);
  geometry->spacing[0] = spacing[0];
  geometry->spacing[1] = spacing[1];
  return TRUE;
}

gboolean
fen_plane_geometry_from_info (FenPlaneGeometry   *geometry,
                              const FenImageInfo *info,
                              guint               frame,
                              GError            **error)
{
  const double *position = info->image_position;

  g_return_val_if_fail (info != NULL, FALSE);
  if (info->frame_positions != NULL && frame < info->frames)
    position = info->frame_positions + 3 * (gsize) frame;
  else if (!info->has_position)
    {
      g_set_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_MISSING,
                   "the image has no Image Position (Patient)");
      return FALSE;
    }
  if (!info->has_orientation || !(info->pixel_spacing[0] > 0 && info->pixel_spacing[1] > 0))
    {
      g_set_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_MISSING,
                   "the image has no %s", !info->has_orientation
                   ? "Image Orientation (Patient)" : "Pixel Spacing");
      return FALSE;
    }
  return fen_plane_geometry_init (geometry, position, info->image_orientation,
                                  info->pixel_spacing, error);
}

double
fen_plane_geometry_get_distance (const FenPlaneGeometry *geometry)
{
  return fen_vec3_dot (geometry->normal, geometry->position);
}

void
fen_plane_geometry_image_to_patient (const FenPlaneGeometry *geometry,
                                     double                  column,
                                     double                  row,
                                     double                  patient[3])
{
  /* PS3.3 C.7.6.2.1.1, equation C.7.6.2.1-1:
   *   P = S + X * delta_i * i + Y * delta_j * j
   * with S the Image Position, X the row direction cosines, Y the column
   * direction cosines, i the column index, j the row index, delta_i the
   * column spacing (Pixel Spacing's second value) and delta_j the row
   * spacing (its first value). */
  for (int a = 0; a < 3; a++)
    patient[a] = geometry->position[a] +
                 geometry->row_dir[a] * geometry->spacing[1] * column +
                 geometry->col_dir[a] * geometry->spacing[0] * row;
}

void
fen_plane_geometry_patient_to_image (const FenPlaneGeometry *geometry,
                                     const double            patient[3],
                                     double                 *column,
                                     double                 *row,
                                     double                 *distance)
{
  double d[3] = { patient[0] - geometry->position[0],
                  patient[1] - geometry->position[1],
                  patient[2] - geometry->position[2] };

  /* The inverse of C.7.6.2.1-1: X, Y and the normal are orthonormal, so
   * each index is the projection on its direction over its spacing. */
  if (column != NULL)
    *column = fen_vec3_dot (d, geometry->row_dir) / geometry->spacing[1];
  if (row != NULL)
    *row = fen_vec3_dot (d, geometry->col_dir) / geometry->spacing[0];
  if (distance != NULL)
    *distance = fen_vec3_dot (d, geometry->normal);
}

gboolean
fen_geometry_slice_location (const FenImageInfo *info,
                             guint               frame,
                             double              normal[3],
                             double              position[3])
{
  /* Pixel Spacing scales neither the normal nor the position along it:
   * a unit spacing stands in for it when the file has none. */
  static const double unit[2] = { 1, 1 };
  const double *spacing = info->pixel_spacing[0] > 0 && info->pixel_spacing[1] > 0 ? info->pixel_spacing : unit;
  const double *where = info->image_position;
  FenPlaneGeometry g;

  g_return_val_if_fail (info != NULL && normal != NULL && position != NULL, FALSE);
  if (info->frame_positions != NULL && frame < info->frames)
    where = info->frame_positions + 3 * (gsize) frame;
  else if (!info->has_position)
    return FALSE;
  if (!info->has_orientation || !fen_plane_geometry_init (&g, where, info->image_orientation, spacing, NULL))
    return FALSE;
  memcpy (normal, g.normal, sizeof g.normal);
  memcpy (position, g.position, sizeof g.position);
  return TRUE;
}

gboolean
fen_geometry_same_frame_of_reference (const FenImageInfo *a,
                                      const FenImageInfo *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return a->frame_of_reference_uid != NULL && a->frame_of_reference_uid[0] != '\0' &&
         g_strcmp0 (a->frame_of_reference_uid, b->frame_of_reference_uid) == 0;
}

gboolean
fen_plane_geometry_grid_offset (const FenPlaneGeometry *plane,
                                const FenPlaneGeometry *other,
                                double                 *dx,
                                double                 *dy)
{
  g_return_val_if_fail (plane != NULL && other != NULL && dx != NULL && dy != NULL, FALSE);
  for (int k = 0; k < 2; k++)
    if (fabs (plane->spacing[k] - other->spacing[k]) > 1e-4)
      return FALSE;
  for (int k = 0; k < 3; k++)
    if (fabs (plane->row_dir[k] - other->row_dir[k]) > 1e-4 || fabs (plane->col_dir[k] - other->col_dir[k]) > 1e-4)
      return FALSE;
  /* One orientation and spacing put pixel (i, j) of each at its own
   * position + i * column spacing * row direction + j * row spacing *
   * column direction (C.7.6.2.1-1): the grids differ by @other's position
   * seen from @plane, in @plane's pixels. */
  fen_plane_geometry_patient_to_image (plane, other->position, dx, dy, NULL);
  return TRUE;
}

void
fen_geometry_orientation_letters (const double dir[3], double tolerance, char out[4])
{
  /* PS3.3 C.7.6.1.1.1 (Patient Orientation): the patient-based coordinate
   * system is LPS, +x towards the patient's left, +y posterior, +z head. */
  static const char positive[3] = { 'L', 'P', 'H' };
  static const char negative[3] = { 'R', 'A', 'F' };
  gboolean used[3] = { FALSE, FALSE, FALSE };
  guint n = 0;

  for (int k = 0; k < 3; k++)
    {
      int best = -1;

      for (int a = 0; a < 3; a++)
        if (!used[a] && (best < 0 || fabs (dir[a]) > fabs (dir[best])))
          best = a;
      if (best < 0 || !(fabs (dir[best]) > tolerance))
        break;
      used[best] = TRUE;
      out[n++] = dir[best] > 0 ? positive[best] : negative[best];
    }
  out[n] = '\0';
}

void
fen_geometry_edge_letters (const double orientation[6],
                           const double right[2],
                           const double down[2],
                           char         out[4][4])
{
  const double *row = orientation, *col = orientation + 3;
  double r[3], d[3], l[3], u[3];

  /* A step of (dx, dy) image pixels goes dx along the row direction and dy
   * along the column direction in the patient (PS3.3 C.7.6.2.1.1). */
  for (int k = 0; k < 3; k++)
    {
      r[k] = right[0] * row[k] + right[1] * col[k];
      d[k] = down[0] * row[k] + down[1] * col[k];
      l[k] = -r[k];
      u[k] = -d[k];
    }
  fen_vec3_normalize (r);
  fen_vec3_normalize (d);
  fen_vec3_normalize (l);
  fen_vec3_normalize (u);
  fen_geometry_orientation_letters (l, 0.25, out[0]);
  fen_geometry_orientation_letters (r, 0.25, out[1]);
  fen_geometry_orientation_letters (u, 0.25, out[2]);
  fen_geometry_orientation_letters (d, 0.25, out[3]);
}

gboolean
fen_plane_geometry_reference_line (const FenPlaneGeometry *shown,
                                   guint                   columns,
                                   guint                   rows,
                                   const FenPlaneGeometry *other,
                                   double                  line[4])
{
  /* PS3.3 C.7.6.2.1.1: the point of pixel (i, j) is P + i dc R + j dr C,
   * dc the column spacing, dr the row spacing. It lies on @other's plane
   * when n . (P + i dc R + j dr C - Q) = 0: a i + b j + c = 0. In our image
   * coordinates x = i + 0.5, y = j + 0.5. */
  const double *n = other->normal;
  const double a = shown->spacing[1] * fen_vec3_dot (n, shown->row_dir);
  const double b = shown->spacing[0] * fen_vec3_dot (n, shown->col_dir);
  double d[3], c;
  double points[4][2];
  guint found = 0;

  for (int k = 0; k < 3; k++)
    d[k] = shown->position[k] - other->position[k];
  c = fen_vec3_dot (n, d) - 0.5 * a - 0.5 * b;   /* in x, y rather than i, j */
  if (hypot (a, b) < 1e-6 * MAX (shown->spacing[0], shown->spacing[1]))
    return FALSE;

  /* Where a x + b y + c = 0 meets the image's four edges. */
  const double w = columns, h = rows;
  if (fabs (b) > 0)
    {
      const double y0 = -c / b, y1 = -(a * w + c) / b;
      if (y0 >= 0 && y0 <= h)
        { points[found][0] = 0; points[found][1] = y0; found++; }
      if (y1 >= 0 && y1 <= h)
        { points[found][0] = w; points[found][1] = y1; found++; }
    }
  if (fabs (a) > 0)
    {
      const double x0 = -c / a, x1 = -(b * h + c) / a;
      if (x0 > 0 && x0 < w && found < 4)
        { points[found][0] = x0; points[found][1] = 0; found++; }
      if (x1 > 0 && x1 < w && found < 4)
        { points[found][0] = x1; points[found][1] = h; found++; }
    }
  /* Two distinct points: the ends. A corner may be found twice. */
  for (guint i = 0; i < found; i++)
    for (guint j = i + 1; j < found; j++)
      if (hypot (points[i][0] - points[j][0], points[i][1] - points[j][1]) > 1e-9)
        {
          line[0] = points[i][0];
          line[1] = points[i][1];
          line[2] = points[j][0];
          line[3] = points[j][1];
          return TRUE;
        }
  return FALSE;
}

gboolean
fen_geometry_locate (const FenPlaneGeometry *slices,
                     guint                   n_slices,
                     guint                   columns,
                     guint                   rows,
                     const double            point[3],
                     FenGeometryLocation    *out)
{
  const double *n0;
  double where, lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, next_lo = G_MAXDOUBLE, next_hi = -G_MAXDOUBLE;
  double best = G_MAXDOUBLE, column, row, distance;
  guint nearest = 0;

  g_return_val_if_fail (point != NULL && out != NULL, FALSE);
  if (n_slices == 0 || slices == NULL)
    return FALSE;
  n0 = slices[0].normal;
  /* One stack: parallel planes, ordered by n . Image Position (PS3.3
   * C.7.6.2.1.1), whatever order the array holds them in. */
  for (guint i = 0; i < n_slices; i++)
    {
      double s = fen_vec3_dot (n0, slices[i].position);

      if (fabs (fen_vec3_dot (n0, slices[i].normal)) < 0.999)
        return FALSE;
      lo = MIN (lo, s);
      hi = MAX (hi, s);
      fen_plane_geometry_patient_to_image (&slices[i], point, NULL, NULL, &distance);
      if (fabs (distance) < best)
        {
          best = fabs (distance);
          nearest = i;
        }
    }
  /* The next position in from each end: the spacing there. */
  for (guint i = 0; i < n_slices; i++)
    {
      double s = fen_vec3_dot (n0, slices[i].position);

      if (s > lo + 1e-3)
        next_lo = MIN (next_lo, s);
      if (s < hi - 1e-3)
        next_hi = MAX (next_hi, s);
    }
  where = fen_vec3_dot (n0, point);
  if (next_lo < G_MAXDOUBLE && (where < lo - (next_lo - lo) / 2 - 1e-9 || where > hi + (hi - next_hi) / 2 + 1e-9))
    return FALSE;
  fen_plane_geometry_patient_to_image (&slices[nearest], point, &column, &row, &distance);
  /* Pixel centres are at i + 0.5 in image coordinates. */
  column += 0.5;
  row += 0.5;
  if (column < -1e-9 || row < -1e-9 || column > columns + 1e-9 || row > rows + 1e-9)
    return FALSE;
  out->slice = nearest;
  out->x = column;
  out->y = row;
  out->distance = distance;
  return TRUE;
}
