/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-render-simd.h: the renderer's vector table apply, chosen at run time. */
#pragma once

#include "fenestra/fen-render.h"

/* Writes @n gray BGRA/RGBA pixels (every channel the table entry, alpha
 * 255) for 16-bit samples: sample @map[k] of @src (or sample k when @map is
 * NULL) through @table, which has 3 readable bytes past its 65,536 entries
 * (fen-lut.c). @n_avail: samples readable from @src on (to the frame's end),
 * so a 32-bit read at a sample stays inside the frame. The bytes are those
 * of fen-render.c's scalar loop. */
typedef void (*FenRenderGray16Func) (const guint8  *table,
                                     const guint16 *src,
                                     const gint32  *map,
                                     gsize          n,
                                     gsize          n_avail,
                                     guint8        *out);

/* The version of @simd this processor runs, or %NULL (the scalar loop). */
FenRenderGray16Func _fen_render_simd_gray16 (FenRenderSimd simd);
