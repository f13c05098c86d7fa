/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fenestra-bench.c: measures what a user feels (a window/level drag, opening
 * a file, paging through a series) against DCMTK's DicomImage, a naive loop
 * and memcpy in the same run, so the figures are ratios that survive a
 * noisy machine. It writes its own inputs, runs each load in a fresh child
 * process for a clean peak, and checks that 10,000 updates leave the heap
 * where it was: the proof STYLE.md rule 7 asks for. */
#define G_LOG_DOMAIN "fen-bench"

#include <fenestra/fenestra.h>
#include "fen-dcmtk-reference.h"
#include "fen-bench-series.h"
#include <fenestra/fen-pyramid.h>

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fen-bench-alloc.h"
#include "fen-bench-check-lut.h"
#include "fen-bench-input.h"
#include "fen-bench-load.h"
#include "fen-bench-mpr.h"
#include "fen-bench-naive.h"
#include "fen-bench-report.h"
#include "fen-bench-stats.h"
#include "fen-bench-summary.h"

#define FEN_BENCH_OUT_W 1920
#define FEN_BENCH_OUT_H 1080
#define FEN_BENCH_SERIES_SLICES 300
#define FEN_BENCH_SERIES_SIZE 512
/* Bumped whenever the generated inputs change, so a --data-dir is refreshed. */
#define FEN_BENCH_INPUT_VERSION "fenestra-bench inputs 3\n"
/* The multi-frame JPEG lossless input: the series' first slices as frames. */
#define FEN_BENCH_FRAMES 64

/* The three image sizes of the brief: 0.5 MB, 15 MB and 128 MB of pixels. */
static const guint fen_bench_sizes[] = { 512, 2800, 8000 };
#define FEN_BENCH_N_SIZES G_N_ELEMENTS (fen_bench_sizes)
#define FEN_BENCH_MAIN 1   /* index of the 15 MB image, the headline figures */

typedef struct {
  gboolean json;
  gboolean quick;
  gboolean keep;
  char    *data_dir;
  char    *json_out;
  guint    threads;
  guint    drift_updates;
  char    *only;       /* "mpr": that part alone */
  /* --load-one child mode */
  char    *load_one;
  char    *loader;
  char    *warm;
  guint    frame_threads;
} FenBenchOptions;

typedef struct {
  FenBenchOptions *opt;
  FenBenchPlan     plan;
  FenBenchPlan     slow_plan;
  char            *dir;
  gboolean         dir_is_temp;
  char            *self;
  char            *paths[FEN_BENCH_N_SIZES];
  char            *rle_paths[FEN_BENCH_N_SIZES];
  char            *jpeg_path;     /* the 15 MB image, JPEG lossless SV1 */
  char            *jpegls_path;   /* the 15 MB image, JPEG-LS lossless */
  char            *jpeg_warm;     /* the 512 x 512 image in each, to warm up with */
  char            *jpegls_warm;
  char            *frames_path;   /* FEN_BENCH_FRAMES x 512 x 512, JPEG lossless */
  char           **series_jpeg_paths;
  char           **series_paths;

  /* Owned for the whole run */
  FenBenchReport  *report;
  FenRenderer     *renderer;
  FenLut          *lut;
  guint8          *viewport;      /* FEN_BENCH_OUT_W x FEN_BENCH_OUT_H BGRA8 */
  guint            runs;          /* load repetitions per file and loader */
  guint            rounds;        /* interleaving rounds of a measurement group */
} FenBench;

/* What one measured repetition works on. */
typedef struct {
  FenBench          *bench;
  FenRenderer       *renderer;     /* NULL: the bench's */
  const FenImage    *image;
  FenSampling        sampling;
  /* What the viewer finds its visible rectangle from: the base frame and
   * its sampling, also when @image is a pyramid level (fen-view.c) */
  const FenImage    *base;         /* NULL: @image */
  FenSampling        base_sampling;
  gboolean           whole;        /* the whole 1920 x 1080 output, letterbox included */
  guint8            *out;
  gsize              out_bytes;
  /* memcpy reference */
  const guint8      *src;
  guint8            *src_copy;
  gsize              src_bytes;
  const guint8      *out_src;
  /* viewport memcpy reference: the source bytes a fitted view reads */
  const guint8      *view_rows[FEN_BENCH_OUT_H];
  gsize              view_row_bytes;
  /* DCMTK reference */
  FenDcmtkReference *ref;
  /* series */
  FenStore          *store;
  GArray            *ids;
} FenBenchJob;

/* A different window every repetition, as in a drag: centre and width both
 * move, so no table could be reused even if the core tried. */
static void
fen_bench_window (guint rep, FenWindowParams *params)
{
  memset (params, 0, sizeof *params);
  params->center = -160.0 + (rep % 64) * 7.0;
  params->width = 300.0 + (rep % 13) * 50.0;
  params->function = FEN_VOI_LINEAR;
  params->invert = FALSE;
}

static void
fen_bench_sampling_fit (const FenImage *image, FenSampling *sampling)
{
  double w = fen_image_get_width (image), h = fen_image_get_height (image);
  double scale = MIN (FEN_BENCH_OUT_W / w, FEN_BENCH_OUT_H / h); /* output px per image px */
  FenRect view = { 0 };

  view.width = FEN_BENCH_OUT_W / scale;
  view.height = FEN_BENCH_OUT_H / scale;
  view.x = (w - view.width) / 2;
  view.y = (h - view.height) / 2;
  fen_sampling_from_rect (sampling, &view, FEN_BENCH_OUT_W, FEN_BENCH_OUT_H);
}

static void
fen_bench_sampling_center (const FenImage *image, FenSampling *sampling)
{
  FenRect view = { 0 };

  view.width = FEN_BENCH_OUT_W;
  view.height = FEN_BENCH_OUT_H;
  view.x = floor ((fen_image_get_width (image) - view.width) / 2.0);
  view.y = floor ((fen_image_get_height (image) - view.height) / 2.0);
  fen_sampling_from_rect (sampling, &view, FEN_BENCH_OUT_W, FEN_BENCH_OUT_H);
}

/* ---- The measured operations ---- */

/* The output rectangle the viewer renders for @job: the image's visible
 * rectangle (fen_view_get_visible_rect()), or the whole output. */
static void
fen_bench_job_rect (const FenBenchJob *job, FenPixelRect *rect)
{
  const FenImage *base = job->base ? job->base : job->image;

  if (job->whole)
    *rect = (FenPixelRect) { 0, 0, FEN_BENCH_OUT_W, FEN_BENCH_OUT_H };
  else
    fen_sampling_get_visible (job->base ? &job->base_sampling : &job->sampling, fen_image_get_width (base),
                              fen_image_get_height (base), FEN_BENCH_OUT_W, FEN_BENCH_OUT_H, rect);
}

/* A window/level update as the viewer does it since issue 14: the table,
 * the visible rectangle (found every time, as the viewer does), and the
 * render of that rectangle only into a buffer of its size. With @whole,
 * the update as it was before: the whole output, letterbox included. */
static void
fen_bench_op_viewport (gpointer data, guint rep)
{
  FenBenchJob *job = data;
  FenWindowParams params;
  FenPixelRect rect;

  fen_bench_window (rep, &params);
  fen_lut_build (job->bench->lut, job->image, 0, &params);
  fen_bench_job_rect (job, &rect);
  fen_renderer_render_rect (job->renderer ? job->renderer : job->bench->renderer, job->image, 0,
                            job->bench->lut, &job->sampling, &rect, FEN_PIXEL_BGRA8, job->out,
                            (gsize) rect.width * 4);
}

static void
fen_bench_op_lut (gpointer data, guint rep)
{
  FenBenchJob *job = data;
  FenWindowParams params;

  fen_bench_window (rep, &params);
  fen_lut_build (job->bench->lut, job->image, 0, &params);
}

static void
fen_bench_op_fullres (gpointer data, guint rep)
{
  FenBenchJob *job = data;
  FenWindowParams params;

  fen_bench_window (rep, &params);
  fen_lut_build (job->bench->lut, job->image, 0, &params);
  fen_renderer_render_full (job->bench->renderer, job->image, 0, job->bench->lut,
                            FEN_PIXEL_BGRA8, job->out, (gsize) fen_image_get_width (job->image) * 4);
}

static void
fen_bench_op_naive_full (gpointer data, guint rep)
{
  FenBenchJob *job = data;
  FenWindowParams params;

  fen_bench_window (rep, &params);
  fen_bench_naive_full (job->image, params.center, params.width, job->out);
}

static void
fen_bench_op_naive_viewport (gpointer data, guint rep)
{
  FenBenchJob *job = data;
  FenWindowParams params;

  fen_bench_window (rep, &params);
  fen_bench_naive_viewport (job->image, params.center, params.width, &job->sampling,
                            FEN_BENCH_OUT_W, FEN_BENCH_OUT_H, job->out);
}

/* The bandwidth bound: each byte the full-resolution update reads (the
 * frame) and writes (the BGRA output) copied once. */
static void
fen_bench_op_memcpy (gpointer data, guint rep)
{
  FenBenchJob *job = data;

  memcpy (job->src_copy, job->src, job->src_bytes);
  memcpy (job->out, job->out_src, job->out_bytes);
}

/* The bandwidth bound of a viewport update: the output it writes (the
 * visible rectangle, or the whole output for the _whole key) written once
 * and, for each output row, the span of the source row it samples read
 * once. */
static void
fen_bench_op_memcpy_viewport (gpointer data, guint rep)
{
  FenBenchJob *job = data;

  for (guint j = 0; j < FEN_BENCH_OUT_H; j++)
    if (job->view_rows[j] != NULL)
      memcpy (job->src_copy, job->view_rows[j], job->view_row_bytes);
  memcpy (job->out, job->out_src, job->out_bytes);
}

static void
fen_bench_op_dcmtk (gpointer data, guint rep)
{
  FenBenchJob *job = data;
  FenWindowParams params;

  fen_bench_window (rep, &params);
  if (!fen_dcmtk_reference_window (job->ref, params.center, params.width, job->out, job->out_bytes))
    g_error ("DCMTK refused the window %g/%g", params.center, params.width);
}

static void
fen_bench_op_series (gpointer data, guint rep)
{
  FenBenchJob *job = data;
  guint id = g_array_index (job->ids, guint, (rep + 1) % job->ids->len);
  const FenImage *image = fen_store_lookup (job->store, id);
  FenWindowParams params = { .center = 40, .width = 400, .function = FEN_VOI_LINEAR };
  FenSampling sampling;

  /* What paging does: the next image is already in memory, its table and
   * its fitted view are all that is computed. */
  FenPixelRect rect;

  fen_bench_sampling_fit (image, &sampling);
  fen_lut_build (job->bench->lut, image, 0, &params);
  /* Its visible rectangle, as the viewer renders it. */
  fen_sampling_get_visible (&sampling, fen_image_get_width (image), fen_image_get_height (image),
                            FEN_BENCH_OUT_W, FEN_BENCH_OUT_H, &rect);
  fen_renderer_render_rect (job->bench->renderer, image, 0, job->bench->lut, &sampling, &rect,
                            FEN_PIXEL_BGRA8, job->out, (gsize) rect.width * 4);
}

/* ---- Helpers ---- */

static void
fen_bench_progress (FenBench *bench, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
fen_bench_progress (FenBench *bench, const char *format, ...)
{
  va_list args;

  /* Progress goes to stderr so that --json output stays one object. */
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
}

/* Touches every page so first-touch faults stay out of the timings. */
static guint8 *
fen_bench_alloc (gsize bytes)
{
  guint8 *p = g_malloc (bytes);

  memset (p, 0x5a, bytes);
  return p;
}

static char *
fen_bench_key (const char *what, guint size)
{
  return g_strdup_printf ("%s_%u", what, size);
}

static double
fen_bench_get (FenBench *bench, const char *what, guint size, const char *suffix)
{
  g_autofree char *key = g_strdup_printf ("%s_%u%s", what, size, suffix);

  return fen_bench_report_get (bench->report, key);
}

/* Differing bytes between two buffers: the renderer against the naive loop. */
static gsize
fen_bench_count_mismatch (const guint8 *a, const guint8 *b, gsize n)
{
  gsize bad = 0;

  for (gsize i = 0; i < n; i++)
    bad += a[i] != b[i];
  return bad;
}

/* ---- Inputs ---- */

static gboolean
fen_bench_prepare_inputs (FenBench *bench, GError **error)
{
  g_autofree char *stamp = g_build_filename (bench->dir, "inputs.stamp", NULL);
  g_autofree char *stamp_text = NULL;
  gboolean fresh = g_file_get_contents (stamp, &stamp_text, NULL, NULL) &&
                   strcmp (stamp_text, FEN_BENCH_INPUT_VERSION) == 0;
  gint64 t0 = fen_bench_now_ns ();

  for (guint s = 0; s < FEN_BENCH_N_SIZES; s++)
    {
      guint n = fen_bench_sizes[s];
      g_autofree char *name = g_strdup_printf ("ct-%u.dcm", n);
      g_autofree char *rle = g_strdup_printf ("ct-%u-rle.dcm", n);

      bench->paths[s] = g_build_filename (bench->dir, name, NULL);
      bench->rle_paths[s] = g_build_filename (bench->dir, rle, NULL);
      if (fresh)
        continue;
      fen_bench_progress (bench, "writing %u x %u input and its RLE copy", n, n);
      if (!fen_bench_input_write_ct (bench->paths[s], n, n, 0, "single", error) ||
          !fen_bench_input_write_rle (bench->paths[s], bench->rle_paths[s], error))
        return FALSE;
    }

  bench->jpeg_path = g_build_filename (bench->dir, "ct-2800-jpeg.dcm", NULL);
  bench->jpegls_path = g_build_filename (bench->dir, "ct-2800-jpegls.dcm", NULL);
  bench->jpeg_warm = g_build_filename (bench->dir, "ct-512-jpeg.dcm", NULL);
  bench->jpegls_warm = g_build_filename (bench->dir, "ct-512-jpegls.dcm", NULL);
  if (!fresh)
    {
      fen_bench_progress (bench, "writing the 2800 x 2800 JPEG lossless and JPEG-LS copies");
      if (!fen_bench_input_write_jpeg (bench->paths[1], bench->jpeg_path, FALSE, error) ||
          !fen_bench_input_write_jpeg (bench->paths[1], bench->jpegls_path, TRUE, error) ||
          !fen_bench_input_write_jpeg (bench->paths[0], bench->jpeg_warm, FALSE, error) ||
          !fen_bench_input_write_jpeg (bench->paths[0], bench->jpegls_warm, TRUE, error))
        return FALSE;
    }

  bench->series_paths = g_new0 (char *, FEN_BENCH_SERIES_SLICES + 1);
  if (!fresh)
    fen_bench_progress (bench, "writing the %d-slice series", FEN_BENCH_SERIES_SLICES);
  for (guint i = 0; i < FEN_BENCH_SERIES_SLICES; i++)
    {
      g_autofree char *name = g_strdup_printf ("series-%03u.dcm", i);

      bench->series_paths[i] = g_build_filename (bench->dir, name, NULL);
      if (!fresh && !fen_bench_input_write_ct (bench->series_paths[i], FEN_BENCH_SERIES_SIZE,
                                               FEN_BENCH_SERIES_SIZE, i, "series", error))
        return FALSE;
    }
  if (!fresh)
    fen_bench_progress (bench, "writing the series' JPEG lossless copies");
  bench->series_jpeg_paths = fen_bench_series_write_jpeg (bench->dir, bench->series_paths,
                                                          FEN_BENCH_SERIES_SLICES, fresh, error);
  if (bench->series_jpeg_paths == NULL)
    return FALSE;
  bench->frames_path = g_build_filename (bench->dir, "frames-jpeg.dcm", NULL);
  if (!fresh)
    {
      g_autofree char *plain = g_build_filename (bench->dir, "frames.dcm", NULL);

      fen_bench_progress (bench, "writing the %d-frame JPEG lossless object", FEN_BENCH_FRAMES);
      if (!fen_dcmtk_reference_write_frames (bench->series_paths, FEN_BENCH_FRAMES, plain, error) ||
          !fen_bench_input_write_jpeg (plain, bench->frames_path, FALSE, error))
        return FALSE;
      g_unlink (plain);
    }
  if (!fresh)
    {
      fen_bench_report_set (bench->report, "input_generation_s", (fen_bench_now_ns () - t0) / 1e9);
      return g_file_set_contents (stamp, FEN_BENCH_INPUT_VERSION, -1, error);
    }
  return TRUE;
}

/* ---- W/L updates, references ---- */

static gboolean
fen_bench_run_size (FenBench *bench, guint s, GError **error)
{
  guint n = fen_bench_sizes[s];
  g_autoptr(FenImage) image = NULL;
  g_autoptr(FenDcmtkReference) ref = NULL;
  g_autofree guint8 *full = NULL, *src_copy = NULL, *out_src = NULL, *gray = NULL, *check = NULL;
  FenBenchJob fit = { 0 }, center = { 0 }, fit_pyr = { 0 }, whole = { 0 }, copy = { 0 }, dcmtk = { 0 };
  FenBenchJob view_copy = { 0 }, fit_one = { 0 }, fit_whole = { 0 }, view_copy_whole = { 0 };
  FenPixelRect fit_rect;
  g_autoptr(FenRenderer) one_thread = fen_renderer_new (1, FEN_BENCH_OUT_W);
  g_autoptr(FenPyramid) pyramid = NULL;
  g_autoptr(FenImage) pyramid_level = NULL;
  guint level;
  gint64 t0;
  gsize pixels, src_bytes, out_bytes, mismatch;
  const FenBenchPlan *big = n >= 8000 ? &bench->slow_plan : &bench->plan;
  g_autofree char *k_fit = fen_bench_key ("wl_viewport_fit", n);
  g_autofree char *k_1to1 = fen_bench_key ("wl_viewport_1to1", n);
  g_autofree char *k_pyr = fen_bench_key ("wl_viewport_fit_pyramid", n);
  g_autofree char *k_one = fen_bench_key ("wl_viewport_fit_1thread", n);
  g_autofree char *k_whole = fen_bench_key ("wl_viewport_fit_whole", n);
  g_autofree char *k_rect = fen_bench_key ("viewport_fit_rect_pixels", n);
  g_autofree char *k_memcpy_whole = fen_bench_key ("memcpy_viewport_fit_whole", n);
  g_autofree char *k_pyr_level = fen_bench_key ("pyramid_level", n);
  g_autofree char *k_pyr_build = fen_bench_key ("pyramid_build_ms", n);
  g_autofree char *k_full = fen_bench_key ("wl_fullres", n);
  g_autofree char *k_dcmtk = fen_bench_key ("dcmtk_wl", n);
  g_autofree char *k_naive_full = fen_bench_key ("naive_fullres", n);
  g_autofree char *k_naive_fit = fen_bench_key ("naive_viewport_fit", n);
  g_autofree char *k_memcpy = fen_bench_key ("memcpy", n);
  g_autofree char *k_memcpy_view = fen_bench_key ("memcpy_viewport_fit", n);
  g_autofree char *k_lut = fen_bench_key ("lut_build", n);
  g_autofree char *k_mismatch = fen_bench_key ("check_mismatch_bytes", n);
  FenWindowParams check_window = { .center = 40, .width = 400, .function = FEN_VOI_LINEAR };

  fen_bench_progress (bench, "%u x %u:", n, n);
  image = fen_load_file (bench->paths[s], NULL, error);
  if (image == NULL)
    return FALSE;
  ref = fen_dcmtk_reference_open (bench->paths[s], error);
  if (ref == NULL)
    return FALSE;
  pixels = (gsize) n * n;
  src_bytes = fen_image_get_frame_bytes (image);
  out_bytes = pixels * 4;
  full = fen_bench_alloc (out_bytes);
  src_copy = fen_bench_alloc (src_bytes);
  /* The source of the output copies: a frame's worth, or a viewport's if larger. */
  out_src = fen_bench_alloc (MAX (out_bytes, (gsize) FEN_BENCH_OUT_W * FEN_BENCH_OUT_H * 4));
  gray = fen_bench_alloc (pixels);

  /* Viewport: what a drag shows on a 1920 x 1080 screen. */
  fit.bench = center.bench = whole.bench = copy.bench = dcmtk.bench = bench;
  fit.image = center.image = whole.image = copy.image = image;
  fit.out = center.out = bench->viewport;
  fen_bench_sampling_fit (image, &fit.sampling);
  fen_bench_sampling_center (image, &center.sampling);
  /* The same with one thread: what the second core adds, on this machine now. */
  fit_one = fit;
  fit_one.renderer = one_thread;
  /* The update before issue 14: the whole output, letterbox included. */
  fit_whole = fit;
  fit_whole.whole = TRUE;
  /* The same view from the reduced level a zoom below 1/2 calls for
   * (fen-pyramid.h), built once before timing as a viewer would keep it. */
  pyramid = fen_pyramid_new (image, 0);
  level = fen_pyramid_level_for_zoom (pyramid, fit.sampling.col_dx > 0 ? 1.0 / fit.sampling.col_dx : 1.0);
  t0 = fen_bench_now_ns ();
  fit_pyr.image = pyramid_level = fen_pyramid_ref_level (pyramid, level);
  fen_bench_report_set (bench->report, k_pyr_build, (fen_bench_now_ns () - t0) / 1e6);
  fen_bench_report_set_int (bench->report, k_pyr_level, level);
  fen_pyramid_scale_sampling (level, &fit.sampling, &fit_pyr.sampling);
  fit_pyr.base = image;
  fit_pyr.base_sampling = fit.sampling;
  fit_pyr.bench = bench;
  fit_pyr.out = bench->viewport;
  /* Full resolution and its references, into a buffer of the frame's size. */
  whole.out = full;
  copy.out = full;
  copy.out_bytes = out_bytes;
  copy.src = fen_image_get_frame (image, 0);
  copy.src_copy = src_copy;
  copy.src_bytes = src_bytes;
  copy.out_src = out_src;
  /* The rows and columns of the source the fitted view samples. */
  fen_bench_job_rect (&fit, &fit_rect);
  view_copy.bench = bench;
  view_copy.out = bench->viewport;
  view_copy.out_bytes = (gsize) fit_rect.width * fit_rect.height * 4;
  view_copy.out_src = out_src;
  view_copy.src_copy = src_copy;
  {
    const FenSampling *f = &fit.sampling;
    double x0 = MAX (floor (f->origin_x + 0.5 * f->col_dx), 0);
    double x1 = MIN (floor (f->origin_x + (FEN_BENCH_OUT_W - 0.5) * f->col_dx), n - 1.0);

    view_copy.view_row_bytes = (gsize) (x1 - x0 + 1) * 2;
    for (guint j = 0; j < FEN_BENCH_OUT_H; j++)
      {
        double py = floor (f->origin_y + (j + 0.5) * f->row_dy);

        view_copy.view_rows[j] = py >= 0 && py < n
          ? (const guint8 *) fen_image_get_frame (image, 0) + ((gsize) py * n + (gsize) x0) * 2
          : NULL;
      }
  }
  view_copy_whole = view_copy;
  view_copy_whole.out_bytes = (gsize) FEN_BENCH_OUT_W * FEN_BENCH_OUT_H * 4;
  fen_bench_report_set_int (bench->report, k_rect,
                            (gint64) fit_rect.width * fit_rect.height);
  /* DCMTK's DicomImage: its own copy of the pixels, gray8 out for the whole frame. */
  dcmtk.ref = ref;
  dcmtk.out = gray;
  dcmtk.out_bytes = pixels;

  /* The renderer must agree with the textbook loop, or its speed means nothing. */
  check = fen_bench_alloc (MAX (out_bytes, (gsize) FEN_BENCH_OUT_W * FEN_BENCH_OUT_H * 4));
  fen_lut_build (bench->lut, image, 0, &check_window);
  fen_renderer_render (bench->renderer, image, 0, bench->lut, &fit.sampling, FEN_BENCH_OUT_W,
                       FEN_BENCH_OUT_H, FEN_PIXEL_BGRA8, bench->viewport, FEN_BENCH_OUT_W * 4);
  fen_bench_naive_viewport (image, check_window.center, check_window.width, &fit.sampling,
                            FEN_BENCH_OUT_W, FEN_BENCH_OUT_H, check);
  mismatch = fen_bench_count_mismatch (bench->viewport, check, (gsize) FEN_BENCH_OUT_W * FEN_BENCH_OUT_H * 4);
  /* The visible rectangle alone: the same region of the naive whole output. */
  fen_renderer_render_rect (bench->renderer, image, 0, bench->lut, &fit.sampling, &fit_rect,
                            FEN_PIXEL_BGRA8, bench->viewport, (gsize) fit_rect.width * 4);
  for (guint j = 0; j < fit_rect.height; j++)
    mismatch += fen_bench_count_mismatch (bench->viewport + (gsize) j * fit_rect.width * 4,
                                          check + ((gsize) (fit_rect.y + j) * FEN_BENCH_OUT_W + fit_rect.x) * 4,
                                          (gsize) fit_rect.width * 4);
  fen_renderer_render_full (bench->renderer, image, 0, bench->lut, FEN_PIXEL_BGRA8, full, (gsize) n * 4);
  fen_bench_naive_full (image, check_window.center, check_window.width, check);
  mismatch += fen_bench_count_mismatch (full, check, out_bytes);
  g_clear_pointer (&check, g_free);
  fen_bench_report_set_int (bench->report, k_mismatch, (gint64) mismatch);
  if (mismatch != 0)
    g_warning ("%u x %u: renderer and naive loop differ in %" G_GSIZE_FORMAT " bytes", n, n, mismatch);

  {
    FenBenchCase cases[] = {
      { .key = k_fit,        .plan = &bench->plan,      .func = fen_bench_op_viewport,       .data = &fit },
      { .key = k_one,        .plan = &bench->plan,      .func = fen_bench_op_viewport,       .data = &fit_one },
      { .key = k_whole,      .plan = &bench->plan,      .func = fen_bench_op_viewport,       .data = &fit_whole },
      { .key = k_1to1,       .plan = &bench->plan,      .func = fen_bench_op_viewport,       .data = &center },
      { .key = k_pyr,        .plan = &bench->plan,      .func = fen_bench_op_viewport,       .data = &fit_pyr },
      { .key = k_memcpy_view, .plan = &bench->plan,     .func = fen_bench_op_memcpy_viewport, .data = &view_copy },
      { .key = k_memcpy_whole, .plan = &bench->plan,    .func = fen_bench_op_memcpy_viewport, .data = &view_copy_whole },
      { .key = k_lut,        .plan = &bench->plan,      .func = fen_bench_op_lut,            .data = &fit },
      { .key = k_full,       .plan = big,               .func = fen_bench_op_fullres,        .data = &whole },
      { .key = k_memcpy,     .plan = big,               .func = fen_bench_op_memcpy,         .data = &copy },
      { .key = k_dcmtk,      .plan = &bench->slow_plan, .func = fen_bench_op_dcmtk,          .data = &dcmtk },
      { .key = k_naive_fit,  .plan = &bench->slow_plan, .func = fen_bench_op_naive_viewport, .data = &fit },
      { .key = k_naive_full, .plan = &bench->slow_plan, .func = fen_bench_op_naive_full,     .data = &whole },
    };

    fen_bench_measure_group (cases, G_N_ELEMENTS (cases), bench->rounds);
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        fen_bench_report_set_stats (bench->report, cases[c].key, &cases[c].stats);
        fen_bench_progress (bench, "  %-28s median %9.3f ms  p95 %9.3f ms  best %9.3f ms  (n=%u, %.1f allocations each)",
                            cases[c].key, cases[c].stats.median, cases[c].stats.p95,
                            cases[c].stats.best, cases[c].stats.n,
                            cases[c].stats.n ? (double) cases[c].stats.allocations / cases[c].stats.n : 0.0);
      }
  }
  return TRUE;
}

/* ---- Drift ---- */

static void
fen_bench_run_drift (FenBench *bench, guint s)
{
  g_autoptr(FenImage) image = fen_load_file (bench->paths[s], NULL, NULL);
  FenBenchJob job = { 0 };
  gint64 rss0, rss1, heap0, heap1, t0;
  guint64 allocs;
  struct rusage ru0, ru1;
  guint n = bench->opt->drift_updates;

  if (image == NULL)
    return;
  job.bench = bench;
  job.image = image;
  job.out = bench->viewport;
  fen_bench_sampling_fit (image, &job.sampling);
  fen_bench_progress (bench, "drift: %u viewport updates of the %u x %u image",
                      n, fen_bench_sizes[s], fen_bench_sizes[s]);

  /* Whatever is allocated once (thread stacks touched, lazily built
   * tables in libc) is allocated by these, before the first reading. */
  for (guint i = 0; i < 50; i++)
    fen_bench_op_viewport (&job, i);

  fen_memory_read_process (&rss0, NULL, &heap0);
  getrusage (RUSAGE_SELF, &ru0);
  allocs = fen_bench_alloc_get_count ();
  t0 = fen_bench_now_ns ();
  for (guint i = 0; i < n; i++)
    fen_bench_op_viewport (&job, i);
  t0 = fen_bench_now_ns () - t0;
  allocs = fen_bench_alloc_get_count () - allocs;
  getrusage (RUSAGE_SELF, &ru1);
  fen_memory_read_process (&rss1, NULL, &heap1);

  fen_bench_report_set_int (bench->report, "drift_updates", n);
  fen_bench_report_set (bench->report, "drift_ms_mean", t0 / 1e6 / MAX (n, 1u));
  fen_bench_report_set_int (bench->report, "heap_before_bytes", heap0);
  fen_bench_report_set_int (bench->report, "heap_after_bytes", heap1);
  fen_bench_report_set_int (bench->report, "heap_growth_bytes", heap1 - heap0);
  fen_bench_report_set_int (bench->report, "rss_before_bytes", rss0);
  fen_bench_report_set_int (bench->report, "rss_after_bytes", rss1);
  fen_bench_report_set_int (bench->report, "rss_growth_bytes", rss1 - rss0);
  fen_bench_report_set_int (bench->report, "drift_minor_faults", ru1.ru_minflt - ru0.ru_minflt);
  fen_bench_report_set_int (bench->report, "drift_allocations", (gint64) allocs);
  fen_bench_progress (bench, "  heap %+" G_GINT64_FORMAT " B, RSS %+" G_GINT64_FORMAT " B, %ld minor faults, %"
                      G_GUINT64_FORMAT " allocations", heap1 - heap0, rss1 - rss0,
                      ru1.ru_minflt - ru0.ru_minflt, allocs);
}

/* ---- Series ---- */

static gboolean
fen_bench_run_series (FenBench *bench, GError **error)
{
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(GArray) ids = NULL;
  FenBenchJob job = { 0 };
  gint64 t0 = fen_bench_now_ns ();
  FenBenchStats stats;

  fen_bench_progress (bench, "series: %d slices of %d x %d", FEN_BENCH_SERIES_SLICES,
                      FEN_BENCH_SERIES_SIZE, FEN_BENCH_SERIES_SIZE);
  for (guint i = 0; i < FEN_BENCH_SERIES_SLICES; i++)
    if (fen_load_into_store (store, bench->series_paths[i], NULL, error) == NULL)
      return FALSE;
  fen_bench_report_set (bench->report, "series_load_ms_total", (fen_bench_now_ns () - t0) / 1e6);
  fen_bench_report_set_int (bench->report, "series_store_bytes", (gint64) fen_store_get_bytes (store));

  ids = fen_store_list_ids (store);
  job.bench = bench;
  job.store = store;
  job.ids = ids;
  job.out = bench->viewport;
  fen_bench_measure (&bench->plan, fen_bench_op_series, &job, &stats);
  fen_bench_report_set_stats (bench->report, "series_next", &stats);
  fen_bench_progress (bench, "  %-28s median %9.3f ms  p95 %9.3f ms  (n=%u, %" G_GUINT64_FORMAT " allocations)",
                      "series_next", stats.median, stats.p95, stats.n, stats.allocations);
  return fen_bench_series_parallel (bench->report, bench->series_jpeg_paths, FEN_BENCH_SERIES_SLICES,
                                    bench->runs, error);
}

/* ---- Loads (fen-bench-load.c) ---- */

static gboolean
fen_bench_run_loads (FenBench *bench, GError **error)
{
  /* The 15 MB and 128 MB images, uncompressed and RLE; the 15 MB one also
   * in JPEG lossless and JPEG-LS. */
  const gsize px15 = (gsize) fen_bench_sizes[1] * fen_bench_sizes[1] * 2;
  const gsize px128 = (gsize) fen_bench_sizes[2] * fen_bench_sizes[2] * 2;
  const FenBenchLoadRow rows[] = {
    { bench->paths[1],     "15mb",  "",        "",               px15, NULL },
    { bench->rle_paths[1], "15mb",  "_rle",    " RLE",           px15, NULL },
    { bench->jpeg_path,    "15mb",  "_jpeg",   " JPEG lossless", px15, bench->jpeg_warm },
    { bench->jpegls_path,  "15mb",  "_jpegls", " JPEG-LS",       px15, bench->jpegls_warm },
    { bench->paths[2],     "128mb", "",        "",               px128, NULL },
    { bench->rle_paths[2], "128mb", "_rle",    " RLE",           px128, NULL },
  };

  const gsize px_frames = (gsize) FEN_BENCH_FRAMES * FEN_BENCH_SERIES_SIZE * FEN_BENCH_SERIES_SIZE * 2;

  return fen_bench_load_rows (bench->report, rows, G_N_ELEMENTS (rows), bench->self,
                              bench->paths[0], bench->runs, error) &&
         fen_bench_load_frames (bench->report, "jpeg", bench->frames_path, FEN_BENCH_FRAMES, px_frames,
                                bench->self, bench->jpeg_warm, bench->runs, error);
}

/* ---- Readable output ---- */

static void
fen_bench_print_row (FenBench *bench, const char *label, const char *what)
{
  printf ("  %-34s", label);
  for (guint s = 0; s < FEN_BENCH_N_SIZES; s++)
    printf ("  %9.3f %9.3f", fen_bench_get (bench, what, fen_bench_sizes[s], "_ms_median"),
            fen_bench_get (bench, what, fen_bench_sizes[s], "_ms_p95"));
  printf ("\n");
}


static void
fen_bench_print_table (FenBench *bench)
{
  FenBenchReport *r = bench->report;

  printf ("\nFenestra benchmark (%s run), %u render threads, load average %.1f at start, %.1f at end\n\n",
          bench->opt->quick ? "quick" : "full", fen_renderer_get_n_threads (bench->renderer),
          fen_bench_report_get (r, "loadavg_start"), fen_bench_report_get (r, "loadavg_end"));
  printf ("W/L update = table build + render to BGRA8 of the image's visible rectangle; milliseconds, median and p95\n");
  printf ("  %-34s  %19s  %19s  %19s\n", "", "512 x 512 (0.5 MB)", "2800 x 2800 (15 MB)", "8000 x 8000 (128 MB)");
  printf ("  %-34s", "");
  for (guint s = 0; s < FEN_BENCH_N_SIZES; s++)
    printf ("  %9s %9s", "median", "p95");
  printf ("\n");
  fen_bench_print_row (bench, "viewport 1920x1080, fit", "wl_viewport_fit");
  fen_bench_print_row (bench, "viewport 1920x1080, fit, 1 thread", "wl_viewport_fit_1thread");
  fen_bench_print_row (bench, "viewport 1920x1080, fit, pyramid", "wl_viewport_fit_pyramid");
  fen_bench_print_row (bench, "viewport 1920x1080, 1:1 centre", "wl_viewport_1to1");
  fen_bench_print_row (bench, "  fit, whole output (before #14)", "wl_viewport_fit_whole");
  fen_bench_print_row (bench, "  table build alone", "lut_build");
  fen_bench_print_row (bench, "full resolution", "wl_fullres");
  fen_bench_print_row (bench, "DCMTK DicomImage (full, gray8)", "dcmtk_wl");
  fen_bench_print_row (bench, "naive double loop, viewport fit", "naive_viewport_fit");
  fen_bench_print_row (bench, "naive double loop, full", "naive_fullres");
  fen_bench_print_row (bench, "memcpy source + output (full)", "memcpy");
  fen_bench_print_row (bench, "memcpy sampled rows + output (fit)", "memcpy_viewport_fit");
  fen_bench_print_row (bench, "  the same, whole output", "memcpy_viewport_fit_whole");
  fen_bench_mpr_print (r);

  fen_bench_load_print (r, bench->runs);

  if (fen_bench_report_has (r, "heap_growth_bytes"))
    printf ("\nDrift over %.0f viewport updates (15 MB, fit): heap %+.0f B, RSS %+.0f B, %.0f minor faults, %.0f allocations\n",
            fen_bench_report_get (r, "drift_updates"), fen_bench_report_get (r, "heap_growth_bytes"),
            fen_bench_report_get (r, "rss_growth_bytes"), fen_bench_report_get (r, "drift_minor_faults"),
            fen_bench_report_get (r, "drift_allocations"));
  if (fen_bench_report_has (r, "series_next_ms_median"))
    printf ("Series of %d: next slice %.3f ms median, %.3f ms p95 (loading all took %.0f ms)\n",
            FEN_BENCH_SERIES_SLICES, fen_bench_report_get (r, "series_next_ms_median"),
            fen_bench_report_get (r, "series_next_ms_p95"), fen_bench_report_get (r, "series_load_ms_total"));

  fen_bench_summary_print_targets (r);
}

/* ---- Machine ---- */

/* The 1-minute load average: on a shared machine, how many others wanted
 * the two cores while the figures were taken. */
static void
fen_bench_note_load (FenBench *bench, const char *key)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    fen_bench_report_set (bench->report, key, g_ascii_strtod (text, NULL));
}

static void
fen_bench_describe_machine (FenBench *bench)
{
  g_autofree char *cpuinfo = NULL;
  struct utsname uts;

  fen_bench_report_set_int (bench->report, "nproc", g_get_num_processors ());
  fen_bench_report_set_int (bench->report, "render_threads", fen_renderer_get_n_threads (bench->renderer));
  fen_bench_report_set_int (bench->report, "memory_bytes", fen_memory_get_physical ());
  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      const char *p = strstr (cpuinfo, "model name");

      if (p != NULL && (p = strchr (p, ':')) != NULL)
        {
          g_autofree char *model = g_strndup (p + 1, strcspn (p + 1, "\n"));
          fen_bench_report_set_str (bench->report, "cpu", g_strstrip (model));
        }
    }
  if (uname (&uts) == 0)
    fen_bench_report_set_str (bench->report, "kernel", uts.release);
  fen_bench_report_set_int (bench->report, "quick", bench->opt->quick);
  fen_bench_note_load (bench, "loadavg_start");
}

static void
fen_bench_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  FenBenchOptions opt = { 0 };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt.json, "Print one JSON object", NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &opt.quick, "A short run (fewer repetitions)", NULL },
    { "json-out", 0, 0, G_OPTION_ARG_FILENAME, &opt.json_out,
      "Also write the JSON object to FILE (with the table on stdout)", "FILE" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt.data_dir,
      "Write the inputs here and keep them (reused by later runs)", "DIR" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &opt.threads, "Render threads (default: processors)", "N" },
    { "drift-updates", 0, 0, G_OPTION_ARG_INT, &opt.drift_updates,
      "Updates in the drift run (default 10000, quick 1000)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &opt.only,
      "Run one part alone: mpr (the reformat cases, their ratios in one run)", "PART" },
    { "load-one", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &opt.load_one,
      "Child mode: load FILE once and print time and peak", "FILE" },
    { "loader", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt.loader,
      "Child mode: read|fen|dcmtk-dataset|dcmtk-image", "NAME" },
    { "warm", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &opt.warm,
      "Child mode: load this small file first", "FILE" },
    { "frame-threads", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt.frame_threads,
      "Child mode: threads for the frames of one file (0: processors)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("- measure window/level, load, drift and paging against DCMTK and memcpy");
  g_autoptr(GError) error = NULL;
  FenBench bench = { 0 };
  gint64 t0 = fen_bench_now_ns ();
  int status = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fenestra-bench: %s\n", error->message);
      return 2;
    }
  if (opt.load_one != NULL)
    return fen_bench_load_one (opt.load_one, opt.loader, opt.warm, opt.frame_threads);
  if (opt.only != NULL && strcmp (opt.only, "mpr") != 0)
    {
      g_printerr ("fenestra-bench: --only takes mpr, not %s\n", opt.only);
      return 2;
    }

  bench.opt = &opt;
  if (opt.drift_updates == 0)
    opt.drift_updates = opt.quick ? 1000 : 10000;
  bench.plan = (FenBenchPlan) { 5, 30, 5000, 1.5 };
  bench.slow_plan = (FenBenchPlan) { 1, 11, 500, 1.5 };
  bench.runs = 5;
  bench.rounds = 5;
  if (opt.quick)
    {
      bench.plan = (FenBenchPlan) { 2, 10, 500, 0.25 };
      bench.slow_plan = (FenBenchPlan) { 1, 3, 50, 0.25 };
      bench.runs = 2;
      bench.rounds = 2;
    }
  bench.report = fen_bench_report_new ();
  bench.renderer = fen_renderer_new (opt.threads, FEN_BENCH_OUT_W);
  bench.lut = fen_lut_new ();
  bench.viewport = fen_bench_alloc ((gsize) FEN_BENCH_OUT_W * FEN_BENCH_OUT_H * 4);
  bench.self = g_file_read_link ("/proc/self/exe", &error);
  if (bench.self == NULL)
    goto fail;
  fen_bench_describe_machine (&bench);

  if (opt.data_dir != NULL)
    {
      bench.dir = g_strdup (opt.data_dir);
      if (g_mkdir_with_parents (bench.dir, 0755) != 0)
        {
          g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "%s: %s", bench.dir, g_strerror (errno));
          goto fail;
        }
    }
  else
    {
      bench.dir = g_dir_make_tmp ("fenestra-bench-XXXXXX", &error);
      bench.dir_is_temp = TRUE;
      if (bench.dir == NULL)
        goto fail;
    }
  if (opt.only == NULL)
    {
      if (!fen_bench_prepare_inputs (&bench, &error))
        goto fail;
      fen_bench_check_lut (bench.report);

      for (guint s = 0; s < FEN_BENCH_N_SIZES; s++)
        {
          if (!fen_bench_run_size (&bench, s, &error))
            goto fail;
          if (s == FEN_BENCH_MAIN)
            fen_bench_run_drift (&bench, s);
        }
      if (!fen_bench_run_series (&bench, &error) || !fen_bench_run_loads (&bench, &error))
        goto fail;
    }
  {
    /* 500 MiB of slices, built here: a shorter plan keeps the run short. */
    FenBenchPlan mpr_plan = { 2, opt.quick ? 5 : 15, 200, opt.quick ? 0.2 : 0.6 };

    fen_bench_progress (&bench, "mpr: 512 x 512 x 1000 into 1920 x 1080");
    fen_bench_mpr_run (bench.report, bench.renderer, &mpr_plan, bench.rounds);
  }

  fen_bench_note_load (&bench, "loadavg_end");
  if (opt.only == NULL)
    fen_bench_summary_compute (bench.report, fen_bench_sizes, FEN_BENCH_N_SIZES);
  fen_bench_report_set (bench.report, "run_s", (fen_bench_now_ns () - t0) / 1e9);
  /* Shows the allocation counter behind drift_allocations is live. */
  fen_bench_report_set_int (bench.report, "allocations_total", (gint64) fen_bench_alloc_get_count ());
  {
    g_autofree char *json = fen_bench_report_to_json (bench.report);

    if (opt.json_out != NULL && !g_file_set_contents (opt.json_out, json, -1, &error))
      goto fail;
    if (opt.json)
      fputs (json, stdout);
    else if (opt.only != NULL)
      {
        printf ("\nFenestra benchmark (%s run, mpr only), %u render threads, load average %.1f at start, %.1f at end\n",
                opt.quick ? "quick" : "full", fen_renderer_get_n_threads (bench.renderer),
                fen_bench_report_get (bench.report, "loadavg_start"),
                fen_bench_report_get (bench.report, "loadavg_end"));
        fen_bench_mpr_print (bench.report);
      }
    else
      fen_bench_print_table (&bench);
  }
  goto out;

fail:
  g_printerr ("fenestra-bench: %s\n", error ? error->message : "failed");
  status = 1;
out:
  if (bench.dir != NULL && bench.dir_is_temp)
    fen_bench_remove_dir (bench.dir);
  g_free (bench.dir);
  g_free (bench.self);
  for (guint s = 0; s < FEN_BENCH_N_SIZES; s++)
    {
      g_free (bench.paths[s]);
      g_free (bench.rle_paths[s]);
    }
  g_strfreev (bench.series_paths);
  g_strfreev (bench.series_jpeg_paths);
  g_free (bench.jpeg_path);
  g_free (bench.jpegls_path);
  g_free (bench.jpeg_warm);
  g_free (bench.jpegls_warm);
  g_free (bench.frames_path);
  g_free (bench.viewport);
  fen_lut_free (bench.lut);
  fen_renderer_free (bench.renderer);
  fen_bench_report_free (bench.report);
  g_free (opt.data_dir);
  g_free (opt.json_out);
  g_free (opt.load_one);
  g_free (opt.loader);
  g_free (opt.warm);
  g_free (opt.only);
  return status;
}
