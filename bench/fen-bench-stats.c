/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-stats.c: repeats an operation under a plan and reports median,
 * 95th percentile and best. Medians rather than means because the machine is
 * shared: a neighbour's burst lands in the tail, not in the middle. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-stats.h"

#include "fen-bench-alloc.h"

#include <stdlib.h>
#include <time.h>

gint64
fen_bench_now_ns (void)
{
  struct timespec ts;

  /* g_get_monotonic_time() has microsecond steps: too coarse for a 512 x 512
   * update, which takes a few tens of them. */
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
fen_bench_compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double
fen_bench_percentile (const double *sorted, guint n, double p)
{
  guint rank = (guint) (p / 100.0 * n + 0.999999);

  rank = CLAMP (rank, 1u, n);
  return sorted[rank - 1];
}

void
fen_bench_stats_from_samples (double *samples_ms, guint n, FenBenchStats *out)
{
  out->n = n;
  out->allocations = 0;
  if (n == 0)
    {
      out->median = out->p95 = out->best = out->worst = 0;
      return;
    }
  qsort (samples_ms, n, sizeof *samples_ms, fen_bench_compare_double);
  out->median = n % 2 ? samples_ms[n / 2] : (samples_ms[n / 2 - 1] + samples_ms[n / 2]) / 2;
  out->p95 = fen_bench_percentile (samples_ms, n, 95);
  out->best = samples_ms[0];
  out->worst = samples_ms[n - 1];
}

void
fen_bench_measure (const FenBenchPlan *plan,
                   FenBenchFunc        func,
                   gpointer            data,
                   FenBenchStats      *out)
{
  /* Allocated before the clock starts, so the harness adds nothing to the
   * heap figures of what it measures. */
  g_autofree double *samples = g_new (double, MAX (plan->max_reps, 1u));
  gint64 start = fen_bench_now_ns ();
  guint64 allocations = 0;
  guint rep = 0, n = 0;

  for (; rep < plan->warmup; rep++)
    func (data, rep);

  start = fen_bench_now_ns ();
  while (n < plan->max_reps)
    {
      guint64 a0 = fen_bench_alloc_get_count ();
      gint64 t0 = fen_bench_now_ns ();

      func (data, rep++);
      samples[n++] = (fen_bench_now_ns () - t0) / 1e6;
      allocations += fen_bench_alloc_get_count () - a0;
      if (n >= plan->min_reps && (fen_bench_now_ns () - start) / 1e9 >= plan->budget_s)
        break;
    }
  fen_bench_stats_from_samples (samples, n, out);
  out->allocations = allocations;
}

void
fen_bench_measure_group (FenBenchCase *cases, guint n_cases, guint rounds)
{
  rounds = MAX (rounds, 1u);
  for (guint c = 0; c < n_cases; c++)
    {
      cases[c].samples_ms = g_new (double, MAX (cases[c].plan->max_reps, 1u));
      cases[c].n = 0;
      cases[c].rep = 0;
      cases[c].allocations = 0;
    }

  for (guint r = 0; r < rounds; r++)
    for (guint c = 0; c < n_cases; c++)
      {
        FenBenchCase *bc = &cases[c];
        const FenBenchPlan *plan = bc->plan;
        /* This round's share, rounded up so the total reaches the plan. */
        guint min_n = (plan->min_reps * (r + 1) + rounds - 1) / rounds;
        guint max_n = (guint) (((guint64) plan->max_reps * (r + 1)) / rounds);
        double budget = plan->budget_s / rounds;
        gint64 start;

        for (guint w = 0; w < plan->warmup; w++)
          bc->func (bc->data, bc->rep++);
        start = fen_bench_now_ns ();
        while (bc->n < MAX (max_n, min_n))
          {
            guint64 a0 = fen_bench_alloc_get_count ();
            gint64 t0 = fen_bench_now_ns ();

            bc->func (bc->data, bc->rep++);
            bc->samples_ms[bc->n++] = (fen_bench_now_ns () - t0) / 1e6;
            bc->allocations += fen_bench_alloc_get_count () - a0;
            if (bc->n >= min_n && (fen_bench_now_ns () - start) / 1e9 >= budget)
              break;
          }
      }

  for (guint c = 0; c < n_cases; c++)
    {
      fen_bench_stats_from_samples (cases[c].samples_ms, cases[c].n, &cases[c].stats);
      cases[c].stats.allocations = cases[c].allocations;
      g_clear_pointer (&cases[c].samples_ms, g_free);
    }
}
