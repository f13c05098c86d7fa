/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport-measure.c: distances measured in a FenViewport. Each
 * measurement belongs to the image and frame it was drawn on, in that
 * image's pixel coordinates: it shows on that frame only, follows zoom,
 * pan, rotation and flips, and several coexist. Drawn with the frame's
 * pixel spacing (mm) when the file has it, else in pixels. Also here: the
 * measuring mode, the value under the pointer, and the scale bar. */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport-private.h"

#include <math.h>

static gboolean
fen_viewport_measurement_on_screen (FenViewport *self, const FenViewportMeasurement *m)
{
  return self->image != NULL && m->image_id == fen_image_get_id (self->image) && m->frame == self->frame;
}

void
_fen_viewport_measure_begin (FenViewport *self, double x, double y)
{
  FenViewportMeasurement m = { fen_image_get_id (self->image), self->frame, { 0 } };

  fen_view_screen_to_image (&self->view, x, y, &m.line[0], &m.line[1]);
  m.line[2] = m.line[0];
  m.line[3] = m.line[1];
  g_array_append_val (self->measurements, m);
  self->drawing = (int) self->measurements->len - 1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_fen_viewport_measure_update (FenViewport *self, double x, double y)
{
  FenViewportMeasurement *m;

  if (self->drawing < 0)
    return;
  m = &g_array_index (self->measurements, FenViewportMeasurement, self->drawing);
  fen_view_screen_to_image (&self->view, x, y, &m->line[2], &m->line[3]);
  _fen_viewport_changed (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_fen_viewport_measure_end (FenViewport *self)
{
  FenViewportMeasurement *m;

  if (self->drawing < 0)
    return;
  m = &g_array_index (self->measurements, FenViewportMeasurement, self->drawing);
  /* A click without a drag measures nothing: no dot left behind. */
  if (m->line[0] == m->line[2] && m->line[1] == m->line[3])
    g_array_remove_index (self->measurements, (guint) self->drawing);
  else
    g_debug ("measurement %u on %s frame %u", self->measurements->len, fen_image_get_log_name (self->image),
             self->frame);
  self->drawing = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_fen_viewport_measure_clear_frame (FenViewport *self)
{
  self->drawing = -1;
  for (guint i = self->measurements->len; i > 0; i--)
    if (fen_viewport_measurement_on_screen (self, &g_array_index (self->measurements, FenViewportMeasurement, i - 1)))
      g_array_remove_index (self->measurements, i - 1);
}

guint
fen_viewport_get_n_measurements (FenViewport *self)
{
  guint n = 0;

  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 0);
  for (guint i = 0; i < self->measurements->len; i++)
    n += fen_viewport_measurement_on_screen (self, &g_array_index (self->measurements, FenViewportMeasurement, i));
  return n;
}


/* A label over the image, readable on white bone as on black air: the
 * overlays' dark veil behind it (style.css, .fen-overlay) and a dark copy
 * one pixel off. (@x, @y) is the text's top left. */
static void
fen_viewport_snapshot_label (GtkSnapshot *snapshot, PangoLayout *layout, double x, double y, const GdkRGBA *color)
{
  const GdkRGBA veil = { 0, 0, 0, 0.75 }, black = { 0, 0, 0, 1.0 };
  GskRoundedRect box;
  int lw, lh;

  pango_layout_get_pixel_size (layout, &lw, &lh);
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
static void
fen_viewport_snapshot_measurement (FenViewport *self, GtkSnapshot *snapshot, cairo_t *cr, const FenViewportMeasurement *m)
{
  const FenImageInfo *info = fen_image_get_info (self->image);
  const GdkRGBA yellow = { 1.0, 0.85, 0.1, 1.0 };
  double x0, y0, x1, y1, dx, dy;
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;

  fen_view_image_to_screen (&self->view, m->line[0], m->line[1], &x0, &y0);
  fen_view_image_to_screen (&self->view, m->line[2], m->line[3], &x1, &y1);
  cairo_set_source_rgba (cr, yellow.red, yellow.green, yellow.blue, 1.0);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x1, y1);
  cairo_stroke (cr);
  cairo_arc (cr, x0, y0, 3, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_arc (cr, x1, y1, 3, 0, 2 * G_PI);
  cairo_fill (cr);

  dx = m->line[2] - m->line[0];
  dy = m->line[3] - m->line[1];
  /* PS3.3 C.7.6.2.1.1 (Pixel Spacing): row spacing first (between rows, so
   * vertical), then column spacing (horizontal). */
  if (info->pixel_spacing[0] > 0 && info->pixel_spacing[1] > 0)
    text = g_strdup_printf ("%.1f mm", hypot (dx * info->pixel_spacing[1], dy * info->pixel_spacing[0]));
  else
    text = g_strdup_printf ("%.1f px", hypot (dx, dy));

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  fen_viewport_snapshot_label (snapshot, layout, x1 + 8, y1 + 4, &yellow);
}

/* A bar of a round length in mm (1, 2 or 5 x 10^k) near a fifth of the
 * width, bottom centre: the scale at this zoom, whatever the rotation
 * (pixels are square when both spacings are equal; else the horizontal
 * spacing of the screen's horizontal). */
static void
fen_viewport_snapshot_scale_bar (FenViewport *self, GtkSnapshot *snapshot, cairo_t *cr)
{
  const FenImageInfo *info = fen_image_get_info (self->image);
  const GdkRGBA white = { 0.91, 0.91, 0.91, 1.0 };
  int width = gtk_widget_get_width (GTK_WIDGET (self)), height = gtk_widget_get_height (GTK_WIDGET (self));
  /* The screen's horizontal runs along image columns (x) unless turned a quarter. */
  double spacing = self->view.rotation % 2 == 0 ? info->pixel_spacing[1] : info->pixel_spacing[0];
  double mm_per_px, want, unit, length, px, x0, y0;
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  int lw, lh;

  if (!(spacing > 0) || !(self->view.zoom > 0) || width < 80)
    return;
  mm_per_px = spacing / self->view.zoom;
  want = width / 5.0 * mm_per_px;
  unit = pow (10.0, floor (log10 (want)));
  length = want / unit >= 5 ? 5 * unit : want / unit >= 2 ? 2 * unit : unit;
  px = length / mm_per_px;
  x0 = (width - px) / 2.0;
  y0 = height - 14.5;

  cairo_set_line_width (cr, 3.0);
  cairo_set_source_rgba (cr, 0, 0, 0, 1);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x0 + px, y0);
  cairo_stroke (cr);
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, white.red, white.green, white.blue, 1);
  cairo_move_to (cr, x0, y0 - 4);
  cairo_line_to (cr, x0, y0);
  cairo_line_to (cr, x0 + px, y0);
  cairo_line_to (cr, x0 + px, y0 - 4);
  cairo_stroke (cr);

  text = length >= 10 ? g_strdup_printf ("%.0f cm", length / 10) : g_strdup_printf ("%g mm", length);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_get_pixel_size (layout, &lw, &lh);
  fen_viewport_snapshot_label (snapshot, layout, (width - lw) / 2.0, y0 - 4 - lh, &white);
}

/* The patient directions of the screen's four edges (PS3.3 C.7.6.1.1.1),
 * from Image Orientation and the view's own mapping, so flips and turns
 * move them with the image. Nothing when the image has no orientation. */
static void
fen_viewport_snapshot_edge_letters (FenViewport *self, GtkSnapshot *snapshot)
{
  const FenImageInfo *info = fen_image_get_info (self->image);
  const GdkRGBA white = { 0.91, 0.91, 0.91, 1.0 };
  int width = gtk_widget_get_width (GTK_WIDGET (self)), height = gtk_widget_get_height (GTK_WIDGET (self));
  double right[2], down[2];
  char letters[4][4];

  if (!info->has_orientation || width < 80 || height < 80)
    return;
  fen_view_screen_to_image_vec (&self->view, 1, 0, &right[0], &right[1]);
  fen_view_screen_to_image_vec (&self->view, 0, 1, &down[0], &down[1]);
  fen_geometry_edge_letters (info->image_orientation, right, down, letters);
  for (guint e = 0; e < 4; e++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), letters[e]);
      int lw, lh;
      double x, y;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      /* Left, right, top; the bottom one above the scale bar. */
      x = e == 0 ? 6 : e == 1 ? width - lw - 6 : (width - lw) / 2.0;
      y = e < 2 ? (height - lh) / 2.0 : e == 2 ? 4 : height - 2.5 * lh - 22;
      fen_viewport_snapshot_label (snapshot, layout, x, y, &white);
    }
}

void
_fen_viewport_snapshot_measurements (FenViewport *self, GtkSnapshot *snapshot)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self)), height = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  for (guint i = 0; i < self->measurements->len; i++)
    {
      const FenViewportMeasurement *m = &g_array_index (self->measurements, FenViewportMeasurement, i);

      if (fen_viewport_measurement_on_screen (self, m))
        fen_viewport_snapshot_measurement (self, snapshot, cr, m);
    }
  if (self->show_scale_bar)
    fen_viewport_snapshot_scale_bar (self, snapshot, cr);
  cairo_destroy (cr);
  if (self->show_scale_bar)
    fen_viewport_snapshot_edge_letters (self, snapshot);
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
  /* Measurements stay with their image and frame when the mode ends. */
  if (!measuring)
    _fen_viewport_measure_end (self);
  self->measuring = measuring;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  _fen_viewport_changed (self, FALSE);
}

void
fen_viewport_set_show_scale_bar (FenViewport *self, gboolean show)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  self->show_scale_bar = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
fen_viewport_get_pointer (FenViewport *self, guint *x, guint *y, double *value)
{
  double ix, iy;

  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FALSE);
  if (self->image == NULL || !self->has_pointer || !fen_image_has_pixels (self->image))
    return FALSE;
  fen_view_screen_to_image (&self->view, self->pointer_x, self->pointer_y, &ix, &iy);
  if (ix < 0 || iy < 0 || ix >= fen_image_get_width (self->image) || iy >= fen_image_get_height (self->image))
    return FALSE;
  *x = (guint) ix;
  *y = (guint) iy;
  /* In a difference view the value is the difference, as on screen. */
  if (self->compare == FEN_VIEWPORT_COMPARE_DIFFERENCE && self->partner_ok)
    return _fen_viewport_difference_at (self, *x, *y, value);
  /* PS3.3 C.11.1: the modality LUT, here Rescale Slope and Intercept. */
  if (fen_image_is_color (self->image))
    *value = fen_image_get_stored_value (self->image, self->frame, *x, *y);
  else
    *value = fen_image_to_modality (self->image, self->frame,
                                    fen_image_get_stored_value (self->image, self->frame, *x, *y));
  return TRUE;
}
