/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-loader.h: open any supported file by its content, and the per-format loaders. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-store.h"

G_BEGIN_DECLS


/**
 * fen_load_file:
 * Sniffs the first bytes of @path (PNG signature, TIFF byte order mark,
 * DICOM preamble, else a DICOM data set without meta header) and calls the
 * matching loader. The file is opened read-only and never modified.
 * Returns: (transfer full): the image, or %NULL with @error in %FEN_IO_ERROR
 * whose message names the file and the cause.
 */
FenImage *fen_load_file  (const char *path, const FenLoadOptions *options, GError **error);

/**
 * fen_load_into_store:
 * Loads @path with fen_load_file(), remembers the path on the image and adds
 * it to @store.
 * Returns: (transfer none): the image, owned by the store, or %NULL.
 */
FenImage *fen_load_into_store (FenStore             *store,
                               const char           *path,
                               const FenLoadOptions *options,
                               GError              **error);

/**
 * fen_load_restore:
 * Reads the file of evicted image @id again and hands its pixels back to the
 * store (fen_store_restore(): bit-identical or an error). Nothing to do for
 * an image that is not evicted.
 */
gboolean  fen_load_restore (FenStore             *store,
                            guint                 id,
                            const FenLoadOptions *options,
                            GError              **error);

/**
 * fen_loader_init:
 * Optional, once at start-up: registers the decoders and loads DCMTK's data
 * dictionary now rather than during the first open. Thread-safe.
 */
void      fen_loader_init (void);
void      fen_dicom_init  (void);

FenImage *fen_dicom_load (const char *path, const FenLoadOptions *options, GError **error);
FenImage *fen_png_load   (const char *path, const FenLoadOptions *options, GError **error);
FenImage *fen_tiff_load  (const char *path, const FenLoadOptions *options, GError **error);

G_END_DECLS
