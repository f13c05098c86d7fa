/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-store.h: the set of loaded images; one pixel buffer each, counted. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenStore, fen_store_unref)

G_END_DECLS
