/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-memory.c: snapshots, the ring, the JSON-lines log, peaks, budget and the report. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

static void
test_ring (void)
{
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (4);

  for (int i = 0; i < 6; i++)
    fen_memory_monitor_mark (monitor, "mark %d", i);
  g_assert_cmpuint (fen_memory_monitor_get_n_operations (monitor), ==, 4);
  g_assert_cmpstr (fen_memory_monitor_get_operation (monitor, 0)->before.label, ==, "mark 5");
  g_assert_cmpstr (fen_memory_monitor_get_operation (monitor, 3)->before.label, ==, "mark 2");
  g_assert_cmpuint (fen_memory_monitor_get_operation (monitor, 0)->serial, ==, 6);
}

static void
test_peak_and_delta (void)
{
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (8);
  gsize bytes = 48 << 20;
  FenMemoryOperation op;
  const FenMemoryOperation *kept;
  guint8 *block;

  fen_memory_monitor_begin (monitor, &op, "touch");
  block = g_malloc (bytes);
  memset (block, 1, bytes);
  g_free (block);
  fen_memory_monitor_end (monitor, &op);
  kept = fen_memory_monitor_get_operation (monitor, 0);
  /* Gone by the end, but the peak saw it. */
  g_assert_cmpint (kept->after.peak_rss - kept->before.rss, >=, (gint64) bytes * 9 / 10);
#ifndef __SANITIZE_ADDRESS__
  /* (ASan keeps freed blocks in quarantine, so RSS stays up there.) */
  g_assert_cmpint (kept->after.rss - kept->before.rss, <, (gint64) bytes / 2);
#endif
  g_assert_cmpint (kept->after.time_us, >=, kept->before.time_us);
}

static void
test_log_has_no_patient_data (void)
{
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (8);
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 64, 64, 1);
  g_autofree char *dir = g_dir_make_tmp ("fen-memory-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "log.jsonl", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  FenMemoryOperation op;
  guint id;

  fen_memory_monitor_set_store (monitor, store);
  g_assert_true (fen_memory_monitor_open_log (monitor, path, &error));
  g_assert_no_error (error);
  fen_memory_monitor_begin (monitor, &op, "open");
  id = fen_store_add (store, image);
  g_snprintf (op.before.label, sizeof op.before.label, "open %s", fen_image_get_log_name (image));
  fen_memory_monitor_end (monitor, &op);
  fen_memory_monitor_begin (monitor, &op, "close %s", fen_image_get_log_name (image));
  fen_store_close (store, id);
  fen_memory_monitor_end (monitor, &op);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], "{\"op\":\"open img-1\""));
  g_assert_nonnull (strstr (lines[0], "\"delta\":{\"rss\":"));
  g_assert_nonnull (strstr (lines[0], "\"store\":8192,"));      /* after: 64 x 64 x 2 */
  g_assert_nonnull (strstr (lines[1], "\"store\":-8192,"));     /* the close gives it back */
  /* The image's patient name must never reach a log. */
  g_assert_null (strstr (text, "DOE"));
  g_assert_null (strstr (text, "JANE"));
  g_unlink (path);
  g_rmdir (dir);
}

/* The log is JSON lines (RFC 8259): a label's quotes, backslashes and
 * control characters come back intact through a JSON parser, bytes that are
 * not UTF-8 as U+FFFD, and the whole line is one object on one line. */
static void
test_log_json_escapes (void)
{
  FenMemoryOperation op = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *delta;

  g_strlcpy (op.before.label, "a \"b\" \\ c\nd\x01 \xc3\xa9 \xff", sizeof op.before.label);
  op.before.rss = 1000;
  op.after.rss = 3500;
  op.after.time_us = 42;
  g_autofree char *json = fen_memory_operation_to_json (&op);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  g_assert_null (strchr (json, '\n'));
  g_assert_true (g_str_has_prefix (json, "{\"op\":\""));
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "op"), ==, "a \"b\" \\ c\nd\x01 \xc3\xa9 \xef\xbf\xbd");
  g_assert_cmpint (json_object_get_int_member (root, "duration_us"), ==, 42);
  delta = json_object_get_object_member (root, "delta");
  g_assert_cmpint (json_object_get_int_member (delta, "rss"), ==, 2500);
}

static void
test_accounts_and_report (void)
{
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (8);
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U16, 512, 512, 1);
  g_autofree char *report = NULL;
  FenMemorySnapshot snap;

  fen_memory_monitor_set_store (monitor, store);
  fen_store_add (store, image);
  fen_memory_monitor_account (monitor, FEN_MEMORY_RENDER, 1920 * 1080 * 4);
  fen_memory_monitor_account (monitor, FEN_MEMORY_CACHE, 1000);
  fen_memory_monitor_account (monitor, FEN_MEMORY_CACHE, -400);
  fen_memory_monitor_snapshot (monitor, "now", &snap);
  g_assert_cmpint (snap.store_bytes, ==, 512 * 512 * 2);
  g_assert_cmpint (snap.render_bytes, ==, 1920 * 1080 * 4);
  g_assert_cmpint (snap.cache_bytes, ==, 600);
  g_assert_cmpint (snap.rss, >, 0);
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (snap.heap, >, 0);   /* ASan's allocator is invisible to mallinfo2 */
#endif
  fen_memory_monitor_mark (monitor, "start");
  report = fen_memory_monitor_report (monitor);
  g_assert_nonnull (strstr (report, "img-1 pixels"));
  g_assert_nonnull (strstr (report, "512.0 KiB"));
  g_assert_nonnull (strstr (report, "render buffers"));
  g_assert_nonnull (strstr (report, "start"));
}

static void
test_budget_state (void)
{
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (8);
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U8, 1000, 100, 1); /* 100,000 bytes */

  g_assert_cmpint (fen_memory_monitor_get_budget (monitor), ==, fen_memory_get_physical () / 2);
  fen_memory_monitor_set_store (monitor, store);
  fen_store_add (store, image);
  g_assert_cmpint (fen_memory_monitor_get_state (monitor), ==, FEN_MEMORY_NORMAL);
  fen_memory_monitor_set_budget (monitor, 120000, 0.8, 0.9);   /* 83% held */
  g_assert_cmpint (fen_memory_monitor_get_state (monitor), ==, FEN_MEMORY_WARNING);
  fen_memory_monitor_account (monitor, FEN_MEMORY_RENDER, 10000); /* 91.7% */
  g_assert_cmpint (fen_memory_monitor_get_state (monitor), ==, FEN_MEMORY_CRITICAL);
  g_assert_cmpint (fen_memory_monitor_get_held (monitor), ==, 110000);
  g_assert_cmpstr (fen_memory_state_to_string (FEN_MEMORY_CRITICAL), ==, "critical");
}

static gsize
shed_cache (FenMemoryMonitor *monitor, gpointer user_data)
{
  gint64 *cache = user_data;
  gint64 freed = *cache;

  fen_memory_monitor_account (monitor, FEN_MEMORY_CACHE, -freed);
  *cache = 0;
  return (gsize) freed;
}

static void
test_make_room (void)
{
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (32);
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(GArray) evicted = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  gint64 cache = 50000;
  guint ids[4];

  fen_memory_monitor_set_store (monitor, store);
  fen_memory_monitor_set_shedder (monitor, shed_cache, &cache);
  fen_memory_monitor_set_budget (monitor, 1200000, 0.8, 0.9);  /* 960 kB / 1,080 kB */
  fen_memory_monitor_account (monitor, FEN_MEMORY_CACHE, cache);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U8, 1000, 200, 1); /* 200 kB */
      ids[i] = fen_store_add (store, image);
    }
  /* Held 850 kB: room for 10 kB without anything shed. */
  g_assert_true (fen_memory_monitor_make_room (monitor, 10000, evicted, &error));
  g_assert_cmpint (cache, ==, 50000);

  /* 850 + 150 passes warning: caches go, and that is enough. */
  g_assert_true (fen_memory_monitor_make_room (monitor, 150000, evicted, &error));
  g_assert_cmpint (cache, ==, 0);
  g_assert_cmpuint (evicted->len, ==, 0);

  /* 800 + 600 passes critical: the least recently viewed unpinned images go. */
  fen_store_pin (store, ids[0], TRUE);     /* on screen */
  fen_store_touch (store, ids[1]);         /* viewed after ids[2] and ids[3] */
  g_assert_true (fen_memory_monitor_make_room (monitor, 600000, evicted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (evicted->len, ==, 2);
  g_assert_cmpuint (g_array_index (evicted, guint, 0), ==, ids[2]);
  g_assert_cmpuint (g_array_index (evicted, guint, 1), ==, ids[3]);
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 400000);
  g_assert_cmpstr (fen_memory_monitor_get_operation (monitor, 0)->before.label, ==, "evict images");

  /* More than the budget can hold with the pinned image left: refused. */
  g_assert_false (fen_memory_monitor_make_room (monitor, 900000, evicted, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
  g_assert_true (fen_store_is_evicted (store, ids[1]));
  g_assert_false (fen_store_is_evicted (store, ids[0]));
}

static void
test_format_size (void)
{
  char buf[32];

  g_assert_cmpstr (fen_memory_format_size (15680000, buf, sizeof buf), ==, "15.0 MiB");
  g_assert_cmpstr (fen_memory_format_size (-2048, buf, sizeof buf), ==, "-2.0 KiB");
  g_assert_cmpstr (fen_memory_format_size (12, buf, sizeof buf), ==, "12 B");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/memory/ring", test_ring);
  g_test_add_func ("/memory/peak-and-delta", test_peak_and_delta);
  g_test_add_func ("/memory/log/no-patient-data", test_log_has_no_patient_data);
  g_test_add_func ("/memory/accounts-and-report", test_accounts_and_report);
  g_test_add_func ("/memory/budget-state", test_budget_state);
  g_test_add_func ("/memory/make-room", test_make_room);
  g_test_add_func ("/memory/format-size", test_format_size);
  g_test_add_func ("/memory/log/json-escapes", test_log_json_escapes);
  return g_test_run ();
}
