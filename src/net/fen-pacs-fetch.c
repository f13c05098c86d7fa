/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-fetch.c: fen_pacs_fetch(), a series or a study streamed into the
 * store through the cache. Two threads: the caller's asks the archive and
 * receives (fen_pacs_retrieve() writes each object into the series' cache
 * folder and names it to us at once), and a loading thread decodes each
 * named object into its image's one buffer in the store and hands it on, so
 * the network never waits for a decode and the first image is shown while
 * the rest arrives. Objects are matched by SOP Instance UID: one found in
 * the cache and arriving again is loaded once. */
#define G_LOG_DOMAIN "fen-net"

#include <fenestra/fen-pacs-fetch.h>
#include <fenestra/fen-loader.h>

#include "fen-pacs-cache-private.h"

#include <glib/gstdio.h>

#include <string.h>

/* A partial series missing at most 1 in this many of its objects (and at
 * most FEN_FETCH_MAX_SINGLES) gets them one by one, not the series again. */
#define FEN_FETCH_SINGLES_RATIO 10
#define FEN_FETCH_MAX_SINGLES   16

typedef struct {
  char    *path;
  char    *sop_instance_uid;
  guint    series_index;
  gboolean from_cache;
} FenFetchItem;

typedef struct {
  char  *uid;
  guint  n_hint;        /* from the series-level query; 0 unknown */
  guint  n_expected;    /* once its instances are known */
  gboolean loaded_any;
} FenFetchSeries;

typedef struct {
  /* Borrowed, for the fetch's life */
  FenPacsCache         *cache;
  const FenPacsNode    *node;
  const char           *study_uid;
  FenStore             *store;
  const FenLoadOptions *options;
  FenPacsFetchFunc      func;
  gpointer              user_data;

  /* Owned */
  GCancellable *stop;       /* the caller's cancel, or a load refused for memory */
  GAsyncQueue  *queue;      /* FenFetchItem *, then the end item */
  GThread      *loader;
  GPtrArray    *series;     /* FenFetchSeries * */
  char         *node_key;

  GMutex        lock;       /* all below */
  GCond         drained;
  guint         n_queued;
  guint         n_handled;
  guint         n_done;     /* objects handed to the callback */
  GHashTable   *loaded;     /* SOP Instance UIDs in the store (or, without a
                             * store, handled), this fetch */
  GHashTable   *vanished;   /* cached objects gone before their load */
  GHashTable   *again;      /* objects that did not load, fetched again (once each) */
  GError       *refusal;    /* the first load refused for memory */
  guint64       cache_total;
  guint64       pending;    /* bytes retrieved since the index last counted */
  FenPacsFetchStats stats;
} FenFetch;

static FenFetchItem fen_fetch_end;

static void
fen_fetch_item_free (FenFetchItem *item)
{
  g_free (item->path);
  g_free (item->sop_instance_uid);
  g_free (item);
}

static void
fen_fetch_series_free (gpointer data)
{
  FenFetchSeries *s = data;

  g_free (s->uid);
  g_free (s);
}

static char *
fen_fetch_series_key (FenFetch *f, guint index)
{
  const FenFetchSeries *s = f->series->pdata[index];

  return g_strdup_printf ("%s/%s/%s", f->node_key, f->study_uid, s->uid);
}

/* Loading thread ----------------------------------------------------------- */

static guint
fen_fetch_expected_locked (FenFetch *f)
{
  guint n = 0;

  for (guint i = 0; i < f->series->len; i++)
    {
      const FenFetchSeries *s = f->series->pdata[i];
      n += s->n_expected > 0 ? s->n_expected : s->n_hint;
    }
  return n;
}

/* Retrieved bytes count against the cache's limit as they arrive: past it,
 * least recently used series go at once, not after the whole study. */
static void
fen_fetch_account (FenFetch *f, const FenFetchItem *item)
{
  GStatBuf st;
  gboolean over;
  guint64 limit = fen_pacs_cache_get_limit (f->cache);

  if (item->from_cache || g_stat (item->path, &st) != 0)
    return;
  g_mutex_lock (&f->lock);
  f->pending += (guint64) st.st_size;
  over = f->cache_total + f->pending > limit;
  g_mutex_unlock (&f->lock);
  if (over)
    {
      g_autofree char *key = fen_fetch_series_key (f, item->series_index);
      g_autoptr(GError) error = NULL;
      guint64 total;

      if (_fen_pacs_cache_touch (f->cache, key, limit, &total, &error))
        {
          g_mutex_lock (&f->lock);
          f->cache_total = total;
          f->pending = 0;
          g_mutex_unlock (&f->lock);
        }
      else
        g_debug ("the PACS cache could not make room: %s", error->message);
    }
}

/* Whether a cached file's load failed for what it holds (cut short,
 * garbled, not DICOM, unreadable) rather than for what it is (a variant
 * not decoded) or for memory: fetching it again can mend it. */
static gboolean
fen_fetch_damaged (const GError *error)
{
  return error != NULL && error->domain == FEN_IO_ERROR &&
         (error->code == FEN_IO_ERROR_TRUNCATED || error->code == FEN_IO_ERROR_CORRUPT ||
          error->code == FEN_IO_ERROR_FORMAT || error->code == FEN_IO_ERROR_OPEN);
}

/* TRUE the first time @uid is to be fetched again in this fetch. */
static gboolean
fen_fetch_first_again (FenFetch *f, const char *uid)
{
  gboolean first;

  g_mutex_lock (&f->lock);
  first = g_hash_table_add (f->again, g_strdup (uid));
  if (first)
    f->stats.n_fetched_again++;
  g_mutex_unlock (&f->lock);
  return first;
}

static void
fen_fetch_load (FenFetch *f, FenFetchItem *item)
{
  FenFetchSeries *series = f->series->pdata[item->series_index];
  FenPacsFetchProgress p = { 0 };
  g_autoptr(FenImage) image = NULL;
  g_autoptr(GError) error = NULL;
  gboolean duplicate;

  fen_fetch_account (f, item);
  g_mutex_lock (&f->lock);
  duplicate = g_hash_table_contains (f->loaded, item->sop_instance_uid);
  g_mutex_unlock (&f->lock);
  if (duplicate || g_cancellable_is_cancelled (f->stop))
    return;

  /* Without a store only the cache is filled: nothing to load. */
  if (f->store != NULL)
    image = fen_load_file (item->path, f->options, &error);
  if (image == NULL && ((item->from_cache && !g_file_test (item->path, G_FILE_TEST_EXISTS)) ||
                        (fen_fetch_damaged (error) && fen_fetch_first_again (f, item->sop_instance_uid))))
    {
      /* Deleted from the cache, or damaged (the cache writes whole files
       * only, so a cached copy was damaged behind our back; one just
       * retrieved came cut short: seen once here, a WADO-RS part 68 bytes
       * short with no error from libsoup's multipart stream): the network
       * brings it again, a damaged copy removed first (it is ours, not the
       * user's) so that the one that comes takes its place. Once: a copy
       * damaged at the archive fails as it comes again. */
      if (g_file_test (item->path, G_FILE_TEST_EXISTS))
        {
          g_debug ("an object does not load (%s): it is fetched again", error->message);
          if (g_unlink (item->path) != 0)
            g_debug ("a damaged object in the cache could not be removed");
        }
      g_mutex_lock (&f->lock);
      g_hash_table_add (f->vanished, g_strdup (item->sop_instance_uid));
      g_mutex_unlock (&f->lock);
      return;
    }
  if (image == NULL && g_error_matches (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE))
    {
      g_mutex_lock (&f->lock);
      if (f->refusal == NULL)
        f->refusal = g_steal_pointer (&error);
      g_mutex_unlock (&f->lock);
      g_cancellable_cancel (f->stop);
      return;
    }
  if (image != NULL)
    {
      fen_image_set_path (image, item->path);
      p.image = image;
      p.image_id = fen_store_add (f->store, image);
    }
  p.error = error;
  p.study_uid = f->study_uid;
  p.series_uid = series->uid;
  p.sop_instance_uid = item->sop_instance_uid;
  p.path = item->path;
  p.from_cache = item->from_cache;
  p.series_index = item->series_index;

  g_mutex_lock (&f->lock);
  if (image != NULL)
    {
      g_hash_table_add (f->loaded, g_strdup (item->sop_instance_uid));
      series->loaded_any = TRUE;
      f->stats.n_loaded++;
    }
  else if (f->store == NULL)
    g_hash_table_add (f->loaded, g_strdup (item->sop_instance_uid));
  else
    f->stats.n_failed++;
  if (item->from_cache)
    f->stats.n_from_cache++;
  p.n_series = f->series->len;
  p.n_done = ++f->n_done;
  p.n_expected = MAX (fen_fetch_expected_locked (f), p.n_done);
  g_mutex_unlock (&f->lock);

  if (f->func != NULL)
    f->func (&p, f->user_data);
}

static gpointer
fen_fetch_loader (gpointer data)
{
  FenFetch *f = data;

  for (;;)
    {
      FenFetchItem *item = g_async_queue_pop (f->queue);

      if (item == &fen_fetch_end)
        return NULL;
      fen_fetch_load (f, item);
      fen_fetch_item_free (item);
      g_mutex_lock (&f->lock);
      f->n_handled++;
      g_cond_broadcast (&f->drained);
      g_mutex_unlock (&f->lock);
    }
}

static void
fen_fetch_push (FenFetch *f, const char *path, const char *sop_instance_uid, guint series_index,
                gboolean from_cache)
{
  FenFetchItem *item = g_new (FenFetchItem, 1);

  item->path = g_strdup (path);
  item->sop_instance_uid = g_strdup (sop_instance_uid);
  item->series_index = series_index;
  item->from_cache = from_cache;
  g_mutex_lock (&f->lock);
  f->n_queued++;
  if (!from_cache)
    f->stats.n_retrieved++;
  g_mutex_unlock (&f->lock);
  g_async_queue_push (f->queue, item);
}

static void
fen_fetch_wait_drained (FenFetch *f)
{
  g_mutex_lock (&f->lock);
  while (f->n_handled < f->n_queued)
    g_cond_wait (&f->drained, &f->lock);
  g_mutex_unlock (&f->lock);
}

/* One series ---------------------------------------------------------------- */

typedef struct {
  FenFetch *f;
  guint     series_index;
} FenFetchArrival;

/* FenPacsInstanceFunc: in the retrieving thread (or our SCP's, for C-MOVE). */
static void
fen_fetch_arrived (const char *path, const char *sop_instance_uid, gpointer user_data)
{
  FenFetchArrival *a = user_data;

  fen_fetch_push (a->f, path, sop_instance_uid, a->series_index, FALSE);
}

static gint
fen_fetch_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Queues the cached objects of series @index named in @uids. */
static void
fen_fetch_push_cached (FenFetch *f, guint index, const char *dir, GHashTable *uids)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  keys = g_hash_table_get_keys_as_array (uids, &n);
  /* In UID order: near enough to the order of the slices for generated UIDs,
   * and the same every time. */
  qsort (keys, n, sizeof (gpointer), fen_fetch_compare_strings);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strconcat (keys[i], ".dcm", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      fen_fetch_push (f, path, keys[i], index, TRUE);
    }
}

static gboolean
fen_fetch_retrieve (FenFetch *f, guint index, const char *dir, const char *sop_instance_uid,
                    GError **error)
{
  FenFetchSeries *s = f->series->pdata[index];
  FenFetchArrival a = { f, index };

  g_mutex_lock (&f->lock);
  f->stats.n_network_calls++;
  g_mutex_unlock (&f->lock);
  return fen_pacs_retrieve (f->node, f->study_uid, s->uid, sop_instance_uid, dir, fen_fetch_arrived, &a,
                            NULL, f->stop, error);
}

/* The series' instances as the archive lists them. */
static GHashTable *
fen_fetch_find_instances (FenFetch *f, guint index, GError **error)
{
  FenFetchSeries *s = f->series->pdata[index];
  FenPacsQuery q = { .level = FEN_PACS_LEVEL_INSTANCE, .study_uid = f->study_uid, .series_uid = s->uid };
  g_autoptr(GPtrArray) matches = NULL;
  GHashTable *uids;

  g_mutex_lock (&f->lock);
  f->stats.n_network_calls++;
  g_mutex_unlock (&f->lock);
  matches = fen_pacs_find (f->node, &q, f->stop, error);
  if (matches == NULL)
    return NULL;
  uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < matches->len; i++)
    {
      const FenPacsMatch *m = matches->pdata[i];
      if (fen_pacs_uid_is_valid (m->sop_instance_uid))
        g_hash_table_add (uids, g_strdup (m->sop_instance_uid));
    }
  g_mutex_lock (&f->lock);
  s->n_expected = g_hash_table_size (uids);
  g_mutex_unlock (&f->lock);
  return uids;
}

/* Marked complete: loaded from the cache, no network. Returns FALSE when
 * objects vanished on the way (the mark is removed: the network fills in). */
static gboolean
fen_fetch_from_cache (FenFetch *f, guint index, const char *dir, guint marked)
{
  FenFetchSeries *s = f->series->pdata[index];
  g_autoptr(GHashTable) uids = _fen_pacs_cache_list_series (dir, NULL);
  guint vanished;

  g_mutex_lock (&f->lock);
  s->n_expected = marked;
  g_hash_table_remove_all (f->vanished);
  g_mutex_unlock (&f->lock);
  fen_fetch_push_cached (f, index, dir, uids);
  fen_fetch_wait_drained (f);
  g_mutex_lock (&f->lock);
  vanished = g_hash_table_size (f->vanished);
  g_mutex_unlock (&f->lock);
  if (vanished == 0)
    return TRUE;
  g_debug ("%u cached object(s) vanished: the archive is asked for what is missing", vanished);
  _fen_pacs_cache_remove_mark (dir);
  return FALSE;
}

static gboolean
fen_fetch_from_network (FenFetch *f, guint index, const char *dir, GError **error)
{
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GHashTable) present = NULL;
  g_autoptr(GHashTable) here = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer uid;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO, "cannot make the cache folder %s", dir);
      return FALSE;
    }
  expected = fen_fetch_find_instances (f, index, error);
  if (expected == NULL)
    return FALSE;
  if (g_hash_table_size (expected) == 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "the archive lists no objects in the series");
      return FALSE;
    }
  /* What the cache has of them shows at once; only the rest comes over. */
  present = _fen_pacs_cache_list_series (dir, NULL);
  here = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &uid, NULL))
    if (g_hash_table_contains (present, uid))
      g_hash_table_add (here, uid);
    else
      g_ptr_array_add (missing, uid);
  g_mutex_lock (&f->lock);
  g_hash_table_remove_all (f->vanished);
  g_mutex_unlock (&f->lock);
  fen_fetch_push_cached (f, index, dir, here);

  if (missing->len > 0 && g_hash_table_size (here) > 0 && missing->len <= FEN_FETCH_MAX_SINGLES &&
      missing->len * FEN_FETCH_SINGLES_RATIO <= g_hash_table_size (expected))
    {
      for (guint i = 0; i < missing->len; i++)
        if (!fen_fetch_retrieve (f, index, dir, missing->pdata[i], error))
          return FALSE;
    }
  else if (missing->len > 0 && !fen_fetch_retrieve (f, index, dir, NULL, error))
    return FALSE;
  /* Cached objects deleted behind our back before their load: fetched
   * again one by one. */
  fen_fetch_wait_drained (f);
  g_mutex_lock (&f->lock);
  g_ptr_array_set_size (missing, 0);
  g_ptr_array_set_free_func (missing, g_free);
  g_hash_table_iter_init (&iter, f->vanished);
  while (g_hash_table_iter_next (&iter, &uid, NULL))
    g_ptr_array_add (missing, g_strdup (uid));
  g_hash_table_remove_all (f->vanished);
  g_mutex_unlock (&f->lock);
  for (guint i = 0; i < missing->len; i++)
    if (!fen_fetch_retrieve (f, index, dir, missing->pdata[i], error))
      return FALSE;

  /* Complete when every object the archive listed is on disk now. */
  g_clear_pointer (&present, g_hash_table_unref);
  present = _fen_pacs_cache_list_series (dir, NULL);
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &uid, NULL))
    if (!g_hash_table_contains (present, uid))
      {
        g_debug ("the archive listed objects it did not send: the series stays partial");
        return TRUE;
      }
  return _fen_pacs_cache_write_mark (dir, g_hash_table_size (expected), error);
}

static gboolean
fen_fetch_one_series (FenFetch *f, guint index, gboolean offline, GError **error)
{
  FenFetchSeries *s = f->series->pdata[index];
  g_autofree char *key = fen_fetch_series_key (f, index);
  g_autofree char *dir = g_build_filename (fen_pacs_cache_get_root (f->cache), key, NULL);
  g_autoptr(GHashTable) uids = _fen_pacs_cache_list_series (dir, NULL);
  guint marked = _fen_pacs_cache_read_mark (dir);
  gboolean ok = TRUE;
  guint64 total;

  if (marked > 0 && g_hash_table_size (uids) >= marked && fen_fetch_from_cache (f, index, dir, marked))
    ;
  else if (offline)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CONNECT,
                   "series %s is not complete in the cache, and the fetch is offline", s->uid);
      ok = FALSE;
    }
  else
    ok = fen_fetch_from_network (f, index, dir, error);

  /* Loaded or not, what is on disk now counts, as used now. */
  fen_fetch_wait_drained (f);
  if (_fen_pacs_cache_touch (f->cache, key, fen_pacs_cache_get_limit (f->cache), &total,
                             ok ? error : NULL))
    {
      g_mutex_lock (&f->lock);
      f->cache_total = total;
      f->pending = 0;
      g_mutex_unlock (&f->lock);
    }
  else if (ok)
    ok = FALSE;
  return ok;
}

/* Which series ------------------------------------------------------------- */

static void
fen_fetch_add_series (FenFetch *f, const char *uid, gint n_hint)
{
  FenFetchSeries *s = g_new0 (FenFetchSeries, 1);

  s->uid = g_strdup (uid);
  s->n_hint = n_hint > 0 ? (guint) n_hint : 0;
  g_ptr_array_add (f->series, s);
}

static gint
fen_fetch_compare_series_number (gconstpointer a, gconstpointer b)
{
  const FenPacsMatch *x = *(const FenPacsMatch *const *) a;
  const FenPacsMatch *y = *(const FenPacsMatch *const *) b;

  return x->series_number != y->series_number ? (x->series_number < y->series_number ? -1 : 1)
                                              : g_strcmp0 (x->series_uid, y->series_uid);
}

/* Offline, a study is what the cache has of it. */
static gboolean
fen_fetch_list_cached_series (FenFetch *f, GError **error)
{
  g_autofree char *study_dir = g_build_filename (fen_pacs_cache_get_root (f->cache), f->node_key,
                                                 f->study_uid, NULL);
  g_autoptr(GDir) dir = g_dir_open (study_dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (fen_pacs_uid_is_valid (name))
      g_ptr_array_add (names, g_strdup (name));
  if (names->len == 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CONNECT,
                   "the cache holds nothing of study %s, and the fetch is offline", f->study_uid);
      return FALSE;
    }
  g_ptr_array_sort (names, fen_fetch_compare_strings);
  for (guint i = 0; i < names->len; i++)
    fen_fetch_add_series (f, names->pdata[i], 0);
  return TRUE;
}

static gboolean
fen_fetch_find_series (FenFetch *f, GError **error)
{
  FenPacsQuery q = { .level = FEN_PACS_LEVEL_SERIES, .study_uid = f->study_uid };
  g_autoptr(GPtrArray) matches = NULL;

  f->stats.n_network_calls++;
  matches = fen_pacs_find (f->node, &q, f->stop, error);
  if (matches == NULL)
    return FALSE;
  g_ptr_array_sort (matches, fen_fetch_compare_series_number);
  for (guint i = 0; i < matches->len; i++)
    {
      const FenPacsMatch *m = matches->pdata[i];
      if (fen_pacs_uid_is_valid (m->series_uid))
        fen_fetch_add_series (f, m->series_uid, m->n_series_instances);
    }
  if (f->series->len == 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "the archive lists no series in study %s",
                   f->study_uid);
      return FALSE;
    }
  return TRUE;
}

/* The fetch ---------------------------------------------------------------- */

static void
fen_fetch_forward_cancel (GCancellable *cancellable, gpointer stop)
{
  g_cancellable_cancel (stop);
}

gboolean
fen_pacs_fetch (FenPacsCache *cache, const FenPacsNode *node, const char *study_uid, const char *series_uid,
                FenStore *store, const FenLoadOptions *load_options, FenPacsFetchFlags flags,
                FenPacsFetchFunc func, gpointer user_data, FenPacsFetchStats *stats,
                GCancellable *cancellable, GError **error)
{
  FenFetch f = { .cache = cache, .node = node, .study_uid = study_uid, .store = store,
                 .options = load_options, .func = func, .user_data = user_data };
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);
  const gboolean offline = (flags & FEN_PACS_FETCH_OFFLINE) != 0;
  gulong cancel_id = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (FEN_IS_PACS_CACHE (cache) && node != NULL, FALSE);
  if (stats != NULL)
    memset (stats, 0, sizeof *stats);
  if (!fen_pacs_uid_is_valid (study_uid) || (series_uid != NULL && !fen_pacs_uid_is_valid (series_uid)))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY, "“%s” is not a valid UID",
                   !fen_pacs_uid_is_valid (study_uid) ? (study_uid ? study_uid : "") : series_uid);
      return FALSE;
    }

  f.stop = g_cancellable_new ();
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (fen_fetch_forward_cancel), f.stop, NULL);
  f.queue = g_async_queue_new ();
  f.series = g_ptr_array_new_with_free_func (fen_fetch_series_free);
  f.node_key = fen_pacs_cache_node_key (node);
  g_mutex_init (&f.lock);
  g_cond_init (&f.drained);
  f.loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f.vanished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f.again = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f.cache_total = fen_pacs_cache_get_size (cache, NULL);
  f.loader = g_thread_new ("fen-pacs-load", fen_fetch_loader, &f);

  if (series_uid != NULL)
    fen_fetch_add_series (&f, series_uid, 0);
  else
    ok = offline ? fen_fetch_list_cached_series (&f, &local) : fen_fetch_find_series (&f, &local);
  f.stats.n_series = f.series->len;

  for (guint i = 0; ok && i < f.series->len; i++)
    {
      const FenFetchSeries *s = f.series->pdata[i];

      ok = fen_pacs_cache_hold (cache, node, study_uid, s->uid, &local);
      if (!ok)
        break;
      g_ptr_array_add (held, g_strdup (s->uid));
      ok = fen_fetch_one_series (&f, i, offline, &local);
    }

  g_async_queue_push (f.queue, &fen_fetch_end);
  g_thread_join (f.loader);

  /* A refused load is the cause of the cancel that stopped the network. */
  if (f.refusal != NULL)
    {
      g_clear_error (&local);
      local = g_steal_pointer (&f.refusal);
      ok = FALSE;
    }
  else if (ok && g_cancellable_is_cancelled (f.stop))
    {
      g_set_error_literal (&local, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED, "cancelled");
      ok = FALSE;
    }
  for (guint i = 0; i < held->len; i++)
    {
      const FenFetchSeries *s = f.series->pdata[i];
      if (!(flags & FEN_PACS_FETCH_HOLD) || !s->loaded_any)
        fen_pacs_cache_release (cache, node, study_uid, held->pdata[i]);
    }
  f.stats.n_expected = MAX (fen_fetch_expected_locked (&f), f.n_done);
  if (stats != NULL)
    *stats = f.stats;

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);
  g_object_unref (f.stop);
  g_async_queue_unref (f.queue);
  g_ptr_array_unref (f.series);
  g_free (f.node_key);
  g_hash_table_unref (f.loaded);
  g_hash_table_unref (f.vanished);
  g_hash_table_unref (f.again);
  g_mutex_clear (&f.lock);
  g_cond_clear (&f.drained);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}
