/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-rendered-frame.h: what FenViewport and FenMprPane share in showing a
 * frame they render on the CPU: the texture of its visible rectangle put
 * where it lies with GTK's black in the bands around it, and where the
 * widget lies on its window's surface (their debug lines, by which the e2e
 * tests aim the pointer). */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

/**
 * fen_rendered_frame_snapshot:
 * @texture: (nullable): the render of @rect (device pixels of the widget's
 *   @width x @height logical pixels at @scale), or %NULL: all black
 *
 * Appends @texture over @rect and opaque black over the rest (up to four
 * colour nodes, which the renderer fills without reading a texture).
 */
void     fen_rendered_frame_snapshot      (GtkSnapshot        *snapshot,
                                           GdkTexture         *texture,
                                           const FenPixelRect *rect,
                                           int                 width,
                                           int                 height,
                                           int                 scale);

/**
 * fen_rendered_frame_surface_place:
 * Where @widget's top left lies on its native's surface, logical pixels.
 * Returns: %FALSE when it is not in a native (or not placed yet).
 */
gboolean fen_rendered_frame_surface_place (GtkWidget *widget,
                                           double    *x,
                                           double    *y);

G_END_DECLS
