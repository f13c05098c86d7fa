/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-private.h: one reformat job as fen-reformat.c prepares it
 * and fen-reformat-rows.c renders it. */
#pragma once

#include "fenestra/fen-reformat.h"
#include "fen-volume-private.h"

typedef struct {
  /* Borrowed for one render */
  const FenVolume   *volume;
  const FenReformat *reformat;
  const guint8      *table;      /* NULL: values out */
  FenPixelFormat     format;
  guint8            *out;
  gsize              out_stride; /* bytes */
  gint32            *values;
  gsize              values_stride;
  gint32             background;
  guint              out_width;

  FenReformatSampling sampling; /* AUTO resolved */
  FenSlabMode        slab;       /* MIP and MinIP swapped for a negative slope */
  gboolean           slab_slices;/* slab parallel to the slices: members are slices */
  double             half;       /* half the slab, mm */
  gint               n_steps;    /* otherwise members at -n..n steps */
  double             step[3];    /* one step in (u, v, w) */
  double             du, dv, dw; /* one output column in (u, v, w) */
  double             ru, rv, rw; /* one output row (no row origins) */
  double             u0, v0, w0; /* output pixel (0, 0) */
  /* Orthogonal rows: along an output row the distance and one in-plane
   * coordinate stay put (to 1e-9 pixel), the other moves (v when
   * !var_is_u): each row reads one line of each slice, found once. */
  gboolean           separable;
  gboolean           var_is_u;
} FenReformatJob;

/* One slice as a separable row reads it: the line(s) at the fixed
 * coordinate, its weight, and how the moving coordinate indexes them. */
typedef struct {
  const guint8 *line0, *line1;  /* the fixed coordinate's floor and ceiling lines */
  double        ff;             /* weight of line1 (bilinear) */
  gsize         step;           /* samples between neighbours along the moving axis */
  double        off;            /* moving coordinate = (row start + i * d) + off */
  double        lo, hi;         /* inside while lo <= coordinate < hi */
  guint         size;           /* samples along the moving axis */
} FenSepSlice;

/* Column, row and distance coordinates of a patient point in the volume:
 * u = (row_dir . X) / column spacing, v = (col_dir . X) / row spacing,
 * w = normal . X (PS3.3 C.7.6.2.1.1 inverted, common to all slices; a
 * slice's own u0, v0 then give its pixel indices). */
static inline void
_fen_reformat_coords (const FenVolume *v, const double x[3], double *u, double *vv, double *w)
{
  *u = fen_vec3_dot (v->row_dir, x) / v->spacing[1];
  *vv = fen_vec3_dot (v->col_dir, x) / v->spacing[0];
  *w = fen_vec3_dot (v->normal, x);
}

/* Renders rows [@first, @last) of the FenReformatJob @data (a
 * FenRenderRowsFunc for _fen_renderer_run_rows()). */
void _fen_reformat_rows (gconstpointer data, guint first, guint last);
