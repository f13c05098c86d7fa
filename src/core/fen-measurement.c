/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-measurement.c: measurements as data, and the values they yield. */
#define G_LOG_DOMAIN "fen-measurement"

#include "fenestra/fen-measurement.h"

#include <math.h>
#include <string.h>

static const char *const fen_measurement_names[] = {
  "distance", "ellipse", "rectangle", "polygon", "angle", "cobb", "arrow",
};

const char *
fen_measurement_kind_to_string (FenMeasurementKind kind)
{
  return (guint) kind < G_N_ELEMENTS (fen_measurement_names) ? fen_measurement_names[kind] : "unknown";
}

gboolean
fen_measurement_kind_from_string (const char *name, FenMeasurementKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (fen_measurement_names); i++)
    if (g_strcmp0 (name, fen_measurement_names[i]) == 0)
      {
        *kind = (FenMeasurementKind) i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
fen_measurement_count_fits (FenMeasurementKind kind, guint n)
{
  switch (kind)
    {
    case FEN_MEASUREMENT_DISTANCE:
    case FEN_MEASUREMENT_ELLIPSE:
    case FEN_MEASUREMENT_RECTANGLE:
    case FEN_MEASUREMENT_ARROW:
      return n == 2;
    case FEN_MEASUREMENT_ANGLE:
      return n == 3;
    case FEN_MEASUREMENT_COBB:
      return n == 4;
    case FEN_MEASUREMENT_POLYGON:
      return n >= 3 && n <= FEN_MEASUREMENT_MAX_POINTS;
    default:
      return FALSE;
    }
}

FenMeasurement *
fen_measurement_new (FenMeasurementKind kind,
                     guint              frame,
                     const double      *points,
                     guint              n_points,
                     const char        *text,
                     GError           **error)
{
  if (!fen_measurement_count_fits (kind, n_points))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "a %s cannot have %u points",
                   fen_measurement_kind_to_string (kind), n_points);
      return NULL;
    }
  for (guint i = 0; i < 2 * n_points; i++)
    if (!isfinite (points[i]))
      {
        g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "a %s has a point that is not a number",
                     fen_measurement_kind_to_string (kind));
        return NULL;
      }
  if (kind == FEN_MEASUREMENT_ELLIPSE && (points[2] == points[0] || points[3] == points[1]))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "an ellipse needs two radii above 0");
      return NULL;
    }

  FenMeasurement *m = g_new0 (FenMeasurement, 1);
  m->kind = kind;
  m->frame = frame;
  m->n_points = n_points;
  m->points = g_memdup2 (points, sizeof (double) * 2 * n_points);
  m->text = text != NULL ? g_utf8_make_valid (text, -1) : NULL;
  return m;
}

FenMeasurement *
fen_measurement_copy (const FenMeasurement *m)
{
  return fen_measurement_new (m->kind, m->frame, m->points, m->n_points, m->text, NULL);
}

void
fen_measurement_free (FenMeasurement *m)
{
  if (m == NULL)
    return;
  g_free (m->points);
  g_free (m->text);
  g_free (m);
}

gboolean
fen_measurement_get_roi (const FenMeasurement *m, FenRoi *roi)
{
  const double *p = m->points;

  switch (m->kind)
    {
    case FEN_MEASUREMENT_ELLIPSE:
      *roi = (FenRoi) { .kind = FEN_ROI_ELLIPSE, .x = p[0], .y = p[1],
                        .rx = fabs (p[2] - p[0]), .ry = fabs (p[3] - p[1]) };
      return TRUE;
    case FEN_MEASUREMENT_RECTANGLE:
      *roi = (FenRoi) { .kind = FEN_ROI_RECTANGLE, .x = p[0], .y = p[1],
                        .w = p[2] - p[0], .h = p[3] - p[1] };
      return TRUE;
    case FEN_MEASUREMENT_POLYGON:
      *roi = (FenRoi) { .kind = FEN_ROI_POLYGON, .points = p, .n_points = m->n_points };
      return TRUE;
    default:
      return FALSE;
    }
}

/* Millimetres per image unit along x (columns) and y (rows): PS3.3
 * C.7.6.2.1.1, Pixel Spacing is row spacing \ column spacing. */
static void
fen_measurement_scale (const FenImageInfo *info, double *sx, double *sy, gboolean *known)
{
  *known = info->pixel_spacing[0] > 0 && info->pixel_spacing[1] > 0;
  *sx = *known ? info->pixel_spacing[1] : 1.0;
  *sy = *known ? info->pixel_spacing[0] : 1.0;
}

double
fen_measurement_length_mm (const FenMeasurement *m, const FenImageInfo *info)
{
  double sx, sy;
  gboolean known;

  if (m->kind != FEN_MEASUREMENT_DISTANCE)
    return NAN;
  fen_measurement_scale (info, &sx, &sy, &known);
  if (!known)
    return NAN;
  return hypot ((m->points[2] - m->points[0]) * sx, (m->points[3] - m->points[1]) * sy);
}

/* The angle between vectors (ax, ay) and (bx, by), 0 to 180 degrees. */
static double
fen_measurement_between (double ax, double ay, double bx, double by)
{
  const double na = hypot (ax, ay), nb = hypot (bx, by);
  if (na == 0 || nb == 0)
    return NAN;
  return atan2 (fabs (ax * by - ay * bx), ax * bx + ay * by) * 180.0 / G_PI;
}

double
fen_measurement_angle_deg (const FenMeasurement *m, const FenImageInfo *info)
{
  const double *p = m->points;
  double sx, sy;
  gboolean known;

  fen_measurement_scale (info, &sx, &sy, &known);
  if (m->kind == FEN_MEASUREMENT_ANGLE)
    return fen_measurement_between ((p[0] - p[2]) * sx, (p[1] - p[3]) * sy,
                                    (p[4] - p[2]) * sx, (p[5] - p[3]) * sy);
  if (m->kind == FEN_MEASUREMENT_COBB)
    {
      /* The angle between two lines, whatever their direction: 0..90. */
      const double a = fen_measurement_between ((p[2] - p[0]) * sx, (p[3] - p[1]) * sy,
                                                (p[6] - p[4]) * sx, (p[7] - p[5]) * sy);
      return isnan (a) ? a : MIN (a, 180.0 - a);
    }
  return NAN;
}

/* The distance from (@px, @py) to the segment from (@ax, @ay) to (@bx, @by). */
static double
fen_measurement_segment_distance (double px, double py, double ax, double ay, double bx, double by)
{
  double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? CLAMP (((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0) : 0.0;

  return hypot (px - (ax + t * dx), py - (ay + t * dy));
}

gboolean
fen_measurement_lines_near (const double *xy, guint n, gboolean closed, gboolean two_lines,
                            double px, double py, double reach)
{
  guint n_segments = closed ? n : n - 1;

  g_return_val_if_fail (xy != NULL || n == 0, FALSE);
  if (n < 2)
    return FALSE;
  for (guint k = 0; k < n_segments; k++)
    {
      guint next = (k + 1) % n;

      if (two_lines && k == 1)
        continue;
      if (fen_measurement_segment_distance (px, py, xy[2 * k], xy[2 * k + 1], xy[2 * next], xy[2 * next + 1]) <= reach)
        return TRUE;
    }
  return FALSE;
}
