/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-cine.c: cine: the active pane's slices (the frames of a
 * multi-frame image are slices too) played on the window's frame clock at
 * the rate of the spin button, looping or bouncing. The core's FenCine says
 * which slice is due at each frame-clock time, so a late frame skips slices
 * rather than slowing the run; linked panes follow through the slice links.
 * A slice is rendered when it is shown (the viewport renders lazily into
 * its pooled buffers); nothing here allocates per frame. The P key or the
 * button plays and pauses; any other key, click or scroll, or another
 * series in the pane, stops. The rate achieved is logged (g_debug, every
 * 2 s and at the stop) and the run is one "cine" operation in the memory
 * log. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"

#include <math.h>

#define FEN_CINE_REPORT_US (2 * G_USEC_PER_SEC)

static void
fen_main_window_cine_set_button (FenMainWindow *self, gboolean playing)
{
  g_signal_handlers_block_matched (self->cine_button, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_toggle_button_set_active (self->cine_button, playing);
  g_signal_handlers_unblock_matched (self->cine_button, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_button_set_icon_name (GTK_BUTTON (self->cine_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
}

/* "cine: 20.0 fps achieved over 41 frames in 2.00 s (asked 20, 0 skipped)":
 * the e2e test reads it. */
static void
fen_main_window_cine_log (FenMainWindow *self, const char *what, guint64 frames, gint64 span_us)
{
  g_debug ("cine%s: %.1f fps achieved over %" G_GUINT64_FORMAT " frames in %.2f s (asked %g, %" G_GUINT64_FORMAT " skipped)",
           what, span_us > 0 ? (double) frames * 1e6 / (double) span_us : 0.0, frames, span_us / 1e6,
           self->cine.fps, self->cine.n_skipped);
}

void
_fen_main_window_cine_stop (FenMainWindow *self, const char *why)
{
  if (self->cine_tick == 0)
    return;
  gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->cine_tick);
  self->cine_tick = 0;
  /* Over the whole run: intervals between the first and last frame shown. */
  fen_main_window_cine_log (self, " run", self->cine.n_shown > 0 ? self->cine.n_shown - 1 : 0,
                            self->cine.last_shown_us - self->cine.first_shown_us);
  g_debug ("cine: stopped (%s)", why);
  if (self->monitor != NULL)
    fen_memory_monitor_end (self->monitor, &self->cine_op);
  g_clear_object (&self->cine_series);
  self->cine_pane = NULL;
  fen_main_window_cine_set_button (self, FALSE);
}

static gboolean
fen_main_window_cine_tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  FenSeries *series = _fen_main_window_get_current_series (self);
  guint frame;

  /* Another pane, another series, or the series grew or shrank. */
  if (self->panes[self->active_pane] != self->cine_pane || series != self->cine_series ||
      series == NULL || fen_series_get_n_slices (series) != self->cine_n_slices)
    {
      _fen_main_window_cine_stop (self, "the series changed");
      return G_SOURCE_REMOVE;
    }
  if (!fen_cine_tick (&self->cine, now, &frame))
    return G_SOURCE_CONTINUE;

  if (frame != _fen_main_window_get_current_slice (self))
    {
      _fen_main_window_show_slice (self, frame);
      _fen_main_window_sync_panes (self, TRUE);
    }
  self->cine_op.n_updates++;
  if (self->cine_report_us == 0)
    {
      self->cine_report_us = now;
      self->cine_report_shown = self->cine.n_shown;
    }
  else if (now - self->cine_report_us >= FEN_CINE_REPORT_US)
    {
      fen_main_window_cine_log (self, "", self->cine.n_shown - self->cine_report_shown,
                                now - self->cine_report_us);
      self->cine_report_us = now;
      self->cine_report_shown = self->cine.n_shown;
    }
  return G_SOURCE_CONTINUE;
}

static FenCineMode
fen_main_window_cine_get_mode (FenMainWindow *self)
{
  return gtk_drop_down_get_selected (self->cine_mode) == 1 ? FEN_CINE_BOUNCE : FEN_CINE_LOOP;
}

static gboolean
fen_main_window_cine_start (FenMainWindow *self)
{
  FenSeries *series = _fen_main_window_get_current_series (self);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  FenImage *image = fen_viewport_get_image (self->viewport);
  guint n = series != NULL ? fen_series_get_n_slices (series) : 0;

  if (self->cine_tick != 0)
    return TRUE;
  if (n < 2 || clock == NULL || image == NULL)
    return FALSE;
  fen_cine_start (&self->cine, gdk_frame_clock_get_frame_time (clock),
                  gtk_adjustment_get_value (self->cine_fps_adjustment), n,
                  _fen_main_window_get_current_slice (self), fen_main_window_cine_get_mode (self));
  self->cine_pane = self->panes[self->active_pane];
  g_set_object (&self->cine_series, series);
  self->cine_n_slices = n;
  self->cine_report_us = 0;
  self->cine_report_shown = 0;
  if (self->monitor != NULL)
    fen_memory_monitor_begin (self->monitor, &self->cine_op, "cine %s", fen_image_get_log_name (image));
  self->cine_op.n_updates = 0;
  self->cine_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), fen_main_window_cine_tick_cb, NULL, NULL);
  g_debug ("cine: playing %u slices from %u at %g fps (%s)", n, self->cine.first, self->cine.fps,
           self->cine.mode == FEN_CINE_BOUNCE ? "bounce" : "loop");
  fen_main_window_cine_set_button (self, TRUE);
  return TRUE;
}

static void
fen_main_window_cine_toggled_cb (FenMainWindow *self, GtkToggleButton *button)
{
  if (gtk_toggle_button_get_active (button))
    {
      if (!fen_main_window_cine_start (self))
        fen_main_window_cine_set_button (self, FALSE);
    }
  else
    _fen_main_window_cine_stop (self, "the cine button");
}

void
_fen_main_window_cine_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);

  if (self->cine_tick != 0)
    _fen_main_window_cine_stop (self, "the cine key");
  else if (!fen_main_window_cine_start (self))
    gtk_widget_error_bell (widget);
}

static gint64
fen_main_window_cine_now (FenMainWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  return clock != NULL ? gdk_frame_clock_get_frame_time (clock) : g_get_monotonic_time ();
}

static void
fen_main_window_cine_fps_changed_cb (FenMainWindow *self, GtkAdjustment *adjustment)
{
  if (self->cine_tick != 0)
    {
      fen_cine_set_fps (&self->cine, fen_main_window_cine_now (self), gtk_adjustment_get_value (adjustment));
      g_debug ("cine: now at %g fps", self->cine.fps);
    }
}

/* Enter in the rate: back to the image, where the keys act. GTK 4.8's
 * GtkSpinButton has no "activate" of its own: its text delegate's. */
static void
fen_main_window_cine_fps_activate_cb (GtkText *text, FenMainWindow *self)
{
  gtk_spin_button_update (self->cine_fps);
  gtk_widget_grab_focus (GTK_WIDGET (self->viewport));
}

static void
fen_main_window_cine_mode_changed_cb (FenMainWindow *self, GParamSpec *pspec, GtkDropDown *drop_down)
{
  if (self->cine_tick != 0)
    fen_cine_set_mode (&self->cine, fen_main_window_cine_now (self), fen_main_window_cine_get_mode (self));
}

static gboolean
fen_main_window_cine_owns (FenMainWindow *self, GtkWidget *target)
{
  return target != NULL && (target == self->cine_box || gtk_widget_is_ancestor (target, self->cine_box));
}

/* Capture phase, never claimed: whatever the press does still happens. */
static void
fen_main_window_cine_pressed_cb (GtkGestureClick *gesture, int n_press, double x, double y, FenMainWindow *self)
{
  if (self->cine_tick != 0 &&
      !fen_main_window_cine_owns (self, gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT)))
    _fen_main_window_cine_stop (self, "a click");
}

static gboolean
fen_main_window_cine_scroll_cb (GtkEventControllerScroll *controller, double dx, double dy, FenMainWindow *self)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  double x = 0, y = 0, sx = 0, sy = 0;

  if (self->cine_tick == 0)
    return FALSE;
  /* The rate's spin button takes the wheel without stopping the run. */
  if (event != NULL && gdk_event_get_position (event, &x, &y))
    {
      gtk_native_get_surface_transform (GTK_NATIVE (self), &sx, &sy);
      if (fen_main_window_cine_owns (self, gtk_widget_pick (GTK_WIDGET (self), x - sx, y - sy, GTK_PICK_DEFAULT)))
        return FALSE;
    }
  _fen_main_window_cine_stop (self, "a scroll");
  return FALSE;
}

static gboolean
fen_main_window_cine_key_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                             GdkModifierType state, FenMainWindow *self)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (self->cine_tick == 0 || (event != NULL && gdk_key_event_is_modifier (event)))
    return FALSE;
  /* P itself pauses through its action; typing a rate changes the rate. */
  if (((keyval == GDK_KEY_p || keyval == GDK_KEY_P) &&
       !(state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK))) ||
      fen_main_window_cine_owns (self, focus))
    return FALSE;
  _fen_main_window_cine_stop (self, "a key");
  return FALSE;
}

/* The file's own rate (PS3.3 C.7.6.5, FenImageInfo.frame_rate) becomes the
 * spin's when a series first comes into the active pane; the user's choice
 * stays until another series does. Also logs where the rate control is
 * when it moved (the e2e test aims at it, as at the viewport). */
static void
fen_main_window_cine_viewport_changed_cb (FenViewport *viewport, FenMainWindow *self)
{
  FenSeries *series = _fen_main_window_get_current_series (self);
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self->cine_fps));
  graphene_point_t origin;
  double sx = 0, sy = 0;

  if (viewport != self->viewport)
    return;
  if (series != NULL && g_strcmp0 (fen_series_get_key (series), self->cine_rate_key) != 0 &&
      fen_series_get_n_images (series) > 0)
    {
      FenImage *first = fen_store_lookup (self->store, fen_series_get_image_id (series, 0));
      double rate = first != NULL ? fen_image_get_info (first)->frame_rate : 0.0;

      g_free (self->cine_rate_key);
      self->cine_rate_key = g_strdup (fen_series_get_key (series));
      if (rate > 0.0)
        {
          gtk_adjustment_set_value (self->cine_fps_adjustment,
                                    CLAMP (round (rate), FEN_CINE_MIN_FPS, FEN_CINE_MAX_FPS));
          g_debug ("cine: the file's rate, %.2f fps", rate);
        }
    }
  if (native != NULL && gtk_widget_get_mapped (GTK_WIDGET (self->cine_fps)) &&
      gtk_widget_compute_point (GTK_WIDGET (self->cine_fps), GTK_WIDGET (native),
                                &GRAPHENE_POINT_INIT (0, 0), &origin) &&
      (origin.x != self->cine_fps_x || origin.y != self->cine_fps_y))
    {
      self->cine_fps_x = origin.x;
      self->cine_fps_y = origin.y;
      gtk_native_get_surface_transform (native, &sx, &sy);
      g_debug ("cine rate control: x=%.0f y=%.0f width=%d height=%d", origin.x + sx, origin.y + sy,
               gtk_widget_get_width (GTK_WIDGET (self->cine_fps)),
               gtk_widget_get_height (GTK_WIDGET (self->cine_fps)));
    }
}

void
_fen_main_window_cine_init (FenMainWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkGesture *click = gtk_gesture_click_new ();

  /* Capture phase: seen before any widget acts on them, never consumed.
   * Added after the slice keys' controller, which consumes the arrows: the
   * one added last sees a key first (e2e-cine presses Right while playing). */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (fen_main_window_cine_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (fen_main_window_cine_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (fen_main_window_cine_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  g_signal_connect (gtk_editable_get_delegate (GTK_EDITABLE (self->cine_fps)), "activate",
                    G_CALLBACK (fen_main_window_cine_fps_activate_cb), self);
  for (guint i = 0; i < FEN_N_PANES; i++)
    g_signal_connect (fen_pane_get_viewport (self->panes[i]), "changed",
                      G_CALLBACK (fen_main_window_cine_viewport_changed_cb), self);
}

void
_fen_main_window_class_cine_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, cine_box);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, cine_button);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, cine_fps);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, cine_fps_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, cine_mode);
  gtk_widget_class_bind_template_callback (widget_class, fen_main_window_cine_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_main_window_cine_fps_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_main_window_cine_mode_changed_cb);
}
