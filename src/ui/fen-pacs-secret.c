/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-secret.c: PACS node secrets through libsecret's simple password
 * API, one schema ("org.fenestra.Viewer.PacsNode") with the node's id as
 * the only attribute. Errors from a missing or locked Secret Service come
 * back in words, never as a crash; the secret itself is never logged. */
#define G_LOG_DOMAIN "fen-pacs-secret"

#include "fen-pacs-secret.h"

#include <libsecret/secret.h>

#include <string.h>

static const SecretSchema *
fen_pacs_secret_schema (void)
{
  static const SecretSchema schema = {
    "org.fenestra.Viewer.PacsNode", SECRET_SCHEMA_NONE,
    {
      { "node", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };

  return &schema;
}

/* The Secret Service's own errors are D-Bus jargon: say what it means. */
static void
fen_pacs_secret_explain (GError **error, const char *doing)
{
  g_autofree char *cause = NULL;

  if (error == NULL || *error == NULL || g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  cause = g_strdup ((*error)->message);
  g_clear_error (error);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "no keyring (Secret Service) is reachable, so the password or token could not be %s; "
               "start a keyring such as GNOME Keyring or KeePassXC, or use no authentication: %s",
               doing, cause);
}

static void
fen_pacs_secret_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean ok = g_task_get_task_data (task) != NULL
                  ? secret_password_store_finish (result, &error)
                  : (secret_password_clear_finish (result, &error) || error == NULL);

  if (!ok)
    {
      fen_pacs_secret_explain (&error, g_task_get_task_data (task) != NULL ? "kept" : "removed");
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

void
fen_pacs_secret_store_async (const char *node_id, const char *label, const char *secret,
                             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, fen_pacs_secret_store_async);
  if (secret != NULL && *secret != '\0')
    {
      /* A non-NULL task data marks a store, NULL a clear. */
      g_task_set_task_data (task, GINT_TO_POINTER (1), NULL);
      secret_password_store (fen_pacs_secret_schema (), SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                             fen_pacs_secret_stored_cb, task, "node", node_id, NULL);
    }
  else
    secret_password_clear (fen_pacs_secret_schema (), cancellable, fen_pacs_secret_stored_cb, task,
                           "node", node_id, NULL);
}

gboolean
fen_pacs_secret_store_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fen_pacs_secret_looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      fen_pacs_secret_explain (&error, "read");
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) fen_pacs_secret_free);
}

void
fen_pacs_secret_lookup_async (const char *node_id, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, fen_pacs_secret_lookup_async);
  secret_password_lookup (fen_pacs_secret_schema (), cancellable, fen_pacs_secret_looked_up_cb, task,
                          "node", node_id, NULL);
}

char *
fen_pacs_secret_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
fen_pacs_secret_free (char *secret)
{
  /* libsecret may hand it out of non-pageable memory: its own free. */
  secret_password_free (secret);
}
