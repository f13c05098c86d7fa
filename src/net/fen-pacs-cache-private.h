/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-cache-private.h: what the cache's files share
 * (fen-pacs-cache.c: the object, holds and marks; fen-pacs-cache-index.c:
 * the index, its rebuild from the folders, eviction) and what fetching
 * (fen-pacs-fetch.c) asks of the cache beyond its public calls. */
#pragma once

#include <fenestra/fen-pacs-cache.h>

G_BEGIN_DECLS

#define FEN_PACS_CACHE_INDEX     "index"
#define FEN_PACS_CACHE_LOCK      ".lock"      /* in the root: the index's lock */
#define FEN_PACS_CACHE_USE_LOCK  ".lock"      /* in a series folder: held = shared lock */
#define FEN_PACS_CACHE_MARK      ".complete"
#define FEN_PACS_CACHE_KEY_CHARS 16

/* One series in the index. @key is "NODE/STUDY_UID/SERIES_UID". */
typedef struct {
  char   *key;
  guint64 bytes;
  gint64  used;     /* g_get_real_time() of the last store or open */
} FenPacsCacheEntry;

/* fen-pacs-cache.c */
const char *_fen_pacs_cache_root     (FenPacsCache *self);
GMutex     *_fen_pacs_cache_mutex    (FenPacsCache *self);
/* Whether this process holds the series of @key (call with the mutex). */
gboolean    _fen_pacs_cache_is_held  (FenPacsCache *self, const char *key);
/* The index has been checked against the folders once in this process. */
gboolean    _fen_pacs_cache_reconciled     (FenPacsCache *self);
void        _fen_pacs_cache_set_reconciled (FenPacsCache *self);

/* "NODE/STUDY/SERIES" after checking both UIDs, or NULL with
 * FEN_NET_ERROR_INVALID_QUERY. */
char *_fen_pacs_cache_key (const FenPacsNode *node, const char *study_uid, const char *series_uid,
                           GError **error);

/* The series' objects on disk: SOP Instance UIDs of the files named
 * UID.dcm with a valid UID (anything else is not ours and is ignored).
 * @bytes: (out) (optional): their total size. Returns (transfer full) a set
 * (char * -> itself); empty when the folder does not exist. */
GHashTable *_fen_pacs_cache_list_series (const char *series_dir, guint64 *bytes);

/* The mark of a series retrieved whole: how many objects it had, or 0 when
 * there is no valid mark. */
guint    _fen_pacs_cache_read_mark  (const char *series_dir);
gboolean _fen_pacs_cache_write_mark (const char *series_dir, guint n_instances, GError **error);
void     _fen_pacs_cache_remove_mark (const char *series_dir);

/* Locks a series' lock file (flock @operation), making the folder when
 * @create; the lock is checked to be on the file still at its path (an
 * evicting process deletes it). Returns the descriptor; -1 with @error, or
 * -1 without one when LOCK_NB found it taken or (not @create) the folder
 * does not exist. */
int      _fen_pacs_cache_lock_series (const char *series_dir, int operation, gboolean create,
                                      GError **error);

/* fen-pacs-cache-index.c; each takes the mutex and the index lock itself. */

/**
 * _fen_pacs_cache_touch:
 * Records the series of @key as used now with its bytes as on disk, then
 * evicts least recently used series (never a held one, never @key) until
 * the cache fits @limit.
 * @total: (out) (optional): the cache's bytes afterwards
 */
gboolean _fen_pacs_cache_touch (FenPacsCache *self, const char *key, guint64 limit,
                                guint64 *total, GError **error);

/**
 * _fen_pacs_cache_evict_to:
 * Evicts least recently used series not held (here or by another process)
 * until the objects take at most @target bytes.
 */
gboolean _fen_pacs_cache_evict_to (FenPacsCache *self, guint64 target, guint64 *freed,
                                   guint64 *total, GError **error);

/* Removes one series' folder (and its study's and node's when empty); the
 * caller holds its exclusive use lock or knows nobody can. */
void     _fen_pacs_cache_remove_series_dir (const char *root, const char *key);

G_END_DECLS
