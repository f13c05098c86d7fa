/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pane.c: FenPane is one cell of the layout grid (1x1 to 2x2): a
 * FenViewport under its four corner overlays, outlined while active, and a
 * drop target for a series dragged from the sidebar. The pane owns what
 * it shows: its "series" and "slice" properties, shown in its viewport
 * (fen_pane_show()); the window decides which (fen-main-window*.c) and
 * follows the active pane's properties instead of keeping copies. The
 * pane reports a press ("activated") and a drop ("series-dropped"). */
#define G_LOG_DOMAIN "fen-pane"

#include "fen-pane.h"
#include "fen-series.h"
#include "fen-viewport.h"

#include <string.h>

struct _FenPane
{
  GtkWidget    parent_instance;

  /* Owned */
  FenSeries   *series;        /* shown, or NULL */

  /* Borrowed */
  FenStore    *store;
  GtkWidget   *overlay;
  FenViewport *viewport;
  GtkLabel    *top_left;
  GtkLabel    *top_right;
  GtkLabel    *bottom_left;
  GtkLabel    *bottom_right;

  guint        slice;         /* of series, from 0 */
};

G_DEFINE_FINAL_TYPE (FenPane, fen_pane, GTK_TYPE_WIDGET)

enum {
  ACTIVATED,
  SERIES_DROPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_SERIES,
  PROP_SLICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

FenSeries *
fen_pane_get_series (FenPane *self)
{
  g_return_val_if_fail (FEN_IS_PANE (self), NULL);
  return self->series;
}

guint
fen_pane_get_slice (FenPane *self)
{
  g_return_val_if_fail (FEN_IS_PANE (self), 0);
  return self->slice;
}

void
fen_pane_set_store (FenPane *self, FenStore *store)
{
  g_return_if_fail (FEN_IS_PANE (self));
  self->store = store;
}

gboolean
fen_pane_show (FenPane *self, FenSeries *series, guint slice)
{
  FenImage *image;
  guint id, frame;
  gboolean same;

  g_return_val_if_fail (FEN_IS_PANE (self), FALSE);

  if (series == NULL)
    {
      fen_viewport_set_image (self->viewport, NULL, 0, FALSE);
      self->slice = 0;
      if (g_set_object (&self->series, NULL))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIES]);
      return FALSE;
    }
  slice = MIN (slice, MAX (fen_series_get_n_slices (series), 1) - 1);
  if (self->store == NULL || !fen_series_get_slice (series, slice, &id, &frame) ||
      (image = fen_store_lookup (self->store, id)) == NULL)
    return FALSE;
  /* Within one series the view and window stay; another starts afresh. */
  same = series == self->series && fen_viewport_get_image (self->viewport) != NULL;
  g_object_freeze_notify (G_OBJECT (self));
  if (g_set_object (&self->series, series))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIES]);
  if (slice != self->slice)
    {
      self->slice = slice;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SLICE]);
    }
  fen_viewport_set_image (self->viewport, image, frame, same);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

static void
fen_pane_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FenPane *self = FEN_PANE (object);

  switch (prop_id)
    {
    case PROP_SERIES: g_value_set_object (value, self->series); break;
    case PROP_SLICE:  g_value_set_uint (value, self->slice); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_pane_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FenPane *self = FEN_PANE (object);

  switch (prop_id)
    {
    case PROP_SERIES: fen_pane_show (self, g_value_get_object (value), 0); break;
    case PROP_SLICE:  fen_pane_show (self, self->series, g_value_get_uint (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_pane_pressed_cb (FenPane *self, int n_press, double x, double y, GtkGestureClick *gesture)
{
  /* Capture phase, never claimed: the viewport's own gestures still run. */
  g_signal_emit (self, signals[ACTIVATED], 0);
}

static gboolean
fen_pane_drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, FenPane *self)
{
  const char *key = g_value_get_string (value);

  if (key == NULL || !g_str_has_prefix (key, "fenestra-series:"))
    return FALSE;
  g_signal_emit (self, signals[SERIES_DROPPED], 0, key + strlen ("fenestra-series:"));
  return TRUE;
}

FenViewport *
fen_pane_get_viewport (FenPane *self)
{
  g_return_val_if_fail (FEN_IS_PANE (self), NULL);
  return self->viewport;
}

void
fen_pane_set_active (FenPane *self, gboolean active)
{
  g_return_if_fail (FEN_IS_PANE (self));
  if (active)
    gtk_widget_add_css_class (GTK_WIDGET (self), "fen-pane-active");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "fen-pane-active");
}

static void
fen_pane_set_label (GtkLabel *label, const char *text)
{
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  if (text != NULL && g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

void
fen_pane_set_overlays (FenPane    *self,
                       const char *top_left,
                       const char *top_right,
                       const char *bottom_left,
                       const char *bottom_right)
{
  g_return_if_fail (FEN_IS_PANE (self));
  fen_pane_set_label (self->top_left, top_left);
  fen_pane_set_label (self->top_right, top_right);
  fen_pane_set_label (self->bottom_left, bottom_left);
  fen_pane_set_label (self->bottom_right, bottom_right);
}

static void
fen_pane_dispose (GObject *object)
{
  FenPane *self = FEN_PANE (object);

  g_clear_object (&self->series);
  gtk_widget_dispose_template (GTK_WIDGET (object), FEN_TYPE_PANE);
  G_OBJECT_CLASS (fen_pane_parent_class)->dispose (object);
}

static void
fen_pane_class_init (FenPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_pane_dispose;
  object_class->get_property = fen_pane_get_property;
  object_class->set_property = fen_pane_set_property;

  /**
   * FenPane:series:
   * The series shown (%NULL for none); setting it shows its first slice.
   */
  properties[PROP_SERIES] = g_param_spec_object ("series", NULL, NULL, FEN_TYPE_SERIES,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * FenPane:slice:
   * The slice of the series shown, from 0 (frames of all its images, one
   * after the other).
   */
  properties[PROP_SLICE] = g_param_spec_uint ("slice", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * FenPane::activated:
   * A button went down in the pane: it becomes the active one.
   */
  signals[ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * FenPane::series-dropped:
   * A series (its key) was dropped on the pane from the sidebar.
   */
  signals[SERIES_DROPPED] = g_signal_new ("series-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (FEN_TYPE_VIEWPORT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, FenPane, overlay);
  gtk_widget_class_bind_template_child (widget_class, FenPane, viewport);
  gtk_widget_class_bind_template_child (widget_class, FenPane, top_left);
  gtk_widget_class_bind_template_child (widget_class, FenPane, top_right);
  gtk_widget_class_bind_template_child (widget_class, FenPane, bottom_left);
  gtk_widget_class_bind_template_child (widget_class, FenPane, bottom_right);
  gtk_widget_class_bind_template_callback (widget_class, fen_pane_pressed_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fen-pane");
}

static void
fen_pane_init (FenPane *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_COPY);

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (target, "drop", G_CALLBACK (fen_pane_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}
