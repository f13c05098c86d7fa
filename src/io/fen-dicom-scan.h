/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicom-scan.h (private to src/io): a bounded walk over a DICOM file's
 * element headers before DCMTK parses it, refusing what would make DCMTK
 * 3.6.7 itself misbehave. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sequences nested deeper than this are refused. Real objects stay below
 * ten; DCMTK's recursive parser overflows an 8 MiB stack near 10,000. */
#define FEN_DICOM_SCAN_MAX_DEPTH 64

/**
 * fen_dicom_scan_full:
 * @path: the file
 * @name: the file's name for messages
 * @has_meta: the file has a preamble and meta header (fen_sniff() said
 *   %FEN_FILE_DICOM); without, the data set starts at byte 0
 * @max_depth: deepest sequence nesting allowed
 * @file_ids: (nullable) (element-type utf8): receives the Referenced File ID
 *   (0004,1500) of every record of a DICOMDIR's Directory Record Sequence,
 *   as written (components separated by backslashes)
 * @has_records: (nullable) (out): whether the data set has a Directory
 *   Record Sequence at its top level
 * @error: return location for a %FEN_IO_ERROR
 *
 * Walks the data set's element and item headers iteratively (no recursion,
 * constant memory): the meta header, then the data set in the transfer
 * syntax it names (inflating a deflated one), guessing the syntax when there
 * is no meta header. Refuses sequences nested deeper than @max_depth, and in
 * a deflated data set any value longer than what the stream really holds
 * (DCMTK would allocate the declared length before reading it). Anything
 * the walk cannot follow ends the walk without an error: judging the file
 * is DCMTK's job, the walk only keeps DCMTK safe.
 *
 * It also reads a DICOMDIR's file references, without DCMTK: DCMTK 3.6.7
 * leaks the records of a malformed Directory Record Sequence, and its
 * DcmDicomDir class writes the file back when it thinks it changed.
 *
 * Returns: %FALSE with @error set when the file must not reach DCMTK.
 */
gboolean fen_dicom_scan_full (const char *path,
                              const char *name,
                              gboolean    has_meta,
                              guint       max_depth,
                              GPtrArray  *file_ids,
                              gboolean   *has_records,
                              GError    **error);

G_END_DECLS
