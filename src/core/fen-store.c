/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-store.c: the open images. The store holds one reference per image and
 * counts the bytes of their pixel buffers; closing drops that reference, so
 * the buffer goes the moment no view still reads it. Under memory pressure
 * the store evicts the pixels of the least recently viewed images that are
 * not on screen (pinned), keeping their metadata, and takes them back,
 * checked bit-identical, when a loader reads the file again.
 *
 * It also holds the pyramid of each (image, frame) a view borrows, counts
 * their levels as cache and sheds them from any thread: memory is made room
 * for on the loading thread that needs it, never by asking the GUI. */
#define G_LOG_DOMAIN "fen-store"

#include "fenestra/fen-store.h"

typedef struct
{
  FenImage *image;       /* owned reference */
  guint64   last_used;   /* store clock at the last touch */
  guint     pins;        /* > 0 while on screen: never evicted */
  gboolean  evicted;
  guint64   checksum;    /* of the pixels when evicted */
} FenStoreEntry;

/* A borrowed pyramid; the store lets go of it when the last borrower does. */
typedef struct
{
  FenPyramid *pyramid;   /* owned reference */
  guint       image_id;
  guint       frame;
  guint       borrows;   /* > 0 while in the array */
} FenStorePyramid;

struct _FenStore
{
  gatomicrefcount ref_count;
  GMutex          lock;

  /* Owned, guarded by lock */
  GArray         *entries;  /* FenStoreEntry, in the order opened */
  GArray         *pyramids; /* FenStorePyramid, borrowed ones only */
  guint           next_id;
  guint64         clock;
  gsize           bytes;    /* resident pixel bytes */
};

FenStore *
fen_store_new (void)
{
  FenStore *store = g_new0 (FenStore, 1);

  g_atomic_ref_count_init (&store->ref_count);
  g_mutex_init (&store->lock);
  store->entries = g_array_new (FALSE, TRUE, sizeof (FenStoreEntry));
  store->pyramids = g_array_new (FALSE, TRUE, sizeof (FenStorePyramid));
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
  for (guint i = 0; i < store->pyramids->len; i++)
    fen_pyramid_unref (g_array_index (store->pyramids, FenStorePyramid, i).pyramid);
  g_array_unref (store->pyramids);
  for (guint i = 0; i < store->entries->len; i++)
    fen_image_unref (g_array_index (store->entries, FenStoreEntry, i).image);
  g_array_unref (store->entries);
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
  {
    FenStoreEntry entry = { fen_image_ref (image), ++store->clock, 0, FALSE, 0 };
    g_array_append_val (store->entries, entry);
  }
  store->bytes += fen_image_get_pixel_bytes (image);
  g_mutex_unlock (&store->lock);
  /* Counted here now: no longer pending under the budget. */
  _fen_image_release_reservation (image);
  return id;
}

static FenStoreEntry *
fen_store_entry (FenStore *store, guint i)
{
  return &g_array_index (store->entries, FenStoreEntry, i);
}

static gint
fen_store_index_of (FenStore *store, guint id)
{
  for (guint i = 0; i < store->entries->len; i++)
    if (fen_image_get_id (fen_store_entry (store, i)->image) == id)
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
    image = fen_store_entry (store, index)->image;
  g_mutex_unlock (&store->lock);
  return image;
}

/* Called with the lock held: takes the pyramids of @id out of the store.
 * Returns: (transfer full) (nullable): the store's references. */
static GPtrArray *
fen_store_take_pyramids (FenStore *store, guint id)
{
  GPtrArray *taken = NULL;

  for (guint i = store->pyramids->len; i-- > 0;)
    {
      FenStorePyramid *p = &g_array_index (store->pyramids, FenStorePyramid, i);

      if (p->image_id != id)
        continue;
      if (taken == NULL)
        taken = g_ptr_array_new ();
      g_ptr_array_add (taken, p->pyramid);
      g_array_remove_index (store->pyramids, i);
    }
  return taken;
}

/* Outside the lock: sheds the levels of pyramids taken out of the store
 * (a borrower may still hold one: what it builds now is its own) and drops
 * the store's references. */
static void
fen_store_drop_pyramids (GPtrArray *taken)
{
  if (taken == NULL)
    return;
  for (guint i = 0; i < taken->len; i++)
    {
      fen_pyramid_shed (taken->pdata[i], FALSE);
      fen_pyramid_unref (taken->pdata[i]);
    }
  g_ptr_array_unref (taken);
}

gboolean
fen_store_close (FenStore *store, guint id)
{
  GPtrArray *dropped;
  FenImage *image;
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index < 0)
    {
      g_mutex_unlock (&store->lock);
      return FALSE;
    }
  image = fen_store_entry (store, index)->image;
  if (!fen_store_entry (store, index)->evicted)
    store->bytes -= fen_image_get_pixel_bytes (image);
  g_array_remove_index (store->entries, index);
  dropped = fen_store_take_pyramids (store, id);
  g_mutex_unlock (&store->lock);

  /* Outside the lock: freeing a large buffer (munmap) takes a while. */
  fen_store_drop_pyramids (dropped);
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
  n = store->entries->len;
  g_mutex_unlock (&store->lock);
  return n;
}

GArray *
fen_store_list_ids (FenStore *store)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));

  g_mutex_lock (&store->lock);
  for (guint i = 0; i < store->entries->len; i++)
    {
      guint id = fen_image_get_id (fen_store_entry (store, i)->image);
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
  for (guint i = 0; i < store->entries->len; i++)
    {
      FenImage *image = fen_store_entry (store, i)->image;
      FenBufferInfo info = { 0 };

      if (fen_store_entry (store, i)->evicted)
        continue;
      info.image_id = fen_image_get_id (image);
      g_snprintf (info.owner, sizeof info.owner, "%s pixels", fen_image_get_log_name (image));
      info.bytes = fen_image_get_pixel_bytes (image);
      g_array_append_val (list, info);
    }
  g_mutex_unlock (&store->lock);
  g_array_sort (list, fen_store_compare_buffers);
  return list;
}

void
fen_store_touch (FenStore *store, guint id)
{
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index >= 0)
    fen_store_entry (store, index)->last_used = ++store->clock;
  g_mutex_unlock (&store->lock);
}

void
fen_store_pin (FenStore *store, guint id, gboolean pin)
{
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index >= 0)
    {
      FenStoreEntry *entry = fen_store_entry (store, index);
      if (pin)
        {
          entry->pins++;
          entry->last_used = ++store->clock;
        }
      else if (entry->pins > 0)
        entry->pins--;
    }
  g_mutex_unlock (&store->lock);
}

gboolean
fen_store_is_evicted (FenStore *store, guint id)
{
  gboolean evicted = FALSE;
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index >= 0)
    evicted = fen_store_entry (store, index)->evicted;
  g_mutex_unlock (&store->lock);
  return evicted;
}

/* Called with the lock held. */
static gsize
fen_store_evict_entry (FenStore *store, FenStoreEntry *entry)
{
  gsize freed;

  if (entry->evicted || entry->pins > 0)
    return 0;
  entry->checksum = fen_image_checksum (entry->image);
  freed = _fen_image_drop_pixels (entry->image);
  entry->evicted = TRUE;
  store->bytes -= freed;
  /* Its levels go with it (a borrower pins the image, so these are rare);
   * the pyramids stay for their borrowers and build again once restored. */
  for (guint i = 0; i < store->pyramids->len; i++)
    {
      FenStorePyramid *p = &g_array_index (store->pyramids, FenStorePyramid, i);
      if (p->image_id == fen_image_get_id (entry->image))
        fen_pyramid_shed (p->pyramid, FALSE);
    }
  return freed;
}

gsize
fen_store_evict (FenStore *store, guint id)
{
  gsize freed = 0;
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index >= 0)
    freed = fen_store_evict_entry (store, fen_store_entry (store, index));
  g_mutex_unlock (&store->lock);
  return freed;
}

gsize
fen_store_shed (FenStore *store, gsize target_bytes, GArray *evicted_ids)
{
  gsize freed = 0;

  g_mutex_lock (&store->lock);
  while (store->bytes > target_bytes)
    {
      FenStoreEntry *oldest = NULL;

      for (guint i = 0; i < store->entries->len; i++)
        {
          FenStoreEntry *entry = fen_store_entry (store, i);
          if (!entry->evicted && entry->pins == 0 &&
              (oldest == NULL || entry->last_used < oldest->last_used))
            oldest = entry;
        }
      if (oldest == NULL)
        break;  /* everything left is on screen */
      freed += fen_store_evict_entry (store, oldest);
      if (evicted_ids != NULL)
        {
          guint id = fen_image_get_id (oldest->image);
          g_array_append_val (evicted_ids, id);
        }
    }
  g_mutex_unlock (&store->lock);
  return freed;
}

gboolean
fen_store_restore (FenStore *store, guint id, FenImage *fresh, GError **error)
{
  FenStoreEntry *entry;
  gint index;

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index < 0 || !fen_store_entry (store, index)->evicted)
    {
      g_mutex_unlock (&store->lock);
      return TRUE;  /* closed meanwhile, or never evicted: nothing to do */
    }
  entry = fen_store_entry (store, index);
  if (fen_image_checksum (fresh) != entry->checksum ||
      !_fen_image_adopt_pixels (entry->image, fresh))
    {
      g_mutex_unlock (&store->lock);
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: the file changed since it was opened; close and open it again",
                   fen_image_get_log_name (entry->image));
      return FALSE;
    }
  entry->evicted = FALSE;
  entry->last_used = ++store->clock;
  store->bytes += fen_image_get_pixel_bytes (entry->image);
  g_mutex_unlock (&store->lock);
  _fen_image_release_reservation (fresh);
  return TRUE;
}

/* Pyramids ------------------------------------------------------------------ */

FenPyramid *
fen_store_get_pyramid (FenStore *store, guint id, guint frame)
{
  FenStorePyramid *found = NULL;
  FenPyramid *pyramid = NULL;
  gint index;

  g_return_val_if_fail (store != NULL, NULL);

  g_mutex_lock (&store->lock);
  index = fen_store_index_of (store, id);
  if (index < 0 || frame >= fen_image_get_n_frames (fen_store_entry (store, index)->image))
    {
      g_mutex_unlock (&store->lock);
      return NULL;
    }
  for (guint i = 0; i < store->pyramids->len && found == NULL; i++)
    {
      FenStorePyramid *p = &g_array_index (store->pyramids, FenStorePyramid, i);
      if (p->image_id == id && p->frame == frame)
        found = p;
    }
  if (found == NULL)
    {
      /* Builds nothing yet: levels come when a render asks for one. */
      FenStorePyramid p = { fen_pyramid_new (fen_store_entry (store, index)->image, frame), id, frame, 0 };
      g_array_append_val (store->pyramids, p);
      found = &g_array_index (store->pyramids, FenStorePyramid, store->pyramids->len - 1);
    }
  found->borrows++;
  pyramid = fen_pyramid_ref (found->pyramid);
  g_mutex_unlock (&store->lock);
  return pyramid;
}

void
fen_store_release_pyramid (FenStore *store, FenPyramid *pyramid)
{
  FenPyramid *dropped = NULL;

  g_return_if_fail (store != NULL && pyramid != NULL);

  g_mutex_lock (&store->lock);
  for (guint i = 0; i < store->pyramids->len; i++)
    {
      FenStorePyramid *p = &g_array_index (store->pyramids, FenStorePyramid, i);
      if (p->pyramid != pyramid)
        continue;
      if (--p->borrows == 0)
        {
          dropped = p->pyramid;
          g_array_remove_index (store->pyramids, i);
        }
      break;
    }
  g_mutex_unlock (&store->lock);

  /* Closed or evicted meanwhile: the pyramid had left the store already. */
  if (dropped != NULL)
    fen_pyramid_unref (dropped);
  fen_pyramid_unref (pyramid);
}

gsize
fen_store_get_cache_bytes (FenStore *store)
{
  gsize bytes = 0;

  g_return_val_if_fail (store != NULL, 0);

  g_mutex_lock (&store->lock);
  for (guint i = 0; i < store->pyramids->len; i++)
    bytes += fen_pyramid_get_bytes (g_array_index (store->pyramids, FenStorePyramid, i).pyramid);
  g_mutex_unlock (&store->lock);
  return bytes;
}

guint
fen_store_get_n_pyramids (FenStore *store)
{
  guint n;

  g_return_val_if_fail (store != NULL, 0);

  g_mutex_lock (&store->lock);
  n = store->pyramids->len;
  g_mutex_unlock (&store->lock);
  return n;
}

static gint
fen_store_compare_last_used (gconstpointer a, gconstpointer b)
{
  gint64 x = fen_pyramid_get_last_used (*(FenPyramid *const *) a);
  gint64 y = fen_pyramid_get_last_used (*(FenPyramid *const *) b);

  return x < y ? -1 : (x > y);
}

gsize
fen_store_shed_caches (FenStore *store, gsize target_bytes)
{
  g_autoptr(GPtrArray) order = NULL;
  gsize freed = 0, held = 0;

  g_return_val_if_fail (store != NULL, 0);

  g_mutex_lock (&store->lock);
  order = g_ptr_array_sized_new (store->pyramids->len);
  for (guint i = 0; i < store->pyramids->len; i++)
    {
      FenPyramid *pyramid = g_array_index (store->pyramids, FenStorePyramid, i).pyramid;
      held += fen_pyramid_get_bytes (pyramid);
      g_ptr_array_add (order, pyramid);
    }
  /* Least recently rendered first; the level each one shows stays. */
  g_ptr_array_sort (order, fen_store_compare_last_used);
  for (guint i = 0; i < order->len && held - freed > target_bytes; i++)
    freed += fen_pyramid_shed (order->pdata[i], TRUE);
  g_mutex_unlock (&store->lock);
  return freed;
}
