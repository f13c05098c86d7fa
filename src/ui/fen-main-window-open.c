/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-open.c: how images get into a window and out again: the file
 * chooser, drag and drop, loading in a worker thread (folders and DICOMDIRs
 * walked there by the study index, the one walker; the files then decoded by
 * the load queue's pool, the first in series order first and outward from
 * it; each image is handed to the main thread as soon as it is read, so the
 * first one shows while the rest load) and closing, which frees the pixel
 * buffer there and then. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* What one open request carries: immutable input for the worker, its own
 * cancellable (the Cancel button), and the memory operations that bracket
 * it. Shared by the worker and the results on their way to the main thread. */
typedef struct {
  GPtrArray          *files;      /* GFile, owned */
  FenStore           *store;      /* owned reference */
  GCancellable       *cancellable; /* owned */
  FenLoadOptions      options;    /* reserve hook: the memory budget */
  FenMemoryOperation  op;
  FenMemoryOperation  first_op;   /* open until the first slice is shown */
  gboolean            first_open;
  /* Written by the load queue's workers under the lock, read after they
   * return */
  GMutex              lock;
  guint               first_id;   /* the lowest id loaded */
  guint               last_id;    /* the highest */
  guint               n_loaded;
  /* Main thread only */
  GArray             *added;      /* guint ids handed to the window */
} FenLoadRequest;

typedef enum {
  FEN_LOAD_IMAGE,
  FEN_LOAD_ERROR,
  FEN_LOAD_EXPECT,   /* the worker found more files to load */
} FenLoadKind;

/* One result on its way to the main thread. */
typedef struct {
  FenMainWindow  *window;         /* owned reference */
  FenLoadRequest *request;        /* owned reference */
  FenLoadKind     kind;
  guint           image_id;
  guint           count;          /* FEN_LOAD_EXPECT */
  char           *message;
} FenLoadResult;

static void
fen_load_request_clear (gpointer data)
{
  FenLoadRequest *request = data;

  g_ptr_array_unref (request->files);
  fen_store_unref (request->store);
  g_object_unref (request->cancellable);
  g_array_unref (request->added);
  g_mutex_clear (&request->lock);
}

static FenLoadRequest *
fen_load_request_ref (FenLoadRequest *request)
{
  return g_atomic_rc_box_acquire (request);
}

static void
fen_load_request_unref (FenLoadRequest *request)
{
  g_atomic_rc_box_release_full (request, fen_load_request_clear);
}

static gboolean
fen_load_request_is_cancelled (FenMainWindow *self, FenLoadRequest *request)
{
  return g_cancellable_is_cancelled (self->cancellable) || g_cancellable_is_cancelled (request->cancellable);
}

static void
fen_main_window_update_progress (FenMainWindow *self)
{
  g_autofree char *text = NULL;

  gtk_revealer_set_reveal_child (self->load_revealer, self->loads_pending > 0);
  if (self->loads_pending == 0)
    return;
  text = g_strdup_printf ("Loading %u / %u", self->loads_done, MAX (self->loads_total, self->loads_done));
  gtk_label_set_text (self->load_label, text);
  gtk_progress_bar_set_fraction (self->load_progress,
                                 self->loads_total > 0 ? (double) self->loads_done / self->loads_total : 0.0);
}

static gboolean
fen_main_window_load_result_cb (gpointer user_data)
{
  FenLoadResult *result = user_data;
  FenMainWindow *self = result->window;
  FenLoadRequest *request = result->request;

  if (result->kind == FEN_LOAD_EXPECT)
    self->loads_total += result->count;
  else if (fen_load_request_is_cancelled (self, request))
    {
      /* Cancelled, or the window is gone: nobody will look at this image. */
      if (result->image_id != 0)
        fen_store_close (self->store, result->image_id);
    }
  else
    {
      self->loads_done++;
      if (result->kind == FEN_LOAD_IMAGE)
        {
          g_array_append_val (request->added, result->image_id);
          _fen_main_window_add_image (self, result->image_id);
          if (request->first_open && fen_viewport_get_image (self->viewport) != NULL)
            {
              /* Time to the first slice: from the open to now. */
              request->first_open = FALSE;
              g_snprintf (request->first_op.before.label, sizeof request->first_op.before.label,
                          "first-slice img-%u", result->image_id);
              fen_memory_monitor_end (self->monitor, &request->first_op);
            }
        }
      else
        _fen_main_window_add_problem (self, result->message);
      fen_main_window_update_progress (self);
    }
  return G_SOURCE_REMOVE;
}

static void
fen_load_result_free (gpointer data)
{
  FenLoadResult *result = data;

  g_object_unref (result->window);
  fen_load_request_unref (result->request);
  g_free (result->message);
  g_free (result);
}

static void
fen_main_window_post (FenMainWindow *self, FenLoadRequest *request, FenLoadKind kind,
                      guint image_id, guint count, const char *message)
{
  FenLoadResult *result = g_new0 (FenLoadResult, 1);

  result->window = g_object_ref (self);
  result->request = fen_load_request_ref (request);
  result->kind = kind;
  result->image_id = image_id;
  result->count = count;
  result->message = g_strdup (message);
  /* Default priority, as the GTask's own completion, so results arrive first. */
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, fen_main_window_load_result_cb, result,
                              fen_load_result_free);
}

/* A folder or a DICOMDIR goes through the study index, the walker
 * fenestra-cli uses too (recursive, DICOMDIRs followed, hidden files
 * skipped); its image objects go to @paths in series order
 * (fen-series-order.c), series after series, so the first slice of the
 * first series loads first; then its PNG and TIFF files. What it could not
 * file is reported. */
static void
fen_main_window_collect_indexed (FenMainWindow *self, FenLoadRequest *request, const char *path,
                                 GPtrArray *paths, GCancellable *cancellable)
{
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  const GPtrArray *problems, *ignored, *rasters;
  const guint before = paths->len;

  if (!fen_study_index_add_path (index, path, cancellable, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf ("%s: %s", path, error->message);
      fen_main_window_post (self, request, FEN_LOAD_ERROR, 0, 0, message);
      return;
    }
  all = fen_study_index_list_series (index);
  for (guint r = 0; r < all->len; r++)
    {
      const FenStudySeries *series = all->pdata[r];

      for (guint o = 0; o < series->objects->len; o++)
        {
          const FenStudyObject *object = series->objects->pdata[o];

          if (object->kind == FEN_OBJECT_IMAGE)
            g_ptr_array_add (paths, g_strdup (object->path));
          else
            g_ptr_array_add (messages, g_strdup_printf ("%s: a %s, not an image", object->path,
                                                        fen_object_kind_to_string (object->kind)));
        }
    }
  rasters = fen_study_index_get_rasters (index);
  for (guint i = 0; i < rasters->len; i++)
    g_ptr_array_add (paths, g_strdup (rasters->pdata[i]));
  /* A file in the folder that could not be opened is a failure to the
   * viewer's user, who asked for the folder, whatever the reason. */
  problems = fen_study_index_get_problems (index);
  ignored = fen_study_index_get_ignored (index);
  for (guint i = 0; i < problems->len; i++)
    g_ptr_array_add (messages, g_strdup (problems->pdata[i]));
  for (guint i = 0; i < ignored->len; i++)
    g_ptr_array_add (messages, g_strdup (ignored->pdata[i]));

  /* Nothing shows: say why, rather than nothing. */
  if (paths->len - before + messages->len == 0)
    g_ptr_array_add (messages, g_strdup_printf ("%s: no DICOM, PNG or TIFF file in it", path));
  /* The folder itself was counted as one file. */
  if (paths->len - before + messages->len > 1)
    fen_main_window_post (self, request, FEN_LOAD_EXPECT, 0, paths->len - before + messages->len - 1, NULL);
  for (guint i = 0; i < messages->len; i++)
    fen_main_window_post (self, request, FEN_LOAD_ERROR, 0, 0, messages->pdata[i]);
}

/* What @file names to load, appended to @paths. */
static void
fen_main_window_collect (FenMainWindow *self, FenLoadRequest *request, GFile *file, GPtrArray *paths,
                         GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *base = NULL;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf ("%s: only local files can be opened", uri);

      fen_main_window_post (self, request, FEN_LOAD_ERROR, 0, 0, message);
      return;
    }
  base = g_path_get_basename (path);
  /* PS3.10 8.6: a DICOMDIR is named so on its media. */
  if (g_file_test (path, G_FILE_TEST_IS_DIR) || g_ascii_strcasecmp (base, "DICOMDIR") == 0)
    fen_main_window_collect_indexed (self, request, path, paths, cancellable);
  else
    g_ptr_array_add (paths, g_steal_pointer (&path));
}

/* What the load queue's workers share: borrowed from the loading thread. */
typedef struct {
  FenMainWindow  *window;
  FenLoadRequest *request;
  GPtrArray      *paths;
} FenLoadBatch;

/* FenLoadDone: on whichever worker loaded the file. The store and the
 * loaders are thread-safe; the image goes to the main thread by id only.
 * The reserve hook made room under the budget first, or refused the load
 * with a message that says so. */
static void
fen_main_window_loaded (guint index, FenImage *image, const GError *error, gpointer user_data)
{
  FenLoadBatch *batch = user_data;
  FenLoadRequest *request = batch->request;
  guint id;

  if (image == NULL)
    {
      const char *path = batch->paths->pdata[index];
      g_autofree char *message = NULL;
      g_autofree char *base = g_path_get_basename (path);

      /* Loader messages name the file; make sure one always does. */
      if (strstr (error->message, base) != NULL)
        message = g_strdup (error->message);
      else
        message = g_strdup_printf ("%s: %s", path, error->message);
      fen_main_window_post (batch->window, request, FEN_LOAD_ERROR, 0, 0, message);
      return;
    }
  id = fen_image_get_id (image);
  g_mutex_lock (&request->lock);
  request->first_id = request->first_id == 0 ? id : MIN (request->first_id, id);
  request->last_id = MAX (request->last_id, id);
  request->n_loaded++;
  g_mutex_unlock (&request->lock);
  fen_main_window_post (batch->window, request, FEN_LOAD_IMAGE, id, 0, NULL);
}

static void
fen_main_window_load_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  FenMainWindow *self = source_object;
  FenLoadRequest *request = task_data;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  FenLoadBatch batch = { self, request, paths };

  for (guint i = 0; i < request->files->len && !g_cancellable_is_cancelled (request->cancellable); i++)
    fen_main_window_collect (self, request, g_ptr_array_index (request->files, i), paths, request->cancellable);
  /* One worker per processor, this thread among them; a cancel stops them
   * taking new files (fen_load_queue_run only fails then: nothing to say). */
  if (paths->len > 0)
    fen_load_queue_run (request->store, (const char *const *) paths->pdata, paths->len, 0, 0,
                        &request->options, request->cancellable, fen_main_window_loaded, &batch, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
fen_main_window_load_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (object);
  GTask *task = G_TASK (result);
  FenLoadRequest *request = g_task_get_task_data (task);
  gboolean cancelled = g_cancellable_is_cancelled (request->cancellable);

  /* Labels name image ids, never files: a file name may carry patient data. */
  if (request->n_loaded == 0)
    g_snprintf (request->op.before.label, sizeof request->op.before.label, "open none");
  else if (request->first_id == request->last_id)
    g_snprintf (request->op.before.label, sizeof request->op.before.label, "open img-%u%s",
                request->first_id, cancelled ? " cancelled" : "");
  else
    g_snprintf (request->op.before.label, sizeof request->op.before.label, "open img-%u..img-%u (%u)%s",
                request->first_id, request->last_id, request->n_loaded, cancelled ? " cancelled" : "");
  request->op.n_updates = request->n_loaded;
  if (request->first_open)
    {
      request->first_open = FALSE;
      g_snprintf (request->first_op.before.label, sizeof request->first_op.before.label, "first-slice none");
      fen_memory_monitor_end (self->monitor, &request->first_op);
    }
  /* A cancelled load frees what it brought. */
  if (cancelled && !g_cancellable_is_cancelled (self->cancellable))
    _fen_main_window_remove_images (self, request->added);
#ifdef __GLIBC__
  /* The decoder's scratch was freed in the loader thread's own arena, which
   * glibc does not give back by itself; the open is the place to pay for it. */
  malloc_trim (0);
#endif
  fen_memory_monitor_end (self->monitor, &request->op);

  g_ptr_array_remove (self->loads, request->cancellable);
  self->loads_pending--;
  if (self->loads_pending == 0)
    self->loads_done = self->loads_total = 0;
  fen_main_window_update_progress (self);
  _fen_main_window_update_overlays (self);
  _fen_main_window_update_actions (self);
}

void
fen_main_window_open_files (FenMainWindow *self, GFile **files, guint n_files)
{
  g_autoptr(GTask) task = NULL;
  FenLoadRequest *request;

  g_return_if_fail (FEN_IS_MAIN_WINDOW (self));
  if (n_files == 0)
    return;

  request = g_atomic_rc_box_new0 (FenLoadRequest);
  request->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (request->files, g_object_ref (files[i]));
  request->store = fen_store_ref (self->store);
  request->cancellable = g_cancellable_new ();
  request->added = g_array_new (FALSE, FALSE, sizeof (guint));
  g_mutex_init (&request->lock);
  fen_application_get_load_options (FEN_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                    &request->options);
  fen_memory_monitor_begin (self->monitor, &request->op, "open");
  request->first_op = request->op;
  request->first_open = TRUE;

  self->loads_pending++;
  self->loads_total += n_files;
  g_ptr_array_add (self->loads, g_object_ref (request->cancellable));
  fen_main_window_update_progress (self);
  _fen_main_window_update_actions (self);
  task = g_task_new (self, self->cancellable, fen_main_window_load_done_cb, NULL);
  g_task_set_source_tag (task, fen_main_window_open_files);
  g_task_set_task_data (task, request, (GDestroyNotify) fen_load_request_unref);
  g_task_run_in_thread (task, fen_main_window_load_thread);
}

void
_fen_main_window_cancel_loads (FenMainWindow *self)
{
  for (guint i = 0; i < self->loads->len; i++)
    g_cancellable_cancel (g_ptr_array_index (self->loads, i));
}

/* Reloading evicted pixels ------------------------------------------------- */

typedef struct {
  guint              image_id;
  char              *path;
  FenLoadOptions     options;
  FenMemoryOperation op;
} FenRestoreRequest;

static void
fen_restore_request_free (gpointer data)
{
  FenRestoreRequest *request = data;

  g_free (request->path);
  g_free (request);
}

static void
fen_main_window_restore_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  FenRestoreRequest *request = task_data;
  GError *error = NULL;
  FenImage *fresh;

  /* Only the file is read here; the store takes the pixels on the main
   * thread, the thread that renders. */
  fresh = fen_load_file (request->path, &request->options, &error);
  if (fresh == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, fresh, (GDestroyNotify) fen_image_unref);
}

static void
fen_main_window_restore_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (object);
  FenRestoreRequest *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(FenImage) fresh = NULL;
  g_autoptr(GError) error = NULL;
  FenImage *shown;

  self->restoring_id = 0;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  fresh = g_task_propagate_pointer (G_TASK (result), &error);
  if (fresh == NULL || !fen_store_restore (self->store, request->image_id, fresh, &error))
    {
      g_autofree char *message = g_strdup_printf ("img-%u could not be reloaded: %s", request->image_id, error->message);

      g_snprintf (request->op.before.label, sizeof request->op.before.label, "reload img-%u failed", request->image_id);
      fen_memory_monitor_end (self->monitor, &request->op);
      _fen_main_window_show_error (self, message);
      _fen_main_window_update_reload (self);
      return;
    }
  fen_memory_monitor_end (self->monitor, &request->op);

  shown = fen_viewport_get_image (self->viewport);
  if (shown != NULL && fen_image_get_id (shown) == request->image_id)
    fen_viewport_reload (self->viewport);
  /* Scrolled on meanwhile: the slice now shown may need its pixels too. */
  _fen_main_window_update_reload (self);
}

void
_fen_main_window_update_reload (FenMainWindow *self)
{
  FenImage *shown = fen_viewport_get_image (self->viewport);
  g_autoptr(GTask) task = NULL;
  FenRestoreRequest *request;
  g_autofree char *text = NULL;
  gboolean missing = shown != NULL && !fen_image_has_pixels (shown);

  gtk_widget_set_visible (self->reload_box, missing);
  gtk_spinner_set_spinning (self->reload_spinner, missing);
  if (!missing)
    return;
  text = g_strdup_printf ("Reloading %s…", fen_image_get_log_name (shown));
  gtk_label_set_text (self->reload_label, text);
  /* One reload at a time, always for the slice on screen. */
  if (self->restoring_id != 0)
    return;

  request = g_new0 (FenRestoreRequest, 1);
  request->image_id = fen_image_get_id (shown);
  request->path = g_strdup (fen_image_get_path (shown));
  fen_application_get_load_options (FEN_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                    &request->options);
  if (request->path == NULL)
    {
      fen_restore_request_free (request);
      _fen_main_window_show_error (self, "The image was evicted and has no file to read it from again");
      return;
    }
  g_debug ("reload img-%u: its pixels were evicted", request->image_id);
  fen_memory_monitor_begin (self->monitor, &request->op, "reload img-%u", request->image_id);
  self->restoring_id = request->image_id;
  task = g_task_new (self, self->cancellable, fen_main_window_restore_done_cb, NULL);
  g_task_set_source_tag (task, _fen_main_window_update_reload);
  g_task_set_task_data (task, request, fen_restore_request_free);
  g_task_run_in_thread (task, fen_main_window_restore_thread);
}

/* Closing ------------------------------------------------------------------ */

void
_fen_main_window_close_current (FenMainWindow *self)
{
  FenSeries *series = _fen_main_window_get_current_series (self);
  g_autoptr(FenSeries) held = NULL;
  FenMemoryOperation op;
  guint n, first, last;
  int index = _fen_main_window_series_index (self, series);
  GtkListBoxRow *row;

  if (series == NULL)
    return;
  held = g_object_ref (series);
  n = fen_series_get_n_images (series);
  first = fen_series_get_image_id (series, 0);
  last = fen_series_get_image_id (series, n - 1);
  if (n == 1)
    fen_memory_monitor_begin (self->monitor, &op, "close img-%u", first);
  else
    fen_memory_monitor_begin (self->monitor, &op, "close img-%u..img-%u (%u)", MIN (first, last), MAX (first, last), n);

  /* Drop every reference of ours first (the viewport's image and its last
   * frame), so that the store's close frees the pixels now. */
  fen_pane_show (self->panes[self->active_pane], NULL, 0);
  _fen_main_window_forget_series (self, series);
  for (guint i = 0; i < n; i++)
    fen_store_close (self->store, fen_series_get_image_id (series, i));
  g_ptr_array_remove_index (self->series, (guint) index);
  row = gtk_list_box_get_row_at_index (self->series_list, index);
  if (row != NULL)
    gtk_list_box_remove (self->series_list, GTK_WIDGET (row));
  fen_memory_monitor_end (self->monitor, &op);

  if (self->series->len > 0)
    _fen_main_window_select_series (self, MIN (index, (int) self->series->len - 1));
  else
    _fen_main_window_select_series (self, -1);
  _fen_main_window_rebuild_presets (self);
}

/* File chooser ------------------------------------------------------------- */

static void
fen_main_window_chooser_response_cb (GtkNativeDialog *dialog, int response, FenMainWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) list = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      guint n = g_list_model_get_n_items (list);
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (files, g_list_model_get_item (list, i));
      fen_main_window_open_files (self, (GFile **) files->pdata, files->len);
    }
  g_object_unref (dialog);
}

void
_fen_main_window_open_dialog (FenMainWindow *self, gboolean folders)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) images = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (folders ? "Open Folder" : "Open Images", GTK_WINDOW (self),
                                        folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        "_Open", "_Cancel");
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  if (!folders)
    {
      gtk_file_filter_set_name (images, "DICOM, PNG and TIFF images");
      gtk_file_filter_add_mime_type (images, "application/dicom");
      gtk_file_filter_add_mime_type (images, "image/png");
      gtk_file_filter_add_mime_type (images, "image/tiff");
      gtk_file_filter_add_pattern (images, "*.dcm");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), images);
      /* DICOM files often have no extension at all. */
      gtk_file_filter_set_name (all, "All files");
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (fen_main_window_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Drag and drop ------------------------------------------------------------ */

static gboolean
fen_main_window_drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, FenMainWindow *self)
{
  GSList *list;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = g_value_get_boxed (value);
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  fen_main_window_open_files (self, (GFile **) files->pdata, files->len);
  return files->len > 0;
}

void
_fen_main_window_dnd_init (FenMainWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "drop", G_CALLBACK (fen_main_window_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* Problems ---------------------------------------------------------------- */

void
_fen_main_window_add_problem (FenMainWindow *self, const char *message)
{
  g_autofree char *text = NULL;

  g_ptr_array_add (self->problems, g_strdup (message));
  /* Every failure is kept; the banner counts them and names the last. */
  if (self->problems->len == 1)
    _fen_main_window_show_error (self, message);
  else
    {
      g_printerr ("fenestra: %s\n", message);
      text = g_strdup_printf ("%u files could not be opened (Show All lists them). The last: %s",
                              self->problems->len, message);
      gtk_label_set_text (self->banner_label, text);
      gtk_revealer_set_reveal_child (self->banner, TRUE);
    }
  gtk_widget_set_visible (self->problems_button, TRUE);
}

void
_fen_main_window_clear_problems (FenMainWindow *self)
{
  g_ptr_array_set_size (self->problems, 0);
  gtk_widget_set_visible (self->problems_button, FALSE);
}

void
_fen_main_window_show_problems_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *window, *scrolled, *label, *box, *close;
  GtkEventController *keys;
  g_autofree char *title = NULL;

  for (guint i = 0; i < self->problems->len; i++)
    g_string_append_printf (text, "%s%s", i ? "\n" : "", (const char *) self->problems->pdata[i]);
  title = g_strdup_printf ("%u file%s not opened", self->problems->len, self->problems->len == 1 ? "" : "s");
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 360);
  label = gtk_label_new (text->str);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "fen-problems");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 12);
  scrolled = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (box), scrolled);
  /* The focus goes to Close, so the text is not all selected on opening. */
  close = gtk_button_new_with_mnemonic ("_Close");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (close), "window.close");
  gtk_widget_set_halign (close, GTK_ALIGN_END);
  gtk_widget_set_margin_end (close, 12);
  gtk_widget_set_margin_bottom (close, 12);
  gtk_box_append (GTK_BOX (box), close);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_widget (GTK_WINDOW (window), close);
  gtk_window_set_focus (GTK_WINDOW (window), close);
  /* Escape closes it, as every secondary window. */
  keys = GTK_EVENT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, keys);
  gtk_window_present (GTK_WINDOW (window));
}
