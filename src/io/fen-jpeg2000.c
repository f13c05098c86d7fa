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

static gboolean
fen_j2k_store (const opj_image_t *image, const FenJpeg2000Frame *frame, void *out)
{
  const gsize n_pixels = (gsize) frame->rows * frame->columns;
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
          const gsize at = i * frame->samples + c;
          if (frame->bits_allocated == 8)
            ((guint8 *) out)[at] = (guint8) value;
          else
            ((guint16 *) out)[at] = (guint16) value;
        }
    }
  return TRUE;
}

gboolean
fen_jpeg2000_decode (const guint8           *data,
                     gsize                   size,
                     const FenJpeg2000Frame *frame,
                     void                   *out,
                     GError                **error)
{
  FenJ2kSource source = { data, size, 0 };
  FenJ2kMessages messages = { { 0 } };
  opj_dparameters_t parameters;
  opj_codec_t *codec = NULL;
  opj_stream_t *stream = NULL;
  opj_image_t *image = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (frame->samples == 1 || frame->samples == 3, FALSE);
  g_return_val_if_fail (frame->bits_allocated == 8 || frame->bits_allocated == 16, FALSE);

  if (size < 12)
    return fen_j2k_fail (error, &messages, "the frame holds no codestream");
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
  if (!opj_decode (codec, stream, image) || !opj_end_decompress (codec, stream))
    {
      fen_j2k_fail (error, &messages, "cannot decode the codestream");
      goto out;
    }
  for (guint c = 0; c < image->numcomps; c++)
    if (image->comps[c].data == NULL || image->comps[c].w != frame->columns ||
        image->comps[c].h != frame->rows)
      {
        g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                     "JPEG 2000: component %u decoded to the wrong size", c);
        goto out;
      }
  ok = fen_j2k_store (image, frame, out);

out:
  if (image != NULL)
    opj_image_destroy (image);
  if (stream != NULL)
    opj_stream_destroy (stream);
  if (codec != NULL)
    opj_destroy_codec (codec);
  return ok;
}
