/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport.h: the widget that shows one frame through the window/level table. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_VIEWPORT (fen_viewport_get_type ())
G_DECLARE_FINAL_TYPE (FenViewport, fen_viewport, FEN, VIEWPORT, GtkWidget)

GtkWidget *fen_viewport_new            (void);
/* @monitor is borrowed and must outlive the viewport's textures. */
void       fen_viewport_set_monitor    (FenViewport *self, FenMemoryMonitor *monitor);

/**
 * fen_viewport_set_image:
 * @image: (nullable) (transfer none): the viewport takes a reference, dropped
 *   by the next call, so call with %NULL before closing the image
 * @keep_view: keep zoom, pan and window (moving within a series)
 */
void       fen_viewport_set_image      (FenViewport *self, FenImage *image, guint frame, gboolean keep_view);
/* Returns: (transfer none) (nullable) */
FenImage  *fen_viewport_get_image      (FenViewport *self);
guint      fen_viewport_get_frame      (FenViewport *self);

void       fen_viewport_get_window     (FenViewport *self, FenWindowParams *out);
void       fen_viewport_set_window     (FenViewport *self, double center, double width);
/* Shows the image through its @index-th VOI LUT (from 1) instead of a window. */
void       fen_viewport_set_voi_lut    (FenViewport *self, guint index);
void       fen_viewport_auto_window    (FenViewport *self);
void       fen_viewport_toggle_invert  (FenViewport *self);
void       fen_viewport_reset          (FenViewport *self);

double     fen_viewport_get_zoom       (FenViewport *self);
void       fen_viewport_zoom_by        (FenViewport *self, double factor);
void       fen_viewport_fit            (FenViewport *self);
void       fen_viewport_one_to_one     (FenViewport *self);
void       fen_viewport_rotate         (FenViewport *self, int quarter_turns);
void       fen_viewport_flip           (FenViewport *self, gboolean horizontal);

/* The view as linked viewports share it, FEN_VIEWPORT_VIEW_TYPE: the image
 * point at the centre as a fraction of the image's size, the zoom, whether
 * it fits the widget, the quarter turns clockwise and the mirrors in image
 * space (horizontal, vertical), as FenView holds them. get returns a
 * floating reference. */
#define FEN_VIEWPORT_VIEW_TYPE "(dddbibb)"
GVariant  *fen_viewport_get_view       (FenViewport *self);
void       fen_viewport_set_view       (FenViewport *self, GVariant *view);

/* What a left drag does: the window (NONE) or draw a measurement. */
typedef enum {
  FEN_VIEWPORT_TOOL_NONE,
  FEN_VIEWPORT_TOOL_DISTANCE,
  FEN_VIEWPORT_TOOL_ELLIPSE,
  FEN_VIEWPORT_TOOL_RECTANGLE,
  FEN_VIEWPORT_TOOL_POLYGON,
  FEN_VIEWPORT_TOOL_ANGLE,
  FEN_VIEWPORT_TOOL_COBB,
  FEN_VIEWPORT_TOOL_ARROW,
} FenViewportTool;

/* "none", "distance", "ellipse", "rectangle", "polygon", "angle", "cobb", "arrow" */
const char *fen_viewport_tool_to_string   (FenViewportTool tool);
FenViewportTool fen_viewport_tool_from_string (const char *name);

FenViewportTool fen_viewport_get_tool  (FenViewport *self);
/* A press on a measurement of the frame shown selects it and drags it (a
 * handle, or the whole) whatever the tool; elsewhere the tool draws a new
 * one (angle and Cobb take two drags). Leaving a tool keeps what was drawn. */
void       fen_viewport_set_tool       (FenViewport *self, FenViewportTool tool);
/* Measurements of the frame shown. */
guint      fen_viewport_get_n_measurements (FenViewport *self);
/**
 * fen_viewport_get_measurements:
 * The measurements of the image shown, every frame, in the order drawn;
 * kept per user by SOP Instance UID (fen-measurement-file.h), loaded when
 * the image is shown, saved after every change.
 * ::measurements-changed says when they or the selection change.
 * Returns: (transfer none) (element-type FenMeasurement)
 */
GPtrArray *fen_viewport_get_measurements (FenViewport *self);
/* The selected one's index in fen_viewport_get_measurements(), or -1. */
int        fen_viewport_get_selected_measurement (FenViewport *self);
/* Selects @index (-1: none), drawn with its handles on its frame. */
void       fen_viewport_select_measurement (FenViewport *self, int index);
void       fen_viewport_delete_measurement (FenViewport *self, int index);
/* The region statistics of measurement @index, from the core (fen_roi_stats). */
gboolean   fen_viewport_measurement_stats  (FenViewport *self, guint index, FenRoiStats *out);
/* A scale bar in mm (when the image has a pixel spacing). */
void       fen_viewport_set_show_scale_bar (FenViewport *self, gboolean show);

/* The image pixel under the pointer and its value in modality units. */
gboolean   fen_viewport_get_pointer    (FenViewport *self, guint *x, guint *y, double *value);

/* @store is borrowed: the image shown is pinned in it (never evicted). */
void       fen_viewport_set_store      (FenViewport *self, FenStore *store);
/* FALSE while the image shown has its pixels evicted (nothing is drawn). */
gboolean   fen_viewport_has_pixels     (FenViewport *self);
/* The image shown got its pixels back: draw it. */
void       fen_viewport_reload         (FenViewport *self);
/* The pyramid level the view samples: 0 full resolution, k for 1:2^k. */
guint      fen_viewport_get_pyramid_level (FenViewport *self);
/* Frees the spare render buffers (main thread); returns the bytes freed.
 * Pyramid levels are the store's (fen_store_shed_caches()). */
gsize      fen_viewport_trim_render_buffers (FenViewport *self);

/**
 * FenViewportCompare:
 * @FEN_VIEWPORT_COMPARE_NONE: the image alone
 * @FEN_VIEWPORT_COMPARE_DIFFERENCE: modality(image) - modality(partner) per
 *   rendered pixel, through the viewport's own difference window
 * @FEN_VIEWPORT_COMPARE_FLICKER: the image and the partner in turn
 */
typedef enum {
  FEN_VIEWPORT_COMPARE_NONE,
  FEN_VIEWPORT_COMPARE_DIFFERENCE,
  FEN_VIEWPORT_COMPARE_FLICKER,
} FenViewportCompare;

void       fen_viewport_set_compare    (FenViewport *self, FenViewportCompare mode);
FenViewportCompare fen_viewport_get_compare (FenViewport *self);
/**
 * fen_viewport_set_partner:
 * @partner: (nullable) (transfer none): what a compare mode compares with;
 *   the viewport takes a reference and a pin, never a copy
 * The two must be of one size, or share a Frame of Reference UID, pixel
 * spacing and orientation; otherwise the viewport says so instead.
 */
void       fen_viewport_set_partner    (FenViewport *self, FenImage *partner, guint frame);
/* The difference window (modality units of the difference). */
void       fen_viewport_get_difference_window (FenViewport *self, FenWindowParams *out);

/**
 * FenViewportReferenceLine:
 * Another pane's slice where it cuts the frame shown (fen-geometry's
 * fen_plane_geometry_reference_line()): @line in the frame's image
 * coordinates (x0, y0, x1, y1), drawn in @color, solid and wider when
 * @emphasis (the active pane's), else dashed.
 */
typedef struct {
  double  line[4];
  GdkRGBA color;
  gboolean emphasis;
} FenViewportReferenceLine;

/* At most one per other pane. */
#define FEN_VIEWPORT_MAX_REFERENCE_LINES 3

/* Replaces the reference lines drawn over the frame shown (copied; none
 * when @n_lines is 0; at most FEN_VIEWPORT_MAX_REFERENCE_LINES). */
void       fen_viewport_set_reference_lines (FenViewport                    *self,
                                             const FenViewportReferenceLine *lines,
                                             guint                           n_lines);
/* The 3D cursor's mark at image point (@x, @y) of the frame shown, or none.
 * Placing the cursor is the viewport's: a left press with Shift (and a drag
 * on from it) emits FenViewport::cursor-placed with the point in patient
 * coordinates; the window decides what every pane shows of it. */
void       fen_viewport_set_cursor_mark     (FenViewport *self, gboolean shown, double x, double y);

/* Groups repeated events (wheel, keys) into one operation of the memory log. */
void       fen_viewport_note_operation (FenViewport *self, const char *name);

G_END_DECLS
