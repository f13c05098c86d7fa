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

/* Pyramids ------------------------------------------------------------------ */

#define LEVEL1_BYTES (256 * 128 * 2)  /* of a 512 x 256 S16 frame */
#define LEVEL2_BYTES (128 * 64 * 2)

static guint
add_image (FenStore *store, guint frames)
{
  g_autoptr(FenImage) image = fen_test_image_new (FEN_TEST_S16, 512, 256, frames);
  return fen_store_add (store, image);
}

/* Builds levels 1 and 2 and lets go of the level: the store keeps them. */
static void
use_level (FenPyramid *pyramid, guint level)
{
  g_autoptr(FenImage) image = fen_pyramid_ref_level (pyramid, level);
  g_assert_nonnull (image);
}

static void
test_pyramid_shared (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  guint id = add_image (store, 2);
  FenPyramid *a = fen_store_get_pyramid (store, id, 0);
  FenPyramid *b = fen_store_get_pyramid (store, id, 0);
  FenPyramid *c = fen_store_get_pyramid (store, id, 1);

  g_assert_nonnull (a);
  g_assert_true (a == b);
  g_assert_true (c != a);
  g_assert_true (fen_pyramid_get_base (a) == fen_store_lookup (store, id));
  g_assert_cmpuint (fen_pyramid_get_frame (c), ==, 1);
  g_assert_null (fen_store_get_pyramid (store, id, 2));
  g_assert_null (fen_store_get_pyramid (store, id + 1, 0));
  g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 2);

  /* Built once: the second borrower finds the first one's level. */
  use_level (a, 1);
  g_assert_cmpuint (fen_pyramid_get_bytes (b), ==, LEVEL1_BYTES);

  /* The store keeps it while anyone borrows it, and no longer. */
  fen_store_release_pyramid (store, a);
  g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 2);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, LEVEL1_BYTES);
  fen_store_release_pyramid (store, b);
  g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 1);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, 0);
  fen_store_release_pyramid (store, c);
  g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 0);
}

/* Levels are cache bytes, in the store and in the monitor's snapshots. */
static void
test_pyramid_bytes (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (8);
  guint id = add_image (store, 1);
  FenPyramid *pyramid = fen_store_get_pyramid (store, id, 0);
  FenMemorySnapshot snap;

  fen_memory_monitor_set_store (monitor, store);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, 0);
  use_level (pyramid, 2);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, LEVEL1_BYTES + LEVEL2_BYTES);
  fen_memory_monitor_account (monitor, FEN_MEMORY_CACHE, 1000);  /* another cache */
  fen_memory_monitor_snapshot (monitor, "", &snap);
  g_assert_cmpint (snap.cache_bytes, ==, LEVEL1_BYTES + LEVEL2_BYTES + 1000);
  g_assert_cmpint (snap.store_bytes, ==, 512 * 256 * 2);
  g_assert_cmpint (fen_memory_monitor_get_held (monitor), ==, 512 * 256 * 2 + LEVEL1_BYTES + LEVEL2_BYTES + 1000);
  fen_store_release_pyramid (store, pyramid);
  fen_memory_monitor_snapshot (monitor, "", &snap);
  g_assert_cmpint (snap.cache_bytes, ==, 1000);
}

/* Closing an image takes its pyramids out of the store and drops their
 * levels; evicting drops the levels. A borrower may still hold the
 * pyramid: it stays valid, it just no longer holds levels. */
static void
test_pyramid_close_evict (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  guint id = add_image (store, 1), other = add_image (store, 1);
  FenPyramid *pyramid = fen_store_get_pyramid (store, id, 0);
  FenPyramid *kept = fen_store_get_pyramid (store, other, 0);
  g_autoptr(FenImage) held = NULL;

  use_level (kept, 1);
  held = fen_pyramid_ref_level (pyramid, 1);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, 2 * LEVEL1_BYTES);
  g_assert_true (fen_store_close (store, id));
  g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 1);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, LEVEL1_BYTES);
  g_assert_cmpuint (fen_pyramid_get_bytes (pyramid), ==, 0);
  /* What a render held is still readable (ASan would see otherwise). */
  g_assert_cmpuint (fen_image_checksum (held), !=, 0);
  fen_store_release_pyramid (store, pyramid);

  /* Evicted (not pinned): its levels go, and none is built without pixels. */
  g_assert_cmpuint (fen_store_evict (store, other), ==, 512 * 256 * 2);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, 0);
  g_assert_null (fen_pyramid_ref_level (kept, 1));
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, 0);
  fen_store_release_pyramid (store, kept);
  g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 0);
}

/* Shed to a target: the least recently rendered pyramid's spare levels go
 * first; the level each one shows stays. */
static void
test_pyramid_shed_order (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  FenPyramid *p[3];

  for (guint i = 0; i < 3; i++)
    {
      p[i] = fen_store_get_pyramid (store, add_image (store, 1), 0);
      use_level (p[i], 2);   /* level 1 built on the way */
      g_usleep (2000);
    }
  use_level (p[0], 2);       /* p[0] is now the most recent: p[1], p[2], p[0] */
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, 3 * (LEVEL1_BYTES + LEVEL2_BYTES));

  /* Room for one level 1: p[1]'s goes. */
  g_assert_cmpuint (fen_store_shed_caches (store, fen_store_get_cache_bytes (store) - LEVEL1_BYTES), ==, LEVEL1_BYTES);
  g_assert_cmpuint (fen_pyramid_get_bytes (p[1]), ==, LEVEL2_BYTES);
  g_assert_cmpuint (fen_pyramid_get_bytes (p[2]), ==, LEVEL1_BYTES + LEVEL2_BYTES);
  g_assert_cmpuint (fen_pyramid_get_bytes (p[0]), ==, LEVEL1_BYTES + LEVEL2_BYTES);
  /* One more byte than that: p[2]'s next, p[0] untouched. */
  g_assert_cmpuint (fen_store_shed_caches (store, fen_store_get_cache_bytes (store) - 1), ==, LEVEL1_BYTES);
  g_assert_cmpuint (fen_pyramid_get_bytes (p[2]), ==, LEVEL2_BYTES);
  g_assert_cmpuint (fen_pyramid_get_bytes (p[0]), ==, LEVEL1_BYTES + LEVEL2_BYTES);
  /* Everything: what is on screen stays. */
  g_assert_cmpuint (fen_store_shed_caches (store, 0), ==, LEVEL1_BYTES);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==, 3 * LEVEL2_BYTES);
  /* Zoomed in on p[0] (level 0 in use): its last level goes too. */
  use_level (p[0], 0);
  g_assert_cmpuint (fen_store_shed_caches (store, 0), ==, LEVEL2_BYTES);
  for (guint i = 0; i < 3; i++)
    fen_store_release_pyramid (store, p[i]);
}

typedef struct {
  FenStore *store;
  guint     id;
  guint64   sums[3];   /* fen_image_checksum of levels 0 .. 2 */
  guint     rounds;    /* at least; more until a shed freed something meanwhile */
  gint      shed_any;  /* set by the shedding thread */
  gint      done;
} ShedRace;

static gpointer
render_thread (gpointer data)
{
  ShedRace *race = data;
  FenPyramid *pyramid = fen_store_get_pyramid (race->store, race->id, 0);

  /* Alternating levels: each ask makes the other level spare, and the
   * shedding thread drops it while this thread may still be reading it. */
  for (guint i = 0; i < race->rounds || !g_atomic_int_get (&race->shed_any); i++)
    {
      guint level = 1 + i % 2;
      g_autoptr(FenImage) image = fen_pyramid_ref_level (pyramid, level);

      g_assert_nonnull (image);
      g_assert_cmpuint (fen_image_checksum (image), ==, race->sums[level]);
    }
  fen_store_release_pyramid (race->store, pyramid);
  g_atomic_int_set (&race->done, 1);
  return NULL;
}

/* A shed from another thread never frees a level a render is reading and
 * never takes the pyramid from its borrower. Run under ASan too. */
static void
test_pyramid_shed_concurrent (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  ShedRace race = { store, add_image (store, 1), { 0 }, 400, 0, 0 };
  FenPyramid *mine;
  GThread *thread;
  gsize freed = 0;
  guint sheds = 0;

  {
    g_autoptr(FenPyramid) reference = fen_pyramid_new (fen_store_lookup (store, race.id), 0);
    for (guint level = 0; level < 3; level++)
      {
        g_autoptr(FenImage) image = fen_pyramid_ref_level (reference, level);
        race.sums[level] = fen_image_checksum (image);
      }
  }
  /* Borrowed here too: the pyramid stays in the store throughout. */
  mine = fen_store_get_pyramid (store, race.id, 0);
  thread = g_thread_new ("render", render_thread, &race);
  while (!g_atomic_int_get (&race.done))
    {
      freed += fen_store_shed_caches (store, 0);
      if (freed > 0)
        g_atomic_int_set (&race.shed_any, 1);
      sheds++;
      g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 1);
    }
  g_thread_join (thread);
  g_test_message ("%u sheds freed %zu bytes during the renders", sheds, freed);
  g_assert_cmpuint (freed, >, 0);
  /* The level last rendered stays; the spare one goes. */
  fen_store_shed_caches (store, 0);
  g_assert_cmpuint (fen_store_get_cache_bytes (store), ==,
                    fen_pyramid_get_level_in_use (mine) == 1 ? LEVEL1_BYTES : LEVEL2_BYTES);
  fen_store_release_pyramid (store, mine);
  g_assert_cmpuint (fen_store_get_n_pyramids (store), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/accounting", test_accounting);
  g_test_add_func ("/store/close-frees", test_close_frees);
  g_test_add_func ("/store/evict-restore", test_evict_restore);
  g_test_add_func ("/store/shed-least-recent-first", test_shed_order);
  g_test_add_func ("/store/pyramid/shared", test_pyramid_shared);
  g_test_add_func ("/store/pyramid/bytes", test_pyramid_bytes);
  g_test_add_func ("/store/pyramid/close-evict", test_pyramid_close_evict);
  g_test_add_func ("/store/pyramid/shed-least-recent-first", test_pyramid_shed_order);
  g_test_add_func ("/store/pyramid/shed-concurrent", test_pyramid_shed_concurrent);
  g_test_add_func ("/image/size-checks", test_size_checks);
  g_test_add_func ("/image/info-copy", test_info_copy);
  g_test_add_func ("/image/stored-range", test_stored_range);
  return g_test_run ();
}
