/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pacs-cache.c: the PACS on-disk cache without a network: least
 * recently used series evicted first, never a held one (in this process or
 * another), the limit, marks, an index that is missing, corrupt or lying,
 * files deleted behind the cache's back, two processes at once, UIDs that
 * would escape the root, and a complete series opened into a store with no
 * archive to ask (the node's port is closed). */
#include <fenestra/fen-pacs-cache.h>
#include <fenestra/fen-pacs-fetch.h>
#include <fenestra/fen-loader.h>

#include "fen-pacs-cache-private.h"
#include "fen-test-dicom-writer.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FEN_NODE "dicom://ARCHIVE@127.0.0.1:1?calling=FENESTRA&timeout=2"
#define FEN_STUDY "1.2.826.0.1.3680043.9.9999.7"
#define FEN_KIB 1024

static const char *fen_self;

typedef struct {
  char         *base;  /* a private folder holding the root, so "outside" is ours */
  char         *root;
  FenPacsNode  *node;
  FenPacsCache *cache;
} Fixture;

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->base = g_dir_make_tmp ("fen-pacs-cache-XXXXXX", &error);
  g_assert_no_error (error);
  fx->root = g_build_filename (fx->base, "cache", NULL);
  g_assert_cmpint (g_mkdir (fx->root, 0700), ==, 0);
  fx->node = fen_pacs_node_parse (FEN_NODE, &error);
  g_assert_no_error (error);
  fx->cache = fen_pacs_cache_new (fx->root, 30 * FEN_KIB);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->cache);
  fen_pacs_node_free (fx->node);
  fen_test_remove_dir (fx->base);
  g_free (fx->root);
  g_free (fx->base);
}

static char *
fen_series_uid (guint i)
{
  return g_strdup_printf (FEN_STUDY ".%u", i);
}

static char *
fen_key (Fixture *fx, guint series)
{
  g_autofree char *uid = fen_series_uid (series);
  g_autoptr(GError) error = NULL;
  char *key = _fen_pacs_cache_key (fx->node, FEN_STUDY, uid, &error);

  g_assert_no_error (error);
  return key;
}

static char *
fen_dir (Fixture *fx, guint series)
{
  g_autofree char *uid = fen_series_uid (series);
  g_autoptr(GError) error = NULL;
  char *dir = fen_pacs_cache_series_dir (fx->cache, fx->node, FEN_STUDY, uid, &error);

  g_assert_no_error (error);
  return dir;
}

/* A retrieve of @n objects of @bytes each into series @series, as the
 * fetch records it: files in place, then the index touched. */
static void
fen_store_series (Fixture *fx, guint series, guint n, gsize bytes)
{
  g_autofree char *dir = fen_dir (fx, series);
  g_autofree char *key = fen_key (fx, series);
  g_autofree guint8 *data = g_malloc0 (bytes);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%u.%u.dcm", FEN_STUDY, series, i + 1);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) bytes, NULL));
    }
  /* Distinct last-use times even on a coarse clock. */
  g_usleep (2000);
  g_assert_true (_fen_pacs_cache_touch (fx->cache, key, fen_pacs_cache_get_limit (fx->cache), NULL, &error));
  g_assert_no_error (error);
}

static gboolean
fen_present (Fixture *fx, guint series)
{
  g_autofree char *dir = fen_dir (fx, series);
  return g_file_test (dir, G_FILE_TEST_IS_DIR);
}

static guint64
fen_size (FenPacsCache *cache)
{
  g_autoptr(GError) error = NULL;
  guint64 size = fen_pacs_cache_get_size (cache, &error);

  g_assert_no_error (error);
  return size;
}

/* The same archive is the same folder whoever calls it and however it is
 * retrieved from; another port is another archive. */
static void
test_node_key (void)
{
  g_autoptr(FenPacsNode) a = fen_pacs_node_parse ("dicom://PACS@10.0.0.1:104?calling=ME&method=get", NULL);
  g_autoptr(FenPacsNode) b = fen_pacs_node_parse ("dicom://PACS@10.0.0.1:104?calling=YOU&method=move&port=5000",
                                                  NULL);
  g_autoptr(FenPacsNode) c = fen_pacs_node_parse ("dicom://PACS@10.0.0.1:105", NULL);
  g_autoptr(FenPacsNode) d = fen_pacs_node_parse ("https://pacs.example/dicom-web", NULL);
  g_autofree char *ka = fen_pacs_cache_node_key (a), *kb = fen_pacs_cache_node_key (b);
  g_autofree char *kc = fen_pacs_cache_node_key (c), *kd = fen_pacs_cache_node_key (d);

  g_assert_cmpstr (ka, ==, kb);
  g_assert_cmpstr (ka, !=, kc);
  g_assert_cmpstr (ka, !=, kd);
  g_assert_cmpuint (strlen (ka), ==, 16);
  g_assert_cmpuint (strspn (ka, "0123456789abcdef"), ==, 16);
}

/* A UID names a folder only when PS3.5 9.1 allows it. */
static void
test_invalid_uid (Fixture *fx, gconstpointer data)
{
  const char *bad[] = { "..", "1.2/../../x", "", "1..2", "1.02", "1.2.3a", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = fen_pacs_cache_series_dir (fx->cache, fx->node, FEN_STUDY, bad[i], &error);

      g_assert_null (dir);
      g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY);
      g_clear_error (&error);
      dir = fen_pacs_cache_series_dir (fx->cache, fx->node, bad[i], FEN_STUDY ".1", &error);
      g_assert_null (dir);
      g_clear_error (&error);
      g_assert_false (fen_pacs_cache_hold (fx->cache, fx->node, FEN_STUDY, bad[i], &error));
      g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY);
      g_assert_cmpint (fen_pacs_cache_get_state (fx->cache, fx->node, FEN_STUDY, bad[i]), ==,
                       FEN_PACS_CACHE_ABSENT);
    }
  /* Nothing was made anywhere. */
  {
    g_autoptr(GDir) root = g_dir_open (fx->root, 0, NULL);
    g_assert_nonnull (root);
    g_assert_null (g_dir_read_name (root));
  }
}

/* Three series of 10 KiB fill the 30 KiB; using the first again makes the
 * second the least recently used, so the fourth evicts the second. */
static void
test_lru (Fixture *fx, gconstpointer data)
{
  g_autofree char *key1 = fen_key (fx, 1);

  fen_store_series (fx, 1, 5, 2 * FEN_KIB);
  fen_store_series (fx, 2, 5, 2 * FEN_KIB);
  fen_store_series (fx, 3, 5, 2 * FEN_KIB);
  g_assert_cmpuint (fen_size (fx->cache), ==, 30 * FEN_KIB);
  g_usleep (2000);
  g_assert_true (_fen_pacs_cache_touch (fx->cache, key1, 30 * FEN_KIB, NULL, NULL));
  fen_store_series (fx, 4, 5, 2 * FEN_KIB);
  g_assert_true (fen_present (fx, 1));
  g_assert_false (fen_present (fx, 2));
  g_assert_true (fen_present (fx, 3));
  g_assert_true (fen_present (fx, 4));
  g_assert_cmpuint (fen_size (fx->cache), ==, 30 * FEN_KIB);
  /* The study folder stays while it has series; empty ones go. */
  fen_store_series (fx, 5, 15, 2 * FEN_KIB);
  g_assert_false (fen_present (fx, 1));
  g_assert_false (fen_present (fx, 3));
  g_assert_false (fen_present (fx, 4));
  g_assert_true (fen_present (fx, 5));
}

/* The series being stored is never evicted, even alone over the limit; a
 * lower limit takes effect at the next trim; clear empties the cache. */
static void
test_limit (Fixture *fx, gconstpointer data)
{
  guint64 freed = 0;
  g_autoptr(GError) error = NULL;

  fen_store_series (fx, 1, 5, 2 * FEN_KIB);
  fen_store_series (fx, 2, 20, 2 * FEN_KIB);
  g_assert_false (fen_present (fx, 1));
  g_assert_true (fen_present (fx, 2));
  g_assert_cmpuint (fen_size (fx->cache), ==, 40 * FEN_KIB);
  /* Over the limit still, with nothing else to evict: the next trim takes it. */
  g_assert_true (fen_pacs_cache_trim (fx->cache, &freed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (freed, ==, 40 * FEN_KIB);
  g_assert_cmpuint (fen_size (fx->cache), ==, 0);

  fen_store_series (fx, 3, 5, 2 * FEN_KIB);
  fen_store_series (fx, 4, 5, 2 * FEN_KIB);
  fen_pacs_cache_set_limit (fx->cache, 10 * FEN_KIB);
  g_assert_cmpuint (fen_pacs_cache_get_limit (fx->cache), ==, 10 * FEN_KIB);
  g_assert_true (fen_present (fx, 3));
  g_assert_true (fen_pacs_cache_trim (fx->cache, &freed, &error));
  g_assert_cmpuint (freed, ==, 10 * FEN_KIB);
  g_assert_false (fen_present (fx, 3));
  g_assert_true (fen_present (fx, 4));
  g_assert_true (fen_pacs_cache_clear (fx->cache, &freed, &error));
  g_assert_cmpuint (freed, ==, 10 * FEN_KIB);
  g_assert_false (fen_present (fx, 4));
  g_assert_cmpuint (fen_size (fx->cache), ==, 0);
}

/* A held series is skipped, the next least recently used goes instead;
 * holds count, and the last release makes it evictable again. */
static void
test_held (Fixture *fx, gconstpointer data)
{
  g_autofree char *uid1 = fen_series_uid (1);
  g_autoptr(GError) error = NULL;

  fen_store_series (fx, 1, 5, 2 * FEN_KIB);
  fen_store_series (fx, 2, 5, 2 * FEN_KIB);
  fen_store_series (fx, 3, 5, 2 * FEN_KIB);
  g_assert_true (fen_pacs_cache_hold (fx->cache, fx->node, FEN_STUDY, uid1, &error));
  g_assert_true (fen_pacs_cache_hold (fx->cache, fx->node, FEN_STUDY, uid1, &error));
  g_assert_no_error (error);
  fen_store_series (fx, 4, 5, 2 * FEN_KIB);
  g_assert_true (fen_present (fx, 1));
  g_assert_false (fen_present (fx, 2));
  fen_pacs_cache_release (fx->cache, fx->node, FEN_STUDY, uid1);
  g_assert_true (fen_pacs_cache_clear (fx->cache, NULL, &error));
  g_assert_true (fen_present (fx, 1));
  fen_pacs_cache_release (fx->cache, fx->node, FEN_STUDY, uid1);
  g_assert_true (fen_pacs_cache_clear (fx->cache, NULL, &error));
  g_assert_false (fen_present (fx, 1));
}

static void
fen_write_index (Fixture *fx, const char *text)
{
  g_autofree char *path = g_build_filename (fx->root, FEN_PACS_CACHE_INDEX, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* Whatever the index says, a new cache object (a new process) gets the
 * sizes from the folders, and an index naming paths outside the root is
 * thrown away, not followed. */
static void
test_corrupt_index (Fixture *fx, gconstpointer data)
{
  const char *const bad[] = {
    "",                                                            /* empty */
    "\x01\x02garbage\xff[[[",                                      /* not a key file */
    "[fenestra-pacs-cache]\nversion=99\n",                         /* another version */
    "[fenestra-pacs-cache]\nversion=1\n[../../../etc/x/1.2]\nbytes=1\nused=1\n",
    "[fenestra-pacs-cache]\nversion=1\n[../x/1.2]\nbytes=1\nused=1\n",
    "[fenestra-pacs-cache]\nversion=1\n[0123456789abcdef/1.2/1.3]\nbytes=lots\nused=1\n",
    /* Well formed, but lying about sizes and naming a series that is not there. */
    "[fenestra-pacs-cache]\nversion=1\n[0123456789abcdef/1.2/1.3]\nbytes=999999\nused=1\n",
  };
  g_autofree char *outside = g_build_filename (fx->root, "..", "x", NULL);
  g_autoptr(GError) error = NULL;

  fen_store_series (fx, 1, 5, 2 * FEN_KIB);
  fen_store_series (fx, 2, 3, 2 * FEN_KIB);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(FenPacsCache) fresh = fen_pacs_cache_new (fx->root, 30 * FEN_KIB);
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autofree char *path = g_build_filename (fx->root, FEN_PACS_CACHE_INDEX, NULL);
      g_autofree char *key1 = fen_key (fx, 1);

      fen_write_index (fx, bad[i]);
      g_assert_cmpuint (fen_size (fresh), ==, 16 * FEN_KIB);
      /* Written back whole and valid. */
      g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_key_file_get_integer (kf, "fenestra-pacs-cache", "version", NULL), ==, 1);
      g_assert_cmpuint (g_key_file_get_uint64 (kf, key1, "bytes", NULL), ==, 10 * FEN_KIB);
      g_assert_false (g_key_file_has_group (kf, "0123456789abcdef/1.2/1.3"));
      g_assert_true (fen_present (fx, 1) && fen_present (fx, 2));
    }
  /* The index gone: rebuilt, and eviction still works from it. */
  {
    g_autofree char *path = g_build_filename (fx->root, FEN_PACS_CACHE_INDEX, NULL);
    g_autoptr(FenPacsCache) fresh = fen_pacs_cache_new (fx->root, 10 * FEN_KIB);

    g_assert_cmpint (g_unlink (path), ==, 0);
    g_assert_true (fen_pacs_cache_trim (fresh, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (fen_size (fresh), <=, 10 * FEN_KIB);
  }
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
}

/* Files removed behind the cache's back: a complete series reads partial,
 * a vanished series leaves the index at the next look, and evicting it is
 * no error. */
static void
test_deleted_behind (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir1 = fen_dir (fx, 1);
  g_autofree char *dir2 = fen_dir (fx, 2);
  g_autofree char *uid1 = fen_series_uid (1);
  g_autofree char *victim = g_strdup_printf ("%s/%s.1.3.dcm", dir1, FEN_STUDY);
  g_autoptr(GError) error = NULL;

  fen_store_series (fx, 1, 5, 2 * FEN_KIB);
  fen_store_series (fx, 2, 5, 2 * FEN_KIB);
  g_assert_cmpint (fen_pacs_cache_get_state (fx->cache, fx->node, FEN_STUDY, uid1), ==, FEN_PACS_CACHE_PARTIAL);
  g_assert_true (_fen_pacs_cache_write_mark (dir1, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fen_pacs_cache_get_state (fx->cache, fx->node, FEN_STUDY, uid1), ==, FEN_PACS_CACHE_COMPLETE);
  g_assert_cmpint (g_unlink (victim), ==, 0);
  g_assert_cmpint (fen_pacs_cache_get_state (fx->cache, fx->node, FEN_STUDY, uid1), ==, FEN_PACS_CACHE_PARTIAL);

  fen_test_remove_dir (dir2);
  {
    g_autoptr(FenPacsCache) fresh = fen_pacs_cache_new (fx->root, 30 * FEN_KIB);
    g_assert_cmpuint (fen_size (fresh), ==, 8 * FEN_KIB);
  }
  /* This object's index still counts series 2: evicting it is a no-op. */
  g_assert_true (fen_pacs_cache_clear (fx->cache, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fen_size (fx->cache), ==, 0);
  g_assert_false (fen_present (fx, 1));
}

/* The mark is written whole through a temporary file, and only a positive
 * count counts. */
static void
test_mark (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = fen_dir (fx, 1);
  g_autofree char *mark = g_build_filename (dir, FEN_PACS_CACHE_MARK, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpuint (_fen_pacs_cache_read_mark (dir), ==, 0);
  g_assert_true (_fen_pacs_cache_write_mark (dir, 300, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (_fen_pacs_cache_read_mark (dir), ==, 300);
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_cmpstr (name, ==, FEN_PACS_CACHE_MARK);
  g_assert_true (g_file_set_contents (mark, "[series]\ninstances=-4\n", -1, NULL));
  g_assert_cmpuint (_fen_pacs_cache_read_mark (dir), ==, 0);
  g_assert_true (g_file_set_contents (mark, "[series\ninst", -1, NULL));
  g_assert_cmpuint (_fen_pacs_cache_read_mark (dir), ==, 0);
  _fen_pacs_cache_remove_mark (dir);
  g_assert_false (g_file_test (mark, G_FILE_TEST_EXISTS));
}

/* ---- two processes ---- */

/* Child mode: hold one series of ROOT until stdin closes. */
static int
fen_child_hold (const char *root, const char *series_uid)
{
  g_autoptr(FenPacsNode) node = fen_pacs_node_parse (FEN_NODE, NULL);
  g_autoptr(FenPacsCache) cache = fen_pacs_cache_new (root, 0);
  g_autoptr(GError) error = NULL;
  char c;

  if (!fen_pacs_cache_hold (cache, node, FEN_STUDY, series_uid, &error))
    {
      fprintf (stderr, "hold: %s\n", error->message);
      return 1;
    }
  printf ("held\n");
  fflush (stdout);
  while (read (0, &c, 1) > 0)
    ;
  fen_pacs_cache_release (cache, node, FEN_STUDY, series_uid);
  return 0;
}

/* Child mode: store N series of its own (FIRST, FIRST+1, ...) under a
 * small limit, racing another child doing the same. */
static int
fen_child_store (const char *root, guint first, guint n)
{
  Fixture fx = { .root = g_strdup (root), .node = fen_pacs_node_parse (FEN_NODE, NULL),
                 .cache = fen_pacs_cache_new (root, 40 * FEN_KIB) };

  for (guint i = 0; i < n; i++)
    fen_store_series (&fx, first + i, 2, 2 * FEN_KIB);
  g_object_unref (fx.cache);
  fen_pacs_node_free (fx.node);
  g_free (fx.root);
  return 0;
}

/* Another process's hold keeps a series from eviction here, and ends with
 * that process. Two processes storing and evicting at once leave an index
 * that reads and agrees with the folders. */
static void
test_two_processes (Fixture *fx, gconstpointer data)
{
  g_autofree char *uid1 = fen_series_uid (1);
  const char *hold_argv[] = { fen_self, "--hold", fx->root, uid1, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int in_fd, out_fd, status;
  char line[16] = { 0 };

  fen_store_series (fx, 1, 5, 2 * FEN_KIB);
  fen_store_series (fx, 2, 5, 2 * FEN_KIB);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) hold_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, &in_fd, &out_fd, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (read (out_fd, line, sizeof line - 1), >, 0);
  g_assert_cmpstr (line, ==, "held\n");
  g_assert_true (fen_pacs_cache_clear (fx->cache, NULL, &error));
  g_assert_true (fen_present (fx, 1));
  g_assert_false (fen_present (fx, 2));
  close (in_fd);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  close (out_fd);
  g_spawn_close_pid (pid);
  g_assert_true (fen_pacs_cache_clear (fx->cache, NULL, &error));
  g_assert_false (fen_present (fx, 1));

  {
    const char *a_argv[] = { fen_self, "--store", fx->root, "100", "40", NULL };
    const char *b_argv[] = { fen_self, "--store", fx->root, "200", "40", NULL };
    GPid a, b;
    g_autoptr(FenPacsCache) fresh = NULL;
    g_autoptr(GHashTable) on_disk = NULL;
    g_autofree char *index_path = g_build_filename (fx->root, FEN_PACS_CACHE_INDEX, NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new ();
    g_auto(GStrv) groups = NULL;
    guint64 indexed = 0, disk = 0;

    g_assert_true (g_spawn_async (NULL, (char **) a_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &a,
                                  &error));
    g_assert_true (g_spawn_async (NULL, (char **) b_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &b,
                                  &error));
    g_assert_cmpint (waitpid (a, &status, 0), ==, a);
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    g_assert_cmpint (waitpid (b, &status, 0), ==, b);
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    /* The index as the two left it: whole, and each series in it on disk
     * with the bytes it says. */
    g_assert_true (g_key_file_load_from_file (kf, index_path, G_KEY_FILE_NONE, &error));
    g_assert_no_error (error);
    groups = g_key_file_get_groups (kf, NULL);
    for (guint i = 0; groups[i] != NULL; i++)
      {
        g_autofree char *dir = g_build_filename (fx->root, groups[i], NULL);
        guint64 bytes;
        g_autoptr(GHashTable) uids = NULL;

        if (g_str_equal (groups[i], "fenestra-pacs-cache"))
          continue;
        uids = _fen_pacs_cache_list_series (dir, &bytes);
        g_assert_cmpuint (g_key_file_get_uint64 (kf, groups[i], "bytes", NULL), ==, bytes);
        indexed += bytes;
      }
    fresh = fen_pacs_cache_new (fx->root, 40 * FEN_KIB);
    disk = fen_size (fresh);
    g_assert_cmpuint (indexed, ==, disk);
    g_assert_cmpuint (disk, <=, 40 * FEN_KIB);
    g_assert_cmpuint (disk, >, 0);
  }
}

/* ---- a complete series opened with no network ---- */

static void
fen_write_dicom (const char *dir, const char *series_uid, guint i)
{
  g_autofree char *uid = g_strdup_printf ("%s.%u", series_uid, i + 1);
  g_autoptr(GByteArray) out = fen_part10_start_for ("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.7", uid);
  g_autofree char *name = g_strconcat (uid, ".dcm", NULL);
  g_autofree char *path = NULL;

  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", uid);
  fen_put_string (out, 0x0020, 0x000d, "UI", FEN_STUDY);
  fen_put_string (out, 0x0020, 0x000e, "UI", series_uid);
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0011, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 7, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_pixels (out, 256);
  path = fen_test_write_file (dir, name, out);
}

typedef struct {
  guint    n;
  guint    last_done;
  gboolean all_from_cache;
} FenSeen;

static void
fen_on_progress (const FenPacsFetchProgress *p, gpointer user_data)
{
  FenSeen *seen = user_data;

  g_assert_nonnull (p->image);
  g_assert_null (p->error);
  g_assert_cmpuint (p->n_done, ==, seen->last_done + 1);
  g_assert_cmpuint (p->n_expected, ==, 6);
  seen->last_done = p->n_done;
  seen->all_from_cache &= p->from_cache;
  seen->n++;
}

static void
test_open_offline (Fixture *fx, gconstpointer data)
{
  g_autofree char *uid = fen_series_uid (9);
  g_autofree char *dir = fen_dir (fx, 9);
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(GError) error = NULL;
  FenPacsFetchStats stats;
  FenSeen seen = { 0, 0, TRUE };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < 6; i++)
    fen_write_dicom (dir, uid, i);
  /* Partial: the node's port is closed, so the fetch fails, quickly. */
  g_assert_false (fen_pacs_fetch (fx->cache, fx->node, FEN_STUDY, uid, store, NULL, FEN_PACS_FETCH_NONE,
                                  NULL, NULL, &stats, NULL, &error));
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CONNECT);
  g_assert_cmpuint (stats.n_network_calls, ==, 1);
  g_clear_error (&error);
  g_assert_false (fen_pacs_fetch (fx->cache, fx->node, FEN_STUDY, uid, store, NULL, FEN_PACS_FETCH_OFFLINE,
                                  NULL, NULL, &stats, NULL, &error));
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CONNECT);
  g_assert_cmpuint (stats.n_network_calls, ==, 0);
  g_clear_error (&error);
  g_assert_cmpuint (fen_store_get_n_images (store), ==, 0);
  /* A failed fetch of a series the cache has nothing of leaves no folder. */
  {
    g_autofree char *other = fen_series_uid (8);
    g_assert_false (fen_pacs_fetch (fx->cache, fx->node, FEN_STUDY, other, store, NULL, FEN_PACS_FETCH_NONE,
                                    NULL, NULL, &stats, NULL, &error));
    g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CONNECT);
    g_clear_error (&error);
    g_assert_false (fen_present (fx, 8));
    g_assert_true (fen_present (fx, 9));
  }

  /* Complete: opened from the cache alone, every image streamed in order. */
  g_assert_true (_fen_pacs_cache_write_mark (dir, 6, &error));
  g_assert_true (fen_pacs_fetch (fx->cache, fx->node, FEN_STUDY, uid, store, NULL, FEN_PACS_FETCH_HOLD,
                                 fen_on_progress, &seen, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen.n, ==, 6);
  g_assert_true (seen.all_from_cache);
  g_assert_cmpuint (stats.n_network_calls, ==, 0);
  g_assert_cmpuint (stats.n_from_cache, ==, 6);
  g_assert_cmpuint (stats.n_loaded, ==, 6);
  g_assert_cmpuint (stats.n_expected, ==, 6);
  g_assert_cmpuint (fen_store_get_n_images (store), ==, 6);
  /* Held by the fetch for the images now open: not evicted. */
  g_assert_true (fen_pacs_cache_clear (fx->cache, NULL, &error));
  g_assert_true (fen_present (fx, 9));
  fen_pacs_cache_release (fx->cache, fx->node, FEN_STUDY, uid);
  /* The whole study, offline: the cache's series of it. */
  {
    g_autoptr(FenStore) store2 = fen_store_new ();
    g_assert_true (fen_pacs_fetch (fx->cache, fx->node, FEN_STUDY, NULL, store2, NULL, FEN_PACS_FETCH_OFFLINE,
                                   NULL, NULL, &stats, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (stats.n_series, ==, 1);
    g_assert_cmpuint (fen_store_get_n_images (store2), ==, 6);
  }
  g_assert_true (fen_pacs_cache_clear (fx->cache, NULL, &error));
  g_assert_false (fen_present (fx, 9));
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--hold"))
    return fen_child_hold (argv[2], argv[3]);
  if (argc == 5 && g_str_equal (argv[1], "--store"))
    return fen_child_store (argv[2], (guint) atoi (argv[3]), (guint) atoi (argv[4]));
  fen_self = argv[0];
  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  g_test_add_func ("/pacs-cache/node-key", test_node_key);
  ADD ("/pacs-cache/invalid-uid", test_invalid_uid);
  ADD ("/pacs-cache/lru", test_lru);
  ADD ("/pacs-cache/limit", test_limit);
  ADD ("/pacs-cache/held", test_held);
  ADD ("/pacs-cache/corrupt-index", test_corrupt_index);
  ADD ("/pacs-cache/deleted-behind", test_deleted_behind);
  ADD ("/pacs-cache/mark", test_mark);
  ADD ("/pacs-cache/two-processes", test_two_processes);
  ADD ("/pacs-cache/open-offline", test_open_offline);
#undef ADD
  return g_test_run ();
}
