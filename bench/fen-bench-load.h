/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-load.h: loading one file, each time in a fresh process, with
 * fen_load_file and with the references (read(), DCMTK's dataset, DCMTK's
 * DicomImage): its time and its peak RSS above the process's baseline. */
#pragma once

#include <glib.h>

#include "fen-bench-report.h"

G_BEGIN_DECLS

/* One file to load: keys are load_<loader>_<tag><suffix>_... */
typedef struct {
  const char *path;
  const char *tag;          /* "15mb" */
  const char *suffix;       /* "", "_rle", ... */
  const char *label;        /* " RLE": printed after the tag */
  gsize       pixel_bytes;  /* the peak is reported as a multiple of this */
  const char *warm;         /* (nullable): a small file of the same encoding */
} FenBenchLoadRow;

/* The child side (--load-one): loads @warm first when not NULL (start-up
 * costs out of the figure), then @path with @loader (NULL: "fen"), and
 * prints "ms=... peak_above=... bytes=... reset=..." on stdout.
 * Returns: the process's exit status. */
int      fen_bench_load_one  (const char *path, const char *loader, const char *warm,
                              guint frame_threads);

/* The parent side: every row with every loader, @runs children each, each
 * child started as "@self --load-one"; medians into @report. */
gboolean fen_bench_load_rows (FenBenchReport *report, const FenBenchLoadRow *rows, guint n_rows,
                              const char *self, const char *warm, guint runs, GError **error);

/* A compressed multi-frame file loaded by fen_load_file() on one frame
 * thread and on every processor, @runs fresh children each, interleaved:
 * multiframe_<tag>_load_ms_1thread, _load_ms, _speedup, _peak_ratio_1thread,
 * _peak_ratio (peak above the baseline / @pixel_bytes) and _frame_ratio (a
 * compressed frame on average / the pixel bytes of all frames). */
gboolean fen_bench_load_frames (FenBenchReport *report, const char *tag, const char *path,
                                guint frames, gsize pixel_bytes, const char *self,
                                const char *warm, guint runs, GError **error);

/* The load table of the text report, when @report holds load figures. */
void     fen_bench_load_print (FenBenchReport *report, guint runs);

G_END_DECLS
