/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-adaptive.c: the memory budget under stress. Opens images totalling
 * twice a small budget, one after the other as a reader would, and checks
 * that RSS above the process's baseline never passes the budget by more
 * than 10%, that evicted images come back bit-identical, and that a load
 * too large for the budget is refused with a clear error. The bytes a
 * reserve hook granted count as held until the store counts them, so that
 * a second load in flight cannot be granted the same room. */
#define G_LOG_DOMAIN "fen-test"

#include <fenestra/fenestra.h>

#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>

#define N_IMAGES 16
#define SIDE     1448                          /* 1448^2 x 2 bytes = 4.0 MiB */
#define BUDGET   ((gint64) 32 << 20)           /* the 16 images hold 2x this */

typedef struct
{
  FenMemoryMonitor *monitor;
  GArray           *evicted;
  guint             releases;
} Budget;

/* As the viewer's hook does: what is granted is pending until released. */
static gboolean
reserve (gsize bytes, gpointer user_data, GError **error)
{
  Budget *budget = user_data;

  if (!fen_memory_monitor_make_room (budget->monitor, bytes, budget->evicted, error))
    return FALSE;
  fen_memory_monitor_account (budget->monitor, FEN_MEMORY_PENDING, (gint64) bytes);
  return TRUE;
}

static void
release (gsize bytes, gpointer user_data)
{
  Budget *budget = user_data;

  budget->releases++;
  fen_memory_monitor_account (budget->monitor, FEN_MEMORY_PENDING, -(gint64) bytes);
}

static char *
write_image (const char *dir, guint index)
{
  g_autofree guint16 *pixels = g_new (guint16, SIDE * SIDE);
  g_autofree char *name = g_strdup_printf ("image-%02u.png", index);
  char *path = g_build_filename (dir, name, NULL);
  FenRaster raster = { SIDE, SIDE, 1, 16, FALSE, pixels, SIDE * 2, 1, 0, NULL, NULL };
  g_autoptr(GError) error = NULL;

  /* Different in every image, compressible so the test stays quick. */
  for (guint y = 0; y < SIDE; y++)
    for (guint x = 0; x < SIDE; x++)
      pixels[y * SIDE + x] = (guint16) ((x * (index + 1) + y * 7 + (x ^ y) % 97) & 0xffff);
  g_assert_true (fen_png_write (path, &raster, &error));
  g_assert_no_error (error);
  return path;
}

static gint64
rss_now (void)
{
  gint64 rss;

  malloc_trim (0);
  fen_memory_read_process (&rss, NULL, NULL);
  return rss;
}

static void
test_twice_the_budget (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fen-adaptive-XXXXXX", NULL);
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (256);
  g_autoptr(GArray) evicted = g_array_new (FALSE, FALSE, sizeof (guint));
  Budget budget = { monitor, evicted, 0 };
  FenLoadOptions options = { 0, reserve, &budget, release, 0 };
  char *paths[N_IMAGES];
  guint ids[N_IMAGES];
  guint64 sums[N_IMAGES];
  gint64 baseline, worst = 0, peak;
  guint restored = 0;

  for (guint i = 0; i < N_IMAGES; i++)
    paths[i] = write_image (dir, i);

  /* Warm the loader up so libraries' first-use memory is in the baseline. */
  {
    g_autoptr(FenImage) warm = fen_load_file (paths[0], NULL, NULL);
    g_assert_nonnull (warm);
  }
  fen_memory_monitor_set_store (monitor, store);
  fen_memory_monitor_set_budget (monitor, BUDGET, 0.8, 0.9);
  baseline = rss_now ();
  fen_memory_reset_peak ();

  /* A reader goes through the images one by one; the one on screen is pinned. */
  for (guint i = 0; i < N_IMAGES; i++)
    {
      g_autoptr(GError) error = NULL;
      FenImage *image = fen_load_into_store (store, paths[i], &options, &error);

      g_assert_no_error (error);
      ids[i] = fen_image_get_id (image);
      sums[i] = fen_image_checksum (image);
      if (i > 0)
        fen_store_pin (store, ids[i - 1], FALSE);
      fen_store_pin (store, ids[i], TRUE);
      worst = MAX (worst, rss_now () - baseline);
      g_assert_cmpint (fen_memory_monitor_get_held (monitor), <=, BUDGET * 0.9);
    }
  g_test_message ("%u evictions; worst RSS above baseline %.1f MiB for a budget of %.0f MiB",
                  evicted->len, worst / 1048576.0, BUDGET / 1048576.0);
  g_assert_cmpuint (evicted->len, >=, N_IMAGES / 2);

  /* Back through all of them: evicted ones reload, bit-identical. */
  for (guint i = 0; i < N_IMAGES; i++)
    {
      g_autoptr(GError) error = NULL;
      FenImage *image = fen_store_lookup (store, ids[i]);

      fen_store_pin (store, ids[(i + N_IMAGES - 1) % N_IMAGES], FALSE);
      if (fen_store_is_evicted (store, ids[i]))
        {
          /* The reload goes through the same reserve hook as a load. */
          g_assert_true (fen_load_restore (store, ids[i], &options, &error));
          g_assert_no_error (error);
          restored++;
        }
      fen_store_pin (store, ids[i], TRUE);
      g_assert_true (fen_image_has_pixels (image));
      g_assert_cmpuint (fen_image_checksum (image), ==, sums[i]);
      worst = MAX (worst, rss_now () - baseline);
    }
  fen_memory_read_process (NULL, &peak, NULL);
  g_test_message ("%u restored; worst RSS above baseline %.1f MiB, peak %.1f MiB",
                  restored, worst / 1048576.0, (peak - baseline) / 1048576.0);
  g_assert_cmpuint (restored, >=, N_IMAGES / 2);
  g_assert_cmpint (worst, <=, BUDGET * 1.1);
  g_assert_cmpint (peak - baseline, <=, BUDGET * 1.1);

  /* An image larger than the budget can ever hold is refused, clearly. */
  {
    g_autoptr(GError) error = NULL;
    fen_memory_monitor_set_budget (monitor, 3 << 20, 0.8, 0.9);
    g_assert_null (fen_load_into_store (store, paths[0], &options, &error));
    g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "image-00.png"));
    g_assert_nonnull (strstr (error->message, "memory budget"));
  }
  /* Every grant was given back: what is held is what the store counts. */
  g_assert_cmpint (fen_memory_monitor_get_held (monitor), ==, (gint64) fen_store_get_bytes (store));

  for (guint i = 0; i < N_IMAGES; i++)
    {
      g_unlink (paths[i]);
      g_free (paths[i]);
    }
  g_rmdir (dir);
}

/* Two loads in flight (two loader threads between their reserve hook and
 * the store): the second must see the first's bytes. Before they counted
 * as held, both were granted the same room and the store passed the
 * critical level (e2e-adaptive: 1.16 and 1.23 x the budget). */
static void
test_granted_room_is_held (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fen-adaptive-XXXXXX", NULL);
  g_autofree char *path = write_image (dir, 0);
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (16);
  g_autoptr(GArray) evicted = g_array_new (FALSE, FALSE, sizeof (guint));
  Budget budget = { monitor, evicted, 0 };
  FenLoadOptions options = { 0, reserve, &budget, release, 0 };
  const gint64 bytes = (gint64) SIDE * SIDE * 2;
  g_autoptr(GError) error = NULL;
  FenImage *first, *second, *stored;

  fen_memory_monitor_set_store (monitor, store);
  /* Critical (90 %) holds one image and a half. */
  fen_memory_monitor_set_budget (monitor, (gint64) (bytes * 1.5 / 0.9), 0.8, 0.9);

  first = fen_load_file (path, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fen_memory_monitor_get_held (monitor), ==, bytes);
  second = fen_load_file (path, &options, &error);
  g_assert_null (second);
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Freed without the store: given back once. */
  fen_image_unref (first);
  g_assert_cmpuint (budget.releases, ==, 1);
  g_assert_cmpint (fen_memory_monitor_get_held (monitor), ==, 0);

  /* Into the store: counted once, as the store's, not twice. */
  stored = fen_load_into_store (store, path, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpuint (budget.releases, ==, 2);
  g_assert_cmpint (fen_memory_monitor_get_held (monitor), ==, bytes);
  fen_store_close (store, fen_image_get_id (stored));
  g_assert_cmpint (fen_memory_monitor_get_held (monitor), ==, 0);
  g_assert_cmpuint (budget.releases, ==, 2);

  fen_memory_monitor_set_store (monitor, NULL);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/adaptive/twice-the-budget", test_twice_the_budget);
  g_test_add_func ("/adaptive/granted-room-is-held", test_granted_room_is_held);
  return g_test_run ();
}
