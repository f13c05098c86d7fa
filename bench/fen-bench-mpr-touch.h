/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-mpr-touch.h: the memory reference of a reformat plane: one
 * read of each source line its trilinear samples need (mpr_*_touch). */
#pragma once

#include <fenestra/fenestra.h>

G_BEGIN_DECLS

typedef struct _FenBenchTouch FenBenchTouch;

/* Lists the 64-byte lines of @volume's 16-bit slices that a trilinear
 * reformat of @plane into @out_width x @out_height reads, each once, in the
 * order the output rows first need them; a second thread waits to help.
 * Returns: (transfer full): free with fen_bench_touch_free(). */
FenBenchTouch *fen_bench_touch_new         (const FenVolume        *volume,
                                            const FenPlaneGeometry *plane,
                                            guint                   out_width,
                                            guint                   out_height,
                                            guint                   rows_per_chunk);
guint          fen_bench_touch_get_n_lines (const FenBenchTouch *touch);
/* Reads one byte of every listed line, @shift bytes on (the plane moved
 * by whole pixels), in chunks of @rows_per_chunk output rows taken from a
 * shared counter by the caller and, if @two_threads, the helper thread.
 * Returns: the sum of the bytes (so the reads are not optimised away). */
gint64         fen_bench_touch_run         (FenBenchTouch *touch,
                                            gint64         shift,
                                            gboolean       two_threads);
void           fen_bench_touch_free        (FenBenchTouch *touch);

G_END_DECLS
