/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-application.c: FenApplication owns what outlives a window: the image
 * store, the memory monitor (and its --memory-log) and the settings. */
#define G_LOG_DOMAIN "fen-application"

#include "fen-application.h"
#include "fen-main-window.h"

#define FEN_MEMORY_RING 256

struct _FenApplication
{
  GtkApplication    parent_instance;

  /* Owned */
  FenStore         *store;
  FenMemoryMonitor *monitor;
  GSettings        *settings;
  char             *memory_log;
};

G_DEFINE_FINAL_TYPE (FenApplication, fen_application, GTK_TYPE_APPLICATION)

static const GOptionEntry fen_application_options[] = {
  { "memory-log", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Append a memory snapshot per operation to FILE as JSON lines", "FILE" },
  { NULL }
};

static gint
fen_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  FenApplication *self = FEN_APPLICATION (app);
  const char *path = NULL;

  /* G_OPTION_ARG_FILENAME arrives as a bytestring. */
  if (g_variant_dict_lookup (options, "memory-log", "^&ay", &path))
    self->memory_log = g_strdup (path);
  return -1;
}

static void
fen_application_memory_listener (FenMemoryMonitor         *monitor,
                                 const FenMemoryOperation *operation,
                                 gpointer                  user_data)
{
  FenApplication *self = user_data;

  /* The monitor is only ever driven from the main thread. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (FEN_IS_MAIN_WINDOW (l->data))
      fen_main_window_memory_operation (l->data, operation);
}

static void
fen_application_quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  GList *windows;

  /* Destroy the windows first so that their textures give their buffers back
   * while the monitor still exists. */
  while ((windows = gtk_application_get_windows (app)) != NULL)
    gtk_window_destroy (windows->data);
  g_application_quit (G_APPLICATION (app));
}

static void
fen_application_about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  const char *authors[] = { "The Fenestra authors", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", "Fenestra",
                         "logo-icon-name", FEN_APPLICATION_ID,
                         "version", "0.1.0",
                         "comments", "A DICOM viewer that keeps one copy of each image",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         NULL);
}

static void
fen_application_startup (GApplication *app)
{
  FenApplication *self = FEN_APPLICATION (app);
  static const GActionEntry actions[] = {
    { "quit", fen_application_quit_action, NULL, NULL, NULL, { 0 } },
    { "about", fen_application_about_action, NULL, NULL, NULL, { 0 } },
  };
  const char *help_accels[] = { "F1", "<Control>question", NULL };
  const char *quit_accels[] = { "<Control>q", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (fen_application_parent_class)->startup (app);

  /* Images are judged on a dark surround. */
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);
  gtk_css_provider_load_from_resource (css, "/org/fenestra/Viewer/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);

  self->store = fen_store_new ();
  self->monitor = fen_memory_monitor_new (FEN_MEMORY_RING);
  fen_memory_monitor_set_store (self->monitor, self->store);
  /* Half of the machine, warn at 75 %, critical at 90 %. */
  fen_memory_monitor_set_budget (self->monitor, fen_memory_get_physical () / 2, 0.75, 0.90);
  if (self->memory_log != NULL && !fen_memory_monitor_open_log (self->monitor, self->memory_log, &error))
    g_printerr ("fenestra: %s\n", error->message);
  fen_memory_monitor_set_listener (self->monitor, fen_application_memory_listener, self);
  fen_memory_monitor_mark (self->monitor, "start");

  /* A missing schema (running from the build tree without
   * GSETTINGS_SCHEMA_DIR) costs the user presets, nothing else. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, FEN_APPLICATION_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_message ("GSettings schema %s not found: user presets will not be saved", FEN_APPLICATION_ID);
}

static void
fen_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (fen_main_window_new (FEN_APPLICATION (app)));
  gtk_window_present (window);
}

static void
fen_application_open (GApplication *app, GFile **files, gint n_files, const gchar *hint)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (fen_main_window_new (FEN_APPLICATION (app)));
  gtk_window_present (window);
  fen_main_window_open_files (FEN_MAIN_WINDOW (window), files, (guint) n_files);
}

static void
fen_application_shutdown (GApplication *app)
{
  FenApplication *self = FEN_APPLICATION (app);

  G_APPLICATION_CLASS (fen_application_parent_class)->shutdown (app);
  if (self->monitor != NULL)
    {
      fen_memory_monitor_mark (self->monitor, "quit");
      fen_memory_monitor_set_listener (self->monitor, NULL, NULL);
    }
}

static void
fen_application_finalize (GObject *object)
{
  FenApplication *self = FEN_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->monitor, fen_memory_monitor_free);
  g_clear_pointer (&self->store, fen_store_unref);
  g_free (self->memory_log);
  G_OBJECT_CLASS (fen_application_parent_class)->finalize (object);
}

static void
fen_application_class_init (FenApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = fen_application_finalize;
  app_class->handle_local_options = fen_application_handle_local_options;
  app_class->startup = fen_application_startup;
  app_class->activate = fen_application_activate;
  app_class->open = fen_application_open;
  app_class->shutdown = fen_application_shutdown;
}

static void
fen_application_init (FenApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), fen_application_options);
}

FenApplication *
fen_application_new (void)
{
  return g_object_new (FEN_TYPE_APPLICATION,
                       "application-id", FEN_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/fenestra/Viewer",
                       NULL);
}

FenStore *
fen_application_get_store (FenApplication *self)
{
  return self->store;
}

FenMemoryMonitor *
fen_application_get_monitor (FenApplication *self)
{
  return self->monitor;
}

GSettings *
fen_application_get_settings (FenApplication *self)
{
  return self->settings;
}
