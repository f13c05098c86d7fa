/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicom-convert.c: pixel conversions of DICOM loading that need no
 * DCMTK (see fen-dicom-convert.h). */
#define G_LOG_DOMAIN "fen-dicom"

#include "fen-dicom-convert.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* PS3.5 8.1.1: the stored bits sit contiguously with the High Bit on top;
 * the bits above it are not part of the value. */
void
fen_dicom_normalize_samples (void    *data,
                             gsize    count,
                             guint    bits_allocated,
                             guint    bits_stored,
                             guint    high_bit,
                             gboolean is_signed)
{
  const guint shift = high_bit + 1 - bits_stored;
  const guint32 mask = bits_stored >= 32 ? G_MAXUINT32 : ((guint32) 1 << bits_stored) - 1;
  const guint32 sign = (guint32) 1 << (bits_stored - 1);

  for (gsize i = 0; i < count; i++)
    {
      guint32 value;
      if (bits_allocated == 8)
        value = ((guint8 *) data)[i];
      else if (bits_allocated == 16)
        value = ((guint16 *) data)[i];
      else
        value = ((guint32 *) data)[i];
      value = (value >> shift) & mask;
      if (is_signed && (value & sign))
        value |= ~mask;
      if (bits_allocated == 8)
        ((guint8 *) data)[i] = (guint8) value;
      else if (bits_allocated == 16)
        ((guint16 *) data)[i] = (guint16) value;
      else
        ((guint32 *) data)[i] = value;
    }
}

void
fen_dicom_normalize_frame (const FenImageInfo *info, void *frame, gsize frame_bytes)
{
  const guint bits = info->bits_allocated;

  if (info->bits_stored == bits && info->high_bit == bits - 1)
    return;
  fen_dicom_normalize_samples (frame, frame_bytes / (bits / 8), bits, info->bits_stored,
                               info->high_bit, info->pixel_representation == 1);
}

static inline guint8
fen_dicom_clamp_u8 (double value)
{
  if (value <= 0.0)
    return 0;
  if (value >= 255.0)
    return 255;
  return (guint8) lrint (value);
}

/* PS3.3 C.7.6.3.1.2, YBR_FULL (8-bit):
 *   R = Y + 1.402 (Cr - 128)
 *   G = Y - 0.344136 (Cb - 128) - 0.714136 (Cr - 128)
 *   B = Y + 1.772 (Cb - 128)
 * the inverse of the matrix the section gives for Y, Cb, Cr. */
static inline void
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

/* PS3.3 C.7.6.3.1.2, YBR_FULL_422 uncompressed: each pair of horizontally
 * adjacent pixels is stored as Y1 Y2 Cb Cr (4 bytes for 2 pixels). The packed
 * frame sits in the last two thirds of the frame's slot; expanding forwards,
 * the write position (6 bytes per pair) never overtakes the next unread pair
 * (4 bytes per pair, starting one third in), so no scratch is needed. */
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

void
fen_dicom_interleave_planes (guint8 *const *planes, guint samples, gsize n, guint8 *out)
{
  for (guint s = 0; s < samples; s++)
    {
      const guint8 *plane = planes[s];
      guint8 *to = out + s;
      for (gsize i = 0; i < n; i++, to += samples)
        *to = plane[i];
    }
}

void
fen_dicom_join_bytes16 (const guint8 *hi, const guint8 *lo, guint16 *out, gsize n)
{
  gsize i = 0;

#if defined(__SSE2__) && G_BYTE_ORDER == G_LITTLE_ENDIAN
  /* SSE2 is part of x86-64 itself: no runtime check. Unpacking lo with hi
   * byte by byte gives little-endian 16-bit words. */
  for (; i + 16 <= n; i += 16)
    {
      const __m128i l = _mm_loadu_si128 ((const __m128i *) (lo + i));
      const __m128i h = _mm_loadu_si128 ((const __m128i *) (hi + i));
      _mm_storeu_si128 ((__m128i *) (out + i), _mm_unpacklo_epi8 (l, h));
      _mm_storeu_si128 ((__m128i *) (out + i + 8), _mm_unpackhi_epi8 (l, h));
    }
#endif
  for (; i < n; i++)
    out[i] = (guint16) (hi[i] << 8 | lo[i]);
}
