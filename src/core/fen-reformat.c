/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat.c: multiplanar reformat and slabs of a FenVolume: checks a
 * request, turns the plane into per-column and per-row steps in the
 * volume's coordinates and hands the rows to the renderer's own threads
 * and chunks (fen-render-private.h); fen-reformat-rows.c renders them. */
#define G_LOG_DOMAIN "fen-reformat"

#include "fen-reformat-private.h"
#include "fen-render-private.h"

#include <math.h>
#include <string.h>

static gboolean
fen_reformat_prepare (FenReformatJob    *job,
                      const FenVolume   *volume,
                      const FenReformat *reformat,
                      guint              out_width,
                      guint              out_height)
{
  const FenPlaneGeometry *p = &reformat->plane;
  double col[3], row[3];

  g_return_val_if_fail (volume != NULL && reformat != NULL, FALSE);
  g_return_val_if_fail (out_width > 0 && out_height > 0, FALSE);
  g_return_val_if_fail (reformat->slab == FEN_SLAB_NONE || reformat->slab_thickness >= 0, FALSE);
  for (guint k = 0; k < volume->n_slices; k++)
    if (!fen_image_has_pixels (volume->slices[k].image))
      return FALSE;

  memset (job, 0, sizeof *job);
  job->volume = volume;
  job->reformat = reformat;
  job->out_width = out_width;
  for (int a = 0; a < 3; a++)
    {
      col[a] = p->row_dir[a] * p->spacing[1];
      row[a] = p->col_dir[a] * p->spacing[0];
    }
  _fen_reformat_coords (volume, col, &job->du, &job->dv, &job->dw);
  _fen_reformat_coords (volume, row, &job->ru, &job->rv, &job->rw);
  _fen_reformat_coords (volume, p->position, &job->u0, &job->v0, &job->w0);
  /* A plane of NaNs or infinities is a caller's mistake; refusing it here
   * keeps every later conversion to an integer defined. */
  g_return_val_if_fail (isfinite (job->du + job->dv + job->dw + job->ru + job->rv + job->rw +
                                  job->u0 + job->v0 + job->w0), FALSE);

  job->u0_min = job->u0_max = volume->slices[0].u0;
  job->v0_min = job->v0_max = volume->slices[0].v0;
  for (guint k = 1; k < volume->n_slices; k++)
    {
      job->u0_min = MIN (job->u0_min, volume->slices[k].u0);
      job->u0_max = MAX (job->u0_max, volume->slices[k].u0);
      job->v0_min = MIN (job->v0_min, volume->slices[k].v0);
      job->v0_max = MAX (job->v0_max, volume->slices[k].v0);
    }

  job->var_is_u = fabs (job->dv) * out_width < 1e-9;
  job->separable = fabs (job->dw) * out_width < 1e-6 &&
                   (job->var_is_u || fabs (job->du) * out_width < 1e-9);

  job->sampling = reformat->sampling;
  if (job->sampling == FEN_REFORMAT_AUTO)
    job->sampling = fen_reformat_is_native (volume, reformat, out_height)
                    ? FEN_REFORMAT_NEAREST : FEN_REFORMAT_TRILINEAR;
  job->slab = reformat->slab;
  /* Stored values are combined: with a negative Rescale Slope the
   * brightest modality value is the smallest stored one (PS3.3 C.11.1). */
  if (volume->slope < 0 && job->slab == FEN_SLAB_MIP)
    job->slab = FEN_SLAB_MINIP;
  else if (volume->slope < 0 && job->slab == FEN_SLAB_MINIP)
    job->slab = FEN_SLAB_MIP;
  if (job->slab != FEN_SLAB_NONE)
    {
      double normal[3];

      memcpy (normal, p->normal, sizeof normal);
      fen_vec3_normalize (normal);
      /* A little slack so a member exactly half a slab away is in. */
      job->half = reformat->slab_thickness / 2 + 1e-6;
      job->slab_slices = fabs (fen_vec3_dot (normal, volume->normal)) > 1 - 1e-9;
      if (!job->slab_slices)
        {
          double step = fen_volume_get_spacing_along (volume, normal), d[3];

          /* No more steps than cross the whole stack: a "whole stack"
           * slab (a huge thickness) costs what the stack's depth does. */
          double depth = sqrt (pow (volume->width * volume->spacing[1], 2) +
                               pow (volume->height * volume->spacing[0], 2) +
                               pow (volume->distances[volume->n_slices - 1] - volume->distances[0] +
                                    2 * volume->edge, 2));

          job->n_steps = (gint) MIN (floor (job->half / step), ceil (depth / step) + 1);
          for (int a = 0; a < 3; a++)
            d[a] = normal[a] * step;
          _fen_reformat_coords (volume, d, &job->step[0], &job->step[1], &job->step[2]);
        }
    }
  return TRUE;
}

gboolean
fen_renderer_reformat (FenRenderer       *renderer,
                       const FenVolume   *volume,
                       const FenLut      *lut,
                       const FenReformat *reformat,
                       guint              out_width,
                       guint              out_height,
                       FenPixelFormat     format,
                       guint8            *out,
                       gsize              out_stride)
{
  FenReformatJob job;

  g_return_val_if_fail (renderer != NULL && lut != NULL && out != NULL, FALSE);
  g_return_val_if_fail (out_stride >= (gsize) out_width * fen_pixel_format_bytes (format), FALSE);
  if (!fen_reformat_prepare (&job, volume, reformat, out_width, out_height))
    return FALSE;
  job.table = fen_lut_get_table (lut);
  job.format = format;
  job.out = out;
  job.out_stride = out_stride;
  _fen_renderer_run_rows (renderer, out_width, out_height, _fen_reformat_rows, &job);
  return TRUE;
}

gboolean
fen_renderer_reformat_values (FenRenderer       *renderer,
                              const FenVolume   *volume,
                              const FenReformat *reformat,
                              guint              out_width,
                              guint              out_height,
                              gint32             background,
                              gint32            *out,
                              gsize              out_stride)
{
  FenReformatJob job;

  g_return_val_if_fail (renderer != NULL && out != NULL && out_stride >= out_width, FALSE);
  if (!fen_reformat_prepare (&job, volume, reformat, out_width, out_height))
    return FALSE;
  job.values = out;
  job.values_stride = out_stride;
  job.background = background;
  _fen_renderer_run_rows (renderer, out_width, out_height, _fen_reformat_rows, &job);
  return TRUE;
}

/* A window change on kept values (fen_renderer_map_values()). */
typedef struct {
  const gint32  *values;
  gsize          values_stride;
  gint32         background;
  const guint8  *table;
  FenPixelFormat format;
  guint8        *out;
  gsize          out_stride;
  guint          width;
} FenReformatMapJob;

G_ALWAYS_INLINE static inline void
fen_reformat_map_kind (const FenReformatMapJob *job, FenOutKind kind, guint first, guint last)
{
  const guint8 *table = job->table;
  const guint32 black = 0xff000000u;

  for (guint j = first; j < last; j++)
    {
      const gint32 *v = job->values + (gsize) j * job->values_stride;
      guint8 *row8 = job->out + (gsize) j * job->out_stride;

      for (guint i = 0; i < job->width; i++)
        {
          if (v[i] != job->background)
            fen_reformat_put_table (table, kind, row8, NULL, i, v[i]);
          else if (kind == FEN_OUT_GRAY8)
            row8[i] = 0;
          else if (kind == FEN_OUT_RGB8)
            row8[3 * i] = row8[3 * i + 1] = row8[3 * i + 2] = 0;
          else
            memcpy (row8 + 4 * (gsize) i, &black, sizeof black);
        }
    }
}

static void
fen_reformat_map_rows (gconstpointer data, guint first, guint last)
{
  const FenReformatMapJob *job = data;

  if (job->format == FEN_PIXEL_GRAY8)
    fen_reformat_map_kind (job, FEN_OUT_GRAY8, first, last);
  else if (job->format == FEN_PIXEL_RGB8)
    fen_reformat_map_kind (job, FEN_OUT_RGB8, first, last);
  else
    fen_reformat_map_kind (job, FEN_OUT_WORD, first, last);
}

gboolean
fen_renderer_map_values (FenRenderer    *renderer,
                         const FenLut   *lut,
                         const gint32   *values,
                         gsize           values_stride,
                         gint32          background,
                         guint           width,
                         guint           height,
                         FenPixelFormat  format,
                         guint8         *out,
                         gsize           out_stride)
{
  FenReformatMapJob job = { values, values_stride, background, NULL, format, out, out_stride, width };

  g_return_val_if_fail (renderer != NULL && lut != NULL && values != NULL && out != NULL, FALSE);
  g_return_val_if_fail (values_stride >= width && out_stride >= (gsize) width * fen_pixel_format_bytes (format),
                        FALSE);
  job.table = fen_lut_get_table (lut);
  _fen_renderer_run_rows (renderer, width, height, fen_reformat_map_rows, &job);
  return TRUE;
}

/* Whether @x is an integer to within 1e-6. */
static gboolean
fen_reformat_is_whole (double x)
{
  return fabs (x - floor (x + 0.5)) < 1e-6;
}

gboolean
fen_reformat_is_native (const FenVolume *volume, const FenReformat *reformat, guint out_height)
{
  const FenPlaneGeometry *p = &reformat->plane;
  double col[3], row[3], du, dv, dw, ru, rv, rw;

  g_return_val_if_fail (volume != NULL && reformat != NULL, FALSE);
  for (int a = 0; a < 3; a++)
    {
      col[a] = p->row_dir[a] * p->spacing[1];
      row[a] = p->col_dir[a] * p->spacing[0];
    }
  _fen_reformat_coords (volume, col, &du, &dv, &dw);
  _fen_reformat_coords (volume, row, &ru, &rv, &rw);
  /* Along a row: one pixel along the slice's rows or columns, no depth. */
  if (!(fabs (dw) < 1e-6 &&
        ((fabs (fabs (du) - 1) < 1e-9 && fabs (dv) < 1e-9) ||
         (fabs (fabs (dv) - 1) < 1e-9 && fabs (du) < 1e-9))))
    return FALSE;
  /* Down the output without row origins, the rows must step one pixel in
   * the slice too (a plane in a slice); every row's start is checked below. */
  if (reformat->row_origins == NULL &&
      !(fabs (rw) < 1e-6 &&
        ((fabs (fabs (ru) - 1) < 1e-9 && fabs (rv) < 1e-9 && fabs (du) < 1e-9) ||
         (fabs (fabs (rv) - 1) < 1e-9 && fabs (ru) < 1e-9 && fabs (dv) < 1e-9))))
    return FALSE;
  for (guint j = 0; j < MAX (out_height, 1u); j++)
    {
      double u, v, w;
      gint k;

      if (reformat->row_origins != NULL)
        _fen_reformat_coords (volume, reformat->row_origins + 3 * (gsize) j, &u, &v, &w);
      else
        {
          double o[3];

          _fen_reformat_coords (volume, p->position, &o[0], &o[1], &o[2]);
          u = o[0] + j * ru;
          v = o[1] + j * rv;
          w = o[2] + j * rw;
        }
      /* On a slice, at one of its voxel centres. */
      k = _fen_volume_below (volume, w + 1e-6);
      if (k < 0 || fabs (volume->distances[k] - w) > 1e-6 ||
          !fen_reformat_is_whole (u - volume->slices[k].u0) ||
          !fen_reformat_is_whole (v - volume->slices[k].v0))
        return FALSE;
      if (reformat->row_origins == NULL)
        break;  /* the rows step whole pixels in the same slice */
    }
  return TRUE;
}
