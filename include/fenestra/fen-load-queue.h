/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-load-queue.h: a series loaded by several threads at once, each file
 * decoded straight into its one buffer in the store, the slice on screen
 * first and then outward from it. GTK-free: the viewer, the CLI and the
 * bench share it. */
#pragma once

#include <gio/gio.h>

#include "fen-types.h"
#include "fen-image.h"
#include "fen-loader.h"
#include "fen-store.h"

G_BEGIN_DECLS

/**
 * FenLoadDone:
 * @index: the file's index in the list given to fen_load_queue_run()
 * @image: (nullable) (transfer none): the image, owned by the store
 * @error: (nullable): why it failed
 *
 * Called once per file from the worker thread that loaded it, in viewing
 * order (fen_load_queue_order()), one call at a time: images enter the
 * store, and get their ids, in that order whatever order the decodes end in.
 */
typedef void (*FenLoadDone) (guint index, FenImage *image, const GError *error, gpointer user_data);

/**
 * fen_load_queue_order:
 * @n: files in the series
 * @first: the one to load first (the slice on screen)
 * @k: 0 .. @n - 1
 *
 * The @k-th file to start: @first, then alternately after and before it,
 * outward (@first + 1, @first - 1, @first + 2, ...), then whatever is left
 * at the far end.
 */
guint    fen_load_queue_order (guint n, guint first, guint k);

/**
 * fen_load_queue_run:
 * @paths: (array length=n_paths): the files
 * @first: the file to start with
 * @n_threads: workers; 0 for the number of processors
 * @options: (nullable): as for fen_load_file(); its reserve hook must be
 *   thread-safe. A @frame_threads of 0 becomes the processors divided
 *   among the workers.
 *
 * Loads every file into @store, @n_threads at a time, and returns when all
 * are done or @cancellable is cancelled (files not started by then are not
 * loaded). Failures of single files reach @done, not @error.
 * Returns: %FALSE with @error only when cancelled.
 */
gboolean fen_load_queue_run   (FenStore             *store,
                               const char *const    *paths,
                               guint                 n_paths,
                               guint                 first,
                               guint                 n_threads,
                               const FenLoadOptions *options,
                               GCancellable         *cancellable,
                               FenLoadDone           done,
                               gpointer              user_data,
                               GError              **error);

G_END_DECLS
