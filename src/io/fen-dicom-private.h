/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicom-private.h (private to src/io): what the DCMTK adapter offers the
 * rest of src/io besides loading images: a file's identifying header, and
 * the files a DICOMDIR references. C callable; fen-dicom.cc implements it. */
#pragma once

#include <glib.h>

#include "fenestra/fen-loader.h"
#include "fen-sniff.h"

G_BEGIN_DECLS

/* The identifying attributes of one DICOM object (strings owned, UTF-8). */
typedef struct {
  char    *sop_class_uid;
  char    *sop_instance_uid;
  char    *patient_id;
  char    *patient_name;
  char    *study_uid;
  char    *study_date;
  char    *study_description;
  char    *series_uid;
  char    *series_description;
  char    *modality;
  gint     series_number;
  gint     instance_number;
  guint    frames;
  gboolean has_image;   /* Rows and Columns present: an image object */
  /* Image Position and Orientation (Patient), PS3.3 C.7.6.2.1.1: what
   * orders a series (fen-series-order.h) before any pixel is read. */
  gboolean has_plane;
  double   position[3];
  double   orientation[6];
} FenDicomHeader;

/**
 * fen_dicom_load_sniffed:
 * fen_dicom_load() for a file whose kind fen_sniff() has decided already
 * (%FEN_FILE_DICOM or %FEN_FILE_DICOM_BARE): the file is not sniffed again.
 * Returns: (transfer full): the image, or %NULL with @error set.
 */
FenImage *fen_dicom_load_sniffed (const char           *path,
                                  const FenSniff       *sniff,
                                  const FenLoadOptions *options,
                                  GError              **error);

void     fen_dicom_header_clear (FenDicomHeader *header);

/**
 * fen_dicom_read_header:
 * Reads @path up to its Pixel Data, never the pixels, behind the same
 * guards as fen_dicom_load(). The file is only read.
 * Returns: %FALSE with @error (%FEN_IO_ERROR_FORMAT for a file that is not
 * DICOM) naming the file.
 */
gboolean fen_dicom_read_header (const char     *path,
                                FenDicomHeader *header,
                                GError        **error);

/**
 * fen_dicom_read_dicomdir:
 * @path: a DICOMDIR (PS3.10 8.6, PS3.3 F.5)
 * @files: (element-type filename): receives the absolute path of every file
 *   a record references, under the DICOMDIR's folder
 * @problems: (element-type utf8): receives a message per record that cannot
 *   be followed (a Referenced File ID with "..", absolute or empty
 *   components, or a file that does not exist)
 *
 * Read as a plain data set: DCMTK's DcmDicomDir would write the file back
 * from its destructor when it thinks it changed, and shows a missing file as
 * an empty tree. The DICOMDIR is only read.
 * Returns: %FALSE with @error when @path is not a readable DICOMDIR.
 */
gboolean fen_dicom_read_dicomdir (const char *path,
                                  GPtrArray  *files,
                                  GPtrArray  *problems,
                                  GError    **error);

G_END_DECLS
