/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-auth-server.c: see fen-test-auth-server.h. */
#define G_LOG_DOMAIN "fen-test-auth-server"

#include "fen-test-auth-server.h"

#include <fenestra/fen-pacs-query.h>

static void
fen_test_auth_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                       gpointer user_data)
{
  FenTestAuthServer *a = user_data;
  const char *got = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  a->requests++;
  g_free (a->seen);
  a->seen = g_strdup (got);
  if (g_strcmp0 (got, a->expected) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/dicom+json", SOUP_MEMORY_STATIC, "[]", 2);
}

FenTestAuthServer *
fen_test_auth_server_new (const char *expected)
{
  FenTestAuthServer *a = g_new0 (FenTestAuthServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  a->server = soup_server_new (NULL, NULL);
  a->expected = g_strdup (expected);
  soup_server_add_handler (a->server, NULL, fen_test_auth_handler, a, NULL);
  g_assert_true (soup_server_listen_local (a->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (a->server);
  a->url = g_strdup_printf ("http://127.0.0.1:%d/dicom-web", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return a;
}

void
fen_test_auth_server_free (FenTestAuthServer *a)
{
  if (a == NULL)
    return;
  soup_server_disconnect (a->server);
  g_object_unref (a->server);
  g_free (a->url);
  g_free (a->expected);
  g_free (a->seen);
  g_free (a);
}

void
fen_test_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
fen_test_wait (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*result);
  return *result;
}

gboolean
fen_test_auth_echo (const char *url, const char *authorization, GError **error)
{
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse (url, NULL);
  GAsyncResult *result = NULL;
  gboolean ok;

  g_assert_nonnull (node);
  node->authorization = g_strdup (authorization);
  fen_pacs_echo_async (node, NULL, fen_test_done_cb, &result);
  ok = fen_pacs_echo_finish (fen_test_wait (&result), error);
  g_object_unref (result);
  return ok;
}
