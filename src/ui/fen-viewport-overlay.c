/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport-overlay.c: what a FenViewport draws over the image in
 * snapshot (never into the pixel buffer): the measurements of the frame
 * shown with their values (lengths and angles from FenMeasurement, region
 * statistics from fen_roi_stats: nothing recomputed here), the selected
 * one's handles, the scale bar and the edge letters; and the value under
 * the pointer. */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport-private.h"

#include <math.h>

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
fen_viewport_point (FenViewport *self, const FenMeasurement *m, guint p, double *x, double *y)
{
  fen_view_image_to_screen (&self->view, m->points[2 * p], m->points[2 * p + 1], x, y);
}

static void
fen_viewport_path_line (FenViewport *self, cairo_t *cr, const FenMeasurement *m, guint a, guint b)
{
  double x, y;

  fen_viewport_point (self, m, a, &x, &y);
  cairo_move_to (cr, x, y);
  fen_viewport_point (self, m, b, &x, &y);
  cairo_line_to (cr, x, y);
}

/* The label's text; the region's values come from the core. */
static char *
fen_viewport_measurement_text (FenViewport *self, guint index, const FenMeasurement *m)
{
  const FenImageInfo *info = fen_image_get_info (self->image);
  FenRoiStats stats;
  double v;

  switch (m->kind)
    {
    case FEN_MEASUREMENT_DISTANCE:
      v = fen_measurement_length_mm (m, info);
      if (isfinite (v))
        return g_strdup_printf ("%.1f mm", v);
      return g_strdup_printf ("%.1f px", hypot (m->points[2] - m->points[0], m->points[3] - m->points[1]));
    case FEN_MEASUREMENT_ANGLE:
    case FEN_MEASUREMENT_COBB:
      v = fen_measurement_angle_deg (m, info);
      return isfinite (v) ? g_strdup_printf ("%.1f°", v) : NULL;
    case FEN_MEASUREMENT_ARROW:
      return m->text != NULL && *m->text != '\0' ? g_strdup (m->text) : NULL;
    case FEN_MEASUREMENT_ELLIPSE:
    case FEN_MEASUREMENT_RECTANGLE:
    case FEN_MEASUREMENT_POLYGON:
    default:
      if (!fen_viewport_measurement_stats (self, index, &stats))
        return NULL;
      if (stats.n == 0)
        return g_strdup ("no pixel inside");
      {
        const char *unit = g_str_equal (stats.unit, "none") ? "" : stats.unit;
        guint decimals = fen_image_get_value_decimals (self->image, m->frame);

        /* Shown with one decimal more than a pixel value needs. */
        return stats.area_mm2 > 0
          ? g_strdup_printf ("%.*f ± %.*f %s\n%.1f mm²", decimals + 1, stats.mean, decimals + 1, stats.sd, unit, stats.area_mm2)
          : g_strdup_printf ("%.*f ± %.*f %s\n%.1f px²", decimals + 1, stats.mean, decimals + 1, stats.sd, unit, stats.area_px);
      }
    }
}

static void
fen_viewport_snapshot_measurement (FenViewport *self, GtkSnapshot *snapshot, cairo_t *cr, guint index,
                                   const FenMeasurement *m, gboolean selected)
{
  const GdkRGBA yellow = { 1.0, 0.85, 0.1, 1.0 };
  double x, y, x1, y1, lx = -G_MAXDOUBLE, ly = G_MAXDOUBLE;
  g_autofree char *text = NULL;

  cairo_set_source_rgba (cr, yellow.red, yellow.green, yellow.blue, 1.0);
  cairo_set_line_width (cr, selected ? 2.5 : 1.5);
  switch (m->kind)
    {
    case FEN_MEASUREMENT_ELLIPSE:
      {
        double ex, ey, fx, fy;
        cairo_matrix_t matrix;

        /* The unit circle through the screen images of the radii: right
         * for any turn or flip of the view. */
        fen_viewport_point (self, m, 0, &x, &y);
        fen_view_image_to_screen (&self->view, m->points[2], m->points[1], &ex, &ey);
        fen_view_image_to_screen (&self->view, m->points[0], m->points[3], &fx, &fy);
        cairo_save (cr);
        cairo_matrix_init (&matrix, ex - x, ey - y, fx - x, fy - y, x, y);
        if (fabs ((ex - x) * (fy - y) - (ey - y) * (fx - x)) > 1e-9)
          {
            cairo_transform (cr, &matrix);
            cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
          }
        cairo_restore (cr);
        cairo_stroke (cr);
        break;
      }
    case FEN_MEASUREMENT_RECTANGLE:
      {
        const double corners[8] = { m->points[0], m->points[1], m->points[2], m->points[1],
                                    m->points[2], m->points[3], m->points[0], m->points[3] };

        for (guint p = 0; p < 4; p++)
          {
            fen_view_image_to_screen (&self->view, corners[2 * p], corners[2 * p + 1], &x, &y);
            (p == 0 ? cairo_move_to : cairo_line_to) (cr, x, y);
          }
        cairo_close_path (cr);
        cairo_stroke (cr);
        break;
      }
    case FEN_MEASUREMENT_POLYGON:
      for (guint p = 0; p < m->n_points; p++)
        {
          fen_viewport_point (self, m, p, &x, &y);
          (p == 0 ? cairo_move_to : cairo_line_to) (cr, x, y);
        }
      if ((int) index != self->drawing)
        cairo_close_path (cr);
      cairo_stroke (cr);
      break;
    case FEN_MEASUREMENT_COBB:
      fen_viewport_path_line (self, cr, m, 0, 1);
      fen_viewport_path_line (self, cr, m, 2, 3);
      cairo_stroke (cr);
      break;
    case FEN_MEASUREMENT_ARROW:
      {
        double angle;

        fen_viewport_point (self, m, 0, &x, &y);
        fen_viewport_point (self, m, 1, &x1, &y1);
        fen_viewport_path_line (self, cr, m, 0, 1);
        cairo_stroke (cr);
        angle = atan2 (y1 - y, x1 - x);
        cairo_move_to (cr, x1, y1);
        cairo_line_to (cr, x1 - 12 * cos (angle - 0.4), y1 - 12 * sin (angle - 0.4));
        cairo_line_to (cr, x1 - 12 * cos (angle + 0.4), y1 - 12 * sin (angle + 0.4));
        cairo_close_path (cr);
        cairo_fill (cr);
        /* The text at the tail, away from what the arrow points at. */
        lx = x + 6, ly = y + 4;
        break;
      }
    case FEN_MEASUREMENT_DISTANCE:
    case FEN_MEASUREMENT_ANGLE:
    default:
      for (guint p = 0; p + 1 < m->n_points; p++)
        fen_viewport_path_line (self, cr, m, p, p + 1);
      cairo_stroke (cr);
      for (guint p = 0; p < m->n_points; p++)
        {
          fen_viewport_point (self, m, p, &x, &y);
          cairo_arc (cr, x, y, 3, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      break;
    }

  /* Handles of the selected one: a square on each point it is moved by. */
  if (selected && m->kind != FEN_MEASUREMENT_POLYGON)
    for (guint p = 0; p < m->n_points; p++)
      {
        fen_viewport_point (self, m, p, &x, &y);
        cairo_rectangle (cr, x - 4, y - 4, 8, 8);
        cairo_set_source_rgba (cr, 0, 0, 0, 1);
        cairo_fill_preserve (cr);
        cairo_set_source_rgba (cr, yellow.red, yellow.green, yellow.blue, 1.0);
        cairo_set_line_width (cr, 1.5);
        cairo_stroke (cr);
      }

  text = fen_viewport_measurement_text (self, index, m);
  if (text == NULL)
    return;
  if (lx == -G_MAXDOUBLE)
    {
      /* Right of the shape's last point, or of a region's box. */
      double top = G_MAXDOUBLE, right = -G_MAXDOUBLE;

      if (m->kind == FEN_MEASUREMENT_ELLIPSE || m->kind == FEN_MEASUREMENT_RECTANGLE || m->kind == FEN_MEASUREMENT_POLYGON)
        {
          for (guint p = 0; p < m->n_points; p++)
            {
              double px = m->points[2 * p], py = m->points[2 * p + 1];

              /* The ellipse's second point is a corner of its box; the
               * opposite corner is the centre mirrored. */
              for (int mirror = 0; mirror < (m->kind == FEN_MEASUREMENT_ELLIPSE ? 2 : 1); mirror++)
                {
                  if (mirror)
                    px = 2 * m->points[0] - m->points[2], py = 2 * m->points[1] - m->points[3];
                  fen_view_image_to_screen (&self->view, px, py, &x, &y);
                  top = MIN (top, y), right = MAX (right, x);
                }
            }
          lx = right + 8, ly = top;
        }
      else
        {
          fen_viewport_point (self, m, m->kind == FEN_MEASUREMENT_ANGLE ? 1 : m->n_points - 1, &x, &y);
          lx = x + 8, ly = y + 4;
        }
    }
  {
    g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

    fen_viewport_snapshot_label (snapshot, layout, lx, ly, &yellow);
  }
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

  /* The selected one last, over the others. */
  for (guint i = 0; i < self->marks->len; i++)
    {
      const FenMeasurement *m = g_ptr_array_index (self->marks, i);

      if (m->frame == self->frame && (int) i != self->selected)
        fen_viewport_snapshot_measurement (self, snapshot, cr, i, m, FALSE);
    }
  if (self->selected >= 0 && (guint) self->selected < self->marks->len &&
      ((FenMeasurement *) g_ptr_array_index (self->marks, self->selected))->frame == self->frame)
    fen_viewport_snapshot_measurement (self, snapshot, cr, (guint) self->selected,
                                       g_ptr_array_index (self->marks, self->selected), TRUE);
  if (self->show_scale_bar)
    fen_viewport_snapshot_scale_bar (self, snapshot, cr);
  cairo_destroy (cr);
  if (self->show_scale_bar)
    fen_viewport_snapshot_edge_letters (self, snapshot);
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
