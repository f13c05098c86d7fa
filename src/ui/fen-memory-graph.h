/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-memory-graph.h: memory over the session as a small graph. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FEN_TYPE_MEMORY_GRAPH (fen_memory_graph_get_type ())
G_DECLARE_FINAL_TYPE (FenMemoryGraph, fen_memory_graph, FEN, MEMORY_GRAPH, GtkWidget)

GtkWidget *fen_memory_graph_new        (void);
/* A sample: the whole program (RSS) and what Fenestra holds against the
 * budget (images, display buffers, caches), at @time_us (monotonic). */
void       fen_memory_graph_add_sample (FenMemoryGraph *self, gint64 time_us, gint64 rss, gint64 held);
/* An operation ended at @time_us: a tick on the time axis. */
void       fen_memory_graph_add_mark   (FenMemoryGraph *self, gint64 time_us);
void       fen_memory_graph_set_budget (FenMemoryGraph *self, gint64 budget, double warning, double critical);

G_END_DECLS
