/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-measure.h: a measurement drawn on a reformatted plane of the MPR
 * layout, GTK-free. A reformatted plane has no frame, no pixel grid and no
 * SOP Instance UID of its own, so the measurement keeps its points in
 * patient coordinates (LPS, mm) with the plane's directions it was drawn
 * on; its length is measured between those points and its region's
 * statistics are taken from the volume's modality values sampled on the
 * plane (fen_renderer_reformat_values()). */
#pragma once

#include "fen-types.h"
#include "fen-measurement.h"
#include "fen-mpr-planes.h"
#include "fen-reformat.h"
#include "fen-render.h"
#include "fen-roi.h"
#include "fen-volume.h"

G_BEGIN_DECLS

typedef enum {
  FEN_MPR_MEASURE_DISTANCE,   /* from points[0] to points[1] */
  FEN_MPR_MEASURE_ELLIPSE,    /* centre points[0], a corner of its box points[1];
                                 axes along the frame's right and down */
  FEN_MPR_MEASURE_RECTANGLE,  /* opposite corners points[0], points[1]; sides
                                 along the frame's right and down */
  FEN_MPR_MEASURE_ANGLE,      /* 3 points, the vertex points[1] */
  FEN_MPR_MEASURE_COBB,       /* 4 points: two lines, each by two points */
  FEN_MPR_MEASURE_POLYGON,    /* 3 to FEN_MPR_MEASURE_MAX_POINTS points, closed
                                 (a freehand outline) */
  FEN_MPR_MEASURE_ARROW,      /* 2 points, tail then head, and a text */
} FenMprMeasureKind;

/* An arrow's text, bytes with the terminating NUL. */
#define FEN_MPR_MEASURE_TEXT_MAX 128

/* The most points a plane measurement has: a freehand outline's (a slice's
 * may have 4096, FEN_MEASUREMENT_MAX_POINTS; a plane's are kept inline,
 * so that the measurement stays plain data: 1024 vertices a few pixels
 * apart go round any pane). */
#define FEN_MPR_MEASURE_MAX_POINTS 1024

/* How many points @kind has: 2, 3 for an angle, 4 for a Cobb angle; the
 * fewest for a freehand outline, 3. */
guint fen_mpr_measure_kind_n_points (FenMprMeasureKind kind);

/**
 * FenMprMeasure:
 * Plain data, copied freely.
 * @frame: the directions of the plane it was drawn on (its normal says which
 *   planes show it: fen_mpr_measure_is_on_plane())
 * @n_points: fen_mpr_measure_kind_n_points() of @kind
 * @text: an arrow's text, UTF-8 (fen_mpr_measure_set_text()); empty for
 *   the other kinds
 * @points: patient coordinates, mm; all on the plane (the others are
 *   projected onto the plane through the first by fen_mpr_measure_init())
 */
typedef struct {
  FenMprMeasureKind kind;
  FenMprFrame       frame;
  guint             n_points;
  double            points[FEN_MPR_MEASURE_MAX_POINTS][3];
  char              text[FEN_MPR_MEASURE_TEXT_MAX];
} FenMprMeasure;

/* Sets @m's text (an arrow's): @text, cut at a character's start to fit
 * FEN_MPR_MEASURE_TEXT_MAX. Returns: %FALSE (leaving it) when @text is
 * not UTF-8. */
gboolean fen_mpr_measure_set_text   (FenMprMeasure *m, const char *text);

/* Sets @m of a two-point @kind (distance, ellipse, rectangle); @b is
 * projected onto the plane of @frame through @a. @frame, @a and @b may
 * point into @m itself (a measurement moved). */
void     fen_mpr_measure_init        (FenMprMeasure     *m,
                                      FenMprMeasureKind  kind,
                                      const FenMprFrame *frame,
                                      const double       a[3],
                                      const double       b[3]);

/**
 * fen_mpr_measure_init_points:
 * Sets @m of any @kind from its fen_mpr_measure_kind_n_points() @points
 * (a freehand outline: 3 to FEN_MPR_MEASURE_MAX_POINTS; 3 values each;
 * they may be @m's own), every one after the first projected onto the
 * plane of @frame through the first; no text.
 * Returns: %FALSE (leaving @m) when @n_points does not fit @kind.
 */
gboolean fen_mpr_measure_init_points (FenMprMeasure     *m,
                                      FenMprMeasureKind  kind,
                                      const FenMprFrame *frame,
                                      const double      *points,
                                      guint              n_points);

/**
 * fen_mpr_measure_angle_deg:
 * An angle at its vertex, or a Cobb angle between its two lines (0 to 90
 * degrees): the slices' rule (fen_measurement_angle_deg()) on the points
 * in mm on the plane. NaN for other kinds, or when a line has no length.
 */
double   fen_mpr_measure_angle_deg   (const FenMprMeasure *m);

/**
 * fen_mpr_measure_length_mm:
 * The distance between the two points, mm (PS3.3 C.7.6.2.1.1: patient
 * coordinates are in mm, so the Euclidean norm of their difference).
 */
double   fen_mpr_measure_length_mm   (const FenMprMeasure *m);

/**
 * fen_mpr_measure_is_on_plane:
 * Whether the plane with @frame through @point holds @m: the two normals
 * parallel (within 1e-6) and @m's points within @tolerance mm of the plane
 * along its normal (a pane passes half the native step).
 */
gboolean fen_mpr_measure_is_on_plane (const FenMprMeasure *m,
                                      const FenMprFrame   *frame,
                                      const double         point[3],
                                      double               tolerance);

/**
 * fen_mpr_measure_hits_body:
 * Whether @point (patient coordinates, mm; taken along @m's normal onto
 * its plane) lies on @m's body, as a slice's measurement is grabbed whole:
 * inside a region (ellipse, rectangle, freehand outline) or within @reach
 * mm of it, or within @reach mm of one of its lines (a distance, an
 * angle's arms, each of a Cobb angle's two lines, an arrow).
 */
gboolean fen_mpr_measure_hits_body   (const FenMprMeasure *m,
                                      const double         point[3],
                                      double               reach);

/**
 * fen_mpr_measure_move:
 * Sets @m to @from moved by @delta (mm) along @from's plane (@delta's part
 * along the normal is dropped, so @m stays on that plane): every point, the
 * kind, the frame and the text as they were. @m may be @from.
 */
void     fen_mpr_measure_move        (FenMprMeasure       *m,
                                      const FenMprMeasure *from,
                                      const double         delta[3]);

/**
 * fen_mpr_measure_describe_plane:
 * Which plane holds @m, in words for a list: "axial, z 39.5 mm",
 * "coronal, y -48.3 mm" or "sagittal, x -80.3 mm" when its normal lies
 * along a patient axis (within 0.26 degrees), else "oblique, D mm along
 * (nx, ny, nz)".
 * Returns: (transfer full)
 */
char    *fen_mpr_measure_describe_plane (const FenMprMeasure *m);

/**
 * fen_mpr_measure_stats:
 * The statistics of an ellipse, a rectangle or a freehand outline over @volume's modality
 * values on @m's plane: sampled (nearest voxel, fen_renderer_reformat_values())
 * on a grid along the frame's right and down at @volume's native spacing in
 * those directions (fen_volume_get_spacing_along()), the grid's points on
 * the lattice of @volume's voxel centres projected on the plane, so that a
 * native plane samples each voxel once. A grid point is inside by
 * fen_roi_contains()'s rule, in mm on the plane; points outside the volume
 * count not. The moments and the rescale (PS3.3 C.11.1, the slices' one
 * rescale) and the unit are fen_roi_stats()'s; @out's area_mm2 is the
 * shape's exact area, area_px that in grid pixels. Allocates the region's
 * bounding box of values.
 * Returns: %FALSE with @error (%FEN_IO_ERROR_UNSUPPORTED for a distance or a
 * colour volume, %FEN_IO_ERROR_CORRUPT for an empty shape,
 * %FEN_VOLUME_ERROR_EVICTED when the slices cannot be read).
 */
gboolean fen_mpr_measure_stats       (const FenMprMeasure *m,
                                      const FenVolume     *volume,
                                      FenRenderer         *renderer,
                                      FenRoiStats         *out,
                                      GError             **error);

/**
 * fen_mpr_measure_stats_slab:
 * As fen_mpr_measure_stats() on a slab plane: each grid point's value is
 * its projection over the slab of @thickness mm (@slab: maximum, minimum
 * or mean of the samples inside, rounded to a stored value; FenSlabMode,
 * fen_renderer_reformat()), the values the pane shows; %FEN_SLAB_NONE is
 * fen_mpr_measure_stats().
 */
gboolean fen_mpr_measure_stats_slab  (const FenMprMeasure *m,
                                      const FenVolume     *volume,
                                      FenRenderer         *renderer,
                                      FenSlabMode          slab,
                                      double               thickness,
                                      FenRoiStats         *out,
                                      GError             **error);

G_END_DECLS
