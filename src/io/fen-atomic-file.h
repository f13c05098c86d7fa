/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-atomic-file.h: how every writer in io replaces a file whole: a
 * temporary file beside the destination, written, flushed to the disk, then
 * renamed over it (as g_file_set_contents() does), so that a crash or a kill
 * at any moment leaves the old file or the new one, never half of one.
 * Private to libfenestra-io. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * fen_atomic_file_open:
 * @path: the file to create or replace
 * @tmp_path: (out) (transfer full): the temporary file's name
 *
 * Creates a new temporary file beside @path, mode 0666 less the umask as
 * for any newly created file, close-on-exec.
 * Returns: its descriptor, or -1 with %FEN_IO_ERROR_WRITE naming @path.
 */
int      fen_atomic_file_open   (const char *path,
                                 char      **tmp_path,
                                 GError    **error);

/**
 * fen_atomic_file_finish:
 * @tmp_path: from fen_atomic_file_open()
 * @sync_fd: a descriptor of the temporary file to flush to the disk and
 *   close (taken), or -1 to open it again for that
 * @ok: whether the writer wrote all of it
 * @path: the destination
 *
 * With @ok: fsync (before the rename, or a crash could leave the new name
 * on an empty file), close, rename over @path. Without @ok, or when a step
 * fails, the temporary file is removed and @path keeps its old content.
 * @error is set only when @ok was %TRUE and a step failed (the writer sets
 * its own otherwise).
 * Returns: whether @path now holds the new file.
 */
gboolean fen_atomic_file_finish (const char *tmp_path,
                                 int         sync_fd,
                                 gboolean    ok,
                                 const char *path,
                                 GError    **error);

G_END_DECLS
