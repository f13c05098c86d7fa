/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-input.h: the synthetic CT images the benchmark measures. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * fen_bench_input_write_ct:
 * @path: the DICOM file to write (no blanks, '#' or brackets: dump2dcm's
 *   "=file" syntax ends a name there)
 * @slice: position in a series (moves the anatomy and sets Instance Number
 *   and Image Position)
 * @series_uid: (nullable): Series Instance UID suffix shared by a series
 *
 * Builds a 16-bit signed CT-like image in memory (air, body, lungs, bone
 * ring, noise; Hounsfield units with slope 1 and intercept 0) and has
 * DCMTK's dump2dcm turn it into an explicit VR little endian Part 10 file.
 */
gboolean fen_bench_input_write_ct (const char *path,
                                   guint       rows,
                                   guint       cols,
                                   guint       slice,
                                   const char *series_uid,
                                   GError    **error);

/* Writes an RLE Lossless copy of @in with DCMTK's dcmcrle. */
gboolean fen_bench_input_write_rle (const char *in, const char *out, GError **error);
gboolean fen_bench_input_write_jpeg (const char *in, const char *out, gboolean jpeg_ls, GError **error);
/* Runs @argv (argv[0] found on PATH) and waits; its output is dropped. */
gboolean fen_bench_input_spawn (const char * const *argv, GError **error);

/* Reads @path once so later loads come from the page cache. */
gboolean fen_bench_input_warm_cache (const char *path, GError **error);

G_END_DECLS
