/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-measurement-panel.c: FenMeasurementPanel, the side panel of the
 * measurements of the image shown by the active viewport, or while MPR is
 * shown those of its planes (FenMprLayout). Each row names the measurement
 * and its frame (or plane) and gives its values in plain words: a region's
 * pixel count, mean, standard deviation, minimum, maximum, area and unit
 * (fen_roi_stats / fen_mpr_measure_stats_slab, through the viewport or
 * the layout: computed once, by the core; on a slab plane of the projected
 * values, which the row says), a distance in mm, an angle in
 * degrees, an arrow's text. Rebuilt when the viewport or the layout says
 * its measurements changed (they are few). */
#define G_LOG_DOMAIN "fen-measure-panel"

#include "fen-measurement-panel.h"

#include <math.h>

struct _FenMeasurementPanel
{
  GtkWidget    parent_instance;

  /* Borrowed */
  FenViewport *viewport;
  FenMprLayout *mpr;         /* while MPR is shown: its planes' measurements */
  GtkWidget   *box;
  GtkListBox  *list;
  GtkWidget   *empty_label;

  gboolean     rebuilding;   /* rows change: no selection goes back to the viewport */
};

G_DEFINE_FINAL_TYPE (FenMeasurementPanel, fen_measurement_panel, GTK_TYPE_WIDGET)

static const char *
fen_measurement_panel_kind_name (FenMeasurementKind kind)
{
  switch (kind)
    {
    case FEN_MEASUREMENT_DISTANCE:  return "Distance";
    case FEN_MEASUREMENT_ELLIPSE:   return "Ellipse";
    case FEN_MEASUREMENT_RECTANGLE: return "Rectangle";
    case FEN_MEASUREMENT_POLYGON:   return "Freehand region";
    case FEN_MEASUREMENT_ANGLE:     return "Angle";
    case FEN_MEASUREMENT_COBB:      return "Cobb angle";
    case FEN_MEASUREMENT_ARROW:     return "Arrow";
    default:                        return "Measurement";
    }
}

/* A region's statistics in words, one per line. */
static char *
fen_measurement_panel_region (const FenRoiStats *s, guint decimals)
{
  /* Two decimals more than one pixel value needs: a mean of HU reads to
   * 0.01 HU. */
  int d = (int) decimals + 2;
  const char *unit = g_str_equal (s->unit, "none") ? "" : s->unit;

  return g_strdup_printf ("pixels %" G_GUINT64_FORMAT "\nmean %.*f %s\nSD %.*f %s\nmin %.*f %s\nmax %.*f %s\n"
                          "area %.2f %s\nunit %s",
                          s->n, d, s->mean, unit, d, s->sd, unit, d, s->min, unit, d, s->max, unit,
                          s->area_mm2 > 0 ? s->area_mm2 : s->area_px, s->area_mm2 > 0 ? "mm²" : "px²", s->unit);
}

/* The values of measurement @index in words, one per line. */
static char *
fen_measurement_panel_values (FenMeasurementPanel *self, guint index, const FenMeasurement *m)
{
  FenImage *image = fen_viewport_get_image (self->viewport);
  const FenImageInfo *info = fen_image_get_info (image);
  FenRoiStats s;
  double v;

  switch (m->kind)
    {
    case FEN_MEASUREMENT_DISTANCE:
      v = fen_measurement_length_mm (m, info);
      return isfinite (v) ? g_strdup_printf ("length %.2f mm", v) : g_strdup ("length unknown (no pixel spacing)");
    case FEN_MEASUREMENT_ANGLE:
    case FEN_MEASUREMENT_COBB:
      v = fen_measurement_angle_deg (m, info);
      return isfinite (v) ? g_strdup_printf ("angle %.1f degrees", v) : g_strdup ("angle undefined");
    case FEN_MEASUREMENT_ARROW:
      return g_strdup_printf ("text \"%s\"", m->text ? m->text : "");
    case FEN_MEASUREMENT_ELLIPSE:
    case FEN_MEASUREMENT_RECTANGLE:
    case FEN_MEASUREMENT_POLYGON:
    default:
      if (!fen_viewport_measurement_stats (self->viewport, index, &s))
        return g_strdup ("no values (pixels not in memory)");
      if (s.n == 0)
        return g_strdup ("no pixel inside");
      return fen_measurement_panel_region (&s, fen_image_get_value_decimals (image, m->frame));
    }
}

/* A plane measurement's name, plane and values (fen-mpr-measure.h). */
static void
fen_measurement_panel_mpr_text (FenMeasurementPanel *self, guint index, char **name, char **values)
{
  static const char *const kinds[] = { "Distance", "Ellipse", "Rectangle", "Angle", "Cobb angle", "Freehand region",
                                       "Arrow" };
  const FenRoiStats *stats = NULL;
  const FenMprMeasure *m = fen_mpr_layout_get_measurement (self->mpr, index, &stats);
  FenVolume *volume = fen_mpr_layout_get_volume (self->mpr);
  FenImage *first = volume != NULL ? fen_volume_get_slice_image (volume, 0, NULL) : NULL;
  g_autofree char *plane = fen_mpr_measure_describe_plane (m);

  *name = g_strdup_printf ("%u. %s, %s plane", index + 1, kinds[MIN ((guint) m->kind, G_N_ELEMENTS (kinds) - 1)],
                           plane);
  if (m->kind == FEN_MPR_MEASURE_DISTANCE)
    *values = g_strdup_printf ("length %.2f mm", fen_mpr_measure_length_mm (m));
  else if (m->kind == FEN_MPR_MEASURE_ARROW)
    *values = g_strdup_printf ("text \"%s\"", m->text);
  else if (m->kind == FEN_MPR_MEASURE_ANGLE || m->kind == FEN_MPR_MEASURE_COBB)
    {
      double angle = fen_mpr_measure_angle_deg (m);

      /* As a slice's row. */
      *values = isfinite (angle) ? g_strdup_printf ("angle %.1f degrees", angle) : g_strdup ("angle undefined");
    }
  else if (stats == NULL || first == NULL)
    *values = g_strdup ("no values (pixels not in memory)");
  else if (stats->n == 0)
    *values = g_strdup ("no pixel inside");
  else
    {
      static const char *const slabs[] = { "", "maximum", "minimum", "mean" };
      g_autofree char *region = fen_measurement_panel_region (stats, fen_image_get_value_decimals (first, 0));
      double mm = 0;
      FenSlabMode slab = fen_mpr_layout_get_slab (self->mpr, &mm);

      /* What the values are: a slab's projection, as the panes show it. */
      *values = slab != FEN_SLAB_NONE && (guint) slab < G_N_ELEMENTS (slabs)
        ? g_strdup_printf ("%s\nof the slab's %s over %.1f mm", region, slabs[slab], mm)
        : g_steal_pointer (&region);
    }
}

static void
fen_measurement_panel_delete_cb (GtkButton *button, FenMeasurementPanel *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);

  if (row == NULL)
    return;
  if (self->mpr != NULL)
    fen_mpr_layout_delete_measurement_at (self->mpr, (guint) gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));
  else if (self->viewport != NULL)
    fen_viewport_delete_measurement (self->viewport, gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));
}

static GtkWidget *
fen_measurement_panel_row (FenMeasurementPanel *self, const char *name, const char *text)
{
  GtkWidget *hbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title, *values, *button;

  title = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  /* A plane's name is long: wrapped, as the empty list's text, so that the
   * panel (and the panes beside it) keep their width. */
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (title), 30);
  gtk_widget_add_css_class (title, "heading");
  values = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (values), 0);
  gtk_label_set_wrap (GTK_LABEL (values), TRUE);
  gtk_widget_add_css_class (values, "numeric");
  gtk_box_append (GTK_BOX (vbox), title);
  gtk_box_append (GTK_BOX (vbox), values);
  gtk_widget_set_hexpand (vbox, TRUE);
  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_tooltip_text (button, "Delete this measurement (Delete)");
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect (button, "clicked", G_CALLBACK (fen_measurement_panel_delete_cb), self);
  gtk_box_append (GTK_BOX (hbox), vbox);
  gtk_box_append (GTK_BOX (hbox), button);
  gtk_widget_set_margin_top (hbox, 4);
  gtk_widget_set_margin_bottom (hbox, 4);
  return hbox;
}

static void
fen_measurement_panel_rebuild (FenMeasurementPanel *self)
{
  GPtrArray *marks = self->viewport != NULL && self->mpr == NULL ? fen_viewport_get_measurements (self->viewport) : NULL;
  FenImage *image = self->viewport != NULL ? fen_viewport_get_image (self->viewport) : NULL;
  int selected = self->mpr != NULL ? fen_mpr_layout_get_selected_measurement (self->mpr)
                 : self->viewport != NULL ? fen_viewport_get_selected_measurement (self->viewport) : -1;
  GtkWidget *child;
  guint shown = 0;

  self->rebuilding = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; self->mpr != NULL && i < fen_mpr_layout_get_n_measurements (self->mpr); i++)
    {
      g_autofree char *name = NULL, *text = NULL;

      fen_measurement_panel_mpr_text (self, i, &name, &text);
      gtk_list_box_append (self->list, fen_measurement_panel_row (self, name, text));
      shown++;
    }
  for (guint i = 0; image != NULL && marks != NULL && i < marks->len; i++)
    {
      const FenMeasurement *m = g_ptr_array_index (marks, i);

      /* A freehand outline still being drawn is not one yet. */
      if (m->kind == FEN_MEASUREMENT_POLYGON && m->n_points < 3)
        break;
      {
        g_autofree char *name = fen_image_get_n_frames (image) > 1
          ? g_strdup_printf ("%u. %s, frame %u", i + 1, fen_measurement_panel_kind_name (m->kind), m->frame + 1)
          : g_strdup_printf ("%u. %s", i + 1, fen_measurement_panel_kind_name (m->kind));
        g_autofree char *text = fen_measurement_panel_values (self, i, m);

        gtk_list_box_append (self->list, fen_measurement_panel_row (self, name, text));
      }
      shown++;
    }
  if (selected >= 0 && (guint) selected < shown)
    gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, selected));
  /* What an empty list says depends on what is measured: a slice or the
   * planes of the MPR layout. */
  gtk_label_set_text (GTK_LABEL (self->empty_label),
                      self->mpr != NULL
                          ? "None on these planes. Pick a tool under Measure (M, E, B, Shift+P, A, C, T) "
                            "and drag on a plane."
                          : "None on this image. Pick a tool under Measure (M, E, B, Shift+P, A, C, T) "
                            "and drag on the image.");
  gtk_widget_set_visible (self->empty_label, shown == 0);
  self->rebuilding = FALSE;
}

static void
fen_measurement_panel_row_selected_cb (GtkListBox *list, GtkListBoxRow *row, FenMeasurementPanel *self)
{
  if (self->rebuilding)
    return;
  if (self->mpr != NULL)
    {
      fen_mpr_layout_select_measurement (self->mpr, row != NULL ? gtk_list_box_row_get_index (row) : -1);
      return;
    }
  if (self->viewport == NULL)
    return;
  fen_viewport_select_measurement (self->viewport, row != NULL ? gtk_list_box_row_get_index (row) : -1);
}

static void
fen_measurement_panel_changed_cb (FenViewport *viewport, FenMeasurementPanel *self)
{
  fen_measurement_panel_rebuild (self);
}

void
fen_measurement_panel_set_viewport (FenMeasurementPanel *self, FenViewport *viewport)
{
  g_return_if_fail (FEN_IS_MEASUREMENT_PANEL (self));
  if (self->viewport == viewport)
    return;
  if (self->viewport != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->viewport, self);
      g_object_remove_weak_pointer (G_OBJECT (self->viewport), (gpointer *) &self->viewport);
    }
  self->viewport = viewport;
  if (viewport != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (viewport), (gpointer *) &self->viewport);
      g_signal_connect (viewport, "measurements-changed", G_CALLBACK (fen_measurement_panel_changed_cb), self);
    }
  fen_measurement_panel_rebuild (self);
}

void
fen_measurement_panel_set_mpr_layout (FenMeasurementPanel *self, FenMprLayout *layout)
{
  g_return_if_fail (FEN_IS_MEASUREMENT_PANEL (self));
  if (self->mpr == layout)
    return;
  if (self->mpr != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->mpr, self);
      g_object_remove_weak_pointer (G_OBJECT (self->mpr), (gpointer *) &self->mpr);
    }
  self->mpr = layout;
  if (layout != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (layout), (gpointer *) &self->mpr);
      g_signal_connect_swapped (layout, "measurements-changed", G_CALLBACK (fen_measurement_panel_rebuild), self);
    }
  fen_measurement_panel_rebuild (self);
}

static void
fen_measurement_panel_dispose (GObject *object)
{
  FenMeasurementPanel *self = FEN_MEASUREMENT_PANEL (object);

  fen_measurement_panel_set_mpr_layout (self, NULL);
  fen_measurement_panel_set_viewport (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_MEASUREMENT_PANEL);
  G_OBJECT_CLASS (fen_measurement_panel_parent_class)->dispose (object);
}

static void
fen_measurement_panel_class_init (FenMeasurementPanelClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = fen_measurement_panel_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-measurement-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, FenMeasurementPanel, box);
  gtk_widget_class_bind_template_child (widget_class, FenMeasurementPanel, list);
  gtk_widget_class_bind_template_child (widget_class, FenMeasurementPanel, empty_label);
  gtk_widget_class_bind_template_callback (widget_class, fen_measurement_panel_row_selected_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fen-measurement-panel");
}

static void
fen_measurement_panel_init (FenMeasurementPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
