/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-errors.c: what a user reads when a PACS call fails. The net
 * layer's messages are "what happened: the library's cause", precise but
 * technical; here each FenNetError becomes what to check, and the message
 * itself goes behind the browser's Details. */
#define G_LOG_DOMAIN "fen-pacs-browser"

#include "fen-pacs-errors.h"

#include <fenestra/fen-pacs.h>

#include <stdio.h>
#include <string.h>

/* The status of "...: HTTP 404 Not Found", or 0. */
static guint
fen_pacs_error_http_status (const char *message)
{
  const char *p = strstr (message, "HTTP ");
  guint status = 0;

  if (p == NULL || sscanf (p + 5, "%3u", &status) != 1)
    return 0;
  return status;
}

static char *
fen_pacs_error_http_words (const char *message)
{
  guint status = fen_pacs_error_http_status (message);

  if (status == 401 || status == 403)
    return g_strdup_printf ("The archive refused access (HTTP %u): the user name, password or token "
                            "is missing or wrong. Check the node in Preferences.", status);
  if (status == 404)
    return g_strdup ("The archive has no such study, or no DICOMweb service at this address (HTTP 404). "
                     "Check the node's address in Preferences.");
  if (status == 503)
    return g_strdup ("The archive is unavailable or busy (HTTP 503). Try again later.");
  if (status >= 500)
    return g_strdup_printf ("The archive failed while answering (HTTP %u). Try again later, or ask its "
                            "administrator.", status);
  if (status >= 400)
    return g_strdup_printf ("The archive refused the request (HTTP %u).", status);
  return g_strdup ("The archive answered with an error.");
}

char *
fen_pacs_error_to_words (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);
  if (error->domain != FEN_NET_ERROR)
    {
      g_autofree char *text = g_strdup (error->message);

      if (text[0] != '\0')
        text[0] = g_ascii_toupper (text[0]);
      return g_steal_pointer (&text);
    }
  switch ((FenNetError) error->code)
    {
    case FEN_NET_ERROR_INVALID_NODE:
      return g_strdup ("This archive's address is not usable. Edit the node in Preferences.");
    case FEN_NET_ERROR_INVALID_QUERY:
      /* The layer's text names the field and what it wants. */
      return g_strdup_printf ("A search field is not valid: %s.", error->message);
    case FEN_NET_ERROR_CONNECT:
      if (strstr (error->message, "host name") != NULL)
        return g_strdup ("The archive's host name is unknown. Check the node's host in Preferences.");
      return g_strdup ("Could not connect to the archive. Check its host and port, and that it is running.");
    case FEN_NET_ERROR_TIMEOUT:
      return g_strdup ("The archive did not answer in time. It may be busy, or the network slow.");
    case FEN_NET_ERROR_REJECTED:
      return g_strdup ("The archive refused the connection. It may not know this viewer's AE title, "
                       "or the archive's own AE title is set wrong.");
    case FEN_NET_ERROR_FAILED:
      return g_strdup ("The archive reported that the request failed.");
    case FEN_NET_ERROR_HTTP:
      return fen_pacs_error_http_words (error->message);
    case FEN_NET_ERROR_PROTOCOL:
      /* Orthanc and others accept any AE title, then abort at the request. */
      if (strstr (error->message, "aborted the association") != NULL)
        return g_strdup ("The archive ended the connection. It may not know this viewer's AE title, "
                         "or not allow this request.");
      return g_strdup ("The archive's answer could not be understood, or the connection broke.");
    case FEN_NET_ERROR_TOO_LARGE:
      return g_strdup ("The archive's answer is too large. Narrow the search.");
    case FEN_NET_ERROR_IO:
      return g_strdup ("A retrieved image could not be saved on this computer.");
    case FEN_NET_ERROR_CANCELLED:
      return g_strdup ("Cancelled.");
    default:
      return g_strdup ("The archive could not be used.");
    }
}
