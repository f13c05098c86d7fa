/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pacs-node.c: PACS node addresses, as the command line and the
 * preferences write them: what each part becomes, and a clear error for
 * each way an address can be wrong. Also the UID check that guards every
 * file name a peer could influence. */
#include <fenestra/fen-pacs.h>

#include <string.h>

typedef struct {
  const char            *uri;
  FenPacsProtocol        protocol;
  const char            *called_ae;
  const char            *calling_ae;
  const char            *host;
  guint16                port;
  FenPacsRetrieveMethod  method;
  guint16                store_port;
  guint                  timeout;
  const char            *base_url;
} FenNodeCase;

static const FenNodeCase fen_good[] = {
  { "dicom://ORTHANC@127.0.0.1:4242", FEN_PACS_DIMSE, "ORTHANC", "FENESTRA", "127.0.0.1", 4242,
    FEN_PACS_RETRIEVE_GET, 0, 30, NULL },
  { "dicom://PACS@pacs.example.org:104?calling=VIEWER&method=move&port=11112", FEN_PACS_DIMSE, "PACS",
    "VIEWER", "pacs.example.org", 104, FEN_PACS_RETRIEVE_MOVE, 11112, 30, NULL },
  { "dicom://A%20B@[::1]:4242?method=get&timeout=5", FEN_PACS_DIMSE, "A B", "FENESTRA", "::1", 4242,
    FEN_PACS_RETRIEVE_GET, 0, 5, NULL },
  { "http://127.0.0.1:8042/dicom-web/", FEN_PACS_DICOMWEB, NULL, NULL, "127.0.0.1", 8042, 0, 0, 30,
    "http://127.0.0.1:8042/dicom-web" },
  { "https://pacs.example.org/wado/rs", FEN_PACS_DICOMWEB, NULL, NULL, "pacs.example.org", 0, 0, 0, 30,
    "https://pacs.example.org/wado/rs" },
};

typedef struct {
  const char *uri;
  const char *says;   /* a word the message must contain */
} FenBadCase;

static const FenBadCase fen_bad[] = {
  { "", "dicom://" },
  { "ftp://host/x", "dicom://" },
  { "dicom://127.0.0.1:4242", "AE title" },
  { "dicom://THIS_AE_IS_MUCH_TOO_LONG@127.0.0.1:4242", "AE title" },
  { "dicom://A%5CB@127.0.0.1:4242", "AE title" },
  { "dicom://%20%20@127.0.0.1:4242", "AE title" },
  { "dicom://ORTHANC@127.0.0.1", "port" },
  { "dicom://ORTHANC@127.0.0.1:99999", "PACS node" },
  { "dicom://ORTHANC@127.0.0.1:4242?method=move", "port=N" },
  { "dicom://ORTHANC@127.0.0.1:4242?method=post", "get or move" },
  { "dicom://ORTHANC@127.0.0.1:4242?port=0&method=move", "port=" },
  { "dicom://ORTHANC@127.0.0.1:4242?calling=", "calling=" },
  { "dicom://ORTHANC@127.0.0.1:4242?timeout=0", "timeout=" },
  { "dicom://ORTHANC@127.0.0.1:4242?colour=red", "unknown parameter" },
  { "dicom://ORTHANC:secret@127.0.0.1:4242", "password" },
  { "dicom://ORTHANC@127.0.0.1:4242/path", "no path" },
  { "http://user:pw@127.0.0.1:8042/dicom-web", "credentials" },
  { "http://127.0.0.1:8042/dicom-web?x=1", "no query" },
  { "http:///dicom-web", "PACS node" },
};

static void
test_node_good (gconstpointer data)
{
  const FenNodeCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse (c->uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpint (node->protocol, ==, c->protocol);
  g_assert_cmpstr (node->called_ae, ==, c->called_ae);
  g_assert_cmpstr (node->calling_ae, ==, c->calling_ae);
  g_assert_cmpstr (node->host, ==, c->host);
  g_assert_cmpuint (node->port, ==, c->port);
  g_assert_cmpuint (node->timeout, ==, c->timeout);
  g_assert_cmpuint (node->connect_timeout, <=, node->timeout);
  g_assert_cmpuint (node->connect_timeout, >=, 1);
  g_assert_cmpstr (node->base_url, ==, c->base_url);
  if (c->protocol == FEN_PACS_DIMSE)
    {
      g_assert_cmpint (node->method, ==, c->method);
      g_assert_cmpuint (node->store_port, ==, c->store_port);
    }
}

static void
test_node_bad (gconstpointer data)
{
  const FenBadCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse (c->uri, &error);

  g_assert_null (node);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_NODE);
  if (strstr (error->message, c->says) == NULL)
    g_error ("%s: the message \"%s\" does not say \"%s\"", c->uri, error->message, c->says);
}

static void
test_uid (void)
{
  static const char *const good[] = { "1.2.840.10008.1.2.1", "0", "2.25.0.1",
    "1.2.345678901234567890123456789012345678901234567890123456789012" };
  static const char *const bad[] = { "", ".1", "1.", "1..2", "1.02", "1.2a", "../../etc/passwd", "1/2",
    "1.2.3456789012345678901234567890123456789012345678901234567890123", "1.2 " };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (fen_pacs_uid_is_valid (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    if (fen_pacs_uid_is_valid (bad[i]))
      g_error ("\"%s\" passed as a UID", bad[i]);
  g_assert_false (fen_pacs_uid_is_valid (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fen_good); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pacs/node/good/%u", i);
      g_test_add_data_func (path, &fen_good[i], test_node_good);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fen_bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pacs/node/bad/%u", i);
      g_test_add_data_func (path, &fen_bad[i], test_node_bad);
    }
  g_test_add_func ("/pacs/uid", test_uid);
  return g_test_run ();
}
