/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-private.h: FenMainWindow's state, shared by fen-window*.c. */
#pragma once

#include "fen-main-window.h"
#include "fen-application.h"
#include "fen-memory-panel.h"
#include "fen-series.h"
#include "fen-viewport.h"

G_BEGIN_DECLS

typedef struct {
  char   name[64];
  double center;
  double width;
} FenPreset;

struct _FenMainWindow
{
  GtkApplicationWindow parent_instance;

  /* Owned */
  GPtrArray        *series;          /* FenSeries, in the order opened */
  GCancellable     *cancellable;     /* cancelled at dispose: late loads are closed */
  GArray           *presets;         /* FenPreset of the image shown */
  GMenu            *presets_menu;
  FenRenderer      *thumb_renderer;
  FenLut           *thumb_lut;

  /* Borrowed */
  FenStore         *store;
  FenMemoryMonitor *monitor;
  GSettings        *settings;
  FenViewport      *viewport;
  FenMemoryPanel   *memory_panel;
  GtkRevealer      *memory_revealer;
  GtkRevealer      *banner;
  GtkLabel         *banner_label;
  GtkListBox       *series_list;
  GtkScale         *slice_scale;
  GtkAdjustment    *slice_adjustment;
  GtkWidget        *empty_page;
  GtkWidget        *overlay_box;
  GtkLabel         *top_left;
  GtkLabel         *top_right;
  GtkLabel         *bottom_left;
  GtkLabel         *bottom_right;
  GtkMenuButton    *presets_button;

  int               current_series;  /* index into series, -1 for none */
  guint             current_slice;
  guint             loads_pending;
  gboolean          show_overlays;
  gboolean          show_memory;
  gboolean          measure;
  const FenImageInfo *presets_for;   /* whose presets the menu shows */
};

/* fen-main-window.c */
void  _fen_main_window_show_slice        (FenMainWindow *self, guint slice);
void  _fen_main_window_select_series     (FenMainWindow *self, int index);
void  _fen_main_window_update_overlays   (FenMainWindow *self);
void  _fen_main_window_update_actions    (FenMainWindow *self);
void  _fen_main_window_add_image         (FenMainWindow *self, guint image_id);
void  _fen_main_window_show_error        (FenMainWindow *self, const char *message);
void  _fen_main_window_close_current     (FenMainWindow *self);
FenSeries *_fen_main_window_get_current_series (FenMainWindow *self);

/* fen-main-window-actions.c */
void  _fen_main_window_class_actions_init (GtkWidgetClass *widget_class);
void  _fen_main_window_rebuild_presets   (FenMainWindow *self);

/* fen-main-window-open.c */
void  _fen_main_window_open_dialog       (FenMainWindow *self, gboolean folders);
void  _fen_main_window_dnd_init          (FenMainWindow *self);

G_END_DECLS
