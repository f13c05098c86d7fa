/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-study-browser-retrieve.c: Retrieve and Open in the study browser,
 * through the application's on-disk cache and fen_pacs_fetch_async()
 * (include/fenestra/fen-pacs-fetch.h), the one streaming loader: each
 * object is decoded into the store as it arrives and comes back here on the
 * main thread at once. Open hands each image to the main window as it
 * comes, so the first slice is on screen while the rest arrives; a cache
 * hit opens without the network. Retrieve only fills the cache (a fetch
 * without a store); each series' thumbnail is read from its first object
 * there. A progress bar and Cancel follow the fetch; closing
 * the window cancels it. Logs carry counts and image ids, never UIDs. */
#define G_LOG_DOMAIN "fen-pacs-browser"

#include "fen-study-browser-private.h"
#include "fen-main-window.h"
#include "fen-series.h"

#include <fenestra/fen-pacs-fetch.h>

#include <string.h>

/* One fetch running: shared by the progress callback and the completion. */
typedef struct {
  FenStudyBrowser   *browser;      /* owned reference */
  FenApplication    *app;          /* owned reference and a hold: the load options point at it */
  FenMainWindow     *window;       /* owned reference: where Open shows, or NULL */
  FenStore          *store;        /* owned reference: the app's (Open), NULL (Retrieve: the cache only) */
  gboolean           open;
  GHashTable        *thumbs_done;  /* series UIDs (owned) with a thumbnail made */
  FenMemoryOperation op;           /* the whole fetch, "open img-A..img-B (N)" */
  FenMemoryOperation first_op;     /* until the first image is handed to the window */
  gboolean           first_pending;
  guint              first_id, last_id, n_loaded, n_failed;
  gint64             start_us;
  gint64             first_us;     /* when the first image was handed over, or 0 */
  char              *first_error;  /* the first failed load's message */
} FenBrowserFetch;

static void fen_browser_read_thumbnail (FenStudyBrowser *self, FenPacsItem *item, const char *path);

static void
fen_browser_fetch_free (gpointer data)
{
  FenBrowserFetch *f = data;

  g_object_unref (f->browser);
  g_application_release (G_APPLICATION (f->app));
  g_object_unref (f->app);
  g_clear_object (&f->window);
  g_clear_pointer (&f->store, fen_store_unref);
  g_hash_table_unref (f->thumbs_done);
  g_free (f->first_error);
  g_free (f);
}

static FenMemoryMonitor *
fen_browser_monitor (FenStudyBrowser *self)
{
  return fen_application_get_monitor (self->app);
}

/* The item of the series @series_uid in the list, or NULL. */
static FenPacsItem *
fen_browser_find_series (FenStudyBrowser *self, const char *series_uid)
{
  GListModel *model = G_LIST_MODEL (self->series);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(FenPacsItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (fen_pacs_item_get_match (item)->series_uid, series_uid) == 0)
        return item;
    }
  return NULL;
}

/* A small picture of @image, with the viewer's own engine (FenSeries
 * renders the main window's thumbnails the same way). */
static GdkTexture *
fen_browser_render_thumbnail (FenStudyBrowser *self, FenImage *image)
{
  g_autoptr(FenSeries) holder = NULL;

  if (!fen_image_has_pixels (image))
    return NULL;
  if (self->thumb_renderer == NULL)
    {
      self->thumb_renderer = fen_renderer_new (1, 128);
      self->thumb_lut = fen_lut_new ();
    }
  holder = fen_series_new ("thumbnail");
  fen_series_render_thumbnail (holder, image, self->thumb_renderer, self->thumb_lut);
  return g_object_ref (fen_series_get_thumbnail (holder));
}

static void
fen_browser_update_progress (FenStudyBrowser *self, guint done, guint expected)
{
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  if (expected > 0)
    {
      text = g_strdup_printf ("%u / %u", done, expected);
      gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) done / expected));
    }
  else
    {
      text = g_strdup_printf ("%u", done);
      gtk_progress_bar_pulse (self->progress_bar);
    }
  gtk_progress_bar_set_text (self->progress_bar, text);
}

/* An image the fetch put in the store that no window will show: closed
 * again, as a file load that is not wanted any more is. */
static void
fen_browser_fetch_drop (FenBrowserFetch *f, const FenPacsFetchProgress *p)
{
  if (f->open && f->store != NULL && p->image != NULL)
    fen_store_close (f->store, p->image_id);
}

/* FenPacsFetchFunc, on the main thread: one object loaded (or not). */
static void
fen_browser_fetch_progress_cb (const FenPacsFetchProgress *p, gpointer user_data)
{
  FenBrowserFetch *f = user_data;
  FenStudyBrowser *self = f->browser;
  FenPacsItem *item;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      /* The browser is gone: nobody will show this image. */
      fen_browser_fetch_drop (f, p);
      return;
    }
  fen_browser_update_progress (self, p->n_done, p->n_expected);
  /* Without a store (Retrieve) an object in the cache has no image. */
  if (p->error != NULL || (p->image == NULL && f->open))
    {
      f->n_failed++;
      if (f->first_error == NULL && p->error != NULL)
        f->first_error = g_strdup (p->error->message);
      return;
    }
  f->n_loaded++;
  if (f->first_id == 0)
    f->first_id = p->image_id;
  f->last_id = p->image_id;

  item = fen_browser_find_series (self, p->series_uid);
  if (item != NULL)
    {
      fen_pacs_item_set_n_local (item, fen_pacs_item_get_n_local (item) + (p->from_cache ? 0 : 1));
      if (!g_hash_table_contains (f->thumbs_done, p->series_uid))
        {
          g_hash_table_add (f->thumbs_done, g_strdup (p->series_uid));
          if (p->image != NULL)
            {
              g_autoptr(GdkTexture) thumbnail = NULL;

              /* A loading thread may evict any image not pinned. */
              fen_store_pin (f->store, p->image_id, TRUE);
              thumbnail = fen_browser_render_thumbnail (self, p->image);
              fen_store_pin (f->store, p->image_id, FALSE);
              if (thumbnail != NULL)
                fen_pacs_item_set_thumbnail (item, thumbnail);
            }
          else if (fen_pacs_item_get_thumbnail (item) == NULL)
            fen_browser_read_thumbnail (self, item, p->path);
        }
    }

  if (!f->open)
    return;
  if (f->window == NULL || gtk_widget_in_destruction (GTK_WIDGET (f->window)))
    {
      /* The window Open was showing in is gone: stop, and keep nothing
       * that no window shows. */
      fen_browser_fetch_drop (f, p);
      if (self->retrieve_cancellable != NULL)
        g_cancellable_cancel (self->retrieve_cancellable);
      return;
    }
  fen_main_window_add_retrieved (f->window, p->image_id);
  if (f->first_pending)
    {
      /* Time to the first slice: from Open to the image handed to the window. */
      f->first_pending = FALSE;
      f->first_us = g_get_monotonic_time ();
      g_snprintf (f->first_op.before.label, sizeof f->first_op.before.label, "first-slice img-%u", p->image_id);
      fen_memory_monitor_end (fen_browser_monitor (self), &f->first_op);
      g_debug ("pacs open: first image img-%u after %" G_GINT64_FORMAT " ms%s", p->image_id,
               (f->first_us - f->start_us) / 1000, p->from_cache ? " (from the cache)" : "");
    }
}

static void
fen_browser_fetch_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FenBrowserFetch *f = user_data;
  FenStudyBrowser *self = f->browser;
  FenPacsFetchStats stats = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean ok = fen_pacs_fetch_finish (result, &stats, &error);
  gint64 ms = (g_get_monotonic_time () - f->start_us) / 1000;
  g_autofree char *text = NULL;

  /* Labels name image ids, never UIDs. */
  if (f->n_loaded == 0)
    g_snprintf (f->op.before.label, sizeof f->op.before.label, "%s none", f->open ? "open" : "retrieve");
  else if (!f->open)
    g_snprintf (f->op.before.label, sizeof f->op.before.label, "retrieve (%u) pacs%s", f->n_loaded,
                ok ? "" : " failed");
  else
    g_snprintf (f->op.before.label, sizeof f->op.before.label, "%s img-%u..img-%u (%u)%s",
                f->open ? "open" : "retrieve", f->first_id, f->last_id, f->n_loaded,
                ok ? " pacs" : g_error_matches (error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED) ? " pacs cancelled"
                                                                                     : " pacs failed");
  f->op.n_updates = f->n_loaded;
  if (f->first_pending)
    {
      f->first_pending = FALSE;
      g_snprintf (f->first_op.before.label, sizeof f->first_op.before.label, "first-slice none");
      fen_memory_monitor_end (fen_browser_monitor (self), &f->first_op);
    }
  fen_memory_monitor_end (fen_browser_monitor (self), &f->op);
  g_debug ("pacs %s: %u handled (%u from the cache, %u retrieved, %u failed), %u network calls, %" G_GINT64_FORMAT
           " ms", f->open ? "open" : "retrieve", f->n_loaded, stats.n_from_cache, stats.n_retrieved, stats.n_failed,
           stats.n_network_calls, ms);

  if (self->retrieve == f)
    {
      self->retrieve = NULL;
      g_clear_object (&self->retrieve_cancellable);
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      fen_browser_fetch_free (f);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  if (!ok)
    {
      _fen_study_browser_show_error (self, error);
      text = g_error_matches (error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED)
               ? g_strdup_printf ("Cancelled; %u image%s arrived and stay%s", f->n_loaded, f->n_loaded == 1 ? "" : "s",
                                  f->n_loaded == 1 ? "s" : "")
               : g_strdup_printf ("Stopped after %u image%s", f->n_loaded, f->n_loaded == 1 ? "" : "s");
    }
  else if (stats.n_failed > 0)
    {
      g_autoptr(GError) load_error = g_error_new (FEN_IO_ERROR, FEN_IO_ERROR_FORMAT, "%u object%s could not be read: %s",
                                                  stats.n_failed, stats.n_failed == 1 ? "" : "s",
                                                  f->first_error != NULL ? f->first_error : "");

      _fen_study_browser_show_error (self, load_error);
      text = g_strdup_printf ("%u images, %u could not be read", f->n_loaded, stats.n_failed);
    }
  else if (stats.n_retrieved == 0 && stats.n_from_cache > 0)
    text = g_strdup_printf ("%u image%s from the local cache, without the network", stats.n_from_cache,
                            stats.n_from_cache == 1 ? "" : "s");
  else
    text = g_strdup_printf ("%u image%s %s in %.1f s", f->n_loaded, f->n_loaded == 1 ? "" : "s",
                            f->open ? "opened" : "retrieved", ms / 1000.0);
  _fen_study_browser_set_status (self, text);
  _fen_study_browser_series_listed (self);
  _fen_study_browser_update_actions (self);
  fen_browser_fetch_free (f);
}

/* The main window Open shows in: the application's first, else a new one. */
static FenMainWindow *
fen_browser_main_window (FenStudyBrowser *self)
{
  GtkApplication *app = GTK_APPLICATION (self->app);
  FenMainWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (FEN_IS_MAIN_WINDOW (l->data))
      {
        window = l->data;
        break;
      }
  if (window == NULL)
    window = fen_main_window_new (self->app);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

void
_fen_study_browser_retrieve (FenStudyBrowser *self, gboolean open)
{
  FenPacsItem *study = _fen_study_browser_get_study (self);
  FenPacsItem *series = _fen_study_browser_get_series (self);
  const char *study_uid, *series_uid = NULL;
  FenBrowserFetch *f;
  FenLoadOptions options;

  if (study == NULL || self->node == NULL || self->retrieve != NULL)
    return;
  study_uid = fen_pacs_item_get_match (study)->study_uid;
  if (series != NULL && g_strcmp0 (fen_pacs_item_get_match (series)->study_uid, study_uid) == 0)
    series_uid = fen_pacs_item_get_match (series)->series_uid;

  f = g_new0 (FenBrowserFetch, 1);
  f->browser = g_object_ref (self);
  /* Until the fetch's thread is done: the load options it was given call
   * back into the application, so the application must outlive it. */
  f->app = g_object_ref (self->app);
  g_application_hold (G_APPLICATION (f->app));
  f->open = open;
  f->thumbs_done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->start_us = g_get_monotonic_time ();
  if (open)
    {
      f->window = g_object_ref (fen_browser_main_window (self));
      f->store = fen_store_ref (fen_application_get_store (self->app));
      /* The memory budget applies exactly as for files. */
      fen_application_get_load_options (self->app, &options);
    }
  else
    /* Retrieve fills the cache only: no store, no decoding. */
    memset (&options, 0, sizeof options);
  /* An opened series stays held in the cache (never evicted) until the
   * application's cache goes at exit: the store reads an evicted image's
   * file again (fen_load_restore), so the file must outlive the image.
   * Closing a series early does not release it: simpler, and safe. */
  fen_memory_monitor_begin (fen_browser_monitor (self), &f->op, open ? "open" : "retrieve");
  f->first_op = f->op;
  f->first_pending = open;

  self->retrieve = f;
  self->retrieve_cancellable = _fen_study_browser_new_cancellable (self);
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  _fen_study_browser_set_status (self, series_uid != NULL ? (open ? "Opening the series…" : "Retrieving the series…")
                                                          : (open ? "Opening the study…" : "Retrieving the study…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, "starting");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  fen_pacs_fetch_async (fen_application_get_pacs_cache (self->app), self->node, study_uid, series_uid, f->store,
                        f->open ? &options : NULL, f->open ? FEN_PACS_FETCH_HOLD : FEN_PACS_FETCH_NONE, fen_browser_fetch_progress_cb, f, NULL,
                        self->retrieve_cancellable, fen_browser_fetch_done_cb, f);
  _fen_study_browser_update_actions (self);
}

void
_fen_study_browser_cancel_retrieve (FenStudyBrowser *self)
{
  if (self->retrieve_cancellable != NULL)
    g_cancellable_cancel (self->retrieve_cancellable);
}

/* Which series the cache already holds --------------------------------------- */

/* The first object of a series found complete in the cache, read in a
 * thread for its thumbnail. */
static void
fen_browser_thumb_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *dir = task_data;
  g_autoptr(GDir) handle = NULL;
  g_autofree char *first = NULL;
  const char *name;
  GError *error = NULL;
  FenImage *image;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      /* One object named: that one. */
      image = fen_load_file (dir, NULL, &error);
      if (image == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, image, (GDestroyNotify) fen_image_unref);
      return;
    }
  handle = g_dir_open (dir, 0, NULL);
  /* The lowest name, so the same file every time. */
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, ".dcm") && (first == NULL || strcmp (name, first) < 0))
      {
        g_free (first);
        first = g_strdup (name);
      }
  if (first == NULL)
    {
      g_task_return_new_error (task, FEN_NET_ERROR, FEN_NET_ERROR_IO, "no object in the cached series");
      return;
    }
  {
    g_autofree char *path = g_build_filename (dir, first, NULL);

    image = fen_load_file (path, NULL, &error);
  }
  if (image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, image, (GDestroyNotify) fen_image_unref);
}

static void
fen_browser_thumb_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(FenPacsItem) item = user_data;
  FenStudyBrowser *self = FEN_STUDY_BROWSER (source);
  g_autoptr(FenImage) image = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GdkTexture) thumbnail = NULL;

  if (image == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  thumbnail = fen_browser_render_thumbnail (self, image);
  if (thumbnail != NULL && fen_pacs_item_get_thumbnail (item) == NULL)
    fen_pacs_item_set_thumbnail (item, thumbnail);
}

/* The thumbnail of @item from @path, an object or its series' folder in
 * the cache, read in a thread. */
static void
fen_browser_read_thumbnail (FenStudyBrowser *self, FenPacsItem *item, const char *path)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, fen_browser_thumb_done_cb, g_object_ref (item));

  g_object_set_data (G_OBJECT (item), "fen-thumb-asked", GINT_TO_POINTER (1));
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, fen_browser_thumb_thread);
}

static guint
fen_browser_count_objects (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, ".dcm"))
      n++;
  return n;
}

void
_fen_study_browser_series_listed (FenStudyBrowser *self)
{
  FenPacsCache *cache = fen_application_get_pacs_cache (self->app);
  GListModel *model = G_LIST_MODEL (self->series);

  if (self->node == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(FenPacsItem) item = g_list_model_get_item (model, i);
      const FenPacsMatch *m = fen_pacs_item_get_match (item);
      FenPacsCacheState state = fen_pacs_cache_get_state (cache, self->node, m->study_uid, m->series_uid);
      g_autofree char *dir = NULL;

      if (state == FEN_PACS_CACHE_ABSENT)
        {
          fen_pacs_item_set_n_local (item, 0);
          continue;
        }
      dir = fen_pacs_cache_series_dir (cache, self->node, m->study_uid, m->series_uid, NULL);
      if (dir == NULL)
        continue;
      /* A few hundred names at most: read here, not worth a thread. */
      fen_pacs_item_set_n_local (item, (gint) fen_browser_count_objects (dir));
      if (state == FEN_PACS_CACHE_COMPLETE && fen_pacs_item_get_thumbnail (item) == NULL &&
          g_object_get_data (G_OBJECT (item), "fen-thumb-asked") == NULL)
        fen_browser_read_thumbnail (self, item, dir);
    }
}

void
_fen_study_browser_retrieve_dispose (FenStudyBrowser *self)
{
  _fen_study_browser_cancel_retrieve (self);
  g_clear_pointer (&self->thumb_renderer, fen_renderer_free);
  g_clear_pointer (&self->thumb_lut, fen_lut_free);
}
