/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-render-private.h: lends the renderer's threads and chunking to the
 * core's other renderers (the reformat), so there is one pool and one way
 * of cutting work, and the same thread/chunk invariance. */
#pragma once

#include "fenestra/fen-render.h"

/* Renders output rows [@first, @last) of the job @data describes. Runs on
 * the caller and the renderer's workers at once: it must write only its
 * rows and allocate nothing. */
typedef void (*FenRenderRowsFunc) (gconstpointer data, guint first, guint last);

/* Cuts @out_height rows of @out_width pixels into chunks of the renderer's
 * chunk size and runs @func over them on the caller and the workers; returns
 * when all are done. One job at a time per renderer, as every render. */
void _fen_renderer_run_rows (FenRenderer       *renderer,
                             guint              out_width,
                             guint              out_height,
                             FenRenderRowsFunc  func,
                             gconstpointer      data);
