/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-types.c: error domains and small helpers shared by the whole core. */
#define G_LOG_DOMAIN "fen-core"

#include "fenestra/fen-types.h"

G_DEFINE_QUARK (fen-io-error-quark, fen_io_error)

guint
fen_pixel_format_bytes (FenPixelFormat format)
{
  switch (format)
    {
    case FEN_PIXEL_GRAY8: return 1;
    case FEN_PIXEL_RGB8:  return 3;
    case FEN_PIXEL_RGBA8:
    case FEN_PIXEL_BGRA8: return 4;
    default:              g_return_val_if_reached (0);
    }
}
