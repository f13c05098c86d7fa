/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-roi.h: regions of interest on one frame and the statistics of the
 * modality values inside them, as the viewer and `fenestra-cli measure`
 * report them. GTK-free. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"

G_BEGIN_DECLS

typedef enum {
  FEN_ROI_ELLIPSE,   /* centre (x, y), radii rx, ry along columns and rows */
  FEN_ROI_RECTANGLE, /* corner (x, y), width w, height h */
  FEN_ROI_POLYGON,   /* closed polygon, vertices in order, even-odd rule */
} FenRoiKind;

/* In image coordinates: pixel (column i, row j) covers [i, i+1) x [j, j+1). */
typedef struct {
  FenRoiKind    kind;
  double        x, y;
  double        rx, ry;       /* ellipse */
  double        w, h;         /* rectangle */
  const double *points;       /* polygon: x0, y0, x1, y1, ... (borrowed) */
  guint         n_points;     /* polygon: vertices, at least 3 */
} FenRoi;

typedef struct {
  guint64     n;        /* pixels inside */
  double      mean;     /* of the modality values inside */
  double      sd;       /* standard deviation, dividing by n */
  double      min, max;
  double      area_mm2; /* the shape's exact area x row x column spacing; 0 when unknown */
  double      area_px;  /* the shape's exact area in pixels */
  const char *unit;     /* "HU", "Gy", the Rescale Type, or "none" (static) */
} FenRoiStats;

/**
 * fen_roi_contains:
 * Whether point (@px, @py) is inside @roi; on the boundary counts as inside.
 */
gboolean    fen_roi_contains (const FenRoi *roi, double px, double py);

/**
 * fen_roi_stats:
 * @image: a monochrome image
 * @frame: 0-based
 *
 * A pixel is inside when its centre (i + 0.5, j + 0.5) is. The statistics
 * are over the inside pixels' modality values (PS3.3 C.11.1, with @frame's
 * own rescale). Reads the image's buffer in place; allocates nothing.
 * Returns: %FALSE with @error (%FEN_IO_ERROR_UNSUPPORTED for colour images,
 * %FEN_IO_ERROR_CORRUPT for a malformed shape) when nothing can be said.
 * A shape that covers no pixel centre gives n = 0 and NaN statistics.
 */
gboolean    fen_roi_stats    (const FenImage *image,
                              guint           frame,
                              const FenRoi   *roi,
                              FenRoiStats    *out,
                              GError        **error);

/* The unit of @image's modality values: "HU", "Gy", the Rescale Type, or
 * "none". */
const char *fen_roi_unit     (const FenImage *image);

G_END_DECLS
