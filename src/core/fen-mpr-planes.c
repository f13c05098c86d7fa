/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-planes.c: the geometry of the viewer's MPR layout (FenMprPlanes):
 * plain vector maths on the crosshair centre, each pane's frame and view,
 * kept out of the widgets so that a unit test can check every rule a pane
 * follows. Patient coordinates are LPS in mm (PS3.3 C.7.6.2.1.1). */
#define G_LOG_DOMAIN "fen-mpr"

#include <fenestra/fen-mpr-planes.h>

#include <math.h>
#include <string.h>

/* An acquisition more than 1 degree off the patient axes is oblique. */
#define FEN_MPR_OBLIQUE_COS 0.99984769515639127  /* cos (1 degree) */

static void
fen_mpr_frame_set (FenMprFrame *frame, const double right[3], const double down[3])
{
  memcpy (frame->right, right, sizeof frame->right);
  memcpy (frame->down, down, sizeof frame->down);
  fen_vec3_cross (frame->right, frame->down, frame->normal);
}

static double
fen_mpr_max_abs (const double v[3])
{
  return MAX (fabs (v[0]), MAX (fabs (v[1]), fabs (v[2])));
}

void
fen_mpr_planes_init (FenMprPlanes *planes, const FenVolume *volume)
{
  /* The radiological convention: the patient's right (-x) on the screen's
   * left in axial and coronal; anterior (-y) up in axial, on the left in
   * sagittal; the head (+z) up in coronal and sagittal. */
  static const double x[3] = { 1, 0, 0 }, y[3] = { 0, 1, 0 }, feet[3] = { 0, 0, -1 };
  FenPlaneGeometry first, last, middle;
  guint n, w, h;
  double half;

  g_return_if_fail (planes != NULL && volume != NULL);

  memset (planes, 0, sizeof *planes);
  n = fen_volume_get_n_slices (volume);
  w = fen_volume_get_width (volume);
  h = fen_volume_get_height (volume);
  fen_volume_get_slice_geometry (volume, 0, &first);
  fen_volume_get_slice_geometry (volume, n - 1, &last);
  fen_volume_get_slice_geometry (volume, n / 2, &middle);
  /* A single slice has no spacing: give it one pixel's thickness. */
  half = (n > 1 ? fen_volume_get_slice_spacing (volume) : MIN (first.spacing[0], first.spacing[1])) / 2;

  for (guint c = 0; c < 8; c++)
    {
      const FenPlaneGeometry *g = (c & 4) ? &last : &first;
      double along = (c & 4) ? half : -half;
      double *p = planes->corners[c];

      fen_plane_geometry_image_to_patient (g, (c & 1) ? w - 0.5 : -0.5, (c & 2) ? h - 0.5 : -0.5, p);
      for (int k = 0; k < 3; k++)
        {
          p[k] += along * g->normal[k];
          planes->volume_center[k] += p[k] / 8;
        }
    }
  fen_plane_geometry_image_to_patient (&middle, w / 2, h / 2, planes->center);

  fen_mpr_frame_set (&planes->frames[FEN_MPR_PLANE_AXIAL], x, y);
  fen_mpr_frame_set (&planes->frames[FEN_MPR_PLANE_CORONAL], x, feet);
  fen_mpr_frame_set (&planes->frames[FEN_MPR_PLANE_SAGITTAL], y, feet);
  /* As stored: what a slice pane shows of it. */
  fen_mpr_frame_set (&planes->frames[FEN_MPR_PLANE_ACQUISITION], first.row_dir, first.col_dir);

  planes->n_planes = fen_mpr_max_abs (first.normal) < FEN_MPR_OBLIQUE_COS ||
                     fen_mpr_max_abs (first.row_dir) < FEN_MPR_OBLIQUE_COS ||
                     fen_mpr_max_abs (first.col_dir) < FEN_MPR_OBLIQUE_COS ? 4 : 3;
  for (guint p = 0; p < FEN_MPR_N_PLANES; p++)
    planes->views[p].fitted = TRUE;
}

guint
fen_mpr_planes_get_n_planes (const FenMprPlanes *planes)
{
  g_return_val_if_fail (planes != NULL, 0);
  return planes->n_planes;
}

const char *
fen_mpr_plane_to_string (FenMprPlane plane)
{
  static const char *const names[] = { "Axial", "Coronal", "Sagittal", "Acquisition" };

  g_return_val_if_fail (plane < FEN_MPR_N_PLANES, "");
  return names[plane];
}

void
fen_mpr_planes_fit (FenMprPlanes *planes, FenMprPlane plane)
{
  FenMprPaneView *view;
  const FenMprFrame *frame;
  double lo[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, hi[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  view = &planes->views[plane];
  frame = &planes->frames[plane];
  for (guint c = 0; c < 8; c++)
    {
      double d[3];

      for (int k = 0; k < 3; k++)
        d[k] = planes->corners[c][k] - planes->volume_center[k];
      lo[0] = MIN (lo[0], fen_vec3_dot (d, frame->right));
      hi[0] = MAX (hi[0], fen_vec3_dot (d, frame->right));
      lo[1] = MIN (lo[1], fen_vec3_dot (d, frame->down));
      hi[1] = MAX (hi[1], fen_vec3_dot (d, frame->down));
    }
  view->fitted = TRUE;
  view->pan[0] = (lo[0] + hi[0]) / 2;
  view->pan[1] = (lo[1] + hi[1]) / 2;
  if (view->width < 1 || view->height < 1)
    return;
  view->zoom = MIN (view->width / MAX (hi[0] - lo[0], 1e-6), view->height / MAX (hi[1] - lo[1], 1e-6));
}

void
fen_mpr_planes_set_size (FenMprPlanes *planes, FenMprPlane plane, int width, int height)
{
  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  planes->views[plane].width = width;
  planes->views[plane].height = height;
  if (planes->views[plane].fitted || planes->views[plane].zoom <= 0)
    fen_mpr_planes_fit (planes, plane);
}

void
fen_mpr_planes_zoom_about (FenMprPlanes *planes, FenMprPlane plane, double factor, double sx, double sy)
{
  FenMprPaneView *view;
  double u, v, zoom;

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  view = &planes->views[plane];
  if (view->zoom <= 0 || !(factor > 0))
    return;
  zoom = CLAMP (view->zoom * factor, 0.01, 1000.0);
  u = view->pan[0] + (sx - view->width / 2.0) / view->zoom;
  v = view->pan[1] + (sy - view->height / 2.0) / view->zoom;
  view->zoom = zoom;
  view->pan[0] = u - (sx - view->width / 2.0) / zoom;
  view->pan[1] = v - (sy - view->height / 2.0) / zoom;
  view->fitted = FALSE;
}

void
fen_mpr_planes_one_to_one (FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume, int scale)
{
  const FenMprFrame *frame;
  FenMprPaneView *view;
  double pixel;

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES && volume != NULL && scale >= 1);

  view = &planes->views[plane];
  frame = &planes->frames[plane];
  /* The slice view's 1:1 is one image pixel per device pixel; a plane's
   * pixels are its native steps across and down it, and the finer of the
   * two gets one device pixel (the coarser is then stretched, as the
   * slice view stretches a non-square pixel). */
  pixel = MIN (fen_volume_get_spacing_along (volume, frame->right), fen_volume_get_spacing_along (volume, frame->down));
  if (!(pixel > 0))
    return;
  fen_mpr_planes_zoom_about (planes, plane, 1.0 / (scale * pixel) / view->zoom, view->width / 2.0, view->height / 2.0);
}

void
fen_mpr_planes_pan (FenMprPlanes *planes, FenMprPlane plane, const double start[2], double dx, double dy)
{
  FenMprPaneView *view;

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  view = &planes->views[plane];
  if (view->zoom <= 0)
    return;
  view->pan[0] = start[0] - dx / view->zoom;
  view->pan[1] = start[1] - dy / view->zoom;
  view->fitted = FALSE;
}

void
fen_mpr_planes_to_screen (const FenMprPlanes *planes, FenMprPlane plane, const double patient[3],
                          double *sx, double *sy, double *distance)
{
  const FenMprPaneView *view;
  const FenMprFrame *frame;
  double d[3], c[3];

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  view = &planes->views[plane];
  frame = &planes->frames[plane];
  for (int k = 0; k < 3; k++)
    {
      d[k] = patient[k] - planes->volume_center[k];
      c[k] = patient[k] - planes->center[k];
    }
  *sx = view->width / 2.0 + (fen_vec3_dot (d, frame->right) - view->pan[0]) * view->zoom;
  *sy = view->height / 2.0 + (fen_vec3_dot (d, frame->down) - view->pan[1]) * view->zoom;
  if (distance != NULL)
    *distance = fen_vec3_dot (c, frame->normal);
}

void
fen_mpr_planes_to_patient (const FenMprPlanes *planes, FenMprPlane plane, double sx, double sy,
                           double patient[3])
{
  const FenMprPaneView *view;
  const FenMprFrame *frame;
  double u, v, d[3], depth;

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  view = &planes->views[plane];
  frame = &planes->frames[plane];
  u = view->pan[0] + (sx - view->width / 2.0) / MAX (view->zoom, 1e-9);
  v = view->pan[1] + (sy - view->height / 2.0) / MAX (view->zoom, 1e-9);
  for (int k = 0; k < 3; k++)
    {
      patient[k] = planes->volume_center[k] + u * frame->right[k] + v * frame->down[k];
      d[k] = planes->center[k] - patient[k];
    }
  /* Onto the plane through the centre. */
  depth = fen_vec3_dot (d, frame->normal);
  for (int k = 0; k < 3; k++)
    patient[k] += depth * frame->normal[k];
}

void
fen_mpr_planes_get_geometry (const FenMprPlanes *planes, FenMprPlane plane, int scale, FenPlaneGeometry *out)
{
  const FenMprFrame *frame;
  double mm;

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES && scale > 0 && out != NULL);

  frame = &planes->frames[plane];
  mm = 1.0 / (MAX (planes->views[plane].zoom, 1e-9) * scale);
  fen_mpr_planes_to_patient (planes, plane, 0.5 / scale, 0.5 / scale, out->position);
  memcpy (out->row_dir, frame->right, sizeof out->row_dir);
  memcpy (out->col_dir, frame->down, sizeof out->col_dir);
  memcpy (out->normal, frame->normal, sizeof out->normal);
  out->spacing[0] = mm;
  out->spacing[1] = mm;
}

gboolean
fen_mpr_planes_get_visible (const FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume, int scale,
                            guint out_width, guint out_height, FenPixelRect *rect, FenPlaneGeometry *geometry)
{
  double lo[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, hi[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE }, half;
  guint n, w, h;
  double x0, y0, x1, y1;

  g_return_val_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES && volume != NULL && scale > 0 && rect != NULL,
                        FALSE);

  *rect = (FenPixelRect) { 0, 0, 0, 0 };
  n = fen_volume_get_n_slices (volume);
  w = fen_volume_get_width (volume);
  h = fen_volume_get_height (volume);
  /* Every slice, each where its own position puts it (a drifting or tilted
   * stack is no box); a few thousand dot products a render. */
  for (guint k = 0; k < n; k++)
    {
      FenPlaneGeometry g;

      fen_volume_get_slice_geometry (volume, k, &g);
      /* As fen_mpr_planes_init()'s box, at every slice: a bound. */
      half = (n > 1 ? fen_volume_get_slice_spacing (volume) : MIN (g.spacing[0], g.spacing[1])) / 2;
      for (guint c = 0; c < 8; c++)
        {
          double p[3], sx, sy;

          fen_plane_geometry_image_to_patient (&g, (c & 1) ? w - 0.5 : -0.5, (c & 2) ? h - 0.5 : -0.5, p);
          for (int a = 0; a < 3; a++)
            p[a] += ((c & 4) ? half : -half) * g.normal[a];
          fen_mpr_planes_to_screen (planes, plane, p, &sx, &sy, NULL);
          lo[0] = MIN (lo[0], sx * scale);
          hi[0] = MAX (hi[0], sx * scale);
          lo[1] = MIN (lo[1], sy * scale);
          hi[1] = MAX (hi[1], sy * scale);
        }
    }
  /* Device pixel i covers [i, i + 1); one more either side. */
  x0 = MAX (floor (lo[0]) - 1, 0);
  y0 = MAX (floor (lo[1]) - 1, 0);
  x1 = MIN (ceil (hi[0]) + 1, (double) out_width);
  y1 = MIN (ceil (hi[1]) + 1, (double) out_height);
  if (!(x1 > x0 && y1 > y0))
    return FALSE;
  *rect = (FenPixelRect) { (guint) x0, (guint) y0, (guint) (x1 - x0), (guint) (y1 - y0) };
  if (geometry != NULL)
    {
      fen_mpr_planes_get_geometry (planes, plane, scale, geometry);
      for (int a = 0; a < 3; a++)
        geometry->position[a] += rect->x * geometry->spacing[1] * geometry->row_dir[a] +
                                 rect->y * geometry->spacing[0] * geometry->col_dir[a];
    }
  return TRUE;
}

/* The screen direction of @other's line in @plane's pane, unit; %FALSE
 * when the planes are parallel. */
static gboolean
fen_mpr_planes_line_direction (const FenMprPlanes *planes, FenMprPlane plane, FenMprPlane other, double dir[2])
{
  const FenMprFrame *frame = &planes->frames[plane];
  double d[3], len;

  fen_vec3_cross (frame->normal, planes->frames[other].normal, d);
  dir[0] = fen_vec3_dot (d, frame->right);
  dir[1] = fen_vec3_dot (d, frame->down);
  len = hypot (dir[0], dir[1]);
  if (len < 1e-6)
    return FALSE;
  dir[0] /= len;
  dir[1] /= len;
  return TRUE;
}

gboolean
fen_mpr_planes_get_line (const FenMprPlanes *planes, FenMprPlane plane, FenMprPlane other, double line[4])
{
  const FenMprPaneView *view;
  double dir[2], c[2], t0 = -G_MAXDOUBLE, t1 = G_MAXDOUBLE;
  double lo[2], hi[2];

  g_return_val_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES && other < FEN_MPR_N_PLANES, FALSE);

  if (plane == other || !fen_mpr_planes_line_direction (planes, plane, other, dir))
    return FALSE;
  view = &planes->views[plane];
  fen_mpr_planes_to_screen (planes, plane, planes->center, &c[0], &c[1], NULL);
  lo[0] = lo[1] = 0;
  hi[0] = view->width;
  hi[1] = view->height;
  /* Liang-Barsky: the part of c + t dir inside the pane. */
  for (int a = 0; a < 2; a++)
    {
      if (fabs (dir[a]) < 1e-12)
        {
          if (c[a] < lo[a] || c[a] > hi[a])
            return FALSE;
          continue;
        }
      {
        double ta = (lo[a] - c[a]) / dir[a], tb = (hi[a] - c[a]) / dir[a];

        t0 = MAX (t0, MIN (ta, tb));
        t1 = MIN (t1, MAX (ta, tb));
      }
    }
  if (t0 > t1)
    return FALSE;
  line[0] = c[0] + t0 * dir[0];
  line[1] = c[1] + t0 * dir[1];
  line[2] = c[0] + t1 * dir[0];
  line[3] = c[1] + t1 * dir[1];
  return TRUE;
}

FenMprHit
fen_mpr_planes_hit (const FenMprPlanes *planes, FenMprPlane plane, double sx, double sy,
                    double tolerance, FenMprPlane *other)
{
  const FenMprPaneView *view;
  double c[2], best = G_MAXDOUBLE;
  FenMprHit hit = FEN_MPR_HIT_NONE;

  g_return_val_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES, FEN_MPR_HIT_NONE);

  view = &planes->views[plane];
  fen_mpr_planes_to_screen (planes, plane, planes->center, &c[0], &c[1], NULL);
  if (hypot (sx - c[0], sy - c[1]) <= tolerance)
    return FEN_MPR_HIT_CENTER;
  for (guint o = FEN_MPR_PLANE_AXIAL; o <= FEN_MPR_PLANE_SAGITTAL; o++)
    {
      double dir[2], across, along;

      if (o == plane || !fen_mpr_planes_line_direction (planes, plane, o, dir))
        continue;
      across = fabs ((sx - c[0]) * dir[1] - (sy - c[1]) * dir[0]);
      along = fabs ((sx - c[0]) * dir[0] + (sy - c[1]) * dir[1]);
      if (across <= tolerance && along >= MIN (view->width, view->height) / 4.0 && across < best)
        {
          best = across;
          hit = FEN_MPR_HIT_LINE;
          if (other != NULL)
            *other = o;
        }
    }
  return hit;
}

void
fen_mpr_planes_move_center (FenMprPlanes *planes, FenMprPlane plane, double sx, double sy)
{
  double point[3];

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);
  /* Not straight into the centre: the point is found from it. */
  fen_mpr_planes_to_patient (planes, plane, sx, sy, point);
  memcpy (planes->center, point, sizeof point);
}

double
fen_mpr_planes_angle (const FenMprPlanes *planes, FenMprPlane plane, double sx, double sy)
{
  double c[2];

  g_return_val_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES, 0);
  fen_mpr_planes_to_screen (planes, plane, planes->center, &c[0], &c[1], NULL);
  return atan2 (sy - c[1], sx - c[0]);
}

/* Rodrigues: @v turned by @angle about unit @axis. */
static void
fen_mpr_rotate_vector (double v[3], const double axis[3], double angle)
{
  double cross[3], out[3], dot = fen_vec3_dot (axis, v), c = cos (angle), s = sin (angle);

  fen_vec3_cross (axis, v, cross);
  for (int k = 0; k < 3; k++)
    out[k] = v[k] * c + cross[k] * s + axis[k] * dot * (1 - c);
  memcpy (v, out, sizeof out);
}

void
fen_mpr_planes_rotate (FenMprPlanes *planes, FenMprPlane plane, double angle)
{
  double axis[3];

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  /* right x down = normal: a turn about the normal by +angle takes right
   * towards down, clockwise on a screen whose y goes down. */
  memcpy (axis, planes->frames[plane].normal, sizeof axis);
  for (guint o = FEN_MPR_PLANE_AXIAL; o <= FEN_MPR_PLANE_SAGITTAL; o++)
    {
      FenMprFrame *frame = &planes->frames[o];

      if (o == plane)
        continue;
      fen_mpr_rotate_vector (frame->right, axis, angle);
      fen_mpr_rotate_vector (frame->down, axis, angle);
      /* Orthonormal again, so that rounding never accumulates. */
      fen_vec3_normalize (frame->right);
      fen_vec3_cross (frame->right, frame->down, frame->normal);
      fen_vec3_normalize (frame->normal);
      fen_vec3_cross (frame->normal, frame->right, frame->down);
    }
}

double
fen_mpr_planes_step (const FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume)
{
  g_return_val_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES && volume != NULL, 1.0);
  return fen_volume_get_spacing_along (volume, planes->frames[plane].normal);
}

double
fen_mpr_planes_get_depth (const FenMprPlanes *planes, FenMprPlane plane)
{
  g_return_val_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES, 0);
  return fen_vec3_dot (planes->frames[plane].normal, planes->center);
}

void
fen_mpr_planes_scroll (FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume, int steps)
{
  const double *n;
  double step, lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, depth, target;

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES && volume != NULL);

  n = planes->frames[plane].normal;
  step = fen_mpr_planes_step (planes, plane, volume);
  for (guint c = 0; c < 8; c++)
    {
      lo = MIN (lo, fen_vec3_dot (planes->corners[c], n));
      hi = MAX (hi, fen_vec3_dot (planes->corners[c], n));
    }
  /* The box reaches half a step beyond the outer voxel centres. */
  lo += step / 2;
  hi -= step / 2;
  if (lo > hi)
    lo = hi = (lo + hi) / 2;
  depth = fen_vec3_dot (n, planes->center);
  target = CLAMP (depth + steps * step, lo, hi);
  for (int k = 0; k < 3; k++)
    planes->center[k] += (target - depth) * n[k];
}

void
fen_mpr_planes_edge_letters (const FenMprPlanes *planes, FenMprPlane plane, char out[4][4])
{
  static const double right[2] = { 1, 0 }, down[2] = { 0, 1 };
  double orientation[6];

  g_return_if_fail (planes != NULL && plane < FEN_MPR_N_PLANES);

  memcpy (orientation, planes->frames[plane].right, 3 * sizeof (double));
  memcpy (orientation + 3, planes->frames[plane].down, 3 * sizeof (double));
  fen_geometry_edge_letters (orientation, right, down, out);
}
