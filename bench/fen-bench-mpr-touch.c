/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-mpr-touch.c: the memory reference of a reformat plane. The
 * 64-byte source lines a trilinear reformat of the plane reads are listed
 * once, in the order the output rows first need them (each line once per
 * frame, as a cache that kept every line would fetch it); a touch reads
 * one byte of each, nothing else, on one thread or on two that take
 * chunks of output rows from a shared counter as the renderer's threads
 * do. What it costs is what bringing those lines in costs, measured rather
 * than argued. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-mpr-touch.h"

#include <math.h>

#define FEN_TOUCH_LINE 64

struct _FenBenchTouch {
  /* Owned */
  guint16        *slice;       /* per listed line: its slice */
  guint32        *offset;      /* per listed line: its byte offset in the slice */
  guint          *row_start;   /* per output row: its first listed line; n_rows + 1 entries */
  const guint8  **base;        /* per slice: its pixels (borrowed from the volume's images) */
  guint           n_lines;
  guint           n_rows;
  guint           rows_per_chunk;
  gsize           slice_bytes;
  GThread        *worker;
  GMutex          lock;
  GCond           wake, done;
  /* One touch */
  gint64          shift;       /* bytes added to every offset */
  gint            next_chunk;
  guint64         generation;
  gboolean        busy, quit;
  gint64          sums[2];
};

/* Reads chunks of output rows' lines until none is left; @who's sum. */
static void
fen_bench_touch_chunks (FenBenchTouch *touch, guint who)
{
  guint n_chunks = (touch->n_rows + touch->rows_per_chunk - 1) / touch->rows_per_chunk;
  gint64 sum = 0;

  for (;;)
    {
      gint c = g_atomic_int_add (&touch->next_chunk, 1);
      guint r0, r1;

      if (c >= (gint) n_chunks)
        break;
      r0 = (guint) c * touch->rows_per_chunk;
      r1 = MIN (touch->n_rows, r0 + touch->rows_per_chunk);
      for (guint e = touch->row_start[r0]; e < touch->row_start[r1]; e++)
        {
          gint64 o = (gint64) touch->offset[e] + touch->shift;

          if (o >= 0 && o < (gint64) touch->slice_bytes)
            sum += touch->base[touch->slice[e]][o];
        }
    }
  touch->sums[who] = sum;
}

static gpointer
fen_bench_touch_worker (gpointer data)
{
  FenBenchTouch *touch = data;
  guint64 seen = 0;

  g_mutex_lock (&touch->lock);
  for (;;)
    {
      while (touch->generation == seen && !touch->quit)
        g_cond_wait (&touch->wake, &touch->lock);
      if (touch->quit)
        break;
      seen = touch->generation;
      g_mutex_unlock (&touch->lock);
      fen_bench_touch_chunks (touch, 1);
      g_mutex_lock (&touch->lock);
      touch->busy = FALSE;
      g_cond_signal (&touch->done);
    }
  g_mutex_unlock (&touch->lock);
  return NULL;
}

/* The slices around distance @w (sorted @dist, @n of them): @k0 and the
 * weight @t of @k0 + 1, as the reformat interpolates. FALSE outside. */
static gboolean
fen_bench_touch_locate (const double *dist, guint n, double w, guint *k0, double *t)
{
  guint lo = 0, hi = n - 1;

  if (!(w >= dist[0] && w <= dist[n - 1]))
    return FALSE;
  while (hi - lo > 1)
    {
      guint m = (lo + hi) / 2;

      if (dist[m] <= w)
        lo = m;
      else
        hi = m;
    }
  *k0 = lo;
  *t = (w - dist[lo]) / (dist[hi] - dist[lo]);
  return TRUE;
}

FenBenchTouch *
fen_bench_touch_new (const FenVolume *volume, const FenPlaneGeometry *plane, guint out_width,
                     guint out_height, guint rows_per_chunk)
{
  FenBenchTouch *touch = g_new0 (FenBenchTouch, 1);
  guint n = fen_volume_get_n_slices (volume), w = fen_volume_get_width (volume);
  guint h = fen_volume_get_height (volume);
  gsize lines_per_slice;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GArray) slices = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree double *dist = g_new (double, n);
  g_autofree FenPlaneGeometry *geo = g_new (FenPlaneGeometry, n);

  g_assert (n >= 2 && n <= G_MAXUINT16 + 1u);
  touch->slice_bytes = (gsize) w * h * 2;
  g_assert (touch->slice_bytes <= G_MAXUINT32);
  lines_per_slice = (touch->slice_bytes + FEN_TOUCH_LINE - 1) / FEN_TOUCH_LINE;
  touch->n_rows = out_height;
  touch->rows_per_chunk = MAX (rows_per_chunk, 1);
  touch->row_start = g_new (guint, out_height + 1);
  touch->base = g_new (const guint8 *, n);
  for (guint k = 0; k < n; k++)
    {
      guint frame;
      FenImage *image = fen_volume_get_slice_image (volume, k, &frame);

      touch->base[k] = fen_image_get_frame (image, frame);
      dist[k] = fen_volume_get_slice_distance (volume, k);
      fen_volume_get_slice_geometry (volume, k, &geo[k]);
    }
  for (guint j = 0; j < out_height; j++)
    {
      touch->row_start[j] = slices->len;
      for (guint i = 0; i < out_width; i++)
        {
          double x[3], d, t;
          guint k0;

          fen_plane_geometry_image_to_patient (plane, i, j, x);
          d = x[0] * geo[0].normal[0] + x[1] * geo[0].normal[1] + x[2] * geo[0].normal[2];
          if (!fen_bench_touch_locate (dist, n, d, &k0, &t))
            continue;
          for (guint k = k0; k <= k0 + (t > 0); k++)
            {
              double col, row;
              gint64 x0, y0;

              fen_plane_geometry_patient_to_image (&geo[k], x, &col, &row, NULL);
              if (!(col >= -0.5 && row >= -0.5 && col < w - 0.5 && row < h - 0.5))
                continue;
              x0 = (gint64) floor (col);
              y0 = (gint64) floor (row);
              for (gint64 yy = y0; yy <= y0 + 1; yy++)
                for (gint64 xx = x0; xx <= x0 + 1; xx++)
                  {
                    gint64 cx = CLAMP (xx, 0, (gint64) w - 1), cy = CLAMP (yy, 0, (gint64) h - 1);
                    guint32 off = (guint32) ((cy * w + cx) * 2 / FEN_TOUCH_LINE * FEN_TOUCH_LINE);
                    gint64 key = (gint64) k * (gint64) lines_per_slice + off / FEN_TOUCH_LINE;
                    guint16 k16 = (guint16) k;

                    if (!g_hash_table_add (seen, GSIZE_TO_POINTER ((gsize) key + 1)))
                      continue;
                    g_array_append_val (slices, k16);
                    g_array_append_val (offsets, off);
                  }
            }
        }
    }
  touch->row_start[out_height] = slices->len;
  touch->n_lines = slices->len;
  touch->slice = (guint16 *) g_array_free (g_steal_pointer (&slices), FALSE);
  touch->offset = (guint32 *) g_array_free (g_steal_pointer (&offsets), FALSE);
  g_mutex_init (&touch->lock);
  g_cond_init (&touch->wake);
  g_cond_init (&touch->done);
  touch->worker = g_thread_new ("fen-bench-touch", fen_bench_touch_worker, touch);
  return touch;
}

guint
fen_bench_touch_get_n_lines (const FenBenchTouch *touch)
{
  return touch->n_lines;
}

gint64
fen_bench_touch_run (FenBenchTouch *touch, gint64 shift, gboolean two_threads)
{
  touch->shift = shift;
  touch->next_chunk = 0;
  touch->sums[1] = 0;
  if (two_threads)
    {
      g_mutex_lock (&touch->lock);
      touch->busy = TRUE;
      touch->generation++;
      g_cond_signal (&touch->wake);
      g_mutex_unlock (&touch->lock);
    }
  fen_bench_touch_chunks (touch, 0);
  if (two_threads)
    {
      g_mutex_lock (&touch->lock);
      while (touch->busy)
        g_cond_wait (&touch->done, &touch->lock);
      g_mutex_unlock (&touch->lock);
    }
  return touch->sums[0] + touch->sums[1];
}

void
fen_bench_touch_free (FenBenchTouch *touch)
{
  if (touch == NULL)
    return;
  g_mutex_lock (&touch->lock);
  touch->quit = TRUE;
  g_cond_signal (&touch->wake);
  g_mutex_unlock (&touch->lock);
  g_thread_join (touch->worker);
  g_mutex_clear (&touch->lock);
  g_cond_clear (&touch->wake);
  g_cond_clear (&touch->done);
  g_free (touch->slice);
  g_free (touch->offset);
  g_free (touch->row_start);
  g_free (touch->base);
  g_free (touch);
}
