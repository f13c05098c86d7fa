// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom-jpeg.cc: JPEG and JPEG-LS frames (PS3.5 A.4.1, A.4.3: one
// fragment per frame here) into their slots of the image. A JPEG frame's
// fragment is read from the file in chunks (getPartialValue) and fed to
// DCMTK's IJG decompressor, which writes the frame straight into its slot.
// DCMTK's own decoder (getUncompressedFrame) reads the whole fragment into
// memory first: 0.40 x the pixel bytes beside the pixels for the 15 MB
// lossless image. CharLS needs a JPEG-LS frame whole: it is read once into
// a buffer of the worker's and decoded by CharLS 2 (fen-jpegls.c) into the
// slot; DCMTK's JPEG-LS codec holds the fragment and a joined copy of it.
#define G_LOG_DOMAIN "fen-dicom"

#include "fen-dicom-adapter.h"

#include "dcmtk/dcmdata/dcfcache.h"
#include "dcmtk/dcmjpeg/djcparam.h"
#include "dcmtk/dcmjpeg/djdijg12.h"
#include "dcmtk/dcmjpeg/djdijg16.h"
#include "dcmtk/dcmjpeg/djdijg8.h"
#include "dcmtk/dcmjpeg/djutils.h"

#include <cstring>

#include "fen-dicom-convert.h"
#include "fen-jpegls.h"

// Compressed bytes per getPartialValue() call. Two chunks alternate: IJG
// may still read the rest of the last one when it is handed the next.
constexpr Uint32 FEN_DICOM_JPEG_CHUNK = 64u * 1024u;

// The sample precision P of the frame header (T.81 B.2.2: P, then Y lines,
// X samples per line, Nf components), when the frame is what @info says:
// Y = Rows, X = Columns, one component. 0 otherwise: a stream of another
// size would leave part of the frame's slot unwritten, or pack its rows at
// the wrong width.
guint
fen_dicom_jpeg_frame_precision (const guint8 *data, gsize length, const FenImageInfo *info)
{
  gboolean tem;
  const gssize at = fen_dicom_jpeg_sof (data, length, &tem);
  if (at < 0)
    return 0;
  const guint lines = (guint) data[at + 5] << 8 | data[at + 6];
  const guint samples = (guint) data[at + 7] << 8 | data[at + 8];
  if (lines != info->rows || samples != info->columns || data[at + 9] != 1)
    return 0;
  return data[at + 4];
}

namespace {

// The decompressor DCMTK's decodeFrame() would pick for @precision, with
// the parameters DJDecoderRegistration::registerCodecs() gives by default.
DJDecoder *
fen_dicom_jpeg_decoder (const DJCodecParameter &param, guint precision)
{
  if (precision <= 8)
    return new DJDecompressIJG8Bit (param, OFFalse);
  if (precision <= 12)
    return new DJDecompressIJG12Bit (param, OFFalse);
  return new DJDecompressIJG16Bit (param, OFFalse);
}

// The first chunk of fragment @index, its length in *@length; 0 bytes read
// when the item is missing.
Uint32
fen_dicom_jpeg_head (DcmPixelSequence *sequence, unsigned long index, DcmFileCache *cache,
                     guint8 *chunk, Uint32 *length)
{
  DcmPixelItem *item = nullptr;
  *length = 0;
  if (sequence->getItem (item, index).bad () || item == nullptr)
    return 0;
  *length = item->getLength ();
  const Uint32 n = MIN (*length, FEN_DICOM_JPEG_CHUNK);
  if (n == 0 || item->getPartialValue (chunk, 0, n, cache, EBO_LittleEndian).bad ())
    return 0;
  return n;
}

} // namespace

// What the stream takes: the JPEG processes DCMTK decodes (PS3.5 A.4.1),
// one sample per pixel stored as memory holds it (no palette, no Modality
// LUT, no 32-bit narrowing), one fragment per frame, and a first frame
// whose precision fills Bits Allocated as the decoder writes it (8 bits
// into bytes, 9 to 16 into words). Everything else takes DCMTK's decoder.
gboolean
fen_dicom_jpeg_streams (DcmElement *element, E_TransferSyntax xfer, const FenImageInfo *info,
                        FenDicomColor color, const FenDicomSource *src)
{
  if (xfer < EXS_JPEGProcess1 || xfer > EXS_JPEGProcess14SV1 || element->ident () != EVR_PixelData ||
      info->samples_per_pixel != 1 || color != FEN_DICOM_COLOR_MONO ||
      src->convert != FEN_DICOM_CONVERT_NONE || !src->modality_lut.empty () ||
      (info->bits_allocated != 8 && info->bits_allocated != 16))
    return FALSE;
  DcmPixelSequence *sequence = nullptr;
  if (static_cast<DcmPixelData *> (element)->getEncapsulatedRepresentation (xfer, nullptr, sequence).bad () ||
      sequence == nullptr || sequence->card () - 1 != info->frames)
    return FALSE;
  std::vector<guint8> chunk (FEN_DICOM_JPEG_CHUNK);
  DcmFileCache cache;
  Uint32 length;
  const Uint32 n = fen_dicom_jpeg_head (sequence, 1, &cache, chunk.data (), &length);
  const guint precision = fen_dicom_jpeg_frame_precision (chunk.data (), n, info);
  return precision >= 2 && (precision > 8 ? 16u : 8u) == info->bits_allocated;
}

// One frame: fragment @item read in chunks into IJG, the samples straight
// into @slot. @chunks holds two chunks of scratch, @cache the open file:
// both the caller's, so that each thread has its own.
gboolean
fen_dicom_jpeg_decode_frame (DcmPixelItem *item, const FenImageInfo *info, guint frame,
                             DcmFileCache *cache, guint8 *chunks, guint8 *slot, gsize frame_bytes,
                             const char *name, GError **error)
{
  const Uint32 length = item->getLength ();
  Uint32 n = MIN (length, FEN_DICOM_JPEG_CHUNK);
  if (n == 0 || item->getPartialValue (chunks, 0, n, cache, EBO_LittleEndian).bad ())
    return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                           "JPEG frame %u: the fragment cannot be read", frame);
  const guint precision = fen_dicom_jpeg_frame_precision (chunks, n, info);
  if (precision < 2 || (precision > 8 ? 16u : 8u) != info->bits_allocated)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "JPEG frame %u: no frame header, or one whose size, components or "
                           "precision do not match Rows (%u), Columns (%u) and Bits Allocated (%u)",
                           frame, info->rows, info->columns, info->bits_allocated);

  const DJCodecParameter param (ECC_lossyYCbCr, EDC_photometricInterpretation, EUC_default,
                                EPC_default);
  std::unique_ptr<DJDecoder> decoder (fen_dicom_jpeg_decoder (param, precision));
  OFCondition cond = decoder->init ();
  const OFBool is_signed = info->pixel_representation == 1;
  Uint32 at = 0;
  guint which = 0;
  // EJ_Suspension (not a good() condition): IJG wants more bytes.
  while (cond.good () || cond == EJ_Suspension)
    {
      guint8 *chunk = chunks + (gsize) which * FEN_DICOM_JPEG_CHUNK;
      if (at > 0 &&
          item->getPartialValue (chunk, at, n, cache, EBO_LittleEndian).bad ())
        return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                               "JPEG frame %u: the fragment cannot be read", frame);
      at += n;
      cond = decoder->decode (chunk, n, slot, (Uint32) frame_bytes, is_signed);
      if (!(cond == EJ_Suspension))
        break;
      if (at >= length)
        return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                               "JPEG frame %u: the data ends before the image does", frame);
      // The other chunk next: IJG may still hold a pointer into this one.
      which ^= 1;
      n = MIN (length - at, FEN_DICOM_JPEG_CHUNK);
    }
  if (cond.bad ())
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "cannot decode JPEG frame %u: %s",
                           frame, cond.text ());
  // A value DCMTK read into memory at parse time (a small fragment).
  item->compact ();
  fen_dicom_normalize_frame (info, slot, frame_bytes);
  return TRUE;
}

// The frames on @threads workers (fen_dicom_decode_frames()), each with
// its two chunks and its own open file.
gboolean
fen_dicom_read_jpeg (DcmElement *element, E_TransferSyntax xfer, const FenImageInfo *info,
                     guint8 *pixels, gsize frame_bytes, guint threads, const char *name,
                     GError **error)
{
  DcmPixelSequence *sequence = fen_dicom_sequence (element, xfer, name, error);
  if (sequence == nullptr)
    return FALSE;
  std::vector<DcmPixelItem *> items;
  if (!fen_dicom_frame_items (sequence, info->frames, "JPEG", items, name, error))
    return FALSE;
  threads = CLAMP (threads, 1u, info->frames);
  const gsize per_worker = 2 * (gsize) FEN_DICOM_JPEG_CHUNK;
  g_autofree guint8 *chunks = static_cast<guint8 *> (g_malloc (threads * per_worker));
  std::unique_ptr<DcmFileCache[]> caches (new DcmFileCache[threads]);
  return fen_dicom_decode_frames (info->frames, threads, [&] (guint f, guint w, GError **e) {
    return fen_dicom_jpeg_decode_frame (items[f], info, f, &caches[w], chunks + w * per_worker,
                                        pixels + (gsize) f * frame_bytes, frame_bytes, name, e);
  }, error);
}

// What CharLS 2 takes: JPEG-LS (PS3.5 A.4.3), one sample per pixel stored
// as memory holds it, one fragment per frame, 8 or 16 bits allocated. The
// stream's header is checked against the data set frame by frame.
gboolean
fen_dicom_jpegls_streams (DcmElement *element, E_TransferSyntax xfer, const FenImageInfo *info,
                          FenDicomColor color, const FenDicomSource *src)
{
  if ((xfer != EXS_JPEGLSLossless && xfer != EXS_JPEGLSLossy) || element->ident () != EVR_PixelData ||
      info->samples_per_pixel != 1 || color != FEN_DICOM_COLOR_MONO ||
      src->convert != FEN_DICOM_CONVERT_NONE || !src->modality_lut.empty () ||
      (info->bits_allocated != 8 && info->bits_allocated != 16) || !fen_jpegls_available ())
    return FALSE;
  DcmPixelSequence *sequence = nullptr;
  return static_cast<DcmPixelData *> (element)->getEncapsulatedRepresentation (xfer, nullptr, sequence).good () &&
         sequence != nullptr && sequence->card () - 1 == info->frames;
}

// The frames on @threads workers, each reading a frame's fragment into its
// own buffer (grown to the largest fragment it meets) and decoding it.
gboolean
fen_dicom_read_jpegls (DcmElement *element, E_TransferSyntax xfer, const FenImageInfo *info,
                       guint8 *pixels, gsize frame_bytes, guint threads, const char *name,
                       GError **error)
{
  DcmPixelSequence *sequence = fen_dicom_sequence (element, xfer, name, error);
  if (sequence == nullptr)
    return FALSE;
  std::vector<DcmPixelItem *> items;
  if (!fen_dicom_frame_items (sequence, info->frames, "JPEG-LS", items, name, error))
    return FALSE;
  threads = CLAMP (threads, 1u, info->frames);
  std::vector<std::vector<guint8>> buffers (threads);
  std::unique_ptr<DcmFileCache[]> caches (new DcmFileCache[threads]);
  const FenJpegLsFrame target = { info->rows, info->columns, info->bits_allocated };
  return fen_dicom_decode_frames (info->frames, threads, [&] (guint f, guint w, GError **e) -> gboolean {
    DcmPixelItem *item = items[f];
    std::vector<guint8> &buffer = buffers[w];
    const Uint32 length = item->getLength ();
    // The size comes from the file: at most what the parse found there.
    buffer.resize (length);
    for (Uint32 at = 0; at < length; at += (Uint32) FEN_DICOM_CHUNK)
      {
        const Uint32 n = (Uint32) MIN ((gsize) (length - at), FEN_DICOM_CHUNK);
        if (item->getPartialValue (buffer.data () + at, at, n, &caches[w], EBO_LittleEndian).bad ())
          return fen_dicom_fail (e, FEN_IO_ERROR_TRUNCATED, name,
                                 "JPEG-LS frame %u: the fragment cannot be read", f);
      }
    item->compact ();
    guint8 *slot = pixels + (gsize) f * frame_bytes;
    GError *local = nullptr;
    if (!fen_jpegls_decode (buffer.data (), length, &target, slot, &local))
      {
        fen_dicom_fail (e, (FenIoError) local->code, name, "frame %u: %s", f, local->message);
        g_error_free (local);
        return FALSE;
      }
    fen_dicom_normalize_frame (info, slot, frame_bytes);
    return TRUE;
  }, error);
}
