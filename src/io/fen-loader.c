/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-loader.c: picks the loader by a file's content, not its name. */
#define G_LOG_DOMAIN "fen-loader"

#include "fenestra/fen-loader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum {
  FEN_FORMAT_UNKNOWN,
  FEN_FORMAT_DICOM,
  FEN_FORMAT_PNG,
  FEN_FORMAT_TIFF,
} FenFormat;

static FenFormat
fen_loader_sniff (const guint8 *head, gsize n)
{
  static const guint8 png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (n >= 8 && memcmp (head, png, 8) == 0)
    return FEN_FORMAT_PNG;
  if (n >= 4 && (memcmp (head, "II*\0", 4) == 0 || memcmp (head, "MM\0*", 4) == 0 ||
                 memcmp (head, "II+\0", 4) == 0 || memcmp (head, "MM\0+", 4) == 0))
    return FEN_FORMAT_TIFF;
  if (n >= 132 && memcmp (head + 128, "DICM", 4) == 0)
    return FEN_FORMAT_DICOM;
  /* A data set without preamble or meta header (PS3.10 allows none for
   * old ACR-NEMA style files): it starts with a small even group number,
   * little or big endian, usually 0008 or 0002. */
  if (n >= 8)
    {
      guint16 le = head[0] | head[1] << 8, be = head[0] << 8 | head[1];
      if ((le >= 0x0002 && le <= 0x0028 && le % 2 == 0) || (be >= 0x0002 && be <= 0x0028 && be % 2 == 0))
        return FEN_FORMAT_DICOM;
    }
  return FEN_FORMAT_UNKNOWN;
}

void
fen_loader_init (void)
{
  fen_dicom_init ();
}

FenImage *
fen_load_file (const char *path, const FenLoadOptions *options, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  guint8 head[132];
  struct stat st;
  gssize n;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Non-blocking: a FIFO or device given as a file must not hang us. */
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: %s", name, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: not a regular file", name);
      return NULL;
    }
  do
    n = read (fd, head, sizeof head);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n <= 0)
    {
      g_set_error (error, FEN_IO_ERROR, n == 0 ? FEN_IO_ERROR_FORMAT : FEN_IO_ERROR_OPEN,
                   "%s: %s", name, n == 0 ? "the file is empty" : g_strerror (errno));
      return NULL;
    }

  switch (fen_loader_sniff (head, (gsize) n))
    {
    case FEN_FORMAT_PNG:   return fen_png_load (path, options, error);
    case FEN_FORMAT_TIFF:  return fen_tiff_load (path, options, error);
    case FEN_FORMAT_DICOM: return fen_dicom_load (path, options, error);
    case FEN_FORMAT_UNKNOWN:
    default:
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT,
                   "%s: not a DICOM, PNG or TIFF file", name);
      return NULL;
    }
}

FenImage *
fen_load_into_store (FenStore             *store,
                     const char           *path,
                     const FenLoadOptions *options,
                     GError              **error)
{
  g_autoptr(FenImage) image = fen_load_file (path, options, error);

  if (image == NULL)
    return NULL;
  fen_image_set_path (image, path);
  fen_store_add (store, image);
  /* The store's reference keeps the image alive once ours goes. */
  return image;
}

gboolean
fen_load_restore (FenStore             *store,
                  guint                 id,
                  const FenLoadOptions *options,
                  GError              **error)
{
  FenImage *image = fen_store_lookup (store, id);
  g_autoptr(FenImage) fresh = NULL;

  if (image == NULL || !fen_store_is_evicted (store, id))
    return TRUE;
  if (fen_image_get_path (image) == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN,
                   "%s: evicted, and there is no file to read it from again",
                   fen_image_get_log_name (image));
      return FALSE;
    }
  fresh = fen_load_file (fen_image_get_path (image), options, error);
  return fresh != NULL && fen_store_restore (store, id, fresh, error);
}
