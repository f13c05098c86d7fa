/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicom-convert.h (private to src/io): the pixel conversions of DICOM
 * loading that need no DCMTK: Bits Stored and sign, YBR to RGB, planes to
 * interleaved samples. Plain C, used by the DCMTK adapter. */
#pragma once

#include <glib.h>

#include "fenestra/fen-image.h"

G_BEGIN_DECLS

/* Masks each of @count samples of @bits_allocated (8, 16 or 32) bits to
 * Bits Stored, moves it down to bit 0 and, when @is_signed, sign-extends it
 * (PS3.5 8.1.1). */
void fen_dicom_normalize_samples (void    *data,
                                  gsize    count,
                                  guint    bits_allocated,
                                  guint    bits_stored,
                                  guint    high_bit,
                                  gboolean is_signed);
/* The same for a frame in the memory layout @info describes. */
void fen_dicom_normalize_frame   (const FenImageInfo *info, void *frame, gsize frame_bytes);

/* PS3.3 C.7.6.3.1.2: YBR_FULL to RGB in place, 8-bit. */
void fen_dicom_ybr_full_to_rgb   (guint8 *frame, gsize n_pixels);
/* YBR_FULL_422 packed in the last two thirds of the slot, to RGB over it. */
void fen_dicom_ybr_422_to_rgb    (guint8 *frame, gsize n_pixels);
/* Planar Configuration 1 (PS3.3 C.7.6.3.1.3) to interleaved RGB. */
void fen_dicom_interleave        (const guint8 *planes, guint8 *out, gsize n_pixels);

/* @samples planes of @n bytes each to interleaved samples in @out. */
void fen_dicom_interleave_planes (guint8 *const *planes, guint samples, gsize n, guint8 *out);

/* out[i] = hi[i] << 8 | lo[i]: two planes of bytes (an RLE frame's
 * segments) joined into 16-bit samples in host order. */
void fen_dicom_join_bytes16 (const guint8 *hi, const guint8 *lo, guint16 *out, gsize n);

G_END_DECLS
