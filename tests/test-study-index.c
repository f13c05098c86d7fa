/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-study-index.c: a folder tree and a DICOMDIR become patients, studies
 * and series (issue 5, item 4); non-image objects are listed by kind; files
 * that are not DICOM are ignored, not errors. And DCMTK 3.6.7's DICOMDIR
 * traps: the DICOMDIR is never written, a missing one is an error (not an
 * empty tree), and a Referenced File ID with ".." is refused. */
#define G_LOG_DOMAIN "fen-test-study-index"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <unistd.h>
#include <fenestra/fenestra.h>

#include "fen-test-dicom-writer.h"

static char *fen_test_dir;

typedef struct {
  const char *relative;     /* path under the tree */
  const char *patient_id, *patient_name;
  const char *study_uid, *study_date;
  const char *series_uid;
  guint       series_number;
  const char *modality;
  const char *sop_class;
  guint       instance;
  gboolean    image;
} FenTestObject;

#define CT  "1.2.840.10008.5.1.4.1.1.2"
#define MR  "1.2.840.10008.5.1.4.1.1.4"
#define SR  "1.2.840.10008.5.1.4.1.1.88.11"
#define PLAN "1.2.840.10008.5.1.4.1.1.481.5"
#define GSPS "1.2.840.10008.5.1.4.1.1.11.1"
#define ECG "1.2.840.10008.5.1.4.1.1.9.1.1"

static const FenTestObject fen_test_objects[] = {
  { "CT/IM3", "P1", "Alpha^Ann", "1.2.3.1", "20240105", "1.2.3.1.1", 2, "CT", CT, 3, TRUE },
  { "CT/IM1", "P1", "Alpha^Ann", "1.2.3.1", "20240105", "1.2.3.1.1", 2, "CT", CT, 1, TRUE },
  { "CT/SUB/IM2", "P1", "Alpha^Ann", "1.2.3.1", "20240105", "1.2.3.1.1", 2, "CT", CT, 2, TRUE },
  { "CT/LOC", "P1", "Alpha^Ann", "1.2.3.1", "20240105", "1.2.3.1.2", 1, "CT", CT, 1, TRUE },
  { "MR/DEEP/ER/IM1", "P1", "Alpha^Ann", "1.2.3.2", "20230301", "1.2.3.2.1", 1, "MR", MR, 1, TRUE },
  { "OTHER/SR1", "P2", "Beta^Bob", "1.2.3.3", "20240201", "1.2.3.3.1", 1, "SR", SR, 1, FALSE },
  { "OTHER/PLAN", "P2", "Beta^Bob", "1.2.3.3", "20240201", "1.2.3.3.2", 2, "RTPLAN", PLAN, 1, FALSE },
  { "OTHER/PR", "P2", "Beta^Bob", "1.2.3.3", "20240201", "1.2.3.3.3", 3, "PR", GSPS, 1, FALSE },
  { "OTHER/ECG", "P2", "Beta^Bob", "1.2.3.3", "20240201", "1.2.3.3.4", 4, "ECG", ECG, 1, FALSE },
};

static void
fen_test_write_object (const char *root, const FenTestObject *o)
{
  g_autofree char *instance = g_strdup_printf ("1.2.3.9.%s.%u", o->series_uid + 6, o->instance);
  g_autofree char *path = g_build_filename (root, o->relative, NULL);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *series_number = g_strdup_printf ("%u", o->series_number);
  g_autofree char *instance_number = g_strdup_printf ("%u", o->instance);
  GByteArray *out = fen_part10_start_for ("1.2.840.10008.1.2.1", o->sop_class, instance);

  /* Attributes in tag order. */
  fen_put_string (out, 0x0008, 0x0016, "UI", o->sop_class);
  fen_put_string (out, 0x0008, 0x0018, "UI", instance);
  /* Plus what dcmmkdir requires of each record type (PS3.3 F.5). */
  fen_put_string (out, 0x0008, 0x0020, "DA", o->study_date);
  if (!o->image)
    fen_put_string (out, 0x0008, 0x0023, "DA", o->study_date);
  fen_put_string (out, 0x0008, 0x0030, "TM", "120000");
  if (!o->image)
    fen_put_string (out, 0x0008, 0x0033, "TM", "120000");
  fen_put_string (out, 0x0008, 0x0050, "SH", "ACC1");
  fen_put_string (out, 0x0008, 0x0060, "CS", o->modality);
  fen_put_string (out, 0x0008, 0x1030, "LO", "Study");
  fen_put_string (out, 0x0010, 0x0010, "PN", o->patient_name);
  fen_put_string (out, 0x0010, 0x0020, "LO", o->patient_id);
  fen_put_string (out, 0x0020, 0x000d, "UI", o->study_uid);
  fen_put_string (out, 0x0020, 0x000e, "UI", o->series_uid);
  fen_put_string (out, 0x0020, 0x0010, "SH", "S1");
  fen_put_string (out, 0x0020, 0x0011, "IS", series_number);
  fen_put_string (out, 0x0020, 0x0013, "IS", instance_number);
  if (strcmp (o->sop_class, SR) == 0)
    {
      GByteArray *code = g_byte_array_new ();
      fen_put_string (code, 0x0008, 0x0100, "SH", "11528-7");
      fen_put_string (code, 0x0008, 0x0102, "SH", "LN");
      fen_put_string (code, 0x0008, 0x0104, "LO", "Radiology Report");
      fen_put_explicit (out, 0x0040, 0xa043, "SQ", code->len + 8);
      fen_put_tag (out, 0xfffe, 0xe000);
      fen_put_u32 (out, code->len);
      g_byte_array_append (out, code->data, code->len);
      g_byte_array_unref (code);
      fen_put_string (out, 0x0040, 0xa491, "CS", "COMPLETE");
      fen_put_string (out, 0x0040, 0xa493, "CS", "UNVERIFIED");
    }
  if (strcmp (o->sop_class, GSPS) == 0)
    {
      fen_put_string (out, 0x0070, 0x0080, "CS", "PRESENTATION");
      fen_put_string (out, 0x0070, 0x0082, "DA", o->study_date);
      fen_put_string (out, 0x0070, 0x0083, "TM", "120000");
    }
  if (strcmp (o->sop_class, PLAN) == 0)
    fen_put_string (out, 0x300a, 0x0002, "SH", "PLAN1");
  if (o->image)
    {
      fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
      fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
      fen_put_us (out, 0x0028, 0x0010, 4, FALSE);
      fen_put_us (out, 0x0028, 0x0011, 4, FALSE);
      fen_put_us (out, 0x0028, 0x0100, 8, FALSE);
      fen_put_us (out, 0x0028, 0x0101, 8, FALSE);
      fen_put_us (out, 0x0028, 0x0102, 7, FALSE);
      fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
      fen_put_pixels (out, 16);
    }
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  g_free (fen_test_write_file (folder, strrchr (path, '/') + 1, out));
  g_byte_array_unref (out);
}

static char *
fen_test_make_tree (const char *name)
{
  char *root = g_build_filename (fen_test_dir, name, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fen_test_objects); i++)
    fen_test_write_object (root, &fen_test_objects[i]);
  return root;
}

static const FenStudyPatient *
fen_test_patient (const FenStudyIndex *index, guint i)
{
  return g_ptr_array_index ((GPtrArray *) fen_study_index_get_patients (index), i);
}

/* What every index of the tree must show, however it was found. */
static void
fen_test_check_tree (const FenStudyIndex *index)
{
  g_assert_cmpuint (fen_study_index_get_patients (index)->len, ==, 2);
  const FenStudyPatient *ann = fen_test_patient (index, 0);
  const FenStudyPatient *bob = fen_test_patient (index, 1);
  g_assert_cmpstr (ann->name, ==, "Alpha^Ann");
  g_assert_cmpstr (bob->patient_id, ==, "P2");

  /* Ann: two studies by date, the CT one with two series by number. */
  g_assert_cmpuint (ann->studies->len, ==, 2);
  const FenStudy *mr = ann->studies->pdata[0], *ct = ann->studies->pdata[1];
  g_assert_cmpstr (mr->date, ==, "20230301");
  g_assert_cmpuint (ct->series->len, ==, 2);
  const FenStudySeries *loc = ct->series->pdata[0], *axial = ct->series->pdata[1];
  g_assert_cmpint (loc->number, ==, 1);
  g_assert_cmpuint (axial->objects->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const FenStudyObject *o = axial->objects->pdata[i];
      g_assert_cmpint (o->instance_number, ==, (gint) i + 1);
      g_assert_cmpint (o->kind, ==, FEN_OBJECT_IMAGE);
    }

  /* Bob: the non-image objects, each in its series, listed by kind. */
  g_assert_cmpuint (bob->studies->len, ==, 1);
  const FenStudy *other = bob->studies->pdata[0];
  static const FenObjectKind kinds[] = {
    FEN_OBJECT_STRUCTURED_REPORT, FEN_OBJECT_RT_PLAN, FEN_OBJECT_PRESENTATION_STATE,
    FEN_OBJECT_WAVEFORM,
  };
  g_assert_cmpuint (other->series->len, ==, G_N_ELEMENTS (kinds));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const FenStudySeries *s = other->series->pdata[i];
      g_assert_cmpuint (s->objects->len, ==, 1);
      g_assert_cmpint (((const FenStudyObject *) s->objects->pdata[0])->kind, ==, kinds[i]);
    }
  g_assert_cmpuint (fen_study_index_get_n_objects (index), ==, G_N_ELEMENTS (fen_test_objects));
}

static void
fen_test_folder (void)
{
  g_autofree char *root = fen_test_make_tree ("folder");
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  GError *error = NULL;

  /* Noise the walk must take in its stride: not DICOM, empty, a link
   * back to the root (a loop if followed), a link to a file. */
  g_autofree char *text = g_build_filename (root, "README.txt", NULL);
  g_autofree char *empty = g_build_filename (root, "OTHER", "EMPTY", NULL);
  g_autofree char *loop = g_build_filename (root, "MR", "loop", NULL);
  g_autofree char *link = g_build_filename (root, "link-to-ct", NULL);
  g_autofree char *ct1 = g_build_filename (root, "CT", "IM1", NULL);
  g_assert_true (g_file_set_contents (text, "not an image\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_cmpint (symlink (root, loop), ==, 0);
  g_assert_cmpint (symlink (ct1, link), ==, 0);

  g_assert_true (fen_study_index_add_folder (index, root, &error));
  g_assert_no_error (error);
  fen_test_check_tree (index);
  g_assert_cmpuint (fen_study_index_get_n_ignored (index), ==, 2);
  g_assert_cmpuint (fen_study_index_get_problems (index)->len, ==, 0);

  g_autofree char *missing = g_build_filename (fen_test_dir, "no-such-folder", NULL);
  g_assert_false (fen_study_index_add_folder (index, missing, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
}

static guint32
fen_test_hash_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  guint32 h = 2166136261u;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guint8) data[i]) * 16777619u;
  return h ^ (guint32) len;
}

static void
fen_test_dicomdir (void)
{
  g_autofree char *exe = g_find_program_in_path ("dcmmkdir");
  g_autofree char *root = fen_test_make_tree ("media");
  g_autofree char *dicomdir = g_build_filename (root, "DICOMDIR", NULL);
  GError *error = NULL;

  if (exe == NULL)
    {
      g_test_fail_printf ("dcmmkdir (DCMTK) not installed: a missing tool fails the test (tools/deps.sh installs it)");
      return;
    }
  /* dcmmkdir reads the files from the media's root, by relative paths. */
  const char *argv[] = { exe, "--general-purpose", "--recurse", "--invent", "--output-file",
                         "DICOMDIR", "CT", "MR", "OTHER", NULL };
  int status = 0;
  g_autofree char *err = NULL;
  g_spawn_sync (root, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("dcmmkdir failed: %s", err);
  g_test_message ("dcmmkdir: %s", err);

  /* A file the DICOMDIR does not reference stays out. */
  g_autofree char *stray = g_build_filename (root, "STRAY", NULL);
  FenTestObject extra = fen_test_objects[0];
  extra.relative = "STRAY";
  extra.patient_id = "P9";
  fen_test_write_object (root, &extra);

  const guint32 before = fen_test_hash_file (dicomdir);
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_assert_true (fen_study_index_add_dicomdir (index, dicomdir, &error));
  g_assert_no_error (error);
  fen_test_check_tree (index);
  g_assert_cmpuint (fen_study_index_get_problems (index)->len, ==, 0);
  /* DcmDicomDir would write the file back when it thinks it changed. */
  g_assert_cmpuint (fen_test_hash_file (dicomdir), ==, before);

  /* Given to the image loader: not an image, and not parsed by DCMTK
   * (which leaks the records of a malformed one). */
  g_assert_null (fen_load_file (dicomdir, NULL, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_NO_PIXELS);
  g_clear_error (&error);
  g_assert_cmpuint (fen_test_hash_file (dicomdir), ==, before);

  /* Missing: an error, where DcmDicomDir shows an empty tree. */
  g_autofree char *missing = g_build_filename (root, "NODIR", NULL);
  g_autoptr(FenStudyIndex) none = fen_study_index_new ();
  g_assert_false (fen_study_index_add_dicomdir (none, missing, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN);
  g_clear_error (&error);

  /* Not a DICOMDIR at all. */
  g_autofree char *ct = g_build_filename (root, "CT", "IM1", NULL);
  g_assert_false (fen_study_index_add_dicomdir (none, ct, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT);
  g_clear_error (&error);
}

/* A DICOMDIR whose records point outside its folder. */
static void
fen_test_dicomdir_escape (void)
{
  static const char *const ids[] = {
    "..\\SECRET", "CT\\..\\..\\SECRET", "\\ETC\\PASSWD", "CT\\\\IM1", "CT\\IM1", "CT\\NOFILE",
  };
  g_autofree char *root = g_build_filename (fen_test_dir, "escape", "MEDIA", NULL);
  g_autofree char *outside = g_build_filename (fen_test_dir, "escape", NULL);
  GError *error = NULL;

  FenTestObject secret = fen_test_objects[0];
  secret.relative = "SECRET";
  secret.patient_id = "OUTSIDE";
  fen_test_write_object (outside, &secret);
  fen_test_write_object (root, &fen_test_objects[1]); /* MEDIA/CT/IM1 */

  GByteArray *items = g_byte_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      GByteArray *record = g_byte_array_new ();
      fen_put_string (record, 0x0004, 0x1430, "CS", "IMAGE");
      fen_put_string (record, 0x0004, 0x1500, "CS", ids[i]);
      fen_put_tag (items, 0xfffe, 0xe000);
      fen_put_u32 (items, record->len);
      g_byte_array_append (items, record->data, record->len);
      g_byte_array_unref (record);
    }
  GByteArray *file = fen_part10_start_for ("1.2.840.10008.1.2.1", "1.2.840.10008.1.3.10",
                                           "1.2.3.9.99");
  fen_put_string (file, 0x0004, 0x1130, "CS", "ESCAPE");
  fen_put_explicit (file, 0x0004, 0x1220, "SQ", items->len);
  g_byte_array_append (file, items->data, items->len);
  g_byte_array_unref (items);
  g_autofree char *dicomdir = fen_test_write_file (root, "DICOMDIR", file);
  g_byte_array_unref (file);

  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_assert_true (fen_study_index_add_dicomdir (index, dicomdir, &error));
  g_assert_no_error (error);
  /* Only MEDIA/CT/IM1 (referenced once, listed once); five problems. */
  g_assert_cmpuint (fen_study_index_get_n_objects (index), ==, 1);
  const FenStudyPatient *p = fen_test_patient (index, 0);
  g_assert_cmpstr (p->patient_id, ==, "P1");
  const GPtrArray *problems = fen_study_index_get_problems (index);
  g_assert_cmpuint (problems->len, ==, 5);
  for (guint i = 0; i < problems->len; i++)
    {
      g_test_message ("%s", (const char *) problems->pdata[i]);
      g_assert_true (g_str_has_prefix (problems->pdata[i], "DICOMDIR: "));
    }
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fen_test_dir = g_dir_make_tmp ("fen-index-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/study-index/folder", fen_test_folder);
  g_test_add_func ("/study-index/dicomdir", fen_test_dicomdir);
  g_test_add_func ("/study-index/dicomdir-escape", fen_test_dicomdir_escape);

  status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
