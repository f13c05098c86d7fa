/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store.c: one buffer per image, counted; freed on close; sizes checked before allocation. */
#define G_LOG_DOMAIN "fen-test"

#include "fen-test-util.h"

#include <string.h>

static void
test_accounting (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenImage) a = fen_test_image_new (FEN_TEST_S16, 100, 50, 1);  /* 10,000 bytes */
  g_autoptr(FenImage) b = fen_test_image_new (FEN_TEST_U8, 300, 100, 3);  /* 90,000 bytes */
  g_autoptr(FenImage) c = fen_test_image_new (FEN_TEST_RGB8, 10, 10, 1);  /* 300 bytes */
  g_autoptr(GArray) buffers = NULL;
  guint ida, idb, idc;

  g_assert_cmpuint (fen_store_get_bytes (store), ==, 0);
  ida = fen_store_add (store, a);
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 10000);
  idb = fen_store_add (store, b);
  idc = fen_store_add (store, c);
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 100300);
  g_assert_cmpuint (fen_store_get_n_images (store), ==, 3);
  g_assert_cmpuint (ida, !=, idb);
  {
    g_autofree char *name = g_strdup_printf ("img-%u", idb);
    g_assert_cmpstr (fen_image_get_log_name (b), ==, name);
  }

  buffers = fen_store_list_buffers (store);
  g_assert_cmpuint (buffers->len, ==, 3);
  g_assert_cmpuint (g_array_index (buffers, FenBufferInfo, 0).image_id, ==, idb);
  g_assert_cmpuint (g_array_index (buffers, FenBufferInfo, 0).bytes, ==, 90000);
  g_assert_cmpuint (g_array_index (buffers, FenBufferInfo, 1).image_id, ==, ida);
  g_assert_cmpuint (g_array_index (buffers, FenBufferInfo, 2).image_id, ==, idc);
  g_assert_nonnull (strstr (g_array_index (buffers, FenBufferInfo, 0).owner, "img-"));

  g_assert_true (fen_store_close (store, idb));
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 10300);
  g_assert_null (fen_store_lookup (store, idb));
  g_assert_false (fen_store_close (store, idb));
  g_assert_true (fen_store_lookup (store, ida) == a);
  g_assert_true (fen_store_close (store, ida));
  g_assert_true (fen_store_close (store, idc));
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 0);
  g_assert_cmpuint (fen_store_get_n_images (store), ==, 0);
}

static void
test_close_frees (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  FenImage *image = fen_test_image_new (FEN_TEST_U16, 4096, 4096, 2); /* 64 MiB, touched */
  gsize bytes = fen_image_get_pixel_bytes (image);
  gint64 rss_open, rss_closed;
  guint id = fen_store_add (store, image);

#ifdef __SANITIZE_ADDRESS__
  /* ASan keeps freed blocks in quarantine: RSS cannot show the free. */
  g_test_skip ("RSS does not drop on free under AddressSanitizer");
  fen_store_close (store, id);
  fen_image_unref (image);
  return;
#endif
  fen_image_unref (image); /* the store's is now the only reference */
  fen_memory_read_process (&rss_open, NULL, NULL);
  g_assert_true (fen_store_close (store, id));
  fen_memory_read_process (&rss_closed, NULL, NULL);
  g_test_message ("RSS %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT " for %zu bytes", rss_open, rss_closed, bytes);
  /* The buffer goes back to the system the moment the image is closed. */
  g_assert_cmpint (rss_open - rss_closed, >=, (gint64) (bytes * 0.95));
}

static void
test_size_checks (void)
{
  FenImageInfo info;
  g_autoptr(GError) error = NULL;
  gsize bytes = 0;
  FenImage *image;

  fen_image_info_init (&info);
  info.rows = 65535;
  info.columns = 65535;
  info.frames = 65535;
  info.bits_allocated = info.bits_stored = 16;
  info.high_bit = 15;
  info.samples_per_pixel = 3;
  info.bits_allocated = 8;
  info.bits_stored = 8;
  info.high_bit = 7;
  /* 65535^3 * 3: fits 64 bits, far above any budget: refused before allocation. */
  image = fen_image_new (&info, (gsize) 1 << 30, &error);
  g_assert_null (image);
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Overflowing 64 bits is caught, not wrapped. */
  info.rows = info.columns = info.frames = G_MAXUINT32;
  g_assert_false (fen_image_compute_size (&info, 0, &bytes, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  info.rows = 0;
  g_assert_false (fen_image_compute_size (&info, 0, &bytes, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);

  info.rows = info.columns = info.frames = 2;
  info.samples_per_pixel = 1;
  info.bits_allocated = 16;
  info.bits_stored = 17;
  g_assert_false (fen_image_compute_size (&info, 0, &bytes, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);

  info.bits_stored = 12;
  info.high_bit = 11;
  g_assert_true (fen_image_compute_size (&info, 0, &bytes, &error));
  g_assert_cmpuint (bytes, ==, 2 * 2 * 2 * 2);
  fen_image_info_clear (&info);
}

static void
test_info_copy (void)
{
  FenImageInfo info;
  g_autoptr(FenImage) image = NULL;

  fen_image_info_init (&info);
  info.rows = info.columns = 1;
  info.bits_allocated = info.bits_stored = 8;
  info.high_bit = 7;
  info.modality = g_strdup ("MR");
  info.series_uid = g_strdup ("1.2.3");
  fen_image_info_add_window (&info, 1, 2, "A");
  image = fen_image_new (&info, 0, NULL);
  fen_image_info_clear (&info);
  g_assert_null (info.modality);
  g_assert_cmpstr (fen_image_get_info (image)->modality, ==, "MR");
  g_assert_cmpstr (fen_image_get_info (image)->series_uid, ==, "1.2.3");
  g_assert_cmpstr (fen_image_get_info (image)->windows[0].explanation, ==, "A");
  g_assert_cmpuint (fen_image_get_info (image)->n_windows, ==, 1);
}

static void
test_stored_range (void)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 3, 1, 1);
  gint16 *px = fen_image_get_pixels_mutable (image);
  gint32 lo, hi;

  px[0] = -1000; px[1] = 5; px[2] = 3000;
  fen_image_get_stored_range (image, &lo, &hi);
  g_assert_cmpint (lo, ==, -1000);
  g_assert_cmpint (hi, ==, 3000);
  g_assert_cmpfloat (fen_image_to_modality (image, 0, 1024), ==, 0.0);
  fen_image_get_type_range (image, &lo, &hi);
  g_assert_cmpint (lo, ==, -32768);
  g_assert_cmpint (hi, ==, 32767);
}

static void
test_evict_restore (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 300, 200, 2);
  g_autoptr(FenImage) fresh = fen_test_image_new (FEN_TEST_S16, 300, 200, 2);
  g_autoptr(FenImage) changed = fen_test_image_new (FEN_TEST_S16, 300, 200, 2);
  g_autoptr(GError) error = NULL;
  guint64 sum = fen_image_checksum (image);
  gint32 lo, hi, lo2, hi2;
  guint id = fen_store_add (store, image);

  fen_image_get_stored_range (image, &lo, &hi);
  fen_store_pin (store, id, TRUE);
  g_assert_cmpuint (fen_store_evict (store, id), ==, 0);     /* on screen: kept */
  fen_store_pin (store, id, FALSE);
  g_assert_cmpuint (fen_store_evict (store, id), ==, 240000);
  g_assert_true (fen_store_is_evicted (store, id));
  g_assert_false (fen_image_has_pixels (image));
  g_assert_null (fen_image_get_frame (image, 1));
  {
    /* The renderer refuses an evicted image instead of reading freed memory. */
    g_autoptr(FenLut) lut = fen_lut_new ();
    g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 300);
    g_autofree guint8 *out = g_malloc (300 * 200 * 4);
    FenWindowParams w = { .center = 0, .width = 100 };
    fen_lut_build (lut, image, 0, &w);
    g_assert_false (fen_renderer_render_full (renderer, image, 0, lut, FEN_PIXEL_BGRA8, out, 1200));
  }
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 0);
  {
    g_autoptr(GArray) buffers = fen_store_list_buffers (store);
    g_assert_cmpuint (buffers->len, ==, 0);
  }
  /* Metadata and the value range survive. */
  g_assert_cmpuint (fen_image_get_width (image), ==, 300);
  fen_image_get_stored_range (image, &lo2, &hi2);
  g_assert_cmpint (lo, ==, lo2);
  g_assert_cmpint (hi, ==, hi2);

  /* A reload whose pixels differ is refused... */
  ((gint16 *) fen_image_get_pixels_mutable (changed))[12345] ^= 1;
  g_assert_false (fen_store_restore (store, id, changed, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_assert_true (fen_store_is_evicted (store, id));

  /* ...an identical one is adopted, buffer and all (no copy). */
  {
    const void *buffer = fen_image_get_frame (fresh, 0);
    g_assert_true (fen_store_restore (store, id, fresh, NULL));
    g_assert_true (fen_image_get_frame (image, 0) == buffer);
  }
  g_assert_false (fen_image_has_pixels (fresh));
  g_assert_cmpuint (fen_image_checksum (image), ==, sum);
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 240000);
  g_assert_true (fen_store_close (store, id));
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 0);
}

static void
test_shed_order (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(GArray) evicted = g_array_new (FALSE, FALSE, sizeof (guint));
  guint ids[5];

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_U8, 100, 100, 1);
      ids[i] = fen_store_add (store, image);
    }
  fen_store_touch (store, ids[0]);
  fen_store_pin (store, ids[1], TRUE);
  /* 50,000 held; down to 20,000: three go, oldest view first, the pinned one stays. */
  g_assert_cmpuint (fen_store_shed (store, 20000, evicted), ==, 30000);
  g_assert_cmpuint (evicted->len, ==, 3);
  g_assert_cmpuint (g_array_index (evicted, guint, 0), ==, ids[2]);
  g_assert_cmpuint (g_array_index (evicted, guint, 1), ==, ids[3]);
  g_assert_cmpuint (g_array_index (evicted, guint, 2), ==, ids[4]);
  /* Nothing unpinned is left to shed below that. */
  g_assert_cmpuint (fen_store_shed (store, 0, NULL), ==, 10000);
  g_assert_false (fen_store_is_evicted (store, ids[1]));
  g_assert_cmpuint (fen_store_get_bytes (store), ==, 10000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/accounting", test_accounting);
  g_test_add_func ("/store/close-frees", test_close_frees);
  g_test_add_func ("/store/evict-restore", test_evict_restore);
  g_test_add_func ("/store/shed-least-recent-first", test_shed_order);
  g_test_add_func ("/image/size-checks", test_size_checks);
  g_test_add_func ("/image/info-copy", test_info_copy);
  g_test_add_func ("/image/stored-range", test_stored_range);
  return g_test_run ();
}
