/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-item.h: one study or series found on a PACS (a FenPacsMatch) as
 * a GObject, the item type of the study browser's column views; its
 * properties are what the columns show and sort on. */
#pragma once

#include "fen-types-ui.h"

#include <fenestra/fen-pacs.h>

G_BEGIN_DECLS

#define FEN_TYPE_PACS_ITEM (fen_pacs_item_get_type ())
G_DECLARE_FINAL_TYPE (FenPacsItem, fen_pacs_item, FEN, PACS_ITEM, GObject)

/* Takes @match (transfer full). */
FenPacsItem        *fen_pacs_item_new            (FenPacsMatch *match);
/* Returns: (transfer none) */
const FenPacsMatch *fen_pacs_item_get_match      (FenPacsItem *self);
/* The patient's name as a person reads it: "DOE, JANE" from "DOE^JANE"
 * (PS3.5 6.2.1.1: family^given^middle^prefix^suffix). */
char               *fen_pacs_item_format_name    (const char *pn);
/* "2024-01-15" from "20240115" (PS3.5 6.2 DA), else the text as it is. */
char               *fen_pacs_item_format_date    (const char *da);
/* Returns: (transfer none) (nullable): the series' thumbnail, once retrieved. */
GdkTexture         *fen_pacs_item_get_thumbnail  (FenPacsItem *self);
void                fen_pacs_item_set_thumbnail  (FenPacsItem *self, GdkTexture *thumbnail);
/* How many of the series' images are in the viewer (retrieved or cached). */
void                fen_pacs_item_set_n_local    (FenPacsItem *self, gint n_local);
gint                fen_pacs_item_get_n_local    (FenPacsItem *self);

G_END_DECLS
