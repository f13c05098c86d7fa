/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dcmtk-reference.h: DCMTK's own rendering and loading, as the yardstick
 * bench/ measures Fenestra against. Never used by the viewer: DicomImage
 * holds two copies of the pixels and allocates on every window change, which
 * is exactly what the core avoids. */
#pragma once

#include <fenestra/fen-types.h>

G_BEGIN_DECLS

typedef struct _FenDcmtkReference FenDcmtkReference;

/**
 * fen_dcmtk_reference_open:
 * @path: a monochrome DICOM image
 * @error: return location for a #FEN_IO_ERROR
 *
 * Constructs a DicomImage for @path (DCMTK loads and decodes the file and
 * applies the modality transform into its own internal buffer).
 * Returns: (transfer full): free with fen_dcmtk_reference_free(), or %NULL
 * with @error set.
 */
FenDcmtkReference *fen_dcmtk_reference_open (const char *path, GError **error);
void               fen_dcmtk_reference_free (FenDcmtkReference *ref);

guint    fen_dcmtk_reference_get_width  (const FenDcmtkReference *ref);
guint    fen_dcmtk_reference_get_height (const FenDcmtkReference *ref);

/**
 * fen_dcmtk_reference_window:
 * @out: (out caller-allocates): width x height bytes of 8-bit gray
 *
 * One window update the DCMTK way: DicomImage::setWindow (@center, @width)
 * then DicomImage::getOutputData (@out, @out_size, 8) for frame 0.
 * Returns: %FALSE if DCMTK refused.
 */
gboolean fen_dcmtk_reference_window (FenDcmtkReference *ref,
                                     double             center,
                                     double             width,
                                     guint8            *out,
                                     gsize              out_size);

/**
 * fen_dcmtk_reference_load_dataset:
 * Loads @path with DcmFileFormat::loadFile() then loadAllDataIntoMemory()
 * (compressed pixel data stays compressed) and frees it again: the cost of
 * getting the file into DCMTK's data structures.
 * Returns: %FALSE with @error set on failure.
 */
gboolean fen_dcmtk_reference_load_dataset (const char *path, GError **error);

/**
 * fen_dcmtk_reference_write_frames:
 * @slices: (array length=n): single-frame 16-bit images of one size
 *
 * Writes @out (explicit VR little endian): the first slice's data set with
 * Number of Frames @n and the slices' pixels as its frames, for a
 * multi-frame input the encoders then compress.
 * Returns: %FALSE with @error set on failure.
 */
gboolean fen_dcmtk_reference_write_frames (char **slices, guint n, const char *out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenDcmtkReference, fen_dcmtk_reference_free)

G_END_DECLS
