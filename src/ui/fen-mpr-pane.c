/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-pane.c: FenMprPane shows one plane of the MPR layout. Its pixels
 * are a reformat of the layout's FenVolume (fen_renderer_reformat(): read
 * from the slices where they are in the store, through the layout's one
 * window table; after a window change on a plane that stays its values
 * are kept and each further change maps them, fen_renderer_map_values();
 * a plane that did not change, as another pane scrolls, is not rendered
 * again), rendered at the screen's resolution into a pooled buffer
 * that becomes a GdkMemoryTexture, as FenViewport does a slice: only the
 * rectangle where the volume can show (fen_mpr_planes_get_visible()), GTK
 * drawing the black around it (fen-rendered-frame.c, shared with it). Over it:
 * the other planes' crosshair lines, the plane's name and depth, the
 * window, and the orientation letters. Every geometric rule (which plane,
 * where a point falls, what a press grabs, the native step) is the core's
 * FenMprPlanes; this file turns events into its calls:
 *   left drag:   on the centre, moves it (the other planes move); on a
 *                measurement's point, moves it; with a measuring tool (M,
 *                E, B, A, C, Shift+P, T), draws one (fen-mpr-measure.c;
 *                an arrow's text in a popover here); on the outer part
 *                of a line, turns the crosshair (oblique planes);
 *                elsewhere window / level
 *   wheel:       one native step along the plane's normal; Ctrl: zoom
 *   right drag:  zoom; middle drag: pan
 * The window's keys act on the layout's active pane (the one under the
 * pointer, else the one last pressed) through _fen_mpr_pane_scroll() and
 * _fen_mpr_pane_zoom(): arrows, Page Up / Down, Home / End move its plane,
 * +, -, F, = zoom it (fen-main-window-mpr.c). */
#define G_LOG_DOMAIN "fen-mpr"

#include "fen-mpr-private.h"
#include "fen-rendered-frame.h"

#include <math.h>
#include <string.h>

/* Wheel events closer together than this are one operation of the log. */
#define FEN_MPR_PANE_OP_IDLE_MS 400
/* How near (logical pixels) a press must be to grab the centre or a line. */
#define FEN_MPR_PANE_GRAB       10.0
/* The crosshair leaves this radius around the centre clear. */
#define FEN_MPR_PANE_GAP        14.0

/* What a pane's render depends on: the plane's visible part and its
 * geometry at device resolution, the slab, and the window (by its serial). */
typedef struct {
  FenPixelRect     rect;
  FenPlaneGeometry plane;
  gboolean         visible;
  FenSlabMode      slab;
  double           slab_mm;
  guint            window_serial;
} FenMprPaneKey;

struct _FenMprPane
{
  GtkWidget          parent_instance;

  /* Owned */
  GdkTexture        *texture;
  char              *op_name;        /* the grouped operation in progress */
  GtkWidget         *text_popover;   /* an arrow's text, made on first use (a child) */
  GtkEditable       *text_entry;
  int                text_index;     /* the arrow it is for */

  /* Borrowed */
  FenMprLayout      *layout;
  FenMprState       *state;

  FenMprPlane        plane;
  /* What the texture shows (valid while @texture is set): a render whose
   * key is the same again is not made again. */
  FenMprPaneKey      shown;
  /* The plane's values (stored, G_MININT32 outside), kept once the window
   * changes on a plane that stays, so that each further change is a table
   * pass (fen_renderer_map_values()), not a reformat or a slab's
   * projection: those of @values_key's plane. */
  gint32            *values;
  gsize              values_capacity; /* values allocated */
  gboolean           values_valid;
  FenMprPaneKey      values_key;
  gboolean           texture_valid;
  int                texture_width, texture_height;
  FenPixelRect       texture_rect;   /* where the texture lies (device pixels) */
  guint              geometry_idle;
  guint              op_timeout;
  FenMemoryOperation group_op;
  gboolean           has_pointer;
  double             pointer_x, pointer_y;

  /* The left drag: what it holds, and where it started. */
  FenMprHit          grab;
  gboolean           measuring;      /* the left drag is the measurements' */
  double             grab_angle;
  double             drag_center, drag_width, drag_per_px;
  double             drag_last_x, drag_last_y, drag_acc_x, drag_acc_y;
  double             drag_zoom, drag_x, drag_y;
  double             drag_pan[2];
  FenMemoryOperation drag_op;
  gboolean           drag_op_open;
};

G_DEFINE_FINAL_TYPE (FenMprPane, fen_mpr_pane, GTK_TYPE_WIDGET)

/* The colour of each plane: its pane's name and its line in the others. */
static const GdkRGBA fen_mpr_colors[FEN_MPR_N_PLANES] = {
  { 1.00, 0.36, 0.36, 1.0 },  /* axial: red */
  { 0.36, 0.88, 0.36, 1.0 },  /* coronal: green */
  { 0.40, 0.62, 1.00, 1.0 },  /* sagittal: blue */
  { 1.00, 0.80, 0.25, 1.0 },  /* acquisition: yellow */
};

FenMprPlane
fen_mpr_pane_get_plane (FenMprPane *self)
{
  g_return_val_if_fail (FEN_IS_MPR_PANE (self), FEN_MPR_PLANE_AXIAL);
  return self->plane;
}

static gboolean
fen_mpr_pane_ready (FenMprPane *self)
{
  return self->state != NULL && self->state->volume != NULL;
}

/* Operations of the memory log ------------------------------------------ */

static void
fen_mpr_pane_end_group (FenMprPane *self)
{
  g_clear_handle_id (&self->op_timeout, g_source_remove);
  if (self->op_name != NULL)
    {
      if (self->state != NULL && self->state->monitor != NULL)
        fen_memory_monitor_end (self->state->monitor, &self->group_op);
      g_clear_pointer (&self->op_name, g_free);
    }
}

static gboolean
fen_mpr_pane_group_timeout_cb (gpointer user_data)
{
  FenMprPane *self = user_data;

  self->op_timeout = 0;
  fen_mpr_pane_end_group (self);
  return G_SOURCE_REMOVE;
}

/* Wheel clicks and zoom steps: one operation per burst. */
static void
fen_mpr_pane_note_operation (FenMprPane *self, const char *name)
{
  if (self->op_name != NULL && g_strcmp0 (self->op_name, name) != 0)
    fen_mpr_pane_end_group (self);
  if (self->op_name == NULL)
    {
      self->op_name = g_strdup (name);
      if (self->state->monitor != NULL)
        fen_memory_monitor_begin (self->state->monitor, &self->group_op, "%s %s", name,
                                  fen_image_get_log_name (self->state->first));
    }
  self->group_op.n_updates++;
  g_clear_handle_id (&self->op_timeout, g_source_remove);
  self->op_timeout = g_timeout_add (FEN_MPR_PANE_OP_IDLE_MS, fen_mpr_pane_group_timeout_cb, self);
}

static void
fen_mpr_pane_begin_drag_op (FenMprPane *self, const char *name)
{
  if (self->state->monitor == NULL)
    return;
  fen_memory_monitor_begin (self->state->monitor, &self->drag_op, "%s %s", name,
                            fen_image_get_log_name (self->state->first));
  self->drag_op_open = TRUE;
}

static void
fen_mpr_pane_end_drag_op (FenMprPane *self)
{
  if (!self->drag_op_open)
    return;
  fen_memory_monitor_end (self->state->monitor, &self->drag_op);
  self->drag_op_open = FALSE;
}

/* Left drag ----------------------------------------------------------------- */

/* Any press makes the pane the one the keys act on when the pointer is
 * over none. */
static void
fen_mpr_pane_pressed (FenMprPane *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->state != NULL)
    self->state->pressed = self->plane;
}

static void
fen_mpr_pane_primary_begin_cb (GtkGestureDrag *gesture, double x, double y, FenMprPane *self)
{
  FenMprPlane other;
  double lo, hi;

  fen_mpr_pane_pressed (self);
  if (!fen_mpr_pane_ready (self))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  fen_mpr_pane_end_group (self);
  self->grab = fen_mpr_planes_hit (&self->state->planes, self->plane, x, y, FEN_MPR_PANE_GRAB, &other);
  /* The crosshair centre stays draggable; elsewhere a measurement's point
   * or a measuring tool takes the press (fen-mpr-measure.c). */
  self->measuring = (self->grab != FEN_MPR_HIT_CENTER || self->state->second_drag) &&
                    _fen_mpr_measure_press (self, self->state, self->plane, x, y);
  if (self->measuring)
    {
      self->grab = FEN_MPR_HIT_NONE;
      return;
    }
  switch (self->grab)
    {
    case FEN_MPR_HIT_CENTER:
      fen_mpr_pane_begin_drag_op (self, "mpr-crosshair");
      break;
    case FEN_MPR_HIT_LINE:
      self->grab_angle = fen_mpr_planes_angle (&self->state->planes, self->plane, x, y);
      fen_mpr_pane_begin_drag_op (self, "mpr-rotate");
      break;
    case FEN_MPR_HIT_NONE:
    default:
      /* Window / level, as on a slice (FenViewport): right widens, up
       * raises the level, the step scaled by the modality's range. */
      self->drag_center = self->state->window.center;
      self->drag_width = self->state->window.width;
      self->drag_last_x = self->drag_last_y = 0;
      self->drag_acc_x = self->drag_acc_y = 0;
      fen_image_get_modality_range (self->state->first, 0, &lo, &hi);
      self->drag_per_px = 2.0 * MAX (self->drag_width, (hi - lo) / 256.0) /
                          MAX (gtk_widget_get_width (GTK_WIDGET (self)), 256.0);
      fen_mpr_pane_begin_drag_op (self, "mpr-wl-drag");
      break;
    }
}

static void
fen_mpr_pane_primary_update_cb (GtkGestureDrag *gesture, double dx, double dy, FenMprPane *self)
{
  double sx, sy, angle, step;
  GdkModifierType state;
  FenWindowParams window;

  if (!fen_mpr_pane_ready (self))
    return;
  gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
  if (self->measuring)
    {
      _fen_mpr_measure_drag (self, self->state, self->plane, sx + dx, sy + dy);
      return;
    }
  if (self->drag_op_open)
    self->drag_op.n_updates++;
  switch (self->grab)
    {
    case FEN_MPR_HIT_CENTER:
      fen_mpr_planes_move_center (&self->state->planes, self->plane, sx + dx, sy + dy);
      _fen_mpr_layout_changed (self->layout);
      break;
    case FEN_MPR_HIT_LINE:
      angle = fen_mpr_planes_angle (&self->state->planes, self->plane, sx + dx, sy + dy);
      fen_mpr_planes_rotate (&self->state->planes, self->plane, angle - self->grab_angle);
      self->grab_angle = angle;
      _fen_mpr_layout_changed (self->layout);
      break;
    case FEN_MPR_HIT_NONE:
    default:
      state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
      step = (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) ? 0.1 : 1.0;
      self->drag_acc_x += (dx - self->drag_last_x) * step;
      self->drag_acc_y += (dy - self->drag_last_y) * step;
      self->drag_last_x = dx;
      self->drag_last_y = dy;
      window = self->state->window;
      window.width = MAX (1.0, self->drag_width + self->drag_acc_x * self->drag_per_px);
      window.center = self->drag_center - self->drag_acc_y * self->drag_per_px;
      window.voi_lut = 0;
      _fen_mpr_layout_drag_window (self->layout, &window);
      break;
    }
}

static void
fen_mpr_pane_primary_end_cb (GtkGestureDrag *gesture, double dx, double dy, FenMprPane *self)
{
  if (!fen_mpr_pane_ready (self))
    return;
  if (self->measuring)
    {
      _fen_mpr_measure_release (self, self->state, self->plane);
      self->measuring = FALSE;
      return;
    }
  if (self->grab == FEN_MPR_HIT_NONE)
    g_debug ("mpr window drag: center=%.6f width=%.6f", self->state->window.center, self->state->window.width);
  else
    g_debug ("mpr centre: %.3f %.3f %.3f", self->state->planes.center[0], self->state->planes.center[1],
             self->state->planes.center[2]);
  fen_mpr_pane_end_drag_op (self);
  self->grab = FEN_MPR_HIT_NONE;
}

/* Zoom (right drag) and pan (middle drag) --------------------------------- */

static void
fen_mpr_pane_zoom_begin_cb (GtkGestureDrag *gesture, double x, double y, FenMprPane *self)
{
  fen_mpr_pane_pressed (self);
  if (!fen_mpr_pane_ready (self))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_zoom = self->state->planes.views[self->plane].zoom;
  self->drag_x = x;
  self->drag_y = y;
}

static void
fen_mpr_pane_zoom_update_cb (GtkGestureDrag *gesture, double dx, double dy, FenMprPane *self)
{
  double target;

  if (!fen_mpr_pane_ready (self))
    return;
  /* Up zooms in; 200 px doubles or halves (as a slice). */
  target = self->drag_zoom * pow (2.0, -dy / 200.0);
  fen_mpr_pane_note_operation (self, "mpr-zoom");
  fen_mpr_planes_zoom_about (&self->state->planes, self->plane, target / self->state->planes.views[self->plane].zoom,
                             self->drag_x, self->drag_y);
  _fen_mpr_pane_invalidate (self);
}

static void
fen_mpr_pane_pan_begin_cb (GtkGestureDrag *gesture, double x, double y, FenMprPane *self)
{
  fen_mpr_pane_pressed (self);
  if (!fen_mpr_pane_ready (self))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  memcpy (self->drag_pan, self->state->planes.views[self->plane].pan, sizeof self->drag_pan);
}

static void
fen_mpr_pane_pan_update_cb (GtkGestureDrag *gesture, double dx, double dy, FenMprPane *self)
{
  if (!fen_mpr_pane_ready (self))
    return;
  fen_mpr_planes_pan (&self->state->planes, self->plane, self->drag_pan, dx, dy);
  fen_mpr_pane_note_operation (self, "mpr-pan");
  _fen_mpr_pane_invalidate (self);
}

static void
fen_mpr_pane_group_end_cb (GtkGestureDrag *gesture, double dx, double dy, FenMprPane *self)
{
  fen_mpr_pane_end_group (self);
}

/* Wheel and pointer ------------------------------------------------------- */

static gboolean
fen_mpr_pane_scroll_cb (GtkEventControllerScroll *controller, double dx, double dy, FenMprPane *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (!fen_mpr_pane_ready (self) || dy == 0)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    {
      double x = self->has_pointer ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      double y = self->has_pointer ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

      fen_mpr_pane_note_operation (self, "mpr-zoom");
      fen_mpr_planes_zoom_about (&self->state->planes, self->plane, pow (1.25, -dy), x, y);
      _fen_mpr_pane_invalidate (self);
      return TRUE;
    }
  /* Down (away from the reader) goes along the normal: towards the head
   * in axial, the back in coronal, the patient's right in sagittal. */
  _fen_mpr_pane_scroll (self, dy > 0 ? 1 : -1);
  return TRUE;
}

static void
fen_mpr_pane_motion_cb (GtkEventControllerMotion *controller, double x, double y, FenMprPane *self)
{
  FenMprHit hit;

  self->has_pointer = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  if (self->state != NULL)
    self->state->hovered = (int) self->plane;
  if (!fen_mpr_pane_ready (self))
    return;
  /* Say what a press would take. */
  hit = fen_mpr_planes_hit (&self->state->planes, self->plane, x, y, FEN_MPR_PANE_GRAB, NULL);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), hit == FEN_MPR_HIT_CENTER ? "move"
                                                      : hit == FEN_MPR_HIT_LINE ? "grab" : "crosshair");
}

/* The window's slice and zoom keys, on the active pane
 * (fen_mpr_layout_get_active_plane()). */
void
_fen_mpr_pane_scroll (FenMprPane *self, int steps)
{
  g_return_if_fail (FEN_IS_MPR_PANE (self));
  if (!fen_mpr_pane_ready (self))
    return;
  fen_mpr_pane_note_operation (self, "mpr-scroll");
  fen_mpr_planes_scroll (&self->state->planes, self->plane, self->state->volume, steps);
  _fen_mpr_layout_changed (self->layout);
}

void
_fen_mpr_pane_zoom (FenMprPane *self, FenMprZoom zoom)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_if_fail (FEN_IS_MPR_PANE (self));
  if (!fen_mpr_pane_ready (self))
    return;
  switch (zoom)
    {
    case FEN_MPR_ZOOM_IN:
    case FEN_MPR_ZOOM_OUT:
      fen_mpr_pane_note_operation (self, "mpr-zoom");
      fen_mpr_planes_zoom_about (&self->state->planes, self->plane, zoom == FEN_MPR_ZOOM_IN ? 1.25 : 0.8,
                                 w / 2.0, h / 2.0);
      break;
    case FEN_MPR_ZOOM_ONE_TO_ONE:
      fen_mpr_pane_note_operation (self, "mpr-zoom");
      fen_mpr_planes_one_to_one (&self->state->planes, self->plane, self->state->volume,
                                 gtk_widget_get_scale_factor (GTK_WIDGET (self)));
      break;
    case FEN_MPR_ZOOM_FIT:
    default:
      fen_mpr_planes_fit (&self->state->planes, self->plane);
      break;
    }
  _fen_mpr_pane_invalidate (self);
}

static void
fen_mpr_pane_enter_cb (GtkEventControllerMotion *controller, double x, double y, FenMprPane *self)
{
  if (self->state != NULL)
    self->state->hovered = (int) self->plane;
}

static void
fen_mpr_pane_leave_cb (GtkEventControllerMotion *controller, FenMprPane *self)
{
  self->has_pointer = FALSE;
  if (self->state != NULL && self->state->hovered == (int) self->plane)
    self->state->hovered = -1;
}

/* An arrow's text ---------------------------------------------------------- */

static void
fen_mpr_pane_text_activate_cb (GtkEditable *entry, FenMprPane *self)
{
  if (fen_mpr_pane_ready (self))
    {
      _fen_mpr_measure_set_text (self->state, self->text_index, gtk_editable_get_text (entry));
      _fen_mpr_layout_measures_changed (self->layout, TRUE);
      _fen_mpr_layout_redraw (self->layout);
    }
  gtk_popover_popdown (GTK_POPOVER (self->text_popover));
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

void
_fen_mpr_pane_ask_text (FenMprPane *self, int index, const double tail[3], const char *text)
{
  double sx, sy;

  g_return_if_fail (FEN_IS_MPR_PANE (self));
  if (!fen_mpr_pane_ready (self))
    return;
  if (self->text_popover == NULL)
    {
      GtkWidget *entry = gtk_entry_new ();

      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "Text of the arrow");
      self->text_entry = GTK_EDITABLE (entry);
      g_signal_connect (entry, "activate", G_CALLBACK (fen_mpr_pane_text_activate_cb), self);
      self->text_popover = gtk_popover_new ();
      gtk_popover_set_child (GTK_POPOVER (self->text_popover), entry);
      gtk_widget_set_parent (self->text_popover, GTK_WIDGET (self));
    }
  self->text_index = index;
  fen_mpr_planes_to_screen (&self->state->planes, self->plane, tail, &sx, &sy, NULL);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->text_popover), &(GdkRectangle) { (int) sx - 2, (int) sy - 2, 4, 4 });
  gtk_editable_set_text (self->text_entry, text != NULL ? text : "");
  gtk_popover_popup (GTK_POPOVER (self->text_popover));
  gtk_widget_grab_focus (GTK_WIDGET (self->text_entry));
}

/* Drawing ----------------------------------------------------------------- */

/* The kept values of @rect: (re)allocated when the rectangle grows (a
 * resize or a zoom), accounted as display memory. */
static gint32 *
fen_mpr_pane_values (FenMprPane *self, const FenPixelRect *rect)
{
  gsize need = (gsize) rect->width * rect->height;

  if (need > self->values_capacity)
    {
      if (self->state->monitor != NULL && self->values_capacity > 0)
        fen_memory_monitor_account (self->state->monitor, FEN_MEMORY_RENDER,
                                    -(gint64) (self->values_capacity * sizeof (gint32)));
      g_free (self->values);
      self->values = g_new (gint32, need);
      self->values_capacity = need;
      if (self->state->monitor != NULL)
        fen_memory_monitor_account (self->state->monitor, FEN_MEMORY_RENDER, (gint64) (need * sizeof (gint32)));
    }
  return self->values;
}

static void
fen_mpr_pane_drop_values (FenMprPane *self)
{
  if (self->values_capacity > 0 && self->state != NULL && self->state->monitor != NULL)
    fen_memory_monitor_account (self->state->monitor, FEN_MEMORY_RENDER,
                                -(gint64) (self->values_capacity * sizeof (gint32)));
  g_clear_pointer (&self->values, g_free);
  self->values_capacity = 0;
  self->values_valid = FALSE;
}

/* The key of the render @self would make now (@dw x @dh device pixels). */
static void
fen_mpr_pane_key (FenMprPane *self, int dw, int dh, int scale, FenMprPaneKey *key)
{
  FenMprState *state = self->state;

  memset (key, 0, sizeof *key);
  key->visible = fen_mpr_planes_get_visible (&state->planes, self->plane, state->volume, scale, (guint) dw,
                                             (guint) dh, &key->rect, &key->plane);
  key->slab = state->slab;
  key->slab_mm = state->slab_mm;
  key->window_serial = state->window_serial;
}

/* Whether @a and @b render the same plane (and, with @window, through the
 * same window). Geometry within 1e-9 (mm, or of a unit vector): a plane
 * whose centre moved along itself (another pane scrolled) is the same. */
static gboolean
fen_mpr_pane_key_equal (const FenMprPaneKey *a, const FenMprPaneKey *b, gboolean window)
{
  const double *x = &a->plane.position[0], *y = &b->plane.position[0];

  if (a->visible != b->visible || a->slab != b->slab || a->slab_mm != b->slab_mm ||
      (window && a->window_serial != b->window_serial))
    return FALSE;
  if (!a->visible)
    return TRUE;
  if (a->rect.x != b->rect.x || a->rect.y != b->rect.y || a->rect.width != b->rect.width ||
      a->rect.height != b->rect.height)
    return FALSE;
  /* position, row_dir, col_dir, normal, spacing: 14 doubles in a row. */
  G_STATIC_ASSERT (sizeof (FenPlaneGeometry) == 14 * sizeof (double));
  for (guint i = 0; i < 14; i++)
    if (fabs (x[i] - y[i]) > 1e-9)
      return FALSE;
  return TRUE;
}

/* Renders @key's part of the plane (fen_mpr_planes_get_visible()) into a
 * pooled buffer, as FenViewport does a slice's visible rectangle, and
 * returns it as a texture of that rectangle (%NULL when the volume is off
 * the pane); GTK draws the black around it. The plane's kept values are
 * mapped when they are @key's plane's; when only the window changed since
 * the texture shown, they are taken (and kept) first; otherwise the plane
 * is rendered straight through the table. */
static GdkTexture *
fen_mpr_pane_render (FenMprPane *self, int dw, int dh, const FenMprPaneKey *key, gboolean window_changed)
{
  FenMprState *state = self->state;
  g_autoptr(GBytes) bytes = NULL;
  /* The pool's buffers are the whole pane's size whatever the rectangle,
   * so that a zoom or a turn reuses them without allocating. */
  gsize size = (gsize) dw * 4 * dh, stride;
  gint64 start = g_get_monotonic_time ();
  FenReformat reformat = { 0 };
  const FenLut *lut = _fen_mpr_layout_get_lut (self->layout);
  const FenPixelRect *rect = &key->rect;
  const char *how = "reformat";
  guint8 *buffer;
  gboolean ok;

  if (!key->visible)
    {
      g_debug ("mpr render %s: the volume is off the pane", fen_mpr_plane_to_string (self->plane));
      return NULL;
    }
  stride = (gsize) rect->width * 4;
  reformat.plane = key->plane;
  reformat.sampling = FEN_REFORMAT_AUTO;
  reformat.slab = state->slab;
  reformat.slab_thickness = state->slab_mm;
  buffer = fen_render_pool_acquire (state->pool, size);
  if (self->values_valid && !fen_mpr_pane_key_equal (key, &self->values_key, FALSE))
    self->values_valid = FALSE;
  if (self->values_valid)
    how = "window on kept values";
  else if (window_changed)
    {
      self->values_valid = fen_renderer_reformat_values (state->renderer, state->volume, &reformat, rect->width,
                                                         rect->height, G_MININT32, fen_mpr_pane_values (self, rect),
                                                         rect->width);
      self->values_key = *key;
      how = "values kept";
    }
  if (self->values_valid)
    ok = fen_renderer_map_values (state->renderer, lut, self->values, rect->width, G_MININT32, rect->width,
                                  rect->height, FEN_PIXEL_BGRA8, buffer, stride);
  else
    ok = fen_renderer_reformat (state->renderer, state->volume, lut, &reformat, rect->width, rect->height,
                                FEN_PIXEL_BGRA8, buffer, stride);
  if (!ok)
    {
      /* A slice evicted meanwhile (the volume pins them, so a bug): black,
       * never garbage. */
      g_warning ("mpr: the %s plane could not be rendered", fen_mpr_plane_to_string (self->plane));
      for (gsize i = 0; i < stride * rect->height; i += 4)
        buffer[i] = buffer[i + 1] = buffer[i + 2] = 0, buffer[i + 3] = 255;
    }
  bytes = fen_render_pool_wrap (state->pool, buffer, size);
  g_debug ("mpr render %s %ux%u of %dx%d in %.2f ms (%s)", fen_mpr_plane_to_string (self->plane), rect->width,
           rect->height, dw, dh, (g_get_monotonic_time () - start) / 1000.0, how);
  return gdk_memory_texture_new ((int) rect->width, (int) rect->height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes,
                                 stride);
}

/* A label over the image with the overlays' dark veil behind it; @opaque
 * for the edge letters, which the crosshair lines run into. */
void
_fen_mpr_pane_label (FenMprPane *self, GtkSnapshot *snapshot, const char *text, double x, double y,
                    int align_x, int align_y, const GdkRGBA *color, gboolean opaque)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  const GdkRGBA veil = { 0, 0, 0, opaque ? 1.0 : 0.75 }, black = { 0, 0, 0, 1.0 };
  GskRoundedRect box;
  int lw, lh;

  pango_layout_get_pixel_size (layout, &lw, &lh);
  /* align: 0 start, 1 centre, 2 end at (x, y). */
  x -= align_x * lw / 2.0;
  y -= align_y * lh / 2.0;
  gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT ((float) x - 3, (float) y - 1, (float) lw + 6,
                                                             (float) lh + 2), 3);
  gtk_snapshot_push_rounded_clip (snapshot, &box);
  gtk_snapshot_append_color (snapshot, &veil, &box.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x + 1, (float) y + 1));
  gtk_snapshot_append_layout (snapshot, layout, &black);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-1, -1));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The other patient planes' lines through the centre, clear of it, with a
 * handle on each outer part (where a drag turns them). */
static void
fen_mpr_pane_snapshot_crosshair (FenMprPane *self, GtkSnapshot *snapshot, int w, int h)
{
  const FenMprPlanes *planes = &self->state->planes;
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  double cx, cy, handle = MIN (w, h) * 0.375;

  fen_mpr_planes_to_screen (planes, self->plane, planes->center, &cx, &cy, NULL);
  cairo_set_line_width (cr, 1.5);
  for (guint o = FEN_MPR_PLANE_AXIAL; o <= FEN_MPR_PLANE_SAGITTAL; o++)
    {
      const GdkRGBA *c = &fen_mpr_colors[o];
      double line[4], ux, uy, len;

      if (!fen_mpr_planes_get_line (planes, self->plane, o, line))
        continue;
      ux = line[2] - line[0];
      uy = line[3] - line[1];
      len = hypot (ux, uy);
      if (len < 1e-6)
        continue;
      ux /= len;
      uy /= len;
      cairo_set_source_rgba (cr, c->red, c->green, c->blue, 0.85);
      /* From each end towards the centre, stopping short of it. */
      for (int end = 0; end < 2; end++)
        {
          double ex = line[2 * end], ey = line[2 * end + 1];
          double sign = end == 0 ? -1 : 1;
          double along = (ex - cx) * ux + (ey - cy) * uy;

          if (along * sign <= FEN_MPR_PANE_GAP)
            continue;
          cairo_move_to (cr, ex, ey);
          cairo_line_to (cr, cx + sign * FEN_MPR_PANE_GAP * ux, cy + sign * FEN_MPR_PANE_GAP * uy);
          cairo_stroke (cr);
          if (along * sign > handle)
            {
              cairo_arc (cr, cx + sign * handle * ux, cy + sign * handle * uy, 4, 0, 2 * G_PI);
              cairo_fill (cr);
            }
        }
    }
  cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
  cairo_arc (cr, cx, cy, 4, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
fen_mpr_pane_snapshot_overlays (FenMprPane *self, GtkSnapshot *snapshot, int w, int h)
{
  static const char *const slab_names[] = { "", "MIP", "MinIP", "Average" };
  const GdkRGBA white = { 0.91, 0.91, 0.91, 1.0 };
  const FenMprState *state = self->state;
  const FenMprFrame *frame = &state->planes.frames[self->plane];
  g_autofree char *name = NULL, *depth = NULL, *window = NULL;
  char letters[4][4];
  guint axis = 0;
  const char *unit = fen_image_get_unit (state->first);

  if (state->slab != FEN_SLAB_NONE)
    name = g_strdup_printf ("%s  %s %.1f mm", fen_mpr_plane_to_string (self->plane), slab_names[state->slab],
                            state->slab_mm);
  else
    name = g_strdup (fen_mpr_plane_to_string (self->plane));
  _fen_mpr_pane_label (self, snapshot, name, 8, 6, 0, 0, &fen_mpr_colors[self->plane], FALSE);

  /* Where the plane lies: the patient coordinate it fixes when it faces
   * an axis, else its distance along its normal. */
  for (guint k = 1; k < 3; k++)
    if (fabs (frame->normal[k]) > fabs (frame->normal[axis]))
      axis = k;
  if (fabs (frame->normal[axis]) > 0.99999)
    depth = g_strdup_printf ("%c %.1f mm", "xyz"[axis], state->planes.center[axis]);
  else
    depth = g_strdup_printf ("depth %.1f mm", fen_mpr_planes_get_depth (&state->planes, self->plane));
  _fen_mpr_pane_label (self, snapshot, depth, w - 8, 6, 2, 0, &white, FALSE);

  window = g_strdup_printf ("W %.0f  L %.0f%s%s\nZoom %.0f px/cm", state->window.width, state->window.center,
                            unit ? " " : "", unit ? unit : "", state->planes.views[self->plane].zoom * 10);
  _fen_mpr_pane_label (self, snapshot, window, 8, h - 6, 0, 2, &white, FALSE);

  if (w < 80 || h < 80)
    return;
  fen_mpr_planes_edge_letters (&state->planes, self->plane, letters);
  _fen_mpr_pane_label (self, snapshot, letters[0], 6, h / 2.0, 0, 1, &white, TRUE);
  _fen_mpr_pane_label (self, snapshot, letters[1], w - 6, h / 2.0, 2, 1, &white, TRUE);
  _fen_mpr_pane_label (self, snapshot, letters[2], w / 2.0, 4, 1, 0, &white, TRUE);
  _fen_mpr_pane_label (self, snapshot, letters[3], w / 2.0, h - 4, 1, 2, &white, TRUE);
}

static void
fen_mpr_pane_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FenMprPane *self = FEN_MPR_PANE (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  int dw = w * scale, dh = h * scale;

  if (!fen_mpr_pane_ready (self) || w < 1 || h < 1)
    return;
  if (!self->texture_valid || self->texture_width != dw || self->texture_height != dh)
    {
      FenMprPaneKey key;
      gboolean same_size = self->texture_width == dw && self->texture_height == dh;

      fen_mpr_pane_key (self, dw, dh, scale, &key);
      /* The same plane through the same window (the crosshair moved along
       * this plane: another pane scrolled): nothing to render again. */
      if (!(self->texture != NULL && same_size && fen_mpr_pane_key_equal (&key, &self->shown, TRUE)))
        {
          gboolean window_changed = self->texture != NULL && same_size &&
                                    fen_mpr_pane_key_equal (&key, &self->shown, FALSE);

          /* Drop ours first so that its buffer can come back to the pool. */
          g_clear_object (&self->texture);
          self->texture = fen_mpr_pane_render (self, dw, dh, &key, window_changed);
          self->texture_rect = key.rect;
          self->shown = key;
        }
      self->texture_width = dw;
      self->texture_height = dh;
      self->texture_valid = TRUE;
    }
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  fen_rendered_frame_snapshot (snapshot, self->texture, &self->texture_rect, w, h, scale);
  fen_mpr_pane_snapshot_crosshair (self, snapshot, w, h);
  _fen_mpr_measure_snapshot (self, self->state, self->plane, snapshot, w, h);
  if (self->state->show_overlays)
    fen_mpr_pane_snapshot_overlays (self, snapshot, w, h);
  gtk_snapshot_pop (snapshot);
}

static gboolean
fen_mpr_pane_geometry_idle_cb (gpointer user_data)
{
  FenMprPane *self = user_data;
  double x, y;

  self->geometry_idle = 0;
  /* Where the pane is on its surface: the e2e test aims the pointer by it. */
  if (fen_rendered_frame_surface_place (GTK_WIDGET (self), &x, &y))
    {
      g_debug ("mpr-pane %s at x=%.0f y=%.0f width=%d height=%d", fen_mpr_plane_to_string (self->plane), x, y,
               gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
      if (self->plane == FEN_MPR_PLANE_AXIAL && self->layout != NULL)
        _fen_mpr_layout_log_controls (self->layout);
    }
  return G_SOURCE_REMOVE;
}

static void
fen_mpr_pane_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  FenMprPane *self = FEN_MPR_PANE (widget);

  if (self->state != NULL)
    fen_mpr_planes_set_size (&self->state->planes, self->plane, width, height);
  self->texture_valid = FALSE;
  if (self->text_popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->text_popover));
  if (self->geometry_idle == 0)
    self->geometry_idle = g_idle_add (fen_mpr_pane_geometry_idle_cb, self);
}

void
_fen_mpr_pane_invalidate (FenMprPane *self)
{
  g_return_if_fail (FEN_IS_MPR_PANE (self));
  self->texture_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

FenMprLayout *
_fen_mpr_pane_get_layout (FenMprPane *self)
{
  g_return_val_if_fail (FEN_IS_MPR_PANE (self), NULL);
  return self->layout;
}

void
_fen_mpr_pane_clear (FenMprPane *self)
{
  g_return_if_fail (FEN_IS_MPR_PANE (self));
  fen_mpr_pane_end_group (self);
  fen_mpr_pane_end_drag_op (self);
  g_clear_object (&self->texture);
  fen_mpr_pane_drop_values (self);
  self->texture_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_fen_mpr_pane_setup (FenMprPane *self, FenMprLayout *layout, FenMprState *state, FenMprPlane plane)
{
  g_return_if_fail (FEN_IS_MPR_PANE (self));
  self->layout = layout;
  self->state = state;
  self->plane = plane;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Object ------------------------------------------------------------------ */

static void
fen_mpr_pane_dispose (GObject *object)
{
  FenMprPane *self = FEN_MPR_PANE (object);

  fen_mpr_pane_end_group (self);
  if (self->state != NULL)
    fen_mpr_pane_end_drag_op (self);
  g_clear_handle_id (&self->geometry_idle, g_source_remove);
  g_clear_object (&self->texture);
  fen_mpr_pane_drop_values (self);
  g_clear_pointer (&self->text_popover, gtk_widget_unparent);
  self->text_entry = NULL;
  G_OBJECT_CLASS (fen_mpr_pane_parent_class)->dispose (object);
}

static void
fen_mpr_pane_class_init (FenMprPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_mpr_pane_dispose;
  widget_class->snapshot = fen_mpr_pane_snapshot;
  widget_class->size_allocate = fen_mpr_pane_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "fen-mpr-pane");
}

static void
fen_mpr_pane_add_drag (FenMprPane *self, guint button, GCallback begin, GCallback update, GCallback end)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), button);
  g_signal_connect (drag, "drag-begin", begin, self);
  g_signal_connect (drag, "drag-update", update, self);
  g_signal_connect (drag, "drag-end", end, self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

static void
fen_mpr_pane_init (FenMprPane *self)
{
  GtkEventController *scroll, *motion;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  fen_mpr_pane_add_drag (self, 1, G_CALLBACK (fen_mpr_pane_primary_begin_cb),
                         G_CALLBACK (fen_mpr_pane_primary_update_cb), G_CALLBACK (fen_mpr_pane_primary_end_cb));
  fen_mpr_pane_add_drag (self, 3, G_CALLBACK (fen_mpr_pane_zoom_begin_cb),
                         G_CALLBACK (fen_mpr_pane_zoom_update_cb), G_CALLBACK (fen_mpr_pane_group_end_cb));
  fen_mpr_pane_add_drag (self, 2, G_CALLBACK (fen_mpr_pane_pan_begin_cb),
                         G_CALLBACK (fen_mpr_pane_pan_update_cb), G_CALLBACK (fen_mpr_pane_group_end_cb));
  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (fen_mpr_pane_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (fen_mpr_pane_motion_cb), self);
  g_signal_connect (motion, "enter", G_CALLBACK (fen_mpr_pane_enter_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (fen_mpr_pane_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}
