/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-store.c: the open images. The store holds one reference per image and
 * counts the bytes of their pixel buffers; closing drops that reference, so
 * the buffer goes the moment no view still reads it. */
#define G_LOG_DOMAIN "fen-store"

#include "fenestra/fen-store.h"

struct _FenStore
{
  gatomicrefcount ref_count;
  GMutex          lock;

  /* Owned, guarded by lock */
  GPtrArray      *images;   /* FenImage*, in the order opened */
  guint           next_id;
  gsize           bytes;
};

FenStore *
fen_store_new (void)
{
  FenStore *store = g_new0 (FenStore, 1);

  g_atomic_ref_count_init (&store->ref_count);
  g_mutex_init (&store->lock);
  store->images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);
  store->next_id = 1;
  return store;
}

FenStore *
fen_store_ref (FenStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  g_atomic_ref_count_inc (&store->ref_count);
  return store;
}

void
fen_store_unref (FenStore *store)
{
  g_return_if_fail (store != NULL);
  if (!g_atomic_ref_count_dec (&store->ref_count))
    return;
  g_ptr_array_unref (store->images);
  g_mutex_clear (&store->lock);
  g_free (store);
}

guint
fen_store_add (FenStore *store, FenImage *image)
{
  guint id;

  g_return_val_if_fail (store != NULL && image != NULL, 0);

  g_mutex_lock (&store->lock);
  id = store->next_id++;
  _fen_image_set_id (image, id);
  g_ptr_array_add (store->images, fen_image_ref (image));
  store->bytes += fen_image_get_pixel_bytes (image);
  g_mutex_unlock (&store->lock);
  return id;
}

static gint
fen_store_index_of (FenStore *store, guint id)
{
  for (guint i = 0; i < store->images->len; i++)
    if (fen_image_get_id (g_ptr_array_index (store->images, i)) == id)
      return (gint) i;
  return -1;
}

FenImage *
fen_store_lookup (FenStore *store, guint id)
{
  FenImage *image = NULL;
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index >= 0)
    image = g_ptr_array_index (store->images, index);
  g_mutex_unlock (&store->lock);
  return image;
}

gboolean
fen_store_close (FenStore *store, guint id)
{
  FenImage *image;
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index < 0)
    {
      g_mutex_unlock (&store->lock);
      return FALSE;
    }
  image = g_ptr_array_steal_index (store->images, index);
  store->bytes -= fen_image_get_pixel_bytes (image);
  g_mutex_unlock (&store->lock);

  /* Outside the lock: freeing a large buffer (munmap) takes a while. */
  fen_image_unref (image);
  return TRUE;
}

gsize
fen_store_get_bytes (FenStore *store)
{
  gsize bytes;

  g_mutex_lock (&store->lock);
  bytes = store->bytes;
  g_mutex_unlock (&store->lock);
  return bytes;
}

guint
fen_store_get_n_images (FenStore *store)
{
  guint n;

  g_mutex_lock (&store->lock);
  n = store->images->len;
  g_mutex_unlock (&store->lock);
  return n;
}

GArray *
fen_store_list_ids (FenStore *store)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));

  g_mutex_lock (&store->lock);
  for (guint i = 0; i < store->images->len; i++)
    {
      guint id = fen_image_get_id (g_ptr_array_index (store->images, i));
      g_array_append_val (ids, id);
    }
  g_mutex_unlock (&store->lock);
  return ids;
}

static gint
fen_store_compare_buffers (gconstpointer a, gconstpointer b)
{
  const FenBufferInfo *x = a, *y = b;

  if (x->bytes != y->bytes)
    return x->bytes > y->bytes ? -1 : 1;
  return x->image_id < y->image_id ? -1 : (x->image_id > y->image_id);
}

GArray *
fen_store_list_buffers (FenStore *store)
{
  GArray *list = g_array_new (FALSE, TRUE, sizeof (FenBufferInfo));

  g_mutex_lock (&store->lock);
  for (guint i = 0; i < store->images->len; i++)
    {
      FenImage *image = g_ptr_array_index (store->images, i);
      FenBufferInfo info = { 0 };

      info.image_id = fen_image_get_id (image);
      g_snprintf (info.owner, sizeof info.owner, "%s pixels", fen_image_get_log_name (image));
      info.bytes = fen_image_get_pixel_bytes (image);
      g_array_append_val (list, info);
    }
  g_mutex_unlock (&store->lock);
  g_array_sort (list, fen_store_compare_buffers);
  return list;
}
