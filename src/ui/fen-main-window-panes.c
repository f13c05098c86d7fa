/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-panes.c: the layout of FenMainWindow: one to four panes
 * (1x1, 1x2, 2x1, 2x2), the active one outlined, series dropped from the
 * sidebar, and the links between panes: slices (by position along the slice
 * normal when both series share a Frame of Reference UID, else by index),
 * window/level, zoom, pan and orientation. Panes that show one image share its one
 * buffer: a viewport holds a reference and a pin, never a copy. A pane in
 * difference or flicker mode compares its image with the first other pane
 * that shows one, kept up to date as either moves. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"

#include "fenestra/fen-geometry.h"

#include <math.h>

gboolean
_fen_main_window_pane_visible (FenMainWindow *self, guint pane)
{
  guint row = pane / 2, col = pane % 2;

  return row < self->layout_rows && col < self->layout_cols;
}

void
_fen_main_window_activate_pane (FenMainWindow *self, guint pane)
{
  FenSeries *series;
  GtkListBoxRow *row;
  guint n;
  int index;

  if (pane == self->active_pane || pane >= FEN_N_PANES)
    return;
  fen_viewport_set_tool (self->viewport, FEN_VIEWPORT_TOOL_NONE);
  fen_pane_set_active (self->panes[self->active_pane], FALSE);

  /* Nothing to copy: each pane owns its series and slice. */
  self->active_pane = pane;
  self->viewport = fen_pane_get_viewport (self->panes[pane]);
  fen_pane_set_active (self->panes[pane], TRUE);
  _fen_main_window_bind_links (self);
  fen_viewport_set_tool (self->viewport, self->tool);
  fen_measurement_panel_set_viewport (self->measurement_panel, self->viewport);
  g_debug ("pane %u active", pane);

  /* The slider, the sidebar and the presets follow the active pane. */
  series = _fen_main_window_get_current_series (self);
  n = series ? fen_series_get_n_slices (series) : 1;
  g_signal_handlers_block_matched (self->slice_adjustment, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_adjustment_configure (self->slice_adjustment, _fen_main_window_get_current_slice (self) + 1, 1, MAX (n, 1), 1, 10, 0);
  g_signal_handlers_unblock_matched (self->slice_adjustment, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_widget_set_visible (GTK_WIDGET (self->slice_scale), series != NULL && n > 1);
  index = _fen_main_window_series_index (self, series);
  row = index >= 0 ? gtk_list_box_get_row_at_index (self->series_list, index) : NULL;
  if (row != NULL)
    gtk_list_box_select_row (self->series_list, row);
  else
    gtk_list_box_unselect_all (self->series_list);
  _fen_main_window_rebuild_presets (self);
  _fen_main_window_update_overlays (self);
  _fen_main_window_update_actions (self);
  _fen_main_window_update_references (self, FALSE);
}

void
_fen_main_window_show_in_pane (FenMainWindow *self, guint pane, FenSeries *series, guint slice)
{
  if (pane == self->active_pane)
    {
      if (series != _fen_main_window_get_current_series (self))
        _fen_main_window_select_series (self, _fen_main_window_series_index (self, series));
      _fen_main_window_show_slice (self, slice);
      return;
    }
  if (fen_pane_show (self->panes[pane], series, slice) && series != NULL)
    g_debug ("pane %u: slice %u of series %d (%s)", pane, fen_pane_get_slice (self->panes[pane]),
             _fen_main_window_series_index (self, series),
             fen_image_get_log_name (fen_viewport_get_image (fen_pane_get_viewport (self->panes[pane]))));
}

void
_fen_main_window_forget_series (FenMainWindow *self, FenSeries *series)
{
  for (guint p = 0; p < FEN_N_PANES; p++)
    if (p != self->active_pane && (series == NULL || fen_pane_get_series (self->panes[p]) == series))
      fen_pane_show (self->panes[p], NULL, 0);
}

/* Slice linking --------------------------------------------------------- */

/* Where slice @slice of @series lies: its image's metadata, its normal and
 * its position (fen_geometry_slice_location). */
static const FenImageInfo *
fen_main_window_slice_location (FenMainWindow *self, FenSeries *series, guint slice, double normal[3],
                                double position[3], gboolean *located)
{
  guint id, frame;
  FenImage *image;
  const FenImageInfo *info;

  *located = FALSE;
  if (!fen_series_get_slice (series, slice, &id, &frame) || (image = fen_store_lookup (self->store, id)) == NULL)
    return NULL;
  info = fen_image_get_info (image);
  *located = fen_geometry_slice_location (info, frame, normal, position);
  return info;
}

/* The slice of @target for @slice of @source: the nearest along the normal
 * when both are in one frame of reference and their normals are parallel
 * (fen-geometry); none (@crossing) when they are in one frame of reference
 * at an angle (axial and coronal: no slice of one is "the same" as one of
 * the other; the reference lines show where they cross); else the same
 * index. */
static guint
fen_main_window_linked_slice (FenMainWindow *self, FenSeries *source, guint slice, FenSeries *target,
                              gboolean *by_position, gboolean *crossing)
{
  guint n = fen_series_get_n_slices (target), best = MIN (slice, n - 1);
  double na[3], nb[3], pa[3], pb[3], where, d, best_d = G_MAXDOUBLE;
  gboolean located_a, located_b;
  const FenImageInfo *a = fen_main_window_slice_location (self, source, slice, na, pa, &located_a);
  const FenImageInfo *b = fen_main_window_slice_location (self, target, 0, nb, pb, &located_b);

  *by_position = *crossing = FALSE;
  if (!located_a || !located_b || !fen_geometry_same_frame_of_reference (a, b))
    return best;
  if (fabs (fen_vec3_dot (na, nb)) < 0.999)
    {
      *crossing = TRUE;
      return best;
    }
  /* Every position is measured along @source's normal (PS3.3 C.7.6.2.1.1:
   * n . Image Position); the target's own normal may point the other way. */
  where = fen_vec3_dot (na, pa);
  for (guint i = 0; i < n; i++)
    {
      gboolean located;

      fen_main_window_slice_location (self, target, i, nb, pb, &located);
      if (!located)
        continue;
      d = fabs (fen_vec3_dot (na, pb) - where);
      if (d < best_d)
        {
          best_d = d;
          best = i;
        }
    }
  *by_position = TRUE;
  return best;
}

/* Links ------------------------------------------------------------------ */

static guint
fen_main_window_pane_of (FenMainWindow *self, GObject *object)
{
  for (guint p = 0; p < FEN_N_PANES; p++)
    if (object == G_OBJECT (self->panes[p]) || object == G_OBJECT (fen_pane_get_viewport (self->panes[p])))
      return p;
  return FEN_N_PANES;
}

/* FenPane:slice of the active pane -> another pane's: the slice at the same
 * position (or index); refused when scrolling is not linked or the pane
 * is hidden or empty. */
static gboolean
fen_main_window_link_slice_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  FenMainWindow *self = user_data;
  g_autoptr(GObject) target = g_binding_dup_target (binding);
  guint p = target != NULL ? fen_main_window_pane_of (self, target) : FEN_N_PANES;
  FenSeries *source_series = _fen_main_window_get_current_series (self), *target_series;
  gboolean by_position, crossing;
  guint slice;

  if (!self->link_scroll || p >= FEN_N_PANES || !_fen_main_window_pane_visible (self, p) || source_series == NULL ||
      (target_series = fen_pane_get_series (self->panes[p])) == NULL)
    return FALSE;
  slice = fen_main_window_linked_slice (self, source_series, g_value_get_uint (from), target_series, &by_position,
                                        &crossing);
  if (crossing)
    {
      g_debug ("pane %u keeps slice %u: its planes cross the active pane's (one frame of reference)", p,
               fen_pane_get_slice (self->panes[p]));
      return FALSE;
    }
  if (slice == fen_pane_get_slice (self->panes[p]))
    return FALSE;
  g_debug ("pane %u follows slice %u %s", p, slice,
           by_position ? "by position (one frame of reference)" : "by index (no shared frame of reference)");
  g_value_set_uint (to, slice);
  return TRUE;
}

/* FenViewport:window-center / -width of the active pane -> another's;
 * refused unless window/level is linked and both images are of one
 * modality and unit (fen_image_can_share_window): a CT window on an NM,
 * RGB or RT dose pane would show nothing useful. */
static gboolean
fen_main_window_link_window_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  FenMainWindow *self = user_data;
  g_autoptr(GObject) source = g_binding_dup_source (binding);
  g_autoptr(GObject) target = g_binding_dup_target (binding);
  guint p = target != NULL ? fen_main_window_pane_of (self, target) : FEN_N_PANES;
  FenImage *a, *b;
  double theirs = 0;

  if (!self->link_window || source == NULL || p >= FEN_N_PANES || !_fen_main_window_pane_visible (self, p))
    return FALSE;
  a = fen_viewport_get_image (FEN_VIEWPORT (source));
  b = fen_viewport_get_image (FEN_VIEWPORT (target));
  if (a == NULL || b == NULL || !fen_image_can_share_window (a, b))
    return FALSE;
  g_object_get (target, g_binding_get_target_property (binding), &theirs, NULL);
  if (theirs == g_value_get_double (from))
    return FALSE;
  g_value_set_double (to, g_value_get_double (from));
  return TRUE;
}

/* FenViewport:view of the active pane -> another's: zoom, pan, quarter
 * turns and flips (one orientation on screen for every pane), refused
 * when the link is off, the pane hidden or empty, or the view equal. */
static gboolean
fen_main_window_link_view_cb (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  FenMainWindow *self = user_data;
  g_autoptr(GObject) target = g_binding_dup_target (binding);
  g_autoptr(GVariant) theirs = NULL;
  guint p = target != NULL ? fen_main_window_pane_of (self, target) : FEN_N_PANES;

  if (!self->link_zoom || p >= FEN_N_PANES || !_fen_main_window_pane_visible (self, p) ||
      fen_viewport_get_image (FEN_VIEWPORT (target)) == NULL || g_value_get_variant (from) == NULL)
    return FALSE;
  g_object_get (target, "view", &theirs, NULL);
  if (theirs != NULL && g_variant_equal (theirs, g_value_get_variant (from)))
    return FALSE;
  g_value_set_variant (to, g_value_get_variant (from));
  return TRUE;
}

static void
fen_main_window_unbind_links (FenMainWindow *self)
{
  for (guint p = 0; p < FEN_N_PANES; p++)
    for (guint k = 0; k < G_N_ELEMENTS (self->links[p]); k++)
      if (self->links[p][k] != NULL)
        g_binding_unbind (g_steal_pointer (&self->links[p][k]));
}

void
_fen_main_window_bind_links (FenMainWindow *self)
{
  FenPane *active = self->panes[self->active_pane];
  FenViewport *viewport = fen_pane_get_viewport (active);

  fen_main_window_unbind_links (self);
  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      FenViewport *theirs = fen_pane_get_viewport (self->panes[p]);

      if (p == self->active_pane)
        continue;
      self->links[p][0] = g_object_bind_property_full (active, "slice", self->panes[p], "slice", G_BINDING_DEFAULT,
                                                       fen_main_window_link_slice_cb, NULL, self, NULL);
      self->links[p][1] = g_object_bind_property_full (viewport, "window-center", theirs, "window-center",
                                                       G_BINDING_DEFAULT, fen_main_window_link_window_cb, NULL,
                                                       self, NULL);
      self->links[p][2] = g_object_bind_property_full (viewport, "window-width", theirs, "window-width",
                                                       G_BINDING_DEFAULT, fen_main_window_link_window_cb, NULL,
                                                       self, NULL);
      self->links[p][3] = g_object_bind_property_full (viewport, "view", theirs, "view", G_BINDING_DEFAULT,
                                                       fen_main_window_link_view_cb, NULL, self, NULL);
    }
}

void
_fen_main_window_unbind_links (FenMainWindow *self)
{
  fen_main_window_unbind_links (self);
}

void
_fen_main_window_sync_panes (FenMainWindow *self, gboolean slices)
{
  FenViewport *viewport = self->viewport;

  if (self->linking)
    return;
  if (_fen_main_window_get_current_series (self) == NULL || fen_viewport_get_image (viewport) == NULL)
    {
      _fen_main_window_update_compare (self);
      return;
    }
  self->linking = TRUE;
  /* The bindings pass slice and window on as they change; this asks them
   * again when something else changed (the active pane's series, a link
   * turned on, the layout). Each refuses what is already equal. */
  if (slices)
    g_object_notify (G_OBJECT (self->panes[self->active_pane]), "slice");
  g_object_notify (G_OBJECT (viewport), "window-center");
  g_object_notify (G_OBJECT (viewport), "window-width");
  g_object_notify (G_OBJECT (viewport), "view");
  self->linking = FALSE;
  _fen_main_window_update_compare (self);
}

/* Compare --------------------------------------------------------------- */

/* The pane a comparing @pane compares with: the first other visible pane
 * that shows an image (in 1x2, the other one). */
static FenViewport *
fen_main_window_compare_partner (FenMainWindow *self, guint pane)
{
  for (guint q = 0; q < FEN_N_PANES; q++)
    {
      FenViewport *viewport = fen_pane_get_viewport (self->panes[q]);

      if (q != pane && _fen_main_window_pane_visible (self, q) && fen_viewport_get_image (viewport) != NULL)
        return viewport;
    }
  return NULL;
}

void
_fen_main_window_update_compare (FenMainWindow *self)
{
  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      FenViewport *viewport = fen_pane_get_viewport (self->panes[p]), *partner;

      if (fen_viewport_get_compare (viewport) == FEN_VIEWPORT_COMPARE_NONE)
        continue;
      if (!_fen_main_window_pane_visible (self, p))
        {
          fen_viewport_set_compare (viewport, FEN_VIEWPORT_COMPARE_NONE);
          continue;
        }
      partner = fen_main_window_compare_partner (self, p);
      fen_viewport_set_partner (viewport, partner ? fen_viewport_get_image (partner) : NULL,
                                partner ? fen_viewport_get_frame (partner) : 0);
    }
}

void
_fen_main_window_toggle_compare (FenMainWindow *self, FenViewportCompare mode)
{
  FenViewport *partner = fen_main_window_compare_partner (self, self->active_pane);
  FenImage *image = fen_viewport_get_image (self->viewport);
  FenMemoryOperation op;

  if (fen_viewport_get_compare (self->viewport) == mode)
    mode = FEN_VIEWPORT_COMPARE_NONE;
  if (self->monitor != NULL)
    fen_memory_monitor_begin (self->monitor, &op, "%s %s %s",
                              mode == FEN_VIEWPORT_COMPARE_DIFFERENCE ? "difference"
                              : mode == FEN_VIEWPORT_COMPARE_FLICKER ? "flicker" : "compare-off",
                              image ? fen_image_get_log_name (image) : "none",
                              partner && fen_viewport_get_image (partner) ? fen_image_get_log_name (fen_viewport_get_image (partner)) : "none");
  /* The partner first: the difference's default window spans both images. */
  if (mode != FEN_VIEWPORT_COMPARE_NONE)
    fen_viewport_set_partner (self->viewport, partner ? fen_viewport_get_image (partner) : NULL,
                              partner ? fen_viewport_get_frame (partner) : 0);
  fen_viewport_set_compare (self->viewport, mode);
  _fen_main_window_update_overlays (self);
  if (self->monitor != NULL)
    fen_memory_monitor_end (self->monitor, &op);
}

/* Layout ---------------------------------------------------------------- */

void
_fen_main_window_set_layout (FenMainWindow *self, guint rows, guint cols)
{
  FenMemoryOperation op;

  rows = CLAMP (rows, 1, 2);
  cols = CLAMP (cols, 1, 2);
  if (self->monitor != NULL)
    fen_memory_monitor_begin (self->monitor, &op, "layout %ux%u", rows, cols);
  self->layout_rows = rows;
  self->layout_cols = cols;
  if (!_fen_main_window_pane_visible (self, self->active_pane))
    _fen_main_window_activate_pane (self, 0);
  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      gboolean visible = _fen_main_window_pane_visible (self, p);

      gtk_widget_set_visible (GTK_WIDGET (self->panes[p]), visible);
      if (!visible && p != self->active_pane)
        /* Hidden panes hold nothing: no pin, no reference, no texture. */
        fen_pane_show (self->panes[p], NULL, 0);
    }
  /* Empty panes get the series shown in the fewest panes, in order from
   * the active one's: series not on screen first, then each again in turn
   * (two series in 2x2: A B / A B, never A B / B B). One buffer each,
   * however many panes show it. */
  for (guint p = 0; p < FEN_N_PANES && self->series->len > 0; p++)
    {
      int current = MAX (_fen_main_window_series_index (self, _fen_main_window_get_current_series (self)), 0);
      FenSeries *best = NULL;
      guint best_count = G_MAXUINT;

      if (!_fen_main_window_pane_visible (self, p) || p == self->active_pane ||
          fen_pane_get_series (self->panes[p]) != NULL)
        continue;
      for (guint k = 0; k < self->series->len; k++)
        {
          FenSeries *candidate = g_ptr_array_index (self->series, (current + k) % self->series->len);
          guint count = 0;

          for (guint q = 0; q < FEN_N_PANES; q++)
            count += (q == self->active_pane || _fen_main_window_pane_visible (self, q)) &&
                     fen_pane_get_series (self->panes[q]) == candidate;
          if (count < best_count)
            {
              best = candidate;
              best_count = count;
            }
        }
      _fen_main_window_show_in_pane (self, p, best, 0);
    }
  _fen_main_window_sync_panes (self, TRUE);
  _fen_main_window_update_overlays (self);
  _fen_main_window_update_references (self, FALSE);
  if (self->monitor != NULL)
    fen_memory_monitor_end (self->monitor, &op);
  g_debug ("layout %ux%u", rows, cols);
}

static void
fen_main_window_pane_activated_cb (FenPane *pane, FenMainWindow *self)
{
  for (guint p = 0; p < FEN_N_PANES; p++)
    if (self->panes[p] == pane)
      _fen_main_window_activate_pane (self, p);
}

static void
fen_main_window_series_dropped_cb (FenPane *pane, const char *key, FenMainWindow *self)
{
  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      if (self->panes[p] != pane)
        continue;
      for (guint i = 0; i < self->series->len; i++)
        if (g_strcmp0 (fen_series_get_key (g_ptr_array_index (self->series, i)), key) == 0)
          {
            _fen_main_window_activate_pane (self, p);
            _fen_main_window_select_series (self, (int) i);
            _fen_main_window_sync_panes (self, TRUE);
            return;
          }
    }
}

void
_fen_main_window_panes_init_pane (FenMainWindow *self, guint pane)
{
  g_signal_connect (self->panes[pane], "activated", G_CALLBACK (fen_main_window_pane_activated_cb), self);
  g_signal_connect (self->panes[pane], "series-dropped", G_CALLBACK (fen_main_window_series_dropped_cb), self);
}
