/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-tag-node.h: one FenDicomTag as a GObject, the item type of the tag browser's tree model. */
#pragma once

#include "fen-types-ui.h"

#include <fenestra/fen-dicom-tags.h>

G_BEGIN_DECLS

#define FEN_TYPE_TAG_NODE (fen_tag_node_get_type ())
G_DECLARE_FINAL_TYPE (FenTagNode, fen_tag_node, FEN, TAG_NODE, GObject)

/* @tags (the whole tree) is kept alive as long as the node; @tag is in it. */
FenTagNode        *fen_tag_node_new      (GPtrArray *tags, const FenDicomTag *tag);
/* Returns: (transfer none) */
const FenDicomTag *fen_tag_node_get_tag  (FenTagNode *self);
/* Returns: (transfer full) (nullable): the children as FenTagNode, or NULL for a leaf. */
GListModel        *fen_tag_node_children (FenTagNode *self);

G_END_DECLS
