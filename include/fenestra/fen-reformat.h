/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-reformat.h: multiplanar reformat and slab projections of a FenVolume,
 * read from the slices where they are, rendered on a FenRenderer's threads
 * through the same window table as a slice. */
#pragma once

#include "fen-types.h"
#include "fen-lut.h"
#include "fen-render.h"
#include "fen-volume.h"

G_BEGIN_DECLS

/**
 * FenReformatSampling:
 * @FEN_REFORMAT_NEAREST: the value of the voxel nearest the point: nearest
 *   slice by position, nearest pixel in it (pixel centres at integer
 *   indices, PS3.3 C.7.6.2.1.1)
 * @FEN_REFORMAT_TRILINEAR: bilinear in each of the two slices around the
 *   point (each at its own position), then linear between them by distance
 *   along the normal; the viewer's default off the native grid
 *
 * @FEN_REFORMAT_AUTO: nearest when every output pixel falls on a voxel
 *   centre (fen_reformat_is_native()), trilinear otherwise: the default a
 *   viewer wants
 *
 * Inside means within half a pixel of the outer pixel centres and half the
 * median spacing of the end slices; a bilinear sample there takes the edge
 * pixels. Outside is background.
 */
typedef enum {
  FEN_REFORMAT_NEAREST,
  FEN_REFORMAT_TRILINEAR,
  FEN_REFORMAT_AUTO,
} FenReformatSampling;

/**
 * FenSlabMode:
 * Projection over a slab of @slab_thickness mm centred on the plane:
 * maximum (MIP), minimum (MinIP) or mean of the samples inside, in
 * modality values. A plane parallel to the slices takes the slices whose
 * position lies within half the thickness of the sample point (each
 * sampled in its own plane); any other plane takes the planes parallel to
 * it at multiples of the volume's spacing along its normal
 * (fen_volume_get_spacing_along()) within half the thickness. A slab that
 * holds no sample falls back to the sample on the plane.
 */
typedef enum {
  FEN_SLAB_NONE,
  FEN_SLAB_MIP,
  FEN_SLAB_MINIP,
  FEN_SLAB_AVERAGE,
} FenSlabMode;

/**
 * FenReformat:
 * @plane: the output grid in patient coordinates: output pixel (i, j) is
 *   the point fen_plane_geometry_image_to_patient (@plane, i, j); its
 *   normal is the slab direction
 * @row_origins: (nullable): 3 values per output row, the patient position
 *   of each row's first pixel instead of @plane's (the rows of a native
 *   grid of an irregular stack: one row per slice). Borrowed for the call.
 */
typedef struct {
  FenPlaneGeometry    plane;
  const double       *row_origins;
  FenReformatSampling sampling;
  FenSlabMode         slab;
  double              slab_thickness;
} FenReformat;

/**
 * fen_reformat_init_native:
 * Sets @reformat to the native grid of @volume's plane @axis number @index
 * (a slice counted from the lowest position, a source row, a source column;
 * from 0), nearest sampling, no slab: a slice as stored; for a row or
 * column plane one output row per slice, the top row the slice with the
 * highest position along the normal, columns in source order.
 * @row_origins: (out) (transfer full) (nullable): the rows' origins that
 *   @reformat borrows (NULL for a slice); free with g_free() after rendering
 * Returns: %FALSE when @index is out of range.
 */
gboolean fen_reformat_init_native (FenReformat     *reformat,
                                   const FenVolume *volume,
                                   FenVolumeAxis    axis,
                                   guint            index,
                                   guint           *width,
                                   guint           *height,
                                   double         **row_origins);

/**
 * fen_reformat_is_native:
 * Whether every output pixel of @reformat (@out_height rows) is the centre
 * of a voxel, to 1e-6 pixel and mm: a plane parallel to the slices, lying
 * on one, whose rows and columns step one pixel along the slice's own rows
 * and columns (either way round, either direction); or rows whose origins
 * (@reformat->row_origins or the plane's) each lie on a voxel centre of a
 * slice, stepping one pixel along that slice's rows or columns, as
 * fen_reformat_init_native() makes them. Then nearest and trilinear
 * sampling give the same values, and %FEN_REFORMAT_AUTO takes nearest.
 */
gboolean fen_reformat_is_native (const FenVolume   *volume,
                                 const FenReformat *reformat,
                                 guint              out_height);

/**
 * fen_renderer_reformat:
 * Renders @reformat of @volume through @lut (built for any of its slices:
 * they share one rescale) into @out, as fen_renderer_render() does a frame:
 * chunked across the renderer's threads, the same bytes for any thread
 * count and chunk size, nothing allocated. Interpolated and averaged values
 * are rounded to the nearest stored value before the table.
 * Returns: %FALSE (writing nothing) on a programmer error or when a slice's
 * pixels are evicted.
 */
gboolean fen_renderer_reformat (FenRenderer       *renderer,
                                const FenVolume   *volume,
                                const FenLut      *lut,
                                const FenReformat *reformat,
                                guint              out_width,
                                guint              out_height,
                                FenPixelFormat     format,
                                guint8            *out,
                                gsize              out_stride);

/**
 * fen_renderer_reformat_values:
 * As fen_renderer_reformat() but writes stored values (rounded when
 * interpolated or averaged; @background outside) as 32-bit integers, rows
 * @out_stride values apart: for exports of modality values and for tests.
 */
gboolean fen_renderer_reformat_values (FenRenderer       *renderer,
                                       const FenVolume   *volume,
                                       const FenReformat *reformat,
                                       guint              out_width,
                                       guint              out_height,
                                       gint32             background,
                                       gint32            *out,
                                       gsize              out_stride);

/**
 * fen_renderer_map_values:
 * A plane's values as fen_renderer_reformat_values() wrote them (@width x
 * @height, rows @values_stride values apart, @background where the plane
 * leaves the volume, a value no stored value takes) through @lut into @out
 * in @format: the same bytes fen_renderer_reformat() writes for that plane
 * and table (black outside), chunked across the renderer's threads,
 * nothing allocated. A window change on a plane that has not moved costs a
 * table pass, not a reformat (a slab's projection is not taken again).
 */
gboolean fen_renderer_map_values (FenRenderer    *renderer,
                                  const FenLut   *lut,
                                  const gint32   *values,
                                  gsize           values_stride,
                                  gint32          background,
                                  guint           width,
                                  guint           height,
                                  FenPixelFormat  format,
                                  guint8         *out,
                                  gsize           out_stride);

G_END_DECLS
