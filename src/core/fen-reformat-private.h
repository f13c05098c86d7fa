/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat-private.h: one reformat job as fen-reformat.c prepares it
 * and fen-reformat-rows.c renders it. */
#pragma once

#include "fenestra/fen-reformat.h"
#include "fen-volume-private.h"

#include <string.h>

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
  /* The slices' in-plane offsets span [u0_min, u0_max] x [v0_min, v0_max]:
   * a point outside every slice is known without a search. */
  double             u0_min, u0_max, v0_min, v0_max;
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

/* One stored sample @i of a slice's pixels as a double. */
G_ALWAYS_INLINE static inline double
fen_reformat_load (const guint8 *p, FenVolumeType type, gsize i)
{
  switch (type)
    {
    case FEN_VOLUME_U8:  return p[i];
    case FEN_VOLUME_S8:  return (gint8) p[i];
    case FEN_VOLUME_U16: return ((const guint16 *) p)[i];
    case FEN_VOLUME_S16:
    default:             return ((const gint16 *) p)[i];
    }
}

/* The four kinds of output row; fen_reformat_put() and _fill() take it
 * as a constant so the pixel loops do not test the format per pixel. */
typedef enum {
  FEN_OUT_VALUES,
  FEN_OUT_GRAY8,
  FEN_OUT_RGB8,
  FEN_OUT_WORD,   /* RGBA8 and BGRA8: gray is the same in both */
} FenOutKind;

/* Writes value @v of output pixel @i through @table (unused for values).
 * Hot loops pass the table held in a local: the output store is
 * char-typed, and through the job the pointer would be reloaded after it. */
G_ALWAYS_INLINE static inline void
fen_reformat_put_table (const guint8 *table, FenOutKind kind, guint8 *row8, gint32 *row32,
                        guint i, gint32 v)
{
  guint8 g;
  guint32 word;

  if (kind == FEN_OUT_VALUES)
    {
      row32[i] = v;
      return;
    }
  g = table[(guint16) v];
  switch (kind)
    {
    case FEN_OUT_GRAY8:
      row8[i] = g;
      break;
    case FEN_OUT_RGB8:
      row8[3 * i] = row8[3 * i + 1] = row8[3 * i + 2] = g;
      break;
    case FEN_OUT_WORD:
    case FEN_OUT_VALUES:
    default:
      word = 0xff000000u | ((guint32) g * 0x010101u);
      memcpy (row8 + 4 * (gsize) i, &word, sizeof word);
      break;
    }
}

G_ALWAYS_INLINE static inline void
fen_reformat_put (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                  guint i, gint32 v)
{
  fen_reformat_put_table (job->table, kind, row8, row32, i, v);
}

static inline void
fen_reformat_fill (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                   guint first, guint last)
{
  guint32 word = 0xff000000u;

  for (guint i = first; i < last; i++)
    switch (kind)
      {
      case FEN_OUT_VALUES: row32[i] = job->background; break;
      case FEN_OUT_GRAY8:  row8[i] = 0; break;
      case FEN_OUT_RGB8:   row8[3 * i] = row8[3 * i + 1] = row8[3 * i + 2] = 0; break;
      case FEN_OUT_WORD:
      default:             memcpy (row8 + 4 * (gsize) i, &word, sizeof word); break;
      }
}

/* @line[x] = the sum over the @n_lines (2 or 4) @lines of @weights[l]
 * times sample @lo + x of line l, for x in [0, @n) (fen-reformat-weigh.c). */
void _fen_reformat_weigh_lines (FenVolumeType type, const guint8 *const *lines, const double *weights,
                                guint n_lines, gsize lo, gsize n, double *line);

/* Writes columns [@first, @last) of a trilinear row that lies level in the
 * stack (fen-reformat-level.c): every pixel between slices @k0 and @k1 at
 * weight @t of @k1 (@t 0: @k0 alone); background where either slice with
 * weight does not cover the point. @next (nullable): the pixels of the
 * slice the next row will read that this one does not, fetched ahead. */
void _fen_reformat_level_row (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                              double ur, double vr, gint k0, gint k1, double t,
                              guint first, guint last, const guint8 *next);

/* From column @i (< @last) of a trilinear row whose distance changes
 * along it (fen-reformat-cross.c): the run of columns between the same two
 * slices, [@i, return value). Writes background outside
 * [*@in_first, *@in_last), samples [*@first_done, *@last_done) (inside
 * both slices; possibly empty) and leaves the rest of
 * [*@in_first, *@in_last) to the caller's per-pixel path. *@k_ahead: the
 * slice the prefetch reached, -1 at the start of a row. */
guint _fen_reformat_cross_run (const FenReformatJob *job, FenOutKind kind, guint8 *row8, gint32 *row32,
                               double ur, double vr, double wr, guint i, guint last,
                               guint *in_first, guint *in_last, guint *first_done, guint *last_done,
                               gint *k_ahead);

/* Renders rows [@first, @last) of the FenReformatJob @data (a
 * FenRenderRowsFunc for _fen_renderer_run_rows()). */
void _fen_reformat_rows (gconstpointer data, guint first, guint last);
