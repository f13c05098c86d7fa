/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-sniff.h (private to src/io): what kind of file a path holds, decided
 * once from its first bytes and handed to the loader that reads it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FEN_FILE_UNKNOWN,
  FEN_FILE_DICOM,      /* "DICM" at offset 128: a Part 10 file with meta header */
  FEN_FILE_DICOM_BARE, /* no preamble: a data set that starts with an element */
  FEN_FILE_PNG,
  FEN_FILE_TIFF,
} FenFileKind;

/* Bytes fen_sniff_head() needs to decide: preamble, then "DICM". */
#define FEN_SNIFF_HEAD 132

typedef struct {
  FenFileKind kind;
  goffset     size;
} FenSniff;

/**
 * fen_sniff_head:
 * @head: the first @n bytes of a file
 *
 * PS3.10 7.1: a DICOM file is known by "DICM" after its 128-byte preamble,
 * whatever the preamble holds (dual-personality DICOM/TIFF files put a TIFF
 * header there), so that test comes before the TIFF byte order mark.
 */
FenFileKind fen_sniff_head (const guint8 *head, gsize n);

/**
 * fen_sniff:
 * Opens @path read-only and without blocking (a FIFO or device is refused,
 * never waited on), and decides its kind from its first bytes.
 * Returns: %FALSE with @error (%FEN_IO_ERROR_OPEN, or %FEN_IO_ERROR_FORMAT
 * for an empty file) naming the file.
 */
gboolean    fen_sniff      (const char *path, FenSniff *out, GError **error);

G_END_DECLS
