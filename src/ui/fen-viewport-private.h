/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport-private.h: FenViewport's state, shared by fen-viewport*.c
 * (the widget, -compare for difference and flicker, -measure for
 * measurements, -reference for reference lines and the 3D cursor). */
#pragma once

#include "fen-viewport.h"
#include "fen-render-pool.h"

#include <fenestra/fen-pyramid.h>
#include <fenestra/fen-view.h>

G_BEGIN_DECLS

#define FEN_VIEWPORT_POOL_SIZE   3
/* Wheel or key events closer together than this are one operation. */
#define FEN_VIEWPORT_OP_IDLE_MS  400
#define FEN_VIEWPORT_FLICKER_MS  500

struct _FenViewport
{
  GtkWidget          parent_instance;

  /* Owned */
  FenImage          *image;
  FenPyramid        *pyramid;       /* of image, frame, borrowed from the store
                                     * (fen_store_release_pyramid); levels
                                     * built on demand, counted and shed there */
  FenLut            *lut;
  FenRenderer       *renderer;
  FenRenderPool     *pool;
  GdkTexture        *texture;       /* the last frame, reused while nothing changes */
  char              *op_name;       /* the grouped operation in progress */
  guint              op_timeout;
  guint              changed_idle;
  guint              trim_timeout;
  FenImage          *partner;       /* compared with; pinned like image */
  FenLut            *partner_lut;   /* flicker: the partner under our window */
  guint              flicker_timeout;

  /* Borrowed */
  FenMemoryMonitor  *monitor;
  FenStore          *store;
  GtkGestureDrag    *primary_drag;
  GtkGestureDrag    *zoom_drag;
  GtkGestureDrag    *pan_drag;

  guint              frame;
  FenWindowParams    window;
  gboolean           lut_valid;
  gboolean           texture_valid;
  int                texture_width;  /* device pixels of the output it was drawn for */
  int                texture_height;
  FenPixelRect       texture_rect;   /* where the texture lies on that output;
                                      * GTK draws the background around it */

  /* The view maths live in the core (FenView); the widget keeps its
   * output size in it. */
  FenView            view;

  /* Drags */
  FenMemoryOperation drag_op;
  gboolean           drag_op_open;
  double             drag_center, drag_width;
  double             drag_last_x, drag_last_y;
  double             drag_acc_x, drag_acc_y;
  double             drag_per_px;
  double             drag_zoom;
  double             drag_start_x, drag_start_y;
  double             drag_view_x, drag_view_y;

  /* Grouped events */
  FenMemoryOperation group_op;

  /* Compare */
  FenViewportCompare compare;
  guint              partner_frame;
  gboolean           partner_ok;     /* partner set and compatible */
  gboolean           partner_lut_valid;
  const char        *compare_message; /* why there is no comparison (static) */
  double             partner_dx, partner_dy; /* partner pixel (0,0) in image pixels */
  FenWindowParams    diff_window;
  gboolean           flicker_partner; /* flicker: the partner is on screen */

  /* Pointer and measurement (fen-viewport-measure.c) */
  gboolean           has_pointer;
  double             pointer_x, pointer_y;
  FenViewportTool    tool;
  GPtrArray         *marks;          /* owned: FenMeasurement of the image shown, every frame */
  GHashTable        *mark_stats;     /* owned: FenMeasurement (in marks) -> FenRoiStats, computed
                                      * once per change, not per frame drawn */
  char              *marks_uid;      /* owned: their image's SOP Instance UID; NULL: not kept */
  guint              marks_image;    /* their image's id */
  int                selected;       /* index in marks, or -1 */
  int                drawing;        /* index being drawn, or -1 */
  gboolean           second_drag;    /* angle, Cobb: the first drag is done */
  int                grab;           /* point dragged, G_MAXINT the whole, -1 nothing */
  double             grab_x, grab_y; /* image point at the press */
  double            *grab_points;    /* owned: the grabbed one's points at the press */
  GtkWidget         *arrow_popover;  /* owned (parented): an arrow's text */
  GtkEditable       *arrow_entry;
  gboolean           show_scale_bar;

  /* Other panes and the 3D cursor (fen-viewport-reference.c) */
  FenViewportReferenceLine reference_lines[FEN_VIEWPORT_MAX_REFERENCE_LINES]; /* of the frame shown */
  guint              n_reference_lines;
  gboolean           has_mark;
  double             mark_x, mark_y;  /* image coordinates */
  gboolean           placing_cursor;  /* a Shift+drag places the 3D cursor */
};

/* fen-viewport.c */
/* Something the overlays show changed; @redraw: the pixels too. */
void     _fen_viewport_changed              (FenViewport *self, gboolean redraw);
/* The window changed: tables are rebuilt, the frame redrawn. */
void     _fen_viewport_window_changed       (FenViewport *self);

/* fen-viewport-compare.c */
/* fen-viewport-render.c */
GdkTexture *_fen_viewport_render_texture    (FenViewport *self, int dw, int dh, int scale, FenPixelRect *rect);
void     _fen_viewport_snapshot_image       (FenViewport *self, GtkSnapshot *snapshot, int w, int h, int scale);

void     _fen_viewport_log_difference_window (FenViewport *self, const char *why);
/* Renders the comparison into @buffer (BGRA8, device pixels). */
void     _fen_viewport_render_compare       (FenViewport *self, int dw, int dh, int scale,
                                             guint8 *buffer, gsize stride);
void     _fen_viewport_compare_dispose      (FenViewport *self);
/* The difference under the pointer at image pixel (@x, @y), when there is one. */
gboolean _fen_viewport_difference_at        (FenViewport *self, guint x, guint y, double *value);

/* fen-viewport-measure.c */
void     _fen_viewport_class_measure_init   (GtkWidgetClass *widget_class);
void     _fen_viewport_measure_init         (FenViewport *self);
void     _fen_viewport_measure_dispose      (FenViewport *self);
void     _fen_viewport_measure_finalize     (FenViewport *self);
/* A press at output point (@x, @y): TRUE when it grabbed a measurement or
 * started one (the drag is then the measurement's). */
gboolean _fen_viewport_measure_begin        (FenViewport *self, double x, double y);
/* TRUE while a drag belongs to a measurement. */
gboolean _fen_viewport_measure_active       (FenViewport *self);
void     _fen_viewport_measure_update       (FenViewport *self, double x, double y);
void     _fen_viewport_measure_end          (FenViewport *self);
/* The image shown changed: its kept measurements replace the others. */
void     _fen_viewport_measure_image_changed (FenViewport *self);
void     _fen_viewport_measure_allocate     (FenViewport *self);
void     _fen_viewport_snapshot_measurements (FenViewport *self, GtkSnapshot *snapshot);

/* fen-viewport-reference.c */
void     _fen_viewport_class_reference_init (GtkWidgetClass *widget_class);
/* A left press with Shift: places the 3D cursor (signal "cursor-placed");
 * %FALSE when it is not one (the press is a window drag or a measurement). */
gboolean _fen_viewport_cursor_begin         (FenViewport *self, GtkGesture *gesture, double x, double y);
/* While placing: the cursor follows the drag; %FALSE when not placing. */
gboolean _fen_viewport_cursor_update        (FenViewport *self, GtkGestureDrag *gesture, double dx, double dy);
gboolean _fen_viewport_cursor_end           (FenViewport *self);
void     _fen_viewport_snapshot_references  (FenViewport *self, GtkSnapshot *snapshot);

G_END_DECLS
