/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pacs-ui.c: the viewer's PACS parts that need no window: nodes kept
 * in GSettings (a memory backend over the build's compiled schema) and
 * read back, the DIMSE address the node editor writes (parsed back by
 * fen_pacs_node_parse), the Authorization values (RFC 7617's own example),
 * the keyring with no Secret Service reachable (an error in words, no
 * crash, nothing stored), errors in words, and how names and dates read. */
#define G_LOG_DOMAIN "test-pacs-ui"

#include "fen-pacs-errors.h"
#include "fen-pacs-item.h"
#include "fen-pacs-node-config.h"
#include "fen-pacs-node-editor.h"
#include "fen-pacs-secret.h"
#include "fen-test-auth-server.h"

#include <fenestra/fen-pacs-query.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <string.h>

static GSettings *
test_settings_new (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source != NULL
                                        ? g_settings_schema_source_lookup (source, "org.fenestra.Viewer", TRUE)
                                        : NULL;

  g_assert_nonnull (schema);
  return g_settings_new_full (schema, backend, NULL);
}

static void
test_config_round_trip (void)
{
  g_autoptr(GSettings) settings = test_settings_new ();
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_node_config_free);
  g_autoptr(GPtrArray) back = NULL;
  FenPacsNodeConfig *a = fen_pacs_node_config_new ("Main PACS", "dicom://PACS@pacs.example:104?calling=ME&method=get");
  FenPacsNodeConfig *b = fen_pacs_node_config_new ("Web", "https://pacs.example/dicom-web");
  g_autoptr(GVariant) raw = NULL;
  g_autofree char *text = NULL;

  b->auth = FEN_PACS_AUTH_BASIC;
  g_free (b->user);
  b->user = g_strdup ("reader");
  g_ptr_array_add (nodes, a);
  g_ptr_array_add (nodes, b);
  g_assert_cmpstr (a->id, !=, b->id);
  fen_pacs_node_config_save (settings, nodes);

  back = fen_pacs_node_config_load (settings);
  g_assert_cmpuint (back->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const FenPacsNodeConfig *x = nodes->pdata[i], *y = back->pdata[i];

      g_assert_cmpstr (x->id, ==, y->id);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->address, ==, y->address);
      g_assert_cmpint (x->auth, ==, y->auth);
      g_assert_cmpstr (x->user, ==, y->user);
    }
  /* What is kept is what the schema says, and no secret is in it. */
  raw = g_settings_get_value (settings, "pacs-nodes");
  text = g_variant_print (raw, FALSE);
  g_assert_true (strstr (text, "'basic'") != NULL);
  g_assert_true (strstr (text, "reader") != NULL);
}

static void
test_config_skips_broken (void)
{
  g_autoptr(GSettings) settings = test_settings_new ();
  g_autoptr(GPtrArray) back = NULL;

  g_settings_set_value (settings, "pacs-nodes",
                        g_variant_new_parsed ("[('', 'no id', 'dicom://A@h:1', 'none', ''),"
                                              " ('x', 'no address', '', 'none', ''),"
                                              " ('y', '', 'http://h/dw', 'bogus', '')]"));
  back = fen_pacs_node_config_load (settings);
  g_assert_cmpuint (back->len, ==, 1);
  /* No name: the address names it; an unknown authentication is none. */
  g_assert_cmpstr (((FenPacsNodeConfig *) back->pdata[0])->name, ==, "http://h/dw");
  g_assert_cmpint (((FenPacsNodeConfig *) back->pdata[0])->auth, ==, FEN_PACS_AUTH_NONE);
  g_clear_pointer (&back, g_ptr_array_unref);
  back = fen_pacs_node_config_load (NULL);
  g_assert_cmpuint (back->len, ==, 0);
}

typedef struct {
  const char *called, *host, *calling;
  guint       port, store_port;
  gboolean    move;
} DimseCase;

static void
test_dimse_address (gconstpointer data)
{
  const DimseCase *c = data;
  g_autofree char *address = fen_pacs_node_editor_dimse_address (c->called, c->host, c->port, c->calling, c->move,
                                                                 c->store_port);
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse (address, &error);

  g_assert_no_error (error);
  g_assert_cmpint (node->protocol, ==, FEN_PACS_DIMSE);
  g_assert_cmpstr (node->called_ae, ==, c->called);
  g_assert_cmpstr (node->calling_ae, ==, c->calling);
  g_assert_cmpuint (node->port, ==, c->port);
  g_assert_cmpint (node->method, ==, c->move ? FEN_PACS_RETRIEVE_MOVE : FEN_PACS_RETRIEVE_GET);
  if (c->move)
    g_assert_cmpuint (node->store_port, ==, c->store_port);
  g_assert_null (node->authorization);
}

static const DimseCase dimse_cases[] = {
  { "ORTHANC", "127.0.0.1", "FENESTRA", 4242, 0, FALSE },
  { "MAIN PACS", "pacs.example.org", "MY WS", 104, 11112, TRUE },   /* spaces are allowed in AE titles */
  { "A&B=C", "::1", "X?Y", 11112, 0, FALSE },                        /* query characters, an IPv6 host */
};

static void
test_authorization (void)
{
  g_autoptr(FenPacsNodeConfig) c = fen_pacs_node_config_new ("web", "https://h/dw");
  char *value;

  g_assert_null (fen_pacs_node_config_authorization (c, "secret"));   /* auth none */
  c->auth = FEN_PACS_AUTH_BASIC;
  g_free (c->user);
  c->user = g_strdup ("Aladdin");
  /* RFC 7617 2: the example's credentials and header. */
  value = fen_pacs_node_config_authorization (c, "open sesame");
  g_assert_cmpstr (value, ==, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  fen_pacs_node_config_free_secret (value);
  g_assert_null (fen_pacs_node_config_authorization (c, ""));
  c->auth = FEN_PACS_AUTH_BEARER;
  value = fen_pacs_node_config_authorization (c, "mF_9.B5f-4.1JqM");
  g_assert_cmpstr (value, ==, "Bearer mF_9.B5f-4.1JqM");
  fen_pacs_node_config_free_secret (value);
}

/* With the session bus pointed at nothing, libsecret cannot reach a
 * Secret Service: the store and the lookup end in an error that says so. */
static void
test_secret_no_service (void)
{
  GAsyncResult *stored = NULL, *looked_up = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lookup_error = NULL;
  char *secret;

  fen_pacs_secret_store_async ("test-node", "Fenestra test", "hunter2", NULL, fen_test_done_cb, &stored);
  g_assert_false (fen_pacs_secret_store_finish (fen_test_wait (&stored), &error));
  g_assert_nonnull (error);
  g_test_message ("store: %s", error->message);
  g_assert_true (strstr (error->message, "no keyring (Secret Service) is reachable") != NULL);
  /* The secret itself never appears in what is said. */
  g_assert_null (strstr (error->message, "hunter2"));
  g_object_unref (stored);

  fen_pacs_secret_lookup_async ("test-node", NULL, fen_test_done_cb, &looked_up);
  secret = fen_pacs_secret_lookup_finish (fen_test_wait (&looked_up), &lookup_error);
  g_assert_null (secret);
  g_assert_nonnull (lookup_error);
  g_assert_true (strstr (lookup_error->message, "could not be read") != NULL);
  g_object_unref (looked_up);
}

typedef struct {
  FenNetError  code;
  const char  *message;
  const char  *words;   /* a phrase the user reads */
} WordsCase;

static const WordsCase words_cases[] = {
  { FEN_NET_ERROR_CONNECT, "C-FIND ORTHANC@127.0.0.1:9: could not connect: TCP Initialization Error", "Could not connect" },
  { FEN_NET_ERROR_CONNECT, "the archive's host name nowhere is unknown: x", "host name is unknown" },
  { FEN_NET_ERROR_TIMEOUT, "C-FIND ...: the archive did not answer in time: DUL read timeout", "did not answer in time" },
  { FEN_NET_ERROR_REJECTED, "C-ECHO ...: the archive rejected the association", "AE title" },
  { FEN_NET_ERROR_PROTOCOL, "C-FIND ...: the archive aborted the association (does it know our AE title?): x",
    "may not know this viewer's AE title" },
  { FEN_NET_ERROR_HTTP, "the archive refused access: HTTP 401 Unauthorized", "password or token" },
  { FEN_NET_ERROR_HTTP, "no such service: HTTP 404 Not Found", "HTTP 404" },
  { FEN_NET_ERROR_HTTP, "the archive failed while answering: HTTP 500 Internal Server Error", "HTTP 500" },
  { FEN_NET_ERROR_INVALID_QUERY, "the date “2024” is not YYYYMMDD", "not YYYYMMDD" },
  { FEN_NET_ERROR_TOO_LARGE, "more than 100000", "Narrow the search" },
};

static void
test_error_words (gconstpointer data)
{
  const WordsCase *c = data;
  g_autoptr(GError) error = g_error_new_literal (FEN_NET_ERROR, c->code, c->message);
  g_autofree char *words = fen_pacs_error_to_words (error);

  g_test_message ("%s -> %s", c->message, words);
  g_assert_true (strstr (words, c->words) != NULL);
}

static void
test_item_format (void)
{
  const char *names[][2] = {
    { "DOE^JANE", "DOE, JANE" },
    { "DOE^JANE^M^DR^PHD", "DOE, JANE M DR PHD" },
    { "DOE", "DOE" },
    { "^JANE", "JANE" },
    { "YAMADA^TARO=山田^太郎=やまだ^たろう", "YAMADA, TARO" },   /* PS3.5 H.3: the alphabetic group */
  };
  g_autofree char *d1 = fen_pacs_item_format_date ("20240115");
  g_autofree char *d2 = fen_pacs_item_format_date ("2024");
  g_autofree char *none = fen_pacs_item_format_name (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *got = fen_pacs_item_format_name (names[i][0]);

      g_assert_cmpstr (got, ==, names[i][1]);
    }
  g_assert_cmpstr (d1, ==, "2024-01-15");
  g_assert_cmpstr (d2, ==, "2024");
  g_assert_cmpstr (none, ==, "");
}

/* The async wrappers: a cancel before the thread runs is our cancel, not
 * GIO's; a refused connection comes back as CONNECT on the caller's
 * context; the caller's node and query may be freed at once. */
static void
test_async_cancelled (void)
{
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse ("dicom://ARCHIVE@127.0.0.1:1?timeout=5", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  char *name = g_strdup ("DOE^*");
  FenPacsQuery query = { .level = FEN_PACS_LEVEL_STUDY, .patient_name = name };
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *matches;

  g_cancellable_cancel (cancellable);
  fen_pacs_find_async (node, &query, cancellable, fen_test_done_cb, &result);
  g_free (name);   /* copied by the call */
  matches = fen_pacs_find_finish (fen_test_wait (&result), &error);
  g_assert_null (matches);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED);
  g_object_unref (result);
}

static void
test_async_refused (void)
{
  /* Port 1 on loopback: nothing listens there on a test machine. */
  FenPacsNode *node = fen_pacs_node_parse ("dicom://ARCHIVE@127.0.0.1:1?timeout=5", NULL);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  fen_pacs_echo_async (node, NULL, fen_test_done_cb, &result);
  fen_pacs_node_free (node);   /* copied by the call */
  g_assert_false (fen_pacs_echo_finish (fen_test_wait (&result), &error));
  g_test_message ("echo: %s", error->message);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CONNECT);
  g_object_unref (result);
}

static void
test_node_copy (void)
{
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse ("https://pacs.example/dicom-web", NULL);
  g_autoptr(FenPacsNode) copy = NULL;

  node->authorization = g_strdup ("Bearer abc");
  copy = fen_pacs_node_copy (node);
  g_assert_cmpstr (copy->base_url, ==, node->base_url);
  g_assert_cmpstr (copy->authorization, ==, "Bearer abc");
  /* A copy of its own: freeing one leaves the other whole. */
  g_assert_true (copy->authorization != node->authorization);
  g_assert_true (copy->base_url != node->base_url);
}

/* The Authorization value reaches the wire: a loopback SoupServer that
 * answers QIDO only to "Basic" + RFC 7617's example credentials. */
static void
test_authorization_on_the_wire (void)
{
  g_autoptr(FenTestAuthServer) a = fen_test_auth_server_new ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  g_autoptr(FenPacsNodeConfig) c = fen_pacs_node_config_new ("web", "http://127.0.0.1/dw");
  g_autoptr(GError) error = NULL;
  char *value;

  c->auth = FEN_PACS_AUTH_BASIC;
  g_free (c->user);
  c->user = g_strdup ("Aladdin");
  value = fen_pacs_node_config_authorization (c, "open sesame");
  g_assert_true (fen_test_auth_echo (a->url, value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (a->seen, ==, a->expected);
  fen_pacs_node_config_free_secret (value);

  /* Without it, or with a wrong one: 401, in words. */
  g_assert_false (fen_test_auth_echo (a->url, NULL, &error));
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_HTTP);
  g_assert_null (a->seen);
  {
    g_autofree char *words = fen_pacs_error_to_words (error);

    g_assert_true (strstr (words, "refused access (HTTP 401)") != NULL);
  }
  g_clear_error (&error);
  g_assert_false (fen_test_auth_echo (a->url, "Bearer wrong", &error));
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_HTTP);
  g_assert_cmpstr (a->seen, ==, "Bearer wrong");
  g_assert_cmpuint (a->requests, ==, 3);
}

int
main (int argc, char **argv)
{
  /* Nothing listens here: the Secret Service is unreachable. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/fenestra-test-bus", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pacs-ui/config/round-trip", test_config_round_trip);
  g_test_add_func ("/pacs-ui/config/skips-broken", test_config_skips_broken);
  for (guint i = 0; i < G_N_ELEMENTS (dimse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pacs-ui/editor/dimse-address/%u", i);

      g_test_add_data_func (path, &dimse_cases[i], test_dimse_address);
    }
  g_test_add_func ("/pacs-ui/config/authorization", test_authorization);
  g_test_add_func ("/pacs-ui/secret/no-service", test_secret_no_service);
  for (guint i = 0; i < G_N_ELEMENTS (words_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pacs-ui/errors/words/%u", i);

      g_test_add_data_func (path, &words_cases[i], test_error_words);
    }
  g_test_add_func ("/pacs-ui/item/format", test_item_format);
  g_test_add_func ("/pacs-ui/async/cancelled", test_async_cancelled);
  g_test_add_func ("/pacs-ui/async/refused", test_async_refused);
  g_test_add_func ("/pacs-ui/node/copy", test_node_copy);
  g_test_add_func ("/pacs-ui/dicomweb/authorization", test_authorization_on_the_wire);
  return g_test_run ();
}
