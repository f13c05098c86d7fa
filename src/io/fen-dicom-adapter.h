/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicom-adapter.h (private to the DCMTK adapter, C++): what the
 * adapter's units share. The adapter is split by concern:
 *   fen-dicom-common.cc  codecs, errors, text values, parsing, the guards
 *   fen-dicom-info.cc    FenImageInfo from a data set; value transforms,
 *                        palettes, VOI LUTs, per-frame values
 *   fen-dicom-pixels.cc  pixel readers: native, 1-bit, encapsulated, J2K
 *   fen-dicom-jpeg.cc    JPEG frames as a stream, JPEG-LS through CharLS 2
 *   fen-dicom-frames.cc  the frames of one object on several threads
 *   fen-dicom.cc         loading an image (the public entry points)
 *   fen-dicom-header.cc  identifying headers for the study index
 *   fen-dicom-tags.cc    the attribute tree for the tag browser
 * C-only conversions are in fen-dicom-convert.c, the DICOMDIR reader (no
 * DCMTK) in fen-dicomdir.c. No C++ exception leaves the adapter:
 * fen_dicom_boundary() turns them into GErrors at every public entry. */
#pragma once

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

#include <glib.h>

#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <vector>

#include "fenestra/fen-charset.h"
#include "fenestra/fen-loader.h"
#include "fen-dicom-private.h"
#include "fen-sniff.h"

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

// See "What the file holds when it is not what memory holds" in
// fen-dicom-info.cc.
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

// --- fen-dicom-common.cc ---------------------------------------------------

void          fen_dicom_register_codecs   (void);
gboolean      fen_dicom_fail              (GError **error, FenIoError code, const char *name,
                                           const char *format, ...) G_GNUC_PRINTF (4, 5);
char         *fen_dicom_decode            (DcmItem *where, DcmEVR vr, const OFString &value);
char         *fen_dicom_get_string        (DcmItem *ds, const DcmTagKey &tag);
gboolean      fen_dicom_get_double        (DcmItem *ds, const DcmTagKey &tag, unsigned long pos,
                                           double *out);
gint          fen_dicom_get_int           (DcmItem *ds, const DcmTagKey &tag);
gboolean      fen_dicom_get_us            (DcmItem *ds, const DcmTagKey &tag, const char *label,
                                           long fallback, guint *out, const char *name,
                                           GError **error);
gboolean      fen_dicom_is_premature_end  (const OFCondition &cond);
FenDicomParse fen_dicom_parse             (const char *path, gboolean has_meta);
gboolean      fen_dicom_bytes_on_disk     (DcmElement *element, goffset file_size, guint64 *out);
void          fen_dicom_drop_lying_values (DcmItem *item, goffset file_size, const char *name);
gboolean      fen_dicom_guard             (const char *path, const char *name,
                                           const FenSniff *sniff, gboolean *is_dicomdir,
                                           GError **error);
gboolean      fen_dicom_sniff_and_guard   (const char *path, const char *name, FenSniff *sniff,
                                           gboolean *is_dicomdir, GError **error);

// The exception boundary of every public entry point, written once: whatever
// DCMTK or the allocator throws inside @body becomes a GError naming @name
// and what was being done, and @failed is returned.
template <typename T, typename F>
T
fen_dicom_boundary (const char *name, const char *doing, GError **error, T failed, F &&body)
{
  try
    {
      return body ();
    }
  catch (const std::bad_alloc &)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name, "out of memory while %s", doing);
    }
  catch (const std::exception &e)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed while %s: %s", doing, e.what ());
    }
  catch (...)
    {
      g_clear_error (error);
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed while %s", doing);
    }
  return failed;
}

// --- fen-dicom-info.cc -----------------------------------------------------

gboolean fen_dicom_read_info   (DcmDataset *ds, DcmFileFormat *file, FenImageInfo *info,
                                FenDicomColor *color, const char *name, GError **error);
gboolean fen_dicom_read_source (DcmDataset *ds, FenImageInfo *info, FenDicomColor color,
                                FenDicomSource *src, const char *name, GError **error);

// --- fen-dicom-pixels.cc ---------------------------------------------------

void     fen_dicom_normalize_source (const FenDicomSource *src, void *frame, gsize frame_bytes);
void     fen_dicom_narrow_plan      (FenDicomSource *src, FenImageInfo *info);
gboolean fen_dicom_read_bits1       (DcmElement *pixel_data, const FenImageInfo *info,
                                     guint8 *pixels, const char *name, GError **error);
gboolean fen_dicom_read_native      (DcmElement *pixel_data, const FenImageInfo *info,
                                     FenDicomColor color, FenDicomSource *src, guint8 *pixels,
                                     gsize frame_bytes, gsize file_frame_bytes, const char *name,
                                     GError **error);
gboolean fen_dicom_read_encapsulated (DcmDataset *ds, DcmElement *element, E_TransferSyntax xfer,
                                      const FenImageInfo *info, FenDicomColor color,
                                      FenDicomSource *src, guint8 *pixels, gsize frame_bytes,
                                      gsize file_frame_bytes, const char *name, GError **error);
gboolean fen_dicom_rle_streams      (const FenImageInfo *info, FenDicomColor color,
                                     const FenDicomSource *src);
gboolean fen_dicom_read_rle         (DcmDataset *ds, DcmElement *element, const FenImageInfo *info,
                                     FenDicomColor color, FenDicomSource *src, guint8 *pixels,
                                     gsize frame_bytes, guint threads, const char *name,
                                     GError **error);
// Decodes frame @frame with worker @worker's scratch; FALSE with @error.
using FenDicomFrameFn = std::function<gboolean (guint frame, guint worker, GError **error)>;
guint    fen_dicom_frame_threads    (const FenLoadOptions *options, guint frames);
gboolean fen_dicom_decode_frames    (guint frames, guint threads, const FenDicomFrameFn &fn,
                                     GError **error);
DcmPixelSequence *fen_dicom_sequence (DcmElement *element, E_TransferSyntax xfer, const char *name,
                                      GError **error);
// The fragment of each of @frames frames, one per frame after the Basic
// Offset Table, into @items before the frame workers start: getItem()
// moves the list's cursor, so it is not for threads. @kind words the error.
gboolean fen_dicom_frame_items      (DcmPixelSequence *sequence, guint frames, const char *kind,
                                     std::vector<DcmPixelItem *> &items, const char *name,
                                     GError **error);
// Where the JPEG frame header (SOFn, ITU-T T.81 B.2.2) starts in @data,
// whole; -1 when none is, or a TEM (*@tem) or an invalid marker comes first.
gssize   fen_dicom_jpeg_sof         (const guint8 *data, gsize length, gboolean *tem);
guint    fen_dicom_jpeg_frame_precision (const guint8 *data, gsize length, const FenImageInfo *info);
gboolean fen_dicom_jpeg_streams     (DcmElement *element, E_TransferSyntax xfer,
                                     const FenImageInfo *info, FenDicomColor color,
                                     const FenDicomSource *src);
gboolean fen_dicom_jpeg_decode_frame (DcmPixelItem *item, const FenImageInfo *info, guint frame,
                                      DcmFileCache *cache, guint8 *chunks, guint8 *slot,
                                      gsize frame_bytes, const char *name, GError **error);
gboolean fen_dicom_read_jpeg        (DcmElement *element, E_TransferSyntax xfer,
                                     const FenImageInfo *info, guint8 *pixels, gsize frame_bytes,
                                     guint threads, const char *name, GError **error);
gboolean fen_dicom_jpegls_streams   (DcmElement *element, E_TransferSyntax xfer,
                                     const FenImageInfo *info, FenDicomColor color,
                                     const FenDicomSource *src);
gboolean fen_dicom_read_jpegls      (DcmElement *element, E_TransferSyntax xfer,
                                     const FenImageInfo *info, guint8 *pixels, gsize frame_bytes,
                                     guint threads, const char *name, GError **error);
gboolean fen_dicom_is_jpeg2000      (E_TransferSyntax xfer);
gboolean fen_dicom_read_jpeg2000    (DcmElement *element, E_TransferSyntax xfer,
                                     const FenImageInfo *info, FenDicomColor color,
                                     guint8 *pixels, gsize frame_bytes, guint threads,
                                     const char *name, GError **error);
