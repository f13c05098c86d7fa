/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-memory-panel.c: FenMemoryPanel shows what the memory monitor sees,
 * in words a radiologist reads: the whole program and what Fenestra holds
 * now (refreshed twice a second while visible) and over the session (a
 * graph), each operation with its deltas as it ends, and the largest images
 * in memory. Images are named here by series and image number; the monitor
 * and its log keep ids only, never a description. */
#define G_LOG_DOMAIN "fen-memory-panel"

#include "fen-memory-panel.h"
#include "fen-memory-graph.h"

#include <stdlib.h>

#define FEN_MEMORY_PANEL_MAX_ROWS 64
#define FEN_MEMORY_PANEL_REFRESH_MS 500

enum {
  FIELD_RSS,
  FIELD_PEAK,
  FIELD_HEAP,
  FIELD_STORE,
  FIELD_RENDER,
  FIELD_CACHE,
  FIELD_BUDGET,
  N_FIELDS
};

static const char *field_names[N_FIELDS] = {
  "Whole program", "Whole program, highest", "Working memory", "Images in memory",
  "Display buffers", "Previews and caches", "Budget for images and caches",
};

struct _FenMemoryPanel
{
  GtkWidget         parent_instance;

  /* Owned */
  guint             refresh_id;

  /* Borrowed */
  GtkWidget        *box;
  GtkGrid          *grid;
  GtkLabel         *state_label;
  GtkListBox       *operations;
  GtkListBox       *buffers;
  GtkLabel         *values[N_FIELDS];
  FenMemoryGraph   *graph;
  FenMemoryMonitor *monitor;
  FenStore         *store;
  guint             n_rows;
  FenMemoryState    state;
  gint64            pressure;
};

G_DEFINE_FINAL_TYPE (FenMemoryPanel, fen_memory_panel, GTK_TYPE_WIDGET)

static char *
fen_memory_panel_delta (gint64 delta)
{
  char buf[32];

  fen_memory_format_size (delta < 0 ? -delta : delta, buf, sizeof buf);
  return g_strdup_printf ("%s%s", delta < 0 ? "−" : "+", buf);
}

/* "Head 5 mm axial, image 12": what the panel calls image @id. */
static char *
fen_memory_panel_image_name (FenMemoryPanel *self, guint id, gboolean with_image)
{
  FenImage *image = self->store != NULL ? fen_store_lookup (self->store, id) : NULL;
  const FenImageInfo *info;
  g_autofree char *series = NULL;

  if (image == NULL)
    return g_strdup_printf ("image %u (closed)", id);
  info = fen_image_get_info (image);
  series = info->series_description != NULL && *info->series_description != '\0'
           ? g_strdup (info->series_description)
           : g_strdup_printf ("series %d", info->series_number);
  if (!with_image)
    return g_steal_pointer (&series);
  return g_strdup_printf ("%s, image %d", series, info->instance_number);
}

static gboolean
fen_memory_panel_rename_cb (const GMatchInfo *match, GString *out, gpointer data)
{
  FenMemoryPanel *self = data;
  g_autofree char *first = g_match_info_fetch (match, 1);
  g_autofree char *count = g_match_info_fetch (match, 2);
  g_autofree char *name = NULL;

  if (count != NULL && *count != '\0')
    {
      g_autofree char *series = fen_memory_panel_image_name (self, (guint) atoi (first), FALSE);
      name = g_strdup_printf ("%s, %s images", series, count);
    }
  else
    name = fen_memory_panel_image_name (self, (guint) atoi (first), TRUE);
  g_string_append (out, name);
  return FALSE;
}

/* The monitor's label with its image ids as names: "open img-1..img-24
 * (24)" reads "open Head 5 mm axial, 24 images". */
static char *
fen_memory_panel_rename (FenMemoryPanel *self, const char *label)
{
  g_autoptr(GRegex) ids = g_regex_new ("img-([0-9]+)(?:\\.\\.img-[0-9]+ \\(([0-9]+)\\))?", 0, 0, NULL);
  char *text = g_regex_replace_eval (ids, label, -1, 0, 0, fen_memory_panel_rename_cb, self, NULL);

  return text != NULL ? text : g_strdup (label);
}

void
fen_memory_panel_add_operation (FenMemoryPanel *self, const FenMemoryOperation *op)
{
  g_autofree char *rss = fen_memory_panel_delta (op->after.rss - op->before.rss);
  g_autofree char *store = fen_memory_panel_delta (op->after.store_bytes - op->before.store_bytes);
  g_autofree char *render = fen_memory_panel_delta (op->after.render_bytes - op->before.render_bytes);
  g_autofree char *text = NULL;
  g_autofree char *named = fen_memory_panel_rename (self, op->before.label);
  g_autofree char *label = g_markup_escape_text (named, -1);
  char now[32];
  GtkWidget *row;

  fen_memory_graph_add_sample (self->graph, op->after.time_us, op->after.rss,
                               op->after.store_bytes + op->after.cache_bytes + op->after.render_bytes);
  fen_memory_graph_add_mark (self->graph, op->after.time_us);
  fen_memory_format_size (op->after.rss, now, sizeof now);
  text = g_strdup_printf ("<b>%s</b>  <small>#%" G_GUINT64_FORMAT ", %u update%s, %.0f ms</small>\n"
                          "<small>whole program %s → %s · images %s · display %s</small>",
                          label, op->serial, op->n_updates, op->n_updates == 1 ? "" : "s",
                          (op->after.time_us - op->before.time_us) / 1000.0, rss, now, store, render);
  row = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (row), text);
  gtk_label_set_xalign (GTK_LABEL (row), 0);
  gtk_list_box_prepend (self->operations, row);
  if (++self->n_rows > FEN_MEMORY_PANEL_MAX_ROWS)
    {
      GtkListBoxRow *last = gtk_list_box_get_row_at_index (self->operations, FEN_MEMORY_PANEL_MAX_ROWS);

      if (last != NULL)
        gtk_list_box_remove (self->operations, GTK_WIDGET (last));
      self->n_rows--;
    }
}

static void
fen_memory_panel_set_field (FenMemoryPanel *self, guint field, gint64 bytes)
{
  char buf[32];

  gtk_label_set_text (self->values[field], fen_memory_format_size (bytes, buf, sizeof buf));
}

void
fen_memory_panel_refresh (FenMemoryPanel *self)
{
  FenMemorySnapshot s;
  g_autoptr(GArray) list = NULL;
  GtkWidget *child;
  FenMemoryState state;
  g_autofree char *state_text = NULL;

  if (self->monitor == NULL)
    return;
  fen_memory_monitor_snapshot (self->monitor, "panel", &s);
  fen_memory_panel_set_field (self, FIELD_RSS, s.rss);
  fen_memory_panel_set_field (self, FIELD_PEAK, s.peak_rss);
  fen_memory_panel_set_field (self, FIELD_HEAP, s.heap);
  fen_memory_panel_set_field (self, FIELD_STORE, s.store_bytes);
  fen_memory_panel_set_field (self, FIELD_RENDER, s.render_bytes);
  fen_memory_panel_set_field (self, FIELD_CACHE, s.cache_bytes);
  fen_memory_panel_set_field (self, FIELD_BUDGET, fen_memory_monitor_get_budget (self->monitor));
  {
    double warning, critical;
    fen_memory_monitor_get_levels (self->monitor, &warning, &critical);
    fen_memory_graph_set_budget (self->graph, fen_memory_monitor_get_budget (self->monitor), warning, critical);
    fen_memory_graph_add_sample (self->graph, s.time_us, s.rss, s.store_bytes + s.cache_bytes + s.render_bytes);
  }

  state = self->state;
  {
    const double used = 100.0 * self->pressure / MAX (fen_memory_monitor_get_budget (self->monitor), 1);
    state_text = state == FEN_MEMORY_CRITICAL
      ? g_strdup_printf ("At the budget (%.0f %% used): images not on screen are let go", used)
      : state == FEN_MEMORY_WARNING
      ? g_strdup_printf ("Near the budget (%.0f %% used): previews are let go first", used)
      : g_strdup_printf ("Within the budget (%.0f %% used)", used);
  }
  gtk_label_set_text (self->state_label, state_text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "normal");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "error");
  if (state == FEN_MEMORY_NORMAL)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "normal");
  else if (state == FEN_MEMORY_WARNING)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
  else if (state == FEN_MEMORY_CRITICAL)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "error");

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->buffers))) != NULL)
    gtk_list_box_remove (self->buffers, child);
  if (self->store == NULL)
    return;
  list = fen_store_list_buffers (self->store);
  for (guint i = 0; i < list->len; i++)
    {
      const FenBufferInfo *b = &g_array_index (list, FenBufferInfo, i);
      char size[32];
      g_autofree char *name = fen_memory_panel_image_name (self, b->image_id, TRUE);
      g_autofree char *text = g_strdup_printf ("%s — %s", name,
                                               fen_memory_format_size ((gint64) b->bytes, size, sizeof size));
      GtkWidget *row = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (row), 0);
      gtk_list_box_append (self->buffers, row);
    }
  if (list->len == 0)
    {
      GtkWidget *row = gtk_label_new ("No image open");

      gtk_widget_add_css_class (row, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (row), 0);
      gtk_list_box_append (self->buffers, row);
    }
}

static gboolean
fen_memory_panel_tick_cb (gpointer user_data)
{
  fen_memory_panel_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
fen_memory_panel_map (GtkWidget *widget)
{
  FenMemoryPanel *self = FEN_MEMORY_PANEL (widget);

  GTK_WIDGET_CLASS (fen_memory_panel_parent_class)->map (widget);
  fen_memory_panel_refresh (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (FEN_MEMORY_PANEL_REFRESH_MS, fen_memory_panel_tick_cb, self);
}

static void
fen_memory_panel_unmap (GtkWidget *widget)
{
  FenMemoryPanel *self = FEN_MEMORY_PANEL (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  GTK_WIDGET_CLASS (fen_memory_panel_parent_class)->unmap (widget);
}

static void
fen_memory_panel_dispose (GObject *object)
{
  FenMemoryPanel *self = FEN_MEMORY_PANEL (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_MEMORY_PANEL);
  G_OBJECT_CLASS (fen_memory_panel_parent_class)->dispose (object);
}

static void
fen_memory_panel_class_init (FenMemoryPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_memory_panel_dispose;
  widget_class->map = fen_memory_panel_map;
  widget_class->unmap = fen_memory_panel_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-memory-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, FenMemoryPanel, box);
  gtk_widget_class_bind_template_child (widget_class, FenMemoryPanel, grid);
  gtk_widget_class_bind_template_child (widget_class, FenMemoryPanel, state_label);
  gtk_widget_class_bind_template_child (widget_class, FenMemoryPanel, operations);
  gtk_widget_class_bind_template_child (widget_class, FenMemoryPanel, buffers);
  gtk_widget_class_bind_template_child (widget_class, FenMemoryPanel, graph);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fen-memory-panel");
}

static void
fen_memory_panel_init (FenMemoryPanel *self)
{
  g_type_ensure (FEN_TYPE_MEMORY_GRAPH);
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_FIELDS; i++)
    {
      GtkWidget *name = gtk_label_new (field_names[i]);
      GtkWidget *value = gtk_label_new ("—");

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_add_css_class (name, "dim-label");
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_set_hexpand (value, TRUE);
      gtk_grid_attach (self->grid, name, 0, (int) i, 1, 1);
      gtk_grid_attach (self->grid, value, 1, (int) i, 1, 1);
      self->values[i] = GTK_LABEL (value);
    }
}

void
fen_memory_panel_set_state (FenMemoryPanel *self, FenMemoryState state, gint64 pressure)
{
  g_return_if_fail (FEN_IS_MEMORY_PANEL (self));
  self->state = state;
  self->pressure = pressure;
}

void
fen_memory_panel_set_monitor (FenMemoryPanel *self, FenMemoryMonitor *monitor, FenStore *store)
{
  g_return_if_fail (FEN_IS_MEMORY_PANEL (self));

  self->monitor = monitor;
  self->store = store;
  /* Show what happened before the panel existed, oldest at the bottom. */
  for (guint i = fen_memory_monitor_get_n_operations (monitor); i > 0; i--)
    fen_memory_panel_add_operation (self, fen_memory_monitor_get_operation (monitor, i - 1));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    fen_memory_panel_refresh (self);
}
