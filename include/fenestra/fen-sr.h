/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-sr.h: measurements as a DICOM Structured Report, TID 1500 (Measurement
 * Report), written with DCMTK's dcmsr. */
#pragma once

#include "fen-measurement.h"

G_BEGIN_DECLS

/**
 * fen_sr_write:
 * @source: the DICOM file the measurements were made on (its patient,
 *   study and image identify the report's subject)
 * @image: that file, loaded (for the values)
 * @measurements: (element-type FenMeasurement)
 * @path: the report to write: an Enhanced SR object in a new series of the
 *   image's study, written atomically
 *
 * Each distance, angle, Cobb angle and region becomes a TID 1501 measurement
 * group: its values (length in mm; angle in degrees; area in mm² and, for
 * CT, mean, SD, minimum and maximum in HU) and where it was drawn (an
 * image reference and spatial coordinates, TID 300). Arrow texts become
 * comments of the report.
 * Returns: %FALSE with @error naming the cause.
 */
gboolean fen_sr_write (const char *source, FenImage *image, GPtrArray *measurements,
                       const char *path, GError **error);

G_END_DECLS
