/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-jpegls.h (private to src/io): one JPEG-LS frame decoded by CharLS 2
 * straight into its slot of an image's buffer. Called from the DCMTK
 * adapter, which reads the frame's compressed bytes from the file once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * FenJpegLsFrame:
 * What the data set says the frame is; the stream must agree.
 */
typedef struct {
  guint rows;
  guint columns;
  guint bits_allocated; /* 8 or 16; one sample per pixel */
} FenJpegLsFrame;

/* Whether CharLS 2 could be loaded (once per process). */
gboolean fen_jpegls_available (void);

/**
 * fen_jpegls_decode:
 * @data: a JPEG-LS stream (PS3.5 A.4.3)
 * @out: the frame's slot, rows x columns samples of bits_allocated / 8 bytes
 *   in native order
 *
 * Returns: %FALSE with @error (a bare cause; the caller names the file) in
 * %FEN_IO_ERROR_CORRUPT when the stream is bad or disagrees with @frame.
 */
gboolean fen_jpegls_decode (const guint8         *data,
                            gsize                 size,
                            const FenJpegLsFrame *frame,
                            void                 *out,
                            GError              **error);

G_END_DECLS
