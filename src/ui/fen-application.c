/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-application.c: FenApplication owns what outlives a window: the image
 * store, the memory monitor (its --memory-log, its budget and the state it
 * reports) and the settings. */
#define G_LOG_DOMAIN "fen-application"

#include "fen-application.h"
#include "fen-main-window.h"
#include "fen-study-browser.h"
#include "fen-preferences.h"

#include <math.h>
#include <string.h>

#define FEN_MEMORY_RING 256

struct _FenApplication
{
  GtkApplication    parent_instance;

  /* Owned */
  FenStore         *store;
  FenMemoryMonitor *monitor;
  GSettings        *settings;
  FenPacsCache     *pacs_cache;      /* made at first use */
  char             *memory_log;

  gint64            budget_option;   /* --memory-budget, 0 when not given */
  gint64            baseline_rss;    /* RSS at startup, before any image */
  FenMemoryState    state;           /* the last state logged */
  /* One reservation at a time: each loading thread's make_room must see
   * the bytes granted to the others (FEN_MEMORY_PENDING). */
  GMutex            reserve_lock;
  GCond             reserve_cond;    /* signalled when a granted load lands */
  gint64            pending;         /* under reserve_lock: granted, not yet in the store */
};

G_DEFINE_FINAL_TYPE (FenApplication, fen_application, GTK_TYPE_APPLICATION)

static const GOptionEntry fen_application_options[] = {
  { "memory-log", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Append a memory snapshot per operation to FILE as JSON lines", "FILE" },
  { "memory-budget", 0, 0, G_OPTION_ARG_STRING, NULL,
    "Memory budget for images and caches, e.g. 512M, 2G or bytes (default: half the physical memory)", "SIZE" },
  { "new-instance", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Run in a process of its own, never through a running instance", NULL },
  { NULL }
};

/**
 * fen_application_parse_size:
 * "512M", "2G", "1.5GiB", "65536": binary units (K, M, G, T, with or
 * without "iB"), plain bytes otherwise.
 * Returns: the size, or -1 when @text is not one.
 */
static gint64
fen_application_parse_size (const char *text)
{
  static const char units[] = "KMGT";
  char *end = NULL;
  double value, scale = 1;
  const char *u;

  value = g_ascii_strtod (text, &end);
  if (end == text || !(value > 0) || !isfinite (value))
    return -1;
  while (*end == ' ')
    end++;
  if (*end != '\0')
    {
      if ((u = strchr (units, g_ascii_toupper (*end))) == NULL)
        return -1;
      scale = ldexp (1.0, 10 * (int) (u - units + 1));
      end++;
      if (g_ascii_strcasecmp (end, "iB") == 0 || g_ascii_strcasecmp (end, "B") == 0)
        end += strlen (end);
      if (*end != '\0')
        return -1;
    }
  if (value * scale >= 9.0e18)
    return -1;
  return (gint64) (value * scale);
}

static gint
fen_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  FenApplication *self = FEN_APPLICATION (app);
  const char *path = NULL;
  const char *budget = NULL;

  /* G_OPTION_ARG_FILENAME arrives as a bytestring. */
  if (g_variant_dict_lookup (options, "memory-log", "^&ay", &path))
    self->memory_log = g_strdup (path);
  if (g_variant_dict_lookup (options, "memory-budget", "&s", &budget))
    {
      self->budget_option = fen_application_parse_size (budget);
      if (self->budget_option <= 0)
        {
          g_printerr ("fenestra: --memory-budget: \"%s\" is not a size (e.g. 512M, 2G, 1073741824)\n", budget);
          return 2;
        }
    }
  /* Before registration, so that this process never hands its files to
   * another over D-Bus (tests, and comparing two budgets side by side). */
  if (g_variant_dict_contains (options, "new-instance"))
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  return -1;
}

/* What the budget is held against: the monitor's held bytes plus the
 * process's growth beyond them since startup (see fen_application_reserve). */
static gint64
fen_application_get_pressure (FenApplication *self)
{
  gint64 rss = 0, held = fen_memory_monitor_get_held (self->monitor);

  fen_memory_read_process (&rss, NULL, NULL);
  return held + MAX (0, rss - self->baseline_rss - held);
}

void
fen_application_note_baseline (FenApplication *self)
{
  gint64 rss = 0, baseline;

  g_return_if_fail (FEN_IS_APPLICATION (self));
  /* The window's own cost (surfaces, fonts) is not growth the budget can
   * shed: once it is drawn with nothing open, its RSS is the baseline.
   * With images already loading, the start's (lower) one stays. */
  if (fen_memory_monitor_get_held (self->monitor) > 0 || fen_store_get_n_images (self->store) > 0)
    return;
  fen_memory_read_process (&rss, NULL, NULL);
  baseline = rss;
  if (baseline > self->baseline_rss)
    self->baseline_rss = baseline;
}

FenMemoryState
fen_application_get_memory_state (FenApplication *self, gint64 *pressure)
{
  gint64 p;

  g_return_val_if_fail (FEN_IS_APPLICATION (self), FEN_MEMORY_NORMAL);
  p = fen_application_get_pressure (self);
  if (pressure != NULL)
    *pressure = p;
  return fen_memory_monitor_state_for (self->monitor, p);
}

/* One ended operation on its way to the main thread. */
typedef struct {
  FenApplication    *app;        /* owned reference */
  FenMemoryOperation op;
} FenOperationCall;

static gboolean
fen_application_operation_cb (gpointer user_data)
{
  FenOperationCall *call = user_data;
  FenApplication *self = call->app;
  FenMemoryState state;

  if (self->monitor == NULL)
    return G_SOURCE_REMOVE;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (FEN_IS_MAIN_WINDOW (l->data))
      fen_main_window_memory_operation (l->data, &call->op);

  /* Each change of state is a snapshot of its own; the mark comes back
   * here, finds the state unchanged and stops. */
  state = fen_application_get_memory_state (self, NULL);
  if (state != self->state)
    {
      self->state = state;
      fen_memory_monitor_mark (self->monitor, "state %s", fen_memory_state_to_string (state));
    }
  return G_SOURCE_REMOVE;
}

static void
fen_application_operation_call_free (gpointer user_data)
{
  FenOperationCall *call = user_data;

  g_object_unref (call->app);
  g_free (call);
}

static void
fen_application_memory_listener (FenMemoryMonitor         *monitor,
                                 const FenMemoryOperation *operation,
                                 gpointer                  user_data)
{
  FenOperationCall *call = g_new (FenOperationCall, 1);

  /* Operations end on loading threads too (make_room from a reserve hook):
   * the windows hear of them on the main thread, at once when this is it. */
  call->app = g_object_ref (user_data);
  call->op = *operation;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, fen_application_operation_cb,
                              call, fen_application_operation_call_free);
}

/* Shedding caches ------------------------------------------------------------ */

/* The viewports' spare render buffers: widget state, so main thread only. */
static gsize
fen_application_trim_render_buffers (FenApplication *self)
{
  gsize freed = 0;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (FEN_IS_MAIN_WINDOW (l->data))
      freed += fen_main_window_trim_render_buffers (l->data);
  return freed;
}

static gboolean
fen_application_trim_cb (gpointer user_data)
{
  fen_application_trim_render_buffers (user_data);
  return G_SOURCE_REMOVE;
}

/* FenMemoryShedder: runs where fen_memory_monitor_make_room() runs, usually a
 * loading thread, once the store has shed pyramid levels there and then
 * (fen_store_shed_caches: no GTK involved). What is left to shed is the
 * spare render buffers of the viewports, a few frames' worth, which the
 * viewports also trim 2 s after their last frame. A loading thread asks the
 * main thread to trim them and does not wait: it never blocks on the GTK
 * main loop, at the price of counting those bytes as held until they go. */
static gsize
fen_application_shedder (FenMemoryMonitor *monitor, gpointer user_data)
{
  FenApplication *self = user_data;

  if (g_main_context_is_owner (g_main_context_default ()))
    return fen_application_trim_render_buffers (self);
  g_main_context_invoke_full (NULL, G_PRIORITY_HIGH, fen_application_trim_cb,
                              g_object_ref (self), g_object_unref);
  return 0;
}

/* FenLoadOptions.reserve: on the loading thread, before the pixel buffer.
 * The monitor's held bytes are what it can shed; the process pays more for
 * showing them (the cairo renderer's copy of each texture, the DICOM
 * dictionary, thread arenas). That overhead, RSS above the start's beyond
 * the held bytes, is asked for too, so that the budget bounds the growth of
 * the whole process, not only of what the monitor counts. */
static gboolean
fen_application_reserve_locked (FenApplication *self, gsize bytes, gboolean headroom_only)
{
  gint64 rss = 0, overhead, frame;
  FenMemorySnapshot now;

  /* Headroom where it fits, largest first. Drawing a frame costs GTK two
   * passing copies of it that the overhead measured between frames misses
   * (the cairo renderer's download of the texture and the X upload
   * buffer; e2e-viewer's smaps); and a new texture is drawn while the last
   * one is still alive. The pool's bytes bound a frame. A tier that does
   * not fit has already evicted what it could: the next asks for less. */
  fen_memory_monitor_snapshot (self->monitor, "", &now);
  /* Bytes granted to loads still under way are held but mostly not yet
   * resident: counted as resident, they would hide as much overhead while
   * other threads load (the load queue runs one per processor). What of
   * them is resident already counts twice: on the safe side. */
  fen_memory_read_process (&rss, NULL, NULL);
  overhead = MAX (rss - self->baseline_rss - (fen_memory_monitor_get_held (self->monitor) - self->pending), 0);
  /* Before the first frame the pool is empty, yet the first frame is drawn
   * while the first loads fill the store: count one of a 1920 x 1200
   * screen. */
  frame = now.render_bytes > 0 ? now.render_bytes : (gint64) 1920 * 1200 * 4;
  if (fen_memory_monitor_make_room (self->monitor, bytes + (gsize) (overhead + 2 * frame), NULL, NULL))
    return TRUE;
  if (headroom_only)
    return FALSE;
  if (fen_memory_monitor_make_room (self->monitor, bytes + (gsize) (overhead + frame), NULL, NULL) ||
      fen_memory_monitor_make_room (self->monitor, bytes + (gsize) overhead, NULL, NULL))
    return TRUE;
  /* Where the overhead alone leaves no room, the budget still holds for what
   * the monitor counts: better the image than a refusal it could fit. */
  return fen_memory_monitor_make_room (self->monitor, bytes, NULL, NULL);
}

static gboolean
fen_application_reserve (gsize bytes, gpointer user_data, GError **error)
{
  FenApplication *self = user_data;
  gboolean granted;
  gint64 deadline;
  char need[32], budget[32];

  /* Granted bytes count as held (pending) until the store counts them
   * (fen_application_release): the next thread's make_room sees them. */
  g_mutex_lock (&self->reserve_lock);
  /* Several threads load at once (the load queue). Under a tight budget the
   * loads in flight cannot be evicted to make room: a load that finds no
   * room with headroom waits for them to land in the store, where eviction
   * sees them, before it settles for less headroom. So a tight budget
   * serialises the loads, a loose one lets them run side by side. The wait
   * is bounded: a reload's image lands on the main thread. */
  deadline = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;
  while (!(granted = fen_application_reserve_locked (self, bytes, self->pending > 0)) &&
         self->pending > 0 &&
         g_cond_wait_until (&self->reserve_cond, &self->reserve_lock, deadline))
    ;
  if (!granted && self->pending > 0)
    granted = fen_application_reserve_locked (self, bytes, FALSE);
  if (granted)
    {
      fen_memory_monitor_account (self->monitor, FEN_MEMORY_PENDING, (gint64) bytes);
      self->pending += (gint64) bytes;
    }
  g_mutex_unlock (&self->reserve_lock);
  if (granted)
    return TRUE;
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
               "the image needs %s, more than the memory budget (%s) leaves free even after "
               "evicting every image not on screen",
               fen_memory_format_size ((gint64) bytes, need, sizeof need),
               fen_memory_format_size (fen_memory_monitor_get_budget (self->monitor), budget, sizeof budget));
  return FALSE;
}

/* FenLoadOptions.release: the store counts the bytes now (or the load
 * failed); any thread. */
static void
fen_application_release (gsize bytes, gpointer user_data)
{
  FenApplication *self = user_data;

  g_mutex_lock (&self->reserve_lock);
  self->pending -= (gint64) bytes;
  fen_memory_monitor_account (self->monitor, FEN_MEMORY_PENDING, -(gint64) bytes);
  g_cond_broadcast (&self->reserve_cond);
  g_mutex_unlock (&self->reserve_lock);
}

void
fen_application_get_load_options (FenApplication *self, FenLoadOptions *options)
{
  g_return_if_fail (FEN_IS_APPLICATION (self));

  memset (options, 0, sizeof *options);
  options->reserve = fen_application_reserve;
  options->release = fen_application_release;
  options->reserve_data = self;
}

/* Budget: --memory-budget, else the memory-budget key, else half the
 * machine; the levels from the settings (80 % and 90 % by default). */
static void
fen_application_apply_budget (FenApplication *self)
{
  gint64 budget = self->budget_option;
  double warning = 0.80, critical = 0.90;
  char buf[32];

  if (self->settings != NULL)
    {
      if (budget <= 0)
        budget = (gint64) g_settings_get_uint64 (self->settings, "memory-budget");
      warning = g_settings_get_double (self->settings, "memory-warning");
      critical = g_settings_get_double (self->settings, "memory-critical");
    }
  if (budget <= 0)
    budget = fen_memory_get_physical () / 2;
  if (!(warning > 0 && warning < critical && critical <= 1.0))
    {
      g_message ("memory-warning %.2f and memory-critical %.2f are not 0 < warning < critical <= 1: "
                 "using 0.80 and 0.90", warning, critical);
      warning = 0.80;
      critical = 0.90;
    }
  fen_memory_monitor_set_budget (self->monitor, budget, warning, critical);
  g_debug ("memory budget %s, warning at %.0f %%, critical at %.0f %%",
           fen_memory_format_size (budget, buf, sizeof buf), warning * 100, critical * 100);
}

static void
fen_application_settings_changed_cb (GSettings *settings, const char *key, FenApplication *self)
{
  fen_application_apply_budget (self);
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

/* One study browser per application: shown again if it is open. */
static void
fen_application_pacs_browser_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (FEN_IS_STUDY_BROWSER (l->data))
      {
        gtk_window_present (l->data);
        return;
      }
  gtk_window_present (GTK_WINDOW (fen_study_browser_new (FEN_APPLICATION (app))));
}

/* One preferences window per application, as the study browser. */
static void
fen_application_preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  FenApplication *self = user_data;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (FEN_IS_PREFERENCES (l->data))
      {
        gtk_window_present (l->data);
        return;
      }
  gtk_window_present (GTK_WINDOW (fen_preferences_new (GTK_APPLICATION (self), self->settings)));
}

static void
fen_application_startup (GApplication *app)
{
  FenApplication *self = FEN_APPLICATION (app);
  static const GActionEntry actions[] = {
    { "quit", fen_application_quit_action, NULL, NULL, NULL, { 0 } },
    { "about", fen_application_about_action, NULL, NULL, NULL, { 0 } },
    { "pacs-browser", fen_application_pacs_browser_action, NULL, NULL, NULL, { 0 } },
    { "preferences", fen_application_preferences_action, NULL, NULL, NULL, { 0 } },
  };
  const char *preferences_accels[] = { "<Control>comma", NULL };
  const char *browser_accels[] = { "<Control>b", NULL };
  const char *help_accels[] = { "F1", "<Control>question", NULL };
  const char *quit_accels[] = { "<Control>q", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (fen_application_parent_class)->startup (app);
  /* Decoders and DCMTK's dictionary now, not inside the first open. */
  fen_loader_init ();

  /* Images are judged on a dark surround. */
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);
  gtk_css_provider_load_from_resource (css, "/org/fenestra/Viewer/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.pacs-browser", browser_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);

  /* A missing schema (running from the build tree without
   * GSETTINGS_SCHEMA_DIR) costs the user presets and the budget
   * preference, nothing else. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, FEN_APPLICATION_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_message ("GSettings schema %s not found: user presets will not be saved", FEN_APPLICATION_ID);

  self->store = fen_store_new ();
  self->monitor = fen_memory_monitor_new (FEN_MEMORY_RING);
  fen_memory_monitor_set_store (self->monitor, self->store);
  fen_application_apply_budget (self);
  if (self->settings != NULL)
    {
      g_signal_connect (self->settings, "changed::memory-budget", G_CALLBACK (fen_application_settings_changed_cb), self);
      g_signal_connect (self->settings, "changed::memory-warning", G_CALLBACK (fen_application_settings_changed_cb), self);
      g_signal_connect (self->settings, "changed::memory-critical", G_CALLBACK (fen_application_settings_changed_cb), self);
    }
  if (self->memory_log != NULL && !fen_memory_monitor_open_log (self->monitor, self->memory_log, &error))
    g_printerr ("fenestra: %s\n", error->message);
  fen_memory_monitor_set_listener (self->monitor, fen_application_memory_listener, self);
  fen_memory_monitor_set_shedder (self->monitor, fen_application_shedder, self);
  fen_memory_monitor_mark (self->monitor, "start");
  fen_memory_read_process (&self->baseline_rss, NULL, NULL);
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
      fen_memory_monitor_set_shedder (self->monitor, NULL, NULL);
    }
}

static void
fen_application_finalize (GObject *object)
{
  FenApplication *self = FEN_APPLICATION (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->pacs_cache);
  g_clear_pointer (&self->monitor, fen_memory_monitor_free);
  g_clear_pointer (&self->store, fen_store_unref);
  g_free (self->memory_log);
  g_mutex_clear (&self->reserve_lock);
  g_cond_clear (&self->reserve_cond);
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
  g_mutex_init (&self->reserve_lock);
  g_cond_init (&self->reserve_cond);
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

FenPacsCache *
fen_application_get_pacs_cache (FenApplication *self)
{
  g_return_val_if_fail (FEN_IS_APPLICATION (self), NULL);
  if (self->pacs_cache == NULL)
    self->pacs_cache = fen_pacs_cache_new (NULL, 0);
  return self->pacs_cache;
}
