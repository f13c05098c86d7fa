/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport-reference.c: what a FenViewport shows of the other panes and
 * of the 3D cursor. The window works out the reference lines (where another
 * pane's slice cuts the frame shown, fen-geometry) and where the cursor's
 * point projects; the viewport keeps them in the frame's image coordinates,
 * so zoom, pan, turns and flips carry them with the image, and draws them
 * through the view's mapping (FenView). A left press with Shift places the
 * cursor: the viewport turns the point under the pointer into patient
 * coordinates (PS3.3 C.7.6.2.1.1) and says so ("cursor-placed"); a drag
 * with the button held moves it. */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport-private.h"

#include <fenestra/fen-geometry.h>

#include <math.h>
#include <string.h>

enum {
  CURSOR_PLACED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
_fen_viewport_class_reference_init (GtkWidgetClass *widget_class)
{
  /**
   * FenViewport::cursor-placed:
   * @x: @y: @z: the point in patient coordinates (LPS, mm)
   * Shift+click (or Shift+drag) on the frame shown set the 3D cursor there.
   */
  signals[CURSOR_PLACED] = g_signal_new ("cursor-placed", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                         G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
}

/* The patient point under output point (@x, @y); %FALSE when the frame has
 * no Image Plane geometry. */
static gboolean
fen_viewport_cursor_place (FenViewport *self, double x, double y)
{
  FenPlaneGeometry plane;
  double ix, iy, patient[3];

  if (!fen_plane_geometry_from_info (&plane, fen_image_get_info (self->image), self->frame, NULL))
    return FALSE;
  fen_view_screen_to_image (&self->view, x, y, &ix, &iy);
  /* Image coordinates put pixel centres at i + 0.5; C.7.6.2.1-1 at i. */
  fen_plane_geometry_image_to_patient (&plane, ix - 0.5, iy - 0.5, patient);
  g_signal_emit (self, signals[CURSOR_PLACED], 0, patient[0], patient[1], patient[2]);
  return TRUE;
}

gboolean
_fen_viewport_cursor_begin (FenViewport *self, GtkGesture *gesture, double x, double y)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  self->placing_cursor = FALSE;
  if ((state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) != GDK_SHIFT_MASK || self->image == NULL)
    return FALSE;
  self->placing_cursor = fen_viewport_cursor_place (self, x, y);
  if (!self->placing_cursor)
    g_debug ("3D cursor: %s has no image plane geometry", fen_image_get_log_name (self->image));
  return self->placing_cursor;
}

gboolean
_fen_viewport_cursor_update (FenViewport *self, GtkGestureDrag *gesture, double dx, double dy)
{
  double sx, sy;

  if (!self->placing_cursor)
    return FALSE;
  gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
  if (self->image != NULL)
    fen_viewport_cursor_place (self, sx + dx, sy + dy);
  return TRUE;
}

gboolean
_fen_viewport_cursor_end (FenViewport *self)
{
  gboolean placing = self->placing_cursor;

  self->placing_cursor = FALSE;
  return placing;
}

void
fen_viewport_set_reference_lines (FenViewport                    *self,
                                  const FenViewportReferenceLine *lines,
                                  guint                           n_lines)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  g_return_if_fail (lines != NULL || n_lines == 0);
  g_return_if_fail (n_lines <= FEN_VIEWPORT_MAX_REFERENCE_LINES);

  if (self->n_reference_lines == 0 && n_lines == 0)
    return;
  if (n_lines > 0)
    memcpy (self->reference_lines, lines, n_lines * sizeof *lines);
  self->n_reference_lines = n_lines;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fen_viewport_set_cursor_mark (FenViewport *self, gboolean shown, double x, double y)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  shown = !!shown;
  if (shown == self->has_mark && (!shown || (x == self->mark_x && y == self->mark_y)))
    return;
  self->has_mark = shown;
  self->mark_x = x;
  self->mark_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A crosshair with a gap at the point itself, so the pixel marked stays
 * visible; a dark edge keeps it readable on bone as on air. */
static void
fen_viewport_snapshot_mark (FenViewport *self, cairo_t *cr)
{
  static const double arm = 9, gap = 3;
  double x, y;

  fen_view_image_to_screen (&self->view, self->mark_x, self->mark_y, &x, &y);
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 0)
        cairo_set_source_rgba (cr, 0, 0, 0, 0.8);
      else
        cairo_set_source_rgba (cr, 1.0, 0.2, 0.2, 1.0);
      cairo_set_line_width (cr, pass == 0 ? 4.0 : 2.0);
      cairo_move_to (cr, x - gap - arm, y);
      cairo_line_to (cr, x - gap, y);
      cairo_move_to (cr, x + gap, y);
      cairo_line_to (cr, x + gap + arm, y);
      cairo_move_to (cr, x, y - gap - arm);
      cairo_line_to (cr, x, y - gap);
      cairo_move_to (cr, x, y + gap);
      cairo_line_to (cr, x, y + gap + arm);
      cairo_stroke (cr);
    }
}

void
_fen_viewport_snapshot_references (FenViewport *self, GtkSnapshot *snapshot)
{
  static const double dashes[2] = { 8, 5 };
  int width = gtk_widget_get_width (GTK_WIDGET (self)), height = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_t *cr;

  if (self->n_reference_lines == 0 && !self->has_mark)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (guint i = 0; i < self->n_reference_lines; i++)
    {
      const FenViewportReferenceLine *r = &self->reference_lines[i];
      double x0, y0, x1, y1;

      fen_view_image_to_screen (&self->view, r->line[0], r->line[1], &x0, &y0);
      fen_view_image_to_screen (&self->view, r->line[2], r->line[3], &x1, &y1);
      cairo_set_source_rgba (cr, r->color.red, r->color.green, r->color.blue, r->color.alpha);
      cairo_set_line_width (cr, r->emphasis ? 2.0 : 1.5);
      cairo_set_dash (cr, dashes, r->emphasis ? 0 : 2, 0);
      cairo_move_to (cr, x0, y0);
      cairo_line_to (cr, x1, y1);
      cairo_stroke (cr);
    }
  cairo_set_dash (cr, NULL, 0, 0);
  if (self->has_mark)
    fen_viewport_snapshot_mark (self, cr);
  cairo_destroy (cr);
}
