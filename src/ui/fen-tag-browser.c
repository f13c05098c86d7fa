/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-tag-browser.c: FenTagBrowser lists the DICOM attributes of the image
 * shown as a tree (GtkTreeListModel + GtkTreeExpander): sequences expand to
 * their items, private tags show their creator. The file is read again in a
 * GTask (values cut, pixel data never read). The search keeps a row when it
 * or anything below it matches, expanded. Values may be patient data: they
 * are shown, never logged. */
#define G_LOG_DOMAIN "fen-tag-browser"

#include "fen-tag-browser.h"
#include "fen-tag-node.h"

#include <string.h>

struct _FenTagBrowser
{
  GtkWindow           parent_instance;

  /* Owned */
  char               *path;
  GPtrArray          *tags;        /* FenDicomTag tree, or NULL */
  GHashTable         *matches;     /* FenDicomTag * that match or hold a match; NULL: all */
  GCancellable       *cancellable;
  GtkFilter          *filter;

  /* Borrowed */
  GtkSearchEntry     *search_entry;
  GtkLabel           *status_label;
  GtkListView        *list_view;
};

G_DEFINE_FINAL_TYPE (FenTagBrowser, fen_tag_browser, GTK_TYPE_WINDOW)

static GListModel *
fen_tag_browser_create_children_cb (gpointer item, gpointer user_data)
{
  return fen_tag_node_children (FEN_TAG_NODE (item));
}

static gboolean
fen_tag_browser_filter_cb (gpointer item, gpointer user_data)
{
  FenTagBrowser *self = user_data;
  FenTagNode *node = gtk_tree_list_row_get_item (GTK_TREE_LIST_ROW (item));
  gboolean keep;

  keep = self->matches == NULL || g_hash_table_contains (self->matches, fen_tag_node_get_tag (node));
  g_object_unref (node);
  return keep;
}

static char *
fen_tag_browser_tag_text (const FenDicomTag *tag)
{
  return g_strdup_printf ("(%04X,%04X)", tag->group, tag->element);
}

/* Marks the tags matching @needle and all their ancestors; TRUE if any below matched. */
static gboolean
fen_tag_browser_match (GPtrArray *tags, const char *needle, GHashTable *matches)
{
  gboolean any = FALSE;

  for (guint i = 0; tags != NULL && i < tags->len; i++)
    {
      const FenDicomTag *tag = g_ptr_array_index (tags, i);
      g_autofree char *tag_text = fen_tag_browser_tag_text (tag);
      g_autofree char *hay = g_utf8_casefold (tag_text, -1);
      g_autofree char *kw = g_utf8_casefold (tag->keyword ? tag->keyword : "", -1);
      g_autofree char *value = g_utf8_casefold (tag->value ? tag->value : "", -1);
      g_autofree char *creator = g_utf8_casefold (tag->private_creator ? tag->private_creator : "", -1);
      gboolean hit = strstr (hay, needle) != NULL || strstr (kw, needle) != NULL ||
                     strstr (value, needle) != NULL || strstr (creator, needle) != NULL ||
                     g_ascii_strcasecmp (tag->vr, needle) == 0;

      if (fen_tag_browser_match (tag->children, needle, matches))
        hit = TRUE;
      if (hit)
        {
          g_hash_table_add (matches, (gpointer) tag);
          any = TRUE;
        }
    }
  return any;
}

static void
fen_tag_browser_rebuild (FenTagBrowser *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autoptr(GListStore) roots = g_list_store_new (FEN_TYPE_TAG_NODE);
  g_autofree char *needle = NULL;
  GtkTreeListModel *tree;
  GtkFilterListModel *filtered;

  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  /* A new model destroys the row widgets; a focused one would leave the
   * window holding a dead focus widget (GTK 4.8 then fails
   * gtk_widget_is_ancestor on every frame: issue 11, bug 14). The focus
   * moves to the search entry first. */
  if (focus != NULL && focus != GTK_WIDGET (self->list_view) &&
      gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view)))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  g_clear_pointer (&self->matches, g_hash_table_unref);
  if (self->tags != NULL && text != NULL && *text != '\0')
    {
      /* Tag numbers are searched as typed: "0010,0010" or "(0010,0010)". */
      needle = g_utf8_casefold (text, -1);
      self->matches = g_hash_table_new (NULL, NULL);
      fen_tag_browser_match (self->tags, needle, self->matches);
    }
  for (guint i = 0; self->tags != NULL && i < self->tags->len; i++)
    {
      g_autoptr(FenTagNode) node = fen_tag_node_new (self->tags, g_ptr_array_index (self->tags, i));

      g_list_store_append (roots, node);
    }
  /* While searching every row is expanded, so that a match deep in a
   * sequence shows with the items above it. */
  tree = gtk_tree_list_model_new (G_LIST_MODEL (g_steal_pointer (&roots)), FALSE, self->matches != NULL,
                                  fen_tag_browser_create_children_cb, NULL, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (tree), g_object_ref (self->filter));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (filtered))));
  if (self->matches != NULL)
    {
      g_autofree char *status = g_strdup_printf ("%u matching attributes (with the sequences that hold them)",
                                                 g_hash_table_size (self->matches));
      gtk_label_set_text (self->status_label, status);
    }
  else if (self->tags != NULL)
    {
      g_autofree char *status = g_strdup_printf ("%u top-level attributes; sequences expand", self->tags->len);
      gtk_label_set_text (self->status_label, status);
    }
}

static void
fen_tag_browser_search_changed_cb (FenTagBrowser *self)
{
  fen_tag_browser_rebuild (self);
}

/* Row widgets --------------------------------------------------------------- */

static void
fen_tag_browser_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  const char *classes[] = { "fen-tag-number", "fen-tag-vr", "fen-tag-keyword", "fen-tag-value" };
  const int widths[] = { 12, 3, 34, -1 };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, classes[i]);
      if (widths[i] > 0)
        gtk_label_set_width_chars (GTK_LABEL (label), widths[i]);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      if (widths[i] < 0)
        {
          gtk_widget_set_hexpand (label, TRUE);
          gtk_label_set_selectable (GTK_LABEL (label), TRUE);
        }
      else
        gtk_label_set_max_width_chars (GTK_LABEL (label), widths[i]);
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (item, expander);
}

static void
fen_tag_browser_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  GtkWidget *expander = gtk_list_item_get_child (item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  g_autoptr(FenTagNode) node = gtk_tree_list_row_get_item (row);
  const FenDicomTag *tag = fen_tag_node_get_tag (node);
  GtkWidget *label = gtk_widget_get_first_child (box);
  g_autofree char *number = fen_tag_browser_tag_text (tag);
  g_autofree char *keyword = NULL;

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  /* Private tags (odd group, PS3.5 7.8.1) carry their creator. */
  keyword = tag->private_creator != NULL
            ? g_strdup_printf ("%s [%s]", tag->keyword, tag->private_creator)
            : g_strdup (tag->keyword);
  gtk_label_set_text (GTK_LABEL (label), number);
  label = gtk_widget_get_next_sibling (label);
  gtk_label_set_text (GTK_LABEL (label), tag->vr);
  label = gtk_widget_get_next_sibling (label);
  gtk_label_set_text (GTK_LABEL (label), keyword);
  gtk_widget_set_tooltip_text (label, keyword);
  label = gtk_widget_get_next_sibling (label);
  gtk_label_set_text (GTK_LABEL (label), tag->value ? tag->value : "");
}

/* Loading ------------------------------------------------------------------- */

static void
fen_tag_browser_read_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *tags = fen_dicom_read_tags (task_data, &error);

  if (tags == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tags, (GDestroyNotify) g_ptr_array_unref);
}

static void
fen_tag_browser_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FenTagBrowser *self = FEN_TAG_BROWSER (source);
  g_autoptr(GError) error = NULL;
  GPtrArray *tags = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->tags, g_ptr_array_unref);
  self->tags = tags;
  fen_tag_browser_rebuild (self);
  if (error != NULL)
    gtk_label_set_text (self->status_label, error->message);
}

void
fen_tag_browser_set_path (FenTagBrowser *self, const char *path)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (FEN_IS_TAG_BROWSER (self));
  if (g_strcmp0 (path, self->path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->tags, g_ptr_array_unref);
  fen_tag_browser_rebuild (self);
  if (path == NULL)
    {
      gtk_label_set_text (self->status_label, "No image");
      return;
    }
  gtk_label_set_text (self->status_label, "Reading…");
  self->cancellable = g_cancellable_new ();
  /* The task's source object keeps the window alive until it returns. */
  task = g_task_new (self, self->cancellable, fen_tag_browser_read_cb, NULL);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, fen_tag_browser_read_thread);
}

/* Object -------------------------------------------------------------------- */

static void
fen_tag_browser_dispose (GObject *object)
{
  FenTagBrowser *self = FEN_TAG_BROWSER (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_TAG_BROWSER);
  G_OBJECT_CLASS (fen_tag_browser_parent_class)->dispose (object);
}

static void
fen_tag_browser_finalize (GObject *object)
{
  FenTagBrowser *self = FEN_TAG_BROWSER (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->matches, g_hash_table_unref);
  g_clear_pointer (&self->tags, g_ptr_array_unref);
  g_free (self->path);
  G_OBJECT_CLASS (fen_tag_browser_parent_class)->finalize (object);
}

/* The search entry captures the window's keys, Escape included (as
 * "stop-search"), so the window's own Escape binding never fires: close
 * from here. */
static void
fen_tag_browser_stop_search_cb (GtkSearchEntry *entry, FenTagBrowser *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
fen_tag_browser_class_init (FenTagBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_tag_browser_dispose;
  object_class->finalize = fen_tag_browser_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-tag-browser.ui");
  gtk_widget_class_bind_template_child (widget_class, FenTagBrowser, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FenTagBrowser, status_label);
  gtk_widget_class_bind_template_child (widget_class, FenTagBrowser, list_view);
  gtk_widget_class_bind_template_callback (widget_class, fen_tag_browser_search_changed_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
fen_tag_browser_init (FenTagBrowser *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->filter = GTK_FILTER (gtk_custom_filter_new (fen_tag_browser_filter_cb, self, NULL));
  g_signal_connect (factory, "setup", G_CALLBACK (fen_tag_browser_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (fen_tag_browser_bind_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  g_signal_connect (self->search_entry, "stop-search", G_CALLBACK (fen_tag_browser_stop_search_cb), self);
}

FenTagBrowser *
fen_tag_browser_new (GtkWindow *parent)
{
  return g_object_new (FEN_TYPE_TAG_BROWSER, "transient-for", parent, NULL);
}
