/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-load-queue.c: a series loaded on 1 to 4 threads: the viewing order
 * is a permutation starting at the slice on screen and moving outward;
 * every file arrives once, bit-identical to a load on one thread; a cancel
 * stops the files not yet started. */
#define G_LOG_DOMAIN "fen-test-load-queue"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>

#include "fen-test-dicom-writer.h"

#define FEN_N 37
#define FEN_ROWS 40
#define FEN_COLS 31

static char *fen_test_dir;
static char *fen_paths[FEN_N + 1];

static void
fen_test_order (void)
{
  for (guint n = 1; n <= 20; n++)
    for (guint first = 0; first < n; first++)
      {
        g_autofree gboolean *seen = g_new0 (gboolean, n);
        guint previous_distance = 0;
        for (guint k = 0; k < n; k++)
          {
            const guint i = fen_load_queue_order (n, first, k);
            g_assert_cmpuint (i, <, n);
            g_assert_false (seen[i]);
            seen[i] = TRUE;
            /* Never further from the slice on screen than a later one. */
            const guint distance = i > first ? i - first : first - i;
            g_assert_cmpuint (distance, >=, previous_distance);
            previous_distance = distance;
          }
        g_assert_cmpuint (fen_load_queue_order (n, first, 0), ==, first);
      }
}

typedef struct {
  GMutex   lock;
  guint    calls[FEN_N];
  FenImage *images[FEN_N];
  guint    n_done;
  guint    order[FEN_N];  /* the indices in the order the calls came */
  guint    cancel_after;
  GCancellable *cancellable;
} FenTestRun;

static void
fen_test_done (guint index, FenImage *image, const GError *error, gpointer data)
{
  FenTestRun *run = data;

  g_assert_no_error ((GError *) error);
  g_mutex_lock (&run->lock);
  run->calls[index]++;
  run->images[index] = image;
  run->order[run->n_done] = index;
  run->n_done++;
  if (run->cancel_after != 0 && run->n_done == run->cancel_after)
    g_cancellable_cancel (run->cancellable);
  g_mutex_unlock (&run->lock);
}

static void
fen_test_threads (gconstpointer data)
{
  const guint threads = GPOINTER_TO_UINT (data);
  g_autoptr(FenStore) store = fen_store_new ();
  FenTestRun run = { 0 };
  GError *error = NULL;

  g_mutex_init (&run.lock);
  g_assert_true (fen_load_queue_run (store, (const char *const *) fen_paths, FEN_N, 17, threads,
                                     NULL, NULL, fen_test_done, &run, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (run.n_done, ==, FEN_N);
  for (guint i = 0; i < FEN_N; i++)
    {
      g_assert_cmpuint (run.calls[i], ==, 1);
      /* The same bytes as a plain load. */
      g_autoptr(FenImage) alone = fen_load_file (fen_paths[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (fen_image_get_frame (run.images[i], 0), FEN_ROWS * FEN_COLS,
                       fen_image_get_frame (alone, 0), FEN_ROWS * FEN_COLS);
      g_assert_cmpuint (((const guint8 *) fen_image_get_frame (alone, 0))[0], ==, (guint8) (i * 5));
    }
  g_assert_cmpuint (fen_store_get_n_images (store), ==, FEN_N);
  /* Whatever order the decodes ended in, the calls came in viewing order
   * and the store numbered the images in it: the same ids every run. */
  for (guint k = 0; k < FEN_N; k++)
    {
      g_assert_cmpuint (run.order[k], ==, fen_load_queue_order (FEN_N, 17, k));
      if (k > 0)
        g_assert_cmpuint (fen_image_get_id (run.images[run.order[k]]), ==,
                          fen_image_get_id (run.images[run.order[k - 1]]) + 1);
    }
  g_mutex_clear (&run.lock);
}

static void
fen_test_cancel (void)
{
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  FenTestRun run = { 0 };
  GError *error = NULL;

  g_mutex_init (&run.lock);
  run.cancel_after = 5;
  run.cancellable = cancellable;
  g_assert_false (fen_load_queue_run (store, (const char *const *) fen_paths, FEN_N, 0, 2, NULL,
                                      cancellable, fen_test_done, &run, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* The two workers finish what they had started, nothing more. */
  g_assert_cmpuint (run.n_done, >=, 5);
  g_assert_cmpuint (run.n_done, <=, 6);
  g_assert_cmpuint (fen_store_get_n_images (store), ==, run.n_done);
  g_mutex_clear (&run.lock);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
  fen_test_dir = g_dir_make_tmp ("fen-test-load-queue-XXXXXX", NULL);
  for (guint i = 0; i < FEN_N; i++)
    {
      g_autoptr(GByteArray) file = fen_part10_start ("1.2.840.10008.1.2.1");
      fen_put_image_module (file, FEN_ROWS, FEN_COLS, FALSE);
      fen_put_explicit (file, 0x7fe0, 0x0010, "OB", FEN_ROWS * FEN_COLS + ((FEN_ROWS * FEN_COLS) & 1));
      for (guint p = 0; p < FEN_ROWS * FEN_COLS + ((FEN_ROWS * FEN_COLS) & 1); p++)
        {
          guint8 v = (guint8) (i * 5 + p * 3);
          g_byte_array_append (file, &v, 1);
        }
      g_autofree char *name = g_strdup_printf ("slice-%02u.dcm", i);
      fen_paths[i] = fen_test_write_file (fen_test_dir, name, file);
    }

  g_test_add_func ("/load-queue/order", fen_test_order);
  for (guint t = 1; t <= 4; t++)
    {
      g_autofree char *path = g_strdup_printf ("/load-queue/threads/%u", t);
      g_test_add_data_func (path, GUINT_TO_POINTER (t), fen_test_threads);
    }
  g_test_add_func ("/load-queue/cancel", fen_test_cancel);
  int status = g_test_run ();
  for (guint i = 0; i < FEN_N; i++)
    g_free (fen_paths[i]);
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
