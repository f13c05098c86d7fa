/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pane.h: one cell of the viewer's layout: a FenViewport with its corner overlays. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_PANE (fen_pane_get_type ())
G_DECLARE_FINAL_TYPE (FenPane, fen_pane, FEN, PANE, GtkWidget)

/* Returns: (transfer none) */
FenViewport *fen_pane_get_viewport (FenPane *self);
/* @store is borrowed: the images of the series are looked up in it. */
void         fen_pane_set_store    (FenPane *self, FenStore *store);
/* Returns: (transfer none) (nullable): the series shown */
FenSeries   *fen_pane_get_series   (FenPane *self);
guint        fen_pane_get_slice    (FenPane *self);
/**
 * fen_pane_show:
 * @series: (nullable) (transfer none): %NULL shows nothing
 * Shows @slice (clamped) of @series and updates the "series" and "slice"
 * properties; within one series the view and window stay.
 * Returns: %FALSE when the slice's image is not open (nothing changes).
 */
gboolean     fen_pane_show         (FenPane *self, FenSeries *series, guint slice);
/* The active pane is outlined; keys and the toolbar act on it. */
void         fen_pane_set_active   (FenPane *self, gboolean active);
/* The four corner texts; %NULL hides a corner. */
void         fen_pane_set_overlays (FenPane    *self,
                                    const char *top_left,
                                    const char *top_right,
                                    const char *bottom_left,
                                    const char *bottom_right);

G_END_DECLS
