// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom-pixels.cc: the pixel readers: native pixel data straight into the
// image buffer, 1-bit, encapsulated frames through DCMTK's decoders, JPEG
// 2000 through OpenJPEG; conversions of the file's layout to memory's.
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
#include "fen-jpeg2000.h"
#include "fen-rle.h"

// As fen_dicom_normalize_frame() for the file's own layout, 32-bit included.
void
fen_dicom_normalize_source (const FenDicomSource *src, void *frame, gsize frame_bytes)
{
  const guint bits = src->bits_allocated;
  if (bits == 1 || (src->bits_stored == bits && src->high_bit == bits - 1))
    return;
  fen_dicom_normalize_samples (frame, frame_bytes / (bits / 8), bits, src->bits_stored,
                               src->high_bit, src->pixel_representation == 1);
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

// The file's frame, read or decoded at @target, into its @slot in the
// image: converted (palettes, wide samples, Modality LUT; *@done then says
// the slot is final), else its planes interleaved (PS3.3 C.7.6.3.1.3:
// Planar Configuration 1) through @scratch, else, with @move, moved into
// @slot when it was decoded elsewhere. The native and the encapsulated
// readers share it.
static gboolean
fen_dicom_place_frame (FenDicomSource *src, const FenImageInfo *info, guint8 *target, guint8 *slot,
                       gsize frame_bytes, gsize file_frame_bytes, gboolean move, FenDicomScratch &scratch,
                       gboolean *done, const char *name, GError **error)
{
  const gsize n_pixels = (gsize) info->rows * info->columns;

  *done = src->convert != FEN_DICOM_CONVERT_NONE || !src->modality_lut.empty ();
  if (*done)
    {
      fen_dicom_normalize_source (src, target, file_frame_bytes);
      fen_dicom_convert_frame (src, info, target, slot);
      return TRUE;
    }
  if (info->samples_per_pixel == 3 && info->planar_configuration == 1)
    {
      guint8 *planes = fen_dicom_scratch (scratch, frame_bytes, name, error);
      if (planes == nullptr)
        return FALSE;
      if (target != planes)
        memcpy (planes, target, frame_bytes);
      fen_dicom_interleave (planes, slot, n_pixels);
    }
  else if (move && target != slot)
    memcpy (slot, target, frame_bytes);
  return TRUE;
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

      // Not moved: a YBR_FULL_422 frame stays at the slot's end, where
      // fen_dicom_ybr_422_to_rgb() widens it in place.
      gboolean converted;
      if (!fen_dicom_place_frame (src, info, target, slot, frame_bytes, file_frame_bytes, FALSE, scratch,
                                  &converted, name, error))
        return FALSE;
      if (converted)
        continue;
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
gssize
fen_dicom_jpeg_sof (const guint8 *data, gsize length, gboolean *tem)
{
  gsize at = 0;
  *tem = FALSE;
  while (at + 4 < length)
    {
      const guint marker = (guint) data[at] << 8 | data[at + 1];
      const guint segment = (guint) data[at + 2] << 8 | data[at + 3];
      if (marker == 0xff01)
        {
          *tem = TRUE;
          return -1;
        }
      if (marker >= 0xffc0 && marker <= 0xffcf && marker != 0xffc4 && marker != 0xffc8 &&
          marker != 0xffcc)
        return at + 9 < length ? (gssize) at : -1; // a frame header: DCMTK stops here
      if (marker == 0xffc4 || marker == 0xffc8 || marker == 0xffcc ||
          (marker >= 0xffda && marker <= 0xffdf) || (marker >= 0xffe0 && marker <= 0xfffe))
        at += segment + 2;
      else if ((marker >= 0xffd0 && marker <= 0xffd9) ||
               (data[at] == 0xff && data[at + 1] > 2 && data[at + 1] <= 0xbf))
        at += 2;
      else if (marker == 0xffff)
        at += 1;
      else
        return -1; // not a marker: DCMTK rejects the stream, no hang
    }
  return -1;
}

gboolean
fen_dicom_jpeg_scan_would_hang (const guint8 *data, gsize length)
{
  gboolean tem;
  fen_dicom_jpeg_sof (data, length, &tem);
  return tem;
}

gboolean
fen_dicom_check_jpeg (DcmPixelSequence *sequence, const FenImageInfo *info, const char *name,
                      GError **error)
{
  const guint frames = info->frames;
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
      gboolean hang;
      const gsize length = item->getLength ();
      const gssize sof = fen_dicom_jpeg_sof (bytes, length, &hang);
      // A frame's stream (it starts with SOI) of another size than the
      // data set's: DCMTK would decode it into the frame at the wrong width
      // and leave the rest unwritten (T.81 B.2.2: P, Y, X, Nf).
      const gboolean starts = length >= 2 && bytes[0] == 0xff && bytes[1] == 0xd8;
      guint lines = 0, samples = 0, components = 0;
      if (starts && sof >= 0)
        {
          lines = (guint) bytes[sof + 5] << 8 | bytes[sof + 6];
          samples = (guint) bytes[sof + 7] << 8 | bytes[sof + 8];
          components = bytes[sof + 9];
        }
      item->compact ();
      if (hang)
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "JPEG fragment %lu has a TEM marker before its frame header", i);
      if (starts && sof >= 0 &&
          (lines != info->rows || samples != info->columns || components != info->samples_per_pixel))
        return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                               "JPEG fragment %lu holds a %u x %u image of %u component%s; the data "
                               "set says %u x %u of %u", i, samples, lines, components,
                               components == 1 ? "" : "s", info->columns, info->rows,
                               info->samples_per_pixel);
    }
  return TRUE;
}

// The encapsulated pixel data's items (PS3.5 A.4), with at least one
// fragment after the Basic Offset Table. NULL with @error otherwise.
DcmPixelSequence *
fen_dicom_sequence (DcmElement *element, E_TransferSyntax xfer, const char *name, GError **error)
{
  DcmPixelSequence *sequence = nullptr;
  if (element->ident () != EVR_PixelData)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "compressed pixel data is not a pixel data element");
      return nullptr;
    }
  if (static_cast<DcmPixelData *> (element)->getEncapsulatedRepresentation (xfer, nullptr, sequence).bad () ||
      sequence == nullptr)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "%s file without encapsulated pixel data",
                      DcmXfer (xfer).getXferName ());
      return nullptr;
    }
  if (sequence->card () < 2)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "compressed pixel data holds no fragment");
      return nullptr;
    }
  return sequence;
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
  DcmPixelSequence *sequence = fen_dicom_sequence (element, xfer, name, error);
  if (sequence == nullptr)
    return FALSE;
  auto *pixel_data = static_cast<DcmPixelData *> (element);
  const gboolean convert = src->convert != FEN_DICOM_CONVERT_NONE || !src->modality_lut.empty ();
  FenDicomScratch wide;
  if (xfer == EXS_RLELossless && !fen_dicom_check_rle (sequence, name, error))
    return FALSE;
  if (xfer >= EXS_JPEGProcess1 && xfer <= EXS_JPEGProcess14SV1 &&
      !fen_dicom_check_jpeg (sequence, info, name, error))
    return FALSE;
  const unsigned long n_fragments = sequence->card ();
  unsigned long compacted = 1;

  DcmFileCache cache;
  FenDicomScratch scratch;
  const gsize n_pixels = (gsize) info->rows * info->columns;
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

      // The decoders honour Planar Configuration, so a frame comes out as
      // planes when the data set says so.
      gboolean converted;
      if (!fen_dicom_place_frame (src, info, target, slot, frame_bytes, file_frame_bytes, TRUE, scratch,
                                  &converted, name, error))
        return FALSE;
      if (converted)
        continue;

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

// RLE frames whose file layout is memory's layout decode as a stream
// (fen_dicom_read_rle()); conversions (palettes, 32 and 16-bit colour,
// Modality LUTs) take DCMTK's decoder and the scratch they need.
gboolean
fen_dicom_rle_streams (const FenImageInfo *info, FenDicomColor color, const FenDicomSource *src)
{
  return src->convert == FEN_DICOM_CONVERT_NONE && src->modality_lut.empty () &&
         (info->bits_allocated == 8 || info->bits_allocated == 16) &&
         (color == FEN_DICOM_COLOR_MONO || color == FEN_DICOM_COLOR_RGB ||
          color == FEN_DICOM_COLOR_YBR_FULL);
}

// Compressed bytes read from the file per getPartialValue() call, per
// segment, and pixels decoded per block before they are interleaved.
constexpr Uint32 FEN_DICOM_RLE_CHUNK = 64u * 1024u;
constexpr gsize FEN_DICOM_RLE_BLOCK = 32u * 1024u;

namespace {

// One segment's reading position: its chunk of compressed bytes, where the
// next chunk starts in the fragment, where the segment ends.
struct FenDicomRleStream {
  FenRleSegment segment;
  guint8       *chunk;
  Uint32        chunk_len, chunk_pos, next, end;
};

// Interleaves @n pixels of the decoded planes (one per segment, most
// significant byte first) into @out, in host byte order.
void
fen_dicom_rle_interleave (guint8 *const *planes, guint samples, guint bytes, gsize n, guint8 *out)
{
  if (bytes == 1 && samples == 1)
    memcpy (out, planes[0], n);
  else if (bytes == 1)
    fen_dicom_interleave_planes (planes, samples, n, out);
  else if (samples == 1)
    fen_dicom_join_bytes16 (planes[0], planes[1], reinterpret_cast<guint16 *> (out), n);
  else
    for (guint s = 0; s < samples; s++)
      {
        const guint8 *hi = planes[2 * s], *lo = planes[2 * s + 1];
        guint16 *words = reinterpret_cast<guint16 *> (out) + s;
        for (gsize i = 0; i < n; i++)
          words[i * samples] = (guint16) (hi[i] << 8 | lo[i]);
      }
}

} // namespace

// One RLE frame, fragment @item, into @slot: see fen_dicom_read_rle().
// @scratch holds a chunk and a plane per segment, @cache the open file:
// both the worker's own.
static gboolean
fen_dicom_rle_frame (DcmPixelItem *item, guint f, const FenImageInfo *info, FenDicomColor color,
                     guint8 *scratch, DcmFileCache *cache, guint8 *slot, gsize frame_bytes,
                     const char *name, GError **error)
{
  const guint bytes = info->bits_allocated / 8, samples = info->samples_per_pixel;
  const guint n_segments = bytes * samples;
  const gsize n_pixels = (gsize) info->rows * info->columns;
  FenDicomRleStream streams[FEN_RLE_MAX_SEGMENTS];
  guint8 *planes[FEN_RLE_MAX_SEGMENTS];

  const Uint32 length = item->getLength ();
  guint8 head[FEN_RLE_HEADER_BYTES];
  FenRleHeader header;
  GError *local = nullptr;
  if (length >= sizeof head &&
      item->getPartialValue (head, 0, sizeof head, cache, EBO_LittleEndian).bad ())
    return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                           "RLE frame %u: the fragment cannot be read", f);
  if (!fen_rle_parse_header (head, length, &header, &local))
    {
      fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "frame %u: %s", f, local->message);
      g_error_free (local);
      return FALSE;
    }
  if (header.segments != n_segments)
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "RLE frame %u has %u segments for %u samples of %u bytes",
                           f, header.segments, samples, bytes);
  for (guint k = 0; k < n_segments; k++)
    {
      FenDicomRleStream &st = streams[k];
      st.chunk = scratch + (gsize) k * (FEN_DICOM_RLE_CHUNK + FEN_DICOM_RLE_BLOCK);
      planes[k] = st.chunk + FEN_DICOM_RLE_CHUNK;
      st.chunk_len = st.chunk_pos = 0;
      st.next = header.offsets[k];
      st.end = header.offsets[k + 1];
      fen_rle_segment_init (&st.segment, planes[k], 1, 0);
    }

  for (gsize at = 0; at < n_pixels; at += FEN_DICOM_RLE_BLOCK)
    {
      const gsize block = MIN (FEN_DICOM_RLE_BLOCK, n_pixels - at);
      for (guint k = 0; k < n_segments; k++)
        {
          FenDicomRleStream &st = streams[k];
          fen_rle_segment_retarget (&st.segment, planes[k], block);
          // The first feed may finish a run cut at the last block's end.
          st.chunk_pos += (Uint32) fen_rle_segment_feed (&st.segment, st.chunk + st.chunk_pos,
                                                         st.chunk_len - st.chunk_pos);
          while (!fen_rle_segment_full (&st.segment))
            {
              if (st.next >= st.end)
                return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                                       "RLE frame %u: segment %u ends after %" G_GSIZE_FORMAT
                                       " of %" G_GSIZE_FORMAT " bytes", f, k + 1,
                                       at + st.segment.done, n_pixels);
              st.chunk_len = MIN (FEN_DICOM_RLE_CHUNK, st.end - st.next);
              if (item->getPartialValue (st.chunk, st.next, st.chunk_len, cache,
                                         EBO_LittleEndian).bad ())
                return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                                       "RLE frame %u: segment %u cannot be read", f, k + 1);
              st.next += st.chunk_len;
              st.chunk_pos = (Uint32) fen_rle_segment_feed (&st.segment, st.chunk, st.chunk_len);
            }
        }
      fen_dicom_rle_interleave (planes, samples, bytes, block, slot + at * samples * bytes);
    }
  // A value DCMTK read into memory (small fragments) is no longer needed.
  item->compact ();
  if (color == FEN_DICOM_COLOR_YBR_FULL)
    fen_dicom_ybr_full_to_rgb (slot, n_pixels);
  fen_dicom_normalize_frame (info, slot, frame_bytes);
  return TRUE;
}

// PS3.5 A.4.2 and Annex G: each frame is one fragment of 1 to 15 segments,
// one per byte of each sample, most significant byte first (G.2). The
// segments are read from the file in chunks (getPartialValue) and decoded
// (fen-rle.c) a block of pixels at a time into small planes, which are
// interleaved into the frame's slot. The peak is the pixels plus about
// 1 MiB per worker: DCMTK's decoder holds a frame's whole compressed stream
// beside the pixels (2.01 x the pixel bytes for a 15 MB image). Frames
// decode on @threads workers (fen_dicom_decode_frames()).
gboolean
fen_dicom_read_rle (DcmDataset         *ds,
                    DcmElement         *element,
                    const FenImageInfo *info,
                    FenDicomColor       color,
                    FenDicomSource     *src,
                    guint8             *pixels,
                    gsize               frame_bytes,
                    guint               threads,
                    const char         *name,
                    GError            **error)
{
  DcmPixelSequence *sequence = fen_dicom_sequence (element, EXS_RLELossless, name, error);
  if (sequence == nullptr)
    return FALSE;
  // Frames split over several fragments are off the standard: DCMTK's
  // decoder joins them.
  if (sequence->card () - 1 != info->frames)
    return fen_dicom_read_encapsulated (ds, element, EXS_RLELossless, info, color, src, pixels,
                                        frame_bytes, frame_bytes, name, error);

  std::vector<DcmPixelItem *> items;
  if (!fen_dicom_frame_items (sequence, info->frames, "RLE", items, name, error))
    return FALSE;
  const guint n_segments = (info->bits_allocated / 8) * info->samples_per_pixel;
  threads = CLAMP (threads, 1u, info->frames);
  // Scratch per worker: chunks and planes of every segment.
  const gsize per_worker = (gsize) n_segments * (FEN_DICOM_RLE_CHUNK + FEN_DICOM_RLE_BLOCK);
  g_autofree guint8 *scratch = static_cast<guint8 *> (g_malloc (threads * per_worker));
  std::unique_ptr<DcmFileCache[]> caches (new DcmFileCache[threads]);
  return fen_dicom_decode_frames (info->frames, threads, [&] (guint f, guint w, GError **e) {
    return fen_dicom_rle_frame (items[f], f, info, color, scratch + w * per_worker, &caches[w],
                                pixels + (gsize) f * frame_bytes, frame_bytes, name, e);
  }, error);
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

// One JPEG 2000 frame from fragments @items[@first, @last) into @slot;
// several fragments are joined in @joined, the worker's own.
static gboolean
fen_dicom_j2k_frame (DcmPixelItem *const *items, gsize n_items, guint f,
                     const FenJpeg2000Frame *target, FenDicomColor color, guint8 *slot,
                     gsize n_pixels, GByteArray *joined, const char *name, GError **error)
{
  const guint8 *data = nullptr;
  gsize size = 0;
  g_byte_array_set_size (joined, 0);
  for (gsize i = 0; i < n_items; i++)
    {
      Uint8 *bytes = nullptr;
      if (items[i]->getLength () > 0 && (items[i]->getUint8Array (bytes).bad () || bytes == nullptr))
        return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                               "JPEG 2000 fragment %" G_GSIZE_FORMAT " of frame %u cannot be read",
                               i + 1, f);
      if (n_items == 1)
        {
          data = bytes;
          size = items[i]->getLength ();
          break;
        }
      // Several fragments: one codestream, joined in a scratch buffer.
      g_byte_array_append (joined, bytes, items[i]->getLength ());
      data = joined->data;
      size = joined->len;
    }
  GError *local = nullptr;
  const gboolean ok = fen_jpeg2000_decode (data, size, target, slot, &local);
  // As in fen_dicom_read_encapsulated(): no fragment outlives its frame.
  for (gsize i = 0; i < n_items; i++)
    items[i]->compact ();
  if (!ok)
    {
      fen_dicom_fail (error, (FenIoError) local->code, name, "frame %u: %s", f, local->message);
      g_error_free (local);
      return FALSE;
    }
  if (color == FEN_DICOM_COLOR_YBR_FULL)
    fen_dicom_ybr_full_to_rgb (slot, n_pixels);
  return TRUE;
}

// DCMTK 3.6.7 has no JPEG 2000 decoder: take each frame's fragments from
// DCMTK and decode them with OpenJPEG (fen-jpeg2000.c) into the frame slot,
// the frames on @threads workers (fen_dicom_decode_frames()).
gboolean
fen_dicom_read_jpeg2000 (DcmElement         *element,
                         E_TransferSyntax    xfer,
                         const FenImageInfo *info,
                         FenDicomColor       color,
                         guint8             *pixels,
                         gsize               frame_bytes,
                         guint               threads,
                         const char         *name,
                         GError            **error)
{
  DcmPixelSequence *sequence = fen_dicom_sequence (element, xfer, name, error);
  if (sequence == nullptr)
    return FALSE;
  if (info->bits_allocated > 16)
    return fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                           "%u-bit JPEG 2000 samples are not supported", info->bits_allocated);

  const FenJpeg2000Frame target = {
    info->rows, info->columns, info->samples_per_pixel, info->bits_allocated,
    info->bits_stored, info->pixel_representation,
  };
  const gsize n_pixels = (gsize) info->rows * info->columns;

  std::vector<unsigned long> starts;
  if (!fen_dicom_j2k_frame_starts (sequence, info->frames, starts))
    return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                           "JPEG 2000 pixel data holds codestreams for %u of %u frames",
                           (guint) starts.size (), info->frames);
  // The fragments first: getItem() moves the list's cursor, not for threads.
  // Frame f's are items[starts[f] - 1 .. starts[f + 1] - 1).
  std::vector<DcmPixelItem *> items (sequence->card () - 1);
  for (unsigned long i = 1; i < sequence->card (); i++)
    if (sequence->getItem (items[i - 1], i).bad () || items[i - 1] == nullptr)
      return fen_dicom_fail (error, FEN_IO_ERROR_TRUNCATED, name,
                             "JPEG 2000 fragment %lu cannot be read", i);
  starts.push_back (sequence->card ());

  threads = CLAMP (threads, 1u, info->frames);
  std::vector<GByteArray *> joined (threads);
  for (GByteArray *&array : joined)
    array = g_byte_array_new ();
  const gboolean ok = fen_dicom_decode_frames (info->frames, threads, [&] (guint f, guint w, GError **e) {
    return fen_dicom_j2k_frame (items.data () + starts[f] - 1, starts[f + 1] - starts[f], f, &target,
                                color, pixels + (gsize) f * frame_bytes, n_pixels, joined[w], name, e);
  }, error);
  for (GByteArray *array : joined)
    g_byte_array_unref (array);
  return ok;
}
