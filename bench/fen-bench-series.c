/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-series.c: parallel series loading, measured against the same
 * load on one thread in the same run. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-series.h"

#include <stdio.h>
#include <fenestra/fenestra.h>

#include "fen-bench-input.h"
#include "fen-bench-stats.h"

char **
fen_bench_series_write_jpeg (const char *dir, char **paths, guint n, gboolean fresh, GError **error)
{
  g_auto(GStrv) out = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("series-jpeg-%03u.dcm", i);
      out[i] = g_build_filename (dir, name, NULL);
      if (fresh)
        continue;
      /* +e1: JPEG lossless, first-order prediction (1.2.840.10008.1.2.4.70). */
      const char *argv[] = { "dcmcjpeg", "--quiet", "+e1", paths[i], out[i], NULL };
      if (!fen_bench_input_spawn (argv, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

static void
fen_bench_series_done (guint index, FenImage *image, const GError *error, gpointer data)
{
  if (error != NULL)
    g_atomic_int_inc ((gint *) data);
}

static gboolean
fen_bench_series_load (char **paths, guint n, guint threads, double *ms, GError **error)
{
  g_autoptr(FenStore) store = fen_store_new ();
  gint failed = 0;
  const gint64 t0 = g_get_monotonic_time ();

  if (!fen_load_queue_run (store, (const char *const *) paths, n, 0, threads, NULL, NULL,
                           fen_bench_series_done, &failed, error))
    return FALSE;
  *ms = (g_get_monotonic_time () - t0) / 1e3;
  if (failed != 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%d series files failed to load", failed);
      return FALSE;
    }
  return TRUE;
}

gboolean
fen_bench_series_parallel (FenBenchReport *report, char **paths, guint n, guint runs, GError **error)
{
  const guint all = g_get_num_processors ();
  g_autofree double *one = g_new (double, runs);
  g_autofree double *many = g_new (double, runs);
  FenBenchStats s1, sn;

  for (guint i = 0; i < n; i++)
    if (!fen_bench_input_warm_cache (paths[i], error))
      return FALSE;
  /* Interleaved, so a change in the machine's load hits both alike. */
  for (guint r = 0; r < runs; r++)
    if (!fen_bench_series_load (paths, n, 1, &one[r], error) ||
        !fen_bench_series_load (paths, n, all, &many[r], error))
      return FALSE;
  fen_bench_stats_from_samples (one, runs, &s1);
  fen_bench_stats_from_samples (many, runs, &sn);
  fen_bench_report_set (report, "series_jpeg_load_ms_1thread", s1.median);
  fen_bench_report_set (report, "series_jpeg_load_ms", sn.median);
  fen_bench_report_set (report, "series_jpeg_speedup", s1.median / sn.median);
  fen_bench_report_set_int (report, "series_jpeg_threads", all);
  fprintf (stderr, "  series of %u JPEG lossless slices: 1 thread %.1f ms, %u threads %.1f ms "
           "(speedup %.2f)\n", n, s1.median, all, sn.median, s1.median / sn.median);
  return TRUE;
}
