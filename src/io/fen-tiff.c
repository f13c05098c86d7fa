/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-tiff.c: TIFF in and out through libtiff. Pages become frames of one
 * image, decoded into the image's one pixel buffer (strips in place, tiles
 * and planes through a scratch of one tile or one row); the writer goes
 * through a temporary file in the target directory. */
#define G_LOG_DOMAIN "fen-tiff"

#include "fenestra/fen-loader.h"
#include "fenestra/fen-writer.h"
#include "fen-atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* DICOM Rows and Columns are 16-bit (PS3.3 C.7.6.3); nothing larger is a
 * picture this viewer can show in one buffer, and refusing it from the
 * header keeps a lying file from reserving gigabytes. */
#define FEN_TIFF_MAX_DIMENSION 65535u
/* A bound on the directory walk: real multi-page files have hundreds of
 * pages, a crafted chain of tiny IFDs could otherwise keep us parsing. */
#define FEN_TIFF_MAX_PAGES     65535u
/* Colour plus a few extra samples (alpha, masks); more is not an image. */
#define FEN_TIFF_MAX_SAMPLES   8u
/* The tile scratch; real tiles are 256 x 256 to 1024 x 1024. */
#define FEN_TIFF_MAX_TILE_BYTES (64u * 1024 * 1024)
/* Strips of the writer: big enough for deflate, small enough for caches. */
#define FEN_TIFF_STRIP_BYTES   (64u * 1024)

/* The name libtiff gets for the file. It may echo it into messages, and a
 * file name can carry a patient's name, so it never sees the real one; our
 * own messages prefix the basename instead. */
#define FEN_TIFF_HANDLE_NAME   "tiff"

/* libtiff 4.5 lets each handle carry its own error and warning handlers
 * (TIFFOpenOptionsSetErrorHandlerExtR). They return 1, which tells libtiff
 * the message was handled, so its global handlers (stderr by default) are
 * never reached and no process-wide state is changed. */
typedef struct {
  char *first_error; /* owned; the first is the specific one, later ones are
                      * generic "failed to read directory" follow-ups */
} FenTiffMessages;

static int
fen_tiff_error_cb (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  FenTiffMessages *messages = user_data;

  if (messages->first_error == NULL)
    messages->first_error = g_strdup_vprintf (fmt, ap);
  return 1;
}

static int
fen_tiff_warning_cb (TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap)
{
  g_autofree char *message = g_strdup_vprintf (fmt, ap);

  /* Unknown tags and the like: the pixels are fine. */
  g_debug ("libtiff warning: %s: %s", module ? module : "", message);
  return 1;
}

static const char *
fen_tiff_messages_take (FenTiffMessages *messages, char **storage)
{
  g_free (*storage);
  *storage = g_steal_pointer (&messages->first_error);
  return *storage ? *storage : "libtiff gave no reason";
}

static TIFF *
fen_tiff_open_fd (int fd, const char *mode, FenTiffMessages *messages)
{
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFF *tif;

  TIFFOpenOptionsSetErrorHandlerExtR (opts, fen_tiff_error_cb, messages);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, fen_tiff_warning_cb, messages);
  tif = TIFFFdOpenExt (fd, FEN_TIFF_HANDLE_NAME, mode, opts);
  TIFFOpenOptionsFree (opts);
  return tif;
}

/* ---- Reading ------------------------------------------------------------ */

/* What one page holds and how it maps to memory. */
typedef struct {
  guint32        width;
  guint32        height;
  guint          bits;          /* per sample in the file: 8 or 16 */
  guint          out_bits;      /* per sample in memory */
  guint          samples;       /* per pixel in the file, extra samples included */
  guint          color_samples; /* kept in memory: 1 or 3 */
  gboolean       separate;      /* PLANARCONFIG_SEPARATE with more than one sample */
  gboolean       is_signed;
  FenPhotometric photometric;
  const char    *photometric_name;
  /* Derived, for the decoders: */
  guint          in_bytes;      /* per sample in the file */
  guint          out_bytes;     /* per sample in memory */
  guint          src_spp;       /* samples per pixel in one strip or tile */
  gsize          row_out;       /* bytes of one row in memory */
} FenTiffLayout;

typedef struct {
  FenTiffMessages messages;

  /* Borrowed */
  const char *name;      /* basename, for messages */

  /* Owned */
  TIFF       *tif;
  char       *cause;     /* the last message taken from libtiff */
  guint64     file_size;
} FenTiffReader;

static const char *
fen_tiff_reader_cause (FenTiffReader *reader)
{
  return fen_tiff_messages_take (&reader->messages, &reader->cause);
}

static const char *
fen_tiff_photometric_label (guint photometric)
{
  switch (photometric)
    {
    case PHOTOMETRIC_PALETTE:   return "palette colour";
    case PHOTOMETRIC_MASK:      return "transparency mask";
    case PHOTOMETRIC_SEPARATED: return "separated (CMYK)";
    case PHOTOMETRIC_YCBCR:     return "YCbCr";
    case PHOTOMETRIC_CIELAB:
    case PHOTOMETRIC_ICCLAB:
    case PHOTOMETRIC_ITULAB:    return "L*a*b*";
    case PHOTOMETRIC_LOGL:
    case PHOTOMETRIC_LOGLUV:    return "LogLuv";
    default:                    return "unknown";
    }
}

/* Reads the current directory's layout and refuses what we do not decode.
 * Sets JPEGCOLORMODE too, which libtiff forgets on every directory change. */
static gboolean
fen_tiff_read_layout (FenTiffReader *reader, guint page, FenTiffLayout *layout, GError **error)
{
  TIFF *tif = reader->tif;
  guint32 width = 0, height = 0;
  guint16 bits = 1, samples = 1, format = SAMPLEFORMAT_UINT;
  guint16 planar = PLANARCONFIG_CONTIG, compression = COMPRESSION_NONE, photometric;

  memset (layout, 0, sizeof *layout);
  if (!TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &width) ||
      !TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &height) || width == 0 || height == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: page %u has no size", reader->name, page);
      return FALSE;
    }
  if (width > FEN_TIFF_MAX_DIMENSION || height > FEN_TIFF_MAX_DIMENSION)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "%s: page %u declares %u x %u pixels, more than %u in a dimension",
                   reader->name, page, width, height, FEN_TIFF_MAX_DIMENSION);
      return FALSE;
    }
  TIFFGetFieldDefaulted (tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted (tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted (tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted (tif, TIFFTAG_COMPRESSION, &compression);
  if (!TIFFGetField (tif, TIFFTAG_PHOTOMETRIC, &photometric))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: page %u has no photometric interpretation", reader->name, page);
      return FALSE;
    }
  if (!TIFFIsCODECConfigured (compression))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: page %u uses compression scheme %u, which this build cannot decode",
                   reader->name, page, compression);
      return FALSE;
    }
  if (format != SAMPLEFORMAT_UINT && format != SAMPLEFORMAT_INT && format != SAMPLEFORMAT_VOID)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: page %u holds %s samples; only integers are supported", reader->name,
                   page, format == SAMPLEFORMAT_IEEEFP ? "floating-point" : "complex");
      return FALSE;
    }
  if (bits != 8 && bits != 16)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: page %u has %u-bit samples; only 8 and 16 are supported",
                   reader->name, page, bits);
      return FALSE;
    }

  switch (photometric)
    {
    case PHOTOMETRIC_MINISBLACK:
      layout->color_samples = 1;
      layout->photometric = FEN_PHOTOMETRIC_MONOCHROME2;
      layout->photometric_name = "MONOCHROME2";
      break;
    case PHOTOMETRIC_MINISWHITE:
      /* Kept as stored; MONOCHROME1 makes the renderer invert (PS3.3 C.7.6.3.1.2). */
      layout->color_samples = 1;
      layout->photometric = FEN_PHOTOMETRIC_MONOCHROME1;
      layout->photometric_name = "MONOCHROME1";
      break;
    case PHOTOMETRIC_RGB:
      layout->color_samples = 3;
      layout->photometric = FEN_PHOTOMETRIC_RGB;
      layout->photometric_name = "RGB";
      break;
    case PHOTOMETRIC_YCBCR:
      /* Only inside JPEG, where libjpeg converts to RGB for us. */
      if (compression == COMPRESSION_JPEG && bits == 8 &&
          TIFFSetField (tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB))
        {
          layout->color_samples = 3;
          layout->photometric = FEN_PHOTOMETRIC_RGB;
          layout->photometric_name = "YBR_FULL_422";
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: page %u is %s (photometric %u), which is not supported",
                   reader->name, page, fen_tiff_photometric_label (photometric), photometric);
      return FALSE;
    }

  if (samples < layout->color_samples || samples > FEN_TIFF_MAX_SAMPLES)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: page %u has %u samples per pixel for %u colour samples",
                   reader->name, page, samples, layout->color_samples);
      return FALSE;
    }
  layout->is_signed = format == SAMPLEFORMAT_INT;
  if (layout->is_signed && layout->color_samples != 1)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: page %u has signed colour samples, which are not supported",
                   reader->name, page);
      return FALSE;
    }

  layout->width = width;
  layout->height = height;
  layout->bits = bits;
  /* The core holds colour as 8 bits only (fen_image_compute_size); 16-bit
   * colour is reduced with rounding, as the PNG loader does. */
  layout->out_bits = layout->color_samples == 3 ? 8 : bits;
  layout->samples = samples;
  layout->separate = planar == PLANARCONFIG_SEPARATE && samples > 1;
  layout->in_bytes = bits / 8;
  layout->out_bytes = layout->out_bits / 8;
  layout->src_spp = layout->separate ? 1 : samples;
  layout->row_out = (gsize) width * layout->color_samples * layout->out_bytes;
  return TRUE;
}

static gboolean
fen_tiff_layout_equal (const FenTiffLayout *a, const FenTiffLayout *b)
{
  /* Planar configuration, extra samples, tiling and compression may differ
   * between pages: each page is decoded on its own. What lands in memory may not. */
  return a->width == b->width && a->height == b->height && a->bits == b->bits &&
         a->color_samples == b->color_samples && a->is_signed == b->is_signed &&
         a->photometric == b->photometric;
}

/* Refuses, before any allocation, a page whose strips or tiles lie beyond
 * the end of the file: the usual shape of a truncated download. */
static gboolean
fen_tiff_check_striles (FenTiffReader *reader, guint page, GError **error)
{
  TIFF *tif = reader->tif;
  guint32 n = TIFFIsTiled (tif) ? TIFFNumberOfTiles (tif) : TIFFNumberOfStrips (tif);

  for (guint32 i = 0; i < n; i++)
    {
      int failed = 0;
      guint64 offset = TIFFGetStrileOffsetWithErr (tif, i, &failed);
      guint64 count = failed ? 0 : TIFFGetStrileByteCountWithErr (tif, i, &failed);

      if (failed)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                       "%s: page %u: bad strip or tile table: %s", reader->name, page,
                       fen_tiff_reader_cause (reader));
          return FALSE;
        }
      if (count != 0 && (offset > reader->file_size || count > reader->file_size - offset))
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED,
                       "%s: page %u: %s %u lies beyond the end of the file", reader->name,
                       page, TIFFIsTiled (tif) ? "tile" : "strip", i);
          return FALSE;
        }
    }
  return TRUE;
}

/* Copies @n_copy samples of each of @n_pixels pixels from @src (@src_spp
 * samples per pixel) to @dst (@dst_spp per pixel, starting at sample
 * @dst_first), reducing 16 to 8 bits when the sizes say so. */
static void
fen_tiff_scatter (guint8       *dst,
                  guint         dst_spp,
                  guint         dst_first,
                  const guint8 *src,
                  guint         src_spp,
                  guint         n_copy,
                  guint         n_pixels,
                  guint         in_bytes,
                  guint         out_bytes)
{
  if (in_bytes == 1)
    {
      for (guint i = 0; i < n_pixels; i++)
        for (guint s = 0; s < n_copy; s++)
          dst[i * dst_spp + dst_first + s] = src[i * src_spp + s];
    }
  else if (out_bytes == 2)
    {
      guint16 *d = (guint16 *) dst;
      const guint16 *sp = (const guint16 *) src;

      for (guint i = 0; i < n_pixels; i++)
        for (guint s = 0; s < n_copy; s++)
          d[i * dst_spp + dst_first + s] = sp[i * src_spp + s];
    }
  else
    {
      const guint16 *sp = (const guint16 *) src;

      /* Round to nearest, the formula of libpng's png_set_scale_16. */
      for (guint i = 0; i < n_pixels; i++)
        for (guint s = 0; s < n_copy; s++)
          dst[i * dst_spp + dst_first + s] =
            (guint8) (((guint32) sp[i * src_spp + s] * 255 + 32895) >> 16);
    }
}

static gboolean
fen_tiff_decode_failed (FenTiffReader *reader, guint page, const char *what, guint32 index,
                        GError **error)
{
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%s: page %u: cannot decode %s %u: %s",
               reader->name, page, what, index, fen_tiff_reader_cause (reader));
  return FALSE;
}

static gboolean
fen_tiff_decode_strips (FenTiffReader       *reader,
                        guint                page,
                        const FenTiffLayout *layout,
                        guint8              *dst,
                        GError             **error)
{
  TIFF *tif = reader->tif;
  const guint in_bytes = layout->in_bytes, out_bytes = layout->out_bytes, src_spp = layout->src_spp;
  const gsize row_out = layout->row_out, row_in = (gsize) layout->width * src_spp * in_bytes;
  g_autofree guint8 *scratch = NULL;

  if (TIFFScanlineSize64 (tif) != row_in)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: page %u: unexpected scanline size %" G_GUINT64_FORMAT
                   " for %u pixels", reader->name, page, (guint64) TIFFScanlineSize64 (tif),
                   layout->width);
      return FALSE;
    }

  if (!layout->separate && src_spp == layout->color_samples && in_bytes == out_bytes)
    {
      /* The file's rows are the memory's rows: decode whole strips in place. */
      guint32 rows_per_strip = 0;

      TIFFGetFieldDefaulted (tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
      if (rows_per_strip == 0 || rows_per_strip > layout->height)
        rows_per_strip = layout->height;
      for (guint32 row = 0; row < layout->height; row += rows_per_strip)
        {
          guint32 n = MIN (rows_per_strip, layout->height - row);
          guint32 strip = TIFFComputeStrip (tif, row, 0);
          tmsize_t want = (tmsize_t) (n * row_out);

          if (TIFFReadEncodedStrip (tif, strip, dst + row * row_out, want) != want)
            return fen_tiff_decode_failed (reader, page, "strip", strip, error);
        }
      return TRUE;
    }

  /* Planes or extra samples to drop: one row of scratch. libtiff wants the
   * planes of a separate file read one after the other, as we do. */
  scratch = g_malloc (row_in);
  for (guint plane = 0; plane < (layout->separate ? layout->color_samples : 1); plane++)
    for (guint32 row = 0; row < layout->height; row++)
      {
        if (TIFFReadScanline (tif, scratch, row, (guint16) plane) < 0)
          return fen_tiff_decode_failed (reader, page, "row", row, error);
        fen_tiff_scatter (dst + row * row_out, layout->color_samples, plane, scratch, src_spp,
                          layout->separate ? 1 : layout->color_samples, layout->width,
                          in_bytes, out_bytes);
      }
  return TRUE;
}

static gboolean
fen_tiff_decode_tiles (FenTiffReader       *reader,
                       guint                page,
                       const FenTiffLayout *layout,
                       guint8              *dst,
                       GError             **error)
{
  TIFF *tif = reader->tif;
  const guint in_bytes = layout->in_bytes, out_bytes = layout->out_bytes, src_spp = layout->src_spp;
  const gsize row_out = layout->row_out, pixel_out = (gsize) layout->color_samples * out_bytes;
  gboolean direct = src_spp == layout->color_samples && in_bytes == out_bytes;
  guint32 tile_width = 0, tile_height = 0;
  guint64 tile_row, tile_bytes;
  g_autofree guint8 *scratch = NULL;

  if (!TIFFGetField (tif, TIFFTAG_TILEWIDTH, &tile_width) ||
      !TIFFGetField (tif, TIFFTAG_TILELENGTH, &tile_height) ||
      tile_width == 0 || tile_height == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: page %u: tiles without a size", reader->name, page);
      return FALSE;
    }
  /* 32 x 32 x 8 x 2 bits cannot overflow 64 bits. */
  tile_row = (guint64) tile_width * src_spp * in_bytes;
  tile_bytes = tile_row * tile_height;
  if (tile_bytes > FEN_TIFF_MAX_TILE_BYTES || TIFFTileSize64 (tif) != tile_bytes)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: page %u: tiles of %u x %u are not supported", reader->name, page,
                   tile_width, tile_height);
      return FALSE;
    }

  scratch = g_try_malloc (tile_bytes);
  if (scratch == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "%s: cannot allocate a tile of %" G_GUINT64_FORMAT " bytes",
                   reader->name, tile_bytes);
      return FALSE;
    }

  for (guint plane = 0; plane < (layout->separate ? layout->color_samples : 1); plane++)
    for (guint32 ty = 0; ty < layout->height; ty += tile_height)
      for (guint32 tx = 0; tx < layout->width; tx += tile_width)
        {
          guint32 tile = TIFFComputeTile (tif, tx, ty, 0, (guint16) plane);
          guint32 cols = MIN (tile_width, layout->width - tx);
          guint32 rows = MIN (tile_height, layout->height - ty);

          if (TIFFReadEncodedTile (tif, tile, scratch, (tmsize_t) tile_bytes) != (tmsize_t) tile_bytes)
            return fen_tiff_decode_failed (reader, page, "tile", tile, error);
          for (guint32 y = 0; y < rows; y++)
            {
              guint8 *out = dst + (ty + y) * row_out + tx * pixel_out;
              const guint8 *in = scratch + y * tile_row;

              if (direct)
                memcpy (out, in, cols * pixel_out);
              else
                fen_tiff_scatter (out, layout->color_samples, plane, in, src_spp,
                                  layout->separate ? 1 : layout->color_samples, cols,
                                  in_bytes, out_bytes);
            }
        }
  return TRUE;
}

/* Refuses files that are not TIFF by their first bytes, and tells a
 * truncated file from a damaged one when libtiff cannot open it. */
static gboolean
fen_tiff_check_header (FenTiffReader *reader, int fd, guint64 *first_ifd, GError **error)
{
  guint8 head[16];
  ssize_t n = pread (fd, head, sizeof head, 0);
  gboolean little, big_tiff;
  guint version;

  if (n < 0)
    {
      int saved_errno = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN,
                   "%s: cannot read: %s", reader->name, g_strerror (saved_errno));
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT, "%s: the file is empty", reader->name);
      return FALSE;
    }
  little = n >= 2 && head[0] == 'I' && head[1] == 'I';
  if (n < 4 || !(little || (head[0] == 'M' && head[1] == 'M')))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT,
                   "%s: not a TIFF file (no byte order mark)", reader->name);
      return FALSE;
    }
  version = little ? head[2] | (head[3] << 8) : (head[2] << 8) | head[3];
  if (version != 42 && version != 43)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT,
                   "%s: not a TIFF file (version %u)", reader->name, version);
      return FALSE;
    }
  big_tiff = version == 43;
  if (n < (big_tiff ? 16 : 8))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED,
                   "%s: the file ends inside the TIFF header", reader->name);
      return FALSE;
    }
  *first_ifd = 0;
  for (guint i = 0; i < (big_tiff ? 8u : 4u); i++)
    {
      guint byte = big_tiff ? 8 + i : 4 + i;
      guint shift = little ? 8 * i : 8 * ((big_tiff ? 7 : 3) - i);
      *first_ifd |= (guint64) head[byte] << shift;
    }
  return TRUE;
}

static void
fen_tiff_reader_clear (FenTiffReader *reader)
{
  g_clear_pointer (&reader->tif, TIFFClose);
  g_clear_pointer (&reader->cause, g_free);
  g_clear_pointer (&reader->messages.first_error, g_free);
}

/* The two passes over the directories: first validate every page and count
 * the frames (the one buffer must be allocated once, at its full size),
 * then decode each page into its frame. */
static FenImage *
fen_tiff_read (FenTiffReader *reader, const FenLoadOptions *options, GError **error)
{
  TIFF *tif = reader->tif;
  g_autoptr(GArray) pages = g_array_new (FALSE, FALSE, sizeof (tdir_t));
  g_autoptr(FenImage) image = NULL;
  FenTiffLayout first = { 0 }, layout;
  FenImageInfo info;
  tdir_t n_dirs;
  gsize frame_bytes;
  guint8 *pixels;

  /* libtiff 4.5 detects IFD loops while counting; the cap bounds the rest. */
  n_dirs = TIFFNumberOfDirectories (tif);
  if (n_dirs > FEN_TIFF_MAX_PAGES)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "%s: %u pages, more than the %u supported", reader->name, n_dirs,
                   FEN_TIFF_MAX_PAGES);
      return NULL;
    }

  for (tdir_t dir = 0; dir < MAX (n_dirs, 1); dir++)
    {
      guint32 subfile = 0;

      if (dir > 0 && !TIFFReadDirectory (tif))
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                       "%s: cannot read page %u: %s", reader->name, dir + 1,
                       fen_tiff_reader_cause (reader));
          return NULL;
        }
      /* Thumbnails and masks ride along in many files; they are not frames. */
      if (TIFFGetField (tif, TIFFTAG_SUBFILETYPE, &subfile) &&
          (subfile & (FILETYPE_REDUCEDIMAGE | FILETYPE_MASK)) != 0)
        continue;
      if (!fen_tiff_read_layout (reader, dir + 1, &layout, error) ||
          !fen_tiff_check_striles (reader, dir + 1, error))
        return NULL;
      if (pages->len == 0)
        first = layout;
      else if (!fen_tiff_layout_equal (&first, &layout))
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                       "%s: page %u (%u x %u, %u x %u-bit %s) differs from the first "
                       "(%u x %u, %u x %u-bit %s); pages of one file must match",
                       reader->name, dir + 1, layout.width, layout.height,
                       layout.color_samples, layout.bits, layout.photometric_name,
                       first.width, first.height, first.color_samples, first.bits,
                       first.photometric_name);
          return NULL;
        }
      g_array_append_val (pages, dir);
    }
  /* Counting stops quietly at a directory it cannot read; a chain that
   * goes on after the last page we read is a cut or looping file, and
   * showing the pages before the break as the whole series would mislead. */
  if (!TIFFLastDirectory (tif))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: the chain of pages breaks after page %u: %s", reader->name,
                   MAX (n_dirs, 1), fen_tiff_reader_cause (reader));
      return NULL;
    }
  if (pages->len == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_NO_PIXELS,
                   "%s: the file holds only thumbnails or masks", reader->name);
      return NULL;
    }

  fen_image_info_init (&info);
  info.rows = first.height;
  info.columns = first.width;
  info.frames = pages->len;
  info.samples_per_pixel = first.color_samples;
  info.bits_allocated = first.out_bits;
  info.bits_stored = first.out_bits;
  info.high_bit = first.out_bits - 1;
  info.pixel_representation = first.is_signed ? 1 : 0;
  info.photometric = first.photometric;
  info.photometric_name = g_strdup (first.photometric_name);
  info.planar_configuration = first.separate ? 1 : 0;
  info.rescale_slope = 1.0;
  info.rescale_intercept = 0.0;
  info.format = g_strdup ("TIFF");
  info.modality = g_strdup ("OT");
  /* XResolution is left alone on purpose: it is nearly always a print or
   * scanner setting (72 or 300 dpi), not a size in the patient, and a
   * pixel spacing from it would make measurements look calibrated. */
  image = fen_image_new_for_load (&info, options, error);
  fen_image_info_clear (&info);
  if (image == NULL)
    {
      g_prefix_error (error, "%s: ", reader->name);
      return NULL;
    }

  pixels = fen_image_get_pixels_mutable (image);
  frame_bytes = fen_image_get_frame_bytes (image);
  for (guint i = 0; i < pages->len; i++)
    {
      tdir_t dir = g_array_index (pages, tdir_t, i);
      gboolean ok;

      g_clear_pointer (&reader->messages.first_error, g_free);
      if (!TIFFSetDirectory (tif, dir))
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                       "%s: cannot read page %u again: %s", reader->name, dir + 1,
                       fen_tiff_reader_cause (reader));
          return NULL;
        }
      if (!fen_tiff_read_layout (reader, dir + 1, &layout, error))
        return NULL;
      if (!fen_tiff_layout_equal (&first, &layout))
        {
          /* The file changed under us between the passes. */
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                       "%s: page %u changed while reading", reader->name, dir + 1);
          return NULL;
        }
      if (TIFFIsTiled (tif))
        ok = fen_tiff_decode_tiles (reader, dir + 1, &layout, pixels + i * frame_bytes, error);
      else
        ok = fen_tiff_decode_strips (reader, dir + 1, &layout, pixels + i * frame_bytes, error);
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&image);
}

/**
 * fen_tiff_load:
 * @path: the file, opened read-only
 * @options: (nullable): limits
 * @error: %FEN_IO_ERROR on failure
 *
 * Loads a TIFF: 8/16-bit gray (unsigned or signed; MINISWHITE as
 * MONOCHROME1) or 8-bit RGB, strips or tiles, contiguous or separate planes,
 * any compression libtiff decodes. Pages become frames and must all have
 * the same size and format; thumbnails and masks are skipped. Extra samples
 * (alpha) are dropped and 16-bit colour is reduced to 8 bits.
 *
 * Returns: (transfer full): the image, or %NULL with @error naming the file.
 */
FenImage *
fen_tiff_load (const char *path, const FenLoadOptions *options, GError **error)
{
  g_autofree char *name = NULL;
  FenTiffReader reader = { 0 };
  FenImage *image;
  GStatBuf st;
  guint64 first_ifd = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_path_get_basename (path);
  reader.name = name;
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN,
                   "%s: cannot open: %s", name, g_strerror (saved_errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: not a regular file", name);
      close (fd);
      return NULL;
    }
  reader.file_size = (guint64) st.st_size;
  if (!fen_tiff_check_header (&reader, fd, &first_ifd, error))
    {
      close (fd);
      return NULL;
    }

  /* "m": no memory mapping. A mapped file that shrinks under us (a copy
   * still running, a network share) kills the process with SIGBUS; read(2)
   * just fails. */
  reader.tif = fen_tiff_open_fd (fd, "rm", &reader.messages);
  if (reader.tif == NULL)
    {
      /* TIFFFdOpenExt leaves the descriptor open when it fails. */
      close (fd);
      if (first_ifd >= reader.file_size)
        g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED,
                     "%s: the file ends before its first TIFF directory", name);
      else
        g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%s: damaged TIFF: %s",
                     name, fen_tiff_reader_cause (&reader));
      fen_tiff_reader_clear (&reader);
      return NULL;
    }

  image = fen_tiff_read (&reader, options, error);
  if (image != NULL)
    fen_image_set_path (image, path);
  fen_tiff_reader_clear (&reader);
  return image;
}

/* ---- Writing ------------------------------------------------------------ */

static gboolean
fen_tiff_write_failed (const char *path, FenTiffMessages *messages, GError **error)
{
  g_autofree char *cause = NULL;

  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: cannot write: %s", path,
               fen_tiff_messages_take (messages, &cause));
  return FALSE;
}

static gboolean
fen_tiff_write_pages (TIFF            *tif,
                      const char      *path,
                      const FenRaster *raster,
                      gsize            row_bytes,
                      FenTiffMessages *messages,
                      GError         **error)
{
  guint pages = MAX (raster->pages, 1);
  guint16 compression = TIFFIsCODECConfigured (COMPRESSION_ADOBE_DEFLATE)
                          ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE;
  guint32 rows_per_strip = (guint32) CLAMP (FEN_TIFF_STRIP_BYTES / row_bytes, 1, raster->height);
  g_autofree guint8 *scratch = g_try_malloc (rows_per_strip * row_bytes);

  if (scratch == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: cannot write: out of memory", path);
      return FALSE;
    }

  for (guint page = 0; page < pages; page++)
    {
      const guint8 *base;

      if (raster->get_page != NULL)
        {
          GError *page_error = NULL;

          base = raster->get_page (page, raster->page_data, &page_error);
          if (base == NULL)
            {
              if (page_error == NULL)
                g_set_error (&page_error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                             "%s: cannot write: page %u is missing", path, page);
              g_propagate_error (error, page_error);
              return FALSE;
            }
        }
      else
        base = (const guint8 *) raster->pixels + page * raster->page_stride;

      TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, (guint32) raster->width);
      TIFFSetField (tif, TIFFTAG_IMAGELENGTH, (guint32) raster->height);
      TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, (guint16) raster->bits);
      TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, (guint16) raster->channels);
      TIFFSetField (tif, TIFFTAG_SAMPLEFORMAT,
                    raster->is_signed ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT);
      TIFFSetField (tif, TIFFTAG_PHOTOMETRIC,
                    raster->channels == 1 ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB);
      TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
      TIFFSetField (tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
      if (raster->channels == 4)
        {
          guint16 extra[] = { EXTRASAMPLE_UNASSALPHA };
          TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, 1, extra);
        }
      TIFFSetField (tif, TIFFTAG_COMPRESSION, compression);
      if (compression != COMPRESSION_NONE)
        TIFFSetField (tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
      if (pages > 1)
        {
          TIFFSetField (tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
          TIFFSetField (tif, TIFFTAG_PAGENUMBER, (guint16) MIN (page, G_MAXUINT16),
                        (guint16) MIN (pages, G_MAXUINT16));
        }
      TIFFSetField (tif, TIFFTAG_SOFTWARE, "Fenestra");

      for (guint32 row = 0, strip = 0; row < raster->height; row += rows_per_strip, strip++)
        {
          guint32 n = MIN (rows_per_strip, raster->height - row);

          /* libtiff encodes in place (predictor, byte swapping), so the
           * caller's pixels go through the scratch and stay untouched. */
          for (guint32 y = 0; y < n; y++)
            memcpy (scratch + y * row_bytes, base + (row + y) * raster->stride, row_bytes);
          if (TIFFWriteEncodedStrip (tif, strip, scratch, (tmsize_t) (n * row_bytes)) < 0)
            return fen_tiff_write_failed (path, messages, error);
        }
      if (!TIFFWriteDirectory (tif))
        return fen_tiff_write_failed (path, messages, error);
    }
  return TRUE;
}

/**
 * fen_tiff_write:
 * @path: the file to create or replace
 * @raster: 8/16-bit gray (signed allowed), RGB or RGBA, one or more pages
 * @error: %FEN_IO_ERROR_UNSUPPORTED for layouts we do not write,
 *   %FEN_IO_ERROR_WRITE naming @path otherwise
 *
 * Writes deflate-compressed strips (uncompressed when libtiff lacks
 * deflate), BigTIFF when the pixels pass 3.5 GiB. Goes through a temporary
 * file next to @path and renames it into place, so @path holds either its
 * old content or the complete new file.
 *
 * Returns: %TRUE on success.
 */
gboolean
fen_tiff_write (const char *path, const FenRaster *raster, GError **error)
{
  g_autofree char *tmp_path = NULL;
  FenTiffMessages messages = { 0 };
  guint pages;
  gsize row_bytes, page_bytes, total;
  TIFF *tif;
  gboolean ok;
  int fd, sync_fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (raster != NULL && (raster->pixels != NULL || raster->get_page != NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pages = MAX (raster->pages, 1);
  if ((raster->channels != 1 && raster->channels != 3 && raster->channels != 4) ||
      (raster->bits != 8 && raster->bits != 16))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: TIFF output of %u channels of %u bits is not supported", path,
                   raster->channels, raster->bits);
      return FALSE;
    }
  if (raster->is_signed && raster->channels != 1)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: signed samples are written for gray images only", path);
      return FALSE;
    }
  if (raster->width == 0 || raster->height == 0 ||
      !g_size_checked_mul (&row_bytes, raster->width, raster->channels * (raster->bits / 8)) ||
      raster->stride < row_bytes ||
      !g_size_checked_mul (&page_bytes, raster->stride, raster->height - 1) ||
      !g_size_checked_add (&page_bytes, page_bytes, row_bytes) ||
      (pages > 1 && raster->get_page == NULL && raster->page_stride < page_bytes) ||
      !g_size_checked_mul (&total, row_bytes, raster->height) ||
      !g_size_checked_mul (&total, total, pages))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: inconsistent raster: %u x %u, stride %" G_GSIZE_FORMAT
                   ", page stride %" G_GSIZE_FORMAT, path, raster->width, raster->height,
                   raster->stride, raster->page_stride);
      return FALSE;
    }

  fd = fen_atomic_file_open (path, &tmp_path, error);
  if (fd < 0)
    return FALSE;
  /* TIFFClose closes fd without telling us whether the data reached the
   * disk; a second descriptor lets fen_atomic_file_finish() fsync after it. */
  sync_fd = dup (fd);
  if (sync_fd < 0)
    {
      int saved_errno = errno;
      fen_atomic_file_finish (tmp_path, fd, FALSE, path, NULL);
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: cannot write: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  /* Classic TIFF addresses 4 GiB; leave room for the directories. */
  tif = fen_tiff_open_fd (fd, total > (gsize) 3584 * 1024 * 1024 ? "w8" : "w", &messages);
  if (tif == NULL)
    {
      close (fd);
      ok = fen_tiff_write_failed (path, &messages, error);
    }
  else
    {
      ok = fen_tiff_write_pages (tif, path, raster, row_bytes, &messages, error);
      TIFFClose (tif);
    }

  ok = fen_atomic_file_finish (tmp_path, sync_fd, ok, path, error);
  g_free (messages.first_error);
  return ok;
}
