/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dicom.c: libFuzzer target for fen_dicom_load(): any input ends in an
 * image whose every byte is readable and renders, or in a FEN_IO_ERROR. */
#define G_LOG_DOMAIN "fen-fuzz-dicom"

#include "fen-fuzz-util.h"
#include "fen-dicom-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
  FenLoadOptions options = { .max_pixel_bytes = FEN_FUZZ_MAX_PIXEL_BYTES };
  GError *error = NULL;
  FenImage *image = fen_dicom_load (fen_fuzz_as_file (data, size), &options, &error);

  fen_fuzz_check_result (image, error);
  if (image != NULL)
    {
      fen_fuzz_exercise_image (image);
      fen_image_unref (image);
    }
  g_clear_error (&error);

  /* The study index's two readers on the same bytes: the header alone, and
   * the input as a DICOMDIR (its Referenced File IDs resolved under /proc,
   * where nothing matches). */
  {
    FenDicomHeader header;
    g_autoptr(FenStudyIndex) index = fen_study_index_new ();
    const char *path = fen_fuzz_as_file (data, size);
    if (fen_dicom_read_header (path, &header, &error))
      fen_dicom_header_clear (&header);
    else
      fen_fuzz_check_result (NULL, error);
    g_clear_error (&error);
    if (!fen_study_index_add_dicomdir (index, path, &error))
      fen_fuzz_check_result (NULL, error);
    g_clear_error (&error);
  }
  return 0;
}
