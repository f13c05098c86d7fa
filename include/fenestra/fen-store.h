/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-store.h: the set of loaded images; one pixel buffer each, counted. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-pyramid.h"

G_BEGIN_DECLS

/**
 * FenBufferInfo:
 * One large buffer the store holds, for the memory report.
 */
typedef struct {
  guint  image_id;
  char   owner[32];   /* "img-3 pixels": never patient data */
  gsize  bytes;
} FenBufferInfo;

/* Thread-safe: images may be added from loader threads. */
FenStore *fen_store_new   (void);
FenStore *fen_store_ref   (FenStore *store);
void      fen_store_unref (FenStore *store);

/**
 * fen_store_add:
 * Takes a new reference to @image, gives it the next id and counts its bytes.
 * Returns: the image id (never 0).
 */
guint     fen_store_add    (FenStore *store, FenImage *image);

/* Returns: (transfer none) (nullable): the image with @id. */
FenImage *fen_store_lookup (FenStore *store, guint id);

/**
 * fen_store_close:
 * Drops the store's reference: when nothing else holds the image its
 * buffer is freed here and now.
 * Returns: %FALSE if no image has @id.
 */
gboolean  fen_store_close  (FenStore *store, guint id);

gsize     fen_store_get_bytes    (FenStore *store);
guint     fen_store_get_n_images (FenStore *store);

/* Returns: (transfer full): ids of the open images, in the order opened. */
GArray   *fen_store_list_ids     (FenStore *store);

/* Returns: (transfer full): #FenBufferInfo of every buffer, largest first. */
GArray   *fen_store_list_buffers (FenStore *store);

/* Eviction under memory pressure. Evict and restore run on the thread that
 * renders (the viewer's main thread), so no render reads a buffer as it goes. */

/* Marks @id as viewed now: the least recently viewed go first. */
void      fen_store_touch        (FenStore *store, guint id);
/* Pins (on screen: never evicted) or unpins @id; pins count. */
void      fen_store_pin          (FenStore *store, guint id, gboolean pin);
gboolean  fen_store_is_evicted   (FenStore *store, guint id);

/**
 * fen_store_evict:
 * Frees the pixels of @id unless it is pinned, keeping its metadata and a
 * checksum of the pixels. Returns: the bytes freed.
 */
gsize     fen_store_evict        (FenStore *store, guint id);

/**
 * fen_store_shed:
 * Evicts unpinned images, least recently viewed first, until the store
 * holds at most @target_bytes or only pinned images are left.
 * @evicted_ids: (nullable): receives the guint ids evicted
 * Returns: the bytes freed.
 */
gsize     fen_store_shed         (FenStore *store, gsize target_bytes, GArray *evicted_ids);

/**
 * fen_store_restore:
 * Gives an evicted image its pixels back from @fresh, a new load of the same
 * file, whose buffer is taken over (no copy) after checking that it is
 * bit-identical to what was evicted.
 * Returns: %FALSE with %FEN_IO_ERROR_CORRUPT if the file changed.
 */
gboolean  fen_store_restore      (FenStore *store, guint id, FenImage *fresh, GError **error);

/* Pyramids: the store holds the pyramid of each (image, frame) that someone
 * borrows, counts its built levels as cache and sheds them, from any thread.
 * Safety against a shed on another thread comes from references: a render
 * holds the level it reads (fen_pyramid_ref_level()), so a shed only drops
 * the pyramid's reference and the pixels go when the render lets go. */

/**
 * fen_store_get_pyramid:
 * Borrows the pyramid of @frame of image @id: made on the first borrow
 * (nothing built yet), the same one for every borrower until the last gives
 * it back. Closing the image takes it out of the store (and sheds its
 * levels); evicting the image sheds its levels.
 * Returns: (transfer full) (nullable): a reference to give back with
 * fen_store_release_pyramid(); %NULL if no image has @id or it has no
 * @frame.
 */
FenPyramid *fen_store_get_pyramid     (FenStore *store, guint id, guint frame);

/**
 * fen_store_release_pyramid:
 * Gives back a borrow and its reference: when nobody borrows the pyramid
 * any more the store lets go of it and its levels (a view moving on keeps
 * no cache of what it showed).
 */
void        fen_store_release_pyramid (FenStore *store, FenPyramid *pyramid);

/* Bytes of the built levels of the pyramids the store holds: its cache. */
gsize       fen_store_get_cache_bytes (FenStore *store);
guint       fen_store_get_n_pyramids  (FenStore *store);

/**
 * fen_store_shed_caches:
 * Sheds pyramid levels, least recently rendered pyramid first, until the
 * cache holds at most @target_bytes; the level each pyramid last rendered
 * from (the one on screen) stays, the others are built again when asked
 * for. Callable from any thread, while renders run.
 * Returns: the bytes no longer counted.
 */
gsize       fen_store_shed_caches     (FenStore *store, gsize target_bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenStore, fen_store_unref)

G_END_DECLS
