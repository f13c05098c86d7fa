/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-load-queue.c: a series loaded on several threads. Each worker takes
 * the next file in viewing order from an atomic counter and decodes it into
 * its own buffer; no pixel passes between threads. The decoded images
 * enter the store (which gives them their ids) and reach the caller in
 * viewing order, whatever order the workers finish in: the same files get
 * the same ids and the first slice always comes first. */
#define G_LOG_DOMAIN "fen-load-queue"

#include "fenestra/fen-load-queue.h"

typedef struct {
  FenStore             *store;
  const char *const    *paths;
  guint                 n;
  guint                 first;
  const FenLoadOptions *options;
  GCancellable         *cancellable;
  FenLoadDone           done;
  gpointer              user_data;
  gint                  next;    /* atomic: the next position in viewing order */
  GMutex                lock;
  GCond                 turn;
  guint                 added;   /* under @lock: positions handed over so far */
} FenLoadQueue;

guint
fen_load_queue_order (guint n, guint first, guint k)
{
  g_return_val_if_fail (n > 0 && first < n && k < n, 0);

  /* Outward pairs while both sides have files: first, +1, -1, +2, -2 ... */
  const guint before = first, after = n - 1 - first;
  const guint both = MIN (before, after);
  if (k == 0)
    return first;
  if (k <= 2 * both)
    return (k % 2) ? first + (k + 1) / 2 : first - k / 2;
  /* Then the longer side alone, continuing outward. */
  const guint rest = k - 2 * both;
  return after > before ? first + both + rest : first - both - rest;
}

static gpointer
fen_load_queue_worker (gpointer data)
{
  FenLoadQueue *q = data;

  for (;;)
    {
      const gint k = g_atomic_int_add (&q->next, 1);
      if ((guint) k >= q->n || g_cancellable_is_cancelled (q->cancellable))
        break;
      const guint index = fen_load_queue_order (q->n, q->first, (guint) k);
      GError *error = NULL;
      g_autoptr(FenImage) image = fen_load_file (q->paths[index], q->options, &error);

      if (image != NULL)
        fen_image_set_path (image, q->paths[index]);
      /* Every position below k was taken by a worker that will hand it
       * over, loaded or not: the wait ends. */
      g_mutex_lock (&q->lock);
      while (q->added != (guint) k)
        g_cond_wait (&q->turn, &q->lock);
      if (image != NULL)
        fen_store_add (q->store, image);
      if (q->done != NULL)
        q->done (index, image, error, q->user_data);
      q->added++;
      g_cond_broadcast (&q->turn);
      g_mutex_unlock (&q->lock);
      g_clear_error (&error);
    }
  return NULL;
}

gboolean
fen_load_queue_run (FenStore             *store,
                    const char *const    *paths,
                    guint                 n_paths,
                    guint                 first,
                    guint                 n_threads,
                    const FenLoadOptions *options,
                    GCancellable         *cancellable,
                    FenLoadDone           done,
                    gpointer              user_data,
                    GError              **error)
{
  FenLoadQueue q = { store, paths, n_paths, first, NULL, cancellable, done, user_data, 0, { 0 }, { 0 }, 0 };
  FenLoadOptions shared = { 0 };
  GThread *threads[64];

  g_return_val_if_fail (store != NULL && (paths != NULL || n_paths == 0), FALSE);
  if (n_paths == 0)
    return TRUE;
  g_return_val_if_fail (first < n_paths, FALSE);

  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_threads = CLAMP (n_threads, 1, MIN ((guint) G_N_ELEMENTS (threads), n_paths));
  /* The processors are shared out: the frames of a multi-frame file get
   * what the files leave (all of them when it is the only file). */
  if (options != NULL)
    shared = *options;
  if (shared.frame_threads == 0)
    shared.frame_threads = MAX (g_get_num_processors () / n_threads, 1);
  q.options = &shared;
  /* The caller's thread is one of the workers. */
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("fen-load", fen_load_queue_worker, &q);
  fen_load_queue_worker (&q);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
  g_mutex_clear (&q.lock);
  g_cond_clear (&q.turn);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}
