/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-volume-private.h: FenVolume's layout, shared by fen-volume.c (building
 * it) and fen-reformat.c (reading slices in the render loops). */
#pragma once

#include "fenestra/fen-volume.h"

typedef enum {
  FEN_VOLUME_U8,
  FEN_VOLUME_S8,
  FEN_VOLUME_U16,
  FEN_VOLUME_S16,
} FenVolumeType;

typedef struct {
  /* Borrowed from the image, which the volume holds a reference to */
  const guint8 *pixels;
  FenImage     *image;
  guint         frame;
  /* Own geometry: position along the normal, and the in-plane offset of
   * its Image Position in column and row units, so that patient point X is
   * at column (row_dir . X) / spacing[1] - u0, row (col_dir . X) / spacing[0] - v0. */
  double        position[3];
  double        distance;
  double        u0, v0;
} FenVolumeSlice;

struct _FenVolume
{
  gint            ref_count;

  /* Owned */
  FenStore       *store;          /* a reference; NULL when not pinned */
  GPtrArray      *images;         /* one reference and one pin per distinct image */
  FenVolumeSlice *slices;         /* ascending distance */
  double         *distances;      /* the same, contiguous, for the search */
  guint          *bins;           /* distance bin -> last slice at or below it */
  GArray         *gaps;           /* FenVolumeGap */

  guint           n_slices;
  guint           width, height;
  FenVolumeType   type;
  double          slope, intercept;
  double          row_dir[3], col_dir[3], normal[3];
  double          spacing[2];     /* between rows, between columns */
  double          slice_spacing;  /* median */
  double          edge;           /* how far past the end slices still counts as inside */
  double          bin_origin, bin_scale;
  guint           n_bins;
  gsize           bytes;
};

/* Index of the last slice whose distance is <= @w, or -1 below the first. */
static inline gint
_fen_volume_below (const FenVolume *v, double w)
{
  double b = (w - v->bin_origin) * v->bin_scale;
  gint k;

  if (!(b >= 0))
    {
      if (!(w >= v->distances[0]))
        return -1;
      b = 0;
    }
  k = b < v->n_bins ? (gint) v->bins[(guint) b] : (gint) v->n_slices - 1;
  while (k + 1 < (gint) v->n_slices && v->distances[k + 1] <= w)
    k++;
  while (k >= 0 && v->distances[k] > w)
    k--;
  return k;
}
