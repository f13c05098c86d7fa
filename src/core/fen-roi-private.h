/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-roi-private.h: what fen-roi.c shares with other region statistics
 * (fen-mpr-measure.c) so that one set of rules holds: which shapes are
 * valid, their exact area, and how the stored values' moments become
 * modality statistics. */
#pragma once

#include "fenestra/fen-roi.h"

G_BEGIN_DECLS

/* Sums of the stored values inside a region: the first pass gives n, sum,
 * min and max; the second the squared distances from the mean. */
typedef struct {
  guint64 n;
  gint64  sum, min, max;
  double  squares;
} FenRoiMoments;

/* Finite coordinates, positive radii, at least 3 vertices; else @error
 * (FEN_IO_ERROR_CORRUPT). */
gboolean _fen_roi_valid        (const FenRoi *roi, GError **error);
/* The shape's exact area in its own units squared. */
double   _fen_roi_area         (const FenRoi *roi);
/* The bounding box of the shape. */
void     _fen_roi_bounds       (const FenRoi *roi, double *x0, double *y0, double *x1, double *y1);
/* @out's n, mean, sd, min and max from @moments through the linear rescale
 * (@slope, @intercept); NaN statistics for n = 0. Other fields untouched. */
void     _fen_roi_stats_finish (FenRoiStats *out, const FenRoiMoments *moments, double slope, double intercept);

G_END_DECLS
