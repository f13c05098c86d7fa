/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pacs-keyring.c: the PACS secrets with a real Secret Service
 * (gnome-keyring-daemon on a private bus, started by test-pacs-keyring.sh).
 * Through the viewer's own code: a node with a Basic password and one with
 * a Bearer token are saved (settings in a keyfile, secrets in the keyring),
 * read back as the Authorization value each node gets, which reaches the
 * wire; no secret is in the settings file nor, in clear, in the keyring's
 * file; editing a secret replaces it and removing one (what the editor does
 * for a node switched to no authentication, and Preferences' Remove) leaves
 * nothing behind. */
#define G_LOG_DOMAIN "test-pacs-keyring"

#include "fen-pacs-node-config.h"
#include "fen-pacs-secret.h"
#include "fen-test-auth-server.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <string.h>

#define BASIC_PASSWORD "open sesame"                      /* RFC 7617's example */
#define BASIC_VALUE    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
#define BEARER_TOKEN   "mF_9.B5f-4.1JqM"                  /* RFC 6750's example */
#define BEARER_VALUE   "Bearer " BEARER_TOKEN

static void
test_store (const char *node_id, const char *secret)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  fen_pacs_secret_store_async (node_id, "Fenestra test node", secret, NULL, fen_test_done_cb, &result);
  g_assert_true (fen_pacs_secret_store_finish (fen_test_wait (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

/* Returns: (transfer full) (nullable): the node's secret, g_malloc'd. */
static char *
test_lookup (const char *node_id)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret, *copy;

  fen_pacs_secret_lookup_async (node_id, NULL, fen_test_done_cb, &result);
  secret = fen_pacs_secret_lookup_finish (fen_test_wait (&result), &error);
  g_assert_no_error (error);
  g_object_unref (result);
  copy = g_strdup (secret);
  if (secret != NULL)
    fen_pacs_secret_free (secret);
  return copy;
}

/* Returns: (transfer full) (nullable): the Authorization value @config gets
 * from its secret in the keyring, as the study browser builds it. */
static char *
test_authorization (const FenPacsNodeConfig *config)
{
  g_autofree char *secret = test_lookup (config->id);

  return fen_pacs_node_config_authorization (config, secret);
}

static gboolean
test_file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return memmem (contents, length, needle, strlen (needle)) != NULL;
}

/* No secret, nor a value built from one, in any file under @dir. */
static void
test_no_secret_under (const char *dir, guint *files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          test_no_secret_under (path, files);
          continue;
        }
      (*files)++;
      g_test_message ("no secret in %s", path);
      g_assert_false (test_file_contains (path, BASIC_PASSWORD));
      g_assert_false (test_file_contains (path, "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
      g_assert_false (test_file_contains (path, BEARER_TOKEN));
    }
}

static void
test_keyring_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("fen-keyring-XXXXXX", &error);
  g_autofree char *keyfile = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(FenTestAuthServer) basic_server = fen_test_auth_server_new (BASIC_VALUE);
  g_autoptr(FenTestAuthServer) bearer_server = fen_test_auth_server_new (BEARER_VALUE);
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_node_config_free);
  g_autoptr(GPtrArray) back = NULL;
  g_autofree char *keyrings = NULL;
  g_autofree char *removed_id = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  FenPacsNodeConfig *basic, *bearer;
  guint files = 0;

  g_assert_no_error (error);
  g_assert_nonnull (source);
  schema = g_settings_schema_source_lookup (source, "org.fenestra.Viewer", TRUE);
  g_assert_nonnull (schema);
  keyfile = g_build_filename (tmp, "settings.ini", NULL);
  backend = g_keyfile_settings_backend_new (keyfile, "/", NULL);
  settings = g_settings_new_full (schema, backend, NULL);

  basic = fen_pacs_node_config_new ("Basic node", basic_server->url);
  basic->auth = FEN_PACS_AUTH_BASIC;
  g_free (basic->user);
  basic->user = g_strdup ("Aladdin");
  bearer = fen_pacs_node_config_new ("Token node", bearer_server->url);
  bearer->auth = FEN_PACS_AUTH_BEARER;
  g_ptr_array_add (nodes, basic);
  g_ptr_array_add (nodes, bearer);

  /* Save, as the node editor does: the node in settings, its secret in
   * the keyring under its id. */
  fen_pacs_node_config_save (settings, nodes);
  test_store (basic->id, BASIC_PASSWORD);
  test_store (bearer->id, BEARER_TOKEN);
  g_settings_sync ();

  /* The settings file holds the nodes, and no secret. */
  g_assert_true (test_file_contains (keyfile, basic->id));
  g_assert_true (test_file_contains (keyfile, bearer->id));
  g_assert_true (test_file_contains (keyfile, "Aladdin"));
  test_no_secret_under (tmp, &files);
  g_assert_cmpuint (files, ==, 1);
  /* The keyring keeps its file encrypted: the secrets are not in it in clear. */
  keyrings = g_build_filename (g_get_user_data_dir (), "keyrings", NULL);
  files = 0;
  test_no_secret_under (keyrings, &files);
  g_assert_cmpuint (files, >=, 1);

  /* Read back from the settings file and the keyring: the Authorization
   * value each node gets, and it reaches the wire. */
  back = fen_pacs_node_config_load (settings);
  g_assert_cmpuint (back->len, ==, 2);
  for (guint i = 0; i < back->len; i++)
    {
      const FenPacsNodeConfig *c = back->pdata[i];
      FenTestAuthServer *server = i == 0 ? basic_server : bearer_server;
      char *value = test_authorization (c);

      g_assert_cmpstr (c->id, ==, ((FenPacsNodeConfig *) nodes->pdata[i])->id);
      g_assert_cmpstr (value, ==, i == 0 ? BASIC_VALUE : BEARER_VALUE);
      g_assert_true (fen_test_auth_echo (c->address, value, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (server->seen, ==, server->expected);
      fen_pacs_node_config_free_secret (value);
    }

  /* Edit: a new password replaces the old one; the archive, which knows
   * only the old one, now refuses. */
  test_store (basic->id, "a new password");
  {
    char *value = test_authorization (basic);

    g_assert_cmpstr (value, ==, "Basic QWxhZGRpbjphIG5ldyBwYXNzd29yZA==");
    g_assert_false (fen_test_auth_echo (basic->address, value, &error));
    g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_HTTP);
    g_clear_error (&error);
    fen_pacs_node_config_free_secret (value);
  }
  /* The bearer node's secret stays what it was. */
  {
    g_autofree char *token = test_lookup (bearer->id);

    g_assert_cmpstr (token, ==, BEARER_TOKEN);
  }

  /* Edit to no authentication: the editor's store of nothing clears it. */
  test_store (bearer->id, NULL);
  {
    g_autofree char *token = test_lookup (bearer->id);

    g_assert_null (token);
  }
  /* Remove: Preferences drops the node from settings and clears its secret. */
  removed_id = g_strdup (basic->id);
  g_ptr_array_remove_index (nodes, 0);
  fen_pacs_node_config_save (settings, nodes);
  test_store (removed_id, NULL);
  {
    g_autofree char *password = test_lookup (removed_id);

    g_assert_null (password);
  }
  /* Clearing what is not there is no error. */
  test_store (removed_id, NULL);

  g_settings_sync ();
  g_assert_false (test_file_contains (keyfile, removed_id));
  g_assert_cmpint (g_unlink (keyfile), ==, 0);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* The script's private bus, with the keyring on it: never the user's. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_error ("run by test-pacs-keyring.sh: DBUS_SESSION_BUS_ADDRESS names the private bus");
  g_test_add_func ("/pacs-keyring/round-trip", test_keyring_round_trip);
  return g_test_run ();
}
