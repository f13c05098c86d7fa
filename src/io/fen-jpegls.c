/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-jpegls.c: JPEG-LS frames through Debian's CharLS 2 (libcharls2),
 * which decodes into a buffer it is given: the frame's slot. DCMTK's own
 * JPEG-LS codec copies the fragment it read into a joined buffer before its
 * bundled CharLS sees it (two compressed copies beside the pixels).
 *
 * Why dlopen: DCMTK's bundled CharLS (libdcmtkcharls) exports the same
 * legacy symbols (JpegLsDecode, JpegLsReadHeader) as CharLS 2 with another
 * ABI. Linked into the process, CharLS 2 could take DCMTK's calls. Opened
 * with RTLD_LOCAL its symbols stay out of the global scope. Its own calls
 * through its PLT are to charls_get_error_message and
 * charls_get_jpegls_category only (objdump -R, 2.4.1), names DCMTK's copy
 * does not have, so they bind to it without RTLD_DEEPBIND (which the
 * sanitizers' runtimes refuse). */
#define G_LOG_DOMAIN "fen-jpegls"

#include "fen-jpegls.h"

#include <dlfcn.h>

#include <charls/charls.h>

#include "fenestra/fen-types.h"

typedef charls_jpegls_decoder *(*FenCharlsCreate) (void);
typedef void (*FenCharlsDestroy) (const charls_jpegls_decoder *decoder);
typedef charls_jpegls_errc (*FenCharlsSource) (charls_jpegls_decoder *decoder, const void *data, size_t size);
typedef charls_jpegls_errc (*FenCharlsHeader) (charls_jpegls_decoder *decoder);
typedef charls_jpegls_errc (*FenCharlsInfo) (const charls_jpegls_decoder *decoder, charls_frame_info *info);
typedef charls_jpegls_errc (*FenCharlsSize) (const charls_jpegls_decoder *decoder, uint32_t stride, size_t *size);
typedef charls_jpegls_errc (*FenCharlsDecode) (charls_jpegls_decoder *decoder, void *out, size_t size, uint32_t stride);
typedef const char *(*FenCharlsMessage) (charls_jpegls_errc error);

/* The library's entry points: set once, read-only afterwards. */
typedef struct {
  FenCharlsCreate  create;
  FenCharlsDestroy destroy;
  FenCharlsSource  source;
  FenCharlsHeader  header;
  FenCharlsInfo    info;
  FenCharlsSize    size;
  FenCharlsDecode  decode;
  FenCharlsMessage message;
} FenCharls;

static const FenCharls *
fen_charls_get (void)
{
  static FenCharls charls;
  static gsize loaded = 0;

  if (g_once_init_enter (&loaded))
    {
      void *handle = dlopen ("libcharls.so.2", RTLD_NOW | RTLD_LOCAL);
      gsize ok = 1;

      if (handle != NULL)
        {
          /* The handle stays open for the process's life. */
          charls.create = (FenCharlsCreate) dlsym (handle, "charls_jpegls_decoder_create");
          charls.destroy = (FenCharlsDestroy) dlsym (handle, "charls_jpegls_decoder_destroy");
          charls.source = (FenCharlsSource) dlsym (handle, "charls_jpegls_decoder_set_source_buffer");
          charls.header = (FenCharlsHeader) dlsym (handle, "charls_jpegls_decoder_read_header");
          charls.info = (FenCharlsInfo) dlsym (handle, "charls_jpegls_decoder_get_frame_info");
          charls.size = (FenCharlsSize) dlsym (handle, "charls_jpegls_decoder_get_destination_size");
          charls.decode = (FenCharlsDecode) dlsym (handle, "charls_jpegls_decoder_decode_to_buffer");
          charls.message = (FenCharlsMessage) dlsym (handle, "charls_get_error_message");
          if (charls.create && charls.destroy && charls.source && charls.header && charls.info &&
              charls.size && charls.decode && charls.message)
            ok = 2;
        }
      if (ok != 2)
        g_debug ("CharLS 2 not available (%s): JPEG-LS through DCMTK's decoder",
                 handle == NULL ? dlerror () : "symbols missing");
      g_once_init_leave (&loaded, ok);
    }
  return loaded == 2 ? &charls : NULL;
}

gboolean
fen_jpegls_available (void)
{
  return fen_charls_get () != NULL;
}

gboolean
fen_jpegls_decode (const guint8 *data, gsize size, const FenJpegLsFrame *frame, void *out,
                   GError **error)
{
  const FenCharls *charls = fen_charls_get ();
  const gsize frame_bytes = (gsize) frame->rows * frame->columns * (frame->bits_allocated / 8);
  charls_jpegls_decoder *decoder;
  charls_jpegls_errc code;
  charls_frame_info info = { 0 };
  size_t needed = 0;

  g_return_val_if_fail (charls != NULL, FALSE);
  decoder = charls->create ();
  if (decoder == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "out of memory for a JPEG-LS decoder");
      return FALSE;
    }
  code = charls->source (decoder, data, size);
  if (code == CHARLS_JPEGLS_ERRC_SUCCESS)
    code = charls->header (decoder);
  if (code == CHARLS_JPEGLS_ERRC_SUCCESS)
    code = charls->info (decoder, &info);
  if (code == CHARLS_JPEGLS_ERRC_SUCCESS)
    {
      /* ISO 14495-1 C.2.2: the frame header's dimensions and precision. */
      if (info.width != frame->columns || info.height != frame->rows || info.component_count != 1 ||
          info.bits_per_sample < 2 || (info.bits_per_sample > 8 ? 16u : 8u) != frame->bits_allocated ||
          charls->size (decoder, 0, &needed) != CHARLS_JPEGLS_ERRC_SUCCESS || needed != frame_bytes)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                       "the JPEG-LS stream holds %u x %u x %d samples of %d bits, not the %u x %u "
                       "of %u bits the data set declares", info.width, info.height,
                       info.component_count, info.bits_per_sample, frame->columns, frame->rows,
                       frame->bits_allocated);
          charls->destroy (decoder);
          return FALSE;
        }
      code = charls->decode (decoder, out, frame_bytes, 0);
    }
  charls->destroy (decoder);
  if (code != CHARLS_JPEGLS_ERRC_SUCCESS)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "JPEG-LS: %s", charls->message (code));
      return FALSE;
    }
  return TRUE;
}
