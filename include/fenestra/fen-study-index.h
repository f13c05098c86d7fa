/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-study-index.h: the one folder walker of the viewer and fenestra-cli:
 * a folder (recursively) or a DICOMDIR as patients, studies and series in
 * series order (fen-series-order.h), without loading any pixels, plus the
 * PNG and TIFF files met on the way. GTK-free. */
#pragma once

#include <gio/gio.h>

#include "fen-types.h"

G_BEGIN_DECLS

typedef struct _FenStudyIndex FenStudyIndex;

/**
 * FenObjectKind:
 * What a DICOM object is, from its SOP Class (PS3.4 B.5) and whether it
 * carries an image. Non-image objects are listed, not treated as errors.
 */
typedef enum {
  FEN_OBJECT_IMAGE,
  FEN_OBJECT_STRUCTURED_REPORT,   /* SR, key object selection */
  FEN_OBJECT_RT_PLAN,             /* RT (Ion) Plan, RT treatment records */
  FEN_OBJECT_RT_STRUCTURE_SET,
  FEN_OBJECT_WAVEFORM,            /* ECG, hemodynamic, audio ... */
  FEN_OBJECT_PRESENTATION_STATE,
  FEN_OBJECT_DOCUMENT,            /* encapsulated PDF, CDA */
  FEN_OBJECT_OTHER,               /* any other non-image object */
} FenObjectKind;

const char *fen_object_kind_to_string (FenObjectKind kind);

typedef struct {
  char         *path;
  char         *sop_class_uid;
  char         *sop_instance_uid;
  FenObjectKind kind;
  gint          instance_number;
  guint         frames;
  /* Image Position and Orientation (Patient), when both are present */
  gboolean      has_plane;
  double        position[3];
  double        orientation[6];
} FenStudyObject;

typedef struct {
  char      *series_uid;
  char      *modality;
  char      *description;
  gint       number;
  GPtrArray *objects;   /* FenStudyObject, in series order (fen_series_order_add()) */
} FenStudySeries;

typedef struct {
  char      *study_uid;
  char      *date;
  char      *description;
  GPtrArray *series;    /* FenStudySeries, by series number */
} FenStudy;

typedef struct {
  char      *patient_id;
  char      *name;
  GPtrArray *studies;   /* FenStudy, by date */
} FenStudyPatient;

FenStudyIndex *fen_study_index_new  (void);
void           fen_study_index_free (FenStudyIndex *index);

/**
 * fen_study_index_add_folder:
 * Reads the header of every regular file under @folder (symbolic links to
 * folders are not followed, so a loop cannot trap it; hidden files and
 * folders, whose names start with a dot, are not entered) and files each
 * DICOM object under its patient, study and series. A DICOMDIR met on the
 * way is followed too (fen_study_index_add_dicomdir()): its files are
 * under its folder, so the walk finds them anyway, but a record whose file
 * is missing becomes a problem. PNG and TIFF files are listed in
 * fen_study_index_get_rasters(); other files that are not DICOM are counted
 * in fen_study_index_get_n_ignored() and named in
 * fen_study_index_get_ignored(); unreadable DICOM files become problems.
 * Returns: %FALSE with @error only when @folder cannot be read.
 */
gboolean       fen_study_index_add_folder   (FenStudyIndex *index,
                                             const char    *folder,
                                             GError       **error);

/**
 * fen_study_index_add_dicomdir:
 * Files the objects a DICOMDIR references, read from their own headers.
 * Records that cannot be followed become problems. The DICOMDIR is only read.
 * Returns: %FALSE with @error when @path is not a readable DICOMDIR.
 */
gboolean       fen_study_index_add_dicomdir (FenStudyIndex *index,
                                             const char    *path,
                                             GError       **error);

/**
 * fen_study_index_add_path:
 * fen_study_index_add_folder() for a folder, fen_study_index_add_dicomdir()
 * for a DICOMDIR, else the one file (a DICOM object, a PNG or TIFF, or a
 * problem). Checks @cancellable (nullable) between files.
 * Returns: %FALSE with @error when @path cannot be read or is not a
 * DICOMDIR it claims to be, or %G_IO_ERROR_CANCELLED.
 */
gboolean       fen_study_index_add_path     (FenStudyIndex *index,
                                             const char    *path,
                                             GCancellable  *cancellable,
                                             GError       **error);

/* Patients in the order of their names. (transfer none) */
const GPtrArray *fen_study_index_get_patients (const FenStudyIndex *index);
/**
 * fen_study_index_list_series:
 * Every series of every study of every patient, in the index's order
 * (patients, their studies, their series), for a front end that walks
 * series, not the hierarchy.
 * Returns: (transfer container) (element-type FenStudySeries): the array
 * is the caller's, the series stay the index's.
 */
GPtrArray       *fen_study_index_list_series  (const FenStudyIndex *index);
/* One message (file name and cause) per file or record that was skipped. */
const GPtrArray *fen_study_index_get_problems (const FenStudyIndex *index);
guint          fen_study_index_get_n_ignored  (const FenStudyIndex *index);
/* One message (file name and cause) per file that is not DICOM, PNG or
 * TIFF. (transfer none) */
const GPtrArray *fen_study_index_get_ignored  (const FenStudyIndex *index);
/* Paths of the PNG and TIFF files found, sorted. (transfer none) */
const GPtrArray *fen_study_index_get_rasters  (const FenStudyIndex *index);
/* How many image objects (FEN_OBJECT_IMAGE) the index holds. */
guint          fen_study_index_get_n_images   (const FenStudyIndex *index);
guint          fen_study_index_get_n_objects  (const FenStudyIndex *index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenStudyIndex, fen_study_index_free)

G_END_DECLS
