/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-jpeg2000.h (private to src/io): one JPEG 2000 frame decoded with
 * OpenJPEG into its slot of an image's buffer. Called from the DCMTK adapter,
 * which hands over the frame's compressed bytes (DCMTK 3.6.7 cannot decode
 * JPEG 2000 itself). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * FenJpeg2000Frame:
 * What the data set says the frame is; the codestream must agree.
 */
typedef struct {
  guint   rows;
  guint   columns;
  guint   samples;              /* 1 or 3 */
  guint   bits_allocated;       /* 8 or 16 */
  guint   bits_stored;
  guint   pixel_representation; /* 0 unsigned, 1 signed */
} FenJpeg2000Frame;

/**
 * fen_jpeg2000_decode:
 * @data: a JPEG 2000 codestream (PS3.5 A.4.4) or a JP2 file
 * @out: the frame's slot: rows x columns x samples, interleaved, each sample
 *   bits_allocated / 8 bytes in native order
 *
 * Decodes and stores each sample masked to Bits Stored and, for Pixel
 * Representation 1, sign-extended, whatever signedness the codestream
 * declares (PS3.5 8.2.4: the data set's Pixel Representation rules). A
 * multi-component transform (YBR_RCT / YBR_ICT) is undone by OpenJPEG, so
 * colour comes out as RGB.
 *
 * Returns: %FALSE with @error (a bare cause; the caller names the file) in
 * %FEN_IO_ERROR_CORRUPT when the codestream is bad or disagrees with @frame.
 */
gboolean fen_jpeg2000_decode (const guint8           *data,
                              gsize                   size,
                              const FenJpeg2000Frame *frame,
                              void                   *out,
                              GError                **error);

G_END_DECLS
