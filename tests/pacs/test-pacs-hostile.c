/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pacs-hostile.c: DICOMweb against a peer that misbehaves. A small
 * HTTP server in this process (GIO sockets, a thread of its own) answers
 * each request with the canned bytes its path names: malformed, deep,
 * mistyped or enormous JSON; a lying Content-Length; a slow drip; multipart
 * answers with the wrong boundary, a part cut short, a dropped connection,
 * a part that is not DICOM or names no valid UID. Each must end in a clear
 * FEN_NET_ERROR within its timeout, never a crash or a hang, and the objects
 * that arrived intact before the trouble stay, complete, under their UIDs. */
#include <fenestra/fen-pacs.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fen-test-dicom-writer.h"

#define FEN_UID_A "1.2.826.0.1.3680043.9.9999.77.1"
#define FEN_UID_B "1.2.826.0.1.3680043.9.9999.77.2"
#define FEN_STUDY "1.2.826.0.1.3680043.9.9999.77"

typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  guint16       port;
  GMutex        lock;
  GCond         ready;
  gboolean      started;
} FenHostile;

static FenHostile fen_server;

static GBytes *
fen_part10 (const char *uid)
{
  GByteArray *out = fen_part10_start_for ("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.7", uid);

  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", uid);
  fen_put_pixels (out, 4096);
  return g_byte_array_free_to_bytes (out);
}

static void
fen_write (GOutputStream *out, const void *data, gsize len)
{
  g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
}

static void
fen_write_str (GOutputStream *out, const char *s)
{
  fen_write (out, s, strlen (s));
}

static void
fen_head (GOutputStream *out, const char *status, const char *type, gssize length)
{
  g_autofree char *h = length >= 0
    ? g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %" G_GSSIZE_FORMAT
                       "\r\nConnection: close\r\n\r\n", status, type, length)
    : g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: %s\r\nConnection: close\r\n\r\n", status, type);
  fen_write_str (out, h);
}

static void
fen_json (GOutputStream *out, const char *body)
{
  fen_head (out, "200 OK", "application/dicom+json", (gssize) strlen (body));
  fen_write_str (out, body);
}

/* A multipart body of @n objects; @cut: bytes to leave off the end. */
static GByteArray *
fen_multipart (const char *boundary, const char *const *uids, guint n, const char *part_type)
{
  GByteArray *body = g_byte_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) part = fen_part10 (uids[i]);
      g_autofree char *head = g_strdup_printf ("--%s\r\nContent-Type: %s\r\n\r\n", boundary, part_type);
      gsize len;
      const guint8 *data = g_bytes_get_data (part, &len);

      g_byte_array_append (body, (const guint8 *) head, (guint) strlen (head));
      g_byte_array_append (body, data, (guint) len);
      g_byte_array_append (body, (const guint8 *) "\r\n", 2);
    }
  return body;
}

static void
fen_answer (const char *path, GOutputStream *out)
{
  static const char *const two[] = { FEN_UID_A, FEN_UID_B };
  static const char *const bad_uid[] = { FEN_UID_A, "../../escape" };
  const char *mp = "multipart/related; type=\"application/dicom\"; boundary=FENB";

  if (g_str_has_prefix (path, "/malformed/"))
    fen_json (out, "[{\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"1.2.3\"]");
  else if (g_str_has_prefix (path, "/deep/"))
    {
      g_autoptr(GString) s = g_string_new (NULL);
      for (guint i = 0; i < 10000; i++)
        g_string_append_c (s, '[');
      fen_json (out, s->str);
    }
  else if (g_str_has_prefix (path, "/mistyped/"))
    fen_json (out, "[{\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"1.2.3\"]},"
                   " \"00100010\": {\"vr\": \"PN\", \"Value\": [42]}}]");
  else if (g_str_has_prefix (path, "/bad-uid/"))
    fen_json (out, "[{\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"../../etc/passwd\"]}}]");
  else if (g_str_has_prefix (path, "/not-array/"))
    fen_json (out, "{\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"1.2.3\"]}}");
  else if (g_str_has_prefix (path, "/too-many/"))
    {
      g_autoptr(GString) s = g_string_new ("[");
      for (guint i = 0; i <= 100000; i++)
        g_string_append (s, i > 0 ? ",{}" : "{}");
      g_string_append_c (s, ']');
      fen_json (out, s->str);
    }
  else if (g_str_has_prefix (path, "/enormous/"))
    {
      g_autofree char *spaces = g_malloc (1 << 20);
      memset (spaces, ' ', 1 << 20);
      fen_head (out, "200 OK", "application/dicom+json", (gssize) 80 << 20);
      fen_write_str (out, "[");
      for (guint i = 0; i < 80; i++)
        if (!g_output_stream_write_all (out, spaces, 1 << 20, NULL, NULL, NULL))
          break;
    }
  else if (g_str_has_prefix (path, "/html/"))
    {
      fen_head (out, "200 OK", "text/html", 13);
      fen_write_str (out, "<html></html>");
    }
  else if (g_str_has_prefix (path, "/error-500/"))
    fen_head (out, "500 Internal Server Error", "text/plain", 0);
  else if (g_str_has_prefix (path, "/lying-length/"))
    {
      fen_head (out, "200 OK", "application/dicom+json", 1000);
      fen_write_str (out, "[{\"0020000D\": {\"vr\": \"UI\", ");
    }
  else if (g_str_has_prefix (path, "/drip/"))
    {
      fen_head (out, "200 OK", "application/dicom+json", 1000);
      for (guint i = 0; i < 60; i++)
        {
          fen_write_str (out, " ");
          g_usleep (G_USEC_PER_SEC / 2);
          if (g_output_stream_is_closed (out))
            break;
        }
    }
  else if (g_str_has_prefix (path, "/wado-ok/"))
    {
      g_autoptr(GByteArray) body = fen_multipart ("FENB", two, 2, "application/dicom");
      g_byte_array_append (body, (const guint8 *) "--FENB--\r\n", 10);
      fen_head (out, "200 OK", mp, body->len);
      fen_write (out, body->data, body->len);
    }
  else if (g_str_has_prefix (path, "/wado-wrong-boundary/"))
    {
      g_autoptr(GByteArray) body = fen_multipart ("OTHER", two, 2, "application/dicom");
      g_byte_array_append (body, (const guint8 *) "--OTHER--\r\n", 11);
      fen_head (out, "200 OK", mp, body->len);
      fen_write (out, body->data, body->len);
    }
  else if (g_str_has_prefix (path, "/wado-cut/"))
    {
      /* The second part stops halfway and the body ends (EOF-delimited). */
      g_autoptr(GByteArray) body = fen_multipart ("FENB", two, 2, "application/dicom");
      fen_head (out, "200 OK", mp, -1);
      fen_write (out, body->data, body->len - 3000);
    }
  else if (g_str_has_prefix (path, "/wado-dropped/"))
    {
      /* Content-Length promises the whole body; the connection drops. */
      g_autoptr(GByteArray) body = fen_multipart ("FENB", two, 2, "application/dicom");
      g_byte_array_append (body, (const guint8 *) "--FENB--\r\n", 10);
      fen_head (out, "200 OK", mp, body->len);
      fen_write (out, body->data, body->len - 3000);
    }
  else if (g_str_has_prefix (path, "/wado-not-dicom/"))
    {
      g_autoptr(GByteArray) body = fen_multipart ("FENB", two, 1, "text/plain");
      g_byte_array_append (body, (const guint8 *) "--FENB--\r\n", 10);
      fen_head (out, "200 OK", mp, body->len);
      fen_write (out, body->data, body->len);
    }
  else if (g_str_has_prefix (path, "/wado-bad-uid/"))
    {
      g_autoptr(GByteArray) body = fen_multipart ("FENB", bad_uid, 2, "application/dicom");
      g_byte_array_append (body, (const guint8 *) "--FENB--\r\n", 10);
      fen_head (out, "200 OK", mp, body->len);
      fen_write (out, body->data, body->len);
    }
  else if (g_str_has_prefix (path, "/wado-wrong-boundary-big/"))
    {
      /* Another boundary around a part with 20,000 bytes and no line feed:
       * all of it reads as lines before the first boundary. */
      g_autoptr(GByteArray) body = g_byte_array_new ();
      g_autofree char *run = g_strnfill (20000, 'x');
      const char *head = "--OTHER\r\nContent-Type: application/dicom\r\n\r\n";
      const char *tail = "\r\n--OTHER--\r\n";

      g_byte_array_append (body, (const guint8 *) head, (guint) strlen (head));
      g_byte_array_append (body, (const guint8 *) run, 20000);
      g_byte_array_append (body, (const guint8 *) tail, (guint) strlen (tail));
      fen_head (out, "200 OK", mp, body->len);
      fen_write (out, body->data, body->len);
    }
  else if (g_str_has_prefix (path, "/wado-headers-cut/"))
    {
      /* The body ends inside a part's headers, mid-line (EOF-delimited). */
      fen_head (out, "200 OK", mp, -1);
      fen_write_str (out, "--FENB\r\nContent-Type: applic");
    }
  else if (g_str_has_prefix (path, "/wado-long-boundary/"))
    {
      g_autofree char *b = g_strnfill (200, 'x');
      g_autofree char *type = g_strdup_printf ("multipart/related; type=\"application/dicom\"; boundary=%s", b);
      fen_head (out, "200 OK", type, 0);
    }
  else
    fen_head (out, "404 Not Found", "text/plain", 0);
}

static gboolean
fen_on_connection (GThreadedSocketService *service, GSocketConnection *connection, GObject *source,
                   gpointer user_data)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (in);
  g_autofree char *request = NULL;
  g_auto(GStrv) words = NULL;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  request = g_data_input_stream_read_line (lines, NULL, NULL, NULL);
  if (request == NULL)
    return TRUE;
  /* The headers, up to the empty line. */
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);
      if (line == NULL || line[0] == '\0' || strcmp (line, "\r") == 0)
        break;
    }
  words = g_strsplit (request, " ", 3);
  if (g_strv_length (words) >= 2)
    fen_answer (words[1], out);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static gpointer
fen_server_thread (gpointer data)
{
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (8);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (fen_server.context);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), any, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_signal_connect (service, "run", G_CALLBACK (fen_on_connection), NULL);
  g_socket_service_start (service);
  g_mutex_lock (&fen_server.lock);
  fen_server.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  fen_server.started = TRUE;
  g_cond_signal (&fen_server.ready);
  g_mutex_unlock (&fen_server.lock);
  g_main_loop_run (fen_server.loop);
  g_socket_service_stop (service);
  g_main_context_pop_thread_default (fen_server.context);
  return NULL;
}

static FenPacsNode *
fen_node (const char *root)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/%s", fen_server.port, root);
  g_autoptr(GError) error = NULL;
  FenPacsNode *node = fen_pacs_node_parse (uri, &error);

  g_assert_no_error (error);
  node->timeout = 2;
  return node;
}

typedef struct {
  const char *root;
  FenNetError code;
  const char *says;
} FenQidoCase;

static const FenQidoCase fen_qido_cases[] = {
  { "malformed", FEN_NET_ERROR_PROTOCOL, "malformed" },
  { "deep", FEN_NET_ERROR_PROTOCOL, "nested too deeply" },
  { "mistyped", FEN_NET_ERROR_PROTOCOL, "00100010" },
  { "bad-uid", FEN_NET_ERROR_PROTOCOL, "not a valid UID" },
  { "not-array", FEN_NET_ERROR_PROTOCOL, "not a JSON array" },
  { "too-many", FEN_NET_ERROR_TOO_LARGE, "more than 100000" },
  { "enormous", FEN_NET_ERROR_TOO_LARGE, "larger than 64 MiB" },
  { "html", FEN_NET_ERROR_PROTOCOL, "text/html" },
  { "error-500", FEN_NET_ERROR_HTTP, "HTTP 500" },
  { "lying-length", FEN_NET_ERROR_PROTOCOL, "connection to the archive broke" },
  { "drip", FEN_NET_ERROR_TIMEOUT, "too slowly" },
};

static void
test_qido (gconstpointer data)
{
  const FenQidoCase *c = data;
  g_autoptr(FenPacsNode) node = fen_node (c->root);
  g_autoptr(GError) error = NULL;
  FenPacsQuery q = { .patient_name = "DOE^*" };
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(GPtrArray) matches = fen_pacs_find (node, &q, NULL, &error);
  double seconds = (g_get_monotonic_time () - t0) / 1e6;

  g_assert_null (matches);
  g_assert_nonnull (error);
  g_test_message ("%s: %s (%.2f s)", c->root, error->message, seconds);
  g_assert_error (error, FEN_NET_ERROR, (gint) c->code);
  if (strstr (error->message, c->says) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, c->says);
  /* Timeout 2 s per wait, 6 s for a whole answer. */
  g_assert_cmpfloat (seconds, <, 10.0);
}

typedef struct {
  const char *root;
  FenNetError code;     /* 0 with @says NULL: success */
  const char *says;
  guint       intact;   /* objects that must be in the folder after */
} FenWadoCase;

static const FenWadoCase fen_wado_cases[] = {
  { "wado-ok", 0, NULL, 2 },
  { "wado-wrong-boundary", FEN_NET_ERROR_PROTOCOL, "closing boundary", 0 },
  { "wado-cut", FEN_NET_ERROR_PROTOCOL, "middle of object 2", 1 },
  { "wado-dropped", FEN_NET_ERROR_PROTOCOL, "middle of object 2", 1 },
  { "wado-not-dicom", FEN_NET_ERROR_PROTOCOL, "text/plain", 0 },
  { "wado-bad-uid", FEN_NET_ERROR_PROTOCOL, "valid SOP Instance UID", 1 },
  { "wado-long-boundary", FEN_NET_ERROR_PROTOCOL, "boundary", 0 },
  { "wado-wrong-boundary-big", FEN_NET_ERROR_PROTOCOL, "boundary", 0 },
  { "wado-headers-cut", FEN_NET_ERROR_PROTOCOL, "closing boundary", 0 },
  { "html", FEN_NET_ERROR_PROTOCOL, "not multipart/related", 0 },
};

static void
test_wado (gconstpointer data)
{
  const FenWadoCase *c = data;
  g_autoptr(FenPacsNode) node = fen_node (c->root);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fen-hostile-XXXXXX", NULL);
  g_autoptr(GDir) listing = NULL;
  const char *entry;
  guint n = 0, files = 0;
  gboolean ok;

  ok = fen_pacs_retrieve (node, FEN_STUDY, NULL, NULL, dir, NULL, NULL, &n, NULL, &error);
  if (c->says == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", c->root, error->message);
      g_assert_error (error, FEN_NET_ERROR, (gint) c->code);
      if (strstr (error->message, c->says) == NULL)
        g_error ("\"%s\" does not say \"%s\"", error->message, c->says);
    }
  g_assert_cmpuint (n, ==, c->intact);
  /* Only whole objects, under their UIDs; no temporary file or folder. */
  listing = g_dir_open (dir, 0, NULL);
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) expected = NULL;
      gsize len;

      g_assert_true (strcmp (entry, FEN_UID_A ".dcm") == 0 || strcmp (entry, FEN_UID_B ".dcm") == 0);
      expected = fen_part10 (strcmp (entry, FEN_UID_A ".dcm") == 0 ? FEN_UID_A : FEN_UID_B);
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_cmpuint (len, ==, g_bytes_get_size (expected));
      g_assert_true (memcmp (contents, g_bytes_get_data (expected, NULL), len) == 0);
      g_unlink (path);
      files++;
    }
  g_assert_cmpuint (files, ==, c->intact);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_mutex_init (&fen_server.lock);
  g_cond_init (&fen_server.ready);
  fen_server.context = g_main_context_new ();
  fen_server.loop = g_main_loop_new (fen_server.context, FALSE);
  fen_server.thread = g_thread_new ("hostile-server", fen_server_thread, NULL);
  g_mutex_lock (&fen_server.lock);
  while (!fen_server.started)
    g_cond_wait (&fen_server.ready, &fen_server.lock);
  g_mutex_unlock (&fen_server.lock);

  for (guint i = 0; i < G_N_ELEMENTS (fen_qido_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pacs/hostile/qido/%s", fen_qido_cases[i].root);
      g_test_add_data_func (path, &fen_qido_cases[i], test_qido);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fen_wado_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pacs/hostile/wado/%s", fen_wado_cases[i].root);
      g_test_add_data_func (path, &fen_wado_cases[i], test_wado);
    }
  status = g_test_run ();
  g_main_loop_quit (fen_server.loop);
  g_thread_join (fen_server.thread);
  return status;
}
