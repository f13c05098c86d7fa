/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-summary.h: ratios against the references of the same run, the
 * brief's headline keys, and the targets (1 met, 0 missed). */
#pragma once

#include <glib.h>

#include "fen-bench-report.h"

G_BEGIN_DECLS

/* Adds the derived keys to @report; @sizes are the image sizes measured. */
void fen_bench_summary_compute       (FenBenchReport *report, const guint *sizes, guint n_sizes);
/* The "Targets" block of the text report. */
void fen_bench_summary_print_targets (FenBenchReport *report);

G_END_DECLS
