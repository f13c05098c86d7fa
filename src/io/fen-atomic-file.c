/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-atomic-file.c: temporary file beside the destination, fsync, rename. */
#define G_LOG_DOMAIN "fen-io"

#include "fen-atomic-file.h"

#include "fenestra/fen-types.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int
fen_atomic_file_open (const char *path, char **tmp_path, GError **error)
{
  g_autofree char *name = NULL;
  int fd;

  g_return_val_if_fail (path != NULL && tmp_path != NULL, -1);

  name = g_strconcat (path, ".XXXXXX", NULL);
  /* 0666 so that the umask decides, as for any newly created file. */
  fd = g_mkstemp_full (name, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: cannot create a temporary file: %s", path, g_strerror (saved_errno));
      return -1;
    }
  *tmp_path = g_steal_pointer (&name);
  return fd;
}

gboolean
fen_atomic_file_finish (const char *tmp_path, int sync_fd, gboolean ok, const char *path, GError **error)
{
  int saved_errno = 0;

  g_return_val_if_fail (tmp_path != NULL && path != NULL, FALSE);

  if (ok && sync_fd < 0 && (sync_fd = g_open (tmp_path, O_RDONLY | O_CLOEXEC, 0)) < 0)
    saved_errno = errno;
  else if (ok && fsync (sync_fd) != 0)
    saved_errno = errno;
  if (sync_fd >= 0 && close (sync_fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (ok && saved_errno == 0 && g_rename (tmp_path, path) != 0)
    saved_errno = errno;
  if (ok && saved_errno != 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: cannot write: %s", path,
                   g_strerror (saved_errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);
  return ok;
}
