// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom-header.cc: a DICOM object's identifying header for the study
// index (fen-study-index.c), read up to its Pixel Data, never the pixels.
#define G_LOG_DOMAIN "fen-dicom"

#include "fen-dicom-adapter.h"

#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcfcache.h"
#include "dcmtk/dcmdata/dcistrmf.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <glib/gstdio.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include "fen-dicom-scan.h"

gboolean
fen_dicom_read_header_internal (const char *path, const char *name, FenDicomHeader *header,
                                GError **error)
{
  FenSniff sniff;
  gboolean is_dicomdir = FALSE;
  if (!fen_dicom_sniff_and_guard (path, name, &sniff, &is_dicomdir, error))
    return FALSE;
  const gboolean has_meta = sniff.kind == FEN_FILE_DICOM;
  if (is_dicomdir)
    {
      // Never parsed by DCMTK (see fen_dicom_read_dicomdir_internal()).
      header->sop_class_uid = g_strdup (UID_MediaStorageDirectoryStorage);
      return TRUE;
    }
  fen_dicom_register_codecs ();

  DcmFileFormat file;
  // Up to the pixels only: an index never needs them.
  OFCondition status = file.loadFileUntilTag (OFFilename (path), EXS_Unknown, EGL_noChange,
                                              FEN_DICOM_MAX_READ_LENGTH, ERM_autoDetect,
                                              DCM_PixelData);
  DcmDataset *ds = file.getDataset ();
  GStatBuf st;
  if (g_stat (path, &st) == 0)
    {
      fen_dicom_drop_lying_values (ds, st.st_size, name);
      fen_dicom_drop_lying_values (file.getMetaInfo (), st.st_size, name);
    }
  DcmElement *probe = nullptr;
  const gboolean identified = ds->findAndGetElement (DCM_SOPClassUID, probe).good () ||
                              ds->findAndGetElement (DCM_Rows, probe).good ();
  if (!identified || (!has_meta && status.bad ()))
    return fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name,
                           "not a DICOM file (no DICM preamble and no readable data set)");
  header->sop_class_uid = fen_dicom_get_string (ds, DCM_SOPClassUID);
  if (header->sop_class_uid == nullptr)
    header->sop_class_uid = fen_dicom_get_string (file.getMetaInfo (), DCM_MediaStorageSOPClassUID);
  header->sop_instance_uid = fen_dicom_get_string (ds, DCM_SOPInstanceUID);
  header->patient_id = fen_dicom_get_string (ds, DCM_PatientID);
  header->patient_name = fen_dicom_get_string (ds, DCM_PatientName);
  header->study_uid = fen_dicom_get_string (ds, DCM_StudyInstanceUID);
  header->study_date = fen_dicom_get_string (ds, DCM_StudyDate);
  header->study_description = fen_dicom_get_string (ds, DCM_StudyDescription);
  header->series_uid = fen_dicom_get_string (ds, DCM_SeriesInstanceUID);
  header->series_description = fen_dicom_get_string (ds, DCM_SeriesDescription);
  header->modality = fen_dicom_get_string (ds, DCM_Modality);
  header->series_number = fen_dicom_get_int (ds, DCM_SeriesNumber);
  header->instance_number = fen_dicom_get_int (ds, DCM_InstanceNumber);
  Sint32 frames = 1;
  header->frames = ds->findAndGetSint32 (DCM_NumberOfFrames, frames).good () && frames > 0
                   ? (guint) frames : 1;
  header->has_image = ds->tagExists (DCM_Rows) && ds->tagExists (DCM_Columns);
  gboolean plane = TRUE;
  for (unsigned long i = 0; i < 3 && plane; i++)
    plane = fen_dicom_get_double (ds, DCM_ImagePositionPatient, i, &header->position[i]);
  for (unsigned long i = 0; i < 6 && plane; i++)
    plane = fen_dicom_get_double (ds, DCM_ImageOrientationPatient, i, &header->orientation[i]);
  header->has_plane = plane;
  return TRUE;
}

void
fen_dicom_header_clear (FenDicomHeader *header)
{
  g_free (header->sop_class_uid);
  g_free (header->sop_instance_uid);
  g_free (header->patient_id);
  g_free (header->patient_name);
  g_free (header->study_uid);
  g_free (header->study_date);
  g_free (header->study_description);
  g_free (header->series_uid);
  g_free (header->series_description);
  g_free (header->modality);
  memset (header, 0, sizeof *header);
}

gboolean
fen_dicom_read_header (const char *path, FenDicomHeader *header, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  memset (header, 0, sizeof *header);
  if (fen_dicom_boundary<gboolean> (name, "reading the header", error, FALSE, [&] () {
        return fen_dicom_read_header_internal (path, name, header, error);
      }))
    return TRUE;
  fen_dicom_header_clear (header);
  return FALSE;
}
