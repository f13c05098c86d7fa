/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-render.c: streams a frame through a window table into a caller's
 * 8-bit buffer. The work is cut into chunks of output rows (or, at 1:1, of
 * pixels) which the caller and a fixed pool of GLib threads take in turn
 * from an atomic counter. Everything a render needs was allocated when the
 * renderer was made: a render allocates nothing and the pixel loops take no
 * locks. The workers are plain GThreads woken by a generation counter rather
 * than a GThreadPool, whose queue allocates a node per push (measured with
 * GLib 2.74: heap in use grew 7.5 KiB over 1,000 renders). */
#define G_LOG_DOMAIN "fen-render"

#include "fenestra/fen-render.h"
#include "fen-render-private.h"

#include <math.h>
#include <string.h>

#define FEN_RENDER_DEFAULT_CHUNK (64 * 1024)
#define FEN_RENDER_MIN_PARALLEL  (32 * 1024)

typedef enum {
  FEN_SRC_U8,
  FEN_SRC_S8,
  FEN_SRC_16,     /* signed or not: the table is indexed by the raw 16 bits */
} FenSourceType;

/* How a difference render reads a stored value: the table of a normal
 * render hides the sign of 16-bit samples, the difference needs it. */
typedef enum {
  FEN_DIFF_U8,
  FEN_DIFF_S8,
  FEN_DIFF_U16,
  FEN_DIFF_S16,
} FenDiffSource;

typedef struct
{
  /* Borrowed for the duration of one render */
  const guint8   *src;         /* the frame */
  const guint8   *table;
  guint8         *out;
  gsize           out_stride;
  FenPixelFormat  format;
  FenSourceType   src_type;
  guint           spp;          /* samples per pixel of the source */
  guint           src_width;
  guint           src_height;
  guint           out_width;
  guint           out_height;
  guint           x0, y0;       /* buffer pixel (i, j) is output pixel (x0 + i, y0 + j) */
  FenSampling     sampling;
  gboolean        axis_aligned;
  gboolean        full;         /* 1:1 contiguous: chunks are pixel ranges */
  gsize           n_pixels;     /* full: pixels in the frame */
  guint           col_begin;    /* axis aligned: output columns inside the image */
  guint           col_end;
  gsize           chunk_units;  /* rows per chunk, or pixels per chunk when full */
  guint           n_chunks;

  /* Difference renders only (fen_renderer_render_difference): the second
   * frame, how each frame's samples read, both rescales and the window. */
  gboolean        difference;
  const guint8   *src_b;
  FenDiffSource   diff_a, diff_b;
  guint           src_b_width;
  guint           src_b_height;
  FenSampling     sampling_b;
  double          slope_a, intercept_a;
  double          slope_b, intercept_b;
  double          win_lo, win_hi;  /* the LINEAR window's two borders */
  double          win_c0, win_w1;  /* c - 0.5 and w - 1 */
  gboolean        invert;

  /* Jobs of other core renderers (_fen_renderer_run_rows): the rows of a
   * chunk go to @rows_func. */
  FenRenderRowsFunc rows_func;
  gconstpointer     rows_data;
} FenRenderJob;

struct _FenRenderer
{
  guint         n_threads;
  gsize         chunk_pixels;

  /* Owned */
  GThread     **workers;        /* n_threads - 1, alive as long as the renderer */
  gint32       *xmap;           /* source sample offset per output column */
  gint32       *xmap_b;         /* the same for a difference's second image; -1 outside */
  guint         max_width;
  GMutex        render_lock;    /* one render at a time per renderer */
  GMutex        pool_lock;
  GCond         wake_cond;      /* a new generation, or quit */
  GCond         done_cond;      /* busy_workers reached 0 */

  /* The current job, written before workers are woken */
  FenRenderJob  job;
  gint          next_chunk;     /* atomic */
  guint64       generation;     /* guarded by pool_lock */
  guint         busy_workers;   /* in the current job; guarded by pool_lock */
  gboolean      job_open;       /* workers may still join; guarded by pool_lock */
  gboolean      quit;           /* guarded by pool_lock */
};

static inline guint32
fen_render_gray_word (guint8 v)
{
  /* Gray is the same in RGBA and BGRA: every channel v, alpha 255. */
  return 0xff000000u | ((guint32) v * 0x010101u);
}

/* Rows of a caller's buffer need not be 4-byte aligned: memcpy says so to the
 * compiler, which still emits one plain store. */
static inline void
fen_render_store32 (guint8 *p, guint32 v)
{
  memcpy (p, &v, sizeof v);
}

static inline void
fen_render_store64 (guint8 *p, guint64 v)
{
  memcpy (p, &v, sizeof v);
}

/* Two gray pixels as one word that stores like fen_render_gray_word (@a)
 * followed by fen_render_gray_word (@b). */
static inline guint64
fen_render_gray_pair (guint8 a, guint8 b)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  guint64 pair = (guint64) a | (guint64) b << 32;
#else
  guint64 pair = (guint64) b | (guint64) a << 32;
#endif

  return pair * 0x010101u | G_GUINT64_CONSTANT (0xff000000ff000000);
}

static inline guint
fen_render_index (const guint8 *src, FenSourceType type, gsize i)
{
  switch (type)
    {
    case FEN_SRC_U8: return src[i];
    case FEN_SRC_S8: return (guint16) (gint16) (gint8) src[i];
    case FEN_SRC_16:
    default:         return ((const guint16 *) src)[i];
    }
}

/* Writes @n monochrome pixels whose source sample offsets come from @map (or
 * are @base + k when @map is NULL) through the table into @out. The loops are
 * spelled out per format and per source type, each with a constant type, so
 * neither switch is left inside a loop: at -O2 GCC does not unswitch loops,
 * and testing the type per pixel cost a third of the instructions
 * (fenestra-bench, callgrind: 12-13 instructions per pixel before, see
 * docs/PERFORMANCE.md). */
static void
fen_render_mono_span (const FenRenderJob *job,
                      const guint8       *src,
                      const gint32       *map,
                      gsize               n,
                      guint8             *out)
{
  const guint8 *table = job->table;
  FenSourceType type = job->src_type;

#define FEN_SPAN_LOOP_TYPED(TYPE, STORE)                                  \
  do {                                                                    \
    if (map != NULL)                                                      \
      for (gsize k = 0; k < n; k++)                                       \
        { guint8 v = table[fen_render_index (src, TYPE, map[k])]; STORE; }\
    else                                                                  \
      for (gsize k = 0; k < n; k++)                                       \
        { guint8 v = table[fen_render_index (src, TYPE, k)]; STORE; }     \
  } while (0)
#define FEN_SPAN_LOOP(STORE)                                              \
  do {                                                                    \
    switch (type)                                                         \
      {                                                                   \
      case FEN_SRC_U8: FEN_SPAN_LOOP_TYPED (FEN_SRC_U8, STORE); break;     \
      case FEN_SRC_S8: FEN_SPAN_LOOP_TYPED (FEN_SRC_S8, STORE); break;     \
      case FEN_SRC_16:                                                    \
      default:         FEN_SPAN_LOOP_TYPED (FEN_SRC_16, STORE); break;     \
      }                                                                   \
  } while (0)
/* The 4-byte formats, which every viewport uses: two pixels per 64-bit
 * store halve the stores and the loop overhead (6 instead of 8 instructions
 * a pixel at 1:1; a third faster at 1:1 and a tenth at fit in an
 * interleaved A/B run, docs/PERFORMANCE.md). */
#define FEN_SPAN_LOOP_GRAY32(TYPE)                                            \
  do {                                                                       \
    gsize k = 0;                                                             \
    if (map != NULL)                                                         \
      for (; k + 2 <= n; k += 2)                                             \
        fen_render_store64 (out + 4 * k, fen_render_gray_pair (              \
          table[fen_render_index (src, TYPE, map[k])],                       \
          table[fen_render_index (src, TYPE, map[k + 1])]));                 \
    else                                                                     \
      for (; k + 2 <= n; k += 2)                                             \
        fen_render_store64 (out + 4 * k, fen_render_gray_pair (              \
          table[fen_render_index (src, TYPE, k)],                            \
          table[fen_render_index (src, TYPE, k + 1)]));                      \
    if (k < n)                                                               \
      fen_render_store32 (out + 4 * k, fen_render_gray_word (                \
        table[fen_render_index (src, TYPE, map != NULL ? (gsize) map[k] : k)])); \
  } while (0)

  switch (job->format)
    {
    case FEN_PIXEL_GRAY8:
      FEN_SPAN_LOOP (out[k] = v);
      break;
    case FEN_PIXEL_RGB8:
      FEN_SPAN_LOOP (out[3 * k] = out[3 * k + 1] = out[3 * k + 2] = v);
      break;
    case FEN_PIXEL_RGBA8:
    case FEN_PIXEL_BGRA8:
    default:
      switch (type)
        {
        case FEN_SRC_U8: FEN_SPAN_LOOP_GRAY32 (FEN_SRC_U8); break;
        case FEN_SRC_S8: FEN_SPAN_LOOP_GRAY32 (FEN_SRC_S8); break;
        case FEN_SRC_16:
        default:         FEN_SPAN_LOOP_GRAY32 (FEN_SRC_16); break;
        }
      break;
    }
#undef FEN_SPAN_LOOP
#undef FEN_SPAN_LOOP_TYPED
#undef FEN_SPAN_LOOP_GRAY32
}

static void
fen_render_color_span (const FenRenderJob *job,
                       const guint8       *src,
                       const gint32       *map,
                       gsize               n,
                       guint8             *out)
{
  const guint8 *table = job->table;
  guint bpp = fen_pixel_format_bytes (job->format);
  gboolean bgra = job->format == FEN_PIXEL_BGRA8;

  for (gsize k = 0; k < n; k++)
    {
      const guint8 *s = src + (map != NULL ? (gsize) map[k] : 3 * k);
      guint8 *o = out + k * bpp;
      guint8 r = table[s[0]], g = table[s[1]], b = table[s[2]];

      o[0] = bgra ? b : r;
      o[1] = g;
      o[2] = bgra ? r : b;
      if (bpp == 4)
        o[3] = 255;
    }
}

static void
fen_render_fill (const FenRenderJob *job, guint8 *out, gsize n)
{
  switch (job->format)
    {
    case FEN_PIXEL_GRAY8:
      memset (out, 0, n);
      break;
    case FEN_PIXEL_RGB8:
      memset (out, 0, 3 * n);
      break;
    default:
      /* Opaque black. Each copy doubles what is written: memcpy stores a
       * vector at a time, where a 4-byte store loop is not vectorised at -O2
       * and cost 4 instructions a pixel. */
      if (n == 0)
        break;
      fen_render_store32 (out, 0xff000000u);
      for (gsize done = 4, total = 4 * n; done < total;)
        {
          gsize step = MIN (done, total - done);

          memcpy (out + done, out, step);
          done += step;
        }
      break;
    }
}

static void
fen_render_span (const FenRenderJob *job, const guint8 *src, const gint32 *map, gsize n, guint8 *out)
{
  if (job->spp == 3)
    fen_render_color_span (job, src, map, n, out);
  else
    fen_render_mono_span (job, src, map, n, out);
}

static inline gboolean
fen_render_locate (const FenRenderJob *job, double px, double py, gsize *offset)
{
  double fx = floor (px), fy = floor (py);

  /* Written so that NaN (every comparison false) lands outside: a NaN
   * sampling reached the cast below before (found by fuzz-render). */
  if (!(fx >= 0 && fy >= 0 && fx < job->src_width && fy < job->src_height))
    return FALSE;
  *offset = ((gsize) fy * job->src_width + (gsize) fx) * job->spp;
  return TRUE;
}

/* One output row, general orientation: each pixel locates its source. */
static void
fen_render_row_general (const FenRenderJob *job, guint j, guint8 *out)
{
  const FenSampling *s = &job->sampling;
  guint bpp = fen_pixel_format_bytes (job->format);
  guint bytes_per_sample = job->src_type == FEN_SRC_16 ? 2 : 1;

  for (guint i = 0; i < job->out_width; i++)
    {
      /* The output pixel's own indices, whatever part of the output the
       * buffer holds: the same expression gives the same bytes. */
      guint oi = job->x0 + i, oj = job->y0 + j;
      double px = s->origin_x + (oi + 0.5) * s->col_dx + (oj + 0.5) * s->row_dx;
      double py = s->origin_y + (oi + 0.5) * s->col_dy + (oj + 0.5) * s->row_dy;
      gsize offset;

      if (!fen_render_locate (job, px, py, &offset))
        fen_render_fill (job, out + i * bpp, 1);
      else if (job->spp == 3)
        fen_render_color_span (job, job->src + offset, NULL, 1, out + i * bpp);
      else
        fen_render_mono_span (job, job->src + offset * bytes_per_sample, NULL, 1, out + i * bpp);
    }
}

/* Difference ------------------------------------------------------------- */

static inline gint32
fen_render_diff_stored (const guint8 *src, FenDiffSource type, gsize i)
{
  switch (type)
    {
    case FEN_DIFF_U8:  return src[i];
    case FEN_DIFF_S8:  return (gint8) src[i];
    case FEN_DIFF_U16: return ((const guint16 *) src)[i];
    case FEN_DIFF_S16:
    default:           return ((const gint16 *) src)[i];
    }
}

/* One output pixel of a difference from sample offsets @ia of A and @ib of
 * B. The arithmetic is written as fen_image_to_modality() and
 * fen_voi_apply() write it, so the output equals theirs to the bit. */
static inline void
fen_render_diff_pixel (const FenRenderJob *job, gsize ia, gsize ib, guint8 *o)
{
  /* PS3.3 C.11.1: modality value = stored * Rescale Slope + Rescale Intercept,
   * for each image with its own (per-frame) rescale. */
  double x = (fen_render_diff_stored (job->src, job->diff_a, ia) * job->slope_a + job->intercept_a) -
             (fen_render_diff_stored (job->src_b, job->diff_b, ib) * job->slope_b + job->intercept_b);
  double y;
  int v;

  /* PS3.3 C.11.2.1.2.1, LINEAR: x <= c - 0.5 - (w-1)/2 -> y_min;
   * x > c - 0.5 + (w-1)/2 -> y_max; else ((x - (c - 0.5)) / (w-1) + 0.5)
   * * (y_max - y_min) + y_min, here onto 0..255. */
  if (x <= job->win_lo)
    y = 0;
  else if (x > job->win_hi)
    y = 255;
  else
    y = floor (((x - job->win_c0) / job->win_w1 + 0.5) * 255.0 + 0.5);
  v = isnan (y) ? 0 : (int) CLAMP (y, 0.0, 255.0);
  if (job->invert)
    v = 255 - v;

  switch (job->format)
    {
    case FEN_PIXEL_GRAY8:
      o[0] = (guint8) v;
      break;
    case FEN_PIXEL_RGB8:
      o[0] = o[1] = o[2] = (guint8) v;
      break;
    default:
      fen_render_store32 (o, fen_render_gray_word ((guint8) v));
      break;
    }
}

/* Sample offset of image point (@px, @py) in a @w x @h frame, or FALSE. */
static inline gboolean
fen_render_diff_locate (double px, double py, guint w, guint h, gsize *offset)
{
  double fx = floor (px), fy = floor (py);

  if (!(fx >= 0 && fy >= 0 && fx < w && fy < h))
    return FALSE;
  *offset = (gsize) fy * w + (gsize) fx;
  return TRUE;
}

static void
fen_render_diff_chunk (FenRenderer *renderer, guint chunk)
{
  const FenRenderJob *job = &renderer->job;
  const FenSampling *sa = &job->sampling, *sb = &job->sampling_b;
  guint bpp = fen_pixel_format_bytes (job->format);

  for (guint j = chunk * job->chunk_units;
       j < MIN ((chunk + 1) * job->chunk_units, job->out_height); j++)
    {
      guint8 *out_row = job->out + (gsize) j * job->out_stride;

      if (job->axis_aligned)
        {
          /* One source row of each image; columns from the two maps. */
          double ya = floor (sa->origin_y + (j + 0.5) * sa->row_dy);
          double yb = floor (sb->origin_y + (j + 0.5) * sb->row_dy);
          gsize row_a, row_b;

          if (!(ya >= 0 && ya < job->src_height && yb >= 0 && yb < job->src_b_height))
            {
              fen_render_fill (job, out_row, job->out_width);
              continue;
            }
          row_a = (gsize) ya * job->src_width;
          row_b = (gsize) yb * job->src_b_width;
          for (guint i = 0; i < job->out_width; i++)
            {
              gint32 xa = renderer->xmap[i], xb = renderer->xmap_b[i];

              if (xa < 0 || xb < 0)
                fen_render_fill (job, out_row + (gsize) i * bpp, 1);
              else
                fen_render_diff_pixel (job, row_a + (gsize) xa, row_b + (gsize) xb, out_row + (gsize) i * bpp);
            }
          continue;
        }

      for (guint i = 0; i < job->out_width; i++)
        {
          gsize ia, ib;

          if (fen_render_diff_locate (sa->origin_x + (i + 0.5) * sa->col_dx + (j + 0.5) * sa->row_dx,
                                      sa->origin_y + (i + 0.5) * sa->col_dy + (j + 0.5) * sa->row_dy,
                                      job->src_width, job->src_height, &ia) &&
              fen_render_diff_locate (sb->origin_x + (i + 0.5) * sb->col_dx + (j + 0.5) * sb->row_dx,
                                      sb->origin_y + (i + 0.5) * sb->col_dy + (j + 0.5) * sb->row_dy,
                                      job->src_b_width, job->src_b_height, &ib))
            fen_render_diff_pixel (job, ia, ib, out_row + (gsize) i * bpp);
          else
            fen_render_fill (job, out_row + (gsize) i * bpp, 1);
        }
    }
}

static void
fen_render_chunk (FenRenderer *renderer, guint chunk)
{
  const FenRenderJob *job = &renderer->job;
  guint bpp = fen_pixel_format_bytes (job->format);
  guint bytes_per_sample = job->src_type == FEN_SRC_16 ? 2 : 1;

  if (job->rows_func != NULL)
    {
      guint first = chunk * (guint) job->chunk_units;

      job->rows_func (job->rows_data, first, MIN (first + (guint) job->chunk_units, job->out_height));
      return;
    }
  if (job->difference)
    {
      fen_render_diff_chunk (renderer, chunk);
      return;
    }
  if (job->full)
    {
      /* 1:1 whole frame: a contiguous run of pixels, row breaks only matter
       * when the output stride has padding. */
      gsize first = (gsize) chunk * job->chunk_units;
      gsize last = MIN (first + job->chunk_units, job->n_pixels);

      while (first < last)
        {
          gsize row = first / job->out_width, col = first % job->out_width;
          gsize n = MIN (last - first, job->out_width - col);

          fen_render_span (job, job->src + first * job->spp * bytes_per_sample, NULL, n,
                           job->out + row * job->out_stride + col * bpp);
          first += n;
        }
      return;
    }

  for (guint j = chunk * job->chunk_units;
       j < MIN ((chunk + 1) * job->chunk_units, job->out_height); j++)
    {
      guint8 *out_row = job->out + (gsize) j * job->out_stride;

      if (!job->axis_aligned)
        {
          fen_render_row_general (job, j, out_row);
          continue;
        }

      {
        double py = floor (job->sampling.origin_y + (job->y0 + j + 0.5) * job->sampling.row_dy);

        if (!(py >= 0 && py < job->src_height) || job->col_begin >= job->col_end)
          {
            fen_render_fill (job, out_row, job->out_width);
            continue;
          }
        fen_render_fill (job, out_row, job->col_begin);
        fen_render_span (job,
                         job->src + (gsize) py * job->src_width * job->spp * bytes_per_sample,
                         renderer->xmap + job->col_begin,
                         job->col_end - job->col_begin,
                         out_row + (gsize) job->col_begin * bpp);
        fen_render_fill (job, out_row + (gsize) job->col_end * bpp, job->out_width - job->col_end);
      }
    }
}

static void
fen_render_take_chunks (FenRenderer *renderer)
{
  for (;;)
    {
      gint chunk = g_atomic_int_add (&renderer->next_chunk, 1);

      if (chunk >= (gint) renderer->job.n_chunks)
        break;
      fen_render_chunk (renderer, (guint) chunk);
    }
}

static gpointer
fen_render_worker (gpointer data)
{
  FenRenderer *renderer = data;
  guint64 seen = 0;

  g_mutex_lock (&renderer->pool_lock);
  for (;;)
    {
      while (renderer->generation == seen && !renderer->quit)
        g_cond_wait (&renderer->wake_cond, &renderer->pool_lock);
      if (renderer->quit)
        break;
      seen = renderer->generation;
      /* Woken after the caller ran out of chunks: the job is over (and its
       * struct may already hold the next one), so stay out of it. */
      if (!renderer->job_open)
        continue;
      renderer->busy_workers++;
      g_mutex_unlock (&renderer->pool_lock);

      fen_render_take_chunks (renderer);

      g_mutex_lock (&renderer->pool_lock);
      if (--renderer->busy_workers == 0)
        g_cond_signal (&renderer->done_cond);
    }
  g_mutex_unlock (&renderer->pool_lock);
  return NULL;
}

FenRenderer *
fen_renderer_new (guint n_threads, guint max_width)
{
  FenRenderer *renderer = g_new0 (FenRenderer, 1);

  renderer->n_threads = n_threads ? n_threads : MAX (g_get_num_processors (), 1u);
  renderer->chunk_pixels = FEN_RENDER_DEFAULT_CHUNK;
  renderer->max_width = MAX (max_width, 1u);
  renderer->xmap = g_new (gint32, renderer->max_width);
  renderer->xmap_b = g_new (gint32, renderer->max_width);
  g_mutex_init (&renderer->render_lock);
  g_mutex_init (&renderer->pool_lock);
  g_cond_init (&renderer->wake_cond);
  g_cond_init (&renderer->done_cond);
  /* The threads start now and stay, so a render never spawns one. */
  renderer->workers = g_new0 (GThread *, renderer->n_threads);
  for (guint t = 0; t + 1 < renderer->n_threads; t++)
    renderer->workers[t] = g_thread_new ("fen-render", fen_render_worker, renderer);
  return renderer;
}

void
fen_renderer_free (FenRenderer *renderer)
{
  if (renderer == NULL)
    return;
  g_mutex_lock (&renderer->pool_lock);
  renderer->quit = TRUE;
  g_cond_broadcast (&renderer->wake_cond);
  g_mutex_unlock (&renderer->pool_lock);
  for (guint t = 0; t + 1 < renderer->n_threads; t++)
    g_thread_join (renderer->workers[t]);
  g_free (renderer->workers);
  g_free (renderer->xmap);
  g_free (renderer->xmap_b);
  g_mutex_clear (&renderer->render_lock);
  g_mutex_clear (&renderer->pool_lock);
  g_cond_clear (&renderer->wake_cond);
  g_cond_clear (&renderer->done_cond);
  g_free (renderer);
}

guint
fen_renderer_get_n_threads (const FenRenderer *renderer)
{
  return renderer->n_threads;
}

void
fen_renderer_set_chunk_pixels (FenRenderer *renderer, gsize chunk_pixels)
{
  renderer->chunk_pixels = MAX (chunk_pixels, 1);
}

/* Runs the prepared job on the caller and the workers and waits for it.
 * The caller waits only for workers that joined: once it finds no chunk left
 * it closes the job, and a worker still waiting for a CPU skips it. Waiting
 * for every worker instead made a render as slow as the slowest wake-up: on
 * a loaded machine a woken thread can wait a scheduler slice (milliseconds)
 * for a core, longer than a whole viewport render, and two threads were no
 * faster than one (fenestra-bench, docs/PERFORMANCE.md). */
static void
fen_renderer_run (FenRenderer *renderer, gsize total_pixels)
{
  gboolean parallel = renderer->n_threads > 1 && renderer->job.n_chunks > 1 &&
                      total_pixels >= FEN_RENDER_MIN_PARALLEL;

  renderer->next_chunk = 0;
  if (parallel)
    {
      g_mutex_lock (&renderer->pool_lock);
      renderer->job_open = TRUE;
      renderer->generation++;
      g_cond_broadcast (&renderer->wake_cond);
      g_mutex_unlock (&renderer->pool_lock);
    }

  fen_render_take_chunks (renderer);

  if (parallel)
    {
      /* Every chunk is taken; those a worker holds finish before we return. */
      g_mutex_lock (&renderer->pool_lock);
      renderer->job_open = FALSE;
      while (renderer->busy_workers > 0)
        g_cond_wait (&renderer->done_cond, &renderer->pool_lock);
      g_mutex_unlock (&renderer->pool_lock);
    }
}

/* Runs the prepared job in chunks of whole output rows (about
 * chunk_pixels each) and releases the render lock the caller took. */
static void
fen_renderer_run_rows_locked (FenRenderer *renderer, guint out_width, guint out_height)
{
  FenRenderJob *job = &renderer->job;

  job->chunk_units = MAX (renderer->chunk_pixels / MAX (out_width, 1u), 1);
  job->n_chunks = (guint) ((out_height + job->chunk_units - 1) / job->chunk_units);
  fen_renderer_run (renderer, (gsize) out_width * out_height);
  g_mutex_unlock (&renderer->render_lock);
}

/* The column maps hold @out_width entries. Wider than promised at creation
 * (fen_renderer_new's maximum): the one allocation a render can make. */
static void
fen_renderer_reserve_width (FenRenderer *renderer, guint out_width)
{
  if (out_width <= renderer->max_width)
    return;
  g_free (renderer->xmap);
  g_free (renderer->xmap_b);
  renderer->xmap = g_new (gint32, out_width);
  renderer->xmap_b = g_new (gint32, out_width);
  renderer->max_width = out_width;
}

static gboolean
fen_renderer_prepare (FenRenderer    *renderer,
                      const FenImage *image,
                      guint           frame,
                      const FenLut   *lut,
                      guint           out_width,
                      guint           out_height,
                      FenPixelFormat  format,
                      guint8         *out,
                      gsize           out_stride)
{
  const FenImageInfo *info = fen_image_get_info (image);
  FenRenderJob *job = &renderer->job;

  g_return_val_if_fail (frame < info->frames, FALSE);
  g_return_val_if_fail (out != NULL && out_width > 0 && out_height > 0, FALSE);
  g_return_val_if_fail (out_stride >= (gsize) out_width * fen_pixel_format_bytes (format), FALSE);
  g_return_val_if_fail (!(format == FEN_PIXEL_GRAY8 && fen_image_is_color (image)), FALSE);
  g_return_val_if_fail (fen_image_get_bytes_per_sample (image) <= 2, FALSE);
  /* Evicted under memory pressure: the caller restores it first. Not a
   * programmer error (an eviction can race a redraw), so no critical. */
  if (!fen_image_has_pixels (image))
    return FALSE;

  memset (job, 0, sizeof *job);
  job->src = fen_image_get_frame (image, frame);
  job->table = fen_lut_get_table (lut);
  job->out = out;
  job->out_stride = out_stride;
  job->format = format;
  job->spp = info->samples_per_pixel;
  job->src_width = info->columns;
  job->src_height = info->rows;
  job->out_width = out_width;
  job->out_height = out_height;
  if (fen_image_get_bytes_per_sample (image) == 2)
    job->src_type = FEN_SRC_16;
  else
    job->src_type = info->pixel_representation ? FEN_SRC_S8 : FEN_SRC_U8;
  return TRUE;
}

gboolean
fen_renderer_render_full (FenRenderer    *renderer,
                          const FenImage *image,
                          guint           frame,
                          const FenLut   *lut,
                          FenPixelFormat  format,
                          guint8         *out,
                          gsize           out_stride)
{
  FenRenderJob *job = &renderer->job;
  guint width = fen_image_get_width (image), height = fen_image_get_height (image);

  g_mutex_lock (&renderer->render_lock);
  if (!fen_renderer_prepare (renderer, image, frame, lut, width, height, format, out, out_stride))
    {
      g_mutex_unlock (&renderer->render_lock);
      return FALSE;
    }
  job->full = TRUE;
  job->n_pixels = (gsize) width * height;
  job->chunk_units = renderer->chunk_pixels;
  job->n_chunks = (guint) ((job->n_pixels + job->chunk_units - 1) / job->chunk_units);
  fen_renderer_run (renderer, job->n_pixels);
  g_mutex_unlock (&renderer->render_lock);
  return TRUE;
}

gboolean
fen_renderer_render (FenRenderer       *renderer,
                     const FenImage    *image,
                     guint              frame,
                     const FenLut      *lut,
                     const FenSampling *sampling,
                     guint              out_width,
                     guint              out_height,
                     FenPixelFormat     format,
                     guint8            *out,
                     gsize              out_stride)
{
  FenPixelRect all = { 0, 0, out_width, out_height };

  g_return_val_if_fail (out_width > 0 && out_height > 0, FALSE);
  return fen_renderer_render_rect (renderer, image, frame, lut, sampling, &all, format, out, out_stride);
}

gboolean
fen_renderer_render_rect (FenRenderer        *renderer,
                          const FenImage     *image,
                          guint               frame,
                          const FenLut       *lut,
                          const FenSampling  *sampling,
                          const FenPixelRect *rect,
                          FenPixelFormat      format,
                          guint8             *out,
                          gsize               out_stride)
{
  FenRenderJob *job = &renderer->job;
  guint width = fen_image_get_width (image), height = fen_image_get_height (image);
  guint out_width = rect->width, out_height = rect->height;

  g_return_val_if_fail (rect->x <= G_MAXUINT - out_width && rect->y <= G_MAXUINT - out_height, FALSE);
  if (out_width == 0 || out_height == 0)
    return TRUE;
  /* Exactly 1:1 over the whole frame: take the contiguous path. */
  if (rect->x == 0 && rect->y == 0 && out_width == width && out_height == height &&
      sampling->origin_x == 0 && sampling->origin_y == 0 && sampling->col_dx == 1 &&
      sampling->row_dy == 1 && sampling->col_dy == 0 && sampling->row_dx == 0)
    return fen_renderer_render_full (renderer, image, frame, lut, format, out, out_stride);

  g_mutex_lock (&renderer->render_lock);
  if (!fen_renderer_prepare (renderer, image, frame, lut, out_width, out_height, format, out, out_stride))
    {
      g_mutex_unlock (&renderer->render_lock);
      return FALSE;
    }
  job->x0 = rect->x;
  job->y0 = rect->y;
  job->sampling = *sampling;
  job->axis_aligned = sampling->col_dy == 0 && sampling->row_dx == 0;

  if (job->axis_aligned)
    {
      fen_renderer_reserve_width (renderer, out_width);
      /* Columns map monotonically, so those inside the image form one run. */
      job->col_begin = out_width;
      job->col_end = 0;
      for (guint i = 0; i < out_width; i++)
        {
          double px = floor (sampling->origin_x + (rect->x + i + 0.5) * sampling->col_dx);

          if (px >= 0 && px < width)
            {
              renderer->xmap[i] = (gint32) px * (gint32) job->spp;
              job->col_begin = MIN (job->col_begin, i);
              job->col_end = MAX (job->col_end, i + 1);
            }
        }
      if (job->col_begin > job->col_end)
        job->col_begin = job->col_end = 0;
    }

  fen_renderer_run_rows_locked (renderer, out_width, out_height);
  return TRUE;
}

static FenDiffSource
fen_render_diff_source (const FenImage *image)
{
  const FenImageInfo *info = fen_image_get_info (image);

  if (fen_image_get_bytes_per_sample (image) == 2)
    return info->pixel_representation ? FEN_DIFF_S16 : FEN_DIFF_U16;
  return info->pixel_representation ? FEN_DIFF_S8 : FEN_DIFF_U8;
}

/* Fills @map with the source column of each output column, -1 outside. */
static void
fen_render_diff_map (gint32 *map, const FenSampling *s, guint out_width, guint src_width)
{
  for (guint i = 0; i < out_width; i++)
    {
      double px = floor (s->origin_x + (i + 0.5) * s->col_dx);

      map[i] = px >= 0 && px < src_width ? (gint32) px : -1;
    }
}

gboolean
fen_renderer_render_difference (FenRenderer           *renderer,
                                const FenImage        *a,
                                guint                  frame_a,
                                const FenImage        *b,
                                guint                  frame_b,
                                const FenWindowParams *window,
                                const FenSampling     *sampling_a,
                                const FenSampling     *sampling_b,
                                guint                  out_width,
                                guint                  out_height,
                                FenPixelFormat         format,
                                guint8                *out,
                                gsize                  out_stride)
{
  FenRenderJob *job = &renderer->job;
  double w;

  g_return_val_if_fail (renderer != NULL && a != NULL && b != NULL, FALSE);
  g_return_val_if_fail (window != NULL && sampling_a != NULL, FALSE);
  g_return_val_if_fail (!fen_image_is_color (a) && !fen_image_is_color (b), FALSE);
  g_return_val_if_fail (frame_a < fen_image_get_n_frames (a) && frame_b < fen_image_get_n_frames (b), FALSE);
  g_return_val_if_fail (out != NULL && out_width > 0 && out_height > 0, FALSE);
  g_return_val_if_fail (out_stride >= (gsize) out_width * fen_pixel_format_bytes (format), FALSE);
  g_return_val_if_fail (fen_image_get_bytes_per_sample (a) <= 2 && fen_image_get_bytes_per_sample (b) <= 2, FALSE);
  if (!fen_image_has_pixels (a) || !fen_image_has_pixels (b))
    return FALSE;
  if (sampling_b == NULL)
    sampling_b = sampling_a;

  g_mutex_lock (&renderer->render_lock);
  memset (job, 0, sizeof *job);
  job->difference = TRUE;
  job->src = fen_image_get_frame (a, frame_a);
  job->src_b = fen_image_get_frame (b, frame_b);
  job->diff_a = fen_render_diff_source (a);
  job->diff_b = fen_render_diff_source (b);
  job->src_width = fen_image_get_width (a);
  job->src_height = fen_image_get_height (a);
  job->src_b_width = fen_image_get_width (b);
  job->src_b_height = fen_image_get_height (b);
  job->spp = 1;
  job->out = out;
  job->out_stride = out_stride;
  job->format = format;
  job->out_width = out_width;
  job->out_height = out_height;
  job->sampling = *sampling_a;
  job->sampling_b = *sampling_b;
  fen_image_get_frame_rescale (a, frame_a, &job->slope_a, &job->intercept_a);
  fen_image_get_frame_rescale (b, frame_b, &job->slope_b, &job->intercept_b);
  /* PS3.3 C.11.2.1.2.1: LINEAR needs w >= 1; the borders as fen_voi_apply()
   * computes them. */
  w = window->width < 1 ? 1 : window->width;
  job->win_lo = window->center - 0.5 - (w - 1) / 2;
  job->win_hi = window->center - 0.5 + (w - 1) / 2;
  job->win_c0 = window->center - 0.5;
  job->win_w1 = w - 1;
  job->invert = window->invert;
  job->axis_aligned = sampling_a->col_dy == 0 && sampling_a->row_dx == 0 &&
                      sampling_b->col_dy == 0 && sampling_b->row_dx == 0;

  if (job->axis_aligned)
    {
      fen_renderer_reserve_width (renderer, out_width);
      fen_render_diff_map (renderer->xmap, sampling_a, out_width, job->src_width);
      fen_render_diff_map (renderer->xmap_b, sampling_b, out_width, job->src_b_width);
    }

  fen_renderer_run_rows_locked (renderer, out_width, out_height);
  return TRUE;
}

void
_fen_renderer_run_rows (FenRenderer       *renderer,
                        guint              out_width,
                        guint              out_height,
                        FenRenderRowsFunc  func,
                        gconstpointer      data)
{
  FenRenderJob *job = &renderer->job;

  g_mutex_lock (&renderer->render_lock);
  memset (job, 0, sizeof *job);
  job->rows_func = func;
  job->rows_data = data;
  job->out_width = out_width;
  job->out_height = out_height;
  fen_renderer_run_rows_locked (renderer, out_width, out_height);
}
