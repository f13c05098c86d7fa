/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-private.h: FenMainWindow's state, shared by fen-window*.c. */
#pragma once

#include "fen-main-window.h"
#include "fen-application.h"
#include "fen-measurement-panel.h"
#include "fen-memory-panel.h"
#include "fen-pane.h"
#include "fen-series.h"
#include "fen-tag-browser.h"
#include "fen-viewport.h"

G_BEGIN_DECLS

#define FEN_N_PANES 4

typedef struct {
  char   name[64];
  double center;
  double width;
  guint  voi_lut;   /* from 1: the file's VOI LUT instead of center/width */
} FenPreset;

struct _FenMainWindow
{
  GtkApplicationWindow parent_instance;

  /* Owned */
  GPtrArray        *series;          /* FenSeries, in the order opened */
  GCancellable     *cancellable;     /* cancelled at dispose: late loads are closed */
  GPtrArray        *loads;           /* GCancellable of each load running (Cancel) */
  GArray           *presets;         /* FenPreset of the image shown: keyed first, then the file's */
  guint             n_keyed_presets; /* modality and user presets, on keys 1..9 */
  GMenu            *presets_menu;
  FenRenderer      *thumb_renderer;
  FenLut           *thumb_lut;
  FenTagBrowser    *tag_browser;     /* created on first use */
  char             *export_folder;   /* where the last export went */
  GPtrArray        *problems;        /* char*: every file that failed to open, until dismissed */
  guint             toast_timeout;

  /* Borrowed */
  FenStore         *store;
  FenMemoryMonitor *monitor;
  GSettings        *settings;
  FenViewport      *viewport;        /* the active pane's */
  FenPane          *panes[FEN_N_PANES];
  GtkGrid          *grid;
  FenMemoryPanel   *memory_panel;
  FenMeasurementPanel *measurement_panel;
  GtkRevealer      *memory_revealer;
  GtkRevealer      *banner;
  GtkLabel         *banner_label;
  GtkWidget        *problems_button;
  GtkRevealer      *toast;
  GtkLabel         *toast_label;
  GtkListBox       *series_list;
  GtkScale         *slice_scale;
  GtkAdjustment    *slice_adjustment;
  GtkWidget        *empty_page;
  GtkWidget        *overlay_box;
  GtkMenuButton    *presets_button;
  GtkRevealer      *load_revealer;
  GtkLabel         *load_label;
  GtkProgressBar   *load_progress;
  GtkWidget        *reload_box;
  GtkSpinner       *reload_spinner;
  GtkLabel         *reload_label;

  /* What each pane shows is the pane's own (FenPane:series, :slice); the
   * window keeps which pane is active, never a copy of its state. */
  guint             active_pane;
  guint             layout_rows;
  guint             layout_cols;
  gboolean          link_scroll;
  gboolean          link_window;
  gboolean          link_zoom;
  gboolean          linking;         /* a linked change is being passed on */
  /* From the active pane to each other one: slice, window centre and
   * width, view (zoom and pan). */
  GBinding         *links[FEN_N_PANES][4];
  guint             loads_pending;
  guint             n_duplicates;    /* images merged into one already open */
  guint             loads_done;      /* files read (or refused) by the loads running */
  guint             loads_total;     /* files they will have read */
  guint             restoring_id;    /* image whose pixels are being reloaded, or 0 */
  guint             baseline_timeout;
  gboolean          baseline_noted;
  gboolean          show_overlays;
  gboolean          show_memory;
  FenViewportTool   tool;            /* the left drag of the active pane */
  gboolean          show_measurements;
  const FenImageInfo *presets_for;   /* whose presets the menu shows */

  /* Reference lines and the 3D cursor (fen-main-window-reference.c) */
  gboolean          show_reference_lines;
  gboolean          has_cursor;
  double            cursor[3];       /* patient coordinates (LPS, mm) */
  char              cursor_frame_of_reference[65]; /* its UID (PS3.5 9.1: 64 at most) */
  /* What the lines and marks were made for: each pane's image id (0 for
   * none or hidden) and frame, and the active pane. */
  guint             reference_key[FEN_N_PANES][2];
  guint             reference_active;
  gboolean          reference_valid;
  guint64           presets_hash;    /* of what they were built from, 0 for none */

  /* Cine (fen-main-window-cine.c): the active pane's slices on the frame
   * clock; any other interaction stops it. */
  GtkWidget        *cine_box;        /* borrowed, template */
  GtkToggleButton  *cine_button;
  GtkSpinButton    *cine_fps;
  GtkAdjustment    *cine_fps_adjustment;
  GtkDropDown      *cine_mode;
  FenCine           cine;
  guint             cine_tick;       /* tick callback, 0 when stopped */
  FenPane          *cine_pane;       /* borrowed: the pane playing */
  FenSeries        *cine_series;     /* owned: its series when it started */
  guint             cine_n_slices;   /* and how many slices it had */
  FenMemoryOperation cine_op;        /* "cine img-N", one update per frame shown */
  gint64            cine_report_us;  /* frame time of the last rate logged */
  guint64           cine_report_shown;
  char             *cine_rate_key;   /* owned: series whose file rate the spin took */
  double            cine_fps_x, cine_fps_y; /* where the rate control was last logged */

  /* MPR (fen-main-window-mpr.c): a FenMprLayout over the grid, made on
   * first use; the pane whose series it shows, watched. */
  GtkWidget        *mpr_layout;      /* borrowed: the overlay's child */
  FenPane          *mpr_pane;        /* borrowed */
  gulong            mpr_series_handler;
  FenViewport      *mpr_viewport;    /* borrowed: its window keys act on MPR */
  gulong            mpr_window_handler;
};

/* fen-main-window.c */
/* The active pane's series and slice (its properties). */
guint _fen_main_window_get_current_slice (FenMainWindow *self);
/* The index of @series in the sidebar, or -1. */
int   _fen_main_window_series_index      (FenMainWindow *self, FenSeries *series);
void  _fen_main_window_show_slice        (FenMainWindow *self, guint slice);
void  _fen_main_window_select_series     (FenMainWindow *self, int index);
void  _fen_main_window_update_overlays   (FenMainWindow *self);
void  _fen_main_window_update_actions    (FenMainWindow *self);
void  _fen_main_window_add_image         (FenMainWindow *self, guint image_id);
void  _fen_main_window_show_error        (FenMainWindow *self, const char *message);
void  _fen_main_window_close_current     (FenMainWindow *self);
FenSeries *_fen_main_window_get_current_series (FenMainWindow *self);
/* Closes @ids (guint), wherever they are in the sidebar. */
void  _fen_main_window_remove_images     (FenMainWindow *self, GArray *ids);

/* Panes: which are shown, which is active, what each shows. */
void  _fen_main_window_set_layout        (FenMainWindow *self, guint rows, guint cols);
void  _fen_main_window_activate_pane     (FenMainWindow *self, guint pane);
/* (Re)binds the links from the active pane to the others: GBindings whose
 * transforms refuse (return FALSE) when the link is off, the pane hidden or
 * empty, or, for window/level, the images differ in modality or unit. */
void  _fen_main_window_bind_links        (FenMainWindow *self);
void  _fen_main_window_unbind_links      (FenMainWindow *self);
/* The active pane moved: the other panes follow as the links say. */
void  _fen_main_window_sync_panes        (FenMainWindow *self, gboolean slices);
/* Lets go of @series in every pane but the active one (before it is
 * closed); %NULL for every series. */
void  _fen_main_window_forget_series     (FenMainWindow *self, FenSeries *series);
gboolean _fen_main_window_pane_visible   (FenMainWindow *self, guint pane);
void  _fen_main_window_panes_init_pane   (FenMainWindow *self, guint pane);
/* Difference / flicker: each comparing pane gets the image of the pane it
 * compares with; the active pane enters @mode, or leaves it. */
void  _fen_main_window_update_compare    (FenMainWindow *self);
void  _fen_main_window_toggle_compare    (FenMainWindow *self, FenViewportCompare mode);
/* Shows slice @slice of @series in @pane (the active one included). */
void  _fen_main_window_show_in_pane      (FenMainWindow *self, guint pane, FenSeries *series, guint slice);

/* fen-main-window-actions.c */
void  _fen_main_window_class_actions_init (GtkWidgetClass *widget_class);
/* The slice keys, seen before focus handling (capture phase). */
void  _fen_main_window_actions_init      (FenMainWindow *self);
void  _fen_main_window_rebuild_presets   (FenMainWindow *self);
/* Whether @info makes the presets the menu shows (the same modality, file
 * windows and VOI LUTs); if so it becomes presets_for without a rebuild:
 * the slices of a series share them, and scrolling or cine must not
 * rebuild the menu at every slice (it allocated some 14 KB each time). */
gboolean _fen_main_window_presets_match  (FenMainWindow *self, const FenImageInfo *info);

/* fen-main-window-cine.c */
void  _fen_main_window_cine_init         (FenMainWindow *self);
void  _fen_main_window_class_cine_init   (GtkWidgetClass *widget_class);
/* Stops cine if it plays, logging the rate achieved; @why for the log. */
void  _fen_main_window_cine_stop         (FenMainWindow *self, const char *why);
void  _fen_main_window_cine_action       (GtkWidget *widget, const char *name, GVariant *param);

/* fen-main-window-reference.c */
/* The "win.reference-lines" toggle (on) and Escape clearing the 3D cursor;
 * each pane's "cursor-placed" and "changed" followed. */
void  _fen_main_window_reference_init    (FenMainWindow *self);
/* Draws again what each visible pane shows of the others (reference
 * lines) and of the 3D cursor (its mark): at once when @force, else only
 * when a pane's image or frame, or the active pane, changed. */
void  _fen_main_window_update_references (FenMainWindow *self, gboolean force);

/* fen-main-window-mpr.c */
/* The "win.mpr" toggle: the active series in the MPR layout, and back. */
void  _fen_main_window_mpr_init          (FenMainWindow *self);
/* Whether the MPR layout is shown (in place of the slices). */
gboolean _fen_main_window_mpr_active     (FenMainWindow *self);
/* The slice keys (win.next-slice ... win.last-slice) and the zoom keys
 * (win.zoom-in, zoom-out, fit, one-to-one) on the MPR layout's active
 * pane. Returns: %FALSE when MPR is not shown or @action is another. */
gboolean _fen_main_window_mpr_key_action (FenMainWindow *self, const char *action);

/* fen-main-window-export.c */
void  _fen_main_window_export_action     (GtkWidget *widget, const char *name, GVariant *param);
void  _fen_main_window_copy_view_action  (GtkWidget *widget, const char *name, GVariant *param);
void  _fen_main_window_open_export_folder_action (GtkWidget *widget, const char *name, GVariant *param);
void  _fen_main_window_dismiss_toast_action (GtkWidget *widget, const char *name, GVariant *param);
/* win.export-measurements-csv, win.export-sr: those of the image shown. */
void  _fen_main_window_delete_measurement_action (GtkWidget *widget, const char *name, GVariant *param);

/* fen-main-window-open.c */
void  _fen_main_window_open_dialog       (FenMainWindow *self, gboolean folders);
void  _fen_main_window_dnd_init          (FenMainWindow *self);
void  _fen_main_window_cancel_loads      (FenMainWindow *self);
/* A file that failed to open: kept, counted in the banner, listed by
 * win.show-problems until the banner is dismissed. */
void  _fen_main_window_add_problem       (FenMainWindow *self, const char *message);
void  _fen_main_window_clear_problems    (FenMainWindow *self);
void  _fen_main_window_show_problems_action (GtkWidget *widget, const char *name, GVariant *param);
/* Shows the reload indicator while the slice on screen has no pixels, and
 * reloads them (one GTask at a time). */
void  _fen_main_window_update_reload     (FenMainWindow *self);

G_END_DECLS
