/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-volume.h: a stack of slices read where they are: borrowed references
 * to the images of a series (or the frames of one multi-frame image) in
 * order along the slice normal, plus their geometry. No pixel is copied. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-store.h"
#include "fen-memory.h"
#include "fen-geometry.h"

G_BEGIN_DECLS

typedef struct _FenVolume FenVolume;

/**
 * FenVolumeError:
 * Errors of %FEN_VOLUME_ERROR.
 */
typedef enum {
  FEN_VOLUME_ERROR_EMPTY,      /* no slice */
  FEN_VOLUME_ERROR_GEOMETRY,   /* a slice lacks position, orientation or spacing */
  FEN_VOLUME_ERROR_MIXED,      /* not parallel, not one size or one pixel format */
  FEN_VOLUME_ERROR_EVICTED,    /* a slice's pixels are evicted: restore them first */
  FEN_VOLUME_ERROR_BUDGET,     /* the series cannot be held under the memory budget */
} FenVolumeError;

#define FEN_VOLUME_ERROR (fen_volume_error_quark ())
GQuark fen_volume_error_quark (void);

/**
 * FenVolumeGap:
 * Where consecutive slices lie further apart than 1.5 x the median spacing
 * (missing slices): between slice @index and @index + 1, @spacing mm apart.
 * Reformats interpolate across it; viewers should say so.
 */
typedef struct {
  guint  index;
  double spacing;
} FenVolumeGap;

/**
 * fen_volume_new:
 * @store: (nullable): the store holding @images; each is pinned there for
 *   the volume's life so the budget never evicts it mid-render
 * @images: (array length=n_images): every frame of every image becomes a slice
 *
 * Orders the slices by position along the common normal (PS3.3 C.7.6.2.1.1),
 * each keeping its own Image Position, so gantry tilt and in-plane drift are
 * reformatted where they are. Refuses (%FEN_VOLUME_ERROR_MIXED) slices that
 * are not parallel (row and column directions within 0.5 degree), not of one
 * size, one pixel spacing, one sample format (monochrome, bits allocated,
 * bits stored, signedness) and one rescale, or two at one position.
 * Returns: (transfer full): the volume, or %NULL with @error.
 */
FenVolume *fen_volume_new   (FenStore        *store,
                             FenImage *const *images,
                             guint            n_images,
                             GError         **error);
FenVolume *fen_volume_ref   (FenVolume *volume);
void       fen_volume_unref (FenVolume *volume);

/**
 * fen_volume_check_budget:
 * Whether @bytes of slices (all pinned, so none can be evicted) can be held
 * under @monitor's budget: %FALSE with %FEN_VOLUME_ERROR_BUDGET, naming
 * both sizes, when they alone reach its critical level.
 */
gboolean   fen_volume_check_budget (FenMemoryMonitor *monitor,
                                    gsize             bytes,
                                    GError          **error);

guint      fen_volume_get_width     (const FenVolume *volume);  /* columns */
guint      fen_volume_get_height    (const FenVolume *volume);  /* rows */
guint      fen_volume_get_n_slices  (const FenVolume *volume);
/* Bytes of all slices' pixels (what the volume pins; it adds none). */
gsize      fen_volume_get_bytes     (const FenVolume *volume);

/* The plane of slice @index (0 = lowest position along the normal). */
void       fen_volume_get_slice_geometry (const FenVolume  *volume,
                                          guint             index,
                                          FenPlaneGeometry *out);
/* Position of slice @index along the normal, mm. */
double     fen_volume_get_slice_distance (const FenVolume *volume, guint index);
/* Returns: (transfer none): the image of slice @index and (@frame) its frame. */
FenImage  *fen_volume_get_slice_image    (const FenVolume *volume, guint index, guint *frame);
/* Median distance between consecutive slices, mm (0 for one slice). */
double     fen_volume_get_slice_spacing  (const FenVolume *volume);
/* Returns: (transfer none) (array length=n_gaps): the gaps, lowest first. */
const FenVolumeGap *fen_volume_get_gaps  (const FenVolume *volume, guint *n_gaps);

/* Voxel spacing of the stack along unit direction @dir, mm: the step that
 * visits each native plane across @dir once (row, column or slice spacing
 * for the three axes). */
double     fen_volume_get_spacing_along  (const FenVolume *volume, const double dir[3]);

/**
 * FenVolumeAxis:
 * The three native planes of a stack: a slice, the plane through one source
 * row (all slices), the plane through one source column.
 */
typedef enum {
  FEN_VOLUME_AXIS_SLICE,
  FEN_VOLUME_AXIS_ROW,
  FEN_VOLUME_AXIS_COLUMN,
} FenVolumeAxis;

/* The native axis whose plane normal is nearest patient axis @patient_axis
 * (0 = x: sagittal, 1 = y: coronal, 2 = z: axial). */
FenVolumeAxis fen_volume_axis_for_patient (const FenVolume *volume, guint patient_axis);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenVolume, fen_volume_unref)

G_END_DECLS
