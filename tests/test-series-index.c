/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-series-index.c: the one walker (FenStudyIndex) and the one series
 * order (FenSeriesOrder) on files Fenestra did not write: GDCM's gdcmimg
 * makes each slice from raw pixels, DCMTK's dcmodify gives it its place
 * (Image Position/Orientation, Instance Number, UIDs) and dcmmkdir writes
 * the DICOMDIR. One folder mixes two series: A, six axial slices whose file
 * names, Instance Numbers and positions disagree, two of them two folders
 * down; B, four slices without a plane, ordered by Instance Number, then
 * file name. Plus a PNG, a text file and a hidden file. A missing tool
 * fails the test. */
#define G_LOG_DOMAIN "fen-test-series-index"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "fen-test-dicom-writer.h"
#include <fenestra/fenestra.h>

#define SERIES_A "1.2.826.0.1.3680043.9.7781.2.1"
#define SERIES_B "1.2.826.0.1.3680043.9.7781.2.2"
#define SERIES_HIDDEN "1.2.826.0.1.3680043.9.7781.2.3"
#define N_A 6
#define N_B 4
#define SIZE 16

static char *fen_test_dir;
static char *fen_test_tree;   /* NULL until made; made once */
static gboolean fen_test_tree_failed;

/* A: slice k lies at z = -10 + 3.5 k; its Instance Number and file name
 * follow other permutations, so only the positions give the order. */
static double fen_a_z (guint k) { return -10.0 + 3.5 * k; }
static guint fen_a_instance (guint k) { return (k * 5 + 2) % N_A + 1; }   /* 3 2 1 6 5 4 */
static const char *const fen_a_file[N_A] = { "IM5", "IM4", "IM3", "IM2", "DEEP/ER/IM1", "DEEP/ER/IM0" };
/* B: no plane; j = 2 and 3 share Instance Number 3, and B0 < B1 by name. */
static guint fen_b_instance (guint j) { return MIN (j + 1, 3u); }
static const char *const fen_b_file[N_B] = { "B3", "B2", "B1", "B0" };
static const guint fen_b_order[N_B] = { 0, 1, 3, 2 };

static gboolean
fen_test_run (const char *const *argv, const char *cwd)
{
  g_autofree char *exe = g_find_program_in_path (argv[0]);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (exe == NULL)
    {
      g_test_fail_printf ("%s is not installed: a missing tool fails the test (tools/deps.sh installs it)", argv[0]);
      return FALSE;
    }
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, exe);
  for (guint i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  if (!g_spawn_sync (cwd, (char **) args->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                     &status, &error) || !g_spawn_check_wait_status (status, NULL))
    {
      g_test_fail_printf ("%s failed: %s", argv[0], error != NULL ? error->message : err);
      return FALSE;
    }
  return TRUE;
}

/* One 16 x 16 slice by gdcmimg, every pixel @value, placed by dcmodify. */
static gboolean
fen_test_write_slice (const char *root, const char *relative, const char *series_uid, guint instance,
                      const double *z, guint16 value)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *raw = g_build_filename (fen_test_dir, "slice.raw", NULL);
  g_autofree char *instance_number = g_strdup_printf ("(0020,0013)=%u", instance);
  g_autofree char *series = g_strdup_printf ("(0020,000e)=%s", series_uid);
  g_autofree char *position = z != NULL ? g_strdup_printf ("(0020,0032)=-20\\-30\\%.2f", *z) : NULL;
  guint16 pixels[SIZE * SIZE];

  for (guint i = 0; i < SIZE * SIZE; i++)
    pixels[i] = GUINT16_TO_LE (value);
  g_assert_true (g_file_set_contents (raw, (const char *) pixels, sizeof pixels, NULL));
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  const char *img[] = { "gdcmimg", "-i", raw, "-o", path, "--size", "16,16", "--depth", "16", NULL };
  if (!fen_test_run (img, NULL))
    return FALSE;
  /* What dcmmkdir asks of an image record (PS3.3 F.5), and the place. */
  const char *common[] = { "dcmodify", "-nb", "-i", "(0008,0060)=OT", "-i", "(0008,0020)=20240105",
                           "-i", "(0008,0030)=120000", "-i", "(0010,0010)=Walk^Test",
                           "-i", "(0010,0020)=W1", "-i", "(0020,000d)=1.2.826.0.1.3680043.9.7781.1",
                           "-i", "(0028,0030)=0.5\\0.5", "-i", series, "-i", instance_number };
  g_autoptr(GPtrArray) modify = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (common); i++)
    g_ptr_array_add (modify, (gpointer) common[i]);
  if (position != NULL)
    {
      g_ptr_array_add (modify, "-i");
      g_ptr_array_add (modify, "(0020,0037)=1\\0\\0\\0\\1\\0");
      g_ptr_array_add (modify, "-i");
      g_ptr_array_add (modify, position);
    }
  g_ptr_array_add (modify, path);
  g_ptr_array_add (modify, NULL);
  return fen_test_run ((const char *const *) modify->pdata, NULL);
}

static const char *
fen_test_get_tree (void)
{
  if (fen_test_tree != NULL || fen_test_tree_failed)
    {
      if (fen_test_tree_failed)
        g_test_fail_printf ("the fixture could not be made");
      return fen_test_tree;
    }
  g_autofree char *root = g_build_filename (fen_test_dir, "walk", NULL);
  for (guint k = 0; k < N_A; k++)
    {
      double z = fen_a_z (k);
      if (!fen_test_write_slice (root, fen_a_file[k], SERIES_A, fen_a_instance (k), &z, (guint16) (100 + k)))
        goto failed;
    }
  for (guint j = 0; j < N_B; j++)
    if (!fen_test_write_slice (root, fen_b_file[j], SERIES_B, fen_b_instance (j), NULL, (guint16) (200 + j)))
      goto failed;
  /* Hidden: never walked into. */
  if (!fen_test_write_slice (root, ".cache/IM9", SERIES_HIDDEN, 1, NULL, 7))
    goto failed;

  /* The DICOMDIR, by DCMTK, over the DICOM files only. */
  const char *mkdir[] = { "dcmmkdir", "--general-purpose", "--invent", "--output-file", "DICOMDIR",
                          "IM5", "IM4", "IM3", "IM2", "DEEP/ER/IM1", "DEEP/ER/IM0", "B3", "B2", "B1", "B0",
                          NULL };
  if (!fen_test_run (mkdir, root))
    goto failed;

  /* Not DICOM: a PNG (listed for the viewer) and a text file (ignored). */
  {
    guint8 gray[4] = { 0, 80, 160, 240 };
    FenRaster raster = { 2, 2, 1, 8, FALSE, gray, 2, 1, 0, NULL, NULL };
    g_autofree char *png = g_build_filename (root, "picture.png", NULL);
    g_autofree char *text = g_build_filename (root, "README.txt", NULL);
    GError *error = NULL;

    g_assert_true (fen_png_write (png, &raster, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (text, "not an image\n", -1, NULL));
  }
  fen_test_tree = g_steal_pointer (&root);
  return fen_test_tree;

failed:
  fen_test_tree_failed = TRUE;
  return NULL;
}

static const FenStudySeries *
fen_test_find_series (const FenStudyIndex *index, const char *uid)
{
  const GPtrArray *patients = fen_study_index_get_patients (index);

  for (guint p = 0; p < patients->len; p++)
    {
      const FenStudyPatient *patient = patients->pdata[p];
      for (guint s = 0; s < patient->studies->len; s++)
        {
          const FenStudy *study = patient->studies->pdata[s];
          for (guint r = 0; r < study->series->len; r++)
            if (g_strcmp0 (((const FenStudySeries *) study->series->pdata[r])->series_uid, uid) == 0)
              return study->series->pdata[r];
        }
    }
  return NULL;
}

static guint
fen_test_n_series (const FenStudyIndex *index)
{
  const GPtrArray *patients = fen_study_index_get_patients (index);
  guint n = 0;

  for (guint p = 0; p < patients->len; p++)
    {
      const FenStudyPatient *patient = patients->pdata[p];
      for (guint s = 0; s < patient->studies->len; s++)
        n += ((const FenStudy *) patient->studies->pdata[s])->series->len;
    }
  return n;
}

/* Series A by position, B by Instance Number then name, whatever found them. */
static void
fen_test_check_orders (const FenStudyIndex *index, const char *root)
{
  const FenStudySeries *a = fen_test_find_series (index, SERIES_A);
  const FenStudySeries *b = fen_test_find_series (index, SERIES_B);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (a->objects->len, ==, N_A);
  g_assert_cmpuint (b->objects->len, ==, N_B);
  for (guint k = 0; k < N_A; k++)
    {
      const FenStudyObject *o = a->objects->pdata[k];
      g_autofree char *want = g_build_filename (root, fen_a_file[k], NULL);

      g_test_message ("A[%u] = %s (instance %d, z %.2f)", k, o->path, o->instance_number, o->position[2]);
      g_assert_cmpstr (o->path, ==, want);
      g_assert_true (o->has_plane);
      g_assert_cmpfloat_with_epsilon (o->position[2], fen_a_z (k), 1e-9);
    }
  for (guint i = 0; i < N_B; i++)
    {
      const FenStudyObject *o = b->objects->pdata[i];
      g_autofree char *want = g_build_filename (root, fen_b_file[fen_b_order[i]], NULL);

      g_test_message ("B[%u] = %s (instance %d)", i, o->path, o->instance_number);
      g_assert_cmpstr (o->path, ==, want);
      g_assert_false (o->has_plane);
    }
}

/* A folder mixing two series, one of them partly two folders down. */
static void
fen_test_folder (void)
{
  const char *root = fen_test_get_tree ();
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_autoptr(GError) error = NULL;

  if (root == NULL)
    return;
  g_assert_true (fen_study_index_add_path (index, root, NULL, &error));
  g_assert_no_error (error);
  /* Two series: the hidden folder's third is not walked into. */
  g_assert_cmpuint (fen_test_n_series (index), ==, 2);
  g_assert_null (fen_test_find_series (index, SERIES_HIDDEN));
  fen_test_check_orders (index, root);
  g_assert_cmpuint (fen_study_index_get_n_images (index), ==, N_A + N_B);

  /* The PNG is listed for the viewer; the text file and the DICOMDIR are
   * not objects; nothing is a problem. */
  const GPtrArray *rasters = fen_study_index_get_rasters (index);
  g_assert_cmpuint (rasters->len, ==, 1);
  g_assert_true (g_str_has_suffix (rasters->pdata[0], "/picture.png"));
  g_assert_cmpuint (fen_study_index_get_ignored (index)->len, ==, 1);
  g_assert_nonnull (strstr (fen_study_index_get_ignored (index)->pdata[0], "README.txt"));
  g_assert_cmpuint (fen_study_index_get_problems (index)->len, ==, 0);
}

/* The DICOMDIR dcmmkdir wrote: the same series in the same order. */
static void
fen_test_dicomdir (void)
{
  const char *root = fen_test_get_tree ();
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_autoptr(GError) error = NULL;

  if (root == NULL)
    return;
  g_autofree char *dicomdir = g_build_filename (root, "DICOMDIR", NULL);
  g_assert_true (fen_study_index_add_path (index, dicomdir, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fen_test_n_series (index), ==, 2);
  fen_test_check_orders (index, root);
  /* Only what the DICOMDIR references: no PNG, nothing ignored. */
  g_assert_cmpuint (fen_study_index_get_rasters (index)->len, ==, 0);
  g_assert_cmpuint (fen_study_index_get_n_ignored (index), ==, 0);

  /* A walk follows the DICOMDIR too: a record whose file is gone is a
   * problem, the rest is as before. */
  g_autofree char *gone = g_build_filename (root, "B2", NULL);
  g_autofree char *away = g_build_filename (fen_test_dir, "B2.away", NULL);
  g_assert_cmpint (g_rename (gone, away), ==, 0);
  g_autoptr(FenStudyIndex) walk = fen_study_index_new ();
  g_assert_true (fen_study_index_add_path (walk, root, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (away, gone), ==, 0);
  const GPtrArray *problems = fen_study_index_get_problems (walk);
  g_assert_cmpuint (problems->len, ==, 1);
  g_test_message ("%s", (const char *) problems->pdata[0]);
  g_assert_nonnull (strstr (problems->pdata[0], "B2"));
  g_assert_cmpuint (fen_test_find_series (walk, SERIES_B)->objects->len, ==, N_B - 1);
}

/* The viewer's path: each file loaded, its metadata through
 * fen_series_member_init() into a FenSeriesOrder (what FenSeries wraps),
 * added in an order of its own: the index's order again. */
static void
fen_test_loaded (void)
{
  const char *root = fen_test_get_tree ();
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_autoptr(GError) error = NULL;

  if (root == NULL)
    return;
  g_assert_true (fen_study_index_add_path (index, root, NULL, &error));
  g_assert_no_error (error);
  const char *uids[] = { SERIES_A, SERIES_B };
  for (guint u = 0; u < G_N_ELEMENTS (uids); u++)
    {
      const FenStudySeries *series = fen_test_find_series (index, uids[u]);
      g_autoptr(FenSeriesOrder) order = fen_series_order_new ();
      g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);

      /* Reverse of the index's order, as a loader thread might deliver. */
      for (guint i = series->objects->len; i-- > 0;)
        {
          const FenStudyObject *o = series->objects->pdata[i];
          FenImage *image = fen_load_file (o->path, NULL, &error);
          FenSeriesMember member;

          g_assert_no_error (error);
          fen_series_member_init (&member, fen_image_get_info (image), i, fen_image_get_path (image));
          fen_series_order_add (order, &member);
          g_ptr_array_add (images, image);
        }
      g_assert_cmpint (fen_series_order_is_spatial (order), ==, u == 0);
      for (guint i = 0; i < series->objects->len; i++)
        g_assert_cmpuint (fen_series_order_get_id (order, i), ==, i);
      /* A series opens on its first slice in series order: A's lowest z. */
      if (u == 0)
        {
          guint id, frame;
          g_assert_true (fen_series_order_get_slice (order, 0, &id, &frame));
          FenImage *first = images->pdata[series->objects->len - 1 - id];
          g_assert_cmpfloat_with_epsilon (fen_image_get_info (first)->image_position[2], fen_a_z (0), 1e-9);
        }
    }
}

/* One file given: filed, listed, or a problem (never silently ignored). */
static void
fen_test_single (void)
{
  const char *root = fen_test_get_tree ();
  g_autoptr(GError) error = NULL;

  if (root == NULL)
    return;
  g_autofree char *dicom = g_build_filename (root, "DEEP", "ER", "IM0", NULL);
  g_autofree char *png = g_build_filename (root, "picture.png", NULL);
  g_autofree char *text = g_build_filename (root, "README.txt", NULL);
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();

  g_assert_true (fen_study_index_add_path (index, dicom, NULL, &error));
  g_assert_true (fen_study_index_add_path (index, dicom, NULL, &error));   /* twice: one object */
  g_assert_true (fen_study_index_add_path (index, png, NULL, &error));
  g_assert_true (fen_study_index_add_path (index, text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fen_study_index_get_n_objects (index), ==, 1);
  const FenStudySeries *a = fen_test_find_series (index, SERIES_A);
  g_assert_nonnull (a);
  g_assert_cmpstr (((const FenStudyObject *) a->objects->pdata[0])->path, ==, dicom);
  g_assert_cmpuint (fen_study_index_get_rasters (index)->len, ==, 1);
  g_assert_cmpuint (fen_study_index_get_n_ignored (index), ==, 0);
  g_assert_cmpuint (fen_study_index_get_problems (index)->len, ==, 1);
  g_assert_nonnull (strstr (fen_study_index_get_problems (index)->pdata[0], "README.txt"));
}

static char *
fen_test_cli (gboolean must_succeed, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) FEN_TEST_CLI);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %s%s", args[0], out, err);
  g_assert_cmpint (g_spawn_check_wait_status (status, NULL), ==, must_succeed);
  return g_strconcat (out, err, NULL);
}

/* fenestra-cli walks as the viewer does: index lists both series; mpr
 * refuses the mixed folder before loading, and finds series A's two slices
 * two folders down, the lower one first. */
static void
fen_test_cli_walk (void)
{
  const char *root = fen_test_get_tree ();
  g_autoptr(GError) error = NULL;

  if (root == NULL)
    return;
  const char *index[] = { "index", root, NULL };
  g_autofree char *listing = fen_test_cli (TRUE, index);
  g_assert_nonnull (strstr (listing, ": 6 image object(s)"));
  g_assert_nonnull (strstr (listing, ": 4 image object(s)"));
  /* README.txt, picture.png and the DICOMDIR. */
  g_assert_nonnull (strstr (listing, "10 object(s), 3 file(s) not DICOM"));

  g_autofree char *out = g_build_filename (fen_test_dir, "mpr.png", NULL);
  const char *mixed[] = { "mpr", root, "--plane", "axial", "--index", "0", "--raw", "-o", out, NULL };
  g_autofree char *refused = fen_test_cli (FALSE, mixed);
  g_assert_nonnull (strstr (refused, "holds 2 series"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  g_autofree char *deep = g_build_filename (root, "DEEP", NULL);
  const char *nested[] = { "mpr", deep, "--plane", "axial", "--index", "0", "--raw", "-o", out, NULL };
  g_free (fen_test_cli (TRUE, nested));
  g_autoptr(FenImage) plane = fen_load_file (out, NULL, &error);
  g_assert_no_error (error);
  /* Slice k holds 100 + k: the lower of IM1 (k 4) and IM0 (k 5). */
  g_assert_cmpuint (fen_image_get_width (plane), ==, SIZE);
  g_assert_cmpuint (((const guint16 *) fen_image_get_frame (plane, 0))[0], ==, 104);
}

static void
fen_test_cancel (void)
{
  const char *root = fen_test_get_tree ();
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  if (root == NULL)
    return;
  g_cancellable_cancel (cancellable);
  g_assert_false (fen_study_index_add_path (index, root, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fen_study_index_get_n_objects (index), ==, 0);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
  fen_test_dir = g_dir_make_tmp ("fen-series-index-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/series-index/folder", fen_test_folder);
  g_test_add_func ("/series-index/dicomdir", fen_test_dicomdir);
  g_test_add_func ("/series-index/loaded", fen_test_loaded);
  g_test_add_func ("/series-index/single", fen_test_single);
  g_test_add_func ("/series-index/cancel", fen_test_cancel);
  g_test_add_func ("/series-index/cli", fen_test_cli_walk);

  status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  g_free (fen_test_tree);
  return status;
}
