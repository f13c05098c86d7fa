/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport.c: FenViewport renders the visible part of one frame at the
 * screen's resolution with the core engine, on the CPU, into a pooled buffer
 * that becomes a GdkMemoryTexture. The cost of a frame follows the widget's
 * size in device pixels, never the image's size, and the texture is reused
 * until an input (image, frame, window, view, size) changes. Below half
 * size it samples a box-filtered pyramid level of the frame (no aliasing),
 * counted as cache bytes. The image shown is pinned in the store, so it is
 * never evicted; one whose pixels were evicted before it came shows nothing
 * until the window has them back (fen_viewport_reload()).
 * A compare mode sets a partner image beside it: the difference is computed
 * per rendered pixel (fen_renderer_render_difference()) through a window of
 * its own, never stored; flicker shows the two in turn from a timeout. */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport.h"
#include "fen-render-pool.h"

#include <fenestra/fen-pyramid.h>

#include <math.h>
#include <string.h>

#define FEN_VIEWPORT_POOL_SIZE   3
#define FEN_VIEWPORT_MIN_ZOOM    (1.0 / 64.0)
#define FEN_VIEWPORT_MAX_ZOOM    64.0
/* Wheel or key events closer together than this are one operation. */
#define FEN_VIEWPORT_OP_IDLE_MS  400
#define FEN_VIEWPORT_FLICKER_MS  500

struct _FenViewport
{
  GtkWidget          parent_instance;

  /* Owned */
  FenImage          *image;
  FenPyramid        *pyramid;       /* of image, frame; levels built on demand */
  FenLut            *lut;
  FenRenderer       *renderer;
  FenRenderPool     *pool;
  GdkTexture        *texture;       /* the last frame, reused while nothing changes */
  char              *op_name;       /* the grouped operation in progress */
  guint              op_timeout;
  guint              changed_idle;
  guint              trim_timeout;
  FenImage          *partner;       /* compared with; pinned like image */
  FenLut            *partner_lut;   /* flicker: the partner under our window */
  guint              flicker_timeout;

  /* Borrowed */
  FenMemoryMonitor  *monitor;
  FenStore          *store;
  GtkGestureDrag    *primary_drag;
  GtkGestureDrag    *zoom_drag;
  GtkGestureDrag    *pan_drag;

  guint              frame;
  gint64             pyramid_bytes;  /* accounted as FEN_MEMORY_CACHE */
  FenWindowParams    window;
  gboolean           lut_valid;
  gboolean           texture_valid;
  int                texture_width;  /* device pixels */
  int                texture_height;

  /* View: image point at the widget's centre, logical pixels per image
   * pixel, quarter turns clockwise, then mirror in image space. */
  double             center_x, center_y;
  double             zoom;
  gboolean           fit;
  int                rotation;
  gboolean           flip_h, flip_v;

  /* Drags */
  FenMemoryOperation drag_op;
  gboolean           drag_op_open;
  double             drag_center, drag_width;
  double             drag_last_x, drag_last_y;
  double             drag_acc_x, drag_acc_y;
  double             drag_per_px;
  double             drag_zoom;
  double             drag_start_x, drag_start_y;
  double             drag_view_x, drag_view_y;

  /* Grouped events */
  FenMemoryOperation group_op;

  /* Compare */
  FenViewportCompare compare;
  guint              partner_frame;
  gboolean           partner_ok;     /* partner set and compatible */
  gboolean           partner_lut_valid;
  const char        *compare_message; /* why there is no comparison (static) */
  double             partner_dx, partner_dy; /* partner pixel (0,0) in image pixels */
  FenWindowParams    diff_window;
  gboolean           flicker_partner; /* flicker: the partner is on screen */

  /* Pointer and measurement */
  gboolean           has_pointer;
  double             pointer_x, pointer_y;
  gboolean           measuring;
  gboolean           has_line;
  double             line[4];        /* image coordinates */
};

G_DEFINE_FINAL_TYPE (FenViewport, fen_viewport, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  SCROLL_SLICES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fen_viewport_changed (FenViewport *self, gboolean redraw)
{
  if (redraw)
    {
      self->texture_valid = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
fen_viewport_window_changed (FenViewport *self)
{
  self->lut_valid = FALSE;
  self->partner_lut_valid = FALSE;
  fen_viewport_changed (self, TRUE);
}

/* Image size as displayed, after rotation. */
static void
fen_viewport_rotated_size (FenViewport *self, double *w, double *h)
{
  double iw = fen_image_get_width (self->image), ih = fen_image_get_height (self->image);

  if (self->rotation % 2 == 0)
    *w = iw, *h = ih;
  else
    *w = ih, *h = iw;
}

/* A screen vector (logical pixels) to an image vector: undo the rotation,
 * then the mirror, then the zoom. Forward: screen = zoom * R(F(image)). */
static void
fen_viewport_screen_to_image_vec (FenViewport *self, double sx, double sy, double *ix, double *iy)
{
  double x = sx / self->zoom, y = sy / self->zoom;

  for (int k = 0; k < self->rotation; k++)
    {
      /* R(x, y) = (-y, x) turns a quarter clockwise with y down; R^-1(x, y) = (y, -x). */
      double t = x;
      x = y;
      y = -t;
    }
  if (self->flip_h)
    x = -x;
  if (self->flip_v)
    y = -y;
  *ix = x;
  *iy = y;
}

static void
fen_viewport_screen_to_image (FenViewport *self, double sx, double sy, double *ix, double *iy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double dx, dy;

  fen_viewport_screen_to_image_vec (self, sx - w / 2.0, sy - h / 2.0, &dx, &dy);
  *ix = self->center_x + dx;
  *iy = self->center_y + dy;
}

static void
fen_viewport_image_to_screen (FenViewport *self, double ix, double iy, double *sx, double *sy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double x = ix - self->center_x, y = iy - self->center_y;

  if (self->flip_h)
    x = -x;
  if (self->flip_v)
    y = -y;
  for (int k = 0; k < self->rotation; k++)
    {
      double t = x;
      x = -y;
      y = t;
    }
  *sx = w / 2.0 + x * self->zoom;
  *sy = h / 2.0 + y * self->zoom;
}

static void
fen_viewport_apply_fit (FenViewport *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double rw, rh;

  if (self->image == NULL || w < 1 || h < 1)
    return;
  fen_viewport_rotated_size (self, &rw, &rh);
  self->zoom = MIN (w / rw, h / rh);
  self->center_x = fen_image_get_width (self->image) / 2.0;
  self->center_y = fen_image_get_height (self->image) / 2.0;
}

/* Zooms keeping the image point under (@sx, @sy) where it is. */
static void
fen_viewport_zoom_about (FenViewport *self, double factor, double sx, double sy)
{
  double ix, iy, dx, dy;
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->image == NULL)
    return;
  fen_viewport_screen_to_image (self, sx, sy, &ix, &iy);
  self->zoom = CLAMP (self->zoom * factor, FEN_VIEWPORT_MIN_ZOOM, FEN_VIEWPORT_MAX_ZOOM);
  self->fit = FALSE;
  fen_viewport_screen_to_image_vec (self, sx - w / 2.0, sy - h / 2.0, &dx, &dy);
  self->center_x = ix - dx;
  self->center_y = iy - dy;
  fen_viewport_changed (self, TRUE);
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

/* Brings the cache account in line with the levels built. */
static void
fen_viewport_account_pyramid (FenViewport *self)
{
  gint64 bytes = self->pyramid != NULL ? (gint64) fen_pyramid_get_bytes (self->pyramid) : 0;

  if (bytes != self->pyramid_bytes && self->monitor != NULL)
    fen_memory_monitor_account (self->monitor, FEN_MEMORY_CACHE, bytes - self->pyramid_bytes);
  self->pyramid_bytes = bytes;
}

static void
fen_viewport_drop_pyramid (FenViewport *self)
{
  g_clear_pointer (&self->pyramid, fen_pyramid_free);
  fen_viewport_account_pyramid (self);
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

  if (self->pyramid == NULL || (self->compare != FEN_VIEWPORT_COMPARE_NONE && self->partner_ok))
    return 0;
  /* Output pixels are device pixels. */
  return fen_pyramid_level_for_zoom (self->pyramid, self->zoom * gtk_widget_get_scale_factor (GTK_WIDGET (self)));
}

gsize
fen_viewport_shed_caches (FenViewport *self)
{
  gsize freed = 0, pool_before;

  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 0);

  /* Levels the view does not use (left from an earlier zoom) go; the one on
   * screen stays. Spare render buffers go; the frame on screen stays. */
  if (self->pyramid != NULL && fen_viewport_get_pyramid_level (self) == 0)
    {
      freed += fen_pyramid_get_bytes (self->pyramid);
      fen_pyramid_shed (self->pyramid);
      fen_viewport_account_pyramid (self);
    }
  pool_before = fen_render_pool_get_bytes (self->pool);
  fen_render_pool_trim (self->pool, 0);
  freed += pool_before - MIN (pool_before, fen_render_pool_get_bytes (self->pool));
  return freed;
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
  fen_viewport_changed (self, TRUE);
}

void
fen_viewport_set_store (FenViewport *self, FenStore *store)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  g_return_if_fail (self->image == NULL);
  self->store = store;
}

/* Drag gestures ----------------------------------------------------------- */

static double
fen_viewport_value_range (FenViewport *self)
{
  gint32 lo, hi;

  fen_image_get_stored_range (self->image, &lo, &hi);
  return fabs (fen_image_to_modality (self->image, hi) - fen_image_to_modality (self->image, lo));
}

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
fen_viewport_log_difference_window (FenViewport *self, const char *why)
{
  /* The e2e test reads this line to predict the difference's grey levels. */
  g_debug ("difference window %s: center=%.6f width=%.6f invert=%d", why,
           self->diff_window.center, self->diff_window.width, self->diff_window.invert);
}

static void
fen_viewport_primary_begin_cb (GtkGestureDrag *gesture, double x, double y, FenViewport *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  FenWindowParams *win;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->image == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  fen_viewport_end_group (self);

  if (self->measuring)
    {
      fen_viewport_screen_to_image (self, x, y, &self->line[0], &self->line[1]);
      self->line[2] = self->line[0];
      self->line[3] = self->line[1];
      self->has_line = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

  win = fen_viewport_drag_window (self);
  self->drag_center = win->center;
  self->drag_width = win->width;
  self->drag_last_x = self->drag_last_y = 0;
  self->drag_acc_x = self->drag_acc_y = 0;
  /* Sensitivity as Horos and Slicer: a sweep across the widget about doubles
   * the width; never so slow that a narrow window cannot be opened up. */
  self->drag_per_px = 2.0 * MAX (win->width, fen_viewport_value_range (self) / 256.0) / MAX (w, 256.0);
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

  if (self->image == NULL)
    return;
  if (self->measuring)
    {
      double sx, sy;

      gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
      fen_viewport_screen_to_image (self, sx + dx, sy + dy, &self->line[2], &self->line[3]);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_signal_emit (self, signals[CHANGED], 0);
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
  fen_viewport_window_changed (self);
}

static void
fen_viewport_primary_end_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  if (self->measuring || self->image == NULL)
    return;
  if (fen_viewport_drag_window (self) == &self->diff_window)
    fen_viewport_log_difference_window (self, "drag");
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
  self->drag_zoom = self->zoom;
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
  fen_viewport_zoom_about (self, target / self->zoom, self->drag_start_x, self->drag_start_y);
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
  self->drag_view_x = self->center_x;
  self->drag_view_y = self->center_y;
}

static void
fen_viewport_pan_update_cb (GtkGestureDrag *gesture, double dx, double dy, FenViewport *self)
{
  double ix, iy;

  if (self->image == NULL)
    return;
  fen_viewport_screen_to_image_vec (self, dx, dy, &ix, &iy);
  self->center_x = self->drag_view_x - ix;
  self->center_y = self->drag_view_y - iy;
  self->fit = FALSE;
  fen_viewport_note_operation (self, "pan");
  fen_viewport_changed (self, TRUE);
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

/* Rendering --------------------------------------------------------------- */

static gboolean
fen_viewport_trim_cb (gpointer user_data)
{
  FenViewport *self = user_data;

  /* Idle: keep only the buffer of the frame on screen. */
  self->trim_timeout = 0;
  fen_render_pool_trim (self->pool, 0);
  return G_SOURCE_REMOVE;
}

static GdkTexture *
fen_viewport_render (FenViewport *self, int dw, int dh, int scale)
{
  g_autoptr(GBytes) bytes = NULL;
  FenSampling s, base_sampling;
  gsize stride = (gsize) dw * 4, size = stride * dh;
  guint8 *buffer;
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  gint64 start = g_get_monotonic_time ();
  FenImage *source = self->image;
  guint level, frame = self->frame;

  if (!self->lut_valid)
    {
      fen_lut_build (self->lut, self->image, &self->window);
      self->lut_valid = TRUE;
    }

  /* Output pixel (i, j) samples origin + (i + 0.5) col + (j + 0.5) row; one
   * device pixel is 1 / scale logical pixels. */
  fen_viewport_screen_to_image_vec (self, 1.0 / scale, 0, &s.col_dx, &s.col_dy);
  fen_viewport_screen_to_image_vec (self, 0, 1.0 / scale, &s.row_dx, &s.row_dy);
  fen_viewport_screen_to_image_vec (self, -w / 2.0, -h / 2.0, &s.origin_x, &s.origin_y);
  s.origin_x += self->center_x;
  s.origin_y += self->center_y;
  base_sampling = s;

  /* Below half size, a box-filtered level: every image pixel counts, no
   * aliasing, and the level costs a quarter of the one above it. The LUT
   * is the base image's: a level holds the same kind of stored values. */
  level = fen_viewport_get_pyramid_level (self);
  if (level > 0)
    {
      FenSampling base = s;

      FenImage *reduced = fen_pyramid_get_level (self->pyramid, level);

      fen_viewport_account_pyramid (self);
      if (reduced != NULL)
        {
          source = reduced;
          fen_pyramid_scale_sampling (level, &base, &s);
          frame = 0;
        }
      else
        level = 0;
    }

  buffer = fen_render_pool_acquire (self->pool, size);
  if (self->compare != FEN_VIEWPORT_COMPARE_NONE && self->partner_ok)
    {
      /* Compared at full resolution: a pyramid level of the difference
       * would need a stored difference, which is what this never makes.
       * The partner's pixel (0, 0) lies at our (partner_dx, partner_dy). */
      FenSampling sb = base_sampling;

      sb.origin_x -= self->partner_dx;
      sb.origin_y -= self->partner_dy;
      level = 0;
      if (self->compare == FEN_VIEWPORT_COMPARE_DIFFERENCE)
        fen_renderer_render_difference (self->renderer, self->image, self->frame, self->partner,
                                        self->partner_frame, &self->diff_window, &base_sampling, &sb,
                                        (guint) dw, (guint) dh, FEN_PIXEL_BGRA8, buffer, stride);
      else if (self->flicker_partner)
        {
          if (!self->partner_lut_valid)
            {
              /* The partner under our window: flicker compares like with like. */
              fen_lut_build_frame (self->partner_lut, self->partner, self->partner_frame, &self->window);
              self->partner_lut_valid = TRUE;
            }
          fen_renderer_render (self->renderer, self->partner, self->partner_frame, self->partner_lut, &sb,
                               (guint) dw, (guint) dh, FEN_PIXEL_BGRA8, buffer, stride);
        }
      else
        fen_renderer_render (self->renderer, self->image, self->frame, self->lut, &base_sampling,
                             (guint) dw, (guint) dh, FEN_PIXEL_BGRA8, buffer, stride);
    }
  else
    fen_renderer_render (self->renderer, source, frame, self->lut, &s,
                         (guint) dw, (guint) dh, FEN_PIXEL_BGRA8, buffer, stride);
  bytes = fen_render_pool_wrap (self->pool, buffer, size);
  g_clear_handle_id (&self->trim_timeout, g_source_remove);
  self->trim_timeout = g_timeout_add_seconds (2, fen_viewport_trim_cb, self);
  g_debug ("render %dx%d level %u%s in %.2f ms", dw, dh, level,
           self->compare == FEN_VIEWPORT_COMPARE_DIFFERENCE && self->partner_ok ? " difference" : "",
           (g_get_monotonic_time () - start) / 1000.0);
  /* Alpha is always 255, so premultiplied is the same bytes and is the
   * layout cairo wants without a conversion. */
  return gdk_memory_texture_new (dw, dh, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, stride);
}

static void
fen_viewport_snapshot_line (FenViewport *self, GtkSnapshot *snapshot)
{
  const FenImageInfo *info = fen_image_get_info (self->image);
  double x0, y0, x1, y1, dx, dy;
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  cairo_t *cr;
  GdkRGBA yellow = { 1.0, 0.85, 0.1, 1.0 };
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  fen_viewport_image_to_screen (self, self->line[0], self->line[1], &x0, &y0);
  fen_viewport_image_to_screen (self, self->line[2], self->line[3], &x1, &y1);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_source_rgba (cr, yellow.red, yellow.green, yellow.blue, 1.0);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x1, y1);
  cairo_stroke (cr);
  cairo_arc (cr, x0, y0, 3, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_arc (cr, x1, y1, 3, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_destroy (cr);

  dx = self->line[2] - self->line[0];
  dy = self->line[3] - self->line[1];
  /* PS3.3 C.7.6.2.1.1 (Pixel Spacing): row spacing first (between rows, so
   * vertical), then column spacing (horizontal). */
  if (info->pixel_spacing[0] > 0 && info->pixel_spacing[1] > 0)
    text = g_strdup_printf ("%.1f mm", hypot (dx * info->pixel_spacing[1], dy * info->pixel_spacing[0]));
  else
    text = g_strdup_printf ("%.1f px", hypot (dx, dy));

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x1 + 8, (float) y1 + 4));
  gtk_snapshot_append_layout (snapshot, layout, &yellow);
  gtk_snapshot_restore (snapshot);
}

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
  if (self->fit)
    fen_viewport_apply_fit (self);
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
      self->texture = fen_viewport_render (self, dw, dh, scale);
      self->texture_width = dw;
      self->texture_height = dh;
      self->texture_valid = TRUE;
    }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gtk_snapshot_append_texture (snapshot, self->texture, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->has_line)
    fen_viewport_snapshot_line (self, snapshot);
  gtk_snapshot_pop (snapshot);
}

static gboolean
fen_viewport_changed_idle_cb (gpointer user_data)
{
  FenViewport *self = user_data;

  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  graphene_point_t origin;
  double sx = 0, sy = 0;

  self->changed_idle = 0;
  /* Where the viewport is on its surface: the e2e test aims the pointer by it. */
  if (native != NULL &&
      gtk_widget_compute_point (GTK_WIDGET (self), GTK_WIDGET (native), &GRAPHENE_POINT_INIT (0, 0), &origin))
    {
      gtk_native_get_surface_transform (native, &sx, &sy);
      g_debug ("geometry: x=%.0f y=%.0f width=%d height=%d scale=%d", origin.x + sx, origin.y + sy,
               gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)),
               gtk_widget_get_scale_factor (GTK_WIDGET (self)));
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
fen_viewport_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  FenViewport *self = FEN_VIEWPORT (widget);

  self->texture_valid = FALSE;
  if (self->fit)
    fen_viewport_apply_fit (self);
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
  g_clear_handle_id (&self->flicker_timeout, g_source_remove);
  if (self->partner != NULL && self->store != NULL)
    fen_store_pin (self->store, fen_image_get_id (self->partner), FALSE);
  g_clear_pointer (&self->partner, fen_image_unref);
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
  g_clear_pointer (&self->renderer, fen_renderer_free);
  g_clear_pointer (&self->pool, fen_render_pool_unref);
  G_OBJECT_CLASS (fen_viewport_parent_class)->finalize (object);
}

static void
fen_viewport_class_init (FenViewportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_viewport_dispose;
  object_class->finalize = fen_viewport_finalize;
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
  self->zoom = 1.0;
  self->fit = TRUE;
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
    fen_viewport_drop_pyramid (self);
  self->frame = frame;
  if (image != NULL && self->pyramid == NULL)
    /* Builds nothing until a zoom below 1/2 asks for a level. */
    self->pyramid = fen_pyramid_new (image, frame);

  if (image == NULL)
    {
      /* Let go of the last frame too: nothing of the image stays alive. */
      g_clear_object (&self->texture);
      self->has_line = FALSE;
      fen_render_pool_trim (self->pool, 0);
      fen_viewport_changed (self, TRUE);
      return;
    }
  if (!keep_view || !same_size)
    {
      fen_window_default (image, &self->window);
      self->rotation = 0;
      self->flip_h = self->flip_v = FALSE;
      self->fit = TRUE;
      self->has_line = FALSE;
      fen_viewport_apply_fit (self);
      fen_viewport_log_window (self, "default");
    }
  self->lut_valid = FALSE;
  fen_viewport_changed (self, TRUE);
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
  fen_viewport_window_changed (self);
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
  fen_viewport_window_changed (self);
}

void
fen_viewport_auto_window (FenViewport *self)
{
  FenImage *image = self->image;
  gint32 lo, hi, p1 = 0, p99 = 0;
  guint w, h, step;
  gint64 span, n_bins, total = 0, seen = 0;
  g_autofree guint32 *bins = NULL;

  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (image == NULL || !fen_image_has_pixels (image))
    return;
  if (fen_image_is_color (image))
    {
      fen_window_default (image, &self->window);
      fen_viewport_window_changed (self);
      return;
    }

  /* Histogram of the shown frame, sampled so that a large image costs at
   * most about four million reads. */
  fen_image_get_stored_range (image, &lo, &hi);
  span = (gint64) hi - lo;
  n_bins = MIN (span + 1, 65536);
  bins = g_new0 (guint32, n_bins);
  w = fen_image_get_width (image);
  h = fen_image_get_height (image);
  step = MAX (1u, (guint) sqrt ((double) w * h / 4.0e6));
  for (guint y = 0; y < h; y += step)
    for (guint x = 0; x < w; x += step)
      {
        gint64 v = fen_image_get_stored_value (image, self->frame, x, y);
        gint64 bin = span > 0 ? (v - lo) * (n_bins - 1) / span : 0;

        bins[CLAMP (bin, 0, n_bins - 1)]++;
        total++;
      }
  /* 1st to 99th percentile. */
  for (gint64 b = 0, found_lo = 0; b < n_bins; b++)
    {
      seen += bins[b];
      if (!found_lo && seen * 100 >= total)
        {
          p1 = (gint32) (lo + (n_bins > 1 ? b * span / (n_bins - 1) : 0));
          found_lo = 1;
        }
      if (seen * 100 >= total * 99)
        {
          p99 = (gint32) (lo + (n_bins > 1 ? b * span / (n_bins - 1) : 0));
          break;
        }
    }
  {
    gboolean invert = self->window.invert;

    fen_window_from_stored_range (image, p1, MAX (p99, p1 + 1), &self->window);
    self->window.invert = invert;
  }
  fen_viewport_log_window (self, "auto");
  fen_viewport_window_changed (self);
}

void
fen_viewport_toggle_invert (FenViewport *self)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  self->window.invert = !self->window.invert;
  fen_viewport_window_changed (self);
}

void
fen_viewport_reset (FenViewport *self)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (self->image == NULL)
    return;
  fen_window_default (self->image, &self->window);
  self->rotation = 0;
  self->flip_h = self->flip_v = FALSE;
  self->fit = TRUE;
  self->has_line = FALSE;
  fen_viewport_apply_fit (self);
  fen_viewport_log_window (self, "reset");
  fen_viewport_window_changed (self);
}

double
fen_viewport_get_zoom (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 1.0);
  return self->zoom;
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
  self->fit = TRUE;
  fen_viewport_apply_fit (self);
  fen_viewport_changed (self, TRUE);
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
  fen_viewport_zoom_by (self, (1.0 / scale) / self->zoom);
}

void
fen_viewport_rotate (FenViewport *self, int quarter_turns)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  self->rotation = ((self->rotation + quarter_turns) % 4 + 4) % 4;
  if (self->fit)
    fen_viewport_apply_fit (self);
  fen_viewport_changed (self, TRUE);
}

void
fen_viewport_flip (FenViewport *self, gboolean horizontal)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  /* Mirror as the user sees it: after an odd rotation, the screen's
   * horizontal is the image's vertical. */
  if (horizontal == (self->rotation % 2 == 0))
    self->flip_h = !self->flip_h;
  else
    self->flip_v = !self->flip_v;
  fen_viewport_changed (self, TRUE);
}

void
fen_viewport_get_view (FenViewport *self, double *fx, double *fy, double *zoom, gboolean *fit)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  *fx = self->image ? self->center_x / fen_image_get_width (self->image) : 0.5;
  *fy = self->image ? self->center_y / fen_image_get_height (self->image) : 0.5;
  *zoom = self->zoom;
  *fit = self->fit;
}

void
fen_viewport_set_view (FenViewport *self, double fx, double fy, double zoom, gboolean fit)
{
  double cx, cy;

  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (self->image == NULL)
    return;
  cx = fx * fen_image_get_width (self->image);
  cy = fy * fen_image_get_height (self->image);
  zoom = CLAMP (zoom, FEN_VIEWPORT_MIN_ZOOM, FEN_VIEWPORT_MAX_ZOOM);
  if (fit == self->fit && (fit || (cx == self->center_x && cy == self->center_y && zoom == self->zoom)))
    return;
  self->fit = fit;
  if (fit)
    fen_viewport_apply_fit (self);
  else
    {
      self->center_x = cx;
      self->center_y = cy;
      self->zoom = zoom;
    }
  fen_viewport_changed (self, TRUE);
}

gboolean
fen_viewport_get_measuring (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FALSE);
  return self->measuring;
}

void
fen_viewport_set_measuring (FenViewport *self, gboolean measuring)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  self->measuring = measuring;
  if (!measuring)
    self->has_line = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
fen_viewport_get_pointer (FenViewport *self, guint *x, guint *y, double *value)
{
  double ix, iy;

  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FALSE);
  if (self->image == NULL || !self->has_pointer || !fen_image_has_pixels (self->image))
    return FALSE;
  fen_viewport_screen_to_image (self, self->pointer_x, self->pointer_y, &ix, &iy);
  if (ix < 0 || iy < 0 || ix >= fen_image_get_width (self->image) || iy >= fen_image_get_height (self->image))
    return FALSE;
  *x = (guint) ix;
  *y = (guint) iy;
  /* PS3.3 C.11.1: the modality LUT, here Rescale Slope and Intercept. */
  if (fen_image_is_color (self->image))
    *value = fen_image_get_stored_value (self->image, self->frame, *x, *y);
  else
    *value = fen_image_to_modality (self->image,
                                    fen_image_get_stored_value (self->image, self->frame, *x, *y));
  return TRUE;
}

/* Compare ----------------------------------------------------------------- */

static gboolean
fen_viewport_flicker_cb (gpointer user_data)
{
  FenViewport *self = user_data;

  self->flicker_partner = !self->flicker_partner;
  g_debug ("flicker: %s", self->flicker_partner ? "partner" : "image");
  fen_viewport_changed (self, TRUE);
  return G_SOURCE_CONTINUE;
}

/* Where the partner's pixel (0, 0) lies in our image, in our pixels, when
 * the two can be compared pixel for pixel; else why not. */
static gboolean
fen_viewport_partner_offset (FenViewport *self, double *dx, double *dy, const char **why)
{
  const FenImageInfo *a, *b;
  double d[3];

  *dx = *dy = 0;
  if (self->partner == NULL)
    {
      *why = "Difference and flicker compare this pane with another:\nshow a second image in the 1 × 2 layout (Alt+2)";
      return FALSE;
    }
  if (fen_image_is_color (self->image) || fen_image_is_color (self->partner))
    {
      *why = "Difference and flicker compare monochrome images only";
      return FALSE;
    }
  if (fen_image_get_width (self->image) == fen_image_get_width (self->partner) &&
      fen_image_get_height (self->image) == fen_image_get_height (self->partner))
    return TRUE;

  /* Different sizes: one Frame of Reference (PS3.3 C.7.4.1.1.1), one pixel
   * spacing and one orientation put pixel (i, j) of each at position +
   * i * spacing * row direction + j * spacing * column direction
   * (C.7.6.2.1.1), so the two grids differ by a shift. */
  a = fen_image_get_info (self->image);
  b = fen_image_get_info (self->partner);
  *why = "These two images differ in size and do not share a frame of reference\n"
         "and pixel spacing: there is no pixel-for-pixel difference";
  if (a->frame_of_reference_uid == NULL || g_strcmp0 (a->frame_of_reference_uid, b->frame_of_reference_uid) != 0 ||
      !a->has_position || !b->has_position || !a->has_orientation || !b->has_orientation ||
      a->pixel_spacing[0] <= 0 || a->pixel_spacing[1] <= 0 ||
      fabs (a->pixel_spacing[0] - b->pixel_spacing[0]) > 1e-4 || fabs (a->pixel_spacing[1] - b->pixel_spacing[1]) > 1e-4)
    return FALSE;
  for (int k = 0; k < 6; k++)
    if (fabs (a->image_orientation[k] - b->image_orientation[k]) > 1e-4)
      return FALSE;
  for (int k = 0; k < 3; k++)
    d[k] = b->image_position[k] - a->image_position[k];
  /* Row direction (first triplet) runs along columns x, spaced by column
   * spacing (pixel_spacing[1]); column direction along rows y. */
  *dx = (d[0] * a->image_orientation[0] + d[1] * a->image_orientation[1] + d[2] * a->image_orientation[2]) /
        a->pixel_spacing[1];
  *dy = (d[0] * a->image_orientation[3] + d[1] * a->image_orientation[4] + d[2] * a->image_orientation[5]) /
        a->pixel_spacing[0];
  return TRUE;
}

static void
fen_viewport_update_partner (FenViewport *self)
{
  const char *why = "";

  self->partner_ok = self->image != NULL && fen_viewport_partner_offset (self, &self->partner_dx, &self->partner_dy, &why);
  self->compare_message = self->partner_ok ? "" : why;
  self->partner_lut_valid = FALSE;
}

void
fen_viewport_set_partner (FenViewport *self, FenImage *partner, guint frame)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  if (partner == self->partner && frame == self->partner_frame)
    {
      /* Our own image may have changed size since. */
      gboolean was = self->partner_ok;

      fen_viewport_update_partner (self);
      if (was != self->partner_ok)
        fen_viewport_changed (self, TRUE);
      return;
    }
  if (partner != NULL)
    {
      fen_image_ref (partner);
      if (self->store != NULL)
        fen_store_pin (self->store, fen_image_get_id (partner), TRUE);
    }
  if (self->partner != NULL && self->store != NULL)
    fen_store_pin (self->store, fen_image_get_id (self->partner), FALSE);
  g_clear_pointer (&self->partner, fen_image_unref);
  self->partner = partner;
  self->partner_frame = frame;
  fen_viewport_update_partner (self);
  if (self->compare != FEN_VIEWPORT_COMPARE_NONE)
    g_debug ("compare %s with %s: %s", self->image ? fen_image_get_log_name (self->image) : "none",
             partner ? fen_image_get_log_name (partner) : "none", self->partner_ok ? "pixel for pixel" : "refused");
  fen_viewport_changed (self, TRUE);
}

void
fen_viewport_set_compare (FenViewport *self, FenViewportCompare mode)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  if (mode == self->compare)
    return;
  self->compare = mode;
  g_clear_handle_id (&self->flicker_timeout, g_source_remove);
  self->flicker_partner = FALSE;
  if (mode == FEN_VIEWPORT_COMPARE_FLICKER)
    {
      if (self->partner_lut == NULL)
        self->partner_lut = fen_lut_new ();
      self->partner_lut_valid = FALSE;
      self->flicker_timeout = g_timeout_add (FEN_VIEWPORT_FLICKER_MS, fen_viewport_flicker_cb, self);
    }
  if (mode == FEN_VIEWPORT_COMPARE_DIFFERENCE && self->image != NULL)
    {
      /* A window centred on "no difference", a quarter of the larger value
       * range wide: small changes stand out, large ones saturate. */
      double range = fen_viewport_value_range (self);

      if (self->partner != NULL && !fen_image_is_color (self->partner))
        {
          gint32 lo, hi;

          fen_image_get_stored_range (self->partner, &lo, &hi);
          range = MAX (range, fabs (fen_image_to_modality (self->partner, hi) - fen_image_to_modality (self->partner, lo)));
        }
      memset (&self->diff_window, 0, sizeof self->diff_window);
      self->diff_window.center = 0;
      self->diff_window.width = MAX (1.0, round (range / 4.0));
      self->diff_window.function = FEN_VOI_LINEAR;
      fen_viewport_log_difference_window (self, "default");
    }
  if (mode == FEN_VIEWPORT_COMPARE_NONE)
    fen_viewport_set_partner (self, NULL, 0);
  g_debug ("compare mode %s", mode == FEN_VIEWPORT_COMPARE_DIFFERENCE ? "difference"
                              : mode == FEN_VIEWPORT_COMPARE_FLICKER ? "flicker" : "none");
  if (mode != FEN_VIEWPORT_COMPARE_NONE)
    g_debug ("compare %s with %s: %s", self->image ? fen_image_get_log_name (self->image) : "none",
             self->partner ? fen_image_get_log_name (self->partner) : "none",
             self->partner_ok ? "pixel for pixel" : "refused");
  fen_viewport_changed (self, TRUE);
}

FenViewportCompare
fen_viewport_get_compare (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FEN_VIEWPORT_COMPARE_NONE);
  return self->compare;
}

void
fen_viewport_get_difference_window (FenViewport *self, FenWindowParams *out)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  *out = self->diff_window;
}
