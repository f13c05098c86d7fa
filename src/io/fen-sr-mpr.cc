// SPDX-License-Identifier: GPL-3.0-or-later
// fen-sr-mpr.cc: the measurements of a series' MPR planes as a TID 1500
// Measurement Report (PS3.16) in a Comprehensive 3D SR object (PS3.3
// A.35.13), the only SR IOD that takes SCOORD3D besides Extensible SR.
// DCMTK's TID 1500 classes (dcmsr/cmr, used by fen-sr.cc) take image
// coordinates (SCOORD) only, so the same structure is built here through
// the document tree, template row by template row; DCMTK checks each
// relationship against the IOD's constraints as it is added.
#define G_LOG_DOMAIN "fen-sr"

#include "fen-sr-document.h"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmsr/dsrdoc.h"
#include "dcmtk/dcmsr/codes/dcm.h"
#include "dcmtk/dcmsr/codes/ucum.h"
#include "dcmtk/dcmsr/cmr/cid5000.h"
#include "dcmtk/dcmsr/cmr/cid7181.h"
#include "dcmtk/dcmsr/cmr/cid7464.h"
#include "dcmtk/dcmsr/cmr/cid7469.h"

#include <cmath>
#include <cstring>

#include "fenestra/fen-sr-mpr.h"

namespace {

typedef DSRTypes T;

// Adds a content item (below the current one when @below, else after it)
// and leaves the cursor on it.
gboolean
fen_sr_mpr_add (DSRDocumentTree &tree, gboolean below, T::E_RelationshipType rel, T::E_ValueType type,
                const DSRCodedEntryValue &concept, const char *what, GError **error)
{
  return fen_sr_check (below ? tree.addChildContentItem (rel, type, concept)
                                 : tree.addContentItem (rel, type, concept), what, error);
}

// A CODE content item with its value.
gboolean
fen_sr_mpr_add_code (DSRDocumentTree &tree, gboolean below, T::E_RelationshipType rel,
                     const DSRCodedEntryValue &concept, const DSRCodedEntryValue &value, const char *what,
                     GError **error)
{
  return fen_sr_mpr_add (tree, below, rel, T::VT_Code, concept, what, error) &&
         fen_sr_check (tree.getCurrentContentItem ().setCodeValue (value), what, error);
}

// A TEXT or UIDREF content item with its value.
gboolean
fen_sr_mpr_add_string (DSRDocumentTree &tree, gboolean below, T::E_RelationshipType rel, T::E_ValueType type,
                       const DSRCodedEntryValue &concept, const OFString &value, const char *what, GError **error)
{
  return fen_sr_mpr_add (tree, below, rel, type, concept, what, error) &&
         fen_sr_check (tree.getCurrentContentItem ().setStringValue (value), what, error);
}

gboolean
fen_sr_mpr_finite (const double p[3])
{
  return std::isfinite (p[0]) && std::isfinite (p[1]) && std::isfinite (p[2]);
}

// A point in patient coordinates (PS3.3 C.7.6.2.1.1, LPS, mm) for Graphic
// Data (PS3.3 C.18.9.1.1: x, y, z triplets in the Frame of Reference).
void
fen_sr_mpr_point (DSRSpatialCoordinates3DValue &v, const double p[3])
{
  v.getGraphicDataList ().addItem ((Float32) p[0], (Float32) p[1], (Float32) p[2]);
}

// Where a plane measurement was drawn, as SCOORD3D (PS3.3 C.18.9.1.2,
// Graphic Type): its points are on its plane already
// (fen_mpr_measure_init_points() projects them).
DSRSpatialCoordinates3DValue
fen_sr_mpr_scoord3d (const FenMprMeasure *m)
{
  const double *c = m->points[0];
  double d[3], u, v;

  for (int k = 0; k < 3; k++)
    d[k] = m->points[1][k] - c[k];
  // The box's half sides along the frame's right and down (fen-mpr-measure.h).
  u = fen_vec3_dot (d, m->frame.right);
  v = fen_vec3_dot (d, m->frame.down);
  switch (m->kind)
    {
    case FEN_MPR_MEASURE_ELLIPSE:
      {
        // ELLIPSE: the major axis' two end points, then the minor axis'.
        DSRSpatialCoordinates3DValue out (T::GT3_Ellipse);
        const double *major = m->frame.right, *minor = m->frame.down;
        double a = std::fabs (u), b = std::fabs (v), p[3];
        if (b > a)
          std::swap (major, minor), std::swap (a, b);
        for (int s = -1; s <= 1; s += 2)
          {
            for (int k = 0; k < 3; k++)
              p[k] = c[k] + s * a * major[k];
            fen_sr_mpr_point (out, p);
          }
        for (int s = -1; s <= 1; s += 2)
          {
            for (int k = 0; k < 3; k++)
              p[k] = c[k] + s * b * minor[k];
            fen_sr_mpr_point (out, p);
          }
        return out;
      }
    case FEN_MPR_MEASURE_RECTANGLE:
      {
        // POLYGON: the four corners, the first again to close it (the first
        // and last vertices shall be the same).
        DSRSpatialCoordinates3DValue out (T::GT3_Polygon);
        const double fu[] = { 0, 1, 1, 0, 0 }, fv[] = { 0, 0, 1, 1, 0 };
        for (int i = 0; i < 5; i++)
          {
            double p[3];
            for (int k = 0; k < 3; k++)
              p[k] = c[k] + fu[i] * u * m->frame.right[k] + fv[i] * v * m->frame.down[k];
            fen_sr_mpr_point (out, p);
          }
        return out;
      }
    case FEN_MPR_MEASURE_POLYGON:
      {
        DSRSpatialCoordinates3DValue out (T::GT3_Polygon);
        for (guint i = 0; i < m->n_points; i++)
          fen_sr_mpr_point (out, m->points[i]);
        fen_sr_mpr_point (out, m->points[0]);
        return out;
      }
    case FEN_MPR_MEASURE_ARROW:
      {
        // POINT: what the arrow points at, its head.
        DSRSpatialCoordinates3DValue out (T::GT3_Point);
        fen_sr_mpr_point (out, m->points[1]);
        return out;
      }
    case FEN_MPR_MEASURE_DISTANCE:
    case FEN_MPR_MEASURE_ANGLE:
    case FEN_MPR_MEASURE_COBB:
    default:
      {
        DSRSpatialCoordinates3DValue out (T::GT3_Polyline);
        for (guint i = 0; i < m->n_points; i++)
          fen_sr_mpr_point (out, m->points[i]);
        return out;
      }
    }
}

// A NUM content item (PS3.3 C.18.1) below the current one when *@first,
// else after it; with a Derivation (CID 7464) below it when given.
gboolean
fen_sr_mpr_add_value (DSRDocumentTree &tree, gboolean *first, const DSRCodedEntryValue &concept,
                      double value, const DSRCodedEntryValue &unit, const DSRCodedEntryValue *derivation,
                      GError **error)
{
  if (!std::isfinite (value))
    return TRUE;
  if (!fen_sr_mpr_add (tree, *first, T::RT_contains, T::VT_Num, concept, "measurement", error) ||
      !fen_sr_check (tree.getCurrentContentItem ().setNumericValue (
                           DSRNumericMeasurementValue (fen_sr_number (value), unit)), "value", error))
    return FALSE;
  *first = FALSE;
  if (derivation == nullptr)
    return TRUE;
  if (!fen_sr_mpr_add (tree, TRUE, T::RT_hasConceptMod, T::VT_Code, CODE_DCM_Derivation, "derivation", error) ||
      !fen_sr_check (tree.getCurrentContentItem ().setCodeValue (*derivation), "derivation", error))
    return FALSE;
  tree.goUp ();
  return TRUE;
}

const char *
fen_sr_mpr_kind_name (FenMprMeasureKind kind)
{
  switch (kind)
    {
    case FEN_MPR_MEASURE_DISTANCE: return "distance";
    case FEN_MPR_MEASURE_ELLIPSE: return "ellipse";
    case FEN_MPR_MEASURE_RECTANGLE: return "rectangle";
    case FEN_MPR_MEASURE_ANGLE: return "angle";
    case FEN_MPR_MEASURE_COBB: return "Cobb angle";
    case FEN_MPR_MEASURE_POLYGON: return "freehand";
    case FEN_MPR_MEASURE_ARROW: return "arrow";
    default: return "measurement";
    }
}

// TID 1410 (Planar ROI Measurements and Qualitative Evaluations), one group
// per plane measurement, its first item below the current node (the
// Imaging Measurements container) when @first, else after it (the previous
// group). Leaves the cursor on the group.
gboolean
fen_sr_mpr_add_group (DSRDocumentTree &tree, gboolean first, guint index, const FenMprMeasure *m,
                      const FenRoiStats *stats, const OFString &frame_of_reference, GError **error)
{
  g_autofree char *label = g_strdup_printf ("plane %s %u", fen_sr_mpr_kind_name (m->kind), index + 1);
  gboolean first_value = FALSE;

  // Row 1: CONTAINER (125007, DCM, "Measurement Group").
  if (!fen_sr_mpr_add (tree, first, T::RT_contains, T::VT_Container, CODE_DCM_MeasurementGroup, "group", error) ||
      !fen_sr_check (tree.getCurrentContentItem ().setTemplateIdentification ("1410", "DCMR"), "group", error))
    return FALSE;
  const size_t group = tree.getNodeID ();
  // Rows 2 and 3 (TID 4108 Tracking Identifiers): HAS OBS CONTEXT TEXT
  // (112039, DCM, "Tracking Identifier") and UIDREF (112040, DCM,
  // "Tracking Unique Identifier").
  if (!fen_sr_mpr_add_string (tree, TRUE, T::RT_hasObsContext, T::VT_Text, CODE_DCM_TrackingIdentifier,
                              OFString (label), "tracking identifier", error) ||
      !fen_sr_mpr_add_string (tree, FALSE, T::RT_hasObsContext, T::VT_UIDRef, CODE_DCM_TrackingUniqueIdentifier,
                              fen_sr_uid (), "tracking UID", error))
    return FALSE;
  // The "Image Region" row: CONTAINS SCOORD3D (111030, DCM, "Image
  // Region"), present when no SCOORD or image reference is: PS3.3 C.18.9,
  // the points in patient mm of the series' Frame of Reference.
  DSRSpatialCoordinates3DValue region = fen_sr_mpr_scoord3d (m);
  if (!fen_sr_check (region.setFrameOfReferenceUID (frame_of_reference), "frame of reference", error) ||
      !fen_sr_mpr_add (tree, FALSE, T::RT_contains, T::VT_SCoord3D, CODE_DCM_ImageRegion, "image region", error) ||
      !fen_sr_check (tree.getCurrentContentItem ().setSpatialCoordinates3D (region), "image region", error))
    return FALSE;

  // TID 1419 (ROI Measurements) rows: the values, CONTAINS NUM, codes as fen-sr.cc's.
  if (m->kind == FEN_MPR_MEASURE_DISTANCE)
    {
      if (!fen_sr_mpr_add_value (tree, &first_value, CMR_CID7469::getCodedEntry (CMR_CID7469::Distance),
                                 fen_mpr_measure_length_mm (m), CMR_CID7181::getCodedEntry (CMR_CID7181::Millimeter),
                                 nullptr, error))
        return FALSE;
    }
  else if (m->kind == FEN_MPR_MEASURE_ANGLE || m->kind == FEN_MPR_MEASURE_COBB)
    {
      // CID 7469 is extensible: (1483009, SCT, "Angle"), (285285000, SCT, "Cobb angle").
      const DSRCodedEntryValue concept = m->kind == FEN_MPR_MEASURE_ANGLE
                                           ? DSRCodedEntryValue ("1483009", "SCT", "Angle")
                                           : DSRCodedEntryValue ("285285000", "SCT", "Cobb angle");
      if (!fen_sr_mpr_add_value (tree, &first_value, concept, fen_mpr_measure_angle_deg (m), CODE_UCUM_Degrees,
                                 nullptr, error))
        return FALSE;
    }
  else if (m->kind == FEN_MPR_MEASURE_ARROW)
    {
      // A qualitative evaluation of the group: TEXT (121106, DCM, "Comment").
      if (m->text[0] != '\0' &&
          (!fen_sr_mpr_add (tree, FALSE, T::RT_contains, T::VT_Text, CODE_DCM_Comment, "comment", error) ||
           !fen_sr_check (tree.getCurrentContentItem ().setStringValue (OFString (m->text)), "comment", error)))
        return FALSE;
    }
  else if (stats != nullptr)
    {
      if (stats->area_mm2 > 0 &&
          !fen_sr_mpr_add_value (tree, &first_value, CMR_CID7469::getCodedEntry (CMR_CID7469::Area), stats->area_mm2,
                                 CMR_CID7181::getCodedEntry (CMR_CID7181::SquareMillimeter), nullptr, error))
        return FALSE;
      if (g_strcmp0 (stats->unit, "HU") == 0 && stats->n > 0)
        {
          const DSRCodedEntryValue mu = CMR_CID7469::getCodedEntry (CMR_CID7469::AttenuationCoefficient);
          const DSRCodedEntryValue hu = CMR_CID7181::getCodedEntry (CMR_CID7181::HounsfieldUnit);
          const DSRCodedEntryValue mean = CMR_CID7464::getCodedEntry (CMR_CID7464::Mean);
          const DSRCodedEntryValue sd = CMR_CID7464::getCodedEntry (CMR_CID7464::StandardDeviation);
          const DSRCodedEntryValue lo = CMR_CID7464::getCodedEntry (CMR_CID7464::Minimum);
          const DSRCodedEntryValue hi = CMR_CID7464::getCodedEntry (CMR_CID7464::Maximum);
          if (!fen_sr_mpr_add_value (tree, &first_value, mu, stats->mean, hu, &mean, error) ||
              !fen_sr_mpr_add_value (tree, &first_value, mu, stats->sd, hu, &sd, error) ||
              !fen_sr_mpr_add_value (tree, &first_value, mu, stats->min, hu, &lo, error) ||
              !fen_sr_mpr_add_value (tree, &first_value, mu, stats->max, hu, &hi, error))
            return FALSE;
        }
    }
  return tree.gotoNode (group) == group || fen_sr_check (EC_IllegalCall, "group", error);
}

gboolean
fen_sr_mpr_validate (const FenMprMeasure *measures, guint n, GError **error)
{
  if (n == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED, "no plane measurement to report");
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      const FenMprMeasure *m = &measures[i];
      // The kind read as the int it is stored as (the C enum's): in C++ an
      // out-of-range enum value must not be loaded as the enum.
      int kind;
      static_assert (sizeof kind == sizeof m->kind, "FenMprMeasureKind is an int");
      memcpy (&kind, &m->kind, sizeof kind);
      const gboolean known = kind >= 0 && kind <= (int) FEN_MPR_MEASURE_ARROW;
      const guint need = known ? fen_mpr_measure_kind_n_points (m->kind) : 0;
      gboolean ok = known && m->n_points <= FEN_MPR_MEASURE_MAX_POINTS &&
                    (m->kind == FEN_MPR_MEASURE_POLYGON ? m->n_points >= need : m->n_points == need) &&
                    memchr (m->text, '\0', sizeof m->text) != nullptr && g_utf8_validate (m->text, -1, nullptr);
      for (guint p = 0; ok && p < m->n_points; p++)
        ok = fen_sr_mpr_finite (m->points[p]);
      ok = ok && fen_sr_mpr_finite (m->frame.right) && fen_sr_mpr_finite (m->frame.down);
      if (!ok)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                       "plane measurement %u is malformed (its kind, points or text)", i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
fen_sr_mpr_write_internal (const char *source, const FenMprMeasure *measures, const FenRoiStats *stats,
                           guint n, const char *path, GError **error)
{
  g_autofree char *name = g_path_get_basename (source);
  DcmFileFormat src;

  if (!fen_sr_mpr_validate (measures, n, error))
    return FALSE;
  FenSrSource ids;
  if (!fen_sr_source (source, src, ids, name, error))
    return FALSE;
  DcmDataset *ds = src.getDataset ();
  const OFString &sop_class = ids.sop_class, &sop_instance = ids.sop_instance;
  OFString frame_of_reference;
  ds->findAndGetOFString (DCM_FrameOfReferenceUID, frame_of_reference);
  if (frame_of_reference.empty () || DcmUniqueIdentifier::checkStringValue (frame_of_reference, "1").bad ())
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "plane measurements need the series' Frame of Reference UID (PS3.3 C.7.4.1)");

  DSRDocument doc (T::DT_Comprehensive3DSR);
  DSRDocumentTree &tree = doc.getTree ();
  // TID 1500 row 1: CONTAINER (126000, DCM, "Imaging Measurement Report"),
  // the root, separate.
  if (!fen_sr_mpr_add (tree, FALSE, T::RT_isRoot, T::VT_Container, CODE_DCM_ImagingMeasurementReport, "root", error) ||
      !fen_sr_check (tree.getCurrentContentItem ().setTemplateIdentification ("1500", "DCMR"), "root", error) ||
      !fen_sr_check (tree.getCurrentContentItem ().setContinuityOfContent (T::COC_Separate), "root", error))
    return FALSE;
  const size_t root = tree.getNodeID ();
  // Row 2 (TID 1204): HAS CONCEPT MOD CODE (121049, DCM, "Language of
  // Content Item and Descendants") = (eng, RFC5646, "English").
  if (!fen_sr_mpr_add_code (tree, TRUE, T::RT_hasConceptMod, CODE_DCM_LanguageOfContentItemAndDescendants,
                            CID5000_Languages::getCodedEntry (CID5000_Languages::English), "language", error) ||
      // Row 3 (TID 1001 > TID 1002 > TID 1004): the device observer.
      !fen_sr_mpr_add_code (tree, FALSE, T::RT_hasObsContext, CODE_DCM_ObserverType, CODE_DCM_Device,
                            "observer", error) ||
      !fen_sr_mpr_add_string (tree, FALSE, T::RT_hasObsContext, T::VT_UIDRef, CODE_DCM_DeviceObserverUID,
                              fen_sr_uid (), "observer", error) ||
      !fen_sr_mpr_add_string (tree, FALSE, T::RT_hasObsContext, T::VT_Text, CODE_DCM_DeviceObserverName,
                              "Fenestra", "observer", error) ||
      // Row 4: HAS CONCEPT MOD CODE (121058, DCM, "Procedure reported");
      // CID 100 is extensible: (363679005, SCT, "Imaging").
      !fen_sr_mpr_add_code (tree, FALSE, T::RT_hasConceptMod, CODE_DCM_ProcedureReported,
                            DSRCodedEntryValue ("363679005", "SCT", "Imaging"), "procedure", error) ||
      // Row 5 (TID 1600): CONTAINER (111028, DCM, "Image Library") >
      // CONTAINER (126200, DCM, "Image Library Group") > IMAGE (TID 1601):
      // the series' image the report was made from.
      !fen_sr_mpr_add (tree, FALSE, T::RT_contains, T::VT_Container, CODE_DCM_ImageLibrary, "image library", error) ||
      !fen_sr_mpr_add (tree, TRUE, T::RT_contains, T::VT_Container, CODE_DCM_ImageLibraryGroup, "image library",
                       error) ||
      !fen_sr_check (tree.addChildContentItem (T::RT_contains, T::VT_Image, DSRCodedEntryValue ()),
                         "image library", error) ||
      !fen_sr_check (tree.getCurrentContentItem ().setImageReference (
                           DSRImageReferenceValue (sop_class, sop_instance)), "image library", error))
    return FALSE;
  tree.goUp ();
  tree.goUp ();
  // Row 6: CONTAINER (126010, DCM, "Imaging Measurements") > TID 1410 groups.
  if (!fen_sr_mpr_add (tree, FALSE, T::RT_contains, T::VT_Container, CODE_DCM_ImagingMeasurements,
                       "imaging measurements", error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!fen_sr_mpr_add_group (tree, i == 0, i, &measures[i], stats != nullptr ? &stats[i] : nullptr,
                               frame_of_reference, error))
      return FALSE;
  if (tree.gotoNode (root) != root || !tree.isValid ())
    return fen_dicom_fail (error, FEN_IO_ERROR_WRITE, name, "the measurement report is not complete");

  return fen_sr_save (doc, ds, ids, "Fenestra plane measurements", path, error);
}

} // namespace

gboolean
fen_sr_mpr_write (const char *source, const FenMprMeasure *measures, const FenRoiStats *stats,
                  guint n_measures, const char *path, GError **error)
{
  g_return_val_if_fail (source != nullptr && path != nullptr && (measures != nullptr || n_measures == 0), FALSE);
  g_autofree char *name = g_path_get_basename (source);
  return fen_dicom_boundary<gboolean> (name, "writing the plane measurement report", error, FALSE, [&] () {
    return fen_sr_mpr_write_internal (source, measures, stats, n_measures, path, error);
  });
}
