/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-report.h: the named figures of one run, in the order measured. */
#pragma once

#include <glib.h>

#include "fen-bench-stats.h"

G_BEGIN_DECLS

typedef struct _FenBenchReport FenBenchReport;

FenBenchReport *fen_bench_report_new  (void);
void            fen_bench_report_free (FenBenchReport *report);

/* Sets (or replaces) @key. Integers print without a fraction. */
void     fen_bench_report_set     (FenBenchReport *report, const char *key, double value);
void     fen_bench_report_set_int (FenBenchReport *report, const char *key, gint64 value);
void     fen_bench_report_set_str (FenBenchReport *report, const char *key, const char *value);
/* PREFIX_ms_median, _ms_p95, _ms_best and _n. */
void     fen_bench_report_set_times (FenBenchReport *report, const char *prefix, const FenBenchStats *stats);
/* The times and PREFIX_allocs_per_op, for operations timed in this process. */
void     fen_bench_report_set_stats (FenBenchReport *report, const char *prefix, const FenBenchStats *stats);
/* NaN when absent. */
double   fen_bench_report_get     (FenBenchReport *report, const char *key);
gboolean fen_bench_report_has     (FenBenchReport *report, const char *key);

/* Returns: (transfer full): one JSON object, keys in insertion order. */
char    *fen_bench_report_to_json (FenBenchReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenBenchReport, fen_bench_report_free)

G_END_DECLS
