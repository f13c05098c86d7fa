/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-memory-graph.c: FenMemoryGraph draws the memory of the session so
 * far: the whole program and what Fenestra holds, with the budget's warning
 * and critical levels as lines and each operation as a tick. Samples live
 * in fixed rings: the graph allocates nothing as it fills. */
#define G_LOG_DOMAIN "fen-memory-graph"

#include "fen-memory-graph.h"

#define FEN_GRAPH_SAMPLES 720
#define FEN_GRAPH_MARKS 256

typedef struct {
  gint64 time_us, rss, held;
} FenGraphSample;

struct _FenMemoryGraph
{
  GtkWidget      parent_instance;

  FenGraphSample samples[FEN_GRAPH_SAMPLES];
  guint          n_samples, first_sample;
  gint64         marks[FEN_GRAPH_MARKS];
  guint          n_marks, first_mark;
  gint64         budget;
  double         warning, critical;
};

G_DEFINE_FINAL_TYPE (FenMemoryGraph, fen_memory_graph, GTK_TYPE_WIDGET)

GtkWidget *
fen_memory_graph_new (void)
{
  return g_object_new (FEN_TYPE_MEMORY_GRAPH, NULL);
}

void
fen_memory_graph_add_sample (FenMemoryGraph *self, gint64 time_us, gint64 rss, gint64 held)
{
  const guint at = (self->first_sample + self->n_samples) % FEN_GRAPH_SAMPLES;

  self->samples[at] = (FenGraphSample) { time_us, rss, held };
  if (self->n_samples < FEN_GRAPH_SAMPLES)
    self->n_samples++;
  else
    self->first_sample = (self->first_sample + 1) % FEN_GRAPH_SAMPLES;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fen_memory_graph_add_mark (FenMemoryGraph *self, gint64 time_us)
{
  const guint at = (self->first_mark + self->n_marks) % FEN_GRAPH_MARKS;

  self->marks[at] = time_us;
  if (self->n_marks < FEN_GRAPH_MARKS)
    self->n_marks++;
  else
    self->first_mark = (self->first_mark + 1) % FEN_GRAPH_MARKS;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fen_memory_graph_set_budget (FenMemoryGraph *self, gint64 budget, double warning, double critical)
{
  self->budget = budget;
  self->warning = warning;
  self->critical = critical;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static const FenGraphSample *
fen_memory_graph_sample (FenMemoryGraph *self, guint i)
{
  return &self->samples[(self->first_sample + i) % FEN_GRAPH_SAMPLES];
}

static void
fen_memory_graph_line (cairo_t *cr, double y, double width, double r, double g, double b, gboolean dashed)
{
  static const double dash[] = { 4.0, 3.0 };

  cairo_set_source_rgb (cr, r, g, b);
  cairo_set_dash (cr, dash, dashed ? 2 : 0, 0);
  cairo_move_to (cr, 0, y);
  cairo_line_to (cr, width, y);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
fen_memory_graph_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FenMemoryGraph *self = FEN_MEMORY_GRAPH (widget);
  const double width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  const double plot = height - 8; /* the bottom 8 px hold the operation ticks */
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gint64 top = self->budget, t0, t1;

  cairo_set_source_rgba (cr, 0, 0, 0, 0.25);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  if (self->n_samples < 2)
    {
      cairo_destroy (cr);
      return;
    }
  /* The scale follows the memory in use; the budget's lines show when they
   * are within four times of it, else their levels are written instead. */
  gint64 used = 1;
  for (guint i = 0; i < self->n_samples; i++)
    used = MAX (used, MAX (fen_memory_graph_sample (self, i)->rss, fen_memory_graph_sample (self, i)->held));
  const gint64 critical_bytes = (gint64) (self->critical * self->budget);
  const gboolean budget_shown = self->budget > 0 && critical_bytes <= 4 * used;
  top = (gint64) (MAX (used, budget_shown ? critical_bytes : 0) * 1.15) + 1;
  t0 = fen_memory_graph_sample (self, 0)->time_us;
  t1 = MAX (fen_memory_graph_sample (self, self->n_samples - 1)->time_us, t0 + 1);
#define FEN_X(t) ((double) ((t) - t0) / (double) (t1 - t0) * width)
#define FEN_Y(v) (plot - (double) (v) / (double) top * plot)

  cairo_set_line_width (cr, 1.0);
  if (budget_shown)
    {
      fen_memory_graph_line (cr, FEN_Y (self->warning * self->budget), width, 0.96, 0.66, 0.16, TRUE);
      fen_memory_graph_line (cr, FEN_Y (self->critical * self->budget), width, 0.90, 0.25, 0.25, TRUE);
    }
  /* The whole program (blue), then what Fenestra holds (green). */
  for (guint line = 0; line < 2; line++)
    {
      cairo_set_line_width (cr, 1.5);
      if (line == 0)
        cairo_set_source_rgb (cr, 0.40, 0.62, 0.95);
      else
        cairo_set_source_rgb (cr, 0.45, 0.85, 0.45);
      for (guint i = 0; i < self->n_samples; i++)
        {
          const FenGraphSample *s = fen_memory_graph_sample (self, i);
          const double x = FEN_X (s->time_us), y = FEN_Y (line == 0 ? s->rss : s->held);
          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
    }
  cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
  cairo_set_line_width (cr, 1.0);
  for (guint i = 0; i < self->n_marks; i++)
    {
      const gint64 t = self->marks[(self->first_mark + i) % FEN_GRAPH_MARKS];
      if (t < t0 || t > t1)
        continue;
      cairo_move_to (cr, FEN_X (t) + 0.5, height);
      cairo_line_to (cr, FEN_X (t) + 0.5, height - 6);
    }
  cairo_stroke (cr);
#undef FEN_X
#undef FEN_Y
  cairo_destroy (cr);

  /* The legend, and the budget's levels when they are off the scale. */
  {
    const GdkRGBA blue = { 0.40, 0.62, 0.95, 1 }, green = { 0.45, 0.85, 0.45, 1 }, grey = { 0.8, 0.8, 0.8, 1 };
    g_autoptr(PangoLayout) a = gtk_widget_create_pango_layout (widget, "whole program");
    g_autoptr(PangoLayout) b = gtk_widget_create_pango_layout (widget, "images, display, caches");
    int aw, ah;

    pango_layout_get_pixel_size (a, &aw, &ah);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (4, 2));
    gtk_snapshot_append_layout (snapshot, a, &blue);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (aw + 12, 0));
    gtk_snapshot_append_layout (snapshot, b, &green);
    gtk_snapshot_restore (snapshot);
    if (self->budget > 0 && !budget_shown)
      {
        char w[32], c[32];
        g_autofree char *text = NULL;
        g_autoptr(PangoLayout) l = NULL;
        int lw, lh;

        g_snprintf (w, sizeof w, "%.1f", self->warning * self->budget / 1073741824.0);
        g_snprintf (c, sizeof c, "%.1f", self->critical * self->budget / 1073741824.0);
        text = g_strdup_printf ("budget levels %s / %s GiB, far above", w, c);
        l = gtk_widget_create_pango_layout (widget, text);
        pango_layout_get_pixel_size (l, &lw, &lh);
        gtk_snapshot_save (snapshot);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (4, 2 + ah));
        gtk_snapshot_append_layout (snapshot, l, &grey);
        gtk_snapshot_restore (snapshot);
      }
  }
}

static void
fen_memory_graph_class_init (FenMemoryGraphClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = fen_memory_graph_snapshot;
  gtk_widget_class_set_css_name (widget_class, "fen-memory-graph");
}

static void
fen_memory_graph_init (FenMemoryGraph *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), -1, 110);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               "Blue: the whole program. Green: images, display buffers and caches, "
                               "held against the budget. Dashed: the budget's warning (orange) and "
                               "critical (red) levels. Ticks: operations.");
}
