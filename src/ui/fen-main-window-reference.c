/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-reference.c: "where am I" across FenMainWindow's panes.
 * Reference lines: every visible pane shows where each other visible
 * pane's slice cuts its own, when both images are in one Frame of
 * Reference (PS3.3 C.7.4.1.1.1) and the planes are not parallel, each
 * pane's line in that pane's colour, the active pane's solid, the others
 * dashed ("win.reference-lines", L, on by default). The 3D cursor: Shift+
 * click sets a point in patient coordinates; every visible pane in its
 * frame of reference goes to the slice nearest the point along its normal
 * and marks the point's projection; a pane whose stack does not hold the
 * point (more than half a slice spacing beyond either end, or outside its
 * images) is left alone. The mark shows while a pane is on that nearest
 * slice, until Escape or the next Shift+click. The maths is the core's
 * (fen_plane_geometry_reference_line(), fen_geometry_locate()); this file
 * only gathers each pane's planes and hands the results to the viewports. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"

#include "fenestra/fen-geometry.h"

#include <string.h>

/* One colour per pane, its slice's line on the others: none of them the
 * measurements' yellow, the active outline's blue or a grey. */
static const GdkRGBA fen_reference_colors[FEN_N_PANES] = {
  { 0.25, 0.80, 1.00, 1.0 },   /* cyan */
  { 1.00, 0.60, 0.15, 1.0 },   /* orange */
  { 0.95, 0.35, 0.90, 1.0 },   /* magenta */
  { 0.40, 0.95, 0.40, 1.0 },   /* green */
};

/* A line from each other pane. */
G_STATIC_ASSERT (FEN_VIEWPORT_MAX_REFERENCE_LINES >= FEN_N_PANES - 1);

static gboolean
fen_main_window_in_cursor_frame (FenMainWindow *self, const FenImageInfo *info)
{
  return self->has_cursor && info->frame_of_reference_uid != NULL &&
         strcmp (info->frame_of_reference_uid, self->cursor_frame_of_reference) == 0;
}

/* Where @point falls in the series of @pane: its slice (of the series) and
 * the location on it (fen_geometry_locate() over the series' slices that
 * are open, of the size shown and in the cursor's frame of reference). */
static gboolean
fen_main_window_locate_in_pane (FenMainWindow *self, guint pane, const double point[3], guint *slice,
                                FenGeometryLocation *where)
{
  FenSeries *series = fen_pane_get_series (self->panes[pane]);
  FenImage *shown = fen_viewport_get_image (fen_pane_get_viewport (self->panes[pane]));
  g_autoptr(GArray) planes = NULL;
  g_autoptr(GArray) slices = NULL;
  guint n, width, height;

  if (series == NULL || shown == NULL)
    return FALSE;
  n = fen_series_get_n_slices (series);
  width = fen_image_get_width (shown);
  height = fen_image_get_height (shown);
  planes = g_array_sized_new (FALSE, FALSE, sizeof (FenPlaneGeometry), n);
  slices = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  for (guint i = 0; i < n; i++)
    {
      FenPlaneGeometry plane;
      FenImage *image;
      guint id, frame;

      if (!fen_series_get_slice (series, i, &id, &frame) || (image = fen_store_lookup (self->store, id)) == NULL ||
          fen_image_get_width (image) != width || fen_image_get_height (image) != height ||
          !fen_main_window_in_cursor_frame (self, fen_image_get_info (image)) ||
          !fen_plane_geometry_from_info (&plane, fen_image_get_info (image), frame, NULL))
        continue;
      g_array_append_val (planes, plane);
      g_array_append_val (slices, i);
    }
  if (!fen_geometry_locate ((const FenPlaneGeometry *) planes->data, planes->len, width, height, point, where))
    return FALSE;
  *slice = g_array_index (slices, guint, where->slice);
  return TRUE;
}

void
_fen_main_window_update_references (FenMainWindow *self, gboolean force)
{
  FenPlaneGeometry planes[FEN_N_PANES];
  FenImage *images[FEN_N_PANES];
  gboolean located[FEN_N_PANES];
  guint key[FEN_N_PANES][2];

  for (guint p = 0; p < FEN_N_PANES; p++)
    if (self->panes[p] == NULL)   /* disposed */
      return;
  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      FenViewport *viewport = fen_pane_get_viewport (self->panes[p]);
      FenImage *image = _fen_main_window_pane_visible (self, p) ? fen_viewport_get_image (viewport) : NULL;
      guint frame = fen_viewport_get_frame (viewport);

      images[p] = image;
      key[p][0] = image != NULL ? fen_image_get_id (image) : 0;
      key[p][1] = image != NULL ? frame : 0;
      located[p] = image != NULL && fen_plane_geometry_from_info (&planes[p], fen_image_get_info (image), frame, NULL);
    }
  if (!force && self->reference_valid && self->reference_active == self->active_pane &&
      memcmp (key, self->reference_key, sizeof key) == 0)
    return;
  memcpy (self->reference_key, key, sizeof key);
  self->reference_active = self->active_pane;
  self->reference_valid = TRUE;

  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      FenViewport *viewport = fen_pane_get_viewport (self->panes[p]);
      FenViewportReferenceLine lines[FEN_VIEWPORT_MAX_REFERENCE_LINES];
      FenGeometryLocation where = { 0 };
      gboolean marked = FALSE;
      guint n = 0, slice;

      for (guint q = 0; q < FEN_N_PANES && located[p] && self->show_reference_lines; q++)
        {
          if (q == p || !located[q] ||
              !fen_geometry_same_frame_of_reference (fen_image_get_info (images[p]), fen_image_get_info (images[q])) ||
              !fen_plane_geometry_reference_line (&planes[p], fen_image_get_width (images[p]),
                                                  fen_image_get_height (images[p]), &planes[q], lines[n].line))
            continue;
          lines[n].color = fen_reference_colors[q];
          lines[n].emphasis = q == self->active_pane;
          n++;
        }
      fen_viewport_set_reference_lines (viewport, lines, n);
      if (images[p] != NULL && fen_main_window_in_cursor_frame (self, fen_image_get_info (images[p])) &&
          fen_main_window_locate_in_pane (self, p, self->cursor, &slice, &where))
        marked = slice == fen_pane_get_slice (self->panes[p]);
      fen_viewport_set_cursor_mark (viewport, marked, where.x, where.y);
    }
}

static void
fen_main_window_cursor_placed_cb (FenViewport *viewport, double x, double y, double z, FenMainWindow *self)
{
  FenImage *image = fen_viewport_get_image (viewport);
  const char *uid;
  guint from = FEN_N_PANES;

  for (guint p = 0; p < FEN_N_PANES; p++)
    if (fen_pane_get_viewport (self->panes[p]) == viewport)
      from = p;
  if (image == NULL || from >= FEN_N_PANES)
    return;
  uid = fen_image_get_info (image)->frame_of_reference_uid;
  if (uid == NULL || *uid == '\0' || strlen (uid) >= sizeof self->cursor_frame_of_reference)
    {
      /* No frame of reference: no other pane's coordinates mean the same. */
      g_debug ("3D cursor: %s has no frame of reference", fen_image_get_log_name (image));
      return;
    }
  self->has_cursor = TRUE;
  self->cursor[0] = x;
  self->cursor[1] = y;
  self->cursor[2] = z;
  g_strlcpy (self->cursor_frame_of_reference, uid, sizeof self->cursor_frame_of_reference);
  g_debug ("3D cursor from pane %u at (%.2f, %.2f, %.2f) mm", from, x, y, z);

  for (guint q = 0; q < FEN_N_PANES; q++)
    {
      FenViewport *theirs = fen_pane_get_viewport (self->panes[q]);
      FenGeometryLocation where;
      guint slice;

      if (q == from || !_fen_main_window_pane_visible (self, q) || fen_viewport_get_image (theirs) == NULL ||
          !fen_main_window_in_cursor_frame (self, fen_image_get_info (fen_viewport_get_image (theirs))))
        continue;
      if (!fen_main_window_locate_in_pane (self, q, self->cursor, &slice, &where))
        {
          g_debug ("3D cursor: pane %u left alone (the point is outside its stack)", q);
          continue;
        }
      g_debug ("3D cursor: pane %u to slice %u, %.2f mm from the point", q, slice, where.distance);
      if (slice != fen_pane_get_slice (self->panes[q]))
        _fen_main_window_show_in_pane (self, q, fen_pane_get_series (self->panes[q]), slice);
    }
  _fen_main_window_update_references (self, TRUE);
  _fen_main_window_update_overlays (self);
}

static void
fen_main_window_reference_changed_cb (FenViewport *viewport, FenMainWindow *self)
{
  _fen_main_window_update_references (self, FALSE);
}

/* Escape clears the cursor and goes on (it also dismisses an error). */
static gboolean
fen_main_window_reference_key_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                                  GdkModifierType state, FenMainWindow *self)
{
  if (keyval == GDK_KEY_Escape && self->has_cursor &&
      !(state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK | GDK_SUPER_MASK)))
    {
      self->has_cursor = FALSE;
      g_debug ("3D cursor cleared");
      _fen_main_window_update_references (self, TRUE);
    }
  return FALSE;
}

static void
fen_main_window_reference_lines_cb (GSimpleAction *action, GVariant *state, FenMainWindow *self)
{
  g_simple_action_set_state (action, state);
  self->show_reference_lines = g_variant_get_boolean (state);
  g_debug ("reference lines %s", self->show_reference_lines ? "on" : "off");
  _fen_main_window_update_references (self, TRUE);
}

void
_fen_main_window_reference_init (FenMainWindow *self)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new_stateful ("reference-lines", NULL,
                                                                  g_variant_new_boolean (TRUE));
  GtkEventController *keys = gtk_event_controller_key_new ();

  /* A GAction in the window's map, not a class action: GTK 4.8's menus
   * show check marks for these. */
  self->show_reference_lines = TRUE;
  g_signal_connect (action, "change-state", G_CALLBACK (fen_main_window_reference_lines_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (fen_main_window_reference_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      FenViewport *viewport = fen_pane_get_viewport (self->panes[p]);

      g_signal_connect (viewport, "cursor-placed", G_CALLBACK (fen_main_window_cursor_placed_cb), self);
      g_signal_connect (viewport, "changed", G_CALLBACK (fen_main_window_reference_changed_cb), self);
    }
}
