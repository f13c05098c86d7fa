/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-cache.h: retrieved objects kept on disk, per node, study and
 * series, under a byte limit, least recently used series evicted first, so
 * that reopening a study does not fetch it again. GTK-free, thread-safe,
 * and safe with several processes sharing one root (file locks).
 *
 * Layout under the root (default g_get_user_cache_dir()/fenestra/pacs):
 *   NODE/STUDY_UID/SERIES_UID/SOP_INSTANCE_UID.dcm   the objects, unchanged
 *   NODE/STUDY_UID/SERIES_UID/.complete             a series retrieved whole
 *   index                                            sizes and last use
 * NODE names the archive (a hash of its address, see
 * fen_pacs_cache_node_key()). The index is only a summary of the folders:
 * when it is missing or unreadable it is rebuilt from them. */
#pragma once

#include <fenestra/fen-pacs.h>

G_BEGIN_DECLS

#define FEN_TYPE_PACS_CACHE (fen_pacs_cache_get_type ())
G_DECLARE_FINAL_TYPE (FenPacsCache, fen_pacs_cache, FEN, PACS_CACHE, GObject)

/* The limit when none is given: 4 GiB. */
#define FEN_PACS_CACHE_DEFAULT_LIMIT (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)

typedef enum {
  FEN_PACS_CACHE_ABSENT,    /* nothing of the series is on disk */
  FEN_PACS_CACHE_PARTIAL,   /* some objects, the series was never retrieved whole */
  FEN_PACS_CACHE_COMPLETE,  /* retrieved whole once: opened without the network */
} FenPacsCacheState;

/**
 * fen_pacs_cache_default_root:
 * Returns: (transfer full): g_get_user_cache_dir()/fenestra/pacs
 */
char *fen_pacs_cache_default_root (void);

/**
 * fen_pacs_cache_new:
 * @root: (nullable): the cache's folder, %NULL for the default; created at
 *   first use, not here
 * @limit: bytes the objects may take; 0 for %FEN_PACS_CACHE_DEFAULT_LIMIT
 *
 * Properties: "root" (construct-only string), "limit" (guint64, bindable to
 * a setting; a lower limit takes effect at the next store or trim).
 * Returns: (transfer full): the cache
 */
FenPacsCache *fen_pacs_cache_new (const char *root, guint64 limit);

const char *fen_pacs_cache_get_root  (FenPacsCache *self);
guint64     fen_pacs_cache_get_limit (FenPacsCache *self);
void        fen_pacs_cache_set_limit (FenPacsCache *self, guint64 limit);

/**
 * fen_pacs_cache_node_key:
 * The name of @node's folder: the first 16 hex digits of the SHA-256 of
 * its archive's address (`dicom://CALLED_AE@HOST:PORT` or the DICOMweb
 * base URL; the calling AE title and retrieve method do not change what is
 * stored, so they do not change the key).
 * Returns: (transfer full): the key
 */
char *fen_pacs_cache_node_key (const FenPacsNode *node);

/**
 * fen_pacs_cache_get_size:
 * Returns: the bytes of all cached objects, from the index (rebuilt from
 *   the folders if it has to be); 0 with @error if the root is unreadable
 */
guint64 fen_pacs_cache_get_size (FenPacsCache *self, GError **error);

/**
 * fen_pacs_cache_get_state:
 * What the cache holds of one series (for a study browser's "cached" mark).
 * A series marked complete whose files were since deleted reads as partial.
 * Invalid UIDs read as absent.
 */
FenPacsCacheState fen_pacs_cache_get_state (FenPacsCache *self, const FenPacsNode *node,
                                            const char *study_uid, const char *series_uid);

/**
 * fen_pacs_cache_series_dir:
 * Returns: (transfer full): the folder of the series (which may not exist),
 *   or %NULL with %FEN_NET_ERROR_INVALID_QUERY when a UID is not a valid
 *   UID (fen_pacs_uid_is_valid())
 */
char *fen_pacs_cache_series_dir (FenPacsCache *self, const FenPacsNode *node,
                                 const char *study_uid, const char *series_uid, GError **error);

/**
 * fen_pacs_cache_hold:
 * Marks the series in use: neither this process nor another sharing the
 * root evicts it until the matching fen_pacs_cache_release(). Holds count.
 * A viewer holds every series whose images it has open, since the store
 * reads an evicted image's file again (fen_load_restore()).
 * Returns: %FALSE with @error when a UID is invalid or the folder cannot be
 *   made
 */
gboolean fen_pacs_cache_hold    (FenPacsCache *self, const FenPacsNode *node,
                                 const char *study_uid, const char *series_uid, GError **error);
void     fen_pacs_cache_release (FenPacsCache *self, const FenPacsNode *node,
                                 const char *study_uid, const char *series_uid);

/**
 * fen_pacs_cache_trim:
 * Evicts least recently used series, never one in use, until the objects
 * fit the limit.
 * @freed: (out) (optional): bytes freed
 */
gboolean fen_pacs_cache_trim  (FenPacsCache *self, guint64 *freed, GError **error);

/**
 * fen_pacs_cache_clear:
 * Evicts every series not in use (a preferences "Clear" button).
 * @freed: (out) (optional): bytes freed
 */
gboolean fen_pacs_cache_clear (FenPacsCache *self, guint64 *freed, GError **error);

G_END_DECLS
