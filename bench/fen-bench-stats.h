/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-stats.h: timing one operation many times and summarising it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * FenBenchPlan:
 * How often to repeat: @warmup unrecorded runs, then at least @min_reps and
 * at most @max_reps recorded ones, stopping once @budget_s seconds were spent
 * and @min_reps were reached.
 */
typedef struct {
  guint  warmup;
  guint  min_reps;
  guint  max_reps;
  double budget_s;
} FenBenchPlan;

/* All times in milliseconds; @allocations made by the recorded runs. */
typedef struct {
  guint   n;
  double  median;
  double  p95;
  double  best;
  double  worst;
  guint64 allocations;
} FenBenchStats;

/* One repetition; @rep counts from 0 over warm-up and recorded runs. */
typedef void (*FenBenchFunc) (gpointer data, guint rep);

gint64   fen_bench_now_ns      (void);
void     fen_bench_stats_from_samples (double *samples_ms, guint n, FenBenchStats *out);
void     fen_bench_measure     (const FenBenchPlan *plan,
                                FenBenchFunc        func,
                                gpointer            data,
                                FenBenchStats      *out);

/**
 * FenBenchCase:
 * One operation of a group measured together: @samples_ms is owned by the
 * group run, @stats is the result.
 */
typedef struct {
  const char         *key;
  const FenBenchPlan *plan;
  FenBenchFunc        func;
  gpointer            data;
  FenBenchStats       stats;
  /* private */
  double             *samples_ms;
  guint               n;
  guint               rep;
  guint64             allocations;
} FenBenchCase;

/**
 * fen_bench_measure_group:
 * Measures @n_cases operations in @rounds rounds; each round gives every
 * case its share of its plan in turn (with its warm-up, so caches hold that
 * case's data). On a shared machine the load changes from second to second:
 * interleaving puts the operations that are compared under the same load,
 * so their ratios hold even when the absolute times do not.
 */
void     fen_bench_measure_group (FenBenchCase *cases, guint n_cases, guint rounds);

G_END_DECLS
