/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-private.h: what FenMprLayout shares with its FenMprPanes: one
 * volume, one crosshair (FenMprPlanes), one window/level and one table for
 * every pane (one series), the slab, the renderer and the buffer pool. */
#pragma once

#include "fen-mpr-layout.h"
#include "fen-mpr-pane.h"
#include "fen-render-pool.h"

G_BEGIN_DECLS

typedef struct {
  /* Owned by the layout */
  FenVolume        *volume;       /* NULL while no series is shown */
  FenLut           *lut;
  FenRenderer      *renderer;     /* the panes render one after the other */
  FenRenderPool    *pool;

  /* Borrowed */
  FenMemoryMonitor *monitor;
  FenImage         *first;        /* the volume's slice 0: window defaults, modality range */

  FenMprPlanes      planes;
  FenWindowParams   window;
  gboolean          lut_valid;
  FenSlabMode       slab;
  double            slab_mm;
  gboolean          show_overlays;
} FenMprState;

/* fen-mpr-layout.c */
/* Something every pane shows changed (the centre, a plane, the window, the
 * slab): all panes render again. */
void _fen_mpr_layout_changed (FenMprLayout *layout);
/* The table of the shared window, rebuilt when the window changed. */
const FenLut *_fen_mpr_layout_get_lut (FenMprLayout *layout);
/* A window drag in a pane: set for every pane, and ::window-dragged. */
void _fen_mpr_layout_drag_window (FenMprLayout *layout, const FenWindowParams *window);
/* Debug lines: where the slab controls are on the surface (for the e2e test). */
void _fen_mpr_layout_log_controls (FenMprLayout *layout);

/* fen-mpr-pane.c */
/* @state is the layout's, borrowed for the pane's life. */
void _fen_mpr_pane_setup      (FenMprPane *pane, FenMprLayout *layout, FenMprState *state, FenMprPlane plane);
/* Render again at the next frame. */
void _fen_mpr_pane_invalidate (FenMprPane *pane);
/* Drops the texture and its buffer (the volume is going). */
void _fen_mpr_pane_clear      (FenMprPane *pane);

G_END_DECLS
