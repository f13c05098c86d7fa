/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-node-editor.h: the dialog that adds or edits one PACS node:
 * DIMSE or DICOMweb fields, Test Connection, Save (settings, and the
 * password or token in the keyring). */
#pragma once

#include "fen-types-ui.h"
#include "fen-pacs-node-config.h"

G_BEGIN_DECLS

#define FEN_TYPE_PACS_NODE_EDITOR (fen_pacs_node_editor_get_type ())
G_DECLARE_FINAL_TYPE (FenPacsNodeEditor, fen_pacs_node_editor, FEN, PACS_NODE_EDITOR, GtkWindow)

/* @settings: where "pacs-nodes" is written on Save (borrowed; must outlive
 * the dialog). @config: (nullable): the node to edit (copied), or NULL for
 * a new one. */
FenPacsNodeEditor *fen_pacs_node_editor_new (GtkWindow *parent, GSettings *settings,
                                             const FenPacsNodeConfig *config);

/* The address fen_pacs_node_parse() reads, from the dialog's DIMSE fields
 * (escaped; an IPv6 host in brackets). */
char *fen_pacs_node_editor_dimse_address (const char *called_ae, const char *host, guint port,
                                          const char *calling_ae, gboolean move, guint store_port);

G_END_DECLS
