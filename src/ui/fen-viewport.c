/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport.c: FenViewport renders the visible part of one frame at the
 * screen's resolution with the core engine, on the CPU, into a pooled buffer
 * that becomes a GdkMemoryTexture. The cost of a frame follows the widget's
 * size in device pixels, never the image's size, and the texture is reused
 * until an input (image, frame, window, view, size) changes. Below half
 * size it samples a box-filtered pyramid level of the frame (no aliasing),
 * borrowed from the store, which counts its levels as cache and sheds them
 * on whichever thread needs room. The image shown is pinned in the store,
 * so it is never evicted; one whose pixels were evicted before it came
 * shows nothing until the window has them back (fen_viewport_reload()).
 * The view maths are the core's FenView; the render of the image's
 * visible rectangle and its texture are in fen-viewport-render.c, compare
 * modes in fen-viewport-compare.c, measurements in fen-viewport-measure.c,
 * what is drawn over the image in fen-viewport-overlay.c, reference lines
 * and the 3D cursor in fen-viewport-reference.c. */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport-private.h"
#include "fen-rendered-frame.h"

#include <math.h>
#include <string.h>

G_DEFINE_FINAL_TYPE (FenViewport, fen_viewport, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  SCROLL_SLICES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_WINDOW_CENTER,
  PROP_WINDOW_WIDTH,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_fen_viewport_changed (FenViewport *self, gboolean redraw)
{
  if (redraw)
    {
      /* Zoom, pan or orientation may have moved: what the zoom link binds to. */
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
      self->texture_valid = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

void
_fen_viewport_window_changed (FenViewport *self)
{
  self->lut_valid = FALSE;
  self->partner_lut_valid = FALSE;
  /* The properties links bind to (FenMainWindow's window/level link). */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_CENTER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_WIDTH]);
  _fen_viewport_changed (self, TRUE);
}

/* Zooms keeping the image point under (@sx, @sy) where it is. */
static void
fen_viewport_zoom_about (FenViewport *self, double factor, double sx, double sy)
{
  if (self->image == NULL)
    return;
  fen_view_zoom_about (&self->view, factor, sx, sy);
  _fen_viewport_changed (self, TRUE);
}

static void
fen_viewport_end_group (FenViewport *self)
{
  g_clear_handle_id (&self->op_timeout, g_source_remove);
  if (self->op_name != NULL)
    {
      if (self->monitor != NULL)
        fen_memory_monitor_end (self->monitor, &self->group_op);
      g_clear_pointer (&self->op_name, g_free);
    }
}

static gboolean
fen_viewport_group_timeout_cb (gpointer user_data)
{
  FenViewport *self = user_data;

  self->op_timeout = 0;
  fen_viewport_end_group (self);
  return G_SOURCE_REMOVE;
}

void
fen_viewport_note_operation (FenViewport *self, const char *name)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  if (self->op_name != NULL && g_strcmp0 (self->op_name, name) != 0)
    fen_viewport_end_group (self);
  if (self->op_name == NULL)
    {
      self->op_name = g_strdup (name);
      if (self->monitor != NULL)
        fen_memory_monitor_begin (self->monitor, &self->group_op, "%s %s", name,
                                  self->image ? fen_image_get_log_name (self->image) : "none");
    }
  self->group_op.n_updates++;
  g_clear_handle_id (&self->op_timeout, g_source_remove);
  self->op_timeout = g_timeout_add (FEN_VIEWPORT_OP_IDLE_MS, fen_viewport_group_timeout_cb, self);
}

static void
fen_viewport_log_window (FenViewport *self, const char *why)
{
  /* The e2e test reads this line to predict the grey levels on screen. */
  g_debug ("window %s: center=%.6f width=%.6f invert=%d", why,
           self->window.center, self->window.width, self->window.invert);
}

/* Pyramid and pins -------------------------------------------------------- */

/* Borrows the pyramid of the frame shown from the store; it builds nothing
 * until a zoom below 1/2 asks for a level. */
static void
fen_viewport_borrow_pyramid (FenViewport *self)
{
  g_return_if_fail (self->pyramid == NULL);

  if (self->store != NULL)
    self->pyramid = fen_store_get_pyramid (self->store, fen_image_get_id (self->image), self->frame);
  else
    /* Without a store (nothing accounts memory): a pyramid of our own. */
    self->pyramid = fen_pyramid_new (self->image, self->frame);
}

static void
fen_viewport_drop_pyramid (FenViewport *self)
{
  FenPyramid *pyramid = g_steal_pointer (&self->pyramid);

  if (pyramid == NULL)
    return;
  if (self->store != NULL)
    fen_store_release_pyramid (self->store, pyramid);
  else
    fen_pyramid_unref (pyramid);
}

/* Lets go of the image: its pyramid, its pin, our reference. */
static void
fen_viewport_drop_image (FenViewport *self)
{
  fen_viewport_drop_pyramid (self);
  if (self->image != NULL && self->store != NULL)
    fen_store_pin (self->store, fen_image_get_id (self->image), FALSE);
  g_clear_pointer (&self->image, fen_image_unref);
}

guint
fen_viewport_get_pyramid_level (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 0);

  /* Compared at full resolution: a level of the difference would need a
   * stored difference, which is what this never makes. */
  if (self->compare != FEN_VIEWPORT_COMPARE_NONE && self->partner_ok)
    return 0;
  return fen_view_get_level (&self->view, gtk_widget_get_scale_factor (GTK_WIDGET (self)), self->pyramid);
}

gsize
fen_viewport_trim_render_buffers (FenViewport *self)
{
  gsize before;

  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 0);

  /* Spare render buffers go; the frame on screen stays. (Pyramid levels are
   * the store's to shed.) */
  before = fen_render_pool_get_bytes (self->pool);
  fen_render_pool_trim (self->pool, 0);
  return before - MIN (before, fen_render_pool_get_bytes (self->pool));
}

gboolean
fen_viewport_has_pixels (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FALSE);
  return self->image != NULL && fen_image_has_pixels (self->image);
}

void
fen_viewport_reload (FenViewport *self)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  _fen_viewport_changed (self, TRUE);
}

void
fen_viewport_set_store (FenViewport *self, FenStore *store)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  g_return_if_fail (self->image == NULL);
  self->store = store;
}

/* Drag gestures ----------------------------------------------------------- */

/* What a left drag adjusts: the difference's own window while a difference
 * is on screen, else the image's. */
static FenWindowParams *
fen_viewport_drag_window (FenViewport *self)
{
  if (self->compare == FEN_VIEWPORT_COMPARE_DIFFERENCE && self->partner_ok)
    return &self->diff_window;
  return &self->window;
}

static void
fen_viewport_primary_begin_cb (GtkGestureDrag *gesture, double x, double y, FenViewport *self)
{
  FenWindowParams *win;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->image == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  fen_viewport_end_group (self);
  if (_fen_viewport_cursor_begin (self, GTK_GESTURE (gesture), x, y))
    return;

  if (_fen_viewport_measure_begin (self, x, y))
    return;

  win = fen_viewport_drag_window (self);
  self->drag_center = win->center;
  self->drag_width = win->width;
  self->drag_last_x = self->drag_last_y = 0;
  self->drag_acc_x = self->drag_acc_y = 0;
  self->drag_per_px = fen_view_window_step (&self->view, self->image, self->frame, win->width);
  if (self->monitor != NULL)
    {
      fen_memory_monitor_begin (self->monitor, &self->drag_op, "%s %s",
                                win == &self->diff_window ? "difference-drag" : "wl-drag",
                                fen_image_get_log_name (self->image));
      self->drag_op_open = TRUE;
    }
}

static void
fen_viewport_primary_update_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  GdkModifierType state;
  FenWindowParams *win;
  double step;

  if (self->image == NULL || _fen_viewport_cursor_update (self, gesture, dx, dy))
    return;
  if (_fen_viewport_measure_active (self))
    {
      double sx, sy;

      gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
      _fen_viewport_measure_update (self, sx + dx, sy + dy);
      return;
    }

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  step = (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) ? 0.1 : 1.0;
  /* Accumulate so that pressing Shift mid-drag slows down without a jump. */
  self->drag_acc_x += (dx - self->drag_last_x) * step;
  self->drag_acc_y += (dy - self->drag_last_y) * step;
  self->drag_last_x = dx;
  self->drag_last_y = dy;

  /* Right widens; up raises the level (as Weasis). */
  win = fen_viewport_drag_window (self);
  win->width = MAX (1.0, self->drag_width + self->drag_acc_x * self->drag_per_px);
  win->center = self->drag_center - self->drag_acc_y * self->drag_per_px;
  win->voi_lut = 0;  /* a drag leaves a VOI LUT preset for a window */
  if (self->drag_op_open)
    self->drag_op.n_updates++;
  _fen_viewport_window_changed (self);
}

static void
fen_viewport_primary_end_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  if (_fen_viewport_cursor_end (self))
    return;
  if (_fen_viewport_measure_active (self))
    {
      _fen_viewport_measure_end (self);
      return;
    }
  if (self->image == NULL)
    return;
  if (fen_viewport_drag_window (self) == &self->diff_window)
    _fen_viewport_log_difference_window (self, "drag");
  else
    fen_viewport_log_window (self, "drag");
  if (self->drag_op_open)
    {
      fen_memory_monitor_end (self->monitor, &self->drag_op);
      self->drag_op_open = FALSE;
    }
}

static void
fen_viewport_zoom_begin_cb (GtkGestureDrag *gesture, double x, double y, FenViewport *self)
{
  if (self->image == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_zoom = self->view.zoom;
  self->drag_start_x = x;
  self->drag_start_y = y;
}

static void
fen_viewport_zoom_update_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  double target;

  if (self->image == NULL)
    return;
  /* Up zooms in; 200 px doubles or halves. */
  target = self->drag_zoom * pow (2.0, -dy / 200.0);
  fen_viewport_note_operation (self, "zoom");
  fen_viewport_zoom_about (self, target / self->view.zoom, self->drag_start_x, self->drag_start_y);
}

static void
fen_viewport_zoom_end_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  fen_viewport_end_group (self);
}

static void
fen_viewport_pan_begin_cb (GtkGestureDrag *gesture, double x, double y, FenViewport *self)
{
  if (self->image == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_view_x = self->view.center_x;
  self->drag_view_y = self->view.center_y;
}

static void
fen_viewport_pan_update_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  if (self->image == NULL)
    return;
  fen_view_pan (&self->view, self->drag_view_x, self->drag_view_y, dx, dy);
  fen_viewport_note_operation (self, "pan");
  _fen_viewport_changed (self, TRUE);
}

static void
fen_viewport_pan_end_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  fen_viewport_end_group (self);
}

static gboolean
fen_viewport_scroll_cb (GtkEventControllerScroll *controller, double dx, double dy, FenViewport *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (self->image == NULL || dy == 0)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    {
      double x = self->has_pointer ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      double y = self->has_pointer ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

      fen_viewport_note_operation (self, "zoom");
      fen_viewport_zoom_about (self, pow (1.25, -dy), x, y);
    }
  else
    g_signal_emit (self, signals[SCROLL_SLICES], 0, dy > 0 ? 1 : -1);
  return TRUE;
}

static void
fen_viewport_motion_cb (GtkEventControllerMotion *controller, double x, double y, FenViewport *self)
{
  self->has_pointer = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
fen_viewport_leave_cb (GtkEventControllerMotion *controller, FenViewport *self)
{
  self->has_pointer = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Drawing ----------------------------------------------------------------- */

static void
fen_viewport_snapshot_message (FenViewport *self, GtkSnapshot *snapshot, const char *message)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), message);
  GdkRGBA amber = { 1.0, 0.75, 0.3, 1.0 };
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  int lw, lh;

  pango_layout_set_width (layout, MAX (w - 40, 40) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, &lw, &lh);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (20, (float) (h - lh) / 2));
  gtk_snapshot_append_layout (snapshot, layout, &amber);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
fen_viewport_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FenViewport *self = FEN_VIEWPORT (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  int dw = w * scale, dh = h * scale;

  if (self->image == NULL || w < 1 || h < 1)
    return;
  fen_view_set_output_size (&self->view, w, h);
  if (self->compare != FEN_VIEWPORT_COMPARE_NONE &&
      (!self->partner_ok || !fen_image_has_pixels (self->partner)))
    {
      /* Nothing to compare with: say why rather than show one image as if
       * it were the comparison. */
      g_clear_object (&self->texture);
      fen_viewport_snapshot_message (self, snapshot, self->partner_ok ? "The other image is being reloaded"
                                                                      : self->compare_message);
      return;
    }
  /* Evicted before it came on screen: never hand the renderer an image
   * without pixels. The window shows that it is reloading. */
  if (!fen_image_has_pixels (self->image))
    {
      g_clear_object (&self->texture);
      return;
    }

  if (self->texture == NULL || !self->texture_valid ||
      self->texture_width != dw || self->texture_height != dh)
    {
      /* Drop ours first so its buffer can come back to the pool. */
      g_clear_object (&self->texture);
      self->texture = _fen_viewport_render_texture (self, dw, dh, scale, &self->texture_rect);
      self->texture_width = dw;
      self->texture_height = dh;
      self->texture_valid = TRUE;
    }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  _fen_viewport_snapshot_image (self, snapshot, w, h, scale);
  _fen_viewport_snapshot_references (self, snapshot);
  _fen_viewport_snapshot_measurements (self, snapshot);
  gtk_snapshot_pop (snapshot);
}

static gboolean
fen_viewport_changed_idle_cb (gpointer user_data)
{
  FenViewport *self = user_data;
  double x, y;

  self->changed_idle = 0;
  /* Where the viewport is on its surface: the e2e test aims the pointer by it. */
  if (fen_rendered_frame_surface_place (GTK_WIDGET (self), &x, &y))
    g_debug ("geometry: x=%.0f y=%.0f width=%d height=%d scale=%d", x, y,
             gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)),
             gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
fen_viewport_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  FenViewport *self = FEN_VIEWPORT (widget);

  self->texture_valid = FALSE;
  fen_view_set_output_size (&self->view, width, height);
  _fen_viewport_measure_allocate (self);
  /* Labels must not change during allocation: tell the overlays later. */
  if (self->changed_idle == 0)
    self->changed_idle = g_idle_add (fen_viewport_changed_idle_cb, self);
}

/* Object ------------------------------------------------------------------ */

static void
fen_viewport_dispose (GObject *object)
{
  FenViewport *self = FEN_VIEWPORT (object);

  fen_viewport_end_group (self);
  g_clear_handle_id (&self->changed_idle, g_source_remove);
  g_clear_handle_id (&self->trim_timeout, g_source_remove);
  if (self->drag_op_open)
    {
      fen_memory_monitor_end (self->monitor, &self->drag_op);
      self->drag_op_open = FALSE;
    }
  g_clear_object (&self->texture);
  _fen_viewport_compare_dispose (self);
  _fen_viewport_measure_dispose (self);
  fen_viewport_drop_image (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_VIEWPORT);
  G_OBJECT_CLASS (fen_viewport_parent_class)->dispose (object);
}

static void
fen_viewport_finalize (GObject *object)
{
  FenViewport *self = FEN_VIEWPORT (object);

  g_clear_pointer (&self->lut, fen_lut_free);
  g_clear_pointer (&self->partner_lut, fen_lut_free);
  _fen_viewport_measure_finalize (self);
  g_clear_pointer (&self->renderer, fen_renderer_free);
  g_clear_pointer (&self->pool, fen_render_pool_unref);
  G_OBJECT_CLASS (fen_viewport_parent_class)->finalize (object);
}

static void
fen_viewport_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FenViewport *self = FEN_VIEWPORT (object);

  switch (prop_id)
    {
    case PROP_WINDOW_CENTER: g_value_set_double (value, self->window.center); break;
    case PROP_WINDOW_WIDTH:  g_value_set_double (value, self->window.width); break;
    case PROP_VIEW:          g_value_set_variant (value, fen_viewport_get_view (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_viewport_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FenViewport *self = FEN_VIEWPORT (object);

  switch (prop_id)
    {
    case PROP_WINDOW_CENTER:
      fen_viewport_set_window (self, g_value_get_double (value), self->window.width);
      break;
    case PROP_WINDOW_WIDTH:
      fen_viewport_set_window (self, self->window.center, g_value_get_double (value));
      break;
    case PROP_VIEW:
      fen_viewport_set_view (self, g_value_get_variant (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_viewport_class_init (FenViewportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_viewport_dispose;
  object_class->finalize = fen_viewport_finalize;
  object_class->get_property = fen_viewport_get_property;
  object_class->set_property = fen_viewport_set_property;

  /**
   * FenViewport:window-center:
   * The window's centre in modality units (PS3.3 C.11.2.1.2); what a
   * window/level link binds to. Setting it sets a window (a VOI LUT shown
   * gives way to it).
   */
  properties[PROP_WINDOW_CENTER] = g_param_spec_double ("window-center", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * FenViewport:window-width:
   * The window's width in modality units, at least 1.
   */
  properties[PROP_WINDOW_WIDTH] = g_param_spec_double ("window-width", NULL, NULL, 0, G_MAXDOUBLE, 1,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * FenViewport:view:
   * As fen_viewport_get_view() gives it: what the zoom, pan and
   * orientation link binds to.
   */
  properties[PROP_VIEW] = g_param_spec_variant ("view", NULL, NULL, G_VARIANT_TYPE (FEN_VIEWPORT_VIEW_TYPE), NULL,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->snapshot = fen_viewport_snapshot;
  widget_class->size_allocate = fen_viewport_size_allocate;

  /**
   * FenViewport::changed:
   * Something the overlays show changed: window, view, pointer, measurement.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * FenViewport::scroll-slices:
   * The wheel asks for the next (+1) or previous (-1) slice.
   */
  signals[SCROLL_SLICES] = g_signal_new ("scroll-slices", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  _fen_viewport_class_reference_init (widget_class);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-viewport.ui");
  gtk_widget_class_bind_template_child (widget_class, FenViewport, primary_drag);
  gtk_widget_class_bind_template_child (widget_class, FenViewport, zoom_drag);
  gtk_widget_class_bind_template_child (widget_class, FenViewport, pan_drag);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_primary_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_primary_update_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_primary_end_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_zoom_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_zoom_update_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_zoom_end_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_pan_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_pan_update_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_pan_end_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_scroll_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_motion_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_viewport_leave_cb);
  gtk_widget_class_set_css_name (widget_class, "fen-viewport");
  _fen_viewport_class_measure_init (widget_class);
}

static void
fen_viewport_init (FenViewport *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  self->lut = fen_lut_new ();
  /* Wide enough for a 4K screen at scale 2; wider outputs grow it once. */
  self->renderer = fen_renderer_new (0, 7680);
  self->pool = fen_render_pool_new (NULL, FEN_VIEWPORT_POOL_SIZE);
  fen_view_init (&self->view);
  _fen_viewport_measure_init (self);
  self->show_scale_bar = TRUE;
  self->compare_message = "";
}

GtkWidget *
fen_viewport_new (void)
{
  return g_object_new (FEN_TYPE_VIEWPORT, NULL);
}

void
fen_viewport_set_monitor (FenViewport *self, FenMemoryMonitor *monitor)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  /* The pool accounts its bytes with the monitor it was made with. */
  g_clear_object (&self->texture);
  g_clear_pointer (&self->pool, fen_render_pool_unref);
  self->monitor = monitor;
  self->pool = fen_render_pool_new (monitor, FEN_VIEWPORT_POOL_SIZE);
  self->texture_valid = FALSE;
}

void
fen_viewport_set_image (FenViewport *self, FenImage *image, guint frame, gboolean keep_view)
{
  gboolean same_size;

  g_return_if_fail (FEN_IS_VIEWPORT (self));

  /* Nothing changed (another slice of the series arrived): no new frame. */
  if (image != NULL && image == self->image && frame == self->frame && keep_view)
    return;
  same_size = image != NULL && self->image != NULL &&
              fen_image_get_width (image) == fen_image_get_width (self->image) &&
              fen_image_get_height (image) == fen_image_get_height (self->image);
  if (image != self->image)
    {
      /* Scrolling changes the image within one grouped operation; only
       * letting go of the image ends it. */
      if (image == NULL)
        fen_viewport_end_group (self);
      if (image != NULL)
        {
          fen_image_ref (image);
          /* On screen: never evicted, and the most recently viewed. */
          if (self->store != NULL)
            fen_store_pin (self->store, fen_image_get_id (image), TRUE);
        }
      fen_viewport_drop_image (self);
      self->image = image;
      self->lut_valid = FALSE;
    }
  else if (image != NULL && frame != self->frame)
    {
      fen_viewport_drop_pyramid (self);
      /* Another frame may have its own rescale: its own table. */
      self->lut_valid = FALSE;
    }
  self->frame = frame;
  _fen_viewport_measure_image_changed (self);
  if (image != NULL && self->pyramid == NULL)
    fen_viewport_borrow_pyramid (self);

  if (image == NULL)
    {
      /* Let go of the last frame too: nothing of the image stays alive. */
      g_clear_object (&self->texture);
      fen_render_pool_trim (self->pool, 0);
      _fen_viewport_changed (self, TRUE);
      return;
    }
  fen_view_set_image_size (&self->view, fen_image_get_width (image), fen_image_get_height (image));
  if (!keep_view || !same_size)
    {
      fen_window_default (image, frame, &self->window);
      fen_view_reset (&self->view);
      fen_viewport_log_window (self, "default");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_CENTER]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_WIDTH]);
    }
  self->lut_valid = FALSE;
  _fen_viewport_changed (self, TRUE);
}

FenImage *
fen_viewport_get_image (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), NULL);
  return self->image;
}

guint
fen_viewport_get_frame (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 0);
  return self->frame;
}

void
fen_viewport_get_window (FenViewport *self, FenWindowParams *out)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  *out = self->window;
}

void
fen_viewport_set_window (FenViewport *self, double center, double width)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  if (self->image == NULL)
    return;
  self->window.center = center;
  self->window.width = MAX (width, 1.0);
  self->window.voi_lut = 0;
  fen_viewport_log_window (self, "preset");
  _fen_viewport_window_changed (self);
}

void
fen_viewport_set_voi_lut (FenViewport *self, guint index)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  if (self->image == NULL || index == 0 || index > fen_image_get_info (self->image)->n_voi_luts)
    return;
  /* PS3.3 C.11.2.1.1: the file's table replaces the window; a drag leaves it. */
  self->window.voi_lut = index;
  g_debug ("window voi-lut %u", index);
  _fen_viewport_window_changed (self);
}

void
fen_viewport_auto_window (FenViewport *self)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (self->image == NULL || !fen_image_has_pixels (self->image))
    return;
  fen_window_auto (self->image, self->frame, &self->window);
  fen_viewport_log_window (self, "auto");
  _fen_viewport_window_changed (self);
}

void
fen_viewport_toggle_invert (FenViewport *self)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  self->window.invert = !self->window.invert;
  _fen_viewport_window_changed (self);
}

void
fen_viewport_reset (FenViewport *self)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (self->image == NULL)
    return;
  fen_window_default (self->image, self->frame, &self->window);
  fen_view_reset (&self->view);
  fen_viewport_log_window (self, "reset");
  _fen_viewport_window_changed (self);
}

double
fen_viewport_get_zoom (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 1.0);
  return self->view.zoom;
}

void
fen_viewport_zoom_by (FenViewport *self, double factor)
{
  double x, y;

  g_return_if_fail (FEN_IS_VIEWPORT (self));
  x = self->has_pointer ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  y = self->has_pointer ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  fen_viewport_note_operation (self, "zoom");
  fen_viewport_zoom_about (self, factor, x, y);
}

void
fen_viewport_fit (FenViewport *self)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  fen_view_fit (&self->view);
  _fen_viewport_changed (self, TRUE);
}

void
fen_viewport_one_to_one (FenViewport *self)
{
  int scale;

  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (self->image == NULL)
    return;
  /* One image pixel per device pixel. */
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  fen_viewport_zoom_by (self, (1.0 / scale) / self->view.zoom);
}

void
fen_viewport_rotate (FenViewport *self, int quarter_turns)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  fen_view_rotate (&self->view, quarter_turns);
  _fen_viewport_changed (self, TRUE);
}

void
fen_viewport_flip (FenViewport *self, gboolean horizontal)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  fen_view_flip (&self->view, horizontal);
  _fen_viewport_changed (self, TRUE);
}

GVariant *
fen_viewport_get_view (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), NULL);
  return g_variant_new (FEN_VIEWPORT_VIEW_TYPE,
                        self->image ? self->view.center_x / fen_image_get_width (self->image) : 0.5,
                        self->image ? self->view.center_y / fen_image_get_height (self->image) : 0.5,
                        self->view.zoom, self->view.fit, self->view.rotation, self->view.flip_h, self->view.flip_v);
}

void
fen_viewport_set_view (FenViewport *self, GVariant *view)
{
  double fx, fy, cx, cy, zoom;
  gboolean fit, flip_h, flip_v;
  int rotation;

  g_return_if_fail (FEN_IS_VIEWPORT (self));
  g_return_if_fail (view != NULL && g_variant_is_of_type (view, G_VARIANT_TYPE (FEN_VIEWPORT_VIEW_TYPE)));
  if (self->image == NULL)
    return;
  g_variant_get (view, FEN_VIEWPORT_VIEW_TYPE, &fx, &fy, &zoom, &fit, &rotation, &flip_h, &flip_v);
  cx = fx * fen_image_get_width (self->image);
  cy = fy * fen_image_get_height (self->image);
  zoom = CLAMP (zoom, FEN_VIEW_MIN_ZOOM, FEN_VIEW_MAX_ZOOM);
  rotation = (rotation % 4 + 4) % 4;
  flip_h = !!flip_h;
  flip_v = !!flip_v;
  if (fit == self->view.fit && rotation == self->view.rotation && flip_h == self->view.flip_h &&
      flip_v == self->view.flip_v &&
      (fit || (cx == self->view.center_x && cy == self->view.center_y && zoom == self->view.zoom)))
    return;
  self->view.rotation = rotation;
  self->view.flip_h = flip_h;
  self->view.flip_v = flip_v;
  if (fit)
    fen_view_fit (&self->view);
  else
    {
      self->view.fit = FALSE;
      self->view.center_x = cx;
      self->view.center_y = cy;
      self->view.zoom = zoom;
    }
  _fen_viewport_changed (self, TRUE);
}

