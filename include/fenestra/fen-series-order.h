/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-series-order.h: the one series model of the viewer, the study index
 * and fenestra-cli: which series an object belongs to, and the order of its
 * slices. GTK-free, in the core. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"

G_BEGIN_DECLS

typedef struct _FenSeriesOrder FenSeriesOrder;

/**
 * FenSeriesMember:
 * One object of a series as the order needs it (the caller's input; the
 * order copies what it keeps).
 * @id: the caller's name for it (an image id, an index); unique in the order
 * @n_frames: its frames, each a slice (0 counts as 1)
 * @instance_number: Instance Number (0020,0013), 0 when absent
 * @has_plane: @position and @orientation hold Image Position (Patient) and
 *   Image Orientation (Patient) (PS3.3 C.7.6.2.1.1)
 * @name: (nullable): the file's path, the last resort of the order
 */
typedef struct {
  guint       id;
  guint       n_frames;
  gint        instance_number;
  gboolean    has_plane;
  double      position[3];
  double      orientation[6];
  const char *name;
} FenSeriesMember;

/**
 * fen_series_member_init:
 * Fills @member from a loaded image's metadata; @name (nullable, borrowed
 * until the member is added) is its path. The plane of an image whose
 * frames carry their own positions is that of its first frame.
 */
void fen_series_member_init (FenSeriesMember    *member,
                             const FenImageInfo *info,
                             guint               id,
                             const char         *name);

/**
 * fen_series_key:
 * What groups objects into one series: the Series Instance UID, else
 * nothing in common with any other object (@fallback: a path or an id).
 * Returns: (transfer full): "uid:UID" or "one:FALLBACK".
 */
char *fen_series_key (const char *series_uid,
                      const char *fallback);

/* Returns: (transfer full): an empty order; free with fen_series_order_free(). */
FenSeriesOrder *fen_series_order_new  (void);
void            fen_series_order_free (FenSeriesOrder *order);

/**
 * fen_series_order_add:
 * Puts @member at its place. The order of a series is, in this priority:
 * 1. position along the slice normal (PS3.3 C.7.6.2.1.1: the normal is the
 *    cross product of the row and column direction cosines, the position
 *    its dot product with Image Position (Patient)), lowest first, only
 *    when every member has a plane and all planes are parallel (within
 *    0.5 degree): a series of scouts in three planes has no such order;
 * 2. Instance Number;
 * 3. the name (file name, then the whole path);
 * 4. the id, so that the order never depends on the order of adding.
 * The frames of a multi-frame member stay in their stored order.
 */
void     fen_series_order_add        (FenSeriesOrder        *order,
                                      const FenSeriesMember *member);
/* Returns: whether a member @id was there (and is no more). */
gboolean fen_series_order_remove     (FenSeriesOrder *order, guint id);
/* Whether the members are ordered along the normal (rule 1). */
gboolean fen_series_order_is_spatial (const FenSeriesOrder *order);

guint    fen_series_order_get_n_members (const FenSeriesOrder *order);
/* The id of the @index-th member in series order. */
guint    fen_series_order_get_id        (const FenSeriesOrder *order, guint index);
/* Frames of all members, one member after the other. */
guint    fen_series_order_get_n_slices  (const FenSeriesOrder *order);
/* Returns: %FALSE past the last slice. */
gboolean fen_series_order_get_slice     (const FenSeriesOrder *order,
                                         guint                 slice,
                                         guint                *id,
                                         guint                *frame);
/* The slice of frame @frame (clamped to the member's) of member @id, or -1. */
int      fen_series_order_find_slice    (const FenSeriesOrder *order,
                                         guint                 id,
                                         guint                 frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenSeriesOrder, fen_series_order_free)

G_END_DECLS
