/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-fetch.h: a series or a whole study retrieved through the on-disk
 * cache (FenPacsCache) and streamed into a FenStore: each object is decoded
 * straight into its image's one buffer as it arrives (or as it is found in
 * the cache) and handed to a callback at once, so a viewer shows the first
 * image while the rest arrives. GTK-free.
 *
 * fen_pacs_fetch() blocks (a worker thread); fen_pacs_fetch_async() runs it
 * in a thread of its own and brings the progress and the result back to
 * the caller's thread-default main context. */
#pragma once

#include <fenestra/fen-pacs.h>
#include <fenestra/fen-pacs-cache.h>
#include <fenestra/fen-image.h>
#include <fenestra/fen-store.h>

G_BEGIN_DECLS

typedef enum {
  FEN_PACS_FETCH_NONE    = 0,
  /* Leave held in the cache (fen_pacs_cache_hold()) every series of which
   * an image reached the store (the callback saw it with an image), even
   * when the fetch fails: the caller releases each once with
   * fen_pacs_cache_release() when it closes its images. */
  FEN_PACS_FETCH_HOLD    = 1 << 0,
  /* No network: what the cache holds, or FEN_NET_ERROR_CONNECT naming the
   * series that is not complete there. */
  FEN_PACS_FETCH_OFFLINE = 1 << 1,
} FenPacsFetchFlags;

/**
 * FenPacsFetchProgress:
 * One object handled: loaded into the store, or failed to load (or, for a
 * fetch without a store, in the cache).
 * @image: (nullable): the image, owned by the store (take a reference to
 *   keep it past the callback); %NULL when the load failed or there is no
 *   store
 * @image_id: its id in the store; 0 when the load failed
 * @error: (nullable): why the load failed
 * @path: the object's file in the cache
 * @from_cache: found in the cache rather than retrieved now
 * @series_index: which series of the fetch, from 0 (in the order found)
 * @n_series: how many series the fetch visits
 * @n_done: objects handled so far in this fetch, this one included
 * @n_expected: objects the archive (or the cache's mark) says the fetch
 *   holds, as far as known yet (a whole study learns its series' counts as
 *   it goes); 0 when unknown
 *
 * Strings and @error are valid during the callback only.
 */
typedef struct {
  FenImage     *image;
  guint         image_id;
  const GError *error;
  const char   *study_uid;
  const char   *series_uid;
  const char   *sop_instance_uid;
  const char   *path;
  gboolean      from_cache;
  guint         series_index;
  guint         n_series;
  guint         n_done;
  guint         n_expected;
} FenPacsFetchProgress;

/**
 * FenPacsFetchFunc:
 * Called once per object. From fen_pacs_fetch(): on the fetch's loading
 * thread (not the caller's), one call at a time; it should return quickly,
 * the next object waits. From fen_pacs_fetch_async(): in the caller's main
 * context.
 */
typedef void (*FenPacsFetchFunc) (const FenPacsFetchProgress *progress, gpointer user_data);

/**
 * FenPacsFetchStats:
 * What a fetch did, for the caller and the tests.
 */
typedef struct {
  guint n_series;
  guint n_expected;       /* as in FenPacsFetchProgress, at the end */
  guint n_from_cache;     /* objects found in the cache */
  guint n_retrieved;      /* objects that came over the network */
  guint n_loaded;         /* objects now in the store */
  guint n_failed;         /* objects that did not load (each one's error went to the callback) */
  guint n_network_calls;  /* finds and retrieves sent to the archive */
  guint n_fetched_again;  /* objects whose copy did not load (damaged in the cache, or
                           * arrived short) and were retrieved again, once each */
} FenPacsFetchStats;

/**
 * fen_pacs_fetch:
 * @cache: where objects are kept and found
 * @node: the archive
 * @study_uid: the study
 * @series_uid: (nullable): one series, or %NULL for every series of the
 *   study (found with a series-level query, then fetched one by one)
 * @store: (nullable): the images go here, as fen_load_into_store() would
 *   put them; %NULL only fills the cache (each object still reaches @func,
 *   with no image)
 * @load_options: (nullable): as for fen_load_file(); its @reserve hook is
 *   how the memory budget applies (shed or refuse), exactly as for files
 * @func: (nullable): called per object
 * @stats: (out) (optional): what the fetch did, also when it fails
 *
 * A series marked complete in the cache is loaded from it without a
 * network call. Otherwise the archive is asked for the series' instances
 * (one instance-level query); those already in the cache are loaded from it
 * at once, and the rest retrieved into the cache (fen_pacs_retrieve()),
 * each loaded as it arrives. A series whose every instance is then on disk
 * is marked complete. A series being fetched is held (never evicted); the
 * cache is trimmed to its limit as objects arrive.
 *
 * A load refused for memory (%FEN_IO_ERROR_TOO_LARGE from the reserve
 * hook, whose message names the sizes) stops the fetch with that error;
 * other failed loads go to @func and the fetch goes on. Objects retrieved
 * before an error or a cancel stay in the cache.
 *
 * Returns: %FALSE with @error (%FEN_NET_ERROR, or %FEN_IO_ERROR_TOO_LARGE)
 */
gboolean fen_pacs_fetch (FenPacsCache         *cache,
                         const FenPacsNode    *node,
                         const char           *study_uid,
                         const char           *series_uid,
                         FenStore             *store,
                         const FenLoadOptions *load_options,
                         FenPacsFetchFlags     flags,
                         FenPacsFetchFunc      func,
                         gpointer              user_data,
                         FenPacsFetchStats    *stats,
                         GCancellable         *cancellable,
                         GError              **error);

/**
 * fen_pacs_fetch_async:
 * @node: copied; the caller may free it at once
 * @study_uid, @series_uid: copied
 * @load_options: (nullable): copied by value; its @reserve_data must live
 *   until the fetch completes
 * @func: (nullable): called per object in the thread-default main context
 *   of the caller, each call before @callback
 * @func_data_destroy: (nullable): frees @func_data once the fetch is done
 *
 * fen_pacs_fetch() in a thread of its own. @cache and @store are referenced
 * until it completes.
 */
void     fen_pacs_fetch_async  (FenPacsCache         *cache,
                                const FenPacsNode    *node,
                                const char           *study_uid,
                                const char           *series_uid,
                                FenStore             *store,
                                const FenLoadOptions *load_options,
                                FenPacsFetchFlags     flags,
                                FenPacsFetchFunc      func,
                                gpointer              func_data,
                                GDestroyNotify        func_data_destroy,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);

/**
 * fen_pacs_fetch_finish:
 * @stats: (out) (optional): what the fetch did, also when it failed
 */
gboolean fen_pacs_fetch_finish (GAsyncResult       *result,
                                FenPacsFetchStats  *stats,
                                GError            **error);

G_END_DECLS
