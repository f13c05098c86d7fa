/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-png.c: PNG in and out through libpng. The loader decodes every row
 * straight into the image's one pixel buffer; the writer goes through a
 * temporary file in the target directory so a failed export leaves nothing. */
#define G_LOG_DOMAIN "fen-png"

#include "fenestra/fen-loader.h"
#include "fenestra/fen-writer.h"
#include "fen-atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* DICOM Rows and Columns are 16-bit (PS3.3 C.7.6.3), so nothing this viewer
 * shows is larger; anything bigger in a PNG header is refused before libpng
 * or we allocate a byte for it. */
#define FEN_PNG_MAX_DIMENSION 65535u

/* libpng reports errors by calling us and expecting a longjmp. Everything the
 * error path needs lives in this struct, reached through a pointer that never
 * changes after setjmp, so no local of the setjmp frame is ever read after a
 * longjmp (C17 7.13.2.1: such locals are indeterminate unless volatile). */
typedef struct {
  char     message[256];  /* first libpng error */
  gboolean end_of_file;   /* the file ended before libpng was done */
  gboolean io_failed;     /* read(2) or write(2) failed */
  int      io_errno;
} FenPngStatus;

typedef struct {
  FenPngStatus status;

  /* Borrowed */
  const char            *name;     /* basename, for messages */
  const FenLoadOptions  *options;
  FILE                  *fp;
  guint64                file_size;

  /* Owned (freed by fen_png_reader_clear) */
  png_structp            png;
  png_infop              info;
  FenImage              *image;
  GError                *error;    /* a failure of ours, not of libpng */
} FenPngReader;

typedef struct {
  FenPngStatus status;

  /* Borrowed */
  const FenRaster *raster;
  FILE            *fp;

  /* Owned */
  png_structp      png;
  png_infop        info;
} FenPngWriter;

static void
fen_png_error_cb (png_structp png, png_const_charp message)
{
  FenPngStatus *status = png_get_error_ptr (png);

  if (status->message[0] == '\0')
    g_strlcpy (status->message, message, sizeof status->message);
  png_longjmp (png, 1);
}

static void
fen_png_warning_cb (png_structp png, png_const_charp message)
{
  /* Warnings are about ancillary chunks (bad sRGB profiles, CRCs of text);
   * the pixels are fine, so they go to the debug log and nowhere else. */
  g_debug ("libpng warning: %s", message);
}

static void
fen_png_read_cb (png_structp png, png_bytep data, size_t length)
{
  FenPngReader *reader = png_get_io_ptr (png);

  if (fread (data, 1, length, reader->fp) != length)
    {
      if (ferror (reader->fp))
        {
          reader->status.io_failed = TRUE;
          reader->status.io_errno = errno;
          png_error (png, "read error");
        }
      reader->status.end_of_file = TRUE;
      png_error (png, "file ends early");
    }
}

static guint32
fen_png_read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Reads the signature and peeks at IHDR ourselves, so that absurd sizes are
 * refused with their numbers before libpng allocates row buffers for them. */
static gboolean
fen_png_check_start (FenPngReader *reader, GError **error)
{
  guint8 head[24];
  size_t n = fread (head, 1, sizeof head, reader->fp);
  guint32 width, height;

  if (ferror (reader->fp))
    {
      int saved_errno = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN,
                   "%s: cannot read: %s", reader->name, g_strerror (saved_errno));
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT,
                   "%s: the file is empty", reader->name);
      return FALSE;
    }
  if (png_sig_cmp (head, 0, MIN (n, 8)) != 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT,
                   "%s: not a PNG file (wrong signature)", reader->name);
      return FALSE;
    }
  if (n < sizeof head)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED,
                   "%s: the file ends inside the PNG header", reader->name);
      return FALSE;
    }
  if (memcmp (head + 12, "IHDR", 4) != 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: the PNG does not start with an IHDR chunk", reader->name);
      return FALSE;
    }
  width = fen_png_read_be32 (head + 16);
  height = fen_png_read_be32 (head + 20);
  if (width > FEN_PNG_MAX_DIMENSION || height > FEN_PNG_MAX_DIMENSION)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "%s: the PNG declares %u x %u pixels, more than %u in a dimension",
                   reader->name, width, height, FEN_PNG_MAX_DIMENSION);
      return FALSE;
    }
  if (n == sizeof head && reader->file_size > 0)
    {
      /* A file can only lie about its size up to deflate's ceiling of
       * 1032:1 (zlib's documented maximum ratio); a 100-byte file that
       * declares gigabytes is refused before the buffer is reserved. The
       * minimum is 1 bit per pixel plus the filter byte of each row. */
      guint64 raw = ((guint64) width + 7) / 8 * height + height;

      if (raw / 1032 > reader->file_size + 1024)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED,
                       "%s: %" G_GUINT64_FORMAT " bytes cannot hold the %u x %u pixels "
                       "the PNG declares", reader->name, reader->file_size, width, height);
          return FALSE;
        }
    }
  /* libpng reads IHDR again, through our callback, after the signature. */
  if (fseek (reader->fp, 8, SEEK_SET) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN,
                   "%s: cannot seek: %s", reader->name, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Everything here may longjmp out through fen_png_read_guarded; it keeps its
 * results in @reader only. Returns FALSE with reader->error for our own
 * failures. */
static gboolean
fen_png_read_body (FenPngReader *reader)
{
  png_structp png = reader->png;
  png_infop info = reader->info;
  png_uint_32 width, height;
  int bit_depth, color_type, interlace, passes;
  guint samples, bits, bytes_per_sample;
  gsize stride;
  guint8 *pixels;
  const char *photometric_name;
  FenImageInfo image_info;

  png_set_sig_bytes (png, 8);
  png_set_user_limits (png, FEN_PNG_MAX_DIMENSION, FEN_PNG_MAX_DIMENSION);
  png_read_info (png, info);
  png_get_IHDR (png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);

  /* Reduce every layout to gray or RGB, 8 or 16 bits, without alpha: the
   * image model has no alpha and no 16-bit colour (see fen_image_compute_size). */
  switch (color_type)
    {
    case PNG_COLOR_TYPE_PALETTE:
      /* This also expands tRNS to alpha, which strip_alpha then drops. */
      png_set_palette_to_rgb (png);
      png_set_strip_alpha (png);
      samples = 3;
      bits = 8;
      photometric_name = "PALETTE COLOR";
      break;
    case PNG_COLOR_TYPE_GRAY:
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      if (bit_depth < 8)
        png_set_expand_gray_1_2_4_to_8 (png);
      if (color_type & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha (png);
      samples = 1;
      bits = bit_depth == 16 ? 16 : 8;
      photometric_name = "MONOCHROME2";
      break;
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_RGB_ALPHA:
      if (color_type & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha (png);
      /* 16-bit colour is reduced with rounding (not truncation) because the
       * core holds colour as 8 bits only; the screen shows 8 bits anyway. */
      if (bit_depth == 16)
        {
          png_set_scale_16 (png);
          g_debug ("%s: 16-bit colour reduced to 8 bits", reader->name);
        }
      samples = 3;
      bits = 8;
      photometric_name = "RGB";
      break;
    default:
      g_set_error (&reader->error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: unknown PNG colour type %d", reader->name, color_type);
      return FALSE;
    }

  /* PNG is big-endian; the image model wants native order. */
  if (bits == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (png);

  /* For interlaced files libpng merges each pass into the rows we hand it, so
   * the final buffer is still the only one. */
  passes = png_set_interlace_handling (png);
  png_read_update_info (png, info);

  bytes_per_sample = bits / 8;
  stride = (gsize) width * samples * bytes_per_sample;
  /* A mismatch would be our bug in the transform set-up above; catch it
   * before libpng writes rows of another size into the buffer. */
  if (png_get_channels (png, info) != samples || png_get_bit_depth (png, info) != bits ||
      png_get_rowbytes (png, info) != stride)
    {
      g_set_error (&reader->error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: unexpected PNG layout after conversion (type %d, %d bits)",
                   reader->name, color_type, bit_depth);
      return FALSE;
    }

  fen_image_info_init (&image_info);
  image_info.rows = height;
  image_info.columns = width;
  image_info.frames = 1;
  image_info.samples_per_pixel = samples;
  image_info.bits_allocated = bits;
  image_info.bits_stored = bits;
  image_info.high_bit = bits - 1;
  image_info.pixel_representation = 0;
  image_info.photometric = samples == 3 ? FEN_PHOTOMETRIC_RGB : FEN_PHOTOMETRIC_MONOCHROME2;
  image_info.photometric_name = g_strdup (photometric_name);
  image_info.rescale_slope = 1.0;
  image_info.rescale_intercept = 0.0;
  image_info.format = g_strdup ("PNG");
  image_info.modality = g_strdup ("OT");
  /* pHYs is left alone on purpose: it describes print or screen size (often
   * a default 72 dpi), not the patient, and a pixel spacing taken from it
   * would make measurements look calibrated when they are not. */
  reader->image = fen_image_new_for_load (&image_info, reader->options, &reader->error);
  fen_image_info_clear (&image_info);
  if (reader->image == NULL)
    {
      g_prefix_error (&reader->error, "%s: ", reader->name);
      return FALSE;
    }

  pixels = fen_image_get_pixels_mutable (reader->image);
  for (int pass = 0; pass < passes; pass++)
    for (png_uint_32 y = 0; y < height; y++)
      png_read_row (png, pixels + y * stride, NULL);

  /* png_read_end is skipped on purpose: it only checks chunks after the
   * pixels, and a damaged comment there should not cost the image. */
  return TRUE;
}

/* The only function that calls setjmp: it has no locals, so nothing here can
 * be clobbered by the longjmp. */
static gboolean
fen_png_read_guarded (FenPngReader *reader)
{
  if (setjmp (png_jmpbuf (reader->png)))
    return FALSE;
  return fen_png_read_body (reader);
}

static void
fen_png_reader_clear (FenPngReader *reader)
{
  if (reader->png != NULL)
    png_destroy_read_struct (&reader->png, reader->info ? &reader->info : NULL, NULL);
  g_clear_pointer (&reader->image, fen_image_unref);
  g_clear_error (&reader->error);
}

/**
 * fen_png_load:
 * @path: the file, opened read-only
 * @options: (nullable): limits
 * @error: %FEN_IO_ERROR on failure
 *
 * Loads a PNG as an 8- or 16-bit gray or 8-bit RGB image of one frame.
 * Palettes become RGB, alpha is dropped, 1/2/4-bit gray becomes 8-bit and
 * 16-bit colour is reduced to 8 bits.
 *
 * Returns: (transfer full): the image, or %NULL with @error naming the file.
 */
FenImage *
fen_png_load (const char *path, const FenLoadOptions *options, GError **error)
{
  g_autofree char *name = NULL;
  FenPngReader reader = { 0 };
  FenImage *image = NULL;
  struct stat st;
  FILE *fp;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_path_get_basename (path);
  fp = fopen (path, "rbe");
  if (fp == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN,
                   "%s: cannot open: %s", name, g_strerror (saved_errno));
      return NULL;
    }

  reader.name = name;
  reader.options = options;
  reader.fp = fp;
  if (fstat (fileno (fp), &st) == 0 && S_ISREG (st.st_mode))
    reader.file_size = (guint64) st.st_size;

  if (!fen_png_check_start (&reader, error))
    {
      fclose (fp);
      return NULL;
    }

  reader.png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &reader.status,
                                       fen_png_error_cb, fen_png_warning_cb);
  if (reader.png != NULL)
    reader.info = png_create_info_struct (reader.png);
  if (reader.png == NULL || reader.info == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "%s: out of memory for the PNG decoder", name);
      fen_png_reader_clear (&reader);
      fclose (fp);
      return NULL;
    }
  png_set_read_fn (reader.png, &reader, fen_png_read_cb);

  if (fen_png_read_guarded (&reader))
    {
      image = g_steal_pointer (&reader.image);
      fen_image_set_path (image, path);
    }
  else if (reader.error != NULL)
    g_propagate_error (error, g_steal_pointer (&reader.error));
  else if (reader.status.io_failed)
    g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: cannot read: %s",
                 name, g_strerror (reader.status.io_errno));
  else if (reader.status.end_of_file)
    g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED,
                 "%s: the PNG data ends early", name);
  else
    g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                 "%s: damaged PNG: %s", name, reader.status.message);

  fen_png_reader_clear (&reader);
  fclose (fp);
  return image;
}

/* ---- Writing ------------------------------------------------------------ */

static void
fen_png_write_cb (png_structp png, png_bytep data, size_t length)
{
  FenPngWriter *writer = png_get_io_ptr (png);

  if (fwrite (data, 1, length, writer->fp) != length)
    {
      writer->status.io_failed = TRUE;
      writer->status.io_errno = errno;
      png_error (png, "write error");
    }
}

static void
fen_png_flush_cb (png_structp png)
{
  FenPngWriter *writer = png_get_io_ptr (png);

  if (fflush (writer->fp) != 0)
    {
      writer->status.io_failed = TRUE;
      writer->status.io_errno = errno;
      png_error (png, "write error");
    }
}

static void
fen_png_write_body (FenPngWriter *writer)
{
  const FenRaster *raster = writer->raster;
  static const int color_types[] = {
    0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA,
  };

  png_set_write_fn (writer->png, writer, fen_png_write_cb, fen_png_flush_cb);
  png_set_IHDR (writer->png, writer->info, raster->width, raster->height, (int) raster->bits,
                color_types[raster->channels], PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (writer->png, writer->info);
  /* The raster is native-endian; PNG is big-endian. png_write_row copies
   * each row before transforming it, so the caller's pixels stay intact. */
  if (raster->bits == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (writer->png);
  for (guint y = 0; y < raster->height; y++)
    png_write_row (writer->png, (png_const_bytep) raster->pixels + y * raster->stride);
  png_write_end (writer->png, NULL);
}

static gboolean
fen_png_write_guarded (FenPngWriter *writer)
{
  if (setjmp (png_jmpbuf (writer->png)))
    return FALSE;
  fen_png_write_body (writer);
  return TRUE;
}

/* Refuses what PNG cannot hold before a temporary file is created. */
static gboolean
fen_png_check_raster (const char *path, const FenRaster *raster, GError **error)
{
  gsize row_bytes;

  if (raster->channels != 1 && raster->channels != 3 && raster->channels != 4)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: PNG output of %u channels is not supported", path, raster->channels);
      return FALSE;
    }
  if (raster->bits != 8 && raster->bits != 16)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: PNG output of %u-bit samples is not supported", path, raster->bits);
      return FALSE;
    }
  if (raster->is_signed)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: PNG cannot hold signed samples; write TIFF", path);
      return FALSE;
    }
  if (raster->pages > 1)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s: PNG holds one page; write TIFF for %u pages", path, raster->pages);
      return FALSE;
    }
  if (raster->width == 0 || raster->height == 0 ||
      raster->width > PNG_UINT_31_MAX || raster->height > PNG_UINT_31_MAX)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: PNG cannot hold %u x %u pixels", path, raster->width, raster->height);
      return FALSE;
    }
  if (!g_size_checked_mul (&row_bytes, raster->width, raster->channels * (raster->bits / 8)) ||
      raster->stride < row_bytes)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: row stride %" G_GSIZE_FORMAT " is shorter than a row", path,
                   raster->stride);
      return FALSE;
    }
  return TRUE;
}

/**
 * fen_png_write:
 * @path: the file to create or replace
 * @raster: 8/16-bit gray, RGB or RGBA, unsigned, one page
 * @error: %FEN_IO_ERROR_UNSUPPORTED for layouts PNG cannot hold,
 *   %FEN_IO_ERROR_WRITE naming @path otherwise
 *
 * Writes to a temporary file next to @path and renames it into place, so
 * @path holds either its old content or the complete new file.
 *
 * Returns: %TRUE on success.
 */
gboolean
fen_png_write (const char *path, const FenRaster *raster, GError **error)
{
  g_autofree char *tmp_path = NULL;
  FenPngWriter writer = { 0 };
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (raster != NULL && raster->pixels != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!fen_png_check_raster (path, raster, error))
    return FALSE;

  fd = fen_atomic_file_open (path, &tmp_path, error);
  if (fd < 0)
    return FALSE;
  writer.fp = fdopen (fd, "wb");
  if (writer.fp == NULL)
    {
      int saved_errno = errno;
      fen_atomic_file_finish (tmp_path, fd, FALSE, path, NULL);
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: cannot write: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  writer.raster = raster;

  writer.png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &writer.status,
                                        fen_png_error_cb, fen_png_warning_cb);
  if (writer.png != NULL)
    writer.info = png_create_info_struct (writer.png);
  ok = writer.png != NULL && writer.info != NULL && fen_png_write_guarded (&writer);
  if (writer.png != NULL)
    png_destroy_write_struct (&writer.png, writer.info ? &writer.info : NULL);

  /* fclose hands stdio's buffer to the kernel; fen_atomic_file_finish()
   * flushes it to the disk and renames. */
  if (fclose (writer.fp) != 0 && ok)
    {
      ok = FALSE;
      writer.status.io_failed = TRUE;
      writer.status.io_errno = errno;
    }
  if (!ok)
    {
      fen_atomic_file_finish (tmp_path, -1, FALSE, path, NULL);
      if (writer.status.io_failed)
        g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: cannot write: %s",
                     path, g_strerror (writer.status.io_errno));
      else
        g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: cannot write: %s", path,
                     writer.status.message[0] ? writer.status.message
                                              : "out of memory for the PNG encoder");
      return FALSE;
    }
  return fen_atomic_file_finish (tmp_path, -1, TRUE, path, error);
}
