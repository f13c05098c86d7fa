/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-render-pool.c: the viewport's frame buffers. A GdkTexture is immutable,
 * so each frame needs a buffer nobody is reading; GTK drops the texture when
 * the frame after it is drawn, and the GBytes free function brings the buffer
 * back here. Steady state is two or three buffers and no allocation. */
#define G_LOG_DOMAIN "fen-render-pool"

#include "fen-render-pool.h"

typedef struct {
  guint8 *data;
  gsize   size;
} FenPoolBuffer;

struct _FenRenderPool
{
  gatomicrefcount   ref_count;
  GMutex            mutex;       /* free functions may run off the main thread */
  /* Owned */
  GArray           *free_list;   /* FenPoolBuffer */
  /* Borrowed */
  FenMemoryMonitor *monitor;
  guint             capacity;
  gsize             bytes;       /* free and in use */
  guint             n_buffers;
};

typedef struct {
  FenRenderPool *pool;           /* owned reference */
  guint8        *data;
  gsize          size;
} FenPoolLease;

FenRenderPool *
fen_render_pool_new (FenMemoryMonitor *monitor, guint capacity)
{
  FenRenderPool *pool = g_new0 (FenRenderPool, 1);

  g_atomic_ref_count_init (&pool->ref_count);
  g_mutex_init (&pool->mutex);
  pool->free_list = g_array_new (FALSE, FALSE, sizeof (FenPoolBuffer));
  pool->monitor = monitor;
  pool->capacity = MAX (capacity, 1u);
  return pool;
}

FenRenderPool *
fen_render_pool_ref (FenRenderPool *pool)
{
  g_atomic_ref_count_inc (&pool->ref_count);
  return pool;
}

static void
fen_render_pool_release_bytes (FenRenderPool *pool, gsize size)
{
  pool->bytes -= size;
  pool->n_buffers--;
  if (pool->monitor != NULL)
    fen_memory_monitor_account (pool->monitor, FEN_MEMORY_RENDER, -(gint64) size);
}

void
fen_render_pool_unref (FenRenderPool *pool)
{
  if (!g_atomic_ref_count_dec (&pool->ref_count))
    return;
  fen_render_pool_trim (pool, 0);
  g_array_unref (pool->free_list);
  g_mutex_clear (&pool->mutex);
  g_free (pool);
}

guint8 *
fen_render_pool_acquire (FenRenderPool *pool, gsize size)
{
  guint8 *data = NULL;

  g_mutex_lock (&pool->mutex);
  for (guint i = 0; i < pool->free_list->len; i++)
    {
      FenPoolBuffer *b = &g_array_index (pool->free_list, FenPoolBuffer, i);

      if (b->size == size)
        {
          data = b->data;
          g_array_remove_index_fast (pool->free_list, i);
          break;
        }
    }
  if (data == NULL)
    {
      /* A resize: buffers of the old size are of no further use. */
      while (pool->free_list->len > 0)
        {
          FenPoolBuffer *b = &g_array_index (pool->free_list, FenPoolBuffer, 0);

          fen_render_pool_release_bytes (pool, b->size);
          g_free (b->data);
          g_array_remove_index_fast (pool->free_list, 0);
        }
      data = g_malloc (size);
      pool->bytes += size;
      pool->n_buffers++;
      if (pool->monitor != NULL)
        fen_memory_monitor_account (pool->monitor, FEN_MEMORY_RENDER, (gint64) size);
    }
  g_mutex_unlock (&pool->mutex);
  return data;
}

static void
fen_render_pool_give_back (gpointer user_data)
{
  FenPoolLease *lease = user_data;
  FenRenderPool *pool = lease->pool;
  gboolean keep = FALSE;

  g_mutex_lock (&pool->mutex);
  if (pool->free_list->len < pool->capacity)
    {
      /* Only buffers of the newest size are worth keeping. */
      keep = TRUE;
      for (guint i = 0; i < pool->free_list->len; i++)
        if (g_array_index (pool->free_list, FenPoolBuffer, i).size != lease->size)
          keep = FALSE;
    }
  if (keep)
    {
      FenPoolBuffer b = { lease->data, lease->size };
      g_array_append_val (pool->free_list, b);
    }
  else
    {
      fen_render_pool_release_bytes (pool, lease->size);
      g_free (lease->data);
    }
  g_mutex_unlock (&pool->mutex);

  fen_render_pool_unref (pool);
  g_free (lease);
}

GBytes *
fen_render_pool_wrap (FenRenderPool *pool, guint8 *buffer, gsize size)
{
  FenPoolLease *lease = g_new (FenPoolLease, 1);

  lease->pool = fen_render_pool_ref (pool);
  lease->data = buffer;
  lease->size = size;
  return g_bytes_new_with_free_func (buffer, size, fen_render_pool_give_back, lease);
}

void
fen_render_pool_trim (FenRenderPool *pool, guint keep)
{
  g_mutex_lock (&pool->mutex);
  while (pool->free_list->len > keep)
    {
      guint last = pool->free_list->len - 1;
      FenPoolBuffer *b = &g_array_index (pool->free_list, FenPoolBuffer, last);

      fen_render_pool_release_bytes (pool, b->size);
      g_free (b->data);
      g_array_remove_index (pool->free_list, last);
    }
  g_mutex_unlock (&pool->mutex);
}

gsize
fen_render_pool_get_bytes (FenRenderPool *pool)
{
  gsize bytes;

  g_mutex_lock (&pool->mutex);
  bytes = pool->bytes;
  g_mutex_unlock (&pool->mutex);
  return bytes;
}

guint
fen_render_pool_get_n_buffers (FenRenderPool *pool)
{
  guint n;

  g_mutex_lock (&pool->mutex);
  n = pool->n_buffers;
  g_mutex_unlock (&pool->mutex);
  return n;
}
