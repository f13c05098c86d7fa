/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-sniff.c: a file's kind from its content, decided in one place. */
#define G_LOG_DOMAIN "fen-sniff"

#include "fen-sniff.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fenestra/fen-types.h"

FenFileKind
fen_sniff_head (const guint8 *head, gsize n)
{
  static const guint8 png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (n >= 8 && memcmp (head, png, 8) == 0)
    return FEN_FILE_PNG;
  /* PS3.10 7.1: the preamble may hold anything; "DICM" decides. */
  if (n >= FEN_SNIFF_HEAD && memcmp (head + 128, "DICM", 4) == 0)
    return FEN_FILE_DICOM;
  if (n >= 4 && (memcmp (head, "II*\0", 4) == 0 || memcmp (head, "MM\0*", 4) == 0 ||
                 memcmp (head, "II+\0", 4) == 0 || memcmp (head, "MM\0+", 4) == 0))
    return FEN_FILE_TIFF;
  /* A data set without preamble or meta header (old ACR-NEMA style files):
   * it starts with a small even group number, little or big endian,
   * usually 0008 or 0002. */
  if (n >= 8)
    {
      guint16 le = head[0] | head[1] << 8, be = head[0] << 8 | head[1];
      if ((le >= 0x0002 && le <= 0x0028 && le % 2 == 0) || (be >= 0x0002 && be <= 0x0028 && be % 2 == 0))
        return FEN_FILE_DICOM_BARE;
    }
  return FEN_FILE_UNKNOWN;
}

gboolean
fen_sniff (const char *path, FenSniff *out, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  guint8 head[FEN_SNIFF_HEAD];
  struct stat st;
  gssize n;
  int fd, saved;

  /* Non-blocking: a FIFO or device given as a file must not hang us. */
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: %s", name, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_OPEN, "%s: not a regular file", name);
      return FALSE;
    }
  do
    n = read (fd, head, sizeof head);
  while (n < 0 && errno == EINTR);
  saved = errno;
  close (fd);
  if (n <= 0)
    {
      g_set_error (error, FEN_IO_ERROR, n == 0 ? FEN_IO_ERROR_FORMAT : FEN_IO_ERROR_OPEN,
                   "%s: %s", name, n == 0 ? "the file is empty" : g_strerror (saved));
      return FALSE;
    }
  out->kind = fen_sniff_head (head, (gsize) n);
  out->size = st.st_size;
  return TRUE;
}
