/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-node.c: a PACS node from its one-line address, as the command
 * line and the preferences write it. Everything is checked here, so the
 * DIMSE and DICOMweb code can trust the node. */
#define G_LOG_DOMAIN "fen-net"

#include <fenestra/fen-pacs.h>

#include <string.h>

#define FEN_PACS_DEFAULT_CALLING_AE "FENESTRA"
#define FEN_PACS_DEFAULT_CONNECT_TIMEOUT 10
#define FEN_PACS_DEFAULT_TIMEOUT 30

void
fen_pacs_node_free (FenPacsNode *node)
{
  if (node == NULL)
    return;
  g_free (node->called_ae);
  g_free (node->calling_ae);
  g_free (node->host);
  g_free (node->base_url);
  if (node->authorization != NULL)
    {
      /* A credential: not left behind in freed memory. */
      memset (node->authorization, 0, strlen (node->authorization));
      g_free (node->authorization);
    }
  g_free (node);
}

FenPacsNode *
fen_pacs_node_copy (const FenPacsNode *node)
{
  FenPacsNode *copy;

  g_return_val_if_fail (node != NULL, NULL);
  copy = g_new (FenPacsNode, 1);
  *copy = *node;
  copy->called_ae = g_strdup (node->called_ae);
  copy->calling_ae = g_strdup (node->calling_ae);
  copy->host = g_strdup (node->host);
  copy->base_url = g_strdup (node->base_url);
  copy->authorization = g_strdup (node->authorization);
  return copy;
}

/* PS3.5 6.2: an AE title is 1 to 16 characters of the default repertoire,
 * no backslash, no control characters, not only spaces. */
static gboolean
fen_pacs_ae_is_valid (const char *ae)
{
  gsize n = strlen (ae);
  gboolean blank = TRUE;

  if (n == 0 || n > 16)
    return FALSE;
  for (const char *p = ae; *p; p++)
    {
      if (*p < 0x20 || *p > 0x7e || *p == '\\')
        return FALSE;
      if (*p != ' ')
        blank = FALSE;
    }
  return !blank;
}

static gboolean
fen_pacs_parse_uint (const char *text, guint64 max, guint64 *out)
{
  char *end = NULL;
  guint64 v;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  v = g_ascii_strtoull (text, &end, 10);
  if (*end != '\0' || v < 1 || v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

static FenPacsNode *
fen_pacs_node_fail (FenPacsNode *node, GError **error, const char *uri, const char *why)
{
  g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_NODE,
               "“%s” is not a usable PACS node: %s", uri, why);
  fen_pacs_node_free (node);
  return NULL;
}

static FenPacsNode *
fen_pacs_node_parse_dimse (GUri *parsed, const char *uri, GError **error)
{
  FenPacsNode *node = g_new0 (FenPacsNode, 1);
  const char *user = g_uri_get_user (parsed);
  const char *query = g_uri_get_query (parsed);
  const char *path = g_uri_get_path (parsed);

  node->protocol = FEN_PACS_DIMSE;
  node->method = FEN_PACS_RETRIEVE_GET;
  node->connect_timeout = FEN_PACS_DEFAULT_CONNECT_TIMEOUT;
  node->timeout = FEN_PACS_DEFAULT_TIMEOUT;

  if (user == NULL || !fen_pacs_ae_is_valid (user))
    return fen_pacs_node_fail (node, error, uri,
                               "it needs the archive's AE title before “@” (1 to 16 characters)");
  if (g_uri_get_password (parsed) != NULL)
    return fen_pacs_node_fail (node, error, uri, "a DIMSE address has no password");
  if (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return fen_pacs_node_fail (node, error, uri, "it has no host");
  if (g_uri_get_port (parsed) <= 0 || g_uri_get_port (parsed) > 65535)
    return fen_pacs_node_fail (node, error, uri, "it needs the archive's port (HOST:PORT)");
  if (path != NULL && *path != '\0' && strcmp (path, "/") != 0)
    return fen_pacs_node_fail (node, error, uri, "a DIMSE address has no path");
  if (g_uri_get_fragment (parsed) != NULL)
    return fen_pacs_node_fail (node, error, uri, "a DIMSE address has no fragment");

  node->called_ae = g_strdup (user);
  node->host = g_strdup (g_uri_get_host (parsed));
  node->port = (guint16) g_uri_get_port (parsed);
  node->calling_ae = g_strdup (FEN_PACS_DEFAULT_CALLING_AE);

  if (query != NULL && *query != '\0')
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GHashTable) params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &local);
      GHashTableIter iter;
      gpointer key, value;

      if (params == NULL)
        return fen_pacs_node_fail (node, error, uri, local->message);
      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          guint64 n;

          if (strcmp (key, "calling") == 0)
            {
              if (!fen_pacs_ae_is_valid (value))
                return fen_pacs_node_fail (node, error, uri,
                                           "calling= wants our AE title, 1 to 16 characters");
              g_free (node->calling_ae);
              node->calling_ae = g_strdup (value);
            }
          else if (strcmp (key, "method") == 0)
            {
              if (strcmp (value, "get") == 0)
                node->method = FEN_PACS_RETRIEVE_GET;
              else if (strcmp (value, "move") == 0)
                node->method = FEN_PACS_RETRIEVE_MOVE;
              else
                return fen_pacs_node_fail (node, error, uri, "method= is get or move");
            }
          else if (strcmp (key, "port") == 0)
            {
              if (!fen_pacs_parse_uint (value, 65535, &n))
                return fen_pacs_node_fail (node, error, uri, "port= wants our storage port, 1 to 65535");
              node->store_port = (guint16) n;
            }
          else if (strcmp (key, "timeout") == 0)
            {
              if (!fen_pacs_parse_uint (value, 3600, &n))
                return fen_pacs_node_fail (node, error, uri, "timeout= wants seconds, 1 to 3600");
              node->timeout = (guint) n;
              node->connect_timeout = MIN ((guint) n, node->connect_timeout);
            }
          else
            {
              g_autofree char *why = g_strdup_printf ("unknown parameter “%s” (calling, method, port, timeout)",
                                                      (const char *) key);
              return fen_pacs_node_fail (node, error, uri, why);
            }
        }
    }
  if (node->method == FEN_PACS_RETRIEVE_MOVE && node->store_port == 0)
    return fen_pacs_node_fail (node, error, uri,
                               "method=move needs port=N, where our storage SCP listens");
  return node;
}

static FenPacsNode *
fen_pacs_node_parse_web (GUri *parsed, const char *uri, GError **error)
{
  FenPacsNode *node = g_new0 (FenPacsNode, 1);
  const char *path = g_uri_get_path (parsed);
  g_autofree char *trimmed = NULL;
  g_autoptr(GUri) base = NULL;

  node->protocol = FEN_PACS_DICOMWEB;
  node->connect_timeout = FEN_PACS_DEFAULT_CONNECT_TIMEOUT;
  node->timeout = FEN_PACS_DEFAULT_TIMEOUT;

  /* Passwords never go on a command line or into settings (the Secret
   * Service keeps them), so an address with credentials is refused. */
  if (g_uri_get_userinfo (parsed) != NULL)
    return fen_pacs_node_fail (node, error, uri,
                               "credentials do not belong in the address (they are kept in the keyring)");
  if (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return fen_pacs_node_fail (node, error, uri, "it has no host");
  if (g_uri_get_query (parsed) != NULL || g_uri_get_fragment (parsed) != NULL)
    return fen_pacs_node_fail (node, error, uri, "a DICOMweb root has no query or fragment");

  trimmed = g_strdup (path != NULL ? path : "");
  while (*trimmed != '\0' && trimmed[strlen (trimmed) - 1] == '/')
    trimmed[strlen (trimmed) - 1] = '\0';
  base = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (parsed), NULL, g_uri_get_host (parsed),
                      g_uri_get_port (parsed), trimmed, NULL, NULL);
  node->base_url = g_uri_to_string (base);
  node->host = g_strdup (g_uri_get_host (parsed));
  node->port = g_uri_get_port (parsed) > 0 ? (guint16) g_uri_get_port (parsed) : 0;
  return node;
}

FenPacsNode *
fen_pacs_node_parse (const char *uri, GError **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local = NULL;
  const char *scheme;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY, &local);
  if (parsed == NULL)
    {
      g_autofree char *why = g_strdup_printf ("%s (an address is dicom://AE@HOST:PORT or "
                                              "http[s]://HOST:PORT/PATH)", local->message);
      return fen_pacs_node_fail (NULL, error, uri, why);
    }
  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "dicom") == 0)
    return fen_pacs_node_parse_dimse (parsed, uri, error);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    return fen_pacs_node_parse_web (parsed, uri, error);
  return fen_pacs_node_fail (NULL, error, uri, "the address starts with dicom://, http:// or https://");
}
