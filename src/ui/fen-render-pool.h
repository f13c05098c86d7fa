/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-render-pool.h: a few frame-sized buffers that textures borrow and give back. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

/**
 * fen_render_pool_new:
 * @monitor: (nullable): where the pool's bytes are accounted as
 *   %FEN_MEMORY_RENDER; borrowed, must outlive the pool
 * @capacity: buffers kept for reuse
 * Returns: (transfer full): a pool; it lives until the last texture made
 * from it is gone, so textures may outlive the widget.
 */
FenRenderPool *fen_render_pool_new   (FenMemoryMonitor *monitor, guint capacity);
FenRenderPool *fen_render_pool_ref   (FenRenderPool *pool);
void           fen_render_pool_unref (FenRenderPool *pool);

/**
 * fen_render_pool_acquire:
 * A buffer of exactly @size bytes, reused when one is free.
 * Returns: (transfer full): wrap it with fen_render_pool_wrap().
 */
guint8        *fen_render_pool_acquire (FenRenderPool *pool, gsize size);

/* Returns: (transfer full): bytes over @buffer whose free function hands it back. */
GBytes        *fen_render_pool_wrap    (FenRenderPool *pool, guint8 *buffer, gsize size);

/* Frees the buffers nobody uses (after a resize or when idle). */
void           fen_render_pool_trim    (FenRenderPool *pool, guint keep);
gsize          fen_render_pool_get_bytes (FenRenderPool *pool);
guint          fen_render_pool_get_n_buffers (FenRenderPool *pool);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenRenderPool, fen_render_pool_unref)

G_END_DECLS
