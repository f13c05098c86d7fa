// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom.cc: the DCMTK adapter's image loader (fen_dicom_load()): the
// only place a DICOM image becomes a FenImage. See fen-dicom-adapter.h for
// how the adapter is split.
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

#include "fen-dicom-convert.h"
#include "fen-dicom-scan.h"

FenImage *
fen_dicom_load_internal (const char           *path,
                         const char           *name,
                         const FenSniff       *sniff,
                         const FenLoadOptions *options,
                         GError              **error)
{
  const gsize max_bytes = options ? options->max_pixel_bytes : 0;
  const gboolean has_meta = sniff->kind == FEN_FILE_DICOM;
  const goffset file_size = sniff->size;

  gboolean is_dicomdir = FALSE;
  if (!fen_dicom_guard (path, name, sniff, &is_dicomdir, error))
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
                                  fen_dicom_frame_threads (options, info->frames), name, error);
  else if (encapsulated && xfer == EXS_RLELossless && fen_dicom_rle_streams (info, color, &src))
    ok = fen_dicom_read_rle (ds, parse.pixel_data, info, color, &src, pixels, frame_bytes,
                             fen_dicom_frame_threads (options, info->frames), name, error);
  else if (encapsulated && fen_dicom_jpeg_streams (parse.pixel_data, xfer, info, color, &src))
    ok = fen_dicom_read_jpeg (parse.pixel_data, xfer, info, pixels, frame_bytes,
                              fen_dicom_frame_threads (options, info->frames), name, error);
  else if (encapsulated && fen_dicom_jpegls_streams (parse.pixel_data, xfer, info, color, &src))
    ok = fen_dicom_read_jpegls (parse.pixel_data, xfer, info, pixels, frame_bytes,
                                fen_dicom_frame_threads (options, info->frames), name, error);
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

  FenSniff sniff;
  if (!fen_sniff (path, &sniff, error))
    return nullptr;
  return fen_dicom_load_sniffed (path, &sniff, options, error);
}

FenImage *
fen_dicom_load_sniffed (const char           *path,
                        const FenSniff       *sniff,
                        const FenLoadOptions *options,
                        GError              **error)
{
  g_return_val_if_fail (path != nullptr && sniff != nullptr, nullptr);
  g_return_val_if_fail (error == nullptr || *error == nullptr, nullptr);

  g_autofree char *name = g_path_get_basename (path);
  // Whatever DCMTK or the allocator throws stops here: C callers only ever
  // see a GError.
  return fen_dicom_boundary<FenImage *> (name, "decoding", error, nullptr, [&] () {
    return fen_dicom_load_internal (path, name, sniff, options, error);
  });
}
