/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-sr-mpr.h: the measurements drawn on a series' MPR planes
 * (fen-mpr-measure.h) as a DICOM Structured Report: a TID 1500 Measurement
 * Report in a Comprehensive 3D SR object, each region as SCOORD3D (points in
 * patient mm in the series' Frame of Reference), written with DCMTK's dcmsr. */
#pragma once

#include "fen-mpr-measure.h"

G_BEGIN_DECLS

/**
 * fen_sr_mpr_write:
 * @source: one DICOM file of the series the measurements were drawn on (its
 *   patient, study, image and Frame of Reference UID identify the report's
 *   subject)
 * @measures: (array length=n_measures): the series' plane measurements
 * @stats: (array length=n_measures) (nullable): each region's statistics
 *   as the viewer shows them (fen_mpr_measure_stats(), or its slab form);
 *   read for ellipses, rectangles and freehand outlines only
 * @path: the report to write: a Comprehensive 3D SR object in a new series
 *   of the image's study, written atomically (a failed write leaves the old
 *   file as it was)
 *
 * Each measurement becomes a TID 1410 measurement group of the Imaging
 * Measurements container: its region as SCOORD3D, "Image Region" (a
 * distance a POLYLINE of its 2 points; an ellipse an ELLIPSE of its axes'
 * 4 end points; a rectangle and a freehand outline a closed POLYGON; an
 * angle a POLYLINE of its 3 points, a Cobb angle of its 4; an arrow the
 * POINT it points at, its head), and its values: length in mm, angle in
 * degrees, area in mm² and, for CT (HU), mean, SD, minimum and maximum;
 * an arrow's text as a comment.
 * Returns: %FALSE with @error naming the cause (no measurement, a malformed
 * one, a source without a Frame of Reference UID, a write that failed).
 */
gboolean fen_sr_mpr_write (const char          *source,
                           const FenMprMeasure *measures,
                           const FenRoiStats   *stats,
                           guint                n_measures,
                           const char          *path,
                           GError             **error);

G_END_DECLS
