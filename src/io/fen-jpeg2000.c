/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-jpeg2000.c: JPEG 2000 frames (PS3.5 A.4.4, transfer syntaxes
 * 1.2.840.10008.1.2.4.90 and .91) decoded with OpenJPEG straight into the
 * frame's slot. The header is checked against what the data set promised
 * before anything is decoded, so a lying codestream cannot make OpenJPEG
 * allocate more than the frame it claims to be. */
#define G_LOG_DOMAIN "fen-jpeg2000"

#include "fen-jpeg2000.h"

#include <openjpeg.h>
#include <string.h>

#include "fenestra/fen-types.h"

typedef struct {
  const guint8 *data;
  gsize         size;
  gsize         pos;
  /* Bytes read in place of the codestream's own from @patch_at on: a
   * repaired SIZ marker, without copying or touching the fragment. */
  guint8        patch[32];
  gsize         patch_at, patch_len;
} FenJ2kSource;

typedef struct {
  char message[256];
} FenJ2kMessages;

static OPJ_SIZE_T
fen_j2k_read (void *buffer, OPJ_SIZE_T n, void *user)
{
  FenJ2kSource *src = user;
  gsize left = src->size - src->pos;

  if (left == 0)
    return (OPJ_SIZE_T) -1;
  n = MIN (n, left);
  memcpy (buffer, src->data + src->pos, n);
  if (src->patch_len > 0 && src->pos < src->patch_at + src->patch_len &&
      src->pos + n > src->patch_at)
    {
      const gsize from = MAX (src->pos, src->patch_at);
      const gsize to = MIN (src->pos + n, src->patch_at + src->patch_len);
      memcpy ((guint8 *) buffer + (from - src->pos), src->patch + (from - src->patch_at), to - from);
    }
  src->pos += n;
  return n;
}

static OPJ_OFF_T
fen_j2k_skip (OPJ_OFF_T n, void *user)
{
  FenJ2kSource *src = user;

  if (n < 0)
    {
      if ((gsize) -n > src->pos)
        return -1;
      src->pos -= (gsize) -n;
      return n;
    }
  if ((guint64) n > src->size - src->pos)
    n = (OPJ_OFF_T) (src->size - src->pos);
  src->pos += (gsize) n;
  return n;
}

static OPJ_BOOL
fen_j2k_seek (OPJ_OFF_T to, void *user)
{
  FenJ2kSource *src = user;

  if (to < 0 || (guint64) to > src->size)
    return OPJ_FALSE;
  src->pos = (gsize) to;
  return OPJ_TRUE;
}

/* OpenJPEG reports through callbacks: keep the first error's text. */
static void
fen_j2k_on_error (const char *msg, void *user)
{
  FenJ2kMessages *messages = user;

  if (messages->message[0] == '\0')
    {
      g_strlcpy (messages->message, msg, sizeof messages->message);
      g_strchomp (messages->message);
    }
}

static void
fen_j2k_quiet (const char *msg, void *user)
{
}

static gboolean
fen_j2k_fail (GError **error, const FenJ2kMessages *messages, const char *what)
{
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "JPEG 2000: %s%s%s", what,
               messages->message[0] ? ": " : "", messages->message);
  return FALSE;
}

/* JP2 file signature box (ISO/IEC 15444-1 I.5.1), else a bare codestream
 * starting with SOC and SIZ (A.4.1, A.5.1). */
static gboolean
fen_j2k_is_jp2 (const guint8 *data, gsize size)
{
  static const guint8 signature[12] = { 0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a };
  return size >= sizeof signature && memcmp (data, signature, sizeof signature) == 0;
}

/* Rows @first .. @first + @n_rows of the frame, decoded in @image. */
static void
fen_j2k_store (const opj_image_t *image, const FenJpeg2000Frame *frame, void *out, guint first,
               guint n_rows)
{
  const gsize n_pixels = (gsize) n_rows * frame->columns;
  const gsize offset = (gsize) first * frame->columns;
  const guint bits = frame->bits_stored;
  const guint32 mask = bits >= 32 ? G_MAXUINT32 : ((guint32) 1 << bits) - 1;
  const guint32 sign = (guint32) 1 << (bits - 1);

  for (guint c = 0; c < frame->samples; c++)
    {
      const OPJ_INT32 *in = image->comps[c].data;
      for (gsize i = 0; i < n_pixels; i++)
        {
          /* PS3.5 8.2.4: the data set's Pixel Representation decides how
           * the bits are read, whatever the codestream says. */
          guint32 value = (guint32) in[i] & mask;
          if (frame->pixel_representation == 1 && (value & sign))
            value |= ~mask;
          const gsize at = (offset + i) * frame->samples + c;
          if (frame->bits_allocated == 8)
            ((guint8 *) out)[at] = (guint8) value;
          else
            ((guint16 *) out)[at] = (guint16) value;
        }
    }
}

static guint32
fen_j2k_u32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static void
fen_j2k_put_u32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* The tiles a codestream holds, from its tile-part headers (ISO/IEC 15444-1
 * A.4.2: SOT, Lsot = 10, Isot, Psot, TPsot, TNsot), each found by the
 * previous one's Psot, never by scanning. 0 when the walk cannot follow. */
static guint
fen_j2k_count_tiles (const guint8 *data, gsize size, gsize first_sot)
{
  gsize pos = first_sot;
  guint tiles = 0, max_index = 0;

  for (guint parts = 0; parts < 65535 * 2; parts++)
    {
      if (pos + 12 > size || data[pos] != 0xff || data[pos + 1] != 0x90 ||
          (data[pos + 2] << 8 | data[pos + 3]) != 10)
        break;
      const guint index = (guint) (data[pos + 4] << 8 | data[pos + 5]);
      const guint32 psot = fen_j2k_u32 (data + pos + 6);
      max_index = MAX (max_index, index);
      tiles = max_index + 1;
      if (psot == 0)
        return tiles; /* the last tile-part runs to EOC */
      if (psot < 14 || psot > size - pos)
        return 0;
      pos += psot;
      if (pos + 2 <= size && data[pos] == 0xff && data[pos + 1] == 0xd9)
        return tiles;
    }
  return 0;
}

/* ISO/IEC 15444-1 A.5.1: the SIZ marker against the frame the data set
 * describes (Rows, Columns: PS3.5 8.2.4 makes the data set's attributes
 * rule). Writers have been seen to leave bytes of a DICOM delimiter
 * (FE FF DD E0) in SIZ, so OpenJPEG computes billions of tiles. A SIZ that
 * is valid in itself is left alone. An invalid one, where the codestream
 * has one tile, the image size and tile grid are fully
 * determined by Rows, Columns and the image offset, and the repaired values
 * decode exactly as a correct header would: the tile covers the image,
 * whatever grid described it, and code-blocks are anchored at the canvas
 * origin. Anything else is refused, naming the disagreement. */
static gboolean
fen_j2k_reconcile_siz (FenJ2kSource *src, const FenJpeg2000Frame *frame, GError **error)
{
  const guint8 *d = src->data;
  const gsize siz = 2, fields = siz + 6; /* SOC, then FF51 Lsiz Rsiz */

  if (src->size < fields + 38 || d[0] != 0xff || d[1] != 0x4f || d[2] != 0xff || d[3] != 0x51)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "JPEG 2000: the frame does not start with SOC and SIZ markers");
      return FALSE;
    }
  guint64 x = fen_j2k_u32 (d + fields), y = fen_j2k_u32 (d + fields + 4);
  guint64 x0 = fen_j2k_u32 (d + fields + 8), y0 = fen_j2k_u32 (d + fields + 12);
  guint64 tw = fen_j2k_u32 (d + fields + 16), th = fen_j2k_u32 (d + fields + 20);
  guint64 tx0 = fen_j2k_u32 (d + fields + 24), ty0 = fen_j2k_u32 (d + fields + 28);
  const guint64 cols = frame->columns, rows = frame->rows;
  const gboolean grid_ok = tw > 0 && th > 0 && tx0 <= x0 && ty0 <= y0 && tx0 + tw > x0 &&
                           ty0 + th > y0 && x > tx0 && y > ty0 &&
                           /* OpenJPEG divides in signed 32 bits: a tile
                            * size past 2^31 becomes zero tiles there. */
                           x - tx0 + tw - 1 <= G_MAXINT32 && y - ty0 + th - 1 <= G_MAXINT32 &&
                           ((x - tx0 + tw - 1) / tw) * ((y - ty0 + th - 1) / th) <= 65535;
  /* A header that is valid in itself stands: if it describes another size
   * than the data set, the caller refuses the frame. Only a header that
   * is not a valid SIZ at all is reconciled. */
  if (x > x0 && y > y0 && grid_ok)
    return TRUE;

  /* Find the first tile-part: main header marker segments, by length. */
  gsize pos = siz + 2 + (gsize) (d[siz + 2] << 8 | d[siz + 3]);
  guint tiles = 0;
  for (guint markers = 0; markers < 4096 && pos + 4 <= src->size && d[pos] == 0xff; markers++)
    {
      if (d[pos + 1] == 0x90)
        {
          tiles = fen_j2k_count_tiles (d, src->size, pos);
          break;
        }
      pos += 2 + (gsize) (d[pos + 2] << 8 | d[pos + 3]);
    }

  /* One of each pair is garbage: keep the one that agrees with Columns. */
  guint64 fx = x, fx0 = x0, fy = y, fy0 = y0;
  gboolean repairable = tiles == 1;
  if (x <= x0 || x - x0 != cols)
    {
      if (x0 == 0)
        fx = cols;
      else if (x == cols)
        fx0 = 0;
      else
        repairable = FALSE;
    }
  if (y <= y0 || y - y0 != rows)
    {
      if (y0 == 0)
        fy = rows;
      else if (y == rows)
        fy0 = 0;
      else
        repairable = FALSE;
    }
  if (!repairable)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "JPEG 2000: the SIZ marker (image %" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT
                   " at %" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ", tiles %" G_GUINT64_FORMAT
                   " x %" G_GUINT64_FORMAT " at %" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                   ") disagrees with the data set's %u x %u frame, and with %u tiles "
                   "the codestream cannot be reconciled with it",
                   x, y, x0, y0, tw, th, tx0, ty0, frame->columns, frame->rows, tiles);
      return FALSE;
    }
  /* Xsiz, Ysiz, XOsiz, YOsiz, then one tile over the whole canvas. */
  fen_j2k_put_u32 (src->patch, (guint32) fx);
  fen_j2k_put_u32 (src->patch + 4, (guint32) fy);
  fen_j2k_put_u32 (src->patch + 8, (guint32) fx0);
  fen_j2k_put_u32 (src->patch + 12, (guint32) fy0);
  fen_j2k_put_u32 (src->patch + 16, (guint32) fx);
  fen_j2k_put_u32 (src->patch + 20, (guint32) fy);
  fen_j2k_put_u32 (src->patch + 24, 0);
  fen_j2k_put_u32 (src->patch + 28, 0);
  src->patch_at = fields;
  src->patch_len = 32;
  g_debug ("JPEG 2000: SIZ marker reconciled with the data set's %u x %u frame",
           frame->columns, frame->rows);
  return TRUE;
}

gboolean
fen_jpeg2000_decode (const guint8           *data,
                     gsize                   size,
                     const FenJpeg2000Frame *frame,
                     void                   *out,
                     GError                **error)
{
  FenJ2kSource source = { data, size, 0, { 0 }, 0, 0 };
  FenJ2kMessages messages = { { 0 } };
  opj_dparameters_t parameters;
  opj_codec_t *codec = NULL;
  opj_stream_t *stream = NULL;
  opj_image_t *image = NULL;
  opj_codestream_info_v2_t *layout = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (frame->samples == 1 || frame->samples == 3, FALSE);
  g_return_val_if_fail (frame->bits_allocated == 8 || frame->bits_allocated == 16, FALSE);

  if (size < 12)
    return fen_j2k_fail (error, &messages, "the frame holds no codestream");
  if (!fen_j2k_is_jp2 (data, size) && !fen_j2k_reconcile_siz (&source, frame, error))
    return FALSE;
  codec = opj_create_decompress (fen_j2k_is_jp2 (data, size) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  opj_set_error_handler (codec, fen_j2k_on_error, &messages);
  opj_set_warning_handler (codec, fen_j2k_quiet, NULL);
  opj_set_info_handler (codec, fen_j2k_quiet, NULL);
  opj_set_default_decoder_parameters (&parameters);
  if (!opj_setup_decoder (codec, &parameters))
    {
      fen_j2k_fail (error, &messages, "cannot set up the decoder");
      goto out;
    }
  stream = opj_stream_create (64 * 1024, OPJ_TRUE);
  opj_stream_set_user_data (stream, &source, NULL);
  opj_stream_set_user_data_length (stream, size);
  opj_stream_set_read_function (stream, fen_j2k_read);
  opj_stream_set_skip_function (stream, fen_j2k_skip);
  opj_stream_set_seek_function (stream, fen_j2k_seek);

  if (!opj_read_header (stream, codec, &image) || image == NULL)
    {
      fen_j2k_fail (error, &messages, "cannot read the codestream header");
      goto out;
    }
  /* The header must describe exactly the frame the data set promised:
   * then what OpenJPEG allocates is bounded by the checked frame size. */
  if (image->numcomps != frame->samples)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "JPEG 2000: %u components for %u samples per pixel",
                   image->numcomps, frame->samples);
      goto out;
    }
  if (image->x1 - image->x0 != frame->columns || image->y1 - image->y0 != frame->rows ||
      image->x1 < image->x0 || image->y1 < image->y0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "JPEG 2000: codestream of %u x %u pixels for a %u x %u frame",
                   image->x1 - image->x0, image->y1 - image->y0, frame->columns, frame->rows);
      goto out;
    }
  for (guint c = 0; c < image->numcomps; c++)
    {
      const opj_image_comp_t *comp = &image->comps[c];
      if (comp->dx != 1 || comp->dy != 1 || comp->prec < 1 || comp->prec > frame->bits_allocated)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                       "JPEG 2000: component %u is %u bits, subsampled %u x %u "
                       "(%u-bit samples without subsampling are supported)",
                       c, comp->prec, comp->dx, comp->dy, frame->bits_allocated);
          goto out;
        }
    }
  {
    /* OpenJPEG cannot decode into our buffer: it fills its own image, an
     * int32 per sample (2 x a 16-bit frame), which fen_j2k_store() copies.
     * A single-tile codestream is decoded a band of rows at a time
     * (opj_set_decode_area, repeatable on one codec for one tile since
     * OpenJPEG 2.3), so that image holds a band, not the frame. Bands of
     * 64-row multiples follow the code-blocks' usual height. */
    const OPJ_INT32 x0 = (OPJ_INT32) image->x0, y0 = (OPJ_INT32) image->y0;
    const OPJ_INT32 x1 = (OPJ_INT32) image->x1;
    layout = opj_get_cstr_info (codec);
    const gboolean one_tile = layout != NULL && layout->tw == 1 && layout->th == 1;
    const guint band = one_tile ? MAX (64u, (frame->rows / 8) & ~63u) : frame->rows;

    for (guint y = 0; y < frame->rows; y += band)
      {
        const guint h = MIN (band, frame->rows - y);
        if (one_tile && !opj_set_decode_area (codec, image, x0, y0 + (OPJ_INT32) y, x1,
                                              y0 + (OPJ_INT32) (y + h)))
          {
            fen_j2k_fail (error, &messages, "cannot set the rows to decode");
            goto out;
          }
        if (!opj_decode (codec, stream, image))
          {
            fen_j2k_fail (error, &messages, "cannot decode the codestream");
            goto out;
          }
        for (guint c = 0; c < image->numcomps; c++)
          if (image->comps[c].data == NULL || image->comps[c].w != frame->columns ||
              image->comps[c].h != h)
            {
              g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                           "JPEG 2000: component %u decoded to the wrong size", c);
              goto out;
            }
        fen_j2k_store (image, frame, out, y, h);
      }
    if (!opj_end_decompress (codec, stream))
      {
        fen_j2k_fail (error, &messages, "cannot decode the codestream");
        goto out;
      }
    ok = TRUE;
  }

out:
  if (layout != NULL)
    opj_destroy_cstr_info (&layout);
  if (image != NULL)
    opj_image_destroy (image);
  if (stream != NULL)
    opj_stream_destroy (stream);
  if (codec != NULL)
    opj_destroy_codec (codec);
  return ok;
}
