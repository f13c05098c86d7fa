/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-memory-panel.h: live memory figures, the operation log and the large buffers. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_MEMORY_PANEL (fen_memory_panel_get_type ())
G_DECLARE_FINAL_TYPE (FenMemoryPanel, fen_memory_panel, FEN, MEMORY_PANEL, GtkWidget)

/* Both borrowed; they belong to the application and outlive the panel. */
void fen_memory_panel_set_monitor   (FenMemoryPanel *self, FenMemoryMonitor *monitor, FenStore *store);
/* Reads the figures now (also every 500 ms while the panel is mapped). */
void fen_memory_panel_refresh       (FenMemoryPanel *self);
/* The budget's state and the bytes it judges, shown in colour. */
void fen_memory_panel_set_state     (FenMemoryPanel *self, FenMemoryState state, gint64 pressure);
/* A finished operation: a new row on top of the log. */
void fen_memory_panel_add_operation (FenMemoryPanel *self, const FenMemoryOperation *op);

G_END_DECLS
