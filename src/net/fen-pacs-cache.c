/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-cache.c: FenPacsCache, the on-disk cache of retrieved objects:
 * the object and its properties, series folders named by checked UIDs,
 * holds (a shared file lock on the series' lock file, which an evicting
 * process must take exclusively), and the mark of a series retrieved whole.
 * The index and eviction are in fen-pacs-cache-index.c. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-pacs-cache-private.h"
#include "fen-atomic-file.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  int   fd;      /* the series' lock file, flock(LOCK_SH) */
  guint count;
} FenPacsCacheHold;

struct _FenPacsCache {
  GObject parent_instance;

  /* Owned */
  char       *root;
  GHashTable *holds;       /* key -> FenPacsCacheHold */
  GMutex      mutex;       /* holds, and the index within this process */

  guint64     limit;       /* under the mutex */
  gboolean    reconciled;
};

G_DEFINE_FINAL_TYPE (FenPacsCache, fen_pacs_cache, G_TYPE_OBJECT)

enum { PROP_0, PROP_ROOT, PROP_LIMIT, N_PROPS };
static GParamSpec *fen_pacs_cache_props[N_PROPS];

static void
fen_pacs_cache_hold_free (gpointer data)
{
  FenPacsCacheHold *hold = data;

  close (hold->fd);
  g_free (hold);
}

static void
fen_pacs_cache_finalize (GObject *object)
{
  FenPacsCache *self = FEN_PACS_CACHE (object);

  g_hash_table_unref (self->holds);
  g_mutex_clear (&self->mutex);
  g_free (self->root);
  G_OBJECT_CLASS (fen_pacs_cache_parent_class)->finalize (object);
}

static void
fen_pacs_cache_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FenPacsCache *self = FEN_PACS_CACHE (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      g_value_set_string (value, self->root);
      break;
    case PROP_LIMIT:
      g_value_set_uint64 (value, fen_pacs_cache_get_limit (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_pacs_cache_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FenPacsCache *self = FEN_PACS_CACHE (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      self->root = g_value_dup_string (value);
      if (self->root == NULL)
        self->root = fen_pacs_cache_default_root ();
      break;
    case PROP_LIMIT:
      fen_pacs_cache_set_limit (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_pacs_cache_class_init (FenPacsCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fen_pacs_cache_finalize;
  object_class->get_property = fen_pacs_cache_get_property;
  object_class->set_property = fen_pacs_cache_set_property;
  fen_pacs_cache_props[PROP_ROOT] =
    g_param_spec_string ("root", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  fen_pacs_cache_props[PROP_LIMIT] =
    g_param_spec_uint64 ("limit", NULL, NULL, 0, G_MAXUINT64, FEN_PACS_CACHE_DEFAULT_LIMIT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, fen_pacs_cache_props);
}

static void
fen_pacs_cache_init (FenPacsCache *self)
{
  g_mutex_init (&self->mutex);
  self->holds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, fen_pacs_cache_hold_free);
  self->limit = FEN_PACS_CACHE_DEFAULT_LIMIT;
}

char *
fen_pacs_cache_default_root (void)
{
  return g_build_filename (g_get_user_cache_dir (), "fenestra", "pacs", NULL);
}

FenPacsCache *
fen_pacs_cache_new (const char *root, guint64 limit)
{
  return g_object_new (FEN_TYPE_PACS_CACHE, "root", root,
                       "limit", limit != 0 ? limit : FEN_PACS_CACHE_DEFAULT_LIMIT, NULL);
}

const char *
fen_pacs_cache_get_root (FenPacsCache *self)
{
  g_return_val_if_fail (FEN_IS_PACS_CACHE (self), NULL);
  return self->root;
}

guint64
fen_pacs_cache_get_limit (FenPacsCache *self)
{
  guint64 limit;

  g_return_val_if_fail (FEN_IS_PACS_CACHE (self), 0);
  g_mutex_lock (&self->mutex);
  limit = self->limit;
  g_mutex_unlock (&self->mutex);
  return limit;
}

void
fen_pacs_cache_set_limit (FenPacsCache *self, guint64 limit)
{
  guint64 old;

  g_return_if_fail (FEN_IS_PACS_CACHE (self));
  g_mutex_lock (&self->mutex);
  old = self->limit;
  self->limit = limit;
  g_mutex_unlock (&self->mutex);
  if (old != limit)
    g_object_notify_by_pspec (G_OBJECT (self), fen_pacs_cache_props[PROP_LIMIT]);
}

const char *
_fen_pacs_cache_root (FenPacsCache *self)
{
  return self->root;
}

GMutex *
_fen_pacs_cache_mutex (FenPacsCache *self)
{
  return &self->mutex;
}

gboolean
_fen_pacs_cache_is_held (FenPacsCache *self, const char *key)
{
  return g_hash_table_contains (self->holds, key);
}

gboolean
_fen_pacs_cache_reconciled (FenPacsCache *self)
{
  return self->reconciled;
}

void
_fen_pacs_cache_set_reconciled (FenPacsCache *self)
{
  self->reconciled = TRUE;
}

/* Nodes ------------------------------------------------------------------- */

char *
fen_pacs_cache_node_key (const FenPacsNode *node)
{
  g_autofree char *address = NULL;
  g_autofree char *sum = NULL;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->protocol == FEN_PACS_DIMSE)
    address = g_strdup_printf ("dicom://%s@%s:%u", node->called_ae ? node->called_ae : "",
                               node->host ? node->host : "", node->port);
  else
    address = g_strdup (node->base_url ? node->base_url : "");
  sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, address, -1);
  sum[FEN_PACS_CACHE_KEY_CHARS] = '\0';
  return g_steal_pointer (&sum);
}

char *
_fen_pacs_cache_key (const FenPacsNode *node, const char *study_uid, const char *series_uid,
                     GError **error)
{
  g_autofree char *node_key = NULL;

  /* The UIDs name folders: only what PS3.5 9.1 allows, so no "..", no "/". */
  if (!fen_pacs_uid_is_valid (study_uid) || !fen_pacs_uid_is_valid (series_uid))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY, "“%s” is not a valid UID",
                   !fen_pacs_uid_is_valid (study_uid) ? (study_uid ? study_uid : "")
                                                      : (series_uid ? series_uid : ""));
      return NULL;
    }
  node_key = fen_pacs_cache_node_key (node);
  return g_strdup_printf ("%s/%s/%s", node_key, study_uid, series_uid);
}

char *
fen_pacs_cache_series_dir (FenPacsCache *self, const FenPacsNode *node, const char *study_uid,
                           const char *series_uid, GError **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (FEN_IS_PACS_CACHE (self) && node != NULL, NULL);
  key = _fen_pacs_cache_key (node, study_uid, series_uid, error);
  return key != NULL ? g_build_filename (self->root, key, NULL) : NULL;
}

/* What a series folder holds ---------------------------------------------- */

GHashTable *
_fen_pacs_cache_list_series (const char *series_dir, guint64 *bytes)
{
  GHashTable *uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open (series_dir, 0, NULL);
  const char *name;
  guint64 total = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      gsize n = strlen (name);
      g_autofree char *uid = NULL;
      g_autofree char *path = NULL;
      GStatBuf st;

      if (n <= 4 || !g_str_has_suffix (name, ".dcm"))
        continue;
      uid = g_strndup (name, n - 4);
      path = g_build_filename (series_dir, name, NULL);
      if (!fen_pacs_uid_is_valid (uid) || g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      total += (guint64) st.st_size;
      g_hash_table_add (uids, g_steal_pointer (&uid));
    }
  if (bytes != NULL)
    *bytes = total;
  return uids;
}

guint
_fen_pacs_cache_read_mark (const char *series_dir)
{
  g_autofree char *path = g_build_filename (series_dir, FEN_PACS_CACHE_MARK, NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  gint64 n;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return 0;
  n = g_key_file_get_int64 (file, "series", "instances", NULL);
  return n > 0 && n <= G_MAXINT ? (guint) n : 0;
}

gboolean
_fen_pacs_cache_write_mark (const char *series_dir, guint n_instances, GError **error)
{
  g_autofree char *path = g_build_filename (series_dir, FEN_PACS_CACHE_MARK, NULL);
  g_autofree char *text = g_strdup_printf ("[series]\ninstances=%u\n", n_instances);
  g_autofree char *tmp = NULL;
  gsize len = strlen (text), done = 0;
  gboolean ok = TRUE;
  int fd;

  /* Atomic: a crash leaves no mark or the whole mark, never a mark
   * claiming a series that a torn write made up. */
  fd = fen_atomic_file_open (path, &tmp, error);
  if (fd < 0)
    return FALSE;
  while (ok && done < len)
    {
      ssize_t w = write (fd, text + done, len - done);
      if (w < 0 && errno == EINTR)
        continue;
      ok = w > 0;
      done += w > 0 ? (gsize) w : 0;
    }
  if (!ok)
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO, "cannot write %s: %s", path, g_strerror (errno));
  return fen_atomic_file_finish (tmp, fd, ok, path, ok ? error : NULL) && ok;
}

void
_fen_pacs_cache_remove_mark (const char *series_dir)
{
  g_autofree char *path = g_build_filename (series_dir, FEN_PACS_CACHE_MARK, NULL);

  g_unlink (path);
}

FenPacsCacheState
fen_pacs_cache_get_state (FenPacsCache *self, const FenPacsNode *node, const char *study_uid,
                          const char *series_uid)
{
  g_autofree char *dir = NULL;
  g_autoptr(GHashTable) uids = NULL;
  guint marked;

  g_return_val_if_fail (FEN_IS_PACS_CACHE (self) && node != NULL, FEN_PACS_CACHE_ABSENT);
  dir = fen_pacs_cache_series_dir (self, node, study_uid, series_uid, NULL);
  if (dir == NULL)
    return FEN_PACS_CACHE_ABSENT;
  uids = _fen_pacs_cache_list_series (dir, NULL);
  marked = _fen_pacs_cache_read_mark (dir);
  /* Files deleted behind our back make a complete series partial again. */
  if (marked > 0 && g_hash_table_size (uids) >= marked)
    return FEN_PACS_CACHE_COMPLETE;
  return g_hash_table_size (uids) > 0 ? FEN_PACS_CACHE_PARTIAL : FEN_PACS_CACHE_ABSENT;
}

/* Holds ------------------------------------------------------------------- */

/* Opens @series_dir's lock file (making the folder) and locks it with
 * @operation. An evicting process deletes the lock file while it holds it
 * exclusively: a lock won on a file no longer at its path is worthless, so
 * the path is checked after the lock and the whole tried again. Returns the
 * descriptor, -1 with @error, or -1 without one when LOCK_NB found it held. */
int
_fen_pacs_cache_lock_series (const char *series_dir, int operation, gboolean create, GError **error)
{
  g_autofree char *path = g_build_filename (series_dir, FEN_PACS_CACHE_USE_LOCK, NULL);

  for (guint attempt = 0; attempt < 16; attempt++)
    {
      struct stat held, now;
      int fd;

      if (create && g_mkdir_with_parents (series_dir, 0700) != 0)
        break;
      fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          if (errno == ENOENT)
            {
              if (!create)
                return -1;
              continue;
            }
          break;
        }
      if (flock (fd, operation) != 0)
        {
          int saved = errno;
          close (fd);
          if (saved == EWOULDBLOCK)
            return -1;
          errno = saved;
          break;
        }
      if (fstat (fd, &held) == 0 && stat (path, &now) == 0 && held.st_ino == now.st_ino &&
          held.st_dev == now.st_dev)
        return fd;
      close (fd);
    }
  g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO, "cannot use the cache folder %s: %s", series_dir,
               g_strerror (errno));
  return -1;
}

gboolean
fen_pacs_cache_hold (FenPacsCache *self, const FenPacsNode *node, const char *study_uid,
                     const char *series_uid, GError **error)
{
  g_autofree char *key = NULL;
  g_autofree char *dir = NULL;
  FenPacsCacheHold *hold;
  int fd;

  g_return_val_if_fail (FEN_IS_PACS_CACHE (self) && node != NULL, FALSE);
  key = _fen_pacs_cache_key (node, study_uid, series_uid, error);
  if (key == NULL)
    return FALSE;
  g_mutex_lock (&self->mutex);
  hold = g_hash_table_lookup (self->holds, key);
  if (hold != NULL)
    {
      hold->count++;
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }
  dir = g_build_filename (self->root, key, NULL);
  /* Blocks only while another process evicts this very series. */
  fd = _fen_pacs_cache_lock_series (dir, LOCK_SH, TRUE, error);
  if (fd >= 0)
    {
      hold = g_new (FenPacsCacheHold, 1);
      hold->fd = fd;
      hold->count = 1;
      g_hash_table_insert (self->holds, g_steal_pointer (&key), hold);
    }
  g_mutex_unlock (&self->mutex);
  return fd >= 0;
}

void
fen_pacs_cache_release (FenPacsCache *self, const FenPacsNode *node, const char *study_uid,
                        const char *series_uid)
{
  g_autofree char *key = NULL;
  FenPacsCacheHold *hold;

  g_return_if_fail (FEN_IS_PACS_CACHE (self) && node != NULL);
  key = _fen_pacs_cache_key (node, study_uid, series_uid, NULL);
  g_return_if_fail (key != NULL);
  g_mutex_lock (&self->mutex);
  hold = g_hash_table_lookup (self->holds, key);
  if (hold == NULL)
    g_critical ("fen_pacs_cache_release: the series was not held");
  else if (--hold->count == 0)
    {
      g_autofree char *dir = g_build_filename (self->root, key, NULL);
      g_autoptr(GHashTable) uids = _fen_pacs_cache_list_series (dir, NULL);

      /* A hold made the folder; a fetch that failed may have left it empty.
       * Removed if nobody else holds it (our shared lock becomes exclusive
       * only then), under the protocol an eviction follows. */
      if (g_hash_table_size (uids) == 0 && flock (hold->fd, LOCK_EX | LOCK_NB) == 0)
        _fen_pacs_cache_remove_series_dir (self->root, key);
      g_hash_table_remove (self->holds, key);
    }
  g_mutex_unlock (&self->mutex);
}

gboolean
fen_pacs_cache_trim (FenPacsCache *self, guint64 *freed, GError **error)
{
  g_return_val_if_fail (FEN_IS_PACS_CACHE (self), FALSE);
  return _fen_pacs_cache_evict_to (self, fen_pacs_cache_get_limit (self), freed, NULL, error);
}

gboolean
fen_pacs_cache_clear (FenPacsCache *self, guint64 *freed, GError **error)
{
  g_return_val_if_fail (FEN_IS_PACS_CACHE (self), FALSE);
  return _fen_pacs_cache_evict_to (self, 0, freed, NULL, error);
}
