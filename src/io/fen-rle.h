/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-rle.h (private to src/io): DICOM RLE (PS3.5 Annex G) decoded as a
 * stream, straight into an image's buffer: the compressed bytes arrive in
 * chunks of any size, each segment's bytes go to their place in the
 * interleaved, native-endian frame. Nothing is allocated. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PS3.5 G.5: 16 little-endian 32-bit words. */
#define FEN_RLE_HEADER_BYTES 64
#define FEN_RLE_MAX_SEGMENTS 15

typedef struct {
  guint   segments;                          /* 1..15 */
  guint32 offsets[FEN_RLE_MAX_SEGMENTS + 1]; /* segment starts, then the fragment's end */
} FenRleHeader;

/**
 * fen_rle_parse_header:
 * @bytes: the first %FEN_RLE_HEADER_BYTES of a frame's fragment
 * @length: the fragment's length
 *
 * Checks PS3.5 G.5: 1 to 15 segments, offsets from 64 on, increasing, inside
 * the fragment.
 * Returns: %FALSE with @error (a bare cause, %FEN_IO_ERROR_CORRUPT).
 */
gboolean fen_rle_parse_header (const guint8 *bytes, guint32 length, FenRleHeader *header,
                               GError **error);

/* One segment being decoded: PackBits (PS3.5 G.3.1) into every @stride-th
 * byte of @out, @count bytes in all. */
typedef struct {
  guint8 *out;
  gsize   stride;
  gsize   count;
  gsize   done;
  /* Between two feeds: 0: a header byte next; > 0: literal bytes left to
   * copy; -1: the byte to repeat comes next; < -1: -pending - 1 more
   * copies of @value to write. */
  gint    pending;
  gint    repeat;
  guint8  value;
} FenRleSegment;

void     fen_rle_segment_init (FenRleSegment *segment, guint8 *out, gsize stride, gsize count);
/* The next @count bytes of the same segment go to @out: a segment can be
 * decoded a block at a time, its run state carried across. */
void     fen_rle_segment_retarget (FenRleSegment *segment, guint8 *out, gsize count);
/* Decodes up to @n bytes of the segment's stream, stopping once @count
 * bytes are out (a run cut there carries over to the next block). Never
 * writes outside the segment's bytes.
 * Returns: the input bytes consumed. */
gsize    fen_rle_segment_feed (FenRleSegment *segment, const guint8 *in, gsize n);
gboolean fen_rle_segment_full (const FenRleSegment *segment);

G_END_DECLS
