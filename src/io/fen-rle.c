/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-rle.c: the DICOM RLE segment decoder (PS3.5 Annex G), as a stream. */
#define G_LOG_DOMAIN "fen-rle"

#include "fen-rle.h"

#include <string.h>

#include "fenestra/fen-types.h"

gboolean
fen_rle_parse_header (const guint8 *bytes, guint32 length, FenRleHeader *header, GError **error)
{
  guint32 words[16];

  if (length < FEN_RLE_HEADER_BYTES)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "RLE fragment of %u bytes is too short for its header", length);
      return FALSE;
    }
  for (guint i = 0; i < 16; i++)
    words[i] = (guint32) bytes[4 * i] | (guint32) bytes[4 * i + 1] << 8 |
               (guint32) bytes[4 * i + 2] << 16 | (guint32) bytes[4 * i + 3] << 24;
  /* PS3.5 G.5: the number of segments (1 to 15), then each one's offset
   * from the start of the header. */
  if (words[0] < 1 || words[0] > FEN_RLE_MAX_SEGMENTS)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "RLE header declares %u segments",
                   words[0]);
      return FALSE;
    }
  header->segments = words[0];
  guint32 previous = FEN_RLE_HEADER_BYTES;
  for (guint s = 0; s < header->segments; s++)
    {
      const guint32 offset = words[s + 1];
      if (offset < previous || offset >= length)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                       "RLE segment %u offset %u out of range", s + 1, offset);
          return FALSE;
        }
      header->offsets[s] = offset;
      previous = offset;
    }
  header->offsets[header->segments] = length;
  return TRUE;
}

void
fen_rle_segment_init (FenRleSegment *segment, guint8 *out, gsize stride, gsize count)
{
  *segment = (FenRleSegment) { out, stride, count, 0, 0, 0, 0 };
}

gboolean
fen_rle_segment_full (const FenRleSegment *segment)
{
  return segment->done >= segment->count;
}

void
fen_rle_segment_retarget (FenRleSegment *segment, guint8 *out, gsize count)
{
  segment->out = out;
  segment->count = count;
  segment->done = 0;
}

/* PS3.5 G.3.1 (PackBits): a header byte n; 0..127: the next n + 1 bytes
 * literally; -1..-127: the next byte -n + 1 times; -128: nothing. Runs are
 * cut at the block's end and resumed by the next feed. */
gsize
fen_rle_segment_feed (FenRleSegment *segment, const guint8 *in, gsize n)
{
  const gsize stride = segment->stride;
  gsize i = 0;

  while (segment->done < segment->count && (i < n || segment->pending < -1))
    {
      const gsize room = segment->count - segment->done;
      guint8 *out = segment->out + segment->done * stride;
      if (segment->pending > 0)
        {
          if (i == n)
            break;
          const gsize copy = MIN (MIN ((gsize) segment->pending, n - i), room);
          if (stride == 1)
            memcpy (out, in + i, copy);
          else
            for (gsize k = 0; k < copy; k++, out += stride)
              *out = in[i + k];
          segment->done += copy;
          segment->pending -= (gint) copy;
          i += copy;
        }
      else if (segment->pending < -1)
        {
          /* A repeat whose byte has been read: -pending - 1 more to write,
           * the byte kept in the low bits of 'value'. */
          const gsize times = MIN ((gsize) (-segment->pending - 1), room);
          if (stride == 1)
            memset (out, segment->value, times);
          else
            for (gsize k = 0; k < times; k++, out += stride)
              *out = segment->value;
          segment->done += times;
          segment->pending += (gint) times;
          if (segment->pending == -1)
            segment->pending = 0;
        }
      else if (segment->pending == -1)
        {
          /* A repeat header was read; its byte comes now. */
          segment->value = in[i++];
          segment->pending = -(segment->repeat + 1);
        }
      else
        {
          const gint8 header = (gint8) in[i++];
          if (header >= 0)
            segment->pending = header + 1;
          else if (header != -128)
            {
              segment->repeat = 1 - header;
              segment->pending = -1;
            }
        }
    }
  return i;
}
