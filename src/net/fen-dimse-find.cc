/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dimse-find.cc: C-FIND in the Study Root model (PS3.4 C.6.2) at study
 * and series level. Every answer is checked before it becomes a match:
 * strings are bounded and valid UTF-8, UIDs valid, the number of matches
 * bounded. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-dimse-private.hh"

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmnet/diutil.h"

#include <string.h>

static void
fen_dimse_put (DcmDataset &q, const DcmTagKey &tag, const char *value)
{
  q.putAndInsertString (tag, value != nullptr ? value : "");
}

/* NULL when absent or empty; FALSE in @ok when present but unusable. */
static char *
fen_dimse_get_string (DcmDataset *ds, const DcmTagKey &tag, bool is_uid, bool &ok)
{
  OFString v;

  if (ds->findAndGetOFStringArray (tag, v).bad () || v.empty ())
    return nullptr;
  if (v.length () > FEN_NET_MAX_STRING)
    {
      ok = false;
      return nullptr;
    }
  for (size_t i = 0; i < v.length (); i++)
    if ((guchar) v[i] < 0x20 && v[i] != '\t')
      {
        ok = false;
        return nullptr;
      }
  if (is_uid && !fen_pacs_uid_is_valid (v.c_str ()))
    {
      ok = false;
      return nullptr;
    }
  /* Converted to UTF-8 below where DCMTK can; anything left is replaced
   * rather than trusted. */
  return g_utf8_make_valid (v.c_str (), (gssize) v.length ());
}

static gint
fen_dimse_get_int (DcmDataset *ds, const DcmTagKey &tag)
{
  Sint32 v = -1;

  if (ds->findAndGetSint32 (tag, v).bad () || v < 0)
    return -1;
  return (gint) v;
}

static FenPacsMatch *
fen_dimse_match_from (DcmDataset *ds, FenPacsLevel level, GError **error)
{
  g_autoptr(FenPacsMatch) m = fen_pacs_match_new (level);
  bool ok = true;

  /* PS3.5 6.1.2.3: answers in another character set become UTF-8. */
  if (ds->tagExistsWithValue (DCM_SpecificCharacterSet))
    ds->convertToUTF8 ();
  m->patient_name = fen_dimse_get_string (ds, DCM_PatientName, false, ok);
  m->patient_id = fen_dimse_get_string (ds, DCM_PatientID, false, ok);
  m->study_uid = fen_dimse_get_string (ds, DCM_StudyInstanceUID, true, ok);
  m->study_date = fen_dimse_get_string (ds, DCM_StudyDate, false, ok);
  m->study_time = fen_dimse_get_string (ds, DCM_StudyTime, false, ok);
  m->accession = fen_dimse_get_string (ds, DCM_AccessionNumber, false, ok);
  m->study_description = fen_dimse_get_string (ds, DCM_StudyDescription, false, ok);
  m->modalities = fen_dimse_get_string (ds, DCM_ModalitiesInStudy, false, ok);
  m->n_study_series = fen_dimse_get_int (ds, DCM_NumberOfStudyRelatedSeries);
  m->n_study_instances = fen_dimse_get_int (ds, DCM_NumberOfStudyRelatedInstances);
  if (level != FEN_PACS_LEVEL_STUDY)
    {
      m->series_uid = fen_dimse_get_string (ds, DCM_SeriesInstanceUID, true, ok);
      m->modality = fen_dimse_get_string (ds, DCM_Modality, false, ok);
      m->series_description = fen_dimse_get_string (ds, DCM_SeriesDescription, false, ok);
      m->series_number = fen_dimse_get_int (ds, DCM_SeriesNumber);
      m->n_series_instances = fen_dimse_get_int (ds, DCM_NumberOfSeriesRelatedInstances);
    }
  if (level == FEN_PACS_LEVEL_INSTANCE)
    {
      m->sop_instance_uid = fen_dimse_get_string (ds, DCM_SOPInstanceUID, true, ok);
      m->sop_class_uid = fen_dimse_get_string (ds, DCM_SOPClassUID, true, ok);
      m->instance_number = fen_dimse_get_int (ds, DCM_InstanceNumber);
    }
  if (!ok || (level == FEN_PACS_LEVEL_STUDY && m->study_uid == nullptr) ||
      (level == FEN_PACS_LEVEL_SERIES && m->series_uid == nullptr) ||
      (level == FEN_PACS_LEVEL_INSTANCE && m->sop_instance_uid == nullptr))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "the archive's search answer is malformed: a value is too long, holds control "
                   "characters, or a UID is missing or invalid");
      return nullptr;
    }
  return g_steal_pointer (&m);
}

static void
fen_dimse_build_query (DcmDataset &q, const FenPacsQuery *query)
{
  g_autofree char *range = nullptr;

  if ((query->date_from != nullptr && *query->date_from) || (query->date_to != nullptr && *query->date_to))
    /* PS3.4 C.2.2.2.5: range matching, either end open. */
    range = g_strdup_printf ("%s-%s", query->date_from ? query->date_from : "",
                             query->date_to ? query->date_to : "");
  fen_dimse_put (q, DCM_SpecificCharacterSet, "ISO_IR 192");
  if (query->level == FEN_PACS_LEVEL_STUDY)
    {
      fen_dimse_put (q, DCM_QueryRetrieveLevel, "STUDY");
      fen_dimse_put (q, DCM_PatientName, query->patient_name);
      fen_dimse_put (q, DCM_PatientID, query->patient_id);
      fen_dimse_put (q, DCM_StudyDate, range);
      fen_dimse_put (q, DCM_StudyTime, nullptr);
      fen_dimse_put (q, DCM_AccessionNumber, query->accession);
      fen_dimse_put (q, DCM_StudyDescription, query->description);
      fen_dimse_put (q, DCM_ModalitiesInStudy, query->modality);
      fen_dimse_put (q, DCM_StudyInstanceUID, query->study_uid);
      fen_dimse_put (q, DCM_NumberOfStudyRelatedSeries, nullptr);
      fen_dimse_put (q, DCM_NumberOfStudyRelatedInstances, nullptr);
    }
  else if (query->level == FEN_PACS_LEVEL_INSTANCE)
    {
      /* PS3.4 C.6.2.1.2: IMAGE is the level of every instance. */
      fen_dimse_put (q, DCM_QueryRetrieveLevel, "IMAGE");
      fen_dimse_put (q, DCM_StudyInstanceUID, query->study_uid);
      fen_dimse_put (q, DCM_SeriesInstanceUID, query->series_uid);
      fen_dimse_put (q, DCM_SOPInstanceUID, nullptr);
      fen_dimse_put (q, DCM_SOPClassUID, nullptr);
      fen_dimse_put (q, DCM_InstanceNumber, nullptr);
    }
  else
    {
      fen_dimse_put (q, DCM_QueryRetrieveLevel, "SERIES");
      fen_dimse_put (q, DCM_StudyInstanceUID, query->study_uid);
      fen_dimse_put (q, DCM_SeriesInstanceUID, nullptr);
      fen_dimse_put (q, DCM_Modality, query->modality);
      fen_dimse_put (q, DCM_SeriesDescription, query->description);
      fen_dimse_put (q, DCM_SeriesNumber, nullptr);
      fen_dimse_put (q, DCM_NumberOfSeriesRelatedInstances, nullptr);
    }
}

static GPtrArray *
fen_dimse_find_impl (const FenPacsNode *node, const FenPacsQuery *query, GError **error)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_match_free);
  const char *model = UID_FINDStudyRootQueryRetrieveInformationModel;
  FenScu scu (node, nullptr);
  OFList<QRResponse *> responses;
  T_ASC_PresentationContextID id;
  DcmDataset q;
  OFCondition cond;
  Uint16 status = STATUS_Success;
  bool failed = false;

  fen_dimse_build_query (q, query);
  scu.addPresentationContext (model, fen_dimse_query_syntaxes ());
  id = fen_dimse_open (scu, node, model, "C-FIND at", error);
  if (id == 0)
    return nullptr;
  cond = scu.sendFINDRequest (id, &q, &responses);
  if (cond.bad ())
    {
      fen_dimse_set_error (error, node, "C-FIND at", cond);
      scu.abortAssociation ();
      failed = true;
    }
  else
    scu.releaseAssociation ();

  for (QRResponse *r : responses)
    {
      if (!failed && r->m_dataset != nullptr && DICOM_PENDING_STATUS (r->m_status))
        {
          FenPacsMatch *m;

          if (matches->len >= FEN_NET_MAX_MATCHES)
            {
              g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TOO_LARGE,
                           "the archive returned more than %u matches; narrow the search",
                           FEN_NET_MAX_MATCHES);
              failed = true;
            }
          else if ((m = fen_dimse_match_from (r->m_dataset, query->level, error)) == nullptr)
            failed = true;
          else
            g_ptr_array_add (matches, m);
        }
      else if (!DICOM_PENDING_STATUS (r->m_status))
        status = r->m_status;
      delete r;
    }
  if (failed)
    return nullptr;
  if (status != STATUS_Success)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED,
                   "C-FIND at %s@%s:%u: the archive could not answer the search: status 0x%04x (%s)",
                   node->called_ae, node->host, node->port, status, DU_cfindStatusString (status));
      return nullptr;
    }
  return g_steal_pointer (&matches);
}

GPtrArray *
_fen_dimse_find (const FenPacsNode *node, const FenPacsQuery *query, GCancellable *cancellable,
                 GError **error)
{
  fen_dimse_init ();
  try
    {
      return fen_dimse_find_impl (node, query, error);
    }
  catch (...)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "C-FIND failed: out of memory");
      return nullptr;
    }
}
