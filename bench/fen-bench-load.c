/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-load.c: one load per fresh process, so that each figure has its
 * own baseline and its own peak (VmHWM), the references measured the same
 * way in the same run. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <fenestra/fenestra.h>

#include "fen-bench-input.h"
#include "fen-bench-stats.h"
#include "fen-dcmtk-reference.h"

/* The "read-huge" reference: the file read into memory mapped as
 * fen-image.c maps pixel buffers (2 MiB aligned, MADV_HUGEPAGE), so that
 * a load and the read it is compared with pay the same first-touch cost. */
static char *
fen_bench_map_huge (gsize bytes)
{
  const gsize huge = 2u << 20;
  char *p = mmap (NULL, bytes + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *at;

  g_assert (p != MAP_FAILED);
  at = (char *) (((guintptr) p + huge - 1) & ~(guintptr) (huge - 1));
  /* The unaligned slack stays mapped and untouched until exit. */
  (void) madvise (at, bytes, MADV_HUGEPAGE);
  return at;
}

/* The child side: one load in a fresh process, its time and its peak. */
int
fen_bench_load_one (const char *load_path, const char *loader_name, const char *warm,
                    guint frame_threads)
{
  FenLoadOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  const char *loader = loader_name ? loader_name : "fen";
  gint64 rss0 = 0, peak1 = 0, t0 = 0, t1 = 0;
  gsize bytes = 0;
  gboolean reset = FALSE;

  options.frame_threads = frame_threads;
  /* Warm the same code path on a small file first: DCMTK reads its data
   * dictionary and registers codecs once per process, and malloc sets up
   * its arenas. That is start-up, not the cost of loading this file. */
  for (int pass = warm ? 0 : 1; pass < 2; pass++)
    {
      const char *path = pass == 0 ? warm : load_path;

      if (pass == 1)
        {
          reset = fen_memory_reset_peak ();
          fen_memory_read_process (&rss0, NULL, NULL);
          t0 = fen_bench_now_ns ();
        }

      if (strcmp (loader, "read") == 0 || strcmp (loader, "read-huge") == 0)
        {
          const gboolean huge = strcmp (loader, "read-huge") == 0;
          g_autofree char *data = NULL;
          int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
          struct stat st;
          gsize done = 0;

          if (fd < 0 || fstat (fd, &st) != 0)
            {
              g_printerr ("fenestra-bench: %s: %s\n", path, g_strerror (errno));
              return 1;
            }
          data = huge ? fen_bench_map_huge (st.st_size) : g_malloc (st.st_size);
          while (done < (gsize) st.st_size)
            {
              gssize got = read (fd, data + done, st.st_size - done);
              if (got <= 0)
                break;
              done += got;
            }
          close (fd);
          bytes = done;
          if (pass == 1)
            {
              t1 = fen_bench_now_ns ();
              fen_memory_read_process (NULL, &peak1, NULL);
            }
          if (huge)
            munmap (g_steal_pointer (&data), st.st_size);
        }
      else if (strcmp (loader, "fen") == 0)
        {
          g_autoptr(FenImage) image = fen_load_file (path, &options, &error);

          if (image == NULL)
            {
              g_printerr ("fenestra-bench: %s\n", error->message);
              return 1;
            }
          bytes = fen_image_get_pixel_bytes (image);
          if (pass == 1)
            {
              t1 = fen_bench_now_ns ();
              fen_memory_read_process (NULL, &peak1, NULL);
            }
        }
      else if (strcmp (loader, "dcmtk-dataset") == 0)
        {
          if (!fen_dcmtk_reference_load_dataset (path, &error))
            {
              g_printerr ("fenestra-bench: %s\n", error->message);
              return 1;
            }
          /* Freed inside: the peak is what matters, read right after. */
          if (pass == 1)
            {
              t1 = fen_bench_now_ns ();
              fen_memory_read_process (NULL, &peak1, NULL);
            }
        }
      else if (strcmp (loader, "dcmtk-image") == 0)
        {
          g_autoptr(FenDcmtkReference) ref = fen_dcmtk_reference_open (path, &error);

          if (ref == NULL)
            {
              g_printerr ("fenestra-bench: %s\n", error->message);
              return 1;
            }
          bytes = (gsize) fen_dcmtk_reference_get_width (ref) * fen_dcmtk_reference_get_height (ref) * 2;
          if (pass == 1)
            {
              t1 = fen_bench_now_ns ();
              fen_memory_read_process (NULL, &peak1, NULL);
            }
        }
      else
        {
          g_printerr ("fenestra-bench: unknown loader '%s'\n", loader);
          return 2;
        }
    }

  printf ("ms=%.4f peak_above=%" G_GINT64_FORMAT " bytes=%" G_GSIZE_FORMAT " reset=%d\n",
          (t1 - t0) / 1e6, MAX (peak1 - rss0, 0), bytes, reset);
  return 0;
}
typedef struct {
  const char *name;      /* loader argument and key part */
  const char *label;
} FenBenchLoader;

static const FenBenchLoader fen_bench_loaders[] = {
  { "read",          "read() of the file" },
  { "read-huge",     "read() into huge pages, as images" },
  { "fen",           "fen_load_file" },
  { "dcmtk-dataset", "DCMTK loadFile+loadAllDataIntoMemory" },
  { "dcmtk-image",   "DCMTK DicomImage constructor" },
};

static gboolean
fen_bench_spawn_load (const char *self, const char *warm, const char *loader, const char *path,
                      guint frame_threads, double *ms, gint64 *peak, gboolean *reset,
                      GError **error)
{
  char threads[16];
  const char *argv[] = { self, "--load-one", path, "--loader", loader,
                         "--warm", warm, "--frame-threads", threads, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0, did_reset = 0;
  gsize bytes = 0;

  g_snprintf (threads, sizeof threads, "%u", frame_threads);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "load child failed (%s): ", err ? g_strstrip (err) : "");
      return FALSE;
    }
  if (sscanf (out, "ms=%lf peak_above=%" G_GINT64_FORMAT " bytes=%" G_GSIZE_FORMAT " reset=%d",
              ms, peak, &bytes, &did_reset) != 4)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "load child said '%s'", out);
      return FALSE;
    }
  *reset = did_reset;
  return TRUE;
}
gboolean
fen_bench_load_rows (FenBenchReport *report, const FenBenchLoadRow *rows, guint n_rows,
                     const char *self, const char *warm, guint runs, GError **error)
{
  for (guint row = 0; row < n_rows; row++)
    {
      const char *path = rows[row].path, *tag = rows[row].tag, *suffix = rows[row].suffix;
      const double pixel_bytes = (double) rows[row].pixel_bytes;
      g_autofree char *k_bytes = g_strdup_printf ("load_file_bytes_%s%s", tag, suffix);
      GStatBuf st;

      if (g_stat (path, &st) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                       g_strerror (errno));
          return FALSE;
        }
      const char *row_warm = rows[row].warm != NULL ? rows[row].warm : warm;
      if (!fen_bench_input_warm_cache (path, error) || !fen_bench_input_warm_cache (row_warm, error))
        return FALSE;
      fprintf (stderr, "load %s%s (%.1f MB file):\n", tag, rows[row].label, st.st_size / 1e6);
      fen_bench_report_set_int (report, k_bytes, st.st_size);

      for (guint l = 0; l < G_N_ELEMENTS (fen_bench_loaders); l++)
        {
          const FenBenchLoader *loader = &fen_bench_loaders[l];
          g_autofree double *times = g_new (double, runs);
          g_autofree double *peaks = g_new (double, runs);
          g_autofree char *prefix = g_strdup_printf ("load_%s_%s%s", loader->name, tag, suffix);
          g_autofree char *k_peak = NULL, *k_ratio = NULL;
          FenBenchStats t, p;
          gboolean all_reset = TRUE;

          g_strdelimit (prefix, "-", '_');
          for (guint r = 0; r < runs; r++)
            {
              gint64 peak;
              gboolean reset;

              if (!fen_bench_spawn_load (self, row_warm, loader->name, path, 0, &times[r], &peak,
                                         &reset, error))
                return FALSE;
              peaks[r] = (double) peak;
              all_reset &= reset;
            }
          fen_bench_stats_from_samples (times, runs, &t);
          fen_bench_stats_from_samples (peaks, runs, &p);
          /* Timed in the children: their allocations are not counted here. */
          fen_bench_report_set_times (report, prefix, &t);
          k_peak = g_strconcat (prefix, "_peak_bytes", NULL);
          k_ratio = g_strconcat (prefix, "_peak_ratio", NULL);
          /* The median run's peak; runs differ by a few pages at most. */
          fen_bench_report_set_int (report, k_peak, (gint64) p.median);
          fen_bench_report_set (report, k_ratio, p.median / pixel_bytes);
          if (!all_reset)
            fen_bench_report_set_int (report, "load_peak_reset_failed", 1);
          fprintf (stderr, "  %-40s median %8.2f ms  peak +%6.1f MB (%.3f x pixels)\n",
                   loader->label, t.median, p.median / 1e6, p.median / pixel_bytes);
        }
    }
  return TRUE;
}

gboolean
fen_bench_load_frames (FenBenchReport *report, const char *tag, const char *path, guint frames,
                       gsize pixel_bytes, const char *self, const char *warm, guint runs,
                       GError **error)
{
  g_autofree double *ms1 = g_new (double, runs), *msn = g_new (double, runs);
  g_autofree double *peak1 = g_new (double, runs), *peakn = g_new (double, runs);
  const guint all = g_get_num_processors ();
  FenBenchStats t1, tn, p1, pn;
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !fen_bench_input_warm_cache (path, error) ||
      !fen_bench_input_warm_cache (warm, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                     g_strerror (errno));
      return FALSE;
    }
  /* Interleaved, so a change in the machine's load hits both alike. */
  for (guint r = 0; r < runs; r++)
    {
      gint64 peak;
      gboolean reset;

      if (!fen_bench_spawn_load (self, warm, "fen", path, 1, &ms1[r], &peak, &reset, error))
        return FALSE;
      peak1[r] = (double) peak;
      if (!fen_bench_spawn_load (self, warm, "fen", path, all, &msn[r], &peak, &reset, error))
        return FALSE;
      peakn[r] = (double) peak;
    }
  fen_bench_stats_from_samples (ms1, runs, &t1);
  fen_bench_stats_from_samples (msn, runs, &tn);
  fen_bench_stats_from_samples (peak1, runs, &p1);
  fen_bench_stats_from_samples (peakn, runs, &pn);
#define FEN_KEY(suffix) g_strdup_printf ("multiframe_%s_%s", tag, suffix)
  g_autofree char *k1 = FEN_KEY ("load_ms_1thread"), *kn = FEN_KEY ("load_ms");
  g_autofree char *ks = FEN_KEY ("speedup"), *kp1 = FEN_KEY ("peak_ratio_1thread");
  g_autofree char *kpn = FEN_KEY ("peak_ratio"), *kf = FEN_KEY ("frame_ratio");
#undef FEN_KEY
  fen_bench_report_set (report, k1, t1.median);
  fen_bench_report_set (report, kn, tn.median);
  fen_bench_report_set (report, ks, t1.median / tn.median);
  fen_bench_report_set (report, kp1, p1.median / pixel_bytes);
  fen_bench_report_set (report, kpn, pn.median / pixel_bytes);
  fen_bench_report_set (report, kf, (double) st.st_size / frames / pixel_bytes);
  fprintf (stderr, "  multi-frame %s (%u frames): 1 thread %.1f ms / %.3f x pixels, %u threads "
           "%.1f ms / %.3f x (speedup %.2f; a compressed frame is %.4f x)\n", tag, frames,
           t1.median, p1.median / pixel_bytes, all, tn.median, pn.median / pixel_bytes,
           t1.median / tn.median, (double) st.st_size / frames / pixel_bytes);
  return TRUE;
}

void
fen_bench_load_print (FenBenchReport *r, guint runs)
{
  const char *tags[] = { "15mb", "15mb_rle", "15mb_jpeg", "15mb_jpegls", "128mb", "128mb_rle" };

  if (!fen_bench_report_has (r, "load_fen_15mb_ms_median"))
    return;
  printf ("\nLoad from the page cache, fresh process each, median of %u: ms / peak RSS above baseline as x pixel bytes\n",
          runs);
  printf ("  %-38s  %18s  %18s  %18s  %18s  %18s  %18s\n", "", "15 MB", "15 MB RLE", "15 MB JPEG",
          "15 MB JPEG-LS", "128 MB", "128 MB RLE");
  for (guint l = 0; l < G_N_ELEMENTS (fen_bench_loaders); l++)
    {
      g_autofree char *name = g_strdelimit (g_strdup (fen_bench_loaders[l].name), "-", '_');

      printf ("  %-38s", fen_bench_loaders[l].label);
      for (guint t = 0; t < G_N_ELEMENTS (tags); t++)
        {
          g_autofree char *k_ms = g_strdup_printf ("load_%s_%s_ms_median", name, tags[t]);
          g_autofree char *k_ratio = g_strdup_printf ("load_%s_%s_peak_ratio", name, tags[t]);

          printf ("  %9.2f / %5.3fx", fen_bench_report_get (r, k_ms), fen_bench_report_get (r, k_ratio));
        }
      printf ("\n");
    }
}
