/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-open.c: how images get into a window and out again: the file
 * chooser, drag and drop, loading in a worker thread (each image is handed
 * to the main thread as soon as it is read, so the first one shows while the
 * rest load) and closing, which frees the pixel buffer there and then. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* What one open request carries: immutable input for the worker, and the
 * memory operation that brackets it. */
typedef struct {
  GPtrArray          *files;      /* GFile, owned */
  FenStore           *store;      /* owned reference */
  FenMemoryOperation  op;
  guint               first_id;   /* written by the worker, read after it returns */
  guint               last_id;
  guint               n_loaded;
} FenLoadRequest;

/* One result on its way to the main thread. */
typedef struct {
  FenMainWindow *window;              /* owned reference */
  guint      image_id;            /* 0 on error */
  char      *message;
} FenLoadResult;

static void
fen_load_request_free (FenLoadRequest *request)
{
  g_ptr_array_unref (request->files);
  fen_store_unref (request->store);
  g_free (request);
}

static gboolean
fen_main_window_load_result_cb (gpointer user_data)
{
  FenLoadResult *result = user_data;
  FenMainWindow *self = result->window;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      /* The window is gone: nobody will look at this image. */
      if (result->image_id != 0)
        fen_store_close (self->store, result->image_id);
    }
  else if (result->image_id != 0)
    _fen_main_window_add_image (self, result->image_id);
  else
    _fen_main_window_show_error (self, result->message);

  g_object_unref (result->window);
  g_free (result->message);
  g_free (result);
  return G_SOURCE_REMOVE;
}

static void
fen_main_window_post_result (FenMainWindow *self, guint image_id, const char *message)
{
  FenLoadResult *result = g_new0 (FenLoadResult, 1);

  result->window = g_object_ref (self);
  result->image_id = image_id;
  result->message = g_strdup (message);
  /* Default priority, as the GTask's own completion, so results arrive first. */
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, fen_main_window_load_result_cb, result, NULL);
}

static void
fen_main_window_load_one (FenMainWindow *self, FenLoadRequest *request, GFile *file, GCancellable *cancellable);

static void
fen_main_window_load_folder (FenMainWindow *self, FenLoadRequest *request, GFile *folder, GCancellable *cancellable)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (children == NULL)
    {
      g_autofree char *path = g_file_get_parse_name (folder);
      g_autofree char *message = g_strdup_printf ("%s: %s", path, error->message);

      fen_main_window_post_result (self, 0, message);
      return;
    }
  while ((info = g_file_enumerator_next_file (children, cancellable, NULL)) != NULL)
    {
      const char *name = g_file_info_get_name (info);

      /* Skip hidden files and the DICOMDIR index; slices order themselves later. */
      if (name[0] != '.' && g_ascii_strcasecmp (name, "DICOMDIR") != 0)
        g_ptr_array_add (names, g_strdup (name));
      g_object_unref (info);
    }
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      g_autoptr(GFile) child = g_file_get_child (folder, g_ptr_array_index (names, i));

      fen_main_window_load_one (self, request, child, cancellable);
    }
}

static void
fen_main_window_load_one (FenMainWindow *self, FenLoadRequest *request, GFile *file, GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;
  FenLoadOptions options = { 0 };
  FenImage *image;

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, cancellable) == G_FILE_TYPE_DIRECTORY)
    {
      fen_main_window_load_folder (self, request, file, cancellable);
      return;
    }
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf ("%s: only local files can be opened", uri);

      fen_main_window_post_result (self, 0, message);
      return;
    }

  /* The store and the loaders are thread-safe; the image goes to the main
   * thread by id only. */
  image = fen_load_into_store (request->store, path, &options, &error);
  if (image == NULL)
    {
      g_autofree char *message = NULL;
      g_autofree char *base = g_path_get_basename (path);

      /* Loader messages name the file; make sure one always does. */
      if (strstr (error->message, base) != NULL)
        message = g_strdup (error->message);
      else
        message = g_strdup_printf ("%s: %s", path, error->message);
      fen_main_window_post_result (self, 0, message);
      return;
    }
  if (request->first_id == 0)
    request->first_id = fen_image_get_id (image);
  request->last_id = fen_image_get_id (image);
  request->n_loaded++;
  fen_main_window_post_result (self, fen_image_get_id (image), NULL);
}

static void
fen_main_window_load_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  FenMainWindow *self = source_object;
  FenLoadRequest *request = task_data;

  for (guint i = 0; i < request->files->len && !g_cancellable_is_cancelled (cancellable); i++)
    fen_main_window_load_one (self, request, g_ptr_array_index (request->files, i), cancellable);
  g_task_return_boolean (task, TRUE);
}

static void
fen_main_window_load_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (object);
  GTask *task = G_TASK (result);
  FenLoadRequest *request = g_task_get_task_data (task);

  /* Labels name image ids, never files: a file name may carry patient data. */
  if (request->n_loaded == 0)
    g_snprintf (request->op.before.label, sizeof request->op.before.label, "open none");
  else if (request->first_id == request->last_id)
    g_snprintf (request->op.before.label, sizeof request->op.before.label, "open img-%u", request->first_id);
  else
    g_snprintf (request->op.before.label, sizeof request->op.before.label, "open img-%u..img-%u (%u)",
                request->first_id, request->last_id, request->n_loaded);
  request->op.n_updates = request->n_loaded;
#ifdef __GLIBC__
  /* The decoder's scratch was freed in the loader thread's own arena, which
   * glibc does not give back by itself; the open is the place to pay for it. */
  malloc_trim (0);
#endif
  fen_memory_monitor_end (self->monitor, &request->op);

  self->loads_pending--;
  _fen_main_window_update_overlays (self);
}

void
fen_main_window_open_files (FenMainWindow *self, GFile **files, guint n_files)
{
  g_autoptr(GTask) task = NULL;
  FenLoadRequest *request;

  g_return_if_fail (FEN_IS_MAIN_WINDOW (self));
  if (n_files == 0)
    return;

  request = g_new0 (FenLoadRequest, 1);
  request->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (request->files, g_object_ref (files[i]));
  request->store = fen_store_ref (self->store);
  fen_memory_monitor_begin (self->monitor, &request->op, "open");

  self->loads_pending++;
  task = g_task_new (self, self->cancellable, fen_main_window_load_done_cb, NULL);
  g_task_set_source_tag (task, fen_main_window_open_files);
  g_task_set_task_data (task, request, (GDestroyNotify) fen_load_request_free);
  g_task_run_in_thread (task, fen_main_window_load_thread);
}

/* Closing ------------------------------------------------------------------ */

void
_fen_main_window_close_current (FenMainWindow *self)
{
  FenSeries *series = _fen_main_window_get_current_series (self);
  g_autoptr(FenSeries) held = NULL;
  FenMemoryOperation op;
  guint n, first, last;
  int index = self->current_series;
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
  fen_viewport_set_image (self->viewport, NULL, 0, FALSE);
  for (guint i = 0; i < n; i++)
    fen_store_close (self->store, fen_series_get_image_id (series, i));
  g_ptr_array_remove_index (self->series, (guint) index);
  row = gtk_list_box_get_row_at_index (self->series_list, index);
  if (row != NULL)
    gtk_list_box_remove (self->series_list, GTK_WIDGET (row));
  self->current_series = -1;
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
