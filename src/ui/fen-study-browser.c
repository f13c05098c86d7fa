/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-study-browser.c: FenStudyBrowser, the window that searches a PACS
 * node: the node chooser (the "pacs-nodes" setting), the search keys, the
 * studies found (a sortable GtkColumnView), the selected study's series.
 * Every network call is a GTask (fen-pacs-query.h) with a cancellable that
 * the window cancels when it closes; a newer search cancels the older.
 * What the archive returns may be patient data: shown, never logged.
 * Retrieving and opening are in fen-study-browser-retrieve.c. */
#define G_LOG_DOMAIN "fen-pacs-browser"

#include "fen-study-browser-private.h"
#include "fen-pacs-errors.h"
#include "fen-pacs-secret.h"

#include <fenestra/fen-pacs-query.h>

#include <string.h>

G_DEFINE_FINAL_TYPE (FenStudyBrowser, fen_study_browser, GTK_TYPE_WINDOW)

/* Columns ------------------------------------------------------------------ */

/* The FenPacsItem property a column shows. */
static GParamSpec *
fen_study_browser_find_property (const char *property)
{
  GObjectClass *klass = g_type_class_ref (FEN_TYPE_PACS_ITEM);
  GParamSpec *pspec = g_object_class_find_property (klass, property);

  /* The class stays: list items are made of it for the window's life. */
  g_type_class_unref (klass);
  g_assert (pspec != NULL);
  return pspec;
}

/* An int column's text: -1 is "not returned", shown as nothing. */
static char *
fen_study_browser_int_text (GObject *this_, int value, gpointer user_data)
{
  return value < 0 ? g_strdup ("") : g_strdup_printf ("%d", value);
}

static char *
fen_study_browser_local_text (GObject *this_, int n_local, int n_images, gpointer user_data)
{
  if (n_local <= 0)
    return g_strdup ("");
  if (n_images > 0 && n_local >= n_images)
    return g_strdup ("retrieved");
  return n_images > 0 ? g_strdup_printf ("%d of %d here", n_local, n_images) : g_strdup_printf ("%d here", n_local);
}

/* The item's @property as a string: strings as they are, ints through
 * fen_study_browser_int_text. The expression watches the property, so a
 * row updates when the item changes (n-local while retrieving). */
static GtkExpression *
fen_study_browser_item_expression (const char *property)
{
  GtkExpression *item = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");
  GParamSpec *pspec;
  GtkExpression *value;

  pspec = fen_study_browser_find_property (property);
  g_assert (pspec != NULL);
  value = gtk_property_expression_new (FEN_TYPE_PACS_ITEM, item, property);
  if (pspec->value_type == G_TYPE_STRING)
    return value;
  return gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &value,
                                      G_CALLBACK (fen_study_browser_int_text), NULL, NULL);
}

static void
fen_study_browser_setup_label (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  const char *property = user_data;
  GtkWidget *label = gtk_label_new (NULL);
  GtkExpression *expression;

  if (g_str_equal (property, "n-local"))
    {
      GtkExpression *params[2];

      params[0] = gtk_property_expression_new (FEN_TYPE_PACS_ITEM,
                                               gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item"),
                                               "n-local");
      params[1] = gtk_property_expression_new (FEN_TYPE_PACS_ITEM,
                                               gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item"),
                                               "n-images");
      expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 2, params,
                                                G_CALLBACK (fen_study_browser_local_text), NULL, NULL);
    }
  else
    expression = fen_study_browser_item_expression (property);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_margin_start (label, 4);
  gtk_widget_set_margin_end (label, 4);
  gtk_list_item_set_child (list_item, label);
  gtk_expression_bind (expression, label, "label", list_item);
}

static void
fen_study_browser_setup_thumbnail (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  GtkWidget *picture = gtk_picture_new ();
  GtkExpression *item = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");
  GtkExpression *thumbnail = gtk_property_expression_new (FEN_TYPE_PACS_ITEM, item, "thumbnail");

  gtk_widget_set_size_request (picture, 64, 64);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_list_item_set_child (list_item, picture);
  gtk_expression_bind (thumbnail, picture, "paintable", list_item);
}

/* Adds a column showing and sorting on @property (a FenPacsItem one). */
static GtkColumnViewColumn *
fen_study_browser_add_column (GtkColumnView *view, const char *title, const char *property, gboolean expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GParamSpec *pspec = fen_study_browser_find_property (property);
  GtkExpression *key = gtk_property_expression_new (FEN_TYPE_PACS_ITEM, NULL, property);
  GtkSorter *sorter;

  if (g_str_equal (property, "thumbnail"))
    {
      g_signal_connect (factory, "setup", G_CALLBACK (fen_study_browser_setup_thumbnail), NULL);
      gtk_expression_unref (key);
      column = gtk_column_view_column_new (title, factory);
      gtk_column_view_append_column (view, column);
      g_object_unref (column);
      return column;
    }
  g_signal_connect (factory, "setup", G_CALLBACK (fen_study_browser_setup_label), (gpointer) property);
  if (pspec->value_type == G_TYPE_STRING)
    {
      sorter = GTK_SORTER (gtk_string_sorter_new (key));
      gtk_string_sorter_set_ignore_case (GTK_STRING_SORTER (sorter), TRUE);
    }
  else
    sorter = GTK_SORTER (gtk_numeric_sorter_new (key));
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_append_column (view, column);
  g_object_unref (sorter);
  g_object_unref (column);
  return column;
}

/* Nodes -------------------------------------------------------------------- */

static void
fen_study_browser_load_nodes (FenStudyBrowser *self)
{
  guint selected = gtk_drop_down_get_selected (self->node_dropdown);
  g_autofree char *selected_id = NULL;
  guint keep = 0;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (self->nodes != NULL && selected < self->nodes->len)
    selected_id = g_strdup (((FenPacsNodeConfig *) self->nodes->pdata[selected])->id);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  self->nodes = fen_pacs_node_config_load (self->settings);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      const FenPacsNodeConfig *c = self->nodes->pdata[i];

      g_ptr_array_add (names, c->name);
      if (g_strcmp0 (c->id, selected_id) == 0)
        keep = i;
    }
  if (self->nodes->len == 0)
    g_ptr_array_add (names, "No archive configured: add one with Nodes…");
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->node_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->node_names)),
                          (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->node_dropdown, keep);
  _fen_study_browser_update_actions (self);
}

static void
fen_study_browser_nodes_changed_cb (GSettings *settings, const char *key, FenStudyBrowser *self)
{
  fen_study_browser_load_nodes (self);
}

/* Returns: (transfer none) (nullable): the node chosen. */
static const FenPacsNodeConfig *
fen_study_browser_get_config (FenStudyBrowser *self)
{
  guint selected = gtk_drop_down_get_selected (self->node_dropdown);

  if (self->nodes == NULL || selected >= self->nodes->len)
    return NULL;
  return self->nodes->pdata[selected];
}

/* Status and errors ---------------------------------------------------------- */

void
_fen_study_browser_set_status (FenStudyBrowser *self, const char *text)
{
  gtk_label_set_text (self->status_label, text);
}

void
_fen_study_browser_show_error (FenStudyBrowser *self, const GError *error)
{
  g_autofree char *words = NULL;

  if (g_error_matches (error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  words = fen_pacs_error_to_words (error);
  gtk_label_set_text (self->error_label, words);
  gtk_label_set_text (self->details_label, error->message);
  gtk_expander_set_expanded (self->details_expander, FALSE);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
fen_study_browser_clear_error (FenStudyBrowser *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

FenPacsItem *
_fen_study_browser_get_study (FenStudyBrowser *self)
{
  return gtk_single_selection_get_selected_item (self->study_selection);
}

FenPacsItem *
_fen_study_browser_get_series (FenStudyBrowser *self)
{
  return gtk_single_selection_get_selected_item (self->series_selection);
}

void
_fen_study_browser_update_actions (FenStudyBrowser *self)
{
  gboolean have_node = fen_study_browser_get_config (self) != NULL;
  gboolean have_study = _fen_study_browser_get_study (self) != NULL && self->node != NULL;
  gboolean retrieving = self->retrieve_cancellable != NULL;
  gboolean busy = retrieving || self->search_cancellable != NULL || self->series_cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "browser.search", have_node);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "browser.retrieve", have_study && !retrieving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "browser.open", have_study && !retrieving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "browser.cancel", busy);
  gtk_widget_set_visible (self->cancel_button, busy);
}

/* Searching ---------------------------------------------------------------- */

/* The text of @entry, stripped; NULL when empty. */
static char *
fen_study_browser_entry_text (GtkEntry *entry)
{
  char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

/* "2024-01-15", "2024/01/15" or "20240115" as DA (PS3.5 6.2): the digits
 * only; the net layer checks the rest. */
static char *
fen_study_browser_date_text (GtkEntry *entry)
{
  g_autofree char *text = fen_study_browser_entry_text (entry);
  GString *out;

  if (text == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    if (*p != '-' && *p != '/' && *p != '.')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* A cancellable for one call, cancelled with the window's. */
GCancellable *
_fen_study_browser_new_cancellable (FenStudyBrowser *self)
{
  GCancellable *cancellable = g_cancellable_new ();

  g_signal_connect_object (self->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                           cancellable, G_CONNECT_SWAPPED);
  return cancellable;
}

static void
fen_study_browser_clear_series (FenStudyBrowser *self)
{
  if (self->series_cancellable != NULL)
    g_cancellable_cancel (self->series_cancellable);
  g_clear_object (&self->series_cancellable);
  g_list_store_remove_all (self->series);
}

/* Puts @matches (taken, emptied) into @store in one change, so that the
 * sorted view sorts once, not once per row. */
static void
fen_study_browser_fill (GListStore *store, GPtrArray *matches)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < matches->len; i++)
    g_ptr_array_add (items, fen_pacs_item_new (g_steal_pointer (&matches->pdata[i])));
  g_ptr_array_set_size (matches, 0);
  g_list_store_splice (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0, items->pdata, items->len);
}

static void
fen_study_browser_series_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(FenStudyBrowser) self = user_data;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GError) error = NULL;

  matches = fen_pacs_find_finish (result, &error);
  /* A newer selection or the window's close made this one stale. */
  if (cancellable != self->series_cancellable || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_object (&self->series_cancellable);
  if (matches == NULL)
    {
      _fen_study_browser_show_error (self, error);
      _fen_study_browser_set_status (self, "The series could not be listed");
      _fen_study_browser_update_actions (self);
      return;
    }
  fen_study_browser_fill (self->series, matches);
  if (self->retrieve_cancellable == NULL)
    {
      guint n_studies = g_list_model_get_n_items (G_LIST_MODEL (self->studies));
      guint n_series = g_list_model_get_n_items (G_LIST_MODEL (self->series));
      g_autofree char *text = g_strdup_printf ("%u stud%s found; the one selected has %u series",
                                               n_studies, n_studies == 1 ? "y" : "ies", n_series);

      _fen_study_browser_set_status (self, text);
    }
  /* The first series (in the view's order) is the one Open takes. */
  gtk_single_selection_set_selected (self->series_selection, 0);
  _fen_study_browser_series_listed (self);
  _fen_study_browser_update_actions (self);
}

/* The series of the selected study: a series-level find on its UID. */
static void
fen_study_browser_study_selected_cb (GtkSingleSelection *selection, GParamSpec *pspec, FenStudyBrowser *self)
{
  FenPacsItem *study = _fen_study_browser_get_study (self);
  FenPacsQuery query = { .level = FEN_PACS_LEVEL_SERIES };

  fen_study_browser_clear_series (self);
  _fen_study_browser_update_actions (self);
  if (study == NULL || self->node == NULL)
    return;
  query.study_uid = fen_pacs_item_get_match (study)->study_uid;
  if (query.study_uid == NULL)
    return;
  self->series_cancellable = _fen_study_browser_new_cancellable (self);
  fen_pacs_find_async (self->node, &query, self->series_cancellable, fen_study_browser_series_found_cb,
                       g_object_ref (self));
  _fen_study_browser_update_actions (self);
}

static void
fen_study_browser_studies_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(FenStudyBrowser) self = user_data;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n;
  gint64 ms = (g_get_monotonic_time () - self->search_start_us) / 1000;

  matches = fen_pacs_find_finish (result, &error);
  if (cancellable != self->search_cancellable || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_object (&self->search_cancellable);
  gtk_widget_set_sensitive (self->search_button, TRUE);
  if (matches == NULL)
    {
      _fen_study_browser_show_error (self, error);
      _fen_study_browser_set_status (self, g_error_matches (error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED)
                                             ? "Search cancelled" : "The search failed");
      _fen_study_browser_update_actions (self);
      return;
    }
  /* Counts only: the matches are patient data. */
  g_debug ("search: %u studies in %" G_GINT64_FORMAT " ms", matches->len, ms);
  fen_study_browser_fill (self->studies, matches);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->studies));
  text = g_strdup_printf (n == 1 ? "%u study found" : "%u studies found", n);
  _fen_study_browser_set_status (self, text);
  if (n == 0)
    _fen_study_browser_set_status (self, "No study matches the search");
  else if (gtk_single_selection_get_selected (self->study_selection) == 0)
    /* Already at 0 (set_selected would notify nothing): list its series. */
    fen_study_browser_study_selected_cb (self->study_selection, NULL, self);
  else
    gtk_single_selection_set_selected (self->study_selection, 0);
  _fen_study_browser_update_actions (self);
}

/* The query of the search fields; its strings belong to @strings. */
static void
fen_study_browser_read_query (FenStudyBrowser *self, FenPacsQuery *query, GPtrArray *strings)
{
  char *modality = fen_study_browser_entry_text (self->modality_entry);

  /* Modalities are code strings (PS3.5 6.2 CS): upper case. */
  if (modality != NULL)
    {
      char *upper = g_ascii_strup (modality, -1);

      g_free (modality);
      modality = upper;
    }
  memset (query, 0, sizeof *query);
  query->level = FEN_PACS_LEVEL_STUDY;
  g_ptr_array_add (strings, (gpointer) (query->patient_name = fen_study_browser_entry_text (self->name_entry)));
  g_ptr_array_add (strings, (gpointer) (query->patient_id = fen_study_browser_entry_text (self->id_entry)));
  g_ptr_array_add (strings, (gpointer) (query->date_from = fen_study_browser_date_text (self->from_entry)));
  g_ptr_array_add (strings, (gpointer) (query->date_to = fen_study_browser_date_text (self->to_entry)));
  g_ptr_array_add (strings, (gpointer) (query->modality = modality));
  g_ptr_array_add (strings, (gpointer) (query->accession = fen_study_browser_entry_text (self->accession_entry)));
  g_ptr_array_add (strings, (gpointer) (query->description = fen_study_browser_entry_text (self->description_entry)));
}

/* Searches @node (taken) with the fields as they are now. */
static void
fen_study_browser_search_node (FenStudyBrowser *self, FenPacsNode *node, const char *node_id)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  FenPacsQuery query;

  g_clear_pointer (&self->node, fen_pacs_node_free);
  self->node = node;
  g_free (self->node_id);
  self->node_id = g_strdup (node_id);
  fen_study_browser_read_query (self, &query, strings);
  self->search_cancellable = _fen_study_browser_new_cancellable (self);
  self->search_start_us = g_get_monotonic_time ();
  _fen_study_browser_set_status (self, "Searching…");
  fen_pacs_find_async (self->node, &query, self->search_cancellable, fen_study_browser_studies_found_cb,
                       g_object_ref (self));
  _fen_study_browser_update_actions (self);
}

typedef struct {
  FenStudyBrowser   *browser;   /* owned */
  FenPacsNodeConfig *config;    /* owned */
  GCancellable      *cancellable; /* owned: the search's, while it waits for the keyring */
} FenBrowserLookup;

static void
fen_study_browser_secret_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FenBrowserLookup *l = user_data;
  FenStudyBrowser *self = l->browser;
  g_autoptr(GError) error = NULL;
  char *secret = fen_pacs_secret_lookup_finish (result, &error);

  if (l->cancellable == self->search_cancellable && !g_cancellable_is_cancelled (l->cancellable))
    {
      g_clear_object (&self->search_cancellable);
      if (error != NULL)
        {
          _fen_study_browser_show_error (self, error);
          _fen_study_browser_set_status (self, "The search needs the node's password or token");
        }
      else
        {
          g_autoptr(GError) parse_error = NULL;
          FenPacsNode *node = fen_pacs_node_config_parse (l->config, &parse_error);

          if (node == NULL)
            _fen_study_browser_show_error (self, parse_error);
          else
            {
              node->authorization = fen_pacs_node_config_authorization (l->config, secret);
              fen_study_browser_search_node (self, node, l->config->id);
            }
        }
      _fen_study_browser_update_actions (self);
    }
  fen_pacs_secret_free (secret);
  g_object_unref (l->cancellable);
  fen_pacs_node_config_free (l->config);
  g_object_unref (l->browser);
  g_free (l);
}

static void
fen_study_browser_search (FenStudyBrowser *self)
{
  const FenPacsNodeConfig *config = fen_study_browser_get_config (self);
  g_autoptr(GError) error = NULL;
  FenPacsNode *node;

  if (config == NULL)
    return;
  fen_study_browser_clear_error (self);
  node = fen_pacs_node_config_parse (config, &error);
  if (node == NULL)
    {
      _fen_study_browser_show_error (self, error);
      return;
    }
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  fen_study_browser_clear_series (self);
  g_list_store_remove_all (self->studies);
  if (config->auth != FEN_PACS_AUTH_NONE)
    {
      /* The password or token comes from the keyring, each search anew. */
      FenBrowserLookup *l = g_new0 (FenBrowserLookup, 1);

      fen_pacs_node_free (node);
      l->browser = g_object_ref (self);
      l->config = fen_pacs_node_config_copy (config);
      self->search_cancellable = _fen_study_browser_new_cancellable (self);
      l->cancellable = g_object_ref (self->search_cancellable);
      _fen_study_browser_set_status (self, "Reading the node's password from the keyring…");
      fen_pacs_secret_lookup_async (config->id, l->cancellable, fen_study_browser_secret_cb, l);
      _fen_study_browser_update_actions (self);
      return;
    }
  fen_study_browser_search_node (self, node, config->id);
}

/* Actions ------------------------------------------------------------------ */

static void
fen_study_browser_search_action (GtkWidget *widget, const char *name, GVariant *param)
{
  fen_study_browser_search (FEN_STUDY_BROWSER (widget));
}

static void
fen_study_browser_cancel_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FenStudyBrowser *self = FEN_STUDY_BROWSER (widget);

  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  if (self->series_cancellable != NULL)
    g_cancellable_cancel (self->series_cancellable);
  _fen_study_browser_cancel_retrieve (self);
}

static void
fen_study_browser_retrieve_action (GtkWidget *widget, const char *name, GVariant *param)
{
  _fen_study_browser_retrieve (FEN_STUDY_BROWSER (widget), g_str_equal (name, "browser.open"));
}

static void
fen_study_browser_dismiss_error_action (GtkWidget *widget, const char *name, GVariant *param)
{
  fen_study_browser_clear_error (FEN_STUDY_BROWSER (widget));
}

/* Double click (or Enter) on a study opens it whole; on a series, that series. */
static void
fen_study_browser_study_activate_cb (FenStudyBrowser *self, guint position, GtkColumnView *view)
{
  gtk_single_selection_set_selected (self->series_selection, GTK_INVALID_LIST_POSITION);
  _fen_study_browser_retrieve (self, TRUE);
}

static void
fen_study_browser_series_activate_cb (FenStudyBrowser *self, guint position, GtkColumnView *view)
{
  _fen_study_browser_retrieve (self, TRUE);
}

static void
fen_study_browser_series_selected_cb (GtkSingleSelection *selection, GParamSpec *pspec, FenStudyBrowser *self)
{
  _fen_study_browser_update_actions (self);
}

/* Life --------------------------------------------------------------------- */

static void
fen_study_browser_dispose (GObject *object)
{
  FenStudyBrowser *self = FEN_STUDY_BROWSER (object);

  /* Closing the window ends every call still running. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  _fen_study_browser_retrieve_dispose (self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  self->settings = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_STUDY_BROWSER);
  g_clear_object (&self->study_selection);
  g_clear_object (&self->series_selection);
  g_clear_object (&self->studies);
  g_clear_object (&self->series);
  g_clear_object (&self->node_names);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->series_cancellable);
  G_OBJECT_CLASS (fen_study_browser_parent_class)->dispose (object);
}

static void
fen_study_browser_finalize (GObject *object)
{
  FenStudyBrowser *self = FEN_STUDY_BROWSER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  g_clear_pointer (&self->node, fen_pacs_node_free);
  g_free (self->node_id);
  G_OBJECT_CLASS (fen_study_browser_parent_class)->finalize (object);
}

static void
fen_study_browser_class_init (FenStudyBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_study_browser_dispose;
  object_class->finalize = fen_study_browser_finalize;
  g_type_ensure (FEN_TYPE_PACS_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-study-browser.ui");
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, node_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, name_entry);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, id_entry);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, from_entry);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, to_entry);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, modality_entry);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, accession_entry);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, description_entry);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, search_button);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, error_label);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, details_expander);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, details_label);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, study_view);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, series_view);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, status_label);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, FenStudyBrowser, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, fen_study_browser_study_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_study_browser_series_activate_cb);

  gtk_widget_class_install_action (widget_class, "browser.search", NULL, fen_study_browser_search_action);
  gtk_widget_class_install_action (widget_class, "browser.cancel", NULL, fen_study_browser_cancel_action);
  gtk_widget_class_install_action (widget_class, "browser.retrieve", NULL, fen_study_browser_retrieve_action);
  gtk_widget_class_install_action (widget_class, "browser.open", NULL, fen_study_browser_retrieve_action);
  gtk_widget_class_install_action (widget_class, "browser.dismiss-error", NULL,
                                   fen_study_browser_dismiss_error_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "browser.cancel", NULL);
}

static void
fen_study_browser_init (FenStudyBrowser *self)
{
  GtkColumnViewColumn *date;
  g_autoptr(GtkSortListModel) sorted_studies = NULL;
  g_autoptr(GtkSortListModel) sorted_series = NULL;
  GtkColumnViewColumn *number;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->studies = g_list_store_new (FEN_TYPE_PACS_ITEM);
  self->series = g_list_store_new (FEN_TYPE_PACS_ITEM);

  fen_study_browser_add_column (self->study_view, "Patient", "patient", TRUE);
  fen_study_browser_add_column (self->study_view, "Patient ID", "patient-id", FALSE);
  date = fen_study_browser_add_column (self->study_view, "Date", "date", FALSE);
  fen_study_browser_add_column (self->study_view, "Modality", "modality", FALSE);
  fen_study_browser_add_column (self->study_view, "Description", "description", TRUE);
  fen_study_browser_add_column (self->study_view, "Accession", "accession", FALSE);
  fen_study_browser_add_column (self->study_view, "Series", "n-series", FALSE);
  fen_study_browser_add_column (self->study_view, "Images", "n-images", FALSE);
  sorted_studies = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->studies)),
                                            g_object_ref (gtk_column_view_get_sorter (self->study_view)));
  self->study_selection = gtk_single_selection_new (G_LIST_MODEL (g_steal_pointer (&sorted_studies)));
  gtk_single_selection_set_autoselect (self->study_selection, FALSE);
  gtk_column_view_set_model (self->study_view, GTK_SELECTION_MODEL (self->study_selection));
  gtk_column_view_sort_by_column (self->study_view, date, GTK_SORT_DESCENDING);
  g_signal_connect (self->study_selection, "notify::selected", G_CALLBACK (fen_study_browser_study_selected_cb), self);

  fen_study_browser_add_column (self->series_view, "", "thumbnail", FALSE);
  number = fen_study_browser_add_column (self->series_view, "Number", "series-number", FALSE);
  fen_study_browser_add_column (self->series_view, "Modality", "modality", FALSE);
  fen_study_browser_add_column (self->series_view, "Series description", "description", TRUE);
  fen_study_browser_add_column (self->series_view, "Images", "n-images", FALSE);
  fen_study_browser_add_column (self->series_view, "Here", "n-local", FALSE);
  sorted_series = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->series)),
                                           g_object_ref (gtk_column_view_get_sorter (self->series_view)));
  self->series_selection = gtk_single_selection_new (G_LIST_MODEL (g_steal_pointer (&sorted_series)));
  gtk_single_selection_set_autoselect (self->series_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->series_selection, TRUE);
  gtk_column_view_set_model (self->series_view, GTK_SELECTION_MODEL (self->series_selection));
  gtk_column_view_sort_by_column (self->series_view, number, GTK_SORT_ASCENDING);
  g_signal_connect (self->series_selection, "notify::selected", G_CALLBACK (fen_study_browser_series_selected_cb), self);

  self->node_names = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->node_dropdown, G_LIST_MODEL (self->node_names));
  gtk_window_set_default_widget (GTK_WINDOW (self), self->search_button);
}

FenStudyBrowser *
fen_study_browser_new (FenApplication *app)
{
  FenStudyBrowser *self = g_object_new (FEN_TYPE_STUDY_BROWSER, "application", app, NULL);

  self->app = app;
  self->settings = fen_application_get_settings (app);
  if (self->settings != NULL)
    g_signal_connect (self->settings, "changed::pacs-nodes", G_CALLBACK (fen_study_browser_nodes_changed_cb), self);
  fen_study_browser_load_nodes (self);
  _fen_study_browser_set_status (self, self->nodes->len > 0 ? "Choose an archive, fill in what you know, and Search"
                                                            : "No archive yet: add one with Nodes…");
  return self;
}
