/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-series.h: the images of one series in slice order, and its thumbnail. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_SERIES (fen_series_get_type ())
G_DECLARE_FINAL_TYPE (FenSeries, fen_series, FEN, SERIES, GObject)

/* The key that groups images: fen_series_key() of the Series Instance UID,
 * else of the image id. */
char       *fen_series_key_for_image   (FenImage *image);

FenSeries  *fen_series_new             (const char *key);
const char *fen_series_get_key         (FenSeries *self);

/* Inserts @image (its id, not a reference) at its place in series order
 * (fen_series_order_add()). */
void        fen_series_add_image       (FenSeries *self, FenImage *image);
/* Returns: whether @image_id was in the series. */
gboolean    fen_series_remove_image    (FenSeries *self, guint image_id);
guint       fen_series_get_n_images    (FenSeries *self);
guint       fen_series_get_image_id    (FenSeries *self, guint index);
/* Frames of all images, one after the other. */
guint       fen_series_get_n_slices    (FenSeries *self);
gboolean    fen_series_get_slice       (FenSeries *self, guint slice, guint *image_id, guint *frame);
/* The first slice of image @image_id, or -1. */
int         fen_series_find_slice      (FenSeries *self, guint image_id, guint frame);

/* Patient-free text for the sidebar: description, modality, count. */
char       *fen_series_get_title       (FenSeries *self);
const char *fen_series_get_modality    (FenSeries *self);

/* Renders a small thumbnail of @image with the core engine (holds no image reference). */
void        fen_series_render_thumbnail (FenSeries *self, FenImage *image, FenRenderer *renderer, FenLut *lut);
/* Returns: (transfer none) (nullable) */
GdkTexture *fen_series_get_thumbnail   (FenSeries *self);

G_END_DECLS
