/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window.h: the main window: series sidebar, viewport with overlays, memory panel. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_MAIN_WINDOW (fen_main_window_get_type ())
G_DECLARE_FINAL_TYPE (FenMainWindow, fen_main_window, FEN, MAIN_WINDOW, GtkApplicationWindow)

FenMainWindow *fen_main_window_new              (FenApplication *app);
/* Loads files and folders in the background; images show as they arrive. */
void       fen_main_window_open_files       (FenMainWindow *self, GFile **files, guint n_files);
/* Shows image @image_id, already in the store (a retrieved object the
 * study browser streamed in), in its series, as an open would: the first
 * shows at once, later ones join their series and its slice count. */
void       fen_main_window_add_retrieved    (FenMainWindow *self, guint image_id);
/* A memory operation ended (called by the application's listener). */
void       fen_main_window_memory_operation (FenMainWindow *self, const FenMemoryOperation *op);
/* Frees the panes' spare render buffers (main thread); returns the bytes freed. */
gsize      fen_main_window_trim_render_buffers (FenMainWindow *self);

G_END_DECLS
