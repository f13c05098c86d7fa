/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-fuzz-util.h: what every libFuzzer target shares: the input as a file
 * (the loaders take paths) and a pass over the loaded image that would show
 * a short buffer or a bad table under AddressSanitizer. */
#pragma once

#include <fenestra/fenestra.h>

G_BEGIN_DECLS

/* The loaders refuse anything larger, so one input cannot exhaust memory. */
#define FEN_FUZZ_MAX_PIXEL_BYTES ((gsize) 64 << 20)

/* A path that reads back @data (a memfd under /proc/self/fd; valid until the
 * next call). */
const char *fen_fuzz_as_file (const guint8 *data, gsize size);

/* Reads every pixel byte, then renders frame 0 and the last frame through
 * the default window into small outputs of every format. */
void        fen_fuzz_exercise_image (FenImage *image);

/* Checks the loader's contract: an image or an error in FEN_IO_ERROR. */
void        fen_fuzz_check_result (FenImage *image, GError *error);

G_END_DECLS
