/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-mpr.c: multiplanar reformat of a 512 x 512 x 1000 CT (0.7 mm
 * pixels, 0.625 mm slices, 500 MiB held once in the images) into a
 * 1920 x 1080 BGRA8 view fitted as the viewer fits: the axial update (the
 * slice renderer), coronal, sagittal, a double-oblique plane and a 10 mm
 * axial MIP, interleaved so their ratios hold on a shared machine. Each
 * repetition moves the plane by one native step, as scrolling does; a
 * window change on the MIP plane maps its kept values. The
 * cache lines the sampling touches per output row explain what sagittal
 * costs: they are counted from the geometry, not guessed. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-mpr.h"
#include "fen-bench-mpr-touch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FEN_MPR_W     512
#define FEN_MPR_H     512
#define FEN_MPR_N     1000
#define FEN_MPR_PIXEL 0.7
#define FEN_MPR_SLICE 0.625
#define FEN_MPR_OUT_W 1920
#define FEN_MPR_OUT_H 1080
/* Repetitions of each case in the one-thread CPU-time pass. */
#define FEN_MPR_CPU_REPS 15

typedef struct {
  FenRenderer  *renderer;
  FenLut       *lut;
  FenVolume    *volume;
  GPtrArray    *images;
  guint8       *out;
  /* The case */
  gboolean      axial;        /* the 2D renderer on a slice */
  gboolean      touch;        /* the memory reference: one read per line sagittal needs */
  volatile gint64 sink;
  FenBenchTouch *lines;       /* the oblique's memory reference: its lines, read once */
  gboolean      lines_two;    /* on two threads */
  double        lines_px[2];  /* pixels the plane moves per step, along a slice's rows and columns */
  const gint32 *kept;         /* a plane's kept values: a window change maps them */
  FenSampling   sampling;     /* axial */
  FenReformat   reformat;
  double        step[3];      /* moved per repetition, mm */
  double        origin[3];
} FenBenchMprJob;

/* CT-like content: body ellipse, lungs, a spine, bright vessels along z. */
static gint16
fen_bench_mpr_value (guint x, guint y, guint z)
{
  double dx = (x - 256.0) / 230, dy = (y - 270.0) / 170;
  double r = dx * dx + dy * dy;
  double lx = (fabs (x - 256.0) - 100) / 70, ly = (y - 250.0) / 110;

  if (r > 1)
    return -1000;
  if (lx * lx + ly * ly < 1)
    return (gint16) (-850 + ((x * 7 + y * 13 + z * 3) % 50));
  if ((x - 256) * (x - 256) + (y - 400) * (y - 400) < 900)
    return (gint16) (700 + (z % 40));
  if ((x - 230 + z / 50) % 60 < 3 && (y - 300) % 45 < 3)
    return 300;
  return (gint16) (40 + ((x + y + z) % 21) - 10);
}

static GPtrArray *
fen_bench_mpr_make_series (void)
{
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);

  for (guint z = 0; z < FEN_MPR_N; z++)
    {
      FenImageInfo info;
      FenImage *image;
      gint16 *p;

      fen_image_info_init (&info);
      info.rows = FEN_MPR_H;
      info.columns = FEN_MPR_W;
      info.frames = 1;
      info.samples_per_pixel = 1;
      info.bits_allocated = info.bits_stored = 16;
      info.high_bit = 15;
      info.pixel_representation = 1;
      info.photometric = FEN_PHOTOMETRIC_MONOCHROME2;
      info.rescale_slope = 1;
      info.pixel_spacing[0] = info.pixel_spacing[1] = FEN_MPR_PIXEL;
      info.has_position = info.has_orientation = TRUE;
      info.image_orientation[0] = info.image_orientation[4] = 1;
      info.image_position[0] = -179.2;
      info.image_position[1] = -179.2;
      info.image_position[2] = -FEN_MPR_SLICE * z;  /* feet first in the files */
      image = fen_image_new (&info, 0, NULL);
      fen_image_info_clear (&info);
      p = fen_image_get_pixels_mutable (image);
      for (guint y = 0; y < FEN_MPR_H; y++)
        for (guint x = 0; x < FEN_MPR_W; x++)
          p[y * FEN_MPR_W + x] = fen_bench_mpr_value (x, y, z);
      g_ptr_array_add (images, image);
    }
  return images;
}

static void
fen_bench_mpr_op (gpointer data, guint rep)
{
  FenBenchMprJob *job = data;

  if (job->touch)
    {
      /* Column (rep * 7) % 64 + 200 of every row of every slice: the 64-byte
       * lines a sagittal plane must bring in, each read once, nothing else. */
      guint col = (rep * 7) % 64 + 200;
      gint64 sum = 0;

      for (guint k = 0; k < FEN_MPR_N; k++)
        {
          const gint16 *p = fen_image_get_frame (job->images->pdata[k], 0);

          for (guint y = 0; y < FEN_MPR_H; y++)
            sum += p[(gsize) y * FEN_MPR_W + col];
        }
      job->sink = sum;
      return;
    }
  if (job->lines != NULL)
    {
      guint m = (rep * 7) % 64;
      gint64 dx = (gint64) lround (job->lines_px[0] * m), dy = (gint64) lround (job->lines_px[1] * m);

      job->sink = fen_bench_touch_run (job->lines, (dy * FEN_MPR_W + dx) * 2, job->lines_two);
      return;
    }
  if (job->kept != NULL)
    {
      fen_renderer_map_values (job->renderer, job->lut, job->kept, FEN_MPR_OUT_W, G_MININT32, FEN_MPR_OUT_W,
                               FEN_MPR_OUT_H, FEN_PIXEL_BGRA8, job->out, FEN_MPR_OUT_W * 4);
      return;
    }
  if (job->axial)
    {
      FenImage *image = job->images->pdata[(rep * 7) % FEN_MPR_N];

      fen_renderer_render (job->renderer, image, 0, job->lut, &job->sampling,
                           FEN_MPR_OUT_W, FEN_MPR_OUT_H, FEN_PIXEL_BGRA8, job->out, FEN_MPR_OUT_W * 4);
      return;
    }
  for (int a = 0; a < 3; a++)
    job->reformat.plane.position[a] = job->origin[a] + job->step[a] * ((rep * 7) % 64);
  fen_renderer_reformat (job->renderer, job->volume, job->lut, &job->reformat,
                         FEN_MPR_OUT_W, FEN_MPR_OUT_H, FEN_PIXEL_BGRA8, job->out, FEN_MPR_OUT_W * 4);
}

/* A fitted view of a plane through the volume's centre: @row and @col are
 * the output's directions (unit), @extent_w x @extent_h mm the plane's
 * content, centred in the view, letterboxed as the viewer fits. */
static void
fen_bench_mpr_fit (FenBenchMprJob *job, const double row[3], const double col[3],
                   double extent_w, double extent_h, FenReformatSampling sampling)
{
  const double centre[3] = { -179.2 + FEN_MPR_PIXEL * (FEN_MPR_W - 1) / 2,
                             -179.2 + FEN_MPR_PIXEL * (FEN_MPR_H - 1) / 2,
                             -FEN_MPR_SLICE * (FEN_MPR_N - 1) / 2 };
  double mm = MAX (extent_w / FEN_MPR_OUT_W, extent_h / FEN_MPR_OUT_H);
  double o[6] = { row[0], row[1], row[2], col[0], col[1], col[2] };
  double spacing[2] = { mm, mm }, origin[3];

  for (int a = 0; a < 3; a++)
    origin[a] = centre[a] - row[a] * mm * (FEN_MPR_OUT_W - 1) / 2 - col[a] * mm * (FEN_MPR_OUT_H - 1) / 2;
  memset (&job->reformat, 0, sizeof job->reformat);
  fen_plane_geometry_init (&job->reformat.plane, origin, o, spacing, NULL);
  job->reformat.sampling = sampling;
  memcpy (job->origin, origin, sizeof origin);
}

/* Distinct 64-byte lines of the source that the middle output row's
 * nearest samples fall in (the plane's own slices, found by position). */
static guint
fen_bench_mpr_lines_per_row (const FenBenchMprJob *job)
{
  g_autoptr(GHashTable) lines = g_hash_table_new (g_direct_hash, g_direct_equal);
  const FenPlaneGeometry *p = &job->reformat.plane;
  guint n = fen_volume_get_n_slices (job->volume);
  double first = fen_volume_get_slice_distance (job->volume, 0);

  for (guint i = 0; i < FEN_MPR_OUT_W; i++)
    {
      double x[3], col, row;
      FenPlaneGeometry g;
      double k;

      fen_plane_geometry_image_to_patient (p, i, FEN_MPR_OUT_H / 2, x);
      k = floor ((x[2] - first) / FEN_MPR_SLICE + 0.5);
      if (k < 0 || k >= n)
        continue;
      fen_volume_get_slice_geometry (job->volume, (guint) k, &g);
      fen_plane_geometry_patient_to_image (&g, x, &col, &row, NULL);
      col = floor (col + 0.5);
      row = floor (row + 0.5);
      if (col < 0 || row < 0 || col >= FEN_MPR_W || row >= FEN_MPR_H)
        continue;
      g_hash_table_add (lines, GSIZE_TO_POINTER ((((gsize) k * FEN_MPR_H + (gsize) row) * FEN_MPR_W +
                                                  (gsize) col) * 2 / 64 + 1));
    }
  return g_hash_table_size (lines);
}

static double
fen_bench_mpr_thread_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The same cases on one render thread (the calling one), timed in that
 * thread's CPU time, interleaved: time the scheduler gives to the other
 * jobs of a loaded machine is not counted, so these ratios show what the
 * code costs when the wall-clock medians mostly show the load. */
static void
fen_bench_mpr_cpu_pass (FenBenchReport *report, FenBenchMprJob *jobs, const char *const *keys,
                        guint n_cases)
{
  g_autoptr(FenRenderer) one = fen_renderer_new (1, FEN_MPR_OUT_W);
  double samples[20][FEN_MPR_CPU_REPS];
  FenBenchStats stats;
  double axial = 0;

  g_assert (n_cases <= G_N_ELEMENTS (samples));
  for (guint c = 0; c < n_cases; c++)
    {
      jobs[c].renderer = one;
      jobs[c].lines_two = FALSE;
    }
  for (guint rep = 0; rep < FEN_MPR_CPU_REPS + 1; rep++)
    for (guint c = 0; c < n_cases; c++)
      {
        double t0 = fen_bench_mpr_thread_ms ();

        fen_bench_mpr_op (&jobs[c], rep);
        if (rep > 0)  /* the first round warms up */
          samples[c][rep - 1] = fen_bench_mpr_thread_ms () - t0;
      }
  for (guint c = 0; c < n_cases; c++)
    {
      g_autofree char *median = g_strdup_printf ("%s_cpu1_ms_median", keys[c]);
      g_autofree char *best = g_strdup_printf ("%s_cpu1_ms_best", keys[c]);
      g_autofree char *ratio = g_strdup_printf ("%s_cpu1_over_axial", keys[c]);

      fen_bench_stats_from_samples (samples[c], FEN_MPR_CPU_REPS, &stats);
      if (c == 0)
        axial = stats.median;
      fen_bench_report_set (report, median, stats.median);
      fen_bench_report_set (report, best, stats.best);
      if (c > 0)
        fen_bench_report_set (report, ratio, stats.median / axial);
    }
}

void
fen_bench_mpr_run (FenBenchReport *report, FenRenderer *renderer, const FenBenchPlan *plan,
                   guint rounds)
{
  static const char *keys[] = { "mpr_axial", "mpr_axial_reformat", "mpr_coronal", "mpr_sagittal",
                                "mpr_oblique", "mpr_mip10", "mpr_coronal_nearest", "mpr_sagittal_nearest",
                                "mpr_axial_trilinear", "mpr_sagittal_touch", "mpr_oblique_tilted",
                                "mpr_oblique_touch", "mpr_oblique_touch2", "mpr_oblique_tilted_touch",
                                "mpr_mip10_window", "mpr_coronal_mip10", "mpr_oblique_mip10" };
  const guint n_cases = G_N_ELEMENTS (keys);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(FenVolume) volume = NULL;
  g_autoptr(FenLut) lut = fen_lut_new ();
  g_autofree guint8 *out = g_malloc ((gsize) FEN_MPR_OUT_W * FEN_MPR_OUT_H * 4);
  g_autofree gint32 *kept = g_new (gint32, (gsize) FEN_MPR_OUT_W * FEN_MPR_OUT_H);
  FenBenchMprJob jobs[G_N_ELEMENTS (keys)];
  FenBenchCase cases[G_N_ELEMENTS (keys)];
  FenWindowParams window = { .center = 40, .width = 400 };
  const double x[3] = { 1, 0, 0 }, y[3] = { 0, 1, 0 }, down[3] = { 0, 0, -1 };
  double width_mm = FEN_MPR_W * FEN_MPR_PIXEL, depth_mm = FEN_MPR_N * FEN_MPR_SLICE;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  FenBenchTouch *lines = NULL, *tilted_lines = NULL;

  images = fen_bench_mpr_make_series ();
  volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, &error);
  g_assert_no_error (error);
  fen_bench_report_set (report, "mpr_series_make_s", (g_get_monotonic_time () - t0) / 1e6);
  fen_bench_report_set_int (report, "mpr_series_bytes", (gint64) fen_volume_get_bytes (volume));
  fen_lut_build (lut, images->pdata[0], 0, &window);

  memset (jobs, 0, sizeof jobs);
  memset (cases, 0, sizeof cases);
  for (guint c = 0; c < n_cases; c++)
    {
      jobs[c].renderer = renderer;
      jobs[c].lut = lut;
      jobs[c].volume = volume;
      jobs[c].images = images;
      jobs[c].out = out;
      cases[c].key = keys[c];
      cases[c].plan = plan;
      cases[c].func = fen_bench_mpr_op;
      cases[c].data = &jobs[c];
    }
  /* Axial: the slice renderer, fitted (1080 x 1080 of the view). */
  {
    double zoom = MIN ((double) FEN_MPR_OUT_W / FEN_MPR_W, (double) FEN_MPR_OUT_H / FEN_MPR_H);
    FenRect view = { (FEN_MPR_W - FEN_MPR_OUT_W / zoom) / 2, (FEN_MPR_H - FEN_MPR_OUT_H / zoom) / 2,
                     FEN_MPR_OUT_W / zoom, FEN_MPR_OUT_H / zoom };

    jobs[0].axial = TRUE;
    fen_sampling_from_rect (&jobs[0].sampling, &view, FEN_MPR_OUT_W, FEN_MPR_OUT_H);
  }
  /* The same axial view through the reformat engine (nearest: the native grid scaled). */
  fen_bench_mpr_fit (&jobs[1], x, y, width_mm, width_mm, FEN_REFORMAT_NEAREST);
  jobs[1].step[2] = -FEN_MPR_SLICE;
  /* Coronal and sagittal, trilinear (the viewer's default off the native grid). */
  fen_bench_mpr_fit (&jobs[2], x, down, width_mm, depth_mm, FEN_REFORMAT_TRILINEAR);
  jobs[2].step[1] = FEN_MPR_PIXEL;
  fen_bench_mpr_fit (&jobs[3], y, down, width_mm, depth_mm, FEN_REFORMAT_TRILINEAR);
  jobs[3].step[0] = FEN_MPR_PIXEL;
  /* Double oblique: rows turned 30 degrees about z, columns tilted 20 degrees. */
  {
    double c30 = cos (G_PI / 6), s30 = sin (G_PI / 6), c20 = cos (G_PI / 9), s20 = sin (G_PI / 9);
    double row[3] = { c30, s30, 0 }, col[3] = { -s30 * s20, c30 * s20, -c20 };

    fen_bench_mpr_fit (&jobs[4], row, col, width_mm, depth_mm, FEN_REFORMAT_TRILINEAR);
    jobs[4].step[0] = -s30 * FEN_MPR_PIXEL;
    jobs[4].step[1] = c30 * FEN_MPR_PIXEL;
  }
  /* A 10 mm axial MIP (16 slices), bilinear in each. */
  fen_bench_mpr_fit (&jobs[5], x, y, width_mm, width_mm, FEN_REFORMAT_TRILINEAR);
  jobs[5].reformat.slab = FEN_SLAB_MIP;
  jobs[5].reformat.slab_thickness = 10;
  jobs[5].step[2] = -FEN_MPR_SLICE;
  fen_bench_mpr_fit (&jobs[6], x, down, width_mm, depth_mm, FEN_REFORMAT_NEAREST);
  jobs[6].step[1] = FEN_MPR_PIXEL;
  fen_bench_mpr_fit (&jobs[7], y, down, width_mm, depth_mm, FEN_REFORMAT_NEAREST);
  jobs[7].step[0] = FEN_MPR_PIXEL;
  /* The axial pane of an MPR layout: the same engine and sampling as the others. */
  fen_bench_mpr_fit (&jobs[8], x, y, width_mm, width_mm, FEN_REFORMAT_TRILINEAR);
  jobs[8].step[2] = -FEN_MPR_SLICE * 0.5;
  /* What bounds sagittal: reading its lines once on one core, no rendering. */
  jobs[9].touch = TRUE;
  /* The double oblique with its rows also tilted 10 degrees out of the
   * slices' plane (as turning a crosshair in a coronal pane gives): each
   * row crosses about 100 slices, a new pair every few columns. */
  {
    double c30 = cos (G_PI / 6), s30 = sin (G_PI / 6), c20 = cos (G_PI / 9), s20 = sin (G_PI / 9);
    double c10 = cos (G_PI / 18), s10 = sin (G_PI / 18);
    double row[3] = { c30 * c10, s30 * c10, -s10 }, col[3] = { -s30 * s20, c30 * s20, -c20 };
    double d = fen_vec3_dot (col, row);

    for (int a = 0; a < 3; a++)
      col[a] -= d * row[a];
    fen_vec3_normalize (col);
    fen_bench_mpr_fit (&jobs[10], row, col, width_mm, depth_mm, FEN_REFORMAT_TRILINEAR);
    jobs[10].step[0] = -s30 * FEN_MPR_PIXEL;
    jobs[10].step[1] = c30 * FEN_MPR_PIXEL;
  }

  /* What bounds the oblique: reading the lines its trilinear samples
   * need, once each, on one core and on two (no rendering). The plane
   * moves as jobs[4]'s does, rounded to whole pixels. */
  lines = fen_bench_touch_new (volume, &jobs[4].reformat.plane, FEN_MPR_OUT_W, FEN_MPR_OUT_H,
                               64 * 1024 / FEN_MPR_OUT_W);
  fen_bench_report_set_int (report, "mpr_oblique_touch_lines", fen_bench_touch_get_n_lines (lines));
  tilted_lines = fen_bench_touch_new (volume, &jobs[10].reformat.plane, FEN_MPR_OUT_W, FEN_MPR_OUT_H,
                                      64 * 1024 / FEN_MPR_OUT_W);
  fen_bench_report_set_int (report, "mpr_oblique_tilted_touch_lines", fen_bench_touch_get_n_lines (tilted_lines));
  for (guint c = 11; c <= 13; c++)
    {
      jobs[c].lines = c == 13 ? tilted_lines : lines;
      jobs[c].lines_two = c == 12;
      jobs[c].lines_px[0] = jobs[4].step[0] / FEN_MPR_PIXEL;
      jobs[c].lines_px[1] = jobs[4].step[1] / FEN_MPR_PIXEL;
    }

  /* A window change on the MIP plane shown (the viewer keeps a plane's
   * values once its window changes): a table pass over the kept values. */
  fen_renderer_reformat_values (renderer, volume, &jobs[5].reformat, FEN_MPR_OUT_W, FEN_MPR_OUT_H, G_MININT32, kept,
                                FEN_MPR_OUT_W);
  jobs[14].kept = kept;
  /* A 10 mm coronal MIP (15 planes 0.7 mm apart, each trilinear). */
  fen_bench_mpr_fit (&jobs[15], x, down, width_mm, depth_mm, FEN_REFORMAT_TRILINEAR);
  jobs[15].reformat.slab = FEN_SLAB_MIP;
  jobs[15].reformat.slab_thickness = 10;
  jobs[15].step[1] = FEN_MPR_PIXEL;
  /* A 10 mm MIP on the double oblique plane. */
  jobs[16] = jobs[4];
  jobs[16].reformat.slab = FEN_SLAB_MIP;
  jobs[16].reformat.slab_thickness = 10;

  fen_bench_report_set_int (report, "mpr_axial_lines_per_row", fen_bench_mpr_lines_per_row (&jobs[1]));
  fen_bench_report_set_int (report, "mpr_coronal_lines_per_row", fen_bench_mpr_lines_per_row (&jobs[6]));
  fen_bench_report_set_int (report, "mpr_sagittal_lines_per_row", fen_bench_mpr_lines_per_row (&jobs[7]));
  fen_bench_report_set_int (report, "mpr_oblique_lines_per_row", fen_bench_mpr_lines_per_row (&jobs[4]));

  fen_bench_measure_group (cases, n_cases, rounds);
  for (guint c = 0; c < n_cases; c++)
    {
      g_autofree char *ratio = g_strdup_printf ("%s_over_axial", keys[c]);

      fen_bench_report_set_stats (report, keys[c], &cases[c].stats);
      if (c > 0)
        fen_bench_report_set (report, ratio, cases[c].stats.median / cases[0].stats.median);
    }
  fen_bench_mpr_cpu_pass (report, jobs, keys, n_cases);
  fen_bench_touch_free (lines);
  fen_bench_touch_free (tilted_lines);
}

void
fen_bench_mpr_print (FenBenchReport *report)
{
  static const struct { const char *key, *label; } rows[] = {
    { "mpr_axial", "axial update (slice renderer)" },
    { "mpr_axial_reformat", "axial through the reformat, nearest" },
    { "mpr_axial_trilinear", "axial through the reformat, trilinear" },
    { "mpr_coronal", "coronal, trilinear" },
    { "mpr_sagittal", "sagittal, trilinear" },
    { "mpr_oblique", "double oblique, trilinear" },
    { "mpr_oblique_tilted", "  rows also tilted 10 degrees" },
    { "mpr_mip10", "axial MIP 10 mm, bilinear" },
    { "mpr_mip10_window", "  window change on it (values kept)" },
    { "mpr_coronal_mip10", "coronal MIP 10 mm, trilinear" },
    { "mpr_oblique_mip10", "double oblique MIP 10 mm, trilinear" },
    { "mpr_coronal_nearest", "coronal, nearest" },
    { "mpr_sagittal_nearest", "sagittal, nearest" },
    { "mpr_sagittal_touch", "  reference: read sagittal's lines, 1 core" },
    { "mpr_oblique_touch", "  reference: read oblique's lines, 1 core" },
    { "mpr_oblique_touch2", "  the same on 2 threads (CPU pass: 1)" },
    { "mpr_oblique_tilted_touch", "  reference: read tilted's lines, 1 core" },
  };

  if (!fen_bench_report_has (report, "mpr_axial_ms_median"))
    return;
  printf ("\nMPR of 512 x 512 x 1000 (0.7 x 0.7 x 0.625 mm) into 1920 x 1080, fit; ms median and p95, x axial,\n"
          "allocations per update; then 1 render thread, CPU ms median and x axial\n");
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *median = g_strdup_printf ("%s_ms_median", rows[i].key);
      g_autofree char *p95 = g_strdup_printf ("%s_ms_p95", rows[i].key);
      g_autofree char *ratio = g_strdup_printf ("%s_over_axial", rows[i].key);
      g_autofree char *allocs = g_strdup_printf ("%s_allocs_per_op", rows[i].key);
      g_autofree char *cpu = g_strdup_printf ("%s_cpu1_ms_median", rows[i].key);
      g_autofree char *cpu_ratio = g_strdup_printf ("%s_cpu1_over_axial", rows[i].key);

      printf ("  %-38s %9.3f %9.3f  %6.2f x  %g  %9.3f %6.2f x\n", rows[i].label, fen_bench_report_get (report, median),
              fen_bench_report_get (report, p95),
              i == 0 ? 1.0 : fen_bench_report_get (report, ratio), fen_bench_report_get (report, allocs),
              fen_bench_report_get (report, cpu), i == 0 ? 1.0 : fen_bench_report_get (report, cpu_ratio));
    }
  printf ("  cache lines per output row (nearest): axial %g, coronal %g, sagittal %g, oblique %g\n",
          fen_bench_report_get (report, "mpr_axial_lines_per_row"),
          fen_bench_report_get (report, "mpr_coronal_lines_per_row"),
          fen_bench_report_get (report, "mpr_sagittal_lines_per_row"),
          fen_bench_report_get (report, "mpr_oblique_lines_per_row"));
  printf ("  lines the oblique's trilinear samples read per frame: %g (%.1f MB)\n",
          fen_bench_report_get (report, "mpr_oblique_touch_lines"),
          fen_bench_report_get (report, "mpr_oblique_touch_lines") * 64 / 1e6);
  printf ("  lines the tilted oblique's trilinear samples read per frame: %g (%.1f MB)\n",
          fen_bench_report_get (report, "mpr_oblique_tilted_touch_lines"),
          fen_bench_report_get (report, "mpr_oblique_tilted_touch_lines") * 64 / 1e6);
}
