/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-measure-file.h: the measurements drawn on a series' MPR planes
 * (fen-mpr-measure.h), kept per user and per series (by Series Instance
 * UID) beside the per-image lists of fen-measurement-file.h: each one's
 * points in patient coordinates (mm) with the directions of its plane, so
 * that it comes back on the same plane. */
#pragma once

#include "fen-mpr-measure.h"

G_BEGIN_DECLS

/**
 * fen_mpr_measure_file_path:
 * @data_dir: (nullable): the base; %NULL for g_get_user_data_dir()
 *
 * Returns: (transfer full): @data_dir/fenestra/measurements/UID.mpr.json,
 * or %NULL with @error when @series_uid is not a UID (PS3.5 9.1).
 */
char    *fen_mpr_measure_file_path (const char *data_dir, const char *series_uid, GError **error);

/**
 * fen_mpr_measure_file_save:
 * @frame_of_reference_uid: (nullable): the volume's (PS3.3 C.7.4.1): the
 *   frame its patient coordinates are in
 * @measures: (array length=n_measures): all of the series' plane measurements
 *
 * Writes them atomically (a temporary file renamed over the old one); none
 * removes the file.
 */
gboolean fen_mpr_measure_file_save (const char          *data_dir,
                                    const char          *series_uid,
                                    const char          *frame_of_reference_uid,
                                    const FenMprMeasure *measures,
                                    guint                n_measures,
                                    GError             **error);

/**
 * fen_mpr_measure_file_load:
 * Returns: (transfer full) (element-type FenMprMeasure): the series' plane
 * measurements, empty when none were kept, or %NULL with @error for a file
 * that is not one of ours, or whose coordinates are in another frame of
 * reference than @frame_of_reference_uid (the file is left as it is).
 */
GArray  *fen_mpr_measure_file_load (const char *data_dir,
                                    const char *series_uid,
                                    const char *frame_of_reference_uid,
                                    GError    **error);

G_END_DECLS
