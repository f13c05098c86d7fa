/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-measurement-file.h: measurements kept per user, per image (by SOP
 * Instance UID), under the XDG data directory, and exported as CSV. */
#pragma once

#include "fen-measurement.h"

G_BEGIN_DECLS

/**
 * fen_measurement_file_path:
 * @data_dir: (nullable): the base; %NULL for g_get_user_data_dir()
 *
 * Returns: (transfer full): @data_dir/fenestra/measurements/UID.json, or
 * %NULL with @error when @sop_instance_uid is not a UID (PS3.5 9.1: digits
 * and dots, at most 64 characters), which keeps it a plain file name.
 */
char      *fen_measurement_file_path (const char *data_dir, const char *sop_instance_uid,
                                      GError **error);

/**
 * fen_measurement_file_save:
 * @measurements: (element-type FenMeasurement): all of the image's, any frame
 *
 * Writes them atomically (a temporary file renamed over the old one, so a
 * crash leaves the old list or the new one); an empty list removes the file.
 */
gboolean   fen_measurement_file_save (const char *data_dir, const char *sop_instance_uid,
                                      GPtrArray *measurements, GError **error);

/**
 * fen_measurement_file_load:
 * Returns: (transfer full) (element-type FenMeasurement): the image's
 * measurements, empty when none were kept, or %NULL with @error for a file
 * that is not one of ours (it is left as it is).
 */
GPtrArray *fen_measurement_file_load (const char *data_dir, const char *sop_instance_uid,
                                      GError **error);

/**
 * fen_measurement_export_csv:
 * One row per measurement: frame (from 1), kind, length in mm, angle in
 * degrees, region pixels, mean, SD, min, max, area in mm², unit, text.
 * No patient data. Written atomically.
 */
gboolean   fen_measurement_export_csv (FenImage *image, GPtrArray *measurements,
                                       const char *path, GError **error);

G_END_DECLS
