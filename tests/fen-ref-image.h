/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-ref-image.h: the two sides of test-reference read back: the 8-bit PNG
 * fenestra-cli writes and the binary PGM/PPM DCMTK's dcm2pnm writes. Read
 * as stored (no gamma, no colour conversion), anything else refused. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An 8-bit image with 1 (gray) or 3 (RGB) interleaved channels. */
typedef struct {
  guint   width;
  guint   height;
  guint   channels;
  guint8 *pixels;
} FenRefImage;

void     fen_ref_image_clear (FenRefImage *image);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FenRefImage, fen_ref_image_clear)

/* An 8-bit gray or RGB PNG; any other depth or colour type is an error. */
gboolean fen_ref_read_png (const char *path, FenRefImage *image, GError **error);
/* The raw PGM (P5) or PPM (P6) of dcm2pnm +op, maxval 255. */
gboolean fen_ref_read_pnm (const char *path, FenRefImage *image, GError **error);

G_END_DECLS
