/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window.c: FenMainWindow, the series sidebar, the slice slider and the
 * corner overlays around one FenViewport. Actions live in
 * fen-main-window-actions.c, opening and closing in fen-main-window-open.c. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"

#include <math.h>
#include <stdio.h>

G_DEFINE_FINAL_TYPE (FenMainWindow, fen_main_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SHOW_OVERLAYS,
  PROP_SHOW_MEMORY,
  PROP_TOOL,
  PROP_SHOW_MEASUREMENTS,
  PROP_LAYOUT,
  PROP_LINK_SCROLL,
  PROP_LINK_WINDOW,
  PROP_LINK_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

FenSeries *
_fen_main_window_get_current_series (FenMainWindow *self)
{
  return fen_pane_get_series (self->panes[self->active_pane]);
}

guint
_fen_main_window_get_current_slice (FenMainWindow *self)
{
  return fen_pane_get_slice (self->panes[self->active_pane]);
}

int
_fen_main_window_series_index (FenMainWindow *self, FenSeries *series)
{
  guint index;

  return series != NULL && g_ptr_array_find (self->series, series, &index) ? (int) index : -1;
}

static const char *
fen_main_window_str (const char *s)
{
  return s != NULL && *s != '\0' ? s : "—";
}

/* DICOM dates are YYYYMMDD (PS3.5 6.2, DA). */
static char *
fen_main_window_format_date (const char *da)
{
  if (da != NULL && strlen (da) == 8)
    return g_strdup_printf ("%.4s-%.2s-%.2s", da, da + 4, da + 6);
  return g_strdup (fen_main_window_str (da));
}

/* The active pane says which tool a left drag uses, and its key. */
static const char *
fen_main_window_tool_label (FenViewportTool tool)
{
  static const char *const labels[] = {
    NULL, "Distance (M)\n", "Ellipse (E)\n", "Rectangle (B)\n", "Freehand region (Shift+P)\n",
    "Angle (A): two drags\n", "Cobb angle (C): two drags\n", "Text arrow (T)\n",
  };

  return (guint) tool < G_N_ELEMENTS (labels) ? labels[tool] : NULL;
}

static void
fen_main_window_set_tool (FenMainWindow *self, FenViewportTool tool)
{
  if (tool == self->tool)
    return;
  self->tool = tool;
  fen_viewport_set_tool (self->viewport, tool);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
  _fen_main_window_update_overlays (self);
}

static void
fen_main_window_update_pane_overlays (FenMainWindow *self, guint pane)
{
  FenViewport *viewport = fen_pane_get_viewport (self->panes[pane]);
  FenImage *image = fen_viewport_get_image (viewport);
  gboolean active = pane == self->active_pane;
  FenSeries *series = fen_pane_get_series (self->panes[pane]);
  guint slice = fen_pane_get_slice (self->panes[pane]);
  const FenImageInfo *info;
  FenWindowParams w;
  g_autofree char *tl = NULL, *tr = NULL, *bl = NULL, *br = NULL, *date = NULL, *pos = NULL, *voi = NULL;
  g_autofree char *display = NULL, *compare = NULL, *links = NULL;
  const char *tool = fen_main_window_tool_label (self->tool);
  guint px, py, level;
  double value;

  fen_viewport_set_show_scale_bar (viewport, self->show_overlays);
  if (image == NULL || !self->show_overlays)
    {
      fen_pane_set_overlays (self->panes[pane], NULL, NULL, NULL, NULL);
      return;
    }

  info = fen_image_get_info (image);
  fen_viewport_get_window (viewport, &w);
  date = fen_main_window_format_date (info->study_date);
  tl = g_strdup_printf ("%s\n%s\n%s\n%s", fen_main_window_str (info->patient_name), fen_main_window_str (info->patient_id),
                        date, fen_main_window_str (info->study_description));

  if (info->has_position)
    pos = g_strdup_printf ("Pos %.1f, %.1f, %.1f mm", info->image_position[0], info->image_position[1],
                           info->image_position[2]);
  tr = g_strdup_printf ("%s\n%s\nSeries %d\nSlice %u / %u\n%s", fen_main_window_str (info->modality),
                        fen_main_window_str (info->series_description), info->series_number,
                        slice + 1, series ? fen_series_get_n_slices (series) : 1,
                        pos ? pos : "");

  /* Never show less than full resolution without saying so. */
  level = fen_viewport_get_pyramid_level (viewport);
  if (level > 0)
    display = g_strdup_printf (" · display 1:%u (pyramid level %u)", 1u << level, level);
  switch (fen_viewport_get_compare (viewport))
    {
    case FEN_VIEWPORT_COMPARE_DIFFERENCE:
      /* The window shown is the difference's own, in modality units. */
      fen_viewport_get_difference_window (viewport, &w);
      compare = g_strdup ("Difference: this − other pane (D)\n");
      break;
    case FEN_VIEWPORT_COMPARE_FLICKER:
      compare = g_strdup ("Flicker: this ↔ other pane (Shift+D)\n");
      break;
    case FEN_VIEWPORT_COMPARE_NONE:
    default:
      break;
    }
  /* A VOI LUT from the file replaces the window: name it, not W/L. */
  if (w.voi_lut >= 1 && w.voi_lut <= info->n_voi_luts &&
      fen_viewport_get_compare (viewport) != FEN_VIEWPORT_COMPARE_DIFFERENCE)
    voi = g_strdup_printf ("VOI LUT %u: %s", w.voi_lut, info->voi_luts[w.voi_lut - 1].explanation
                           ? info->voi_luts[w.voi_lut - 1].explanation : "from the file");
  else
    {
      /* As many decimals as the values need (an RT dose window of 1.25 Gy
       * is not "W 1"), and the unit when it is known. */
      guint decimals = fen_image_get_value_decimals (image, fen_viewport_get_frame (viewport));
      const char *unit = fen_image_get_unit (image);

      if (fen_image_is_color (image))
        decimals = 0, unit = NULL;
      voi = g_strdup_printf ("W %.*f  L %.*f%s%s", decimals, w.width, decimals, w.center,
                             unit ? " " : "", unit ? unit : "");
    }
  /* With several panes, each says which links are on (Layout menu, Alt+S/W/Z). */
  if (self->layout_rows * self->layout_cols > 1)
    links = g_strdup_printf ("Linked: %s%s%s%s\n", self->link_scroll ? "scroll " : "",
                             self->link_window ? "W/L " : "", self->link_zoom ? "zoom" : "",
                             !self->link_scroll && !self->link_window && !self->link_zoom ? "nothing" : "");
  bl = g_strdup_printf ("%s%s%s%s%s\nZoom %.0f %%%s%s", links ? links : "", compare ? compare : "",
                        tool && active ? tool : "",
                        voi, w.invert ? "  inverted" : "",
                        fen_viewport_get_zoom (viewport) * 100.0, display ? display : "",
                        fen_image_get_n_frames (image) > 1 ? "  (multi-frame)" : "");

  if (fen_viewport_get_pointer (viewport, &px, &py, &value))
    {
      const char *unit = fen_image_get_unit (image);
      guint decimals = fen_image_get_value_decimals (image, fen_viewport_get_frame (viewport));

      /* In a difference view the value is this image's minus the other's. */
      br = g_strdup_printf ("x %u  y %u\n%s%.*f %s", px, py,
                            fen_image_is_color (image) ? "R "
                            : fen_viewport_get_compare (viewport) == FEN_VIEWPORT_COMPARE_DIFFERENCE ? "Δ " : "",
                            fen_image_is_color (image) ? 0 : (int) decimals, value, unit ? unit : "");
    }
  else
    br = g_strdup (fen_image_is_color (image) ? "RGB" : "");

  fen_pane_set_overlays (self->panes[pane], tl, tr, bl, br);
}

void
_fen_main_window_update_overlays (FenMainWindow *self)
{
  gtk_widget_set_visible (self->empty_page, fen_viewport_get_image (self->viewport) == NULL && self->loads_pending == 0);
  for (guint i = 0; i < FEN_N_PANES; i++)
    fen_main_window_update_pane_overlays (self, i);
}

static void
fen_main_window_viewport_changed_cb (FenViewport *viewport, FenMainWindow *self)
{
  FenImage *image = fen_viewport_get_image (self->viewport);

  if (viewport == self->viewport)
    {
      if (image != NULL && fen_image_get_info (image) != self->presets_for &&
          !_fen_main_window_presets_match (self, fen_image_get_info (image)))
        _fen_main_window_rebuild_presets (self);
      if (self->tag_browser != NULL && gtk_widget_get_visible (GTK_WIDGET (self->tag_browser)))
        fen_tag_browser_set_path (self->tag_browser, image ? fen_image_get_path (image) : NULL);
      _fen_main_window_sync_panes (self, FALSE);
    }
  _fen_main_window_update_overlays (self);
}

/* The slider follows the active pane. */
static void
fen_main_window_update_slider (FenMainWindow *self)
{
  FenSeries *series = _fen_main_window_get_current_series (self);
  guint n = series != NULL ? MAX (fen_series_get_n_slices (series), 1) : 1;

  g_signal_handlers_block_matched (self->slice_adjustment, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_adjustment_configure (self->slice_adjustment, _fen_main_window_get_current_slice (self) + 1, 1, n, 1, 10, 0);
  g_signal_handlers_unblock_matched (self->slice_adjustment, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_widget_set_visible (GTK_WIDGET (self->slice_scale), series != NULL && n > 1);
}

void
_fen_main_window_show_slice (FenMainWindow *self, guint slice)
{
  FenSeries *series = _fen_main_window_get_current_series (self);

  if (series == NULL || !fen_pane_show (self->panes[self->active_pane], series, slice))
    return;
  fen_main_window_update_slider (self);
  _fen_main_window_update_overlays (self);
  _fen_main_window_update_reload (self);
}

static void
fen_main_window_slice_changed_cb (GtkAdjustment *adjustment, FenMainWindow *self)
{
  guint slice = (guint) lround (gtk_adjustment_get_value (adjustment)) - 1;

  if (slice != _fen_main_window_get_current_slice (self))
    {
      fen_viewport_note_operation (self->viewport, "scroll");
      _fen_main_window_show_slice (self, slice);
      _fen_main_window_sync_panes (self, TRUE);
    }
}

static void
fen_main_window_scroll_slices_cb (FenViewport *viewport, int delta, FenMainWindow *self)
{
  FenSeries *series;
  int target;

  /* The wheel acts on the pane under the pointer: it becomes the active one. */
  for (guint i = 0; i < FEN_N_PANES; i++)
    if (fen_pane_get_viewport (self->panes[i]) == viewport)
      _fen_main_window_activate_pane (self, i);
  series = _fen_main_window_get_current_series (self);

  if (series == NULL)
    return;
  target = CLAMP ((int) _fen_main_window_get_current_slice (self) + delta, 0,
                  (int) fen_series_get_n_slices (series) - 1);
  if ((guint) target != _fen_main_window_get_current_slice (self))
    {
      fen_viewport_note_operation (self->viewport, "scroll");
      _fen_main_window_show_slice (self, (guint) target);
      _fen_main_window_sync_panes (self, TRUE);
    }
}

void
_fen_main_window_select_series (FenMainWindow *self, int index)
{
  GtkListBoxRow *row;

  if (index < 0 || (guint) index >= self->series->len)
    {
      fen_pane_show (self->panes[self->active_pane], NULL, 0);
      gtk_widget_set_visible (GTK_WIDGET (self->slice_scale), FALSE);
      _fen_main_window_update_overlays (self);
      _fen_main_window_update_reload (self);
      _fen_main_window_update_actions (self);
      return;
    }
  if (g_ptr_array_index (self->series, index) != _fen_main_window_get_current_series (self))
    {
      /* A new series starts from its own default window. */
      fen_pane_show (self->panes[self->active_pane], NULL, 0);
      fen_pane_show (self->panes[self->active_pane], g_ptr_array_index (self->series, index), 0);
      _fen_main_window_show_slice (self, 0);
    }
  row = gtk_list_box_get_row_at_index (self->series_list, index);
  if (row != NULL && gtk_list_box_get_selected_row (self->series_list) != row)
    gtk_list_box_select_row (self->series_list, row);
  _fen_main_window_update_actions (self);
}

static void
fen_main_window_series_activated_cb (GtkListBox *box, GtkListBoxRow *row, FenMainWindow *self)
{
  _fen_main_window_select_series (self, gtk_list_box_row_get_index (row));
  gtk_widget_grab_focus (GTK_WIDGET (self->viewport));
}

static GtkWidget *
fen_main_window_make_row (FenSeries *series)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (fen_series_get_thumbnail (series)));
  g_autofree char *title = fen_series_get_title (series);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_set_size_request (picture, 64, 64);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_lines (GTK_LABEL (label), 2);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), picture);
  gtk_box_append (GTK_BOX (box), label);
  {
    /* Drag the series into a pane of the layout. */
    GtkDragSource *source = gtk_drag_source_new ();
    g_autofree char *key = g_strconcat ("fenestra-series:", fen_series_get_key (series), NULL);
    g_autoptr(GdkContentProvider) content = gdk_content_provider_new_typed (G_TYPE_STRING, key);

    gtk_drag_source_set_content (source, content);
    gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
    gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (source));
  }
  return box;
}

static void
fen_main_window_refresh_row (FenMainWindow *self, guint index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->series_list, (int) index);

  if (row == NULL)
    return;
  gtk_list_box_row_set_child (row, fen_main_window_make_row (g_ptr_array_index (self->series, index)));
}

/* An image already open: the same file, or the same SOP Instance UID
 * (PS3.3 C.12.1.1.1: one instance, one UID) with as many frames. */
static FenImage *
fen_main_window_find_duplicate (FenMainWindow *self, FenSeries *series, FenImage *image)
{
  const FenImageInfo *info = fen_image_get_info (image);

  for (guint i = 0; i < fen_series_get_n_images (series); i++)
    {
      FenImage *other = fen_store_lookup (self->store, fen_series_get_image_id (series, i));
      const FenImageInfo *o;

      if (other == NULL || other == image)
        continue;
      o = fen_image_get_info (other);
      if (g_strcmp0 (fen_image_get_path (other), fen_image_get_path (image)) == 0 ||
          (info->instance_uid != NULL && *info->instance_uid != '\0' &&
           g_strcmp0 (o->instance_uid, info->instance_uid) == 0 && o->frames == info->frames))
        return other;
    }
  return NULL;
}

void
_fen_main_window_add_image (FenMainWindow *self, guint image_id)
{
  FenImage *image = fen_store_lookup (self->store, image_id);
  g_autofree char *key = NULL;
  FenSeries *series = NULL;
  guint index, shown_id = 0, shown_frame = 0;
  gboolean is_new = FALSE, shown_first = FALSE;

  if (image == NULL)
    return;
  key = fen_series_key_for_image (image);
  for (index = 0; index < self->series->len; index++)
    if (g_strcmp0 (fen_series_get_key (g_ptr_array_index (self->series, index)), key) == 0)
      {
        series = g_ptr_array_index (self->series, index);
        break;
      }
  if (series == NULL)
    {
      series = fen_series_new (key);
      g_ptr_array_add (self->series, series);
      index = self->series->len - 1;
      is_new = TRUE;
    }

  {
    FenImage *twin = is_new ? NULL : fen_main_window_find_duplicate (self, series, image);

    if (twin != NULL)
      {
        /* Opened twice: one buffer, one slice. The copy goes at once. */
        g_debug ("%s duplicates %s: merged", fen_image_get_log_name (image), fen_image_get_log_name (twin));
        self->n_duplicates++;
        fen_store_close (self->store, image_id);
        return;
      }
  }

  if (series == _fen_main_window_get_current_series (self) && fen_viewport_get_image (self->viewport) != NULL)
    {
      shown_id = fen_image_get_id (fen_viewport_get_image (self->viewport));
      shown_frame = fen_viewport_get_frame (self->viewport);
      shown_first = _fen_main_window_get_current_slice (self) == 0;
    }
  fen_series_add_image (series, image);
  if (fen_series_get_n_images (series) == 1 || fen_series_find_slice (series, image_id, 0) == 0)
    {
      /* A loading thread may evict any image not pinned: pin it while its
       * pixels are read, and skip the thumbnail if they are gone already. */
      fen_store_pin (self->store, image_id, TRUE);
      if (fen_image_has_pixels (image))
        fen_series_render_thumbnail (series, image, self->thumb_renderer, self->thumb_lut);
      fen_store_pin (self->store, image_id, FALSE);
    }

  if (is_new)
    {
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), fen_main_window_make_row (series));
      gtk_widget_set_focusable (row, FALSE);
      gtk_list_box_append (self->series_list, row);
    }
  else
    fen_main_window_refresh_row (self, index);

  if (_fen_main_window_get_current_series (self) == NULL)
    {
      /* The first image shows as soon as it is loaded. */
      _fen_main_window_select_series (self, (int) index);
      gtk_widget_grab_focus (GTK_WIDGET (self->viewport));
    }
  else if (series == _fen_main_window_get_current_series (self) && shown_id != 0 && shown_first)
    {
      /* The first slice in series order was shown (as a series opens):
       * an image that sorts before it takes its place, so that a series
       * opens on its first slice, not on whichever file loaded first. */
      _fen_main_window_show_slice (self, 0);
      _fen_main_window_sync_panes (self, TRUE);
    }
  else if (series == _fen_main_window_get_current_series (self) && shown_id != 0)
    /* An image slid in before the one shown: keep showing the same one. */
    _fen_main_window_show_slice (self, (guint) fen_series_find_slice (series, shown_id, shown_frame));
  _fen_main_window_update_actions (self);
}

void
fen_main_window_add_retrieved (FenMainWindow *self, guint image_id)
{
  g_return_if_fail (FEN_IS_MAIN_WINDOW (self));
  _fen_main_window_add_image (self, image_id);
  /* The series grows under the slice shown: its count and the slider follow. */
  if (_fen_main_window_get_current_series (self) != NULL)
    _fen_main_window_show_slice (self, _fen_main_window_get_current_slice (self));
  _fen_main_window_update_overlays (self);
}

void
_fen_main_window_remove_images (FenMainWindow *self, GArray *ids)
{
  g_autoptr(GHashTable) set = g_hash_table_new (NULL, NULL);
  FenSeries *current = _fen_main_window_get_current_series (self);
  FenImage *shown = fen_viewport_get_image (self->viewport);
  int index = _fen_main_window_series_index (self, current);

  if (ids == NULL || ids->len == 0)
    return;
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (set, GUINT_TO_POINTER (g_array_index (ids, guint, i)));
  /* The other panes let go of these images too. */
  for (guint p = 0; p < FEN_N_PANES; p++)
    {
      FenImage *image = fen_viewport_get_image (fen_pane_get_viewport (self->panes[p]));

      if (p != self->active_pane && image != NULL &&
          g_hash_table_contains (set, GUINT_TO_POINTER (fen_image_get_id (image))))
        fen_pane_show (self->panes[p], NULL, 0);
    }
  /* Our references go first, so that closing frees the pixels now. */
  if (shown != NULL && g_hash_table_contains (set, GUINT_TO_POINTER (fen_image_get_id (shown))))
    fen_viewport_set_image (self->viewport, NULL, 0, FALSE);

  for (guint i = self->series->len; i > 0; i--)
    {
      FenSeries *series = g_ptr_array_index (self->series, i - 1);
      gboolean changed = FALSE;

      for (guint k = 0; k < ids->len; k++)
        changed |= fen_series_remove_image (series, g_array_index (ids, guint, k));
      if (!changed)
        continue;
      if (fen_series_get_n_images (series) > 0)
        {
          fen_main_window_refresh_row (self, i - 1);
          continue;
        }
      if (series == current)
        current = NULL;
      gtk_list_box_remove (self->series_list, GTK_WIDGET (gtk_list_box_get_row_at_index (self->series_list, (int) i - 1)));
      g_ptr_array_remove_index (self->series, i - 1);
    }
  for (guint k = 0; k < ids->len; k++)
    fen_store_close (self->store, g_array_index (ids, guint, k));
  /* A pane whose series is gone shows nothing. */
  for (guint p = 0; p < FEN_N_PANES; p++)
    if (p != self->active_pane && fen_pane_get_series (self->panes[p]) != NULL &&
        _fen_main_window_series_index (self, fen_pane_get_series (self->panes[p])) < 0)
      fen_pane_show (self->panes[p], NULL, 0);

  if (current != NULL)
    g_ptr_array_find (self->series, current, (guint *) &index);
  else
    index = MIN (MAX (index, 0), (int) self->series->len - 1);
  /* Start the series afresh: its slices moved. */
  fen_pane_show (self->panes[self->active_pane], NULL, 0);
  _fen_main_window_select_series (self, index);
}

gsize
fen_main_window_trim_render_buffers (FenMainWindow *self)
{
  gsize freed = 0;

  g_return_val_if_fail (FEN_IS_MAIN_WINDOW (self), 0);
  /* Thumbnails are the sidebar's only (one 64 px texture per series, on
   * screen): nothing to shed there. Pyramid levels are the store's. */
  for (guint i = 0; i < FEN_N_PANES; i++)
    freed += fen_viewport_trim_render_buffers (fen_pane_get_viewport (self->panes[i]));
  return freed;
}

void
_fen_main_window_show_error (FenMainWindow *self, const char *message)
{
  g_printerr ("fenestra: %s\n", message);
  gtk_label_set_text (self->banner_label, message);
  gtk_revealer_set_reveal_child (self->banner, TRUE);
}

void
fen_main_window_memory_operation (FenMainWindow *self, const FenMemoryOperation *op)
{
  gint64 pressure = 0;
  FenMemoryState state;

  g_return_if_fail (FEN_IS_MAIN_WINDOW (self));
  state = fen_application_get_memory_state (FEN_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))), &pressure);
  fen_memory_panel_set_state (self->memory_panel, state, pressure);
  fen_memory_panel_add_operation (self->memory_panel, op);
  if (gtk_widget_get_mapped (GTK_WIDGET (self->memory_panel)))
    fen_memory_panel_refresh (self->memory_panel);
}

static gboolean
fen_main_window_baseline_cb (gpointer user_data)
{
  FenMainWindow *self = user_data;

  self->baseline_timeout = 0;
  fen_application_note_baseline (FEN_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
  return G_SOURCE_REMOVE;
}

static void
fen_main_window_map (GtkWidget *widget)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);

  GTK_WIDGET_CLASS (fen_main_window_parent_class)->map (widget);
  /* Once its first frames are drawn. */
  if (self->baseline_timeout == 0 && !self->baseline_noted)
    {
      self->baseline_noted = TRUE;
      self->baseline_timeout = g_timeout_add_seconds (1, fen_main_window_baseline_cb, self);
    }
}

static void
fen_main_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SHOW_OVERLAYS: g_value_set_boolean (value, self->show_overlays); break;
    case PROP_SHOW_MEMORY:   g_value_set_boolean (value, self->show_memory); break;
    case PROP_TOOL:          g_value_set_string (value, fen_viewport_tool_to_string (self->tool)); break;
    case PROP_SHOW_MEASUREMENTS: g_value_set_boolean (value, self->show_measurements); break;
    case PROP_LAYOUT:        g_value_take_string (value, g_strdup_printf ("%ux%u", self->layout_rows, self->layout_cols)); break;
    case PROP_LINK_SCROLL:   g_value_set_boolean (value, self->link_scroll); break;
    case PROP_LINK_WINDOW:   g_value_set_boolean (value, self->link_window); break;
    case PROP_LINK_ZOOM:     g_value_set_boolean (value, self->link_zoom); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_main_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SHOW_OVERLAYS:
      self->show_overlays = g_value_get_boolean (value);
      _fen_main_window_update_overlays (self);
      break;
    case PROP_SHOW_MEMORY:
      self->show_memory = g_value_get_boolean (value);
      break;
    case PROP_TOOL:
      {
        FenViewportTool tool = fen_viewport_tool_from_string (g_value_get_string (value));

        /* The key (or menu item) of the tool in use goes back to the window. */
        fen_main_window_set_tool (self, tool == self->tool ? FEN_VIEWPORT_TOOL_NONE : tool);
      }
      break;
    case PROP_SHOW_MEASUREMENTS:
      self->show_measurements = g_value_get_boolean (value);
      break;
    case PROP_LAYOUT:
      {
        const char *layout = g_value_get_string (value);
        guint rows = 1, cols = 1;

        if (layout != NULL && sscanf (layout, "%ux%u", &rows, &cols) == 2)
          _fen_main_window_set_layout (self, rows, cols);
      }
      break;
    case PROP_LINK_SCROLL:
      self->link_scroll = g_value_get_boolean (value);
      _fen_main_window_sync_panes (self, TRUE);
      _fen_main_window_update_overlays (self);
      break;
    case PROP_LINK_WINDOW:
      self->link_window = g_value_get_boolean (value);
      _fen_main_window_sync_panes (self, FALSE);
      _fen_main_window_update_overlays (self);
      break;
    case PROP_LINK_ZOOM:
      self->link_zoom = g_value_get_boolean (value);
      _fen_main_window_sync_panes (self, FALSE);
      _fen_main_window_update_overlays (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fen_main_window_dispose (GObject *object)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (object);

  /* Loads still running close what they bring when they see this. */
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->baseline_timeout, g_source_remove);
  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  if (self->loads != NULL)
    _fen_main_window_cancel_loads (self);
  for (guint i = 0; i < FEN_N_PANES; i++)
    if (self->panes[i] != NULL)
      fen_viewport_set_image (fen_pane_get_viewport (self->panes[i]), NULL, 0, FALSE);
  if (self->tag_browser != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->tag_browser)));
  _fen_main_window_cine_stop (self, "the window closed");
  _fen_main_window_unbind_links (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_MAIN_WINDOW);
  /* This window's images go with it. */
  if (self->series != NULL && self->store != NULL)
    for (guint i = 0; i < self->series->len; i++)
      {
        FenSeries *series = g_ptr_array_index (self->series, i);

        for (guint k = 0; k < fen_series_get_n_images (series); k++)
          fen_store_close (self->store, fen_series_get_image_id (series, k));
      }
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_object (&self->presets_menu);
  G_OBJECT_CLASS (fen_main_window_parent_class)->dispose (object);
}

static void
fen_main_window_finalize (GObject *object)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->loads, g_ptr_array_unref);
  g_clear_pointer (&self->presets, g_array_unref);
  g_clear_pointer (&self->thumb_renderer, fen_renderer_free);
  g_clear_pointer (&self->thumb_lut, fen_lut_free);
  g_free (self->export_folder);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_free (self->cine_rate_key);
  G_OBJECT_CLASS (fen_main_window_parent_class)->finalize (object);
}

static void
fen_main_window_class_init (FenMainWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_main_window_dispose;
  object_class->finalize = fen_main_window_finalize;
  object_class->get_property = fen_main_window_get_property;
  object_class->set_property = fen_main_window_set_property;
  widget_class->map = fen_main_window_map;

  properties[PROP_SHOW_OVERLAYS] = g_param_spec_boolean ("show-overlays", NULL, NULL, TRUE,
                                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_MEMORY] = g_param_spec_boolean ("show-memory", NULL, NULL, FALSE,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* "none", "distance", "ellipse", ... (fen_viewport_tool_to_string()) */
  properties[PROP_TOOL] = g_param_spec_string ("tool", NULL, NULL, "none",
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_MEASUREMENTS] = g_param_spec_boolean ("show-measurements", NULL, NULL, FALSE,
                                                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAYOUT] = g_param_spec_string ("layout", NULL, NULL, "1x1",
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK_SCROLL] = g_param_spec_boolean ("link-scroll", NULL, NULL, TRUE,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK_WINDOW] = g_param_spec_boolean ("link-window", NULL, NULL, TRUE,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK_ZOOM] = g_param_spec_boolean ("link-zoom", NULL, NULL, TRUE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FEN_TYPE_VIEWPORT);
  g_type_ensure (FEN_TYPE_PANE);
  g_type_ensure (FEN_TYPE_MEMORY_PANEL);
  g_type_ensure (FEN_TYPE_MEASUREMENT_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-main-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, grid);
  gtk_widget_class_bind_template_child_full (widget_class, "pane0", FALSE,
                                             G_STRUCT_OFFSET (FenMainWindow, panes[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "pane1", FALSE,
                                             G_STRUCT_OFFSET (FenMainWindow, panes[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "pane2", FALSE,
                                             G_STRUCT_OFFSET (FenMainWindow, panes[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "pane3", FALSE,
                                             G_STRUCT_OFFSET (FenMainWindow, panes[3]));
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, memory_panel);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, measurement_panel);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, memory_revealer);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, problems_button);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, toast);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, toast_label);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, series_list);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, slice_scale);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, slice_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, presets_button);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, load_revealer);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, load_label);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, load_progress);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, reload_box);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, reload_spinner);
  gtk_widget_class_bind_template_child (widget_class, FenMainWindow, reload_label);
  gtk_widget_class_bind_template_callback (widget_class, fen_main_window_slice_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_main_window_series_activated_cb);

  _fen_main_window_class_actions_init (widget_class);
  _fen_main_window_class_cine_init (widget_class);
}

static void
fen_main_window_init (FenMainWindow *self)
{
  self->show_overlays = TRUE;
  self->series = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->loads = g_ptr_array_new_with_free_func (g_object_unref);
  self->presets = g_array_new (FALSE, TRUE, sizeof (FenPreset));
  self->problems = g_ptr_array_new_with_free_func (g_free);
  self->presets_menu = g_menu_new ();
  self->thumb_renderer = fen_renderer_new (1, 128);
  self->thumb_lut = fen_lut_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->layout_rows = self->layout_cols = 1;
  self->link_scroll = self->link_window = self->link_zoom = TRUE;
  for (guint i = 0; i < FEN_N_PANES; i++)
    {
      FenViewport *viewport = fen_pane_get_viewport (self->panes[i]);

      g_signal_connect (viewport, "changed", G_CALLBACK (fen_main_window_viewport_changed_cb), self);
      g_signal_connect (viewport, "scroll-slices", G_CALLBACK (fen_main_window_scroll_slices_cb), self);
      _fen_main_window_panes_init_pane (self, i);
    }
  self->viewport = fen_pane_get_viewport (self->panes[0]);
  fen_pane_set_active (self->panes[0], TRUE);
  fen_measurement_panel_set_viewport (self->measurement_panel, self->viewport);
  _fen_main_window_bind_links (self);
  gtk_menu_button_set_menu_model (self->presets_button, G_MENU_MODEL (self->presets_menu));
  _fen_main_window_dnd_init (self);
  _fen_main_window_actions_init (self);
  /* After the slice keys: see _fen_main_window_cine_init(). */
  _fen_main_window_cine_init (self);
}

FenMainWindow *
fen_main_window_new (FenApplication *app)
{
  FenMainWindow *self = g_object_new (FEN_TYPE_MAIN_WINDOW, "application", app, NULL);

  self->store = fen_application_get_store (app);
  self->monitor = fen_application_get_monitor (app);
  self->settings = fen_application_get_settings (app);
  for (guint i = 0; i < FEN_N_PANES; i++)
    {
      fen_viewport_set_monitor (fen_pane_get_viewport (self->panes[i]), self->monitor);
      fen_viewport_set_store (fen_pane_get_viewport (self->panes[i]), self->store);
      fen_pane_set_store (self->panes[i], self->store);
    }
  fen_memory_panel_set_monitor (self->memory_panel, self->monitor, self->store);
  _fen_main_window_rebuild_presets (self);
  _fen_main_window_update_overlays (self);
  _fen_main_window_update_actions (self);
  return self;
}
