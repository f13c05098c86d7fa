/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-roi.c: ROI statistics over an image's one buffer, read in place. */
#define G_LOG_DOMAIN "fen-roi"

#include "fen-roi-private.h"

#include <math.h>
#include <string.h>

/* Within this of an edge a point is on the boundary (image coordinates). */
#define FEN_ROI_EPSILON 1e-9

static gboolean
fen_roi_on_segment (double px, double py, double ax, double ay, double bx, double by)
{
  const double cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  const double len = hypot (bx - ax, by - ay);

  if (fabs (cross) > FEN_ROI_EPSILON * MAX (len, 1.0))
    return FALSE;
  return px >= MIN (ax, bx) - FEN_ROI_EPSILON && px <= MAX (ax, bx) + FEN_ROI_EPSILON &&
         py >= MIN (ay, by) - FEN_ROI_EPSILON && py <= MAX (ay, by) + FEN_ROI_EPSILON;
}

gboolean
fen_roi_contains (const FenRoi *roi, double px, double py)
{
  switch (roi->kind)
    {
    case FEN_ROI_ELLIPSE:
      {
        const double dx = (px - roi->x) / roi->rx, dy = (py - roi->y) / roi->ry;
        return dx * dx + dy * dy <= 1.0 + FEN_ROI_EPSILON;
      }
    case FEN_ROI_RECTANGLE:
      {
        const double x0 = MIN (roi->x, roi->x + roi->w), x1 = MAX (roi->x, roi->x + roi->w);
        const double y0 = MIN (roi->y, roi->y + roi->h), y1 = MAX (roi->y, roi->y + roi->h);
        return px >= x0 && px <= x1 && py >= y0 && py <= y1;
      }
    case FEN_ROI_POLYGON:
      {
        const double *p = roi->points;
        const guint n = roi->n_points;
        gboolean inside = FALSE;
        for (guint i = 0, j = n - 1; i < n; j = i++)
          {
            const double xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * j], yj = p[2 * j + 1];
            if (fen_roi_on_segment (px, py, xi, yi, xj, yj))
              return TRUE;
            /* Even-odd rule: count crossings of a ray to the right. */
            if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi)
              inside = !inside;
          }
        return inside;
      }
    default:
      return FALSE;
    }
}

/* The shape's exact area in pixels: pi rx ry, w h, or the shoelace sum. */
double
_fen_roi_area (const FenRoi *roi)
{
  switch (roi->kind)
    {
    case FEN_ROI_ELLIPSE:
      return G_PI * roi->rx * roi->ry;
    case FEN_ROI_RECTANGLE:
      return fabs (roi->w * roi->h);
    case FEN_ROI_POLYGON:
      {
        double twice = 0.0;
        for (guint i = 0, j = roi->n_points - 1; i < roi->n_points; j = i++)
          twice += roi->points[2 * j] * roi->points[2 * i + 1] -
                   roi->points[2 * i] * roi->points[2 * j + 1];
        return fabs (twice) / 2.0;
      }
    default:
      return 0.0;
    }
}

/* The rows and columns whose centres can be inside: the bounding box. */
void
_fen_roi_bounds (const FenRoi *roi, double *x0, double *y0, double *x1, double *y1)
{
  switch (roi->kind)
    {
    case FEN_ROI_ELLIPSE:
      *x0 = roi->x - roi->rx;
      *x1 = roi->x + roi->rx;
      *y0 = roi->y - roi->ry;
      *y1 = roi->y + roi->ry;
      break;
    case FEN_ROI_RECTANGLE:
      *x0 = MIN (roi->x, roi->x + roi->w);
      *x1 = MAX (roi->x, roi->x + roi->w);
      *y0 = MIN (roi->y, roi->y + roi->h);
      *y1 = MAX (roi->y, roi->y + roi->h);
      break;
    case FEN_ROI_POLYGON:
    default:
      *x0 = *x1 = roi->points[0];
      *y0 = *y1 = roi->points[1];
      for (guint i = 1; i < roi->n_points; i++)
        {
          *x0 = MIN (*x0, roi->points[2 * i]);
          *x1 = MAX (*x1, roi->points[2 * i]);
          *y0 = MIN (*y0, roi->points[2 * i + 1]);
          *y1 = MAX (*y1, roi->points[2 * i + 1]);
        }
      break;
    }
}

gboolean
_fen_roi_valid (const FenRoi *roi, GError **error)
{
  gboolean ok;

  switch (roi->kind)
    {
    case FEN_ROI_ELLIPSE:
      ok = isfinite (roi->x) && isfinite (roi->y) && isfinite (roi->rx) && isfinite (roi->ry) &&
           roi->rx > 0 && roi->ry > 0;
      break;
    case FEN_ROI_RECTANGLE:
      ok = isfinite (roi->x) && isfinite (roi->y) && isfinite (roi->w) && isfinite (roi->h);
      break;
    case FEN_ROI_POLYGON:
      ok = roi->points != NULL && roi->n_points >= 3;
      for (guint i = 0; ok && i < 2 * roi->n_points; i++)
        ok = isfinite (roi->points[i]);
      break;
    default:
      ok = FALSE;
    }
  if (!ok)
    g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                 "a region needs finite coordinates, positive radii and at least 3 vertices");
  return ok;
}

const char *
fen_roi_unit (const FenImage *image)
{
  const FenImageInfo *info = fen_image_get_info (image);
  const char *type = info->rescale_type;

  /* PS3.3 C.11.1.1.2: CT values are in Hounsfield units; C.8.8.3.4.2: RT
   * Dose in the Dose Units the file names (GY, or RELATIVE). */
  if (type != NULL && g_ascii_strcasecmp (type, "HU") == 0)
    return "HU";
  if (type != NULL && g_ascii_strcasecmp (type, "GY") == 0)
    return "Gy";
  if (type != NULL && g_ascii_strcasecmp (type, "RELATIVE") == 0)
    return "relative";
  if ((type == NULL || *type == '\0') && g_strcmp0 (info->modality, "CT") == 0)
    return "HU";
  if (type != NULL && *type != '\0' && g_ascii_strcasecmp (type, "US") != 0)
    return g_intern_string (type);
  return "none";
}

gboolean
fen_roi_stats (const FenImage *image,
               guint           frame,
               const FenRoi   *roi,
               FenRoiStats    *out,
               GError        **error)
{
  const FenImageInfo *info = fen_image_get_info (image);
  double slope = 1.0, intercept = 0.0, x0, y0, x1, y1;

  g_return_val_if_fail (image != NULL && roi != NULL && out != NULL, FALSE);
  if (info->samples_per_pixel != 1)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "region statistics need a monochrome image");
      return FALSE;
    }
  if (frame >= info->frames)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "frame %u of %u", frame + 1,
                   info->frames);
      return FALSE;
    }
  if (!_fen_roi_valid (roi, error))
    return FALSE;

  fen_image_get_frame_rescale (image, frame, &slope, &intercept);
  _fen_roi_bounds (roi, &x0, &y0, &x1, &y1);
  /* Centres i + 0.5 in [x0, x1]: i from ceil (x0 - 0.5) to floor (x1 - 0.5). */
  const double first_col = MAX (0.0, ceil (x0 - 0.5 - FEN_ROI_EPSILON));
  const double last_col = MIN ((double) info->columns - 1, floor (x1 - 0.5 + FEN_ROI_EPSILON));
  const double first_row = MAX (0.0, ceil (y0 - 0.5 - FEN_ROI_EPSILON));
  const double last_row = MIN ((double) info->rows - 1, floor (y1 - 0.5 + FEN_ROI_EPSILON));
  const void *pixels = fen_image_get_frame (image, frame);
  const gboolean is_signed = info->pixel_representation == 1;
  FenRoiMoments moments = { 0, 0, G_MAXINT64, G_MININT64, 0.0 };

  /* Two passes over the stored values: the sum (exact in 64 bits), then the
   * squared distances from the mean, so a flat region has SD 0 exactly. */
  for (guint pass = 0; pass < 2; pass++)
    {
      const double mean_s = moments.n > 0 ? (double) moments.sum / (double) moments.n : 0.0;
      for (double row = first_row; row <= last_row; row++)
        for (double col = first_col; col <= last_col; col++)
          {
            if (!fen_roi_contains (roi, col + 0.5, row + 0.5))
              continue;
            const gsize at = (gsize) row * info->columns + (gsize) col;
            gint64 v;
            if (info->bits_allocated == 8)
              v = is_signed ? ((const gint8 *) pixels)[at] : ((const guint8 *) pixels)[at];
            else
              v = is_signed ? ((const gint16 *) pixels)[at] : ((const guint16 *) pixels)[at];
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

  memset (out, 0, sizeof *out);
  out->unit = fen_roi_unit (image);
  out->area_px = _fen_roi_area (roi);
  if (info->pixel_spacing[0] > 0 && info->pixel_spacing[1] > 0)
    out->area_mm2 = out->area_px * info->pixel_spacing[0] * info->pixel_spacing[1];
  _fen_roi_stats_finish (out, &moments, slope, intercept);
  return TRUE;
}

void
_fen_roi_stats_finish (FenRoiStats *out, const FenRoiMoments *moments, double slope, double intercept)
{
  const guint64 n = moments->n;

  out->n = n;
  if (n == 0)
    {
      out->mean = out->sd = out->min = out->max = NAN;
      return;
    }
  /* PS3.3 C.11.1: the rescale is linear, so it applies to the moments:
   * mean(a s + b) = a mean(s) + b; sd(a s + b) = |a| sd(s), dividing by n. */
  out->mean = slope * ((double) moments->sum / (double) n) + intercept;
  out->sd = fabs (slope) * sqrt (moments->squares / (double) n);
  const double a = slope * (double) moments->min + intercept, b = slope * (double) moments->max + intercept;
  out->min = MIN (a, b);
  out->max = MAX (a, b);
}
