// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom-info.cc: a data set's FenImageInfo, and how the file's samples
// become memory's: value transforms, palettes, VOI LUTs, per-frame values.
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

// PS3.3 C.7.6.5 Cine Module: Recommended Display Frame Rate (0008,2144, IS)
// is the rate to show the frames at, in frames a second; Frame Time
// (0018,1063, DS) the nominal time per frame in ms, so 1000 / ms frames a
// second; Cine Rate (0018,0040, IS) frames a second. The first present and
// positive wins; 0 when none is.
static double
fen_dicom_read_frame_rate (DcmDataset *ds)
{
  Sint32 rate = 0;
  double frame_time = 0.0;

  if (ds->findAndGetSint32 (DCM_RecommendedDisplayFrameRate, rate).good () && rate > 0)
    return rate;
  if (fen_dicom_get_double (ds, DCM_FrameTime, 0, &frame_time) && frame_time > 0.0)
    return 1000.0 / frame_time;
  if (ds->findAndGetSint32 (DCM_CineRate, rate).good () && rate > 0)
    return rate;
  return 0.0;
}

gboolean
fen_dicom_read_info (DcmDataset    *ds,
                     DcmFileFormat *file,
                     FenImageInfo  *info,
                     FenDicomColor *color,
                     const char    *name,
                     GError       **error)
{
  if (!fen_dicom_get_us (ds, DCM_Rows, "Rows", -1, &info->rows, name, error) ||
      !fen_dicom_get_us (ds, DCM_Columns, "Columns", -1, &info->columns, name, error) ||
      !fen_dicom_get_us (ds, DCM_BitsAllocated, "Bits Allocated", -1, &info->bits_allocated, name, error))
    return FALSE;
  if (info->rows == 0 || info->columns == 0)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "image of %u x %u pixels (Rows x Columns)", info->rows, info->columns);

  OFString photometric;
  if (ds->findAndGetOFString (DCM_PhotometricInterpretation, photometric).bad () ||
      photometric.empty ())
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "required attribute Photometric Interpretation (0028,0004) is missing");
  info->photometric_name = g_strdup (photometric.c_str ());

  guint expected_samples = 1;
  if (photometric == "MONOCHROME2")
    {
      info->photometric = FEN_PHOTOMETRIC_MONOCHROME2;
      *color = FEN_DICOM_COLOR_MONO;
    }
  else if (photometric == "MONOCHROME1")
    {
      info->photometric = FEN_PHOTOMETRIC_MONOCHROME1;
      *color = FEN_DICOM_COLOR_MONO;
    }
  else if (photometric == "RGB" || photometric == "YBR_FULL" || photometric == "YBR_FULL_422")
    {
      info->photometric = FEN_PHOTOMETRIC_RGB;
      *color = photometric == "RGB" ? FEN_DICOM_COLOR_RGB
             : photometric == "YBR_FULL" ? FEN_DICOM_COLOR_YBR_FULL
             : FEN_DICOM_COLOR_YBR_FULL_422;
      expected_samples = 3;
    }
  else if (photometric == "PALETTE COLOR")
    {
      // One index per pixel in the file, RGB in memory (fen_dicom_read_source).
      info->photometric = FEN_PHOTOMETRIC_RGB;
      *color = FEN_DICOM_COLOR_PALETTE;
    }
  else if (photometric == "YBR_RCT" || photometric == "YBR_ICT")
    {
      info->photometric = FEN_PHOTOMETRIC_RGB;
      *color = FEN_DICOM_COLOR_YBR_J2K;
      expected_samples = 3;
    }
  else
    {
      // YBR_PARTIAL_420 and YBR_PARTIAL_422 only occur with codecs DCMTK
      // cannot decode here (MPEG, JPEG 2000), so they fall here too.
      return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                             "Photometric Interpretation %s is not supported yet",
                             photometric.c_str ());
    }

  if (!fen_dicom_get_us (ds, DCM_SamplesPerPixel, "Samples per Pixel", expected_samples,
                         &info->samples_per_pixel, name, error) ||
      !fen_dicom_get_us (ds, DCM_BitsStored, "Bits Stored", info->bits_allocated,
                         &info->bits_stored, name, error) ||
      !fen_dicom_get_us (ds, DCM_PixelRepresentation, "Pixel Representation", 0,
                         &info->pixel_representation, name, error))
    return FALSE;
  long default_high_bit = info->bits_stored > 0 ? (long) info->bits_stored - 1 : 0;
  if (!fen_dicom_get_us (ds, DCM_HighBit, "High Bit", default_high_bit,
                         &info->high_bit, name, error))
    return FALSE;
  if (info->samples_per_pixel != expected_samples)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "%u samples per pixel for Photometric Interpretation %s",
                           info->samples_per_pixel, photometric.c_str ());
  if (expected_samples == 3 &&
      !fen_dicom_get_us (ds, DCM_PlanarConfiguration, "Planar Configuration", 0,
                         &info->planar_configuration, name, error))
    return FALSE;
  if (info->planar_configuration > 1)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "Planar Configuration %u", info->planar_configuration);

  switch (info->bits_allocated)
    {
    case 8:
      break;
    case 16:
      // 16-bit RGB is reduced to 8 bits a sample at load (fen_dicom_read_source).
      if (expected_samples == 3 && *color != FEN_DICOM_COLOR_RGB)
        return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                               "16-bit %s images are not supported", photometric.c_str ());
      break;
    case 1:
    case 32:
      // Unpacked to 8 bits / narrowed to 16 at load (fen_dicom_read_source).
      if (expected_samples != 1)
        return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                               "%u-bit colour samples are not supported", info->bits_allocated);
      break;
    default:
      return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                             "Bits Allocated %u is not a valid sample size",
                             info->bits_allocated);
    }
  if (info->bits_stored < 1 || info->bits_stored > info->bits_allocated)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "Bits Stored %u with Bits Allocated %u",
                           info->bits_stored, info->bits_allocated);
  // PS3.5 8.1.1: the stored bits sit contiguously with the high bit on top.
  if (info->high_bit + 1 < info->bits_stored || info->high_bit >= info->bits_allocated)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "High Bit %u with Bits Stored %u and Bits Allocated %u",
                           info->high_bit, info->bits_stored, info->bits_allocated);
  if (info->pixel_representation > 1)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "Pixel Representation %u", info->pixel_representation);
  if (expected_samples == 3 && info->pixel_representation != 0)
    return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                           "signed colour samples are not supported");

  info->frames = 1;
  DcmElement *frames_element = nullptr;
  if (ds->findAndGetElement (DCM_NumberOfFrames, frames_element).good () &&
      frames_element->getLength () > 0)
    {
      Sint32 frames = 0;
      if (ds->findAndGetSint32 (DCM_NumberOfFrames, frames).bad () || frames < 1)
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "Number of Frames (0028,0008) is not a positive number");
      info->frames = (guint) frames;
    }

  // PS3.3 C.11.1: modality value = stored value * slope + intercept.
  if (!fen_dicom_get_double (ds, DCM_RescaleSlope, 0, &info->rescale_slope) ||
      info->rescale_slope == 0.0)
    info->rescale_slope = 1.0;
  if (!fen_dicom_get_double (ds, DCM_RescaleIntercept, 0, &info->rescale_intercept))
    info->rescale_intercept = 0.0;
  info->rescale_type = fen_dicom_get_string (ds, DCM_RescaleType);

  // PS3.3 C.11.2: Window Center and Width are multi-valued in step, each
  // pair with its optional explanation.
  DcmElement *centers = nullptr;
  DcmElement *widths = nullptr;
  if (ds->findAndGetElement (DCM_WindowCenter, centers).good () &&
      ds->findAndGetElement (DCM_WindowWidth, widths).good ())
    {
      unsigned long n = MIN (centers->getVM (), widths->getVM ());
      for (unsigned long i = 0; i < n && i < 64; i++)
        {
          double center = 0.0, width = 0.0;
          if (!fen_dicom_get_double (ds, DCM_WindowCenter, i, &center) ||
              !fen_dicom_get_double (ds, DCM_WindowWidth, i, &width) || width <= 0.0)
            continue;
          OFString explanation;
          g_autofree char *text = nullptr;
          if (ds->findAndGetOFString (DCM_WindowCenterWidthExplanation, explanation, i).good ())
            text = fen_dicom_decode (ds, EVR_LO, explanation);
          fen_image_info_add_window (info, center, width, text);
        }
    }
  OFString function;
  info->voi_function = FEN_VOI_LINEAR;
  if (ds->findAndGetOFString (DCM_VOILUTFunction, function).good ())
    {
      if (function == "LINEAR_EXACT")
        info->voi_function = FEN_VOI_LINEAR_EXACT;
      else if (function == "SIGMOID")
        info->voi_function = FEN_VOI_SIGMOID;
    }

  double spacing[2];
  if ((fen_dicom_get_double (ds, DCM_PixelSpacing, 0, &spacing[0]) &&
       fen_dicom_get_double (ds, DCM_PixelSpacing, 1, &spacing[1])) ||
      (fen_dicom_get_double (ds, DCM_ImagerPixelSpacing, 0, &spacing[0]) &&
       fen_dicom_get_double (ds, DCM_ImagerPixelSpacing, 1, &spacing[1])))
    {
      if (spacing[0] > 0.0 && spacing[1] > 0.0)
        {
          info->pixel_spacing[0] = spacing[0];
          info->pixel_spacing[1] = spacing[1];
        }
    }
  info->has_position = TRUE;
  for (unsigned long i = 0; i < 3 && info->has_position; i++)
    info->has_position = fen_dicom_get_double (ds, DCM_ImagePositionPatient, i,
                                               &info->image_position[i]);
  info->has_orientation = TRUE;
  for (unsigned long i = 0; i < 6 && info->has_orientation; i++)
    info->has_orientation = fen_dicom_get_double (ds, DCM_ImageOrientationPatient, i,
                                                  &info->image_orientation[i]);
  if (!info->has_position)
    memset (info->image_position, 0, sizeof info->image_position);
  if (!info->has_orientation)
    memset (info->image_orientation, 0, sizeof info->image_orientation);
  if (!fen_dicom_get_double (ds, DCM_SliceThickness, 0, &info->slice_thickness))
    info->slice_thickness = 0.0;

  info->modality = fen_dicom_get_string (ds, DCM_Modality);
  info->patient_name = fen_dicom_get_string (ds, DCM_PatientName);
  info->patient_id = fen_dicom_get_string (ds, DCM_PatientID);
  info->patient_birth_date = fen_dicom_get_string (ds, DCM_PatientBirthDate);
  info->patient_sex = fen_dicom_get_string (ds, DCM_PatientSex);
  info->study_date = fen_dicom_get_string (ds, DCM_StudyDate);
  info->study_time = fen_dicom_get_string (ds, DCM_StudyTime);
  info->study_description = fen_dicom_get_string (ds, DCM_StudyDescription);
  info->series_description = fen_dicom_get_string (ds, DCM_SeriesDescription);
  info->institution_name = fen_dicom_get_string (ds, DCM_InstitutionName);
  info->body_part = fen_dicom_get_string (ds, DCM_BodyPartExamined);
  info->study_uid = fen_dicom_get_string (ds, DCM_StudyInstanceUID);
  info->series_uid = fen_dicom_get_string (ds, DCM_SeriesInstanceUID);
  info->frame_of_reference_uid = fen_dicom_get_string (ds, DCM_FrameOfReferenceUID);
  info->instance_uid = fen_dicom_get_string (ds, DCM_SOPInstanceUID);
  info->sop_class_uid = fen_dicom_get_string (ds, DCM_SOPClassUID);
  info->instance_number = fen_dicom_get_int (ds, DCM_InstanceNumber);
  info->series_number = fen_dicom_get_int (ds, DCM_SeriesNumber);
  info->format = g_strdup ("DICOM");
  info->frame_rate = fen_dicom_read_frame_rate (ds);

  // The meta header names the syntax the file was written in; without one,
  // the syntax the data set was read with is the best we know.
  info->transfer_syntax = fen_dicom_get_string (file->getMetaInfo (), DCM_TransferSyntaxUID);
  if (info->transfer_syntax == nullptr)
    {
      DcmXfer xfer (ds->getOriginalXfer ());
      if (xfer.getXfer () != EXS_Unknown)
        info->transfer_syntax = g_strdup (xfer.getXferID ());
    }
  return TRUE;
}

// --- What the file holds when it is not what memory holds ------------------
//
// Some layouts are converted at load time so that the core only ever meets
// 8/16-bit monochrome and 8-bit RGB: PALETTE COLOR indices become RGB,
// 1-bit samples become 8-bit 0/1, 32-bit samples are narrowed to 16 bits
// with the rescale adjusted so modality values are kept (exactly when the
// values span at most 65,536 steps), and a Modality LUT Sequence is applied
// in place. FenDicomSource describes the file's side of that.
// A LUT Descriptor (PS3.3 C.11.1.1.1, C.7.6.3.1.5): entries (0 means
// 65,536), first mapped value (signed when the pixels are), bits per entry.
gboolean
fen_dicom_lut_descriptor (DcmItem *item, const DcmTagKey &tag, guint pixel_representation,
                          guint *entries, gint32 *first, guint *bits)
{
  Uint16 values[3];
  for (unsigned long i = 0; i < 3; i++)
    {
      // US or SS (PS3.3 C.11.2.1.1): the same 16 bits either way.
      Sint16 signed_value = 0;
      if (item->findAndGetUint16 (tag, values[i], i).good ())
        continue;
      if (item->findAndGetSint16 (tag, signed_value, i).bad ())
        return FALSE;
      values[i] = (Uint16) signed_value;
    }
  *entries = values[0] == 0 ? 65536 : values[0];
  *first = pixel_representation ? (gint32) (gint16) values[1] : (gint32) values[1];
  *bits = values[2];
  return *bits >= 1 && *bits <= 16;
}

// PS3.3 C.7.9.2: a segmented palette: discrete (0), linear (1) and indirect
// (2) segments, expanded into @out (at most @entries values). An indirect
// segment copies earlier segments; it may not point at another indirect one.
gboolean
fen_dicom_expand_segmented (const Uint16 *data, unsigned long count, guint entries,
                            std::vector<guint16> &out, gboolean allow_indirect)
{
  unsigned long i = 0;
  while (i + 1 < count && out.size () <= entries)
    {
      const guint type = data[i], length = data[i + 1];
      i += 2;
      switch (type)
        {
        case 0: // discrete: length values
          if (i + length > count)
            return FALSE;
          out.insert (out.end (), data + i, data + i + length);
          i += length;
          break;
        case 1: // linear: from the previous value to y1 over length entries
          {
            if (i >= count || out.empty ())
              return FALSE;
            const double y0 = out.back (), y1 = data[i++];
            for (guint k = 1; k <= length && out.size () <= entries; k++)
              out.push_back ((guint16) lrint (y0 + (y1 - y0) * k / length));
            break;
          }
        case 2: // indirect: length segments starting at a 32-bit word offset
          {
            if (!allow_indirect || i + 2 > count)
              return FALSE;
            const guint32 offset = (guint32) data[i] | (guint32) data[i + 1] << 16;
            i += 2;
            if (offset >= count)
              return FALSE;
            // Expand the referenced segments one by one, never nesting.
            unsigned long at = offset;
            for (guint k = 0; k < length && at + 1 < count; k++)
              {
                const guint seg_type = data[at], seg_len = data[at + 1];
                const unsigned long seg_words = seg_type == 0 ? 2ul + seg_len
                                              : seg_type == 1 ? 3ul : 0ul;
                if (seg_words == 0 || at + seg_words > count)
                  return FALSE;
                if (!fen_dicom_expand_segmented (data + at, seg_words, entries, out, FALSE))
                  return FALSE;
                at += seg_words;
              }
            break;
          }
        default:
          return FALSE;
        }
    }
  return !out.empty ();
}

// PS3.3 C.7.6.3.1.5/6 and C.7.9: one channel of a palette, as 8-bit output.
gboolean
fen_dicom_read_palette_channel (DcmItem *ds, const DcmTagKey &descriptor, const DcmTagKey &data,
                                const DcmTagKey &segmented, FenDicomSource *src, guint channel,
                                guint pixel_representation, const char *name, GError **error)
{
  guint entries = 0, bits = 0;
  gint32 first = 0;
  if (!fen_dicom_lut_descriptor (ds, descriptor, pixel_representation, &entries, &first, &bits))
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "PALETTE COLOR without a valid Palette Color LUT Descriptor (%04X,%04X)",
                           descriptor.getGroup (), descriptor.getElement ());
  const Uint16 *words = nullptr;
  unsigned long count = 0;
  std::vector<guint16> values;
  if (ds->findAndGetUint16Array (data, words, &count).good () && words != nullptr && count > 0)
    {
      if (bits == 8 && count * 2 >= entries && count < entries)
        {
          // 8-bit entries packed two to a word, low byte first.
          for (guint i = 0; i < entries; i++)
            values.push_back ((guint16) ((words[i / 2] >> (i % 2 ? 8 : 0)) & 0xff));
        }
      else
        values.assign (words, words + MIN ((unsigned long) entries, count));
    }
  else if (ds->findAndGetUint16Array (segmented, words, &count).good () && words != nullptr)
    {
      if (!fen_dicom_expand_segmented (words, count, entries, values, TRUE))
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "segmented palette (%04X,%04X) is malformed",
                               segmented.getGroup (), segmented.getElement ());
    }
  else
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "PALETTE COLOR without Palette Color LUT Data (%04X,%04X)",
                           data.getGroup (), data.getElement ());
  values.resize (entries, values.empty () ? 0 : values.back ());
  auto &out = src->palette[channel];
  out.resize (entries);
  // 16-bit entries keep their high byte; 8-bit entries stored one per
  // word may still carry it there (PS3.3 C.7.6.3.1.6 allows either).
  gboolean high = bits > 8;
  if (!high)
    for (guint16 v : values)
      if (v > 0xff)
        high = TRUE;
  for (guint i = 0; i < entries; i++)
    out[i] = (guint8) (high ? values[i] >> 8 : values[i]);
  if (channel > 0 && (first != src->palette_first || entries != src->palette[0].size ()))
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "the three palette descriptors disagree");
  src->palette_first = first;
  return TRUE;
}

// PS3.3 C.7.5.1.1.2: Pixel Padding Value, optionally up to Pixel Padding
// Range Limit, in stored values (US or SS like the pixels).
void
fen_dicom_read_padding (DcmDataset *ds, FenImageInfo *info)
{
  Uint16 value = 0, limit = 0;
  Sint16 signed_value = 0;
  if (ds->findAndGetUint16 (DCM_PixelPaddingValue, value).bad ())
    {
      if (ds->findAndGetSint16 (DCM_PixelPaddingValue, signed_value).bad ())
        return;
      value = (Uint16) signed_value;
    }
  const gboolean is_signed = info->pixel_representation == 1;
  const gint32 a = is_signed ? (gint32) (gint16) value : (gint32) value;
  gint32 b = a;
  if (ds->findAndGetUint16 (DCM_PixelPaddingRangeLimit, limit).good () ||
      (ds->findAndGetSint16 (DCM_PixelPaddingRangeLimit, signed_value).good () &&
       (limit = (Uint16) signed_value, TRUE)))
    b = is_signed ? (gint32) (gint16) limit : (gint32) limit;
  info->has_padding = TRUE;
  info->padding_min = MIN (a, b);
  info->padding_max = MAX (a, b);
}

// PS3.3 C.11.2.1.1: every item of the VOI LUT Sequence becomes a preset.
// The first mapped value is signed when modality values can be negative
// (the descriptor's VR follows the modality output's sign).
gboolean
fen_dicom_read_voi_luts (DcmDataset *ds, FenImageInfo *info, const char *name, GError **error)
{
  DcmSequenceOfItems *sequence = nullptr;
  if (ds->findAndGetSequence (DCM_VOILUTSequence, sequence).bad () || sequence == nullptr)
    return TRUE;
  const guint signed_first = info->pixel_representation == 1 || info->rescale_intercept < 0;
  for (unsigned long i = 0; i < sequence->card () && i < 16; i++)
    {
      DcmItem *item = sequence->getItem (i);
      guint entries = 0, bits = 0;
      gint32 first = 0;
      const Uint16 *words = nullptr;
      unsigned long count = 0;
      if (item == nullptr ||
          !fen_dicom_lut_descriptor (item, DCM_LUTDescriptor, signed_first, &entries, &first, &bits) ||
          item->findAndGetUint16Array (DCM_LUTData, words, &count).bad () ||
          words == nullptr || count == 0)
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "VOI LUT Sequence item %lu has no valid LUT", i + 1);
      std::vector<guint16> data (words, words + MIN ((unsigned long) entries, count));
      data.resize (entries, data.back ());
      g_autofree char *explanation = fen_dicom_get_string (item, DCM_LUTExplanation);
      fen_image_info_add_voi_lut (info, first, entries, bits, data.data (), explanation);
    }
  return TRUE;
}

// The Shared (5200,9229) item and the Per-frame (5200,9230) sequence of an
// enhanced multi-frame object (PS3.3 C.7.6.16); FALSE when it has neither.
static gboolean
fen_dicom_functional_groups (DcmDataset *ds, DcmItem **shared, DcmSequenceOfItems **per_frame)
{
  ds->findAndGetSequenceItem (DCM_SharedFunctionalGroupsSequence, *shared, 0);
  ds->findAndGetSequence (DCM_PerFrameFunctionalGroupsSequence, *per_frame);
  return *shared != nullptr || *per_frame != nullptr;
}

// Enhanced multi-frame (PS3.3 C.7.6.16): rescale and window live in the
// Shared (5200,9229) or Per-frame (5200,9230) Functional Groups. A frame's
// own item wins over the shared one.
void
fen_dicom_read_frame_values (DcmDataset *ds, FenImageInfo *info)
{
  DcmItem *shared = nullptr;
  DcmSequenceOfItems *per_frame = nullptr;
  if (!fen_dicom_functional_groups (ds, &shared, &per_frame))
    return;

  auto group = [] (DcmItem *groups, const DcmTagKey &tag) -> DcmItem * {
    DcmItem *item = nullptr;
    if (groups != nullptr && groups->findAndGetSequenceItem (tag, item, 0).good ())
      return item;
    return nullptr;
  };
  DcmItem *shared_pixel = group (shared, DCM_PixelValueTransformationSequence);
  DcmItem *shared_voi = group (shared, DCM_FrameVOILUTSequence);
  const gboolean has_top_rescale = ds->tagExists (DCM_RescaleSlope) || ds->tagExists (DCM_RescaleIntercept);
  g_autofree FenFrameValues *values = g_new0 (FenFrameValues, info->frames);
  gboolean varies = FALSE;

  for (guint f = 0; f < info->frames; f++)
    {
      DcmItem *own = per_frame != nullptr && f < per_frame->card () ? per_frame->getItem (f) : nullptr;
      DcmItem *pixel = group (own, DCM_PixelValueTransformationSequence);
      DcmItem *voi = group (own, DCM_FrameVOILUTSequence);
      if (pixel == nullptr)
        pixel = shared_pixel;
      if (voi == nullptr)
        voi = shared_voi;
      FenFrameValues *v = &values[f];
      v->rescale_slope = info->rescale_slope;
      v->rescale_intercept = info->rescale_intercept;
      if (pixel != nullptr && !has_top_rescale)
        {
          double slope = 1.0, intercept = 0.0;
          if (fen_dicom_get_double (pixel, DCM_RescaleSlope, 0, &slope) && slope != 0.0)
            v->rescale_slope = slope;
          if (fen_dicom_get_double (pixel, DCM_RescaleIntercept, 0, &intercept))
            v->rescale_intercept = intercept;
        }
      if (voi != nullptr &&
          fen_dicom_get_double (voi, DCM_WindowCenter, 0, &v->window_center) &&
          fen_dicom_get_double (voi, DCM_WindowWidth, 0, &v->window_width) &&
          v->window_width > 0.0)
        v->has_window = TRUE;
      if (f > 0 && memcmp (v, &values[0], sizeof *v) != 0)
        varies = TRUE;
    }

  // The image-level values are frame 0's, so single-value readers agree.
  info->rescale_slope = values[0].rescale_slope;
  info->rescale_intercept = values[0].rescale_intercept;
  if (info->rescale_type == nullptr && shared_pixel != nullptr)
    info->rescale_type = fen_dicom_get_string (shared_pixel, DCM_RescaleType);
  if (info->n_windows == 0)
    {
      DcmItem *voi = group (per_frame != nullptr ? per_frame->getItem (0) : nullptr,
                            DCM_FrameVOILUTSequence);
      if (voi == nullptr)
        voi = shared_voi;
      if (voi != nullptr)
        {
          DcmElement *centers = nullptr;
          const unsigned long n = voi->findAndGetElement (DCM_WindowCenter, centers).good ()
                                  ? centers->getVM () : 0;
          for (unsigned long i = 0; i < n && i < 64; i++)
            {
              double center = 0.0, width = 0.0;
              OFString explanation;
              if (!fen_dicom_get_double (voi, DCM_WindowCenter, i, &center) ||
                  !fen_dicom_get_double (voi, DCM_WindowWidth, i, &width) || width <= 0.0)
                continue;
              g_autofree char *text = nullptr;
              if (voi->findAndGetOFString (DCM_WindowCenterWidthExplanation, explanation, i).good ())
                text = fen_dicom_decode (ds, EVR_LO, explanation);
              fen_image_info_add_window (info, center, width, text);
            }
        }
    }
  if (varies)
    info->frame_values = static_cast<FenFrameValues *> (g_steal_pointer (&values));
}

// Enhanced multi-frame geometry (PS3.3 C.7.6.16.2.1 Pixel Measures,
// C.7.6.16.2.3 Plane Position, C.7.6.16.2.4 Plane Orientation): the Image
// Plane attributes live in the functional groups, a frame's own item before
// the shared one. Fills what the top level lacks, and one position per frame
// when every frame has its own (the sequence's real items bound the
// allocation, not Number of Frames).
void
fen_dicom_read_frame_geometry (DcmDataset *ds, FenImageInfo *info)
{
  DcmItem *shared = nullptr;
  DcmSequenceOfItems *per_frame = nullptr;
  if (!fen_dicom_functional_groups (ds, &shared, &per_frame))
    return;

  auto group = [&] (guint f, const DcmTagKey &tag) -> DcmItem * {
    DcmItem *own = per_frame != nullptr && f < per_frame->card () ? per_frame->getItem (f) : nullptr;
    DcmItem *item = nullptr;
    if (own != nullptr && own->findAndGetSequenceItem (tag, item, 0).good ())
      return item;
    if (shared != nullptr && shared->findAndGetSequenceItem (tag, item, 0).good ())
      return item;
    return nullptr;
  };
  DcmItem *orientation = group (0, DCM_PlaneOrientationSequence);
  if (!info->has_orientation && orientation != nullptr)
    {
      double v[6];
      gboolean ok = TRUE;
      for (unsigned long i = 0; i < 6 && ok; i++)
        ok = fen_dicom_get_double (orientation, DCM_ImageOrientationPatient, i, &v[i]);
      if (ok)
        {
          memcpy (info->image_orientation, v, sizeof v);
          info->has_orientation = TRUE;
        }
    }
  DcmItem *measures = group (0, DCM_PixelMeasuresSequence);
  double spacing[2];
  if (info->pixel_spacing[0] <= 0.0 && measures != nullptr &&
      fen_dicom_get_double (measures, DCM_PixelSpacing, 0, &spacing[0]) &&
      fen_dicom_get_double (measures, DCM_PixelSpacing, 1, &spacing[1]) &&
      spacing[0] > 0.0 && spacing[1] > 0.0)
    {
      info->pixel_spacing[0] = spacing[0];
      info->pixel_spacing[1] = spacing[1];
    }
  if (info->slice_thickness <= 0.0 && measures != nullptr)
    fen_dicom_get_double (measures, DCM_SliceThickness, 0, &info->slice_thickness);

  if (per_frame == nullptr || per_frame->card () < info->frames || info->frame_positions != nullptr)
    return;
  g_autofree double *positions = g_new (double, 3 * (gsize) info->frames);
  for (guint f = 0; f < info->frames; f++)
    {
      DcmItem *plane = group (f, DCM_PlanePositionSequence);
      for (unsigned long i = 0; i < 3; i++)
        if (plane == nullptr ||
            !fen_dicom_get_double (plane, DCM_ImagePositionPatient, i, &positions[3 * f + i]))
          return;
    }
  if (!info->has_position)
    {
      memcpy (info->image_position, positions, 3 * sizeof (double));
      info->has_position = TRUE;
    }
  info->frame_positions = static_cast<double *> (g_steal_pointer (&positions));
}

// Fills @src from the file's layout and rewrites @info to what memory will
// hold. Called after fen_dicom_read_info().
gboolean
fen_dicom_read_source (DcmDataset *ds, FenImageInfo *info, FenDicomColor color,
                       FenDicomSource *src, const char *name, GError **error)
{
  src->bits_allocated = info->bits_allocated;
  src->bits_stored = info->bits_stored;
  src->high_bit = info->high_bit;
  src->pixel_representation = info->pixel_representation;

  if (color == FEN_DICOM_COLOR_PALETTE)
    {
      if (info->bits_allocated != 8 && info->bits_allocated != 16)
        return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                               "PALETTE COLOR with %u-bit indices is not supported",
                               info->bits_allocated);
      if (!fen_dicom_read_palette_channel (ds, DCM_RedPaletteColorLookupTableDescriptor,
                                           DCM_RedPaletteColorLookupTableData,
                                           DCM_SegmentedRedPaletteColorLookupTableData,
                                           src, 0, info->pixel_representation, name, error) ||
          !fen_dicom_read_palette_channel (ds, DCM_GreenPaletteColorLookupTableDescriptor,
                                           DCM_GreenPaletteColorLookupTableData,
                                           DCM_SegmentedGreenPaletteColorLookupTableData,
                                           src, 1, info->pixel_representation, name, error) ||
          !fen_dicom_read_palette_channel (ds, DCM_BluePaletteColorLookupTableDescriptor,
                                           DCM_BluePaletteColorLookupTableData,
                                           DCM_SegmentedBluePaletteColorLookupTableData,
                                           src, 2, info->pixel_representation, name, error))
        return FALSE;
      src->convert = FEN_DICOM_CONVERT_PALETTE;
      info->samples_per_pixel = 3;
      info->bits_allocated = info->bits_stored = 8;
      info->high_bit = 7;
      info->pixel_representation = 0;
    }
  else if (info->bits_allocated == 1)
    {
      // Segmentation-style bit planes: each pixel becomes 0 or 1.
      src->convert = FEN_DICOM_CONVERT_BITS1;
      info->bits_allocated = 8;
      info->bits_stored = 1;
      info->high_bit = 0;
      info->pixel_representation = 0;
    }
  else if (info->samples_per_pixel == 3 && info->bits_allocated == 16)
    {
      // The renderer's colour path is 8 bits a sample: keep the top eight
      // stored bits. Planes are interleaved by the conversion.
      src->convert = FEN_DICOM_CONVERT_RGB16;
      src->planar = info->planar_configuration == 1;
      info->bits_allocated = info->bits_stored = 8;
      info->high_bit = 7;
    }
  else if (info->bits_allocated == 32)
    {
      // The range scan (fen_dicom_narrow_plan) fixes the rescale later.
      src->convert = FEN_DICOM_CONVERT_NARROW32;
      info->bits_allocated = info->bits_stored = 16;
      info->high_bit = 15;
      info->pixel_representation = 0;
    }

  if (color == FEN_DICOM_COLOR_MONO)
    {
      // RT Dose: Dose Grid Scaling (3004,000E) is the dose per stored unit.
      double scaling = 0.0;
      if (fen_dicom_get_double (ds, DCM_DoseGridScaling, 0, &scaling) && scaling > 0.0 &&
          info->rescale_slope == 1.0 && info->rescale_intercept == 0.0)
        {
          info->rescale_slope = scaling;
          g_free (info->rescale_type);
          info->rescale_type = fen_dicom_get_string (ds, DCM_DoseUnits);
        }

      // PS3.3 C.11.1: a Modality LUT Sequence replaces Rescale Slope and
      // Intercept; applied to the pixels in place, so the core sees the
      // LUT's output values with an identity rescale.
      DcmItem *lut_item = nullptr;
      if (ds->findAndGetSequenceItem (DCM_ModalityLUTSequence, lut_item, 0).good () &&
          lut_item != nullptr && src->convert == FEN_DICOM_CONVERT_NONE)
        {
          guint entries = 0, bits = 0;
          gint32 first = 0;
          const Uint16 *words = nullptr;
          unsigned long count = 0;
          if (!fen_dicom_lut_descriptor (lut_item, DCM_LUTDescriptor, src->pixel_representation,
                                         &entries, &first, &bits) ||
              lut_item->findAndGetUint16Array (DCM_LUTData, words, &count).bad () ||
              words == nullptr || count == 0)
            return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                                   "Modality LUT Sequence without a valid LUT");
          if (bits > info->bits_allocated)
            return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                                   "a %u-bit Modality LUT on %u-bit pixels is not supported",
                                   bits, info->bits_allocated);
          src->modality_lut.assign (words, words + MIN ((unsigned long) entries, count));
          src->modality_lut.resize (entries, src->modality_lut.back ());
          const guint16 mask = (guint16) ((1u << bits) - 1);
          for (guint16 &v : src->modality_lut)
            v &= mask;
          src->modality_first = first;
          info->bits_stored = bits;
          info->high_bit = bits - 1;
          info->pixel_representation = 0;
          info->rescale_slope = 1.0;
          info->rescale_intercept = 0.0;
          g_free (info->rescale_type);
          info->rescale_type = fen_dicom_get_string (lut_item, DCM_ModalityLUTType);
        }

      if (src->convert == FEN_DICOM_CONVERT_NONE && src->modality_lut.empty ())
        {
          fen_dicom_read_padding (ds, info);
          fen_dicom_read_frame_values (ds, info);
        }
      fen_dicom_read_frame_geometry (ds, info);
      if (!fen_dicom_read_voi_luts (ds, info, name, error))
        return FALSE;

      // PS3.3 C.11.6: Presentation LUT Shape INVERSE shows the minimum as
      // white, which is what MONOCHROME1 means to the renderer.
      OFString shape;
      if (ds->findAndGetOFString (DCM_PresentationLUTShape, shape).good () && shape == "INVERSE")
        info->photometric = FEN_PHOTOMETRIC_MONOCHROME1;
    }
  return TRUE;
}
