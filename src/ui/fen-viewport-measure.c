/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport-measure.c: the measurements of a FenViewport, the core's
 * FenMeasurement (distance, ellipse, rectangle, freehand polygon, angle,
 * Cobb angle, text arrow), in the image's pixel coordinates. Each belongs
 * to the frame it was drawn on; the viewport holds those of the image shown
 * (every frame), loads them when the image is shown and saves them after
 * every change (fen-measurement-file: per user, by SOP Instance UID,
 * atomic). Here: the tools, selection, handles, moving, deleting and the
 * arrow's text. Drawing is fen-viewport-overlay.c. */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport-private.h"

#include <fenestra/fen-measurement-file.h>

#include <math.h>

/* Screen pixels within which a press takes a handle or a line. */
#define FEN_MEASURE_HIT_PX   7.0
/* A freehand outline adds a vertex once the pointer moved this far. */
#define FEN_MEASURE_TRACE_PX 3.0

enum { MEASUREMENTS_CHANGED, N_MEASURE_SIGNALS };
static guint measure_signals[N_MEASURE_SIGNALS];

static const char *const fen_viewport_tool_names[] = {
  "none", "distance", "ellipse", "rectangle", "polygon", "angle", "cobb", "arrow",
};

const char *
fen_viewport_tool_to_string (FenViewportTool tool)
{
  return (guint) tool < G_N_ELEMENTS (fen_viewport_tool_names) ? fen_viewport_tool_names[tool] : "none";
}

FenViewportTool
fen_viewport_tool_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (fen_viewport_tool_names); i++)
    if (g_str_equal (name, fen_viewport_tool_names[i]))
      return (FenViewportTool) i;
  return FEN_VIEWPORT_TOOL_NONE;
}

static FenMeasurementKind
fen_viewport_tool_kind (FenViewportTool tool)
{
  switch (tool)
    {
    case FEN_VIEWPORT_TOOL_ELLIPSE:   return FEN_MEASUREMENT_ELLIPSE;
    case FEN_VIEWPORT_TOOL_RECTANGLE: return FEN_MEASUREMENT_RECTANGLE;
    case FEN_VIEWPORT_TOOL_POLYGON:   return FEN_MEASUREMENT_POLYGON;
    case FEN_VIEWPORT_TOOL_ANGLE:     return FEN_MEASUREMENT_ANGLE;
    case FEN_VIEWPORT_TOOL_COBB:      return FEN_MEASUREMENT_COBB;
    case FEN_VIEWPORT_TOOL_ARROW:     return FEN_MEASUREMENT_ARROW;
    case FEN_VIEWPORT_TOOL_DISTANCE:
    case FEN_VIEWPORT_TOOL_NONE:
    default:                          return FEN_MEASUREMENT_DISTANCE;
    }
}

/* @error's message for the log: the image by its log name, never by its
 * SOP Instance UID (the file's name). */
static char *
fen_viewport_measure_log_error (const GError *error, const char *uid, FenImage *image)
{
  GString *text = g_string_new (error->message);

  if (uid != NULL && *uid != '\0')
    g_string_replace (text, uid, fen_image_get_log_name (image), 0);
  return g_string_free (text, FALSE);
}

static void
fen_viewport_measure_emit (FenViewport *self)
{
  g_signal_emit (self, measure_signals[MEASUREMENTS_CHANGED], 0);
}

static FenMeasurement *
fen_viewport_mark (FenViewport *self, int index)
{
  return index >= 0 && (guint) index < self->marks->len ? g_ptr_array_index (self->marks, index) : NULL;
}

static gboolean
fen_viewport_mark_on_screen (FenViewport *self, const FenMeasurement *m)
{
  return self->image != NULL && m != NULL && m->frame == self->frame;
}

/* Saves the image's measurements. Small and rare (a press, a key), so on
 * the main thread; never from a render or a snapshot. */
static void
fen_viewport_measure_save (FenViewport *self)
{
  g_autoptr(GError) error = NULL;

  if (self->marks_uid == NULL)
    return;
  if (!fen_measurement_file_save (NULL, self->marks_uid, self->marks, &error))
    {
      g_autofree char *why = fen_viewport_measure_log_error (error, self->marks_uid, self->image);

      g_warning ("measurements of %s not kept: %s", fen_image_get_log_name (self->image), why);
    }
  else
    g_debug ("kept %u measurement(s) of %s", self->marks->len, fen_image_get_log_name (self->image));
}

/* An angle or Cobb angle left half drawn (another tool, another frame). */
static void
fen_viewport_measure_drop_drawing (FenViewport *self)
{
  if (self->drawing >= 0)
    {
      g_hash_table_remove_all (self->mark_stats);
      g_ptr_array_remove_index (self->marks, (guint) self->drawing);
    }
  self->drawing = -1;
  self->second_drag = FALSE;
}

void
_fen_viewport_measure_image_changed (FenViewport *self)
{
  const FenImageInfo *info;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;

  FenMeasurement *drawn = fen_viewport_mark (self, self->drawing);

  if (drawn != NULL && drawn->frame != self->frame)
    fen_viewport_measure_drop_drawing (self);
  if (self->image != NULL && fen_image_get_id (self->image) == self->marks_image)
    return;
  if (self->arrow_popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->arrow_popover));
  self->drawing = self->selected = self->grab = -1;
  self->second_drag = FALSE;
  g_hash_table_remove_all (self->mark_stats);
  g_ptr_array_set_size (self->marks, 0);
  g_clear_pointer (&self->marks_uid, g_free);
  self->marks_image = 0;
  if (self->image == NULL)
    {
      fen_viewport_measure_emit (self);
      return;
    }
  self->marks_image = fen_image_get_id (self->image);
  info = fen_image_get_info (self->image);
  /* Images without a SOP Instance UID (PNG, TIFF) keep theirs while shown. */
  if (info->instance_uid != NULL && *info->instance_uid != '\0')
    {
      loaded = fen_measurement_file_load (NULL, info->instance_uid, &error);
      if (loaded == NULL)
        {
          g_autofree char *why = fen_viewport_measure_log_error (error, info->instance_uid, self->image);

          g_warning ("measurements of %s not read: %s", fen_image_get_log_name (self->image), why);
        }
      else
        self->marks_uid = g_strdup (info->instance_uid);
    }
  for (guint i = 0; loaded != NULL && i < loaded->len; i++)
    {
      FenMeasurement *m = g_ptr_array_index (loaded, i);

      /* A kept frame past the image's end (another file under the same UID). */
      if (m->frame < fen_image_get_n_frames (self->image))
        g_ptr_array_add (self->marks, fen_measurement_copy (m));
    }
  if (self->marks->len > 0)
    g_debug ("%u kept measurement(s) on %s", self->marks->len, fen_image_get_log_name (self->image));
  fen_viewport_measure_emit (self);
}

/* Hit testing ------------------------------------------------------------- */

/* The handle of @m under screen (@x, @y), G_MAXINT for its body (a line,
 * an outline or a region's inside), or -1. */
static int
fen_viewport_mark_hit (FenViewport *self, const FenMeasurement *m, double x, double y)
{
  const double *p = m->points;
  /* The hit distance in image pixels. */
  double tol = FEN_MEASURE_HIT_PX / MAX (self->view.zoom, 1e-6);
  double ix, iy, sx[2], sy[2];
  FenRoi roi;

  for (guint k = 0; k < m->n_points && m->kind != FEN_MEASUREMENT_POLYGON; k++)
    {
      fen_view_image_to_screen (&self->view, p[2 * k], p[2 * k + 1], &sx[0], &sy[0]);
      if (hypot (sx[0] - x, sy[0] - y) <= FEN_MEASURE_HIT_PX)
        return (int) k;
    }
  fen_view_screen_to_image (&self->view, x, y, &ix, &iy);
  switch (m->kind)
    {
    case FEN_MEASUREMENT_ELLIPSE:
      {
        double rx = fabs (p[2] - p[0]), ry = fabs (p[3] - p[1]);

        /* Inside, or within reach of the outline. */
        return hypot ((ix - p[0]) / (rx + tol), (iy - p[1]) / (ry + tol)) <= 1.0 ? G_MAXINT : -1;
      }
    case FEN_MEASUREMENT_RECTANGLE:
      return ix >= MIN (p[0], p[2]) - tol && ix <= MAX (p[0], p[2]) + tol &&
             iy >= MIN (p[1], p[3]) - tol && iy <= MAX (p[1], p[3]) + tol ? G_MAXINT : -1;
    case FEN_MEASUREMENT_POLYGON:
      if (fen_measurement_get_roi (m, &roi) && fen_roi_contains (&roi, ix, iy))
        return G_MAXINT;
      break;
    case FEN_MEASUREMENT_DISTANCE:
    case FEN_MEASUREMENT_ANGLE:
    case FEN_MEASUREMENT_COBB:
    case FEN_MEASUREMENT_ARROW:
    default:
      break;
    }
  return fen_measurement_lines_near (p, m->n_points, m->kind == FEN_MEASUREMENT_POLYGON,
                                     m->kind == FEN_MEASUREMENT_COBB, ix, iy, tol) ? G_MAXINT : -1;
}

/* Drawing and dragging ---------------------------------------------------- */

static void
fen_viewport_measure_grab (FenViewport *self, int index, int part, double ix, double iy)
{
  FenMeasurement *m = fen_viewport_mark (self, index);

  self->selected = index;
  self->grab = part;
  self->grab_x = ix;
  self->grab_y = iy;
  g_free (self->grab_points);
  self->grab_points = g_memdup2 (m->points, 2 * m->n_points * sizeof (double));
}

gboolean
_fen_viewport_measure_begin (FenViewport *self, double x, double y)
{
  FenMeasurement *m;
  double ix, iy, pts[8];
  int was_selected = self->selected;
  g_autoptr(GError) error = NULL;

  fen_view_screen_to_image (&self->view, x, y, &ix, &iy);
  m = fen_viewport_mark (self, self->drawing);
  /* An angle's or a Cobb angle's second drag. */
  if (m != NULL && self->second_drag)
    {
      if (m->kind == FEN_MEASUREMENT_ANGLE)
        m->points[4] = ix, m->points[5] = iy;
      else
        for (guint p = 2; p < 4; p++)
          m->points[2 * p] = ix, m->points[2 * p + 1] = iy;
      g_hash_table_remove (self->mark_stats, m);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    }

  /* The selected one first (it is drawn on top), then the newest. */
  for (int pass = 0; pass < 2; pass++)
    for (int i = (int) self->marks->len - 1; i >= 0; i--)
      {
        int part;

        m = fen_viewport_mark (self, i);
        if ((pass == 0) != (i == self->selected) || i == self->drawing || !fen_viewport_mark_on_screen (self, m))
          continue;
        part = fen_viewport_mark_hit (self, m, x, y);
        if (part >= 0)
          {
            fen_viewport_measure_grab (self, i, part, ix, iy);
            if (was_selected != i)
              fen_viewport_measure_emit (self);
            gtk_widget_queue_draw (GTK_WIDGET (self));
            return TRUE;
          }
      }

  if (self->selected >= 0)
    {
      self->selected = -1;
      fen_viewport_measure_emit (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (self->tool == FEN_VIEWPORT_TOOL_NONE)
    return FALSE;

  /* Distinct points pass the core's checks (an ellipse needs radii); the
   * drag then moves them. */
  for (guint p = 0; p < 4; p++)
    pts[2 * p] = ix + p, pts[2 * p + 1] = iy + p;
  m = fen_measurement_new (fen_viewport_tool_kind (self->tool), self->frame, pts,
                           self->tool == FEN_VIEWPORT_TOOL_COBB ? 4 : self->tool == FEN_VIEWPORT_TOOL_ANGLE ||
                           self->tool == FEN_VIEWPORT_TOOL_POLYGON ? 3 : 2, NULL, &error);
  if (m == NULL)
    {
      g_warning ("cannot measure: %s", error->message);
      return FALSE;
    }
  for (guint p = 1; p < m->n_points; p++)
    m->points[2 * p] = ix, m->points[2 * p + 1] = iy;
  /* A freehand outline starts as one vertex and grows as the pointer moves. */
  if (m->kind == FEN_MEASUREMENT_POLYGON)
    m->n_points = 1;
  g_ptr_array_add (self->marks, m);
  self->drawing = (int) self->marks->len - 1;
  self->grab = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

gboolean
_fen_viewport_measure_active (FenViewport *self)
{
  return self->drawing >= 0 || self->grab >= 0;
}

static void
fen_viewport_measure_trace (FenMeasurement *m, double ix, double iy, double min_image_step)
{
  double *last = &m->points[2 * (m->n_points - 1)];

  if (m->n_points >= FEN_MEASUREMENT_MAX_POINTS || hypot (ix - last[0], iy - last[1]) < min_image_step)
    return;
  m->points = g_renew (double, m->points, 2 * (m->n_points + 1));
  m->points[2 * m->n_points] = ix;
  m->points[2 * m->n_points + 1] = iy;
  m->n_points++;
}

void
_fen_viewport_measure_update (FenViewport *self, double x, double y)
{
  FenMeasurement *m;
  double ix, iy;

  fen_view_screen_to_image (&self->view, x, y, &ix, &iy);
  if ((m = fen_viewport_mark (self, self->drawing)) != NULL)
    {
      if (m->kind == FEN_MEASUREMENT_POLYGON)
        fen_viewport_measure_trace (m, ix, iy, FEN_MEASURE_TRACE_PX / MAX (self->view.zoom, 1e-6));
      else if (self->second_drag)
        m->points[2 * m->n_points - 2] = ix, m->points[2 * m->n_points - 1] = iy;
      else
        {
          /* The first drag: the line (angle: to its vertex, which the
           * third point follows until the second drag). */
          m->points[2] = ix, m->points[3] = iy;
          if (m->kind == FEN_MEASUREMENT_ANGLE)
            m->points[4] = ix, m->points[5] = iy;
          if (m->kind == FEN_MEASUREMENT_COBB)
            for (guint p = 4; p < 8; p++)
              m->points[p] = m->points[p % 2];
        }
    }
  else if ((m = fen_viewport_mark (self, self->selected)) != NULL && self->grab >= 0)
    {
      double dx = ix - self->grab_x, dy = iy - self->grab_y;

      /* An ellipse's centre handle moves it whole, as its body does. */
      if (self->grab == G_MAXINT || (m->kind == FEN_MEASUREMENT_ELLIPSE && self->grab == 0))
        for (guint p = 0; p < m->n_points; p++)
          m->points[2 * p] = self->grab_points[2 * p] + dx, m->points[2 * p + 1] = self->grab_points[2 * p + 1] + dy;
      else if ((guint) self->grab < m->n_points)
        {
          m->points[2 * self->grab] = self->grab_points[2 * self->grab] + dx;
          m->points[2 * self->grab + 1] = self->grab_points[2 * self->grab + 1] + dy;
        }
    }
  if (m != NULL)
    g_hash_table_remove (self->mark_stats, m);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fen_viewport_arrow_text_cb (GtkEditable *entry, FenViewport *self)
{
  FenMeasurement *m = fen_viewport_mark (self, self->selected);

  if (m != NULL && m->kind == FEN_MEASUREMENT_ARROW)
    {
      g_free (m->text);
      m->text = g_strdup (gtk_editable_get_text (entry));
      fen_viewport_measure_save (self);
      fen_viewport_measure_emit (self);
    }
  gtk_popover_popdown (GTK_POPOVER (self->arrow_popover));
  gtk_widget_grab_focus (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The text of the arrow @index, asked next to its tail. */
static void
fen_viewport_ask_arrow_text (FenViewport *self, const FenMeasurement *m)
{
  double sx, sy;

  if (self->arrow_popover == NULL)
    {
      GtkWidget *entry = gtk_entry_new ();

      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "Text of the arrow");
      self->arrow_entry = GTK_EDITABLE (entry);
      g_signal_connect (entry, "activate", G_CALLBACK (fen_viewport_arrow_text_cb), self);
      self->arrow_popover = gtk_popover_new ();
      gtk_popover_set_child (GTK_POPOVER (self->arrow_popover), entry);
      gtk_widget_set_parent (self->arrow_popover, GTK_WIDGET (self));
    }
  fen_view_image_to_screen (&self->view, m->points[0], m->points[1], &sx, &sy);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->arrow_popover), &(GdkRectangle) { (int) sx - 2, (int) sy - 2, 4, 4 });
  gtk_editable_set_text (self->arrow_entry, m->text ? m->text : "");
  gtk_popover_popup (GTK_POPOVER (self->arrow_popover));
  gtk_widget_grab_focus (GTK_WIDGET (self->arrow_entry));
}

void
_fen_viewport_measure_allocate (FenViewport *self)
{
  if (self->arrow_popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->arrow_popover));
}

/* Nothing was drawn: a click, or a region without an inside. */
static gboolean
fen_viewport_measure_degenerate (const FenMeasurement *m)
{
  switch (m->kind)
    {
    case FEN_MEASUREMENT_POLYGON:
      return m->n_points < 3;
    case FEN_MEASUREMENT_ELLIPSE:
    case FEN_MEASUREMENT_RECTANGLE:
      return m->points[0] == m->points[2] || m->points[1] == m->points[3];
    default:
      return m->points[0] == m->points[2] && m->points[1] == m->points[3];
    }
}

void
_fen_viewport_measure_end (FenViewport *self)
{
  FenMeasurement *m = fen_viewport_mark (self, self->drawing);

  if (self->grab >= 0)
    {
      self->grab = -1;
      g_clear_pointer (&self->grab_points, g_free);
      fen_viewport_measure_save (self);
      fen_viewport_measure_emit (self);
      return;
    }
  if (m == NULL)
    return;
  /* A click without a drag measures nothing: no dot left behind. */
  if (!self->second_drag && fen_viewport_measure_degenerate (m))
    {
      g_hash_table_remove_all (self->mark_stats);
      g_ptr_array_remove_index (self->marks, (guint) self->drawing);
      self->drawing = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if ((m->kind == FEN_MEASUREMENT_ANGLE || m->kind == FEN_MEASUREMENT_COBB) && !self->second_drag)
    {
      self->second_drag = TRUE;
      return;
    }
  self->second_drag = FALSE;
  self->selected = self->drawing;
  self->drawing = -1;
  g_debug ("%s %u on %s frame %u", fen_measurement_kind_to_string (m->kind), self->marks->len,
           fen_image_get_log_name (self->image), self->frame);
  fen_viewport_measure_save (self);
  fen_viewport_measure_emit (self);
  if (m->kind == FEN_MEASUREMENT_ARROW)
    fen_viewport_ask_arrow_text (self, m);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* API --------------------------------------------------------------------- */

FenViewportTool
fen_viewport_get_tool (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FEN_VIEWPORT_TOOL_NONE);
  return self->tool;
}

void
fen_viewport_set_tool (FenViewport *self, FenViewportTool tool)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (tool == self->tool)
    return;
  fen_viewport_measure_drop_drawing (self);
  self->tool = tool;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  _fen_viewport_changed (self, FALSE);
}

guint
fen_viewport_get_n_measurements (FenViewport *self)
{
  guint n = 0;

  g_return_val_if_fail (FEN_IS_VIEWPORT (self), 0);
  for (guint i = 0; i < self->marks->len; i++)
    n += (int) i != self->drawing && fen_viewport_mark_on_screen (self, g_ptr_array_index (self->marks, i));
  return n;
}

GPtrArray *
fen_viewport_get_measurements (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), NULL);
  return self->marks;
}

int
fen_viewport_get_selected_measurement (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), -1);
  return self->selected;
}

void
fen_viewport_select_measurement (FenViewport *self, int index)
{
  FenMeasurement *m;

  g_return_if_fail (FEN_IS_VIEWPORT (self));
  m = fen_viewport_mark (self, index);
  if (index == self->selected || (index >= 0 && m == NULL) || index == self->drawing)
    return;
  self->selected = index;
  fen_viewport_measure_emit (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fen_viewport_delete_measurement (FenViewport *self, int index)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  if (fen_viewport_mark (self, index) == NULL || index == self->drawing)
    return;
  g_debug ("measurement %d of %s deleted", index + 1, fen_image_get_log_name (self->image));
  g_hash_table_remove_all (self->mark_stats);
  g_ptr_array_remove_index (self->marks, (guint) index);
  if (self->drawing > index)
    self->drawing--;
  self->selected = -1;
  self->grab = -1;
  fen_viewport_measure_save (self);
  fen_viewport_measure_emit (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
fen_viewport_measurement_stats (FenViewport *self, guint index, FenRoiStats *out)
{
  FenMeasurement *m;
  FenRoiStats *cached;
  FenRoi roi;

  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FALSE);
  m = fen_viewport_mark (self, (int) index);
  if (m == NULL || self->image == NULL || !fen_image_has_pixels (self->image) || !fen_measurement_get_roi (m, &roi))
    return FALSE;
  if (m->kind == FEN_MEASUREMENT_POLYGON && m->n_points < 3)
    return FALSE;
  /* Once per change of the region: a snapshot (every frame of a window
   * drag) reads the cached values. */
  if ((cached = g_hash_table_lookup (self->mark_stats, m)) == NULL)
    {
      FenRoiStats stats;

      if (!fen_roi_stats (self->image, m->frame, &roi, &stats, NULL))
        return FALSE;
      cached = g_memdup2 (&stats, sizeof stats);
      g_hash_table_insert (self->mark_stats, m, cached);
    }
  *out = *cached;
  return TRUE;
}

/* Object ------------------------------------------------------------------ */

void
_fen_viewport_measure_init (FenViewport *self)
{
  self->marks = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_measurement_free);
  self->mark_stats = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->drawing = self->selected = self->grab = -1;
}

void
_fen_viewport_measure_dispose (FenViewport *self)
{
  g_clear_pointer (&self->arrow_popover, gtk_widget_unparent);
  self->arrow_entry = NULL;
}

void
_fen_viewport_measure_finalize (FenViewport *self)
{
  g_clear_pointer (&self->mark_stats, g_hash_table_unref);
  g_clear_pointer (&self->marks, g_ptr_array_unref);
  g_clear_pointer (&self->marks_uid, g_free);
  g_clear_pointer (&self->grab_points, g_free);
}

void
_fen_viewport_class_measure_init (GtkWidgetClass *widget_class)
{
  /**
   * FenViewport::measurements-changed:
   * The measurements of the image shown, or which one is selected, changed
   * (drawn, moved, deleted, another image).
   */
  measure_signals[MEASUREMENTS_CHANGED] = g_signal_new ("measurements-changed", G_TYPE_FROM_CLASS (widget_class),
                                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}
