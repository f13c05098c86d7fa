/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-native.c: the native planes of a stack as FenReformat grids
 * (a slice; the plane through a source row or column, one output row per
 * slice), the grid `fenestra-cli mpr --raw` writes for checking. */
#define G_LOG_DOMAIN "fen-reformat"

#include "fenestra/fen-reformat.h"
#include "fen-volume-private.h"

#include <string.h>

gboolean
fen_reformat_init_native (FenReformat     *reformat,
                          const FenVolume *volume,
                          FenVolumeAxis    axis,
                          guint            index,
                          guint           *width,
                          guint           *height,
                          double         **row_origins)
{
  const double *along = axis == FEN_VOLUME_AXIS_ROW ? volume->col_dir : volume->row_dir;
  double step = axis == FEN_VOLUME_AXIS_ROW ? volume->spacing[0] : volume->spacing[1];
  guint limit = axis == FEN_VOLUME_AXIS_SLICE ? volume->n_slices
                : axis == FEN_VOLUME_AXIS_ROW ? volume->height : volume->width;
  FenPlaneGeometry *p = &reformat->plane;
  guint n = volume->n_slices;
  double *origins;

  memset (reformat, 0, sizeof *reformat);
  *row_origins = NULL;
  if (index >= limit)
    return FALSE;
  reformat->sampling = FEN_REFORMAT_NEAREST;
  if (axis == FEN_VOLUME_AXIS_SLICE)
    {
      fen_volume_get_slice_geometry (volume, index, p);
      *width = volume->width;
      *height = volume->height;
      return TRUE;
    }

  /* Through source row (or column) @index of every slice: along a row the
   * slice's own columns (or rows); down the output, the slices from the
   * highest position to the lowest, each row starting where that slice's
   * row (column) @index starts, so tilt and drift stay exact. */
  origins = g_new (double, 3 * (gsize) n);
  for (guint r = 0; r < n; r++)
    {
      const FenVolumeSlice *s = &volume->slices[n - 1 - r];

      for (int a = 0; a < 3; a++)
        origins[3 * r + a] = s->position[a] + along[a] * step * index;
    }
  memcpy (p->position, origins, sizeof p->position);
  if (axis == FEN_VOLUME_AXIS_ROW)
    {
      memcpy (p->row_dir, volume->row_dir, sizeof p->row_dir);
      p->spacing[1] = volume->spacing[1];
      *width = volume->width;
    }
  else
    {
      memcpy (p->row_dir, volume->col_dir, sizeof p->row_dir);
      p->spacing[1] = volume->spacing[0];
      *width = volume->height;
    }
  for (int a = 0; a < 3; a++)
    p->col_dir[a] = -volume->normal[a];
  p->spacing[0] = volume->slice_spacing > 0 ? volume->slice_spacing : 2 * volume->edge;
  fen_vec3_cross (p->row_dir, p->col_dir, p->normal);
  *height = n;
  reformat->row_origins = origins;
  *row_origins = origins;
  return TRUE;
}
