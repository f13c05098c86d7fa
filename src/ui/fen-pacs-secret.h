/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-secret.h: a PACS node's password or token in the Secret Service
 * (libsecret), under the node's id; never in GSettings, a log or argv. All
 * calls are asynchronous: the Secret Service is a D-Bus peer that may be
 * slow, locked, or absent. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

/* Stores (or, with @secret NULL or "", removes) the secret of @node_id;
 * @label is what a keyring manager shows. */
void     fen_pacs_secret_store_async  (const char *node_id, const char *label, const char *secret,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
/* Returns: %FALSE with @error in words when no Secret Service is
 * reachable (nothing is stored then). */
gboolean fen_pacs_secret_store_finish (GAsyncResult *result, GError **error);

void     fen_pacs_secret_lookup_async  (const char *node_id, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
/* Returns: (transfer full) (nullable): the secret, to be freed with
 * fen_pacs_secret_free(); %NULL without @error when none is stored. */
char    *fen_pacs_secret_lookup_finish (GAsyncResult *result, GError **error);
/* Clears a looked-up secret's memory, then frees it. */
void     fen_pacs_secret_free          (char *secret);

G_END_DECLS
