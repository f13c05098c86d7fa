/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-geometry.h: where an image plane lies in the patient (DICOM Image Plane
 * module, PS3.3 C.7.6.2): slice normal, position along it, image <-> patient
 * coordinates and orientation letters. GTK-free; used by FenVolume, the
 * reformat renderer and the viewer. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"

G_BEGIN_DECLS

/**
 * FenGeometryError:
 * Errors of %FEN_GEOMETRY_ERROR.
 */
typedef enum {
  FEN_GEOMETRY_ERROR_MISSING,  /* no Image Position / Orientation / Pixel Spacing */
  FEN_GEOMETRY_ERROR_INVALID,  /* direction cosines not unit length or not orthogonal */
} FenGeometryError;

#define FEN_GEOMETRY_ERROR (fen_geometry_error_quark ())
GQuark fen_geometry_error_quark (void);

/**
 * FenPlaneGeometry:
 * One image plane in patient coordinates (LPS, mm), PS3.3 C.7.6.2.1.1.
 * @position: Image Position (Patient), the centre of the first pixel
 *   (column 0, row 0)
 * @row_dir: first triplet of Image Orientation (Patient): the direction in
 *   which the column index grows, along a row (normalised)
 * @col_dir: second triplet: the direction in which the row index grows
 * @normal: @row_dir x @col_dir, unit length
 * @spacing: Pixel Spacing (0028,0030) as in the file: [0] between rows
 *   (along @col_dir), [1] between columns (along @row_dir)
 */
typedef struct {
  double position[3];
  double row_dir[3];
  double col_dir[3];
  double normal[3];
  double spacing[2];
} FenPlaneGeometry;

/**
 * fen_plane_geometry_init:
 * Fills @geometry from Image Position (Patient) @position, Image Orientation
 * (Patient) @orientation (six direction cosines) and Pixel Spacing @spacing.
 * The cosines are normalised; the two must be orthogonal within 1e-3 (files
 * written with few digits are common) and each of length 1 within 1e-2.
 * Returns: %FALSE with %FEN_GEOMETRY_ERROR_INVALID otherwise.
 */
gboolean fen_plane_geometry_init (FenPlaneGeometry *geometry,
                                  const double      position[3],
                                  const double      orientation[6],
                                  const double      spacing[2],
                                  GError          **error);

/**
 * fen_plane_geometry_from_info:
 * As fen_plane_geometry_init() from a loaded image's metadata; for an
 * image whose frames have their own positions (FenImageInfo.frame_positions),
 * the plane of @frame.
 * Returns: %FALSE with %FEN_GEOMETRY_ERROR_MISSING when the image lacks
 * position, orientation or pixel spacing.
 */
gboolean fen_plane_geometry_from_info (FenPlaneGeometry   *geometry,
                                       const FenImageInfo *info,
                                       guint               frame,
                                       GError            **error);

/* Position of the plane along its own normal, mm (normal . position): what
 * orders the slices of a stack. */
double   fen_plane_geometry_get_distance (const FenPlaneGeometry *geometry);

/* Patient coordinates of the image point (@column, @row); integer values are
 * pixel centres. */
void     fen_plane_geometry_image_to_patient (const FenPlaneGeometry *geometry,
                                              double                  column,
                                              double                  row,
                                              double                  patient[3]);

/**
 * fen_plane_geometry_patient_to_image:
 * The inverse: the column and row of the point of the plane nearest to
 * @patient, and (@distance, nullable) how far @patient lies from the plane
 * along the normal, in mm.
 */
void     fen_plane_geometry_patient_to_image (const FenPlaneGeometry *geometry,
                                              const double            patient[3],
                                              double                 *column,
                                              double                 *row,
                                              double                 *distance);

/**
 * fen_geometry_orientation_letters:
 * The patient directions a direction vector points to (PS3.3 C.7.6.1.1.1):
 * R/L for -x/+x, A/P for -y/+y, F/H for -z/+z, the largest component first,
 * components below @tolerance left out (0.0001 names every non-zero one;
 * 0.5 only the dominant one). At most three letters and a NUL in @out;
 * an empty string for a zero vector.
 */
void     fen_geometry_orientation_letters (const double dir[3],
                                           double       tolerance,
                                           char         out[4]);

/**
 * fen_plane_geometry_reference_line:
 * @shown: the plane on screen, @columns x @rows pixels
 * @other: the plane to mark on it (another pane's current slice)
 * @line: (out caller-allocates) (array fixed-size=4): x0, y0, x1, y1 in
 *   @shown's image coordinates (pixel (i, j) covers [i, i+1) x [j, j+1), so
 *   a pixel centre is at i + 0.5)
 *
 * A reference line: where @other's plane cuts @shown's, clipped to @shown's
 * image. Returns: %FALSE when the planes are parallel (within 1e-6) or the
 * line misses the image.
 */
gboolean fen_plane_geometry_reference_line (const FenPlaneGeometry *shown,
                                            guint                   columns,
                                            guint                   rows,
                                            const FenPlaneGeometry *other,
                                            double                  line[4]);

/**
 * fen_geometry_edge_letters:
 * @orientation: Image Orientation (Patient): row, then column direction
 *   cosines (PS3.3 C.7.6.2.1.1)
 * @right: the step in image pixels (column, row) that one output pixel to
 *   the right takes, whatever the view's rotation and flips
 * @down: the same for one output pixel down
 * @out: the letters for the left, right, top and bottom edges of the output
 *
 * What a viewer writes at its four edges: the patient directions the
 * screen's axes point to, each direction's letters named by
 * fen_geometry_orientation_letters() with the viewer's tolerance (0.25:
 * up to two letters for an oblique axis).
 */
void     fen_geometry_edge_letters (const double orientation[6],
                                    const double right[2],
                                    const double down[2],
                                    char         out[4][4]);

/**
 * fen_geometry_slice_location:
 * @normal: (out caller-allocates): the slice normal, row x column direction
 *   (PS3.3 C.7.6.2.1.1), unit length
 * @position: (out caller-allocates): Image Position (Patient) of @frame, mm;
 *   its distance along @normal is fen_vec3_dot (normal, position)
 *
 * Where @frame of an image lies in a stack: what puts the slices of two
 * series side by side. Needs Image Position (Patient) (the frame's own when
 * frames have their own) and Image Orientation (Patient) only, not Pixel
 * Spacing. Returns: %FALSE when either is missing or the orientation is not
 * two orthogonal unit vectors.
 */
gboolean fen_geometry_slice_location (const FenImageInfo *info,
                                      guint               frame,
                                      double              normal[3],
                                      double              position[3]);

/**
 * fen_geometry_same_frame_of_reference:
 * Whether @a and @b name one Frame of Reference UID, so that their Image
 * Position (Patient) values are in one coordinate system (PS3.3
 * C.7.4.1.1.1). One study is not enough: two acquisitions of a study may
 * have different frames of reference. %FALSE when either has none.
 */
gboolean fen_geometry_same_frame_of_reference (const FenImageInfo *a,
                                               const FenImageInfo *b);

/**
 * fen_plane_geometry_grid_offset:
 * When @other's pixel grid is @plane's shifted within the plane (one
 * orientation within 1e-4 per direction cosine, one pixel spacing within
 * 1e-4 mm), where @other's pixel (0, 0) lies in @plane's pixel coordinates
 * (@dx columns, @dy rows); the distance between the planes along the normal
 * is not looked at. Both must be in one frame of reference: see
 * fen_geometry_same_frame_of_reference(). Returns: %FALSE when the grids
 * differ in orientation or spacing.
 */
gboolean fen_plane_geometry_grid_offset (const FenPlaneGeometry *plane,
                                         const FenPlaneGeometry *other,
                                         double                 *dx,
                                         double                 *dy);

/**
 * FenGeometryLocation:
 * Where a patient point falls in a stack (fen_geometry_locate()).
 * @slice: the index, in the array given, of the slice nearest the point
 *   along the normal
 * @x: the point's projection on that slice, image coordinates (pixel
 *   (i, j) covers [i, i+1) x [j, j+1), so a pixel centre is at i + 0.5)
 * @y: the same, down the rows
 * @distance: from that slice's plane to the point along its normal, mm
 */
typedef struct {
  guint  slice;
  double x, y;
  double distance;
} FenGeometryLocation;

/**
 * fen_geometry_locate:
 * @slices: (array length=n_slices): the planes of one stack, in any order,
 *   all @columns x @rows pixels
 * @point: a patient point (LPS, mm), as fen_plane_geometry_image_to_patient()
 *   gives it
 * @out: (out caller-allocates): the nearest slice and the projection on it
 *
 * What a 3D cursor does in a pane: the slice nearest @point (the smallest
 * |distance| along its own normal, the first of equals in @slices' order)
 * and where @point projects on it (PS3.3 C.7.6.2.1.1).
 *
 * Returns: %FALSE, leaving @out alone, when @point is not in the stack:
 * no slices; slices not parallel (normals within 0.999, as the slice
 * links ask); @point more than half a slice spacing beyond the first or
 * last slice (the spacing between that end slice and the next position
 * along the normal; a single slice, a localizer, takes any distance: a
 * projection on it is what a reader wants); or a projection outside the
 * image ([0, @columns] x [0, @rows], edges included).
 */
gboolean fen_geometry_locate (const FenPlaneGeometry *slices,
                              guint                   n_slices,
                              guint                   columns,
                              guint                   rows,
                              const double            point[3],
                              FenGeometryLocation    *out);

/* Vector helpers shared by the volume code. */
double   fen_vec3_dot       (const double a[3], const double b[3]);
void     fen_vec3_cross     (const double a[3], const double b[3], double out[3]);
double   fen_vec3_normalize (double v[3]);

G_END_DECLS
