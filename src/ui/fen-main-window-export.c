/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-export.c: what FenMainWindow writes out: the view as on
 * screen (with or without overlays), the frame windowed at 1:1 or as
 * 16-bit modality values, the series as a multi-page TIFF, and the view on
 * the clipboard, and the measurements of the image shown as CSV and as a
 * DICOM Structured Report (TID 1500; in MPR, the planes' measurements in a
 * Comprehensive 3D SR, fen-sr-mpr.h). The file chooser starts in the user's Pictures folder
 * with a name made of the modality, series number and slice (never
 * patient data); a toast confirms and opens the folder. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"
#include "fen-mpr-layout.h"

#include <fenestra/fen-measurement-file.h>
#include <fenestra/fen-sr.h>
#include <fenestra/fen-sr-mpr.h>

#define FEN_TOAST_SECONDS 8

static GdkTexture *
fen_main_window_view_texture (FenMainWindow *self, gboolean overlays)
{
  GtkWidget *widget = overlays ? GTK_WIDGET (self->panes[self->active_pane]) : GTK_WIDGET (self->viewport);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkNative *native = gtk_widget_get_native (widget);

  if (w < 1 || h < 1 || native == NULL)
    return NULL;
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (gtk_native_get_renderer (native), node, &GRAPHENE_RECT_INIT (0, 0, w, h));
}

void
_fen_main_window_copy_view_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  g_autoptr(GdkTexture) texture = fen_main_window_view_texture (self, self->show_overlays);

  if (texture != NULL)
    gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
}

static gboolean
fen_main_window_mpr_shown (FenMainWindow *self)
{
  return self->mpr_layout != NULL && gtk_widget_get_visible (self->mpr_layout);
}

/* In MPR, the report holds the planes' measurements (points in patient mm,
 * SCOORD3D), with the statistics the panes show; the slices' are hidden
 * there, and are exported outside MPR. @source is a file of the series. */
static gboolean
fen_main_window_export_plane_sr (FenMainWindow *self, const char *source, const char *path, GError **error)
{
  FenMprLayout *layout = FEN_MPR_LAYOUT (self->mpr_layout);
  guint n = fen_mpr_layout_get_n_measurements (layout);
  g_autofree FenMprMeasure *measures = g_new0 (FenMprMeasure, MAX (n, 1));
  g_autofree FenRoiStats *stats = g_new0 (FenRoiStats, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const FenRoiStats *s = NULL;

      measures[i] = *fen_mpr_layout_get_measurement (layout, i, &s);
      if (s != NULL)
        stats[i] = *s;
    }
  return fen_sr_mpr_write (source, measures, stats, n, path, error);
}

static gboolean
fen_main_window_export_to (FenMainWindow *self, const char *what, const char *path, GError **error)
{
  FenImage *image = fen_viewport_get_image (self->viewport);
  guint frame = fen_viewport_get_frame (self->viewport);

  if (image == NULL)
    return TRUE;
  if (g_str_equal (what, "win.export-view") || g_str_equal (what, "win.export-view-overlays"))
    {
      g_autoptr(GdkTexture) texture = fen_main_window_view_texture (self, g_str_equal (what, "win.export-view-overlays"));
      g_autoptr(GBytes) png = texture != NULL ? gdk_texture_save_to_png_bytes (texture) : NULL;
      g_autoptr(GError) local = NULL;

      /* g_file_set_contents writes a temporary file and renames it. */
      if (png == NULL || !g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), &local))
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: cannot write the view%s%s", path,
                       local ? ": " : "", local ? local->message : "");
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (what, "win.export-tiff"))
    return fen_export_modality (image, frame, path, error);
  if (g_str_equal (what, "win.export-measurements-csv"))
    return fen_measurement_export_csv (image, fen_viewport_get_measurements (self->viewport), path, error);
  if (g_str_equal (what, "win.export-sr"))
    {
      /* The report's subject is the file the measurements were drawn on. */
      if (fen_image_get_path (image) == NULL || fen_image_get_info (image)->transfer_syntax == NULL)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                       "%s is not a DICOM file: a structured report needs one", fen_image_get_log_name (image));
          return FALSE;
        }
      if (fen_main_window_mpr_shown (self))
        return fen_main_window_export_plane_sr (self, fen_image_get_path (image), path, error);
      return fen_sr_write (fen_image_get_path (image), image, fen_viewport_get_measurements (self->viewport), path, error);
    }
  if (g_str_equal (what, "win.export-png"))
    {
      FenWindowParams window;

      fen_viewport_get_window (self->viewport, &window);
      return fen_export_windowed (image, frame, &window, path, error);
    }
  {
    FenSeries *series = _fen_main_window_get_current_series (self);
    g_autoptr(GPtrArray) images = g_ptr_array_new ();

    for (guint i = 0; series != NULL && i < fen_series_get_n_images (series); i++)
      {
        FenImage *member = fen_store_lookup (self->store, fen_series_get_image_id (series, i));

        if (member != NULL && !fen_image_has_pixels (member))
          {
            g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN,
                         "%s was evicted under the memory budget; show it once, then export again",
                         fen_image_get_log_name (member));
            return FALSE;
          }
        if (member != NULL)
          g_ptr_array_add (images, member);
      }
    return images->len > 0 && fen_export_series_modality ((FenImage **) images->pdata, images->len, path, error);
  }
}

/* "CT-series2-slice003": what the file shows, without patient data. */
static char *
fen_main_window_export_name (FenMainWindow *self, const char *what)
{
  FenImage *image = fen_viewport_get_image (self->viewport);
  const FenImageInfo *info = image ? fen_image_get_info (image) : NULL;
  g_autoptr(GString) name = g_string_new (NULL);

  for (const char *c = info && info->modality ? info->modality : ""; *c != '\0'; c++)
    if (g_ascii_isalnum (*c))
      g_string_append_c (name, *c);
  if (name->len == 0)
    g_string_append (name, "image");
  if (info != NULL && info->series_number > 0)
    g_string_append_printf (name, "-series%d", info->series_number);
  if (g_str_equal (what, "win.export-series"))
    return g_strconcat (name->str, ".tiff", NULL);
  if (g_str_equal (what, "win.export-measurements-csv"))
    return g_strconcat (name->str, "-measurements.csv", NULL);
  if (g_str_equal (what, "win.export-sr"))
    return g_strconcat (name->str, fen_main_window_mpr_shown (self) ? "-plane-measurements-sr.dcm"
                                                                    : "-measurements-sr.dcm", NULL);
  g_string_append_printf (name, "-slice%03u", _fen_main_window_get_current_slice (self) + 1);
  if (image != NULL && fen_image_get_n_frames (image) > 1)
    g_string_append_printf (name, "-frame%u", fen_viewport_get_frame (self->viewport) + 1);
  if (g_str_equal (what, "win.export-tiff"))
    return g_strconcat (name->str, ".tiff", NULL);
  if (g_str_equal (what, "win.export-png"))
    return g_strconcat (name->str, "-1to1.png", NULL);
  if (g_str_equal (what, "win.export-view-overlays"))
    return g_strconcat (name->str, "-overlays.png", NULL);
  return g_strconcat (name->str, ".png", NULL);
}

static gboolean
fen_main_window_toast_timeout_cb (gpointer user_data)
{
  FenMainWindow *self = user_data;

  self->toast_timeout = 0;
  gtk_revealer_set_reveal_child (self->toast, FALSE);
  return G_SOURCE_REMOVE;
}

/* The confirmation: the file's name, and a button that opens its folder. */
static void
fen_main_window_show_toast (FenMainWindow *self, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *text = g_strdup_printf ("Exported %s", base);

  g_free (self->export_folder);
  self->export_folder = g_path_get_dirname (path);
  gtk_label_set_text (self->toast_label, text);
  gtk_revealer_set_reveal_child (self->toast, TRUE);
  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  self->toast_timeout = g_timeout_add_seconds (FEN_TOAST_SECONDS, fen_main_window_toast_timeout_cb, self);
  g_debug ("exported %s", base);
}

static void
fen_main_window_export_response_cb (GtkNativeDialog *dialog, int response, FenMainWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL &&
          !fen_main_window_export_to (self, g_object_get_data (G_OBJECT (dialog), "fen-export"), path, &error))
        _fen_main_window_show_error (self, error->message);
      else if (path != NULL)
        fen_main_window_show_toast (self, path);
    }
  g_object_unref (dialog);
}

void
_fen_main_window_export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  GtkFileChooserNative *dialog;
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  g_autofree char *suggested = fen_main_window_export_name (self, name);
  g_autoptr(GFile) folder = NULL;

  dialog = gtk_file_chooser_native_new ("Export", GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        "_Export", "_Cancel");
  /* The last folder exported to, else Pictures, else home: never the
   * working directory the viewer happened to start in. */
  if (self->export_folder != NULL && g_file_test (self->export_folder, G_FILE_TEST_IS_DIR))
    folder = g_file_new_for_path (self->export_folder);
  else if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    folder = g_file_new_for_path (pictures);
  else
    folder = g_file_new_for_path (g_get_home_dir ());
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_object_set_data_full (G_OBJECT (dialog), "fen-export", g_strdup (name), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (fen_main_window_export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
_fen_main_window_open_export_folder_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *uri = NULL;

  if (self->export_folder == NULL)
    return;
  folder = g_file_new_for_path (self->export_folder);
  uri = g_file_get_uri (folder);
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
  gtk_revealer_set_reveal_child (self->toast, FALSE);
}

void
_fen_main_window_dismiss_toast_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);

  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  gtk_revealer_set_reveal_child (self->toast, FALSE);
}

void
_fen_main_window_delete_measurement_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);

  /* In MPR the planes' measurement; the slices' are hidden. */
  if (self->mpr_layout != NULL && gtk_widget_get_visible (self->mpr_layout))
    {
      fen_mpr_layout_delete_measurement (FEN_MPR_LAYOUT (self->mpr_layout));
      return;
    }
  fen_viewport_delete_measurement (self->viewport, fen_viewport_get_selected_measurement (self->viewport));
}
