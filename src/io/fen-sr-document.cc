// SPDX-License-Identifier: GPL-3.0-or-later
// fen-sr-document.cc: see fen-sr-document.h.
#define G_LOG_DOMAIN "fen-sr"

#include "fen-sr-document.h"
#include "fen-atomic-file.h"

#include "dcmtk/dcmdata/dcuid.h"

#include <unistd.h>

OFString
fen_sr_uid ()
{
  char uid[100];
  return OFString (dcmGenerateUniqueIdentifier (uid, SITE_INSTANCE_UID_ROOT));
}

OFString
fen_sr_number (double value)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%.10g", value);
  return OFString (buf);
}

gboolean
fen_sr_check (const OFCondition &cond, const char *what, GError **error)
{
  if (cond.good ())
    return TRUE;
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "structured report: %s: %s", what, cond.text ());
  return FALSE;
}

gboolean
fen_sr_source (const char *path, DcmFileFormat &file, FenSrSource &source, const char *name,
               GError **error)
{
  // The source's header only: patient, study, image identification.
  fen_dicom_register_codecs ();
  if (file.loadFileUntilTag (OFFilename (path), EXS_Unknown, EGL_noChange,
                             FEN_DICOM_MAX_READ_LENGTH, ERM_autoDetect, DCM_PixelData).bad ())
    return fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name, "cannot read its header for the report");
  DcmDataset *ds = file.getDataset ();
  ds->findAndGetOFString (DCM_SOPClassUID, source.sop_class);
  ds->findAndGetOFString (DCM_SOPInstanceUID, source.sop_instance);
  ds->findAndGetOFString (DCM_StudyInstanceUID, source.study_uid);
  ds->findAndGetOFString (DCM_SeriesInstanceUID, source.series_uid);
  if (source.sop_class.empty () || source.sop_instance.empty () || source.study_uid.empty () ||
      source.series_uid.empty ())
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "a report needs the image's SOP Class, SOP Instance, Study and Series UIDs");
  return TRUE;
}

gboolean
fen_sr_save (DSRDocument &doc, DcmDataset *ds, const FenSrSource &source,
             const char *series_description, const char *path, GError **error)
{
  if (!fen_sr_check (doc.createNewSeriesInStudy (source.study_uid), "series", error))
    return FALSE;
  // The report's subject: the image's patient and study, as they are written
  // there (same character set).
  OFString value;
  if (ds->findAndGetOFStringArray (DCM_SpecificCharacterSet, value).good () && !value.empty ())
    doc.setSpecificCharacterSet (value, OFFalse);
  const struct { DcmTagKey tag; OFCondition (DSRDocument::*set) (const OFString &, const OFBool); } copies[] = {
    { DCM_PatientName, &DSRDocument::setPatientName },
    { DCM_PatientID, &DSRDocument::setPatientID },
    { DCM_PatientBirthDate, &DSRDocument::setPatientBirthDate },
    { DCM_PatientSex, &DSRDocument::setPatientSex },
    { DCM_StudyDate, &DSRDocument::setStudyDate },
    { DCM_StudyTime, &DSRDocument::setStudyTime },
    { DCM_StudyID, &DSRDocument::setStudyID },
    { DCM_AccessionNumber, &DSRDocument::setAccessionNumber },
    { DCM_ReferringPhysicianName, &DSRDocument::setReferringPhysicianName },
    { DCM_StudyDescription, &DSRDocument::setStudyDescription },
  };
  for (const auto &c : copies)
    if (ds->findAndGetOFStringArray (c.tag, value).good () && !value.empty ())
      (doc.*c.set) (value, OFFalse);
  doc.setSeriesDescription (series_description);
  doc.setManufacturer ("Fenestra");
  // PS3.3 C.17.2.3: the evidence the report's references point into.
  if (!fen_sr_check (doc.getCurrentRequestedProcedureEvidence ().addItem (source.study_uid, source.series_uid,
                                                                          source.sop_class, source.sop_instance),
                     "evidence", error))
    return FALSE;

  DcmFileFormat out;
  if (!fen_sr_check (doc.write (*out.getDataset ()), "writing the document", error))
    return FALSE;
  // A temporary file beside the target, flushed and renamed over it:
  // never half a report.
  g_autofree char *tmp = nullptr;
  int fd = fen_atomic_file_open (path, &tmp, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  OFCondition cond = out.saveFile (OFFilename (tmp), EXS_LittleEndianExplicit);
  if (cond.bad ())
    {
      fen_atomic_file_finish (tmp, -1, FALSE, path, nullptr);
      return fen_dicom_fail (error, FEN_IO_ERROR_WRITE, path, "%s", cond.text ());
    }
  return fen_atomic_file_finish (tmp, -1, TRUE, path, error);
}
