/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-loader.c: picks the loader by a file's content, not its name. */
#define G_LOG_DOMAIN "fen-loader"

#include "fenestra/fen-loader.h"

#include "fen-dicom-private.h"
#include "fen-sniff.h"

void
fen_loader_init (void)
{
  fen_dicom_init ();
}

FenImage *
fen_load_file (const char *path, const FenLoadOptions *options, GError **error)
{
  g_autofree char *name = NULL;
  FenSniff sniff;

  g_return_val_if_fail (path != NULL, NULL);

  /* The kind is decided here, once, and the loader is told it. */
  if (!fen_sniff (path, &sniff, error))
    return NULL;
  switch (sniff.kind)
    {
    case FEN_FILE_PNG:        return fen_png_load (path, options, error);
    case FEN_FILE_TIFF:       return fen_tiff_load (path, options, error);
    case FEN_FILE_DICOM:
    case FEN_FILE_DICOM_BARE: return fen_dicom_load_sniffed (path, &sniff, options, error);
    case FEN_FILE_UNKNOWN:
    default:
      name = g_path_get_basename (path);
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
