/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-naive.h: the textbook window/level loop the benchmark compares against. */
#pragma once

#include <fenestra/fenestra.h>

G_BEGIN_DECLS

/* Full frame 0 of @image (monochrome, 16-bit) into BGRA8, one pixel at a time, in double. */
void fen_bench_naive_full     (const FenImage *image,
                               double          center,
                               double          width,
                               guint8         *out);

/* The same through @sampling into an @out_width x @out_height BGRA8 buffer. */
void fen_bench_naive_viewport (const FenImage    *image,
                               double             center,
                               double             width,
                               const FenSampling *sampling,
                               guint              out_width,
                               guint              out_height,
                               guint8            *out);

G_END_DECLS
