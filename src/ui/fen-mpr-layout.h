/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-layout.h: the MPR layout: axial, coronal and sagittal planes of
 * one series (and its acquisition plane when oblique) with crosshairs. */
#pragma once

#include "fen-types-ui.h"
#include "fen-viewport.h"

G_BEGIN_DECLS

#define FEN_TYPE_MPR_LAYOUT (fen_mpr_layout_get_type ())
G_DECLARE_FINAL_TYPE (FenMprLayout, fen_mpr_layout, FEN, MPR_LAYOUT, GtkWidget)

GtkWidget *fen_mpr_layout_new         (void);
/* @monitor is borrowed and must outlive the layout's textures. */
void       fen_mpr_layout_set_monitor (FenMprLayout *self, FenMemoryMonitor *monitor);

/**
 * fen_mpr_layout_set_volume:
 * @volume: (nullable) (transfer none): the layout takes a reference (the
 *   volume pins its slices in the store: they stay while it is shown);
 *   %NULL lets go of it and of every buffer
 * @window: (nullable): the window/level to start with (the slice view's),
 *   else the first slice's default
 * @title: patient-free text for the header (the series' title)
 */
void       fen_mpr_layout_set_volume  (FenMprLayout          *self,
                                       FenVolume             *volume,
                                       const FenWindowParams *window,
                                       const char            *title);
/* Returns: (transfer none) (nullable) */
FenVolume *fen_mpr_layout_get_volume  (FenMprLayout *self);

/* The crosshair state (read-only): for tests and the window. */
const FenMprPlanes *fen_mpr_layout_get_planes (FenMprLayout *self);

void       fen_mpr_layout_get_window  (FenMprLayout *self, FenWindowParams *out);
void       fen_mpr_layout_set_window  (FenMprLayout *self, const FenWindowParams *window);
void       fen_mpr_layout_set_slab    (FenMprLayout *self, FenSlabMode mode, double thickness_mm);
/* The slab the panes show (and a region on a plane measures). */
FenSlabMode fen_mpr_layout_get_slab   (FenMprLayout *self, double *thickness_mm);
/* Puts the centre back in the middle and fits every pane, planes unturned. */
void       fen_mpr_layout_reset       (FenMprLayout *self);
void       fen_mpr_layout_set_show_overlays (FenMprLayout *self, gboolean show);
/* Focuses @plane's pane and makes it the last pressed. */
void       fen_mpr_layout_focus_plane (FenMprLayout *self, FenMprPlane plane);
/* The pane the keys act on: the one under the pointer, else the one last
 * pressed (the axial plane to start with). */
FenMprPlane fen_mpr_layout_get_active_plane (FenMprLayout *self);
/* The slice keys on the active plane: @steps native steps along its
 * normal (positive: as a wheel click down), clamped to the stack, so
 * G_MININT and G_MAXINT go to its ends (Home, End). */
void       fen_mpr_layout_scroll      (FenMprLayout *self, int steps);

typedef enum {
  FEN_MPR_ZOOM_IN,
  FEN_MPR_ZOOM_OUT,
  FEN_MPR_ZOOM_FIT,
  FEN_MPR_ZOOM_ONE_TO_ONE,
} FenMprZoom;

/* The zoom keys (+, -, F, = and Ctrl+1) on the active plane, about its
 * centre. */
void       fen_mpr_layout_zoom        (FenMprLayout *self, FenMprZoom zoom);
/* What a left drag on a plane draws, as on a slice: distance, ellipse,
 * rectangle, angle, Cobb angle, freehand region or arrow. */
void       fen_mpr_layout_set_tool    (FenMprLayout *self, FenViewportTool tool);
/* Removes the selected measurement of the planes. Returns: %FALSE when
 * none is selected. */
gboolean   fen_mpr_layout_delete_measurement (FenMprLayout *self);

/* The planes' measurements, for the measurement panel (followed through
 * ::measurements-changed). */
guint      fen_mpr_layout_get_n_measurements (FenMprLayout *self);
/**
 * fen_mpr_layout_get_measurement:
 * @stats: (out) (nullable) (transfer none): a region's statistics over
 *   the values the panes show (on a slab, the projected ones:
 *   fen_mpr_layout_get_slab()), or %NULL (a distance, or none)
 * Returns: (transfer none): valid until the measurements change
 */
const FenMprMeasure *fen_mpr_layout_get_measurement (FenMprLayout *self, guint index, const FenRoiStats **stats);
int        fen_mpr_layout_get_selected_measurement (FenMprLayout *self);
/* Selects measurement @index (-1: none) and shows it: unless a pane shows
 * it already, the pane of a parallel plane moves through it. */
void       fen_mpr_layout_select_measurement (FenMprLayout *self, int index);
/* Removes measurement @index. Returns: %FALSE when there is none. */
gboolean   fen_mpr_layout_delete_measurement_at (FenMprLayout *self, guint index);

G_END_DECLS
