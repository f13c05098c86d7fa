/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-planes.h: the geometry of an MPR layout, GTK-free: where the
 * crosshair centre is in the patient, which way each pane's plane faces,
 * each pane's zoom and pan, and from those the plane a pane renders
 * (fen_renderer_reformat()), where a patient point falls on screen, the
 * crosshair lines, what a press near them grabs, rotation into oblique
 * planes and the native step along a plane's normal. Screen coordinates
 * are a pane's logical pixels, (0, 0) its top left, y down. */
#pragma once

#include "fen-types.h"
#include "fen-geometry.h"
#include "fen-sampling.h"
#include "fen-volume.h"

G_BEGIN_DECLS

/**
 * FenMprPlane:
 * The panes of the layout: the three patient planes, shown in the
 * radiological convention (the patient's right on the screen's left; an
 * axial plane seen from the feet, anterior up; a coronal plane from the
 * front, head up; a sagittal plane from the patient's left, anterior on
 * the left, head up), and the stack's own acquisition plane, which the
 * layout shows only when it is oblique (fen_mpr_planes_get_n_planes()).
 */
typedef enum {
  FEN_MPR_PLANE_AXIAL,
  FEN_MPR_PLANE_CORONAL,
  FEN_MPR_PLANE_SAGITTAL,
  FEN_MPR_PLANE_ACQUISITION,
  FEN_MPR_N_PLANES
} FenMprPlane;

/**
 * FenMprFrame:
 * Which way a pane's plane faces, in patient coordinates (LPS, unit
 * vectors): @right is the screen's x direction, @down its y direction,
 * @normal = @right x @down (the slab direction).
 */
typedef struct {
  double right[3];
  double down[3];
  double normal[3];
} FenMprFrame;

/**
 * FenMprPaneView:
 * @zoom: logical screen pixels per mm
 * @pan: where the pane's centre is, mm along @right and @down from the
 *   volume's centre
 * @width, @height: the pane's size, logical pixels
 * @fitted: the view fits the stack's box and follows the pane's size (a
 *   zoom or pan leaves it)
 */
typedef struct {
  double   zoom;
  double   pan[2];
  int      width, height;
  gboolean fitted;
} FenMprPaneView;

/**
 * FenMprPlanes:
 * The whole state; plain data, copied freely.
 * @center: the crosshair centre (LPS, mm): every pane's plane passes
 *   through it
 * @volume_center: the middle of the stack's box, what a fitted pane centres
 * @corners: the stack's box (voxel edges: half a pixel beyond the outer
 *   pixel centres, half the median spacing beyond the end slices)
 */
typedef struct {
  double      center[3];
  double      volume_center[3];
  double      corners[8][3];
  FenMprFrame frames[FEN_MPR_N_PLANES];
  FenMprPaneView  views[FEN_MPR_N_PLANES];
  guint       n_planes;
} FenMprPlanes;

/**
 * FenMprHit:
 * What a press in a pane takes (fen_mpr_planes_hit()): nothing (a window
 * drag), the crosshair centre (a drag moves the other planes) or the outer
 * part of another plane's line (a drag turns the crosshair, giving oblique
 * planes).
 */
typedef enum {
  FEN_MPR_HIT_NONE,
  FEN_MPR_HIT_CENTER,
  FEN_MPR_HIT_LINE,
} FenMprHit;

/**
 * fen_mpr_planes_init:
 * The layout of @volume at rest: the three patient planes, plus the
 * acquisition plane when the slices' normal lies more than 1 degree off
 * every patient axis, or their rows or columns more than 1 degree off the
 * patient axes (an oblique acquisition); the centre on the voxel centre
 * nearest the middle of the stack (pixel (columns / 2, rows / 2) of slice
 * n / 2), so that each plane starts on a native plane; every pane fitted
 * once fen_mpr_planes_set_size() gives it a size.
 */
void     fen_mpr_planes_init     (FenMprPlanes *planes, const FenVolume *volume);
guint    fen_mpr_planes_get_n_planes (const FenMprPlanes *planes);
/* "Axial", "Coronal", "Sagittal", "Acquisition". */
const char *fen_mpr_plane_to_string (FenMprPlane plane);

/* A new size for @plane's pane; a fitted view is fitted again. */
void     fen_mpr_planes_set_size (FenMprPlanes *planes, FenMprPlane plane, int width, int height);
/* Zoom so the stack's box fits the pane, centred on the box's middle. */
void     fen_mpr_planes_fit      (FenMprPlanes *planes, FenMprPlane plane);
/* Zooms by @factor keeping the patient point under (@sx, @sy) there. */
void     fen_mpr_planes_zoom_about (FenMprPlanes *planes, FenMprPlane plane, double factor, double sx, double sy);
/* Zooms about the pane's centre to one native pixel (the finer of the
 * native steps across and down the plane, fen_volume_get_spacing_along())
 * per device pixel at @scale device pixels per logical pixel: the slice
 * view's 1:1. */
void     fen_mpr_planes_one_to_one (FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume, int scale);
/* Pans so that a drag of (@dx, @dy) pixels from a pan of @start moves the
 * picture with the pointer. */
void     fen_mpr_planes_pan      (FenMprPlanes *planes, FenMprPlane plane, const double start[2], double dx, double dy);

/**
 * fen_mpr_planes_to_screen:
 * Where @patient falls in @plane's pane: its projection along the plane's
 * normal, in logical pixels; (@distance, nullable) how far it lies from
 * the plane along the normal, mm.
 */
void     fen_mpr_planes_to_screen  (const FenMprPlanes *planes, FenMprPlane plane, const double patient[3],
                                    double *sx, double *sy, double *distance);
/* The inverse: the point of @plane (through the centre) at (@sx, @sy). */
void     fen_mpr_planes_to_patient (const FenMprPlanes *planes, FenMprPlane plane, double sx, double sy,
                                    double patient[3]);

/**
 * fen_mpr_planes_get_geometry:
 * The output grid of @plane's pane at @scale device pixels per logical
 * pixel, as fen_renderer_reformat() takes it (FenReformat.plane): device
 * pixel (i, j) is the point under logical ((i + 0.5) / @scale,
 * (j + 0.5) / @scale), rows along the frame's right, columns down.
 */
void     fen_mpr_planes_get_geometry (const FenMprPlanes *planes, FenMprPlane plane, int scale,
                                      FenPlaneGeometry *out);

/**
 * fen_mpr_planes_get_visible:
 * The part of @plane's output grid (@out_width x @out_height device pixels
 * at @scale, as fen_mpr_planes_get_geometry()) where @volume can show:
 * the bounding rectangle of every slice's pixel area (half a pixel beyond
 * its outer pixel centres, and half the slice spacing either side along
 * its normal, as fen_renderer_reformat() takes inside) projected on the
 * plane along its normal, so that a slab shows within it too, widened by
 * one pixel and clipped to the output. Every output pixel outside it is
 * background. @geometry (nullable) is the grid of @rect alone: its first
 * pixel is the output's pixel (@rect->x, @rect->y).
 * Returns: %FALSE (@rect empty) when the volume is off the output.
 */
gboolean fen_mpr_planes_get_visible (const FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume,
                                     int scale, guint out_width, guint out_height, FenPixelRect *rect,
                                     FenPlaneGeometry *geometry);

/**
 * fen_mpr_planes_get_line:
 * Where @other's plane cuts @plane's pane: the line through the centre,
 * clipped to the pane, x0, y0, x1, y1 in logical pixels (the ends on the
 * pane's edges). Returns: %FALSE when the two are parallel, or the line
 * misses the pane.
 */
gboolean fen_mpr_planes_get_line (const FenMprPlanes *planes, FenMprPlane plane, FenMprPlane other,
                                  double line[4]);

/**
 * fen_mpr_planes_hit:
 * What a press at (@sx, @sy) in @plane's pane grabs: the centre within
 * @tolerance pixels of it; else a line of another patient plane (@other)
 * within @tolerance of it and at least a quarter of the pane's smaller side
 * from the centre (its outer part, where a turn is precise); else nothing.
 */
FenMprHit fen_mpr_planes_hit     (const FenMprPlanes *planes, FenMprPlane plane, double sx, double sy,
                                  double tolerance, FenMprPlane *other);

/* Moves the centre to the point of @plane under (@sx, @sy): the other
 * planes move, @plane stays. */
void     fen_mpr_planes_move_center (FenMprPlanes *planes, FenMprPlane plane, double sx, double sy);

/* The angle (radians, clockwise on screen from the x axis) of (@sx, @sy)
 * seen from the centre in @plane's pane. */
double   fen_mpr_planes_angle    (const FenMprPlanes *planes, FenMprPlane plane, double sx, double sy);

/**
 * fen_mpr_planes_rotate:
 * Turns the crosshair of @plane's pane by @angle radians (clockwise on
 * screen): the other patient planes turn about @plane's normal through the
 * centre, together (they stay perpendicular), and show oblique planes.
 */
void     fen_mpr_planes_rotate   (FenMprPlanes *planes, FenMprPlane plane, double angle);

/**
 * fen_mpr_planes_step:
 * The native step along @plane's normal (fen_volume_get_spacing_along()):
 * what one wheel click moves the plane.
 */
double   fen_mpr_planes_step     (const FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume);

/* Moves @plane by @steps native steps along its normal (positive: along
 * the normal), never beyond the stack's box. */
void     fen_mpr_planes_scroll   (FenMprPlanes *planes, FenMprPlane plane, const FenVolume *volume, int steps);

/* The plane's position along its normal, mm (normal . centre). */
double   fen_mpr_planes_get_depth (const FenMprPlanes *planes, FenMprPlane plane);

/* The letters at @plane's left, right, top and bottom edges
 * (fen_geometry_edge_letters(): PS3.3 C.7.6.1.1.1). */
void     fen_mpr_planes_edge_letters (const FenMprPlanes *planes, FenMprPlane plane, char out[4][4]);

G_END_DECLS
