/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-mpr.c: the MPR layout in the window. "win.mpr" (Alt+5,
 * the Layout menu) shows the active pane's series as a FenMprLayout over
 * the slice panes, and back. Entering builds a FenVolume over the series'
 * images where they are in the store (borrowed and pinned, no pixel
 * copied) inside one operation of the memory log, "mpr-enter", whose store
 * delta is therefore 0; leaving ("mpr-leave") lets go of the volume, its
 * pins and the layout's buffers. The series leaving the pane (closed,
 * replaced), or another layout, leaves MPR. The window keys (presets 1-9, 0 auto, I invert, R
 * reset) act on the active viewport as ever; while in MPR its window is
 * passed on to the layout, so they act on the planes too, and a window
 * drag on a plane is passed back to it: one window/level for the series.
 * The slice keys (arrows, Page Up / Down, Home, End) move the layout's
 * active plane (under the pointer, else last pressed) by native steps as
 * they move the slices, and the zoom keys (+, -, F, = and Ctrl+1 for 1:1)
 * zoom it (_fen_main_window_mpr_key_action()).
 * The tool keys (M distance, E ellipse, B rectangle, W window) and Delete
 * act on the planes' measurements while in MPR (fen-mpr-measure.c), which
 * the measurement panel (F8) lists meanwhile. The
 * slice grid is hidden meanwhile, so nothing renders under the layout, and
 * so is the bar under it (the slice slider and the cine controls, which
 * act on the slices): cine (P) is off until MPR is left. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"
#include "fen-mpr-layout.h"

static void fen_main_window_mpr_leave (FenMainWindow *self);

static void
fen_main_window_mpr_set_state (FenMainWindow *self, gboolean on)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "mpr");

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (on));
}

/* The slice slider and the cine controls: their bar is hidden while the
 * layout is shown, and cine disabled (_fen_main_window_update_actions()). */
static void
fen_main_window_mpr_show_slices (FenMainWindow *self, gboolean show)
{
  gtk_widget_set_visible (self->mpr_layout, !show);
  gtk_widget_set_visible (GTK_WIDGET (self->grid), show);
  gtk_widget_set_visible (gtk_widget_get_parent (self->cine_box), show);
  /* The side panel lists the planes' measurements, then the slice's. */
  fen_measurement_panel_set_mpr_layout (self->measurement_panel, show ? NULL : FEN_MPR_LAYOUT (self->mpr_layout));
  _fen_main_window_update_actions (self);
}

gboolean
_fen_main_window_mpr_active (FenMainWindow *self)
{
  return self->mpr_layout != NULL && gtk_widget_get_visible (self->mpr_layout);
}

gboolean
_fen_main_window_mpr_key_action (FenMainWindow *self, const char *action)
{
  /* The slice view's steps: one slice, ten (a page), to either end; a
   * plane's are native steps along its normal. */
  static const struct { const char *action; int steps; } scrolls[] = {
    { "win.next-slice", 1 }, { "win.previous-slice", -1 },
    { "win.next-page", 10 }, { "win.previous-page", -10 },
    { "win.first-slice", G_MININT }, { "win.last-slice", G_MAXINT },
  };
  static const struct { const char *action; FenMprZoom zoom; } zooms[] = {
    { "win.zoom-in", FEN_MPR_ZOOM_IN }, { "win.zoom-out", FEN_MPR_ZOOM_OUT },
    { "win.fit", FEN_MPR_ZOOM_FIT }, { "win.one-to-one", FEN_MPR_ZOOM_ONE_TO_ONE },
  };
  FenMprLayout *layout;

  if (!_fen_main_window_mpr_active (self))
    return FALSE;
  layout = FEN_MPR_LAYOUT (self->mpr_layout);
  for (guint i = 0; i < G_N_ELEMENTS (scrolls); i++)
    if (g_str_equal (action, scrolls[i].action))
      {
        fen_mpr_layout_scroll (layout, scrolls[i].steps);
        return TRUE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (zooms); i++)
    if (g_str_equal (action, zooms[i].action))
      {
        fen_mpr_layout_zoom (layout, zooms[i].zoom);
        return TRUE;
      }
  return FALSE;
}

static void
fen_main_window_mpr_series_changed_cb (FenMainWindow *self)
{
  /* The series shown in MPR left its pane, or another layout was asked
   * for: MPR leaves. */
  if (self->mpr_layout == NULL || fen_mpr_layout_get_volume (FEN_MPR_LAYOUT (self->mpr_layout)) == NULL)
    return;
  fen_main_window_mpr_leave (self);
  fen_main_window_mpr_set_state (self, FALSE);
}

static void
fen_main_window_mpr_overlays_cb (FenMainWindow *self)
{
  /* O hides the overlays of the MPR panes as of the slice panes. */
  fen_mpr_layout_set_show_overlays (FEN_MPR_LAYOUT (self->mpr_layout), self->show_overlays);
}

static void
fen_main_window_mpr_tool_cb (FenMainWindow *self)
{
  /* M, E, B (and W) choose what a left drag on a plane draws, as on a
   * slice. */
  fen_mpr_layout_set_tool (FEN_MPR_LAYOUT (self->mpr_layout), self->tool);
}

static void
fen_main_window_mpr_window_cb (FenMainWindow *self)
{
  FenWindowParams window;

  fen_viewport_get_window (self->mpr_viewport, &window);
  fen_mpr_layout_set_window (FEN_MPR_LAYOUT (self->mpr_layout), &window);
}

static void
fen_main_window_mpr_window_dragged_cb (FenMainWindow *self)
{
  FenWindowParams window;

  if (self->mpr_viewport == NULL || fen_viewport_get_image (self->mpr_viewport) == NULL)
    return;
  fen_mpr_layout_get_window (FEN_MPR_LAYOUT (self->mpr_layout), &window);
  /* Its notification comes back to the layout with the same window. */
  fen_viewport_set_window (self->mpr_viewport, window.center, window.width);
}

static FenMprLayout *
fen_main_window_mpr_layout (FenMainWindow *self)
{
  GtkWidget *overlay;

  if (self->mpr_layout != NULL)
    return FEN_MPR_LAYOUT (self->mpr_layout);
  /* Over the grid of slice panes, in the same overlay: the sidebar, the
   * panels and the header stay as they are. */
  overlay = gtk_widget_get_parent (GTK_WIDGET (self->grid));
  g_return_val_if_fail (GTK_IS_OVERLAY (overlay), NULL);
  self->mpr_layout = fen_mpr_layout_new ();
  fen_mpr_layout_set_monitor (FEN_MPR_LAYOUT (self->mpr_layout), self->monitor);
  gtk_widget_set_visible (self->mpr_layout, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->mpr_layout);
  fen_mpr_layout_set_show_overlays (FEN_MPR_LAYOUT (self->mpr_layout), self->show_overlays);
  g_signal_connect_swapped (self->mpr_layout, "window-dragged", G_CALLBACK (fen_main_window_mpr_window_dragged_cb), self);
  g_signal_connect (self, "notify::show-overlays", G_CALLBACK (fen_main_window_mpr_overlays_cb), NULL);
  fen_mpr_layout_set_tool (FEN_MPR_LAYOUT (self->mpr_layout), self->tool);
  g_signal_connect (self, "notify::tool", G_CALLBACK (fen_main_window_mpr_tool_cb), NULL);
  return FEN_MPR_LAYOUT (self->mpr_layout);
}

static gboolean
fen_main_window_mpr_enter (FenMainWindow *self)
{
  FenSeries *series = _fen_main_window_get_current_series (self);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(FenVolume) volume = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  FenWindowParams window;
  FenMemoryOperation op;
  FenMprLayout *layout;
  FenPane *pane;
  guint n;

  if (series == NULL || fen_series_get_n_images (series) == 0)
    {
      _fen_main_window_show_error (self, "MPR: open a series first");
      return FALSE;
    }
  n = fen_series_get_n_images (series);
  images = g_ptr_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    {
      FenImage *image = fen_store_lookup (self->store, fen_series_get_image_id (series, i));

      if (image != NULL)
        g_ptr_array_add (images, image);
    }
  layout = fen_main_window_mpr_layout (self);
  if (layout == NULL || images->len == 0)
    return FALSE;

  fen_memory_monitor_begin (self->monitor, &op, "mpr-enter %s (%u)",
                            fen_image_get_log_name (images->pdata[0]), images->len);
  /* Borrowed and pinned where they are: the store gains nothing. */
  volume = fen_volume_new (self->store, (FenImage **) images->pdata, images->len, &error);
  if (volume != NULL && !fen_volume_check_budget (self->monitor, fen_volume_get_bytes (volume), &error))
    g_clear_pointer (&volume, fen_volume_unref);
  if (volume != NULL)
    {
      /* The slice view's window: the planes start as the slices looked. */
      if (fen_viewport_get_image (self->viewport) != NULL)
        fen_viewport_get_window (self->viewport, &window);
      else
        fen_window_default (images->pdata[0], 0, &window);
      title = fen_series_get_title (series);
      /* The sidebar's two lines on one. */
      g_strdelimit (title, "\n", ' ');
      fen_mpr_layout_set_volume (layout, volume, &window, title);
    }
  fen_memory_monitor_end (self->monitor, &op);
  if (volume == NULL)
    {
      g_autofree char *message = g_strdup_printf ("MPR: %s", error->message);

      _fen_main_window_show_error (self, message);
      return FALSE;
    }
  _fen_main_window_cine_stop (self, "mpr");
  fen_main_window_mpr_show_slices (self, FALSE);
  fen_mpr_layout_focus_plane (layout, FEN_MPR_PLANE_AXIAL);
  pane = self->panes[self->active_pane];
  self->mpr_pane = pane;
  self->mpr_series_handler = g_signal_connect_swapped (pane, "notify::series",
                                                       G_CALLBACK (fen_main_window_mpr_series_changed_cb), self);
  /* Every change of the window notifies its width (a preset, auto,
   * invert, reset). */
  self->mpr_viewport = self->viewport;
  self->mpr_window_handler = g_signal_connect_swapped (self->viewport, "notify::window-width",
                                                       G_CALLBACK (fen_main_window_mpr_window_cb), self);
  g_debug ("mpr: entered, %u slice(s), %" G_GSIZE_FORMAT " bytes borrowed",
           fen_volume_get_n_slices (volume), fen_volume_get_bytes (volume));
  return TRUE;
}

static void
fen_main_window_mpr_leave (FenMainWindow *self)
{
  FenMemoryOperation op;

  if (self->mpr_pane != NULL)
    {
      g_clear_signal_handler (&self->mpr_series_handler, self->mpr_pane);
      self->mpr_pane = NULL;
    }
  if (self->mpr_viewport != NULL)
    {
      g_clear_signal_handler (&self->mpr_window_handler, self->mpr_viewport);
      self->mpr_viewport = NULL;
    }
  if (self->mpr_layout == NULL || fen_mpr_layout_get_volume (FEN_MPR_LAYOUT (self->mpr_layout)) == NULL)
    return;
  fen_memory_monitor_begin (self->monitor, &op, "mpr-leave");
  fen_main_window_mpr_show_slices (self, TRUE);
  fen_mpr_layout_set_volume (FEN_MPR_LAYOUT (self->mpr_layout), NULL, NULL, NULL);
  fen_memory_monitor_end (self->monitor, &op);
  gtk_widget_grab_focus (GTK_WIDGET (self->viewport));
}

static void
fen_main_window_mpr_activate_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FenMainWindow *self = user_data;
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));

  if (g_variant_get_boolean (state))
    {
      fen_main_window_mpr_leave (self);
      fen_main_window_mpr_set_state (self, FALSE);
    }
  else if (fen_main_window_mpr_enter (self))
    fen_main_window_mpr_set_state (self, TRUE);
}

void
_fen_main_window_mpr_init (FenMainWindow *self)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new_stateful ("mpr", NULL, g_variant_new_boolean (FALSE));

  g_signal_connect (action, "activate", G_CALLBACK (fen_main_window_mpr_activate_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
  /* Another layout (Alt+1 to Alt+4) leaves MPR for it. */
  g_signal_connect (self, "notify::layout", G_CALLBACK (fen_main_window_mpr_series_changed_cb), NULL);
}
