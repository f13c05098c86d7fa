/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs.c: the public PACS calls, which pick the node's protocol; the
 * error domain, matches and UID checks shared by both. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-net-private.h"

#include <string.h>

G_DEFINE_QUARK (fen-net-error-quark, fen_net_error)

void
_fen_net_set_cancelled (GError **error)
{
  g_set_error_literal (error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED, "cancelled");
}

FenPacsMatch *
fen_pacs_match_new (FenPacsLevel level)
{
  FenPacsMatch *m = g_new0 (FenPacsMatch, 1);

  m->level = level;
  m->n_study_series = m->n_study_instances = -1;
  m->series_number = m->n_series_instances = -1;
  m->instance_number = -1;
  return m;
}

void
fen_pacs_match_free (FenPacsMatch *m)
{
  if (m == NULL)
    return;
  g_free (m->patient_name);
  g_free (m->patient_id);
  g_free (m->study_uid);
  g_free (m->study_date);
  g_free (m->study_time);
  g_free (m->accession);
  g_free (m->study_description);
  g_free (m->modalities);
  g_free (m->series_uid);
  g_free (m->modality);
  g_free (m->series_description);
  g_free (m->sop_instance_uid);
  g_free (m->sop_class_uid);
  g_free (m);
}

/* PS3.5 9.1: digits and dots, at most 64, no empty component, no leading
 * zero in a component of more than one digit. */
gboolean
fen_pacs_uid_is_valid (const char *uid)
{
  gsize n;
  const char *start;

  if (uid == NULL)
    return FALSE;
  n = strlen (uid);
  if (n == 0 || n > 64)
    return FALSE;
  start = uid;
  for (const char *p = uid;; p++)
    {
      if (*p == '.' || *p == '\0')
        {
          if (p == start || (*start == '0' && p - start > 1))
            return FALSE;
          if (*p == '\0')
            return TRUE;
          start = p + 1;
        }
      else if (!g_ascii_isdigit (*p))
        return FALSE;
    }
}

static gboolean
fen_pacs_check_date (const char *date, GError **error)
{
  if (date == NULL || *date == '\0')
    return TRUE;
  if (strlen (date) == 8 && strspn (date, "0123456789") == 8)
    return TRUE;
  g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY,
               "the date “%s” is not YYYYMMDD", date);
  return FALSE;
}

/* Query values go into DICOM strings and URL queries: refuse what neither
 * may hold rather than quote it. */
static gboolean
fen_pacs_check_value (const char *what, const char *value, gsize max, GError **error)
{
  if (value == NULL)
    return TRUE;
  if (strlen (value) > max)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY,
                   "the %s is longer than %" G_GSIZE_FORMAT " characters", what, max);
      return FALSE;
    }
  for (const char *p = value; *p; p++)
    if ((guchar) *p < 0x20 || *p == '\\')
      {
        g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY,
                     "the %s holds a control character or a backslash", what);
        return FALSE;
      }
  return TRUE;
}

static gboolean
fen_pacs_check_query (const FenPacsQuery *q, GError **error)
{
  /* Lengths are the VRs' (PS3.5 6.2): PN 64 per group, LO 64, SH 16, CS 16. */
  if (!fen_pacs_check_value ("patient name", q->patient_name, 64, error) ||
      !fen_pacs_check_value ("patient ID", q->patient_id, 64, error) ||
      !fen_pacs_check_value ("modality", q->modality, 16, error) ||
      !fen_pacs_check_value ("accession number", q->accession, 16, error) ||
      !fen_pacs_check_value ("description", q->description, 64, error) ||
      !fen_pacs_check_date (q->date_from, error) || !fen_pacs_check_date (q->date_to, error))
    return FALSE;
  if (q->study_uid != NULL && *q->study_uid != '\0' && !fen_pacs_uid_is_valid (q->study_uid))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY,
                   "“%s” is not a valid Study Instance UID", q->study_uid);
      return FALSE;
    }
  if (q->series_uid != NULL && *q->series_uid != '\0' && !fen_pacs_uid_is_valid (q->series_uid))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY,
                   "“%s” is not a valid Series Instance UID", q->series_uid);
      return FALSE;
    }
  if (q->level == FEN_PACS_LEVEL_INSTANCE &&
      (q->study_uid == NULL || *q->study_uid == '\0' || q->series_uid == NULL || *q->series_uid == '\0'))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY,
                   "an instance query names its study and series");
      return FALSE;
    }
  return TRUE;
}

gboolean
fen_pacs_echo (const FenPacsNode *node, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (node != NULL, FALSE);
  if (node->protocol == FEN_PACS_DIMSE)
    return _fen_dimse_echo (node, cancellable, error);
  return _fen_dicomweb_echo (node, cancellable, error);
}

static GPtrArray *
fen_pacs_find_level (const FenPacsNode *node, const FenPacsQuery *query,
                     GCancellable *cancellable, GError **error)
{
  if (node->protocol == FEN_PACS_DIMSE)
    return _fen_dimse_find (node, query, cancellable, error);
  return _fen_dicomweb_find (node, query, cancellable, error);
}

static void
fen_pacs_copy_study (FenPacsMatch *series, const FenPacsMatch *study)
{
#define FEN_COPY(f) if (series->f == NULL) series->f = g_strdup (study->f)
  FEN_COPY (patient_name);
  FEN_COPY (patient_id);
  FEN_COPY (study_uid);
  FEN_COPY (study_date);
  FEN_COPY (study_time);
  FEN_COPY (accession);
  FEN_COPY (study_description);
  FEN_COPY (modalities);
#undef FEN_COPY
  series->n_study_series = study->n_study_series;
  series->n_study_instances = study->n_study_instances;
}

/* Study Root is hierarchical (PS3.4 C.4.1.2.1): a series query names its
 * study. So the study keys find the studies first, then each study's series
 * are matched on modality and series description, and carry their study's
 * attributes. */
static GPtrArray *
fen_pacs_find_series (const FenPacsNode *node, const FenPacsQuery *query,
                      GCancellable *cancellable, GError **error)
{
  FenPacsQuery studies_query = *query;
  g_autoptr(GPtrArray) studies = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_match_free);

  studies_query.level = FEN_PACS_LEVEL_STUDY;
  studies_query.description = NULL;
  studies = fen_pacs_find_level (node, &studies_query, cancellable, error);
  if (studies == NULL)
    return NULL;
  for (guint i = 0; i < studies->len; i++)
    {
      const FenPacsMatch *study = studies->pdata[i];
      FenPacsQuery series_query = { .level = FEN_PACS_LEVEL_SERIES, .study_uid = study->study_uid,
                                    .modality = query->modality, .description = query->description };
      g_autoptr(GPtrArray) series = fen_pacs_find_level (node, &series_query, cancellable, error);

      if (series == NULL)
        return NULL;
      if (result->len + series->len > FEN_NET_MAX_MATCHES)
        {
          g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TOO_LARGE,
                       "the archive returned more than %u series; narrow the search", FEN_NET_MAX_MATCHES);
          return NULL;
        }
      while (series->len > 0)
        {
          FenPacsMatch *m = g_ptr_array_steal_index (series, 0);
          fen_pacs_copy_study (m, study);
          g_ptr_array_add (result, m);
        }
    }
  return g_steal_pointer (&result);
}

GPtrArray *
fen_pacs_find (const FenPacsNode *node, const FenPacsQuery *query,
               GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (node != NULL && query != NULL, NULL);
  if (!fen_pacs_check_query (query, error))
    return NULL;
  if (query->level != FEN_PACS_LEVEL_SERIES)
    return fen_pacs_find_level (node, query, cancellable, error);
  return fen_pacs_find_series (node, query, cancellable, error);
}

gboolean
fen_pacs_retrieve (const FenPacsNode *node, const char *study_uid, const char *series_uid,
                   const char *sop_instance_uid, const char *dir, FenPacsInstanceFunc func, gpointer user_data,
                   guint *n_retrieved, GCancellable *cancellable, GError **error)
{
  const char *uids[] = { study_uid, series_uid, sop_instance_uid };
  guint n = 0;
  gboolean ok;

  g_return_val_if_fail (node != NULL && study_uid != NULL && dir != NULL, FALSE);
  if (n_retrieved != NULL)
    *n_retrieved = 0;
  for (guint i = 0; i < G_N_ELEMENTS (uids); i++)
    if ((i == 0 || uids[i] != NULL) && !fen_pacs_uid_is_valid (uids[i]))
      {
        g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY, "“%s” is not a valid UID",
                     uids[i] != NULL ? uids[i] : "");
        return FALSE;
      }
  if (sop_instance_uid != NULL && series_uid == NULL)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_INVALID_QUERY,
                   "an instance is retrieved with its series");
      return FALSE;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO, "%s is not a folder", dir);
      return FALSE;
    }
  if (node->protocol == FEN_PACS_DIMSE)
    ok = _fen_dimse_retrieve (node, study_uid, series_uid, sop_instance_uid, dir, func, user_data, &n,
                              cancellable, error);
  else
    ok = _fen_dicomweb_retrieve (node, study_uid, series_uid, sop_instance_uid, dir, func, user_data, &n,
                                 cancellable, error);
  if (n_retrieved != NULL)
    *n_retrieved = n;
  /* Whichever layer noticed the cancel, the caller hears one error. */
  if (!ok && g_cancellable_is_cancelled (cancellable) && error != NULL &&
      !g_error_matches (*error, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED))
    {
      g_clear_error (error);
      _fen_net_set_cancelled (error);
    }
  return ok;
}
