/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-preferences.c: FenPreferences, the preferences window. Its PACS page
 * lists the "pacs-nodes" setting and follows its changes; Add and Edit open
 * a FenPacsNodeEditor, Remove drops the node and its keyring secret, Test
 * Connection echoes the selected node off the main loop and says the
 * result in words (the technical cause behind Details). */
#define G_LOG_DOMAIN "fen-pacs-browser"

#include "fen-preferences.h"
#include "fen-pacs-errors.h"
#include "fen-pacs-node-config.h"
#include "fen-pacs-node-editor.h"
#include "fen-pacs-secret.h"

#include <fenestra/fen-pacs-query.h>

struct _FenPreferences
{
  GtkWindow     parent_instance;

  /* Owned */
  GPtrArray    *nodes;        /* FenPacsNodeConfig, as listed */
  GCancellable *cancellable;  /* cancelled when the window closes */
  gint64        test_start_us;

  /* Borrowed */
  GSettings    *settings;
  GtkListBox   *node_list;
  GtkLabel     *result_label;
  GtkExpander  *details_expander;
  GtkLabel     *details_label;
};

G_DEFINE_FINAL_TYPE (FenPreferences, fen_preferences, GTK_TYPE_WINDOW)

static const FenPacsNodeConfig *
fen_preferences_selected (FenPreferences *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->node_list);
  int index = row != NULL ? gtk_list_box_row_get_index (row) : -1;

  if (self->nodes == NULL || index < 0 || (guint) index >= self->nodes->len)
    return NULL;
  return self->nodes->pdata[index];
}

static void
fen_preferences_update_actions (FenPreferences *self)
{
  gboolean selected = fen_preferences_selected (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.add-node", self->settings != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.edit-node", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.remove-node", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.test-node", selected);
}

static void
fen_preferences_show_result (FenPreferences *self, const char *words, const char *details)
{
  gtk_label_set_text (self->result_label, words != NULL ? words : "");
  gtk_label_set_text (self->details_label, details != NULL ? details : "");
  gtk_widget_set_visible (GTK_WIDGET (self->details_expander), details != NULL);
  gtk_expander_set_expanded (self->details_expander, FALSE);
}

static GtkWidget *
fen_preferences_make_row (const FenPacsNodeConfig *c)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (c->name);
  g_autofree char *text = c->auth != FEN_PACS_AUTH_NONE
                            ? g_strdup_printf ("%s   (%s authentication)", c->address, fen_pacs_auth_to_string (c->auth))
                            : g_strdup (c->address);
  GtkWidget *address = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (address), 0);
  gtk_label_set_ellipsize (GTK_LABEL (address), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (name, "heading");
  gtk_widget_add_css_class (address, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), address);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  return box;
}

static void
fen_preferences_reload (FenPreferences *self)
{
  GtkWidget *child;
  int keep = -1;
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->node_list);

  if (row != NULL)
    keep = gtk_list_box_row_get_index (row);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->node_list))) != NULL)
    gtk_list_box_remove (self->node_list, child);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  self->nodes = fen_pacs_node_config_load (self->settings);
  for (guint i = 0; i < self->nodes->len; i++)
    gtk_list_box_append (self->node_list, fen_preferences_make_row (self->nodes->pdata[i]));
  if (self->nodes->len == 0)
    fen_preferences_show_result (self, self->settings != NULL ? "No archive yet: Add one."
                                                              : "The settings schema is not installed: nodes cannot be kept.",
                                 NULL);
  if (keep >= 0 && (guint) keep < self->nodes->len)
    gtk_list_box_select_row (self->node_list, gtk_list_box_get_row_at_index (self->node_list, keep));
  fen_preferences_update_actions (self);
}

static void
fen_preferences_nodes_changed_cb (GSettings *settings, const char *key, FenPreferences *self)
{
  fen_preferences_reload (self);
}

static void
fen_preferences_row_selected_cb (FenPreferences *self, GtkListBoxRow *row, GtkListBox *box)
{
  fen_preferences_update_actions (self);
}

static void
fen_preferences_edit (FenPreferences *self, const FenPacsNodeConfig *config)
{
  FenPacsNodeEditor *editor = fen_pacs_node_editor_new (GTK_WINDOW (self), self->settings, config);

  gtk_window_present (GTK_WINDOW (editor));
}

static void
fen_preferences_row_activated_cb (FenPreferences *self, GtkListBoxRow *row, GtkListBox *box)
{
  const FenPacsNodeConfig *c = fen_preferences_selected (self);

  if (c != NULL)
    fen_preferences_edit (self, c);
}

static void
fen_preferences_add_action (GtkWidget *widget, const char *name, GVariant *param)
{
  fen_preferences_edit (FEN_PREFERENCES (widget), NULL);
}

static void
fen_preferences_edit_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenPreferences *self = FEN_PREFERENCES (widget);
  const FenPacsNodeConfig *c = fen_preferences_selected (self);

  if (c != NULL)
    fen_preferences_edit (self, c);
}

static void
fen_preferences_secret_cleared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  /* No keyring means nothing was kept there: nothing to say. */
  if (!fen_pacs_secret_store_finish (result, &error))
    g_debug ("a removed node's secret was not cleared: no keyring");
}

static void
fen_preferences_remove_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenPreferences *self = FEN_PREFERENCES (widget);
  const FenPacsNodeConfig *c = fen_preferences_selected (self);
  g_autoptr(GPtrArray) nodes = NULL;
  g_autofree char *id = NULL;
  gboolean had_secret;

  if (c == NULL)
    return;
  id = g_strdup (c->id);
  had_secret = c->auth != FEN_PACS_AUTH_NONE;
  nodes = fen_pacs_node_config_load (self->settings);
  for (guint i = 0; i < nodes->len; i++)
    if (g_strcmp0 (((FenPacsNodeConfig *) nodes->pdata[i])->id, id) == 0)
      g_ptr_array_remove_index (nodes, i--);
  fen_pacs_node_config_save (self->settings, nodes);
  if (had_secret)
    fen_pacs_secret_store_async (id, "", NULL, NULL, fen_preferences_secret_cleared_cb, NULL);
}

/* Test Connection ------------------------------------------------------------ */

static void
fen_preferences_echo_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(FenPreferences) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 ms = (g_get_monotonic_time () - self->test_start_us) / 1000;

  if (!fen_pacs_echo_finish (result, &error))
    {
      g_autofree char *words = NULL;
      g_autofree char *text = NULL;

      if (g_cancellable_is_cancelled (self->cancellable))
        return;
      words = fen_pacs_error_to_words (error);
      text = g_strconcat ("Test failed. ", words, NULL);
      fen_preferences_show_result (self, text, error->message);
    }
  else if (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autofree char *text = g_strdup_printf ("Connected: the archive answered in %" G_GINT64_FORMAT " ms.", ms);

      fen_preferences_show_result (self, text, NULL);
    }
}

static void
fen_preferences_echo (FenPreferences *self, const FenPacsNodeConfig *c, const char *secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNode) node = fen_pacs_node_config_parse (c, &error);

  if (node == NULL)
    {
      g_autofree char *words = fen_pacs_error_to_words (error);

      fen_preferences_show_result (self, words, error->message);
      return;
    }
  node->authorization = fen_pacs_node_config_authorization (c, secret);
  self->test_start_us = g_get_monotonic_time ();
  fen_pacs_echo_async (node, self->cancellable, fen_preferences_echo_cb, g_object_ref (self));
}

static void
fen_preferences_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(FenPreferences) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = fen_pacs_secret_lookup_finish (result, &error);
  const FenPacsNodeConfig *c = fen_preferences_selected (self);

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      fen_pacs_secret_free (secret);
      return;
    }
  if (error != NULL)
    fen_preferences_show_result (self, error->message, NULL);
  else if (c != NULL)
    fen_preferences_echo (self, c, secret);
  fen_pacs_secret_free (secret);
}

static void
fen_preferences_test_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenPreferences *self = FEN_PREFERENCES (widget);
  const FenPacsNodeConfig *c = fen_preferences_selected (self);

  if (c == NULL)
    return;
  fen_preferences_show_result (self, "Testing the connection…", NULL);
  if (c->auth != FEN_PACS_AUTH_NONE)
    fen_pacs_secret_lookup_async (c->id, self->cancellable, fen_preferences_lookup_cb, g_object_ref (self));
  else
    fen_preferences_echo (self, c, NULL);
}

/* Life ------------------------------------------------------------------------- */

static void
fen_preferences_dispose (GObject *object)
{
  FenPreferences *self = FEN_PREFERENCES (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  self->settings = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_PREFERENCES);
  G_OBJECT_CLASS (fen_preferences_parent_class)->dispose (object);
}

static void
fen_preferences_finalize (GObject *object)
{
  FenPreferences *self = FEN_PREFERENCES (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  G_OBJECT_CLASS (fen_preferences_parent_class)->finalize (object);
}

static void
fen_preferences_class_init (FenPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_preferences_dispose;
  object_class->finalize = fen_preferences_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, FenPreferences, node_list);
  gtk_widget_class_bind_template_child (widget_class, FenPreferences, result_label);
  gtk_widget_class_bind_template_child (widget_class, FenPreferences, details_expander);
  gtk_widget_class_bind_template_child (widget_class, FenPreferences, details_label);
  gtk_widget_class_bind_template_callback (widget_class, fen_preferences_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_preferences_row_selected_cb);
  gtk_widget_class_install_action (widget_class, "prefs.add-node", NULL, fen_preferences_add_action);
  gtk_widget_class_install_action (widget_class, "prefs.edit-node", NULL, fen_preferences_edit_action);
  gtk_widget_class_install_action (widget_class, "prefs.remove-node", NULL, fen_preferences_remove_action);
  gtk_widget_class_install_action (widget_class, "prefs.test-node", NULL, fen_preferences_test_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fen_preferences_init (FenPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

FenPreferences *
fen_preferences_new (GtkApplication *app, GSettings *settings)
{
  FenPreferences *self = g_object_new (FEN_TYPE_PREFERENCES, "application", app, NULL);

  self->settings = settings;
  if (settings != NULL)
    g_signal_connect (settings, "changed::pacs-nodes", G_CALLBACK (fen_preferences_nodes_changed_cb), self);
  fen_preferences_reload (self);
  return self;
}
