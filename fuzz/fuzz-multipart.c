/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-multipart.c: libFuzzer target for the WADO-RS multipart reader
 * (_fen_dicomweb_read_parts): our boundary check, close-delimiter watch,
 * part type and size checks, Part 10 header reader and placing of objects,
 * around libsoup's SoupMultipartInputStream, fed from memory. The input's
 * first line is the answer's Content-Type, the rest its body. Any input
 * ends in objects placed whole under valid UIDs and counted once each, or
 * in one FEN_NET_ERROR; nothing is left in the incoming folder. */
#define G_LOG_DOMAIN "fen-fuzz-multipart"

#include "fen-dicomweb-private.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);
const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

/* libsoup 3.2's SoupMultipartInputStream leaks its current part's headers
 * when it is finalized (tests/pacs/lsan.supp says why): not ours, and
 * suppressed by a frame of the allocation's stack, which needs the slow
 * unwinder (GLib's g_malloc has no frame pointers). */
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:soup_multipart_input_stream_next_part\n";
}

/* The Content-Type line: at most this long, as an HTTP header would be. */
#define FEN_FUZZ_MAX_TYPE 512

typedef struct {
  const char *dir;
  guint       n;
} FenFuzzSeen;

static void
fen_fuzz_on_instance (const char *path, const char *uid, gpointer user_data)
{
  FenFuzzSeen *seen = user_data;
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *expected = g_strconcat (uid, ".dcm", NULL);

  g_assert_true (fen_pacs_uid_is_valid (uid));
  g_assert_cmpstr (dirname, ==, seen->dir);
  g_assert_cmpstr (base, ==, expected);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  seen->n++;
}

/* Every entry of @dir is a placed object (UID.dcm) and is removed; the
 * incoming folder is gone. Returns how many there were. */
static guint
fen_fuzz_check_and_empty (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *uid = NULL;
      gsize len = strlen (name);

      g_assert_true (len > 4 && g_str_has_suffix (name, ".dcm"));
      uid = g_strndup (name, len - 4);
      g_assert_true (fen_pacs_uid_is_valid (uid));
      g_assert_cmpint (g_unlink (path), ==, 0);
      n++;
    }
  return n;
}

static char *fen_fuzz_dir;

/* Emptied after every input; the folder itself goes at exit. */
static void
fen_fuzz_remove_dir (void)
{
  g_rmdir (fen_fuzz_dir);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
  char *dir = fen_fuzz_dir;
  static FenPacsNode *node;
  const guint8 *nl = memchr (data, '\n', MIN (size, (gsize) FEN_FUZZ_MAX_TYPE));
  g_autofree char *type = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GError) error = NULL;
  FenFuzzSeen seen = { NULL, 0 };
  char *incoming;
  guint n = 0, files;
  gboolean ok;

  if (dir == NULL)
    {
      dir = fen_fuzz_dir = g_dir_make_tmp ("fen-fuzz-multipart-XXXXXX", NULL);
      node = fen_pacs_node_parse ("http://127.0.0.1:9/dicom-web", NULL);
      g_assert_nonnull (dir);
      g_assert_nonnull (node);
      atexit (fen_fuzz_remove_dir);
    }
  /* A header value holds no CR, LF or NUL: libsoup refuses those itself,
   * before any of our code. */
  if (nl == NULL || memchr (data, '\r', (gsize) (nl - data)) != NULL ||
      memchr (data, '\0', (gsize) (nl - data)) != NULL)
    return 0;
  type = g_strndup ((const char *) data, (gsize) (nl - data));
  msg = soup_message_new (SOUP_METHOD_GET, "http://127.0.0.1:9/dicom-web/studies/1.2/series/1.3");
  soup_message_headers_replace (soup_message_get_response_headers (msg), "Content-Type", type);
  body = g_memory_input_stream_new_from_data (nl + 1, (gssize) (size - (gsize) (nl + 1 - data)), NULL);

  seen.dir = dir;
  incoming = _fen_net_incoming_dir_new (dir, &error);
  g_assert_no_error (error);
  ok = _fen_dicomweb_read_parts (msg, body, incoming, dir, node, fen_fuzz_on_instance, &seen, &n, NULL,
                                 &error);
  _fen_net_incoming_dir_free (incoming);
  if (ok)
    g_assert_no_error (error);
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == FEN_NET_ERROR);
    }
  /* Each placed object was announced once; two parts with one UID are one
   * file. */
  g_assert_cmpuint (n, ==, seen.n);
  files = fen_fuzz_check_and_empty (dir);
  g_assert_cmpuint (files, <=, n);
  g_assert_true (n == 0 || files > 0);
  return 0;
}
