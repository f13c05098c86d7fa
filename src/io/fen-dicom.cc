// SPDX-License-Identifier: GPL-3.0-or-later
//
// fen-dicom.cc: the DICOM loader, Fenestra's one adapter onto DCMTK and the
// only C++ in the tree. It turns a file into a FenImage whose one pixel buffer
// is filled in place: native pixel data is read from disk straight into it,
// compressed frames are decoded one at a time into their slot, so the peak
// stays near one copy of the pixels. DicomImage is never used: its
// constructor alone holds two copies. No C++ exception and no OFCondition
// leaves this file; callers see a GError in FEN_IO_ERROR naming the file.

#define G_LOG_DOMAIN "fen-dicom"

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcfcache.h"
#include "dcmtk/dcmdata/dcistrmf.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"
#include "dcmtk/ofstd/ofchrenc.h"

#include <glib.h>
#include <glib/gstdio.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <vector>

#include "fenestra/fen-dicom-tags.h"
#include "fenestra/fen-loader.h"
#include "fen-dicom-scan.h"
#include "fen-jpeg2000.h"
#include "fen-dicom-private.h"

namespace {

// Bytes moved per getPartialValue() call: large enough that the per-call
// overhead vanishes, small enough that the Uint32 arithmetic stays far away
// from its limit.
constexpr gsize FEN_DICOM_CHUNK = 16u * 1024u * 1024u;

// Values above this stay on disk at parse time, so native pixel data is read
// once, straight into the image buffer (DCMTK's default is the same).
constexpr Uint32 FEN_DICOM_MAX_READ_LENGTH = 4096;

enum FenDicomColor {
  FEN_DICOM_COLOR_MONO,
  FEN_DICOM_COLOR_RGB,
  FEN_DICOM_COLOR_YBR_FULL,
  FEN_DICOM_COLOR_YBR_FULL_422,
  // YBR_RCT / YBR_ICT (JPEG 2000 only): OpenJPEG undoes the transform.
  FEN_DICOM_COLOR_YBR_J2K,
  // PALETTE COLOR: indices expanded to RGB through the palette at load time.
  FEN_DICOM_COLOR_PALETTE,
};

// See "What the file holds when it is not what memory holds" below.
enum FenDicomConvert {
  FEN_DICOM_CONVERT_NONE,
  FEN_DICOM_CONVERT_PALETTE,
  FEN_DICOM_CONVERT_BITS1,
  FEN_DICOM_CONVERT_NARROW32,
  FEN_DICOM_CONVERT_RGB16,
};

struct FenDicomSource {
  FenDicomConvert convert = FEN_DICOM_CONVERT_NONE;
  // The file's sample layout (memory's is in FenImageInfo).
  guint bits_allocated = 0, bits_stored = 0, high_bit = 0, pixel_representation = 0;
  // PALETTE COLOR: 8-bit output per channel, first mapped value.
  std::vector<guint8> palette[3];
  gint32 palette_first = 0;
  // Modality LUT Sequence (PS3.3 C.11.1): applied in place.
  std::vector<guint16> modality_lut;
  gint32 modality_first = 0;
  // NARROW32: memory value = (stored - narrow_min) >> narrow_shift.
  gint64 narrow_min = 0;
  guint narrow_shift = 0;
  gint64 range_min = G_MAXINT64, range_max = G_MININT64;
  // RGB16: planes in the decoded frame (Planar Configuration 1).
  gboolean planar = FALSE;
};


struct FenDicomInfoGuard {
  FenImageInfo info;
  FenDicomInfoGuard () { fen_image_info_init (&info); }
  ~FenDicomInfoGuard () { fen_image_info_clear (&info); }
  FenDicomInfoGuard (const FenDicomInfoGuard &) = delete;
  FenDicomInfoGuard &operator= (const FenDicomInfoGuard &) = delete;
};

struct FenDicomImageUnref {
  void operator() (FenImage *image) const { fen_image_unref (image); }
};
using FenDicomImagePtr = std::unique_ptr<FenImage, FenDicomImageUnref>;

struct FenDicomFree {
  void operator() (void *p) const { g_free (p); }
};
using FenDicomScratch = std::unique_ptr<guint8, FenDicomFree>;

// What one parse attempt produced.
struct FenDicomParse {
  std::unique_ptr<DcmFileFormat> file;
  OFCondition status;
  DcmElement *pixel_data = nullptr;
};

void
fen_dicom_register_codecs (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      // Some writers put implicit-VR elements into explicit-VR data sets;
      // DCMTK only reads those when told to. A process-wide flag, set once
      // here before any parse can run.
      dcmAcceptUnexpectedImplicitEncoding.set (OFTrue);
      // DCMTK logs to stderr and its messages may quote element values, which
      // can be patient data: keep it quiet unless a developer asks for it.
      if (g_getenv ("FEN_DCMTK_LOG") == nullptr)
        OFLog::configure (OFLogger::FATAL_LOG_LEVEL);
      DcmRLEDecoderRegistration::registerCodecs ();
      DJDecoderRegistration::registerCodecs ();
      DJLSDecoderRegistration::registerCodecs ();
      g_once_init_leave (&registered, 1);
    }
}

gboolean
fen_dicom_fail (GError    **error,
                FenIoError  code,
                const char *name,
                const char *format,
                ...) G_GNUC_PRINTF (4, 5);

gboolean
fen_dicom_fail (GError    **error,
                FenIoError  code,
                const char *name,
                const char *format,
                ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *cause = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FEN_IO_ERROR, code, "%s: %s", name, cause);
  return FALSE;
}

// The values of a file without a character set are ASCII by the standard but
// Latin-1 in practice; after convertToUTF8() anything still invalid is the
// file's fault, and Latin-1 is the one decoding that never fails.
char *
fen_dicom_to_utf8 (const OFString &value)
{
  if (value.empty ())
    return nullptr;
  if (g_utf8_validate (value.c_str (), (gssize) value.length (), nullptr))
    return g_strndup (value.c_str (), value.length ());
  char *converted = g_convert (value.c_str (), (gssize) value.length (),
                               "UTF-8", "ISO-8859-1", nullptr, nullptr, nullptr);
  return converted ? converted : g_utf8_make_valid (value.c_str (), (gssize) value.length ());
}

char *
fen_dicom_get_string (DcmItem *ds, const DcmTagKey &tag)
{
  OFString value;
  if (ds->findAndGetOFStringArray (tag, value).bad ())
    return nullptr;
  return fen_dicom_to_utf8 (value);
}

gboolean
fen_dicom_get_double (DcmItem *ds, const DcmTagKey &tag, unsigned long pos, double *out)
{
  Float64 value = 0.0;
  if (ds->findAndGetFloat64 (tag, value, pos).bad () || !std::isfinite (value))
    return FALSE;
  *out = value;
  return TRUE;
}

gint
fen_dicom_get_int (DcmItem *ds, const DcmTagKey &tag)
{
  Sint32 value = 0;
  if (ds->findAndGetSint32 (tag, value).bad ())
    return 0;
  return value;
}

// Reads a Type 1 US attribute. Returns FALSE with CORRUPT when it is absent
// and @fallback is negative, else substitutes @fallback.
gboolean
fen_dicom_get_us (DcmItem    *ds,
                  const DcmTagKey &tag,
                  const char *label,
                  long        fallback,
                  guint      *out,
                  const char *name,
                  GError    **error)
{
  Uint16 value = 0;
  OFCondition cond = ds->findAndGetUint16 (tag, value);
  if (cond.good ())
    {
      *out = value;
      return TRUE;
    }
  if (fallback >= 0)
    {
      g_debug ("%s (%04x,%04x) absent or unreadable, assuming %ld",
               label, tag.getGroup (), tag.getElement (), fallback);
      *out = (guint) fallback;
      return TRUE;
    }
  return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                         "required attribute %s (%04X,%04X) is %s",
                         label, tag.getGroup (), tag.getElement (),
                         cond == EC_TagNotFound ? "missing" : "empty or unreadable");
}

gboolean
fen_dicom_is_premature_end (const OFCondition &cond)
{
  return cond == EC_StreamNotifyClient || cond == EC_EndOfStream ||
         cond == EC_InvalidStream;
}

FenDicomParse
fen_dicom_parse_once (const char *path, E_TransferSyntax xfer)
{
  FenDicomParse parse;
  parse.file.reset (new DcmFileFormat ());
  // loadFile opens the file with fopen "rb": parsing never writes to it.
  parse.status = parse.file->loadFile (OFFilename (path), xfer, EGL_noChange,
                                       FEN_DICOM_MAX_READ_LENGTH, ERM_autoDetect);
  DcmElement *element = nullptr;
  if (parse.file->getDataset ()->findAndGetElement (DCM_PixelData, element).good ())
    parse.pixel_data = element;
  return parse;
}

// A data set without meta header names no transfer syntax. DCMTK guesses
// from the first tag, and a wrong guess can end "successfully" without the
// Pixel Data, so every plain syntax is tried until one yields it.
FenDicomParse
fen_dicom_parse (const char *path, gboolean has_meta)
{
  FenDicomParse first = fen_dicom_parse_once (path, EXS_Unknown);
  if (has_meta || (first.status.good () && first.pixel_data != nullptr))
    return first;

  static const E_TransferSyntax candidates[] = {
    EXS_LittleEndianImplicit, EXS_LittleEndianExplicit, EXS_BigEndianExplicit,
  };
  for (E_TransferSyntax xfer : candidates)
    {
      FenDicomParse attempt = fen_dicom_parse_once (path, xfer);
      if (attempt.status.good () && attempt.pixel_data != nullptr)
        {
          g_debug ("data set without meta header read as %s", DcmXfer (xfer).getXferName ());
          return attempt;
        }
    }
  return first;
}

// Bytes of a value left on disk that the file really holds.
gboolean
fen_dicom_bytes_on_disk (DcmElement *element, goffset file_size, guint64 *out)
{
  const DcmInputStreamFactory *factory = element->getInputStream ();
  if (factory == nullptr || element->valueLoaded () ||
      factory->ident () != DFT_DcmInputFileStreamFactory)
    return FALSE;
  const auto *file_factory = static_cast<const DcmInputFileStreamFactory *> (factory);
  const offile_off_t offset = file_factory->getOffset ();
  guint64 present = 0;
  if (offset >= 0 && (guint64) offset < (guint64) file_size)
    present = (guint64) file_size - (guint64) offset;
  // getLengthField(): getLength() of a string loads the value to measure it.
  *out = MIN (present, (guint64) element->getLengthField ());
  return TRUE;
}

// A value larger than DCMTK's read limit stays on disk until asked for, and
// DCMTK then allocates its declared length before reading: a tiny file can
// declare a 3 GiB Patient Name (found by fuzz-dicom). Every such value that
// the file does not really hold is dropped here, nested items included
// (their depth is bounded by fen_dicom_scan()). The Pixel Data is left to
// the loader, which reports exactly how much of it is missing.
void
fen_dicom_drop_lying_values (DcmItem *item, goffset file_size, const char *name)
{
  for (unsigned long i = item->card (); i-- > 0;)
    {
      DcmElement *element = item->getElement (i);
      if (element == nullptr)
        continue;
      if (element->ident () == EVR_SQ)
        {
          auto *sequence = static_cast<DcmSequenceOfItems *> (element);
          for (unsigned long k = 0; k < sequence->card (); k++)
            fen_dicom_drop_lying_values (sequence->getItem (k), file_size, name);
          continue;
        }
      if (element->getTag () == DCM_PixelData)
        continue;
      guint64 present = 0;
      if (fen_dicom_bytes_on_disk (element, file_size, &present) &&
          present < element->getLengthField ())
        {
          g_debug ("%s: (%04x,%04x) declares %u bytes, the file holds %" G_GUINT64_FORMAT
                   ": dropped", name, element->getGTag (), element->getETag (),
                   element->getLengthField (), present);
          delete item->remove (element);
        }
    }
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
            text = fen_dicom_to_utf8 (explanation);
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

// Masks each sample to Bits Stored, moves it down to bit 0 and, for signed
// data, sign-extends it (PS3.5 8.1.1: the High Bit is the sample's top bit,
// the bits above it are not part of the value).
template <typename U>
void
fen_dicom_normalize_samples (void *data, gsize count, guint bits_stored,
                             guint high_bit, gboolean is_signed)
{
  const guint shift = high_bit + 1 - bits_stored;
  const guint32 mask = ((guint32) 1 << bits_stored) - 1;
  const guint32 sign = (guint32) 1 << (bits_stored - 1);
  U *samples = static_cast<U *> (data);

  for (gsize i = 0; i < count; i++)
    {
      guint32 value = ((guint32) samples[i] >> shift) & mask;
      if (is_signed && (value & sign))
        value |= ~mask;
      samples[i] = (U) value;
    }
}

void
fen_dicom_normalize_frame (const FenImageInfo *info, void *frame, gsize frame_bytes)
{
  const guint bits = info->bits_allocated;
  if (info->bits_stored == bits && info->high_bit == bits - 1)
    return;
  const gboolean is_signed = info->pixel_representation == 1;
  if (bits == 8)
    fen_dicom_normalize_samples<guint8> (frame, frame_bytes, info->bits_stored,
                                                info->high_bit, is_signed);
  else
    fen_dicom_normalize_samples<guint16> (frame, frame_bytes / 2, info->bits_stored,
                                                  info->high_bit, is_signed);
}

// As fen_dicom_normalize_frame() for the file's own layout, 32-bit included.
void
fen_dicom_normalize_source (const FenDicomSource *src, void *frame, gsize frame_bytes)
{
  const guint bits = src->bits_allocated;
  if (bits == 1 || (src->bits_stored == bits && src->high_bit == bits - 1))
    return;
  const gboolean is_signed = src->pixel_representation == 1;
  if (bits == 8)
    fen_dicom_normalize_samples<guint8> (frame, frame_bytes, src->bits_stored, src->high_bit, is_signed);
  else if (bits == 16)
    fen_dicom_normalize_samples<guint16> (frame, frame_bytes / 2, src->bits_stored,
                                          src->high_bit, is_signed);
  else
    fen_dicom_normalize_samples<guint32> (frame, frame_bytes / 4, src->bits_stored,
                                          src->high_bit, is_signed);
}

inline guint8
fen_dicom_clamp_u8 (double value)
{
  if (value <= 0.0)
    return 0;
  if (value >= 255.0)
    return 255;
  return (guint8) lrint (value);
}

// PS3.3 C.7.6.3.1.2, YBR_FULL (8-bit):
//   R = Y + 1.402 (Cr - 128)
//   G = Y - 0.344136 (Cb - 128) - 0.714136 (Cr - 128)
//   B = Y + 1.772 (Cb - 128)
// the inverse of the matrix the section gives for Y, Cb, Cr.
inline void
fen_dicom_ybr_to_rgb (guint8 y, guint8 cb, guint8 cr, guint8 *out)
{
  const double dcb = (double) cb - 128.0;
  const double dcr = (double) cr - 128.0;
  out[0] = fen_dicom_clamp_u8 (y + 1.402 * dcr);
  out[1] = fen_dicom_clamp_u8 (y - 0.344136 * dcb - 0.714136 * dcr);
  out[2] = fen_dicom_clamp_u8 (y + 1.772 * dcb);
}

void
fen_dicom_ybr_full_to_rgb (guint8 *frame, gsize n_pixels)
{
  for (gsize i = 0; i < n_pixels; i++, frame += 3)
    fen_dicom_ybr_to_rgb (frame[0], frame[1], frame[2], frame);
}

// PS3.3 C.7.6.3.1.2, YBR_FULL_422 uncompressed: each pair of horizontally
// adjacent pixels is stored as Y1 Y2 Cb Cr (4 bytes for 2 pixels). The packed
// frame sits in the last two thirds of the frame's slot; expanding forwards,
// the write position (6 bytes per pair) never overtakes the next unread pair
// (4 bytes per pair, starting one third in), so no scratch is needed.
void
fen_dicom_ybr_422_to_rgb (guint8 *frame, gsize n_pixels)
{
  const guint8 *in = frame + n_pixels;
  guint8 *out = frame;
  for (gsize i = 0; i < n_pixels / 2; i++, in += 4, out += 6)
    {
      const guint8 y1 = in[0], y2 = in[1], cb = in[2], cr = in[3];
      fen_dicom_ybr_to_rgb (y1, cb, cr, out);
      fen_dicom_ybr_to_rgb (y2, cb, cr, out + 3);
    }
}

// Planar configuration 1 (PS3.3 C.7.6.3.1.3): all reds, then greens, then
// blues. Interleaves @planes into @out.
void
fen_dicom_interleave (const guint8 *planes, guint8 *out, gsize n_pixels)
{
  const guint8 *r = planes;
  const guint8 *g = planes + n_pixels;
  const guint8 *b = planes + 2 * n_pixels;
  for (gsize i = 0; i < n_pixels; i++, out += 3)
    {
      out[0] = r[i];
      out[1] = g[i];
      out[2] = b[i];
    }
}

guint8 *
fen_dicom_scratch (FenDicomScratch &scratch, gsize bytes, const char *name, GError **error)
{
  if (!scratch)
    {
      // +2: DCMTK's decoders want an even buffer size.
      scratch.reset (static_cast<guint8 *> (g_try_malloc (bytes + 2)));
      if (!scratch)
        fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name,
                        "out of memory for a %" G_GSIZE_FORMAT "-byte frame buffer", bytes);
    }
  return scratch.get ();
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

// Enhanced multi-frame (PS3.3 C.7.6.16): rescale and window live in the
// Shared (5200,9229) or Per-frame (5200,9230) Functional Groups. A frame's
// own item wins over the shared one.
void
fen_dicom_read_frame_values (DcmDataset *ds, FenImageInfo *info)
{
  DcmItem *shared = nullptr;
  DcmSequenceOfItems *per_frame = nullptr;
  ds->findAndGetSequenceItem (DCM_SharedFunctionalGroupsSequence, shared, 0);
  ds->findAndGetSequence (DCM_PerFrameFunctionalGroupsSequence, per_frame);
  if (shared == nullptr && per_frame == nullptr)
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
                text = fen_dicom_to_utf8 (explanation);
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
  ds->findAndGetSequenceItem (DCM_SharedFunctionalGroupsSequence, shared, 0);
  ds->findAndGetSequence (DCM_PerFrameFunctionalGroupsSequence, per_frame);
  if (shared == nullptr && per_frame == nullptr)
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

template <typename T>
inline gint64
fen_dicom_sample (const void *data, gsize i)
{
  return static_cast<const T *> (data)[i];
}

// The file's sample @i of a frame normalised to its layout.
inline gint64
fen_dicom_source_sample (const FenDicomSource *src, const void *data, gsize i)
{
  const gboolean s = src->pixel_representation == 1;
  switch (src->bits_allocated)
    {
    case 8:  return s ? fen_dicom_sample<gint8> (data, i) : fen_dicom_sample<guint8> (data, i);
    case 16: return s ? fen_dicom_sample<gint16> (data, i) : fen_dicom_sample<guint16> (data, i);
    default: return s ? fen_dicom_sample<gint32> (data, i) : fen_dicom_sample<guint32> (data, i);
    }
}

// After the range scan: the shift that fits the values into 16 bits, and
// the rescale that keeps modality values (PS3.3 C.11.1.1.2).
void
fen_dicom_narrow_plan (FenDicomSource *src, FenImageInfo *info)
{
  if (src->range_min > src->range_max)
    src->range_min = src->range_max = 0;
  const guint64 span = (guint64) (src->range_max - src->range_min);
  guint shift = 0;
  while ((span >> shift) > G_MAXUINT16)
    shift++;
  src->narrow_min = src->range_min;
  src->narrow_shift = shift;
  info->rescale_intercept += info->rescale_slope * (double) src->range_min;
  info->rescale_slope *= (double) ((guint64) 1 << shift);
}

// One frame as the file holds it (@in, already normalised to the file's
// bits stored) into its slot. @slot NULL: only scan the value range.
void
fen_dicom_convert_frame (FenDicomSource *src, const FenImageInfo *info, const void *in,
                         guint8 *slot)
{
  const gsize n = (gsize) info->rows * info->columns;
  switch (src->convert)
    {
    case FEN_DICOM_CONVERT_PALETTE:
      {
        // In place is safe: the indices sit at the end of the slot and each
        // pixel's three bytes never reach an index not yet read.
        const gint64 last = (gint64) src->palette[0].size () - 1;
        for (gsize i = 0; i < n; i++)
          {
            const gint64 index = CLAMP (fen_dicom_source_sample (src, in, i) - src->palette_first,
                                        (gint64) 0, last);
            slot[3 * i] = src->palette[0][index];
            slot[3 * i + 1] = src->palette[1][index];
            slot[3 * i + 2] = src->palette[2][index];
          }
        break;
      }
    case FEN_DICOM_CONVERT_NARROW32:
      if (slot == nullptr)
        {
          for (gsize i = 0; i < n; i++)
            {
              const gint64 v = fen_dicom_source_sample (src, in, i);
              src->range_min = MIN (src->range_min, v);
              src->range_max = MAX (src->range_max, v);
            }
          break;
        }
      for (gsize i = 0; i < n; i++)
        {
          const gint64 v = fen_dicom_source_sample (src, in, i) - src->narrow_min;
          reinterpret_cast<guint16 *> (slot)[i] =
            (guint16) MIN ((guint64) MAX (v, (gint64) 0) >> src->narrow_shift, (guint64) G_MAXUINT16);
        }
      break;
    case FEN_DICOM_CONVERT_RGB16:
      {
        const guint shift = src->bits_stored > 8 ? src->bits_stored - 8 : 0;
        const guint16 *samples = static_cast<const guint16 *> (in);
        for (gsize i = 0; i < n; i++)
          for (guint c = 0; c < 3; c++)
            slot[3 * i + c] = (guint8) (samples[src->planar ? c * n + i : 3 * i + c] >> shift);
        break;
      }
    case FEN_DICOM_CONVERT_BITS1:
    case FEN_DICOM_CONVERT_NONE:
    default:
      break;
    }
  if (!src->modality_lut.empty () && slot != nullptr)
    {
      // PS3.3 C.11.1.1.1: values below the first mapped one take the first
      // entry, values above the last take the last.
      const gint64 last = (gint64) src->modality_lut.size () - 1;
      for (gsize i = 0; i < n; i++)
        {
          const gint64 index = CLAMP (fen_dicom_source_sample (src, slot, i) - src->modality_first,
                                      (gint64) 0, last);
          const guint16 v = src->modality_lut[index];
          if (info->bits_allocated == 8)
            slot[i] = (guint8) v;
          else
            reinterpret_cast<guint16 *> (slot)[i] = v;
        }
    }
}

// PS3.5 8.1.1 and 8.2: 1-bit samples are packed eight to a byte, first
// pixel in the least significant bit, continuously across frames (a frame
// need not start on a byte). Unpacks every frame into 0/1 bytes.
gboolean
fen_dicom_read_bits1 (DcmElement *pixel_data, const FenImageInfo *info, guint8 *pixels,
                      const char *name, GError **error)
{
  DcmFileCache cache;
  const gsize n_bits = (gsize) info->rows * info->columns * info->frames;
  const gsize chunk = 1u << 20;
  std::vector<guint8> buffer (chunk);
  for (gsize byte = 0; byte * 8 < n_bits; byte += chunk)
    {
      const gsize n = MIN (chunk, (n_bits + 7) / 8 - byte);
      OFCondition cond = pixel_data->getPartialValue (buffer.data (), (Uint32) byte, (Uint32) n,
                                                      &cache, gLocalByteOrder);
      if (cond.bad ())
        return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                               "cannot read the 1-bit pixel data: %s", cond.text ());
      for (gsize i = 0; i < n * 8 && (byte * 8 + i) < n_bits; i++)
        pixels[byte * 8 + i] = (buffer[i / 8] >> (i % 8)) & 1;
    }
  return TRUE;
}

gboolean
fen_dicom_read_native (DcmElement         *pixel_data,
                       const FenImageInfo *info,
                       FenDicomColor       color,
                       FenDicomSource     *src,
                       guint8             *pixels,
                       gsize               frame_bytes,
                       gsize               file_frame_bytes,
                       const char         *name,
                       GError            **error)
{
  DcmFileCache cache;
  FenDicomScratch scratch;
  FenDicomScratch wide;
  const gsize n_pixels = (gsize) info->rows * info->columns;
  const gboolean planar = info->samples_per_pixel == 3 && info->planar_configuration == 1;
  const gboolean convert = src->convert != FEN_DICOM_CONVERT_NONE || !src->modality_lut.empty ();

  for (guint f = 0; f < info->frames; f++)
    {
      // pixels NULL: a range scan, every frame through the scratch.
      guint8 *slot = pixels ? pixels + (gsize) f * frame_bytes : nullptr;
      guint8 *target = slot != nullptr && file_frame_bytes <= frame_bytes
                       ? slot + (frame_bytes - file_frame_bytes)
                       : fen_dicom_scratch (wide, file_frame_bytes, name, error);
      if (target == nullptr)
        return FALSE;
      const gsize base = (gsize) f * file_frame_bytes;

      for (gsize done = 0; done < file_frame_bytes; done += FEN_DICOM_CHUNK)
        {
          const gsize n = MIN (FEN_DICOM_CHUNK, file_frame_bytes - done);
          // gLocalByteOrder: DCMTK swaps big-endian OW words for us.
          OFCondition cond = pixel_data->getPartialValue (target + done, (Uint32) (base + done),
                                                          (Uint32) n, &cache, gLocalByteOrder);
          if (cond.bad ())
            return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                                   "cannot read frame %u of the pixel data: %s", f, cond.text ());
        }

      if (convert)
        {
          fen_dicom_normalize_source (src, target, file_frame_bytes);
          fen_dicom_convert_frame (src, info, target, slot);
          continue;
        }
      if (planar)
        {
          guint8 *planes = fen_dicom_scratch (scratch, frame_bytes, name, error);
          if (planes == nullptr)
            return FALSE;
          memcpy (planes, slot, frame_bytes);
          fen_dicom_interleave (planes, slot, n_pixels);
        }
      if (color == FEN_DICOM_COLOR_YBR_FULL)
        fen_dicom_ybr_full_to_rgb (slot, n_pixels);
      else if (color == FEN_DICOM_COLOR_YBR_FULL_422)
        fen_dicom_ybr_422_to_rgb (slot, n_pixels);
      fen_dicom_normalize_frame (info, slot, frame_bytes);
    }
  return TRUE;
}

// DCMTK's RLE decoder trusts the 64-byte segment header of each fragment
// (offsets are not checked against the fragment length), so a hostile file
// could make it read out of bounds. Check every header first.
gboolean
fen_dicom_check_rle (DcmPixelSequence *sequence, const char *name, GError **error)
{
  const unsigned long n_items = sequence->card ();
  for (unsigned long i = 1; i < n_items; i++)
    {
      DcmPixelItem *item = nullptr;
      if (sequence->getItem (item, i).bad () || item == nullptr)
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "RLE fragment %lu unreadable", i);
      const Uint32 length = item->getLength ();
      Uint32 header[16];
      if (length < sizeof header ||
          item->getPartialValue (header, 0, sizeof header, nullptr, gLocalByteOrder).bad ())
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "RLE fragment %lu is too short for its header", i);
      // PS3.5 G.5: the header is 16 little-endian 32-bit words: the number
      // of segments (1 to 15), then each segment's byte offset.
      for (Uint32 &word : header)
        word = GUINT32_FROM_LE (word);
      if (header[0] < 1 || header[0] > 15)
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "RLE fragment %lu declares %u segments", i, header[0]);
      Uint32 previous = sizeof header;
      for (Uint32 s = 1; s <= header[0]; s++)
        {
          if (header[s] < previous || header[s] >= length)
            return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                                   "RLE fragment %lu: segment %u offset %u out of range",
                                   i, s, header[s]);
          previous = header[s];
        }
    }
  return TRUE;
}

// DCMTK 3.6.7 looks for the JPEG frame header (to learn the precision) by
// hopping from marker to marker from the start of a frame's first fragment;
// on a TEM marker (FF01) it stops hopping without moving, and spins forever
// (found by fuzz-dicom). This follows the same hops (ITU-T T.81 B.1.1: most
// markers carry a two-byte length, RSTn, SOI, EOI and TEM do not) and says
// whether DCMTK's would reach a TEM before a frame header or a marker it
// rejects.
gboolean
fen_dicom_jpeg_scan_would_hang (const guint8 *data, gsize length)
{
  gsize at = 0;
  while (at + 4 < length)
    {
      const guint marker = (guint) data[at] << 8 | data[at + 1];
      const guint segment = (guint) data[at + 2] << 8 | data[at + 3];
      if (marker == 0xff01)
        return TRUE;
      if ((marker >= 0xffc0 && marker <= 0xffcf && marker != 0xffc4 && marker != 0xffc8 &&
           marker != 0xffcc))
        return FALSE; // a frame header: DCMTK stops here
      if (marker == 0xffc4 || marker == 0xffc8 || marker == 0xffcc ||
          (marker >= 0xffda && marker <= 0xffdf) || (marker >= 0xffe0 && marker <= 0xfffe))
        at += segment + 2;
      else if ((marker >= 0xffd0 && marker <= 0xffd9) ||
               (data[at] == 0xff && data[at + 1] > 2 && data[at + 1] <= 0xbf))
        at += 2;
      else if (marker == 0xffff)
        at += 1;
      else
        return FALSE; // DCMTK rejects the stream: no hang
    }
  return FALSE;
}

gboolean
fen_dicom_check_jpeg (DcmPixelSequence *sequence, guint frames, const char *name, GError **error)
{
  // The fragments DCMTK may start a frame with: the first one, or with
  // several frames any of them (it chains from where the last frame ended).
  const unsigned long n_items = sequence->card ();
  const unsigned long last = frames > 1 ? n_items : MIN (n_items, 2ul);
  for (unsigned long i = 1; i < last; i++)
    {
      DcmPixelItem *item = nullptr;
      Uint8 *bytes = nullptr;
      if (sequence->getItem (item, i).bad () || item == nullptr)
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "JPEG fragment %lu unreadable", i);
      if (item->getLength () == 0)
        continue;
      if (item->getUint8Array (bytes).bad () || bytes == nullptr)
        return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                               "JPEG fragment %lu cannot be read", i);
      const gboolean hang = fen_dicom_jpeg_scan_would_hang (bytes, item->getLength ());
      item->compact ();
      if (hang)
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "JPEG fragment %lu has a TEM marker before its frame header", i);
    }
  return TRUE;
}

gboolean
fen_dicom_read_encapsulated (DcmDataset         *ds,
                             DcmElement         *element,
                             E_TransferSyntax    xfer,
                             const FenImageInfo *info,
                             FenDicomColor       color,
                             FenDicomSource     *src,
                             guint8             *pixels,
                             gsize               frame_bytes,
                             gsize               file_frame_bytes,
                             const char         *name,
                             GError            **error)
{
  if (element->ident () != EVR_PixelData)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "compressed pixel data is not a pixel data element");
  auto *pixel_data = static_cast<DcmPixelData *> (element);
  DcmPixelSequence *sequence = nullptr;
  const gboolean convert = src->convert != FEN_DICOM_CONVERT_NONE || !src->modality_lut.empty ();
  FenDicomScratch wide;
  if (pixel_data->getEncapsulatedRepresentation (xfer, nullptr, sequence).bad () ||
      sequence == nullptr)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "%s file without encapsulated pixel data",
                           DcmXfer (xfer).getXferName ());
  if (sequence->card () < 2)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "compressed pixel data holds no fragment");
  if (xfer == EXS_RLELossless && !fen_dicom_check_rle (sequence, name, error))
    return FALSE;
  if (xfer >= EXS_JPEGProcess1 && xfer <= EXS_JPEGProcess14SV1 &&
      !fen_dicom_check_jpeg (sequence, info->frames, name, error))
    return FALSE;
  const unsigned long n_fragments = sequence->card ();
  unsigned long compacted = 1;

  DcmFileCache cache;
  FenDicomScratch scratch;
  const gsize n_pixels = (gsize) info->rows * info->columns;
  const gboolean planar = info->samples_per_pixel == 3 && info->planar_configuration == 1;
  // DCMTK's decoders need an even buffer size; an odd frame goes through
  // the scratch so it cannot spill into the next frame.
  const gboolean odd = (file_frame_bytes & 1) != 0;
  Uint32 start_fragment = 0;

  for (guint f = 0; f < info->frames; f++)
    {
      // pixels NULL: a range scan, every frame through the scratch.
      guint8 *slot = pixels ? pixels + (gsize) f * frame_bytes : nullptr;
      guint8 *target = slot;
      if (convert)
        {
          // The file's frame at the end of the slot when it fits there.
          target = slot != nullptr && !odd && file_frame_bytes <= frame_bytes
                   ? slot + (frame_bytes - file_frame_bytes)
                   : fen_dicom_scratch (wide, file_frame_bytes, name, error);
          if (target == nullptr)
            return FALSE;
        }
      else if (odd)
        {
          target = fen_dicom_scratch (scratch, frame_bytes, name, error);
          if (target == nullptr)
            return FALSE;
        }
      OFString model;
      OFCondition cond = pixel_data->getUncompressedFrame (ds, f, start_fragment, target,
                                                           (Uint32) (file_frame_bytes + (odd ? 1 : 0)),
                                                           model, &cache);
      if (cond.bad ())
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "cannot decode frame %u (%s): %s",
                               f, DcmXfer (xfer).getXferName (), cond.text ());
      // A fragment read for a frame stays in memory until the data set
      // goes (DCMTK 3.6.7, measured with JPEG-LS): drop this frame's
      // fragments now, so the peak stays one compressed frame above the
      // pixels. compact() only frees values it can read back from the file.
      // The decoder moved start_fragment past the frame; on the last frame
      // everything left is done with.
      const unsigned long done = f + 1 == info->frames ? n_fragments : start_fragment;
      for (unsigned long i = MAX (compacted, 1ul); i < done && i < n_fragments; i++)
        {
          DcmPixelItem *item = nullptr;
          if (sequence->getItem (item, i).good () && item != nullptr)
            item->compact ();
        }
      compacted = MAX (compacted, done);

      if (convert)
        {
          fen_dicom_normalize_source (src, target, file_frame_bytes);
          fen_dicom_convert_frame (src, info, target, slot);
          continue;
        }
      if (planar)
        {
          // The decoders honour Planar Configuration, so a frame comes out
          // as planes when the data set says so.
          guint8 *planes = fen_dicom_scratch (scratch, frame_bytes, name, error);
          if (planes == nullptr)
            return FALSE;
          if (target != planes)
            memcpy (planes, target, frame_bytes);
          fen_dicom_interleave (planes, slot, n_pixels);
        }
      else if (target != slot)
        memcpy (slot, target, frame_bytes);

      if (color != FEN_DICOM_COLOR_MONO)
        {
          // A decoder reports what it produced: JPEG converts YCbCr itself,
          // RLE and JPEG-LS hand back what the file holds, always at full
          // resolution.
          if (model == "YBR_FULL" || model == "YBR_FULL_422")
            fen_dicom_ybr_full_to_rgb (slot, n_pixels);
          else if (model != "RGB")
            return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                                   "decoded colour model %s is not supported", model.c_str ());
        }
      fen_dicom_normalize_frame (info, slot, frame_bytes);
    }
  return TRUE;
}

gboolean
fen_dicom_is_jpeg2000 (E_TransferSyntax xfer)
{
  return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000 ||
         xfer == EXS_JPEG2000MulticomponentLosslessOnly || xfer == EXS_JPEG2000Multicomponent;
}

// PS3.5 A.4: a frame is one or more fragments. The first fragment of each
// frame, found once: one fragment per frame when the counts match, else a
// new frame wherever a fragment starts with a JPEG 2000 SOC + SIZ marker or
// a JP2 signature box (the first fragment always starts one). Frame f spans
// [starts[f], starts[f + 1]) (the last one up to the end).
gboolean
fen_dicom_j2k_frame_starts (DcmPixelSequence *sequence, guint frames,
                            std::vector<unsigned long> &starts)
{
  const unsigned long n_items = sequence->card ();
  starts.clear ();
  if (frames == 1 || n_items - 1 == frames)
    {
      for (unsigned long i = 1; i <= (frames == 1 ? 1ul : (unsigned long) frames); i++)
        starts.push_back (i);
      return TRUE;
    }
  DcmFileCache cache;
  for (unsigned long i = 1; i < n_items && starts.size () < frames; i++)
    {
      DcmPixelItem *item = nullptr;
      guint8 head[4] = { 0 };
      if (sequence->getItem (item, i).bad () || item == nullptr)
        return FALSE;
      const gboolean begins = item->getLength () >= 4 &&
        item->getPartialValue (head, 0, 4, &cache).good () &&
        ((head[0] == 0xff && head[1] == 0x4f && head[2] == 0xff && head[3] == 0x51) ||
         (head[0] == 0 && head[1] == 0 && head[2] == 0 && head[3] == 12));
      if (begins || i == 1)
        starts.push_back (i);
    }
  return starts.size () == frames;
}

// DCMTK 3.6.7 has no JPEG 2000 decoder: take each frame's fragments from
// DCMTK and decode them with OpenJPEG (fen-jpeg2000.c) into the frame slot.
gboolean
fen_dicom_read_jpeg2000 (DcmElement         *element,
                         E_TransferSyntax    xfer,
                         const FenImageInfo *info,
                         FenDicomColor       color,
                         guint8             *pixels,
                         gsize               frame_bytes,
                         const char         *name,
                         GError            **error)
{
  if (element->ident () != EVR_PixelData)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "compressed pixel data is not a pixel data element");
  auto *pixel_data = static_cast<DcmPixelData *> (element);
  DcmPixelSequence *sequence = nullptr;
  if (pixel_data->getEncapsulatedRepresentation (xfer, nullptr, sequence).bad () ||
      sequence == nullptr || sequence->card () < 2)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "JPEG 2000 pixel data holds no fragment");
  if (info->bits_allocated > 16)
    return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                           "%u-bit JPEG 2000 samples are not supported", info->bits_allocated);

  const FenJpeg2000Frame target = {
    info->rows, info->columns, info->samples_per_pixel, info->bits_allocated,
    info->bits_stored, info->pixel_representation,
  };
  const gsize n_pixels = (gsize) info->rows * info->columns;
  GByteArray *joined = nullptr;
  gboolean ok = TRUE;

  std::vector<unsigned long> starts;
  if (!fen_dicom_j2k_frame_starts (sequence, info->frames, starts))
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "JPEG 2000 pixel data holds codestreams for %u of %u frames",
                           (guint) starts.size (), info->frames);

  for (guint f = 0; f < info->frames && ok; f++)
    {
      const unsigned long first = starts[f];
      const unsigned long last = f + 1 < info->frames ? starts[f + 1] : sequence->card ();
      const guint8 *data = nullptr;
      gsize size = 0;
      for (unsigned long i = first; i < last; i++)
        {
          DcmPixelItem *item = nullptr;
          Uint8 *bytes = nullptr;
          if (sequence->getItem (item, i).bad () || item == nullptr ||
              (item->getLength () > 0 && (item->getUint8Array (bytes).bad () || bytes == nullptr)))
            {
              ok = fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                                   "JPEG 2000 fragment %lu of frame %u cannot be read", i, f);
              break;
            }
          if (last - first == 1)
            {
              data = bytes;
              size = item->getLength ();
              break;
            }
          // Several fragments: one codestream, joined in a scratch buffer.
          if (joined == nullptr)
            joined = g_byte_array_new ();
          if (i == first)
            g_byte_array_set_size (joined, 0);
          g_byte_array_append (joined, bytes, item->getLength ());
          data = joined->data;
          size = joined->len;
        }
      if (!ok)
        break;

      guint8 *slot = pixels + (gsize) f * frame_bytes;
      GError *local = nullptr;
      if (!fen_jpeg2000_decode (data, size, &target, slot, &local))
        {
          ok = fen_dicom_fail (error, (FenIoError) local->code, name, "frame %u: %s",
                               f, local->message);
          g_error_free (local);
          break;
        }
      if (color == FEN_DICOM_COLOR_YBR_FULL)
        fen_dicom_ybr_full_to_rgb (slot, n_pixels);
      // As in fen_dicom_read_encapsulated(): no fragment outlives its frame.
      for (unsigned long i = first; i < last; i++)
        {
          DcmPixelItem *item = nullptr;
          if (sequence->getItem (item, i).good () && item != nullptr)
            item->compact ();
        }
    }
  if (joined != nullptr)
    g_byte_array_unref (joined);
  return ok;
}

FenImage *
fen_dicom_load_internal (const char           *path,
                         const char           *name,
                         const FenLoadOptions *options,
                         GError              **error)
{
  const gsize max_bytes = options ? options->max_pixel_bytes : 0;

  // Sniff the preamble ourselves: DCMTK would happily parse any file as a
  // data set, and the answer decides how hard we try to guess the syntax.
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      fen_dicom_fail (error, FEN_IO_ERROR_OPEN, name, "%s", g_strerror (saved));
      return nullptr;
    }
  FILE *fp = g_fopen (path, "rb");
  if (fp == nullptr)
    {
      int saved = errno;
      fen_dicom_fail (error, FEN_IO_ERROR_OPEN, name, "%s", g_strerror (saved));
      return nullptr;
    }
  guint8 head[132];
  const size_t head_len = fread (head, 1, sizeof head, fp);
  fclose (fp);
  if (head_len == 0)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name, "empty file, not DICOM");
      return nullptr;
    }
  const gboolean has_meta = head_len == sizeof head && memcmp (head + 128, "DICM", 4) == 0;
  const goffset file_size = st.st_size;

  // DCMTK 3.6.7 recurses once per nested sequence and allocates a deflated
  // value's declared length up front: a bounded walk goes first. It also
  // knows a DICOMDIR, whose records DCMTK leaks when they are malformed.
  gboolean is_dicomdir = FALSE;
  if (!fen_dicom_scan_full (path, name, FEN_DICOM_SCAN_MAX_DEPTH, nullptr, &is_dicomdir, error))
    return nullptr;
  if (is_dicomdir)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_NO_PIXELS, name,
                      "a DICOMDIR (a directory of files), not an image");
      return nullptr;
    }
  fen_dicom_register_codecs ();
  FenDicomParse parse = fen_dicom_parse (path, has_meta);
  DcmDataset *ds = parse.file->getDataset ();
  fen_dicom_drop_lying_values (ds, file_size, name);
  fen_dicom_drop_lying_values (parse.file->getMetaInfo (), file_size, name);

  if (!has_meta && parse.pixel_data == nullptr)
    {
      // Without preamble, only attributes an image or a DICOM object must
      // carry tell a data set from any other file.
      DcmElement *probe = nullptr;
      if (!parse.status.good () ||
          (ds->findAndGetElement (DCM_SOPClassUID, probe).bad () &&
           ds->findAndGetElement (DCM_Rows, probe).bad ()))
        {
          fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name,
                          "not a DICOM file (no DICM preamble and no readable data set)");
          return nullptr;
        }
    }

  if (parse.pixel_data == nullptr)
    {
      if (parse.status.bad ())
        {
          fen_dicom_fail (error,
                          fen_dicom_is_premature_end (parse.status) ? FEN_IO_ERROR_TRUNCATED
                                                                    : FEN_IO_ERROR_CORRUPT,
                          name, "cannot read the data set: %s", parse.status.text ());
          return nullptr;
        }
      DcmElement *other = nullptr;
      // The Image Pixel attributes without their pixels: the file was cut
      // at an element boundary, which DCMTK cannot tell from a clean end.
      if (ds->findAndGetElement (DCM_Rows, other).good () &&
          ds->findAndGetElement (DCM_Columns, other).good () &&
          ds->findAndGetElement (DCM_BitsAllocated, other).good ())
        {
          fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                          "image attributes present but no Pixel Data (7FE0,0010): "
                          "the file ends before its pixels");
          return nullptr;
        }
      if (ds->findAndGetElement (DCM_FloatPixelData, other).good () ||
          ds->findAndGetElement (DCM_DoubleFloatPixelData, other).good ())
        {
          fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                          "floating-point pixel data is not supported yet");
          return nullptr;
        }
      OFString sop_class;
      ds->findAndGetOFString (DCM_SOPClassUID, sop_class);
      const char *kind = sop_class.empty () ? nullptr : dcmFindNameOfUID (sop_class.c_str ());
      fen_dicom_fail (error, FEN_IO_ERROR_NO_PIXELS, name,
                      "no Pixel Data (7FE0,0010) in this %s object",
                      kind ? kind : "DICOM");
      return nullptr;
    }

  const E_TransferSyntax xfer = ds->getOriginalXfer ();
  const DcmXfer xfer_info (xfer);
  const gboolean encapsulated = xfer_info.isEncapsulated ();
  const gboolean jpeg2000 = fen_dicom_is_jpeg2000 (xfer);
  if (encapsulated && !jpeg2000 &&
      !DcmCodecList::canChangeCoding (xfer, EXS_LittleEndianExplicit))
    {
      fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                      "transfer syntax %s (%s) is not supported",
                      xfer_info.getXferName (), xfer_info.getXferID ());
      return nullptr;
    }

  // A parse error after the Pixel Data (trailing junk) is tolerable when
  // every pixel byte is there; inside or before it, it is not.
  guint64 native_present = 0;
  gboolean native_on_disk = FALSE;
  if (!encapsulated)
    native_on_disk = fen_dicom_bytes_on_disk (parse.pixel_data, file_size, &native_present);
  if (parse.status.bad () && !native_on_disk)
    {
      fen_dicom_fail (error,
                      fen_dicom_is_premature_end (parse.status) ? FEN_IO_ERROR_TRUNCATED
                                                                : FEN_IO_ERROR_CORRUPT,
                      name, "file ends or breaks before the pixel data is complete: %s",
                      parse.status.text ());
      return nullptr;
    }
  if (!native_on_disk)
    native_present = parse.pixel_data->getLength ();

  FenDicomInfoGuard guard;
  FenDicomColor color = FEN_DICOM_COLOR_MONO;
  OFString charset;
  if (ds->findAndGetOFStringArray (DCM_SpecificCharacterSet, charset).good () &&
      !charset.empty () && charset != "ISO_IR 192")
    {
      // Best effort: without iconv support in DCMTK the Latin-1 fallback of
      // fen_dicom_to_utf8() still yields valid UTF-8.
      if (OFCharacterEncoding::isLibraryAvailable () && ds->convertToUTF8 ().bad ())
        g_debug ("character set conversion to UTF-8 failed, falling back to Latin-1");
    }
  if (!fen_dicom_read_info (ds, parse.file.get (), &guard.info, &color, name, error))
    return nullptr;
  FenImageInfo *info = &guard.info;
  FenDicomSource src;
  if (!fen_dicom_read_source (ds, info, color, &src, name, error))
    return nullptr;

  gsize total = 0;
  if (!fen_image_compute_size (info, max_bytes, &total, error))
    {
      g_prefix_error (error, "%s: ", name);
      return nullptr;
    }
  const gsize frame_bytes = total / info->frames;
  gsize file_frame_bytes = frame_bytes;
  if (src.convert == FEN_DICOM_CONVERT_PALETTE || src.convert == FEN_DICOM_CONVERT_NARROW32)
    file_frame_bytes = (gsize) info->rows * info->columns * (src.bits_allocated / 8);
  if (src.convert == FEN_DICOM_CONVERT_RGB16)
    file_frame_bytes = frame_bytes * 2;
  if (src.convert == FEN_DICOM_CONVERT_BITS1)
    {
      if (encapsulated)
        {
          fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                          "compressed 1-bit pixel data is not supported");
          return nullptr;
        }
      // Frames are not byte aligned: the whole element is checked at once.
      file_frame_bytes = 0;
    }
  if (color == FEN_DICOM_COLOR_YBR_J2K && !jpeg2000)
    {
      // PS3.3 C.7.6.3.1.2: these two exist only inside JPEG 2000.
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                      "Photometric Interpretation %s outside JPEG 2000", info->photometric_name);
      return nullptr;
    }
  if (color == FEN_DICOM_COLOR_YBR_FULL_422 && !encapsulated)
    {
      if (info->columns % 2 != 0 || info->planar_configuration != 0 || info->bits_allocated != 8)
        {
          fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                          "YBR_FULL_422 needs an even number of columns, 8 bits and planar configuration 0");
          return nullptr;
        }
      file_frame_bytes = (gsize) info->rows * info->columns * 2;
    }

  if (!encapsulated)
    {
      const guint64 expected = src.convert == FEN_DICOM_CONVERT_BITS1
        ? ((guint64) info->rows * info->columns * info->frames + 7) / 8
        : (guint64) file_frame_bytes * info->frames;
      if (native_present < expected)
        {
          fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                          "pixel data truncated: %" G_GUINT64_FORMAT " bytes expected, %"
                          G_GUINT64_FORMAT " present", expected, native_present);
          return nullptr;
        }
      if (parse.status.bad ())
        g_debug ("data set damaged after complete pixel data (%s), loading anyway",
                 parse.status.text ());
    }

  if (src.convert == FEN_DICOM_CONVERT_NARROW32)
    {
      // 32-bit samples: one pass for the value range, so the narrowing and
      // the rescale that undoes it are known before the image exists.
      const gboolean scanned = encapsulated
        ? fen_dicom_read_encapsulated (ds, parse.pixel_data, xfer, info, color, &src, nullptr,
                                       frame_bytes, file_frame_bytes, name, error)
        : fen_dicom_read_native (parse.pixel_data, info, color, &src, nullptr, frame_bytes,
                                 file_frame_bytes, name, error);
      if (!scanned)
        return nullptr;
      fen_dicom_narrow_plan (&src, info);
    }

  FenDicomImagePtr image (fen_image_new_for_load (info, options, error));
  if (!image)
    {
      g_prefix_error (error, "%s: ", name);
      return nullptr;
    }
  auto *pixels = static_cast<guint8 *> (fen_image_get_pixels_mutable (image.get ()));

  gboolean ok;
  if (jpeg2000)
    ok = fen_dicom_read_jpeg2000 (parse.pixel_data, xfer, info, color, pixels, frame_bytes,
                                  name, error);
  else if (encapsulated)
    ok = fen_dicom_read_encapsulated (ds, parse.pixel_data, xfer, info, color, &src, pixels,
                                      frame_bytes, file_frame_bytes, name, error);
  else if (src.convert == FEN_DICOM_CONVERT_BITS1)
    ok = fen_dicom_read_bits1 (parse.pixel_data, info, pixels, name, error);
  else
    ok = fen_dicom_read_native (parse.pixel_data, info, color, &src, pixels, frame_bytes,
                                file_frame_bytes, name, error);
  if (!ok)
    return nullptr;
  return image.release ();
}

} // namespace

void
fen_dicom_init (void)
{
  fen_dicom_register_codecs ();
  // DCMTK loads its data dictionary (about 3 MiB) on first use; taking the
  // read lock once makes that happen here, at start-up, and not inside the
  // first open the user waits for and the memory log measures.
  const DcmDataDictionary &dict = dcmDataDict.rdlock ();
  (void) dict;
  dcmDataDict.rdunlock ();
}

/**
 * fen_dicom_load:
 * @path: a DICOM file (Part 10 with meta header, or a bare data set)
 * @options: (nullable): limits
 * @error: return location for a #FEN_IO_ERROR
 *
 * Loads every frame of the image in @path into one buffer, converted to the
 * layout fen-image.h describes. The file is only ever read.
 *
 * Returns: (transfer full): the image, or %NULL with @error set.
 */
FenImage *
fen_dicom_load (const char *path, const FenLoadOptions *options, GError **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);
  g_return_val_if_fail (error == nullptr || *error == nullptr, nullptr);

  g_autofree char *name = g_path_get_basename (path);
  // Whatever DCMTK or the allocator throws stops here: C callers only ever
  // see a GError.
  try
    {
      return fen_dicom_load_internal (path, name, options, error);
    }
  catch (const std::bad_alloc &)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name, "out of memory while decoding");
    }
  catch (const std::exception &e)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed: %s", e.what ());
    }
  catch (...)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed with an unknown exception");
    }
  return nullptr;
}

// --- Headers and DICOMDIRs, for the study index (fen-study-index.c) --------

namespace {

gboolean
fen_dicom_read_header_internal (const char *path, const char *name, FenDicomHeader *header,
                                GError **error)
{
  FILE *fp = g_fopen (path, "rb");
  if (fp == nullptr)
    {
      int saved = errno;
      return fen_dicom_fail (error, FEN_IO_ERROR_OPEN, name, "%s", g_strerror (saved));
    }
  guint8 head[132];
  const size_t head_len = fread (head, 1, sizeof head, fp);
  fclose (fp);
  const gboolean has_meta = head_len == sizeof head && memcmp (head + 128, "DICM", 4) == 0;
  if (head_len == 0)
    return fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name, "empty file, not DICOM");
  gboolean is_dicomdir = FALSE;
  if (!fen_dicom_scan_full (path, name, FEN_DICOM_SCAN_MAX_DEPTH, nullptr, &is_dicomdir, error))
    return FALSE;
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
  return TRUE;
}

// PS3.10 8.5 / PS3.3 F.5.13: Referenced File ID is a path of components
// (CS, separated by '\'), relative to the DICOMDIR's folder. Anything that
// could leave that folder is refused.
char *
fen_dicom_resolve_file_id (const char *root, const OFString &value, GString *why)
{
  g_auto (GStrv) parts = g_strsplit (value.c_str (), "\\", 0);
  g_autoptr (GPtrArray) clean = g_ptr_array_new ();
  for (char **p = parts; *p != nullptr; p++)
    {
      g_strstrip (*p);
      if (**p == '\0' || strcmp (*p, ".") == 0 || strcmp (*p, "..") == 0 ||
          strchr (*p, '/') != nullptr || g_path_is_absolute (*p))
        {
          g_string_printf (why, "Referenced File ID \"%s\" leaves the DICOMDIR's folder or has "
                           "an empty component: ignored", value.c_str ());
          return nullptr;
        }
      g_ptr_array_add (clean, *p);
    }
  if (clean->len == 0 || clean->len > 8)
    {
      g_string_printf (why, "Referenced File ID \"%s\" has %u components", value.c_str (),
                       clean->len);
      return nullptr;
    }
  g_ptr_array_insert (clean, 0, (gpointer) root);
  g_ptr_array_add (clean, nullptr);
  char *path = g_build_filenamev ((char **) clean->pdata);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      // Media written on other systems may differ in case (PS3.12 names
      // are upper case); try the lower-case spelling before giving up.
      char *lower = g_ascii_strdown (path + strlen (root), -1);
      char *alt = g_strconcat (root, lower, nullptr);
      g_free (lower);
      if (g_file_test (alt, G_FILE_TEST_IS_REGULAR))
        {
          g_free (path);
          return alt;
        }
      g_free (alt);
      g_string_printf (why, "Referenced File ID \"%s\": no such file", value.c_str ());
      g_free (path);
      return nullptr;
    }
  return path;
}

gboolean
fen_dicom_read_dicomdir_internal (const char *path, const char *name, GPtrArray *files,
                                  GPtrArray *problems, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      // DcmDicomDir would report an empty tree here.
      int saved = errno;
      return fen_dicom_fail (error, FEN_IO_ERROR_OPEN, name, "%s", g_strerror (saved));
    }
  // Not through DCMTK at all: DcmDicomDir writes the file back when it
  // thinks it changed, and a plain DcmFileFormat leaks the records of a
  // malformed Directory Record Sequence (found by fuzz-dicom). The bounded
  // walk of fen-dicom-scan.c reads the references.
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gboolean has_records = FALSE;
  if (!fen_dicom_scan_full (path, name, FEN_DICOM_SCAN_MAX_DEPTH, ids, &has_records, error))
    return FALSE;
  if (!has_records)
    return fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name,
                           "not a DICOMDIR (no Directory Record Sequence)");
  g_autofree char *root = g_path_get_dirname (path);
  g_autoptr (GString) why = g_string_new (nullptr);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, nullptr);
  for (guint i = 0; i < ids->len; i++)
    {
      const OFString id (static_cast<const char *> (ids->pdata[i]));
      char *resolved = fen_dicom_resolve_file_id (root, id, why);
      if (resolved == nullptr)
        {
          g_ptr_array_add (problems, g_strdup_printf ("%s: reference %u: %s", name, i + 1, why->str));
          continue;
        }
      if (!g_hash_table_add (seen, g_strdup (resolved)))
        {
          g_free (resolved);
          continue;
        }
      g_ptr_array_add (files, resolved);
    }
  return TRUE;
}

} // namespace

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
  try
    {
      if (fen_dicom_read_header_internal (path, name, header, error))
        return TRUE;
    }
  catch (...)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed while reading the header");
    }
  fen_dicom_header_clear (header);
  return FALSE;
}

gboolean
fen_dicom_read_dicomdir (const char *path, GPtrArray *files, GPtrArray *problems, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  try
    {
      return fen_dicom_read_dicomdir_internal (path, name, files, problems, error);
    }
  catch (...)
    {
      g_clear_error (error);
      return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed while reading the DICOMDIR");
    }
}

// --- Attributes as a tree, for the tag browser (fen-dicom-tags.h) ----------

namespace {

// Values above this stay on disk: the browser shows short values, and a
// large one (overlays, waveforms, private blobs) is described, not read.
constexpr Uint32 FEN_DICOM_TAGS_READ_LENGTH = 1024;
// What one file can make us build, however many items it nests.
constexpr guint FEN_DICOM_TAGS_MAX_NODES = 200000;

FenDicomTag *
fen_dicom_tags_node (DcmObject *object)
{
  // A copy: getTagName() caches the dictionary's answer in the tag.
  DcmTag tag (object->getTag ());
  FenDicomTag *node = g_new0 (FenDicomTag, 1);
  node->group = tag.getGroup ();
  node->element = tag.getElement ();
  node->length = object->getLengthField ();
  g_strlcpy (node->vr, DcmVR (object->ident ()).getValidVRName (), sizeof node->vr);
  // The dictionary lookup of a private tag goes through its creator.
  const char *creator = tag.getPrivateCreator ();
  if (creator != nullptr && *creator != '\0')
    node->private_creator = g_utf8_make_valid (creator, -1);
  const char *keyword = tag.getTagName ();
  node->keyword = g_strdup (keyword == nullptr || strcmp (keyword, DcmTag_ERROR_TagName) == 0
                            ? "Unknown" : keyword);
  return node;
}

char *
fen_dicom_tags_value (DcmElement *element)
{
  const guint32 length = element->getLengthField ();
  // Pixel Data, Float and Double Float Pixel Data (7FE0,0008-0010): never read.
  if (element->getGTag () == 0x7fe0 && element->getETag () <= 0x0010)
    return length == DCM_UndefinedLength
           ? g_strdup ("(pixel data, encapsulated, not read)")
           : g_strdup_printf ("(pixel data, %u bytes, not read)", length);
  if (!element->valueLoaded ())
    return g_strdup_printf ("(%u bytes, not read)", length);
  OFString value;
  if (element->getOFStringArray (value).bad ())
    return g_strdup ("");
  char *text = fen_dicom_to_utf8 (value);
  if (text == nullptr)
    return g_strdup ("");
  if (g_utf8_strlen (text, -1) > FEN_DICOM_TAG_MAX_VALUE)
    {
      char *cut = g_utf8_substring (text, 0, FEN_DICOM_TAG_MAX_VALUE - 1);
      g_free (text);
      text = g_strconcat (cut, "\u2026", nullptr);
      g_free (cut);
    }
  return text;
}

gboolean
fen_dicom_tags_walk (DcmItem *item, GPtrArray *out, guint *nodes, const char *name, GError **error)
{
  DcmObject *object = nullptr;
  while ((object = item->nextInContainer (object)) != nullptr)
    {
      if (++*nodes > FEN_DICOM_TAGS_MAX_NODES)
        return fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name,
                               "more than %u attributes", FEN_DICOM_TAGS_MAX_NODES);
      FenDicomTag *node = fen_dicom_tags_node (object);
      g_ptr_array_add (out, node);
      if (object->ident () != EVR_SQ)
        {
          node->value = fen_dicom_tags_value (static_cast<DcmElement *> (object));
          continue;
        }
      auto *sequence = static_cast<DcmSequenceOfItems *> (object);
      const unsigned long n = sequence->card ();
      node->value = g_strdup_printf ("%lu item%s", n, n == 1 ? "" : "s");
      node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_dicom_tag_free);
      unsigned long index = 0;
      DcmObject *child = nullptr;
      while ((child = sequence->nextInContainer (child)) != nullptr)
        {
          FenDicomTag *item_node = g_new0 (FenDicomTag, 1);
          item_node->group = 0xfffe;
          item_node->element = 0xe000;
          item_node->keyword = g_strdup ("Item");
          item_node->value = g_strdup_printf ("#%lu", ++index);
          item_node->length = child->getLengthField ();
          item_node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_dicom_tag_free);
          g_ptr_array_add (node->children, item_node);
          if (++*nodes > FEN_DICOM_TAGS_MAX_NODES)
            return fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name,
                                   "more than %u attributes", FEN_DICOM_TAGS_MAX_NODES);
          if (!fen_dicom_tags_walk (static_cast<DcmItem *> (child), item_node->children, nodes, name, error))
            return FALSE;
        }
    }
  return TRUE;
}

GPtrArray *
fen_dicom_read_tags_internal (const char *path, const char *name, GError **error)
{
  FILE *fp = g_fopen (path, "rb");
  if (fp == nullptr)
    {
      int saved = errno;
      fen_dicom_fail (error, FEN_IO_ERROR_OPEN, name, "%s", g_strerror (saved));
      return nullptr;
    }
  guint8 head[132];
  const size_t head_len = fread (head, 1, sizeof head, fp);
  fclose (fp);
  const gboolean has_meta = head_len == sizeof head && memcmp (head + 128, "DICM", 4) == 0;
  if (head_len == 0)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name, "empty file, not DICOM");
      return nullptr;
    }
  // The bounded walk first, as for a load: depth, deflate, DICOMDIR.
  gboolean is_dicomdir = FALSE;
  if (!fen_dicom_scan_full (path, name, FEN_DICOM_SCAN_MAX_DEPTH, nullptr, &is_dicomdir, error))
    return nullptr;
  if (is_dicomdir)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name, "a DICOMDIR: its records are not browsed");
      return nullptr;
    }
  fen_dicom_register_codecs ();

  DcmFileFormat file;
  OFCondition status = file.loadFile (OFFilename (path), EXS_Unknown, EGL_noChange,
                                      FEN_DICOM_TAGS_READ_LENGTH, ERM_autoDetect);
  DcmDataset *ds = file.getDataset ();
  GStatBuf st;
  if (g_stat (path, &st) == 0)
    {
      fen_dicom_drop_lying_values (ds, st.st_size, name);
      fen_dicom_drop_lying_values (file.getMetaInfo (), st.st_size, name);
    }
  if (!has_meta && (status.bad () || ds->card () == 0))
    {
      fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name,
                      "not a DICOM file (no DICM preamble and no readable data set)");
      return nullptr;
    }
  // A file cut short still shows what it holds: the browser is for looking.
  if (status.bad ())
    g_debug ("%s: data set read in part: %s", name, status.text ());

  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_dicom_tag_free);
  guint nodes = 0;
  if (!fen_dicom_tags_walk (file.getMetaInfo (), tags, &nodes, name, error) ||
      !fen_dicom_tags_walk (ds, tags, &nodes, name, error))
    return nullptr;
  return static_cast<GPtrArray *> (g_steal_pointer (&tags));
}

} // namespace

void
fen_dicom_tag_free (FenDicomTag *tag)
{
  if (tag == nullptr)
    return;
  g_free (tag->keyword);
  g_free (tag->value);
  g_free (tag->private_creator);
  g_clear_pointer (&tag->children, g_ptr_array_unref);
  g_free (tag);
}

GPtrArray *
fen_dicom_read_tags (const char *path, GError **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);
  g_return_val_if_fail (error == nullptr || *error == nullptr, nullptr);

  g_autofree char *name = g_path_get_basename (path);
  try
    {
      return fen_dicom_read_tags_internal (path, name, error);
    }
  catch (const std::bad_alloc &)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name, "out of memory while reading the attributes");
    }
  catch (...)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed while reading the attributes");
    }
  return nullptr;
}

/* ---- Reference renderer for bench/: DicomImage, never used by the viewer ---- */
//
// fenestra-bench measures the core against DCMTK doing the same job the way
// DCMTK's own tools do it. That code lives here only because this is the one
// C++ unit; nothing in the viewer calls it (see fen-dcmtk-reference.h).

#include "dcmtk/dcmimgle/dcmimage.h"

#include "fenestra/fen-dcmtk-reference.h"

struct _FenDcmtkReference {
  DicomImage *image;   // owned
};

namespace {

template <typename F>
gboolean
fen_dcmtk_reference_guard (const char *name, GError **error, F &&body)
{
  try
    {
      return body ();
    }
  catch (const std::exception &e)
    {
      g_clear_error (error);
      return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed: %s", e.what ());
    }
  catch (...)
    {
      g_clear_error (error);
      return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed with an unknown exception");
    }
}

} // namespace

FenDcmtkReference *
fen_dcmtk_reference_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);

  g_autofree char *name = g_path_get_basename (path);
  FenDcmtkReference *ref = nullptr;

  fen_dicom_register_codecs ();
  fen_dcmtk_reference_guard (name, error, [&] () -> gboolean {
    std::unique_ptr<DicomImage> image (new DicomImage (path));
    if (image->getStatus () != EIS_Normal)
      return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DicomImage: %s",
                             DicomImage::getString (image->getStatus ()));
    if (!image->isMonochrome ())
      return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                             "the reference renderer takes monochrome images only");
    ref = g_new0 (FenDcmtkReference, 1);
    ref->image = image.release ();
    return TRUE;
  });
  return ref;
}

void
fen_dcmtk_reference_free (FenDcmtkReference *ref)
{
  if (ref == nullptr)
    return;
  delete ref->image;
  g_free (ref);
}

guint
fen_dcmtk_reference_get_width (const FenDcmtkReference *ref)
{
  return (guint) ref->image->getWidth ();
}

guint
fen_dcmtk_reference_get_height (const FenDcmtkReference *ref)
{
  return (guint) ref->image->getHeight ();
}

gboolean
fen_dcmtk_reference_window (FenDcmtkReference *ref,
                            double             center,
                            double             width,
                            guint8            *out,
                            gsize              out_size)
{
  g_return_val_if_fail (ref != nullptr && out != nullptr, FALSE);

  // What a DCMTK-based viewer does on every drag event: a new window, then
  // the whole frame rendered again (into our buffer, so DCMTK's own output
  // allocation is not what is measured).
  return fen_dcmtk_reference_guard ("reference", nullptr, [&] () -> gboolean {
    return ref->image->setWindow (center, width) != 0 &&
           ref->image->getOutputData (out, out_size, 8, 0) != 0;
  });
}

gboolean
fen_dcmtk_reference_load_dataset (const char *path, GError **error)
{
  g_return_val_if_fail (path != nullptr, FALSE);

  g_autofree char *name = g_path_get_basename (path);

  fen_dicom_register_codecs ();
  return fen_dcmtk_reference_guard (name, error, [&] () -> gboolean {
    DcmFileFormat file;
    OFCondition cond = file.loadFile (path);
    if (cond.good ())
      cond = file.loadAllDataIntoMemory ();
    if (cond.bad ())
      return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DcmFileFormat: %s", cond.text ());
    return TRUE;
  });
}
