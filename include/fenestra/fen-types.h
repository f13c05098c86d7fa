/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-types.h: forward declarations, shared enums and error domains of the core. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FenImage         FenImage;
typedef struct _FenStore         FenStore;
typedef struct _FenLut           FenLut;
typedef struct _FenRenderer      FenRenderer;
typedef struct _FenMemoryMonitor FenMemoryMonitor;
typedef struct _FenPyramid       FenPyramid;

/**
 * FenIoError:
 * Errors of loaders and writers (domain %FEN_IO_ERROR).
 */
typedef enum {
  FEN_IO_ERROR_OPEN,        /* the file cannot be opened or read */
  FEN_IO_ERROR_FORMAT,      /* not a file of a format we know */
  FEN_IO_ERROR_UNSUPPORTED, /* a known format in a variant we do not decode */
  FEN_IO_ERROR_CORRUPT,     /* malformed or lying header, bad values */
  FEN_IO_ERROR_TRUNCATED,   /* pixel data shorter than the header promises */
  FEN_IO_ERROR_TOO_LARGE,   /* sizes overflow, or exceed the memory budget */
  FEN_IO_ERROR_WRITE,       /* an output file cannot be written */
  FEN_IO_ERROR_NO_PIXELS,   /* a valid object that holds no image */
} FenIoError;

#define FEN_IO_ERROR (fen_io_error_quark ())
GQuark fen_io_error_quark (void);

/**
 * FenPhotometric:
 * Photometric Interpretation (PS3.3 C.7.6.3.1.2) as held in memory after loading.
 * Colour images are always converted to interleaved RGB at load time, so the
 * renderer only ever meets MONOCHROME1, MONOCHROME2 and RGB; the original value
 * is kept in fen_image_get_photometric_name().
 */
typedef enum {
  FEN_PHOTOMETRIC_MONOCHROME2,
  FEN_PHOTOMETRIC_MONOCHROME1,
  FEN_PHOTOMETRIC_RGB,
} FenPhotometric;

/**
 * FenVoiFunction:
 * VOI LUT Function (0028,1056), PS3.3 C.11.2.1.3.
 */
typedef enum {
  FEN_VOI_LINEAR,
  FEN_VOI_LINEAR_EXACT,
  FEN_VOI_SIGMOID,
} FenVoiFunction;

/**
 * FenPixelFormat:
 * Layout of the output of the renderer, one byte per component.
 */
typedef enum {
  FEN_PIXEL_GRAY8,  /* 1 byte per pixel (monochrome only) */
  FEN_PIXEL_RGB8,   /* R, G, B */
  FEN_PIXEL_RGBA8,  /* R, G, B, A=255 (GDK_MEMORY_R8G8B8A8) */
  FEN_PIXEL_BGRA8,  /* B, G, R, A=255 (GDK_MEMORY_B8G8R8A8) */
} FenPixelFormat;

guint fen_pixel_format_bytes (FenPixelFormat format);

G_END_DECLS
