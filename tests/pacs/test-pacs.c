/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pacs.c: query and retrieve against a real Orthanc, which
 * test-pacs-orthanc.sh starts on loopback with fen-pacs-plan.h's studies
 * uploaded. Every find key and its wildcards and date ranges over DIMSE and
 * DICOMweb, against the plan; C-GET, C-MOVE and WADO-RS of the 300-slice
 * series compared byte for byte with what was uploaded; the command line;
 * and peers that refuse, reject or stay silent, each a clear error within
 * its timeout. */
#include <fenestra/fen-pacs.h>
#include <json-glib/json-glib.h>

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "fen-pacs-plan.h"
#include "fen-pacs-test-env.h"

static FenPacsNode *
fen_node (const char *uri)
{
  g_autoptr(GError) error = NULL;
  FenPacsNode *node = fen_pacs_node_parse (uri, &error);

  g_assert_no_error (error);
  return node;
}

static char *
fen_out_dir (const char *name)
{
  char *dir = g_build_filename (fen_env ("FEN_PACS_WORK"), "out", name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return dir;
}

/* ---- find ---- */

#define ST(i) (1u << (i))
#define SE(st, se) (1u << ((st) * 2 + (se)))

typedef struct {
  const char   *name;
  FenPacsQuery  query;
  guint         expect;        /* ST() bits at study level, SE() bits at series level */
  gboolean      dimse_only;    /* see the note at "head-ct-exact" */
} FenFindCase;

static const FenFindCase fen_find_cases[] = {
  { "patient-name", { .patient_name = "DOE^JOHN" }, ST (1), FALSE },
  { "patient-name-star", { .patient_name = "DOE^*" }, ST (0) | ST (1) | ST (3), FALSE },
  { "patient-name-star-inside", { .patient_name = "DOE^JAN*" }, ST (0) | ST (3), FALSE },
  { "patient-name-question", { .patient_name = "DOE^JAN?" }, ST (0), FALSE },
  { "patient-name-none", { .patient_name = "NOBODY^*" }, 0, FALSE },
  { "patient-id", { .patient_id = "FEN-PACS-003" }, ST (2), FALSE },
  { "date-range", { .date_from = "20240101", .date_to = "20241231" }, ST (0) | ST (1), FALSE },
  { "date-from", { .date_from = "20250101" }, ST (2), FALSE },
  { "date-to", { .date_to = "20231231" }, ST (3), FALSE },
  { "date-one-day", { .date_from = "20240620", .date_to = "20240620" }, ST (1), FALSE },
  { "modality-mr", { .modality = "MR" }, ST (1), FALSE },
  { "modality-ct", { .modality = "CT" }, ST (0) | ST (3), FALSE },
  { "accession", { .accession = "ACC-0004" }, ST (3), FALSE },
  { "description-star", { .description = "Brain*" }, ST (1), FALSE },
  /* Orthanc 1.10's DICOMweb plugin matches query values without
   * percent-decoding them, so a value with a space cannot match over QIDO
   * there; DIMSE carries it as is. */
  { "description-exact", { .description = "Head CT" }, ST (0), TRUE },
  { "combined", { .patient_name = "DOE^*", .modality = "CT", .date_from = "20240101" }, ST (0), FALSE },
  { "series-patient-id", { .level = FEN_PACS_LEVEL_SERIES, .patient_id = "FEN-PACS-001" },
    SE (0, 0) | SE (0, 1), FALSE },
  { "series-modality", { .level = FEN_PACS_LEVEL_SERIES, .modality = "OT" }, SE (0, 1), FALSE },
  { "series-description", { .level = FEN_PACS_LEVEL_SERIES, .description = "T1*" }, SE (1, 0), FALSE },
  { "series-of-study", { .level = FEN_PACS_LEVEL_SERIES, .study_uid = FEN_PACS_UID_ROOT ".1.4" },
    SE (3, 0), FALSE },
};

typedef struct {
  const FenFindCase *c;
  const char        *node_env;
} FenFindRun;

static gboolean
fen_contains_value (const char *multi, const char *value)
{
  g_auto(GStrv) parts = g_strsplit (multi, "\\", -1);

  return g_strv_contains ((const char *const *) parts, value);
}

static void
fen_check_study_fields (const FenPacsMatch *m, guint st)
{
  const FenPacsPlanStudy *p = &fen_pacs_plan[st];
  guint n_series = 0, n_instances = 0;

  g_assert_cmpstr (m->patient_name, ==, p->patient_name);
  g_assert_cmpstr (m->patient_id, ==, p->patient_id);
  g_assert_cmpstr (m->study_date, ==, p->date);
  g_assert_cmpstr (m->accession, ==, p->accession);
  g_assert_cmpstr (m->study_description, ==, p->description);
  for (guint se = 0; se < 2 && p->series[se].modality != NULL; se++)
    {
      n_series++;
      n_instances += fen_pacs_plan_n_instances (&p->series[se]);
      g_assert_nonnull (m->modalities);
      g_assert_true (fen_contains_value (m->modalities, p->series[se].modality));
    }
  g_assert_cmpint (m->n_study_series, ==, n_series);
  g_assert_cmpint (m->n_study_instances, ==, n_instances);
}

static void
test_find (gconstpointer data)
{
  const FenFindRun *run = data;
  const FenFindCase *c = run->c;
  g_autoptr(FenPacsNode) node = fen_node_env (run->node_env);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = fen_pacs_find (node, &c->query, NULL, &error);
  guint found = 0;

  g_assert_no_error (error);
  g_assert_nonnull (matches);
  for (guint i = 0; i < matches->len; i++)
    {
      const FenPacsMatch *m = matches->pdata[i];
      gboolean known = FALSE;

      g_assert_cmpint (m->level, ==, c->query.level);
      for (guint st = 0; st < G_N_ELEMENTS (fen_pacs_plan); st++)
        {
          g_autofree char *study_uid = fen_pacs_plan_study_uid (st);

          if (g_strcmp0 (m->study_uid, study_uid) != 0)
            continue;
          fen_check_study_fields (m, st);
          if (c->query.level == FEN_PACS_LEVEL_STUDY)
            {
              g_assert_false (found & ST (st));
              found |= ST (st);
              known = TRUE;
            }
          else
            for (guint se = 0; se < 2 && fen_pacs_plan[st].series[se].modality != NULL; se++)
              {
                const FenPacsPlanSeries *ps = &fen_pacs_plan[st].series[se];
                g_autofree char *series_uid = fen_pacs_plan_series_uid (st, se);

                if (g_strcmp0 (m->series_uid, series_uid) != 0)
                  continue;
                g_assert_cmpstr (m->modality, ==, ps->modality);
                g_assert_cmpstr (m->series_description, ==, ps->description);
                g_assert_cmpint (m->series_number, ==, ps->number);
                g_assert_cmpint (m->n_series_instances, ==, fen_pacs_plan_n_instances (ps));
                g_assert_false (found & SE (st, se));
                found |= SE (st, se);
                known = TRUE;
              }
        }
      if (!known)
        g_error ("%s: a match that is not in the plan (%s)", c->name, m->study_uid);
    }
  g_assert_cmphex (found, ==, c->expect);
}

/* Instance level names its study and series; the MR series has four. */
static void
test_find_instances (gconstpointer data)
{
  g_autoptr(FenPacsNode) node = fen_node_env (data);
  g_autofree char *study = fen_pacs_plan_study_uid (1);
  g_autofree char *series = fen_pacs_plan_series_uid (1, 0);
  FenPacsQuery q = { .level = FEN_PACS_LEVEL_INSTANCE, .study_uid = study, .series_uid = series };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = fen_pacs_find (node, &q, NULL, &error);
  guint seen = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (matches->len, ==, 4);
  for (guint i = 0; i < matches->len; i++)
    {
      const FenPacsMatch *m = matches->pdata[i];
      g_autofree char *expected = NULL;

      g_assert_cmpint (m->level, ==, FEN_PACS_LEVEL_INSTANCE);
      g_assert_cmpint (m->instance_number, >=, 1);
      g_assert_cmpint (m->instance_number, <=, 4);
      expected = fen_pacs_plan_instance_uid (1, 0, (guint) m->instance_number - 1);
      g_assert_cmpstr (m->sop_instance_uid, ==, expected);
      g_assert_cmpstr (m->sop_class_uid, ==, FEN_PACS_MR);
      g_assert_false (seen & (1u << m->instance_number));
      seen |= 1u << m->instance_number;
    }
  /* Without its series, an instance query is refused before any traffic. */
  q.series_uid = NULL;
  g_clear_pointer (&matches, g_ptr_array_unref);
  g_clear_error (&error);
  matches = fen_pacs_find (node, &q, NULL, &error);
  g_assert_null (matches);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY);
}

/* ---- retrieve ---- */

typedef struct {
  GHashTable *seen;       /* SOP Instance UID -> size at the callback */
  const char *dir;
} FenSeen;

static void
fen_on_instance (const char *path, const char *uid, gpointer user_data)
{
  FenSeen *seen = user_data;
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *expected = g_strconcat (uid, ".dcm", NULL);
  GStatBuf st;

  /* Announced in place, complete, under its own name. */
  g_assert_cmpstr (dirname, ==, seen->dir);
  g_assert_cmpstr (base, ==, expected);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_false (g_hash_table_contains (seen->seen, uid));
  g_hash_table_insert (seen->seen, g_strdup (uid), GSIZE_TO_POINTER ((gsize) st.st_size));
}

/* Where the data set starts: after the preamble, "DICM" and group 0002,
 * whose length (0002,0000) is the first element (PS3.10 7.1). */
static gsize
fen_dataset_offset (const guint8 *data, gsize len)
{
  guint32 group_length;

  g_assert_cmpuint (len, >, 144);
  g_assert_cmpint (memcmp (data + 128, "DICM", 4), ==, 0);
  g_assert_cmpint (memcmp (data + 132, "\x02\x00\x00\x00UL", 6), ==, 0);
  group_length = data[140] | data[141] << 8 | data[142] << 16 | (guint32) data[143] << 24;
  g_assert_cmpuint (144 + (gsize) group_length, <, len);
  return 144 + group_length;
}

/* A meta header element's value, or NULL. */
static char *
fen_meta_value (const guint8 *data, gsize end, guint16 element)
{
  gsize pos = 144;

  while (pos + 8 <= end)
    {
      guint16 el = data[pos + 2] | data[pos + 3] << 8;
      gboolean long_vr = memcmp (data + pos + 4, "OB", 2) == 0;
      gsize len = long_vr ? (gsize) (data[pos + 8] | data[pos + 9] << 8 | data[pos + 10] << 16)
                          : (gsize) (data[pos + 6] | data[pos + 7] << 8);
      gsize value = pos + (long_vr ? 12 : 8);

      if (el == element)
        return g_strndup ((const char *) data + value, len);
      pos = value + len;
    }
  return NULL;
}

/* DICOMweb sends the stored file: byte for byte what was uploaded. DIMSE
 * sends the data set alone and the receiver writes a new meta header
 * (PS3.10 7.1): the data set must be identical, byte for byte, and the new
 * header must name the same SOP class, instance and transfer syntax. */
static void
fen_compare_with_upload (const char *path, const char *uid, gboolean whole_file)
{
  g_autofree char *name = g_strconcat (uid, ".dcm", NULL);
  g_autofree char *upload = g_build_filename (fen_env ("FEN_PACS_UPLOADED"), name, NULL);
  g_autofree char *a = NULL, *b = NULL;
  gsize la, lb, oa, ob;

  g_assert_true (g_file_get_contents (path, &a, &la, NULL));
  g_assert_true (g_file_get_contents (upload, &b, &lb, NULL));
  if (whole_file)
    {
      g_assert_cmpuint (la, ==, lb);
      g_assert_true (memcmp (a, b, la) == 0);
      return;
    }
  oa = fen_dataset_offset ((const guint8 *) a, la);
  ob = fen_dataset_offset ((const guint8 *) b, lb);
  g_assert_cmpuint (la - oa, ==, lb - ob);
  g_assert_true (memcmp (a + oa, b + ob, la - oa) == 0);
  for (guint16 el = 0x0002; el <= 0x0010; el++)
    if (el == 0x0002 || el == 0x0003 || el == 0x0010)
      {
        g_autofree char *va = fen_meta_value ((const guint8 *) a, oa, el);
        g_autofree char *vb = fen_meta_value ((const guint8 *) b, ob, el);
        g_assert_cmpstr (va, ==, vb);
      }
}

typedef struct {
  const char *node_env;
  guint       study;
  gint        series;         /* -1: the whole study */
  gint        instance;       /* -1: the whole series */
  gboolean    whole_file;
} FenGetCase;

static void
test_get (gconstpointer data)
{
  const FenGetCase *c = data;
  g_autoptr(FenPacsNode) node = fen_node_env (c->node_env);
  g_autofree char *name = g_strdup_printf ("%s-%u-%d-%d", c->node_env, c->study, c->series, c->instance);
  g_autofree char *dir = fen_out_dir (name);
  g_autofree char *study_uid = fen_pacs_plan_study_uid (c->study);
  g_autofree char *series_uid = NULL;
  g_autofree char *instance_uid = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  FenSeen s = { seen, dir };
  guint n = 0, expected = 0, files = 0;
  const char *entry;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok;

  if (c->series >= 0)
    series_uid = fen_pacs_plan_series_uid (c->study, (guint) c->series);
  if (c->instance >= 0)
    instance_uid = fen_pacs_plan_instance_uid (c->study, (guint) c->series, (guint) c->instance);
  ok = fen_pacs_retrieve (node, study_uid, series_uid, instance_uid, dir, fen_on_instance, &s, &n, NULL, &error);
  g_test_message ("%s: %u object(s) in %.2f s", name, n, (g_get_monotonic_time () - t0) / 1e6);
  g_assert_no_error (error);
  g_assert_true (ok);

  for (guint se = 0; se < 2 && fen_pacs_plan[c->study].series[se].modality != NULL; se++)
    {
      if (c->series >= 0 && (guint) c->series != se)
        continue;
      for (guint in = 0; in < fen_pacs_plan_n_instances (&fen_pacs_plan[c->study].series[se]); in++)
        {
          g_autofree char *uid = fen_pacs_plan_instance_uid (c->study, se, in);
          g_autofree char *file = g_strconcat (uid, ".dcm", NULL);
          g_autofree char *path = g_build_filename (dir, file, NULL);
          GStatBuf st;

          if (c->instance >= 0 && (guint) c->instance != in)
            continue;

          g_assert_true (g_hash_table_contains (seen, uid));
          g_assert_cmpint (g_stat (path, &st), ==, 0);
          /* The size at the callback is the final size: announced complete. */
          g_assert_cmpuint ((gsize) st.st_size, ==, GPOINTER_TO_SIZE (g_hash_table_lookup (seen, uid)));
          fen_compare_with_upload (path, uid, c->whole_file);
          expected++;
        }
    }
  g_assert_cmpuint (n, ==, expected);
  g_assert_cmpuint (g_hash_table_size (seen), ==, expected);
  /* Nothing else in the folder: no temporary file or incoming folder left. */
  listing = g_dir_open (dir, 0, NULL);
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_assert_true (g_str_has_suffix (entry, ".dcm") && entry[0] != '.');
      files++;
    }
  g_assert_cmpuint (files, ==, expected);
}

/* After a retrieve that stopped early: @dir holds exactly the @n objects
 * that were announced, each whole (as uploaded), and nothing half-written. */
static void
fen_check_arrived_whole (const char *dir, guint n, gboolean whole_file)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *entry;
  guint files = 0;

  while (listing != NULL && (entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      g_autofree char *uid = g_strndup (entry, strlen (entry) - 4);

      g_assert_true (g_str_has_suffix (entry, ".dcm") && entry[0] != '.');
      fen_compare_with_upload (path, uid, whole_file);
      files++;
    }
  g_assert_cmpuint (files, ==, n);
}

/* Cancelled from the per-instance callback after 5 of 300: the retrieve
 * stops soon with FEN_NET_ERROR_CANCELLED, and what arrived stays, whole. */
typedef struct {
  GCancellable *cancellable;
  guint         n;
} FenCancelAfter;

static void
fen_cancel_after_five (const char *path, const char *uid, gpointer user_data)
{
  FenCancelAfter *c = user_data;

  if (++c->n == 5)
    g_cancellable_cancel (c->cancellable);
}

static void
test_cancel (gconstpointer data)
{
  g_autoptr(FenPacsNode) node = fen_node_env (data);
  g_autofree char *name = g_strdup_printf ("cancel-%s", (const char *) data);
  g_autofree char *dir = fen_out_dir (name);
  g_autofree char *study = fen_pacs_plan_study_uid (0);
  g_autofree char *series = fen_pacs_plan_series_uid (0, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  FenCancelAfter after = { cancellable, 0 };
  gint64 t0 = g_get_monotonic_time ();
  guint n = 0;
  double seconds;

  g_assert_false (fen_pacs_retrieve (node, study, series, NULL, dir, fen_cancel_after_five, &after, &n,
                                     cancellable, &error));
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_test_message ("%s: %u of %u before the cancel took, %.2f s", (const char *) data, n, FEN_PACS_BIG,
                  seconds);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED);
  g_assert_cmpuint (n, >=, 5);
  g_assert_cmpuint (n, <, FEN_PACS_BIG);
  g_assert_cmpuint (n, ==, after.n);
  /* The full series takes about 27 s by DIMSE here: stopping must be far quicker. */
  g_assert_cmpfloat (seconds, <, 15.0);
  fen_check_arrived_whole (dir, n, node->protocol == FEN_PACS_DICOMWEB);
}

/* Orthanc stops (SIGSTOP) after 5 of 300 objects, mid-transfer: the
 * retrieve ends with FEN_NET_ERROR_TIMEOUT within its timeout (3 s here)
 * instead of hanging, and the 5 stay, whole. Orthanc resumes afterwards. */
typedef struct {
  GPid  orthanc;
  guint n;
} FenStallAfter;

static void
fen_stall_after_five (const char *path, const char *uid, gpointer user_data)
{
  FenStallAfter *s = user_data;

  if (++s->n == 5)
    g_assert_cmpint (kill (s->orthanc, SIGSTOP), ==, 0);
}

static void
test_stall (gconstpointer data)
{
  g_autoptr(FenPacsNode) node = fen_node_env (data);
  g_autofree char *name = g_strdup_printf ("stall-%s", (const char *) data);
  g_autofree char *dir = fen_out_dir (name);
  g_autofree char *study = fen_pacs_plan_study_uid (0);
  g_autofree char *series = fen_pacs_plan_series_uid (0, 0);
  g_autoptr(GError) error = NULL;
  FenStallAfter stall = { (GPid) g_ascii_strtoll (fen_env ("FEN_PACS_ORTHANC_PID"), NULL, 10), 0 };
  guint n = 0;
  gint64 t0 = g_get_monotonic_time ();
  double seconds;
  gboolean ok;

  node->timeout = 3;
  node->connect_timeout = 3;
  ok = fen_pacs_retrieve (node, study, series, NULL, dir, fen_stall_after_five, &stall, &n, NULL, &error);
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  kill (stall.orthanc, SIGCONT);
  g_test_message ("%s: %s after %u objects, %.2f s", (const char *) data, error ? error->message : "no error",
                  n, seconds);
  g_assert_false (ok);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TIMEOUT);
  g_assert_cmpuint (n, >=, 5);
  g_assert_cmpuint (n, <, FEN_PACS_BIG);
  /* One timeout, for DIMSE two (our SCU and SCP each wait one), plus slack. */
  g_assert_cmpfloat (seconds, <, 15.0);
  fen_check_arrived_whole (dir, n, node->protocol == FEN_PACS_DICOMWEB);
  /* Orthanc answers again. */
  g_usleep (G_USEC_PER_SEC / 2);
  g_clear_error (&error);
  g_assert_true (fen_pacs_echo (node, NULL, &error));
  g_assert_no_error (error);
}

/* ---- peers that refuse, reject or stay silent ---- */

static void
fen_expect_error (const char *uri, FenNetError code, const char *says, double max_seconds,
                  gboolean find)
{
  g_autoptr(FenPacsNode) node = fen_node (uri);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  double seconds;
  gboolean ok;

  if (find)
    {
      FenPacsQuery q = { .patient_name = "*" };
      g_autoptr(GPtrArray) m = fen_pacs_find (node, &q, NULL, &error);
      ok = m != NULL;
    }
  else
    ok = fen_pacs_echo (node, NULL, &error);
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_test_message ("%s -> %s (%.2f s)", uri, error->message, seconds);
  g_assert_error (error, FEN_NET_ERROR, (gint) code);
  if (strstr (error->message, says) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, says);
  g_assert_cmpfloat (seconds, <, max_seconds);
}

static guint16
fen_dicom_port (void)
{
  g_autoptr(FenPacsNode) node = fen_node_env ("FEN_PACS_GET");
  return node->port;
}

static void
test_bad_closed_port_dimse (void)
{
  g_autofree char *uri = g_strdup_printf ("dicom://ORTHANC@127.0.0.1:%s?timeout=5",
                                          fen_env ("FEN_PACS_CLOSED_PORT"));
  fen_expect_error (uri, FEN_NET_ERROR_CONNECT, "could not connect", 5.0, FALSE);
}

static void
test_bad_closed_port_http (void)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%s/dicom-web", fen_env ("FEN_PACS_CLOSED_PORT"));
  fen_expect_error (uri, FEN_NET_ERROR_CONNECT, "refused the connection", 5.0, FALSE);
}

static void
test_bad_called_ae (void)
{
  g_autofree char *uri = g_strdup_printf ("dicom://NOT_ORTHANC@127.0.0.1:%u?timeout=5", fen_dicom_port ());
  fen_expect_error (uri, FEN_NET_ERROR_REJECTED, "rejected the association", 5.0, FALSE);
}

/* Orthanc answers C-FIND only for the AE titles in DicomModalities. */
static void
test_bad_calling_ae (void)
{
  g_autofree char *uri = g_strdup_printf ("dicom://ORTHANC@127.0.0.1:%u?calling=STRANGER&timeout=5",
                                          fen_dicom_port ());
  g_autoptr(FenPacsNode) node = fen_node (uri);
  g_autoptr(GError) error = NULL;
  FenPacsQuery q = { .patient_name = "*" };
  g_autoptr(GPtrArray) m = fen_pacs_find (node, &q, NULL, &error);

  g_assert_null (m);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (error->domain == FEN_NET_ERROR &&
                 (error->code == FEN_NET_ERROR_REJECTED || error->code == FEN_NET_ERROR_FAILED ||
                  error->code == FEN_NET_ERROR_PROTOCOL));
  g_assert_nonnull (strstr (error->message, "AE title"));
}

static void
test_bad_http_404 (void)
{
  g_autofree char *uri = g_strdup_printf ("%s/not-dicom-web", fen_env ("FEN_PACS_HTTP"));
  fen_expect_error (uri, FEN_NET_ERROR_HTTP, "HTTP 404", 5.0, FALSE);
}

/* A peer that accepts the TCP connection (the kernel's backlog does) and
 * never says a word: the ACSE or HTTP timeout must end the wait. */
static GSocket *
fen_silent_listener (guint16 *port)
{
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (s, any, FALSE, &error));
  g_assert_true (g_socket_listen (s, &error));
  bound = g_socket_get_local_address (s, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return s;
}

static void
test_bad_silent_dimse (void)
{
  guint16 port;
  g_autoptr(GSocket) s = fen_silent_listener (&port);
  g_autofree char *uri = g_strdup_printf ("dicom://ORTHANC@127.0.0.1:%u?timeout=2", port);

  fen_expect_error (uri, FEN_NET_ERROR_TIMEOUT, "in time", 10.0, FALSE);
}

static void
test_bad_silent_http (void)
{
  guint16 port;
  g_autoptr(GSocket) s = fen_silent_listener (&port);
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/dicom-web", port);
  g_autoptr(FenPacsNode) node = fen_node (uri);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  node->timeout = 2;
  g_assert_false (fen_pacs_echo (node, NULL, &error));
  g_test_message ("%s (%.2f s)", error->message, (g_get_monotonic_time () - t0) / 1e6);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TIMEOUT);
  g_assert_cmpfloat ((g_get_monotonic_time () - t0) / 1e6, <, 10.0);
}

/* Our storage port taken: C-MOVE says so before asking the archive. */
static void
test_bad_move_port_taken (void)
{
  g_autoptr(FenPacsNode) node = fen_node_env ("FEN_PACS_MOVE");
  g_autofree char *dir = fen_out_dir ("move-port-taken");
  g_autofree char *study = fen_pacs_plan_study_uid (2);
  g_autoptr(GError) error = NULL;
  guint16 port;
  g_autoptr(GSocket) s = fen_silent_listener (&port);
  guint n = 99;

  node->store_port = port;
  g_assert_false (fen_pacs_retrieve (node, study, NULL, NULL, dir, NULL, NULL, &n, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO);
  g_assert_cmpuint (n, ==, 0);
}

static void
test_bad_unknown_study (gconstpointer data)
{
  g_autoptr(FenPacsNode) node = fen_node_env (data);
  g_autofree char *dir = fen_out_dir ("unknown-study");
  g_autoptr(GError) error = NULL;
  guint n = 99;

  g_assert_false (fen_pacs_retrieve (node, FEN_PACS_UID_ROOT ".1.999", NULL, NULL, dir, NULL, NULL, &n, NULL,
                                     &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (error);
  g_assert_true (error->domain == FEN_NET_ERROR &&
                 (error->code == FEN_NET_ERROR_FAILED || error->code == FEN_NET_ERROR_HTTP));
  g_assert_cmpuint (n, ==, 0);
}

/* ---- the command line ---- */

static void
test_cli_find (gconstpointer data)
{
  const char *args[] = { "find", fen_env (data), "--level", "series", "--patient-id", "FEN-PACS-001",
                         "--modality", "CT", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *series_uid = fen_pacs_plan_series_uid (0, 0);
  guint n = 0;

  g_assert_cmpint (fen_run_cli (args, &out, &err), ==, 0);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *o;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      o = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (o, "level"), ==, "series");
      g_assert_cmpstr (json_object_get_string_member (o, "PatientName"), ==, "DOE^JANE");
      g_assert_cmpstr (json_object_get_string_member (o, "SeriesInstanceUID"), ==, series_uid);
      g_assert_cmpint (json_object_get_int_member (o, "NumberOfSeriesRelatedInstances"), ==, FEN_PACS_BIG);
      n++;
    }
  g_assert_cmpuint (n, ==, 1);
}

static void
test_cli_get (gconstpointer data)
{
  g_autofree char *dir = fen_out_dir ("cli-get");
  g_autofree char *study = fen_pacs_plan_study_uid (3);
  g_autofree char *series = fen_pacs_plan_series_uid (3, 0);
  const char *args[] = { "get", fen_env (data), study, "--series", series, "-o", dir, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (fen_run_cli (args, &out, &err), ==, 0);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (lines[i]);
      base[strlen (base) - 4] = '\0';
      fen_compare_with_upload (lines[i], base, FALSE);
    }
  g_assert_nonnull (strstr (err, "3 object(s)"));
}

static void
test_cli_errors (void)
{
  g_autofree char *closed = g_strdup_printf ("dicom://ORTHANC@127.0.0.1:%s", fen_env ("FEN_PACS_CLOSED_PORT"));
  const char *refused[] = { "echo", closed, NULL };
  const char *bad_node[] = { "echo", "dicom://127.0.0.1:4242", NULL };
  const char *bad_uid[] = { "get", fen_env ("FEN_PACS_WEB"), "1.2.x", "-o", "/tmp", NULL };
  const char *bad_date[] = { "find", fen_env ("FEN_PACS_WEB"), "--study-date", "2024-01-01", NULL };
  g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL, *o3 = NULL, *e3 = NULL;
  g_autofree char *o4 = NULL, *e4 = NULL;

  g_assert_cmpint (fen_run_cli (refused, &o1, &e1), ==, 1);
  g_assert_nonnull (strstr (e1, "could not connect"));
  g_assert_cmpint (fen_run_cli (bad_node, &o2, &e2), ==, 2);
  g_assert_nonnull (strstr (e2, "AE title"));
  g_assert_cmpint (fen_run_cli (bad_uid, &o3, &e3), ==, 1);
  g_assert_nonnull (strstr (e3, "not a valid UID"));
  g_assert_cmpint (fen_run_cli (bad_date, &o4, &e4), ==, 2);
  g_assert_nonnull (strstr (e4, "YYYYMMDD"));
}

static void
test_echo (gconstpointer data)
{
  g_autoptr(FenPacsNode) node = fen_node_env (data);
  g_autoptr(GError) error = NULL;

  g_assert_true (fen_pacs_echo (node, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  static FenFindRun runs[2][G_N_ELEMENTS (fen_find_cases)];
  static const FenGetCase gets[] = {
    { "FEN_PACS_GET", 0, 0, -1, FALSE },     /* C-GET, the 300-slice series */
    { "FEN_PACS_MOVE", 0, -1, -1, FALSE },   /* C-MOVE, the whole study (302) */
    { "FEN_PACS_WEB", 0, 0, -1, TRUE },      /* WADO-RS, the 300-slice series */
    { "FEN_PACS_WEB", 1, -1, -1, TRUE },     /* WADO-RS, a whole study */
    { "FEN_PACS_GET", 2, -1, -1, FALSE },    /* C-GET, a whole CR study */
    { "FEN_PACS_GET", 1, 0, 2, FALSE },      /* one instance each way */
    { "FEN_PACS_MOVE", 1, 0, 1, FALSE },
    { "FEN_PACS_WEB", 1, 0, 3, TRUE },
  };
  static const char *const nodes[] = { "FEN_PACS_GET", "FEN_PACS_WEB" };
  static const char *const node_names[] = { "dimse", "dicomweb" };

  g_test_init (&argc, &argv, NULL);
  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *echo = g_strdup_printf ("/pacs/echo/%s", node_names[k]);
      g_autofree char *instances = g_strdup_printf ("/pacs/find/%s/instances", node_names[k]);
      g_test_add_data_func (echo, nodes[k], test_echo);
      g_test_add_data_func (instances, nodes[k], test_find_instances);
      for (guint i = 0; i < G_N_ELEMENTS (fen_find_cases); i++)
        {
          g_autofree char *path = NULL;

          if (fen_find_cases[i].dimse_only && k == 1)
            continue;
          runs[k][i].c = &fen_find_cases[i];
          runs[k][i].node_env = nodes[k];
          path = g_strdup_printf ("/pacs/find/%s/%s", node_names[k], fen_find_cases[i].name);
          g_test_add_data_func (path, &runs[k][i], test_find);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (gets); i++)
    {
      const char *how = g_str_equal (gets[i].node_env, "FEN_PACS_GET") ? "c-get"
                        : g_str_equal (gets[i].node_env, "FEN_PACS_MOVE") ? "c-move" : "wado-rs";
      g_autofree char *path = g_strdup_printf ("/pacs/get/%s/study-%u%s", how, gets[i].study,
                                               gets[i].instance >= 0 ? "-instance"
                                               : gets[i].series >= 0 ? "-series" : "");
      g_test_add_data_func (path, &gets[i], test_get);
    }
  g_test_add_data_func ("/pacs/cancel/c-get", "FEN_PACS_GET", test_cancel);
  g_test_add_data_func ("/pacs/cancel/c-move", "FEN_PACS_MOVE", test_cancel);
  g_test_add_data_func ("/pacs/cancel/wado-rs", "FEN_PACS_WEB", test_cancel);
  g_test_add_data_func ("/pacs/stall/c-get", "FEN_PACS_GET", test_stall);
  g_test_add_data_func ("/pacs/stall/c-move", "FEN_PACS_MOVE", test_stall);
  g_test_add_data_func ("/pacs/stall/wado-rs", "FEN_PACS_WEB", test_stall);
  g_test_add_func ("/pacs/bad/closed-port/dimse", test_bad_closed_port_dimse);
  g_test_add_func ("/pacs/bad/closed-port/http", test_bad_closed_port_http);
  g_test_add_func ("/pacs/bad/called-ae", test_bad_called_ae);
  g_test_add_func ("/pacs/bad/calling-ae", test_bad_calling_ae);
  g_test_add_func ("/pacs/bad/http-404", test_bad_http_404);
  g_test_add_func ("/pacs/bad/silent/dimse", test_bad_silent_dimse);
  g_test_add_func ("/pacs/bad/silent/http", test_bad_silent_http);
  g_test_add_func ("/pacs/bad/move-port-taken", test_bad_move_port_taken);
  g_test_add_data_func ("/pacs/bad/unknown-study/c-get", "FEN_PACS_GET", test_bad_unknown_study);
  g_test_add_data_func ("/pacs/bad/unknown-study/c-move", "FEN_PACS_MOVE", test_bad_unknown_study);
  g_test_add_data_func ("/pacs/bad/unknown-study/wado-rs", "FEN_PACS_WEB", test_bad_unknown_study);
  g_test_add_data_func ("/pacs/cli/find/dimse", "FEN_PACS_GET", test_cli_find);
  g_test_add_data_func ("/pacs/cli/find/dicomweb", "FEN_PACS_WEB", test_cli_find);
  g_test_add_data_func ("/pacs/cli/get/c-move", "FEN_PACS_MOVE", test_cli_get);
  g_test_add_func ("/pacs/cli/errors", test_cli_errors);
  return g_test_run ();
}
