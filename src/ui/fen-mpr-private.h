/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-private.h: what FenMprLayout shares with its FenMprPanes: one
 * volume, one crosshair (FenMprPlanes), one window/level and one table for
 * every pane (one series), the slab, the renderer and the buffer pool. */
#pragma once

#include "fen-mpr-layout.h"
#include "fen-mpr-pane.h"
#include "fen-render-pool.h"
#include "fen-viewport.h"

G_BEGIN_DECLS

/* A measurement of the planes and its statistics (fen-mpr-measure.c). */
typedef struct _FenMprMeasureItem FenMprMeasureItem;

typedef struct {
  /* Owned by the layout */
  FenVolume        *volume;       /* NULL while no series is shown */
  GArray           *measures;     /* of FenMprMeasureItem: the series' measurements */
  FenLut           *lut;
  FenRenderer      *renderer;     /* the panes render one after the other */
  FenRenderPool    *pool;

  /* Borrowed */
  FenMemoryMonitor *monitor;
  FenImage         *first;        /* the volume's slice 0: window defaults, modality range */

  FenMprPlanes      planes;
  FenWindowParams   window;
  guint             window_serial; /* counts window (table) changes */
  gboolean          lut_valid;
  FenSlabMode       slab;
  double            slab_mm;
  gboolean          show_overlays;
  FenViewportTool   tool;         /* the window's: what a left drag draws */
  int               hovered;      /* the pane under the pointer, or -1 */
  FenMprPlane       pressed;      /* the pane last pressed */
  int               selected;     /* index in @measures, or -1 */
  int               active;       /* the one a left drag draws or moves, or -1 */
  int               active_point; /* which of its points the drag moves */
  gboolean          drawing;      /* @active is new: a click drops it */
  gboolean          second_drag;  /* @active, an angle or Cobb angle, waits for its last line */
  /* @active taken by its body (a line or a region's inside): the drag
   * moves it whole from where it was (@grab_from, the press, mm) */
  gboolean          grab_body;
  double            grab_from[3];
  FenMprMeasure     grab_start;
} FenMprState;

/* fen-mpr-layout.c */
/* Something every pane shows changed (the centre, a plane, the window, the
 * slab): all panes render again. */
void _fen_mpr_layout_changed (FenMprLayout *layout);
/* The table of the shared window, rebuilt when the window changed. */
const FenLut *_fen_mpr_layout_get_lut (FenMprLayout *layout);
/* A window drag in a pane: set for every pane, and ::window-dragged. */
void _fen_mpr_layout_drag_window (FenMprLayout *layout, const FenWindowParams *window);
/* Something drawn over the planes changed (a measurement): every pane
 * draws again, none renders. */
void _fen_mpr_layout_redraw (FenMprLayout *layout);
/* The list of measurements, a value or the selection changed:
 * ::measurements-changed (the side panel follows); with @save the list is
 * kept (_fen_mpr_measure_save()). */
void _fen_mpr_layout_measures_changed (FenMprLayout *layout, gboolean save);
/* Debug lines: where the slab controls are on the surface (for the e2e test). */
void _fen_mpr_layout_log_controls (FenMprLayout *layout);

/* fen-mpr-pane.c */
/* @state is the layout's, borrowed for the pane's life. */
void _fen_mpr_pane_setup      (FenMprPane *pane, FenMprLayout *layout, FenMprState *state, FenMprPlane plane);
/* Render again at the next frame. */
void _fen_mpr_pane_invalidate (FenMprPane *pane);
/* Drops the texture and its buffer (the volume is going). */
void _fen_mpr_pane_clear      (FenMprPane *pane);
FenMprLayout *_fen_mpr_pane_get_layout (FenMprPane *pane);
/* The keys of fen_mpr_layout_scroll() and fen_mpr_layout_zoom() on this
 * pane, one operation of the memory log per burst, as the wheel. */
void _fen_mpr_pane_scroll     (FenMprPane *pane, int steps);
/* Asks for arrow @index's text (now @text) in an entry pointing at
 * @tail; Enter sets it (_fen_mpr_measure_set_text()), kept and listed. */
void _fen_mpr_pane_ask_text   (FenMprPane *pane, int index, const double tail[3], const char *text);
void _fen_mpr_pane_zoom       (FenMprPane *pane, FenMprZoom zoom);
/* A label over the plane on the overlays' dark veil at (@x, @y), aligned
 * by @align_x and @align_y (0 start, 1 centre, 2 end); @opaque for the
 * edge letters. */
void _fen_mpr_pane_label      (FenMprPane *pane, GtkSnapshot *snapshot, const char *text, double x, double y,
                               int align_x, int align_y, const GdkRGBA *color, gboolean opaque);

/* fen-mpr-measure.c */
/* sizeof (FenMprMeasureItem), for the layout's array. */
guint    _fen_mpr_measure_item_size       (void);
/* Drops every measurement (another series, or none). */
void     _fen_mpr_measure_clear           (FenMprState *state);
/* A left press at (@x, @y) in @plane's pane: on a shown measurement's
 * point it selects it for a drag; else with a measuring tool it starts a
 * new one. Returns: %FALSE when the press is not the measurements'. */
gboolean _fen_mpr_measure_press           (FenMprPane *pane, FenMprState *state, FenMprPlane plane, double x, double y);
void     _fen_mpr_measure_drag            (FenMprPane *pane, FenMprState *state, FenMprPlane plane, double x, double y);
void     _fen_mpr_measure_release         (FenMprPane *pane, FenMprState *state, FenMprPlane plane);
/* Returns: %FALSE when none was selected. */
gboolean _fen_mpr_measure_delete_selected (FenMprState *state);
/* Drops the measurement being drawn, if any (another tool). */
void     _fen_mpr_measure_drop_drawing    (FenMprState *state);
/* The series' kept plane measurements (fen-mpr-measure-file.h), read when
 * it comes into the layout, written when they change; a file that cannot
 * be read or written is a warning, never lost work in silence. */
void     _fen_mpr_measure_load            (FenMprState *state);
void     _fen_mpr_measure_save            (FenMprState *state);
/* Sets arrow @index's text (from the pane's entry). */
void     _fen_mpr_measure_set_text        (FenMprState *state, int index, const char *text);
/* The statistics taken again (the slab changed). */
void     _fen_mpr_measure_restat          (FenMprState *state);
/* Measurement @index and its statistics (%NULL for a distance, or none). */
const FenMprMeasure *_fen_mpr_measure_get (FenMprState *state, guint index, const FenRoiStats **stats);
/* The measurements @plane's pane shows, over its @w x @h pixels. */
void     _fen_mpr_measure_snapshot        (FenMprPane *pane, FenMprState *state, FenMprPlane plane,
                                           GtkSnapshot *snapshot, int w, int h);

G_END_DECLS
