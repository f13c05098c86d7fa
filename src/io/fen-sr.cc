// SPDX-License-Identifier: GPL-3.0-or-later
// fen-sr.cc: measurements as a TID 1500 Measurement Report (PS3.16), built
// with DCMTK's dcmsr/cmr classes, which check each content item against the
// template as it is added.
#define G_LOG_DOMAIN "fen-sr"

#include "fen-sr-document.h"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmsr/dsrdoc.h"
#include "dcmtk/dcmsr/codes/dcm.h"
#include "dcmtk/dcmsr/codes/ucum.h"
#include "dcmtk/dcmsr/cmr/tid1500.h"

#include <glib/gstdio.h>

#include <cerrno>
#include <cmath>

#include "fenestra/fen-sr.h"

namespace {

// Where a measurement was drawn (PS3.3 C.18.6: SCOORD in image pixels,
// column then row, the pixel's top left corner at 0,0 as in our image
// coordinates): an ellipse by its two axes' end points, the rest as lines.
DSRSpatialCoordinatesValue
fen_sr_scoord (const FenMeasurement *m)
{
  const double *p = m->points;
  if (m->kind == FEN_MEASUREMENT_ELLIPSE)
    {
      DSRSpatialCoordinatesValue v (DSRTypes::GT_Ellipse);
      const double rx = std::fabs (p[2] - p[0]), ry = std::fabs (p[3] - p[1]);
      v.getGraphicDataList ().addItem ((Float32) (p[0] - rx), (Float32) p[1]);
      v.getGraphicDataList ().addItem ((Float32) (p[0] + rx), (Float32) p[1]);
      v.getGraphicDataList ().addItem ((Float32) p[0], (Float32) (p[1] - ry));
      v.getGraphicDataList ().addItem ((Float32) p[0], (Float32) (p[1] + ry));
      return v;
    }
  DSRSpatialCoordinatesValue v (DSRTypes::GT_Polyline);
  if (m->kind == FEN_MEASUREMENT_RECTANGLE)
    {
      const double xs[] = { p[0], p[2], p[2], p[0], p[0] }, ys[] = { p[1], p[1], p[3], p[3], p[1] };
      for (int i = 0; i < 5; i++)
        v.getGraphicDataList ().addItem ((Float32) xs[i], (Float32) ys[i]);
      return v;
    }
  for (guint i = 0; i < m->n_points; i++)
    v.getGraphicDataList ().addItem ((Float32) p[2 * i], (Float32) p[2 * i + 1]);
  if (m->kind == FEN_MEASUREMENT_POLYGON) // closed: the first point again
    v.getGraphicDataList ().addItem ((Float32) p[0], (Float32) p[1]);
  return v;
}

typedef TID1500_MeasurementReport::TID1501_Measurements FenSrGroup;
typedef CMR_TID1501_in_TID1500::MeasurementValue FenSrValue;

gboolean
fen_sr_add_value (FenSrGroup &group, const CID7469_GenericIntensityAndSizeMeasurements &concept,
                  double value, const DSRCodedEntryValue &unit, const CID7464_GeneralRegionOfInterestMeasurementModifiers *derivation,
                  const FenMeasurement *m, const DSRImageReferenceValue &image, GError **error)
{
  if (!std::isfinite (value))
    return TRUE;
  if (!fen_sr_check (group.addMeasurement (concept, FenSrValue (fen_sr_number (value), unit),
                                           OFFalse /* checkEmpty */), "measurement", error))
    return FALSE;
  if (derivation != nullptr &&
      !fen_sr_check (group.getMeasurement ().setDerivation (*derivation), "derivation", error))
    return FALSE;
  return fen_sr_check (group.getMeasurement ().addSpatialCoordinates (CODE_DCM_ImageRegion,
                                                                       fen_sr_scoord (m), image),
                       "spatial coordinates", error);
}

gboolean
fen_sr_write_internal (const char *source, FenImage *image, GPtrArray *measurements,
                       const char *path, GError **error)
{
  const FenImageInfo *info = fen_image_get_info (image);
  g_autofree char *name = g_path_get_basename (source);
  DcmFileFormat src;
  FenSrSource ids;
  if (!fen_sr_source (source, src, ids, name, error))
    return FALSE;
  DcmDataset *ds = src.getDataset ();
  const OFString &sop_class = ids.sop_class, &sop_instance = ids.sop_instance;

  TID1500_MeasurementReport report (CMR_CID7021::ImagingMeasurementReport);
  if (!fen_sr_check (report.setLanguage (CID5000_Languages::English), "language", error) ||
      !fen_sr_check (report.getObservationContext ().addDeviceObserver (fen_sr_uid (), "Fenestra",
                                                                         "Fenestra"),
                     "observer", error) ||
      !fen_sr_check (report.getImageLibrary ().createNewImageLibrary (), "image library", error) ||
      !fen_sr_check (report.getImageLibrary ().addImageGroup (), "image group", error) ||
      !fen_sr_check (report.getImageLibrary ().addImageEntry (*ds, TID1600_ImageLibrary::withoutDescriptors),
                     "image library entry", error) ||
      // (363679005, SCT, "Imaging"): CID 100 is extensible.
      !fen_sr_check (report.addProcedureReported (DSRCodedEntryValue ("363679005", "SCT", "Imaging")),
                     "procedure reported", error))
    return FALSE;

  DSRImageReferenceValue frame_ref (sop_class, sop_instance);
  const char *unit = fen_roi_unit (image);
  guint groups = 0;
  for (guint i = 0; i < measurements->len; i++)
    {
      const FenMeasurement *m = static_cast<const FenMeasurement *> (measurements->pdata[i]);
      DSRImageReferenceValue ref (sop_class, sop_instance);
      if (info->frames > 1)
        ref.getFrameList ().addItem ((Sint32) m->frame + 1);
      if (m->kind == FEN_MEASUREMENT_ARROW)
        {
          if (m->text != nullptr && *m->text != '\0' &&
              !fen_sr_check (report.addQualitativeEvaluation (CODE_DCM_Comment, OFString (m->text)),
                             "comment", error))
            return FALSE;
          continue;
        }
      if (groups++ > 0 && !fen_sr_check (report.addIndividualMeasurements (OFFalse), "group", error))
        return FALSE;
      FenSrGroup &group = report.getIndividualMeasurements ();
      g_autofree char *label = g_strdup_printf ("%s %u", fen_measurement_kind_to_string (m->kind), i + 1);
      if (!fen_sr_check (group.setTrackingIdentifier (OFString (label)), "tracking identifier", error) ||
          !fen_sr_check (group.setTrackingUniqueIdentifier (fen_sr_uid ()), "tracking UID", error))
        return FALSE;

      FenRoi roi;
      FenRoiStats stats;
      if (m->kind == FEN_MEASUREMENT_DISTANCE)
        {
          if (!fen_sr_add_value (group, CMR_CID7469::Distance, fen_measurement_length_mm (m, info),
                                 CMR_CID7181::getCodedEntry (CMR_CID7181::Millimeter), nullptr, m, ref, error))
            return FALSE;
        }
      else if (m->kind == FEN_MEASUREMENT_ANGLE || m->kind == FEN_MEASUREMENT_COBB)
        {
          // CID 7469 is extensible: (1483009, SCT, "Angle"), (285285000, SCT, "Cobb angle").
          const CID7469_GenericIntensityAndSizeMeasurements concept (
            m->kind == FEN_MEASUREMENT_ANGLE ? DSRCodedEntryValue ("1483009", "SCT", "Angle")
                                             : DSRCodedEntryValue ("285285000", "SCT", "Cobb angle"));
          if (!fen_sr_add_value (group, concept, fen_measurement_angle_deg (m, info), CODE_UCUM_Degrees,
                                 nullptr, m, ref, error))
            return FALSE;
        }
      else if (fen_measurement_get_roi (m, &roi) && fen_roi_stats (image, m->frame, &roi, &stats, nullptr))
        {
          if (stats.area_mm2 > 0 &&
              !fen_sr_add_value (group, CMR_CID7469::Area, stats.area_mm2,
                                 CMR_CID7181::getCodedEntry (CMR_CID7181::SquareMillimeter),
                                 nullptr, m, ref, error))
            return FALSE;
          if (g_strcmp0 (unit, "HU") == 0 && stats.n > 0)
            {
              const CID7464_GeneralRegionOfInterestMeasurementModifiers mean (CMR_CID7464::Mean);
              const CID7464_GeneralRegionOfInterestMeasurementModifiers sd (CMR_CID7464::StandardDeviation);
              const CID7464_GeneralRegionOfInterestMeasurementModifiers lo (CMR_CID7464::Minimum);
              const CID7464_GeneralRegionOfInterestMeasurementModifiers hi (CMR_CID7464::Maximum);
              const DSRCodedEntryValue hu = CMR_CID7181::getCodedEntry (CMR_CID7181::HounsfieldUnit);
              if (!fen_sr_add_value (group, CMR_CID7469::AttenuationCoefficient, stats.mean, hu, &mean, m, ref, error) ||
                  !fen_sr_add_value (group, CMR_CID7469::AttenuationCoefficient, stats.sd, hu, &sd, m, ref, error) ||
                  !fen_sr_add_value (group, CMR_CID7469::AttenuationCoefficient, stats.min, hu, &lo, m, ref, error) ||
                  !fen_sr_add_value (group, CMR_CID7469::AttenuationCoefficient, stats.max, hu, &hi, m, ref, error))
                return FALSE;
            }
        }
      if (!group.hasMeasurements ())
        return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                               "measurement %u has no value a report can hold (no pixel spacing?)", i + 1);
    }
  if (!report.isValid ())
    return fen_dicom_fail (error, FEN_IO_ERROR_WRITE, name, "the measurement report is not complete");

  DSRDocument doc;
  if (!fen_sr_check (doc.setTreeFromRootTemplate (report, OFTrue /* expand */), "document tree", error))
    return FALSE;
  return fen_sr_save (doc, ds, ids, "Fenestra measurements", path, error);
}

} // namespace

gboolean
fen_sr_write (const char *source, FenImage *image, GPtrArray *measurements, const char *path,
              GError **error)
{
  g_return_val_if_fail (source != nullptr && image != nullptr && measurements != nullptr &&
                        path != nullptr, FALSE);
  g_autofree char *name = g_path_get_basename (source);
  return fen_dicom_boundary<gboolean> (name, "writing the measurement report", error, FALSE, [&] () {
    return fen_sr_write_internal (source, image, measurements, path, error);
  });
}
