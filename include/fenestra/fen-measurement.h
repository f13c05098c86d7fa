/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-measurement.h: what a reader draws on an image (distances, regions,
 * angles, Cobb angles, text arrows), as data that belongs to one frame of
 * one image, and the values each yields. GTK-free: the viewer draws these,
 * fen-measurement-file.h keeps them, the SR and CSV exports write them. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-roi.h"

G_BEGIN_DECLS

typedef enum {
  FEN_MEASUREMENT_DISTANCE,  /* 2 points */
  FEN_MEASUREMENT_ELLIPSE,   /* 2 points: the centre, then (centre x + rx, centre y + ry) */
  FEN_MEASUREMENT_RECTANGLE, /* 2 points: opposite corners */
  FEN_MEASUREMENT_POLYGON,   /* 3 or more points, closed */
  FEN_MEASUREMENT_ANGLE,     /* 3 points, the vertex in the middle */
  FEN_MEASUREMENT_COBB,      /* 4 points: two lines, each by two points */
  FEN_MEASUREMENT_ARROW,     /* 2 points, tail then head, and a text */
} FenMeasurementKind;

/* Vertices a polygon may have (the file reader refuses more). */
#define FEN_MEASUREMENT_MAX_POINTS 4096

typedef struct {
  FenMeasurementKind kind;
  guint              frame;    /* 0-based */
  guint              n_points;
  double            *points;   /* owned: x0, y0, x1, y1 ... in image coordinates */
  char              *text;     /* owned, nullable: an arrow's label */
} FenMeasurement;

/**
 * fen_measurement_new:
 * Returns: (transfer full): a measurement, or %NULL with @error when the
 * point count does not fit @kind or a coordinate is not finite.
 */
FenMeasurement *fen_measurement_new  (FenMeasurementKind kind,
                                      guint              frame,
                                      const double      *points,
                                      guint              n_points,
                                      const char        *text,
                                      GError           **error);
FenMeasurement *fen_measurement_copy (const FenMeasurement *m);
void            fen_measurement_free (FenMeasurement *m);

const char     *fen_measurement_kind_to_string   (FenMeasurementKind kind);
gboolean        fen_measurement_kind_from_string (const char *name, FenMeasurementKind *kind);

/* The region of an ellipse, rectangle or polygon (borrows @m's points). */
gboolean        fen_measurement_get_roi  (const FenMeasurement *m, FenRoi *roi);

/**
 * fen_measurement_length_mm:
 * A distance's length with the image's Pixel Spacing (PS3.3 C.7.6.2.1.1:
 * row spacing between rows, column spacing between columns). NaN without
 * spacing or for other kinds.
 */
double          fen_measurement_length_mm (const FenMeasurement *m, const FenImageInfo *info);

/**
 * fen_measurement_angle_deg:
 * An angle at its vertex, or a Cobb angle between its two lines (0 to 90
 * degrees), in millimetre space (anisotropic pixels taken into account;
 * square pixels when the spacing is unknown). NaN for other kinds.
 */
double          fen_measurement_angle_deg (const FenMeasurement *m, const FenImageInfo *info);

/**
 * fen_measurement_lines_near:
 * Whether (@px, @py) lies within @reach of the lines a measurement's @n
 * points @xy (2 a point, any unit) draw: each point to the next, and the
 * last back to the first when @closed (an outline); with @two_lines the
 * segment from point 1 to point 2 is left out (a Cobb angle is two lines,
 * not a path through its four points). Slices (image pixels) and planes
 * (mm on the plane) share it.
 */
gboolean        fen_measurement_lines_near (const double *xy, guint n, gboolean closed, gboolean two_lines,
                                            double px, double py, double reach);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenMeasurement, fen_measurement_free)

G_END_DECLS
