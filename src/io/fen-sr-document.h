// SPDX-License-Identifier: GPL-3.0-or-later
// fen-sr-document.h (private to src/io, C++): what the two structured
// reports Fenestra writes share (fen-sr.cc: the slice measurements,
// fen-sr-mpr.cc: the planes'): the subject copied from the measured image,
// the evidence, and the atomic write.
#pragma once

#include "fen-dicom-adapter.h"

#include "dcmtk/dcmsr/dsrdoc.h"

// The measured image's identity, read from its data set.
struct FenSrSource {
  OFString sop_class, sop_instance, study_uid, series_uid;
};

// A new UID under DCMTK's root, as its own tools make them.
OFString fen_sr_uid    ();
// @value as a Decimal String: at most 16 characters (PS3.5 6.2).
OFString fen_sr_number (double value);

// TRUE when @cond is good; else FALSE with @error naming @what.
gboolean fen_sr_check  (const OFCondition &cond, const char *what, GError **error);

// Reads the header of the measured image @path into @file (not its
// pixels) and its UIDs into @source; FALSE with @error (naming @name) when
// it cannot be read or a UID is missing.
gboolean fen_sr_source (const char *path, DcmFileFormat &file, FenSrSource &source,
                        const char *name, GError **error);

// Puts @doc (its tree complete) in a new series of @source's study, with
// @ds's patient and study as they are written there and @source as the
// evidence (PS3.3 C.17.2.3), and writes it to @path through a temporary
// file renamed over it: never half a report.
gboolean fen_sr_save   (DSRDocument &doc, DcmDataset *ds, const FenSrSource &source,
                        const char *series_description, const char *path, GError **error);
