/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicom-tags.h: a DICOM file's attributes as a tree, for the tag browser. */
#pragma once

#include "fen-types.h"

G_BEGIN_DECLS

/* Values longer than this are cut (with an ellipsis) when read. */
#define FEN_DICOM_TAG_MAX_VALUE 256

typedef struct _FenDicomTag FenDicomTag;

/**
 * FenDicomTag:
 * One attribute (or one item of a sequence: group FFFE, element E000).
 * @vr: the value representation as two letters ("SQ", "PN", ...)
 * @keyword: DCMTK's dictionary name ("PatientName"), for private tags under
 *   their creator; "Unknown" when no dictionary knows it; "Item" for items
 * @value: the value as text, UTF-8, at most %FEN_DICOM_TAG_MAX_VALUE
 *   characters; a description such as "(2097152 bytes, not read)" for
 *   binary values too large to read, and always for pixel data, which is
 *   never read. It may hold patient data: never log it.
 * @private_creator: (nullable): the Private Creator of a private tag
 * @length: the value's length in bytes as the file gives it
 * @children: (nullable): a sequence's items, an item's attributes
 */
struct _FenDicomTag {
  guint16      group;
  guint16      element;
  char         vr[4];
  char        *keyword;
  char        *value;
  char        *private_creator;
  guint32      length;
  GPtrArray   *children;
};

/**
 * fen_dicom_read_tags:
 * Reads the attributes of the DICOM file @path: the meta header (group
 * 0002) first, then the data set, sequences as children. Large values are
 * left on disk; the pixel data is never read.
 * Returns: (transfer full) (element-type FenDicomTag): the top-level
 * attributes (free with g_ptr_array_unref), or %NULL with @error in
 * %FEN_IO_ERROR.
 */
GPtrArray *fen_dicom_read_tags (const char *path, GError **error);
void       fen_dicom_tag_free  (FenDicomTag *tag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenDicomTag, fen_dicom_tag_free)

G_END_DECLS
