/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-pane.h: one plane of the MPR layout, reformatted from the slices. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_MPR_PANE (fen_mpr_pane_get_type ())
G_DECLARE_FINAL_TYPE (FenMprPane, fen_mpr_pane, FEN, MPR_PANE, GtkWidget)

FenMprPlane fen_mpr_pane_get_plane (FenMprPane *self);

G_END_DECLS
