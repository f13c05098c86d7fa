/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-layout.c: FenMprLayout, the MPR layout of one series: a header
 * (title, slab mode and thickness, reset, close) over a 2 x 2 grid of
 * FenMprPanes: axial, coronal, sagittal, and the acquisition plane when it
 * is oblique (else a few lines of help). It owns what the panes share
 * (fen-mpr-private.h): the FenVolume, which borrows the slices where they
 * are in the store and pins them (nothing is copied), the crosshair
 * (FenMprPlanes), one window/level and its table (one series), the slab,
 * one renderer and one buffer pool. */
#define G_LOG_DOMAIN "fen-mpr"

#include "fen-mpr-private.h"
#include "fen-rendered-frame.h"

#include <math.h>
#include <string.h>

#define FEN_MPR_LAYOUT_N_PANES 4
/* Textures of four panes, and one being rendered. */
#define FEN_MPR_LAYOUT_POOL_SIZE 5

struct _FenMprLayout
{
  GtkWidget       parent_instance;

  /* Owned */
  FenMprState     state;

  /* Borrowed (template) */
  GtkLabel       *title_label;
  GtkDropDown    *slab_mode;
  GtkSpinButton  *slab_thickness;
  GtkWidget      *help_label;
  FenMprPane     *panes[FEN_MPR_LAYOUT_N_PANES];
};

G_DEFINE_FINAL_TYPE (FenMprLayout, fen_mpr_layout, GTK_TYPE_WIDGET)

enum {
  WINDOW_DRAGGED,
  MEASUREMENTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
_fen_mpr_layout_drag_window (FenMprLayout *self, const FenWindowParams *window)
{
  fen_mpr_layout_set_window (self, window);
  g_signal_emit (self, signals[WINDOW_DRAGGED], 0);
}

void
_fen_mpr_layout_measures_changed (FenMprLayout *self, gboolean save)
{
  if (save)
    _fen_mpr_measure_save (&self->state);
  g_signal_emit (self, signals[MEASUREMENTS_CHANGED], 0);
}

void
_fen_mpr_layout_changed (FenMprLayout *self)
{
  for (guint p = 0; p < FEN_MPR_LAYOUT_N_PANES; p++)
    _fen_mpr_pane_invalidate (self->panes[p]);
}

const FenLut *
_fen_mpr_layout_get_lut (FenMprLayout *self)
{
  if (!self->state.lut_valid)
    {
      /* The slices of a volume share one rescale (fen_volume_new()
       * refuses others): slice 0's table serves every plane. */
      fen_lut_build (self->state.lut, self->state.first, 0, &self->state.window);
      self->state.lut_valid = TRUE;
    }
  return self->state.lut;
}

static void
fen_mpr_layout_slab_changed_cb (FenMprLayout *self)
{
  static const FenSlabMode modes[] = { FEN_SLAB_NONE, FEN_SLAB_MIP, FEN_SLAB_MINIP, FEN_SLAB_AVERAGE };
  guint selected = gtk_drop_down_get_selected (self->slab_mode);

  fen_mpr_layout_set_slab (self, modes[MIN (selected, G_N_ELEMENTS (modes) - 1)],
                           gtk_spin_button_get_value (self->slab_thickness));
}

static void
fen_mpr_layout_reset_clicked_cb (FenMprLayout *self)
{
  fen_mpr_layout_reset (self);
}

/* Where the slab controls are on the window's surface: the e2e test aims
 * the pointer by it. */
void
_fen_mpr_layout_log_controls (FenMprLayout *self)
{
  GtkWidget *controls[] = { GTK_WIDGET (self->slab_mode), GTK_WIDGET (self->slab_thickness) };

  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    {
      double x, y;

      if (fen_rendered_frame_surface_place (controls[i], &x, &y))
        g_debug ("mpr-control %s at x=%.0f y=%.0f width=%d height=%d", i == 0 ? "slab-mode" : "slab-thickness",
                 x, y, gtk_widget_get_width (controls[i]), gtk_widget_get_height (controls[i]));
    }
}

static void
fen_mpr_layout_show_panes (FenMprLayout *self)
{
  guint n = self->state.volume != NULL ? fen_mpr_planes_get_n_planes (&self->state.planes) : 3;

  gtk_widget_set_visible (GTK_WIDGET (self->panes[FEN_MPR_PLANE_ACQUISITION]), n > 3);
  gtk_widget_set_visible (self->help_label, n <= 3);
}

/* Object ------------------------------------------------------------------ */

static void
fen_mpr_layout_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  const GdkRGBA black = { 0, 0, 0, 1 };

  /* Opaque: the layout covers the slice panes under it. */
  gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                                    gtk_widget_get_height (widget)));
  GTK_WIDGET_CLASS (fen_mpr_layout_parent_class)->snapshot (widget, snapshot);
}

static void
fen_mpr_layout_dispose (GObject *object)
{
  FenMprLayout *self = FEN_MPR_LAYOUT (object);

  for (guint p = 0; p < FEN_MPR_LAYOUT_N_PANES; p++)
    if (self->panes[p] != NULL)
      _fen_mpr_pane_clear (self->panes[p]);
  g_clear_pointer (&self->state.volume, fen_volume_unref);
  self->state.first = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_MPR_LAYOUT);
  G_OBJECT_CLASS (fen_mpr_layout_parent_class)->dispose (object);
}

static void
fen_mpr_layout_finalize (GObject *object)
{
  FenMprLayout *self = FEN_MPR_LAYOUT (object);

  g_clear_pointer (&self->state.measures, g_array_unref);
  g_clear_pointer (&self->state.lut, fen_lut_free);
  g_clear_pointer (&self->state.renderer, fen_renderer_free);
  g_clear_pointer (&self->state.pool, fen_render_pool_unref);
  G_OBJECT_CLASS (fen_mpr_layout_parent_class)->finalize (object);
}

static void
fen_mpr_layout_class_init (FenMprLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_mpr_layout_dispose;
  object_class->finalize = fen_mpr_layout_finalize;
  widget_class->snapshot = fen_mpr_layout_snapshot;

  /**
   * FenMprLayout::window-dragged:
   * A drag in a pane changed the window (fen_mpr_layout_get_window()): the
   * window passes it on to the series' slice view.
   */
  signals[WINDOW_DRAGGED] = g_signal_new ("window-dragged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * FenMprLayout::measurements-changed:
   * The planes' measurements, one's values or the selection changed (the
   * measurement panel lists them).
   */
  signals[MEASUREMENTS_CHANGED] = g_signal_new ("measurements-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (FEN_TYPE_MPR_PANE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-mpr-layout.ui");
  gtk_widget_class_bind_template_child (widget_class, FenMprLayout, title_label);
  gtk_widget_class_bind_template_child (widget_class, FenMprLayout, slab_mode);
  gtk_widget_class_bind_template_child (widget_class, FenMprLayout, slab_thickness);
  gtk_widget_class_bind_template_child (widget_class, FenMprLayout, help_label);
  gtk_widget_class_bind_template_child_full (widget_class, "pane0", FALSE,
                                             G_STRUCT_OFFSET (FenMprLayout, panes[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "pane1", FALSE,
                                             G_STRUCT_OFFSET (FenMprLayout, panes[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "pane2", FALSE,
                                             G_STRUCT_OFFSET (FenMprLayout, panes[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "pane3", FALSE,
                                             G_STRUCT_OFFSET (FenMprLayout, panes[3]));
  gtk_widget_class_bind_template_callback (widget_class, fen_mpr_layout_slab_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_mpr_layout_reset_clicked_cb);
  gtk_widget_class_set_css_name (widget_class, "fen-mpr-layout");
}

static void
fen_mpr_layout_init (FenMprLayout *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->state.lut = fen_lut_new ();
  /* Wide enough for a 4K screen at scale 2, as a slice viewport. */
  self->state.renderer = fen_renderer_new (0, 7680);
  self->state.pool = fen_render_pool_new (NULL, FEN_MPR_LAYOUT_POOL_SIZE);
  self->state.slab = FEN_SLAB_NONE;
  self->state.slab_mm = gtk_spin_button_get_value (self->slab_thickness);
  self->state.show_overlays = TRUE;
  self->state.measures = g_array_new (FALSE, TRUE, _fen_mpr_measure_item_size ());
  self->state.selected = self->state.active = -1;
  self->state.hovered = -1;
  self->state.pressed = FEN_MPR_PLANE_AXIAL;
  for (guint p = 0; p < FEN_MPR_LAYOUT_N_PANES; p++)
    _fen_mpr_pane_setup (self->panes[p], self, &self->state, (FenMprPlane) p);
}

GtkWidget *
fen_mpr_layout_new (void)
{
  return g_object_new (FEN_TYPE_MPR_LAYOUT, NULL);
}

void
fen_mpr_layout_set_monitor (FenMprLayout *self, FenMemoryMonitor *monitor)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  g_return_if_fail (self->state.volume == NULL);

  /* The pool accounts its bytes (as render buffers, never store) with the
   * monitor it was made with. */
  g_clear_pointer (&self->state.pool, fen_render_pool_unref);
  self->state.monitor = monitor;
  self->state.pool = fen_render_pool_new (monitor, FEN_MPR_LAYOUT_POOL_SIZE);
}

void
fen_mpr_layout_set_volume (FenMprLayout *self, FenVolume *volume, const FenWindowParams *window, const char *title)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));

  for (guint p = 0; p < FEN_MPR_LAYOUT_N_PANES; p++)
    _fen_mpr_pane_clear (self->panes[p]);
  if (volume != NULL)
    fen_volume_ref (volume);
  g_clear_pointer (&self->state.volume, fen_volume_unref);
  self->state.volume = volume;
  self->state.first = NULL;
  self->state.lut_valid = FALSE;
  self->state.window_serial++;
  /* The measurements belong to the series shown. */
  _fen_mpr_measure_clear (&self->state);
  if (volume == NULL)
    {
      /* Nothing of the series stays: its textures went with the panes'. */
      fen_render_pool_trim (self->state.pool, 0);
      gtk_label_set_text (self->title_label, "");
      g_signal_emit (self, signals[MEASUREMENTS_CHANGED], 0);
      return;
    }
  self->state.first = fen_volume_get_slice_image (volume, 0, NULL);
  if (window != NULL)
    self->state.window = *window;
  else
    fen_window_default (self->state.first, 0, &self->state.window);
  fen_mpr_planes_init (&self->state.planes, volume);
  /* Those drawn on the series' planes before, where they were. */
  _fen_mpr_measure_load (&self->state);
  g_signal_emit (self, signals[MEASUREMENTS_CHANGED], 0);
  for (guint p = 0; p < FEN_MPR_LAYOUT_N_PANES; p++)
    {
      int w = gtk_widget_get_width (GTK_WIDGET (self->panes[p])), h = gtk_widget_get_height (GTK_WIDGET (self->panes[p]));

      if (w > 0 && h > 0)
        fen_mpr_planes_set_size (&self->state.planes, (FenMprPlane) p, w, h);
    }
  fen_mpr_layout_show_panes (self);
  {
    g_autofree char *text = g_strdup_printf ("MPR  %s  (%u × %u × %u, %.2f mm apart)", title ? title : "",
                                             fen_volume_get_width (volume), fen_volume_get_height (volume),
                                             fen_volume_get_n_slices (volume),
                                             fen_volume_get_slice_spacing (volume));
    gtk_label_set_text (self->title_label, text);
  }
  g_debug ("mpr volume %ux%ux%u, %u plane(s), window center=%.6f width=%.6f", fen_volume_get_width (volume),
           fen_volume_get_height (volume), fen_volume_get_n_slices (volume),
           fen_mpr_planes_get_n_planes (&self->state.planes), self->state.window.center, self->state.window.width);
  _fen_mpr_layout_changed (self);
}

FenVolume *
fen_mpr_layout_get_volume (FenMprLayout *self)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), NULL);
  return self->state.volume;
}

const FenMprPlanes *
fen_mpr_layout_get_planes (FenMprLayout *self)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), NULL);
  return &self->state.planes;
}

void
fen_mpr_layout_get_window (FenMprLayout *self, FenWindowParams *out)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  *out = self->state.window;
}

void
fen_mpr_layout_set_window (FenMprLayout *self, const FenWindowParams *window)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self) && window != NULL);

  self->state.window = *window;
  self->state.window.width = MAX (self->state.window.width, 1.0);
  self->state.lut_valid = FALSE;
  self->state.window_serial++;
  _fen_mpr_layout_changed (self);
}

void
fen_mpr_layout_set_slab (FenMprLayout *self, FenSlabMode mode, double thickness_mm)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));

  if (mode == self->state.slab && thickness_mm == self->state.slab_mm)
    return;
  self->state.slab = mode;
  self->state.slab_mm = MAX (thickness_mm, 0.0);
  g_debug ("mpr slab %d %.1f mm", (int) mode, self->state.slab_mm);
  _fen_mpr_layout_changed (self);
  /* A region measures what the panes show: the projection. */
  if (self->state.volume != NULL && self->state.measures->len > 0)
    {
      _fen_mpr_measure_restat (&self->state);
      _fen_mpr_layout_measures_changed (self, FALSE);
    }
}

void
fen_mpr_layout_reset (FenMprLayout *self)
{
  FenMprPlanes *planes = &self->state.planes;
  FenMprPaneView views[FEN_MPR_N_PLANES];

  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  if (self->state.volume == NULL)
    return;
  memcpy (views, planes->views, sizeof views);
  fen_mpr_planes_init (planes, self->state.volume);
  for (guint p = 0; p < FEN_MPR_N_PLANES; p++)
    if (views[p].width > 0 && views[p].height > 0)
      fen_mpr_planes_set_size (planes, (FenMprPlane) p, views[p].width, views[p].height);
  _fen_mpr_layout_changed (self);
}

void
fen_mpr_layout_focus_plane (FenMprLayout *self, FenMprPlane plane)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self) && plane < FEN_MPR_LAYOUT_N_PANES);
  self->state.pressed = plane;
  gtk_widget_grab_focus (GTK_WIDGET (self->panes[plane]));
}

FenMprPlane
fen_mpr_layout_get_active_plane (FenMprLayout *self)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), FEN_MPR_PLANE_AXIAL);
  if (self->state.hovered >= 0 && self->state.hovered < FEN_MPR_LAYOUT_N_PANES &&
      gtk_widget_get_visible (GTK_WIDGET (self->panes[self->state.hovered])))
    return (FenMprPlane) self->state.hovered;
  return self->state.pressed;
}

void
fen_mpr_layout_scroll (FenMprLayout *self, int steps)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  if (self->state.volume != NULL && steps != 0)
    _fen_mpr_pane_scroll (self->panes[fen_mpr_layout_get_active_plane (self)], steps);
}

void
fen_mpr_layout_zoom (FenMprLayout *self, FenMprZoom zoom)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  if (self->state.volume != NULL)
    _fen_mpr_pane_zoom (self->panes[fen_mpr_layout_get_active_plane (self)], zoom);
}

void
fen_mpr_layout_set_show_overlays (FenMprLayout *self, gboolean show)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  self->state.show_overlays = show;
  for (guint p = 0; p < FEN_MPR_LAYOUT_N_PANES; p++)
    gtk_widget_queue_draw (GTK_WIDGET (self->panes[p]));
}

void
_fen_mpr_layout_redraw (FenMprLayout *self)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  for (guint p = 0; p < FEN_MPR_LAYOUT_N_PANES; p++)
    gtk_widget_queue_draw (GTK_WIDGET (self->panes[p]));
}

void
fen_mpr_layout_set_tool (FenMprLayout *self, FenViewportTool tool)
{
  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  /* An angle left half drawn goes with its tool, as on a slice. */
  if (tool != self->state.tool && self->state.drawing)
    {
      _fen_mpr_measure_drop_drawing (&self->state);
      _fen_mpr_layout_redraw (self);
    }
  self->state.tool = tool;
}

gboolean
fen_mpr_layout_delete_measurement (FenMprLayout *self)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), FALSE);
  if (!_fen_mpr_measure_delete_selected (&self->state))
    return FALSE;
  _fen_mpr_layout_redraw (self);
  _fen_mpr_layout_measures_changed (self, TRUE);
  return TRUE;
}

guint
fen_mpr_layout_get_n_measurements (FenMprLayout *self)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), 0);
  /* One being drawn is not one yet. */
  return self->state.measures->len - (self->state.drawing ? 1 : 0);
}

const FenMprMeasure *
fen_mpr_layout_get_measurement (FenMprLayout *self, guint index, const FenRoiStats **stats)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), NULL);
  g_return_val_if_fail (index < self->state.measures->len, NULL);
  return _fen_mpr_measure_get (&self->state, index, stats);
}

FenSlabMode
fen_mpr_layout_get_slab (FenMprLayout *self, double *thickness_mm)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), FEN_SLAB_NONE);
  if (thickness_mm != NULL)
    *thickness_mm = self->state.slab_mm;
  return self->state.slab;
}

int
fen_mpr_layout_get_selected_measurement (FenMprLayout *self)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), -1);
  return self->state.selected;
}

void
fen_mpr_layout_select_measurement (FenMprLayout *self, int index)
{
  FenMprPlanes *planes = &self->state.planes;
  const FenMprMeasure *m;
  gboolean moved = FALSE;

  g_return_if_fail (FEN_IS_MPR_LAYOUT (self));
  if (index < 0 || (guint) index >= self->state.measures->len)
    index = -1;
  if (index == self->state.selected)
    return;
  self->state.selected = index;
  if (index >= 0)
    {
      m = _fen_mpr_measure_get (&self->state, (guint) index, NULL);
      /* Shown where it was drawn: the pane whose plane is parallel to its
       * moves through it, unless a pane shows it already. */
      for (guint p = 0; p < FEN_MPR_N_PLANES && !moved; p++)
        {
          const double half = 0.5 * fen_mpr_planes_step (planes, (FenMprPlane) p, self->state.volume);

          if (gtk_widget_get_visible (GTK_WIDGET (self->panes[p])) &&
              fen_mpr_measure_is_on_plane (m, &planes->frames[p], planes->center, half))
            moved = TRUE;
        }
      for (guint p = 0; p < FEN_MPR_N_PLANES && !moved; p++)
        {
          const double *n = planes->frames[p].normal;
          double depth;

          if (!gtk_widget_get_visible (GTK_WIDGET (self->panes[p])) ||
              fabs (fen_vec3_dot (m->frame.normal, n)) < 1.0 - 1e-6)
            continue;
          depth = fen_vec3_dot (m->points[0], n) - fen_vec3_dot (planes->center, n);
          for (int k = 0; k < 3; k++)
            planes->center[k] += depth * n[k];
          g_debug ("mpr measure: the %s plane moves to measurement %d", fen_mpr_plane_to_string ((FenMprPlane) p),
                   index + 1);
          _fen_mpr_layout_changed (self);
          moved = TRUE;
        }
    }
  _fen_mpr_layout_redraw (self);
  _fen_mpr_layout_measures_changed (self, FALSE);
}

gboolean
fen_mpr_layout_delete_measurement_at (FenMprLayout *self, guint index)
{
  g_return_val_if_fail (FEN_IS_MPR_LAYOUT (self), FALSE);
  if (index >= self->state.measures->len || self->state.drawing)
    return FALSE;
  self->state.selected = (int) index;
  return fen_mpr_layout_delete_measurement (self);
}
