/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-node-editor.c: FenPacsNodeEditor, one PACS node's dialog. The
 * fields become the one-line address fen_pacs_node_parse() reads (so the
 * preferences and the command line check a node the same way); Save
 * writes it to "pacs-nodes" and the password or token to the keyring
 * (fen-pacs-secret.h), never to settings or a log. Test Connection runs
 * fen_pacs_echo_async() on what the fields say now and reports in words. */
#define G_LOG_DOMAIN "fen-pacs-browser"

#include "fen-pacs-node-editor.h"
#include "fen-pacs-errors.h"
#include "fen-pacs-secret.h"

#include <fenestra/fen-pacs-query.h>

#include <string.h>

struct _FenPacsNodeEditor
{
  GtkWindow          parent_instance;

  /* Owned */
  FenPacsNodeConfig *config;       /* what is edited; its id stays */
  GCancellable      *cancellable;  /* cancelled when the dialog closes */
  gint64             test_start_us;

  /* Borrowed */
  GSettings         *settings;
  GtkEntry          *name_entry;
  GtkDropDown       *protocol_dropdown;
  GtkStack          *stack;
  GtkEntry          *called_entry;
  GtkEntry          *host_entry;
  GtkSpinButton     *port_spin;
  GtkEntry          *calling_entry;
  GtkDropDown       *method_dropdown;
  GtkSpinButton     *store_port_spin;
  GtkEntry          *url_entry;
  GtkDropDown       *auth_dropdown;
  GtkWidget         *user_label;
  GtkEntry          *user_entry;
  GtkLabel          *secret_label;
  GtkWidget         *secret_entry;
  GtkLabel          *result_label;
  GtkExpander       *details_expander;
  GtkLabel          *details_label;
  GtkWidget         *test_button;
  GtkWidget         *save_button;
};

G_DEFINE_FINAL_TYPE (FenPacsNodeEditor, fen_pacs_node_editor, GTK_TYPE_WINDOW)

char *
fen_pacs_node_editor_dimse_address (const char *called_ae, const char *host, guint port,
                                    const char *calling_ae, gboolean move, guint store_port)
{
  g_autofree char *called = g_uri_escape_string (called_ae, NULL, FALSE);
  g_autofree char *calling = g_uri_escape_string (calling_ae, NULL, FALSE);
  gboolean v6 = strchr (host, ':') != NULL;
  g_autofree char *base = g_strdup_printf ("dicom://%s@%s%s%s:%u?calling=%s&method=%s", called, v6 ? "[" : "",
                                           host, v6 ? "]" : "", port, calling, move ? "move" : "get");

  if (!move)
    return g_steal_pointer (&base);
  return g_strdup_printf ("%s&port=%u", base, store_port);
}

static char *
fen_pacs_node_editor_text (GtkEntry *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

static gboolean
fen_pacs_node_editor_is_web (FenPacsNodeEditor *self)
{
  return gtk_drop_down_get_selected (self->protocol_dropdown) == 1;
}

static void
fen_pacs_node_editor_show_result (FenPacsNodeEditor *self, const char *words, const char *details)
{
  gtk_label_set_text (self->result_label, words != NULL ? words : "");
  gtk_label_set_text (self->details_label, details != NULL ? details : "");
  gtk_widget_set_visible (GTK_WIDGET (self->details_expander), details != NULL);
  gtk_expander_set_expanded (self->details_expander, FALSE);
}

static void
fen_pacs_node_editor_show_error (FenPacsNodeEditor *self, const char *prefix, const GError *error)
{
  g_autofree char *words = fen_pacs_error_to_words (error);
  g_autofree char *text = g_strconcat (prefix != NULL ? prefix : "", words, NULL);

  fen_pacs_node_editor_show_result (self, text, error->message);
}

static void
fen_pacs_node_editor_update (FenPacsNodeEditor *self)
{
  guint auth = gtk_drop_down_get_selected (self->auth_dropdown);

  gtk_stack_set_visible_child_name (self->stack, fen_pacs_node_editor_is_web (self) ? "web" : "dimse");
  gtk_widget_set_sensitive (GTK_WIDGET (self->store_port_spin), gtk_drop_down_get_selected (self->method_dropdown) == 1);
  gtk_widget_set_visible (self->user_label, auth == FEN_PACS_AUTH_BASIC);
  gtk_widget_set_visible (GTK_WIDGET (self->user_entry), auth == FEN_PACS_AUTH_BASIC);
  gtk_widget_set_visible (GTK_WIDGET (self->secret_label), auth != FEN_PACS_AUTH_NONE);
  gtk_widget_set_visible (self->secret_entry, auth != FEN_PACS_AUTH_NONE);
  gtk_label_set_text_with_mnemonic (self->secret_label, auth == FEN_PACS_AUTH_BEARER ? "To_ken" : "Pass_word");
}

static void
fen_pacs_node_editor_protocol_cb (FenPacsNodeEditor *self)
{
  fen_pacs_node_editor_update (self);
}

static void
fen_pacs_node_editor_method_cb (FenPacsNodeEditor *self)
{
  fen_pacs_node_editor_update (self);
}

static void
fen_pacs_node_editor_auth_cb (FenPacsNodeEditor *self)
{
  fen_pacs_node_editor_update (self);
}

/* The node as the fields say: a config (id kept) whose address parses,
 * or NULL with @error. */
static FenPacsNodeConfig *
fen_pacs_node_editor_collect (FenPacsNodeEditor *self, GError **error)
{
  g_autoptr(FenPacsNodeConfig) c = fen_pacs_node_config_copy (self->config);
  g_autoptr(FenPacsNode) parsed = NULL;
  g_autofree char *name = fen_pacs_node_editor_text (self->name_entry);

  g_free (c->address);
  if (fen_pacs_node_editor_is_web (self))
    {
      c->address = fen_pacs_node_editor_text (self->url_entry);
      c->auth = (FenPacsAuth) gtk_drop_down_get_selected (self->auth_dropdown);
      g_free (c->user);
      c->user = c->auth == FEN_PACS_AUTH_BASIC ? fen_pacs_node_editor_text (self->user_entry) : g_strdup ("");
    }
  else
    {
      g_autofree char *called = fen_pacs_node_editor_text (self->called_entry);
      g_autofree char *host = fen_pacs_node_editor_text (self->host_entry);
      g_autofree char *calling = fen_pacs_node_editor_text (self->calling_entry);

      if (*host == '\0')
        {
          g_set_error_literal (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_NODE, "the node has no host");
          return NULL;
        }
      c->address = fen_pacs_node_editor_dimse_address (called, host, (guint) gtk_spin_button_get_value_as_int (self->port_spin),
                                                       calling, gtk_drop_down_get_selected (self->method_dropdown) == 1,
                                                       (guint) gtk_spin_button_get_value_as_int (self->store_port_spin));
      c->auth = FEN_PACS_AUTH_NONE;
      g_free (c->user);
      c->user = g_strdup ("");
    }
  parsed = fen_pacs_node_parse (c->address, error);
  if (parsed == NULL)
    return NULL;
  g_free (c->name);
  c->name = *name != '\0' ? g_steal_pointer (&name) : g_strdup (c->address);
  return g_steal_pointer (&c);
}

/* Test Connection -------------------------------------------------------------- */

static void
fen_pacs_node_editor_echo_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(FenPacsNodeEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = fen_pacs_echo_finish (result, &error);
  gint64 ms = (g_get_monotonic_time () - self->test_start_us) / 1000;
  g_autofree char *text = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_widget_set_sensitive (self->test_button, TRUE);
  if (!ok)
    {
      fen_pacs_node_editor_show_error (self, "Test failed. ", error);
      return;
    }
  text = g_strdup_printf ("Connected: the archive answered %s in %" G_GINT64_FORMAT " ms.",
                          fen_pacs_node_editor_is_web (self) ? "a QIDO-RS query" : "C-ECHO", ms);
  fen_pacs_node_editor_show_result (self, text, NULL);
}

static void
fen_pacs_node_editor_echo (FenPacsNodeEditor *self, const FenPacsNodeConfig *c, const char *secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNode) node = fen_pacs_node_config_parse (c, &error);

  if (node == NULL)
    {
      gtk_widget_set_sensitive (self->test_button, TRUE);
      fen_pacs_node_editor_show_error (self, "Test failed. ", error);
      return;
    }
  node->authorization = fen_pacs_node_config_authorization (c, secret);
  self->test_start_us = g_get_monotonic_time ();
  /* The echo copies the node; ours is freed (and its credential cleared) here. */
  fen_pacs_echo_async (node, self->cancellable, fen_pacs_node_editor_echo_cb, g_object_ref (self));
}

typedef struct {
  FenPacsNodeEditor *editor;   /* owned */
  FenPacsNodeConfig *config;   /* owned */
} FenEditorLookup;

static void
fen_pacs_node_editor_test_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FenEditorLookup *l = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = fen_pacs_secret_lookup_finish (result, &error);

  if (!g_cancellable_is_cancelled (l->editor->cancellable))
    {
      if (error != NULL)
        {
          gtk_widget_set_sensitive (l->editor->test_button, TRUE);
          fen_pacs_node_editor_show_error (l->editor, "Test failed. ", error);
        }
      else
        fen_pacs_node_editor_echo (l->editor, l->config, secret);
    }
  fen_pacs_secret_free (secret);
  g_object_unref (l->editor);
  fen_pacs_node_config_free (l->config);
  g_free (l);
}

static void
fen_pacs_node_editor_test_cb (FenPacsNodeEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNodeConfig) c = fen_pacs_node_editor_collect (self, &error);
  const char *typed = fen_pacs_node_editor_is_web (self) ? gtk_editable_get_text (GTK_EDITABLE (self->secret_entry)) : "";

  if (c == NULL)
    {
      fen_pacs_node_editor_show_error (self, "Test failed. ", error);
      return;
    }
  gtk_widget_set_sensitive (self->test_button, FALSE);
  fen_pacs_node_editor_show_result (self, "Testing the connection…", NULL);
  if (c->auth != FEN_PACS_AUTH_NONE && *typed == '\0')
    {
      /* Nothing typed: the secret stored for this node, if any. */
      FenEditorLookup *l = g_new0 (FenEditorLookup, 1);

      l->editor = g_object_ref (self);
      l->config = g_steal_pointer (&c);
      fen_pacs_secret_lookup_async (l->config->id, self->cancellable, fen_pacs_node_editor_test_lookup_cb, l);
      return;
    }
  fen_pacs_node_editor_echo (self, c, typed);
}

/* Save ------------------------------------------------------------------------- */

static void
fen_pacs_node_editor_secret_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(FenPacsNodeEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (!fen_pacs_secret_store_finish (result, &error))
    {
      g_autofree char *text = g_strdup_printf ("The node is saved, but %s", error->message);

      /* The node stays saved; the dialog stays open to say so. */
      fen_pacs_node_editor_show_result (self, text, NULL);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
fen_pacs_node_editor_save_cb (FenPacsNodeEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNodeConfig) c = fen_pacs_node_editor_collect (self, &error);
  g_autoptr(GPtrArray) nodes = NULL;
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));
  g_autofree char *label = NULL;
  gboolean found = FALSE;

  if (c == NULL)
    {
      fen_pacs_node_editor_show_error (self, "Not saved. ", error);
      return;
    }
  nodes = fen_pacs_node_config_load (self->settings);
  for (guint i = 0; i < nodes->len; i++)
    if (g_strcmp0 (((FenPacsNodeConfig *) nodes->pdata[i])->id, c->id) == 0)
      {
        fen_pacs_node_config_free (nodes->pdata[i]);
        nodes->pdata[i] = fen_pacs_node_config_copy (c);
        found = TRUE;
      }
  if (!found)
    g_ptr_array_add (nodes, fen_pacs_node_config_copy (c));
  fen_pacs_node_config_save (self->settings, nodes);
  g_free (self->config->name);
  self->config->name = g_strdup (c->name);

  if (c->auth != FEN_PACS_AUTH_NONE && *typed == '\0')
    {
      /* Nothing typed: the secret stored before (if any) stays. */
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  /* A node without authentication keeps no secret: a store of "" clears. */
  label = g_strdup_printf ("Fenestra PACS node “%s”", c->name);
  gtk_widget_set_sensitive (self->save_button, FALSE);
  fen_pacs_node_editor_show_result (self, "Saving the password in the keyring…", NULL);
  fen_pacs_secret_store_async (c->id, label, c->auth != FEN_PACS_AUTH_NONE ? typed : NULL, self->cancellable,
                               fen_pacs_node_editor_secret_saved_cb, g_object_ref (self));
}

/* Life ------------------------------------------------------------------------- */

static void
fen_pacs_node_editor_load (FenPacsNodeEditor *self)
{
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse (self->config->address, NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), self->config->name);
  if (node == NULL)
    return;
  if (node->protocol == FEN_PACS_DICOMWEB)
    {
      gtk_drop_down_set_selected (self->protocol_dropdown, 1);
      gtk_editable_set_text (GTK_EDITABLE (self->url_entry), node->base_url);
      gtk_drop_down_set_selected (self->auth_dropdown, (guint) self->config->auth);
      gtk_editable_set_text (GTK_EDITABLE (self->user_entry), self->config->user);
    }
  else
    {
      gtk_drop_down_set_selected (self->protocol_dropdown, 0);
      gtk_editable_set_text (GTK_EDITABLE (self->called_entry), node->called_ae);
      gtk_editable_set_text (GTK_EDITABLE (self->host_entry), node->host);
      gtk_spin_button_set_value (self->port_spin, node->port);
      gtk_editable_set_text (GTK_EDITABLE (self->calling_entry), node->calling_ae);
      gtk_drop_down_set_selected (self->method_dropdown, node->method == FEN_PACS_RETRIEVE_MOVE ? 1 : 0);
      if (node->store_port > 0)
        gtk_spin_button_set_value (self->store_port_spin, node->store_port);
    }
  fen_pacs_node_editor_update (self);
}

static void
fen_pacs_node_editor_dispose (GObject *object)
{
  FenPacsNodeEditor *self = FEN_PACS_NODE_EDITOR (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FEN_TYPE_PACS_NODE_EDITOR);
  G_OBJECT_CLASS (fen_pacs_node_editor_parent_class)->dispose (object);
}

static void
fen_pacs_node_editor_finalize (GObject *object)
{
  FenPacsNodeEditor *self = FEN_PACS_NODE_EDITOR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, fen_pacs_node_config_free);
  G_OBJECT_CLASS (fen_pacs_node_editor_parent_class)->finalize (object);
}

static void
fen_pacs_node_editor_class_init (FenPacsNodeEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fen_pacs_node_editor_dispose;
  object_class->finalize = fen_pacs_node_editor_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/fenestra/Viewer/fen-pacs-node-editor.ui");
#define FEN_BIND(name) gtk_widget_class_bind_template_child (widget_class, FenPacsNodeEditor, name)
  FEN_BIND (name_entry);
  FEN_BIND (protocol_dropdown);
  FEN_BIND (stack);
  FEN_BIND (called_entry);
  FEN_BIND (host_entry);
  FEN_BIND (port_spin);
  FEN_BIND (calling_entry);
  FEN_BIND (method_dropdown);
  FEN_BIND (store_port_spin);
  FEN_BIND (url_entry);
  FEN_BIND (auth_dropdown);
  FEN_BIND (user_label);
  FEN_BIND (user_entry);
  FEN_BIND (secret_label);
  FEN_BIND (secret_entry);
  FEN_BIND (result_label);
  FEN_BIND (details_expander);
  FEN_BIND (details_label);
  FEN_BIND (test_button);
  FEN_BIND (save_button);
#undef FEN_BIND
  gtk_widget_class_bind_template_callback (widget_class, fen_pacs_node_editor_protocol_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_pacs_node_editor_method_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_pacs_node_editor_auth_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_pacs_node_editor_test_cb);
  gtk_widget_class_bind_template_callback (widget_class, fen_pacs_node_editor_save_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fen_pacs_node_editor_init (FenPacsNodeEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

FenPacsNodeEditor *
fen_pacs_node_editor_new (GtkWindow *parent, GSettings *settings, const FenPacsNodeConfig *config)
{
  FenPacsNodeEditor *self = g_object_new (FEN_TYPE_PACS_NODE_EDITOR, "transient-for", parent, NULL);

  self->settings = settings;
  self->config = config != NULL ? fen_pacs_node_config_copy (config) : fen_pacs_node_config_new ("", "");
  gtk_window_set_title (GTK_WINDOW (self), config != NULL ? "Edit PACS Node" : "Add PACS Node");
  if (config != NULL)
    fen_pacs_node_editor_load (self);
  fen_pacs_node_editor_update (self);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);
  return self;
}
