/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicomweb.c: the DICOMweb half of libfenestra-net (PS3.18), on
 * libsoup 3. QIDO-RS answers are read whole but bounded; WADO-RS answers,
 * multipart/related of application/dicom parts, are read as a stream with
 * SoupMultipartInputStream, one part in flight, each part written to a
 * temporary file and renamed into place once complete. The calls are
 * synchronous with a GCancellable: run them in a worker thread. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-close-watch.h"
#include "fen-dicomweb-private.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include <string.h>

#define FEN_DICOMWEB_CHUNK 65536
#define FEN_DICOMWEB_STUDY_FIELDS \
  "includefield=00081030&includefield=00080061&includefield=00201206&includefield=00201208"
#define FEN_DICOMWEB_SERIES_FIELDS \
  "includefield=0008103E&includefield=00200011&includefield=00201209"

static SoupSession *
fen_dicomweb_session_new (const FenPacsNode *node)
{
  /* "timeout" bounds each wait for the peer, connecting included; the
   * system's CA store checks TLS (libsoup's default database). */
  return soup_session_new_with_options ("timeout", node->timeout,
                                        "idle-timeout", node->timeout,
                                        "user-agent", "Fenestra/" "0.1",
                                        NULL);
}

static void
fen_dicomweb_transport_error (GError *cause, const FenPacsNode *node, GError **error)
{
  FenNetError code = FEN_NET_ERROR_CONNECT;
  const char *words = "could not reach the archive";

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      code = FEN_NET_ERROR_CANCELLED;
      words = "cancelled";
    }
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      code = FEN_NET_ERROR_TIMEOUT;
      words = "the archive did not answer in time";
    }
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    words = "the archive refused the connection (is it running on that port?)";
  else if (cause->domain == G_RESOLVER_ERROR)
    words = "the archive's host name is unknown";
  else if (cause->domain == G_TLS_ERROR)
    words = "the secure connection to the archive failed";
  else if (cause->domain != G_IO_ERROR || cause->code != G_IO_ERROR_HOST_UNREACHABLE)
    {
      code = FEN_NET_ERROR_PROTOCOL;
      words = "the connection to the archive broke";
    }
  g_set_error (error, FEN_NET_ERROR, code, "%s (%s): %s", words, node->base_url, cause->message);
}

static gboolean
fen_dicomweb_check_status (SoupMessage *msg, GError **error)
{
  guint status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);
  const char *words;

  if (status >= 200 && status < 300)
    return TRUE;
  switch (status)
    {
    case 400: words = "the archive did not understand the request"; break;
    case 401:
    case 403: words = "the archive refused access (credentials missing or wrong)"; break;
    case 404: words = "the archive has no such study, series or DICOMweb service at this address"; break;
    case 406:
    case 415: words = "the archive cannot send the objects in a form we accept"; break;
    case 413: words = "the archive found the request too large; narrow the search"; break;
    case 503: words = "the archive is unavailable or busy; try again later"; break;
    default:
      words = status >= 500 ? "the archive failed while answering" : "the archive refused the request";
    }
  g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_HTTP, "%s: HTTP %u %s", words, status,
               reason != NULL ? reason : "");
  return FALSE;
}

/* Sends @msg and returns the body stream once the status is a success. */
static GInputStream *
fen_dicomweb_send (SoupSession *session, SoupMessage *msg, const FenPacsNode *node,
                   GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GInputStream) body = NULL;

  /* RFC 7235 4.2; the value comes from the keyring and is never logged. */
  if (node->authorization != NULL && *node->authorization != '\0')
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", node->authorization);
  body = soup_session_send (session, msg, cancellable, &local);
  if (body == NULL)
    {
      fen_dicomweb_transport_error (local, node, error);
      return NULL;
    }
  if (!fen_dicomweb_check_status (msg, error))
    return NULL;
  return g_steal_pointer (&body);
}

static GBytes *
fen_dicomweb_read_bounded (GInputStream *in, const FenPacsNode *node, GCancellable *cancellable,
                           GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autofree guint8 *chunk = g_malloc (FEN_DICOMWEB_CHUNK);
  /* The session's timeout bounds each wait; a peer that drips a byte now
   * and then never trips it, so the whole answer has a deadline too. */
  gint64 deadline = g_get_monotonic_time () + (gint64) node->timeout * 3 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GError) local = NULL;
      gssize n = g_input_stream_read (in, chunk, FEN_DICOMWEB_CHUNK, cancellable, &local);

      if (n < 0)
        {
          fen_dicomweb_transport_error (local, node, error);
          return NULL;
        }
      if (n == 0)
        break;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TIMEOUT,
                       "the archive sent its search answer too slowly (more than %u s)", node->timeout * 3);
          return NULL;
        }
      if (data->len + (gsize) n > FEN_NET_MAX_QIDO_BYTES)
        {
          g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TOO_LARGE,
                       "the archive's search answer is larger than %u MiB; narrow the search",
                       FEN_NET_MAX_QIDO_BYTES >> 20);
          return NULL;
        }
      g_byte_array_append (data, chunk, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static void
fen_dicomweb_add_param (GString *query, const char *key, const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL || *value == '\0')
    return;
  /* Characters a query may hold as they are (RFC 3986 3.4) stay unescaped,
   * and so does PN's "^": Orthanc's DICOMweb plugin (1.7) matches query
   * values without percent-decoding them, so "DOE%5E*" would find nothing.
   * What must be escaped (space, &, =, +, #, %, non-ASCII) still is. */
  escaped = g_uri_escape_string (value, "*?^,:@!$'();/", FALSE);
  g_string_append_printf (query, "&%s=%s", key, escaped);
}

static gboolean
fen_dicomweb_qido (const FenPacsNode *node, const char *path_and_query, FenPacsLevel level,
                   GPtrArray *matches, GCancellable *cancellable, GError **error)
{
  g_autoptr(SoupSession) session = fen_dicomweb_session_new (node);
  g_autofree char *url = g_strconcat (node->base_url, path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *type;
  gsize length;
  const char *data;

  if (msg == NULL)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY, "cannot form a request URL from %s",
                   node->base_url);
      return FALSE;
    }
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept",
                               "application/dicom+json");
  body = fen_dicomweb_send (session, msg, node, cancellable, error);
  if (body == NULL)
    return FALSE;
  bytes = fen_dicomweb_read_bounded (body, node, cancellable, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &length);
  /* libsoup ends a body that stops short of its Content-Length like a whole
   * one: a dropped connection must not pass for a short answer. */
  if (soup_message_headers_get_encoding (soup_message_get_response_headers (msg)) ==
        SOUP_ENCODING_CONTENT_LENGTH &&
      (goffset) length != soup_message_headers_get_content_length (soup_message_get_response_headers (msg)))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "the connection to the archive broke: its answer ended after %" G_GSIZE_FORMAT
                   " of %" G_GOFFSET_FORMAT " bytes", length,
                   soup_message_headers_get_content_length (soup_message_get_response_headers (msg)));
      return FALSE;
    }
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (length > 0 && type != NULL && g_ascii_strcasecmp (type, "application/dicom+json") != 0 &&
      g_ascii_strcasecmp (type, "application/json") != 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "the archive answered the search with %s, not DICOM JSON", type);
      return FALSE;
    }
  return _fen_qido_parse (data, length, level, matches, error);
}

gboolean
_fen_dicomweb_echo (const FenPacsNode *node, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_match_free);

  return fen_dicomweb_qido (node, "/studies?limit=1", FEN_PACS_LEVEL_STUDY, matches, cancellable, error);
}

GPtrArray *
_fen_dicomweb_find (const FenPacsNode *node, const FenPacsQuery *q, GCancellable *cancellable,
                    GError **error)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_match_free);
  g_autoptr(GString) path = g_string_new (NULL);

  if (q->level == FEN_PACS_LEVEL_STUDY)
    {
      g_string_append (path, "/studies?" FEN_DICOMWEB_STUDY_FIELDS);
      fen_dicomweb_add_param (path, "PatientName", q->patient_name);
      fen_dicomweb_add_param (path, "PatientID", q->patient_id);
      fen_dicomweb_add_param (path, "ModalitiesInStudy", q->modality);
      fen_dicomweb_add_param (path, "AccessionNumber", q->accession);
      fen_dicomweb_add_param (path, "StudyDescription", q->description);
      fen_dicomweb_add_param (path, "StudyInstanceUID", q->study_uid);
    }
  else if (q->level == FEN_PACS_LEVEL_SERIES)
    {
      g_return_val_if_fail (q->study_uid != NULL, NULL);
      g_string_append_printf (path, "/studies/%s/series?" FEN_DICOMWEB_SERIES_FIELDS, q->study_uid);
      fen_dicomweb_add_param (path, "Modality", q->modality);
      fen_dicomweb_add_param (path, "SeriesDescription", q->description);
    }
  else
    {
      g_return_val_if_fail (q->study_uid != NULL && q->series_uid != NULL, NULL);
      g_string_append_printf (path, "/studies/%s/series/%s/instances?includefield=00200013",
                              q->study_uid, q->series_uid);
    }
  if (q->level == FEN_PACS_LEVEL_STUDY &&
      ((q->date_from != NULL && *q->date_from) || (q->date_to != NULL && *q->date_to)))
    {
      g_autofree char *range = g_strdup_printf ("%s-%s", q->date_from ? q->date_from : "",
                                                q->date_to ? q->date_to : "");
      fen_dicomweb_add_param (path, "StudyDate", range);
    }
  if (!fen_dicomweb_qido (node, path->str, q->level, matches, cancellable, error))
    return NULL;
  return g_steal_pointer (&matches);
}

/* FenCloseWatch stopped a line libsoup could not have read. */
static void
fen_dicomweb_line_error (GError **error)
{
  g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
               "the archive's multipart answer has a line of more than 8000 bytes between its objects: "
               "not multipart, or not the boundary it declared");
}

/* One part: into a temporary file in @incoming, then renamed into @dir. */
static gboolean
fen_dicomweb_store_part (GInputStream *part, FenCloseWatch *watch, const char *incoming,
                         const char *dir, guint index, const FenPacsNode *node,
                         FenPacsInstanceFunc func, gpointer user_data, GCancellable *cancellable,
                         GError **error)
{
  g_autofree char *name = g_strdup_printf ("part-%u", index);
  g_autofree char *temp = g_build_filename (incoming, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (temp);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree guint8 *chunk = g_malloc (FEN_DICOMWEB_CHUNK);
  g_autofree char *uid = NULL;
  g_autofree char *final_path = NULL;
  guint64 total = 0;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (out == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      gssize n = g_input_stream_read (part, chunk, FEN_DICOMWEB_CHUNK, cancellable, &local);

      if (n < 0 && fen_close_watch_line_too_long (watch))
        {
          fen_dicomweb_line_error (error);
          return FALSE;
        }
      if (n < 0)
        {
          fen_dicomweb_transport_error (local, node, error);
          g_prefix_error (error, "object %u arrived incomplete: ", index + 1);
          return FALSE;
        }
      if (n == 0)
        break;
      total += (guint64) n;
      if (total > FEN_NET_MAX_OBJECT_BYTES)
        {
          g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TOO_LARGE,
                       "object %u from the archive is larger than 4 GiB", index + 1);
          return FALSE;
        }
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), chunk, (gsize) n, NULL, cancellable, error))
        return FALSE;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error))
    return FALSE;
  if (fen_close_watch_cut_short (watch))
    {
      g_unlink (temp);
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "the archive's answer ended in the middle of object %u (no closing boundary)",
                   index + 1);
      return FALSE;
    }
  if (!_fen_net_read_instance_uid (temp, &uid, error) ||
      !_fen_net_place_instance (temp, dir, uid, &final_path, error))
    return FALSE;
  if (func != NULL)
    func (final_path, uid, user_data);
  return TRUE;
}

gboolean
_fen_dicomweb_read_parts (SoupMessage *msg, GInputStream *body, const char *incoming, const char *dir,
                          const FenPacsNode *node, FenPacsInstanceFunc func, gpointer user_data,
                          guint *n_retrieved, GCancellable *cancellable, GError **error)
{
  g_autoptr(SoupMultipartInputStream) multipart = NULL;
  g_autoptr(FenCloseWatch) watch = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *type, *boundary;

  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), &params);
  if (type == NULL || g_ascii_strcasecmp (type, "multipart/related") != 0 ||
      g_hash_table_lookup (params, "boundary") == NULL)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "the archive answered the retrieve with %s, not multipart/related DICOM",
                   type != NULL ? type : "no content type");
      return FALSE;
    }
  boundary = g_hash_table_lookup (params, "boundary");
  /* RFC 2046 5.1.1: 1 to 70 characters. */
  if (*boundary == '\0' || strlen (boundary) > 70)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "the archive's multipart answer has a boundary of %" G_GSIZE_FORMAT
                   " characters (1 to 70 allowed)", strlen (boundary));
      return FALSE;
    }
  watch = fen_close_watch_new (body, boundary);
  multipart = soup_multipart_input_stream_new (msg, G_INPUT_STREAM (watch));
  for (guint index = 0;; index++)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GInputStream) part = soup_multipart_input_stream_next_part (multipart, cancellable, &local);
      SoupMessageHeaders *headers;
      const char *part_type;

      if (fen_close_watch_line_too_long (watch))
        {
          fen_dicomweb_line_error (error);
          return FALSE;
        }
      if (part == NULL)
        {
          if (local == NULL && !fen_close_watch_saw_close (watch))
            {
              g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                           "the archive's multipart answer ended without its closing boundary "
                           "after %u object(s): cut short, or a boundary that is not the one declared",
                           index);
              return FALSE;
            }
          if (local == NULL)
            return TRUE;
          fen_dicomweb_transport_error (local, node, error);
          g_prefix_error (error, "after %u object(s): ", index);
          return FALSE;
        }
      headers = soup_multipart_input_stream_get_headers (multipart);
      part_type = headers != NULL ? soup_message_headers_get_content_type (headers, NULL) : NULL;
      if (part_type == NULL && fen_close_watch_cut_short (watch))
        {
          g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                       "the archive's multipart answer ended without its closing boundary "
                       "after %u object(s): cut short, or a boundary that is not the one declared",
                       index);
          return FALSE;
        }
      if (part_type == NULL || g_ascii_strcasecmp (part_type, "application/dicom") != 0)
        {
          g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                       "object %u from the archive is %s, not application/dicom", index + 1,
                       part_type != NULL ? part_type : "of no declared type");
          return FALSE;
        }
      if (!fen_dicomweb_store_part (part, watch, incoming, dir, index, node, func, user_data, cancellable,
                                    error))
        return FALSE;
      (*n_retrieved)++;
    }
}

gboolean
_fen_dicomweb_retrieve (const FenPacsNode *node, const char *study_uid, const char *series_uid,
                        const char *sop_instance_uid, const char *dir, FenPacsInstanceFunc func, gpointer user_data,
                        guint *n_retrieved, GCancellable *cancellable, GError **error)
{
  g_autoptr(SoupSession) session = fen_dicomweb_session_new (node);
  g_autofree char *url = sop_instance_uid != NULL
    ? g_strdup_printf ("%s/studies/%s/series/%s/instances/%s", node->base_url, study_uid, series_uid,
                       sop_instance_uid)
    : series_uid != NULL
    ? g_strdup_printf ("%s/studies/%s/series/%s", node->base_url, study_uid, series_uid)
    : g_strdup_printf ("%s/studies/%s", node->base_url, study_uid);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GInputStream) body = NULL;
  char *incoming;
  gboolean ok;

  if (msg == NULL)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY, "cannot form a request URL from %s",
                   node->base_url);
      return FALSE;
    }
  /* transfer-syntax=* asks for the objects as stored (PS3.18 8.7.3.5.2):
   * what arrives is what the archive holds, unchanged. */
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept",
                               "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
  body = fen_dicomweb_send (session, msg, node, cancellable, error);
  if (body == NULL)
    return FALSE;
  incoming = _fen_net_incoming_dir_new (dir, error);
  if (incoming == NULL)
    return FALSE;
  ok = _fen_dicomweb_read_parts (msg, body, incoming, dir, node, func, user_data, n_retrieved,
                                cancellable, error);
  _fen_net_incoming_dir_free (incoming);
  if (ok && *n_retrieved == 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "the archive sent no objects");
      return FALSE;
    }
  return ok;
}
