/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-measure.h: `fenestra-cli measure`: region statistics as JSON. */
#pragma once

#include <fenestra/fenestra.h>

G_BEGIN_DECLS

/**
 * fen_cli_measure:
 * @frame: 1-based
 * @spec: ellipse:X,Y,RX,RY | rect:X,Y,W,H | polygon:X1,Y1,X2,Y2,...
 *
 * Prints one JSON object: n, mean, sd, min, max, area_mm2, unit (numbers
 * that do not exist, as for an empty region, are null).
 */
gboolean fen_cli_measure (FenImage *image, gint frame, const char *spec, GError **error);

G_END_DECLS
