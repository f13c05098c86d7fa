/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-summary.c: the figures the targets are stated in, derived from
 * the measured ones of the same run, and the targets met or missed. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-summary.h"

#include <math.h>
#include <stdio.h>

static void
fen_bench_ratio (FenBenchReport *r, const char *key, const char *num, const char *den)
{
  fen_bench_report_set (r, key, fen_bench_report_get (r, num) / fen_bench_report_get (r, den));
}

static void
fen_bench_copy (FenBenchReport *r, const char *to, const char *from)
{
  fen_bench_report_set (r, to, fen_bench_report_get (r, from));
}

void
fen_bench_summary_compute (FenBenchReport *r, const guint *sizes, guint n_sizes)
{
  double kib = fen_bench_report_get (r, "heap_growth_bytes");

  /* The headline figures of the brief, all of the 15 MB image. */
  fen_bench_copy (r, "wl_viewport_ms_median", "wl_viewport_fit_2800_ms_median");
  fen_bench_copy (r, "wl_viewport_ms_p95", "wl_viewport_fit_2800_ms_p95");
  fen_bench_copy (r, "wl_fullres_ms_median", "wl_fullres_2800_ms_median");
  fen_bench_copy (r, "wl_fullres_ms_p95", "wl_fullres_2800_ms_p95");
  fen_bench_copy (r, "dcmtk_wl_ms_median", "dcmtk_wl_2800_ms_median");
  fen_bench_copy (r, "dcmtk_wl_ms_p95", "dcmtk_wl_2800_ms_p95");
  fen_bench_copy (r, "memcpy_ms_median", "memcpy_2800_ms_median");
  fen_bench_copy (r, "memcpy_ms_p95", "memcpy_2800_ms_p95");
  fen_bench_copy (r, "naive_fullres_ms_median", "naive_fullres_2800_ms_median");
  fen_bench_copy (r, "lut_build_ms_median", "lut_build_2800_ms_median");
  if (fen_bench_report_has (r, "load_fen_15mb_peak_ratio"))
    {
      fen_bench_copy (r, "load_peak_ratio", "load_fen_15mb_peak_ratio");
      fen_bench_ratio (r, "load_time_ratio", "load_fen_15mb_ms_median", "load_read_15mb_ms_median");
      fen_bench_ratio (r, "load_time_ratio_128mb", "load_fen_128mb_ms_median", "load_read_128mb_ms_median");
      fen_bench_ratio (r, "load_time_ratio_15mb_rle", "load_fen_15mb_rle_ms_median", "load_read_15mb_rle_ms_median");
      fen_bench_ratio (r, "load_time_ratio_128mb_rle", "load_fen_128mb_rle_ms_median", "load_read_128mb_rle_ms_median");
      fen_bench_ratio (r, "load_time_ratio_15mb_jpeg", "load_fen_15mb_jpeg_ms_median", "load_read_15mb_jpeg_ms_median");
      fen_bench_ratio (r, "load_time_ratio_15mb_jpegls", "load_fen_15mb_jpegls_ms_median", "load_read_15mb_jpegls_ms_median");
      /* The same loads against a read() into huge pages, as the image's
       * buffer is mapped: what is left once both pay the same page faults. */
      fen_bench_ratio (r, "load_time_ratio_huge", "load_fen_15mb_ms_median", "load_read_huge_15mb_ms_median");
      fen_bench_ratio (r, "load_time_ratio_128mb_huge", "load_fen_128mb_ms_median", "load_read_huge_128mb_ms_median");
      fen_bench_ratio (r, "load_time_ratio_15mb_rle_huge", "load_fen_15mb_rle_ms_median", "load_read_huge_15mb_rle_ms_median");
      fen_bench_ratio (r, "load_time_ratio_128mb_rle_huge", "load_fen_128mb_rle_ms_median", "load_read_huge_128mb_rle_ms_median");
      fen_bench_ratio (r, "load_dcmtk_dataset_over_fen_15mb", "load_dcmtk_dataset_15mb_ms_median", "load_fen_15mb_ms_median");
      fen_bench_ratio (r, "load_dcmtk_image_over_fen_15mb", "load_dcmtk_image_15mb_ms_median", "load_fen_15mb_ms_median");
    }

  /* Ratios: what the targets are stated in. */
  fen_bench_ratio (r, "dcmtk_over_viewport_ratio", "dcmtk_wl_2800_ms_median", "wl_viewport_fit_2800_ms_median");
  fen_bench_ratio (r, "viewport_fit_flatness_ratio", "wl_viewport_fit_8000_ms_median", "wl_viewport_fit_512_ms_median");
  fen_bench_ratio (r, "viewport_fit_pyramid_flatness_ratio", "wl_viewport_fit_pyramid_8000_ms_median", "wl_viewport_fit_pyramid_512_ms_median");
  fen_bench_ratio (r, "dcmtk_over_viewport_pyramid_ratio", "dcmtk_wl_2800_ms_median", "wl_viewport_fit_pyramid_2800_ms_median");
  fen_bench_ratio (r, "viewport_1to1_flatness_ratio", "wl_viewport_1to1_8000_ms_median", "wl_viewport_1to1_512_ms_median");
  fen_bench_ratio (r, "dcmtk_over_viewport_ratio_best", "dcmtk_wl_2800_ms_best", "wl_viewport_fit_2800_ms_best");
  fen_bench_ratio (r, "dcmtk_over_viewport_1thread_ratio", "dcmtk_wl_2800_ms_median", "wl_viewport_fit_1thread_2800_ms_median");
  fen_bench_ratio (r, "dcmtk_over_viewport_bound_ratio", "dcmtk_wl_2800_ms_median", "memcpy_viewport_fit_2800_ms_median");
  fen_bench_ratio (r, "naive_over_viewport_ratio", "naive_viewport_fit_2800_ms_median", "wl_viewport_fit_2800_ms_median");
  /* The same against the update before issue 14 (whole output, letterbox
   * included), measured in the same rounds: the A/B of writing only the
   * image. */
  fen_bench_ratio (r, "dcmtk_over_viewport_whole_ratio", "dcmtk_wl_2800_ms_median", "wl_viewport_fit_whole_2800_ms_median");
  fen_bench_ratio (r, "dcmtk_over_viewport_whole_bound_ratio", "dcmtk_wl_2800_ms_median", "memcpy_viewport_fit_whole_2800_ms_median");
  fen_bench_ratio (r, "viewport_whole_over_rect_ratio", "wl_viewport_fit_whole_2800_ms_median", "wl_viewport_fit_2800_ms_median");
  for (guint s = 0; s < n_sizes; s++)
    {
      guint n = sizes[s];
      double moved = (double) n * n * (2 + 4); /* bytes read + written per update */
      g_autofree char *k_full = g_strdup_printf ("wl_fullres_%u_ms_median", n);
      g_autofree char *k_memcpy = g_strdup_printf ("memcpy_%u_ms_median", n);
      g_autofree char *k_dcmtk = g_strdup_printf ("dcmtk_wl_%u_ms_median", n);
      g_autofree char *k_naive = g_strdup_printf ("naive_fullres_%u_ms_median", n);
      g_autofree char *k_ratio = g_strdup_printf ("fullres_over_memcpy_ratio_%u", n);
      g_autofree char *k_dcmtk_ratio = g_strdup_printf ("dcmtk_over_fullres_ratio_%u", n);
      g_autofree char *k_naive_ratio = g_strdup_printf ("naive_over_fullres_ratio_%u", n);
      g_autofree char *k_gbs = g_strdup_printf ("fullres_gb_per_s_%u", n);
      g_autofree char *k_view = g_strdup_printf ("wl_viewport_fit_%u_ms_median", n);
      g_autofree char *k_view_bound = g_strdup_printf ("memcpy_viewport_fit_%u_ms_median", n);
      g_autofree char *k_view_ratio = g_strdup_printf ("viewport_over_memcpy_ratio_%u", n);
      g_autofree char *k_mgbs = g_strdup_printf ("memcpy_gb_per_s_%u", n);

      fen_bench_ratio (r, k_ratio, k_full, k_memcpy);
      fen_bench_ratio (r, k_view_ratio, k_view, k_view_bound);
      fen_bench_ratio (r, k_dcmtk_ratio, k_dcmtk, k_full);
      fen_bench_ratio (r, k_naive_ratio, k_naive, k_full);
      fen_bench_report_set (r, k_gbs, moved / (fen_bench_report_get (r, k_full) * 1e6));
      /* memcpy moves each byte twice (read and write). */
      fen_bench_report_set (r, k_mgbs, 2 * moved / (fen_bench_report_get (r, k_memcpy) * 1e6));
    }
  fen_bench_copy (r, "fullres_over_memcpy_ratio", "fullres_over_memcpy_ratio_2800");

  /* Targets: 1 met, 0 missed. */
  fen_bench_report_set_int (r, "target_viewport_5x_dcmtk_met",
                            fen_bench_report_get (r, "dcmtk_over_viewport_ratio") >= 5);
  /* Issue 14: at least 6 on 2 cores. */
  fen_bench_report_set_int (r, "target_viewport_6x_dcmtk_met",
                            fen_bench_report_get (r, "dcmtk_over_viewport_ratio") >= 6);
  fen_bench_report_set_int (r, "target_viewport_flat_met",
                            fen_bench_report_get (r, "viewport_fit_flatness_ratio") <= 1.25);
  fen_bench_report_set_int (r, "target_fullres_memcpy_met",
                            fen_bench_report_get (r, "fullres_over_memcpy_ratio") <= 1);
  if (fen_bench_report_has (r, "load_peak_ratio"))
    {
      fen_bench_report_set_int (r, "target_load_peak_met", fen_bench_report_get (r, "load_peak_ratio") <= 1.15);
      fen_bench_report_set_int (r, "target_load_time_met", fen_bench_report_get (r, "load_time_ratio") <= 2);
    }
  if (fen_bench_report_has (r, "heap_growth_bytes"))
    fen_bench_report_set_int (r, "target_heap_flat_met", fabs (kib) <= 4096);
}

static const char *
fen_bench_met (FenBenchReport *r, const char *key)
{
  double v = fen_bench_report_get (r, key);

  return isnan (v) ? "not measured" : v ? "met" : "MISSED";
}

void
fen_bench_summary_print_targets (FenBenchReport *r)
{
  printf ("\nTargets (ratios of the same run)\n");
  printf ("  viewport W/L >= 6x faster than DCMTK (15 MB):  %6.2fx  %s (bandwidth bound allows %.2fx; viewport / its memcpy %.2fx;\n"
          "                                                           whole output as before: %.2fx, bound %.2fx)\n",
          fen_bench_report_get (r, "dcmtk_over_viewport_ratio"), fen_bench_met (r, "target_viewport_6x_dcmtk_met"),
          fen_bench_report_get (r, "dcmtk_over_viewport_bound_ratio"),
          fen_bench_report_get (r, "viewport_over_memcpy_ratio_2800"),
          fen_bench_report_get (r, "dcmtk_over_viewport_whole_ratio"),
          fen_bench_report_get (r, "dcmtk_over_viewport_whole_bound_ratio"));
  printf ("  viewport flat in size, 128 MB / 0.5 MB <= 1.25: %6.2fx  %s (from the pyramid: %.2fx; 1:1 centre: %.2fx)\n",
          fen_bench_report_get (r, "viewport_fit_flatness_ratio"), fen_bench_met (r, "target_viewport_flat_met"),
          fen_bench_report_get (r, "viewport_fit_pyramid_flatness_ratio"),
          fen_bench_report_get (r, "viewport_1to1_flatness_ratio"));
  printf ("  full resolution / memcpy <= 1 (15 MB):          %6.2fx  %s (0.5 MB %.2fx, 128 MB %.2fx)\n",
          fen_bench_report_get (r, "fullres_over_memcpy_ratio"), fen_bench_met (r, "target_fullres_memcpy_met"),
          fen_bench_report_get (r, "fullres_over_memcpy_ratio_512"),
          fen_bench_report_get (r, "fullres_over_memcpy_ratio_8000"));
  printf ("  load peak / pixel bytes <= 1.15 (15 MB):        %6.3fx  %s\n",
          fen_bench_report_get (r, "load_peak_ratio"), fen_bench_met (r, "target_load_peak_met"));
  printf ("  load time / read() <= 2 (15 MB):                %6.2fx  %s (128 MB %.2fx)\n",
          fen_bench_report_get (r, "load_time_ratio"), fen_bench_met (r, "target_load_time_met"),
          fen_bench_report_get (r, "load_time_ratio_128mb"));
  printf ("  heap growth over the drift run ~ 0:           %+7.0f B  %s\n",
          fen_bench_report_get (r, "heap_growth_bytes"), fen_bench_met (r, "target_heap_flat_met"));
}
