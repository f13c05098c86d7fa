/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main-window-actions.c: every command of the window as a "win." action with
 * its keys, declared once in class_init; the shortcuts window lists the same. */
#define G_LOG_DOMAIN "fen-window"

#include "fen-main-window-private.h"

/* CT windows in Hounsfield units, as widely published (e.g. Radiopaedia
 * "Windowing (CT)"); centre and width are modality values, PS3.3 C.11.2.1.2. */
static const FenPreset fen_ct_presets[] = {
  { "Brain",        40,   80, 0 },
  { "Subdural",     75,  200, 0 },
  { "Stroke",       40,   40, 0 },
  { "Lung",       -600, 1500, 0 },
  { "Mediastinum",  50,  350, 0 },
  { "Soft tissue",  40,  400, 0 },
  { "Liver",        30,  150, 0 },
  { "Bone",        400, 1800, 0 },
};

void
_fen_main_window_update_actions (FenMainWindow *self)
{
  gboolean has_image = fen_viewport_get_image (self->viewport) != NULL;
  static const char *image_actions[] = {
    "win.close", "win.preset", "win.file-preset", "win.auto-window", "win.invert", "win.reset", "win.save-preset",
    "win.next-slice", "win.previous-slice", "win.next-page", "win.previous-page",
    "win.first-slice", "win.last-slice", "win.zoom-in", "win.zoom-out", "win.fit",
    "win.one-to-one", "win.rotate-cw", "win.rotate-ccw", "win.flip-h", "win.flip-v",
    "win.export-view", "win.export-view-overlays", "win.export-tiff", "win.export-png",
    "win.export-series", "win.copy-view", "win.difference", "win.flicker", "win.cine",
    "win.export-measurements-csv", "win.export-sr",
  };

  for (guint i = 0; i < G_N_ELEMENTS (image_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), image_actions[i], has_image);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", self->loads_pending > 0);
  /* Cine plays the slices, which MPR hides. */
  if (_fen_main_window_mpr_active (self))
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cine", FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->presets_button), has_image);
}

/* 64-bit FNV-1a over @len bytes, from @hash. */
static guint64
fen_main_window_hash_bytes (guint64 hash, const void *data, gsize len)
{
  const guint8 *p = data;

  for (gsize i = 0; i < len; i++)
    hash = (hash ^ p[i]) * 0x100000001b3ull;
  return hash;
}

static guint64
fen_main_window_hash_string (guint64 hash, const char *s)
{
  /* The terminator too: "a" + "b" is not "ab" + "". */
  return s != NULL ? fen_main_window_hash_bytes (hash, s, strlen (s) + 1) : fen_main_window_hash_bytes (hash, "", 1);
}

/* What the presets menu is made of, besides the user's presets: the
 * modality, the file's windows and VOI LUTs. Reads @info, allocates nothing. */
static guint64
fen_main_window_presets_hash (const FenImageInfo *info)
{
  guint64 hash = 0xcbf29ce484222325ull;

  hash = fen_main_window_hash_string (hash, info->modality);
  hash = fen_main_window_hash_bytes (hash, &info->n_windows, sizeof info->n_windows);
  for (guint i = 0; i < info->n_windows; i++)
    {
      hash = fen_main_window_hash_bytes (hash, &info->windows[i].center, sizeof (double));
      hash = fen_main_window_hash_bytes (hash, &info->windows[i].width, sizeof (double));
      hash = fen_main_window_hash_string (hash, info->windows[i].explanation);
    }
  hash = fen_main_window_hash_bytes (hash, &info->n_voi_luts, sizeof info->n_voi_luts);
  for (guint i = 0; i < info->n_voi_luts; i++)
    hash = fen_main_window_hash_string (hash, info->voi_luts[i].explanation);
  return hash;
}

gboolean
_fen_main_window_presets_match (FenMainWindow *self, const FenImageInfo *info)
{
  if (info == NULL || self->presets_hash == 0 || fen_main_window_presets_hash (info) != self->presets_hash)
    return FALSE;
  self->presets_for = info;
  return TRUE;
}

void
_fen_main_window_rebuild_presets (FenMainWindow *self)
{
  FenImage *image = fen_viewport_get_image (self->viewport);
  const FenImageInfo *info = image ? fen_image_get_info (image) : NULL;
  g_autoptr(GMenu) file_section = g_menu_new ();
  g_autoptr(GMenu) modality_section = g_menu_new ();
  g_autoptr(GMenu) user_section = g_menu_new ();
  g_autoptr(GMenu) tools_section = g_menu_new ();

  self->presets_for = info;
  self->presets_hash = info != NULL ? fen_main_window_presets_hash (info) : 0;
  g_array_set_size (self->presets, 0);
  g_menu_remove_all (self->presets_menu);
  if (info == NULL)
    return;

  /* Keys 1 to 9 pick the modality's presets, then the user's: the same key
   * is the same window on every file of a modality ("Lung" is always 4 on
   * CT). The file's own windows (PS3.3 C.11.2) and VOI LUTs (C.11.2.1.1)
   * come after, in the menu and on Shift+1 to Shift+9. */
  if (g_strcmp0 (info->modality, "CT") == 0)
    g_array_append_vals (self->presets, fen_ct_presets, G_N_ELEMENTS (fen_ct_presets));
  if (self->settings != NULL)
    {
      g_autoptr(GVariant) user = g_settings_get_value (self->settings, "user-presets");
      GVariantIter iter;
      const char *name;
      double c, w;

      g_variant_iter_init (&iter, user);
      while (g_variant_iter_next (&iter, "(&sdd)", &name, &c, &w))
        {
          FenPreset p = { "", c, w, 0 };

          g_snprintf (p.name, sizeof p.name, "%s", name);
          g_array_append_val (self->presets, p);
        }
    }
  self->n_keyed_presets = self->presets->len;
  for (guint i = 0; i < info->n_windows; i++)
    {
      FenPreset p = { "", info->windows[i].center, info->windows[i].width, 0 };

      g_snprintf (p.name, sizeof p.name, "%s", info->windows[i].explanation && *info->windows[i].explanation
                  ? info->windows[i].explanation : "File window");
      g_array_append_val (self->presets, p);
    }
  for (guint i = 0; i < info->n_voi_luts; i++)
    {
      FenPreset p = { "", 0, 0, i + 1 };

      g_snprintf (p.name, sizeof p.name, "%s", info->voi_luts[i].explanation && *info->voi_luts[i].explanation
                  ? info->voi_luts[i].explanation : "File VOI LUT");
      g_array_append_val (self->presets, p);
    }

  for (guint i = 0; i < self->presets->len; i++)
    {
      const FenPreset *p = &g_array_index (self->presets, FenPreset, i);
      gboolean from_file = i >= self->n_keyed_presets;
      guint key = from_file ? i - self->n_keyed_presets : i;
      g_autofree char *what = p->voi_lut ? g_strdup ("VOI LUT")
                                         : g_strdup_printf ("W %g L %g", p->width, p->center);
      g_autofree char *label = key < 9 ? g_strdup_printf ("%s%u  %s (%s)", from_file ? "Shift+" : "", key + 1, p->name, what)
                                       : g_strdup_printf ("   %s (%s)", p->name, what);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);
      GMenu *section = from_file ? file_section
                       : i < (g_strcmp0 (info->modality, "CT") == 0 ? G_N_ELEMENTS (fen_ct_presets) : 0)
                       ? modality_section : user_section;

      g_menu_item_set_action_and_target_value (item, "win.preset", g_variant_new_int32 ((gint32) i));
      g_menu_append_item (section, item);
    }
  g_menu_append (tools_section, "0  Auto (1st–99th percentile)", "win.auto-window");
  g_menu_append (tools_section, "Invert (I)", "win.invert");
  g_menu_append (tools_section, "Save Current Window as Preset (Ctrl+S)", "win.save-preset");
  g_menu_append (tools_section, "Reset (R, Space)", "win.reset");
  g_menu_append_section (self->presets_menu, info->modality, G_MENU_MODEL (modality_section));
  g_menu_append_section (self->presets_menu, "Yours", G_MENU_MODEL (user_section));
  g_menu_append_section (self->presets_menu, "From the file", G_MENU_MODEL (file_section));
  g_menu_append_section (self->presets_menu, NULL, G_MENU_MODEL (tools_section));
}

/* Shift+N: the file's N-th window or VOI LUT. */
static void
fen_main_window_file_preset_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  gint32 index = g_variant_get_int32 (param);

  if (index >= 0)
    gtk_widget_activate_action (widget, "win.preset", "i", (gint32) self->n_keyed_presets + index);
}

static void
fen_main_window_preset_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  gint32 index = g_variant_get_int32 (param);

  if (index >= 0 && (guint) index < self->presets->len)
    {
      const FenPreset *p = &g_array_index (self->presets, FenPreset, index);

      if (p->voi_lut != 0)
        fen_viewport_set_voi_lut (self->viewport, p->voi_lut);
      else
        fen_viewport_set_window (self->viewport, p->center, p->width);
    }
}

static void
fen_main_window_save_preset_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  g_autoptr(GVariant) old = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  GVariant *child;
  FenWindowParams w;
  g_autofree char *label = NULL;

  if (self->settings == NULL)
    {
      _fen_main_window_show_error (self, "User presets cannot be saved: the GSettings schema "
                              "org.fenestra.Viewer is not installed.");
      return;
    }
  fen_viewport_get_window (self->viewport, &w);
  old = g_settings_get_value (self->settings, "user-presets");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sdd)"));
  g_variant_iter_init (&iter, old);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_variant_builder_add_value (&builder, child);
      g_variant_unref (child);
    }
  label = g_strdup_printf ("User W %.0f L %.0f", w.width, w.center);
  g_variant_builder_add (&builder, "(sdd)", label, w.center, w.width);
  g_settings_set_value (self->settings, "user-presets", g_variant_builder_end (&builder));
  _fen_main_window_rebuild_presets (self);
}

static void
fen_main_window_viewport_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  FenViewport *v = self->viewport;

  if (_fen_main_window_mpr_key_action (self, name))
    return;
  if (g_str_equal (name, "win.auto-window"))
    fen_viewport_auto_window (v);
  else if (g_str_equal (name, "win.invert"))
    fen_viewport_toggle_invert (v);
  else if (g_str_equal (name, "win.reset"))
    fen_viewport_reset (v);
  else if (g_str_equal (name, "win.zoom-in"))
    fen_viewport_zoom_by (v, 1.25);
  else if (g_str_equal (name, "win.zoom-out"))
    fen_viewport_zoom_by (v, 0.8);
  else if (g_str_equal (name, "win.fit"))
    fen_viewport_fit (v);
  else if (g_str_equal (name, "win.one-to-one"))
    fen_viewport_one_to_one (v);
  else if (g_str_equal (name, "win.rotate-cw"))
    fen_viewport_rotate (v, 1);
  else if (g_str_equal (name, "win.rotate-ccw"))
    fen_viewport_rotate (v, -1);
  else if (g_str_equal (name, "win.flip-h"))
    fen_viewport_flip (v, TRUE);
  else if (g_str_equal (name, "win.flip-v"))
    fen_viewport_flip (v, FALSE);
}

static void
fen_main_window_slice_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  FenSeries *series = _fen_main_window_get_current_series (self);
  int n, target = (int) _fen_main_window_get_current_slice (self);

  if (series == NULL || _fen_main_window_mpr_key_action (self, name))
    return;
  n = (int) fen_series_get_n_slices (series);
  if (g_str_equal (name, "win.next-slice"))
    target += 1;
  else if (g_str_equal (name, "win.previous-slice"))
    target -= 1;
  else if (g_str_equal (name, "win.next-page"))
    target += 10;
  else if (g_str_equal (name, "win.previous-page"))
    target -= 10;
  else if (g_str_equal (name, "win.first-slice"))
    target = 0;
  else if (g_str_equal (name, "win.last-slice"))
    target = n - 1;
  target = CLAMP (target, 0, n - 1);
  if ((guint) target != _fen_main_window_get_current_slice (self))
    {
      fen_viewport_note_operation (self->viewport, "scroll");
      _fen_main_window_show_slice (self, (guint) target);
      _fen_main_window_sync_panes (self, TRUE);
    }
}

static void
fen_main_window_open_action (GtkWidget *widget, const char *name, GVariant *param)
{
  _fen_main_window_open_dialog (FEN_MAIN_WINDOW (widget), g_str_equal (name, "win.open-folder"));
}

static void
fen_main_window_close_action (GtkWidget *widget, const char *name, GVariant *param)
{
  _fen_main_window_close_current (FEN_MAIN_WINDOW (widget));
}

static void
fen_main_window_cancel_load_action (GtkWidget *widget, const char *name, GVariant *param)
{
  _fen_main_window_cancel_loads (FEN_MAIN_WINDOW (widget));
}

static void
fen_main_window_dismiss_error_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gtk_revealer_set_reveal_child (FEN_MAIN_WINDOW (widget)->banner, FALSE);
  _fen_main_window_clear_problems (FEN_MAIN_WINDOW (widget));
}

static void
fen_main_window_report_saved_cb (GtkNativeDialog *dialog, int response, FenMainWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *report = fen_memory_monitor_report (self->monitor);
      g_autoptr(GError) error = NULL;

      if (!g_file_replace_contents (file, report, strlen (report), NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
        _fen_main_window_show_error (self, error->message);
    }
  g_object_unref (dialog);
}

static void
fen_main_window_save_report_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new ("Save Memory Report", GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, "_Save", "_Cancel");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "fenestra-memory.txt");
  g_signal_connect (dialog, "response", G_CALLBACK (fen_main_window_report_saved_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
fen_main_window_show_tags_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenMainWindow *self = FEN_MAIN_WINDOW (widget);
  FenImage *image = fen_viewport_get_image (self->viewport);

  if (self->tag_browser == NULL)
    self->tag_browser = fen_tag_browser_new (GTK_WINDOW (self));
  fen_tag_browser_set_path (self->tag_browser, image ? fen_image_get_path (image) : NULL);
  gtk_window_present (GTK_WINDOW (self->tag_browser));
}

/* What is on screen in the active pane (with or without its overlays) as a
 * texture, drawn by the window's own renderer. */
static void
fen_main_window_compare_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  _fen_main_window_toggle_compare (FEN_MAIN_WINDOW (widget), g_str_equal (name, "win.flicker")
                                   ? FEN_VIEWPORT_COMPARE_FLICKER : FEN_VIEWPORT_COMPARE_DIFFERENCE);
}

/* Shift+1..9 pick the file's windows. Arrows, Page Up/Down, Home and End
 * move through the slices wherever the
 * focus is, as in every viewer: the window sees them in the capture phase,
 * before a focused list, slider or button turns them into focus moves. A
 * popover menu or a text entry keeps them; without an image the actions are
 * disabled and the keys go on as usual. */
static gboolean
fen_main_window_slice_key_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                              GdkModifierType state, FenMainWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  const char *action;
  guint base = 0;

  /* Shift+1..9, the file's windows: the key's unshifted symbol, since
   * Shift+1 is "!" on one layout and something else on the next. */
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK | GDK_SUPER_MASK)) == GDK_SHIFT_MASK &&
      gdk_display_translate_key (gtk_widget_get_display (GTK_WIDGET (self)), keycode, 0, 0, &base, NULL, NULL, NULL) &&
      base >= GDK_KEY_1 && base <= GDK_KEY_9 && fen_viewport_get_image (self->viewport) != NULL)
    return gtk_widget_activate_action (GTK_WIDGET (self), "win.file-preset", "i", (gint32) (base - GDK_KEY_1));
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK | GDK_SUPER_MASK))
    return FALSE;
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Down: case GDK_KEY_KP_Down: case GDK_KEY_Right: case GDK_KEY_KP_Right:
      action = "win.next-slice";
      break;
    case GDK_KEY_Up: case GDK_KEY_KP_Up: case GDK_KEY_Left: case GDK_KEY_KP_Left:
      action = "win.previous-slice";
      break;
    case GDK_KEY_Page_Down: case GDK_KEY_KP_Page_Down:
      action = "win.next-page";
      break;
    case GDK_KEY_Page_Up: case GDK_KEY_KP_Page_Up:
      action = "win.previous-page";
      break;
    case GDK_KEY_Home: case GDK_KEY_KP_Home:
      action = "win.first-slice";
      break;
    case GDK_KEY_End: case GDK_KEY_KP_End:
      action = "win.last-slice";
      break;
    default:
      return FALSE;
    }
  if (fen_viewport_get_image (self->viewport) == NULL)
    return FALSE;
  return gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

void
_fen_main_window_actions_init (FenMainWindow *self)
{
  static const char *toggles[] = { "show-overlays", "show-memory", "tool", "show-measurements",
                                   "link-scroll", "link-window", "link-zoom" };
  GtkEventController *keys = gtk_event_controller_key_new ();

  /* Stateful "win." actions over the window's boolean properties: the
   * menus show their check marks, the keys toggle them. */
  for (guint i = 0; i < G_N_ELEMENTS (toggles); i++)
    {
      g_autoptr(GPropertyAction) action = g_property_action_new (toggles[i], self, toggles[i]);

      g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
    }

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (fen_main_window_slice_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  _fen_main_window_reference_init (self);
  _fen_main_window_mpr_init (self);
}

void
_fen_main_window_class_actions_init (GtkWidgetClass *widget_class)
{
  static const struct {
    const char *action;
    GtkWidgetActionActivateFunc activate;
  } plain[] = {
    { "win.open", fen_main_window_open_action },
    { "win.open-folder", fen_main_window_open_action },
    { "win.close", fen_main_window_close_action },
    { "win.save-report", fen_main_window_save_report_action },
    { "win.dismiss-error", fen_main_window_dismiss_error_action },
    { "win.show-problems", _fen_main_window_show_problems_action },
    { "win.cancel-load", fen_main_window_cancel_load_action },
    { "win.auto-window", fen_main_window_viewport_action },
    { "win.invert", fen_main_window_viewport_action },
    { "win.reset", fen_main_window_viewport_action },
    { "win.save-preset", fen_main_window_save_preset_action },
    { "win.zoom-in", fen_main_window_viewport_action },
    { "win.zoom-out", fen_main_window_viewport_action },
    { "win.fit", fen_main_window_viewport_action },
    { "win.one-to-one", fen_main_window_viewport_action },
    { "win.rotate-cw", fen_main_window_viewport_action },
    { "win.rotate-ccw", fen_main_window_viewport_action },
    { "win.flip-h", fen_main_window_viewport_action },
    { "win.flip-v", fen_main_window_viewport_action },
    { "win.next-slice", fen_main_window_slice_action },
    { "win.previous-slice", fen_main_window_slice_action },
    { "win.next-page", fen_main_window_slice_action },
    { "win.previous-page", fen_main_window_slice_action },
    { "win.first-slice", fen_main_window_slice_action },
    { "win.last-slice", fen_main_window_slice_action },
    { "win.show-tags", fen_main_window_show_tags_action },
    { "win.export-view", _fen_main_window_export_action },
    { "win.export-view-overlays", _fen_main_window_export_action },
    { "win.export-tiff", _fen_main_window_export_action },
    { "win.export-png", _fen_main_window_export_action },
    { "win.export-series", _fen_main_window_export_action },
    { "win.copy-view", _fen_main_window_copy_view_action },
    { "win.export-measurements-csv", _fen_main_window_export_action },
    { "win.export-sr", _fen_main_window_export_action },
    { "win.delete-measurement", _fen_main_window_delete_measurement_action },
    { "win.open-export-folder", _fen_main_window_open_export_folder_action },
    { "win.dismiss-toast", _fen_main_window_dismiss_toast_action },
    { "win.difference", fen_main_window_compare_action },
    { "win.flicker", fen_main_window_compare_action },
    { "win.cine", _fen_main_window_cine_action },
  };
  static const struct {
    guint keyval;
    GdkModifierType mods;
    const char *action;
  } keys[] = {
    { GDK_KEY_o, GDK_CONTROL_MASK, "win.open" },
    { GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-folder" },
    { GDK_KEY_w, GDK_CONTROL_MASK, "win.close" },
    { GDK_KEY_0, 0, "win.auto-window" },
    { GDK_KEY_KP_0, 0, "win.auto-window" },
    { GDK_KEY_i, 0, "win.invert" },
    { GDK_KEY_r, 0, "win.reset" },
    { GDK_KEY_space, 0, "win.reset" },
    { GDK_KEY_s, GDK_CONTROL_MASK, "win.save-preset" },
    { GDK_KEY_plus, 0, "win.zoom-in" },
    { GDK_KEY_KP_Add, 0, "win.zoom-in" },
    { GDK_KEY_minus, 0, "win.zoom-out" },
    { GDK_KEY_KP_Subtract, 0, "win.zoom-out" },
    { GDK_KEY_f, 0, "win.fit" },
    { GDK_KEY_equal, 0, "win.one-to-one" },
    { GDK_KEY_1, GDK_CONTROL_MASK, "win.one-to-one" },
    { GDK_KEY_r, GDK_CONTROL_MASK, "win.rotate-cw" },
    { GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.rotate-ccw" },
    { GDK_KEY_h, 0, "win.flip-h" },
    { GDK_KEY_v, 0, "win.flip-v" },
    { GDK_KEY_Down, 0, "win.next-slice" },
    { GDK_KEY_Right, 0, "win.next-slice" },
    { GDK_KEY_Up, 0, "win.previous-slice" },
    { GDK_KEY_Left, 0, "win.previous-slice" },
    { GDK_KEY_Page_Down, 0, "win.next-page" },
    { GDK_KEY_Page_Up, 0, "win.previous-page" },
    { GDK_KEY_Home, 0, "win.first-slice" },
    { GDK_KEY_End, 0, "win.last-slice" },
    { GDK_KEY_o, 0, "win.show-overlays" },
    { GDK_KEY_F9, 0, "win.show-memory" },
    { GDK_KEY_F8, 0, "win.show-measurements" },
    { GDK_KEY_Delete, 0, "win.delete-measurement" },
    { GDK_KEY_KP_Delete, 0, "win.delete-measurement" },
    { GDK_KEY_m, GDK_CONTROL_MASK, "win.show-memory" },
    { GDK_KEY_Escape, 0, "win.dismiss-error" },
    { GDK_KEY_period, GDK_CONTROL_MASK, "win.cancel-load" },
    { GDK_KEY_t, GDK_CONTROL_MASK, "win.show-tags" },
    { GDK_KEY_e, GDK_CONTROL_MASK, "win.export-view" },
    { GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.export-view-overlays" },
    { GDK_KEY_c, GDK_CONTROL_MASK, "win.copy-view" },
    { GDK_KEY_s, GDK_ALT_MASK, "win.link-scroll" },
    { GDK_KEY_w, GDK_ALT_MASK, "win.link-window" },
    { GDK_KEY_z, GDK_ALT_MASK, "win.link-zoom" },
    { GDK_KEY_d, 0, "win.difference" },
    { GDK_KEY_D, GDK_SHIFT_MASK, "win.flicker" },
    { GDK_KEY_l, 0, "win.reference-lines" },
    { GDK_KEY_p, 0, "win.cine" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    gtk_widget_class_install_action (widget_class, plain[i].action, NULL, plain[i].activate);
  gtk_widget_class_install_action (widget_class, "win.preset", "i", fen_main_window_preset_action);
  gtk_widget_class_install_action (widget_class, "win.file-preset", "i", fen_main_window_file_preset_action);
  /* The boolean properties (overlays, memory, measure, links) and the tool are GIO
   * property actions added per window in _fen_main_window_actions_init():
   * GTK 4.8's menus show no check mark for a widget class's boolean
   * property action. */
  gtk_widget_class_install_property_action (widget_class, "win.layout", "layout");

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_widget_class_add_binding_action (widget_class, keys[i].keyval, keys[i].mods, keys[i].action, NULL);
  /* The measuring tools; a tool's key again goes back to window / level. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, 0, "win.tool", "s", "distance");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, 0, "win.tool", "s", "none");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, 0, "win.tool", "s", "ellipse");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, 0, "win.tool", "s", "rectangle");
  /* Shift+P: P alone plays cine. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_P, GDK_SHIFT_MASK, "win.tool", "s", "polygon");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "win.tool", "s", "angle");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, 0, "win.tool", "s", "cobb");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, 0, "win.tool", "s", "arrow");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.layout", "s", "1x1");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.layout", "s", "1x2");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.layout", "s", "2x1");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.layout", "s", "2x2");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK, "win.mpr", NULL);
  /* 1..9 pick the modality's presets (then the user's), in the order of
   * the Window menu; Shift+1..9 (the file's) are read by keycode in
   * fen_main_window_slice_key_cb(). */
  for (guint i = 0; i < 9; i++)
    {
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, 0, "win.preset", "i", (gint32) i);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_1 + i, 0, "win.preset", "i", (gint32) i);
    }
}
