/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-cache-index.c: the cache's index (bytes and last use of each
 * series) and eviction, least recently used first. The index is a summary
 * of the folders, never the truth about them: a missing, corrupt or
 * strange index is rebuilt from the folders, and each process checks it
 * against them once. Every read-modify-write of it runs under an exclusive
 * lock of ROOT/.lock (other processes) and the cache's mutex (this one),
 * and the new index replaces the old atomically (fen-atomic-file.h). */
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

#define FEN_INDEX_GROUP   "fenestra-pacs-cache"
#define FEN_INDEX_VERSION 1

static void
fen_pacs_cache_entry_free (gpointer data)
{
  FenPacsCacheEntry *e = data;

  g_free (e->key);
  g_free (e);
}

static GHashTable *
fen_pacs_cache_entries_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, fen_pacs_cache_entry_free);
}

static void
fen_pacs_cache_entries_put (GHashTable *entries, const char *key, guint64 bytes, gint64 used)
{
  FenPacsCacheEntry *e = g_new (FenPacsCacheEntry, 1);

  e->key = g_strdup (key);
  e->bytes = bytes;
  e->used = used;
  g_hash_table_replace (entries, e->key, e);
}

static gboolean
fen_pacs_cache_node_name_is_valid (const char *name)
{
  if (strlen (name) != FEN_PACS_CACHE_KEY_CHARS)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

/* NODE/STUDY/SERIES with each part as we name folders: nothing else from
 * an index names a path. */
static gboolean
fen_pacs_cache_key_is_valid (const char *key)
{
  g_auto(GStrv) parts = g_strsplit (key, "/", 4);

  return g_strv_length (parts) == 3 && fen_pacs_cache_node_name_is_valid (parts[0]) &&
         fen_pacs_uid_is_valid (parts[1]) && fen_pacs_uid_is_valid (parts[2]);
}

/* Reading, rebuilding, writing -------------------------------------------- */

/* The index as written, or NULL when it is missing or anything in it is
 * not as we write it. */
static GHashTable *
fen_pacs_cache_index_read (const char *root)
{
  g_autofree char *path = g_build_filename (root, FEN_PACS_CACHE_INDEX, NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GHashTable) entries = fen_pacs_cache_entries_new ();
  g_auto(GStrv) groups = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL) ||
      g_key_file_get_integer (file, FEN_INDEX_GROUP, "version", &error) != FEN_INDEX_VERSION || error != NULL)
    return NULL;
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      guint64 bytes;
      gint64 used;

      if (g_str_equal (groups[i], FEN_INDEX_GROUP))
        continue;
      if (!fen_pacs_cache_key_is_valid (groups[i]))
        return NULL;
      bytes = g_key_file_get_uint64 (file, groups[i], "bytes", &error);
      used = error == NULL ? g_key_file_get_int64 (file, groups[i], "used", &error) : 0;
      if (error != NULL || used < 0)
        return NULL;
      fen_pacs_cache_entries_put (entries, groups[i], bytes, used);
    }
  return g_steal_pointer (&entries);
}

static gboolean
fen_pacs_cache_is_dir (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

/* Every series folder under the root, with its bytes as on disk and, for
 * its last use, the index's where @old has it, else the folder's mtime. */
static GHashTable *
fen_pacs_cache_index_scan (const char *root, GHashTable *old)
{
  GHashTable *entries = fen_pacs_cache_entries_new ();
  g_autoptr(GDir) nodes = g_dir_open (root, 0, NULL);
  const char *node;

  while (nodes != NULL && (node = g_dir_read_name (nodes)) != NULL)
    {
      g_autofree char *node_dir = g_build_filename (root, node, NULL);
      g_autoptr(GDir) studies = NULL;
      const char *study;

      if (!fen_pacs_cache_node_name_is_valid (node) || !fen_pacs_cache_is_dir (node_dir))
        continue;
      studies = g_dir_open (node_dir, 0, NULL);
      while (studies != NULL && (study = g_dir_read_name (studies)) != NULL)
        {
          g_autofree char *study_dir = g_build_filename (node_dir, study, NULL);
          g_autoptr(GDir) series = NULL;
          const char *s;

          if (!fen_pacs_uid_is_valid (study) || !fen_pacs_cache_is_dir (study_dir))
            continue;
          series = g_dir_open (study_dir, 0, NULL);
          while (series != NULL && (s = g_dir_read_name (series)) != NULL)
            {
              g_autofree char *series_dir = g_build_filename (study_dir, s, NULL);
              g_autofree char *key = g_strdup_printf ("%s/%s/%s", node, study, s);
              g_autoptr(GHashTable) uids = NULL;
              const FenPacsCacheEntry *known = old != NULL ? g_hash_table_lookup (old, key) : NULL;
              guint64 bytes;
              GStatBuf st;

              if (!fen_pacs_uid_is_valid (s) || g_lstat (series_dir, &st) != 0 || !S_ISDIR (st.st_mode))
                continue;
              uids = _fen_pacs_cache_list_series (series_dir, &bytes);
              fen_pacs_cache_entries_put (entries, key, bytes,
                                          known != NULL ? known->used
                                                        : (gint64) st.st_mtime * G_USEC_PER_SEC);
            }
        }
    }
  return entries;
}

static gint
fen_pacs_cache_compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
fen_pacs_cache_index_write (const char *root, GHashTable *entries, GError **error)
{
  g_autofree char *path = g_build_filename (root, FEN_PACS_CACHE_INDEX, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree gpointer *keys = NULL;
  g_autofree char *tmp = NULL;
  guint n = 0;
  gsize done = 0;
  gboolean ok = TRUE;
  int fd;

  g_string_append_printf (text, "[" FEN_INDEX_GROUP "]\nversion=%d\n", FEN_INDEX_VERSION);
  keys = g_hash_table_get_keys_as_array (entries, &n);
  qsort (keys, n, sizeof (gpointer), fen_pacs_cache_compare_keys);
  for (guint i = 0; i < n; i++)
    {
      const FenPacsCacheEntry *e = g_hash_table_lookup (entries, keys[i]);
      g_string_append_printf (text, "\n[%s]\nbytes=%" G_GUINT64_FORMAT "\nused=%" G_GINT64_FORMAT "\n",
                              e->key, e->bytes, e->used);
    }
  fd = fen_atomic_file_open (path, &tmp, error);
  if (fd < 0)
    return FALSE;
  while (ok && done < text->len)
    {
      ssize_t w = write (fd, text->str + done, text->len - done);
      if (w < 0 && errno == EINTR)
        continue;
      ok = w > 0;
      done += w > 0 ? (gsize) w : 0;
    }
  if (!ok)
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO, "cannot write %s: %s", path, g_strerror (errno));
  return fen_atomic_file_finish (tmp, fd, ok, path, ok ? error : NULL) && ok;
}

/* The root's lock, exclusive: one read-modify-write of the index at a time
 * across processes. Returns the descriptor or -1 with @error. */
static int
fen_pacs_cache_index_lock (const char *root, GError **error)
{
  g_autofree char *path = g_build_filename (root, FEN_PACS_CACHE_LOCK, NULL);
  int fd = -1;

  if (g_mkdir_with_parents (root, 0700) == 0)
    fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  while (fd >= 0 && flock (fd, LOCK_EX) != 0)
    if (errno != EINTR)
      {
        close (fd);
        fd = -1;
      }
  if (fd < 0)
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO, "cannot use the PACS cache in %s: %s", root,
                 g_strerror (errno));
  return fd;
}

/* The index to work on: as written when it reads well and this process
 * has checked it against the folders before; else rebuilt from them.
 * @rebuilt tells whether it must be written back. */
static GHashTable *
fen_pacs_cache_index_load (FenPacsCache *self, gboolean *rebuilt)
{
  const char *root = _fen_pacs_cache_root (self);
  g_autoptr(GHashTable) entries = fen_pacs_cache_index_read (root);

  *rebuilt = FALSE;
  if (entries != NULL && _fen_pacs_cache_reconciled (self))
    return g_steal_pointer (&entries);
  if (entries == NULL)
    {
      g_autofree char *path = g_build_filename (root, FEN_PACS_CACHE_INDEX, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_debug ("the PACS cache's index is unreadable: rebuilt from its folders");
    }
  *rebuilt = TRUE;
  _fen_pacs_cache_set_reconciled (self);
  return fen_pacs_cache_index_scan (root, entries);
}

static guint64
fen_pacs_cache_total (GHashTable *entries)
{
  GHashTableIter iter;
  gpointer value;
  guint64 total = 0;

  g_hash_table_iter_init (&iter, entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += ((const FenPacsCacheEntry *) value)->bytes;
  return total;
}

/* Eviction ----------------------------------------------------------------- */

/* Removes @path and everything under it, without following links. */
static void
fen_pacs_cache_remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          fen_pacs_cache_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
_fen_pacs_cache_remove_series_dir (const char *root, const char *key)
{
  g_autofree char *series_dir = g_build_filename (root, key, NULL);
  g_autofree char *study_dir = g_path_get_dirname (series_dir);
  g_autofree char *node_dir = g_path_get_dirname (study_dir);

  /* The mark first: a reader that comes in between sees a partial series,
   * never a complete one with files missing. */
  _fen_pacs_cache_remove_mark (series_dir);
  fen_pacs_cache_remove_tree (series_dir);
  /* Fail harmlessly while other series are there. */
  g_rmdir (study_dir);
  g_rmdir (node_dir);
}

static gint
fen_pacs_cache_compare_used (gconstpointer a, gconstpointer b)
{
  const FenPacsCacheEntry *x = *(const FenPacsCacheEntry *const *) a;
  const FenPacsCacheEntry *y = *(const FenPacsCacheEntry *const *) b;

  if (x->used != y->used)
    return x->used < y->used ? -1 : 1;
  return strcmp (x->key, y->key);
}

/* Least recently used first, until @target; skips @keep, series held here
 * and series held by another process (their lock cannot be had). */
static guint64
fen_pacs_cache_evict_locked (FenPacsCache *self, GHashTable *entries, guint64 target, const char *keep)
{
  const char *root = _fen_pacs_cache_root (self);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  guint64 total = fen_pacs_cache_total (entries), freed = 0;

  if (total <= target)
    return 0;
  g_hash_table_iter_init (&iter, entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (order, value);
  g_ptr_array_sort (order, fen_pacs_cache_compare_used);
  for (guint i = 0; i < order->len && total > target; i++)
    {
      FenPacsCacheEntry *e = order->pdata[i];
      g_autofree char *dir = NULL;
      g_autoptr(GError) error = NULL;
      int fd;

      if ((keep != NULL && g_str_equal (e->key, keep)) || _fen_pacs_cache_is_held (self, e->key))
        continue;
      dir = g_build_filename (root, e->key, NULL);
      fd = _fen_pacs_cache_lock_series (dir, LOCK_EX | LOCK_NB, FALSE, &error);
      if (fd < 0 && error == NULL && fen_pacs_cache_is_dir (dir))
        continue;               /* in use by another process */
      if (fd < 0 && error != NULL)
        {
          g_debug ("cannot evict a cached series: %s", error->message);
          continue;
        }
      if (fd >= 0)
        {
          _fen_pacs_cache_remove_series_dir (root, e->key);
          close (fd);
        }
      /* Evicted now, or gone already behind our back. */
      total -= MIN (total, e->bytes);
      freed += e->bytes;
      g_hash_table_remove (entries, e->key);
    }
  return freed;
}

gboolean
_fen_pacs_cache_evict_to (FenPacsCache *self, guint64 target, guint64 *freed, guint64 *total,
                          GError **error)
{
  GMutex *mutex = _fen_pacs_cache_mutex (self);
  g_autoptr(GHashTable) entries = NULL;
  guint64 n_freed;
  gboolean rebuilt, ok = TRUE;
  int fd;

  g_mutex_lock (mutex);
  fd = fen_pacs_cache_index_lock (_fen_pacs_cache_root (self), error);
  if (fd < 0)
    {
      g_mutex_unlock (mutex);
      return FALSE;
    }
  entries = fen_pacs_cache_index_load (self, &rebuilt);
  n_freed = fen_pacs_cache_evict_locked (self, entries, target, NULL);
  if (n_freed > 0 || rebuilt)
    ok = fen_pacs_cache_index_write (_fen_pacs_cache_root (self), entries, error);
  if (freed != NULL)
    *freed = n_freed;
  if (total != NULL)
    *total = fen_pacs_cache_total (entries);
  close (fd);
  g_mutex_unlock (mutex);
  return ok;
}

gboolean
_fen_pacs_cache_touch (FenPacsCache *self, const char *key, guint64 limit, guint64 *total, GError **error)
{
  GMutex *mutex = _fen_pacs_cache_mutex (self);
  const char *root = _fen_pacs_cache_root (self);
  g_autoptr(GHashTable) entries = NULL;
  g_autofree char *dir = g_build_filename (root, key, NULL);
  gboolean rebuilt, ok;
  int fd;

  g_mutex_lock (mutex);
  fd = fen_pacs_cache_index_lock (root, error);
  if (fd < 0)
    {
      g_mutex_unlock (mutex);
      return FALSE;
    }
  entries = fen_pacs_cache_index_load (self, &rebuilt);
  if (fen_pacs_cache_is_dir (dir))
    {
      guint64 bytes;
      g_autoptr(GHashTable) uids = _fen_pacs_cache_list_series (dir, &bytes);
      fen_pacs_cache_entries_put (entries, key, bytes, g_get_real_time ());
    }
  else
    g_hash_table_remove (entries, key);
  fen_pacs_cache_evict_locked (self, entries, limit, key);
  ok = fen_pacs_cache_index_write (root, entries, error);
  if (total != NULL)
    *total = fen_pacs_cache_total (entries);
  close (fd);
  g_mutex_unlock (mutex);
  return ok;
}

guint64
fen_pacs_cache_get_size (FenPacsCache *self, GError **error)
{
  guint64 total = 0;

  g_return_val_if_fail (FEN_IS_PACS_CACHE (self), 0);
  /* Evicting down to "everything" evicts nothing and reads the total. */
  if (!_fen_pacs_cache_evict_to (self, G_MAXUINT64, NULL, &total, error))
    return 0;
  return total;
}
