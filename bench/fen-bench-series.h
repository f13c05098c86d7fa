/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-series.h: a compressed series loaded on one thread and on all
 * processors (fen-load-queue.h), same run. */
#pragma once

#include <glib.h>

#include "fen-bench-report.h"

G_BEGIN_DECLS

/* JPEG lossless (SV1) copies of @paths, written by DCMTK's dcmcjpeg unless
 * @fresh says they exist. Returns: (transfer full): the copies' paths. */
char   **fen_bench_series_write_jpeg (const char *dir, char **paths, guint n, gboolean fresh,
                                      GError **error);

/* series_jpeg_load_ms_1thread, series_jpeg_load_ms (every processor),
 * series_jpeg_speedup, series_jpeg_threads: medians of @runs loads each,
 * interleaved, a fresh store each time. */
gboolean fen_bench_series_parallel  (FenBenchReport *report, char **paths, guint n, guint runs,
                                     GError **error);

G_END_DECLS
