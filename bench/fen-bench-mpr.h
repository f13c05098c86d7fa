/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-mpr.h: the multiplanar reformat figures (mpr_*). */
#pragma once

#include <fenestra/fenestra.h>

#include "fen-bench-report.h"
#include "fen-bench-stats.h"

G_BEGIN_DECLS

/* Builds a 512 x 512 x 1000 CT in memory and measures its reformats into a
 * 1920 x 1080 fitted view on @renderer, @rounds interleaved rounds of @plan. */
void fen_bench_mpr_run   (FenBenchReport     *report,
                          FenRenderer        *renderer,
                          const FenBenchPlan *plan,
                          guint               rounds);
/* The mpr_* rows of the human-readable table. */
void fen_bench_mpr_print (FenBenchReport *report);

G_END_DECLS
