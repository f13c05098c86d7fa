/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-tag-node.c: FenTagNode wraps one attribute of a FenDicomTag tree for
 * GtkTreeListModel; the tree itself stays one GPtrArray shared by all nodes. */
#define G_LOG_DOMAIN "fen-tag-node"

#include "fen-tag-node.h"

struct _FenTagNode
{
  GObject            parent_instance;

  /* Owned */
  GPtrArray         *tags;   /* a reference to the whole tree */

  /* Borrowed */
  const FenDicomTag *tag;    /* inside tags */
};

G_DEFINE_FINAL_TYPE (FenTagNode, fen_tag_node, G_TYPE_OBJECT)

static void
fen_tag_node_finalize (GObject *object)
{
  FenTagNode *self = FEN_TAG_NODE (object);

  g_clear_pointer (&self->tags, g_ptr_array_unref);
  G_OBJECT_CLASS (fen_tag_node_parent_class)->finalize (object);
}

static void
fen_tag_node_class_init (FenTagNodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fen_tag_node_finalize;
}

static void
fen_tag_node_init (FenTagNode *self)
{
}

FenTagNode *
fen_tag_node_new (GPtrArray *tags, const FenDicomTag *tag)
{
  FenTagNode *self = g_object_new (FEN_TYPE_TAG_NODE, NULL);

  self->tags = g_ptr_array_ref (tags);
  self->tag = tag;
  return self;
}

const FenDicomTag *
fen_tag_node_get_tag (FenTagNode *self)
{
  g_return_val_if_fail (FEN_IS_TAG_NODE (self), NULL);
  return self->tag;
}

GListModel *
fen_tag_node_children (FenTagNode *self)
{
  GListStore *store;

  g_return_val_if_fail (FEN_IS_TAG_NODE (self), NULL);
  if (self->tag->children == NULL)
    return NULL;
  store = g_list_store_new (FEN_TYPE_TAG_NODE);
  for (guint i = 0; i < self->tag->children->len; i++)
    {
      g_autoptr(FenTagNode) child = fen_tag_node_new (self->tags, g_ptr_array_index (self->tag->children, i));

      g_list_store_append (store, child);
    }
  return G_LIST_MODEL (store);
}
