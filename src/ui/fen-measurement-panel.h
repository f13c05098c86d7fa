/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-measurement-panel.h: the measurements of the image on screen, listed
 * with their values in plain words; a row selects one on the image, its
 * button deletes it. */
#pragma once

#include "fen-types-ui.h"
#include "fen-mpr-layout.h"
#include "fen-viewport.h"

G_BEGIN_DECLS

#define FEN_TYPE_MEASUREMENT_PANEL (fen_measurement_panel_get_type ())
G_DECLARE_FINAL_TYPE (FenMeasurementPanel, fen_measurement_panel, FEN, MEASUREMENT_PANEL, GtkWidget)

/* Lists @viewport's measurements (the active pane's); borrowed, and
 * followed through FenViewport::measurements-changed until the next call
 * (%NULL: none). */
void fen_measurement_panel_set_viewport (FenMeasurementPanel *self, FenViewport *viewport);
/* While @layout (borrowed, followed through
 * FenMprLayout::measurements-changed) is set, lists its planes'
 * measurements instead: a row selects one (and shows its plane), its
 * button deletes it. %NULL: the viewport's again. */
void fen_measurement_panel_set_mpr_layout (FenMeasurementPanel *self, FenMprLayout *layout);

G_END_DECLS
